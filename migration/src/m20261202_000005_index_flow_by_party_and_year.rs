//! Covering indexes for the flows of one provider or one recipient: a filter on the party
//! (`provider_id IN (…)`, resolved from country codes) reads the party's flows by year, with
//! their source and amounts, from the index alone, and pages of one party's flows ordered by
//! year stop after the page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 2] =
    [("idx_flow_provider_year_amounts", "provider_id"), ("idx_flow_recipient_year_amounts", "recipient_id")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, party) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new("flow"));
            for column in [party, "year", "source_id", "amount_usd_current", "amount_usd_constant"] {
                index.col(Alias::new(column));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager.drop_index(Index::drop().name(name).table(Alias::new("flow")).to_owned()).await?;
        }
        Ok(())
    }
}
