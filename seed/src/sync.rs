//! Upsert by natural key, the same way on SQLite and PostgreSQL: inside the import's
//! transaction, the rows already stored for the keys are read once, then new rows are
//! inserted in multi-row batches, changed rows updated one by one, and unchanged rows left
//! alone, so that a re-import counts zero inserted and zero updated.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IdenStatic, IntoActiveModel, Iterable, ModelTrait, Value,
};
use std::collections::HashMap;
use std::hash::Hash;

/// Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters for the widest table (flow, 21 columns).
const BATCH_ROWS: usize = 500;

/// What an upsert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Rows inserted.
    pub inserted: u64,
    /// Rows whose values changed.
    pub updated: u64,
    /// Rows already as in the file.
    pub unchanged: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Self) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
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
    K: Eq + Hash,
{
    let stored: HashMap<K, E::Model> = existing.into_iter().map(|row| (key(&row), row)).collect();
    let mut tally = Tally::default();
    let mut inserts = Vec::new();
    for row in rows {
        match stored.get(&key(&row)) {
            None => {
                let mut active = row.into_active_model().reset_all();
                if let Some(id) = surrogate {
                    active.not_set(id);
                }
                inserts.push(active);
                tally.inserted += 1;
            }
            Some(old) if same_values::<E>(old, &row, surrogate) => tally.unchanged += 1,
            Some(old) => {
                let mut active = row.into_active_model().reset_all();
                if let Some(id) = surrogate {
                    active.set(id, old.get(id));
                }
                E::update(active).exec(db).await?;
                tally.updated += 1;
            }
        }
    }
    insert_batches::<E, C>(db, inserts).await?;
    Ok(tally)
}

/// Inserts rows in multi-row statements of [`BATCH_ROWS`].
pub(crate) async fn insert_batches<E, C>(db: &C, rows: Vec<E::ActiveModel>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<_> = rows.by_ref().take(BATCH_ROWS).collect();
        E::insert_many(batch).exec_without_returning(db).await?;
    }
    Ok(())
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
