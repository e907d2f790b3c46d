//! Publishers' guidance on which rows to leave out of totals: the words in `source`, and
//! the covering indexes of flow aggregates hold the flag that aggregates read
//! (`recommended_for_research`), before the id, so that they stay index-only on
//! PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each covering index: its name without and with the flag, and its columns before the
/// amounts.
const INDEXES: [(&str, &str, [&str; 3]); 3] = [
    (
        "idx_flow_provider_year_amounts_id",
        "idx_flow_provider_year_amounts_flag_id",
        ["provider_id", "year", "source_id"],
    ),
    (
        "idx_flow_recipient_year_amounts_id",
        "idx_flow_recipient_year_amounts_flag_id",
        ["recipient_id", "year", "source_id"],
    ),
    (
        "idx_flow_year_recipient_source_amounts_id",
        "idx_flow_year_recipient_source_amounts_flag_id",
        ["year", "recipient_id", "source_id"],
    ),
];

/// Creates the indexes with the flag (or without), then drops the others.
async fn recreate(manager: &SchemaManager<'_>, with_flag: bool) -> Result<(), DbErr> {
    for (without, with, keys) in INDEXES {
        let (create, drop) = if with_flag { (with, without) } else { (without, with) };
        let mut index = Index::create();
        index.name(create).table(Alias::new("flow"));
        let amounts = ["amount_usd_current", "amount_usd_constant"];
        for column in keys.iter().chain(&amounts).chain(with_flag.then_some(&"recommended_for_research")) {
            index.col(Alias::new(*column));
        }
        index.col(Alias::new("id"));
        manager.create_index(index).await?;
        manager.drop_index(Index::drop().name(drop).table(Alias::new("flow")).to_owned()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("source"))
                    .add_column(ColumnDef::new(Alias::new("guidance")).text().null())
                    .to_owned(),
            )
            .await?;
        recreate(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        recreate(manager, false).await?;
        manager
            .alter_table(Table::alter().table(Alias::new("source")).drop_column(Alias::new("guidance")).to_owned())
            .await
    }
}
