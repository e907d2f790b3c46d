//! A record of one import of the whole bundled open data.
//!
//! The server imports the bundle on its first start, dataset by dataset, each in its own
//! transaction. A row here is written when such an import starts (`RUNNING`) and finished
//! only after the last dataset committed (`SUCCEEDED`) or when one failed (`FAILED`, with
//! the reason), so that a row still `RUNNING` tells of an import that was interrupted.

use super::BundleImportStatus;
use sea_orm::entity::prelude::*;

/// One import of the bundle.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bundle_import")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// SHA-256 of the bundled files (names and bytes), hex: which bundle was imported.
    pub checksum: String,
    /// Version of the seed crate that imported it.
    pub seed_version: String,
    /// When the import started.
    pub started_at: DateTimeUtc,
    /// When it succeeded or failed; empty while it runs, or if it was interrupted.
    pub finished_at: Option<DateTimeUtc>,
    /// Where it stands.
    pub status: BundleImportStatus,
    /// Why it failed.
    pub error: Option<String>,
}

/// Relations of a bundle import (none).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
