//! Blocs as parties to agreements: UNCTAD lists the European Union, EFTA, MERCOSUR and
//! other groups as parties in their own right, beside countries.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum AgreementBlocParty {
    Table,
    AgreementId,
    BlocId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let to = |table: &str, column: AgreementBlocParty| {
            ForeignKey::create()
                .from(AgreementBlocParty::Table, column)
                .to(Alias::new(table), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(AgreementBlocParty::Table)
                    .col(integer(AgreementBlocParty::AgreementId))
                    .col(integer(AgreementBlocParty::BlocId))
                    .primary_key(Index::create().col(AgreementBlocParty::AgreementId).col(AgreementBlocParty::BlocId))
                    .foreign_key(&mut to("agreement", AgreementBlocParty::AgreementId))
                    .foreign_key(&mut to("bloc", AgreementBlocParty::BlocId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_agreement_bloc_party_bloc")
                    .table(AgreementBlocParty::Table)
                    .col(AgreementBlocParty::BlocId)
                    .col(AgreementBlocParty::AgreementId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AgreementBlocParty::Table).to_owned()).await
    }
}
