//! CSV files with a header row, read into rows that remember their line, and typed field
//! parsers whose errors name the line and the column.

use crate::error::{FieldError, ParseError};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The result of parsing a file: good records, rows with a bad field, and rows left out on
/// purpose (with why).
#[derive(Debug)]
pub(crate) struct Parsed<T> {
    /// Data rows in the file.
    pub rows_read: u64,
    /// Records that passed validation.
    pub records: Vec<T>,
    /// Rows with a bad field; the import fails on the first unless bad rows are skipped.
    pub errors: Vec<FieldError>,
    /// Rows left out on purpose, for the run report.
    pub left_out: Vec<LeftOut>,
}

/// The reason of rows that repeat an earlier row exactly.
pub(crate) const REPEATS: &str = "repeats an earlier row";

/// Rows a parse leaves out on purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LeftOut {
    /// The (first) row's line; 0 for rows all over the file.
    pub line: u64,
    /// How many rows.
    pub rows: u64,
    /// Why, the same words for every row it applies to.
    pub reason: &'static str,
    /// The report's message.
    pub message: String,
}

impl LeftOut {
    /// One row left out.
    pub(crate) fn row(line: u64, reason: &'static str, message: String) -> Self {
        Self { line, rows: 1, reason, message }
    }
}

impl<T> Parsed<T> {
    pub(crate) fn new() -> Self {
        Self { rows_read: 0, records: Vec::new(), errors: Vec::new(), left_out: Vec::new() }
    }
}

/// A CSV file read whole: the header's column positions and the data rows.
#[derive(Debug)]
pub(crate) struct CsvTable {
    columns: HashMap<String, usize>,
    /// Data rows in file order.
    pub rows: Vec<CsvRow>,
}

/// One data row and the line it starts on.
#[derive(Debug)]
pub(crate) struct CsvRow {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    fields: csv::StringRecord,
}

impl CsvTable {
    /// Reads comma-separated text with a header row; rows may span lines inside quotes.
    pub(crate) fn parse(text: &str) -> Result<Self, ParseError> {
        Self::read(text)
    }

    /// [`Self::parse`] for files that may hold comment lines starting with `#`: they are
    /// left out, and rows keep the line numbers of the whole file. A line that starts with
    /// `#` inside a quoted field spanning lines would be taken for a comment.
    pub(crate) fn parse_commented(text: &str) -> Result<Self, ParseError> {
        let mut kept_lines = Vec::new();
        let mut kept = String::with_capacity(text.len());
        for (index, line) in text.split_inclusive('\n').enumerate() {
            if !line.starts_with('#') {
                kept_lines.push(index as u64 + 1);
                kept.push_str(line);
            }
        }
        let mut table = Self::read(&kept)?;
        for row in &mut table.rows {
            let index = usize::try_from(row.line).unwrap_or(usize::MAX).saturating_sub(1);
            row.line = kept_lines.get(index).copied().unwrap_or(row.line);
        }
        Ok(table)
    }

    fn read(text: &str) -> Result<Self, ParseError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
        let header = reader.headers().map_err(|error| ParseError::File(format!("unreadable header: {error}")))?;
        let columns = header.iter().enumerate().map(|(index, name)| (name.trim().to_owned(), index)).collect();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    rows.push(CsvRow { line: record.position().map_or(0, csv::Position::line), fields: record.clone() })
                }
                Ok(false) => break,
                Err(error) => return Err(ParseError::File(format!("not valid CSV: {error}"))),
            }
        }
        Ok(Self { columns, rows })
    }

    /// A sheet's rows (row 1 the header, as [`crate::datasets::wb_class::read_sheet`] reads
    /// them) as a table whose rows keep the sheet's row numbers; blank rows are left out.
    pub(crate) fn from_rows(rows: &[Vec<String>]) -> Result<Self, ParseError> {
        let header = rows.first().ok_or_else(|| ParseError::File("the sheet is empty".to_owned()))?;
        let columns = header.iter().enumerate().map(|(index, name)| (name.trim().to_owned(), index)).collect();
        let rows = rows
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, cells)| cells.iter().any(|cell| !cell.trim().is_empty()))
            .map(|(index, cells)| CsvRow { line: index as u64 + 1, fields: csv::StringRecord::from(cells.clone()) })
            .collect();
        Ok(Self { columns, rows })
    }

    /// The position of a column whose name is built at run time (`c1` … `c91`).
    pub(crate) fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// The position of a column that only some releases or files have.
    pub(crate) fn optional_column(&self, name: &'static str) -> Option<Column> {
        self.columns.get(name).map(|index| Column { name, index: *index })
    }

    /// The position of a column the loader needs.
    pub(crate) fn column(&self, name: &'static str) -> Result<Column, ParseError> {
        self.columns
            .get(name)
            .map(|index| Column { name, index: *index })
            .ok_or_else(|| ParseError::File(format!("missing column `{name}`")))
    }
}

/// A column found in the header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    /// Its name, for error messages.
    pub name: &'static str,
    index: usize,
}

impl CsvRow {
    /// The raw text of a column.
    pub(crate) fn raw(&self, column: Column) -> &str {
        self.fields.get(column.index).unwrap_or("")
    }

