//! Many rows in one PostgreSQL statement: the rows travel as one JSON array bound to one
//! parameter, and `json_populate_recordset` turns it back into rows of the table's type:
//!
//! ```sql
//! INSERT INTO "t" ("a", "b") SELECT "a", "b" FROM json_populate_recordset(NULL::"t", $1::json)
//! ```
//!
//! This is PostgreSQL's path only: a multi-row `INSERT … VALUES` with a bind parameter per
//! value is slow there, not for the server's work but for the round trips (a few hundred
//! rows per statement, a bind message of tens of kilobytes each, and sqlx 0.9 does not set
//! `TCP_NODELAY`, so many of those messages wait ~40 ms for a delayed ACK). SQLite, in
//! process, keeps the multi-row `INSERT … VALUES` of [`crate::sync`].
//!
//! A large insert into a table holding fewer rows than it adds (the first import of the
//! biggest dataset) drops the table's plain indexes first and builds them again after the
//! rows are in: one sort per index instead of an index insertion per row and index. The
//! indexes that back a constraint (primary key, unique) stay. Its foreign keys are dropped
//! too and added again after the rows are in, which checks them with one join per key
//! instead of a lookup per row and key. It is all inside the import's transaction, so a
//! failed import leaves the indexes and keys as they were, and a row that breaks a key
//! fails the import as before; the price is that the table and the tables its keys refer
//! to are locked (`ACCESS EXCLUSIVE`) until the import commits, which an import that
//! doubles a table may take (in practice the first import of the trade flows).
//!
//! The JSON text is exact for every column type the entities use: integers and strings as
//! they are, dates as `YYYY-MM-DD`, doubles in their shortest round-trip form (which
//! PostgreSQL's `float8in` reads back to the same bits), `NaN` and infinities as strings.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, IdenStatic, Statement, Value};
use serde_json::Value as Json;

/// Rows per statement: bounds the size of one JSON document (a flow row is a few hundred
/// bytes) while keeping the round trips to a handful for the largest dataset.
const ROWS_PER_STATEMENT: usize = 25_000;

/// The fewest inserted rows for which the plain indexes are rebuilt instead of updated.
const REBUILD_INDEXES_FROM: usize = 20_000;

/// Inserts `rows` (all with the same columns set) and, with `conflict`, rewrites the rows
/// whose `conflict.keys` already exist: `ON CONFLICT (keys) DO UPDATE SET` the other
/// columns set.
pub(crate) async fn insert<E, C>(db: &C, rows: Vec<E::ActiveModel>, conflict: Option<&[E::Column]>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: sea_orm::EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let Some(first) = rows.first() else { return Ok(()) };
    let columns: Vec<E::Column> = <E::Column as sea_orm::Iterable>::iter().filter(|c| !first.is_not_set(*c)).collect();
    let sql = insert_sql::<E>(&columns, conflict);
    let rebuild =
        conflict.is_none() && rows.len() >= REBUILD_INDEXES_FROM && stored_rows::<E, C>(db).await? < rows.len();
    let (indexes, foreign_keys) = if rebuild {
        (drop_plain_indexes::<E, C>(db).await?, drop_foreign_keys::<E, C>(db).await?)
    } else {
        (Vec::new(), None)
    };
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let json = json_rows::<E>(chunk, &columns)?;
        db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql.as_str(), [Value::from(json)])).await?;
    }
    for definition in indexes {
        db.execute_unprepared(&definition).await?;
    }
    if let Some(add) = foreign_keys {
        db.execute_unprepared(&add).await?;
    }
    Ok(())
}

/// How many rows the table holds.
async fn stored_rows<E: sea_orm::EntityTrait, C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    let sql = format!("SELECT count(*) AS stored FROM {}", quoted(E::default().table_name()));
    let row = db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await?;
    let stored: i64 = row.map_or(Ok(0), |row| row.try_get("", "stored"))?;
    Ok(usize::try_from(stored).unwrap_or(usize::MAX))
}

/// Drops the table's indexes that back no constraint and returns the statements that
/// create them again, as PostgreSQL defines them.
async fn drop_plain_indexes<E: sea_orm::EntityTrait, C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    const PLAIN_INDEXES: &str = "SELECT format('%I.%I', n.nspname, c.relname) AS name, \
        pg_get_indexdef(i.indexrelid) AS definition \
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
        WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary \
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname";
    let table = Value::from(quoted(E::default().table_name()));
    let rows = db.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, PLAIN_INDEXES, [table])).await?;
    let mut names = Vec::with_capacity(rows.len());
    let mut definitions = Vec::with_capacity(rows.len());
    for row in rows {
        names.push(row.try_get::<String>("", "name")?);
        definitions.push(row.try_get::<String>("", "definition")?);
    }
    if !names.is_empty() {
        db.execute_unprepared(&format!("DROP INDEX {}", names.join(", "))).await?;
    }
    Ok(definitions)
}

