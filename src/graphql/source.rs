//! Sources: the datasets every row came from, with their licences, citations and import
//! runs.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject};
use entity::{import_change, import_run, source};
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr, Query},
};

use super::{
    connection::{NodeConnection, window},
    id::NodeKey,
    resolve,
};
use crate::{
    error::{ApiError, ApiResult},
    repo::{
        lookup,
        page::{Listing, Scope},
    },
};

/// A published dataset that rows were imported from, with what is needed to cite it.
pub struct Source(pub Arc<source::Model>);

/// A published dataset that rows were imported from, with what is needed to cite it.
#[Object]
impl Source {
    /// Opaque, stable global ID.
    pub async fn id(&self) -> ApiResult<async_graphql::ID> {
        Ok(NodeKey::Source(self.0.key.clone()).encode())
    }

    /// Key, for example `aiddata-gcof-1.0`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// The dataset's title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Who publishes it.
    async fn publisher(&self) -> &str {
        &self.0.publisher
    }

    /// Where it is published.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// Its licence.
    async fn licence(&self) -> &str {
        &self.0.licence
    }

    /// The citation its authors ask for.
    async fn citation(&self) -> &str {
        &self.0.citation
    }

    /// The publisher's guidance on which rows to leave out of totals, in its words; null
    /// when it gives none. Aggregates follow it unless asked not to (`guidance: IGNORE`):
    /// the rows it excludes carry `Flow.recommendedForResearch: false`.
    async fn guidance(&self) -> Option<&str> {
        self.0.guidance.as_deref()
    }

    /// The release or version.
    async fn version(&self) -> &str {
        &self.0.version
    }

    /// When the bundled copy was retrieved (ISO date).
    async fn retrieved_on(&self) -> &str {
        &self.0.retrieved_on
    }

    /// SHA-256 of the imported file, hex.
    async fn checksum(&self) -> Option<&str> {
        self.0.checksum.as_deref()
    }

    /// When the last import of it committed (RFC 3339).
    async fn imported_at(&self) -> Option<String> {
        self.0.imported_at.map(|at| at.to_rfc3339())
    }

    /// Import runs of this source, newest first.
    async fn import_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n runs.")] first: Option<i32>,
        #[graphql(desc = "Returns the runs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n runs.")] last: Option<i32>,
        #[graphql(desc = "Returns the runs before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<ImportRun>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = Listing {
            condition: Condition::all(),
            order: vec![(Expr::col((import_run::Entity, import_run::Column::Id)), Order::Desc)],
            scope: Scope::column(import_run::Column::SourceId),
            unread: Vec::new(),
        };
        let key = self.0.key.clone();
        resolve::nested::<import_run::Entity, _>(ctx, self.0.id, listing, window, |m| ImportRun(m, key.clone())).await
    }

    /// The records of this source (flows, agreements, experts, exchanges) that its imports inserted,
    /// changed or deleted after a moment, oldest change first: what a newer release changed
    /// (the `updatedAfter` of IATI and the OECD). Logged from the source's second import
    /// on; the first inserts every record, which the records themselves say.
    #[allow(clippy::too_many_arguments)]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Changes made by the runs that finished after this moment (RFC 3339, for \
                          example an earlier run's `finishedAt`).")]
        since: String,
        #[graphql(desc = "Returns the first n changes.")] first: Option<i32>,
        #[graphql(desc = "Returns the changes after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n changes.")] last: Option<i32>,
        #[graphql(desc = "Returns the changes before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<RecordChange>> {
        let since = chrono::DateTime::parse_from_rfc3339(since.trim())
            .map_err(|_| ApiError::bad_input(format!("since: `{since}` is not an RFC 3339 date-time")))?
            .with_timezone(&chrono::Utc);
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let runs = Query::select()
            .column(import_run::Column::Id)
            .from(import_run::Entity)
            .and_where(import_run::Column::SourceId.eq(self.0.id))
            .and_where(import_run::Column::FinishedAt.gt(since))
            .to_owned();
        let listing = Listing {
            condition: Condition::all().add(import_change::Column::RunId.in_subquery(runs)),
            order: vec![(Expr::col((import_change::Entity, import_change::Column::Id)), Order::Asc)],
            scope: Scope::column(import_change::Column::SourceId),
            unread: Vec::new(),
        };
        let key = self.0.key.clone();
        resolve::nested::<import_change::Entity, _>(ctx, self.0.id, listing, window, |m| RecordChange(m, key.clone()))
            .await
    }
}

/// A kind of record an import changes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// A flow.
    Flow,
    /// An agreement.
    Agreement,
    /// An expert.
    Expert,
    /// An exchange.
    Exchange,
}

/// What an import did to a record.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The record is new.
    Inserted,
    /// Some of its values changed.
    Updated,
    /// The newer release no longer has it: it was deleted, with its links.
    Deleted,
}

/// What one import run did to one record of its source.
pub struct RecordChange(pub import_change::Model, pub String);

/// What one import run did to one record of its source.
#[Object]
impl RecordChange {
    /// The kind of record.
    async fn record(&self) -> ApiResult<RecordKind> {
        Ok(match self.0.record.as_str() {
            "FLOW" => RecordKind::Flow,
            "AGREEMENT" => RecordKind::Agreement,
            "EXPERT" => RecordKind::Expert,
            "EXCHANGE" => RecordKind::Exchange,
            other => return Err(ApiError::internal(&format!("unknown record kind {other}"))),
        })
    }

    /// The record's reference in its source (with the source's key, it looks the record up:
    /// `flow(source:, reference:)`, `agreement(source:, reference:)`, `exchange(source:, reference:)`).
    async fn reference(&self) -> &str {
        &self.0.r#ref
    }