    /// The trimmed text at a position, `None` when blank.
    pub(crate) fn text_at(&self, index: usize) -> Option<&str> {
        let value = self.fields.get(index).unwrap_or("").trim();
        (!value.is_empty()).then_some(value)
    }

    /// The trimmed text, `None` when blank (AidData writes a single space for "no value").
    pub(crate) fn text(&self, column: Column) -> Option<&str> {
        let value = self.raw(column).trim();
        (!value.is_empty()).then_some(value)
    }

    /// The trimmed text, which must not be blank.
    pub(crate) fn required(&self, column: Column) -> Result<&str, FieldError> {
        self.text(column).ok_or_else(|| FieldError::new(self.line, column.name, "is blank"))
    }

    /// A year (1000–2999), `None` when blank.
    pub(crate) fn year(&self, column: Column) -> Result<Option<i32>, FieldError> {
        self.text(column)
            .map(|value| parse_year(value).ok_or_else(|| self.invalid(column, value, "a year")))
            .transpose()
    }

    /// A finite number, `None` when blank.
    pub(crate) fn number(&self, column: Column) -> Result<Option<f64>, FieldError> {
        self.text(column)
            .map(|value| {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|number| number.is_finite())
                    .ok_or_else(|| self.invalid(column, value, "a number"))
            })
            .transpose()
    }

    /// An ISO date (`2010-06-11`, also with a time `2010-06-11T04:00:00` as spreadsheets
    /// write it: the day is kept), `None` when blank.
    pub(crate) fn date(&self, column: Column) -> Result<Option<NaiveDate>, FieldError> {
        self.text(column)
            .map(|value| {
                let day = match value.split_once('T') {
                    Some((day, time)) if chrono::NaiveTime::parse_from_str(time, "%H:%M:%S").is_ok() => day,
                    _ => value,
                };
                NaiveDate::parse_from_str(day, "%Y-%m-%d")
                    .map_err(|_| self.invalid(column, value, "an ISO date (YYYY-MM-DD)"))
            })
            .transpose()
    }

    /// `True`/`False` (also `true`, `1`, `0`), `None` when blank.
    pub(crate) fn boolean(&self, column: Column) -> Result<Option<bool>, FieldError> {
        self.text(column)
            .map(|value| match value {
                "True" | "TRUE" | "true" | "1" => Ok(true),
                "False" | "FALSE" | "false" | "0" => Ok(false),
                _ => Err(self.invalid(column, value, "True or False")),
            })
            .transpose()
    }

    /// The error for a value that is not what the column holds.
    pub(crate) fn invalid(&self, column: Column, value: &str, expected: &str) -> FieldError {
        FieldError::new(self.line, column.name, format!("`{value}` is not {expected}"))
    }
}

/// A year between 1000 and 2999 written with four digits.
pub(crate) fn parse_year(value: &str) -> Option<i32> {
    (value.len() == 4 && value.bytes().all(|byte| byte.is_ascii_digit()))
        .then(|| value.parse::<i32>().ok())
        .flatten()
        .filter(|year| (1000..3000).contains(year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_know_their_line_even_across_quoted_newlines() {
        let table = CsvTable::parse("a,b\n1,\"x\ny\"\n2,z\n").unwrap();
        assert_eq!(table.rows[0].line, 2);
        assert_eq!(table.rows[1].line, 4);
    }

    #[test]
    fn blank_or_space_is_none_and_bad_numbers_name_the_field() {
        let table = CsvTable::parse("year,usd_defl_2014\n19x8, \n").unwrap();
        let year = table.column("year").unwrap();
        let amount = table.column("usd_defl_2014").unwrap();
        let row = &table.rows[0];
        assert_eq!(row.number(amount), Ok(None));
        let error = row.year(year).unwrap_err();
        assert_eq!(error.in_file("f.csv"), "f.csv line 2, field `year`: `19x8` is not a year");
    }

    #[test]
    fn sheet_rows_keep_their_row_numbers_and_dates_keep_their_day() {
        let rows: Vec<Vec<String>> = [vec!["id", "start"], vec!["", ""], vec!["7", "2000-08-09T04:00:00"]]
            .iter()
            .map(|row| row.iter().map(|cell| (*cell).to_owned()).collect())
            .collect();
        let table = CsvTable::from_rows(&rows).unwrap();
        let [row] = table.rows.as_slice() else { panic!("{:?}", table.rows) };
        assert_eq!(row.line, 3);
        assert_eq!(row.date(table.column("start").unwrap()), Ok(NaiveDate::from_ymd_opt(2000, 8, 9)));
        assert!(row.date(table.column("id").unwrap()).is_err());
    }

    #[test]
    fn comment_lines_are_skipped_and_still_counted() {
        let table = CsvTable::parse_commented("# note\na,b\n# another\n1,2\n").unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].line, 4);
    }

    #[test]
    fn a_missing_column_is_a_file_error() {
        let table = CsvTable::parse("a\n1\n").unwrap();
        assert!(matches!(table.column("b"), Err(ParseError::File(_))));
    }
}
