//! The GraphQL API: one query root per domain, merged into [`Query`], and the loaders that
//! keep every relation batched.

mod agreement;
mod batch;
mod bloc;
pub mod caveats;
mod chart;
mod connection;
mod country;
mod dollars;
mod exchange;
pub mod execute;
mod expert;
pub mod exports;
mod field_order;
mod filter;
mod flow;
mod id;
pub mod limits;
mod loaders;
mod node;
mod provenance;
mod resolve;
mod search;
mod sector;
mod source;
mod stats;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

pub use id::NodeKey;

use crate::config::ApiConfig;

/// The query root: the root fields of every domain.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    country::CountryQuery,
    bloc::BlocQuery,
    sector::SectorQuery,
    agreement::AgreementQuery,
    stats::AgreementStatsRoots,
    flow::FlowQuery,
    stats::FlowStatsRoots,
    expert::ExpertQuery,
    exchange::ExchangeQuery,
    source::SourceQuery,
    search::SearchQuery,
);

/// The southgraph schema (read-only: no mutations or subscriptions).
pub type ApiSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the schema over a database, with its loaders. The limits on what a request may
/// ask for are checked before execution, by [`limits::QueryLimits`].
pub fn build_schema(db: DatabaseConnection, config: ApiConfig) -> ApiSchema {
    let builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .limit_recursive_depth(limits::MAX_SELECTION_NESTING);
    loaders::register(builder, &db).data(db).data(config).finish()
}

/// The schema's SDL, as published in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription).finish().sdl()
}
