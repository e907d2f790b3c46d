//! The World Bank's historical income classification, year by year: `country_income_group`.
//!
//! - `Historical_income_classification.xlsx` (OGHIST), sheet "Country Analytical History":
//!   one row per economy (`A` its code, `B` its name), one column per fiscal year FY89 …
//!   FY23, headed by the calendar year of the income data (`Data for calendar year :`,
//!   1987 … 2021); cells `L`, `LM`, `UM`, `H`, or `..` where the economy was not classified
//!   (skipped, no row). `LM*` is Yemen's FY89–FY90 class, starred because the two Yemens of
//!   the time were classed apart (the sheet's footnote): read as `LM`.
//! - `owid-world-bank-income-groups.csv` (Our World in Data's series of the same
//!   classification, keyed by the data year like the sheet's columns, and equal to it
//!   wherever both have a class): only its years after the sheet's last (2022 and 2023, that
//!   is FY24 and FY25) are imported, with their own `source`; its `OWID_…` aggregates of
//!   former states are not countries and are left out.
//! - A class is stored under the calendar year on whose 1 July it took effect: the fiscal
//!   year FY`n` starts on 1 July `n - 1` and is set from income data of `n - 2`, so
//!   `year` = data year + 1 (FY89, from 1987 data, is 1988's class).
//! - Economies are matched by code through the resolver; former states (`SUN`, `YUGf`,
//!   `CSK` …) and `XKX` match no country and are reported.

use crate::datasets::wb_class::read_sheet;
use crate::datasets::{Part, countries, read_part};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::source::{self, OWID_INCOME_GROUPS};
use crate::store;
use crate::table::{CsvTable, LeftOut, Parsed};
use crate::text;
use crate::{Dataset, SkipKind};
use entity::country_income_group;
use sea_orm::EntityTrait;
use std::collections::BTreeMap;

/// The sheet read.
pub const SHEET: &str = "Country Analytical History";

/// The sheet's label of the row of data years.
const DATA_YEARS: &str = "Data for calendar year :";

/// One country-year as a file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClassRecord {
    pub line: u64,
    pub code: String,
    pub economy: String,
    /// The calendar year of the income data the class was set from.
    pub data_year: i32,
    /// `Low income` … `High income`, as CLASS names them.
    pub income_group: &'static str,
}

/// The income group a sheet's letter code stands for.
fn group_of_letter(letter: &str) -> Option<&'static str> {
    Some(match letter.trim_end_matches('*') {
        "L" => "Low income",
        "LM" => "Lower middle income",
        "UM" => "Upper middle income",
        "H" => "High income",
        _ => return None,
    })
}

/// The income group an OWID label stands for.
fn group_of_owid_label(label: &str) -> Option<&'static str> {
    Some(match label {
        "Low-income countries" => "Low income",
        "Lower-middle-income countries" => "Lower middle income",
        "Upper-middle-income countries" => "Upper middle income",
        "High-income countries" => "High income",
        _ => return None,
    })
}

/// A cell's text, trimmed ("" past the row's end).
fn cell(row: &[String], position: usize) -> &str {
    row.get(position).map_or("", |text| text.trim())
}

/// Parses the sheet's rows (pure; [`read_sheet`] reads them from the xlsx).
pub(crate) fn parse_sheet(rows: &[Vec<String>]) -> Result<Parsed<ClassRecord>, ParseError> {
    let header = rows
        .iter()
        .position(|row| cell(row, 1) == DATA_YEARS)
        .ok_or_else(|| ParseError::File(format!("sheet `{SHEET}`: no row `{DATA_YEARS}`")))?;
    let years: Vec<(usize, i32)> = rows[header]
        .iter()
        .enumerate()
        .skip(2)
        .filter_map(|(position, text)| {
            let year = text.trim().parse::<f64>().ok()?;
            (year.fract() == 0.0 && (1900.0..=2100.0).contains(&year)).then_some((position, year as i32))
        })
        .collect();
    if years.is_empty() {
        return Err(ParseError::File(format!("sheet `{SHEET}`: no data years in row {}", header + 1)));
    }
    let mut parsed = Parsed::new();
    for (index, row) in rows.iter().enumerate().skip(header + 1) {
        let line = index as u64 + 1;
        let code = cell(row, 0);
        if code.is_empty() {
            continue;
        }
        parsed.rows_read += 1;
        for &(position, data_year) in &years {
            match cell(row, position) {
                "" | ".." => {}
                letter => match group_of_letter(letter) {
                    Some(income_group) => parsed.records.push(ClassRecord {
                        line,
                        code: code.to_owned(),
                        economy: cell(row, 1).to_owned(),
                        data_year,
                        income_group,
                    }),
                    None => parsed.errors.push(FieldError::new(
                        line,
                        format!("data year {data_year}"),
                        format!("`{letter}` is not L, LM, UM, H or .."),
                    )),
                },
            }
        }
    }
    Ok(parsed)
}

