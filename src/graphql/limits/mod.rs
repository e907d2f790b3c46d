//! The limits every request is checked against before any SQL runs: the document's size
//! and nesting ([`lexer`]), its input values ([`input`]), its depth and cost ([`cost`]),
//! and a batch's size and total cost.
//!
//! [`QueryLimits::admit`] runs them all and hands back each operation's cost, which the
//! HTTP layer reports in `extensions.cost` and spends from the client's rate limit.

mod cost;
mod input;
mod lexer;

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    BatchRequest, Request,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};
use moka::sync::Cache;
use serde::Serialize;

pub use input::InputBudget;

use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
};

/// How deep selection sets may nest, fragments included. The schema is built with the same
/// limit (`limit_recursive_depth`), which [`QueryLimits::admit`] checks first, so that a
/// document over it is refused as a limit, with its code, before execution.
pub const MAX_SELECTION_NESTING: usize = 32;

/// The cost of one request, as reported in `extensions.cost`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// Cost points the operation asked for.
    pub requested: u64,
    /// Most cost points a request may ask for (a batch: all its operations together).
    pub limit: u64,
}

/// Most bytes of parsed documents kept for queries sent again ([`QueryLimits::parsed`]).
const PARSED_DOCUMENTS_BYTES: u64 = 16 << 20;

/// What a parsed document holds per byte of its text: the parsed documents of the
/// benchmark's queries (136 to 262 bytes of text) hold 29 to 36 times their text on the
/// heap (measured with a counting allocator around `parse_query`).
const PARSED_BYTES_PER_BYTE: usize = 40;

/// What a kept document costs besides: its key's text, its `Arc` and moka's bookkeeping.
const PARSED_OVERHEAD: usize = 512;

/// The longest text whose parsed document is kept: longer ones are rarely sent twice, and
/// would only push the others out.
const PARSED_MAX_TEXT: usize = 64 << 10;

/// The checks, with the schema's cost model.
pub struct QueryLimits {
    model: cost::CostModel,
    config: ApiConfig,
    /// The documents of queries parsed before, by their text. Parsing is a tenth of a small
    /// query's work (q1 of the benchmark: 250,000 of 2.7 million instructions); taking a
    /// parsed copy costs a few allocations. Bounded in bytes; the cost and the limits are
    /// still checked at every request, since they depend on the variables.
    parsed: Cache<String, Arc<ExecutableDocument>>,
}

impl QueryLimits {
    /// The limits of `config`, costing fields as the schema in `sdl` declares them.
    pub fn new(sdl: &str, config: ApiConfig) -> Self {
        let parsed = Cache::builder()
            .max_capacity(PARSED_DOCUMENTS_BYTES)
            .weigher(|text: &String, _: &Arc<ExecutableDocument>| {
                u32::try_from(text.len().saturating_mul(PARSED_BYTES_PER_BYTE).saturating_add(PARSED_OVERHEAD))
                    .unwrap_or(u32::MAX)
            })
            .build();
        Self { model: cost::CostModel::from_sdl(sdl), config, parsed }
    }

    /// A fresh budget for input values, as every request gets.
    pub fn input_budget(&self) -> InputBudget {
        InputBudget::from_config(&self.config)
    }

    /// Checks a single or batched request and returns the cost of each operation. Each
    /// request's document is parsed here once (or taken from the documents parsed before)
    /// and kept for execution.
    pub fn admit(&self, batch: &mut BatchRequest) -> ApiResult<Vec<Cost>> {
        let requests: Vec<&mut Request> = batch.iter_mut().collect();
        if requests.len() > self.config.max_batch {
            return Err(ApiError::limit_exceeded(format!(
                "a batch may hold at most {} operations; this one holds {}",
                self.config.max_batch,
                requests.len()
            )));
        }
        let mut costs = Vec::with_capacity(requests.len());
        let mut total = 0u64;
        for request in requests {
            let requested = self.cost(request)?;
            total = total.saturating_add(requested);
            costs.push(Cost { requested, limit: self.config.max_cost });
        }
        if total > self.config.max_cost {
            let what = if costs.len() > 1 { "the batch" } else { "the query" };
            return Err(ApiError::limit_exceeded(format!(
                "{what} would cost {total} points, over the limit of {} (a connection costs `first`, or {} by default, \
                 times its selection)",
                self.config.max_cost, self.config.default_page_size
            )));
        }
        Ok(costs)
    }

    /// The cost of one request. A document that does not parse costs nothing here: the
    /// executor answers it with its parse error, unless it nests past the parser's
    /// recursion limit, which is a limit like the others.
    fn cost(&self, request: &mut Request) -> ApiResult<u64> {
        lexer::scan(&request.query, self.config.max_tokens)?;
        let mut inputs = self.input_budget();
        for (name, value) in request.variables.iter() {
            inputs.charge(name.as_str(), value)?;
        }
        let Some(document) = self.parse(&request.query)? else { return Ok(0) };
        check_nesting(&document)?;
        let limits =
            cost::WalkLimits { max_depth: self.config.max_depth, default_page_size: self.config.default_page_size };
        let cost = cost::Walk::new(&self.model, &document, &request.variables, &limits, &mut inputs)
            .cost(request.operation_name.as_deref())?;
        request.set_parsed_query(ExecutableDocument::clone(&document));
        Ok(cost)
    }

