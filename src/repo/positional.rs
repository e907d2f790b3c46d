//! Listed rows decoded by position, not by name.
//!
//! sea-orm's derived models read each column by name: the driver hashes the name to find
//! the column, and a `NULL` in an optional column builds, and throws away, an error message
//! that quotes the name. For the pages of a list that came to about a third of a nested
//! query's instructions. The listings ([`super::page`]) select every column of the table in
//! the entity's own order, so the model's columns are at known positions: this reads them
//! there, into the entity's active model, by the column's declared type.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ColumnType, DbErr, EntityTrait, Iterable, QueryResult, Value,
    sqlx::{self, Decode, Row, Type},
};

use super::lookup::WithId;

/// The declared types of the entity's columns, in its order: read once per statement.
pub fn column_types<E: EntityTrait>() -> Vec<ColumnType> {
    E::Column::iter().map(|column| column.def().get_column_type().clone()).collect()
}

/// The model whose columns start at position `start` of `row`, in the entity's order, of
/// the `types` that [`column_types`] gave.
pub fn model<E: WithId>(row: &QueryResult, start: usize, types: &[ColumnType]) -> Result<E::Model, DbErr> {
    let mut active = <E::ActiveModel as ActiveModelTrait>::default();
    for ((column, ty), at) in E::Column::iter().zip(types).zip(start..) {
        active.try_set(column, value(row, at, ty)?)?;
    }
    E::into_model(active)
}

/// The value at `at`, as `ty` declares it.
fn value(row: &QueryResult, at: usize, ty: &ColumnType) -> Result<Value, DbErr> {
    let decoded = if let Some(row) = row.try_as_pg_row() {
        decode(row, at, ty)
    } else if let Some(row) = row.try_as_sqlite_row() {
        decode(row, at, ty)
    } else {
        return Err(DbErr::Type("rows by position are read from PostgreSQL and SQLite only".to_owned()));
    };
    decoded
        .ok_or_else(|| DbErr::Type(format!("column {at}: no positional decoding for {ty:?}")))?
        .map_err(|error| DbErr::Type(format!("column {at}: {error}")))
}

/// Decodes column `at` of `row` as `ty` declares it; `None` for a type this does not read.
///
/// The driver's check that the column's database type suits the Rust type is skipped: it
/// cost more than the decoding (a string compares the column's type with five). The types
/// are the entity's own, which the migrations create, and every listed entity is read by
/// the tests on both databases.
fn decode<'r, R>(row: &'r R, at: usize, ty: &ColumnType) -> Option<Result<Value, sqlx::Error>>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    f64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    chrono::NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    chrono::DateTime<chrono::Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Some(match ty {
        ColumnType::Integer => row.try_get_unchecked(at).map(Value::Int),
        ColumnType::BigInteger => row.try_get_unchecked(at).map(Value::BigInt),
        ColumnType::Double => row.try_get_unchecked(at).map(Value::Double),
        ColumnType::Boolean => row.try_get_unchecked(at).map(Value::Bool),
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => row.try_get_unchecked(at).map(Value::String),
        ColumnType::Date => row.try_get_unchecked(at).map(Value::ChronoDate),
        ColumnType::TimestampWithTimeZone => row.try_get_unchecked(at).map(Value::ChronoDateTimeUtc),
        _ => return None,
    })
}
