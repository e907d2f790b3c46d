//! Aggregates of flows for charts and stories: group-bys, time series without gaps,
//! matrices for chord and Sankey diagrams, partner rankings and South–South shares.
//! Every figure is computed in the database with GROUP BY.

use std::collections::{BTreeMap, HashMap};

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use entity::{country, sector, source};
use sea_orm::{
    ActiveEnum, EntityTrait, QueryFilter, QueryResult, QuerySelect,
    sea_query::{Alias, Condition, Expr, Query, SelectStatement},
};

use super::{
    country::Country,
    filter::{OrderDirection, ToCondition},
    flow::{FlowFilter, FlowKind},
    provenance::Provenance,
    resolve,
    sector::Sector,
    source::Source,
};
use crate::{
    error::{ApiError, ApiResult},
    repo::aggregate::{Aggregate, Join},
};

const PROVIDER: Join = Join { alias: "p", table: "country", on: "\"p\".\"id\" = \"t\".\"provider_id\"" };
const RECIPIENT: Join = Join { alias: "r", table: "country", on: "\"r\".\"id\" = \"t\".\"recipient_id\"" };
const SECTOR: Join = Join { alias: "s", table: "sector", on: "\"s\".\"id\" = \"t\".\"sector_id\"" };
const SECTOR_PARENT: Join = Join { alias: "sp", table: "sector", on: "\"sp\".\"id\" = \"s\".\"parent_id\"" };
const SECTOR_GRANDPARENT: Join = Join { alias: "sg", table: "sector", on: "\"sg\".\"id\" = \"sp\".\"parent_id\"" };

/// Most groups one aggregate returns.
const MAX_GROUPS: u64 = 1000;

/// What flows can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// The provider's World Bank income group.
    ProviderIncomeGroup,
    /// The recipient's World Bank income group.
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
}

impl FlowDimension {
    /// How the key is labelled in tables.
    pub fn label_kind(self) -> super::exports::LabelKind {
        use super::exports::LabelKind;
        match self {
            Self::Provider | Self::Recipient => LabelKind::Country,
            Self::Sector | Self::SectorCategory | Self::SectorGroup => LabelKind::Sector,
            Self::Source => LabelKind::Source,
            _ => LabelKind::Plain,
        }
    }

    /// The key's column name in tables (`recipient_region`).
    pub fn column_name(self) -> String {
        let mut name = String::new();
        for (index, character) in format!("{self:?}").chars().enumerate() {
            if character.is_ascii_uppercase() && index > 0 {
                name.push('_');
            }
            name.push(character.to_ascii_lowercase());
        }
        name
    }

    /// The flow column the key derives from (grouped by in the partial aggregates).
    fn raw_key(self) -> &'static str {
        match self {
            Self::Year => "year",
            Self::Provider | Self::ProviderRegion | Self::ProviderSubRegion | Self::ProviderIncomeGroup => {
                "provider_id"
            }
            Self::Recipient | Self::RecipientRegion | Self::RecipientSubRegion | Self::RecipientIncomeGroup => {
                "recipient_id"
            }
            Self::Sector | Self::SectorCategory | Self::SectorGroup => "sector_id",
            Self::Kind => "kind",
            Self::Source => "source_id",
        }
    }

    /// The SQL of the group key (over the partial aggregates `t`) and the joins it needs.
    fn sql(self) -> (&'static str, &'static [Join]) {
        match self {
            Self::Year => ("\"t\".\"year\"", &[]),
            Self::Provider => ("\"t\".\"provider_id\"", &[]),
            Self::Recipient => ("\"t\".\"recipient_id\"", &[]),
            Self::ProviderRegion => ("\"p\".\"region_name\"", &[PROVIDER]),
            Self::RecipientRegion => ("\"r\".\"region_name\"", &[RECIPIENT]),
            Self::ProviderSubRegion => ("\"p\".\"sub_region_name\"", &[PROVIDER]),
            Self::RecipientSubRegion => ("\"r\".\"sub_region_name\"", &[RECIPIENT]),
            Self::ProviderIncomeGroup => ("\"p\".\"income_group\"", &[PROVIDER]),
            Self::RecipientIncomeGroup => ("\"r\".\"income_group\"", &[RECIPIENT]),
            Self::Sector => ("\"t\".\"sector_id\"", &[]),
            Self::SectorCategory => (
                "CASE \"s\".\"level\" WHEN 'PURPOSE' THEN \"s\".\"parent_id\" WHEN 'CATEGORY' THEN \"s\".\"id\" END",
                &[SECTOR],
            ),
            Self::SectorGroup => {
                ("COALESCE(\"sg\".\"id\", \"sp\".\"id\", \"s\".\"id\")", &[SECTOR, SECTOR_PARENT, SECTOR_GRANDPARENT])
            }
            Self::Kind => ("\"t\".\"kind\"", &[]),
            Self::Source => ("\"t\".\"source_id\"", &[]),
        }
    }
}

