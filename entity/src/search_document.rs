//! The search terms of one flow, agreement or expert, which each database indexes with its
//! own full-text engine (the import writes them; `seed::search` makes the terms).
//!
//! PostgreSQL also holds generated `tsvector` columns (`vector`, `title_vector`) and SQLite
//! an FTS5 table kept in step by triggers; neither is written here, so neither is a field.

use sea_orm::entity::prelude::*;

/// One record's search terms.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_document")]
pub struct Model {
    /// Surrogate id (the FTS5 table's rowid on SQLite).
    #[sea_orm(primary_key)]
    pub id: i32,
    /// What the record is: `flow`, `agreement` or `expert`.
    pub kind: String,
    /// The record's id in its own table.
    pub node_id: i32,
    /// The source the record came from.
    pub source_id: i32,
    /// The title's (or name's) terms, folded and stemmed, separated by spaces.
    pub title_terms: String,
    /// The other texts' terms.
    pub body_terms: String,
    /// Characters in both term lists: the ranking's tiebreak.
    pub size: i32,
}

/// Relations of a search document.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The source of the record.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
