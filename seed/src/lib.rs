//! The seed loaders of southgraph: open datasets on South–South cooperation, imported into
//! the database through SeaORM, on SQLite or PostgreSQL alike.
//!
//! Each loader is `parse → validate → upsert`:
//! - parsing is pure (bytes in, typed records or field errors out) and unit-tested on real
//!   excerpts of the files;
//! - a whole file imports in one transaction: a file with a bad row changes nothing, and the
//!   error names file, line and field (with [`ImportOptions::skip_bad_rows`] bad rows are
//!   skipped and reported instead);
//! - rows are upserted on their natural keys, so re-importing a file changes nothing;
//! - every run, failed ones too, is recorded in `import_run`, and each dataset's `source`
//!   row carries the checksum of the imported bytes.
//!
//! Country references all go through one [`CountryResolver`]. The bundled copies of the
//! datasets are embedded in the binary (see `seed/data/README.md` for their origin and
//! licences); [`import_bundled`] imports them all, [`import_file`] one file a user gives.
//!
//! An import of the whole bundle is recorded in `bundle_import` and marked succeeded only
//! after its last dataset committed, so [`bundle_state`] tells a complete bundle from the
//! partial graph an interrupted first import leaves (the server imports again then).
//! A full disk, a read-only database or a file that cannot be opened is reported as a
//! [`StorageError`] that names the database file.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bundle;
mod bundle_import;
mod datasets;
mod error;
mod pg_bulk;
mod rebuild;
pub mod resolver;
mod run;
pub mod search;
mod source;
mod sqlite_bulk;
mod storage;
mod store;
mod sync;
mod table;
mod text;
mod totals;
mod world_countries;
mod xml;

pub use bundle_import::{BundleState, bundle_checksum, bundle_complete, bundle_state};

/// Keys of the sources of some country fields, which the API cites beside the country
/// table's own source.
pub mod source_keys {
    /// The countries' latitude and longitude (world-countries).
    pub const COUNTRY_CROSSWALK: &str = crate::source::COUNTRY_CROSSWALK.key;
    /// The countries' World Bank region, income group and lending category.
    pub const WB_CLASS: &str = crate::source::WB_CLASS.key;
    /// The countries' income groups year by year, to FY2023.
    pub const WB_INCOME_HISTORY: &str = crate::source::WB_INCOME_HISTORY.key;
    /// The countries' income groups of FY2024 and FY2025.
    pub const OWID_INCOME_GROUPS: &str = crate::source::OWID_INCOME_GROUPS.key;
    /// The map the countries' ISO 3166-1 numeric codes key (the explorer's).
    pub const NATURAL_EARTH: &str = crate::source::NATURAL_EARTH.key;
}
pub use error::{FieldError, ImportError, ParseError};
pub use resolver::CountryResolver;
pub use storage::{StorageError, StorageFault, sqlite_file, sqlite_file_of_url};

use run::{Input, Prepared};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use std::path::Path;

