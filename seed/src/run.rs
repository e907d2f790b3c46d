//! One import run: the input, read and parsed beforehand ([`Prepared`]); then open the
//! transaction, let the dataset's loader work, commit or roll back, and record the run in
//! `import_run` either way. The run's recorded start is when its transaction opens: the
//! parse before it is not counted.

use crate::error::{FieldError, ImportError};
use crate::source::{self, SourceRow};
use crate::sync::Tally;
use crate::table::Parsed;
use crate::{
    Dataset, ImportOptions, Progress, RecordChange, RunReport, SkipKind, SkipReason, TableWrites, bundle, datasets,
    storage,
};
use chrono::{DateTime, Utc};
use entity::{ImportStatus, import_change, import_run};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};
use std::path::Path;

/// The bytes of the file(s) of one dataset.
#[derive(Debug)]
pub(crate) struct Input {
    /// The name reports and errors use.
    pub file: String,
    /// Each file's name and bytes.
    pub parts: Vec<(String, Vec<u8>)>,
}

impl Input {
    /// The bundled copy of a dataset.
    pub(crate) fn bundled(dataset: Dataset) -> Result<Self, ImportError> {
        let files = match dataset {
            Dataset::CountryCodes => vec![bundle::COUNTRY_CODES],
            Dataset::Blocs => vec![bundle::COUNTRY_ORGS],
            Dataset::Sectors => vec![bundle::SECTOR_CATEGORIES, bundle::SECTORS],
            Dataset::IatiCodelists => bundle::IATI_CODELISTS.to_vec(),
            Dataset::UsCpi => vec![bundle::US_CPI],
            Dataset::Gcof => vec![bundle::GCOF],
            Dataset::Desta => vec![bundle::DESTA],
            Dataset::UnctadIia => vec![bundle::UNCTAD_IIA],
            Dataset::WbClass => vec![bundle::WB_CLASS],
            Dataset::WbIncomeHistory => vec![bundle::WB_INCOME_HISTORY, bundle::OWID_INCOME_GROUPS],
            Dataset::TuffQatar => vec![bundle::TUFF_QATAR],
            Dataset::TuffSaudiArabia => vec![bundle::TUFF_SAUDI_ARABIA],
            Dataset::BrazilAbc => vec![bundle::BRAZIL_ABC],
            Dataset::ChinaPublicDiplomacy => vec![bundle::CHINA_PUBDIP_PROJECTS, bundle::CHINA_PUBDIP_EXCHANGES],
            Dataset::YotovTrade => vec![bundle::YOTOV_TRADE],
            Dataset::IatiActivities => vec![bundle::COLOMBIA_AIMS_IATI],
            Dataset::ExpertRoster => return Err(ImportError::NotBundled(dataset.name())),
        };
        let mut parts = Vec::with_capacity(files.len());
        for file in files {
            let bytes =
                file.bytes().map_err(|source| ImportError::Io { path: format!("bundled {}", file.name), source })?;
            parts.push((file.name.to_owned(), bytes));
        }
        Ok(Self::from_parts(parts))
    }

