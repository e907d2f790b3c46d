//! Figures computed straight from the bundled copies of the published files, by code
//! independent of the loaders, to compare the API's answers with.

use std::{collections::HashMap, io::Read, path::Path};

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

/// A number as published; blank (or a lone space) is none.
pub fn amount(value: &str) -> Option<f64> {
    let value = value.trim();
    if value.is_empty() { None } else { Some(value.parse().unwrap_or_else(|_| panic!("not a number: {value}"))) }
}