/// A measure of a group of flows.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FlowMeasure {
    /// Number of flows.
    Count,
    /// Sum of amounts in current US dollars.
    UsdCurrent,
    /// Sum of amounts in constant US dollars.
    #[default]
    UsdConstant,
}

impl FlowMeasure {
    fn alias(self) -> &'static str {
        match self {
            Self::Count => "m_count",
            Self::UsdCurrent => "m_sum_current",
            Self::UsdConstant => "m_sum_constant",
        }
    }
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

/// Partial aggregates of flows, per group of raw keys.
const PARTIALS: &[(&str, &str)] = &[
    ("n", "COUNT(*)"),
    ("s_cur", "SUM(\"flow\".\"amount_usd_current\")"),
    ("s_con", "SUM(\"flow\".\"amount_usd_constant\")"),
    ("c_cur", "COUNT(\"flow\".\"amount_usd_current\")"),
    ("c_con", "COUNT(\"flow\".\"amount_usd_constant\")"),
    ("lo_cur", "MIN(\"flow\".\"amount_usd_current\")"),
    ("hi_cur", "MAX(\"flow\".\"amount_usd_current\")"),
    ("lo_con", "MIN(\"flow\".\"amount_usd_constant\")"),
    ("hi_con", "MAX(\"flow\".\"amount_usd_constant\")"),
];

/// The measures, rolled up from the partial aggregates.
const MEASURES: &[(&str, &str)] = &[
    ("m_count", "CAST(SUM(\"t\".\"n\") AS BIGINT)"),
    ("m_sum_current", "SUM(\"t\".\"s_cur\")"),
    ("m_sum_constant", "SUM(\"t\".\"s_con\")"),
    ("m_min_current", "MIN(\"t\".\"lo_cur\")"),
    ("m_max_current", "MAX(\"t\".\"hi_cur\")"),
    ("m_avg_current", "SUM(\"t\".\"s_cur\") / CAST(NULLIF(SUM(\"t\".\"c_cur\"), 0) AS DOUBLE PRECISION)"),
    ("m_min_constant", "MIN(\"t\".\"lo_con\")"),
    ("m_max_constant", "MAX(\"t\".\"hi_con\")"),
    ("m_avg_constant", "SUM(\"t\".\"s_con\") / CAST(NULLIF(SUM(\"t\".\"c_con\"), 0) AS DOUBLE PRECISION)"),
];

/// `SELECT raw keys, partial aggregates FROM flow WHERE condition GROUP BY raw keys`.
fn partials(condition: Condition, group_by: &[FlowDimension]) -> SelectStatement {
    // In the order of the covering index (year, recipient_id …), so it serves the grouping.
    const ORDER: [&str; 6] = ["year", "recipient_id", "provider_id", "sector_id", "kind", "source_id"];
    let keys: Vec<&str> =
        ORDER.into_iter().filter(|key| group_by.iter().any(|dimension| dimension.raw_key() == *key)).collect();
    let mut select = Query::select();
    select.from(entity::flow::Entity).cond_where(condition);
    for key in &keys {
        select.expr_as(Expr::col((entity::flow::Entity, Alias::new(*key))), Alias::new(*key));
    }
    for (alias, sql) in PARTIALS {
        select.expr_as(Expr::cust(*sql), Alias::new(*alias));
    }
    select.add_group_by(keys.iter().map(|key| Expr::col((entity::flow::Entity, Alias::new(*key)))));
    select
}

/// The value of a group key.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Id(i32),
    Text(String),
}

/// Measures of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Measures {
    count: i64,
    sum_current: f64,
    sum_constant: f64,
    min_current: Option<f64>,
    max_current: Option<f64>,
    avg_current: Option<f64>,
    min_constant: Option<f64>,
    max_constant: Option<f64>,
    avg_constant: Option<f64>,
}

