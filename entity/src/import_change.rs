//! A record that an import run inserted, changed or deleted.

use sea_orm::entity::prelude::*;

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_change")]
pub struct Model {
    /// Surrogate key, in the order the changes were made.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The run that made the change.
    pub run_id: i32,
    /// The source of the record.
    pub source_id: i32,
    /// What kind of record: `FLOW`, `AGREEMENT` or `EXPERT`.
    pub record: String,
    /// The record's reference in its source.
    pub r#ref: String,
    /// `INSERTED`, `UPDATED` or `DELETED`.
    pub change: String,
}

/// Relations of a change.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The run.
    #[sea_orm(belongs_to = "super::import_run::Entity", from = "Column::RunId", to = "super::import_run::Column::Id")]
    ImportRun,
    /// The source.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