/// A dataset the crate can import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// UN M49 / ISO 3166 countries (datahub country-codes, 2020 edition): `country` rows.
    CountryCodes,
    /// Memberships of blocs (G-77, NAM, AU …) from CountrycodesOrgs.csv: `bloc`, `bloc_member`.
    Blocs,
    /// DAC sectors from the IATI code lists: `sector` rows (groups, categories, purposes).
    Sectors,
    /// IATI code lists that flows' codes come from (FlowType, AidType, FinanceType,
    /// CollaborationType, TiedStatus, ActivityStatus, TransactionType): `code_list_item`.
    IatiCodelists,
    /// The U.S. BLS CPI-U annual averages 1913–2025: `price_index`, and every flow's real
    /// amount (`amount_usd_real`).
    UsCpi,
    /// AidData Global Chinese Official Finance v1.0: `flow`, and `expert` teams with
    /// their `deployment`s.
    Gcof,
    /// DESTA list of trade agreements 2.02: `agreement` and `agreement_party`.
    Desta,
    /// UNCTAD International Investment Agreements: `agreement` and `agreement_party`.
    UnctadIia,
    /// World Bank CLASS (July 2022): region, income group and lending category of `country`.
    WbClass,
    /// The World Bank's historical income classification (OGHIST, FY1989–FY2023, and Our
    /// World in Data's series for FY2024–FY2025): `country_income_group`, year by year.
    WbIncomeHistory,
    /// AidData TUFF donor dataset for Qatar (Level 1, v1.0): `flow` rows with Qatar as provider.
    TuffQatar,
    /// AidData TUFF donor dataset for Saudi Arabia (Level 1, v1.0): `flow` rows with Saudi
    /// Arabia as provider.
    TuffSaudiArabia,
    /// Brazilian Cooperation Agency (ABC) technical cooperation actions 1999–2010: `flow`, and
    /// `expert` teams for its expert missions with their `deployment`s.
    BrazilAbc,
    /// AidData's China's Public Diplomacy 1.0 (East Asia-Pacific, 2000–2016): `exchange`
    /// rows (country-year counts of visits, students, Confucius institutes, sister cities,
    /// media partnerships) and `flow` rows for its finance projects, with `flow_repeat` for
    /// the projects GCOF already has.
    ChinaPublicDiplomacy,
    /// Bilateral trade 1986–2006 of 69 countries (Yotov et al. 2016, *An Advanced Guide to
    /// Trade Policy Analysis*): `flow` rows of kind TRADE, exporter to importer, in current USD.
    YotovTrade,
    /// IATI 2.03 activity files: `flow` rows, one per activity. Bundled: AidData's release of
    /// Colombia's aid information system (APC-Colombia), activities 1994–2013.
    IatiActivities,
    /// An expert roster a user imports from a CSV file (format in `seed/data/README.md`):
    /// `expert` rows with their sectors and deployments. Never bundled: [`import_file`] only.
    ExpertRoster,
}

impl Dataset {
    /// Every dataset, in dependency order (countries first).
    pub const ALL: &[Dataset] = &[
        Dataset::CountryCodes,
        Dataset::Blocs,
        Dataset::Sectors,
        Dataset::UsCpi,
        Dataset::Gcof,
        Dataset::Desta,
        Dataset::UnctadIia,
        Dataset::WbClass,
        Dataset::WbIncomeHistory,
        Dataset::TuffQatar,
        Dataset::TuffSaudiArabia,
        Dataset::BrazilAbc,
        Dataset::ChinaPublicDiplomacy,
        Dataset::IatiCodelists,
        Dataset::IatiActivities,
        Dataset::YotovTrade,
        Dataset::ExpertRoster,
    ];

    /// The datasets [`import_bundled`] imports, in dependency order.
    pub const BUNDLED: &[Dataset] = &[
        Dataset::CountryCodes,
        Dataset::Blocs,
        Dataset::Sectors,
        Dataset::UsCpi,
        Dataset::Gcof,
        Dataset::Desta,
        Dataset::UnctadIia,
        Dataset::WbClass,
        Dataset::WbIncomeHistory,
        Dataset::TuffQatar,
        Dataset::TuffSaudiArabia,
        Dataset::BrazilAbc,
        Dataset::ChinaPublicDiplomacy,
        Dataset::IatiCodelists,
        Dataset::IatiActivities,
        Dataset::YotovTrade,
    ];

    /// Whether [`import_bundled`] imports the dataset (see [`Dataset::BUNDLED`]).
    pub fn is_bundled(&self) -> bool {
        Dataset::BUNDLED.contains(self)
    }

