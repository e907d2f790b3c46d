//! World Bank CLASS (July 2022, FY2023), sheet "List of economies": `country.wb_region`,
//! `income_group` and `lending_category`.
//!
//! - Countries are matched by the sheet's `Code` (World Bank codes are ISO 3166 alpha-3
//!   except for a few: `XKX` Kosovo and `CHI` Channel Islands match no country row and are
//!   reported, with their line, as skipped);
//! - rows without a region are the World Bank's aggregates (`WLD`, `LIC`, `SSF` …), not
//!   economies: left out with one message giving their count;
//! - values are stored as the sheet writes them (`Sub-Saharan Africa`, `Lower middle
//!   income`, `IDA`); a blank income group (Venezuela, unclassified in July 2022) or lending
//!   category (high-income economies) is stored as none;
//! - only these three columns of matched countries change; countries the sheet does not
//!   list keep what they had. The rows keep `country-codes` as their source: the World Bank
//!   values are attributed to the `wb-class-fy2023` source row (and its import runs).

use crate::datasets::{countries, read_first};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::sync::upsert;
use crate::table::Parsed;
use crate::{Dataset, SkipKind};
use calamine::{Data, Reader, Xlsx};
use entity::country;
use sea_orm::EntityTrait;
use std::collections::HashMap;
use std::io::Cursor;

/// The sheet read.
pub const SHEET: &str = "List of economies";

/// The income groups of the sheet.
pub const INCOME_GROUPS: &[&str] = &["Low income", "Lower middle income", "Upper middle income", "High income"];

/// The lending categories of the sheet.
pub const LENDING_CATEGORIES: &[&str] = &["IDA", "IBRD", "Blend"];

/// One economy of the sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EconomyRecord {
    pub line: u64,
    pub code: String,
    pub economy: String,
    pub region: String,
    pub income_group: Option<String>,
    pub lending_category: Option<String>,
}

/// What the sheet holds: economies, and the number of aggregate rows left out.
#[derive(Debug)]
pub(crate) struct Sheet {
    pub parsed: Parsed<EconomyRecord>,
    pub aggregates: u64,
}

/// Reads the sheet's rows as text (row 1 is the header).
pub(crate) fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ParseError> {
    read_sheet(bytes, SHEET)
}

/// Reads a sheet of a workbook as rows of text, row 1 first (cells as the workbook last
/// computed them).
pub(crate) fn read_sheet(bytes: &[u8], sheet: &str) -> Result<Vec<Vec<String>>, ParseError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|error| ParseError::File(format!("not xlsx: {error}")))?;
    let range =
        workbook.worksheet_range(sheet).map_err(|error| ParseError::File(format!("no sheet `{sheet}`: {error}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = (0..first_row).map(|_| Vec::new()).collect();
    rows.extend(range.rows().map(|row| row.iter().map(cell_text).collect()));
    Ok(rows)
}

/// A cell as text; dates and times as ISO 8601 (`2000-08-09T04:00:00`).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::DateTime(moment) => moment
            .as_datetime()
            .map_or_else(|| moment.to_string(), |moment| moment.format("%Y-%m-%dT%H:%M:%S").to_string()),
        other => other.to_string().trim().to_owned(),
    }
}

/// Parses rows of text (pure; [`read_rows`] reads them from the xlsx).
pub(crate) fn parse_rows(rows: &[Vec<String>]) -> Result<Sheet, ParseError> {
    let header = rows.first().ok_or_else(|| ParseError::File(format!("sheet `{SHEET}` is empty")))?;
    let column = |name: &'static str| {
        header
            .iter()
            .position(|cell| cell == name)
            .ok_or_else(|| ParseError::File(format!("sheet `{SHEET}`: missing column `{name}`")))
    };
    let (economy, code, region, income, lending) =
        (column("Economy")?, column("Code")?, column("Region")?, column("Income group")?, column("Lending category")?);
    let mut parsed = Parsed::new();
    let mut aggregates = 0;
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let line = index as u64 + 1;
        let cell = |position: usize| row.get(position).map(String::as_str).unwrap_or("").trim();
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        parsed.rows_read += 1;
        let value = |position: usize| Some(cell(position).to_owned()).filter(|text| !text.is_empty());
        let record = EconomyRecord {
            line,
            code: cell(code).to_owned(),
            economy: cell(economy).to_owned(),
            region: cell(region).to_owned(),
            income_group: value(income),
            lending_category: value(lending),
        };
        if record.region.is_empty() {
            aggregates += 1;
            continue;
        }
        if record.code.len() != 3 || !record.code.bytes().all(|byte| byte.is_ascii_uppercase()) {
            parsed.errors.push(FieldError::new(line, "Code", format!("`{}` is not a 3-letter code", record.code)));
            continue;
        }
        if let Some(group) = record.income_group.as_deref().filter(|group| !INCOME_GROUPS.contains(group)) {
            parsed.errors.push(FieldError::new(
                line,
                "Income group",
                format!("`{group}` is not a World Bank income group"),
            ));
            continue;
        }
        if let Some(category) =
            record.lending_category.as_deref().filter(|category| !LENDING_CATEGORIES.contains(category))
        {
            parsed.errors.push(FieldError::new(
                line,
                "Lending category",
                format!("`{category}` is not IDA, IBRD or Blend"),
            ));
            continue;
        }
        if let Some(first) = seen.insert(record.code.clone(), line) {
            parsed.errors.push(FieldError::new(line, "Code", format!("`{}` already on line {first}", record.code)));
            continue;
        }
        parsed.records.push(record);
    }
    Ok(Sheet { parsed, aggregates })
}

