//! The version of the data, as every instance on one database sees it.
//!
//! The data only changes when an import run is recorded: a dataset's rows and its
//! `import_run` row commit in one transaction (`seed`'s `run`), and a failed run adds its
//! `import_run` row on its own, which the API shows too. So the version is derived from
//! the committed `import_run` rows, `(how many, largest id)`: the count grows with every
//! run, whichever order concurrent runs commit in, and the pair is the same for every
//! instance and across restarts. No table or seed code of its own is needed.
//!
//! A server keeps the version in memory ([`DataVersion::current`] reads an atomic), polls
//! it every second or so, and refreshes it at once after its own imports, so that
//! answering from cache needs no database access.

use std::{
    sync::{
        Arc, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use entity::import_run;
use sea_orm::{
    DatabaseConnection, DbErr, EntityTrait, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

/// Not read yet.
const UNKNOWN: u64 = u64::MAX;

/// The data version of one database, shared by the handlers of one server.
#[derive(Clone)]
pub struct DataVersion(Arc<AtomicU64>);

impl Default for DataVersion {
    fn default() -> Self {
        Self(Arc::new(AtomicU64::new(UNKNOWN)))
    }
}

impl std::fmt::Debug for DataVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DataVersion").field(&self.current()).finish()
    }
}

impl DataVersion {
    /// The version last read, if any: the count of import runs in the high 32 bits and the
    /// largest run id in the low 32 (both are `i32` in the database, so nothing is lost).
    pub fn current(&self) -> Option<u64> {
        Some(self.0.load(Ordering::Acquire)).filter(|version| *version != UNKNOWN)
    }

    /// Reads the version from the database and keeps it.
    pub async fn refresh(&self, db: &DatabaseConnection) -> Result<u64, DbErr> {
        let (runs, latest): (i64, Option<i32>) = import_run::Entity::find()
            .select_only()
            .column_as(Expr::col(import_run::Column::Id).count(), "runs")
            .column_as(Expr::col(import_run::Column::Id).max(), "latest")
            .into_tuple()
            .one(db)
            .await?
            .unwrap_or((0, None));
        let low = u64::from(latest.unwrap_or(0).unsigned_abs());
        let version = (u64::try_from(runs).unwrap_or(0) << 32) | low;
        let previous = self.0.swap(version, Ordering::AcqRel);
        if previous != version && previous != UNKNOWN {
            tracing::info!(version, "the data changed: cached responses are out of date");
        }
        Ok(version)
    }

    /// Refreshes the version every `every`, from `every` on (until then the first request
    /// that needs it reads it), while anything else holds this one. A failed read keeps the
    /// last version (the database may be down for a moment).
    pub fn watch(&self, db: DatabaseConnection, every: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak: Weak<AtomicU64> = Arc::downgrade(&self.0);
        runtime.spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(shared) = weak.upgrade() else {
                    return;
                };
                if let Err(err) = DataVersion(shared).refresh(&db).await {
                    tracing::debug!(%err, "cannot read the data version");
                }
            }
        });
    }
}
