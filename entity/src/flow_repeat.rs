//! A flow that repeats a flow of another source (the same project in two datasets).

use sea_orm::entity::prelude::*;

/// One repeated flow.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flow_repeat")]
pub struct Model {
    /// The flow that repeats another.
    #[sea_orm(primary_key, auto_increment = false)]
    pub flow_id: i32,
    /// The flow it repeats, in the source imported first.
    pub repeat_of_id: i32,
}

/// Relations of a repeated flow.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The flow that repeats.
    #[sea_orm(belongs_to = "super::flow::Entity", from = "Column::FlowId", to = "super::flow::Column::Id")]
    Flow,
    /// The flow repeated.
    #[sea_orm(belongs_to = "super::flow::Entity", from = "Column::RepeatOfId", to = "super::flow::Column::Id")]
    RepeatOf,
}

impl ActiveModelBehavior for ActiveModel {}