impl Measures {
    fn read(row: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        let number = |alias: &str| -> Result<Option<f64>, sea_orm::DbErr> { row.try_get::<Option<f64>>("", alias) };
        Ok(Self {
            count: row.try_get("", "m_count")?,
            sum_current: number("m_sum_current")?.unwrap_or(0.0),
            sum_constant: number("m_sum_constant")?.unwrap_or(0.0),
            min_current: number("m_min_current")?,
            max_current: number("m_max_current")?,
            avg_current: number("m_avg_current")?,
            min_constant: number("m_min_constant")?,
            max_constant: number("m_max_constant")?,
            avg_constant: number("m_avg_constant")?,
        })
    }

    fn get(&self, measure: FlowMeasure) -> f64 {
        match measure {
            FlowMeasure::Count => self.count as f64,
            FlowMeasure::UsdCurrent => self.sum_current,
            FlowMeasure::UsdConstant => self.sum_constant,
        }
    }
}

/// One group of flows: its keys (those grouped by; the others are null) and its measures.
#[derive(Clone, Debug, Default)]
pub struct FlowStats {
    keys: HashMap<FlowDimension, Key>,
    measures: Measures,
}

impl FlowStats {
    /// Columns of [`FlowStats::measure_cells`].
    pub const MEASURE_COLUMNS: &[&str] = &[
        "count",
        "sum_usd_current",
        "sum_usd_constant",
        "min_usd_current",
        "max_usd_current",
        "avg_usd_current",
        "min_usd_constant",
        "max_usd_constant",
        "avg_usd_constant",
    ];

    /// The measures as table cells (empty when unknown).
    pub fn measure_cells(&self) -> Vec<String> {
        let m = &self.measures;
        let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
        vec![
            m.count.to_string(),
            m.sum_current.to_string(),
            m.sum_constant.to_string(),
            optional(m.min_current),
            optional(m.max_current),
            optional(m.avg_current),
            optional(m.min_constant),
            optional(m.max_constant),
            optional(m.avg_constant),
        ]
    }

    /// The id of a row-valued key (country, sector, source).
    pub fn key_id(&self, dimension: FlowDimension) -> Option<i32> {
        match dimension.label_kind() {
            super::exports::LabelKind::Plain => None,
            _ => self.id(dimension),
        }
    }

    /// A plain key as text (empty when null).
    pub fn key_text(&self, dimension: FlowDimension) -> String {
        match self.keys.get(&dimension) {
            Some(Key::Id(id)) => id.to_string(),
            Some(Key::Text(text)) => text.clone(),
            None => String::new(),
        }
    }

    fn id(&self, dimension: FlowDimension) -> Option<i32> {
        match self.keys.get(&dimension) {
            Some(Key::Id(id)) => Some(*id),
            _ => None,
        }
    }

    fn text(&self, dimension: FlowDimension) -> Option<&str> {
        match self.keys.get(&dimension) {
            Some(Key::Text(text)) => Some(text),
            _ => None,
        }
    }

    async fn country(&self, ctx: &Context<'_>, dimension: FlowDimension) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.id(dimension)).await?.map(Country))
    }

    async fn sector_of(&self, ctx: &Context<'_>, dimension: FlowDimension) -> ApiResult<Option<Sector>> {
        Ok(resolve::optional::<sector::Entity>(ctx, self.id(dimension)).await?.map(Sector))
    }
}

/// One group of flows with its measures. Only the keys grouped by are set.
#[Object]
impl FlowStats {
    /// Year of commitment.
    async fn year(&self) -> Option<i32> {
        self.id(FlowDimension::Year)
    }

