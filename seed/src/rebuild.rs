//! A large insert into a table holding fewer rows than it adds (the first import of the
//! biggest dataset) drops the table's plain indexes first and builds them again after the
//! rows are in: one sort per index instead of an index insertion per row and index. The
//! indexes that back a constraint (primary key, unique) stay. On PostgreSQL the table's
//! foreign keys are dropped too and added back in one statement, which checks each with one
//! join instead of a trigger and a lookup per row and key; SQLite's keys cannot be dropped,
//! and its per-row checks are lookups in process.
//!
//! It is all inside the import's transaction, so a failed import leaves the indexes and keys
//! as they were, and a row that breaks a key fails the import as before. On PostgreSQL the
//! price is that the table and the tables its keys refer to are locked (`ACCESS
//! EXCLUSIVE`) until the import commits (in practice the first import of the trade flows);
//! SQLite's readers go on reading the last committed schema and rows.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Statement, Value};

/// The fewest inserted rows for which the plain indexes are rebuilt instead of updated. The
/// first 5,466 flows of AidData's Chinese finance (15 indexes on `flow`) already go in
/// faster so on SQLite: 60–90 ms instead of 100–110 ms.
pub(crate) const REBUILD_FROM: usize = 2_000;

/// What an insert dropped, to put back once its rows are in.
#[must_use = "the dropped indexes and keys come back only with `finish`"]
pub(crate) struct Rebuild {
    /// The statements that create the indexes and add the keys again, in order.
    restore: Vec<String>,
}

impl Rebuild {
    /// Nothing dropped.
    pub(crate) fn none() -> Self {
        Self { restore: Vec::new() }
    }

    /// Before inserting `inserting` rows into `E`'s table: drops its plain indexes (and on
    /// PostgreSQL its foreign keys) when the insert is large and more than doubles the table.
    pub(crate) async fn prepare<E: EntityTrait, C: ConnectionTrait>(db: &C, inserting: usize) -> Result<Self, DbErr> {
        if inserting < REBUILD_FROM || stored_rows::<E, C>(db).await? >= inserting {
            return Ok(Self::none());
        }
        let table = E::default().table_name();
        let restore = match db.get_database_backend() {
            DbBackend::Postgres => {
                let mut restore = drop_postgres_indexes(db, table).await?;
                restore.extend(drop_postgres_foreign_keys(db, table).await?);
                restore
            }
            _ => drop_sqlite_indexes(db, table).await?,
        };
        Ok(Self { restore })
    }

    /// After the insert: creates the indexes and adds the keys again.
    pub(crate) async fn finish(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        for statement in self.restore {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

/// How many rows the table holds.
async fn stored_rows<E: EntityTrait, C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    let sql = format!("SELECT count(*) AS stored FROM {}", quoted(E::default().table_name()));
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let stored: i64 = row.map_or(Ok(0), |row| row.try_get("", "stored"))?;
    Ok(usize::try_from(stored).unwrap_or(usize::MAX))
}

/// Drops the table's indexes that back no constraint and returns the statements that
/// create them again, as PostgreSQL defines them.
async fn drop_postgres_indexes(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    const PLAIN_INDEXES: &str = "SELECT format('%I.%I', n.nspname, c.relname) AS name, \
        pg_get_indexdef(i.indexrelid) AS definition \
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
        WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary \
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname";
    let (names, definitions) = names_and_definitions(db, PLAIN_INDEXES, table).await?;
    if !names.is_empty() {
        db.execute_unprepared(&format!("DROP INDEX {}", names.join(", "))).await?;
    }
    Ok(definitions)
}

/// Drops the table's foreign keys and returns the one statement that adds them all again.
async fn drop_postgres_foreign_keys(db: &impl ConnectionTrait, table: &str) -> Result<Option<String>, DbErr> {
    const FOREIGN_KEYS: &str = "SELECT format('%I', conname) AS name, pg_get_constraintdef(oid) AS definition \
        FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname";
    let (names, definitions) = names_and_definitions(db, FOREIGN_KEYS, table).await?;
    if names.is_empty() {
        return Ok(None);
    }
    let table = quoted(table);
    let drops: Vec<String> = names.iter().map(|name| format!("DROP CONSTRAINT {name}")).collect();
    let adds: Vec<String> = names
        .iter()
        .zip(&definitions)
        .map(|(name, definition)| format!("ADD CONSTRAINT {name} {definition}"))
        .collect();
    db.execute_unprepared(&format!("ALTER TABLE {table} {}", drops.join(", "))).await?;
    Ok(Some(format!("ALTER TABLE {table} {}", adds.join(", "))))
}

/// Drops the table's indexes that SQLite did not make for a constraint (those have no SQL)
/// and returns the statements that create them again, as they were written.
async fn drop_sqlite_indexes(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    const PLAIN_INDEXES: &str = "SELECT '\"' || replace(name, '\"', '\"\"') || '\"' AS name, sql AS definition \
        FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name";
    let (names, definitions) = names_and_definitions(db, PLAIN_INDEXES, table).await?;
    for name in &names {
        db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
    }
    Ok(definitions)
}

/// The `name` and `definition` columns of `sql`, asked about `table`.
async fn names_and_definitions(
    db: &impl ConnectionTrait,
    sql: &str,
    table: &str,
) -> Result<(Vec<String>, Vec<String>), DbErr> {
    let backend = db.get_database_backend();
    let table = if backend == DbBackend::Postgres { quoted(table) } else { table.to_owned() };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [Value::from(table)])).await?;
    let mut names = Vec::with_capacity(rows.len());
    let mut definitions = Vec::with_capacity(rows.len());
    for row in rows {
        names.push(row.try_get::<String>("", "name")?);
        definitions.push(row.try_get::<String>("", "definition")?);
    }
    Ok((names, definitions))
}

