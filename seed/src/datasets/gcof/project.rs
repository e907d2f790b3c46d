//! One AidData GCOF project as the CSV gives it, and what its text says about the team
//! it sent (see the parent module for how projects become flows and experts).

use crate::datasets::aiddata_flow_kind;
use crate::error::{FieldError, ParseError};
use crate::table::{Column, CsvRow, CsvTable, Parsed};
use crate::text;
use chrono::NaiveDate;
use entity::FlowKind;
use std::collections::HashMap;

/// One project as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProjectRecord {
    pub line: u64,
    pub project_id: String,
    pub recommended_for_research: Option<bool>,
    pub year: Option<i32>,
    pub donor: String,
    pub recipient_condensed: String,
    pub recipient_iso3: String,
    pub recipient_oecd_code: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub flow: String,
    pub kind: FlowKind,
    pub flow_class: Option<String>,
    pub usd_current: Option<f64>,
    pub usd_constant: Option<f64>,
    pub sector_code: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

/// Parses the CSV (never reading `contacts`).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<ProjectRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    parse_table(&CsvTable::parse(&text)?, "usd_defl_2014")
}

/// Parses a table of projects in GCOF's schema whose constant amounts (2014 US dollars) are
/// in the column `usd_constant` (never reading `contacts`).
pub(crate) fn parse_table(table: &CsvTable, usd_constant: &'static str) -> Result<Parsed<ProjectRecord>, ParseError> {
    let columns = Columns {
        project_id: table.column("project_id")?,
        recommended: table.column("recommended_for_research")?,
        year: table.column("year")?,
        donor: table.column("donor")?,
        recipient_condensed: table.column("recipient_condensed")?,
        recipient_iso3: table.column("recipient_iso3")?,
        recipient_oecd_code: table.column("recipient_oecd_code")?,
        title: table.column("title")?,
        description: table.column("description")?,
        status: table.column("status")?,
        flow: table.column("flow")?,
        flow_class: table.column("flow_class")?,
        usd_current: table.column("usd_current")?,
        usd_constant: table.column(usd_constant)?,
        sector_code: table.column("crs_sector_code")?,
        start_actual: table.column("start_actual")?,
        start_planned: table.column("start_planned")?,
        end_actual: table.column("end_actual")?,
        end_planned: table.column("end_planned")?,
    };
    let mut parsed = Parsed::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        match parse_row(row, &columns) {
            Ok(record) => match seen.insert(record.project_id.clone(), row.line) {
                Some(first) => parsed.errors.push(FieldError::new(
                    row.line,
                    "project_id",
                    format!("`{}` already on line {first}", record.project_id),
                )),
                None => parsed.records.push(record),
            },
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

/// The positions of the columns read.
struct Columns {
    project_id: Column,
    recommended: Column,
    year: Column,
    donor: Column,
    recipient_condensed: Column,
    recipient_iso3: Column,
    recipient_oecd_code: Column,
    title: Column,
    description: Column,
    status: Column,
    flow: Column,
    flow_class: Column,
    usd_current: Column,
    usd_constant: Column,
    sector_code: Column,
    start_actual: Column,
    start_planned: Column,
    end_actual: Column,
    end_planned: Column,
}

fn parse_row(row: &CsvRow, columns: &Columns) -> Result<ProjectRecord, FieldError> {
    let flow = row.required(columns.flow)?;
    let kind = aiddata_flow_kind(flow).ok_or_else(|| row.invalid(columns.flow, flow, "a known AidData flow type"))?;
    let sector_code = row.text(columns.sector_code);
    if let Some(code) = sector_code.filter(|code| code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit())) {
        return Err(row.invalid(columns.sector_code, code, "a 3-digit DAC code"));
    }
    let text = |column| row.text(column).map(str::to_owned);
    Ok(ProjectRecord {
        line: row.line,
        project_id: row.required(columns.project_id)?.to_owned(),
        recommended_for_research: row.boolean(columns.recommended)?,
        year: row.year(columns.year)?,
        donor: row.required(columns.donor)?.to_owned(),
        recipient_condensed: row.raw(columns.recipient_condensed).trim().to_owned(),
        recipient_iso3: row.raw(columns.recipient_iso3).trim().to_owned(),
        recipient_oecd_code: row.raw(columns.recipient_oecd_code).trim().to_owned(),
        title: text(columns.title),
        description: text(columns.description),
        status: text(columns.status),
        flow: flow.to_owned(),
        kind,
        flow_class: text(columns.flow_class),
        usd_current: row.number(columns.usd_current)?,
        usd_constant: row.number(columns.usd_constant)?,
        sector_code: sector_code.map(str::to_owned),
        start_on: row.date(columns.start_actual)?.or(row.date(columns.start_planned)?),
        end_on: row.date(columns.end_actual)?.or(row.date(columns.end_planned)?),
    })
}

/// Whether a recipient field holds one ISO3 code (not a region or a list).
pub(crate) fn single_iso3(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase())
}

