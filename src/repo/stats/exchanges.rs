//! Exchanges counted and summed by kind, provider, partner, partner region, year or source.

use sea_orm::{ConnectionTrait, DbErr, Order, sea_query::Condition};

use crate::repo::aggregate::{Aggregate, Dimension, Group, GroupKey, Join, KeyType, Rows};

const PARTNER: Join = Join { alias: "pc", table: "country", on: "\"pc\".\"id\" = \"exchange\".\"partner_id\"" };

/// What exchanges can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExchangeDimension {
    /// What is counted.
    Kind,
    /// The provider.
    Provider,
    /// The partner.
    Partner,
    /// UN M49 region of the partner.
    PartnerRegion,
    /// The year.
    Year,
    /// The dataset.
    Source,
}

impl Dimension for ExchangeDimension {
    fn group_key(self) -> GroupKey {
        let (sql, joins, key): (&'static str, &'static [Join], KeyType) = match self {
            Self::Kind => ("\"exchange\".\"kind\"", &[], KeyType::Text),
            Self::Provider => ("\"exchange\".\"provider_id\"", &[], KeyType::Id),
            Self::Partner => ("\"exchange\".\"partner_id\"", &[], KeyType::Id),
            Self::PartnerRegion => ("\"pc\".\"region_name\"", &[PARTNER], KeyType::Text),
            Self::Year => ("\"exchange\".\"year\"", &[], KeyType::Id),
            Self::Source => ("\"exchange\".\"source_id\"", &[], KeyType::Id),
        };
        GroupKey { sql, joins, key }
    }
}

/// The exchanges of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExchangeTotals {
    /// Exchange records (country-year-kind counts).
    pub records: i64,
    /// The sum of their counts.
    pub total: i64,
}

/// Sums the exchanges a condition matches by some dimensions, largest totals first, then by
/// the keys.
pub async fn exchange_stats(
    db: &impl ConnectionTrait,
    condition: Condition,
    group_by: &[ExchangeDimension],
    limit: u64,
    with_ties: bool,
) -> Result<Vec<Group<ExchangeDimension, ExchangeTotals>>, DbErr> {
    let mut aggregate = Aggregate::of(Rows::Table("exchange"), condition, "\"exchange\".\"source_id\"");
    let group_by = aggregate.group_by(group_by);
    aggregate.measures = vec![
        ("m_records".to_owned(), "COUNT(*)".to_owned()),
        ("m_total".to_owned(), "COALESCE(SUM(\"exchange\".\"count\"), 0)".to_owned()),
    ];
    aggregate.order = vec![("m_total".to_owned(), Order::Desc)];
    aggregate.limit = Some(limit);
    aggregate.with_ties = with_ties;
    aggregate
        .groups(db, &group_by, |row| {
            Ok(ExchangeTotals { records: row.try_get("", "m_records")?, total: row.try_get("", "m_total")? })
        })
        .await
}
