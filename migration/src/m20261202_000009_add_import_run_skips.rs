//! Import runs tell rows left out by design from rows skipped for errors and from
//! references left unmatched, and count each reason.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum ImportRun {
    Table,
    RowsLeftOut,
    ReferencesUnmatched,
    SkipReasons,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            integer(ImportRun::RowsLeftOut).default(0).to_owned(),
            integer(ImportRun::ReferencesUnmatched).default(0).to_owned(),
            text_null(ImportRun::SkipReasons).to_owned(),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(ImportRun::Table).add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ImportRun::RowsLeftOut, ImportRun::ReferencesUnmatched, ImportRun::SkipReasons] {
            manager.alter_table(Table::alter().table(ImportRun::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
