//! Connecting to the database chosen by URL, and migrating it.
//!
//! A SQLite file that cannot be opened, is read-only or sits on a full disk is reported as
//! such, naming the file ([`seed::StorageError`], where that mapping lives), rather than as
//! SQLite's bare "unable to open database file".

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

use crate::config::DatabaseConfig;

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The storage refused: the SQLite file cannot be opened, is read-only, or its disk is
    /// full. The message names the file.
    #[error(transparent)]
    Storage(#[from] seed::StorageError),
    /// No PostgreSQL server answers at the URL's host and port.
    #[error(
        "cannot reach PostgreSQL at {address}: {reason} (is the server running, and are the URL's host and port right?)"
    )]
    Unreachable {
        /// `host:port`.
        address: String,
        /// What the connection attempt got.
        reason: String,
    },
    /// Anything else the database answered.
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl DatabaseError {
    /// `error` from the SQLite database at `file` (if it is one), with storage faults
    /// recognised.
    fn on(file: Option<PathBuf>, error: DbErr) -> Self {
        match file {
            Some(file) => seed::StorageError::classify(error, &file).map_or_else(Self::Database, Self::Storage),
            None => Self::Database(error),
        }
    }

    /// `error` from `db`, with storage faults recognised.
    pub fn of(db: &DatabaseConnection, error: DbErr) -> Self {
        Self::on(seed::sqlite_file(db), error)
    }
}

/// VM instructions SQLite runs between two checks of a statement's deadline.
const SQLITE_CHECK_EVERY: i32 = 10_000;

/// Opens a pool on the configured database, for imports and migrations: statements may run
/// as long as they need. SQLite files are created when missing and run in WAL mode, so
/// readers never wait for the importer; this pool's connections have a large page cache
/// ([`IMPORT_CACHE_SIZE`]) and no automatic checkpoints: the imports checkpoint once when
/// they end (`seed::import_bundled`, `seed::import_file`).
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DatabaseError> {
    reach_postgres(&config.url).await?;
    let mut options = options(config, Duration::from_secs(30));
    options.map_sqlx_sqlite_opts(|opts| {
        sqlite_options(opts).pragma("cache_size", IMPORT_CACHE_SIZE).pragma("wal_autocheckpoint", "0")
    });
    open(config, options).await
}

/// SQLite's page cache on the import's connections, in KiB when negative (SQLite's own
/// convention): room for the whole bundled database (about 60 MB). With SQLite's default of
/// 2 MiB, a large dataset's transaction spills dirty pages into the write-ahead log before
/// its commit and reads evicted pages back with a system call each (`pread` took 15 % of
/// the first import's time). The cache fills only as far as the import needs it, and
/// `serve` closes the import's pool once the import is done.
const IMPORT_CACHE_SIZE: &str = "-131072";

/// How long a PostgreSQL server has to accept a TCP connection at start-up.
const REACH_TIMEOUT: Duration = Duration::from_secs(5);

/// Fails within [`REACH_TIMEOUT`], naming host and port, when the URL is PostgreSQL's over
/// TCP and nothing accepts a connection there: the pool alone would retry for its whole
/// acquire timeout and then only say that it timed out.
async fn reach_postgres(url: &str) -> Result<(), DatabaseError> {
    use std::str::FromStr;
    if !url.starts_with("postgres") {
        return Ok(());
    }
    let Ok(options) = sea_orm::sqlx::postgres::PgConnectOptions::from_str(url) else { return Ok(()) };
    let (host, port) = (options.get_host().to_owned(), options.get_port());
    if host.starts_with('/') {
        return Ok(());
    }
    let address = format!("{host}:{port}");
    let reason = match tokio::time::timeout(REACH_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), port))).await
    {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(error)) => error.to_string(),
        Err(_) => format!("no answer within {} s", REACH_TIMEOUT.as_secs()),
    };
    Err(DatabaseError::Unreachable { address, reason })
}

/// Opens the pool that serves requests: a connection not had within the configured acquire
/// timeout fails at once (the client gets 503), and every statement is stopped at
/// `statement_timeout` — by PostgreSQL's own `statement_timeout`, and on SQLite by a
/// progress handler that interrupts a statement past its deadline.
///
/// The pool opens connections lazily, when requests need them, each on its own (a TLS
/// handshake to PostgreSQL takes tens of milliseconds): start-up waits for none.
pub async fn connect_serving(
    config: &DatabaseConfig,
    statement_timeout: Duration,
) -> Result<DatabaseConnection, DatabaseError> {
    let mut options = options(config, Duration::from_millis(config.acquire_timeout_ms));
    options.min_connections(0).connect_lazy(true);
    let milliseconds = statement_timeout.as_millis().to_string();
    options
        .map_sqlx_postgres_opts(move |opts| opts.options([("statement_timeout", milliseconds.as_str())]))
        .map_sqlx_sqlite_pool_opts(move |pool| {
            pool.after_connect(move |connection, _| {
                Box::pin(async move { sqlite_deadline(connection, statement_timeout).await })
            })
        })
        .map_sqlx_sqlite_before_acquire(move |connection, _| {
            Box::pin(async move { sqlite_deadline(connection, statement_timeout).await.map(|()| true) })
        });
    open(config, options).await
}

/// Connects with `options`, naming the SQLite file when its storage refuses.
async fn open(config: &DatabaseConfig, options: ConnectOptions) -> Result<DatabaseConnection, DatabaseError> {
    Database::connect(options).await.map_err(|error| DatabaseError::on(seed::sqlite_file_of_url(&config.url), error))
}

