//! Aggregates for charts and stories: the GraphQL side. Each file maps one concept's
//! arguments onto a query of [`crate::repo::stats`] and wraps its results, citing the
//! sources the groups came with.

pub mod agreement_stats;
pub mod exchange_stats;
pub mod expert_stats;
pub mod flow_stats;
pub mod matrix;
pub mod partners;
pub mod shares;
pub mod time_series;

use async_graphql::MergedObject;
use sea_orm::sea_query::Condition;

use super::filter::ToCondition;
use crate::{
    error::{ApiError, ApiResult},
    repo::stats::MAX_GROUPS,
};

/// Root fields of agreement, expert and exchange aggregates.
#[derive(MergedObject, Default)]
pub struct AgreementStatsRoots(
    agreement_stats::AgreementStatsQuery,
    shares::AgreementShareQuery,
    expert_stats::ExpertStatsQuery,
    exchange_stats::ExchangeStatsQuery,
);

/// Root fields of flow aggregates.
#[derive(MergedObject, Default)]
pub struct FlowStatsRoots(
    flow_stats::FlowStatsQuery,
    time_series::TimeSeriesQuery,
    matrix::MatrixQuery,
    shares::FlowShareQuery,
);

/// The condition of an optional filter (every row without one).
fn condition<F: ToCondition>(filter: Option<&F>) -> Condition {
    filter.map_or_else(Condition::all, ToCondition::condition)
}

/// The number of groups asked for: 100 by default, at most [`MAX_GROUPS`].
fn group_limit(first: Option<i32>) -> ApiResult<u64> {
    let first = first.unwrap_or(100);
    u64::try_from(first)
        .ok()
        .filter(|first| *first <= MAX_GROUPS)
        .ok_or_else(|| ApiError::bad_input(format!("`first: {first}` must be between 0 and {MAX_GROUPS}")))
}
