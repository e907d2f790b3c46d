//! Flows grouped by dimensions, with counts, sums, minima, maxima and averages, and time
//! series without gaps.
//!
//! Flows are first aggregated by their own columns (partials, served by the covering index
//! on `(year, recipient_id, …)`), always by source too, so each group knows its sources;
//! the partials are then rolled up by attributes of joined tables.
//!
//! Where an aggregate reads only the columns of `flow_total` (official finance by provider,
//! year, kind, source, base year and research flag, summed at import), its partials sum
//! those stored sums instead of the flows: China's finance by year rolls up 220 of the
//! table's 489 rows, where the flows took 7,343 index entries (trade and flagged rows
//! included).

use entity::flow;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, IdenStatic, Order, QueryResult,
    sea_query::{Alias, Condition, Expr, Query, SelectStatement},
};

use crate::repo::aggregate::{Aggregate, Dimension, Group, GroupKey, Join, Key, KeyType, Rows};

const PROVIDER: Join = Join { alias: "p", table: "country", on: "\"p\".\"id\" = \"t\".\"provider_id\"" };
const RECIPIENT: Join = Join { alias: "r", table: "country", on: "\"r\".\"id\" = \"t\".\"recipient_id\"" };
const PROVIDER_INCOME: Join = Join {
    alias: "pi",
    table: "country_income_group",
    on: "\"pi\".\"country_id\" = \"t\".\"provider_id\" AND \"pi\".\"year\" = \"t\".\"year\"",
};
const RECIPIENT_INCOME: Join = Join {
    alias: "ri",
    table: "country_income_group",
    on: "\"ri\".\"country_id\" = \"t\".\"recipient_id\" AND \"ri\".\"year\" = \"t\".\"year\"",
};
const SECTOR: Join = Join { alias: "s", table: "sector", on: "\"s\".\"id\" = \"t\".\"sector_id\"" };
const SECTOR_PARENT: Join = Join { alias: "sp", table: "sector", on: "\"sp\".\"id\" = \"s\".\"parent_id\"" };
const SECTOR_GRANDPARENT: Join = Join { alias: "sg", table: "sector", on: "\"sg\".\"id\" = \"sp\".\"parent_id\"" };

/// The recipient country of partial aggregates, joined as `r`.
pub(crate) const RECIPIENT_COUNTRY: Join = RECIPIENT;

/// What flows can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// The provider's World Bank income group in force in the flow's year.
    ProviderIncomeGroup,
    /// The recipient's World Bank income group in force in the flow's year.
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
    /// The base year of the constant amounts (null for flows without one).
    ConstantBaseYear,
}

/// What a group key refers to, for labelling it in tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLabel {
    /// A value shown as it is (a year, a region name, a kind).
    Plain,
    /// A country: its ISO3 code and name.
    Country,
    /// A sector: its code and name.
    Sector,
    /// A source: its key and title.
    Source,
}

