//! Batch loaders: every relation goes through one, so a query costs a number of SQL
//! statements bounded by its depth, never by its rows. All are registered in [`register`].
//!
//! Two kinds: rows by id ([`ById`], and the rules applied by id), and requests batched
//! over parents ([`BatchLoader`]): a nested page, a partner ranking. A batched request is a
//! typed value that compares by value; the siblings of one field share it, and each
//! distinct request runs one statement for all of its parents.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    marker::PhantomData,
    sync::Arc,
};

use async_graphql::dataloader::Loader;
use entity::{agreement, bloc, country, deployment, exchange, expert, flow, import_change, import_run, sector, source};
use sea_orm::{DatabaseConnection, DbErr};

use super::batch::Batcher;
use crate::repo::{
    lookup::{self, HasId, WithId},
    page::{Listing, Page, Window, fetch_pages},
    rules::{self, AgreementClass},
    stats::partners::{Partner, PartnerRanking, partners},
};

/// Loads rows of one table by primary key.
pub struct ById<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> Loader<i32> for ById<E>
where
    E: WithId,
    E::Model: Clone + Send + Sync,
{
    type Value = Arc<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i32]) -> Result<HashMap<i32, Arc<E::Model>>, Arc<DbErr>> {
        let models = lookup::by_ids::<E>(&self.db, ids).await?;
        Ok(models.into_iter().map(|model| (model.id(), Arc::new(model))).collect())
    }
}

/// A request that the siblings of one field share, run once for all their parents.
pub trait BatchRequest: Eq + Send + Sync + 'static {
    /// What one parent gets.
    type Value: Send + Sync + 'static;

    /// Runs the request for these parents; parents with nothing may be left out.
    fn run(
        &self,
        db: &DatabaseConnection,
        parents: &[i32],
    ) -> impl Future<Output = Result<HashMap<i32, Self::Value>, DbErr>> + Send;
}

/// One parent's part of a batched request.
#[derive(Debug)]
pub struct Batched<R> {
    /// The parent's id.
    pub parent: i32,
    /// The request, shared by the siblings.
    pub request: Arc<R>,
}

impl<R> Clone for Batched<R> {
    fn clone(&self) -> Self {
        Self { parent: self.parent, request: self.request.clone() }
    }
}

impl<R: Eq> PartialEq for Batched<R> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.request == other.request
    }
}

impl<R: Eq> Eq for Batched<R> {}

/// By the parent alone: the siblings of one field share a request, so the parent tells the
/// keys of a batch apart, and hashing the request (a listing, a window) for every key and
/// every lookup cost more than the rare collision of two requests for one parent.
impl<R> Hash for Batched<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
    }
}

/// Runs batched requests: one statement per distinct request, for all its parents.
pub struct BatchLoader<R> {
    db: DatabaseConnection,
    request: PhantomData<fn() -> R>,
}

impl<R: BatchRequest> Loader<Batched<R>> for BatchLoader<R> {
    type Value = Arc<R::Value>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Batched<R>]) -> Result<HashMap<Batched<R>, Self::Value>, Arc<DbErr>> {
        // A batch holds one request or a few (one per distinct set of arguments).
        let mut requests: Vec<(&Arc<R>, Vec<i32>)> = Vec::new();
        for key in keys {
            match requests
                .iter_mut()
                .find(|(request, _)| Arc::ptr_eq(request, &key.request) || **request == key.request)
            {
                Some((_, parents)) => parents.push(key.parent),
                None => requests.push((&key.request, vec![key.parent])),
            }
        }
        let mut loaded = HashMap::with_capacity(keys.len());
        for (request, parents) in requests {
            for (parent, value) in request.run(&self.db, &parents).await? {
                loaded.insert(Batched { parent, request: request.clone() }, Arc::new(value));
            }
        }
        Ok(loaded)
    }
}

/// A page of a nested connection of table `E`, the same for every parent.
#[derive(Debug)]
pub struct PageRequest<E> {
    /// What to list.
    pub listing: Listing,
    /// Which positions.
    pub window: Window,
    /// Whether to count each parent's list.
    pub count: bool,
    entity: PhantomData<fn() -> E>,
}

impl<E> PageRequest<E> {
    /// A page of a listing, with each parent's count when `count` asks.
    pub fn new(listing: Listing, window: Window, count: bool) -> Self {
        Self { listing, window, count, entity: PhantomData }
    }
}

impl<E> PartialEq for PageRequest<E> {
    fn eq(&self, other: &Self) -> bool {
        self.listing == other.listing && self.window == other.window && self.count == other.count
    }
}

impl<E> Eq for PageRequest<E> {}

impl<E> BatchRequest for PageRequest<E>
where
    E: WithId,
    E::Model: Send + Sync,
{
    type Value = Page<E::Model>;

    async fn run(&self, db: &DatabaseConnection, parents: &[i32]) -> Result<HashMap<i32, Self::Value>, DbErr> {
        fetch_pages::<E>(db, &self.listing, parents, self.window, self.count).await
    }
}

