//! Batch loaders: every relation goes through one, so a query costs a number of SQL
//! statements bounded by its depth, never by its rows. All are registered in [`register`].

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    marker::PhantomData,
    sync::Arc,
};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    agreement, agreement_party, bloc, bloc_member, country, deployment, expert, flow, import_run, sector, source,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect, RelationTrait, sea_query::JoinType,
};

use super::flow_stats::{Partner, PartnerRequest, rank_partners};
use crate::{
    config::ApiConfig,
    repo::{
        lookup,
        page::{Listing, Page, Window, fetch_pages},
    },
};

/// Models that have an integer primary key `id`.
pub trait HasId {
    /// The primary key.
    fn id(&self) -> i32;
}

macro_rules! has_id {
    ($($module:ident),*) => {$(
        impl HasId for $module::Model {
            fn id(&self) -> i32 {
                self.id
            }
        }
    )*};
}
has_id!(agreement, bloc, country, deployment, expert, flow, import_run, sector, source);

/// Loads rows of one table by primary key.
pub struct ById<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> Loader<i32> for ById<E>
where
    E: EntityTrait,
    E::Model: HasId + Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i32]) -> Result<HashMap<i32, E::Model>, Arc<DbErr>> {
        let models = lookup::by_ids::<E>(&self.db, ids).await?;
        Ok(models.into_iter().map(|model| (model.id(), model)).collect())
    }
}

/// One parent's page of a nested connection.
#[derive(Clone, Debug)]
pub struct PageKey {
    /// The parent's id.
    pub parent: i32,
    /// What to list, shared by all parents of one field.
    pub request: Arc<PageRequest>,
}

/// A nested connection's listing and window, with a fingerprint that identifies them.
#[derive(Debug)]
pub struct PageRequest {
    /// Identifies the relation, filter, order and window (their debug rendering).
    pub fingerprint: String,
    /// What to list.
    pub listing: Listing,
    /// Which positions.
    pub window: Window,
}

impl PartialEq for PageKey {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.request.fingerprint == other.request.fingerprint
    }
}

impl Eq for PageKey {}

impl Hash for PageKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.request.fingerprint.hash(state);
    }
}

/// Loads pages of nested connections of one table: one statement per distinct request.
pub struct PageLoader<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> Loader<PageKey> for PageLoader<E>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    type Value = Arc<Page<E::Model>>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Self::Value>, Arc<DbErr>> {
        let mut requests: HashMap<&str, (&Arc<PageRequest>, Vec<i32>)> = HashMap::new();
        for key in keys {
            requests.entry(&key.request.fingerprint).or_insert_with(|| (&key.request, Vec::new())).1.push(key.parent);
        }
        let mut loaded = HashMap::new();
        for (request, parents) in requests.into_values() {
            let pages = fetch_pages::<E>(&self.db, &request.listing, &parents, request.window).await?;
            for (parent, page) in pages {
                loaded.insert(PageKey { parent, request: request.clone() }, Arc::new(page));
            }
        }
        Ok(loaded)
    }
}

/// Loads the bloc codes a country belongs to.
pub struct BlocCodesByCountry(DatabaseConnection);

impl Loader<i32> for BlocCodesByCountry {
    type Value = Arc<Vec<String>>;
    type Error = Arc<DbErr>;

    async fn load(&self, countries: &[i32]) -> Result<HashMap<i32, Self::Value>, Arc<DbErr>> {
        let rows: Vec<(i32, String)> = bloc_member::Entity::find()
            .select_only()
            .column(bloc_member::Column::CountryId)
            .column(bloc::Column::Code)
            .join(JoinType::InnerJoin, bloc_member::Relation::Bloc.def())
            .filter(bloc_member::Column::CountryId.is_in(countries.iter().copied()))
            .into_tuple()
            .all(&self.0)
            .await?;
        let mut codes: HashMap<i32, Vec<String>> = countries.iter().map(|id| (*id, Vec::new())).collect();
        for (country, code) in rows {
            codes.entry(country).or_default().push(code);
        }
        Ok(codes.into_iter().map(|(country, codes)| (country, Arc::new(codes))).collect())
    }
}

