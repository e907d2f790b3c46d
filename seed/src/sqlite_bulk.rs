//! Many rows in one SQLite statement: a multi-row `INSERT … VALUES (?, …), (?, …)` with a
//! bind parameter per value, written here straight from the rows' values.
//!
//! SQLite runs in process, on its own worker thread: the time goes into SQLite's work and
//! into building the statements, not into round trips. So the statements are built by hand
//! from the rows' values (sea-query's `InsertMany` wraps every value in an expression
//! first), and each one is built while SQLite's worker still runs the one before. Every
//! full batch has the same SQL, which the driver prepares once and caches.
//!
//! This is SQLite's path only; PostgreSQL's is [`crate::pg_bulk`]. A large first insert
//! rebuilds the table's indexes afterwards ([`crate::rebuild`]).

use futures::future;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, Statement, Value};

use crate::rebuild::{Rebuild, quoted};
use crate::sync::{set_columns, upsert_clause};

/// Rows per statement: 500 rows of the widest table (flow) bind about 12,000 values, well
/// under SQLite's limit of 32,766.
const ROWS_PER_STATEMENT: usize = 500;

/// Inserts `rows` (all with the same columns set) and, with `conflict`, rewrites the rows
/// whose `conflict` keys already exist: `ON CONFLICT (keys) DO UPDATE SET` the other columns
/// set.
pub(crate) async fn insert<E, C>(
    db: &C,
    rows: impl ExactSizeIterator<Item = E::ActiveModel>,
    conflict: Option<&[E::Column]>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let count = rows.len();
    let mut rows = rows.peekable();
    let Some(first) = rows.peek() else { return Ok(()) };
    let columns = set_columns::<E>(first);
    let sql = InsertSql::new::<E>(&columns, conflict);
    let rebuild = if conflict.is_none() { Rebuild::prepare::<E, C>(db, count).await? } else { Rebuild::none() };
    let mut next = statement::<E>(&sql, &columns, rows.by_ref().take(ROWS_PER_STATEMENT))?;
    while let Some(current) = next {
        // Polled first, the insert goes to SQLite's worker thread; the next statement is
        // built meanwhile.
        let (inserted, following) = future::join(db.execute_raw(current), async {
            statement::<E>(&sql, &columns, rows.by_ref().take(ROWS_PER_STATEMENT))
        })
        .await;
        inserted?;
        next = following?;
    }
    rebuild.finish(db).await
}

/// The parts of the SQL every batch shares.
struct InsertSql {
    /// `INSERT INTO "t" ("a", "b") VALUES `.
    head: String,
    /// One row's placeholders: `(?, ?)`.
    row: String,
    /// The upsert clause, or nothing.
    tail: String,
}

impl InsertSql {
    fn new<E: EntityTrait>(columns: &[E::Column], conflict: Option<&[E::Column]>) -> Self {
        let table = quoted(E::default().table_name());
        let list = columns.iter().map(|column| quoted(column.as_str())).collect::<Vec<_>>().join(", ");
        let head = format!("INSERT INTO {table} ({list}) VALUES ");
        let row = format!("({})", vec!["?"; columns.len()].join(", "));
        let tail = conflict.map_or_else(String::new, |keys| upsert_clause::<E>(columns, keys));
        Self { head, row, tail }
    }
}

/// The statement inserting `rows`, or none when there are none.
fn statement<E>(
    sql: &InsertSql,
    columns: &[E::Column],
    rows: impl Iterator<Item = E::ActiveModel>,
) -> Result<Option<Statement>, DbErr>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mut text = sql.head.clone();
    let mut values: Vec<Value> = Vec::with_capacity(ROWS_PER_STATEMENT * columns.len());
    for (index, mut row) in rows.enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        text.push_str(&sql.row);
        for column in columns {
            let value = row.take(*column).into_value().ok_or_else(|| {
                DbErr::Custom(format!("a row leaves `{}` unset, which the first row sets", column.as_str()))
            })?;
            values.push(value);
        }
    }
    if values.is_empty() {
        return Ok(None);
    }
    text.push_str(&sql.tail);
    Ok(Some(Statement::from_sql_and_values(DbBackend::Sqlite, text, values)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_sets_every_column_but_the_key() {
        use entity::bloc::Column;
        let sql = InsertSql::new::<entity::bloc::Entity>(&[Column::Id, Column::Code], Some(&[Column::Id]));
        assert_eq!(sql.head, "INSERT INTO \"bloc\" (\"id\", \"code\") VALUES ");
        assert_eq!(sql.row, "(?, ?)");
        assert_eq!(sql.tail, " ON CONFLICT (\"id\") DO UPDATE SET \"code\" = EXCLUDED.\"code\"");
    }

    #[test]
    fn rows_bind_their_values_in_column_order() {
        use entity::expert_sector::{ActiveModel, Column, Entity};
        use sea_orm::ActiveValue::{NotSet, Set};
        let columns = [Column::ExpertId, Column::SectorId];
        let sql = InsertSql::new::<Entity>(&columns, None);
        let row = |expert_id, sector_id| ActiveModel { expert_id: Set(expert_id), sector_id: Set(sector_id) };
        let built = statement::<Entity>(&sql, &columns, [row(1, 2), row(3, 4)].into_iter()).unwrap().unwrap();
        assert_eq!(built.sql, "INSERT INTO \"expert_sector\" (\"expert_id\", \"sector_id\") VALUES (?, ?), (?, ?)");
        let values: Vec<Value> = built.values.unwrap().into_iter().collect();
        assert_eq!(values, [1, 2, 3, 4].map(|value| Value::Int(Some(value))));
        assert!(statement::<Entity>(&sql, &columns, std::iter::empty()).unwrap().is_none());

        let unset = ActiveModel { expert_id: Set(5), sector_id: NotSet };
        let error = statement::<Entity>(&sql, &columns, [row(1, 2), unset].into_iter()).unwrap_err();
        assert!(error.to_string().contains("leaves `sector_id` unset"), "{error}");
    }
}
