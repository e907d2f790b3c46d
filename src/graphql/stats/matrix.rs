//! `flowMatrix`: flows between regions, sub-regions or countries, for chord and Sankey
//! charts.

use async_graphql::{ComplexObject, Context, Enum, Json, Object, SimpleObject};
use serde_json::Value;

use super::{flow_stats::FlowMeasure, flows_condition, note_amounts, value_axis};
use crate::{
    error::{ApiError, ApiResult},
    graphql::{
        caveats::Caveat,
        chart::{Axis, ChartData, ChartMark, Point, Scale, chart_of, vega_lite},
        flow::{AggregateRules, FlowFilter, Guidance, KindFamily},
        resolve,
    },
    repo::stats::matrix,
};

/// How far a matrix aggregates countries.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::repo::stats::matrix::MatrixLevel")]
pub enum MatrixLevel {
    /// UN M49 regions.
    Region,
    /// UN M49 sub-regions.
    SubRegion,
    /// Countries (the largest `top`, the rest as "Other").
    Country,
}

/// Flows between groups of countries as a square matrix (rows: providers, columns:
/// recipients, in `labels` order) and as a list of links, ready for chord and Sankey
/// charts.
#[derive(SimpleObject, Clone, Debug, Default)]
#[graphql(complex)]
pub struct FlowMatrix {
    /// Names of the rows and columns.
    pub labels: Vec<String>,
    /// `matrix[i][j]`: the measure of flows from `labels[i]` to `labels[j]`.
    pub matrix: Vec<Vec<f64>>,
    /// The non-zero cells as source, target and value, largest first.
    pub links: Vec<FlowLink>,
    /// The matrix as a chart, when `vegaLite` is selected.
    #[graphql(skip)]
    pub chart: Option<ChartData>,
}

#[ComplexObject]
impl FlowMatrix {
    /// The matrix as a Vega-Lite v6 specification (a heatmap by default: recipients
    /// across, providers down), its data inline, its sources and caveats as its footnote
    /// (and in `usermeta`).
    async fn vega_lite(
        &self,
        #[graphql(desc = "How to draw the cells (a heatmap by default; bars stack providers per recipient).")]
        mark: Option<ChartMark>,
    ) -> ApiResult<Json<Value>> {
        let chart =
            self.chart.as_ref().ok_or_else(|| ApiError::internal(&"the matrix was computed without its chart"))?;
        vega_lite(chart, mark).map(Json)
    }
}

/// One cell of a flow matrix.
#[derive(SimpleObject, Clone, Debug)]
pub struct FlowLink {
    /// Provider group.
    pub source: String,
    /// Recipient group.
    pub target: String,
    /// The measure.
    pub value: f64,
}

/// Most groups a matrix keeps.
const MAX_TOP: usize = 200;

/// Root field `flowMatrix`.
#[derive(Default)]
pub struct MatrixQuery;

// Each argument of `flowMatrix` is a Rust argument of its resolver.
#[allow(clippy::too_many_arguments)]
#[Object]
impl MatrixQuery {
    /// Flows between regions, sub-regions or countries, as a matrix and as links.
    async fn flow_matrix(
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
        #[graphql(desc = "Regions, sub-regions or countries.")] level: MatrixLevel,
        #[graphql(desc = "What the cells measure (real US dollars by default).", default)] measure: FlowMeasure,
        #[graphql(desc = "With `USD_REAL`, dollars of this year (default: the latest year of the CPI-U series).")]
        base_year: Option<i32>,
        #[graphql(desc = "Keep the largest this many groups; fold the rest into \"Other\".", default = 10)] top: i32,
    ) -> ApiResult<FlowMatrix> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let top = usize::try_from(top)
            .ok()
            .filter(|top| (1..=MAX_TOP).contains(top))
            .ok_or_else(|| ApiError::bad_input(format!("`top` must be between 1 and {MAX_TOP}")))?;
        let rules = AggregateRules::new(guidance, kind_family, false);
        let compute = async {
            let db = resolve::db(ctx)?;
            let condition = flows_condition(ctx, filter.as_ref(), rules);
            let found = matrix::flow_matrix(db, condition.flows, level.into(), measure.into(), top).await?;
            resolve::cite(ctx, found.sources.iter().copied());
            if found.without_recipient {
                resolve::caveat(ctx, Caveat::NoRecipientGrouped);
            }
            if measure != FlowMeasure::Count {
                note_amounts(ctx, &found.totals, measure.into());
            }
            let (value, scale) = value_axis(ctx, measure, base_year, found.bases, "this matrix").await?;
            let matrix = FlowMatrix {
                labels: found.labels,
                matrix: found.matrix.into_iter().map(|row| row.into_iter().map(&scale).collect()).collect(),
                links: found
                    .links
                    .into_iter()
                    .map(|link| FlowLink { source: link.source, target: link.target, value: scale(link.value) })
                    .collect(),
                chart: None,
            };
            Ok::<_, ApiError>((matrix, value))
        };
        if !ctx.look_ahead().field("vegaLite").exists() {
            return Ok(compute.await?.0);
        }
        let mut found = None;
        let chart = chart_of(ctx, async {
            let (matrix, value) = compute.await?;
            let data = chart_data(level, value, measure, &matrix.links);
            found = Some(matrix);
            Ok(data)
        })
        .await?;
        let mut matrix = found.unwrap_or_default();
        matrix.chart = Some(chart.0);
        Ok(matrix)
    }
}

/// The chart of the `links` of a matrix at `level`, valued by `measure` on `value`.
fn chart_data(level: MatrixLevel, value: Axis, measure: FlowMeasure, links: &[FlowLink]) -> ChartData {
    let (groups, group) = match level {
        MatrixLevel::Region => ("regions", "region"),
        MatrixLevel::SubRegion => ("sub-regions", "sub-region"),
        MatrixLevel::Country => ("countries", "country"),
    };
    let axis = |side: &str, field: &str| Axis { field: field.into(), title: format!("{side} {group}") };
    let points = links
        .iter()
        .map(|link| Point {
            category: Value::String(link.target.clone()),
            series: Some(link.source.clone()),
            value: link.value,
        })
        .collect();
    let mut data = ChartData::new(
        format!("Flows between {groups}"),
        axis("Recipient", "recipient"),
        Scale::Names,
        Some(axis("Provider", "provider")),
        value,
        measure != FlowMeasure::Count,
        points,
    );
    data.mark = ChartMark::Heatmap;
    data
}
