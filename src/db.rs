//! Connecting to the database chosen by URL, and migrating it.

use std::time::{Duration, Instant};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::DatabaseConfig;

/// VM instructions SQLite runs between two checks of a statement's deadline.
const SQLITE_CHECK_EVERY: i32 = 10_000;

/// Opens a pool on the configured database, for imports and migrations: statements may run
/// as long as they need. SQLite files are created when missing and run in WAL mode, so
/// readers never wait for the importer.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(config, Duration::from_secs(30))).await
}

/// Opens the pool that serves requests: a connection not had within the configured acquire
/// timeout fails at once (the client gets 503), and every statement is stopped at
/// `statement_timeout` — by PostgreSQL's own `statement_timeout`, and on SQLite by a
/// progress handler that interrupts a statement past its deadline.
pub async fn connect_serving(
    config: &DatabaseConfig,
    statement_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = options(config, Duration::from_millis(config.acquire_timeout_ms));
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
    Database::connect(options).await
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

fn options(config: &DatabaseConfig, acquire_timeout: Duration) -> ConnectOptions {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
        });
    options
}

/// Applies the migrations that have not run yet.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
