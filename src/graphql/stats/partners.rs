//! `Country.partners`: a country's partners in flows, ranked in the database and batched
//! over the countries of one field.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object};
use entity::country;

use super::{flow_stats::FlowMeasure, flows_condition, note_amounts, value_axis};
use crate::graphql::dollars::{dollars_of, one_base};
use crate::repo::stats::flows::Bases;
use crate::{
    error::{ApiError, ApiResult},
    graphql::{
        batch::Batcher,
        caveats::Caveat,
        chart::{Axis, Chart, ChartData, Point, Scale, chart_of},
        country::Country,
        flow::{AggregateRules, FlowFilter},
        loaders::{BatchLoader, Batched},
        resolve,
    },
    repo::stats::partners::{self, PartnerRanking},
};

/// Which side of a country's flows its partners are on.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::repo::stats::partners::PartnerDirection")]
pub enum PartnerDirection {
    /// Partners are the recipients of the flows the country provided.
    #[default]
    Provided,
    /// Partners are the providers of the flows the country received.
    Received,
}

/// A partner of a country, with the flows between them.
pub struct Partner(partners::Partner);

/// A partner of a country, with the flows between them.
#[Object]
impl Partner {
    /// The partner country.
    async fn country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(resolve::by_id::<country::Entity>(ctx, self.0.country).await?.map(Country))
    }

    /// Number of flows.
    async fn count(&self) -> i64 {
        self.0.measures.count
    }

    /// Sum in current US dollars.
    async fn sum_usd_current(&self) -> f64 {
        self.0.measures.sum_current
    }

    /// Sum in the publishers' constant US dollars; `MIXED_DOLLAR_BASES` where the flows
    /// with this partner have different base years.
    async fn sum_usd_constant(&self) -> ApiResult<f64> {
        one_base(self.0.measures.bases, "this partner's flows", self.0.measures.sum_constant)
    }

    /// Sum in real US dollars of `baseYear`, by the U.S. CPI-U.
    async fn sum_usd_real(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dollars of this year (default: the latest year of the CPI-U series).")] base_year: Option<
            i32,
        >,
    ) -> ApiResult<f64> {
        note_amounts(ctx, &self.0.measures, crate::repo::stats::flows::FlowMeasure::UsdReal);
        Ok(dollars_of(ctx, base_year).await?.of(self.0.measures.sum_real))
    }

    /// This partner's part of the country's total, in the measure ranked by; null when the
    /// total is 0.
    async fn share(&self) -> Option<f64> {
        self.0.share
    }
}

/// The partners of one country, ranked as asked; their sources noted for
/// `extensions.sources`.
pub async fn partners_of(
    ctx: &Context<'_>,
    country: i32,
    direction: PartnerDirection,
    filter: Option<&FlowFilter>,
    rules: AggregateRules,
    measure: FlowMeasure,
    first: i32,
) -> ApiResult<Vec<Partner>> {
    let max = resolve::config(ctx)?.max_page_size;
    let first = u64::try_from(first)
        .ok()
        .filter(|first| *first <= max)
        .ok_or_else(|| ApiError::bad_input(format!("`first: {first}` must be between 0 and {max}")))?;
    let ranking = PartnerRanking {
        direction: direction.into(),
        condition: flows_condition(ctx, filter, rules).flows,
        measure: measure.into(),
        first,
    };
    let loader = resolve::state::<Batcher<BatchLoader<PartnerRanking>, Batched<PartnerRanking>>>(ctx)?;
    let found = loader.load_one(Batched { parent: country, request: Arc::new(ranking) }).await?.unwrap_or_default();
    if measure == FlowMeasure::UsdReal {
        // The shares are of real dollars: cite the series and say so.
        dollars_of(ctx, None).await?;
    }
    if measure == FlowMeasure::UsdConstant {
        let bases = found.iter().fold(Default::default(), |bases: Bases, partner| bases.with(partner.all_bases));
        one_base(bases, "ranking partners by USD_CONSTANT", ())?;
    }
    resolve::cite(ctx, found.iter().flat_map(|partner| partner.sources.iter().copied()));
    resolve::caveat(ctx, Caveat::NoRecipientLeftOut);
    Ok(found.iter().cloned().map(Partner).collect())
}

/// The partners of `country` ([`partners_of`]) as a chart of `measure` (in dollars of
/// `base_year`), largest first.
#[allow(clippy::too_many_arguments)]
pub async fn partners_chart(
    ctx: &Context<'_>,
    country: &country::Model,
    direction: PartnerDirection,
    filter: Option<&FlowFilter>,
    rules: AggregateRules,
    measure: FlowMeasure,
    base_year: Option<i32>,
    first: i32,
) -> ApiResult<Chart> {
    chart_of(ctx, async {
        let partners = partners_of(ctx, country.id, direction, filter, rules, measure, first).await?;
        let bases = partners.iter().fold(Bases::default(), |bases, partner| bases.with(partner.0.measures.bases));
        let (value, scale) = value_axis(ctx, measure, base_year, bases, "this chart").await?;
        let mut points = Vec::with_capacity(partners.len());
        for Partner(partner) in &partners {
            if measure != FlowMeasure::Count {
                note_amounts(ctx, &partner.measures, measure.into());
            }
            let name = resolve::by_id::<country::Entity>(ctx, partner.country).await?.map(|c| c.name.clone());
            points.push(Point {
                category: serde_json::Value::String(name.unwrap_or_default()),
                series: None,
                value: scale(partner.measures.get(measure.into())),
            });
        }
        let (side, title) = match direction {
            PartnerDirection::Provided => ("Recipient", format!("Recipients of flows from {}", country.name)),
            PartnerDirection::Received => ("Provider", format!("Providers of flows to {}", country.name)),
        };
        let category = Axis { field: side.to_lowercase(), title: side.to_owned() };
        Ok(ChartData::new(title, category, Scale::Names, None, value, measure != FlowMeasure::Count, points))
    })
    .await
}
