//! Fresh databases for the integration tests: in-memory SQLite always, and PostgreSQL when
//! `SOUTHGRAPH_TEST_POSTGRES_URL` is set (a new database per test, dropped afterwards).
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait};
use std::sync::atomic::{AtomicU32, Ordering};

/// A migrated database and, for PostgreSQL, what is needed to drop it.
pub struct TestDb {
    pub db: DatabaseConnection,
    cleanup: Option<(DatabaseConnection, String)>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        Self { db, cleanup: None }
    }

    /// `None` when `SOUTHGRAPH_TEST_POSTGRES_URL` is not set, saying that the test is
    /// skipped, so that a run without PostgreSQL does not pass for one with it.
    pub async fn postgres() -> Option<Self> {
        let Some(url) = std::env::var("SOUTHGRAPH_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty()) else {
            eprintln!("skipped: SOUTHGRAPH_TEST_POSTGRES_URL not set, so this PostgreSQL twin did not run");
            return None;
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let name = format!("seed_test_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed));
        let admin = Database::connect(&url).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        let db = Database::connect(format!("{base}/{name}")).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        Some(Self { db, cleanup: Some((admin, name)) })
    }

    pub async fn finish(self) {
        self.db.close().await.unwrap();
        if let Some((admin, name)) = self.cleanup {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
        }
    }
}

/// Runs `$check(&db)` as two tests: on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! on_both_databases {
    ($sqlite:ident, $postgres:ident, $check:path) => {
        #[tokio::test]
        async fn $sqlite() {
            let test = common::TestDb::sqlite().await;
            $check(&test.db).await;
            test.finish().await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(test) = common::TestDb::postgres().await else {
                return;
            };
            $check(&test.db).await;
            test.finish().await;
        }
    };
}

/// Rows in a table.
pub async fn count<E>(db: &DatabaseConnection) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(db).await.unwrap()
}

/// Row counts of every data table, to compare before and after.
pub async fn data_counts(db: &DatabaseConnection) -> Vec<u64> {
    use entity::*;
    vec![
        count::<country::Entity>(db).await,
        count::<bloc::Entity>(db).await,
        count::<bloc_member::Entity>(db).await,
        count::<sector::Entity>(db).await,
        count::<flow::Entity>(db).await,
        count::<expert::Entity>(db).await,
        count::<expert_sector::Entity>(db).await,
        count::<deployment::Entity>(db).await,
        count::<agreement::Entity>(db).await,
        count::<agreement_party::Entity>(db).await,
    ]
}

/// A path under /work/shared/datasets, where the original files are.
pub fn dataset_path(relative: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(relative)
}

/// Decompresses a bundled file (independently of the crate) for the tests' own counts.
pub fn bundled_bytes(file: &str) -> Vec<u8> {
    use std::io::Read;
    let gzip = std::fs::read(dataset_path(file)).unwrap();
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(gzip.as_slice()).read_to_end(&mut bytes).unwrap();
    bytes
}