impl BatchRequest for PartnerRanking {
    type Value = Vec<Partner>;

    async fn run(&self, db: &DatabaseConnection, countries: &[i32]) -> Result<HashMap<i32, Self::Value>, DbErr> {
        partners(db, countries, self).await
    }
}

/// Loads the bloc codes a country belongs to.
pub struct BlocCodesByCountry(DatabaseConnection);

impl Loader<i32> for BlocCodesByCountry {
    type Value = Arc<Vec<String>>;
    type Error = Arc<DbErr>;

    async fn load(&self, countries: &[i32]) -> Result<HashMap<i32, Self::Value>, Arc<DbErr>> {
        let codes = lookup::bloc_codes_by_country(&self.0, countries).await?;
        Ok(codes.into_iter().map(|(country, codes)| (country, Arc::new(codes))).collect())
    }
}

/// The income groups of countries year by year ([`lookup::income_groups_by_country`]).
pub struct IncomeGroupsByCountry(DatabaseConnection);

impl Loader<i32> for IncomeGroupsByCountry {
    type Value = Arc<Vec<entity::country_income_group::Model>>;
    type Error = Arc<DbErr>;

    async fn load(&self, countries: &[i32]) -> Result<HashMap<i32, Self::Value>, Arc<DbErr>> {
        let series = lookup::income_groups_by_country(&self.0, countries).await?;
        Ok(series.into_iter().map(|(country, years)| (country, Arc::new(years))).collect())
    }
}

/// The codes of flows from IATI code lists ([`lookup::codes_by_flow`]).
pub struct FlowCodes(DatabaseConnection);

impl Loader<i32> for FlowCodes {
    type Value = Arc<Vec<lookup::FlowCode>>;
    type Error = Arc<DbErr>;

    async fn load(&self, flows: &[i32]) -> Result<HashMap<i32, Self::Value>, Arc<DbErr>> {
        let codes = lookup::codes_by_flow(&self.0, flows).await?;
        Ok(codes.into_iter().map(|(flow, codes)| (flow, Arc::new(codes))).collect())
    }
}

/// The flow each flow repeats, for those that repeat one ([`lookup::repeated_flows`]).
pub struct RepeatOf(DatabaseConnection);

impl Loader<i32> for RepeatOf {
    type Value = i32;
    type Error = Arc<DbErr>;

    async fn load(&self, flows: &[i32]) -> Result<HashMap<i32, i32>, Arc<DbErr>> {
        Ok(lookup::repeated_flows(&self.0, flows).await?)
    }
}

/// Looks up country ids by ISO3 or ISO2 code, for filters ([`super::country::resolve_codes`]).
pub struct CountryIdsByCode(DatabaseConnection);

impl Loader<String> for CountryIdsByCode {
    type Value = i32;
    type Error = Arc<DbErr>;

    async fn load(&self, codes: &[String]) -> Result<HashMap<String, i32>, Arc<DbErr>> {
        Ok(lookup::country_ids_by_codes(&self.0, codes).await?)
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

/// Applies the rule of a bloc of the South to blocs.
pub struct SouthBlocs(DatabaseConnection);

impl Loader<i32> for SouthBlocs {
    type Value = bool;
    type Error = Arc<DbErr>;

    async fn load(&self, blocs: &[i32]) -> Result<HashMap<i32, bool>, Arc<DbErr>> {
        Ok(rules::south_blocs(&self.0, blocs).await?)
    }
}

/// Adds every loader to the schema's data, each batching the keys of one pass of
/// execution (see [`Batcher`]).
pub fn register(
    builder: async_graphql::SchemaBuilder<super::Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription>,
    db: &DatabaseConnection,
) -> async_graphql::SchemaBuilder<super::Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription> {
    macro_rules! by_id {
        ($builder:expr, $($module:ident),*) => {
            $builder$(
                .data(Batcher::<_>::new(ById::<$module::Entity> { db: db.clone(), entity: PhantomData }))
                .data(Batcher::<_, Batched<_>>::new(BatchLoader::<PageRequest<$module::Entity>> {
                    db: db.clone(),
                    request: PhantomData,
                }))
            )*
        };
    }
    by_id!(
        builder,
        agreement,
        bloc,
        country,
        deployment,
        exchange,
        expert,
        flow,
        import_change,
        import_run,
        sector,
        source
    )
    .data(Batcher::<_>::new(BlocCodesByCountry(db.clone())))
    .data(Batcher::<_>::new(IncomeGroupsByCountry(db.clone())))
    .data(Batcher::<_>::new(FlowCodes(db.clone())))
    .data(Batcher::<_>::new(RepeatOf(db.clone())))
    .data(Batcher::<_, String>::new(CountryIdsByCode(db.clone())))
    .data(Batcher::<_>::new(AgreementClasses(db.clone())))
    .data(Batcher::<_>::new(SouthSouthFlows(db.clone())))
    .data(Batcher::<_>::new(SouthBlocs(db.clone())))
    .data(Batcher::<_, Batched<_>>::new(BatchLoader::<PartnerRanking> { db: db.clone(), request: PhantomData }))
}
