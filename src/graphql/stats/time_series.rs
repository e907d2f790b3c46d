//! `flowTimeSeries`: one group per year, years without flows included with zeros.

use async_graphql::{Context, Object};

use super::{
    flow_stats::{FlowMeasure, FlowStats, amounts_of, flow_chart, selected_amounts},
    flows_condition,
};
use crate::{
    error::{ApiError, ApiResult},
    graphql::{
        chart::{Chart, chart_of},
        flow::{AggregateRules, FlowFilter, Guidance, KindFamily},
        resolve,
    },
    repo::stats::flows::{self, FlowGroup},
};

/// Most years one series spans.
const MAX_YEARS: i64 = 500;

/// The groups of a time series, one per year from `from` to `to`, with the measures of
/// `amounts`; their sources noted.
async fn series(
    ctx: &Context<'_>,
    filter: Option<FlowFilter>,
    rules: AggregateRules,
    from: i32,
    to: i32,
    amounts: flows::Amounts,
) -> ApiResult<Vec<FlowGroup>> {
    let filter = resolve::with_country_ids(ctx, filter).await?;
    if to < from || i64::from(to) - i64::from(from) > MAX_YEARS {
        return Err(ApiError::bad_input(format!(
            "`from: {from}, to: {to}` is not a range of at most {MAX_YEARS} years"
        )));
    }
    let condition = flows_condition(ctx, filter.as_ref(), rules);
    let series = flows::time_series(resolve::db(ctx)?, condition, from, to, amounts).await?;
    resolve::cite(ctx, series.iter().flat_map(|group| group.sources.iter().copied()));
    Ok(series)
}

/// Root fields `flowTimeSeries` and `flowTimeSeriesChart`.
#[derive(Default)]
pub struct TimeSeriesQuery;

// Each argument of `flowTimeSeriesChart` is a Rust argument of its resolver.
#[allow(clippy::too_many_arguments)]
#[Object]
impl TimeSeriesQuery {
    /// One group per year from `from` to `to`, years without flows included with zeros.
    async fn flow_time_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless the filter says which kinds), trade, or all."
        )]
        kind_family: Option<KindFamily>,
        #[graphql(desc = "First year.")] from: i32,
        #[graphql(desc = "Last year.")] to: i32,
    ) -> ApiResult<Vec<FlowStats>> {
        let rules = AggregateRules::new(guidance, kind_family, false);
        let series = series(ctx, filter, rules, from, to, selected_amounts(ctx)).await?;
        Ok(series.into_iter().map(FlowStats).collect())
    }

    /// `flowTimeSeries` as a chart of one measure: a line per year by default.
    async fn flow_time_series_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless the filter says which kinds), trade, or all."
        )]
        kind_family: Option<KindFamily>,
        #[graphql(desc = "First year.")] from: i32,
        #[graphql(desc = "Last year.")] to: i32,
        #[graphql(desc = "What the chart shows (real US dollars by default).", default)] measure: FlowMeasure,
        #[graphql(desc = "With `USD_REAL`, dollars of this year (default: the latest year of the CPI-U series).")]
        base_year: Option<i32>,
    ) -> ApiResult<Chart> {
        let rules = AggregateRules::new(guidance, kind_family, false);
        chart_of(ctx, async {
            let series = series(ctx, filter, rules, from, to, amounts_of(measure)).await?;
            let title = format!("Flows per year, {from}–{to}");
            flow_chart(ctx, title, &series, &[flows::FlowDimension::Year], measure, base_year).await
        })
        .await
    }
}
