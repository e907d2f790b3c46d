//! Upsert by natural key, the same way on SQLite and PostgreSQL: inside the import's
//! transaction, the rows already stored for the keys are read once and compared, then
//! changed rows are rewritten and new rows inserted, both in multi-row batches, and
//! unchanged rows left alone, so that a re-import counts zero inserted and zero updated.
//!
//! The read stays: an `INSERT … ON CONFLICT DO UPDATE` alone cannot tell the import report
//! which rows it inserted, which it changed and which it left as they were (PostgreSQL
//! could tell inserted from updated by `xmax`, SQLite cannot at all, and neither counts
//! an update that changes nothing as unchanged). `ON CONFLICT` on the primary key is what
//! rewrites the changed rows, a batch per statement instead of an `UPDATE` per row.
//!
//! The statements differ by backend, and only there: SQLite takes multi-row
//! `INSERT … VALUES` of a few hundred rows ([`crate::sqlite_bulk`]), PostgreSQL a JSON
//! array of many thousand rows per statement ([`crate::pg_bulk`]), since round trips, not
//! rows, are what cost there. On both, a large first insert rebuilds the table's indexes
//! afterwards ([`crate::rebuild`]).

use crate::rebuild::quoted;
use crate::{pg_bulk, sqlite_bulk};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, IntoActiveModel, Iterable,
    ModelTrait, PrimaryKeyToColumn, Value,
};
use std::collections::HashMap;
use std::hash::Hash;

/// What an upsert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// The table written.
    pub table: &'static str,
    /// Rows inserted.
    pub inserted: u64,
    /// Rows whose values changed.
    pub updated: u64,
    /// Rows already as in the file.
    pub unchanged: u64,
}

/// What an upsert did, with the keys of the rows it inserted and changed.
#[derive(Debug)]
pub(crate) struct Changes<K> {
    /// The counts.
    pub tally: Tally,
    /// Keys of the rows inserted.
    pub inserted: Vec<K>,
    /// Keys of the rows whose values changed.
    pub updated: Vec<K>,
}

/// Upserts `rows` against `existing` (the stored rows that may share their keys).
///
/// `key` gives a row's natural key. `surrogate` is the auto-increment id column, if the
/// table has one: new rows leave it to the database, changed rows keep the stored id.
/// Rows of link tables (composite primary keys) pass `None`.
pub(crate) async fn upsert<E, K, C>(
    db: &C,
    existing: Vec<E::Model>,
    rows: Vec<E::Model>,
    key: impl Fn(&E::Model) -> K,
    surrogate: Option<E::Column>,
) -> Result<Tally, DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    K: Eq + Hash + Clone,
{
    Ok(upsert_changes::<E, K, C>(db, existing, rows, key, surrogate).await?.tally)
}

/// [`upsert`], telling which keys it inserted and which it changed.
pub(crate) async fn upsert_changes<E, K, C>(
    db: &C,
    existing: Vec<E::Model>,
    rows: Vec<E::Model>,
    key: impl Fn(&E::Model) -> K,
    surrogate: Option<E::Column>,
) -> Result<Changes<K>, DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    K: Eq + Hash + Clone,
{
    let stored: HashMap<K, E::Model> = existing.into_iter().map(|row| (key(&row), row)).collect();
    let mut tally = Tally { table: E::default().table_name(), ..Tally::default() };
    let mut inserted = Vec::new();
    // Kept as models: each becomes an active model only when its batch is written.
    let mut inserts = Vec::with_capacity(rows.len());
    // By key: a key given twice is updated to the last row, as one UPDATE after another did.
    let mut updates: HashMap<K, E::ActiveModel> = HashMap::new();
    for row in rows {
        let row_key = key(&row);
        match stored.get(&row_key) {
            None => {
                inserts.push(row);
                inserted.push(row_key);
                tally.inserted += 1;
            }
            Some(old) if same_values::<E>(old, &row, surrogate) => tally.unchanged += 1,
            Some(old) => {
                let mut active = row.into_active_model().reset_all();
                if let Some(id) = surrogate {
                    active.set(id, old.get(id));
                }
                updates.insert(row_key, active);
                tally.updated += 1;
            }
        }
    }
    let updated: Vec<K> = updates.keys().cloned().collect();
    update_batches::<E, C>(db, updates.into_values()).await?;
    let inserts = inserts.into_iter().map(|row| {
        let mut active = row.into_active_model().reset_all();
        if let Some(id) = surrogate {
            active.not_set(id);
        }
        active
    });
    insert_batches::<E, C>(db, inserts).await?;
    Ok(Changes { tally, inserted, updated })
}

