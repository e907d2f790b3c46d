//! Every country's ISO 3166-1 numeric code: M49 leaves Taiwan out, ISO gives it 158, and
//! maps (world-atlas) and treaty lists (DESTA) key countries by it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("country"))
                    .add_column(ColumnDef::new(Alias::new("iso_numeric")).string().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Alias::new("country")).drop_column(Alias::new("iso_numeric")).to_owned())
            .await
    }
}
