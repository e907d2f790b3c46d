//! `flowStats`: flows grouped by dimensions, and the `FlowStats` group that time series
//! share.

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{country, sector, source};
use sea_orm::{ActiveEnum, Order};
use seed::source_keys;

use super::{super::filter::OrderDirection, flows_condition, group_limit, note_amounts, value_axis};
use crate::{
    error::ApiResult,
    graphql::{
        caveats::Caveat,
        chart::{Axis, Chart, ChartData, axes, chart_of, points},
        country::Country,
        dollars::{dollars_of, one_base},
        flow::{AggregateRules, FlowFilter, FlowKind, Guidance, KindFamily},
        resolve,
        sector::Sector,
        source::Source,
    },
    repo::stats::flows::{self, FlowGroup},
};

/// What flows can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::repo::stats::flows::FlowDimension")]
pub enum FlowDimension {
    /// Year of commitment.
    Year,
    /// Providing country.
    Provider,
    /// Recipient country (null for regional or unallocated flows).
    Recipient,
    /// The provider's UN M49 region.
    ProviderRegion,
    /// The recipient's UN M49 region.
    RecipientRegion,
    /// The provider's UN M49 sub-region.
    ProviderSubRegion,
    /// The recipient's UN M49 sub-region.
    RecipientSubRegion,
    /// The provider's World Bank income group in force in the flow's year (on 1 July; see
    /// `Country.incomeGroup(year:)`); null for flows before 1988 or of unclassified years.
    ProviderIncomeGroup,
    /// The recipient's World Bank income group in force in the flow's year (on 1 July; see
    /// `Country.incomeGroup(year:)`); null for flows before 1988, of unclassified years, or
    /// without a recipient country.
    RecipientIncomeGroup,
    /// The sector as coded by the source.
    Sector,
    /// The sector's DAC 3-digit category (null for flows coded at group level).
    SectorCategory,
    /// The sector's top-level DAC group.
    SectorGroup,
    /// The common flow kind.
    Kind,
    /// The dataset.
    Source,
    /// The base year of the publisher's constant amounts (null for flows without one).
    ConstantBaseYear,
}

/// A measure of a group of flows.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::repo::stats::flows::FlowMeasure")]
pub enum FlowMeasure {
    /// Number of flows.
    Count,
    /// Sum of amounts in current US dollars.
    UsdCurrent,
    /// Sum of the publishers' constant US dollars, each source of its own base year:
    /// refused (`MIXED_DOLLAR_BASES`) where the flows summed have different bases.
    UsdConstant,
    /// Sum of real US dollars of one year (`baseYear`), by the U.S. CPI-U, the same for
    /// every source: the default.
    #[default]
    UsdReal,
}

/// One sort key for groups of flows.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct FlowStatsOrder {
    /// What to sort by.
    pub measure: FlowMeasure,
    /// Which way (largest first by default).
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

/// One group of flows with its measures. Only the keys grouped by are set.
pub struct FlowStats(pub FlowGroup);

impl FlowStats {
    async fn country(&self, ctx: &Context<'_>, dimension: flows::FlowDimension) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.0.id(dimension)).await?.map(Country))
    }

    async fn sector_of(&self, ctx: &Context<'_>, dimension: flows::FlowDimension) -> ApiResult<Option<Sector>> {
        Ok(resolve::optional::<sector::Entity>(ctx, self.0.id(dimension)).await?.map(Sector))
    }

    /// A measure in constant dollars, if the group's constant amounts share a base year.
    fn constant<T>(&self, value: T) -> ApiResult<T> {
        one_base(self.0.measures.bases, "this group", value)
    }
}

/// One group of flows with its measures. Only the keys grouped by are set.
#[Object]
impl FlowStats {
    /// Year of commitment.
    async fn year(&self) -> Option<i32> {
        self.0.id(flows::FlowDimension::Year)
    }

