//! Aggregates of agreements and experts: counts grouped by year, kind, scope, party,
//! region, sector, computed in the database, and the South–South share of agreements.

use async_graphql::{Context, Enum, Object};
use entity::{country, sector, source};
use sea_orm::{ConnectionTrait, QueryResult, sea_query::Condition};

use super::{
    agreement::{AgreementFilter, AgreementKind, AgreementScope, AgreementStatus},
    country::Country,
    expert::{ExpertFilter, ExpertKind},
    filter::ToCondition,
    flow_stats::SouthSouthShare,
    provenance::Provenance,
    resolve,
    sector::Sector,
    source::Source,
};
use crate::{
    error::{ApiError, ApiResult},
    repo::aggregate::{Aggregate, Join},
};

const PARTY: Join =
    Join { alias: "ap", table: "agreement_party", on: "\"ap\".\"agreement_id\" = \"agreement\".\"id\"" };
const PARTY_COUNTRY: Join = Join { alias: "pc", table: "country", on: "\"pc\".\"id\" = \"ap\".\"country_id\"" };
const DEPLOYMENT: Join = Join { alias: "d", table: "deployment", on: "\"d\".\"expert_id\" = \"expert\".\"id\"" };
const HOST: Join = Join { alias: "hc", table: "country", on: "\"hc\".\"id\" = \"d\".\"host_country_id\"" };
const EXPERT_SECTOR: Join =
    Join { alias: "es", table: "expert_sector", on: "\"es\".\"expert_id\" = \"expert\".\"id\"" };

/// The scope of an agreement in SQL, as `Agreement.scope` computes it.
const SCOPE_SQL: &str = "CASE \
    WHEN (SELECT COUNT(*) FROM \"agreement_party\" \"x\" WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\") < 2 THEN NULL \
    WHEN (SELECT COUNT(*) FROM \"agreement_party\" \"x\" WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\") = 2 THEN 'BILATERAL' \
    WHEN (SELECT COUNT(DISTINCT \"c\".\"sub_region_code\") FROM \"agreement_party\" \"x\" JOIN \"country\" \"c\" ON \"c\".\"id\" = \"x\".\"country_id\" WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\") = 1 THEN 'SUBREGIONAL' \
    WHEN (SELECT COUNT(DISTINCT \"c\".\"region_code\") FROM \"agreement_party\" \"x\" JOIN \"country\" \"c\" ON \"c\".\"id\" = \"x\".\"country_id\" WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\") = 1 THEN 'REGIONAL' \
    ELSE 'INTERREGIONAL' END";

/// What agreements can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgreementDimension {
    /// Year signed.
    SignedYear,
    /// Kind.
    Kind,
    /// Status.
    Status,
    /// Bilateral, sub-regional, regional or inter-regional.
    Scope,
    /// A party (an agreement counts once for each of its parties).
    Party,
    /// A party's UN M49 region (an agreement counts once per region of its parties).
    PartyRegion,
    /// The dataset.
    Source,
}

impl AgreementDimension {
    fn sql(self) -> (&'static str, &'static [Join]) {
        match self {
            Self::SignedYear => ("\"agreement\".\"signed_year\"", &[]),
            Self::Kind => ("\"agreement\".\"kind\"", &[]),
            Self::Status => ("\"agreement\".\"status\"", &[]),
            Self::Scope => (SCOPE_SQL, &[]),
            Self::Party => ("\"ap\".\"country_id\"", &[PARTY]),
            Self::PartyRegion => ("\"pc\".\"region_name\"", &[PARTY, PARTY_COUNTRY]),
            Self::Source => ("\"agreement\".\"source_id\"", &[]),
        }
    }

    fn is_text(self) -> bool {
        matches!(self, Self::Kind | Self::Status | Self::Scope | Self::PartyRegion)
    }
}

/// What experts can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpertDimension {
    /// Person, team or institution.
    Kind,
    /// Home country.
    HomeCountry,
    /// Host country of a deployment (an expert counts once per host).
    HostCountry,
    /// UN M49 region of a host country.
    HostRegion,
    /// First year of a deployment.
    StartYear,
    /// A sector the expert works in.
    Sector,
    /// The dataset.
    Source,
}

