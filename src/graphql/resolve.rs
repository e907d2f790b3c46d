//! What every resolver does: reach the database and the loaders, load one related row,
//! list a root or nested connection.
//!
//! async-graphql boxes the future of every field it resolves, at the size of the largest
//! field future of the field's type. So on the types a response holds many of (countries,
//! flows, sectors, agreements, blocs, experts), the fields that do more than read the row
//! (nested lists, aggregates) run their work in a box of their own
//! (`async move { … }.boxed()`) and take their filters boxed: a country's `name`, resolved
//! 250 times in one page of flows, would otherwise move a 7 KB future sized for
//! `partnersChart`.

use std::sync::Arc;

use async_graphql::{Context, OutputType};
use sea_orm::{DatabaseConnection, DbBackend};

use super::caveats::Caveat;
use super::{
    batch::Batcher,
    connection::{NodeConnection, connection, wants_total},
    country::{CountryCodes, resolve_codes},
    loaders::{BatchLoader, Batched, ById, CountryIdsByCode, PageRequest},
    provenance::{Provenance, Sourced},
};
use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
    repo::{
        lookup::WithId,
        page::{Listing, Page, Row, Window, fetch_root, fetch_root_ids},
        reference::{Remembered, Snapshot},
        search::TextQuery,
    },
};

/// Shared state registered in the schema's data.
pub fn state<'a, T: Send + Sync + 'static>(ctx: &Context<'a>) -> ApiResult<&'a T> {
    ctx.data::<T>().map_err(|err| ApiError::internal(&err.message))
}

/// The database connection.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    state(ctx)
}

/// The API limits.
pub fn config<'a>(ctx: &Context<'a>) -> ApiResult<&'a ApiConfig> {
    state(ctx)
}

/// Notes the sources of rows for the response's `extensions.sources`.
pub fn note_sources<'m, M: Sourced + 'm>(ctx: &Context<'_>, models: impl IntoIterator<Item = &'m M>) {
    cite(ctx, models.into_iter().filter_map(Sourced::source_id));
}

/// Notes sources by id for the response's `extensions.sources`: those of the figures an
/// aggregate returned.
pub fn cite(ctx: &Context<'_>, sources: impl IntoIterator<Item = i32>) {
    let request = ctx.data_opt::<Provenance>();
    if !Provenance::collecting() {
        // Every page of rows comes through here: no copy of the ids unless a chart needs one.
        if let Some(provenance) = request {
            provenance.note(sources);
        }
        return;
    }
    let sources: Vec<i32> = sources.into_iter().collect();
    Provenance::noting(request, |provenance| provenance.note(sources.iter().copied()));
}

/// Notes a caveat about the figures for `extensions.caveats`.
pub fn caveat(ctx: &Context<'_>, caveat: Caveat) {
    Provenance::noting(ctx.data_opt(), |provenance| provenance.caveat(caveat));
}

/// Notes a caveat about the publishers' guidance, given if a source cited has guidance.
pub fn guidance(ctx: &Context<'_>, caveat: Caveat) {
    Provenance::noting(ctx.data_opt(), |provenance| provenance.guidance(caveat));
}

/// `value`, noting for `extensions.sources` the source `key` it came from when there is
/// one: the source of some fields of a row whose own source is another (a country's
/// centroid, its World Bank classes).
pub fn cited<T>(ctx: &Context<'_>, key: &'static str, value: Option<T>) -> Option<T> {
    if value.is_some() {
        Provenance::noting(ctx.data_opt(), |provenance| provenance.note_key(key));
    }
    value
}

/// `filter` with the ids of the countries it names by code, looked up in one batch with
/// the request's other lookups, and its full-text searches (`text`) parsed and written for
/// the request's database: filters must pass through here before their SQL is built.
pub async fn with_country_ids<F: CountryCodes>(ctx: &Context<'_>, filter: Option<F>) -> ApiResult<Option<F>> {
    let Some(mut filter) = filter else { return Ok(None) };
    resolve_codes(state::<Batcher<CountryIdsByCode, String>>(ctx)?, snapshot(ctx), &mut filter).await?;
    prepare_texts(&mut filter, db(ctx)?.get_database_backend())?;
    Ok(Some(filter))
}

/// Parses the full-text searches (`text`) of `filter` and writes them for `backend`: a
/// search text that cannot be searched is a `BAD_USER_INPUT` that says why.
pub fn prepare_texts<F: CountryCodes>(filter: &mut F, backend: DbBackend) -> ApiResult<()> {
    let mut refused = None;
    filter.visit_texts(&mut |kind, text, matching| match TextQuery::parse(text) {
        Ok(query) => *matching = Some(Box::new(query.matching(backend, kind))),
        Err(error) => refused = Some(ApiError::bad_input(format!("`text`: {error}"))),
    });
    refused.map_or(Ok(()), Err)
}