    /// The parsed document of `query`, kept from an earlier request or parsed now (and
    /// kept); `None` when it does not parse.
    fn parse(&self, query: &str) -> ApiResult<Option<Arc<ExecutableDocument>>> {
        if let Some(document) = self.parsed.get(query) {
            return Ok(Some(document));
        }
        let document = match async_graphql::parser::parse_query(query) {
            Ok(document) => Arc::new(document),
            Err(async_graphql::parser::Error::RecursionLimitExceeded) => {
                return Err(ApiError::limit_exceeded("the document nests deeper than the parser allows"));
            }
            Err(_) => return Ok(None),
        };
        if query.len() <= PARSED_MAX_TEXT {
            self.parsed.insert(query.to_owned(), Arc::clone(&document));
        }
        Ok(Some(document))
    }
}

/// Refuses selection sets nested deeper than [`MAX_SELECTION_NESTING`], counting a field's
/// selection set, a fragment spread and an inline fragment one level each, as the
/// executor does. Each fragment's depth is measured once, so fragments that spread each
/// other many times over cost no more than their text.
fn check_nesting(document: &ExecutableDocument) -> ApiResult<()> {
    /// How deep a selection set nests below itself; `None` past the limit (or in a cycle).
    fn below<'a>(
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        depth: usize,
        fragments: &mut HashMap<&'a str, Option<usize>>,
    ) -> Option<usize> {
        if depth > MAX_SELECTION_NESTING {
            return None;
        }
        let mut deepest = 0;
        for selection in &set.items {
            let nested = match &selection.node {
                Selection::Field(field) if field.node.selection_set.node.items.is_empty() => 0,
                Selection::Field(field) => 1 + below(document, &field.node.selection_set.node, depth + 1, fragments)?,
                Selection::InlineFragment(inline) => {
                    1 + below(document, &inline.node.selection_set.node, depth + 1, fragments)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) else { continue };
                    let inner = match fragments.get(name) {
                        Some(known) => *known,
                        None => {
                            fragments.insert(name, None);
                            let found = below(document, &fragment.node.selection_set.node, 0, fragments);
                            fragments.insert(name, found);
                            found
                        }
                    };
                    1 + inner?
                }
            };
            deepest = deepest.max(nested);
            if depth + deepest > MAX_SELECTION_NESTING {
                return None;
            }
        }
        Some(deepest)
    }
    let mut fragments = HashMap::new();
    for (_, operation) in document.operations.iter() {
        if below(document, &operation.node.selection_set.node, 0, &mut fragments).is_none() {
            return Err(ApiError::limit_exceeded(format!(
                "selections nest more than {MAX_SELECTION_NESTING} deep, fragments included"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use async_graphql::Variables;
    use serde_json::json;

    use super::*;

    fn limits() -> QueryLimits {
        QueryLimits::new(include_str!("../../../schema.graphql"), ApiConfig::default())
    }

    fn admit(limits: &QueryLimits, query: &str, variables: serde_json::Value) -> (ApiResult<u64>, Request) {
        let mut batch = BatchRequest::Single(Request::new(query).variables(Variables::from_json(variables)));
        let cost = limits.admit(&mut batch).map(|costs| costs[0].requested);
        let BatchRequest::Single(request) = batch else { unreachable!("a single request stays single") };
        (cost, request)
    }

    #[test]
    fn a_query_sent_again_takes_the_document_parsed_before() {
        let limits = limits();
        let query = "{ flows(first: 3) { nodes { id } } }";
        let (cost, mut request) = admit(&limits, query, json!({}));
        assert!(cost.unwrap() > 0);
        let kept = limits.parsed.get(query).expect("the document is kept");
        assert_eq!(format!("{:?}", request.parsed_query().unwrap()), format!("{kept:?}"));

        // The kept document is what the next request with this text executes: here one
        // put under its text on purpose, which a parse of the text would not give.
        let other = async_graphql::parser::parse_query("{ __typename }").unwrap();
        limits.parsed.insert(query.into(), Arc::new(other.clone()));
        let (_, mut request) = admit(&limits, query, json!({}));
        assert_eq!(format!("{:?}", request.parsed_query().unwrap()), format!("{other:?}"));
    }

    #[test]
    fn a_kept_document_is_costed_with_each_request_s_variables() {
        let limits = limits();
        let query = "query($size: Int!) { flows(first: $size) { nodes { id } } }";
        let (small, _) = admit(&limits, query, json!({ "size": 10 }));
        let (large, _) = admit(&limits, query, json!({ "size": 100 }));
        assert!(small.unwrap() < large.unwrap());
        let (over, _) = admit(&limits, query, json!({ "size": 100_000 }));
        assert!(over.is_err(), "{over:?}");
    }

    #[test]
    fn documents_that_do_not_parse_or_are_long_are_not_kept() {
        let limits = limits();
        let (cost, _) = admit(&limits, "{ flows(", json!({}));
        assert_eq!(cost.unwrap(), 0, "the executor answers with the parse error");
        assert!(limits.parsed.get("{ flows(").is_none());

        let long = format!("{{ __typename }}{}", " ".repeat(PARSED_MAX_TEXT));
        let (cost, _) = admit(&limits, &long, json!({}));
        assert!(cost.is_ok());
        assert!(limits.parsed.get(long.as_str()).is_none());
    }
}
