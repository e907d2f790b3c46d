//! AidData's Global Chinese Official Finance v1.0: one flow per project, and the teams of
//! Chinese experts the projects sent.
//!
//! Flows (natural key: source + `project_id`):
//! - provider: the `donor` column's name through the resolver (always China);
//! - recipient: `recipient_iso3` when it is one ISO3 code (falling back to the DAC code in
//!   `recipient_oecd_code`, learnt from the file's own ISO3/DAC pairs); rows for a region or
//!   several countries ("Africa, regional") get no recipient and `recipient_label` =
//!   `recipient_condensed`; a code that matches no country skips the row, reported;
//! - kind from `flow` ([`aiddata_flow_kind`](super::aiddata_flow_kind)); `flow_type` = `flow`, `flow_class`;
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
//!
//! China's Public Diplomacy publishes some of these projects again: when it is imported, its
//! flows with a `project_id` of this file are linked as repeats of this file's flows
//! (`flow_repeat`), whichever of the two imports comes first.

pub(crate) mod project;

use crate::datasets::{countries, read_first};
use crate::error::ImportError;
use crate::run::{Input, Load};
use crate::source;
use crate::store::{self, ExpertRows};
use crate::table::Parsed;
use crate::{Dataset, SkipKind};
use chrono::Datelike;
use entity::{ExpertKind, deployment, expert, flow};
use project::{ProjectRecord, is_team, parse, single_iso3, stated_headcount};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The base year of `usd_defl_2014`.
const CONSTANT_BASE_YEAR: i32 = 2014;

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<ProjectRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts flows, then teams, their sectors and deployments.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let projects = project_flows(load, Dataset::Gcof, &records).await?;
    let teams: Vec<(&ProjectRecord, i32, Option<i32>, Option<i32>)> = projects
        .iter()
        .filter(|(record, _)| is_team(record))
        .map(|(record, flow)| (*record, flow.provider_id, flow.recipient_id, flow.sector_id))
        .collect();
    let flows = projects.iter().map(|(_, flow)| flow.clone()).collect();
    store::flows(load, flows).await?;
    let flow_ids = store::flow_ids(load).await?;
    let experts = teams
        .into_iter()
        .map(|(record, home, recipient_id, sector_id)| ExpertRows {
            expert: expert::Model {
                id: 0,
                source_id: load.source_id,
                r#ref: format!("gcof-{}", record.project_id),
                name: record
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("Technical assistance team of AidData project {}", record.project_id)),
                kind: ExpertKind::Team,
                home_country_id: Some(home),
                headcount: record.description.as_deref().and_then(stated_headcount),
            },
            sector_ids: sector_id.into_iter().collect(),
            deployments: vec![deployment::Model {
                id: 0,
                expert_id: 0,
                r#ref: "1".to_owned(),
                host_country_id: recipient_id,
                start_year: record.start_on.map(|date| date.year()).or(record.year),
                end_year: record.end_on.map(|date| date.year()),
                flow_id: flow_ids.get(&record.project_id).copied(),
                agreement_id: None,
            }],
        })
        .collect();
    store::experts(load, experts).await?;
    link_repeats(load).await
}

/// Marks as repeats the projects of China's Public Diplomacy, when it is imported, that
/// this file has too (its own import marks them when GCOF comes first).
async fn link_repeats(load: &mut Load<'_>) -> Result<(), ImportError> {
    let key = source::CHINA_PUBDIP.key;
    if let Some(pubdip) =
        entity::source::Entity::find().filter(entity::source::Column::Key.eq(key)).one(load.txn).await?
    {
        let linked = store::link_repeats(load, pubdip.id, load.source_id).await?;
        load.note(0, &format!("{} projects of {key} are this file's too: marked as its repeats", linked.len()));
    }
    Ok(())
}

/// The flows of projects in GCOF's schema (GCOF itself, and China's Public Diplomacy's
/// finance projects), each with its record; rows whose donor or recipient matches no country
/// are skipped and reported.
pub(crate) async fn project_flows<'r>(
    load: &mut Load<'_>,
    dataset: Dataset,
    records: &'r [ProjectRecord],
) -> Result<Vec<(&'r ProjectRecord, flow::Model)>, ImportError> {
    let mut resolver = countries(load, dataset).await?;
    for record in records {
        if single_iso3(&record.recipient_iso3) {
            resolver.learn_dac_code(&record.recipient_oecd_code, &record.recipient_iso3);
        }
    }
    let sector_ids = store::sector_ids(load.txn).await?;
    if sector_ids.is_empty() {
        load.note(0, "no DAC sectors imported yet: flows get no sector (import `sectors` first)");
    }

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
        let (recipient_id, recipient_label) = if single_iso3(&record.recipient_iso3) {
            match resolver.iso3(&record.recipient_iso3).or_else(|| resolver.dac(&record.recipient_oecd_code)) {
                Some(id) => (Some(id), None),
                None => {
                    load.skip(
                        SkipKind::Error,
                        record.line,
                        "recipient_iso3 matches no country",
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
        flows.push((
            record,
            flow::Model {
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
                amount_usd_real: None,
                constant_base_year: record.usd_constant.map(|_| CONSTANT_BASE_YEAR),
                sector_id,
                agreement_id: None,
                title: record.title.clone(),
                description: record.description.clone(),
                status: record.status.clone(),
                start_on: record.start_on,
                end_on: record.end_on,
                recommended_for_research: record.recommended_for_research,
            },
        ));
    }
    Ok(flows)
}