    /// The kebab-case name the CLI and reports use.
    pub fn name(&self) -> &'static str {
        match self {
            Dataset::CountryCodes => "country-codes",
            Dataset::Blocs => "blocs",
            Dataset::Sectors => "sectors",
            Dataset::UsCpi => "us-cpi",
            Dataset::IatiCodelists => "iati-codelists",
            Dataset::Gcof => "aiddata-gcof",
            Dataset::Desta => "desta",
            Dataset::UnctadIia => "unctad-iia",
            Dataset::WbClass => "wb-class",
            Dataset::WbIncomeHistory => "wb-income-history",
            Dataset::TuffQatar => "aiddata-tuff-qatar",
            Dataset::TuffSaudiArabia => "aiddata-tuff-saudi-arabia",
            Dataset::BrazilAbc => "aiddata-brazil-abc",
            Dataset::ChinaPublicDiplomacy => "aiddata-china-pubdip",
            Dataset::YotovTrade => "yotov-trade",
            Dataset::ExpertRoster => "expert-roster",
            Dataset::IatiActivities => "iati-activities",
        }
    }
}

impl Dataset {
    /// The language its records' texts are written in, which the search index stems them
    /// in ([`search`]): Portuguese for Brazil's ABC, Spanish for IATI activities (the
    /// bundled file is Colombia's), English for the others.
    pub fn language(&self) -> search::Language {
        match self {
            Dataset::BrazilAbc => search::Language::Portuguese,
            Dataset::IatiActivities => search::Language::Spanish,
            _ => search::Language::English,
        }
    }
}

impl std::fmt::Display for Dataset {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

impl std::str::FromStr for Dataset {
    type Err = ImportError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Dataset::ALL
            .iter()
            .copied()
            .find(|dataset| dataset.name() == name)
            .ok_or_else(|| ImportError::UnknownDataset(name.to_owned()))
    }
}

/// Receives progress; the CLI renders it.
pub trait Progress: Send + Sync {
    /// A dataset's import has begun (`total_rows` 0), or its files parsed so far hold
    /// `total_rows` data rows in all.
    fn start(&self, dataset: &str, total_rows: u64);
    /// `rows` more rows have been written.
    fn advance(&self, rows: u64);
    /// The dataset's import committed.
    fn finish(&self, report: &RunReport);
}

/// A [`Progress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _dataset: &str, _total_rows: u64) {}
    fn advance(&self, _rows: u64) {}
    fn finish(&self, _report: &RunReport) {}
}

/// How to import.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Skip rows with a bad field (reporting each) instead of failing the whole file.
    pub skip_bad_rows: bool,
}

/// What one import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// The dataset's name.
    pub dataset: String,
    /// The file's name (without directories).
    pub file: String,
    /// Data rows read from the file.
    pub rows_read: u64,
    /// Rows inserted, in all tables the dataset fills (the `source` row not counted): a
    /// file row may make several (a flow and its sectors), so this may exceed `rows_read`;
    /// `tables` tells them apart.
    pub inserted: u64,
    /// Rows whose stored values changed.
    pub updated: u64,
    /// Records of the source (flows, agreements, experts) that the file no longer has,
    /// deleted with their links.
    pub deleted: u64,
    /// The records inserted, changed and deleted, by reference; logged for
    /// `Source.changes(since:)` from the source's second successful run on.
    pub changes: Vec<RecordChange>,
    /// Rows the loader leaves out by its rules (aggregates, repeats, domestic trade,
    /// organisations that are not countries …). Each is explained in `messages`.
    pub left_out: u64,
    /// Rows that could not be imported: a bad field (with `skip_bad_rows`), or a key that no
    /// table resolves. Each is explained in `messages`.
    pub skipped: u64,
    /// References inside imported rows that no table resolves (a treaty party, a bloc
    /// member, a deployment's host): the row is imported without them.
    pub unmatched: u64,
    /// How many rows or references were left out, skipped or unmatched, by reason.
    pub reasons: Vec<SkipReason>,
    /// Unmatched names and codes, skipped rows, corrections, each with file and line.
    pub messages: Vec<String>,
    /// Rows inserted and changed, table by table, in the order first written.
    pub tables: Vec<TableWrites>,
}

impl RunReport {
    /// Rows of the file imported: those read, less those left out and skipped.
    pub fn rows_imported(&self) -> u64 {
        self.rows_read.saturating_sub(self.left_out + self.skipped)
    }