impl ExpertDimension {
    fn sql(self) -> (&'static str, &'static [Join]) {
        match self {
            Self::Kind => ("\"expert\".\"kind\"", &[]),
            Self::HomeCountry => ("\"expert\".\"home_country_id\"", &[]),
            Self::HostCountry => ("\"d\".\"host_country_id\"", &[DEPLOYMENT]),
            Self::HostRegion => ("\"hc\".\"region_name\"", &[DEPLOYMENT, HOST]),
            Self::StartYear => ("\"d\".\"start_year\"", &[DEPLOYMENT]),
            Self::Sector => ("\"es\".\"sector_id\"", &[EXPERT_SECTOR]),
            Self::Source => ("\"expert\".\"source_id\"", &[]),
        }
    }

    fn is_text(self) -> bool {
        matches!(self, Self::Kind | Self::HostRegion)
    }
}

/// A group key's value.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Id(i32),
    Text(String),
}

/// Runs an aggregate and reads each group's keys (by position) and counts.
async fn groups(
    db: &impl ConnectionTrait,
    mut aggregate: Aggregate,
    dimensions: Vec<(&'static str, &'static [Join], bool)>,
    counts: &[&str],
) -> ApiResult<Vec<(Vec<Option<Key>>, Vec<i64>)>> {
    for (index, (sql, joins, _)) in dimensions.iter().enumerate() {
        joins.iter().for_each(|join| aggregate.join(*join));
        aggregate.dimensions.push((format!("g{index}"), (*sql).to_owned()));
    }
    let read = |row: &QueryResult| -> Result<(Vec<Option<Key>>, Vec<i64>), sea_orm::DbErr> {
        let mut keys = Vec::new();
        for (index, (_, _, text)) in dimensions.iter().enumerate() {
            let alias = format!("g{index}");
            keys.push(if *text {
                row.try_get::<Option<String>>("", &alias)?.map(Key::Text)
            } else {
                row.try_get::<Option<i32>>("", &alias)?.map(Key::Id)
            });
        }
        let counts = counts.iter().map(|alias| row.try_get::<i64>("", alias)).collect::<Result<_, _>>()?;
        Ok((keys, counts))
    };
    let rows = aggregate.fetch(db).await?;
    rows.iter().map(read).collect::<Result<_, _>>().map_err(ApiError::from)
}

/// Notes the sources of the rows an aggregate covers, for `extensions.sources`.
async fn note_sources(
    ctx: &Context<'_>,
    aggregate: &Aggregate,
    source: (&'static str, &'static [Join]),
) -> ApiResult<()> {
    let Some(provenance) = ctx.data_opt::<Provenance>() else { return Ok(()) };
    let by_source = Aggregate { order: Vec::new(), limit: None, ..aggregate.clone() };
    let found = groups(resolve::db(ctx)?, by_source, vec![(source.0, source.1, false)], &[]).await?;
    provenance.note(found.iter().filter_map(|(keys, _)| match keys.first() {
        Some(Some(Key::Id(id))) => Some(*id),
        _ => None,
    }));
    Ok(())
}

fn position<D: PartialEq>(dimensions: &[D], dimension: &D) -> Option<usize> {
    dimensions.iter().position(|d| d == dimension)
}

fn limit(first: Option<i32>) -> ApiResult<u64> {
    let first = first.unwrap_or(100);
    u64::try_from(first)
        .ok()
        .filter(|first| *first <= 1000)
        .ok_or_else(|| ApiError::bad_input(format!("`first: {first}` must be between 0 and 1000")))
}

/// One group of agreements. Only the keys grouped by are set.
pub struct AgreementStats {
    dimensions: Vec<AgreementDimension>,
    keys: Vec<Option<Key>>,
    count: i64,
}

impl AgreementStats {
    fn key(&self, dimension: AgreementDimension) -> Option<&Key> {
        position(&self.dimensions, &dimension).and_then(|index| self.keys[index].as_ref())
    }

    fn text(&self, dimension: AgreementDimension) -> Option<String> {
        match self.key(dimension) {
            Some(Key::Text(text)) => Some(text.clone()),
            _ => None,
        }
    }