impl FlowDimension {
    /// What the key refers to.
    pub fn label(self) -> KeyLabel {
        match self {
            Self::Provider | Self::Recipient => KeyLabel::Country,
            Self::Sector | Self::SectorCategory | Self::SectorGroup => KeyLabel::Sector,
            Self::Source => KeyLabel::Source,
            _ => KeyLabel::Plain,
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

    /// The flow columns the key derives from (grouped by in the partial aggregates).
    fn raw_keys(self) -> &'static [flow::Column] {
        use flow::Column;
        match self {
            Self::Year => &[Column::Year],
            Self::Provider | Self::ProviderRegion | Self::ProviderSubRegion => &[Column::ProviderId],
            Self::ProviderIncomeGroup => &[Column::ProviderId, Column::Year],
            Self::Recipient | Self::RecipientRegion | Self::RecipientSubRegion => &[Column::RecipientId],
            Self::RecipientIncomeGroup => &[Column::RecipientId, Column::Year],
            Self::Sector | Self::SectorCategory | Self::SectorGroup => &[Column::SectorId],
            Self::Kind => &[Column::Kind],
            Self::Source => &[Column::SourceId],
            Self::ConstantBaseYear => &[Column::ConstantBaseYear],
        }
    }
}

impl Dimension for FlowDimension {
    /// The group key over the partial aggregates `t`.
    fn group_key(self) -> GroupKey {
        let (sql, joins, key): (&'static str, &'static [Join], KeyType) = match self {
            Self::Year => ("\"t\".\"year\"", &[], KeyType::Id),
            Self::Provider => ("\"t\".\"provider_id\"", &[], KeyType::Id),
            Self::Recipient => ("\"t\".\"recipient_id\"", &[], KeyType::Id),
            Self::ProviderRegion => ("\"p\".\"region_name\"", &[PROVIDER], KeyType::Text),
            Self::RecipientRegion => ("\"r\".\"region_name\"", &[RECIPIENT], KeyType::Text),
            Self::ProviderSubRegion => ("\"p\".\"sub_region_name\"", &[PROVIDER], KeyType::Text),
            Self::RecipientSubRegion => ("\"r\".\"sub_region_name\"", &[RECIPIENT], KeyType::Text),
            Self::ProviderIncomeGroup => ("\"pi\".\"income_group\"", &[PROVIDER_INCOME], KeyType::Text),
            Self::RecipientIncomeGroup => ("\"ri\".\"income_group\"", &[RECIPIENT_INCOME], KeyType::Text),
            Self::Sector => ("\"t\".\"sector_id\"", &[], KeyType::Id),
            Self::SectorCategory => (
                "CASE \"s\".\"level\" WHEN 'PURPOSE' THEN \"s\".\"parent_id\" WHEN 'CATEGORY' THEN \"s\".\"id\" END",
                &[SECTOR],
                KeyType::Id,
            ),
            Self::SectorGroup => (
                "COALESCE(\"sg\".\"id\", \"sp\".\"id\", \"s\".\"id\")",
                &[SECTOR, SECTOR_PARENT, SECTOR_GRANDPARENT],
                KeyType::Id,
            ),
            Self::Kind => ("\"t\".\"kind\"", &[], KeyType::Text),
            Self::Source => ("\"t\".\"source_id\"", &[], KeyType::Id),
            Self::ConstantBaseYear => ("\"t\".\"constant_base_year\"", &[], KeyType::Id),
        };
        GroupKey { sql, joins, key }
    }
}

/// A measure of a group of flows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FlowMeasure {
    /// Number of flows.
    Count,
    /// Sum of amounts in current US dollars.
    UsdCurrent,
    /// Sum of amounts in constant US dollars, as the publishers give them (each source its
    /// own base year).
    UsdConstant,
    /// Sum of real amounts (US dollars of one year by the U.S. CPI-U; here, of 1982–84).
    #[default]
    UsdReal,
}

impl FlowMeasure {
    /// The alias of the measure in [`MEASURES`].
    fn alias(self) -> &'static str {
        match self {
            Self::Count => "m_count",
            Self::UsdCurrent => "m_sum_current",
            Self::UsdConstant => "m_sum_constant",
            Self::UsdReal => "m_sum_real",
        }
    }

    /// The measure rolled up from the partial aggregates `t`, as a number (0 for none).
    pub(crate) fn over_partials(self) -> &'static str {
        match self {
            Self::Count => "CAST(COALESCE(SUM(\"t\".\"n\"), 0) AS DOUBLE PRECISION)",
            Self::UsdCurrent => "CAST(COALESCE(SUM(\"t\".\"s_cur\"), 0) AS DOUBLE PRECISION)",
            Self::UsdConstant => "CAST(COALESCE(SUM(\"t\".\"s_con\"), 0) AS DOUBLE PRECISION)",
            Self::UsdReal => "CAST(COALESCE(SUM(\"t\".\"s_real\"), 0) AS DOUBLE PRECISION)",
        }
    }

    /// A partial aggregate's column of the measure, for sums over some of them.
    pub(crate) fn partial_column(self) -> &'static str {
        match self {
            Self::Count => "\"t\".\"n\"",
            Self::UsdCurrent => "\"t\".\"s_cur\"",
            Self::UsdConstant => "\"t\".\"s_con\"",
            Self::UsdReal => "\"t\".\"s_real\"",
        }
    }
}

/// A kind of amount a flow may have, whose measures an aggregate computes only when asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// Current US dollars.
    Current,
    /// The publishers' constant US dollars, with their base years.
    Constant,
    /// Real US dollars (CPI-U), with the count of rebased ones.
    Real,
}

/// The kinds of amounts an aggregate computes measures of (the count it always computes):
/// each costs the database work per flow, so an answer computes those it shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    current: bool,
    constant: bool,
    real: bool,
}

