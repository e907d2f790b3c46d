//! Provenance: every response lists, in `extensions.sources`, the datasets its records and
//! figures came from, with licence and citation, so every number can be cited.
//!
//! Resolvers note the sources of the rows they return in a per-request [`Provenance`];
//! after execution, [`cite_sources`] looks them up (in memory, or in one statement) and adds them
//! ([`super::execute`]).

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};

use async_graphql::{Name, Response, Value};
use entity::source;
use sea_orm::DatabaseConnection;

use crate::repo::{lookup, reference::Snapshot};

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

/// Adds `extensions.sources` to a response: the sources its resolvers noted in
/// `provenance`, from the reference tables' `snapshot` when it holds them all, else looked
/// up in one statement; ordered by key.
pub async fn cite_sources(
    db: &DatabaseConnection,
    snapshot: Option<&Snapshot>,
    provenance: &Provenance,
    response: &mut Response,
) {
    let ids = provenance.ids();
    if ids.is_empty() {
        return;
    }
    let remembered: Option<Vec<source::Model>> =
        snapshot.and_then(|snapshot| ids.iter().map(|id| snapshot.source(*id).cloned()).collect());
    let sources = match remembered {
        Some(sources) => Ok(sources),
        None => lookup::by_ids::<source::Entity>(db, &ids).await,
    };
    match sources {
        Ok(mut sources) => {
            sources.sort_by(|a, b| a.key.cmp(&b.key));
            let list = sources.into_iter().map(describe).collect();
            response.extensions.insert("sources".to_owned(), Value::List(list));
        }
        Err(err) => tracing::error!(%err, "cannot list the sources of a response"),
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