/// Loads all parties of an agreement (for its scope and South–South measures).
pub struct PartiesByAgreement(DatabaseConnection);

impl Loader<i32> for PartiesByAgreement {
    type Value = Arc<Vec<country::Model>>;
    type Error = Arc<DbErr>;

    async fn load(&self, agreements: &[i32]) -> Result<HashMap<i32, Self::Value>, Arc<DbErr>> {
        let links: Vec<(i32, i32)> = agreement_party::Entity::find()
            .select_only()
            .column(agreement_party::Column::AgreementId)
            .column(agreement_party::Column::CountryId)
            .filter(agreement_party::Column::AgreementId.is_in(agreements.iter().copied()))
            .into_tuple()
            .all(&self.0)
            .await?;
        let country_ids: Vec<i32> = links.iter().map(|(_, country)| *country).collect();
        let countries: HashMap<i32, country::Model> = if country_ids.is_empty() {
            HashMap::new()
        } else {
            lookup::by_ids::<country::Entity>(&self.0, &country_ids).await?.into_iter().map(|c| (c.id, c)).collect()
        };
        let mut parties: HashMap<i32, Vec<country::Model>> = agreements.iter().map(|id| (*id, Vec::new())).collect();
        for (agreement, country) in links {
            if let Some(country) = countries.get(&country) {
                parties.entry(agreement).or_default().push(country.clone());
            }
        }
        Ok(parties.into_iter().map(|(agreement, parties)| (agreement, Arc::new(parties))).collect())
    }
}

/// One country's partners, for one ranking request.
#[derive(Clone, Debug)]
pub struct PartnerKey {
    /// The country.
    pub country: i32,
    /// The ranking, shared by all countries of one field.
    pub request: Arc<PartnerRequest>,
}

impl PartialEq for PartnerKey {
    fn eq(&self, other: &Self) -> bool {
        self.country == other.country && self.request.fingerprint == other.request.fingerprint
    }
}

impl Eq for PartnerKey {}

impl Hash for PartnerKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.country.hash(state);
        self.request.fingerprint.hash(state);
    }
}

/// Ranks partners of many countries in one statement per distinct request.
pub struct PartnerLoader(DatabaseConnection);

impl Loader<PartnerKey> for PartnerLoader {
    type Value = Arc<Vec<Partner>>;
    type Error = crate::error::ApiError;

    async fn load(&self, keys: &[PartnerKey]) -> Result<HashMap<PartnerKey, Self::Value>, Self::Error> {
        let mut requests: HashMap<&str, (&Arc<PartnerRequest>, Vec<i32>)> = HashMap::new();
        for key in keys {
            requests.entry(&key.request.fingerprint).or_insert_with(|| (&key.request, Vec::new())).1.push(key.country);
        }
        let mut loaded = HashMap::new();
        for (request, countries) in requests.into_values() {
            for (country, partners) in rank_partners(&self.0, &countries, request).await? {
                loaded.insert(PartnerKey { country, request: request.clone() }, Arc::new(partners));
            }
        }
        Ok(loaded)
    }
}

/// Adds every loader to the schema's data, each batching within the configured window.
pub fn register(
    builder: async_graphql::SchemaBuilder<super::Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription>,
    db: &DatabaseConnection,
    config: &ApiConfig,
) -> async_graphql::SchemaBuilder<super::Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription> {
    let delay = config.batch_delay();
    macro_rules! by_id {
        ($builder:expr, $($module:ident),*) => {
            $builder$(
                .data(batched(ById::<$module::Entity> { db: db.clone(), entity: PhantomData }, delay))
                .data(batched(PageLoader::<$module::Entity> { db: db.clone(), entity: PhantomData }, delay))
            )*
        };
    }
    by_id!(builder, agreement, bloc, country, deployment, expert, flow, import_run, sector, source)
        .data(batched(BlocCodesByCountry(db.clone()), delay))
        .data(batched(PartiesByAgreement(db.clone()), delay))
        .data(batched(PartnerLoader(db.clone()), delay))
}

/// A loader that gathers keys for `delay`, in batches of up to 1,000 keys.
fn batched<T: Send + Sync + 'static>(loader: T, delay: std::time::Duration) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(delay).max_batch_size(1000)
}