impl Amounts {
    /// Every kind of amount.
    pub const ALL: Self = Self { current: true, constant: true, real: true };

    /// These and `amount`.
    #[must_use]
    pub fn with(self, amount: Amount) -> Self {
        match amount {
            Amount::Current => Self { current: true, ..self },
            Amount::Constant => Self { constant: true, ..self },
            Amount::Real => Self { real: true, ..self },
        }
    }

    /// Whether these include `amount` (a count, of no amount, is always included).
    pub fn has(self, amount: Option<Amount>) -> bool {
        match amount {
            None => true,
            Some(Amount::Current) => self.current,
            Some(Amount::Constant) => self.constant,
            Some(Amount::Real) => self.real,
        }
    }
}

impl FlowMeasure {
    /// The kind of amount the measure sums (none for a count).
    pub fn amount(self) -> Option<Amount> {
        match self {
            Self::Count => None,
            Self::UsdCurrent => Some(Amount::Current),
            Self::UsdConstant => Some(Amount::Constant),
            Self::UsdReal => Some(Amount::Real),
        }
    }
}

/// Partial aggregates of flows, per group of raw keys, by the amount they need, and how
/// the stored ones of `flow_total` (the same sums per group of its keys) roll up.
const PARTIALS: &[(Option<Amount>, &str, &str, &str)] = &[
    (None, "n", "COUNT(*)", "SUM"),
    (Some(Amount::Current), "s_cur", "SUM(\"flow\".\"amount_usd_current\")", "SUM"),
    (Some(Amount::Current), "c_cur", "COUNT(\"flow\".\"amount_usd_current\")", "SUM"),
    (Some(Amount::Current), "lo_cur", "MIN(\"flow\".\"amount_usd_current\")", "MIN"),
    (Some(Amount::Current), "hi_cur", "MAX(\"flow\".\"amount_usd_current\")", "MAX"),
    (Some(Amount::Constant), "s_con", "SUM(\"flow\".\"amount_usd_constant\")", "SUM"),
    (Some(Amount::Constant), "c_con", "COUNT(\"flow\".\"amount_usd_constant\")", "SUM"),
    (Some(Amount::Constant), "lo_con", "MIN(\"flow\".\"amount_usd_constant\")", "MIN"),
    (Some(Amount::Constant), "hi_con", "MAX(\"flow\".\"amount_usd_constant\")", "MAX"),
    (Some(Amount::Constant), "b_lo", "MIN(\"flow\".\"constant_base_year\")", "MIN"),
    (Some(Amount::Constant), "b_hi", "MAX(\"flow\".\"constant_base_year\")", "MAX"),
    (Some(Amount::Real), "s_real", "SUM(\"flow\".\"amount_usd_real\")", "SUM"),
    (Some(Amount::Real), "c_real", "COUNT(\"flow\".\"amount_usd_real\")", "SUM"),
    (Some(Amount::Real), "lo_real", "MIN(\"flow\".\"amount_usd_real\")", "MIN"),
    (Some(Amount::Real), "hi_real", "MAX(\"flow\".\"amount_usd_real\")", "MAX"),
    (
        Some(Amount::Real),
        "n_rebased",
        "COUNT(CASE WHEN \"flow\".\"amount_usd_current\" IS NULL THEN \"flow\".\"amount_usd_real\" END)",
        "SUM",
    ),
];

/// The base years of constant amounts, rolled up from the partial aggregates.
pub(crate) const BASES: [(&str, &str); 2] =
    [("m_base_lo", "MIN(\"t\".\"b_lo\")"), ("m_base_hi", "MAX(\"t\".\"b_hi\")")];