/// Gives the statements run on this SQLite connection until it is next acquired a deadline
/// of `timeout` from now: past it, SQLite interrupts the statement.
async fn sqlite_deadline(
    connection: &mut sea_orm::sqlx::SqliteConnection,
    timeout: Duration,
) -> Result<(), sea_orm::sqlx::Error> {
    let deadline = Instant::now() + timeout;
    connection.lock_handle().await?.set_progress_handler(SQLITE_CHECK_EVERY, move || Instant::now() < deadline);
    Ok(())
}

/// How long a pooled connection may sit idle before the pool checks it (a round trip)
/// before handing it out. The pool checks every connection when it comes back, so a busy
/// connection is known good; checking each one on the way out too would add a round trip to
/// every statement. A connection broken in between (the database restarted) fails its next
/// statement, which the client gets as `SERVICE_UNAVAILABLE` ([`crate::error`]), and is
/// then closed.
const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

fn options(config: &DatabaseConfig, acquire_timeout: Duration) -> ConnectOptions {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .acquire_timeout(acquire_timeout)
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(sqlite_options);
    options
}

/// How every SQLite connection is opened: created when missing, in WAL mode, with foreign
/// keys enforced.
fn sqlite_options(opts: SqliteConnectOptions) -> SqliteConnectOptions {
    opts.create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
}

/// Applies the migrations that have not run yet.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DatabaseError> {
    let pending = Migrator::get_pending_migrations(db).await.map_err(|error| DatabaseError::of(db, error))?;
    Migrator::up(db, None).await.map_err(|error| DatabaseError::of(db, error))?;
    match pending.last() {
        Some(last) => tracing::info!(applied = pending.len(), last = last.name(), "database schema migrated"),
        None => tracing::debug!("database schema up to date"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("southgraph-db-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn config(url: String) -> DatabaseConfig {
        DatabaseConfig::new(url, 2)
    }

    #[test]
    fn pooled_connections_are_checked_only_after_sitting_idle() {
        let options = options(&config("postgres://localhost/southgraph".into()), Duration::from_secs(1));
        assert!(!options.get_test_before_acquire(), "a check on every acquire adds a round trip to every statement");
        assert_eq!(options.get_test_before_acquire_if_idle_for(), Some(PING_AFTER_IDLE));
    }

    #[tokio::test]
    async fn a_missing_directory_is_named() {
        let dir = temp_dir("missing");
        let path = dir.join("no-such-directory").join("southgraph.db");
        let error = connect(&config(format!("sqlite://{}?mode=rwc", path.display()))).await.unwrap_err();
        assert!(matches!(&error, DatabaseError::Storage(storage) if storage.fault == seed::StorageFault::CannotOpen));
        assert!(
            error.to_string().starts_with(&format!(
                "cannot open the database {} (SQLite: unable to open database file): the directory {} does not exist",
                path.display(),
                dir.join("no-such-directory").display()
            )),
            "{error}"
        );
        std::fs::remove_dir_all(dir).ok();
    }

    /// `mode=ro` stands for a read-only file: the tests run as root, whom `chmod` does not stop.
    #[tokio::test]
    async fn a_read_only_file_is_named() {
        let dir = temp_dir("read-only");
        let path = dir.join("southgraph.db");
        let db = connect(&config(format!("sqlite://{}?mode=rwc", path.display()))).await.unwrap();
        db.close().await.unwrap();
        let error = match connect(&config(format!("sqlite://{}?mode=ro", path.display()))).await {
            Ok(db) => migrate(&db).await.unwrap_err(),
            Err(error) => error,
        };
        assert!(matches!(&error, DatabaseError::Storage(storage) if storage.fault == seed::StorageFault::ReadOnly));
        assert!(error.to_string().starts_with(&format!("the database {} is read-only", path.display())), "{error}");
        std::fs::remove_dir_all(dir).ok();
    }

    /// The import's pool checkpoints only when an import ends, and then empties the
    /// write-ahead log; its page cache is the large one.
    #[tokio::test]
    async fn an_import_ends_with_an_empty_write_ahead_log() {
        use sea_orm::ConnectionTrait;
        let dir = temp_dir("checkpoint");
        let path = dir.join("southgraph.db");
        let db = connect(&config(format!("sqlite://{}?mode=rwc", path.display()))).await.unwrap();
        let pragma = |name: &'static str| {
            let db = db.clone();
            async move {
                let sql = format!("PRAGMA {name}");
                let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql));
                row.await.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
            }
        };
        assert_eq!(pragma("wal_autocheckpoint").await, 0);
        assert_eq!(pragma("cache_size").await.to_string(), IMPORT_CACHE_SIZE);
        migrate(&db).await.unwrap();
        let wal = dir.join("southgraph.db-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0, "the migrations are in the log");

        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seed/data/country-codes-2020-with-developing.csv.gz");
        let options = seed::ImportOptions::default();
        let report =
            seed::import_file(&db, seed::Dataset::CountryCodes, &file, &options, &seed::NoProgress).await.unwrap();
        assert!(report.inserted > 200, "{report:?}");
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "the import checkpointed the log");
        db.close().await.unwrap();
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn an_unreachable_postgresql_fails_at_once_naming_host_and_port() {
        let started = std::time::Instant::now();
        let config = DatabaseConfig::new("postgres://southgraph@127.0.0.1:1/none".to_owned(), 1);
        let error = connect(&config).await.expect_err("nothing listens on port 1");
        assert!(matches!(error, DatabaseError::Unreachable { .. }), "{error}");
        assert!(error.to_string().starts_with("cannot reach PostgreSQL at 127.0.0.1:1: "), "{error}");
        assert!(started.elapsed() < REACH_TIMEOUT + Duration::from_secs(1), "{:?}", started.elapsed());
    }
}
