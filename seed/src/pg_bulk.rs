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
//! A large first insert rebuilds the table's indexes and keys afterwards ([`crate::rebuild`]).
//!
//! The JSON text is exact for every column type the entities use: integers and strings as
//! they are, dates as `YYYY-MM-DD`, doubles in their shortest round-trip form (which
//! PostgreSQL's `float8in` reads back to the same bits), `NaN` and infinities as strings.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, IdenStatic, Statement, Value};
use serde_json::Value as Json;

use crate::rebuild::{Rebuild, quoted};
use crate::sync::{set_columns, upsert_clause};

/// Rows per statement: bounds the size of one JSON document (a flow row is a few hundred
/// bytes) while keeping the round trips to a handful for the largest dataset.
const ROWS_PER_STATEMENT: usize = 25_000;

/// Inserts `rows` (all with the same columns set) and, with `conflict`, rewrites the rows
/// whose `conflict.keys` already exist: `ON CONFLICT (keys) DO UPDATE SET` the other
/// columns set.
pub(crate) async fn insert<E, C>(
    db: &C,
    rows: impl ExactSizeIterator<Item = E::ActiveModel>,
    conflict: Option<&[E::Column]>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: sea_orm::EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let count = rows.len();
    let mut rows = rows.peekable();
    let Some(first) = rows.peek() else { return Ok(()) };
    let columns = set_columns::<E>(first);
    let sql = insert_sql::<E>(&columns, conflict);
    let rebuild = if conflict.is_none() { Rebuild::prepare::<E, C>(db, count).await? } else { Rebuild::none() };
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let json = json_rows::<E>(&chunk, &columns)?;
        db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql.as_str(), [Value::from(json)])).await?;
    }
    rebuild.finish(db).await
}

/// The statement: the set columns, from the JSON rows, with the upsert clause if asked.
fn insert_sql<E: sea_orm::EntityTrait>(columns: &[E::Column], conflict: Option<&[E::Column]>) -> String {
    let table = quoted(E::default().table_name());
    let list = columns.iter().map(|c| quoted(c.as_str())).collect::<Vec<_>>().join(", ");
    let mut sql =
        format!("INSERT INTO {table} ({list}) SELECT {list} FROM json_populate_recordset(NULL::{table}, $1::json)");
    if let Some(keys) = conflict {
        sql.push_str(&upsert_clause::<E>(columns, keys));
    }
    sql
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
