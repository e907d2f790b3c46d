//! `Source.changes(since:)` pages a source's changes in the order they were made: an index
//! on (source, id) serves the order and the cursor.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_import_change_source_id")
                    .table(Alias::new("import_change"))
                    .col(Alias::new("source_id"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_import_change_source_id").table(Alias::new("import_change")).to_owned())
            .await
    }
}