    /// Providing country.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, FlowDimension::Provider).await
    }

    /// Recipient country.
    async fn recipient(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, FlowDimension::Recipient).await
    }

    /// The provider's UN M49 region.
    async fn provider_region(&self) -> Option<&str> {
        self.text(FlowDimension::ProviderRegion)
    }

    /// The recipient's UN M49 region.
    async fn recipient_region(&self) -> Option<&str> {
        self.text(FlowDimension::RecipientRegion)
    }

    /// The provider's UN M49 sub-region.
    async fn provider_sub_region(&self) -> Option<&str> {
        self.text(FlowDimension::ProviderSubRegion)
    }

    /// The recipient's UN M49 sub-region.
    async fn recipient_sub_region(&self) -> Option<&str> {
        self.text(FlowDimension::RecipientSubRegion)
    }

    /// The provider's World Bank income group.
    async fn provider_income_group(&self) -> Option<&str> {
        self.text(FlowDimension::ProviderIncomeGroup)
    }

    /// The recipient's World Bank income group.
    async fn recipient_income_group(&self) -> Option<&str> {
        self.text(FlowDimension::RecipientIncomeGroup)
    }

    /// The sector as coded by the source.
    async fn sector(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        self.sector_of(ctx, FlowDimension::Sector).await
    }

    /// The DAC 3-digit category.
    async fn sector_category(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        self.sector_of(ctx, FlowDimension::SectorCategory).await
    }

    /// The top-level DAC group.
    async fn sector_group(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        self.sector_of(ctx, FlowDimension::SectorGroup).await
    }

    /// The common flow kind.
    async fn kind(&self) -> Option<FlowKind> {
        self.text(FlowDimension::Kind)
            .and_then(|text| entity::FlowKind::try_from_value(&text.to_owned()).ok())
            .map(Into::into)
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        Ok(resolve::optional::<source::Entity>(ctx, self.id(FlowDimension::Source)).await?.map(Source))
    }

    /// Number of flows.
    async fn count(&self) -> i64 {
        self.measures.count
    }

    /// Sum of amounts in current US dollars (flows without an amount count as 0).
    async fn sum_usd_current(&self) -> f64 {
        self.measures.sum_current
    }

    /// Sum of amounts in constant US dollars (flows without an amount count as 0).
    async fn sum_usd_constant(&self) -> f64 {
        self.measures.sum_constant
    }

    /// Smallest amount in current US dollars.
    async fn min_usd_current(&self) -> Option<f64> {
        self.measures.min_current
    }

    /// Largest amount in current US dollars.
    async fn max_usd_current(&self) -> Option<f64> {
        self.measures.max_current
    }

    /// Average amount in current US dollars, over flows that have one.
    async fn avg_usd_current(&self) -> Option<f64> {
        self.measures.avg_current
    }

    /// Smallest amount in constant US dollars.
    async fn min_usd_constant(&self) -> Option<f64> {
        self.measures.min_constant
    }

    /// Largest amount in constant US dollars.
    async fn max_usd_constant(&self) -> Option<f64> {
        self.measures.max_constant
    }

    /// Average amount in constant US dollars, over flows that have one.
    async fn avg_usd_constant(&self) -> Option<f64> {
        self.measures.avg_constant
    }
}

