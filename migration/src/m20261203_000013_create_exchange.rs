//! Exchanges: country-year counts of visits, students, Confucius institutes, sister cities
//! and media partnerships between a provider's public diplomacy and a partner country
//! (AidData's China's Public Diplomacy dataset), the knowledge sharing that flows of money
//! do not show.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum Exchange {
    Table,
    Id,
    SourceId,
    Ref,
    ProviderId,
    PartnerId,
    Year,
    Kind,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let to = |table: &str, column: Exchange| {
            ForeignKey::create()
                .from(Exchange::Table, column)
                .to(Alias::new(table), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(Exchange::Table)
                    .col(pk_auto(Exchange::Id))
                    .col(integer(Exchange::SourceId))
                    .col(string_len(Exchange::Ref, 255))
                    .col(integer(Exchange::ProviderId))
                    .col(integer(Exchange::PartnerId))
                    .col(integer(Exchange::Year))
                    .col(string_len(Exchange::Kind, 64))
                    .col(integer(Exchange::Count))
                    .foreign_key(&mut to("source", Exchange::SourceId))
                    .foreign_key(&mut to("country", Exchange::ProviderId))
                    .foreign_key(&mut to("country", Exchange::PartnerId))
                    .to_owned(),
            )
            .await?;
        let index = |name: &str, columns: &[Exchange], unique: bool| {
            let mut index = Index::create();
            index.name(name).table(Exchange::Table);
            for column in columns {
                index.col(*column);
            }
            if unique {
                index.unique();
            }
            index.to_owned()
        };
        manager.create_index(index("idx_exchange_source_ref", &[Exchange::SourceId, Exchange::Ref], true)).await?;
        manager.create_index(index("idx_exchange_partner_year", &[Exchange::PartnerId, Exchange::Year], false)).await?;
        manager.create_index(index("idx_exchange_provider_year", &[Exchange::ProviderId, Exchange::Year], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Exchange::Table).to_owned()).await
    }
}
