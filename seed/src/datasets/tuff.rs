//! AidData's TUFF donor datasets (Level 1, v1.0) for Qatar and Saudi Arabia: one flow per
//! project, in the GCOF column family. Each file is its own dataset and source
//! (`aiddata-tuff-qatar-1.0`, `aiddata-tuff-saudi-arabia-1.0`), imported in its own
//! transaction.
//!
//! The files are Windows-1252 with old-Mac CR line endings (normalised before parsing, so
//! line numbers are right). Flows (natural key: source + `project_id`):
//! - provider: the `donor` name through the resolver (Qatar, Saudi Arabia);
//! - recipient: `recipient_iso3` when it holds one code, or the same code repeated
//!   (`SDN; SDN`); several different codes (`EGY; IRQ; DZA; TUN`) give no recipient and
//!   `recipient_label` = `recipient_condensed`, as the file writes it;
//! - kind from `flow` ([`flow_kind`]): AidData's GCOF labels plus `Monetary Grant (excluding
//!   debt forgiveness)`, `In-kind Grant (Goods or Services)`, `Grant (Vague)` → GRANT;
//!   `Joint venture with recipient`, `Foreign direct investment` → EQUITY; `Vague-TBD` and a
//!   blank `flow` → UNSPECIFIED; `flow_type` = `flow`, `flow_class` = `flow_class`;
//! - amounts: `amount_usd_current` = `usd_current` where the file has that column (Saudi
//!   Arabia's: 59 rows in SAR, PKR, EGP and JOD hold US$2,105,923,139 there). The Qatar
//!   file has none: there it is `amount` only where `currency` is `USD` (other currencies
//!   are left empty: the files' `exchange_rates_used` run in both directions, QAR 3.65
//!   divides and SAR 0.27 multiplies, so they are not applied); `amount_usd_constant` = `usd_defl` with
//!   `constant_base_year` 2012 (the `deflators_used` of 2012 rows are 1 in both files);
//!   amounts are written with thousands separators (`1,000,000,000`);
//! - sector by `crs_sector_code` (3-digit DAC category or group row);
//! - dates `28-Jan-10` (day-month-two-digit-year): actual, else planned.
//!
//! The Qatar file lists project 33767 twice, identical: the repeat is skipped and reported.
//! `contacts` (names of officials) is never read.

use crate::datasets::{aiddata_flow_kind, countries, read_first};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::store;
use crate::table::{Column, CsvRow, CsvTable, LeftOut, Parsed, REPEATS};
use crate::text;
use crate::{Dataset, SkipKind};
use chrono::NaiveDate;
use entity::FlowKind;
use std::collections::HashMap;

/// The base year of `usd_defl`.
pub const CONSTANT_BASE_YEAR: i32 = 2012;

/// One project as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TuffRecord {
    pub line: u64,
    pub project_id: String,
    pub donor: String,
    pub year: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub flow: Option<String>,
    pub kind: FlowKind,
    pub flow_class: Option<String>,
    pub usd_current: Option<f64>,
    pub usd_constant: Option<f64>,
    pub sector_code: Option<String>,
    pub recipient_codes: Vec<String>,
    pub recipient_condensed: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

/// The common kind of a TUFF `flow` label (module docs); `None` for an unknown label.
pub(crate) fn flow_kind(flow: Option<&str>) -> Option<FlowKind> {
    let Some(flow) = flow else { return Some(FlowKind::Unspecified) };
    aiddata_flow_kind(flow).or(match flow {
        "Monetary Grant (excluding debt forgiveness)" | "In-kind Grant (Goods or Services)" | "Grant (Vague)" => {
            Some(FlowKind::Grant)
        }
        "Joint venture with recipient" | "Foreign direct investment" => Some(FlowKind::Equity),
        "Vague-TBD" => Some(FlowKind::Unspecified),
        _ => None,
    })
}

struct Columns {
    project_id: Column,
    donor: Column,
    year: Column,
    title: Column,
    description: Column,
    status: Column,
    flow: Column,
    flow_class: Column,
    amount: Column,
    currency: Column,
    usd_defl: Column,
    usd_current: Option<Column>,
    sector_code: Column,
    recipient_iso3: Column,
    recipient_condensed: Column,
    start_actual: Column,
    start_planned: Column,
    end_actual: Column,
    end_planned: Column,
}