/// The sheet, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Sheet, ImportError>;

/// Reads and parses the sheet.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, |bytes| read_rows(bytes).and_then(|rows| parse_rows(&rows)))
}

/// Validates the sheet and updates the countries it lists.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let sheet = read?;
    let records = load.accept(sheet.parsed)?;
    if sheet.aggregates > 0 {
        load.skip_many(
            SkipKind::ByDesign,
            sheet.aggregates,
            0,
            "aggregate, not an economy",
            &format!("{} aggregate rows (no region: WLD, LIC, SSF …) are not economies: left out", sheet.aggregates),
        );
    }
    let resolver = countries(load, Dataset::WbClass).await?;
    let existing = country::Entity::find().all(load.txn).await?;
    let mut rows: HashMap<i32, country::Model> = existing.iter().map(|row| (row.id, row.clone())).collect();
    for record in &records {
        let Some(row) = resolver.iso3(&record.code).and_then(|id| rows.get_mut(&id)) else {
            load.skip(
                SkipKind::Error,
                record.line,
                "code matches no country",
                &format!("Code `{}` ({}) matches no country: not imported", record.code, record.economy),
            );
            continue;
        };
        row.wb_region = Some(record.region.clone());
        row.income_group = record.income_group.clone();
        row.lending_category = record.lending_category.clone();
    }
    let rows: Vec<country::Model> = rows.into_values().collect();
    let tally =
        upsert::<country::Entity, _, _>(load.txn, existing, rows, |row| row.iso3.clone(), Some(country::Column::Id))
            .await?;
    load.count(tally);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells.iter().map(|row| row.iter().map(|cell| (*cell).to_owned()).collect()).collect()
    }

    /// Real rows of CLASS.xlsx: the header, Kenya, Aruba (high income: no lending category),
    /// Kosovo (`XKX`), Venezuela (no income group in July 2022), a blank row and two
    /// aggregates.
    fn excerpt() -> Vec<Vec<String>> {
        rows(&[
            &["Economy", "Code", "Region", "Income group", "Lending category", "Other (EMU or HIPC)"],
            &["Kenya", "KEN", "Sub-Saharan Africa", "Lower middle income", "Blend", ""],
            &["Aruba", "ABW", "Latin America & Caribbean", "High income", "", ""],
            &["Kosovo", "XKX", "Europe & Central Asia", "Upper middle income", "IDA", ""],
            &["Venezuela, RB", "VEN", "Latin America & Caribbean", "", "IBRD", ""],
            &[],
            &["Arab World", "ARB"],
            &["World", "WLD", "", "", "", ""],
        ])
    }

    #[test]
    fn economies_and_aggregates() {
        let sheet = parse_rows(&excerpt()).unwrap();
        assert!(sheet.parsed.errors.is_empty(), "{:?}", sheet.parsed.errors);
        assert_eq!(sheet.aggregates, 2);
        assert_eq!(sheet.parsed.rows_read, 6);
        let kenya = &sheet.parsed.records[0];
        assert_eq!(
            (kenya.line, kenya.region.as_str(), kenya.income_group.as_deref(), kenya.lending_category.as_deref()),
            (2, "Sub-Saharan Africa", Some("Lower middle income"), Some("Blend"))
        );
        assert_eq!(sheet.parsed.records[1].lending_category, None);
        assert_eq!(sheet.parsed.records[3].income_group, None);
    }

    #[test]
    fn an_unknown_income_group_names_line_and_field() {
        let mut broken = excerpt();
        broken[2][3] = "Rich".to_owned();
        let sheet = parse_rows(&broken).unwrap();
        assert_eq!(
            sheet.parsed.errors[0].in_file("CLASS.xlsx"),
            "CLASS.xlsx line 3, field `Income group`: `Rich` is not a World Bank income group"
        );
    }

    #[test]
    fn the_bundled_workbook_is_read() {
        let bytes = crate::bundle::WB_CLASS.bytes().unwrap();
        let rows = read_rows(&bytes).unwrap();
        assert_eq!(rows[0][..5], ["Economy", "Code", "Region", "Income group", "Lending category"]);
        let sheet = parse_rows(&rows).unwrap();
        assert!(sheet.parsed.errors.is_empty(), "{:?}", sheet.parsed.errors);
        assert!(sheet.parsed.records.len() > 200);
    }
}
