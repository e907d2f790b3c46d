//! PostgreSQL's search index takes new entries into its pending list again
//! (`fastupdate = on`), and the import merges that list into the index at its end
//! (`gin_clean_pending_list`, in `seed::search`): one sorted bulk insert per import instead
//! of an index insert per term of every record, which made the search index cost the
//! import more than it costs the whole rest of it.
//!
//! Migration 19 turned the pending list off because a list left unmerged after an import
//! made the planner scan the table instead (16 ms against 0.2 ms); merging it before the
//! import commits keeps that fixed. SQLite's FTS5 index is not concerned.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The GIN index of migration 19.
const INDEX: &str = "idx_search_document_vector";

async fn set_fastupdate(manager: &SchemaManager<'_>, on: bool) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let value = if on { "on" } else { "off" };
    let sql = format!("ALTER INDEX \"{INDEX}\" SET (fastupdate = {value})");
    manager.get_connection().execute_unprepared(&sql).await.map(drop)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_fastupdate(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_fastupdate(manager, false).await
    }
}