/// Parses a TUFF file (Windows-1252, any line endings).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<TuffRecord>, ParseError> {
    let text = text::decode_windows_1252(bytes);
    let table = CsvTable::parse(&text)?;
    let columns = Columns {
        project_id: table.column("project_id")?,
        donor: table.column("donor")?,
        year: table.column("year")?,
        title: table.column("title")?,
        description: table.column("description")?,
        status: table.column("status")?,
        flow: table.column("flow")?,
        flow_class: table.column("flow_class")?,
        amount: table.column("amount")?,
        currency: table.column("currency")?,
        usd_defl: table.column("usd_defl")?,
        usd_current: table.optional_column("usd_current"),
        sector_code: table.column("crs_sector_code")?,
        recipient_iso3: table.column("recipient_iso3")?,
        recipient_condensed: table.column("recipient_condensed")?,
        start_actual: table.column("start_actual")?,
        start_planned: table.column("start_planned")?,
        end_actual: table.column("end_actual")?,
        end_planned: table.column("end_planned")?,
    };
    let mut parsed = Parsed::new();
    let mut seen: HashMap<String, (u64, TuffRecord)> = HashMap::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        match parse_row(row, &columns) {
            Ok(record) => match seen.get(&record.project_id) {
                Some((first, earlier)) if *earlier == TuffRecord { line: *first, ..record.clone() } => {
                    parsed.left_out.push(LeftOut::row(
                        row.line,
                        REPEATS,
                        format!("repeats line {first} (project_id `{}`)", record.project_id),
                    ))
                }
                Some((first, _)) => parsed.errors.push(FieldError::new(
                    row.line,
                    "project_id",
                    format!("`{}` already on line {first}", record.project_id),
                )),
                None => {
                    seen.insert(record.project_id.clone(), (row.line, record.clone()));
                    parsed.records.push(record);
                }
            },
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

fn parse_row(row: &CsvRow, columns: &Columns) -> Result<TuffRecord, FieldError> {
    let flow = row.text(columns.flow);
    let kind =
        flow_kind(flow).ok_or_else(|| row.invalid(columns.flow, flow.unwrap_or(""), "a known AidData flow type"))?;
    let sector_code = row.text(columns.sector_code);
    if let Some(code) = sector_code.filter(|code| code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit())) {
        return Err(row.invalid(columns.sector_code, code, "a 3-digit DAC code"));
    }
    let amount = separated_number(row, columns.amount)?;
    let currency = row.text(columns.currency);
    let mut recipient_codes: Vec<String> = row
        .raw(columns.recipient_iso3)
        .split(';')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .collect();
    recipient_codes.dedup();
    let text = |column| row.text(column).map(str::to_owned);
    Ok(TuffRecord {
        line: row.line,
        project_id: row.required(columns.project_id)?.to_owned(),
        donor: row.required(columns.donor)?.to_owned(),
        year: row.year(columns.year)?,
        title: text(columns.title),
        description: text(columns.description),
        status: text(columns.status),
        flow: flow.map(str::to_owned),
        kind,
        flow_class: text(columns.flow_class),
        usd_current: match columns.usd_current {
            Some(column) => separated_number(row, column)?,
            None => amount.filter(|_| currency == Some("USD")),
        },
        usd_constant: separated_number(row, columns.usd_defl)?,
        sector_code: sector_code.map(str::to_owned),
        recipient_codes,
        recipient_condensed: text(columns.recipient_condensed),
        start_on: short_date(row, columns.start_actual)?.or(short_date(row, columns.start_planned)?),
        end_on: short_date(row, columns.end_actual)?.or(short_date(row, columns.end_planned)?),
    })
}

/// A number written with thousands separators (`1,052,631,579`), `None` when blank.
fn separated_number(row: &CsvRow, column: Column) -> Result<Option<f64>, FieldError> {
    row.text(column)
        .map(|value| {
            value
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .ok_or_else(|| row.invalid(column, value, "a number"))
        })
        .transpose()
}

