//! Caveats in every answer (`extensions.caveats`: stable codes with a sentence each) and
//! aggregates that keep official finance and trade apart unless asked.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::{published, support::TestDb};

/// The codes of a response's caveats, each with a sentence.
fn codes(response: &Value) -> Vec<String> {
    let caveats = response["extensions"]["caveats"].as_array().cloned().unwrap_or_default();
    for caveat in &caveats {
        assert!(caveat["message"].as_str().is_some_and(|message| message.len() > 40), "{caveat}");
    }
    caveats.iter().filter_map(|caveat| caveat["code"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn every_aggregate_says_what_to_footnote() {
    let test = TestDb::new().await;
    let api = test.api();
    let cases: [(&str, &[&str]); 10] = [
        (
            "{ flowStats(groupBy: [RECIPIENT_REGION]) { count sumUsdReal } }",
            &[
                "AMOUNTS_MISSING",
                "AMOUNTS_REBASED",
                "GUIDANCE_FOLLOWED",
                "NO_RECIPIENT_GROUPED",
                "OFFICIAL_FINANCE_ONLY",
                "REAL_DOLLARS",
            ],
        ),
        (
            r#"{ flowStats(filter: {source: ["aiddata-gcof-1.0"]}, groupBy: [YEAR], guidance: IGNORE) { count } }"#,
            &["GUIDANCE_IGNORED", "OFFICIAL_FINANCE_ONLY"],
        ),
        (
            r#"{ flowStats(filter: {source: ["aiddata-gcof-1.0"], recommendedForResearch: true}, groupBy: [YEAR]) { sumUsdCurrent } }"#,
            &["AMOUNTS_MISSING", "OFFICIAL_FINANCE_ONLY"],
        ),
        (
            r#"{ flowStats(filter: {source: ["aiddata-gcof-1.0"]}, groupBy: [RECIPIENT_INCOME_GROUP]) { count } }"#,
            // A null income group holds regional flows and countries unclassified that year.
            &["GUIDANCE_FOLLOWED", "INCOME_GROUP_AS_OF_YEAR", "OFFICIAL_FINANCE_ONLY"],
        ),
        (
            "{ southSouthShare(kindFamily: ALL, measure: COUNT) { share } }",
            &["GUIDANCE_FOLLOWED", "NO_RECIPIENT_LEFT_OUT", "TRADE_MIXED"],
        ),
        ("{ flowTimeSeries(kindFamily: TRADE, from: 2000, to: 2001) { count } }", &["TRADE_ONLY"]),
        ("{ flowStats(groupBy: [KIND]) { kind count } }", &["GUIDANCE_FOLLOWED"]),
        (
            r#"{ southSouthShare(filter: {provider: {code: ["QAT"]}}) { share } }"#,
            &["AMOUNTS_MISSING", "AMOUNTS_REBASED", "NO_RECIPIENT_LEFT_OUT", "OFFICIAL_FINANCE_ONLY", "REAL_DOLLARS"],
        ),
        (
            r#"{ flowStats(filter: {recipient: {code: ["MUS"]}, source: ["aiddata-gcof-1.0"], year: {gte: 2011, lte: 2011}}, groupBy: []) { count } }"#,
            &["GUIDANCE_FOLLOWED", "OFFICIAL_FINANCE_ONLY"],
        ),
        ("{ agreementStats(groupBy: [KIND]) { count } }", &[]),
    ];
    for (query, expected) in cases {
        let response = api.post(query, json!({})).await;
        assert!(response.get("errors").is_none(), "{query}: {response}");
        assert_eq!(codes(&response), expected, "{query}");
    }
}

/// Trade (Yotov et al.'s exports) and official finance are counted apart by default: the
/// trade family counts the file's rows between two countries, official finance none of
/// them, and `ALL` both.
#[tokio::test]
async fn aggregates_count_one_kind_family_unless_asked() {
    let trade_rows = published::csv_rows("agtpa_applications.csv.gz")
        .into_iter()
        .filter(|row| row["exporter"] != row["importer"])
        .count() as u64;
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            "{ official: flowStats(groupBy: [SOURCE]) { source { key } count }
               trade: flowStats(groupBy: [], kindFamily: TRADE) { count }
               all: flowStats(groupBy: [], kindFamily: ALL) { count }
               byKind: flowStats(groupBy: [KIND]) { kind count }
               named: flowStats(groupBy: [], filter: {kind: [TRADE]}) { count } }",
            json!({}),
        )
        .await;
    let official: HashSet<&str> =
        data["official"].as_array().expect("groups").iter().filter_map(|g| g["source"]["key"].as_str()).collect();
    assert!(official.contains("aiddata-gcof-1.0") && !official.contains("yotov-agtpa-2016"), "{official:?}");
    let official_count: u64 =
        data["official"].as_array().expect("groups").iter().filter_map(|g| g["count"].as_u64()).sum();
    assert_eq!(data["trade"][0]["count"].as_u64(), Some(trade_rows));
    assert_eq!(data["all"][0]["count"].as_u64(), Some(official_count + trade_rows));
    let by_kind = data["byKind"].as_array().expect("kinds");
    let trade = by_kind.iter().find(|g| g["kind"] == "TRADE").and_then(|g| g["count"].as_u64());
    assert_eq!(trade, Some(trade_rows), "grouping by kind counts every family, apart");
    assert_eq!(data["named"][0]["count"].as_u64(), Some(trade_rows), "a filter that names kinds decides");

    let csv = |query: &str| {
        let api = test.api();
        let uri = format!("/export/flow-stats.csv?{query}");
        async move {
            let request = axum::http::Request::get(uri).body(axum::body::Body::empty()).expect("request");
            String::from_utf8(api.send_raw(request).await).expect("UTF-8")
        }
    };
    let trade_csv = csv("kindFamily=trade").await;
    let count_cell = |table: &str| table.lines().nth(1).and_then(|line| line.split(',').next()).map(str::to_owned);
    assert_eq!(count_cell(&trade_csv), Some(trade_rows.to_string()), "{trade_csv}");
    assert_eq!(count_cell(&csv("").await), Some(official_count.to_string()));
    let refused = csv("kindFamily=aid").await;
    assert!(refused.contains("BAD_USER_INPUT") && refused.contains("kindFamily=aid"), "{refused}");
}

/// The flow-stats export links its caveats beside its sources, and they are those a GraphQL
/// answer over the same flows gives.
#[tokio::test]
async fn the_flow_stats_export_links_its_caveats() {
    let test = TestDb::new().await;
    let api = test.api();
    let get = |uri: String| axum::http::Request::get(uri).body(axum::body::Body::empty()).expect("request");
    let (status, headers) = api.send_full(get("/export/flow-stats.csv?groupBy=RECIPIENT_REGION".to_owned())).await;
    assert_eq!(status, 200);
    let link = headers.get("link").and_then(|link| link.to_str().ok()).unwrap_or_default().to_owned();
    assert!(link.contains("/export/flows.sources.csv"), "{link}");
    let caveats_uri = link
        .split(", ")
        .filter_map(|part| part.strip_prefix('<')?.split_once('>'))
        .map(|(uri, _)| uri.to_owned())
        .find(|uri| uri.contains("caveats"))
        .unwrap_or_else(|| panic!("no caveats link in {link}"));
    assert_eq!(caveats_uri, "/export/flow-stats.caveats.csv?groupBy=RECIPIENT_REGION");
    let table = String::from_utf8(api.send_raw(get(caveats_uri)).await).expect("UTF-8");
    let exported: Vec<&str> =
        table.trim_start_matches('\u{feff}').lines().skip(1).filter_map(|line| line.split(',').next()).collect();
    let response = api.post("{ flowStats(groupBy: [RECIPIENT_REGION]) { count sumUsdReal } }", json!({})).await;
    assert_eq!(exported, codes(&response), "{table}");
    let refused = String::from_utf8(api.send_raw(get("/export/flow-stats.caveats.csv?orderBy=x".to_owned())).await)
        .expect("UTF-8");
    assert!(refused.contains("BAD_USER_INPUT") && refused.contains("orderBy"), "{refused}");
}
