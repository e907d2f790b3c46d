//! Flows that repeat a flow of another source: the same AidData project published in two
//! datasets (GCOF and China's Public Diplomacy), so that aggregates count it once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum FlowRepeat {
    Table,
    FlowId,
    RepeatOfId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let to_flow = |column: FlowRepeat| {
            ForeignKey::create()
                .from(FlowRepeat::Table, column)
                .to(Alias::new("flow"), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(FlowRepeat::Table)
                    .col(integer(FlowRepeat::FlowId).primary_key())
                    .col(integer(FlowRepeat::RepeatOfId))
                    .foreign_key(&mut to_flow(FlowRepeat::FlowId))
                    .foreign_key(&mut to_flow(FlowRepeat::RepeatOfId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_flow_repeat_of")
                    .table(FlowRepeat::Table)
                    .col(FlowRepeat::RepeatOfId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FlowRepeat::Table).to_owned()).await
    }
}