    fn id(&self, dimension: AgreementDimension) -> Option<i32> {
        match self.key(dimension) {
            Some(Key::Id(id)) => Some(*id),
            _ => None,
        }
    }
}

/// One group of agreements. Only the keys grouped by are set.
#[Object]
impl AgreementStats {
    /// Year signed.
    async fn signed_year(&self) -> Option<i32> {
        self.id(AgreementDimension::SignedYear)
    }

    /// Kind.
    async fn kind(&self) -> Option<AgreementKind> {
        use sea_orm::ActiveEnum;
        self.text(AgreementDimension::Kind).and_then(|t| entity::AgreementKind::try_from_value(&t).ok()).map(Into::into)
    }

    /// Status.
    async fn status(&self) -> Option<AgreementStatus> {
        use sea_orm::ActiveEnum;
        self.text(AgreementDimension::Status)
            .and_then(|t| entity::AgreementStatus::try_from_value(&t).ok())
            .map(Into::into)
    }

    /// Scope.
    async fn scope(&self) -> Option<AgreementScope> {
        match self.text(AgreementDimension::Scope)?.as_str() {
            "BILATERAL" => Some(AgreementScope::Bilateral),
            "SUBREGIONAL" => Some(AgreementScope::Subregional),
            "REGIONAL" => Some(AgreementScope::Regional),
            _ => Some(AgreementScope::Interregional),
        }
    }

    /// A party.
    async fn party(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.id(AgreementDimension::Party)).await?.map(Country))
    }

    /// A party's UN M49 region.
    async fn party_region(&self) -> Option<String> {
        self.text(AgreementDimension::PartyRegion)
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        Ok(resolve::optional::<source::Entity>(ctx, self.id(AgreementDimension::Source)).await?.map(Source))
    }

    /// Number of distinct agreements.
    async fn count(&self) -> i64 {
        self.count
    }
}

/// One group of experts. Only the keys grouped by are set.
pub struct ExpertStats {
    dimensions: Vec<ExpertDimension>,
    keys: Vec<Option<Key>>,
    experts: i64,
    deployments: i64,
}

impl ExpertStats {
    fn key(&self, dimension: ExpertDimension) -> Option<&Key> {
        position(&self.dimensions, &dimension).and_then(|index| self.keys[index].as_ref())
    }

    fn id(&self, dimension: ExpertDimension) -> Option<i32> {
        match self.key(dimension) {
            Some(Key::Id(id)) => Some(*id),
            _ => None,
        }
    }

    async fn country(&self, ctx: &Context<'_>, dimension: ExpertDimension) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.id(dimension)).await?.map(Country))
    }
}

/// One group of experts. Only the keys grouped by are set.
#[Object]
impl ExpertStats {
    /// Person, team or institution.
    async fn kind(&self) -> Option<ExpertKind> {
        use sea_orm::ActiveEnum;
        match self.key(ExpertDimension::Kind) {
            Some(Key::Text(text)) => entity::ExpertKind::try_from_value(text).ok().map(Into::into),
            _ => None,
        }
    }

    /// Home country.
    async fn home_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, ExpertDimension::HomeCountry).await
    }

    /// Host country.
    async fn host_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, ExpertDimension::HostCountry).await
    }

    /// UN M49 region of the host country.
    async fn host_region(&self) -> Option<String> {
        match self.key(ExpertDimension::HostRegion) {
            Some(Key::Text(text)) => Some(text.clone()),
            _ => None,
        }
    }

    /// First year of the deployments.
    async fn start_year(&self) -> Option<i32> {
        self.id(ExpertDimension::StartYear)
    }

    /// A sector.
    async fn sector(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        Ok(resolve::optional::<sector::Entity>(ctx, self.id(ExpertDimension::Sector)).await?.map(Sector))
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        Ok(resolve::optional::<source::Entity>(ctx, self.id(ExpertDimension::Source)).await?.map(Source))
    }

    /// Number of distinct experts.
    async fn experts(&self) -> i64 {
        self.experts
    }

    /// Number of distinct deployments.
    async fn deployments(&self) -> i64 {
        self.deployments
    }
}

/// Root fields for agreement and expert aggregates.
#[derive(Default)]
pub struct AgreementStatsQuery;

