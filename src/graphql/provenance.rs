//! Provenance: every response lists, in `extensions.sources`, the datasets its records and
//! figures came from, with licence and citation, so every number can be cited.
//!
//! Resolvers note the sources of the rows they return in a per-request [`Provenance`];
//! after execution, [`ProvenanceExtension`] looks them up (one statement) and adds them.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};

use async_graphql::{
    Name, Request, Response, ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest},
};
use entity::source;
use sea_orm::DatabaseConnection;

use crate::repo::lookup;

/// The sources seen while resolving one request.
#[derive(Debug, Default)]
pub struct Provenance(Mutex<BTreeSet<i32>>);

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

/// Adds a [`Provenance`] to every request and `extensions.sources` to every response.
pub struct ProvenanceExtension;

impl ExtensionFactory for ProvenanceExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ProvenanceExtension)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ProvenanceExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(Provenance::default())).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let (Some(provenance), Some(db)) = (ctx.data_opt::<Provenance>(), ctx.data_opt::<DatabaseConnection>()) else {
            return response;
        };
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
