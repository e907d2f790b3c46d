//! Agreements counted by year, kind, status, scope, party, region or source.

use sea_orm::{ConnectionTrait, DbErr, Order, sea_query::Condition};

use crate::repo::{
    aggregate::{Aggregate, Dimension, Group, GroupKey, Join, KeyType, Rows},
    rules,
};

const PARTY: Join =
    Join { alias: "ap", table: "agreement_party", on: "\"ap\".\"agreement_id\" = \"agreement\".\"id\"" };
const PARTY_COUNTRY: Join = Join { alias: "pc", table: "country", on: "\"pc\".\"id\" = \"ap\".\"country_id\"" };

/// What agreements can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgreementDimension {
    /// Year signed.
    SignedYear,
    /// Kind.
    Kind,
    /// Status.
    Status,
    /// Bilateral, sub-regional, regional or inter-regional ([`rules::AGREEMENT_SCOPE`]).
    Scope,
    /// A party (an agreement counts once for each of its parties).
    Party,
    /// A party's UN M49 region (an agreement counts once per region of its parties).
    PartyRegion,
    /// The dataset.
    Source,
}

impl Dimension for AgreementDimension {
    fn group_key(self) -> GroupKey {
        let (sql, joins, key): (&'static str, &'static [Join], KeyType) = match self {
            Self::SignedYear => ("\"agreement\".\"signed_year\"", &[], KeyType::Id),
            Self::Kind => ("\"agreement\".\"kind\"", &[], KeyType::Text),
            Self::Status => ("\"agreement\".\"status\"", &[], KeyType::Text),
            Self::Scope => (rules::AGREEMENT_SCOPE, &[], KeyType::Text),
            Self::Party => ("\"ap\".\"country_id\"", &[PARTY], KeyType::Id),
            Self::PartyRegion => ("\"pc\".\"region_name\"", &[PARTY, PARTY_COUNTRY], KeyType::Text),
            Self::Source => ("\"agreement\".\"source_id\"", &[], KeyType::Id),
        };
        GroupKey { sql, joins, key }
    }
}

/// Counts the agreements a condition matches by some dimensions, largest groups first,
/// then by the keys.
pub async fn agreement_stats(
    db: &impl ConnectionTrait,
    condition: Condition,
    group_by: &[AgreementDimension],
    limit: u64,
    with_ties: bool,
) -> Result<Vec<Group<AgreementDimension, i64>>, DbErr> {
    let mut aggregate = Aggregate::of(Rows::Table("agreement"), condition, "\"agreement\".\"source_id\"");
    let group_by = aggregate.group_by(group_by);
    aggregate.measures = vec![("m_count".to_owned(), "COUNT(DISTINCT \"agreement\".\"id\")".to_owned())];
    aggregate.order = vec![("m_count".to_owned(), Order::Desc)];
    aggregate.limit = Some(limit);
    aggregate.with_ties = with_ties;
    aggregate.groups(db, &group_by, |row| row.try_get::<i64>("", "m_count")).await
}
