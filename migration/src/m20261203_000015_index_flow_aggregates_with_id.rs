//! The flow aggregates' covering indexes end with the flow's id: aggregates leave out the
//! flows that repeat another source's (`flow.id NOT IN (SELECT flow_id FROM flow_repeat)`),
//! and PostgreSQL answers them from the index alone only when the index holds the id
//! (SQLite's indexes hold it anyway, as the rowid).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each covering index: its name, without and with the id, and its columns before the
/// amounts.
const INDEXES: [(&str, &str, [&str; 3]); 3] = [
    ("idx_flow_provider_year_amounts", "idx_flow_provider_year_amounts_id", ["provider_id", "year", "source_id"]),
    ("idx_flow_recipient_year_amounts", "idx_flow_recipient_year_amounts_id", ["recipient_id", "year", "source_id"]),
    (
        "idx_flow_year_recipient_source_amounts",
        "idx_flow_year_recipient_source_amounts_id",
        ["year", "recipient_id", "source_id"],
    ),
];

/// Creates the indexes with the id (or without), then drops the others, as migration 4 did.
async fn recreate(manager: &SchemaManager<'_>, with_id: bool) -> Result<(), DbErr> {
    for (without, with, keys) in INDEXES {
        let (create, drop) = if with_id { (with, without) } else { (without, with) };
        let mut index = Index::create();
        index.name(create).table(Alias::new("flow"));
        let amounts = ["amount_usd_current", "amount_usd_constant"];
        for column in keys.iter().chain(&amounts).chain(with_id.then_some(&"id")) {
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
        recreate(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate(manager, false).await
    }
}
