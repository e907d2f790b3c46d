//! One module per dataset, each `parse` (pure) then `import` (validate and upsert).

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
use crate::error::ImportError;
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

/// Runs the dataset's loader inside the run's transaction.
pub(crate) async fn load(dataset: Dataset, load: &mut Load<'_>, input: &Input) -> Result<(), ImportError> {
    match dataset {
        Dataset::CountryCodes => country_codes::import(load, input).await,
        Dataset::Blocs => blocs::import(load, input).await,
        Dataset::Sectors => sectors::import(load, input).await,
        Dataset::IatiCodelists => iati_codelists::import(load, input).await,
        Dataset::UsCpi => us_cpi::import(load, input).await,
        Dataset::Gcof => gcof::import(load, input).await,
        Dataset::Desta => desta::import(load, input).await,
        Dataset::UnctadIia => unctad_iia::import(load, input).await,
        Dataset::WbClass => wb_class::import(load, input).await,
        Dataset::WbIncomeHistory => wb_income_history::import(load, input).await,
        Dataset::TuffQatar | Dataset::TuffSaudiArabia => tuff::import(load, input, dataset).await,
        Dataset::BrazilAbc => brazil_abc::import(load, input).await,
        Dataset::ChinaPublicDiplomacy => china_pubdip::import(load, input).await,
        Dataset::YotovTrade => yotov::import(load, input).await,
        Dataset::ExpertRoster => roster::import(load, input).await,
        Dataset::IatiActivities => iati::import(load, input).await,
    }
}

/// The bytes of the first (for most datasets, the only) file of the input.
pub(crate) fn first_part(input: &Input) -> &[u8] {
    input.parts.first().map_or(&[], |(_, bytes)| bytes.as_slice())
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
