//! A code its source gives a flow, from an IATI code list.

use sea_orm::entity::prelude::*;

/// One code of one flow.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flow_code")]
pub struct Model {
    /// The flow.
    #[sea_orm(primary_key, auto_increment = false)]
    pub flow_id: i32,
    /// The code list's IATI name (`AidType`, `ActivityStatus` …).
    #[sea_orm(primary_key, auto_increment = false)]
    pub list: String,
    /// The code.
    pub code: String,
}

/// Relations of a flow's code.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The flow.
    #[sea_orm(belongs_to = "super::flow::Entity", from = "Column::FlowId", to = "super::flow::Column::Id")]
    Flow,
}

impl ActiveModelBehavior for ActiveModel {}

impl Related<super::code_list_item::Entity> for Entity {
    fn to() -> RelationDef {
        Entity::belongs_to(super::code_list_item::Entity)
            .from((Column::List, Column::Code))
            .to((super::code_list_item::Column::List, super::code_list_item::Column::Code))
            .into()
    }
}