    /// Providing country.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, flows::FlowDimension::Provider).await
    }

    /// Recipient country.
    async fn recipient(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, flows::FlowDimension::Recipient).await
    }

    /// The provider's UN M49 region.
    async fn provider_region(&self) -> Option<&str> {
        self.0.text(flows::FlowDimension::ProviderRegion)
    }

    /// The recipient's UN M49 region.
    async fn recipient_region(&self) -> Option<&str> {
        self.0.text(flows::FlowDimension::RecipientRegion)
    }

    /// The provider's UN M49 sub-region.
    async fn provider_sub_region(&self) -> Option<&str> {
        self.0.text(flows::FlowDimension::ProviderSubRegion)
    }

    /// The recipient's UN M49 sub-region.
    async fn recipient_sub_region(&self) -> Option<&str> {
        self.0.text(flows::FlowDimension::RecipientSubRegion)
    }

    /// The provider's World Bank income group in force in the flow's year.
    async fn provider_income_group(&self) -> Option<&str> {
        self.0.text(flows::FlowDimension::ProviderIncomeGroup)
    }

    /// The recipient's World Bank income group in force in the flow's year.
    async fn recipient_income_group(&self) -> Option<&str> {
        self.0.text(flows::FlowDimension::RecipientIncomeGroup)
    }

    /// The sector as coded by the source.
    async fn sector(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        self.sector_of(ctx, flows::FlowDimension::Sector).await
    }

    /// The DAC 3-digit category.
    async fn sector_category(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        self.sector_of(ctx, flows::FlowDimension::SectorCategory).await
    }

    /// The top-level DAC group.
    async fn sector_group(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        self.sector_of(ctx, flows::FlowDimension::SectorGroup).await
    }

    /// The common flow kind.
    async fn kind(&self) -> Option<FlowKind> {
        self.0
            .text(flows::FlowDimension::Kind)
            .and_then(|text| entity::FlowKind::try_from_value(&text.to_owned()).ok())
            .map(Into::into)
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        Ok(resolve::optional::<source::Entity>(ctx, self.0.id(flows::FlowDimension::Source)).await?.map(Source))
    }

    /// The base year of the group's constant amounts: its key when grouped by
    /// `CONSTANT_BASE_YEAR`, else the one base of its constant amounts; null when none has
    /// one, or when they have several.
    async fn constant_base_year(&self) -> Option<i32> {
        let bases = self.0.measures.bases;
        self.0.id(flows::FlowDimension::ConstantBaseYear).or(if bases.mixed() { None } else { bases.lo })
    }

    /// Number of flows.
    async fn count(&self) -> i64 {
        self.0.measures.count
    }

    /// Sum of amounts in current US dollars (flows without an amount count as 0).
    async fn sum_usd_current(&self, ctx: &Context<'_>) -> f64 {
        note_amounts(ctx, &self.0.measures, flows::FlowMeasure::UsdCurrent);
        self.0.measures.sum_current
    }

    /// Sum of the publishers' constant US dollars of `constantBaseYear` (flows without an
    /// amount count as 0); `MIXED_DOLLAR_BASES` where the group's amounts have different
    /// base years (use `sumUsdReal`, or group by `CONSTANT_BASE_YEAR`).
    async fn sum_usd_constant(&self, ctx: &Context<'_>) -> ApiResult<f64> {
        note_amounts(ctx, &self.0.measures, flows::FlowMeasure::UsdConstant);
        self.constant(self.0.measures.sum_constant)
    }

    /// Sum of real amounts in US dollars of `baseYear` by the U.S. CPI-U (flows without an
    /// amount count as 0): current amounts deflated by their year's index, or, for flows
    /// with constant amounts only (Qatar's TUFF rows), those rebased from their base year.
    async fn sum_usd_real(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dollars of this year (default: the latest year of the CPI-U series).")] base_year: Option<
            i32,
        >,
    ) -> ApiResult<f64> {
        note_amounts(ctx, &self.0.measures, flows::FlowMeasure::UsdReal);
        Ok(dollars_of(ctx, base_year).await?.of(self.0.measures.sum_real))
    }

    /// Average real amount in US dollars of `baseYear`, over flows that have one.
    async fn avg_usd_real(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dollars of this year (default: the latest year of the CPI-U series).")] base_year: Option<
            i32,
        >,
    ) -> ApiResult<Option<f64>> {
        let dollars = dollars_of(ctx, base_year).await?;
        note_amounts(ctx, &self.0.measures, flows::FlowMeasure::UsdReal);
        Ok(self.0.measures.avg_real.map(|avg| dollars.of(avg)))
    }

    /// Smallest real amount in US dollars of `baseYear`.
    async fn min_usd_real(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dollars of this year (default: the latest year of the CPI-U series).")] base_year: Option<
            i32,
        >,
    ) -> ApiResult<Option<f64>> {
        let dollars = dollars_of(ctx, base_year).await?;
        note_amounts(ctx, &self.0.measures, flows::FlowMeasure::UsdReal);
        Ok(self.0.measures.min_real.map(|min| dollars.of(min)))
    }

    /// Largest real amount in US dollars of `baseYear`.
    async fn max_usd_real(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dollars of this year (default: the latest year of the CPI-U series).")] base_year: Option<
            i32,
        >,
    ) -> ApiResult<Option<f64>> {
        let dollars = dollars_of(ctx, base_year).await?;
        note_amounts(ctx, &self.0.measures, flows::FlowMeasure::UsdReal);
        Ok(self.0.measures.max_real.map(|max| dollars.of(max)))
    }

    /// Number of flows with an amount (a real one: current, or constant rebased); the
    /// others are counted in `count` but add nothing to the sums.
    async fn count_with_amount(&self) -> i64 {
        self.0.measures.count_real
    }

    /// Smallest amount in current US dollars.
    async fn min_usd_current(&self) -> Option<f64> {
        self.0.measures.min_current
    }

    /// Largest amount in current US dollars.
    async fn max_usd_current(&self) -> Option<f64> {
        self.0.measures.max_current
    }

    /// Average amount in current US dollars, over flows that have one.
    async fn avg_usd_current(&self) -> Option<f64> {
        self.0.measures.avg_current
    }

    /// Smallest amount in constant US dollars.
    async fn min_usd_constant(&self) -> ApiResult<Option<f64>> {
        self.constant(self.0.measures.min_constant)
    }

    /// Largest amount in constant US dollars.
    async fn max_usd_constant(&self) -> ApiResult<Option<f64>> {
        self.constant(self.0.measures.max_constant)
    }

    /// Average amount in constant US dollars, over flows that have one.
    async fn avg_usd_constant(&self) -> ApiResult<Option<f64>> {
        self.constant(self.0.measures.avg_constant)
    }
}

