//! The U.S. Consumer Price Index for All Urban Consumers (CPI-U), annual averages
//! (BLS series CUUR0000SA0, 1982–84 = 100), as `cpi-u-annual-average.csv`
//! (`year,cpi_u_annual_average`, the published annual-average rows).
//!
//! It gives every flow a real amount on one uniform basis ([`crate::store::real_amount`]):
//! current US dollars divided by the index of the flow's year, or, for a flow the source
//! gives in constant dollars only, its constant amount divided by the index of its base
//! year. The API multiplies by the index of the year a client asks for.
//!
//! Importing the series reprices, in the same transaction, the stored flows whose real
//! amount it changes, so the flows and the series never disagree.

use std::collections::BTreeSet;

use entity::price_index;

use crate::datasets::read_first;
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::store;
use crate::table::{CsvTable, Parsed};
use crate::text;

/// One year of the series.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct IndexRecord {
    pub year: i32,
    pub cpi_u: f64,
}

/// Parses the CSV: one row per year, an index above 0, no year twice.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<IndexRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let year = table.column("year")?;
    let cpi_u = table.column("cpi_u_annual_average")?;
    let mut parsed = Parsed::new();
    let mut seen = BTreeSet::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        let record = (|| {
            let value_year = row.year(year)?.ok_or_else(|| FieldError::new(row.line, year.name, "is blank"))?;
            let value = row.number(cpi_u)?.ok_or_else(|| FieldError::new(row.line, cpi_u.name, "is blank"))?;
            if !(value.is_finite() && value > 0.0) {
                return Err(row.invalid(cpi_u, row.raw(cpi_u), "an index above 0"));
            }
            if !seen.insert(value_year) {
                return Err(FieldError::new(row.line, year.name, format!("`{value_year}` appears twice")));
            }
            Ok(IndexRecord { year: value_year, cpi_u: value })
        })();
        match record {
            Ok(record) => parsed.records.push(record),
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<IndexRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Makes `price_index` the file's series and re-prices every flow.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let source_id = load.source_id;
    let rows = records
        .into_iter()
        .map(|record| price_index::Model { year: record.year, cpi_u: record.cpi_u, source_id })
        .collect();
    let existing = <price_index::Entity as sea_orm::EntityTrait>::find().all(load.txn).await?;
    store::replace_rows::<price_index::Entity, _>(load, "years", existing, rows, |row| row.year, true).await?;
    let repriced = store::reprice_flows(load.txn, &store::price_series(load.txn).await?).await?;
    if repriced > 0 {
        load.stale_totals = crate::totals::Stale::All;
        load.note(0, &format!("{repriced} flows repriced: the series changed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bundled_series() {
        let parsed = parse(&crate::bundle::US_CPI.bytes().unwrap()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.records.len(), 113);
        assert_eq!(parsed.records[0], IndexRecord { year: 1913, cpi_u: 9.9 });
        assert_eq!(parsed.records.last(), Some(&IndexRecord { year: 2025, cpi_u: 321.943 }));
    }

    #[test]
    fn a_bad_index_names_line_and_field() {
        let parsed = parse(b"year,cpi_u_annual_average\n2024,313.689\n2025,-1\n2024,1\n").unwrap();
        let errors: Vec<String> = parsed.errors.iter().map(|error| error.in_file("cpi.csv")).collect();
        assert_eq!(
            errors,
            [
                "cpi.csv line 3, field `cpi_u_annual_average`: `-1` is not an index above 0",
                "cpi.csv line 4, field `year`: `2024` appears twice",
            ]
        );
    }
}
