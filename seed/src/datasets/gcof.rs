//! AidData's Global Chinese Official Finance v1.0: one flow per project, and the teams of
//! Chinese experts the projects sent.
//!
//! Flows (natural key: source + `project_id`):
//! - provider: the `donor` column's name through the resolver (always China);
//! - recipient: `recipient_iso3` when it is one ISO3 code (falling back to the DAC code in
//!   `recipient_oecd_code`, learnt from the file's own ISO3/DAC pairs); rows for a region or
//!   several countries ("Africa, regional") get no recipient and `recipient_label` =
//!   `recipient_condensed`; a code that matches no country skips the row, reported;
//! - kind from `flow` ([`flow_kind`]); `flow_type` = `flow`, `flow_class`;
//! - `amount_usd_current` = `usd_current`, `amount_usd_constant` = `usd_defl_2014` (blank
//!   or a single space: none), `constant_base_year` = 2014 when there is a constant amount;
//! - sector by `crs_sector_code` (a DAC group or category row, see the sectors module);
//! - start and end dates: actual, else planned.
//!
//! The `contacts` column (names of officials) is never read, and the bundled copy has it
//! removed.
//!
//! Experts (kind TEAM, ref `gcof-<project_id>`, home country China), only for projects
//! AidData recommends for research, and only where the record is about a team sent:
//! - `flow` is "Free-standing technical assistance" (Chinese experts delivering it), or
//! - the title names a medical team ("medical team", "medical aid team", "medical
//!   assistance team").
//!
//! "Scholarships/training in the donor country" rows are not experts: the people are the
//! recipient's nationals trained in China, not a team China deploys. The name is the
//! project title; `headcount` only where the description states one number of people
//! unambiguously ([`stated_headcount`]), else none. Each team has one deployment (ref `1`)
//! to the recipient, from the start year (or the commitment year) to the end year, linked
//! to the flow, and the flow's sector as its sector. Implementing agencies are not made
//! into INSTITUTION experts.

use crate::Dataset;
use crate::datasets::{countries, first_part, sectors};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::sync::upsert;
use crate::table::{CsvRow, CsvTable, Parsed};
use crate::text;
use chrono::{Datelike, NaiveDate};
use entity::{ExpertKind, FlowKind, deployment, expert, expert_sector, flow};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The base year of `usd_defl_2014`.
const CONSTANT_BASE_YEAR: i32 = 2014;

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