/// The `FlowStats` fields that show a measure of an amount, and the amount each needs.
const AMOUNT_FIELDS: &[(&str, flows::Amount)] = &[
    ("sumUsdCurrent", flows::Amount::Current),
    ("minUsdCurrent", flows::Amount::Current),
    ("maxUsdCurrent", flows::Amount::Current),
    ("avgUsdCurrent", flows::Amount::Current),
    ("sumUsdConstant", flows::Amount::Constant),
    ("minUsdConstant", flows::Amount::Constant),
    ("maxUsdConstant", flows::Amount::Constant),
    ("avgUsdConstant", flows::Amount::Constant),
    ("constantBaseYear", flows::Amount::Constant),
    ("sumUsdReal", flows::Amount::Real),
    ("minUsdReal", flows::Amount::Real),
    ("maxUsdReal", flows::Amount::Real),
    ("avgUsdReal", flows::Amount::Real),
    ("countWithAmount", flows::Amount::Real),
];

/// The amounts whose measures the query selected of the `FlowStats` this field returns:
/// the database computes only those (a count alone reads no amount).
pub(super) fn selected_amounts(ctx: &Context<'_>) -> flows::Amounts {
    let selection = ctx.look_ahead();
    AMOUNT_FIELDS
        .iter()
        .filter(|(field, _)| selection.field(field).exists())
        .fold(flows::Amounts::default(), |amounts, (_, amount)| amounts.with(*amount))
}