    /// The report in one line: rows read, imported, left out, skipped and unmatched, the
    /// three commonest reasons, and the rows written per table.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} ({}): {} rows read, {} imported, {} left out by design, {} skipped for errors, {} references unmatched",
            self.dataset,
            self.file,
            self.rows_read,
            self.rows_imported(),
            self.left_out,
            self.skipped,
            self.unmatched
        );
        let mut reasons: Vec<&SkipReason> = self.reasons.iter().collect();
        reasons.sort_by_key(|reason| std::cmp::Reverse(reason.count));
        if !reasons.is_empty() {
            let top: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|reason| format!("{} {} ({})", reason.count, reason.reason, reason.kind.label()))
                .collect();
            let more = reasons.len().saturating_sub(3);
            line.push_str(&format!(
                "; {}{}",
                top.join(", "),
                if more > 0 { format!(" and {more} more reasons") } else { String::new() }
            ));
        }
        let written: Vec<String> = self
            .tables
            .iter()
            .filter(|table| table.inserted + table.updated > 0)
            .map(|table| match (table.inserted, table.updated) {
                (inserted, 0) => format!("{} {inserted} new", table.table),
                (0, updated) => format!("{} {updated} changed", table.table),
                (inserted, updated) => format!("{} {inserted} new, {updated} changed", table.table),
            })
            .collect();
        line.push_str("; rows written: ");
        line.push_str(if written.is_empty() { "none (already as in the file)" } else { "" });
        line.push_str(&written.join(", "));
        if self.deleted > 0 {
            line.push_str(&format!("; {} records the file no longer has deleted", self.deleted));
        }
        line
    }
}

/// What an import wrote to one table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableWrites {
    /// The table's name.
    pub table: String,
    /// Rows inserted.
    pub inserted: u64,
    /// Rows whose stored values changed.
    pub updated: u64,
}

/// What an import did to one record of its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordChange {
    /// `FLOW`, `AGREEMENT` or `EXPERT`.
    pub record: &'static str,
    /// The record's reference in its source.
    pub reference: String,
    /// `INSERTED`, `UPDATED` or `DELETED`.
    pub change: &'static str,
}

/// What was not imported, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// A row left out by the loader's rules.
    ByDesign,
    /// A row that could not be imported.
    Error,
    /// A reference dropped from an imported row.
    Unmatched,
}

impl SkipKind {
    /// The kind's name in reports (`by design`, `error`, `unmatched`).
    pub fn label(self) -> &'static str {
        match self {
            Self::ByDesign => "by design",
            Self::Error => "error",
            Self::Unmatched => "unmatched",
        }
    }

    /// The kind a label names ([`Self::label`]).
    pub fn from_label(label: &str) -> Option<Self> {
        [Self::ByDesign, Self::Error, Self::Unmatched].into_iter().find(|kind| kind.label() == label)
    }
}

/// One reason something was not imported, with how many times it applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipReason {
    /// Left out by design, skipped for an error, or an unmatched reference.
    pub kind: SkipKind,
    /// The reason, the same words for every row it applies to (`donor matches no country`).
    pub reason: String,
    /// Rows (or references) it applied to.
    pub count: u64,
}

/// Imports every bundled dataset ([`Dataset::BUNDLED`]) from the copies in the binary, in
/// dependency order, each in its own transaction.
///
/// The import is recorded in `bundle_import`: a running row first, marked succeeded only
/// after the last dataset committed, or failed with the error. An import that is
/// interrupted leaves its row running; [`bundle_state`] then says the bundle is not
/// complete, and running this again completes it (every dataset is an idempotent upsert).
///
/// On SQLite the write-ahead log is checkpointed once at the end ([`storage::checkpoint`]).
pub async fn import_bundled(db: &DatabaseConnection, progress: &dyn Progress) -> Result<Vec<RunReport>, ImportError> {
    let imported = import_every_bundled(db, progress).await;
    storage::checkpoint(db).await;
    imported
}