/// Drops the table's foreign keys and returns the one statement that adds them again, which
/// checks every row against each referenced table in one join: an insert checks a foreign
/// key row by row (a trigger and a lookup per row and key), which for the largest dataset
/// cost more than the insert itself.
async fn drop_foreign_keys<E: sea_orm::EntityTrait, C: ConnectionTrait>(db: &C) -> Result<Option<String>, DbErr> {
    const FOREIGN_KEYS: &str = "SELECT format('%I', conname) AS name, pg_get_constraintdef(oid) AS definition \
        FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname";
    let table = quoted(E::default().table_name());
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, FOREIGN_KEYS, [Value::from(table.clone())]))
        .await?;
    let mut drops = Vec::with_capacity(rows.len());
    let mut adds = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get("", "name")?;
        let definition: String = row.try_get("", "definition")?;
        drops.push(format!("DROP CONSTRAINT {name}"));
        adds.push(format!("ADD CONSTRAINT {name} {definition}"));
    }
    if drops.is_empty() {
        return Ok(None);
    }
    db.execute_unprepared(&format!("ALTER TABLE {table} {}", drops.join(", "))).await?;
    Ok(Some(format!("ALTER TABLE {table} {}", adds.join(", "))))
}

/// The statement: the set columns, from the JSON rows, with the upsert clause if asked.
fn insert_sql<E: sea_orm::EntityTrait>(columns: &[E::Column], conflict: Option<&[E::Column]>) -> String {
    let table = quoted(E::default().table_name());
    let list = columns.iter().map(|c| quoted(c.as_str())).collect::<Vec<_>>().join(", ");
    let mut sql =
        format!("INSERT INTO {table} ({list}) SELECT {list} FROM json_populate_recordset(NULL::{table}, $1::json)");
    if let Some(keys) = conflict {
        let is_key = |column: &E::Column| keys.iter().any(|key| key.as_str() == column.as_str());
        let set = columns
            .iter()
            .filter(|column| !is_key(column))
            .map(|column| format!("{name} = EXCLUDED.{name}", name = quoted(column.as_str())))
            .collect::<Vec<_>>()
            .join(", ");
        let keys = keys.iter().map(|key| quoted(key.as_str())).collect::<Vec<_>>().join(", ");
        sql.push_str(&format!(" ON CONFLICT ({keys}) DO UPDATE SET {set}"));
    }
    sql
}

/// A double-quoted identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The rows as a JSON array of objects keyed by column name, written straight as text.
fn json_rows<E>(rows: &[E::ActiveModel], columns: &[E::Column]) -> Result<String, DbErr>
where
    E: sea_orm::EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let keys: Vec<String> = columns.iter().map(|column| Json::from(column.as_str()).to_string()).collect();
    let mut json = Vec::with_capacity(rows.len() * 64 * columns.len());
    json.push(b'[');
    for (index, row) in rows.iter().enumerate() {
        json.extend_from_slice(if index == 0 { b"{" } else { b",{" });
        for (index, (column, key)) in columns.iter().zip(&keys).enumerate() {
            if index > 0 {
                json.push(b',');
            }
            json.extend_from_slice(key.as_bytes());
            json.push(b':');
            write_json_value(&mut json, row.get(*column).into_value())?;
        }
        json.push(b'}');
    }
    json.push(b']');
    String::from_utf8(json).map_err(|error| DbErr::Custom(format!("rows as JSON: {error}")))
}