/// The measures, rolled up from the partial aggregates, by the amount they need.
const MEASURES: &[(Option<Amount>, &str, &str)] = &[
    (None, "m_count", "CAST(COALESCE(SUM(\"t\".\"n\"), 0) AS BIGINT)"),
    (Some(Amount::Current), "m_sum_current", "SUM(\"t\".\"s_cur\")"),
    (Some(Amount::Current), "m_min_current", "MIN(\"t\".\"lo_cur\")"),
    (Some(Amount::Current), "m_max_current", "MAX(\"t\".\"hi_cur\")"),
    (
        Some(Amount::Current),
        "m_avg_current",
        "SUM(\"t\".\"s_cur\") / CAST(NULLIF(SUM(\"t\".\"c_cur\"), 0) AS DOUBLE PRECISION)",
    ),
    (Some(Amount::Current), "m_count_current", "CAST(COALESCE(SUM(\"t\".\"c_cur\"), 0) AS BIGINT)"),
    (Some(Amount::Constant), "m_sum_constant", "SUM(\"t\".\"s_con\")"),
    (Some(Amount::Constant), "m_min_constant", "MIN(\"t\".\"lo_con\")"),
    (Some(Amount::Constant), "m_max_constant", "MAX(\"t\".\"hi_con\")"),
    (
        Some(Amount::Constant),
        "m_avg_constant",
        "SUM(\"t\".\"s_con\") / CAST(NULLIF(SUM(\"t\".\"c_con\"), 0) AS DOUBLE PRECISION)",
    ),
    (Some(Amount::Constant), "m_count_constant", "CAST(COALESCE(SUM(\"t\".\"c_con\"), 0) AS BIGINT)"),
    (Some(Amount::Constant), "m_base_lo", BASES[0].1),
    (Some(Amount::Constant), "m_base_hi", BASES[1].1),
    (Some(Amount::Real), "m_sum_real", "SUM(\"t\".\"s_real\")"),
    (Some(Amount::Real), "m_min_real", "MIN(\"t\".\"lo_real\")"),
    (Some(Amount::Real), "m_max_real", "MAX(\"t\".\"hi_real\")"),
    (
        Some(Amount::Real),
        "m_avg_real",
        "SUM(\"t\".\"s_real\") / CAST(NULLIF(SUM(\"t\".\"c_real\"), 0) AS DOUBLE PRECISION)",
    ),
    (Some(Amount::Real), "m_count_real", "CAST(COALESCE(SUM(\"t\".\"c_real\"), 0) AS BIGINT)"),
    (Some(Amount::Real), "m_rebased", "CAST(COALESCE(SUM(\"t\".\"n_rebased\"), 0) AS BIGINT)"),
];

/// The flows an aggregate counts: a condition on `flow`, and the same condition on
/// `flow_total` when the stored totals hold every column it reads.
#[derive(Clone, Debug)]
pub struct FlowSet {
    /// The condition on `flow`.
    pub flows: Condition,
    /// The condition on `flow_total`, which the statement names `flow`: only official
    /// finance, without the rule that leaves out repeats (the totals have none).
    pub totals: Option<Condition>,
}

impl FlowSet {
    /// The flows a condition on `flow` matches.
    pub fn flows(condition: Condition) -> Self {
        Self { flows: condition, totals: None }
    }

    /// These flows, those that `more` matches; `more` reads only the year, provider,
    /// kind, source, base year or research flag.
    #[must_use]
    pub fn and(self, more: Condition) -> Self {
        Self { flows: self.flows.add(more.clone()), totals: self.totals.map(|totals| totals.add(more)) }
    }
}

/// The columns of `flow_total` an aggregate may group by.
const TOTAL_KEYS: [flow::Column; 5] = [
    flow::Column::Year,
    flow::Column::ProviderId,
    flow::Column::Kind,
    flow::Column::SourceId,
    flow::Column::ConstantBaseYear,
];

/// `SELECT raw keys, source_id, partial aggregates FROM flow WHERE condition GROUP BY …`,
/// or the same over `flow_total` when it holds the flows and the keys.
pub(crate) fn partials(set: FlowSet, group_by: &[FlowDimension], amounts: Amounts) -> SelectStatement {
    use flow::Column;
    // In the order of the covering index (year, recipient_id …), so it serves the grouping.
    const ORDER: [Column; 7] = [
        Column::Year,
        Column::RecipientId,
        Column::ProviderId,
        Column::SectorId,
        Column::Kind,
        Column::SourceId,
        Column::ConstantBaseYear,
    ];
    let keys: Vec<Column> = ORDER
        .into_iter()
        .filter(|key| {
            key.as_str() == Column::SourceId.as_str()
                || group_by.iter().flat_map(|dimension| dimension.raw_keys()).any(|raw| raw.as_str() == key.as_str())
        })
        .collect();
    let keyed = |key: &Column| TOTAL_KEYS.iter().any(|total| total.as_str() == key.as_str());
    let totals = set.totals.filter(|_| keys.iter().all(keyed));
    let totals_read = totals.is_some();
    let mut select = Query::select();
    match totals {
        Some(condition) => select.from_as(Alias::new("flow_total"), flow::Entity).cond_where(condition),
        None => select.from(flow::Entity).cond_where(set.flows),
    };
    for key in &keys {
        select.column((flow::Entity, *key));
    }
    for (_, alias, sql, rolled) in PARTIALS.iter().filter(|(amount, ..)| amounts.has(*amount)) {
        let sql = if totals_read { format!("{rolled}(\"flow\".\"{alias}\")") } else { (*sql).to_owned() };
        select.expr_as(Expr::cust(sql), Alias::new(*alias));
    }
    select.add_group_by(keys.iter().map(|key| Expr::col((flow::Entity, *key))));
    select
}

