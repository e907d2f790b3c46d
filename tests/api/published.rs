//! Figures computed straight from the bundled copies of the published files, by code
//! independent of the loaders, to compare the API's answers with.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    io::Read,
    path::Path,
};

/// The rows of a bundled, gzip-compressed CSV file, as header → value maps. Bytes that
/// are not UTF-8 (DESTA is Windows-1252) become U+FFFD: these tests only read codes.
pub fn csv_rows(file: &str) -> Vec<HashMap<String, String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data").join(file);
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .read_to_end(&mut bytes)
        .expect("gzip");
    let text = String::from_utf8_lossy(&bytes);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header row").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("CSV record");
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

/// The country-codes rows with an ISO3 code.
pub fn countries() -> Vec<HashMap<String, String>> {
    csv_rows("country-codes-2020-with-developing.csv.gz")
        .into_iter()
        .filter(|row| !row["ISO3166-1-Alpha-3"].trim().is_empty())
        .collect()
}

/// ISO3 codes UN M49 (2020) classes as developing.
pub fn developing() -> Vec<String> {
    countries()
        .into_iter()
        .filter(|row| row["Developed / Developing Countries"] == "Developing")
        .map(|row| row["ISO3166-1-Alpha-3"].clone())
        .collect()
}

/// The AidData GCOF project rows.
pub fn gcof() -> Vec<HashMap<String, String>> {
    csv_rows("GlobalChineseOfficialFinanceDataset_v1.0.no-contacts.csv.gz")
}

/// The GCOF rows AidData recommends for aggregate estimates (`recommended_for_research`
/// TRUE), as its Readme's "Data Use Recommendations" ask: the rows aggregates count unless
/// told `guidance: IGNORE`.
pub fn gcof_for_research() -> Vec<HashMap<String, String>> {
    gcof().into_iter().filter(|row| row["recommended_for_research"] == "True").collect()
}

/// A number as published; blank (or a lone space) is none.
pub fn amount(value: &str) -> Option<f64> {
    let value = value.trim();
    if value.is_empty() { None } else { Some(value.parse().unwrap_or_else(|_| panic!("not a number: {value}"))) }
}

/// One DESTA 2.02 base treaty as the list of treaties gives it.
pub struct DestaTreaty {
    /// `typememb` (1 bilateral, 2 plurilateral, 3 plurilateral and third country, 4
    /// region–region).
    pub typememb: String,
    /// `regioncon`.
    pub regioncon: String,
    /// `year` signed.
    pub year: Option<i32>,
    /// ISO3 codes of its members (`c1` … `c91` of the base treaty and of its accessions)
    /// whose M49 code names a country row; 900 (Kosovo) has none and is left out, as the
    /// importer does.
    pub members: BTreeSet<String>,
}

/// ISO3 codes by ISO 3166 numeric code (= M49 for countries), without leading zeros, as
/// DESTA writes them (`32` for Argentina).
pub fn iso3_by_numeric() -> HashMap<String, String> {
    countries()
        .into_iter()
        .filter_map(|row| {
            let code = row["ISO3166-1-numeric"].trim().trim_start_matches('0').to_owned();
            (!code.is_empty()).then(|| (code, row["ISO3166-1-Alpha-3"].clone()))
        })
        .collect()
}

/// The DESTA 2.02 base treaties by `base_treaty` number. Protocols, amendments,
/// negotiations and consolidated versions are not treaties of their own; withdrawals are
/// not read (the API counts withdrawn members as parties).
pub fn desta() -> BTreeMap<String, DestaTreaty> {
    let iso3 = iso3_by_numeric();
    let entries = csv_rows("desta_list_of_treaties_02_02.txt.gz");
    let members = |entry: &HashMap<String, String>| -> BTreeSet<String> {
        (1..=91)
            .filter_map(|i| entry.get(&format!("c{i}")))
            .filter_map(|code| iso3.get(code.trim().trim_start_matches('0')).cloned())
            .collect()
    };
    let mut treaties: BTreeMap<String, DestaTreaty> = entries
        .iter()
        .filter(|entry| entry["entry_type"] == "base_treaty")
        .map(|entry| {
            let treaty = DestaTreaty {
                typememb: entry["typememb"].trim().to_owned(),
                regioncon: entry["regioncon"].trim().to_owned(),
                year: entry["year"].trim().parse().ok(),
                members: members(entry),
            };
            (entry["base_treaty"].clone(), treaty)
        })
        .collect();
    for entry in entries.iter().filter(|entry| entry["entry_type"] == "accession") {
        if let Some(treaty) = treaties.get_mut(&entry["base_treaty"]) {
            treaty.members.extend(members(entry));
        }
    }
    treaties
}