    /// A file (or, for sectors, a directory) the user gives.
    pub(crate) fn from_path(dataset: Dataset, path: &Path) -> Result<Self, ImportError> {
        let paths = match dataset {
            Dataset::Sectors => {
                let directory = if path.is_dir() { path } else { path.parent().unwrap_or(Path::new(".")) };
                vec![directory.join("SectorCategory.xml"), directory.join("Sector.xml")]
            }
            // A directory of code lists, or one of them with the others beside it.
            Dataset::IatiCodelists => {
                let directory = if path.is_dir() { path } else { path.parent().unwrap_or(Path::new(".")) };
                bundle::IATI_CODELISTS.iter().map(|file| directory.join(file.name)).collect()
            }
            // The workbook given, and OWID's series beside it.
            Dataset::WbIncomeHistory => {
                let directory = path.parent().unwrap_or(Path::new("."));
                vec![path.to_path_buf(), directory.join(bundle::OWID_INCOME_GROUPS.name)]
            }
            // The folder of the two workbooks, or one of them with the other beside it.
            Dataset::ChinaPublicDiplomacy => {
                let directory = if path.is_dir() { path } else { path.parent().unwrap_or(Path::new(".")) };
                [bundle::CHINA_PUBDIP_PROJECTS, bundle::CHINA_PUBDIP_EXCHANGES]
                    .iter()
                    .map(|file| directory.join(file.name))
                    .collect()
            }
            _ => vec![path.to_path_buf()],
        };
        let needs = (paths.len() > 1).then(|| {
            let names: Vec<String> = paths
                .iter()
                .filter_map(|path| path.file_name())
                .map(|name| name.to_string_lossy().into_owned())
                .collect();
            format!("{dataset} reads {} from one folder", names.join(" and "))
        });
        let mut parts = Vec::with_capacity(paths.len());
        for path in paths {
            let (path, bytes) = read_maybe_gzipped(&path).map_err(|source| {
                let path = match &needs {
                    Some(needs) => format!("{} ({needs})", path.display()),
                    None => path.display().to_string(),
                };
                ImportError::Io { path, source }
            })?;
            let name =
                path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned());
            parts.push((name.strip_suffix(".gz").unwrap_or(&name).to_owned(), bytes));
        }
        Ok(Self::from_parts(parts))
    }

    fn from_parts(parts: Vec<(String, Vec<u8>)>) -> Self {
        let file = parts.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(" + ");
        Self { file, parts }
    }

    /// SHA-256 of the bytes of all parts, in order.
    fn checksum(&self) -> String {
        if let [(_, bytes)] = self.parts.as_slice() {
            return source::sha256_hex(bytes);
        }
        let all: Vec<u8> = self.parts.iter().flat_map(|(_, bytes)| bytes.iter().copied()).collect();
        source::sha256_hex(&all)
    }
}

/// A dataset's input, checksummed and parsed: everything of an import that needs no
/// database, so that it can be done before (for the bundle, while another dataset is
/// written) and off the thread that drives the import's transaction.
pub(crate) struct Prepared {
    dataset: Dataset,
    /// The input's name ([`Input::file`]).
    file: String,
    /// SHA-256 of the input's bytes.
    checksum: String,
    /// What the dataset's loader parsed of it.
    read: datasets::Read,
}

impl Prepared {
    /// Checksums and parses `input`, which is `dataset`'s; its bytes are dropped.
    pub(crate) fn new(dataset: Dataset, input: Input) -> Self {
        let read = datasets::read(dataset, &input);
        Self { dataset, checksum: input.checksum(), file: input.file, read }
    }
}

/// A file's bytes, gunzipped when they are gzip's (the bundled copies in `seed/data/` are),
/// and the path read: `path`, or `path.gz` when only that exists.
fn read_maybe_gzipped(path: &Path) -> std::io::Result<(std::path::PathBuf, Vec<u8>)> {
    let mut path = path.to_path_buf();
    if !path.exists() {
        let zipped = std::path::PathBuf::from(format!("{}.gz", path.display()));
        if zipped.exists() {
            path = zipped;
        }
    }
    let bytes = std::fs::read(&path)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::with_capacity(bytes.len() * 4);
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes.as_slice()), &mut plain)?;
        return Ok((path, plain));
    }
    Ok((path, bytes))
}

/// What a loader works with: the transaction, its source, and the report it fills.
pub(crate) struct Load<'a> {
    /// The import's transaction: every statement goes through it.
    pub txn: &'a DatabaseTransaction,
    /// The dataset's `source.id`.
    pub source_id: i32,
    /// The file name for messages.
    pub file: String,
    /// When the run started (the source's `imported_at`).
    pub started_at: DateTime<Utc>,
    options: ImportOptions,
    progress: &'a dyn Progress,
    /// The report being filled.
    pub report: RunReport,
    /// Whether to log the records changed ([`Self::log_changes`]).
    log_changes: bool,
    /// The totals the run made stale, refilled before it commits.
    pub stale_totals: crate::totals::Stale,
}