/// A date written `28-Jan-10`, `None` when blank.
fn short_date(row: &CsvRow, column: Column) -> Result<Option<NaiveDate>, FieldError> {
    row.text(column)
        .map(|value| {
            NaiveDate::parse_from_str(value, "%d-%b-%y")
                .map_err(|_| row.invalid(column, value, "a date like 28-Jan-10"))
        })
        .transpose()
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<TuffRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts the flows of one TUFF file.
pub(crate) async fn import(load: &mut Load<'_>, read: Read, dataset: Dataset) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let resolver = countries(load, dataset).await?;
    let sector_ids = store::sector_ids(load.txn).await?;
    let mut flows = Vec::with_capacity(records.len());
    for record in records {
        let Some(provider_id) = resolver.name(&record.donor) else {
            load.skip(
                SkipKind::Error,
                record.line,
                "donor matches no country",
                &format!("donor `{}` matches no country: row skipped", record.donor),
            );
            continue;
        };
        let (recipient_id, recipient_label) = match record.recipient_codes.as_slice() {
            [code] => match resolver.iso3(code) {
                Some(id) => (Some(id), None),
                None => {
                    load.skip(
                        SkipKind::Error,
                        record.line,
                        "recipient_iso3 matches no country",
                        &format!("recipient_iso3 `{code}` matches no country: row skipped"),
                    );
                    continue;
                }
            },
            _ => (None, record.recipient_condensed.clone()),
        };
        let sector_id = record.sector_code.as_deref().and_then(|code| {
            let id = sector_ids.get(code).copied();
            if id.is_none() && !sector_ids.is_empty() {
                load.note(record.line, &format!("crs_sector_code `{code}` is not a DAC sector: no sector"));
            }
            id
        });
        let mut row = store::flow_row(load.source_id, record.project_id, provider_id, record.kind);
        row.recipient_id = recipient_id;
        row.recipient_label = recipient_label;
        row.year = record.year;
        row.flow_type = record.flow;
        row.flow_class = record.flow_class;
        row.amount_usd_current = record.usd_current;
        row.constant_base_year = record.usd_constant.map(|_| CONSTANT_BASE_YEAR);
        row.amount_usd_constant = record.usd_constant;
        row.sector_id = sector_id;
        row.title = record.title;
        row.description = record.description;
        row.status = record.status;
        row.start_on = record.start_on;
        row.end_on = record.end_on;
        flows.push(row);
    }
    if sector_ids.is_empty() {
        load.note(0, "no DAC sectors imported yet: flows get no sector (import `sectors` first)");
    }
    store::flows(load, flows).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real rows of both files, trimmed to the columns read (descriptions cut around their
    /// first non-ASCII character), as the files' Windows-1252 bytes with CR-only line
    /// endings: Saudi 32473 (bytes 0x92 0xA9 in the description, no amount), 33950 (a SAR
    /// amount: no current USD; dates like `12-Mar-12`), 32278 (a USD amount with separators,
    /// recipient `PAK; PAK`) and Qatar 33291 (blank `flow`).
    const EXCERPT: &[u8] = b"project_id,donor,title,year,description,crs_sector_code,status,flow,flow_class,amount,currency,usd_defl,start_actual,start_planned,end_actual,end_planned,recipient_condensed,recipient_iso3\r\
32473,Saudi Arabia,Dates and Milk to Children in Pakistan,2010,\" to Pakistan Abdulaziz Al-Ghadeer, Assistant Military Attach\x92\xa9 in Pakistan Col. \",700,Pipeline: Pledge,Grant,ORA-2,,,,,,,,Pakistan,PAK\r\
33950,Saudi Arabia,Saudi Arabia Gives 225 million SR for Water Supply,2012,\"In March 12, 2012 th\",140,Pipeline: Commitment,Loan (excluding debt rescheduling),ODA-like,\"225,000,000\",SAR,\"60,750,000\",12-Mar-12,,,30-Jun-15,Egypt,EGY\r\
32278,Saudi Arabia,SFD to provide ERRA in Pakistan with a 133 million USD Grant,2010,During discussions i,430,Pipeline: Pledge,Grant,ODA-like,\"133,000,000\",USD,\"138,320,000\",,,,,\"Africa, regional\",PAK; PAK\r\
33291,Qatar,Qatar signs MOU to provide financial assistance for Supreme Judicial Institute in Morocco,2013,In 2013 Qatar signed,150,Pipeline: Commitment,,Vague (Official Finance),,,,,,,,Morocco,MAR\r";

    #[test]
    fn parses_cr_only_windows_1252_rows() {
        let parsed = parse(EXCERPT).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [dates, loan, grant, vague] = parsed.records.as_slice() else { panic!("{parsed:?}") };
        assert_eq!((dates.line, loan.line, grant.line, vague.line), (2, 3, 4, 5));
        assert!(dates.description.as_deref().unwrap().contains("Attach\u{2019}\u{a9} in"));
        assert_eq!((dates.usd_current, dates.usd_constant), (None, None));
        assert_eq!((loan.usd_current, loan.usd_constant), (None, Some(60_750_000.0)));
        assert_eq!(loan.kind, FlowKind::Loan);
        assert_eq!(
            (loan.start_on, loan.end_on),
            (NaiveDate::from_ymd_opt(2012, 3, 12), NaiveDate::from_ymd_opt(2015, 6, 30))
        );
        assert_eq!((grant.usd_current, grant.usd_constant), (Some(133_000_000.0), Some(138_320_000.0)));
        assert_eq!(grant.recipient_codes, ["PAK"]);
        assert_eq!((vague.kind, vague.flow.as_deref()), (FlowKind::Unspecified, None));
    }

    #[test]
    fn a_files_usd_current_column_gives_current_usd_in_any_currency() {
        // Saudi 33950 as its file gives it, with the `usd_current` column Qatar's lacks.
        let saudi = b"project_id,donor,title,year,description,crs_sector_code,status,flow,flow_class,amount,currency,usd_defl,usd_current,start_actual,start_planned,end_actual,end_planned,recipient_condensed,recipient_iso3\r\
33950,Saudi Arabia,Saudi Arabia Gives 225 million SR for Water Supply,2012,\"In March 12, 2012 th\",140,Pipeline: Commitment,Loan (excluding debt rescheduling),ODA-like,\"225,000,000\",SAR,\"60,750,000\",\"60,750,000\",12-Mar-12,,,30-Jun-15,Egypt,EGY\r";
        let parsed = parse(saudi).unwrap();
        let [loan] = parsed.records.as_slice() else { panic!("{parsed:?}") };
        assert_eq!((loan.usd_current, loan.usd_constant), (Some(60_750_000.0), Some(60_750_000.0)));
    }

    #[test]
    fn an_identical_repeat_is_left_out_and_a_different_one_is_an_error() {
        let repeat = b"33291,Qatar,Qatar signs MOU to provide financial assistance for Supreme Judicial Institute in Morocco,2013,In 2013 Qatar signed,150,Pipeline: Commitment,,Vague (Official Finance),,,,,,,,Morocco,MAR\r";
        let mut text = EXCERPT.to_vec();
        text.extend_from_slice(repeat);
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.left_out, [LeftOut::row(6, REPEATS, "repeats line 5 (project_id `33291`)".to_owned())]);
        text.extend_from_slice(&repeat[..repeat.len() - 4]);
        text.extend_from_slice(b"TUN\r");
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.errors[0].in_file("q.csv"), "q.csv line 7, field `project_id`: `33291` already on line 5");
    }

    #[test]
    fn every_flow_label_of_both_files_maps() {
        for label in [
            "In-kind Grant (Goods or Services)",
            "Monetary Grant (excluding debt forgiveness)",
            "Free-standing technical assistance",
            "Loan (excluding debt rescheduling)",
            "Vague-TBD",
            "Grant (Vague)",
            "Scholarships/training in the donor country",
            "Joint venture with recipient",
            "Foreign direct investment",
            "Grant",
            "Export credits",
            "Vague TBD",
            "Strategic/Supplier Credit",
        ] {
            assert!(flow_kind(Some(label)).is_some(), "{label}");
        }
        assert_eq!(flow_kind(None), Some(FlowKind::Unspecified));
    }
}
