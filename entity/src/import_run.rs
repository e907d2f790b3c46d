//! A record of one import of a dataset file.

use super::ImportStatus;
use sea_orm::entity::prelude::*;

/// One import run.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_run")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The dataset imported.
    pub source_id: i32,
    /// The file imported.
    pub file: String,
    /// When the run started.
    pub started_at: DateTimeUtc,
    /// When it finished.
    pub finished_at: DateTimeUtc,
    /// How it ended.
    pub status: ImportStatus,
    /// Data rows read from the file.
    pub rows_read: i32,
    /// Rows inserted.
    pub rows_inserted: i32,
    /// Rows updated.
    pub rows_updated: i32,
    /// Records deleted: those of the source that a newer release no longer has.
    pub rows_deleted: i32,
    /// Rows skipped for errors: a bad field, a key no table resolves (reported).
    pub rows_skipped: i32,
    /// Rows left out by the loader's rules (reported).
    pub rows_left_out: i32,
    /// References inside imported rows that no table resolves (reported).
    pub references_unmatched: i32,
    /// What was not imported, one reason a line: `kind<TAB>count<TAB>reason`, the kind
    /// being `by design`, `error` or `unmatched`.
    #[sea_orm(column_type = "Text", nullable)]
    pub skip_reasons: Option<String>,
    /// What went wrong or was skipped, one message a line.
    pub messages: Option<String>,
}

/// Relations of an import run.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The dataset imported.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