/// The amounts a chart of `measure` needs computed.
pub(super) fn amounts_of(measure: FlowMeasure) -> flows::Amounts {
    let amount = flows::FlowMeasure::from(measure).amount();
    amount.map_or_else(flows::Amounts::default, |amount| flows::Amounts::default().with(amount))
}

/// The arguments of `flowStats` that choose its groups.
struct Grouping {
    filter: Option<FlowFilter>,
    guidance: Guidance,
    kind_family: Option<KindFamily>,
    group_by: Vec<FlowDimension>,
    order_by: Vec<FlowStatsOrder>,
    first: Option<i32>,
    with_ties: bool,
}

impl Grouping {
    /// The groups, with the measures of `amounts` (and of those ordered by); their caveats
    /// noted.
    async fn groups(self, ctx: &Context<'_>, amounts: flows::Amounts) -> ApiResult<Vec<FlowGroup>> {
        let filter = resolve::with_country_ids(ctx, self.filter).await?;
        let limit = group_limit(self.first)?;
        let group_by: Vec<flows::FlowDimension> = self.group_by.into_iter().map(Into::into).collect();
        let order: Vec<(flows::FlowMeasure, Order)> =
            self.order_by.into_iter().map(|o| (o.measure.into(), o.direction.into())).collect();
        let by_kind = group_by.contains(&flows::FlowDimension::Kind);
        let rules = AggregateRules::new(self.guidance, self.kind_family, by_kind);
        let condition = flows_condition(ctx, filter.as_ref(), rules);
        let db = resolve::db(ctx)?;
        let groups = flows::flow_stats(db, condition, &group_by, &order, Some(limit), self.with_ties, amounts).await?;
        // Each group's constant sum must be of one base year to be ordered by.
        if order.iter().any(|(measure, _)| *measure == flows::FlowMeasure::UsdConstant) {
            for group in &groups {
                one_base(group.measures.bases, "ordering by USD_CONSTANT", ())?;
            }
        }
        for caveat in Caveat::of_groups(&groups, &group_by, false) {
            resolve::caveat(ctx, caveat);
        }
        let by_income = [flows::FlowDimension::ProviderIncomeGroup, flows::FlowDimension::RecipientIncomeGroup];
        if group_by.iter().any(|dimension| by_income.contains(dimension)) {
            for key in [source_keys::WB_INCOME_HISTORY, source_keys::OWID_INCOME_GROUPS] {
                resolve::cited(ctx, key, Some(()));
            }
        }
        resolve::cite(ctx, groups.iter().flat_map(|group| group.sources.iter().copied()));
        Ok(groups)
    }
}

/// The chart of flow groups by `dimensions`, valued by `measure` in dollars of
/// `base_year`, titled `title`; the measure's caveats noted.
pub(super) async fn flow_chart(
    ctx: &Context<'_>,
    title: String,
    groups: &[FlowGroup],
    dimensions: &[flows::FlowDimension],
    measure: FlowMeasure,
    base_year: Option<i32>,
) -> ApiResult<ChartData> {
    let (category, series) = axes(dimensions, "All flows")?;
    let bases = groups.iter().fold(flows::Bases::default(), |bases, group| bases.with(group.measures.bases));
    let (value, scale) = value_axis(ctx, measure, base_year, bases, "this chart").await?;
    if measure != FlowMeasure::Count {
        for group in groups {
            note_amounts(ctx, &group.measures, measure.into());
        }
    }
    let labelled: Vec<_> = dimensions.iter().map(|dimension| (*dimension, dimension.label())).collect();
    let (points, categories) =
        points(ctx, groups, &labelled, "All flows", |measures| scale(measures.get(measure.into()))).await?;
    Ok(ChartData::new(title, category, categories, series, value, measure != FlowMeasure::Count, points))
}

