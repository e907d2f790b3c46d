//! The covering index for flow aggregates, with the source: every aggregate groups its
//! partials by source too (so that each group cites its datasets), and reads year,
//! recipient, source and amounts from the index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "idx_flow_year_recipient_amounts";
const NEW: &str = "idx_flow_year_recipient_source_amounts";

fn index(name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new("flow"));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = ["year", "recipient_id", "source_id", "amount_usd_current", "amount_usd_constant"];
        manager.create_index(index(NEW, &columns)).await?;
        manager.drop_index(Index::drop().name(OLD).table(Alias::new("flow")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = ["year", "recipient_id", "amount_usd_current", "amount_usd_constant"];
        manager.create_index(index(OLD, &columns)).await?;
        manager.drop_index(Index::drop().name(NEW).table(Alias::new("flow")).to_owned()).await
    }
}
