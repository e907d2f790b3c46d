//! Flows carry the IATI codes their source gives them, named by the IATI code lists.

use std::{collections::HashMap, io::Read};

use serde_json::json;

use crate::support::TestDb;

fn bundled_text(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data").join(file);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("file")).read_to_string(&mut text).expect("gzip");
    text
}

/// The text between `start` and the next `end` after position `from`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let begin = text.find(start)? + start.len();
    Some(&text[begin..begin + text[begin..].find(end)?])
}

/// The English names of a code list's codes, read from its published XML.
fn code_names(file: &str) -> HashMap<String, String> {
    let text = bundled_text(file);
    text.split("<codelist-item")
        .skip(1)
        .filter_map(|item| {
            Some((
                between(item, "<code>", "</code>")?.to_owned(),
                between(item, "<narrative>", "</narrative>")?.to_owned(),
            ))
        })
        .collect()
}

#[tokio::test]
async fn iati_flows_carry_their_activity_status_and_commitment_codes_with_names() {
    let test = TestDb::new().await;
    let statuses = code_names("ActivityStatus.xml.gz");
    let transactions = code_names("TransactionType.xml.gz");
    // Each activity's status code, as the published file gives it.
    let activities: HashMap<String, String> = bundled_text("iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml.gz")
        .split("<iati-activity ")
        .skip(1)
        .filter_map(|activity| {
            let identifier = between(activity, "<iati-identifier>", "</iati-identifier>")?.trim().to_owned();
            Some((identifier, between(activity, "<activity-status code=\"", "\"")?.to_owned()))
        })
        .collect();
    let response = test
        .api()
        .post(
            r#"{ flows(filter: { source: ["aiddata-colombia-aims-iati"] }, first: 100) {
                 nodes { reference amountUsdCurrent codes { vocabulary code name withdrawn } } } }"#,
            json!({}),
        )
        .await;
    let nodes = response["data"]["flows"]["nodes"].as_array().expect("flows");
    assert_eq!(nodes.len(), 100);
    for node in nodes {
        let reference = node["reference"].as_str().expect("reference");
        let status = &activities[reference];
        let codes = node["codes"].as_array().expect("codes");
        let activity_status = codes.iter().find(|c| c["vocabulary"] == "ActivityStatus").expect("a status");
        assert_eq!(activity_status["code"].as_str(), Some(status.as_str()), "{reference}");
        assert_eq!(activity_status["name"].as_str(), Some(statuses[status].as_str()), "{reference}");
        let commitment = codes.iter().find(|c| c["vocabulary"] == "TransactionType");
        assert_eq!(commitment.is_some(), !node["amountUsdCurrent"].is_null(), "{reference}");
        if let Some(commitment) = commitment {
            assert_eq!(commitment["code"], "2");
            assert_eq!(commitment["name"].as_str(), Some(transactions["2"].as_str()));
        }
    }
    let cited = response["extensions"]["sources"].to_string();
    assert!(cited.contains("iati-codelists-2026"), "{cited}");
}
