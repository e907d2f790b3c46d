//! `flowTimeSeries`: one group per year, years without flows included with zeros.

use async_graphql::{Context, Object};

use super::{
    flow_stats::{FlowStats, selected_amounts, wrap},
    flows_condition,
};
use crate::{
    error::{ApiError, ApiResult},
    graphql::{
        flow::{AggregateRules, FlowFilter, Guidance, KindFamily},
        resolve,
    },
    repo::stats::flows,
};

/// Most years one series spans.
const MAX_YEARS: i64 = 500;

/// Root field `flowTimeSeries`.
#[derive(Default)]
pub struct TimeSeriesQuery;

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
        let filter = resolve::with_country_ids(ctx, filter).await?;
        if to < from || i64::from(to) - i64::from(from) > MAX_YEARS {
            return Err(ApiError::bad_input(format!(
                "`from: {from}, to: {to}` is not a range of at most {MAX_YEARS} years"
            )));
        }
        let rules = AggregateRules::new(guidance, kind_family, false);
        let condition = flows_condition(ctx, filter.as_ref(), rules);
        let series = flows::time_series(resolve::db(ctx)?, condition, from, to, selected_amounts(ctx)).await?;
        Ok(wrap(ctx, series))
    }
}
