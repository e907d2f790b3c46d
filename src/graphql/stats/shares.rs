//! `southSouthShare` and `agreementSouthSouthShare`: the part of flows that goes to the
//! South and the part of agreements that is South–South.

use async_graphql::{Context, Object, SimpleObject};

use super::{condition, flow_stats::FlowMeasure, flows_condition, note_amounts, scale};
use crate::{
    error::ApiResult,
    graphql::{
        agreement::AgreementFilter,
        caveats::Caveat,
        flow::{AggregateRules, FlowFilter, Guidance, KindFamily},
        resolve,
    },
    repo::stats::shares::{self, Share},
};

/// Shares of flows that go to the South, or of agreements that are South–South.
#[derive(SimpleObject, Clone, Copy, Debug, Default)]
pub struct SouthSouthShare {
    /// The measure over all that the filter matches (flows: those with a recipient country).
    pub total: f64,
    /// The measure over those of the South.
    pub to_south: f64,
    /// `toSouth / total`; null when the total is 0.
    pub share: Option<f64>,
}

impl SouthSouthShare {
    /// The share, its sources noted for `extensions.sources`.
    fn cited(ctx: &Context<'_>, share: Share) -> Self {
        resolve::cite(ctx, share.sources);
        Self { total: share.total, to_south: share.part, share: share.share }
    }
}

/// Root field `southSouthShare`.
#[derive(Default)]
pub struct FlowShareQuery;

#[Object]
impl FlowShareQuery {
    /// The share of flows (with a recipient country) that go to Southern recipients.
    async fn south_south_share(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter (for example a provider or a bloc).")] filter: Option<
            FlowFilter,
        >,
        #[graphql(desc = "What to measure (real US dollars by default).", default)] measure: FlowMeasure,
        #[graphql(desc = "With `USD_REAL`, dollars of this year (default: the latest year of the CPI-U series).")]
        base_year: Option<i32>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless the filter says which kinds), trade, or all."
        )]
        kind_family: Option<KindFamily>,
    ) -> ApiResult<SouthSouthShare> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let rules = AggregateRules::new(guidance, kind_family, false);
        let condition = flows_condition(ctx, filter.as_ref(), rules);
        let share = shares::flows_to_south(resolve::db(ctx)?, condition.flows, measure.into()).await?;
        resolve::caveat(ctx, Caveat::NoRecipientLeftOut);
        let scale = scale(ctx, measure, base_year, share.measures.bases, "this share").await?;
        if measure != FlowMeasure::Count {
            note_amounts(ctx, &share.measures, measure.into());
        }
        let share = Share { total: scale(share.total), part: scale(share.part), ..share };
        Ok(SouthSouthShare::cited(ctx, share))
    }
}

/// Root field `agreementSouthSouthShare`.
#[derive(Default)]
pub struct AgreementShareQuery;

#[Object]
impl AgreementShareQuery {
    /// The share of the agreements a filter matches that are South–South (all parties of
    /// the South, see `Agreement.southSouth`), counted in agreements.
    async fn agreement_south_south_share(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter (for example a party).")] filter: Option<
            AgreementFilter,
        >,
    ) -> ApiResult<SouthSouthShare> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let share = shares::south_south_agreements(resolve::db(ctx)?, condition(filter.as_ref())).await?;
        Ok(SouthSouthShare::cited(ctx, share))
    }
}
