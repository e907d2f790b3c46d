//! Experts counted by kind, home or host country, region, start year, sector or source.

use sea_orm::{ConnectionTrait, DbErr, Order, sea_query::Condition};

use crate::repo::aggregate::{Aggregate, Dimension, Group, GroupKey, Join, KeyType, Rows};

const DEPLOYMENT: Join = Join { alias: "d", table: "deployment", on: "\"d\".\"expert_id\" = \"expert\".\"id\"" };
const HOST: Join = Join { alias: "hc", table: "country", on: "\"hc\".\"id\" = \"d\".\"host_country_id\"" };
const EXPERT_SECTOR: Join =
    Join { alias: "es", table: "expert_sector", on: "\"es\".\"expert_id\" = \"expert\".\"id\"" };

/// What experts can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

impl Dimension for ExpertDimension {
    fn group_key(self) -> GroupKey {
        let (sql, joins, key): (&'static str, &'static [Join], KeyType) = match self {
            Self::Kind => ("\"expert\".\"kind\"", &[], KeyType::Text),
            Self::HomeCountry => ("\"expert\".\"home_country_id\"", &[], KeyType::Id),
            Self::HostCountry => ("\"d\".\"host_country_id\"", &[DEPLOYMENT], KeyType::Id),
            Self::HostRegion => ("\"hc\".\"region_name\"", &[DEPLOYMENT, HOST], KeyType::Text),
            Self::StartYear => ("\"d\".\"start_year\"", &[DEPLOYMENT], KeyType::Id),
            Self::Sector => ("\"es\".\"sector_id\"", &[EXPERT_SECTOR], KeyType::Id),
            Self::Source => ("\"expert\".\"source_id\"", &[], KeyType::Id),
        };
        GroupKey { sql, joins, key }
    }
}

/// Experts and their deployments in one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpertCounts {
    /// Distinct experts.
    pub experts: i64,
    /// Distinct deployments.
    pub deployments: i64,
}

/// Counts the experts a condition matches by some dimensions, largest groups first, then
/// by the keys.
pub async fn expert_stats(
    db: &impl ConnectionTrait,
    condition: Condition,
    group_by: &[ExpertDimension],
    limit: u64,
    with_ties: bool,
) -> Result<Vec<Group<ExpertDimension, ExpertCounts>>, DbErr> {
    let mut aggregate = Aggregate::of(Rows::Table("expert"), condition, "\"expert\".\"source_id\"");
    aggregate.join(DEPLOYMENT);
    let group_by = aggregate.group_by(group_by);
    aggregate.measures = vec![
        ("m_experts".to_owned(), "COUNT(DISTINCT \"expert\".\"id\")".to_owned()),
        ("m_deployments".to_owned(), "COUNT(DISTINCT \"d\".\"id\")".to_owned()),
    ];
    aggregate.order = vec![("m_experts".to_owned(), Order::Desc)];
    aggregate.limit = Some(limit);
    aggregate.with_ties = with_ties;
    aggregate
        .groups(db, &group_by, |row| {
            Ok(ExpertCounts { experts: row.try_get("", "m_experts")?, deployments: row.try_get("", "m_deployments")? })
        })
        .await
}