/// How many parsed datasets wait for the bundle's import at most; the reader parses one
/// more before it waits. Enough for the trade flows' parse to be done before their turn,
/// few enough that the parsed datasets held at once stay few.
const READ_AHEAD: usize = 3;

/// [`import_bundled`] but the checkpoint.
///
/// A blocking thread decompresses and parses the datasets, in order, while the ones before
/// them are written ([`Prepared`]): the parsing, about a sixth of the import's work, then
/// runs beside SQLite's instead of between its statements. When the import stops, the
/// reader stops after the dataset it is parsing.
async fn import_every_bundled(db: &DatabaseConnection, progress: &dyn Progress) -> Result<Vec<RunReport>, ImportError> {
    let record = bundle_import::start(db).await.map_err(|error| storage::explain(db, error.into()))?;
    let (sender, mut prepared) = tokio::sync::mpsc::channel(READ_AHEAD);
    let mut reader = tokio::task::spawn_blocking(move || {
        for dataset in Dataset::BUNDLED {
            let next = Input::bundled(*dataset).map(|input| Prepared::new(*dataset, input));
            if sender.blocking_send(next).is_err() {
                return; // The import stopped: nothing more is needed.
            }
        }
    });
    let mut reports = Vec::with_capacity(Dataset::BUNDLED.len());
    for dataset in Dataset::BUNDLED {
        let options = ImportOptions::default();
        progress.start(dataset.name(), 0);
        let imported = match prepared.recv().await {
            Some(Ok(next)) => run::run(db, next, &options, progress).await,
            Some(Err(error)) => Err(error),
            // The reader ended early: it panicked (passed on here), or the runtime is shutting
            // down and cancelled it before it started.
            None => match (&mut reader).await {
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                _ => Err(ImportError::Io {
                    path: format!("bundled {dataset}"),
                    source: std::io::Error::other("the import was stopped before the dataset was read"),
                }),
            },
        };
        match imported {
            Ok(report) => reports.push(report),
            Err(error) => {
                bundle_import::fail(db, record, &error).await;
                return Err(error);
            }
        }
    }
    if let Err(error) = bundle_import::succeed(db, record).await {
        let error = storage::explain(db, error.into());
        bundle_import::fail(db, record, &error).await;
        return Err(error);
    }
    tracing::info!(checksum = bundle_checksum(), datasets = reports.len(), "bundled open data fully imported");
    Ok(reports)
}

/// Imports one dataset from its bundled copy.
pub async fn import_bundled_dataset(
    db: &DatabaseConnection,
    dataset: Dataset,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<RunReport, ImportError> {
    progress.start(dataset.name(), 0);
    run::run(db, Prepared::new(dataset, Input::bundled(dataset)?), options, progress).await
}

/// Imports one dataset from a file. For [`Dataset::Sectors`], `path` is the directory that
/// holds `SectorCategory.xml` and `Sector.xml` (or either file in it). On SQLite the
/// write-ahead log is checkpointed at the end ([`storage::checkpoint`]).
pub async fn import_file(
    db: &DatabaseConnection,
    dataset: Dataset,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<RunReport, ImportError> {
    progress.start(dataset.name(), 0);
    let input = Input::from_path(dataset, path)?;
    let imported = run::run(db, Prepared::new(dataset, input), options, progress).await;
    storage::checkpoint(db).await;
    imported
}

/// Whether the database holds no country yet. The server asks [`bundle_state`] instead,
/// which also tells a partial graph from a complete one.
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(entity::country::Entity::find().count(db).await? == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_names_round_trip() {
        for dataset in Dataset::ALL {
            assert_eq!(dataset.name().parse::<Dataset>().unwrap(), *dataset);
        }
        assert!("gcof".parse::<Dataset>().is_err());
    }

    #[test]
    fn bundled_datasets_keep_the_dependency_order() {
        let bundled: Vec<Dataset> = Dataset::ALL.iter().copied().filter(Dataset::is_bundled).collect();
        assert_eq!(bundled, Dataset::BUNDLED);
    }
}
