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
//! - kind ([`flow_kind`]): `default-aid-type` D01 or D02 (donor country personnel, other
//!   technical assistance) → TECHNICAL_ASSISTANCE; else `default-finance-type` 110 →
//!   GRANT, 410 or 421 → LOAN; else UNSPECIFIED (the transactions' `aid-type` and
//!   `finance-type` stand in for missing defaults). `flow_type` names the codes used
//!   (`finance-type 110; aid-type D02`); `flow_class` = the name of `default-flow-type`
//!   (10 → `ODA` …);
//! - title and description: the first `narrative` of `title` and of the first
//!   `description` (of type 1 when typed); status: the name of `activity-status`.

use crate::Dataset;
use crate::datasets::{countries, first_part};
use crate::error::{FieldError, ImportError, ParseError};
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::source::{self, SourceRow};
use crate::store;
use crate::table::Parsed;
use crate::text;
use chrono::{Datelike, NaiveDate};
use entity::FlowKind;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::path::Path;

/// The file name of the bundled Colombia AIMS release.
pub const COLOMBIA_FILE: &str = "iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml";

/// One element with its attributes, text and child elements.
#[derive(Clone, Debug, Default)]
struct Node {
    name: String,
    line: u64,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim()).filter(|v| !v.is_empty())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    fn first(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }

    /// The element's own text, trimmed, `None` when blank.
    fn value(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|text| !text.is_empty())
    }

    /// The first non-blank `narrative` child.
    fn narrative(&self) -> Option<String> {
        self.all("narrative").find_map(Node::value).map(str::to_owned)
    }
}

/// A participating organisation that may be the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Organisation {
    pub reference: Option<String>,
    pub name: Option<String>,
}

/// One activity as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ActivityRecord {
    pub line: u64,
    pub identifier: String,
    pub provider: Option<Organisation>,
    pub recipient_codes: Vec<String>,
    pub year: Option<i32>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub usd_commitments: Option<f64>,
    /// Currencies of commitments that are not in USD (not converted).
    pub other_currencies: Vec<String>,
    pub sector_code: Option<String>,
    pub kind: FlowKind,
    pub flow_type: Option<String>,
    pub flow_class: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
}

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
    }
}

/// The common kind of an activity (module docs).
pub(crate) fn flow_kind(aid_type: Option<&str>, finance_type: Option<&str>) -> FlowKind {
    match (aid_type, finance_type) {
        (Some("D01" | "D02"), _) => FlowKind::TechnicalAssistance,
        (_, Some("110")) => FlowKind::Grant,
        (_, Some("410" | "421")) => FlowKind::Loan,
        _ => FlowKind::Unspecified,
    }
}

/// The name of an IATI FlowType code.
fn flow_type_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "10" => "ODA",
        "20" => "OOF",
        "21" => "Non-export credit OOF",
        "22" => "Officially supported export credits",
        "30" => "Private Development Finance",
        "35" => "Private Market",
        "36" => "Private Foreign Direct Investment",
        "37" => "Other Private flows at market terms",
        "40" => "Non flow",
        "50" => "Other flows",
        _ => return None,
    })
}

/// The name of an IATI ActivityStatus code.
fn status_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "1" => "Pipeline/identification",
        "2" => "Implementation",
        "3" => "Finalisation",
        "4" => "Closed",
        "5" => "Cancelled",
        "6" => "Suspended",
        _ => return None,
    })
}

/// Parses an IATI activity file.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<ActivityRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let mut parsed = Parsed::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut root_seen = false;
    for activity in activities(&text, &mut root_seen)? {
        parsed.rows_read += 1;
        match parse_activity(&activity) {
            Ok(record) => match seen.insert(record.identifier.clone(), record.line) {
                Some(first) => parsed.errors.push(FieldError::new(
                    record.line,
                    "iati-identifier",
                    format!("`{}` already on line {first}", record.identifier),
                )),
                None => parsed.records.push(record),
            },
            Err(error) => parsed.errors.push(error),
        }
    }
    if !root_seen {
        return Err(ParseError::File("not an IATI activity file (no <iati-activities> element)".to_owned()));
    }
    Ok(parsed)
}

