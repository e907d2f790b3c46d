//! The record of imports of the whole bundle: what `bundle_state` says at each step of a
//! first import, that an interrupted import leaves the bundle incomplete and a second one
//! completes it, and (SQLite) that a full disk and a read-only database fail with a message
//! naming the file, leave nothing partial behind and are recorded.

#![allow(clippy::unwrap_used)]

mod common;

use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use chrono::Utc;
use common::{TestDb, count, data_counts};
use entity::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use seed::{
    BundleState, Dataset, ImportError, ImportOptions, NoProgress, Progress, RunReport, StorageError, StorageFault,
    bundle_checksum, bundle_complete, bundle_state, import_bundled, import_bundled_dataset,
};

async fn record(db: &DatabaseConnection, checksum: &str, status: BundleImportStatus, error: Option<&str>) {
    let row = bundle_import::ActiveModel {
        checksum: Set(checksum.to_owned()),
        seed_version: Set("test".to_owned()),
        started_at: Set(Utc::now()),
        finished_at: Set((status != BundleImportStatus::Running).then(Utc::now)),
        status: Set(status),
        error: Set(error.map(str::to_owned)),
        ..Default::default()
    };
    bundle_import::Entity::insert(row).exec(db).await.unwrap();
}

/// Every state, from the rows alone: only the latest import counts, and only a success for
/// this binary's bundle is complete.
async fn states_follow_the_latest_import(db: &DatabaseConnection) {
    assert_eq!(bundle_state(db).await.unwrap(), BundleState::Empty);
    assert!(!bundle_complete(db).await.unwrap());

    import_bundled_dataset(db, Dataset::CountryCodes, &ImportOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(bundle_state(db).await.unwrap(), BundleState::Unrecorded, "countries, but no record");

    record(db, bundle_checksum(), BundleImportStatus::Running, None).await;
    assert!(matches!(bundle_state(db).await.unwrap(), BundleState::Unfinished { .. }));

    record(db, bundle_checksum(), BundleImportStatus::Failed, Some("the disk holding x is full")).await;
    let BundleState::Failed { error, .. } = bundle_state(db).await.unwrap() else { panic!("not failed") };
    assert_eq!(error, "the disk holding x is full");

    record(db, &"0".repeat(64), BundleImportStatus::Succeeded, None).await;
    assert_eq!(bundle_state(db).await.unwrap(), BundleState::Outdated);

    record(db, bundle_checksum(), BundleImportStatus::Succeeded, None).await;
    assert_eq!(bundle_state(db).await.unwrap(), BundleState::Complete);
    assert!(bundle_complete(db).await.unwrap());

    // A later import that did not finish makes the bundle incomplete again.
    record(db, bundle_checksum(), BundleImportStatus::Running, None).await;
    assert!(!bundle_complete(db).await.unwrap());
}
on_both_databases!(states_sqlite, states_postgres, states_follow_the_latest_import);

/// A progress that panics when the `after`-th dataset starts writing: the process dies
/// inside that dataset's transaction, as with a crash or `kill -9`.
struct CrashAt {
    after: usize,
    started: AtomicUsize,
    names: std::sync::Mutex<Vec<String>>,
}

impl Progress for CrashAt {
    fn start(&self, dataset: &str, _total_rows: u64) {
        let mut names = self.names.lock().unwrap();
        if names.last().map(String::as_str) != Some(dataset) {
            names.push(dataset.to_owned());
            assert!(self.started.fetch_add(1, Ordering::SeqCst) < self.after, "crash inside {dataset}");
        }
    }
    fn advance(&self, _rows: u64) {}
    fn finish(&self, _report: &RunReport) {}
}

/// An import that dies inside its fifth dataset leaves four committed, the fifth rolled
/// back and the bundle incomplete; importing again completes it, with the counts of a
/// clean import.
async fn an_interrupted_import_is_completed_by_the_next(db: &DatabaseConnection, clean: &DatabaseConnection) {
    let crashing = db.clone();
    let crash = tokio::spawn(async move {
        let progress = CrashAt { after: 4, started: AtomicUsize::new(0), names: Default::default() };
        import_bundled(&crashing, &progress).await
    })
    .await;
    assert!(crash.unwrap_err().is_panic());

    assert!(matches!(bundle_state(db).await.unwrap(), BundleState::Unfinished { .. }));
    assert!(count::<country::Entity>(db).await > 0, "the first datasets committed");
    // The fifth dataset (AidData GCOF) was rolled back with its transaction.
    assert_eq!(Dataset::BUNDLED[4], Dataset::Gcof);
    assert_eq!(count::<flow::Entity>(db).await, 0);
    assert!(!seed::is_empty(db).await.unwrap(), "what the server used to check: it would have served this");

    import_bundled(db, &NoProgress).await.unwrap();
    assert_eq!(bundle_state(db).await.unwrap(), BundleState::Complete);
    let rows = bundle_import::Entity::find().order_by_asc(bundle_import::Column::Id).all(db).await.unwrap();
    let statuses: Vec<_> = rows.iter().map(|row| row.status).collect();
    assert_eq!(statuses, [BundleImportStatus::Running, BundleImportStatus::Succeeded]);
    assert!(rows[0].finished_at.is_none() && rows[1].finished_at.is_some());
    assert_eq!(rows[1].checksum, bundle_checksum());

    import_bundled(clean, &NoProgress).await.unwrap();
    assert_eq!(data_counts(db).await, data_counts(clean).await);
    assert_eq!(count::<source::Entity>(db).await, count::<source::Entity>(clean).await);
}

#[tokio::test]
async fn interrupted_sqlite() {
    let (test, clean) = (TestDb::sqlite().await, TestDb::sqlite().await);
    an_interrupted_import_is_completed_by_the_next(&test.db, &clean.db).await;
    test.finish().await;
    clean.finish().await;
}

#[tokio::test]
async fn interrupted_postgres() {
    let (Some(test), Some(clean)) = (TestDb::postgres().await, TestDb::postgres().await) else {
        return;
    };
    an_interrupted_import_is_completed_by_the_next(&test.db, &clean.db).await;
    test.finish().await;
    clean.finish().await;
}

/// A SQLite file in a directory of its own, removed afterwards.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("seed-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.db"));
        Self { dir, path }
    }

    /// Connects as the server does (WAL), with `max_page_count` when given.
    async fn connect(&self, mode: &str, max_page_count: Option<u64>) -> DatabaseConnection {
        let mut options = ConnectOptions::new(format!("sqlite://{}?mode={mode}", self.path.display()));
        options.max_connections(4).acquire_timeout(Duration::from_secs(30)).sqlx_logging(false).map_sqlx_sqlite_opts(
            move |opts| {
                let opts = opts
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30));
                match max_page_count {
                    Some(pages) => opts.pragma("max_page_count", pages.to_string()),
                    None => opts,
                }
            },
        );
        Database::connect(options).await.unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