/// A double-quoted identifier.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::expert_sector::{ActiveModel, Entity};
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ActiveValue::Set, Database, DatabaseConnection, TransactionTrait};

    /// The indexes and foreign keys of `expert_sector`, as the database shows them.
    async fn schema(db: &impl ConnectionTrait) -> Vec<String> {
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => {
                "SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = 'expert_sector'::regclass \
                 UNION ALL SELECT pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint \
                 WHERE conrelid = 'expert_sector'::regclass AND contype = 'f' ORDER BY 1"
            }
            _ => {
                "SELECT coalesce(sql, name) AS definition FROM sqlite_master WHERE tbl_name = 'expert_sector' \
                 UNION ALL SELECT \"table\" || \"from\" FROM pragma_foreign_key_list('expert_sector') ORDER BY 1"
            }
        };
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
        rows.iter().map(|row| row.try_get("", "definition").unwrap()).collect()
    }

    /// A first insert large enough drops the table's plain indexes (and on PostgreSQL its
    /// keys) and `finish` puts them all back; such an insert still refuses rows that break a
    /// foreign key, and the rollback leaves the schema as it was.
    async fn a_large_insert_still_checks_the_keys(db: &DatabaseConnection) {
        Migrator::up(db, None).await.unwrap();
        let before = schema(db).await;
        assert!(before.len() >= 3, "{before:?}");

        let txn = db.begin().await.unwrap();
        assert!(Rebuild::prepare::<Entity, _>(&txn, REBUILD_FROM - 1).await.unwrap().restore.is_empty());
        let rebuild = Rebuild::prepare::<Entity, _>(&txn, REBUILD_FROM).await.unwrap();
        let dropped = schema(&txn).await;
        assert!(dropped.len() < before.len() && dropped.iter().all(|kept| before.contains(kept)), "{dropped:?}");
        rebuild.finish(&txn).await.unwrap();
        assert_eq!(schema(&txn).await, before);
        txn.rollback().await.unwrap();

        // Experts that do not exist.
        let rows: Vec<ActiveModel> = (1..=REBUILD_FROM as i32)
            .map(|expert_id| ActiveModel { expert_id: Set(expert_id), sector_id: Set(1) })
            .collect();
        let txn = db.begin().await.unwrap();
        let error = crate::sync::insert_batches::<Entity, _>(&txn, rows.into_iter()).await.unwrap_err();
        assert!(error.to_string().to_lowercase().contains("foreign key constraint"), "{error}");
        txn.rollback().await.unwrap();
        assert_eq!(schema(db).await, before);
    }

    #[tokio::test]
    async fn a_large_insert_still_checks_the_keys_on_sqlite() {
        a_large_insert_still_checks_the_keys(&Database::connect("sqlite::memory:").await.unwrap()).await;
    }

    /// On PostgreSQL when `SOUTHGRAPH_TEST_POSTGRES_URL` is set.
    #[tokio::test]
    async fn a_large_insert_still_checks_the_keys_on_postgres() {
        let Some(url) = std::env::var("SOUTHGRAPH_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty()) else {
            eprintln!("skipped: SOUTHGRAPH_TEST_POSTGRES_URL not set");
            return;
        };
        let name = format!("seed_rebuild_{}", std::process::id());
        let admin = Database::connect(&url).await.unwrap();
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        let db = Database::connect(format!("{base}/{name}")).await.unwrap();
        a_large_insert_still_checks_the_keys(&db).await;
        db.close().await.unwrap();
        admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    }
}
