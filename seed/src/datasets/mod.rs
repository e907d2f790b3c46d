//! One module per dataset, each `read` (parse, pure, before the transaction opens) then `import` (validate and upsert).

pub(crate) mod blocs;
pub(crate) mod brazil_abc;
pub(crate) mod china_pubdip;
pub(crate) mod country_codes;
pub(crate) mod desta;
pub(crate) mod gcof;
pub(crate) mod iati;
pub(crate) mod iati_codelists;
pub(crate) mod roster;
pub(crate) mod sectors;
pub(crate) mod tuff;
pub(crate) mod unctad_iia;
pub(crate) mod us_cpi;
pub(crate) mod wb_class;
pub(crate) mod wb_income_history;
pub(crate) mod yotov;

use crate::Dataset;
use crate::error::{ImportError, ParseError};
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::source::{self, SourceRow};
use entity::FlowKind;

/// The `source` row a dataset's rows point to (`file`: the input's name, for datasets whose
/// source is the user's file).
pub(crate) fn source_row(dataset: Dataset, file: &str) -> SourceRow {
    SourceRow::from(match dataset {
        Dataset::ExpertRoster => return roster::source_row(file),
        Dataset::IatiActivities => return iati::source_row(file),
        Dataset::CountryCodes => &source::COUNTRY_CODES,
        Dataset::Blocs => &source::COUNTRY_ORGS,
        Dataset::Sectors => &source::IATI_SECTORS,
        Dataset::IatiCodelists => &source::IATI_CODELISTS,
        Dataset::UsCpi => &source::US_CPI,
        Dataset::Gcof => &source::GCOF,
        Dataset::Desta => &source::DESTA,
        Dataset::UnctadIia => &source::UNCTAD_IIA,
        Dataset::WbClass => &source::WB_CLASS,
        Dataset::WbIncomeHistory => &source::WB_INCOME_HISTORY,
        Dataset::TuffQatar => &source::TUFF_QATAR,
        Dataset::TuffSaudiArabia => &source::TUFF_SAUDI_ARABIA,
        Dataset::BrazilAbc => &source::BRAZIL_ABC,
        Dataset::ChinaPublicDiplomacy => &source::CHINA_PUBDIP,
        Dataset::YotovTrade => &source::YOTOV_TRADE,
    })
}

/// A dataset's input, parsed: all the work of its import that needs no database, done before
/// the import's transaction opens, so that the whole bundle's import parses each dataset
/// while the ones before it are written ([`crate::run::Prepared`]). A file that could not be
/// parsed holds its error, which the loader returns where it reads that file, after the
/// files before it were validated, as if it had parsed the file there.
pub(crate) enum Read {
    CountryCodes(country_codes::Read),
    Blocs(blocs::Read),
    Sectors(sectors::Read),
    IatiCodelists(iati_codelists::Read),
    UsCpi(us_cpi::Read),
    Gcof(gcof::Read),
    Desta(desta::Read),
    UnctadIia(unctad_iia::Read),
    WbClass(wb_class::Read),
    WbIncomeHistory(wb_income_history::Read),
    Tuff(tuff::Read),
    BrazilAbc(brazil_abc::Read),
    ChinaPublicDiplomacy(china_pubdip::Read),
    YotovTrade(yotov::Read),
    ExpertRoster(roster::Read),
    IatiActivities(iati::Read),
}

/// Parses the dataset's input with its loader's `read`.
pub(crate) fn read(dataset: Dataset, input: &Input) -> Read {
    match dataset {
        Dataset::CountryCodes => Read::CountryCodes(country_codes::read(input)),
        Dataset::Blocs => Read::Blocs(blocs::read(input)),
        Dataset::Sectors => Read::Sectors(sectors::read(input)),
        Dataset::IatiCodelists => Read::IatiCodelists(iati_codelists::read(input)),
        Dataset::UsCpi => Read::UsCpi(us_cpi::read(input)),
        Dataset::Gcof => Read::Gcof(gcof::read(input)),
        Dataset::Desta => Read::Desta(desta::read(input)),
        Dataset::UnctadIia => Read::UnctadIia(unctad_iia::read(input)),
        Dataset::WbClass => Read::WbClass(wb_class::read(input)),
        Dataset::WbIncomeHistory => Read::WbIncomeHistory(wb_income_history::read(input)),
        Dataset::TuffQatar | Dataset::TuffSaudiArabia => Read::Tuff(tuff::read(input)),
        Dataset::BrazilAbc => Read::BrazilAbc(brazil_abc::read(input)),
        Dataset::ChinaPublicDiplomacy => Read::ChinaPublicDiplomacy(china_pubdip::read(input)),
        Dataset::YotovTrade => Read::YotovTrade(yotov::read(input)),
        Dataset::ExpertRoster => Read::ExpertRoster(roster::read(input)),
        Dataset::IatiActivities => Read::IatiActivities(iati::read(input)),
    }
}