/// Groups the flows a filter matches by some dimensions.
pub async fn flow_stats(
    db: &impl sea_orm::ConnectionTrait,
    condition: Condition,
    group_by: &[FlowDimension],
    order: &[FlowStatsOrder],
    limit: Option<u64>,
) -> ApiResult<Vec<FlowStats>> {
    // A dimension named twice groups the same way once: the SQL stays the size of the
    // distinct dimensions, however long the list a client sends.
    let mut distinct: Vec<FlowDimension> = Vec::with_capacity(group_by.len());
    for dimension in group_by {
        if !distinct.contains(dimension) {
            distinct.push(*dimension);
        }
    }
    let group_by = distinct.as_slice();
    let mut aggregate = Aggregate {
        table: "flow",
        partials: Some(partials(condition, group_by)),
        joins: Vec::new(),
        dimensions: Vec::new(),
        measures: MEASURES.iter().map(|(alias, sql)| ((*alias).to_owned(), (*sql).to_owned())).collect(),
        condition: Condition::all(),
        order: order.iter().map(|o| (o.measure.alias().to_owned(), o.direction.into())).collect(),
        limit,
    };
    for (index, dimension) in group_by.iter().enumerate() {
        let (sql, joins) = dimension.sql();
        joins.iter().for_each(|join| aggregate.join(*join));
        aggregate.dimensions.push((format!("g{index}"), sql.to_owned()));
    }
    let rows = aggregate.fetch(db).await?;
    rows.iter()
        .map(|row| {
            let mut keys = HashMap::new();
            for (index, dimension) in group_by.iter().enumerate() {
                let alias = format!("g{index}");
                let key = match dimension {
                    FlowDimension::ProviderRegion
                    | FlowDimension::RecipientRegion
                    | FlowDimension::ProviderSubRegion
                    | FlowDimension::RecipientSubRegion
                    | FlowDimension::ProviderIncomeGroup
                    | FlowDimension::RecipientIncomeGroup
                    | FlowDimension::Kind => row.try_get::<Option<String>>("", &alias)?.map(Key::Text),
                    _ => row.try_get::<Option<i32>>("", &alias)?.map(Key::Id),
                };
                if let Some(key) = key {
                    keys.insert(*dimension, key);
                }
            }
            Ok(FlowStats { keys, measures: Measures::read(row)? })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(ApiError::from)
}

/// How far a matrix aggregates countries.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
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
pub struct FlowMatrix {
    /// Names of the rows and columns.
    pub labels: Vec<String>,
    /// `matrix[i][j]`: the measure of flows from `labels[i]` to `labels[j]`.
    pub matrix: Vec<Vec<f64>>,
    /// The non-zero cells as source, target and value, largest first.
    pub links: Vec<FlowLink>,
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

/// Labels of the groups' keys of one dimension: country names, or region names.
async fn matrix_labels(ctx: &Context<'_>, groups: &[FlowStats], dimension: FlowDimension) -> ApiResult<Vec<String>> {
    let countries = match dimension {
        FlowDimension::Provider | FlowDimension::Recipient => {
            resolve::by_ids::<country::Entity>(ctx, groups.iter().filter_map(|stats| stats.id(dimension))).await?
        }
        _ => HashMap::new(),
    };
    Ok(groups
        .iter()
        .map(|stats| match stats.id(dimension) {
            Some(id) => countries.get(&id).map_or_else(|| id.to_string(), |country| country.name.clone()),
            None => stats.text(dimension).unwrap_or(UNALLOCATED).to_owned(),
        })
        .collect())
}

const UNALLOCATED: &str = "Unallocated";
const OTHER: &str = "Other";

/// Builds a matrix from grouped flows, keeping the `top` labels by total and folding the
/// rest into "Other".
fn square(cells: Vec<(String, String, f64)>, top: usize) -> FlowMatrix {
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for (source, target, value) in &cells {
        *totals.entry(source).or_default() += value;
        *totals.entry(target).or_default() += value;
    }
    let mut ranked: Vec<(&str, f64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let folds = ranked.len() > top;
    let mut labels: Vec<String> = ranked.iter().take(top).map(|(label, _)| (*label).to_owned()).collect();
    if folds {
        labels.push(OTHER.to_owned());
    }
    let index: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, label)| (label.as_str(), i)).collect();
    let other = labels.len().saturating_sub(1);
    let mut matrix = vec![vec![0.0; labels.len()]; labels.len()];
    for (source, target, value) in &cells {
        let row = index.get(source.as_str()).copied().unwrap_or(other);
        let column = index.get(target.as_str()).copied().unwrap_or(other);
        matrix[row][column] += value;
    }
    let mut links: Vec<FlowLink> = Vec::new();
    for (i, row) in matrix.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            if *value != 0.0 {
                links.push(FlowLink { source: labels[i].clone(), target: labels[j].clone(), value: *value });
            }
        }
    }
    links.sort_by(|a, b| b.value.total_cmp(&a.value));
    FlowMatrix { labels, matrix, links }
}

/// Shares of flows that go to the South.
#[derive(SimpleObject, Clone, Copy, Debug, Default)]
pub struct SouthSouthShare {
    /// The measure over flows with a recipient country.
    pub total: f64,
    /// The measure over those whose recipient is of the South.
    pub to_south: f64,
    /// `toSouth / total`; null when the total is 0.
    pub share: Option<f64>,
}

/// Root fields for flow aggregates.
#[derive(Default)]
pub struct FlowStatsQuery;