/// Writes one column value (`None`: not set, `NULL`) as JSON that `json_populate_recordset`
/// reads back to the same value.
fn write_json_value(json: &mut Vec<u8>, value: Option<Value>) -> Result<(), DbErr> {
    let written = match value {
        None => serde_json::to_writer(json, &()),
        Some(Value::Bool(value)) => serde_json::to_writer(json, &value),
        Some(Value::SmallInt(value)) => serde_json::to_writer(json, &value),
        Some(Value::Int(value)) => serde_json::to_writer(json, &value),
        Some(Value::BigInt(value)) => serde_json::to_writer(json, &value),
        // `float8in` reads "NaN", "inf" and "-inf"; JSON has no number for them.
        Some(Value::Double(Some(value))) if !value.is_finite() => serde_json::to_writer(json, &value.to_string()),
        Some(Value::Double(value)) => serde_json::to_writer(json, &value),
        Some(Value::String(value)) => serde_json::to_writer(json, &value),
        Some(Value::ChronoDate(value)) => {
            serde_json::to_writer(json, &value.map(|date| date.format("%Y-%m-%d").to_string()))
        }
        Some(other) => return Err(DbErr::Custom(format!("no JSON form for the column value {other:?}"))),
    };
    written.map_err(|error| DbErr::Custom(format!("rows as JSON: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn json(value: Option<Value>) -> String {
        let mut json = Vec::new();
        write_json_value(&mut json, value).unwrap();
        String::from_utf8(json).unwrap()
    }

    #[test]
    fn values_keep_their_exact_form() {
        assert_eq!(json(Some(Value::ChronoDate(NaiveDate::from_ymd_opt(2013, 1, 2)))), r#""2013-01-02""#);
        assert_eq!(json(Some(Value::ChronoDate(None))), "null");
        assert_eq!(json(None), "null");
        assert_eq!(json(Some(Value::String(Some("a \"b\"\n".into())))), r#""a \"b\"\n""#);
        assert_eq!(json(Some(Value::Bool(Some(true)))), "true");
        assert_eq!(json(Some(Value::Int(Some(-7)))), "-7");
        assert_eq!(json(Some(Value::Double(Some(f64::NAN)))), r#""NaN""#);
        assert_eq!(json(Some(Value::Double(Some(f64::NEG_INFINITY)))), r#""-inf""#);
        let third = 1.0 / 3.0;
        assert_eq!(json(Some(Value::Double(Some(third)))).parse::<f64>().unwrap().to_bits(), third.to_bits());
    }

    #[test]
    fn rows_become_an_array_of_objects() {
        use entity::expert_sector::{ActiveModel, Column, Entity};
        use sea_orm::ActiveValue::Set;
        let row = |expert_id, sector_id| ActiveModel { expert_id: Set(expert_id), sector_id: Set(sector_id) };
        let json = json_rows::<Entity>(&[row(1, 2), row(3, 4)], &[Column::ExpertId, Column::SectorId]).unwrap();
        assert_eq!(json, r#"[{"expert_id":1,"sector_id":2},{"expert_id":3,"sector_id":4}]"#);
    }

    /// The foreign keys of `table`, as PostgreSQL shows them, and whether each is validated.
    async fn foreign_keys(db: &impl ConnectionTrait, table: &str) -> Vec<(String, bool)> {
        let sql = "SELECT pg_get_constraintdef(oid) AS definition, convalidated FROM pg_constraint \
                   WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname";
        let rows = db.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [table.into()])).await;
        rows.unwrap()
            .iter()
            .map(|row| (row.try_get("", "definition").unwrap(), row.try_get("", "convalidated").unwrap()))
            .collect()
    }

    /// On PostgreSQL (`SOUTHGRAPH_TEST_POSTGRES_URL`): a first insert large enough to drop
    /// and add back the table's keys still refuses rows that break one, and the keys and
    /// indexes are as they were after the rollback; valid rows keep them checked.
    #[tokio::test]
    async fn a_bulk_insert_checks_the_foreign_keys_it_drops() {
        use migration::{Migrator, MigratorTrait};
        use sea_orm::{ActiveValue::Set, Database, TransactionTrait};
        let Some(url) = std::env::var("SOUTHGRAPH_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty()) else {
            eprintln!("skipped: SOUTHGRAPH_TEST_POSTGRES_URL not set");
            return;
        };
        let name = format!("seed_bulk_{}", std::process::id());
        let admin = Database::connect(&url).await.unwrap();
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        let db = Database::connect(format!("{base}/{name}")).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let keys = foreign_keys(&db, "expert_sector").await;
        assert_eq!(keys.len(), 2, "{keys:?}");

        // Rows naming experts that do not exist: the keys added back refuse them.
        use entity::expert_sector::{ActiveModel, Entity};
        let rows: Vec<ActiveModel> = (1..=REBUILD_INDEXES_FROM as i32)
            .map(|expert_id| ActiveModel { expert_id: Set(expert_id), sector_id: Set(1) })
            .collect();
        let txn = db.begin().await.unwrap();
        let error = insert::<Entity, _>(&txn, rows, None).await.unwrap_err();
        assert!(error.to_string().contains("violates foreign key constraint"), "{error}");
        txn.rollback().await.unwrap();
        assert_eq!(foreign_keys(&db, "expert_sector").await, keys);

        db.close().await.unwrap();
        admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    }

    #[test]
    fn the_upsert_sets_every_column_but_the_key() {
        use entity::expert_sector::Column;
        let sql = insert_sql::<entity::expert_sector::Entity>(&[Column::ExpertId, Column::SectorId], None);
        assert_eq!(
            sql,
            "INSERT INTO \"expert_sector\" (\"expert_id\", \"sector_id\") SELECT \"expert_id\", \"sector_id\" \
             FROM json_populate_recordset(NULL::\"expert_sector\", $1::json)"
        );
        use entity::bloc::Column as Bloc;
        let sql = insert_sql::<entity::bloc::Entity>(&[Bloc::Id, Bloc::Code], Some(&[Bloc::Id]));
        assert!(sql.ends_with(" ON CONFLICT (\"id\") DO UPDATE SET \"code\" = EXCLUDED.\"code\""), "{sql}");
    }
}