/// "by year and recipient": what a chart groups by, in words.
fn by(dimensions: &[FlowDimension]) -> String {
    let words: Vec<String> = dimensions.iter().map(|dimension| Axis::of(*dimension).title.to_lowercase()).collect();
    if words.is_empty() { String::new() } else { format!(" by {}", words.join(" and ")) }
}

/// Root fields `flowStats` and `flowStatsChart`.
#[derive(Default)]
pub struct FlowStatsQuery;

// Each argument of `flowStats` is a Rust argument of its resolver.
#[allow(clippy::too_many_arguments)]
#[Object]
impl FlowStatsQuery {
    /// Flows grouped by the given dimensions, with counts, sums, minima, maxima and
    /// averages, computed in the database. Without `orderBy`, groups come in the order of
    /// their keys.
    async fn flow_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless grouping by `KIND` or the filter says which kinds: then all), trade, or all."
        )]
        kind_family: Option<KindFamily>,
        #[graphql(desc = "The dimensions to group by; none gives one group of all flows.")] group_by: Vec<
            FlowDimension,
        >,
        #[graphql(desc = "Sort order of the groups; ties are broken by the keys.")] order_by: Option<
            Vec<FlowStatsOrder>,
        >,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(
            desc = "Also the groups tied with the last one kept (SQL's `FETCH FIRST … WITH TIES`): `first: 10` may then give more than ten, at most 1000. Without it a tie at the cut is split by the keys' order.",
            default
        )]
        with_ties: bool,
    ) -> ApiResult<Vec<FlowStats>> {
        let order_by = order_by.unwrap_or_default();
        let grouping = Grouping { filter, guidance, kind_family, group_by, order_by, first, with_ties };
        Ok(grouping.groups(ctx, selected_amounts(ctx)).await?.into_iter().map(FlowStats).collect())
    }

    /// The groups of `flowStats` as a chart of one measure: categories by the first
    /// dimension, series by the second (at most two). Without `orderBy`, years come in
    /// order and other groups largest first.
    async fn flow_stats_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless grouping by `KIND` or the filter says which kinds: then all), trade, or all."
        )]
        kind_family: Option<KindFamily>,
        #[graphql(desc = "The dimensions to group by: categories, then series (none gives one bar of all flows).")]
        group_by: Vec<FlowDimension>,
        #[graphql(desc = "What the chart shows (real US dollars by default).", default)] measure: FlowMeasure,
        #[graphql(desc = "With `USD_REAL`, dollars of this year (default: the latest year of the CPI-U series).")]
        base_year: Option<i32>,
        #[graphql(desc = "Sort order of the groups; ties are broken by the keys.")] order_by: Option<
            Vec<FlowStatsOrder>,
        >,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
    ) -> ApiResult<Chart> {
        axes(&group_by, "")?;
        let by_year = group_by.first() == Some(&FlowDimension::Year);
        let order_by = order_by.unwrap_or_else(|| {
            if by_year { Vec::new() } else { vec![FlowStatsOrder { measure, direction: OrderDirection::Desc }] }
        });
        let title = format!("Flows{}", by(&group_by));
        let dimensions: Vec<flows::FlowDimension> = group_by.iter().copied().map(Into::into).collect();
        let grouping = Grouping { filter, guidance, kind_family, group_by, order_by, first, with_ties: false };
        chart_of(ctx, async {
            let groups = grouping.groups(ctx, amounts_of(measure)).await?;
            flow_chart(ctx, title, &groups, &dimensions, measure, base_year).await
        })
        .await
    }
}