#[Object]
impl FlowStatsQuery {
    /// Flows grouped by the given dimensions, with counts, sums, minima, maxima and
    /// averages, computed in the database. Without `orderBy`, groups come in the order of
    /// their keys.
    async fn flow_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(desc = "The dimensions to group by; none gives one group of all flows.")] group_by: Vec<
            FlowDimension,
        >,
        #[graphql(desc = "Sort order of the groups; ties are broken by the keys.")] order_by: Option<
            Vec<FlowStatsOrder>,
        >,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
    ) -> ApiResult<Vec<FlowStats>> {
        let limit = group_limit(first)?;
        let condition = filter.as_ref().map_or_else(Condition::all, ToCondition::condition);
        note_flow_sources(ctx, &condition).await?;
        flow_stats(resolve::db(ctx)?, condition, &group_by, &order_by.unwrap_or_default(), Some(limit)).await
    }

    /// One group per year from `from` to `to`, years without flows included with zeros.
    async fn flow_time_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(desc = "First year.")] from: i32,
        #[graphql(desc = "Last year.")] to: i32,
    ) -> ApiResult<Vec<FlowStats>> {
        if to < from || i64::from(to) - i64::from(from) > 500 {
            return Err(ApiError::bad_input(format!("`from: {from}, to: {to}` is not a range of at most 500 years")));
        }
        let condition = filter
            .as_ref()
            .map_or_else(Condition::all, ToCondition::condition)
            .add(sea_orm::ColumnTrait::between(&entity::flow::Column::Year, from, to));
        note_flow_sources(ctx, &condition).await?;
        let found = flow_stats(resolve::db(ctx)?, condition, &[FlowDimension::Year], &[], None).await?;
        let mut by_year: HashMap<i32, FlowStats> =
            found.into_iter().filter_map(|stats| stats.id(FlowDimension::Year).map(|year| (year, stats))).collect();
        Ok((from..=to)
            .map(|year| {
                by_year.remove(&year).unwrap_or_else(|| FlowStats {
                    keys: HashMap::from([(FlowDimension::Year, Key::Id(year))]),
                    measures: Measures::default(),
                })
            })
            .collect())
    }

    /// Flows between regions, sub-regions or countries, as a matrix and as links.
    async fn flow_matrix(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(desc = "Regions, sub-regions or countries.")] level: MatrixLevel,
        #[graphql(desc = "What the cells measure.", default)] measure: FlowMeasure,
        #[graphql(desc = "Keep the largest this many groups; fold the rest into \"Other\".", default = 10)] top: i32,
    ) -> ApiResult<FlowMatrix> {
        let top = usize::try_from(top)
            .ok()
            .filter(|top| (1..=200).contains(top))
            .ok_or_else(|| ApiError::bad_input("`top` must be between 1 and 200"))?;
        let (from, to) = match level {
            MatrixLevel::Region => (FlowDimension::ProviderRegion, FlowDimension::RecipientRegion),
            MatrixLevel::SubRegion => (FlowDimension::ProviderSubRegion, FlowDimension::RecipientSubRegion),
            MatrixLevel::Country => (FlowDimension::Provider, FlowDimension::Recipient),
        };
        let condition = filter.as_ref().map_or_else(Condition::all, ToCondition::condition);
        note_flow_sources(ctx, &condition).await?;
        let groups = flow_stats(resolve::db(ctx)?, condition, &[from, to], &[], None).await?;
        let sources = matrix_labels(ctx, &groups, from).await?;
        let targets = matrix_labels(ctx, &groups, to).await?;
        let cells = sources
            .into_iter()
            .zip(targets)
            .zip(&groups)
            .map(|((source, target), stats)| (source, target, stats.measures.get(measure)))
            .collect();
        Ok(square(cells, top))
    }

    /// The share of flows (with a recipient country) that go to Southern recipients.
    async fn south_south_share(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter (for example a provider or a bloc).")] filter: Option<
            FlowFilter,
        >,
        #[graphql(desc = "What to measure.", default)] measure: FlowMeasure,
    ) -> ApiResult<SouthSouthShare> {
        let condition = filter
            .as_ref()
            .map_or_else(Condition::all, ToCondition::condition)
            .add(sea_orm::ColumnTrait::is_not_null(&entity::flow::Column::RecipientId));
        note_flow_sources(ctx, &condition).await?;
        let groups = flow_stats(resolve::db(ctx)?, condition, &[FlowDimension::Recipient], &[], None).await?;
        let recipients =
            resolve::by_ids::<country::Entity>(ctx, groups.iter().filter_map(|s| s.id(FlowDimension::Recipient)))
                .await?;
        let mut share = SouthSouthShare::default();
        for stats in &groups {
            let value = stats.measures.get(measure);
            share.total += value;
            let south =
                stats.id(FlowDimension::Recipient).and_then(|id| recipients.get(&id)).is_some_and(|c| c.is_developing);
            if south {
                share.to_south += value;
            }
        }
        share.share = (share.total != 0.0).then(|| share.to_south / share.total);
        Ok(share)
    }
}

/// Notes the sources of the flows a condition matches, for `extensions.sources`.
async fn note_flow_sources(ctx: &Context<'_>, condition: &Condition) -> ApiResult<()> {
    let Some(provenance) = ctx.data_opt::<Provenance>() else { return Ok(()) };
    let sources: Vec<i32> = entity::flow::Entity::find()
        .select_only()
        .column(entity::flow::Column::SourceId)
        .distinct()
        .filter(condition.clone())
        .into_tuple()
        .all(resolve::db(ctx)?)
        .await?;
    provenance.note(sources);
    Ok(())
}