/// An aggregate of the flows a condition matches, rolled up from partials grouped by the
/// raw keys of these dimensions, with the partials of `amounts`; keys and measures still
/// to add.
pub(crate) fn rolled_up(set: FlowSet, group_by: &[FlowDimension], amounts: Amounts) -> Aggregate {
    let partials = partials(set, group_by, amounts);
    Aggregate::of(Rows::Partials(Box::new(partials)), Condition::all(), "\"t\".\"source_id\"")
}

/// Measures of one group of flows: those of the [`Amounts`] the aggregate computed, the
/// others at their defaults (0, none).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FlowMeasures {
    /// Number of flows.
    pub count: i64,
    /// Sum in current US dollars (flows without an amount count as 0).
    pub sum_current: f64,
    /// Sum in constant US dollars (flows without an amount count as 0).
    pub sum_constant: f64,
    /// Smallest amount in current US dollars.
    pub min_current: Option<f64>,
    /// Largest amount in current US dollars.
    pub max_current: Option<f64>,
    /// Average amount in current US dollars, over flows that have one.
    pub avg_current: Option<f64>,
    /// Smallest amount in constant US dollars.
    pub min_constant: Option<f64>,
    /// Largest amount in constant US dollars.
    pub max_constant: Option<f64>,
    /// Average amount in constant US dollars, over flows that have one.
    pub avg_constant: Option<f64>,
    /// Sum of real amounts in US dollars of 1982–84 (flows without one count as 0).
    pub sum_real: f64,
    /// Smallest real amount (1982–84 dollars).
    pub min_real: Option<f64>,
    /// Largest real amount (1982–84 dollars).
    pub max_real: Option<f64>,
    /// Average real amount (1982–84 dollars), over flows that have one.
    pub avg_real: Option<f64>,
    /// Number of flows with a real amount.
    pub count_real: i64,
    /// Number of flows with a current amount.
    pub count_current: i64,
    /// Number of flows with a constant amount.
    pub count_constant: i64,
    /// Number of flows whose real amount is their constant amount rebased (no current one).
    pub rebased: i64,
    /// The base years of the constant amounts summed.
    pub bases: Bases,
}

/// The smallest and largest base year of the constant amounts of some flows: one base when
/// they are equal, none when no flow has a constant amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bases {
    /// The earliest base year.
    pub lo: Option<i32>,
    /// The latest base year.
    pub hi: Option<i32>,
}

impl Bases {
    /// Reads the bases of [`BASES`] from a row.
    pub(crate) fn read(row: &QueryResult) -> Result<Self, DbErr> {
        Ok(Self { lo: row.try_get("", BASES[0].0)?, hi: row.try_get("", BASES[1].0)? })
    }

    /// The bases of these and of `other` together.
    pub fn with(self, other: Self) -> Self {
        let pick = |a: Option<i32>, b: Option<i32>, f: fn(i32, i32) -> i32| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        Self { lo: pick(self.lo, other.lo, i32::min), hi: pick(self.hi, other.hi, i32::max) }
    }

    /// Whether the amounts are of more than one base year.
    pub fn mixed(self) -> bool {
        self.lo != self.hi
    }
}