/// Parses the OWID series, keeping the years after `last_year` of countries (ISO codes).
pub(crate) fn parse_owid(bytes: &[u8], last_year: i32) -> Result<Parsed<ClassRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let (entity, code, year, class) =
        (table.column("Entity")?, table.column("Code")?, table.column("Year")?, table.column("classification")?);
    let mut parsed = Parsed::new();
    let mut aggregates: u64 = 0;
    let mut covered: u64 = 0;
    for row in &table.rows {
        parsed.rows_read += 1;
        let record = (|| -> Result<Option<ClassRecord>, FieldError> {
            let data_year = row.year(year)?.ok_or_else(|| row.invalid(year, "", "a year"))?;
            let label = row.required(class)?;
            let income_group =
                group_of_owid_label(label).ok_or_else(|| row.invalid(class, label, "a World Bank income group"))?;
            let iso3 = row.required(code)?;
            if iso3.starts_with("OWID_") {
                aggregates += 1;
                return Ok(None);
            }
            if data_year <= last_year {
                covered += 1;
                return Ok(None);
            }
            Ok(Some(ClassRecord {
                line: row.line,
                code: iso3.to_owned(),
                economy: row.raw(entity).trim().to_owned(),
                data_year,
                income_group,
            }))
        })();
        match record {
            Ok(Some(record)) => parsed.records.push(record),
            Ok(None) => {}
            Err(error) => parsed.errors.push(error),
        }
    }
    if covered > 0 {
        parsed.left_out.push(LeftOut {
            line: 0,
            rows: covered,
            reason: "year the World Bank's workbook covers",
            message: format!(
                "{covered} rows of years up to {last_year}, which the World Bank's workbook gives: left out"
            ),
        });
    }
    if aggregates > 0 {
        parsed.left_out.push(LeftOut {
            line: 0,
            rows: aggregates,
            reason: "OWID aggregate, not a country",
            message: format!("{aggregates} rows of OWID aggregates (OWID_CIS, OWID_KOS …) are not countries"),
        });
    }
    Ok(parsed)
}

/// Both files, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Files, ImportError>;

/// Both files, parsed.
pub(crate) struct Files {
    /// The workbook's sheet.
    sheet: Part<Parsed<ClassRecord>>,
    /// OWID's series from the year after the sheet's last, and the file's SHA-256.
    owid: Part<(Parsed<ClassRecord>, String)>,
}

/// Parses both files: OWID's series from the year after the sheet's last (none when the
/// sheet cannot be read).
pub(crate) fn read(input: &Input) -> Read {
    let [(sheet_name, sheet_bytes), (owid_name, owid_bytes)] = input.parts.as_slice() else {
        return Err(ImportError::from_parse(
            &input.file,
            ParseError::File("needs the OGHIST workbook and OWID's series".to_owned()),
        ));
    };
    let sheet =
        read_part(sheet_name, sheet_bytes, |bytes| read_sheet(bytes, SHEET).and_then(|rows| parse_sheet(&rows)));
    let last_year =
        sheet.1.as_ref().map_or(0, |sheet| sheet.records.iter().map(|record| record.data_year).max().unwrap_or(0));
    let owid = read_part(owid_name, owid_bytes, |bytes| {
        parse_owid(bytes, last_year).map(|owid| (owid, source::sha256_hex(bytes)))
    });
    Ok(Files { sheet, owid })
}

