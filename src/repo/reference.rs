//! The small tables that only imports change (countries, sectors, sources), held in memory
//! per data version, so that resolving a flow's provider, recipient and sector, a filter's
//! country codes or a response's sources costs no statement.
//!
//! A [`Snapshot`] is read whole (a few hundred rows) the first time a request needs a data
//! version, and serves every request of that version. A row it does not hold is looked up
//! in the database as before, so a snapshot can be incomplete but never wrong for its
//! version.
//!
//! A snapshot also remembers the counts of root lists ([`Snapshot::counted`]): a client
//! paging through a list with `totalCount` asks the same count on every page, and within
//! one data version the answer cannot change.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use entity::{country, price_index, sector, source};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use tokio::sync::Mutex;

/// The reference tables as of one data version.
#[derive(Debug, Default)]
pub struct Snapshot {
    version: u64,
    countries: HashMap<i32, Arc<country::Model>>,
    country_codes: HashMap<String, i32>,
    sectors: HashMap<i32, Arc<sector::Model>>,
    sources: HashMap<i32, Arc<source::Model>>,
    price_index: Arc<Vec<price_index::Model>>,
    counts: RwLock<Counts>,
}

/// Counts by statement (its SQL and values), and the bytes their keys take.
#[derive(Debug, Default)]
struct Counts {
    by_statement: HashMap<String, u64>,
    bytes: usize,
}

/// Bytes of statements whose counts a snapshot remembers: a filter can make a statement
/// long, so the bound is in bytes; counts past it run every time.
const MAX_COUNT_BYTES: usize = 4 * 1024 * 1024;

impl Snapshot {
    /// Reads the reference tables.
    pub async fn read(db: &impl ConnectionTrait, version: u64) -> Result<Self, DbErr> {
        let (countries, sectors, sources, price_index) = futures::try_join!(
            country::Entity::find().all(db),
            sector::Entity::find().all(db),
            source::Entity::find().all(db),
            price_index(db),
        )?;
        let mut country_codes = HashMap::new();
        for country in &countries {
            country_codes.insert(country.iso3.clone(), country.id);
            if let Some(iso2) = &country.iso2 {
                country_codes.insert(iso2.clone(), country.id);
            }
        }
        Ok(Self {
            version,
            countries: countries.into_iter().map(|row| (row.id, Arc::new(row))).collect(),
            country_codes,
            sectors: sectors.into_iter().map(|row| (row.id, Arc::new(row))).collect(),
            sources: sources.into_iter().map(|row| (row.id, Arc::new(row))).collect(),
            price_index: Arc::new(price_index),
            counts: RwLock::default(),
        })
    }

    /// The id of the country with this ISO3 or ISO2 code (upper case).
    pub fn country_id(&self, code: &str) -> Option<i32> {
        self.country_codes.get(code).copied()
    }

    /// Sources by id.
    pub fn source(&self, id: i32) -> Option<&Arc<source::Model>> {
        self.sources.get(&id)
    }

    /// The CPI-U series, by year.
    pub fn price_index(&self) -> Arc<Vec<price_index::Model>> {
        Arc::clone(&self.price_index)
    }

    /// Whether a source has guidance on rows to leave out of totals.
    pub fn has_guidance(&self) -> bool {
        self.sources.values().any(|source| source.guidance.is_some())
    }

    /// The id of the source with this key.
    pub fn source_id(&self, key: &str) -> Option<i32> {
        self.sources.values().find(|source| source.key == key).map(|source| source.id)
    }

    /// The count that the statement `key` (its SQL and values) gave in this version.
    pub fn counted(&self, key: &str) -> Option<u64> {
        self.counts.read().ok()?.by_statement.get(key).copied()
    }

    /// Remembers the count that the statement `key` gave, while there is room.
    pub fn remember_count(&self, key: String, count: u64) {
        if let Ok(mut counts) = self.counts.write()
            && counts.bytes + key.len() <= MAX_COUNT_BYTES
            && !counts.by_statement.contains_key(&key)
        {
            counts.bytes += key.len();
            counts.by_statement.insert(key, count);
        }
    }
}

/// The CPI-U series, by year.
pub async fn price_index(db: &impl ConnectionTrait) -> Result<Vec<price_index::Model>, DbErr> {
    use sea_orm::QueryOrder;
    price_index::Entity::find().order_by_asc(price_index::Column::Year).all(db).await
}

/// Tables whose rows a [`Snapshot`] holds.
pub trait Remembered: EntityTrait {
    /// The row with this id, if the snapshot holds this table and the row.
    fn remembered(snapshot: &Snapshot, id: i32) -> Option<&Arc<Self::Model>>;
}

macro_rules! remembered {
    ($($module:ident => $field:ident),*) => {$(
        impl Remembered for $module::Entity {
            fn remembered(snapshot: &Snapshot, id: i32) -> Option<&Arc<$module::Model>> {
                snapshot.$field.get(&id)
            }
        }
    )*};
    ($($module:ident),*) => {$(
        impl Remembered for entity::$module::Entity {
            fn remembered(_: &Snapshot, _: i32) -> Option<&Arc<entity::$module::Model>> {
                None
            }
        }
    )*};
}
remembered!(country => countries, sector => sectors, source => sources);
remembered!(agreement, bloc, deployment, exchange, expert, flow, import_run);

/// The latest snapshot, replaced when a request needs a newer data version.
#[derive(Debug, Default)]
pub struct ReferenceTables {
    held: RwLock<Option<Arc<Snapshot>>>,
    reading: Mutex<()>,
}

impl ReferenceTables {
    /// A snapshot of `version` or newer (versions only grow), read now if the one held is
    /// older. Requests that need it meanwhile wait for that one read rather than read
    /// again.
    pub async fn at(&self, db: &impl ConnectionTrait, version: u64) -> Result<Arc<Snapshot>, DbErr> {
        if let Some(snapshot) = self.held(version) {
            return Ok(snapshot);
        }
        let _reading = self.reading.lock().await;
        if let Some(snapshot) = self.held(version) {
            return Ok(snapshot);
        }
        let snapshot = Arc::new(Snapshot::read(db, version).await?);
        if let Ok(mut held) = self.held.write() {
            *held = Some(snapshot.clone());
        }
        Ok(snapshot)
    }

    fn held(&self, version: u64) -> Option<Arc<Snapshot>> {
        let held = self.held.read().ok()?;
        held.as_ref().filter(|snapshot| snapshot.version >= version).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_remembered_up_to_a_byte_bound() {
        let snapshot = Snapshot::default();
        snapshot.remember_count("SELECT COUNT(*) FROM flow".to_owned(), 105_824);
        assert_eq!(snapshot.counted("SELECT COUNT(*) FROM flow"), Some(105_824));
        let long = "x".repeat(MAX_COUNT_BYTES);
        snapshot.remember_count(long.clone(), 1);
        assert_eq!(snapshot.counted(&long), None, "a statement past the bound is counted every time");
        assert_eq!(snapshot.counted("SELECT COUNT(*) FROM flow"), Some(105_824));
    }
}