/// Rewrites stored rows (each with its primary key) in multi-row statements:
/// `INSERT … ON CONFLICT (primary key) DO UPDATE SET` every other column, which SQLite and
/// PostgreSQL both run as an update of the row the key names.
async fn update_batches<E, C>(db: &C, rows: impl ExactSizeIterator<Item = E::ActiveModel>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let keys: Vec<E::Column> = E::PrimaryKey::iter().map(PrimaryKeyToColumn::into_column).collect();
    let values: Vec<E::Column> =
        E::Column::iter().filter(|column| keys.iter().all(|key| key.as_str() != column.as_str())).collect();
    if values.is_empty() {
        // A row that is all key is never changed, only inserted.
        return Ok(());
    }
    match db.get_database_backend() {
        DbBackend::Postgres => pg_bulk::insert::<E, C>(db, rows, Some(&keys)).await,
        _ => sqlite_bulk::insert::<E, C>(db, rows, Some(&keys)).await,
    }
}

/// Inserts rows in multi-row statements.
pub(crate) async fn insert_batches<E, C>(
    db: &C,
    rows: impl ExactSizeIterator<Item = E::ActiveModel>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    match db.get_database_backend() {
        DbBackend::Postgres => pg_bulk::insert::<E, C>(db, rows, None).await,
        _ => sqlite_bulk::insert::<E, C>(db, rows, None).await,
    }
}

/// The columns `first` sets, in the entity's order: those of every row of a bulk insert.
pub(crate) fn set_columns<E: EntityTrait>(first: &E::ActiveModel) -> Vec<E::Column>
where
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    E::Column::iter().filter(|column| !first.is_not_set(*column)).collect()
}

/// ` ON CONFLICT (keys) DO UPDATE SET` every other of `columns` to its new value, as both
/// databases write it.
pub(crate) fn upsert_clause<E: EntityTrait>(columns: &[E::Column], keys: &[E::Column]) -> String {
    let is_key = |column: &E::Column| keys.iter().any(|key| key.as_str() == column.as_str());
    let set = columns
        .iter()
        .filter(|column| !is_key(column))
        .map(|column| format!("{name} = EXCLUDED.{name}", name = quoted(column.as_str())))
        .collect::<Vec<_>>()
        .join(", ");
    let keys = keys.iter().map(|key| quoted(key.as_str())).collect::<Vec<_>>().join(", ");
    format!(" ON CONFLICT ({keys}) DO UPDATE SET {set}")
}

/// Whether two rows hold the same values in every column but the surrogate id.
fn same_values<E: EntityTrait>(old: &E::Model, new: &E::Model, surrogate: Option<E::Column>) -> bool {
    E::Column::iter()
        .filter(|column| surrogate.is_none_or(|id| id.as_str() != column.as_str()))
        .all(|column| values_equal(&old.get(column), &new.get(column)))
}

/// Compares stored and new values; doubles within a relative 1e-12 (a round trip through
/// PostgreSQL's text protocol may change the last bit).
fn values_equal(old: &Value, new: &Value) -> bool {
    match (old, new) {
        (Value::Double(Some(a)), Value::Double(Some(b))) => a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
        _ => old == new,
    }
}
