//! Provenance: every response lists, in `extensions.sources`, the datasets its records and
//! figures came from, with licence and citation, so every number can be cited; and, in
//! `extensions.caveats`, what to footnote about its figures ([`Caveat`]).
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
use sea_orm::{DatabaseConnection, DbErr};

use super::caveats::Caveat;
use crate::{
    error::ApiResult,
    repo::{lookup, reference::Snapshot},
};

/// The sources seen while resolving one request: by id (a row's own source) and by key
/// (the source of some of its fields).
#[derive(Clone, Debug, Default)]
pub struct Provenance(Arc<Mutex<Seen>>);

#[derive(Debug, Default)]
struct Seen {
    ids: BTreeSet<i32>,
    keys: BTreeSet<&'static str>,
    caveats: BTreeSet<Caveat>,
    /// Caveats about the publishers' guidance: given only when a source cited has some.
    guidance: BTreeSet<Caveat>,
}

tokio::task_local! {
    /// The provenance of the figures of one chart, while its aggregate runs: what they
    /// note goes there too ([`Provenance::collect`]).
    static COLLECTING: Provenance;
}

impl Provenance {
    /// Runs `future` and returns, beside its output, what it noted (the request's
    /// provenance gets it too): the sources and caveats of one chart's figures, apart from
    /// those of the fields resolved beside it.
    pub async fn collect<F: Future>(future: F) -> (F::Output, Self) {
        let collected = Self::default();
        let output = COLLECTING.scope(collected.clone(), future).await;
        (output, collected)
    }

    /// Whether a chart's figures are being collected here.
    pub fn collecting() -> bool {
        COLLECTING.try_with(|_| ()).is_ok()
    }

    /// Calls `note` on the request's provenance and, while a chart's figures are being
    /// collected, on theirs.
    pub fn noting(request: Option<&Self>, note: impl Fn(&Self)) {
        if let Some(provenance) = request {
            note(provenance);
        }
        // Outside a chart's aggregate there is nothing to collect into.
        let _ = COLLECTING.try_with(|collected| note(collected));
    }

    /// Notes the sources of some rows.
    pub fn note(&self, sources: impl IntoIterator<Item = i32>) {
        if let Ok(mut seen) = self.0.lock() {
            seen.ids.extend(sources);
        }
    }

    /// Notes a source by key: the source of some fields of a row whose own source is
    /// another.
    pub fn note_key(&self, key: &'static str) {
        if let Ok(mut seen) = self.0.lock() {
            seen.keys.insert(key);
        }
    }

    /// Notes a caveat about the figures.
    pub fn caveat(&self, caveat: Caveat) {
        if let Ok(mut seen) = self.0.lock() {
            seen.caveats.insert(caveat);
        }
    }

    /// Notes a caveat about the publishers' guidance, given only if a source cited has
    /// guidance (`Source.guidance`).
    pub fn guidance(&self, caveat: Caveat) {
        if let Ok(mut seen) = self.0.lock() {
            seen.guidance.insert(caveat);
        }
    }

    /// The caveats noted, those about guidance only when `guided` (a source cited has
    /// guidance), in code order.
    fn caveats(&self, guided: bool) -> Vec<Caveat> {
        self.0
            .lock()
            .map(|seen| {
                let guidance = seen.guidance.iter().filter(|_| guided);
                let mut caveats: Vec<Caveat> = seen.caveats.iter().chain(guidance).copied().collect();
                caveats.sort_by_key(|caveat| caveat.code());
                caveats.dedup();
                caveats
            })
            .unwrap_or_default()
    }

    /// The sources noted by id, and the keys of those noted by key.
    fn seen(&self) -> (Vec<i32>, Vec<&'static str>) {
        self.0
            .lock()
            .map(|seen| (seen.ids.iter().copied().collect(), seen.keys.iter().copied().collect()))
            .unwrap_or_default()
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
sourced!(agreement, bloc, country, exchange, expert, flow, import_change, import_run, sector);

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
/// up in one statement; ordered by key, each once. Then `extensions.caveats`: the caveats
/// noted, as `{code, message}` in code order.
pub async fn cite_sources(
    db: &DatabaseConnection,
    snapshot: Option<&Snapshot>,
    provenance: &Provenance,
    response: &mut Response,
) {
    let guided = list_sources(db, snapshot, provenance, response).await;
    let caveats = provenance.caveats(guided);
    if !caveats.is_empty() {
        let list = caveats
            .into_iter()
            .map(|caveat| {
                let field = |name: &str, value: &str| (Name::new(name), Value::String(value.to_owned()));
                Value::Object([field("code", caveat.code()), field("message", caveat.message())].into_iter().collect())
            })
            .collect();
        response.extensions.insert("caveats".to_owned(), Value::List(list));
    }
}

/// The sources and the caveats noted in `provenance`, for a chart's footnote: sources by
/// key, caveats in code order.
pub async fn footnotes(
    db: &DatabaseConnection,
    snapshot: Option<&Snapshot>,
    provenance: &Provenance,
) -> ApiResult<(Vec<source::Model>, Vec<Caveat>)> {
    let sources = sources(db, snapshot, provenance).await?.unwrap_or_default();
    let guided = if sources.is_empty() {
        snapshot.is_some_and(Snapshot::has_guidance)
    } else {
        sources.iter().any(|source| source.guidance.is_some())
    };
    Ok((sources, provenance.caveats(guided)))
}

/// The sources noted in `provenance`, ordered by key, each once; `None` when none was.
async fn sources(
    db: &DatabaseConnection,
    snapshot: Option<&Snapshot>,
    provenance: &Provenance,
) -> Result<Option<Vec<source::Model>>, DbErr> {
    let (ids, keys) = provenance.seen();
    if ids.is_empty() && keys.is_empty() {
        return Ok(None);
    }
    let remembered: Option<Vec<source::Model>> = snapshot.and_then(|snapshot| {
        let by_key = keys.iter().map(|key| snapshot.source_id(key));
        ids.iter()
            .copied()
            .map(Some)
            .chain(by_key)
            .map(|id| snapshot.source(id?).map(|source| source::Model::clone(source)))
            .collect()
    });
    let mut sources = match remembered {
        Some(sources) => sources,
        None => lookup::sources_by_ids_or_keys(db, &ids, &keys).await?,
    };
    sources.sort_by(|a, b| a.key.cmp(&b.key));
    sources.dedup_by(|a, b| a.id == b.id);
    Ok(Some(sources))
}

/// Adds `extensions.sources` (see [`cite_sources`]); returns whether one of them has
/// guidance on rows to leave out of totals.
async fn list_sources(
    db: &DatabaseConnection,
    snapshot: Option<&Snapshot>,
    provenance: &Provenance,
    response: &mut Response,
) -> bool {
    match sources(db, snapshot, provenance).await {
        // No row was counted: the guidance may have left out every one.
        Ok(None) => snapshot.is_some_and(Snapshot::has_guidance),
        Ok(Some(sources)) => {
            let guided = sources.iter().any(|source| source.guidance.is_some());
            let list = sources.into_iter().map(describe).collect();
            response.extensions.insert("sources".to_owned(), Value::List(list));
            guided
        }
        Err(err) => {
            tracing::error!(%err, "cannot list the sources of a response");
            false
        }
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