/// Reads the `iati-activity` elements into trees.
fn activities(text: &str, root_seen: &mut bool) -> Result<Vec<Node>, ParseError> {
    let mut reader = quick_xml::Reader::from_str(text);
    // Lines are counted incrementally (positions only grow), so the file is scanned once.
    let counted = std::cell::Cell::new((0_usize, 1_u64));
    let line_at = |position: u64| {
        let end = usize::try_from(position).unwrap_or(text.len()).min(text.len());
        let (mut from, mut line) = counted.get();
        if end < from {
            (from, line) = (0, 1);
        }
        line += text.as_bytes()[from..end].iter().filter(|byte| **byte == b'\n').count() as u64;
        counted.set((end, line));
        line
    };
    let bad = |position: u64, error: &dyn std::fmt::Display| {
        ParseError::File(format!("line {}: not valid XML: {error}", line_at(position)))
    };
    let mut stack: Vec<Node> = Vec::new();
    let mut done = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|error| bad(reader.error_position(), &error))?;
        match event {
            Event::Eof => break,
            Event::Start(start) | Event::Empty(start)
                if stack.is_empty() && start.name().as_ref() != b"iati-activity" =>
            {
                *root_seen |= start.name().as_ref() == b"iati-activities";
            }
            Event::Start(start) => stack.push(node(&start, line_at(position)).map_err(|e| bad(position, &e))?),
            Event::Empty(start) => {
                let leaf = node(&start, line_at(position)).map_err(|e| bad(position, &e))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(leaf),
                    None => done.push(leaf),
                }
            }
            Event::Text(content) => {
                if let Some(current) = stack.last_mut() {
                    let content = content.decode().map_err(|error| bad(position, &error))?;
                    current.text.push_str(&content);
                }
            }
            Event::CData(content) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(current) = stack.last_mut() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(character)) => Some(character.to_string()),
                        _ => reference
                            .decode()
                            .ok()
                            .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name))
                            .map(str::to_owned),
                    };
                    current.text.push_str(&resolved.unwrap_or_default());
                }
            }
            Event::End(_) => {
                if let Some(finished) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(finished),
                        None => done.push(finished),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(done)
}