/// Validates both files and makes `country_income_group` equal what they say.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let Files { sheet: (sheet_name, sheet), owid: (owid_name, owid) } = read?;
    let sheet = load.accept_part(&sheet_name, sheet?)?;
    let (owid, owid_checksum) = owid?;
    let owid = load.accept_part(&owid_name, owid)?;
    let resolver = countries(load, Dataset::WbIncomeHistory).await?;
    let owid_source =
        source::upsert_source(load.txn, &(&OWID_INCOME_GROUPS).into(), &owid_checksum, load.started_at).await?;

    let mut rows: BTreeMap<(i32, i32), country_income_group::Model> = BTreeMap::new();
    let mut unmatched: BTreeMap<(&str, &str), (&str, u64)> = BTreeMap::new();
    for (file, source_id, records) in [(&sheet_name, load.source_id, &sheet), (&owid_name, owid_source, &owid)] {
        for record in records {
            let Some(country_id) = resolver.iso3(&record.code) else {
                unmatched.entry((file, &record.code)).or_insert((&record.economy, record.line));
                continue;
            };
            let year = record.data_year + 1;
            let income_group = record.income_group.to_owned();
            rows.insert((country_id, year), country_income_group::Model { country_id, year, income_group, source_id });
        }
    }
    for ((file, code), (economy, line)) in unmatched {
        let message = format!("code `{code}` ({economy}) matches no country: its classes are not imported");
        load.skip_in(SkipKind::Error, file, line, "code matches no country", &message);
    }
    let existing = country_income_group::Entity::find().all(load.txn).await?;
    let rows = rows.into_values().collect();
    let key = |row: &country_income_group::Model| (row.country_id, row.year);
    store::replace_rows::<country_income_group::Entity, _>(load, "country-years", existing, rows, key, true).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells.iter().map(|row| row.iter().map(|cell| (*cell).to_owned()).collect()).collect()
    }

    /// Real rows of the sheet: the fiscal and data years, Afghanistan, Albania (`..` before
    /// FY92) and Yemen (`LM*`), cut to three years.
    #[test]
    fn reads_classes_by_data_year() {
        let sheet = rows(&[
            &["", "Bank's fiscal year:", "FY89", "FY90", "FY91"],
            &["", "Data for calendar year :", "1987", "1988", "1989"],
            &["", "Low income (L)", "<= 480", "<= 545", "<= 580"],
            &["AFG", "Afghanistan", "L", "L", "L"],
            &["ALB", "Albania", "..", "..", ".."],
            &["YEM", "Yemen, Rep.", "LM*", "LM*", "L"],
        ]);
        let parsed = parse_sheet(&sheet).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.rows_read, 3);
        let yemen: Vec<_> =
            parsed.records.iter().filter(|r| r.code == "YEM").map(|r| (r.data_year, r.income_group, r.line)).collect();
        assert_eq!(
            yemen,
            [(1987, "Lower middle income", 6), (1988, "Lower middle income", 6), (1989, "Low income", 6)]
        );
        assert!(parsed.records.iter().all(|r| r.code != "ALB"));
    }

    #[test]
    fn a_bad_class_names_line_and_year() {
        let sheet = rows(&[&["", "Data for calendar year :", "1987"], &["AFG", "Afghanistan", "Poor"]]);
        let parsed = parse_sheet(&sheet).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("h.xlsx"),
            "h.xlsx line 2, field `data year 1987`: `Poor` is not L, LM, UM, H or .."
        );
    }

    #[test]
    fn owid_adds_only_later_years_of_countries() {
        let csv = "Entity,Code,Year,classification\n\
Afghanistan,AFG,2021,Low-income countries\n\
Afghanistan,AFG,2022,Low-income countries\n\
Kosovo,OWID_KOS,2022,Upper-middle-income countries\n";
        let parsed = parse_owid(csv.as_bytes(), 2021).unwrap();
        let kept: Vec<_> = parsed.records.iter().map(|r| (r.code.as_str(), r.data_year, r.line)).collect();
        assert_eq!(kept, [("AFG", 2022, 3)]);
        assert_eq!(parsed.left_out.len(), 2);
    }
}