async fn page_count(db: &DatabaseConnection) -> u64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "PRAGMA page_count"))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap() as u64
}

async fn source_id(db: &DatabaseConnection, key: &str) -> i32 {
    source::Entity::find().filter(source::Column::Key.eq(key)).one(db).await.unwrap().unwrap().id
}

/// SQLite only: `PRAGMA max_page_count` caps the file's size, which SQLite reports exactly
/// as a full disk (`SQLITE_FULL`). The cap leaves room for every dataset but the last and
/// largest (Yotov's trade flows): its import fails naming the file, leaves none of its rows,
/// is recorded as failed, and the bundle is not complete; with room again, it completes.
#[tokio::test]
async fn a_full_disk_fails_naming_the_file_and_leaves_nothing_partial() {
    let file = TempFile::new("full");
    let db = file.connect("rwc", None).await;
    Migrator::up(&db, None).await.unwrap();
    let (last, before_last) = Dataset::BUNDLED.split_last().unwrap();
    assert_eq!(*last, Dataset::YotovTrade);
    for dataset in before_last {
        import_bundled_dataset(&db, *dataset, &ImportOptions::default(), &NoProgress).await.unwrap();
    }
    let pages = page_count(&db).await;
    let counts = data_counts(&db).await;
    db.close().await.unwrap();

    // 16 MB more: room for re-recording the earlier datasets and re-indexing their texts
    // for search, not for 98,532 trade flows.
    let db = file.connect("rwc", Some(pages + 4000)).await;
    let error = import_bundled(&db, &NoProgress).await.unwrap_err();
    let path = std::path::absolute(&file.path).unwrap();
    assert!(
        matches!(&error, ImportError::Storage(StorageError { fault: StorageFault::Full, path: named, .. }) if *named == path),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("the disk holding {} is full (SQLite: database or disk is full)", path.display())
    );

    // Nothing of the trade flows, every earlier dataset as it was.
    let yotov = source_id(&db, "yotov-agtpa-2016").await;
    assert_eq!(flow::Entity::find().filter(flow::Column::SourceId.eq(yotov)).count(&db).await.unwrap(), 0);
    assert_eq!(data_counts(&db).await, counts);
    // The failed run is recorded, with the message.
    let run = import_run::Entity::find()
        .filter(import_run::Column::SourceId.eq(yotov))
        .order_by_desc(import_run::Column::Id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.status, ImportStatus::Failed);
    assert!(run.messages.unwrap_or_default().starts_with(&error.to_string()));
    // And the bundle is not complete.
    let BundleState::Failed { error: recorded, .. } = bundle_state(&db).await.unwrap() else { panic!("not failed") };
    assert_eq!(recorded, error.to_string());
    db.close().await.unwrap();

    let db = file.connect("rwc", None).await;
    import_bundled(&db, &NoProgress).await.unwrap();
    assert!(bundle_complete(&db).await.unwrap());
    assert!(flow::Entity::find().filter(flow::Column::SourceId.eq(yotov)).count(&db).await.unwrap() > 90_000);
    db.close().await.unwrap();
}

/// SQLite only: a database opened read-only (`mode=ro`; the tests run as root, for whom a
/// `chmod` does not stop writes) fails at the first write with a message naming the file,
/// and nothing is written.
#[tokio::test]
async fn a_read_only_database_fails_naming_the_file() {
    let file = TempFile::new("read-only");
    let db = file.connect("rwc", None).await;
    Migrator::up(&db, None).await.unwrap();
    db.close().await.unwrap();

    let db = file.connect("ro", None).await;
    let error = import_bundled(&db, &NoProgress).await.unwrap_err();
    let path = std::path::absolute(&file.path).unwrap();
    assert!(matches!(&error, ImportError::Storage(StorageError { fault: StorageFault::ReadOnly, .. })), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "the database {} is read-only (SQLite: attempt to write a readonly database)",
            path.display()
        )),
        "{message}"
    );
    assert_eq!(bundle_state(&db).await.unwrap(), BundleState::Empty);
    db.close().await.unwrap();
}
