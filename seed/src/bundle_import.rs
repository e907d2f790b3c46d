//! The record of imports of the whole bundle (`bundle_import`), and what it says about the
//! database: whether it holds all of this binary's bundled data.
//!
//! [`crate::import_bundled`] commits dataset by dataset, so an import that is interrupted
//! (a crash, `kill -9`, a full disk) leaves the datasets before it committed and the rest
//! missing: a partial graph that looks healthy. Each import of the bundle therefore writes
//! a `RUNNING` row before its first dataset and marks it `SUCCEEDED` only after the last
//! one committed (`FAILED`, with the reason, when one fails). The database holds the
//! complete bundle exactly when the latest row is a success for this binary's bundle.

use chrono::{DateTime, Utc};
use entity::{BundleImportStatus, bundle_import};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};

use crate::{ImportError, bundle};

/// What the database holds of the bundled open data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleState {
    /// This binary's bundle was fully imported: the latest import of a bundle succeeded,
    /// and it was this one.
    Complete,
    /// Nothing was ever imported: no import of the bundle is recorded and there are no
    /// countries.
    Empty,
    /// Data is present, but no import of the bundle is recorded: the database was filled
    /// before such records were kept, or dataset by dataset with `southgraph import`.
    Unrecorded,
    /// The latest import of the bundle started and never finished: it was interrupted
    /// (crash, kill, power loss), or it is still running in another process.
    Unfinished {
        /// When it started.
        started_at: DateTime<Utc>,
    },
    /// The latest import of the bundle failed; the datasets before the failing one may have
    /// committed.
    Failed {
        /// When it started.
        started_at: DateTime<Utc>,
        /// Why it failed.
        error: String,
    },
    /// The latest import succeeded, but for another bundle (an earlier or later release of
    /// southgraph with other data).
    Outdated,
}

impl BundleState {
    /// Whether the database holds all of this binary's bundled data.
    pub fn is_complete(&self) -> bool {
        *self == Self::Complete
    }
}

impl std::fmt::Display for BundleState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Complete => formatter.write_str("the bundled open data is fully imported"),
            Self::Empty => formatter.write_str("the database holds no data yet"),
            Self::Unrecorded => formatter.write_str(
                "the database holds data but no record of a complete import of the bundled open data \
                 (imported before such records were kept, or dataset by dataset)",
            ),
            Self::Unfinished { started_at } => write!(
                formatter,
                "the import of the bundled open data started at {started_at} did not finish (interrupted, or still \
                 running in another process)"
            ),
            Self::Failed { started_at, error } => {
                write!(formatter, "the import of the bundled open data started at {started_at} failed: {error}")
            }
            Self::Outdated => formatter.write_str("the database holds another release of the bundled open data"),
        }
    }
}

/// SHA-256 (hex) of the bundled files: the bundle this binary carries, as recorded in
/// `bundle_import.checksum`.
pub fn bundle_checksum() -> &'static str {
    bundle::checksum()
}

/// What the database holds of this binary's bundled data (see [`BundleState`]).
pub async fn bundle_state(db: &DatabaseConnection) -> Result<BundleState, DbErr> {
    let latest = bundle_import::Entity::find().order_by_desc(bundle_import::Column::Id).one(db).await?;
    let Some(latest) = latest else {
        let countries = entity::country::Entity::find().count(db).await?;
        return Ok(if countries == 0 { BundleState::Empty } else { BundleState::Unrecorded });
    };
    Ok(match latest.status {
        BundleImportStatus::Succeeded if latest.checksum == bundle_checksum() => BundleState::Complete,
        BundleImportStatus::Succeeded => BundleState::Outdated,
        BundleImportStatus::Running => BundleState::Unfinished { started_at: latest.started_at },
        BundleImportStatus::Failed => {
            BundleState::Failed { started_at: latest.started_at, error: latest.error.unwrap_or_default() }
        }
    })
}

/// Whether the database holds all of this binary's bundled data: the latest import of
/// the bundle succeeded, and it was this bundle.
pub async fn bundle_complete(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(bundle_state(db).await?.is_complete())
}

/// Records that an import of the bundle starts; returns the row's id.
pub(crate) async fn start(db: &DatabaseConnection) -> Result<i32, DbErr> {
    let row = bundle_import::ActiveModel {
        checksum: Set(bundle_checksum().to_owned()),
        seed_version: Set(env!("CARGO_PKG_VERSION").to_owned()),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
        status: Set(BundleImportStatus::Running),
        error: Set(None),
        ..Default::default()
    };
    Ok(bundle_import::Entity::insert(row).exec(db).await?.last_insert_id)
}

/// Records that the import `id` succeeded: every bundled dataset committed.
pub(crate) async fn succeed(db: &DatabaseConnection, id: i32) -> Result<(), DbErr> {
    finish(db, id, BundleImportStatus::Succeeded, None).await
}

/// Records that the import `id` failed with `error`. A failure to record it is logged:
/// `error` stays what the caller reports.
pub(crate) async fn fail(db: &DatabaseConnection, id: i32, error: &ImportError) {
    if let Err(db_error) = finish(db, id, BundleImportStatus::Failed, Some(error.to_string())).await {
        let db_error = crate::storage::explain(db, db_error.into());
        tracing::error!(%error, %db_error, "could not record the failed import of the bundle");
    }
}

async fn finish(
    db: &DatabaseConnection,
    id: i32,
    status: BundleImportStatus,
    error: Option<String>,
) -> Result<(), DbErr> {
    bundle_import::Entity::update_many()
        .col_expr(bundle_import::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(bundle_import::Column::Status, Expr::value(status))
        .col_expr(bundle_import::Column::Error, Expr::value(error))
        .filter(bundle_import::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
