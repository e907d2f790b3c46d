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

use async_graphql::Context;

use super::{
    caveats::Caveat,
    chart::Axis,
    dollars::{dollars_of, one_base},
    filter::ToCondition,
    flow::{AggregateRules, FlowFilter},
    resolve,
};
use crate::{
    error::{ApiError, ApiResult},
    repo::stats::{
        MAX_GROUPS,
        flows::{self, Bases, FlowMeasures},
    },
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

/// The condition of an aggregate over the flows `filter` matches, read by `rules`, with the
/// caveats it implies noted for `extensions.caveats`.
fn flows_condition(ctx: &Context<'_>, filter: Option<&FlowFilter>, rules: AggregateRules) -> flows::FlowSet {
    let (condition, scope) = FlowFilter::aggregate_condition(filter, rules);
    let (guidance, family) = Caveat::of_rules(rules, scope);
    if let Some(caveat) = guidance {
        resolve::guidance(ctx, caveat);
    }
    if let Some(caveat) = family {
        resolve::caveat(ctx, caveat);
    }
    condition
}

/// Notes the caveats about the amounts of flows with these measures summed in `measure`:
/// some without an amount in it, some rebased (real dollars).
fn note_amounts(ctx: &Context<'_>, measures: &FlowMeasures, measure: flows::FlowMeasure) {
    if measures.count > measures.count_of(measure) {
        resolve::caveat(ctx, Caveat::AmountsMissing);
    }
    if measure == flows::FlowMeasure::UsdReal && measures.rebased > 0 {
        resolve::caveat(ctx, Caveat::AmountsRebased);
    }
}

/// How to turn values of `measure` from the database into what the client asked for: real
/// amounts into dollars of `base_year`; constant amounts as they are, if `bases` is one
/// base year (else `MIXED_DOLLAR_BASES`, naming `what`); counts and current dollars as they
/// are.
async fn scale(
    ctx: &Context<'_>,
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

/// The value axis of a chart of `measure` (of `counted`, when a count: "flows"), titled
/// with its unit and base year, and how to scale its values (see [`scale`]).
async fn value_axis(
    ctx: &Context<'_>,
    measure: flow_stats::FlowMeasure,
    base_year: Option<i32>,
    bases: Bases,
    what: &str,
) -> ApiResult<(Axis, impl Fn(f64) -> f64 + use<>)> {
    let scale = scale(ctx, measure, base_year, bases, what).await?;
    let (field, title) = match measure {
        flow_stats::FlowMeasure::Count => ("count", "Number of flows".to_owned()),
        flow_stats::FlowMeasure::UsdCurrent => ("sumUsdCurrent", "Current US dollars".to_owned()),
        flow_stats::FlowMeasure::UsdConstant => (
            "sumUsdConstant",
            match bases.lo {
                Some(base) => format!("Constant US dollars of {base} (the publisher's)"),
                None => "Constant US dollars (the publisher's)".to_owned(),
            },
        ),
        flow_stats::FlowMeasure::UsdReal => {
            let year = dollars_of(ctx, base_year).await?.year;
            ("sumUsdReal", format!("US dollars of {year} (deflated with the U.S. CPI-U)"))
        }
    };
    Ok((Axis { field: field.to_owned(), title }, scale))
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