impl FlowMeasures {
    /// Reads the measures of [`MEASURES`] of `amounts` from a row; the others keep their
    /// defaults (0, none).
    pub(crate) fn read(row: &QueryResult, amounts: Amounts) -> Result<Self, DbErr> {
        let number = |alias: &str| row.try_get::<Option<f64>>("", alias);
        let count = |alias: &str| row.try_get::<i64>("", alias);
        let mut measures = Self { count: count("m_count")?, ..Self::default() };
        if amounts.current {
            measures.sum_current = number("m_sum_current")?.unwrap_or(0.0);
            measures.min_current = number("m_min_current")?;
            measures.max_current = number("m_max_current")?;
            measures.avg_current = number("m_avg_current")?;
            measures.count_current = count("m_count_current")?;
        }
        if amounts.constant {
            measures.sum_constant = number("m_sum_constant")?.unwrap_or(0.0);
            measures.min_constant = number("m_min_constant")?;
            measures.max_constant = number("m_max_constant")?;
            measures.avg_constant = number("m_avg_constant")?;
            measures.count_constant = count("m_count_constant")?;
            measures.bases = Bases::read(row)?;
        }
        if amounts.real {
            measures.sum_real = number("m_sum_real")?.unwrap_or(0.0);
            measures.min_real = number("m_min_real")?;
            measures.max_real = number("m_max_real")?;
            measures.avg_real = number("m_avg_real")?;
            measures.count_real = count("m_count_real")?;
            measures.rebased = count("m_rebased")?;
        }
        Ok(measures)
    }

    /// The measures of `amounts` in SQL, by alias.
    pub(crate) fn sql(amounts: Amounts) -> Vec<(String, String)> {
        MEASURES
            .iter()
            .filter(|(amount, _, _)| amounts.has(*amount))
            .map(|(_, alias, sql)| ((*alias).to_owned(), (*sql).to_owned()))
            .collect()
    }

    /// How many flows have an amount in `measure` (all of them for a count).
    pub fn count_of(&self, measure: FlowMeasure) -> i64 {
        match measure {
            FlowMeasure::Count => self.count,
            FlowMeasure::UsdCurrent => self.count_current,
            FlowMeasure::UsdConstant => self.count_constant,
            FlowMeasure::UsdReal => self.count_real,
        }
    }

    /// One measure's value.
    pub fn get(&self, measure: FlowMeasure) -> f64 {
        match measure {
            FlowMeasure::Count => self.count as f64,
            FlowMeasure::UsdCurrent => self.sum_current,
            FlowMeasure::UsdConstant => self.sum_constant,
            FlowMeasure::UsdReal => self.sum_real,
        }
    }
}

/// One group of flows.
pub type FlowGroup = Group<FlowDimension, FlowMeasures>;

/// Groups the flows a condition matches by some dimensions, ordered by the given measures
/// then by the keys, with the measures of `amounts` (and of the amounts ordered by).
pub async fn flow_stats(
    db: &impl ConnectionTrait,
    set: FlowSet,
    group_by: &[FlowDimension],
    order: &[(FlowMeasure, Order)],
    limit: Option<u64>,
    with_ties: bool,
    amounts: Amounts,
) -> Result<Vec<FlowGroup>, DbErr> {
    let amounts = order.iter().filter_map(|(measure, _)| measure.amount()).fold(amounts, Amounts::with);
    let mut aggregate = rolled_up(set, group_by, amounts);
    let group_by = aggregate.group_by(group_by);
    aggregate.measures = FlowMeasures::sql(amounts);
    aggregate.order =
        order.iter().map(|(measure, direction)| (measure.alias().to_owned(), direction.clone())).collect();
    aggregate.limit = limit;
    aggregate.with_ties = with_ties;
    aggregate.groups(db, &group_by, |row| FlowMeasures::read(row, amounts)).await
}

/// One group per year from `from` to `to`, years without flows included with zeros, with
/// the measures of `amounts`.
pub async fn time_series(
    db: &impl ConnectionTrait,
    set: FlowSet,
    from: i32,
    to: i32,
    amounts: Amounts,
) -> Result<Vec<FlowGroup>, DbErr> {
    let set = set.and(Condition::all().add(flow::Column::Year.between(from, to)));
    let groups = flow_stats(db, set, &[FlowDimension::Year], &[], None, false, amounts).await?;
    let mut found = groups.into_iter().peekable();
    let mut series = Vec::new();
    for year in from..=to {
        match found.next_if(|group| group.id(FlowDimension::Year) == Some(year)) {
            Some(group) => series.push(group),
            None => series.push(FlowGroup {
                keys: vec![(FlowDimension::Year, Key::Id(year))],
                measures: FlowMeasures::default(),
                sources: Vec::new(),
            }),
        }
    }
    Ok(series)
}
