//! IATI 2.03 activity files (`<iati-activities>`): one flow per `<iati-activity>`. Bundled
//! with AidData's IATI release of Colombia's aid information system (APC-Colombia, source
//! `aiddata-colombia-aims-iati`); any other activity file can be imported with
//! `import_file`, as its own source `iati-<file stem>` ([`source_row`]).
//!
//! Flows (natural key: source + ref, `ref` = `iati-identifier`), from the activity's direct
//! children:
//! - provider: the first `participating-org` with role 1 (funding), else the first with
//!   role 3 (extending); its `@ref` when that is an ISO2/ISO3 country code, else its name
//!   (first `narrative`) through the resolver. Colombia's file gives donors as names only,
//!   some misspelt ("United Kindom", "Korea": aliases in the resolver). Activities whose
//!   provider is no country (multilaterals, NGOs, firms) or that have no such organisation
//!   are skipped, with one message per distinct organisation name (count, first line);
//! - recipient: `recipient-country/@code` (ISO2) when there is exactly one; several give no
//!   recipient and `recipient_label` = the codes joined by `; `; none: no recipient;
//! - year (and `start_on`): the first `activity-date` of type 2 (actual start), else type 1
//!   (planned start), else the date of the first commitment transaction; `end_on`: type 4
//!   (actual end), else 3 (planned end);
//! - `amount_usd_current` = the sum of the commitment transactions (`transaction-type`
//!   code 2) in USD (`value/@currency`, else the activity's `@default-currency`); none when
//!   there is no USD commitment (other currencies are not converted, and noted);
//! - sector: the first `sector` with vocabulary 1 (DAC 5-digit), 2 (DAC 3-digit) or none
//!   (1 by default), looked up in the sector table;
//! - kind ([`activity::flow_kind`]): `default-aid-type` D01 or D02 (donor country personnel, other
//!   technical assistance) → TECHNICAL_ASSISTANCE; else `default-finance-type` 110 →
//!   GRANT, 410 or 421 → LOAN; else UNSPECIFIED (the transactions' `aid-type` and
//!   `finance-type` stand in for missing defaults). `flow_type` names the codes used
//!   (`finance-type 110; aid-type D02`); `flow_class` = the name of `default-flow-type`
//!   (10 → `ODA` …);
//! - title and description: the first `narrative` of `title` and of the first
//!   `description` (of type 1 when typed); status: the name of `activity-status`;
//! - codes (`flow_code`, named by the `iati-codelists` dataset): AidType and FinanceType
//!   (as for the kind), FlowType, CollaborationType, TiedStatus (the activity's defaults),
//!   ActivityStatus, and TransactionType 2 when the amount sums commitments.

mod activity;

use crate::datasets::{countries, read_first};
use crate::error::ImportError;
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::source::{self, SourceRow};
use crate::store;
use crate::table::Parsed;
use crate::{Dataset, SkipKind};
use activity::{Organisation, parse};
use entity::flow_code;
use std::path::Path;

/// The file name of the bundled Colombia AIMS release.
pub const COLOMBIA_FILE: &str = "iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml";

/// The `source` row: the Colombia release for its file, else one for the user's file.
pub(crate) fn source_row(file: &str) -> SourceRow {
    if file == COLOMBIA_FILE {
        return SourceRow::from(&source::COLOMBIA_AIMS_IATI);
    }
    let stem = Path::new(file).file_stem().map_or_else(|| file.to_owned(), |stem| stem.to_string_lossy().into_owned());
    SourceRow {
        key: format!("iati-{}", stem.to_lowercase()),
        title: format!("IATI activity file {file}"),
        publisher: "imported by the user (the reporting organisations named in the file)".to_owned(),
        url: file.to_owned(),
        licence: "as given by the file's publisher".to_owned(),
        citation: file.to_owned(),
        version: "as imported".to_owned(),
        retrieved_on: chrono::Utc::now().date_naive().to_string(),
        guidance: None,
    }
}

/// A country code (ISO2 or ISO3) as a country.
fn country_code(resolver: &CountryResolver, code: &str) -> Option<i32> {
    if !code.bytes().all(|byte| byte.is_ascii_alphabetic()) {
        return None;
    }
    match code.len() {
        2 => resolver.iso2(code),
        3 => resolver.iso3(code),
        _ => None,
    }
}