#[Object]
impl AgreementStatsQuery {
    /// Agreements counted by the given dimensions, computed in the database; largest
    /// groups first.
    async fn agreement_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter.")] filter: Option<AgreementFilter>,
        #[graphql(desc = "The dimensions to group by.")] group_by: Vec<AgreementDimension>,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
    ) -> ApiResult<Vec<AgreementStats>> {
        let aggregate = Aggregate {
            table: "agreement",
            partials: None,
            joins: Vec::new(),
            dimensions: Vec::new(),
            measures: vec![("m_count".to_owned(), "COUNT(DISTINCT \"agreement\".\"id\")".to_owned())],
            condition: filter.as_ref().map_or_else(Condition::all, ToCondition::condition),
            order: vec![("m_count".to_owned(), sea_orm::Order::Desc)],
            limit: Some(limit(first)?),
        };
        note_sources(ctx, &aggregate, AgreementDimension::Source.sql()).await?;
        let dimensions = group_by.iter().map(|d| (d.sql().0, d.sql().1, d.is_text())).collect();
        let found = groups(resolve::db(ctx)?, aggregate, dimensions, &["m_count"]).await?;
        Ok(found
            .into_iter()
            .map(|(keys, counts)| AgreementStats { dimensions: group_by.clone(), keys, count: counts[0] })
            .collect())
    }

    /// The share of the agreements a filter matches whose parties (at least two) are all
    /// of the South, counted in agreements.
    async fn agreement_south_south_share(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter (for example a party).")] filter: Option<
            AgreementFilter,
        >,
    ) -> ApiResult<SouthSouthShare> {
        let db = resolve::db(ctx)?;
        let base = filter.unwrap_or_default();
        let count = |filter: AgreementFilter| async move {
            let aggregate = Aggregate {
                table: "agreement",
                partials: None,
                joins: Vec::new(),
                dimensions: Vec::new(),
                measures: vec![("m_count".to_owned(), "COUNT(*)".to_owned())],
                condition: filter.condition(),
                order: Vec::new(),
                limit: None,
            };
            let found = groups(db, aggregate, Vec::new(), &["m_count"]).await?;
            Ok::<f64, ApiError>(found.first().map_or(0, |(_, counts)| counts[0]) as f64)
        };
        let with = |south_south: bool| AgreementFilter {
            south_south: Some(south_south),
            and: Some(vec![base.clone()]),
            ..AgreementFilter::default()
        };
        let to_south = count(with(true)).await?;
        let total = count(base).await?;
        Ok(SouthSouthShare { total, to_south, share: (total != 0.0).then(|| to_south / total) })
    }

    /// Experts counted by the given dimensions, computed in the database; largest groups
    /// first.
    async fn expert_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only experts that match this filter.")] filter: Option<ExpertFilter>,
        #[graphql(desc = "The dimensions to group by.")] group_by: Vec<ExpertDimension>,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
    ) -> ApiResult<Vec<ExpertStats>> {
        let mut aggregate = Aggregate {
            table: "expert",
            partials: None,
            joins: vec![DEPLOYMENT],
            dimensions: Vec::new(),
            measures: vec![
                ("m_experts".to_owned(), "COUNT(DISTINCT \"expert\".\"id\")".to_owned()),
                ("m_deployments".to_owned(), "COUNT(DISTINCT \"d\".\"id\")".to_owned()),
            ],
            condition: filter.as_ref().map_or_else(Condition::all, ToCondition::condition),
            order: vec![("m_experts".to_owned(), sea_orm::Order::Desc)],
            limit: Some(limit(first)?),
        };
        aggregate.join(DEPLOYMENT);
        note_sources(ctx, &aggregate, ExpertDimension::Source.sql()).await?;
        let dimensions = group_by.iter().map(|d| (d.sql().0, d.sql().1, d.is_text())).collect();
        let found = groups(resolve::db(ctx)?, aggregate, dimensions, &["m_experts", "m_deployments"]).await?;
        Ok(found
            .into_iter()
            .map(|(keys, counts)| ExpertStats {
                dimensions: group_by.clone(),
                keys,
                experts: counts[0],
                deployments: counts[1],
            })
            .collect())
    }
}
