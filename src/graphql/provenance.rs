//! Provenance: every response lists, in `extensions.sources`, the datasets its records and
//! figures came from, with licence and citation, so every number can be cited.
//!
//! Resolvers note the sources of the rows they return in a per-request [`Provenance`];
//! after execution, [`execute`] looks them up (one statement) and adds them. This wraps
//! the execution rather than being an async-graphql extension: with any extension
//! registered, async-graphql routes every field through the extension chain, which cost a
//! tenth of the server's time on a list of 50 flows.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};

use async_graphql::{BatchRequest, BatchResponse, Name, Request, Response, Value};
use entity::source;
use sea_orm::DatabaseConnection;

use super::ApiSchema;
use crate::repo::lookup;

/// The sources seen while resolving one request.
#[derive(Clone, Debug, Default)]
pub struct Provenance(Arc<Mutex<BTreeSet<i32>>>);

impl Provenance {
    /// Notes the sources of some rows.
    pub fn note(&self, sources: impl IntoIterator<Item = i32>) {
        if let Ok(mut seen) = self.0.lock() {
            seen.extend(sources);
        }
    }

    fn ids(&self) -> Vec<i32> {
        self.0.lock().map(|seen| seen.iter().copied().collect()).unwrap_or_default()
    }
}

/// Models that came from a source.
pub trait Sourced {
    /// The source's id, if the row has one of its own.
    fn source_id(&self) -> Option<i32>;
}

macro_rules! sourced {
    ($($module:ident),*) => {$(
        impl Sourced for entity::$module::Model {
            fn source_id(&self) -> Option<i32> {
                Some(self.source_id)
            }
        }
    )*};
}
sourced!(agreement, bloc, country, expert, flow, import_run, sector);

impl Sourced for source::Model {
    fn source_id(&self) -> Option<i32> {
        Some(self.id)
    }
}

impl Sourced for entity::deployment::Model {
    fn source_id(&self) -> Option<i32> {
        None
    }
}

/// Runs a single or batched request, each operation with its own [`Provenance`].
pub async fn execute_batch(schema: &ApiSchema, db: &DatabaseConnection, batch: BatchRequest) -> BatchResponse {
    match batch {
        BatchRequest::Single(request) => BatchResponse::Single(execute(schema, db, request).await),
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(schema, db, request).await);
            }
            BatchResponse::Batch(responses)
        }
    }
}

/// Runs a request and adds `extensions.sources`: the sources its resolvers noted, looked up
/// in one statement, ordered by key.
pub async fn execute(schema: &ApiSchema, db: &DatabaseConnection, request: Request) -> Response {
    let provenance = Provenance::default();
    let mut response = schema.execute(request.data(provenance.clone())).await;
    let ids = provenance.ids();
    if ids.is_empty() {
        return response;
    }
    match lookup::by_ids::<source::Entity>(db, &ids).await {
        Ok(mut sources) => {
            sources.sort_by(|a, b| a.key.cmp(&b.key));
            let list = sources.into_iter().map(describe).collect();
            response.extensions.insert("sources".to_owned(), Value::List(list));
        }
        Err(err) => tracing::error!(%err, "cannot list the sources of a response"),
    }
    response
}

fn describe(source: source::Model) -> Value {
    let field = |name: &str, value: String| (Name::new(name), Value::String(value));
    Value::Object(
        [
            field("key", source.key),
            field("title", source.title),
            field("publisher", source.publisher),
            field("licence", source.licence),
            field("citation", source.citation),
            field("url", source.url),
        ]
        .into_iter()
        .collect(),
    )
}
