//! Every country's World Bank income group year by year (FY1989 onwards), so that a flow is
//! read against the class in force in its year, not today's.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum CountryIncomeGroup {
    Table,
    CountryId,
    Year,
    IncomeGroup,
    SourceId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let to = |table: &str, column: CountryIncomeGroup| {
            ForeignKey::create()
                .from(CountryIncomeGroup::Table, column)
                .to(Alias::new(table), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(CountryIncomeGroup::Table)
                    .col(integer(CountryIncomeGroup::CountryId))
                    .col(integer(CountryIncomeGroup::Year))
                    .col(string_len(CountryIncomeGroup::IncomeGroup, 32))
                    .col(integer(CountryIncomeGroup::SourceId))
                    .primary_key(Index::create().col(CountryIncomeGroup::CountryId).col(CountryIncomeGroup::Year))
                    .foreign_key(&mut to("country", CountryIncomeGroup::CountryId))
                    .foreign_key(&mut to("source", CountryIncomeGroup::SourceId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CountryIncomeGroup::Table).to_owned()).await
    }
}
