//! Batch loaders: every relation goes through one, so a query costs a number of SQL
//! statements bounded by its depth, never by its rows. All are registered in [`register`].

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    marker::PhantomData,
    sync::Arc,
};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{agreement, bloc, bloc_member, country, deployment, expert, flow, import_run, sector, source};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect, RelationTrait, sea_query::JoinType,
};

use crate::{
    config::ApiConfig,
    repo::{
        lookup,
        page::{Listing, Page, Window, fetch_pages},
        rules::{self, AgreementClass},
        stats::partners::{Partner, PartnerRanking, partners},
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

/// Applies the agreement rules (scope, South–South, triangular) to agreements.
pub struct AgreementClasses(DatabaseConnection);

impl Loader<i32> for AgreementClasses {
    type Value = AgreementClass;
    type Error = Arc<DbErr>;

    async fn load(&self, agreements: &[i32]) -> Result<HashMap<i32, AgreementClass>, Arc<DbErr>> {
        Ok(rules::classify_agreements(&self.0, agreements).await?)
    }
}

/// Applies the South–South rule to flows.
pub struct SouthSouthFlows(DatabaseConnection);

impl Loader<i32> for SouthSouthFlows {
    type Value = bool;
    type Error = Arc<DbErr>;

    async fn load(&self, flows: &[i32]) -> Result<HashMap<i32, bool>, Arc<DbErr>> {
        Ok(rules::south_south_flows(&self.0, flows).await?)
    }
}

/// A ranking of partners, with a fingerprint that identifies it (its debug rendering).
#[derive(Debug)]
pub struct PartnerRequest {
    /// Identifies the ranking.
    pub fingerprint: String,
    /// What to rank.
    pub ranking: PartnerRanking,
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
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PartnerKey]) -> Result<HashMap<PartnerKey, Self::Value>, Self::Error> {
        let mut requests: HashMap<&str, (&Arc<PartnerRequest>, Vec<i32>)> = HashMap::new();
        for key in keys {
            requests.entry(&key.request.fingerprint).or_insert_with(|| (&key.request, Vec::new())).1.push(key.country);
        }
        let mut loaded = HashMap::new();
        for (request, countries) in requests.into_values() {
            for (country, partners) in partners(&self.0, &countries, &request.ranking).await? {
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
        .data(batched(AgreementClasses(db.clone()), delay))
        .data(batched(SouthSouthFlows(db.clone()), delay))
        .data(batched(PartnerLoader(db.clone()), delay))
}

/// A loader that gathers keys for `delay`, in batches of up to 1,000 keys.
fn batched<T: Send + Sync + 'static>(loader: T, delay: std::time::Duration) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(delay).max_batch_size(1000)
}