/// The common kind of an AidData `flow` label.
pub(crate) fn flow_kind(flow: &str) -> Option<FlowKind> {
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

/// Parses the CSV (never reading `contacts`).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<ProjectRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
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
        usd_constant: table.column("usd_defl_2014")?,
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

struct Columns {
    project_id: crate::table::Column,
    recommended: crate::table::Column,
    year: crate::table::Column,
    donor: crate::table::Column,
    recipient_condensed: crate::table::Column,
    recipient_iso3: crate::table::Column,
    recipient_oecd_code: crate::table::Column,
    title: crate::table::Column,
    description: crate::table::Column,
    status: crate::table::Column,
    flow: crate::table::Column,
    flow_class: crate::table::Column,
    usd_current: crate::table::Column,
    usd_constant: crate::table::Column,
    sector_code: crate::table::Column,
    start_actual: crate::table::Column,
    start_planned: crate::table::Column,
    end_actual: crate::table::Column,
    end_planned: crate::table::Column,
}

fn parse_row(row: &CsvRow, columns: &Columns) -> Result<ProjectRecord, FieldError> {
    let flow = row.required(columns.flow)?;
    let kind = flow_kind(flow).ok_or_else(|| row.invalid(columns.flow, flow, "a known AidData flow type"))?;
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
fn single_iso3(code: &str) -> bool {
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

/// Validates and upserts flows, then teams, their sectors and deployments.
pub(crate) async fn import(load: &mut Load<'_>, input: &Input) -> Result<(), ImportError> {
    let parsed = parse(first_part(input)).map_err(|error| ImportError::from_parse(&load.file, error))?;
    let records = load.accept(parsed)?;
    let mut resolver = countries(load, Dataset::Gcof).await?;
    for record in &records {
        if single_iso3(&record.recipient_iso3) {
            resolver.learn_dac_code(&record.recipient_oecd_code, &record.recipient_iso3);
        }
    }
    let sector_ids = sectors::sector_ids(load.txn).await?;
    if sector_ids.is_empty() {
        load.note(0, "no DAC sectors imported yet: flows get no sector (import `sectors` first)");
    }

    let mut flows = Vec::with_capacity(records.len());
    let mut teams = Vec::new();
    for record in &records {
        let Some(provider_id) = resolver.name(&record.donor) else {
            load.skip(record.line, &format!("donor `{}` matches no country: row skipped", record.donor));
            continue;
        };
        let (recipient_id, recipient_label) = if single_iso3(&record.recipient_iso3) {
            match resolver.iso3(&record.recipient_iso3).or_else(|| resolver.dac(&record.recipient_oecd_code)) {
                Some(id) => (Some(id), None),
                None => {
                    load.skip(
                        record.line,
                        &format!("recipient_iso3 `{}` matches no country: row skipped", record.recipient_iso3),
                    );
                    continue;
                }
            }
        } else {
            (None, Some(record.recipient_condensed.clone()).filter(|label| !label.is_empty()))
        };
        let sector_id = match record.sector_code.as_deref() {
            Some(code) => {
                let id = sector_ids.get(code).copied();
                if id.is_none() && !sector_ids.is_empty() {
                    load.note(record.line, &format!("crs_sector_code `{code}` is not a DAC sector: no sector"));
                }
                id
            }
            None => None,
        };
        flows.push(flow::Model {
            id: 0,
            source_id: load.source_id,
            r#ref: record.project_id.clone(),
            provider_id,
            recipient_id,
            recipient_label,
            year: record.year,
            kind: record.kind,
            flow_type: Some(record.flow.clone()),
            flow_class: record.flow_class.clone(),
            amount_usd_current: record.usd_current,
            amount_usd_constant: record.usd_constant,
            constant_base_year: record.usd_constant.map(|_| CONSTANT_BASE_YEAR),
            sector_id,
            agreement_id: None,
            title: record.title.clone(),
            description: record.description.clone(),
            status: record.status.clone(),
            start_on: record.start_on,
            end_on: record.end_on,
            recommended_for_research: record.recommended_for_research,
        });
        if is_team(record) {
            teams.push((record, provider_id, recipient_id, sector_id));
        }
    }

    let existing = flow::Entity::find().filter(flow::Column::SourceId.eq(load.source_id)).all(load.txn).await?;
    let tally =
        upsert::<flow::Entity, _, _>(load.txn, existing, flows, |row| row.r#ref.clone(), Some(flow::Column::Id))
            .await?;
    load.count(tally);
    let flow_ids =
        ids_by_ref::<flow::Entity>(load, flow::Column::Id, flow::Column::Ref, flow::Column::SourceId).await?;

    let experts = teams
        .iter()
        .map(|(record, home, _, _)| expert::Model {
            id: 0,
            source_id: load.source_id,
            r#ref: format!("gcof-{}", record.project_id),
            name: record
                .title
                .clone()
                .unwrap_or_else(|| format!("Technical assistance team of AidData project {}", record.project_id)),
            kind: ExpertKind::Team,
            home_country_id: Some(*home),
            headcount: record.description.as_deref().and_then(stated_headcount),
        })
        .collect();
    let existing = expert::Entity::find().filter(expert::Column::SourceId.eq(load.source_id)).all(load.txn).await?;
    let tally =
        upsert::<expert::Entity, _, _>(load.txn, existing, experts, |row| row.r#ref.clone(), Some(expert::Column::Id))
            .await?;
    load.count(tally);
    let expert_ids =
        ids_by_ref::<expert::Entity>(load, expert::Column::Id, expert::Column::Ref, expert::Column::SourceId).await?;
    let expert_id_list: Vec<i32> = expert_ids.values().copied().collect();

    let mut expert_sectors = Vec::new();
    let mut deployments = Vec::new();
    for (record, _, recipient_id, sector_id) in &teams {
        let Some(expert_id) = expert_ids.get(&format!("gcof-{}", record.project_id)).copied() else {
            continue;
        };
        if let Some(sector_id) = sector_id {
            expert_sectors.push(expert_sector::Model { expert_id, sector_id: *sector_id });
        }
        deployments.push(deployment::Model {
            id: 0,
            expert_id,
            r#ref: "1".to_owned(),
            host_country_id: *recipient_id,
            start_year: record.start_on.map(|date| date.year()).or(record.year),
            end_year: record.end_on.map(|date| date.year()),
            flow_id: flow_ids.get(&record.project_id).copied(),
            agreement_id: None,
        });
    }
    let mut existing = Vec::new();
    let mut existing_deployments = Vec::new();
    for chunk in expert_id_list.chunks(500) {
        existing.extend(
            expert_sector::Entity::find()
                .filter(expert_sector::Column::ExpertId.is_in(chunk.to_vec()))
                .all(load.txn)
                .await?,
        );
        existing_deployments.extend(
            deployment::Entity::find().filter(deployment::Column::ExpertId.is_in(chunk.to_vec())).all(load.txn).await?,
        );
    }
    let tally = upsert::<expert_sector::Entity, _, _>(
        load.txn,
        existing,
        expert_sectors,
        |row| (row.expert_id, row.sector_id),
        None,
    )
    .await?;
    load.count(tally);
    let tally = upsert::<deployment::Entity, _, _>(
        load.txn,
        existing_deployments,
        deployments,
        |row| (row.expert_id, row.r#ref.clone()),
        Some(deployment::Column::Id),
    )
    .await?;
    load.count(tally);
    Ok(())
}

/// The ids of a source's rows by their `ref`.
pub(crate) async fn ids_by_ref<E: EntityTrait>(
    load: &Load<'_>,
    id: E::Column,
    reference: E::Column,
    source: E::Column,
) -> Result<HashMap<String, i32>, ImportError> {
    let rows: Vec<(i32, String)> = E::find()
        .select_only()
        .columns([id, reference])
        .filter(source.eq(load.source_id))
        .into_tuple()
        .all(load.txn)
        .await?;
    Ok(rows.into_iter().map(|(id, reference)| (reference, id)).collect())
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
            assert!(flow_kind(label).is_some(), "{label}");
        }
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