/// The reference tables of the request's data version, when it runs with them.
pub fn snapshot<'a>(ctx: &Context<'a>) -> Option<&'a Snapshot> {
    ctx.data_opt::<Arc<Snapshot>>().map(Arc::as_ref)
}

/// One row by primary key: from the request's reference tables if they hold it, else
/// batched with its siblings. Shared, not copied: a page of flows points at the same few
/// countries many times.
pub async fn by_id<E>(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Arc<E::Model>>>
where
    E: WithId + Remembered,
    E::Model: Sourced + Clone + Send + Sync,
{
    let remembered = snapshot(ctx).and_then(|snapshot| E::remembered(snapshot, id)).cloned();
    let found = match remembered {
        Some(row) => Some(row),
        None => state::<Batcher<ById<E>>>(ctx)?.load_one(id).await?,
    };
    note_sources(ctx, found.iter().map(Arc::as_ref));
    Ok(found)
}

/// The row an optional reference points to, batched; none when there is no reference.
pub async fn optional<E>(ctx: &Context<'_>, id: Option<i32>) -> ApiResult<Option<Arc<E::Model>>>
where
    E: WithId + Remembered,
    E::Model: Sourced + Clone + Send + Sync,
{
    match id {
        Some(id) => by_id::<E>(ctx, id).await,
        None => Ok(None),
    }
}

/// Like [`by_id`], for a reference the schema guarantees (a foreign key).
pub async fn required<E>(ctx: &Context<'_>, id: i32) -> ApiResult<Arc<E::Model>>
where
    E: WithId + Remembered,
    E::Model: Sourced + Clone + Send + Sync,
{
    by_id::<E>(ctx, id).await?.ok_or_else(|| ApiError::internal(&format!("dangling reference to row {id}")))
}

/// A root connection: the page, and its count when the query selected `totalCount`.
pub async fn root<E, Node>(
    ctx: &Context<'_>,
    listing: Listing,
    window: Window,
    node: impl Fn(E::Model) -> Node,
) -> ApiResult<NodeConnection<Node>>
where
    E: WithId,
    E::Model: Sourced,
    Node: OutputType,
{
    let page = fetch_root::<E>(db(ctx)?, snapshot(ctx), &listing, window, wants_total(ctx)).await?;
    note_sources(ctx, page.rows.iter().map(|row| &row.model));
    Ok(connection(page, node))
}

/// A root connection of a table that the request's reference tables hold (countries,
/// sectors, sources): the page's ids from the database, its rows shared from memory rather
/// than read and decoded again. A row the reference tables lack is loaded by id; one gone
/// by then (an import committed in between) is left out.
pub async fn remembered_root<E, Node>(
    ctx: &Context<'_>,
    listing: Listing,
    window: Window,
    node: impl Fn(Arc<E::Model>) -> Node,
) -> ApiResult<NodeConnection<Node>>
where
    E: WithId + Remembered,
    E::Model: Sourced + Clone + Send + Sync,
    Node: OutputType,
{
    let snapshot = snapshot(ctx);
    let page = fetch_root_ids::<E>(db(ctx)?, snapshot, &listing, window, wants_total(ctx)).await?;
    let remembered = |id: i32| snapshot.and_then(|snapshot| E::remembered(snapshot, id));
    let missing = page.rows.iter().map(|row| row.model).filter(|id| remembered(*id).is_none());
    let loaded = state::<Batcher<ById<E>>>(ctx)?.load_many(missing).await?;
    let rows = page
        .rows
        .into_iter()
        .filter_map(|row| {
            let model = remembered(row.model).or_else(|| loaded.get(&row.model))?;
            Some(Row { position: row.position, model: Arc::clone(model) })
        })
        .collect();
    let page = Page { rows, total: page.total, has_next: page.has_next };
    note_sources(ctx, page.rows.iter().map(|row| row.model.as_ref()));
    Ok(connection(page, node))
}

/// A nested connection of one parent, batched with the same field of its siblings.
pub async fn nested<E, Node>(
    ctx: &Context<'_>,
    parent: i32,
    listing: Listing,
    window: Window,
    node: impl Fn(E::Model) -> Node,
) -> ApiResult<NodeConnection<Node>>
where
    E: WithId,
    E::Model: Sourced + Send + Sync,
    Node: OutputType,
{
    let request = PageRequest::<E>::new(listing, window, wants_total(ctx));
    let key = Batched { parent, request: Arc::new(request) };
    let page = state::<Batcher<BatchLoader<PageRequest<E>>, Batched<PageRequest<E>>>>(ctx)?.load_one(key).await?;
    Ok(match page {
        Some(page) => {
            note_sources(ctx, page.rows.iter().map(|row| &row.model));
            connection(Arc::unwrap_or_clone(page), node)
        }
        None => connection(Page::<E::Model>::empty(Some(0)), node),
    })
}
