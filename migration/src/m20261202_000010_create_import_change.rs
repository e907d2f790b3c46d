//! A newer release replaces a source's records: import runs count the records they delete
//! and log what they inserted, changed and deleted, for `Source.changes(since:)`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum ImportRun {
    Table,
    Id,
    RowsDeleted,
}

#[derive(Clone, Copy, DeriveIden)]
enum ImportChange {
    Table,
    Id,
    RunId,
    SourceId,
    Record,
    Ref,
    Change,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ImportRun::Table)
                    .add_column(integer(ImportRun::RowsDeleted).default(0).to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportChange::Table)
                    .col(pk_auto(ImportChange::Id))
                    .col(integer(ImportChange::RunId))
                    .col(integer(ImportChange::SourceId))
                    .col(string_len(ImportChange::Record, 16))
                    .col(string(ImportChange::Ref))
                    .col(string_len(ImportChange::Change, 16))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportChange::Table, ImportChange::RunId)
                            .to(ImportRun::Table, ImportRun::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportChange::Table, ImportChange::SourceId)
                            .to(Alias::new("source"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_import_change_source")
                    .table(ImportChange::Table)
                    .col(ImportChange::SourceId)
                    .col(ImportChange::RunId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ImportChange::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(ImportRun::Table).drop_column(ImportRun::RowsDeleted).to_owned()).await
    }
}