/// The provider's country: by `@ref` when it is a country code, else by name.
fn provider_country(resolver: &CountryResolver, organisation: &Organisation) -> Option<i32> {
    organisation
        .reference
        .as_deref()
        .and_then(|code| country_code(resolver, code))
        .or_else(|| organisation.name.as_deref().and_then(|name| resolver.name(name)))
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<activity::ActivityRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts the flows of an activity file.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let resolver = countries(load, Dataset::IatiActivities).await?;
    let sector_ids = store::sector_ids(load.txn).await?;
    // Providers that are no country: name → (activities, first line), in file order.
    let mut not_countries: Vec<(String, u64, u64)> = Vec::new();
    let mut flows = Vec::with_capacity(records.len());
    // (flow ref, code list, code) of every flow.
    let mut codes: Vec<(String, &'static str, String)> = Vec::new();
    for record in records {
        let provider_id = record.provider.as_ref().and_then(|org| provider_country(&resolver, org));
        let Some(provider_id) = provider_id else {
            let name = match &record.provider {
                Some(org) => org.name.clone().or(org.reference.clone()).unwrap_or_else(|| "(no name)".to_owned()),
                None => String::new(),
            };
            match not_countries.iter_mut().find(|(known, _, _)| *known == name) {
                Some(entry) => entry.1 += 1,
                None => not_countries.push((name, 1, record.line)),
            }
            continue;
        };
        let (recipient_id, recipient_label) = match record.recipient_codes.as_slice() {
            [] => (None, None),
            [code] => match country_code(&resolver, code) {
                Some(id) => (Some(id), None),
                None => {
                    load.skip(
                        SkipKind::Error,
                        record.line,
                        "recipient-country matches no country",
                        &format!("recipient-country `{code}` matches no country: activity skipped"),
                    );
                    continue;
                }
            },
            codes => (None, Some(codes.join("; "))),
        };
        let sector_id = record.sector_code.as_deref().and_then(|code| {
            let id = sector_ids.get(code).copied();
            if id.is_none() && !sector_ids.is_empty() {
                load.note(record.line, &format!("sector `{code}` is not a DAC sector: no sector"));
            }
            id
        });
        if !record.other_currencies.is_empty() {
            let currencies = record.other_currencies.join(", ");
            load.note(record.line, &format!("commitments in {currencies} are not converted to USD"));
        }
        codes.extend(record.codes.into_iter().map(|(list, code)| (record.identifier.clone(), list, code)));
        let mut row = store::flow_row(load.source_id, record.identifier, provider_id, record.kind);
        row.recipient_id = recipient_id;
        row.recipient_label = recipient_label;
        row.year = record.year;
        row.flow_type = record.flow_type;
        row.flow_class = record.flow_class;
        row.amount_usd_current = record.usd_commitments;
        row.sector_id = sector_id;
        row.title = record.title;
        row.description = record.description;
        row.status = record.status;
        row.start_on = record.start_on;
        row.end_on = record.end_on;
        flows.push(row);
    }
    for (name, count, first_line) in not_countries {
        if name.is_empty() {
            let message =
                format!("{count} activities have no funding (role 1) or extending (role 3) participating-org: skipped");
            load.skip_many(SkipKind::Error, count, first_line, "no funding or extending organisation", &message);
        } else {
            let activities = if count == 1 { "activity" } else { "activities" };
            let message =
                format!("provider `{name}` is not a country: {count} {activities} skipped (the first at this line)");
            load.skip_many(
                SkipKind::ByDesign,
                count,
                first_line,
                "provider is an organisation, not a country",
                &message,
            );
        }
    }
    store::flows(load, flows).await?;
    let ids = store::flow_ids(load).await?;
    let rows = codes
        .into_iter()
        .filter_map(|(reference, list, code)| {
            ids.get(&reference).map(|flow_id| flow_code::Model { flow_id: *flow_id, list: list.to_owned(), code })
        })
        .collect();
    store::flow_codes(load, ids.values().copied().collect(), rows).await
}