fn node(start: &BytesStart<'_>, line: u64) -> Result<Node, quick_xml::Error> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(quick_xml::Error::from)?;
        let value = attribute.unescape_value()?.into_owned();
        attributes.push((String::from_utf8_lossy(attribute.key.as_ref()).into_owned(), value));
    }
    Ok(Node {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        line,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

/// An `iso-date` (`2012-04-15`, also with a time after it).
fn iso_date(node: &Node, field: &str) -> Result<Option<NaiveDate>, FieldError> {
    node.attribute("iso-date")
        .map(|value| {
            NaiveDate::parse_from_str(value.get(..10).unwrap_or(value), "%Y-%m-%d")
                .map_err(|_| FieldError::new(node.line, field, format!("`{value}` is not an ISO date (YYYY-MM-DD)")))
        })
        .transpose()
}

fn parse_activity(activity: &Node) -> Result<ActivityRecord, FieldError> {
    let identifier = activity
        .first("iati-identifier")
        .and_then(Node::value)
        .ok_or_else(|| FieldError::new(activity.line, "iati-identifier", "is missing or blank"))?
        .to_owned();
    let role = |org: &&Node, wanted: &str, word: &str| {
        org.attribute("role").is_some_and(|role| role == wanted || role.eq_ignore_ascii_case(word))
    };
    let organisations: Vec<&Node> = activity.all("participating-org").collect();
    let provider = organisations
        .iter()
        .find(|org| role(org, "1", "Funding"))
        .or_else(|| organisations.iter().find(|org| role(org, "3", "Extending")))
        .map(|org| Organisation {
            reference: org.attribute("ref").map(str::to_owned),
            name: org.narrative().or_else(|| org.value().map(str::to_owned)),
        });
    let recipient_codes = activity
        .all("recipient-country")
        .filter_map(|country| country.attribute("code"))
        .map(str::to_ascii_uppercase)
        .collect();

    let mut dates: HashMap<&str, NaiveDate> = HashMap::new();
    for date in activity.all("activity-date") {
        let Some(kind) = date.attribute("type") else { continue };
        if let Some(day) = iso_date(date, "activity-date")? {
            dates.entry(kind).or_insert(day);
        }
    }
    let start_on = dates.get("2").or(dates.get("1")).copied();
    let end_on = dates.get("4").or(dates.get("3")).copied();

    let default_currency = activity.attribute("default-currency");
    let mut usd_commitments: Option<f64> = None;
    let mut other_currencies: Vec<String> = Vec::new();
    let mut first_commitment_on = None;
    for transaction in activity.all("transaction") {
        let code = transaction.first("transaction-type").and_then(|kind| kind.attribute("code"));
        if !matches!(code, Some("2" | "C")) {
            continue;
        }
        let Some(value) = transaction.first("value") else { continue };
        if first_commitment_on.is_none() {
            first_commitment_on = match transaction.first("transaction-date") {
                Some(date) => iso_date(date, "transaction-date")?,
                None => None,
            }
            .or(value
                .attribute("value-date")
                .and_then(|day| NaiveDate::parse_from_str(day.get(..10).unwrap_or(day), "%Y-%m-%d").ok()));
        }
        let text = value.value().unwrap_or("");
        let amount = text
            .parse::<f64>()
            .ok()
            .filter(|amount| amount.is_finite())
            .ok_or_else(|| FieldError::new(value.line, "transaction/value", format!("`{text}` is not a number")))?;
        match value.attribute("currency").or(default_currency) {
            Some(currency) if currency.eq_ignore_ascii_case("USD") => {
                *usd_commitments.get_or_insert(0.0) += amount;
            }
            other => {
                let currency = other.unwrap_or("no currency").to_owned();
                if !other_currencies.contains(&currency) {
                    other_currencies.push(currency);
                }
            }
        }
    }
    let year = start_on.or(first_commitment_on).map(|day| day.year());

    let sector_code = activity
        .all("sector")
        .find(|sector| matches!(sector.attribute("vocabulary"), None | Some("1" | "2")))
        .and_then(|sector| sector.attribute("code"))
        .map(str::to_owned);

    let code_of = |element: &str, transaction_element: &str, dac_vocabulary: bool| {
        let is_dac = |node: &&Node| !dac_vocabulary || matches!(node.attribute("vocabulary"), None | Some("1"));
        activity
            .all(element)
            .find(is_dac)
            .and_then(|node| node.attribute("code"))
            .or_else(|| {
                activity
                    .all("transaction")
                    .find_map(|transaction| transaction.all(transaction_element).find(is_dac))
                    .and_then(|node| node.attribute("code"))
            })
            .map(str::to_owned)
    };
    let aid_type = code_of("default-aid-type", "aid-type", true);
    let finance_type = code_of("default-finance-type", "finance-type", false);
    let kind = flow_kind(aid_type.as_deref(), finance_type.as_deref());
    let labels: Vec<String> = [("finance-type", &finance_type), ("aid-type", &aid_type)]
        .iter()
        .filter_map(|(label, code)| code.as_ref().map(|code| format!("{label} {code}")))
        .collect();
    let flow_class = activity
        .first("default-flow-type")
        .and_then(|flow| flow.attribute("code"))
        .map(|code| flow_type_name(code).map_or_else(|| format!("flow type {code}"), str::to_owned));

    let description = activity
        .all("description")
        .find(|description| matches!(description.attribute("type"), None | Some("1")))
        .or_else(|| activity.first("description"))
        .and_then(Node::narrative);
    Ok(ActivityRecord {
        line: activity.line,
        identifier,
        provider,
        recipient_codes,
        year,
        start_on,
        end_on,
        usd_commitments,
        other_currencies,
        sector_code,
        kind,
        flow_type: (!labels.is_empty()).then(|| labels.join("; ")),
        flow_class,
        title: activity.first("title").and_then(Node::narrative),
        description,
        status: activity
            .first("activity-status")
            .and_then(|status| status.attribute("code"))
            .and_then(status_name)
            .map(str::to_owned),
    })
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

/// Validates and upserts the flows of an activity file.
pub(crate) async fn import(load: &mut Load<'_>, input: &Input) -> Result<(), ImportError> {
    let parsed = parse(first_part(input)).map_err(|error| ImportError::from_parse(&load.file, error))?;
    let records = load.accept(parsed)?;
    let resolver = countries(load, Dataset::IatiActivities).await?;
    let sector_ids = store::sector_ids(load.txn).await?;
    // Providers that are no country: name → (activities, first line), in file order.
    let mut not_countries: Vec<(String, u64, u64)> = Vec::new();
    let mut flows = Vec::with_capacity(records.len());
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
                    load.skip(record.line, &format!("recipient-country `{code}` matches no country: activity skipped"));
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
        load.report.skipped += count;
        let message = if name.is_empty() {
            format!("{count} activities have no funding (role 1) or extending (role 3) participating-org: skipped")
        } else {
            let activities = if count == 1 { "activity" } else { "activities" };
            format!("provider `{name}` is not a country: {count} {activities} skipped (the first at this line)")
        };
        load.note(first_line, &message);
    }
    store::flows(load, flows).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first activity of the Colombia AIMS file (its donor given by name only), without
    /// its `location`s.
    const COLOMBIA: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<iati-activities generated-datetime="2016-04-18T12:17:32" version="2.03">
	<iati-activity default-currency="USD" last-updated-datetime="2016-04-18T12:17:32" xml:lang="en">
		<iati-identifier>US-501c3-522318905-SG-COL1</iati-identifier>
		<reporting-org ref="US-501c3-522318905" type="21">
			<narrative>AidData</narrative>
		</reporting-org>
		<title>
			<narrative>Empoderamiento y protección a los defensores de derechos humanos y las comunidades de base en Colombia</narrative>
		</title>
		<description>
			<narrative>Empoderamiento y protección a los defensores de derechos humanos y las comunidades de base en Colombia</narrative>
		</description>
		<participating-org role="1">
			<narrative>Sweden</narrative>
		</participating-org>
		<activity-status code="2"/>
		<activity-date type="2" iso-date="2012-01-01"/>
		<activity-date type="4" iso-date="2015-01-01"/>
		<recipient-country code="CO" percentage="100.00"/>
		<sector code="152" percentage="100.00" vocabulary="2"/>
		<transaction>
			<transaction-type code="2"/>
			<transaction-date iso-date="2012-01-01"/>
			<value currency="USD" value-date="2012-01-01">1434153.58881</value>
		</transaction>
	</iati-activity>
</iati-activities>
"#;

    #[test]
    fn parses_a_colombia_activity() {
        let parsed = parse(COLOMBIA.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [activity] = parsed.records.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(activity.line, 3);
        assert_eq!(activity.identifier, "US-501c3-522318905-SG-COL1");
        assert_eq!(activity.provider, Some(Organisation { reference: None, name: Some("Sweden".into()) }));
        assert_eq!(activity.recipient_codes, ["CO"]);
        assert_eq!(
            (activity.year, activity.start_on, activity.end_on),
            (Some(2012), NaiveDate::from_ymd_opt(2012, 1, 1), NaiveDate::from_ymd_opt(2015, 1, 1))
        );
        assert_eq!(activity.usd_commitments, Some(1434153.58881));
        assert_eq!(activity.sector_code.as_deref(), Some("152"));
        assert_eq!(
            (activity.kind, activity.flow_type.as_deref(), activity.flow_class.as_deref()),
            (FlowKind::Unspecified, None, None)
        );
        assert!(activity.title.as_deref().unwrap().starts_with("Empoderamiento y protección"));
        assert_eq!(activity.status.as_deref(), Some("Implementation"));
    }

    #[test]
    fn the_iati_standard_example_parses() {
        let bytes = include_bytes!("../../tests/fixtures/activity-standard-example-annotated-2.03.xml");
        let parsed = parse(bytes).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [activity] = parsed.records.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(activity.identifier, "AA-AAA-123456789-ABC123");
        assert_eq!(
            activity.provider,
            Some(Organisation { reference: Some("BB-BBB-123456789".into()), name: Some("Name of Agency B".into()) })
        );
        assert_eq!(activity.recipient_codes, ["AF", "AG"]);
        // Actual start (type 2) wins over the planned start listed first.
        assert_eq!(activity.start_on, NaiveDate::from_ymd_opt(2012, 4, 28));
        assert_eq!(activity.end_on, NaiveDate::from_ymd_opt(2015, 12, 31));
        // Its commitment is in EUR: no USD amount.
        assert_eq!(activity.usd_commitments, None);
        assert_eq!(activity.sector_code.as_deref(), Some("111"));
        // Aid type A01 (budget support) is not technical assistance; finance type 110 is a grant.
        assert_eq!(activity.kind, FlowKind::Grant);
        assert_eq!(activity.flow_type.as_deref(), Some("finance-type 110; aid-type A01"));
        assert_eq!(activity.flow_class.as_deref(), Some("ODA"));
        assert_eq!(activity.title.as_deref(), Some("Activity title"));
        assert!(activity.description.as_deref().unwrap().starts_with("General activity description text."));
    }

    #[test]
    fn kinds_follow_aid_then_finance_type() {
        assert_eq!(flow_kind(Some("D02"), Some("110")), FlowKind::TechnicalAssistance);
        assert_eq!(flow_kind(Some("D01"), None), FlowKind::TechnicalAssistance);
        assert_eq!(flow_kind(Some("C01"), Some("421")), FlowKind::Loan);
        assert_eq!(flow_kind(None, Some("410")), FlowKind::Loan);
        assert_eq!(flow_kind(None, Some("110")), FlowKind::Grant);
        assert_eq!(flow_kind(None, Some("520")), FlowKind::Unspecified);
    }

    #[test]
    fn bad_values_name_line_and_field() {
        let broken = COLOMBIA.replace(">1434153.58881<", ">1,434,153<");
        let parsed = parse(broken.as_bytes()).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("c.xml"),
            "c.xml line 25, field `transaction/value`: `1,434,153` is not a number"
        );
        let broken = COLOMBIA
            .replace("iso-date=\"2012-01-01\"/>\n\t\t<activity-date", "iso-date=\"2012-13-01\"/>\n\t\t<activity-date");
        let parsed = parse(broken.as_bytes()).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("c.xml"),
            "c.xml line 18, field `activity-date`: `2012-13-01` is not an ISO date (YYYY-MM-DD)"
        );
        assert!(matches!(parse(b"<iati-organisations/>"), Err(ParseError::File(_))));
    }
}