/// Whether a project record is about a team of Chinese experts sent (module docs).
pub(crate) fn is_team(record: &ProjectRecord) -> bool {
    if record.recommended_for_research != Some(true) {
        return false;
    }
    if record.kind == FlowKind::TechnicalAssistance {
        return true;
    }
    let title = record.title.as_deref().unwrap_or("").to_lowercase();
    ["medical team", "medical aid team", "medical assistance team"].iter().any(|phrase| title.contains(phrase))
}

/// The number of people a description states for a team, when it states exactly one:
/// `27-staff`, `12-member`, `30-person`, `16-strong`, `team of 9`, `10 experts`,
/// `28 doctors`, `12 medical workers`. Numbers with thousands separators, several different
/// numbers, or none give `None`.
pub(crate) fn stated_headcount(description: &str) -> Option<i32> {
    const HYPHENATED: [&str; 7] = ["staff", "member", "members", "person", "people", "strong", "man"];
    const PEOPLE: [&str; 6] = ["experts", "doctors", "staff", "members", "technicians", "specialists"];
    const MEDICAL: [&str; 4] = ["workers", "personnel", "staff", "experts"];
    let words: Vec<String> = description
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase())
        .collect();
    let number = |word: &str| -> Option<i32> {
        (!word.is_empty() && word.len() <= 4 && word.bytes().all(|b| b.is_ascii_digit()))
            .then(|| word.parse().ok())
            .flatten()
    };
    let mut found: Vec<i32> = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let next = words.get(index + 1).map(String::as_str).unwrap_or("");
        let after = words.get(index + 2).map(String::as_str).unwrap_or("");
        if let Some((digits, suffix)) = word.split_once('-') {
            if let (Some(n), true) = (number(digits), HYPHENATED.contains(&suffix)) {
                found.push(n);
            }
        } else if let Some(n) = number(word) {
            if PEOPLE.contains(&next) || (next == "medical" && MEDICAL.contains(&after)) {
                found.push(n);
            }
        } else if word == "team"
            && next == "of"
            && let Some(n) = number(after)
        {
            found.push(n);
        }
    }
    found.dedup();
    match found.as_slice() {
        [n] if (1..=1000).contains(n) => Some(*n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real rows of the GCOF CSV (bundled copy, without `contacts`), trimmed to the columns
    /// read, descriptions shortened: project 1 (a medical team, amounts blank written as a
    /// space) and project 30889 (a regional recipient, with commas inside quotes, and a
    /// date written with a midnight time).
    const EXCERPT: &str = "project_id,recommended_for_research,year,donor,recipient_condensed,title,description,status,flow,flow_class,usd_defl_2014,usd_current,crs_sector_code,start_actual,start_planned,end_actual,end_planned,recipient_oecd_code,recipient_iso3\n\
1,True,2010,China,Mauritania,29th medical team to Mauritania to assist local doctors,\"In 2010, China was to dispatch a 27-staff health care team to Mauritania, in addition to pharmaceuticals and medical consumables (Project ID#12532). The 29th medical team left China in July 2010. \",Completion,Free-standing technical assistance,ODA-like, , ,120,,,,,256,MRT\n\
30889,True,2013,China,\"Africa, regional\",China grants assistance to IGAD for peacekeeping in East Africa,\"In 2013, China granted 100 million USD to the Inter-Governmental Authority on Development (IGAD) to safeguard peace in the region.\",Pipeline: Commitment,Grant,ODA-like,101675336.4,100000000,150,2013-12-03T00:00:00,,,,298,\"Africa, regional\"\n";

    #[test]
    fn parses_real_rows_with_blank_amounts_and_regional_recipients() {
        let parsed = parse(EXCERPT.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [team, regional] = parsed.records.as_slice() else { panic!() };
        assert_eq!((team.usd_current, team.usd_constant), (None, None));
        assert_eq!(team.kind, FlowKind::TechnicalAssistance);
        assert!(is_team(team));
        assert_eq!(team.description.as_deref().and_then(stated_headcount), Some(27));
        assert_eq!(regional.recipient_condensed, "Africa, regional");
        assert!(!single_iso3(&regional.recipient_iso3));
        assert_eq!(regional.usd_constant, Some(101_675_336.4));
        assert_eq!(regional.start_on, NaiveDate::from_ymd_opt(2013, 12, 3));
        assert_eq!(regional.end_on, None);
    }

    #[test]
    fn a_broken_year_names_line_and_field() {
        let broken = EXCERPT.replace("1,True,2010,", "1,True,2O10,");
        let parsed = parse(broken.as_bytes()).unwrap();
        assert_eq!(parsed.errors[0].in_file("g.csv"), "g.csv line 2, field `year`: `2O10` is not a year");
    }

    #[test]
    fn headcounts_only_when_stated_once() {
        assert_eq!(stated_headcount("China sent a 12-member medical team."), Some(12));
        assert_eq!(stated_headcount("a team of 9 agricultural experts"), Some(9));
        assert_eq!(stated_headcount("China Provides 10 experts to Mauritius"), Some(10));
        assert_eq!(stated_headcount("donated $10,000 to 2 hospitals"), None);
        assert_eq!(stated_headcount("a 12-member team and 30 doctors"), None);
        assert_eq!(stated_headcount("the 13th medical team"), None);
    }
}
