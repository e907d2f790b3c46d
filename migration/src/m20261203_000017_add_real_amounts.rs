//! Real dollars: the CPI-U series (`price_index`), each flow's amount in 1982–84 prices
//! (`flow.amount_usd_real`, set by the import), and covering indexes for flow aggregates
//! that hold it, the constant amounts' base year and the kind, so that aggregates stay
//! index-only on PostgreSQL while they sum real dollars, check that constant ones share a
//! base and count one kind family.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each covering index: its name before and after, and its columns before the measures.
const INDEXES: [(&str, &str, [&str; 3]); 3] = [
    (
        "idx_flow_provider_year_amounts_flag_id",
        "idx_flow_provider_year_measures_id",
        ["provider_id", "year", "source_id"],
    ),
    (
        "idx_flow_recipient_year_amounts_flag_id",
        "idx_flow_recipient_year_measures_id",
        ["recipient_id", "year", "source_id"],
    ),
    (
        "idx_flow_year_recipient_source_amounts_flag_id",
        "idx_flow_year_recipient_source_measures_id",
        ["year", "recipient_id", "source_id"],
    ),
];

/// Creates the indexes with the real amount and base year (or without), then drops the
/// others.
async fn recreate(manager: &SchemaManager<'_>, with_real: bool) -> Result<(), DbErr> {
    for (before, after, keys) in INDEXES {
        let (create, drop) = if with_real { (after, before) } else { (before, after) };
        let mut index = Index::create();
        index.name(create).table(Alias::new("flow"));
        let measures: &[&str] = if with_real {
            &["kind", "amount_usd_current", "amount_usd_constant", "constant_base_year", "amount_usd_real"]
        } else {
            &["amount_usd_current", "amount_usd_constant"]
        };
        for column in keys.iter().chain(measures).chain(&["recommended_for_research", "id"]) {
            index.col(Alias::new(*column));
        }
        manager.create_index(index).await?;
        manager.drop_index(Index::drop().name(drop).table(Alias::new("flow")).to_owned()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("price_index"))
                    .col(ColumnDef::new(Alias::new("year")).integer().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("cpi_u")).double().not_null())
                    .col(ColumnDef::new(Alias::new("source_id")).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Alias::new("price_index"), Alias::new("source_id"))
                            .to(Alias::new("source"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("flow"))
                    .add_column(ColumnDef::new(Alias::new("amount_usd_real")).double().null())
                    .to_owned(),
            )
            .await?;
        recreate(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate(manager, false).await?;
        manager
            .alter_table(Table::alter().table(Alias::new("flow")).drop_column(Alias::new("amount_usd_real")).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(Alias::new("price_index")).to_owned()).await
    }
}
