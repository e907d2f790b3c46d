//! `bundle_import`: one row per import of the whole bundled open data, so that a start can
//! tell a complete bundle from one whose first import was interrupted (crash, kill, full
//! disk) and left a partial graph behind.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum BundleImport {
    Table,
    Id,
    Checksum,
    SeedVersion,
    StartedAt,
    FinishedAt,
    Status,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BundleImport::Table)
                    .col(pk_auto(BundleImport::Id))
                    .col(string_len(BundleImport::Checksum, 64))
                    .col(string_len(BundleImport::SeedVersion, 32))
                    .col(timestamp_with_time_zone(BundleImport::StartedAt))
                    .col(timestamp_with_time_zone_null(BundleImport::FinishedAt))
                    .col(string_len(BundleImport::Status, 16))
                    .col(text_null(BundleImport::Error))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BundleImport::Table).to_owned()).await
    }
}
