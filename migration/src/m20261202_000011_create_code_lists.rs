//! IATI code lists beyond sectors (flow, aid and finance types, activity status …) and the
//! codes each flow's source gives it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum CodeListItem {
    Table,
    List,
    Code,
    Name,
    Description,
    Withdrawn,
    SourceId,
}

#[derive(Clone, Copy, DeriveIden)]
enum FlowCode {
    Table,
    FlowId,
    List,
    Code,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let cascade = |from: (FlowCode, FlowCode), to: &str| {
            ForeignKey::create()
                .from(from.0, from.1)
                .to(Alias::new(to), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(CodeListItem::Table)
                    .col(string_len(CodeListItem::List, 40))
                    .col(string_len(CodeListItem::Code, 16))
                    .col(string(CodeListItem::Name))
                    .col(text_null(CodeListItem::Description))
                    .col(boolean(CodeListItem::Withdrawn))
                    .col(integer(CodeListItem::SourceId))
                    .primary_key(Index::create().col(CodeListItem::List).col(CodeListItem::Code))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CodeListItem::Table, CodeListItem::SourceId)
                            .to(Alias::new("source"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FlowCode::Table)
                    .col(integer(FlowCode::FlowId))
                    .col(string_len(FlowCode::List, 40))
                    .col(string_len(FlowCode::Code, 16))
                    .primary_key(Index::create().col(FlowCode::FlowId).col(FlowCode::List))
                    .foreign_key(&mut cascade((FlowCode::Table, FlowCode::FlowId), "flow"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FlowCode::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CodeListItem::Table).to_owned()).await
    }
}
