//! `flow_total`: the official finance (every kind but trade) that aggregates count, summed
//! per provider, year, kind, source, base year and research flag, repeats left out.
//!
//! Aggregates whose filter and grouping read only those columns roll up these sums instead
//! of the flows (China's finance by year: 220 of the 489 rows, where the flows took 7,343
//! index entries). The columns are the partial aggregates the API computes over `flow`, with the same
//! names. The import refills the table in the transaction of every run that writes flows,
//! their repeats or the price series (`seed::totals`); this migration fills it for data
//! imported before it, with the definition as of today.

use Type::{Amount, Count, Year};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FlowTotal {
    Table,
    ProviderId,
    Year,
    Kind,
    SourceId,
    ConstantBaseYear,
    RecommendedForResearch,
}

/// What a measure's column holds.
#[derive(Clone, Copy)]
enum Type {
    /// A count of flows, never null.
    Count,
    /// Dollars, null when no flow of the group has the amount.
    Amount,
    /// A base year, null when no flow of the group has one.
    Year,
}

/// The sums and counts, each a column named as the API's partial aggregates name them.
const MEASURES: [(&str, Type, &str); 16] = [
    ("n", Count, "COUNT(*)"),
    ("s_cur", Amount, "SUM(amount_usd_current)"),
    ("c_cur", Count, "COUNT(amount_usd_current)"),
    ("lo_cur", Amount, "MIN(amount_usd_current)"),
    ("hi_cur", Amount, "MAX(amount_usd_current)"),
    ("s_con", Amount, "SUM(amount_usd_constant)"),
    ("c_con", Count, "COUNT(amount_usd_constant)"),
    ("lo_con", Amount, "MIN(amount_usd_constant)"),
    ("hi_con", Amount, "MAX(amount_usd_constant)"),
    ("b_lo", Year, "MIN(constant_base_year)"),
    ("b_hi", Year, "MAX(constant_base_year)"),
    ("s_real", Amount, "SUM(amount_usd_real)"),
    ("c_real", Count, "COUNT(amount_usd_real)"),
    ("lo_real", Amount, "MIN(amount_usd_real)"),
    ("hi_real", Amount, "MAX(amount_usd_real)"),
    ("n_rebased", Count, "COUNT(CASE WHEN amount_usd_current IS NULL THEN amount_usd_real END)"),
];

const KEYS: &str = "provider_id, year, kind, source_id, constant_base_year, recommended_for_research";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(FlowTotal::Table)
            .col(integer(FlowTotal::ProviderId))
            .col(integer_null(FlowTotal::Year))
            .col(string_len(FlowTotal::Kind, 64))
            .col(integer(FlowTotal::SourceId))
            .col(integer_null(FlowTotal::ConstantBaseYear))
            .col(boolean_null(FlowTotal::RecommendedForResearch));
        for (name, column, _) in MEASURES {
            let name = Alias::new(name);
            table.col(match column {
                Type::Count => big_integer(name),
                Type::Amount => double_null(name),
                Type::Year => integer_null(name),
            });
        }
        manager.create_table(table.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_flow_total_provider_year")
                    .table(FlowTotal::Table)
                    .col(FlowTotal::ProviderId)
                    .col(FlowTotal::Year)
                    .to_owned(),
            )
            .await?;
        let names: Vec<&str> = MEASURES.iter().map(|(name, _, _)| *name).collect();
        let sums: Vec<&str> = MEASURES.iter().map(|(_, _, sql)| *sql).collect();
        let fill = format!(
            "INSERT INTO flow_total ({KEYS}, {}) SELECT {KEYS}, {} FROM flow \
             WHERE kind <> 'TRADE' AND id NOT IN (SELECT flow_id FROM flow_repeat) GROUP BY {KEYS}",
            names.join(", "),
            sums.join(", ")
        );
        manager.get_connection().execute_unprepared(&fill).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FlowTotal::Table).to_owned()).await
    }
}
