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

use super::{
    dollars::{dollars_of, one_base},
    filter::ToCondition,
};
use crate::{
    error::{ApiError, ApiResult},
    repo::stats::{MAX_GROUPS, flows::Bases},
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

/// How to turn values of `measure` from the database into what the client asked for: real
/// amounts into dollars of `base_year`; constant amounts as they are, if `bases` is one
/// base year (else `MIXED_DOLLAR_BASES`, naming `what`); counts and current dollars as they
/// are.
async fn scale(
    ctx: &async_graphql::Context<'_>,
    measure: flow_stats::FlowMeasure,
    base_year: Option<i32>,
    bases: Bases,
    what: &str,
) -> ApiResult<impl Fn(f64) -> f64 + use<>> {
    let dollars = match measure {
        flow_stats::FlowMeasure::UsdReal => Some(dollars_of(ctx, base_year).await?),
        flow_stats::FlowMeasure::UsdConstant => one_base(bases, what, None)?,
        flow_stats::FlowMeasure::Count | flow_stats::FlowMeasure::UsdCurrent => None,
    };
    Ok(move |value: f64| dollars.map_or(value, |dollars| dollars.of(value)))
}

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