fn group_limit(first: Option<i32>) -> ApiResult<u64> {
    let first = first.unwrap_or(100);
    u64::try_from(first)
        .ok()
        .filter(|first| *first <= MAX_GROUPS)
        .ok_or_else(|| ApiError::bad_input(format!("`first: {first}` must be between 0 and {MAX_GROUPS}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_fold_small_groups_into_other() {
        let cells = vec![
            ("A".to_owned(), "B".to_owned(), 10.0),
            ("B".to_owned(), "A".to_owned(), 5.0),
            ("C".to_owned(), "D".to_owned(), 1.0),
        ];
        let matrix = square(cells, 2);
        assert_eq!(matrix.labels, ["A", "B", "Other"]);
        assert_eq!(matrix.matrix, vec![vec![0.0, 10.0, 0.0], vec![5.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]]);
        assert_eq!(matrix.links[0].value, 10.0);
    }
}

/// Which side of a country's flows its partners are on.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PartnerDirection {
    /// Partners are the recipients of the flows the country provided.
    #[default]
    Provided,
    /// Partners are the providers of the flows the country received.
    Received,
}

/// A partner of a country, with the flows between them.
#[derive(Clone, Debug)]
pub struct Partner {
    country: i32,
    measures: Measures,
    share: Option<f64>,
}

/// A partner of a country, with the flows between them.
#[Object]
impl Partner {
    /// The partner country.
    async fn country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(resolve::by_id::<country::Entity>(ctx, self.country).await?.map(Country))
    }

    /// Number of flows.
    async fn count(&self) -> i64 {
        self.measures.count
    }

    /// Sum in current US dollars.
    async fn sum_usd_current(&self) -> f64 {
        self.measures.sum_current
    }

    /// Sum in constant US dollars.
    async fn sum_usd_constant(&self) -> f64 {
        self.measures.sum_constant
    }

    /// This partner's part of the country's total, in the measure ranked by; null when the
    /// total is 0.
    async fn share(&self) -> Option<f64> {
        self.share
    }
}

/// What a ranking of partners asks for, shared by every country of one field.
#[derive(Debug)]
pub struct PartnerRequest {
    /// Identifies the request (its debug rendering).
    pub fingerprint: String,
    /// Which side the partners are on.
    pub direction: PartnerDirection,
    /// Flows must match this.
    pub condition: Condition,
    /// What to rank by.
    pub measure: FlowMeasure,
    /// How many partners per country.
    pub first: usize,
}

/// Ranks the partners of many countries at once: one GROUP BY for all of them.
pub async fn rank_partners(
    db: &impl sea_orm::ConnectionTrait,
    countries: &[i32],
    request: &PartnerRequest,
) -> ApiResult<HashMap<i32, Vec<Partner>>> {
    use sea_orm::ColumnTrait;
    let (own, other, column) = match request.direction {
        PartnerDirection::Provided => {
            (FlowDimension::Provider, FlowDimension::Recipient, entity::flow::Column::ProviderId)
        }
        PartnerDirection::Received => {
            (FlowDimension::Recipient, FlowDimension::Provider, entity::flow::Column::RecipientId)
        }
    };
    let condition = request.condition.clone().add(column.is_in(countries.iter().copied()));
    let groups = flow_stats(db, condition, &[own, other], &[], None).await?;
    let mut ranked: HashMap<i32, Vec<Partner>> = countries.iter().map(|id| (*id, Vec::new())).collect();
    for stats in groups {
        if let (Some(country), Some(partner)) = (stats.id(own), stats.id(other)) {
            ranked.entry(country).or_default().push(Partner {
                country: partner,
                measures: stats.measures,
                share: None,
            });
        }
    }
    for partners in ranked.values_mut() {
        let total: f64 = partners.iter().map(|p| p.measures.get(request.measure)).sum();
        partners.sort_by(|a, b| b.measures.get(request.measure).total_cmp(&a.measures.get(request.measure)));
        partners.truncate(request.first);
        for partner in partners.iter_mut() {
            partner.share = (total != 0.0).then(|| partner.measures.get(request.measure) / total);
        }
    }
    Ok(ranked)
}
