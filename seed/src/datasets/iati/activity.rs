//! One IATI activity as the file gives it: the fields a flow is made of, read from the
//! activity's element tree (see the parent module for what each field becomes).

use crate::error::{FieldError, ParseError};
use crate::table::Parsed;
use crate::text;
use crate::xml::{self, Node};
use chrono::{Datelike, NaiveDate};
use entity::FlowKind;
use std::collections::HashMap;

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
    /// The activity's codes by IATI code list: `AidType`, `FinanceType` (defaults, else the
    /// first transaction's), `FlowType`, `CollaborationType`, `TiedStatus` (defaults),
    /// `ActivityStatus`, and `TransactionType` 2 (commitment) when the amount sums
    /// commitments.
    pub codes: Vec<(&'static str, String)>,
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
    let activities = xml::records(&text, "iati-activity", |name| root_seen |= name == b"iati-activities")?;
    for activity in activities {
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
    let code = |element: &str| activity.first(element).and_then(|node| node.attribute("code")).map(str::to_owned);
    let commitments = usd_commitments.map(|_| "2".to_owned());
    let codes: Vec<(&'static str, String)> = [
        ("AidType", aid_type.clone()),
        ("FinanceType", finance_type.clone()),
        ("FlowType", code("default-flow-type")),
        ("CollaborationType", code("collaboration-type")),
        ("TiedStatus", code("default-tied-status")),
        ("ActivityStatus", code("activity-status")),
        ("TransactionType", commitments),
    ]
    .into_iter()
    // No code list has codes of more than a few characters: longer text is not a code.
    .filter_map(|(list, code)| Some((list, code.filter(|code| code.len() <= 16)?)))
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
        codes,
    })
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
        let bytes = include_bytes!("../../../tests/fixtures/activity-standard-example-annotated-2.03.xml");
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
