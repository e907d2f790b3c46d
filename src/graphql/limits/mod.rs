//! The limits every request is checked against before any SQL runs: the document's size
//! and nesting ([`lexer`]), its input values ([`input`]), its depth and cost ([`cost`]),
//! and a batch's size and total cost.
//!
//! [`QueryLimits::admit`] runs them all and hands back each operation's cost, which the
//! HTTP layer reports in `extensions.cost` and spends from the client's rate limit.

mod cost;
mod input;
mod lexer;

use async_graphql::{BatchRequest, Request};
use serde::Serialize;

pub use input::InputBudget;

use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
};

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
    /// executor answers it with its parse error.
    fn cost(&self, request: &mut Request) -> ApiResult<u64> {
        lexer::scan(&request.query, self.config.max_tokens)?;
        let mut inputs = self.input_budget();
        for (name, value) in request.variables.iter() {
            inputs.charge(name.as_str(), value)?;
        }
        let variables = request.variables.clone();
        let operation_name = request.operation_name.clone();
        let Ok(document) = request.parsed_query() else { return Ok(0) };
        let limits =
            cost::WalkLimits { max_depth: self.config.max_depth, default_page_size: self.config.default_page_size };
        cost::Walk::new(&self.model, document, &variables, &limits, &mut inputs).cost(operation_name.as_deref())
    }
}
