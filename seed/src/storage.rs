//! Storage faults: a full disk, a read-only database, a database file that cannot be opened.
//!
//! SQLite reports them as result codes (`SQLITE_FULL` 13, `SQLITE_READONLY` 8,
//! `SQLITE_CANTOPEN` 14) whose text names no file, so that an operator reads "database or
//! disk is full" without knowing which disk. This module is the one place that recognises
//! them and names the database file; the importer and the server's `db::connect` both use it.

use std::path::{Path, PathBuf};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    sqlx::{self, sqlite::SqliteConnectOptions},
};

/// What the storage under the database refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageFault {
    /// The disk (or the file's size limit) is full: `SQLITE_FULL`.
    Full,
    /// The database may not be written: `SQLITE_READONLY` (a read-only file, directory or
    /// mount, or `mode=ro` in the URL).
    ReadOnly,
    /// The database file cannot be opened or created: `SQLITE_CANTOPEN` (a missing
    /// directory, no permission, or `mode=ro` on a file that does not exist).
    CannotOpen,
}

impl StorageFault {
    /// The fault of a SQLite (extended) result code, if it is one.
    fn of_code(code: i64) -> Option<Self> {
        // Extended result codes keep the primary code in their low byte.
        match code & 0xff {
            13 => Some(Self::Full),
            8 => Some(Self::ReadOnly),
            14 => Some(Self::CannotOpen),
            _ => None,
        }
    }

    /// The fault SQLite's message names, for errors that reach us as text only (migrations).
    fn of_message(message: &str) -> Option<Self> {
        if message.contains("database or disk is full") {
            Some(Self::Full)
        } else if message.contains("attempt to write a readonly database") {
            Some(Self::ReadOnly)
        } else if message.contains("unable to open database file") {
            Some(Self::CannotOpen)
        } else {
            None
        }
    }
}

/// A storage fault of a SQLite database, naming its file.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct StorageError {
    /// What was refused.
    pub fault: StorageFault,
    /// The database file, absolute when it can be made so.
    pub path: PathBuf,
    /// SQLite's own words, for example `database or disk is full`.
    pub detail: String,
    /// The database error it was recognised in.
    #[source]
    pub source: DbErr,
}

impl StorageError {
    /// Recognises a storage fault in `error` on the SQLite database at `path`; gives the
    /// error back when it is something else.
    pub fn classify(error: DbErr, path: &Path) -> Result<Self, DbErr> {
        let (code, message) = sqlite_code_and_message(&error);
        let fault = code.and_then(StorageFault::of_code).or_else(|| StorageFault::of_message(&message));
        match fault {
            Some(fault) => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
                let detail = sqlite_words(fault, &message);
                Ok(Self { fault, path, detail, source: error })
            }
            None => Err(error),
        }
    }

    fn describe(&self) -> String {
        let path = self.path.display();
        let detail = &self.detail;
        match self.fault {
            StorageFault::Full => format!("the disk holding {path} is full (SQLite: {detail})"),
            StorageFault::ReadOnly => format!(
                "the database {path} is read-only (SQLite: {detail}); check the permissions of the file and its \
                 directory, the mount, and `mode=` in the database URL"
            ),
            StorageFault::CannotOpen => {
                format!("cannot open the database {path} (SQLite: {detail}): {}", why_not_openable(&self.path))
            }
        }
    }
}

/// Why SQLite may not open or create the file at `path`: its directory is missing or not
/// writable, the path is a directory, or the file is read-only.
fn why_not_openable(path: &Path) -> String {
    let directory = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if path.is_dir() {
        return format!("{} is a directory; give a file's path", path.display());
    }
    if !directory.exists() {
        return format!("the directory {} does not exist", directory.display());
    }
    if !directory.is_dir() {
        return format!("{} is not a directory", directory.display());
    }
    if path.exists() && std::fs::metadata(path).is_ok_and(|metadata| metadata.permissions().readonly()) {
        return format!("the file {} is read-only", path.display());
    }
    // Permissions alone do not tell (root, ACLs, a read-only mount): try to write there,
    // under a name no other check uses at the same time.
    static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let probe = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = directory.join(format!(".southgraph-write-check-{}-{probe}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(file) => {
            drop(file);
            std::fs::remove_file(&probe).ok();
            "check the file's permissions and `mode=` in the database URL".to_owned()
        }
        Err(error) if error.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
            format!("the directory {} is on a read-only file system", directory.display())
        }
        Err(error) => format!("the directory {} is not writable ({error})", directory.display()),
    }
}

