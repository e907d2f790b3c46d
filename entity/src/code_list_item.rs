//! An item of an IATI code list (flow type, aid type, finance type, activity status …).

use sea_orm::entity::prelude::*;

/// One code of one list.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "code_list_item")]
pub struct Model {
    /// The list's IATI name (`AidType`, `FinanceType` …).
    #[sea_orm(primary_key, auto_increment = false)]
    pub list: String,
    /// The code (`A01`, `110` …).
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Its English name.
    pub name: String,
    /// Its English description.
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Whether IATI has withdrawn it.
    pub withdrawn: bool,
    /// The dataset the list came from.
    pub source_id: i32,
}

/// Relations of a code.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The dataset the list came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
