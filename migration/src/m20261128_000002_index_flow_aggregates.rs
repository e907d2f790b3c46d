//! A covering index for flow aggregates: grouping by year and recipient (the most common
//! chart) reads the amounts from the index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_flow_year_recipient_amounts";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Alias::new("flow"))
                    .col(Alias::new("year"))
                    .col(Alias::new("recipient_id"))
                    .col(Alias::new("amount_usd_current"))
                    .col(Alias::new("amount_usd_constant"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(Alias::new("flow")).to_owned()).await
    }
}