/// The extended result code and message of a SQLite error inside `error`, or (no code and)
/// the error's text.
fn sqlite_code_and_message(error: &DbErr) -> (Option<i64>, String) {
    if let DbErr::Conn(RuntimeErr::SqlxError(inner))
    | DbErr::Exec(RuntimeErr::SqlxError(inner))
    | DbErr::Query(RuntimeErr::SqlxError(inner)) = error
        && let sqlx::Error::Database(database) = inner.as_ref()
    {
        let code = database.code().and_then(|code| code.parse().ok());
        return (code, database.message().to_owned());
    }
    (None, error.to_string())
}

/// SQLite's message for the fault, taken from `message` when it holds it.
fn sqlite_words(fault: StorageFault, message: &str) -> String {
    let words = match fault {
        StorageFault::Full => "database or disk is full",
        StorageFault::ReadOnly => "attempt to write a readonly database",
        StorageFault::CannotOpen => "unable to open database file",
    };
    if message.contains(words) { words.to_owned() } else { message.to_owned() }
}

/// The file of a SQLite database URL (`sqlite://PATH?mode=rwc`), parsed as the driver
/// parses it; `None` for other databases and in-memory ones.
pub fn sqlite_file_of_url(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options: SqliteConnectOptions = url.parse().ok()?;
    file_of_options(&options)
}

/// The file of the SQLite database `db` is connected to; `None` for other databases and
/// in-memory ones.
pub fn sqlite_file(db: &DatabaseConnection) -> Option<PathBuf> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    file_of_options(&db.get_sqlite_connection_pool().connect_options())
}

fn file_of_options(options: &SqliteConnectOptions) -> Option<PathBuf> {
    let file = options.get_filename();
    let name = file.to_string_lossy();
    (!name.is_empty() && name != ":memory:" && !name.starts_with("file:")).then(|| file.to_path_buf())
}

/// `error` with a storage fault of `db`'s file recognised, or as it was.
pub(crate) fn explain(db: &DatabaseConnection, error: crate::ImportError) -> crate::ImportError {
    let crate::ImportError::Database(database) = error else {
        return error;
    };
    let Some(path) = sqlite_file(db) else {
        return crate::ImportError::Database(database);
    };
    match StorageError::classify(database, &path) {
        Ok(storage) => crate::ImportError::Storage(storage),
        Err(database) => crate::ImportError::Database(database),
    }
}

/// Copies the pages an import wrote from SQLite's write-ahead log into the database file and
/// empties the log; nothing on PostgreSQL.
///
/// The import's pool turns SQLite's automatic checkpoints off (`southgraph`'s
/// `db::connect`): they would copy the log after every dataset's commit, pages that the
/// next dataset writes again. The imports ([`crate::import_bundled`], [`crate::import_file`])
/// call this once when they end, whatever their outcome, so that the server does not read
/// through a log of the whole database. It waits for readers of older snapshots (within the
/// busy timeout); a checkpoint that cannot finish is logged and left to SQLite's next one:
/// what the import committed is committed either way.
pub(crate) async fn checkpoint(db: &DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    if let Err(error) = db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await {
        tracing::warn!(%error, "cannot checkpoint the SQLite write-ahead log after the import");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_map_to_faults() {
        assert_eq!(StorageFault::of_code(13), Some(StorageFault::Full));
        assert_eq!(StorageFault::of_code(8), Some(StorageFault::ReadOnly));
        // SQLITE_READONLY_DBMOVED, an extended code.
        assert_eq!(StorageFault::of_code(1032), Some(StorageFault::ReadOnly));
        assert_eq!(StorageFault::of_code(14), Some(StorageFault::CannotOpen));
        assert_eq!(StorageFault::of_code(19), None);
        assert_eq!(
            StorageFault::of_message("Migration Error: attempt to write a readonly database"),
            Some(StorageFault::ReadOnly)
        );
        assert_eq!(StorageFault::of_message("no such table: flow"), None);
    }

    #[test]
    fn a_full_disk_names_the_file() {
        let error = DbErr::Migration("Execution Error: database or disk is full".to_owned());
        let storage = StorageError::classify(error, Path::new("/data/southgraph.db")).unwrap();
        assert_eq!(
            storage.to_string(),
            "the disk holding /data/southgraph.db is full (SQLite: database or disk is full)"
        );
    }

    #[test]
    fn other_errors_are_given_back() {
        let error = DbErr::Custom("UNIQUE constraint failed: flow.ref".to_owned());
        assert!(StorageError::classify(error, Path::new("/data/southgraph.db")).is_err());
    }

    #[test]
    fn the_file_comes_from_the_url() {
        assert_eq!(sqlite_file_of_url("sqlite:///data/sg.db?mode=rwc"), Some(PathBuf::from("/data/sg.db")));
        assert_eq!(sqlite_file_of_url("sqlite://sg.db?mode=rwc"), Some(PathBuf::from("sg.db")));
        assert_eq!(sqlite_file_of_url("sqlite::memory:"), None);
        assert_eq!(sqlite_file_of_url("postgres://postgres@127.0.0.1/sg"), None);
    }
}