/// Runs the dataset's loader on its parsed input inside the run's transaction.
pub(crate) async fn load(dataset: Dataset, load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    match read {
        Read::CountryCodes(read) => country_codes::import(load, read).await,
        Read::Blocs(read) => blocs::import(load, read).await,
        Read::Sectors(read) => sectors::import(load, read).await,
        Read::IatiCodelists(read) => iati_codelists::import(load, read).await,
        Read::UsCpi(read) => us_cpi::import(load, read).await,
        Read::Gcof(read) => gcof::import(load, read).await,
        Read::Desta(read) => desta::import(load, read).await,
        Read::UnctadIia(read) => unctad_iia::import(load, read).await,
        Read::WbClass(read) => wb_class::import(load, read).await,
        Read::WbIncomeHistory(read) => wb_income_history::import(load, read).await,
        Read::Tuff(read) => tuff::import(load, read, dataset).await,
        Read::BrazilAbc(read) => brazil_abc::import(load, read).await,
        Read::ChinaPublicDiplomacy(read) => china_pubdip::import(load, read).await,
        Read::YotovTrade(read) => yotov::import(load, read).await,
        Read::ExpertRoster(read) => roster::import(load, read).await,
        Read::IatiActivities(read) => iati::import(load, read).await,
    }
}

/// The first (for most datasets, the only) file of the input, parsed with `parse`; an error
/// names the input.
pub(crate) fn read_first<T>(
    input: &Input,
    parse: impl FnOnce(&[u8]) -> Result<T, ParseError>,
) -> Result<T, ImportError> {
    let bytes = input.parts.first().map_or(&[][..], |(_, bytes)| bytes.as_slice());
    parse(bytes).map_err(|error| ImportError::from_parse(&input.file, error))
}

/// One file of a dataset made of several, parsed: its name, and what it holds or why it
/// could not be parsed.
pub(crate) type Part<T> = (String, Result<T, ImportError>);

/// The file `name`, parsed with `parse`; an error names the file.
pub(crate) fn read_part<T>(name: &str, bytes: &[u8], parse: impl FnOnce(&[u8]) -> Result<T, ParseError>) -> Part<T> {
    (name.to_owned(), parse(bytes).map_err(|error| ImportError::from_parse(name, error)))
}

/// The country resolver, failing when no country has been imported yet.
pub(crate) async fn countries(load: &Load<'_>, dataset: Dataset) -> Result<CountryResolver, ImportError> {
    let resolver = CountryResolver::load(load.txn).await?;
    if resolver.is_empty() {
        return Err(ImportError::MissingPrerequisite { dataset: dataset.name(), needs: Dataset::CountryCodes.name() });
    }
    Ok(resolver)
}

/// The common kind of an AidData `flow` label, shared by the AidData datasets (GCOF, TUFF).
pub(crate) fn aiddata_flow_kind(flow: &str) -> Option<FlowKind> {
    Some(match flow {
        "Grant" => FlowKind::Grant,
        "Loan (excluding debt rescheduling)" => FlowKind::Loan,
        "Free-standing technical assistance" => FlowKind::TechnicalAssistance,
        "Scholarships/training in the donor country" => FlowKind::Scholarship,
        "Export credits" | "Strategic/Supplier Credit" => FlowKind::ExportCredit,
        "Debt forgiveness" | "Debt rescheduling" => FlowKind::DebtRelief,
        "Vague TBD" => FlowKind::Unspecified,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flow_label_of_the_file_maps() {
        for label in [
            "Grant",
            "Loan (excluding debt rescheduling)",
            "Free-standing technical assistance",
            "Scholarships/training in the donor country",
            "Export credits",
            "Vague TBD",
            "Debt forgiveness",
            "Debt rescheduling",
            "Strategic/Supplier Credit",
        ] {
            assert!(aiddata_flow_kind(label).is_some(), "{label}");
        }
    }
}