impl Load<'_> {
    /// Validates a parse: fails on the first bad row unless bad rows are skipped, reports
    /// rows left out on purpose, tells progress the row count, and hands over the records.
    pub(crate) fn accept<T>(&mut self, parsed: Parsed<T>) -> Result<Vec<T>, ImportError> {
        let file = self.file.clone();
        self.accept_part(&file, parsed)
    }

    /// [`Self::accept`] for one file of a dataset made of several.
    pub(crate) fn accept_part<T>(&mut self, file: &str, parsed: Parsed<T>) -> Result<Vec<T>, ImportError> {
        self.report.rows_read += parsed.rows_read;
        if let Some(first) = parsed.errors.first()
            && !self.options.skip_bad_rows
        {
            return Err(ImportError::from_field(file, first.clone()));
        }
        for error in &parsed.errors {
            self.skip_bad_row(file, error);
        }
        for left_out in &parsed.left_out {
            self.count_skip(SkipKind::ByDesign, left_out.reason, left_out.rows);
            self.note_in(file, left_out.line, &left_out.message);
        }
        self.progress.start(&self.report.dataset, self.report.rows_read);
        Ok(parsed.records)
    }

    /// A bad field found after parsing (against the database): fails the import unless bad
    /// rows are skipped, in which case the row is skipped and reported.
    pub(crate) fn reject(&mut self, error: FieldError) -> Result<(), ImportError> {
        let file = self.file.clone();
        if !self.options.skip_bad_rows {
            return Err(ImportError::from_field(&file, error));
        }
        self.skip_bad_row(&file, &error);
        Ok(())
    }

    fn skip_bad_row(&mut self, file: &str, error: &FieldError) {
        self.count_skip(SkipKind::Error, &format!("bad field `{}`", error.field), 1);
        self.report.messages.push(format!("skipped: {}", error.in_file(file)));
    }

    /// Reports `count` rows (or references) not imported, of a kind, for a reason (the same
    /// words for every row it applies to), with a message at a line (0: the whole file).
    pub(crate) fn skip(&mut self, kind: SkipKind, line: u64, reason: &str, message: &str) {
        self.skip_many(kind, 1, line, reason, message);
    }

    /// [`Self::skip`] for `count` rows at once.
    pub(crate) fn skip_many(&mut self, kind: SkipKind, count: u64, line: u64, reason: &str, message: &str) {
        self.count_skip(kind, reason, count);
        self.note(line, message);
    }

    /// [`Self::skip`] in one file of a dataset made of several.
    pub(crate) fn skip_in(&mut self, kind: SkipKind, file: &str, line: u64, reason: &str, message: &str) {
        self.count_skip(kind, reason, 1);
        self.note_in(file, line, message);
    }

    fn count_skip(&mut self, kind: SkipKind, reason: &str, count: u64) {
        // Reasons are stored a line each, their fields apart by tabs.
        let reason: String = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let reason = reason.as_str();
        match kind {
            SkipKind::ByDesign => self.report.left_out += count,
            SkipKind::Error => self.report.skipped += count,
            SkipKind::Unmatched => self.report.unmatched += count,
        }
        match self.report.reasons.iter_mut().find(|known| known.kind == kind && known.reason == reason) {
            Some(known) => known.count += count,
            None => self.report.reasons.push(SkipReason { kind, reason: reason.to_owned(), count }),
        }
    }

    /// Reports something at a line without skipping anything (a correction, a caveat).
    pub(crate) fn note(&mut self, line: u64, message: &str) {
        let file = self.file.clone();
        self.note_in(&file, line, message);
    }

    /// [`Self::note`] for one file of a dataset made of several (line 0: the whole file).
    pub(crate) fn note_in(&mut self, file: &str, line: u64, message: &str) {
        let location = if line == 0 { file.to_owned() } else { format!("{file} line {line}") };
        self.report.messages.push(format!("{location}: {message}"));
    }

    /// Starts logging the records this run changes when the source was imported before
    /// (a first import inserts everything, which the records themselves say).
    async fn report_changes_if_imported_before(&mut self) -> Result<(), DbErr> {
        let earlier = import_run::Entity::find()
            .filter(import_run::Column::SourceId.eq(self.source_id))
            .filter(import_run::Column::Status.eq(ImportStatus::Succeeded))
            .count(self.txn)
            .await?;
        self.log_changes = earlier > 0;
        Ok(())
    }

    /// Notes the changes of one kind of record, when this run logs them, in the order of
    /// their references.
    pub(crate) fn log_changes(&mut self, record: &'static str, change: &'static str, mut references: Vec<String>) {
        if self.log_changes {
            references.sort_unstable();
            let changes = references.into_iter().map(|reference| RecordChange { record, reference, change });
            self.report.changes.extend(changes);
        }
    }

    /// Adds what an upsert did to the report, table by table, and tells progress.
    pub(crate) fn count(&mut self, tally: Tally) {
        self.report.inserted += tally.inserted;
        self.report.updated += tally.updated;
        match self.report.tables.iter_mut().find(|written| written.table == tally.table) {
            Some(written) => {
                written.inserted += tally.inserted;
                written.updated += tally.updated;
            }
            None => self.report.tables.push(TableWrites {
                table: tally.table.to_owned(),
                inserted: tally.inserted,
                updated: tally.updated,
            }),
        }
        self.progress.advance(tally.inserted + tally.updated + tally.unchanged);
    }
}