/// Whether an agreement with these parties is South–South: at least two parties, all of
/// them M49 developing countries.
pub fn all_south(parties: &BTreeSet<String>, developing: &HashSet<String>) -> bool {
    parties.len() >= 2 && parties.iter().all(|party| developing.contains(party))
}

/// GCOF projects that the importer makes into Chinese teams, as AidData's codebook reads
/// them: recommended for research, and free-standing technical assistance or a medical
/// team named in the title.
pub fn gcof_teams() -> Vec<HashMap<String, String>> {
    gcof()
        .into_iter()
        .filter(|row| row["recommended_for_research"] == "True")
        .filter(|row| {
            let title = row["title"].to_lowercase();
            row["flow"] == "Free-standing technical assistance"
                || ["medical team", "medical aid team", "medical assistance team"].iter().any(|p| title.contains(p))
        })
        .collect()
}

/// The World Bank's historical income classification as its workbook publishes it: the
/// letter class (`L`, `LM`, `UM`, `H`, `..`) by ISO3 code and by the calendar year of the
/// income data it was set from (sheet "Country Analytical History").
pub fn income_history() -> HashMap<(String, i32), String> {
    use calamine::{Reader, Xlsx};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data/Historical_income_classification.xlsx.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("workbook")).read_to_end(&mut bytes).expect("gzip");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range("Country Analytical History").expect("sheet");
    let rows: Vec<Vec<String>> =
        range.rows().map(|row| row.iter().map(|c| c.to_string().trim().to_owned()).collect()).collect();
    let header =
        rows.iter().find(|row| row.get(1).map(String::as_str) == Some("Data for calendar year :")).expect("years");
    let years: Vec<(usize, i32)> =
        header.iter().enumerate().filter_map(|(i, y)| y.parse::<f64>().ok().map(|y| (i, y as i32))).collect();
    let mut classes = HashMap::new();
    for row in rows.iter().filter(|row| row.first().is_some_and(|code| code.len() == 3)) {
        for &(column, year) in &years {
            classes.insert((row[0].clone(), year), row.get(column).cloned().unwrap_or_default());
        }
    }
    classes
}

/// The rows of sheet "Data" of a bundled AidData China's Public Diplomacy workbook, as
/// header → cell text maps (numbers as calamine writes them: `5008`, `14015101.13`).
pub fn pubdip_rows(file: &str) -> Vec<HashMap<String, String>> {
    use calamine::{Reader, Xlsx};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data").join(file);
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("workbook")).read_to_end(&mut bytes).expect("gzip");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range("Data").expect("sheet Data");
    let mut rows = range.rows().map(|row| row.iter().map(|c| c.to_string().trim().to_owned()).collect::<Vec<_>>());
    let header = rows.next().expect("header");
    rows.map(|row| header.iter().cloned().zip(row).collect()).collect()
}

/// The country-year rows of China's Public Diplomacy (`ChinesePublicDiplomacy.xlsx`).
pub fn pubdip_country_years() -> Vec<HashMap<String, String>> {
    pubdip_rows("ChinesePublicDiplomacy.xlsx.gz")
}

/// The finance projects of China's Public Diplomacy
/// (`ChineseFinancialPublicDiplomacyProjectDetails.xlsx`).
pub fn pubdip_projects() -> Vec<HashMap<String, String>> {
    pubdip_rows("ChineseFinancialPublicDiplomacyProjectDetails.xlsx.gz")
}

/// The U.S. CPI-U annual averages (BLS series CUUR0000SA0), by year.
pub fn cpi() -> BTreeMap<i32, f64> {
    csv_rows("cpi-u-annual-average.csv.gz")
        .into_iter()
        .map(|row| (row["year"].parse().expect("year"), row["cpi_u_annual_average"].parse().expect("index")))
        .collect()
}