    /// Inserted, updated or deleted.
    async fn change(&self) -> ApiResult<ChangeKind> {
        Ok(match self.0.change.as_str() {
            "INSERTED" => ChangeKind::Inserted,
            "UPDATED" => ChangeKind::Updated,
            "DELETED" => ChangeKind::Deleted,
            other => return Err(ApiError::internal(&format!("unknown change {other}"))),
        })
    }

    /// The import run that made the change.
    async fn run(&self, ctx: &Context<'_>) -> ApiResult<ImportRun> {
        let run = resolve::required::<import_run::Entity>(ctx, self.0.run_id).await?;
        Ok(ImportRun(Arc::unwrap_or_clone(run), self.1.clone()))
    }
}

/// How an import run ended.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::ImportStatus")]
pub enum ImportStatus {
    /// Committed.
    Succeeded,
    /// Rolled back; nothing changed.
    Failed,
}

/// One import of a dataset file, with what it read and changed.
pub struct ImportRun(pub import_run::Model, pub String);

/// One import of a dataset file, with what it read and changed.
#[Object]
impl ImportRun {
    /// Opaque, stable global ID.
    pub async fn id(&self) -> ApiResult<async_graphql::ID> {
        Ok(NodeKey::ImportRun(self.1.clone(), self.0.id.to_string()).encode())
    }

    /// The file imported.
    async fn file(&self) -> &str {
        &self.0.file
    }

    /// When the run started (RFC 3339).
    async fn started_at(&self) -> String {
        self.0.started_at.to_rfc3339()
    }

    /// When it finished (RFC 3339).
    async fn finished_at(&self) -> String {
        self.0.finished_at.to_rfc3339()
    }

    /// How it ended.
    async fn status(&self) -> ImportStatus {
        self.0.status.into()
    }

    /// Data rows read from the file.
    async fn rows_read(&self) -> i32 {
        self.0.rows_read
    }

    /// Rows inserted.
    async fn rows_inserted(&self) -> i32 {
        self.0.rows_inserted
    }

    /// Rows updated.
    async fn rows_updated(&self) -> i32 {
        self.0.rows_updated
    }

    /// Records deleted: flows, agreements, experts and exchanges of the source that this file no
    /// longer has, with their links (see `Source.changes`).
    async fn rows_deleted(&self) -> i32 {
        self.0.rows_deleted
    }

    /// Rows of the file imported: those read, less those left out and skipped.
    async fn rows_imported(&self) -> i32 {
        self.0.rows_read.saturating_sub(self.0.rows_left_out).saturating_sub(self.0.rows_skipped)
    }

    /// Rows left out by the loader's rules (aggregates, exact repeats, domestic trade,
    /// organisations that are not countries …), each reported in `messages`.
    async fn rows_left_out(&self) -> i32 {
        self.0.rows_left_out
    }

    /// Rows that could not be imported (a bad field, a key that no table resolves), each
    /// reported in `messages`.
    async fn rows_skipped(&self) -> i32 {
        self.0.rows_skipped
    }

    /// References inside imported rows that no table resolves (a treaty party, a bloc
    /// member, a deployment's host), dropped from their rows and reported in `messages`.
    async fn references_unmatched(&self) -> i32 {
        self.0.references_unmatched
    }

    /// What was not imported, counted by reason.
    async fn skip_reasons(&self) -> Vec<SkipReason> {
        let lines = self.0.skip_reasons.as_deref().unwrap_or_default().lines();
        lines
            .filter_map(|line| {
                let mut fields = line.splitn(3, '\t');
                let kind = seed::SkipKind::from_label(fields.next()?)?;
                let count = fields.next()?.parse().ok()?;
                Some(SkipReason { kind: kind.into(), count, reason: fields.next()?.to_owned() })
            })
            .collect()
    }

    /// What went wrong or was skipped, one message per entry.
    async fn messages(&self) -> Vec<&str> {
        self.0.messages.as_deref().map(|text| text.lines().collect()).unwrap_or_default()
    }
}

/// Root fields for sources.
#[derive(Default)]
pub struct SourceQuery;

#[Object]
impl SourceQuery {
    /// A source by key (`aiddata-gcof-1.0`); null when unknown.
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's key.")] key: String,
    ) -> ApiResult<Option<Source>> {
        Ok(lookup::source_by_key(resolve::db(ctx)?, &key).await?.map(|m| Source(Arc::new(m))))
    }

    /// The datasets southgraph serves, with their licences and citations.
    async fn sources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n sources.")] first: Option<i32>,
        #[graphql(desc = "Returns the sources after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n sources.")] last: Option<i32>,
        #[graphql(desc = "Returns the sources before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Source>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = Listing {
            condition: Condition::all(),
            order: vec![(Expr::col((source::Entity, source::Column::Key)), Order::Asc)],
            scope: Scope::All,
            unread: Vec::new(),
        };
        resolve::remembered_root::<source::Entity, _>(ctx, listing, window, Source).await
    }
}

/// How something was not imported.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "seed::SkipKind")]
pub enum SkipKind {
    /// Rows left out by the loader's rules.
    ByDesign,
    /// Rows that could not be imported.
    Error,
    /// References dropped from imported rows.
    Unmatched,
}

/// One reason something was not imported, with how many times it applied.
#[derive(SimpleObject)]
pub struct SkipReason {
    /// Left out by design, skipped for an error, or an unmatched reference.
    pub kind: SkipKind,
    /// The reason, in the same words for every row it applies to.
    pub reason: String,
    /// How many rows (or references) it applied to.
    pub count: i64,
}