/// Imports a prepared input in one transaction and records the run.
///
/// Whatever fails (parsing, a statement, the commit), the error returned is the one that
/// caused the failure, with storage faults recognised ([`crate::StorageError`]): a rollback
/// that fails after it (SQLite rolls a transaction back by itself on `SQLITE_FULL`) is
/// logged, never returned in its place.
pub(crate) async fn run(
    db: &DatabaseConnection,
    prepared: Prepared,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<RunReport, ImportError> {
    let Prepared { dataset, file, checksum, read } = prepared;
    let started_at = Utc::now();
    let meta = &datasets::source_row(dataset, &file);
    let report = RunReport { dataset: dataset.name().to_owned(), file: file.clone(), ..RunReport::default() };
    let txn = match db.begin().await {
        Ok(txn) => txn,
        Err(error) => return Err(record_failure(db, meta, report, started_at, error.into()).await),
    };
    let source_id = match source::upsert_source(&txn, meta, &checksum, started_at).await {
        Ok(id) => id,
        Err(error) => {
            let error = storage::explain(db, error.into());
            roll_back(txn, dataset, &error).await;
            return Err(record_failure(db, meta, report, started_at, error).await);
        }
    };
    let mut load = Load {
        txn: &txn,
        source_id,
        file,
        started_at,
        options: *options,
        progress,
        report,
        log_changes: false,
        stale_totals: crate::totals::Stale::None,
    };
    let outcome = match load.report_changes_if_imported_before().await {
        Ok(()) => match datasets::load(dataset, &mut load, read).await {
            Ok(()) => refresh_derived(&txn, source_id, dataset, &load.stale_totals).await,
            Err(error) => Err(error),
        },
        Err(error) => Err(error.into()),
    };
    let report = load.report;
    if let Err(error) = outcome {
        let error = storage::explain(db, error);
        roll_back(txn, dataset, &error).await;
        return Err(record_failure(db, meta, report, started_at, error).await);
    }
    if let Err(error) = record(&txn, source_id, &report, started_at, ImportStatus::Succeeded, None).await {
        let error = storage::explain(db, error.into());
        roll_back(txn, dataset, &error).await;
        return Err(record_failure(db, meta, report, started_at, error).await);
    }
    if let Err(error) = txn.commit().await {
        // A failed COMMIT leaves nothing behind: SQLite and PostgreSQL both roll back.
        return Err(record_failure(db, meta, report, started_at, error.into()).await);
    }
    progress.finish(&report);
    tracing::info!(dataset = %report.dataset, "import committed: {}", report.summary());
    for message in &report.messages {
        tracing::debug!(dataset = %report.dataset, "{message}");
    }
    Ok(report)
}

/// Brings the tables derived from the run's rows up to date, in its transaction: the
/// source's search documents, and the totals of official finance it made stale.
async fn refresh_derived(
    txn: &DatabaseTransaction,
    source_id: i32,
    dataset: Dataset,
    stale_totals: &crate::totals::Stale,
) -> Result<(), ImportError> {
    crate::search::index_source(txn, source_id, dataset.language()).await?;
    crate::totals::refill(txn, stale_totals).await.map_err(Into::into)
}

/// Rolls the transaction back after `cause`. A rollback that fails is logged and
/// otherwise ignored: `cause` is what the caller reports. SQLite has then usually rolled
/// the transaction back already (it does on `SQLITE_FULL` and some I/O errors, and answers
/// the `ROLLBACK` with "no transaction is active"); a transaction that SQLite did not roll
/// back is rolled back when its connection is dropped or reused.
async fn roll_back(txn: DatabaseTransaction, dataset: Dataset, cause: &ImportError) {
    match txn.rollback().await {
        Err(rollback) if rollback.to_string().contains("no transaction is active") => {
            tracing::debug!(dataset = dataset.name(), "the database had already rolled the transaction back");
        }
        Err(rollback) => {
            tracing::warn!(dataset = dataset.name(), %cause, %rollback, "rollback after a failed import failed");
        }
        Ok(()) => {}
    }
}

/// Records a failed run after the rollback, and returns the error that caused it (with
/// storage faults recognised). If even the record cannot be written (the disk is still
/// full), that is logged and the cause is still what is returned.
async fn record_failure(
    db: &DatabaseConnection,
    meta: &SourceRow,
    mut report: RunReport,
    started_at: DateTime<Utc>,
    error: ImportError,
) -> ImportError {
    let error = storage::explain(db, error);
    tracing::warn!(dataset = %report.dataset, %error, "import rolled back");
    report.inserted = 0;
    report.updated = 0;
    report.deleted = 0;
    report.changes.clear();
    let written = async {
        let source_id = source::ensure_source(db, meta).await?;
        record(db, source_id, &report, started_at, ImportStatus::Failed, Some(&error.to_string())).await
    }
    .await;
    if let Err(db_error) = written {
        let db_error = storage::explain(db, db_error.into());
        tracing::error!(dataset = %report.dataset, %error, %db_error, "could not record the failed import run");
    }
    error
}

/// Writes the `import_run` row.
async fn record<C: ConnectionTrait>(
    db: &C,
    source_id: i32,
    report: &RunReport,
    started_at: DateTime<Utc>,
    status: ImportStatus,
    error: Option<&str>,
) -> Result<(), DbErr> {
    let mut messages: Vec<&str> = error.into_iter().collect();
    messages.extend(report.messages.iter().map(String::as_str));
    let count = |value: u64| i32::try_from(value).unwrap_or(i32::MAX);
    let run = import_run::ActiveModel {
        source_id: Set(source_id),
        file: Set(report.file.clone()),
        started_at: Set(started_at),
        finished_at: Set(Utc::now()),
        status: Set(status),
        rows_read: Set(count(report.rows_read)),
        rows_inserted: Set(count(report.inserted)),
        rows_updated: Set(count(report.updated)),
        rows_deleted: Set(count(report.deleted)),
        rows_skipped: Set(count(report.skipped)),
        rows_left_out: Set(count(report.left_out)),
        references_unmatched: Set(count(report.unmatched)),
        skip_reasons: Set((!report.reasons.is_empty()).then(|| {
            let lines: Vec<String> = report
                .reasons
                .iter()
                .map(|reason| format!("{}\t{}\t{}", reason.kind.label(), reason.count, reason.reason))
                .collect();
            lines.join("\n")
        })),
        messages: Set((!messages.is_empty()).then(|| messages.join("\n"))),
        ..Default::default()
    };
    let run_id = import_run::Entity::insert(run).exec(db).await?.last_insert_id;
    if status != ImportStatus::Succeeded {
        return Ok(());
    }
    let changes: Vec<import_change::ActiveModel> = report
        .changes
        .iter()
        .map(|change| import_change::ActiveModel {
            run_id: Set(run_id),
            source_id: Set(source_id),
            record: Set(change.record.to_owned()),
            r#ref: Set(change.reference.clone()),
            change: Set(change.change.to_owned()),
            ..Default::default()
        })
        .collect::<Vec<_>>();
    crate::sync::insert_batches::<import_change::Entity, C>(db, changes.into_iter()).await
}
