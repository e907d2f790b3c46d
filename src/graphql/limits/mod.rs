//! The limits every request is checked against before any SQL runs: the document's size
//! and nesting ([`lexer`]), its input values ([`input`]), its depth and cost ([`cost`]),
//! and a batch's size and total cost.
//!
//! [`QueryLimits::admit`] runs them all and hands back each operation's cost, which the
//! HTTP layer reports in `extensions.cost` and spends from the client's rate limit.

mod cost;
mod input;
mod lexer;

use std::collections::HashMap;

use async_graphql::{
    BatchRequest, Request,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};
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

/// The checks, with the schema's cost model.
#[derive(Debug)]
pub struct QueryLimits {
    model: cost::CostModel,
    config: ApiConfig,
}

impl QueryLimits {
    /// The limits of `config`, costing fields as the schema in `sdl` declares them.
    pub fn new(sdl: &str, config: ApiConfig) -> Self {
        Self { model: cost::CostModel::from_sdl(sdl), config }
    }

    /// A fresh budget for input values, as every request gets.
    pub fn input_budget(&self) -> InputBudget {
        InputBudget::from_config(&self.config)
    }

    /// Checks a single or batched request and returns the cost of each operation. Each
    /// request's document is parsed here once and kept for execution.
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
        let variables = request.variables.clone();
        let operation_name = request.operation_name.clone();
        match async_graphql::parser::parse_query(&request.query) {
            Ok(document) => request.set_parsed_query(document),
            Err(async_graphql::parser::Error::RecursionLimitExceeded) => {
                return Err(ApiError::limit_exceeded("the document nests deeper than the parser allows"));
            }
            Err(_) => return Ok(0),
        }
        let Ok(document) = request.parsed_query() else { return Ok(0) };
        check_nesting(document)?;
        let limits =
            cost::WalkLimits { max_depth: self.config.max_depth, default_page_size: self.config.default_page_size };
        cost::Walk::new(&self.model, document, &variables, &limits, &mut inputs).cost(operation_name.as_deref())
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
