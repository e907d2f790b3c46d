//! The open data bundled with the crate: gzip'd copies in `seed/data/`, embedded in the
//! binary with `include_bytes!` so that it finds them wherever it runs.
//!
//! `seed/data/README.md` names the origin, publisher, licence and citation of each file.

use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};
use std::{io::Read, sync::OnceLock};

/// One embedded, gzip-compressed file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BundledFile {
    /// The name of the original (uncompressed) file, used in reports and errors.
    pub name: &'static str,
    gzip: &'static [u8],
}

impl BundledFile {
    /// The file's original bytes.
    pub(crate) fn bytes(&self) -> Result<Vec<u8>, std::io::Error> {
        let mut bytes = Vec::with_capacity(self.gzip.len() * 4);
        GzDecoder::new(self.gzip).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

macro_rules! bundled {
    ($name:literal, $file:literal) => {
        BundledFile { name: $name, gzip: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", $file)) }
    };
}

/// UN M49 / ISO 3166 country codes, 2020 edition (the last with "Developed / Developing").
pub(crate) const COUNTRY_CODES: BundledFile =
    bundled!("country-codes-2020-with-developing.csv", "country-codes-2020-with-developing.csv.gz");

/// world-countries 5.1.0 (ODbL 1.0): centroids and names in other languages.
pub(crate) const WORLD_COUNTRIES: BundledFile = bundled!("world-countries.json", "world-countries.json.gz");

/// IATI DAC 3-digit sector categories.
pub(crate) const SECTOR_CATEGORIES: BundledFile = bundled!("SectorCategory.xml", "SectorCategory.xml.gz");

/// IATI DAC 5-digit purpose codes.
pub(crate) const SECTORS: BundledFile = bundled!("Sector.xml", "Sector.xml.gz");

/// IATI code lists beyond sectors (unchanged XML).
pub(crate) const IATI_CODELISTS: &[BundledFile] = &[
    bundled!("FlowType.xml", "FlowType.xml.gz"),
    bundled!("AidType.xml", "AidType.xml.gz"),
    bundled!("FinanceType.xml", "FinanceType.xml.gz"),
    bundled!("CollaborationType.xml", "CollaborationType.xml.gz"),
    bundled!("TiedStatus.xml", "TiedStatus.xml.gz"),
    bundled!("ActivityStatus.xml", "ActivityStatus.xml.gz"),
    bundled!("TransactionType.xml", "TransactionType.xml.gz"),
];

/// Country memberships of international organisations.
pub(crate) const COUNTRY_ORGS: BundledFile = bundled!("CountrycodesOrgs.csv", "CountrycodesOrgs.csv.gz");

/// AidData GCOF v1.0, with the `contacts` column removed.
pub(crate) const GCOF: BundledFile = bundled!(
    "GlobalChineseOfficialFinanceDataset_v1.0.csv",
    "GlobalChineseOfficialFinanceDataset_v1.0.no-contacts.csv.gz"
);

/// DESTA list of treaties 2.02 (Windows-1252).
pub(crate) const DESTA: BundledFile =
    bundled!("desta_list_of_treaties_02_02.txt", "desta_list_of_treaties_02_02.txt.gz");

/// UNCTAD IIA Navigator scrape.
pub(crate) const UNCTAD_IIA: BundledFile =
    bundled!("unctad_iia_scrape_bits_raw.csv", "unctad_iia_scrape_bits_raw.csv.gz");

/// World Bank CLASS, July 2022 (xlsx).
pub(crate) const WB_CLASS: BundledFile = bundled!("CLASS.xlsx", "CLASS.xlsx.gz");

/// World Bank historical income classification, FY1989–FY2023 (xlsx).
pub(crate) const WB_INCOME_HISTORY: BundledFile =
    bundled!("Historical_income_classification.xlsx", "Historical_income_classification.xlsx.gz");

/// Our World in Data's series of the World Bank income groups.
pub(crate) const OWID_INCOME_GROUPS: BundledFile =
    bundled!("owid-world-bank-income-groups.csv", "owid-world-bank-income-groups.csv.gz");

/// AidData TUFF donor dataset, Qatar (Windows-1252, CR line endings, unchanged).
pub(crate) const TUFF_QATAR: BundledFile =
    bundled!("Qatar_TUFFDonorDataset_Level1_v1.0.csv", "Qatar_TUFFDonorDataset_Level1_v1.0.csv.gz");

/// AidData TUFF donor dataset, Saudi Arabia (Windows-1252, CR line endings, unchanged).
pub(crate) const TUFF_SAUDI_ARABIA: BundledFile =
    bundled!("SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv", "SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv.gz");

/// Brazilian Cooperation Agency actions: the workbook AidData republished (unchanged).
pub(crate) const BRAZIL_ABC: BundledFile =
    bundled!("Brazil_2005-2011_raw_data.xlsx", "Brazil_2005-2011_raw_data.xlsx.gz");

/// AidData's China's Public Diplomacy: China's financial diplomacy projects (unchanged;
/// its `contacts` column is never read).
pub(crate) const CHINA_PUBDIP_PROJECTS: BundledFile = bundled!(
    "ChineseFinancialPublicDiplomacyProjectDetails.xlsx",
    "ChineseFinancialPublicDiplomacyProjectDetails.xlsx.gz"
);

/// AidData's China's Public Diplomacy: the country-year measures (unchanged).
pub(crate) const CHINA_PUBDIP_EXCHANGES: BundledFile =
    bundled!("ChinesePublicDiplomacy.xlsx", "ChinesePublicDiplomacy.xlsx.gz");

/// Yotov et al. (2016) trade application data (DERIVED CSV of `agtpa_applications.rda`).
pub(crate) const YOTOV_TRADE: BundledFile = bundled!("agtpa_applications.csv", "agtpa_applications.csv.gz");

/// AidData's IATI 2.03 release of Colombia's aid information system (unchanged).
pub(crate) const COLOMBIA_AIMS_IATI: BundledFile = bundled!(
    "iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml",
    "iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml.gz"
);

/// BLS CPI-U annual averages, 1913–2025 (DERIVED: the published annual-average rows).
pub(crate) const US_CPI: BundledFile = bundled!("cpi-u-annual-average.csv", "cpi-u-annual-average.csv.gz");

/// Every embedded file, in a fixed order.
fn files() -> impl Iterator<Item = BundledFile> {
    FILES.iter().chain(IATI_CODELISTS).copied()
}

/// The embedded files but the IATI code lists ([`IATI_CODELISTS`]), in a fixed order.
const FILES: &[BundledFile] = &[
    COUNTRY_CODES,
    WORLD_COUNTRIES,
    SECTOR_CATEGORIES,
    SECTORS,
    COUNTRY_ORGS,
    GCOF,
    DESTA,
    UNCTAD_IIA,
    WB_CLASS,
    WB_INCOME_HISTORY,
    OWID_INCOME_GROUPS,
    TUFF_QATAR,
    TUFF_SAUDI_ARABIA,
    BRAZIL_ABC,
    CHINA_PUBDIP_PROJECTS,
    CHINA_PUBDIP_EXCHANGES,
    YOTOV_TRADE,
    COLOMBIA_AIMS_IATI,
    US_CPI,
];

/// How the loaders read the bundle. Bump it when a loader stores something new or
/// different from the same files, so that a server over an import by an older binary
/// imports again (it compares [`checksum`]). 2: Saudi Arabia's `usd_current` column and
/// the countries' ISO 3166-1 numeric codes; 3: the source rows of the countries' centroids
/// and of the map; 4: blocs as parties to UNCTAD's treaties; 5: income groups year by year; 6: Brazil's ABC from its workbook;
/// 7: IATI code lists, and the codes of IATI flows; 8: China's public diplomacy (exchanges,
/// finance projects and their repeats of GCOF's); 9: sources carry their publisher's guidance; 10: the CPI-U series and flows' real amounts.
const LOADERS_REVISION: u32 = 10;

/// SHA-256 (hex) of the loaders' revision and of the names and compressed bytes of every
/// embedded file: which bundle this binary carries, read how. Computed once.
pub(crate) fn checksum() -> &'static str {
    static CHECKSUM: OnceLock<String> = OnceLock::new();
    CHECKSUM.get_or_init(|| {
        let mut hasher = Sha256::new();
        hasher.update(LOADERS_REVISION.to_le_bytes());
        for file in files() {
            hasher.update(file.name.as_bytes());
            hasher.update([0]);
            hasher.update((file.gzip.len() as u64).to_le_bytes());
            hasher.update(file.gzip);
        }
        hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_is_stable_hex() {
        assert_eq!(checksum().len(), 64);
        assert!(checksum().bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_eq!(checksum(), checksum());
    }

    #[test]
    fn every_bundled_file_decompresses() {
        for file in files() {
            let bytes = file.bytes().unwrap();
            assert!(bytes.len() > 1000, "{}", file.name);
        }
    }

    #[test]
    fn the_bundled_gcof_copy_has_no_contacts_column() {
        let bytes = GCOF.bytes().unwrap();
        let header = bytes.split(|byte| *byte == b'\n').next().unwrap();
        let header = String::from_utf8_lossy(header);
        assert!(header.starts_with("project_id,"));
        assert!(!header.split(',').any(|column| column == "contacts"));
    }
}
