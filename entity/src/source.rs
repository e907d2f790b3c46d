//! A published dataset that rows were imported from, with what is needed to cite it.

use sea_orm::entity::prelude::*;

/// One dataset release.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Natural key, for example `aiddata-gcof-1.0`.
    #[sea_orm(unique)]
    pub key: String,
    /// The dataset's title.
    pub title: String,
    /// Who publishes it.
    pub publisher: String,
    /// Where it is published.
    pub url: String,
    /// Its licence, for example `ODC-By 1.0`.
    pub licence: String,
    /// The citation its authors ask for.
    pub citation: String,
    /// The release or version.
    pub version: String,
    /// When the bundled copy was retrieved (ISO date).
    pub retrieved_on: String,
    /// The publisher's guidance on which rows to leave out of totals, in its words (rows it
    /// flags carry `flow.recommended_for_research = false`); none when it gives none.
    pub guidance: Option<String>,
    /// SHA-256 of the imported file(s), hex.
    pub checksum: Option<String>,
    /// When the last import of it committed.
    pub imported_at: Option<DateTimeUtc>,
}

/// Relations of a source.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
