//! The small tables that only imports change (countries, sectors, sources), held in memory
//! per data version, so that resolving a flow's provider, recipient and sector, a filter's
//! country codes or a response's sources costs no statement.
//!
//! A [`Snapshot`] is read whole (a few hundred rows) the first time a request needs a data
//! version, and serves every request of that version. A row it does not hold is looked up
//! in the database as before, so a snapshot can be incomplete but never wrong for its
//! version.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use entity::{country, sector, source};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use tokio::sync::Mutex;

/// The reference tables as of one data version.
#[derive(Debug, Default)]
pub struct Snapshot {
    version: u64,
    countries: HashMap<i32, country::Model>,
    country_codes: HashMap<String, i32>,
    sectors: HashMap<i32, sector::Model>,
    sources: HashMap<i32, source::Model>,
}

impl Snapshot {
    /// Reads the reference tables.
    pub async fn read(db: &impl ConnectionTrait, version: u64) -> Result<Self, DbErr> {
        let (countries, sectors, sources) = futures::try_join!(
            country::Entity::find().all(db),
            sector::Entity::find().all(db),
            source::Entity::find().all(db),
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
            countries: countries.into_iter().map(|row| (row.id, row)).collect(),
            country_codes,
            sectors: sectors.into_iter().map(|row| (row.id, row)).collect(),
            sources: sources.into_iter().map(|row| (row.id, row)).collect(),
        })
    }

    /// The data version it was read at.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The id of the country with this ISO3 or ISO2 code (upper case).
    pub fn country_id(&self, code: &str) -> Option<i32> {
        self.country_codes.get(code).copied()
    }

    /// Sources by id.
    pub fn source(&self, id: i32) -> Option<&source::Model> {
        self.sources.get(&id)
    }
}

/// Tables whose rows a [`Snapshot`] holds.
pub trait Remembered: EntityTrait {
    /// The row with this id, if the snapshot holds this table and the row.
    fn remembered(snapshot: &Snapshot, id: i32) -> Option<&Self::Model>;
}

macro_rules! remembered {
    ($($module:ident => $field:ident),*) => {$(
        impl Remembered for $module::Entity {
            fn remembered(snapshot: &Snapshot, id: i32) -> Option<&$module::Model> {
                snapshot.$field.get(&id)
            }
        }
    )*};
    ($($module:ident),*) => {$(
        impl Remembered for entity::$module::Entity {
            fn remembered(_: &Snapshot, _: i32) -> Option<&entity::$module::Model> {
                None
            }
        }
    )*};
}
remembered!(country => countries, sector => sectors, source => sources);
remembered!(agreement, bloc, deployment, expert, flow, import_run);

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
