//! Indexes for one party's flows, latest or largest first: a nested page such as China's
//! `flowsProvided(orderBy: {field: YEAR, direction: DESC}, first: 5)` reads its five rows
//! from the index instead of sorting all of China's flows.
//!
//! The lists sort descending with nulls last, then by id ascending. PostgreSQL sorts nulls
//! as the largest values, so its index says `DESC NULLS LAST`; SQLite sorts them as the
//! smallest, so a plain `DESC` already puts them last (and takes no `NULLS` clause in an
//! index). Ascending pages use the covering indexes of migration 17, which hold the
//! party's flows by year (PostgreSQL then sorts each year's rows by id, stopping at the
//! page).

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The parties whose flows are listed, and the keys their pages sort by.
const PARTIES: [&str; 2] = ["provider_id", "recipient_id"];
const KEYS: [&str; 3] = ["year", "amount_usd_current", "amount_usd_constant"];

fn name(party: &str, key: &str) -> String {
    format!("idx_flow_{}_{key}_desc", party.trim_end_matches("_id"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let descending = match manager.get_database_backend() {
            DbBackend::Postgres => "DESC NULLS LAST",
            _ => "DESC",
        };
        for party in PARTIES {
            for key in KEYS {
                let name = name(party, key);
                let sql = format!("CREATE INDEX \"{name}\" ON \"flow\" (\"{party}\", \"{key}\" {descending}, \"id\")");
                manager.get_connection().execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for party in PARTIES {
            for key in KEYS {
                manager.drop_index(Index::drop().name(name(party, key)).table(Alias::new("flow")).to_owned()).await?;
            }
        }
        Ok(())
    }
}
