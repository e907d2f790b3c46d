//! CSV and NDJSON exports: the same filter as GraphQL, spreadsheet-safe CSV, the published
//! figures, and the sources of the rows.

use std::collections::HashMap;

use axum::{body::Body, http::Request};
use serde_json::{Value, json};

use southgraph::{config::HttpConfig, http::AppOptions};

use crate::{
    published::{self, amount},
    support::{Reply, TestDb},
};

fn encode(value: &Value) -> String {
    value
        .to_string()
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn get(test: &TestDb, uri: &str) -> Reply {
    test.api().send(Request::get(uri).body(Body::empty()).expect("request")).await
}

fn parse_csv(body: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let body = body.strip_prefix('\u{feff}').expect("a UTF-8 byte-order mark for spreadsheets");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|record| header.iter().cloned().zip(record.expect("record").iter().map(String::from)).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn flows_csv_holds_the_published_rows() {
    let test = TestDb::new().await;
    let filter = json!({ "source": ["aiddata-gcof-1.0"], "recipient": { "code": ["AGO"] } });
    let reply = get(
        &test,
        &format!("/export/flows.csv?filter={}&orderBy={}", encode(&filter), encode(&json!([{ "field": "YEAR" }]))),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
    let (header, rows) = parse_csv(&reply.body);
    assert_eq!(header[..4], ["source", "reference", "provider_iso3", "provider_name"]);
    let published: HashMap<String, HashMap<String, String>> = published::gcof()
        .into_iter()
        .filter(|r| r["recipient_iso3"] == "AGO")
        .map(|r| (r["project_id"].clone(), r))
        .collect();
    assert_eq!(rows.len(), published.len());
    let mut years = Vec::new();
    for row in &rows {
        let original = &published[&row["reference"]];
        assert_eq!(row["title"], original["title"].trim(), "titles with commas and accents survive");
        assert_eq!(amount(&row["amount_usd_constant"]), amount(&original["usd_defl_2014"]), "{}", row["reference"]);
        assert_eq!(amount(&row["amount_usd_current"]), amount(&original["usd_current"]));
        assert_eq!(row["recipient_iso3"], "AGO");
        years.push(row["year"].parse::<i32>().expect("year"));
    }
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "ordered by year");
}

#[tokio::test]
async fn names_with_commas_and_accents_are_quoted() {
    let test = TestDb::new().await;
    let reply =
        get(&test, &format!("/export/flows.csv?filter={}", encode(&json!({ "recipient": { "code": ["CIV"] } })))).await;
    let (_, rows) = parse_csv(&reply.body);
    assert!(!rows.is_empty());
    let name = &rows[0]["recipient_name"];
    assert!(name.contains('ô') || name.contains(','), "Côte d’Ivoire: {name}");
    assert!(rows.iter().any(|row| row["description"].contains(',')));
}

#[tokio::test]
async fn ndjson_has_one_object_per_flow() {
    let test = TestDb::new().await;
    let filter = json!({ "source": ["aiddata-gcof-1.0"], "recipient": { "code": ["KEN"] } });
    let reply = get(&test, &format!("/export/flows.ndjson?filter={}", encode(&filter))).await;
    assert_eq!(reply.content_type, "application/x-ndjson");
    let lines: Vec<Value> = reply.body.lines().map(|line| serde_json::from_str(line).expect("JSON line")).collect();
    let published = published::gcof().iter().filter(|r| r["recipient_iso3"] == "KEN").count();
    assert_eq!(lines.len(), published);
    assert!(lines.iter().all(|line| line["recipient_iso3"] == "KEN" && line["provider_iso3"] == "CHN"));
}

#[tokio::test]
async fn flow_stats_csv_matches_the_published_sums() {
    let test = TestDb::new().await;
    let filter = json!({ "source": ["aiddata-gcof-1.0"] });
    let reply = get(&test, &format!("/export/flow-stats.csv?filter={}&groupBy=YEAR,RECIPIENT", encode(&filter))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let (header, _) = parse_csv(&reply.body);
    assert_eq!(header[..4], ["year", "recipient_code", "recipient_name", "count"]);
    // By default the publisher's guidance: its rows recommended for research; with
    // `guidance=ignore`, every row.
    for (guidance, published_rows) in [("", published::gcof_for_research()), ("&guidance=ignore", published::gcof())] {
        let mut expected: HashMap<(String, String), (usize, f64)> = HashMap::new();
        for row in published_rows {
            let entry = expected.entry((row["year"].clone(), row["recipient_iso3"].clone())).or_default();
            entry.0 += 1;
            entry.1 += amount(&row["usd_defl_2014"]).unwrap_or(0.0);
        }
        let uri = format!("/export/flow-stats.csv?filter={}&groupBy=YEAR,RECIPIENT{guidance}", encode(&filter));
        let reply = get(&test, &uri).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let (_, rows) = parse_csv(&reply.body);
        for (year, country) in [("2010", "KEN"), ("2007", "AGO"), ("2014", "ETH")] {
            let row = rows
                .iter()
                .find(|r| r["year"] == year && r["recipient_code"] == country)
                .unwrap_or_else(|| panic!("{guidance}: no group {year} {country} among {} rows", rows.len()));
            let (count, published) = expected[&(year.to_owned(), country.to_owned())];
            assert_eq!(row["count"], count.to_string(), "{guidance} {year} {country}");
            let sum: f64 = row["sum_usd_constant"].parse().expect("number");
            assert!(
                (sum - published).abs() <= 1e-6 * published.max(1.0),
                "{guidance} {year} {country}: {sum} vs {published}"
            );
        }
    }
    let reply = get(&test, &format!("/export/flow-stats.csv?filter={}&guidance=sometimes", encode(&filter))).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("`guidance=SOMETIMES` is neither `follow` nor `ignore`"), "{}", reply.body);
}

#[tokio::test]
async fn the_sources_of_an_export_are_a_sidecar() {
    let test = TestDb::new().await;
    let filter = json!({ "provider": { "code": ["CHN"] } });
    let reply = get(&test, &format!("/export/flows.csv?filter={}", encode(&filter))).await;
    assert_eq!(reply.status, 200);
    let reply = get(&test, &format!("/export/flows.sources.csv?filter={}", encode(&filter))).await;
    let (_, rows) = parse_csv(&reply.body);
    let gcof = rows.iter().find(|r| r["source"] == "aiddata-gcof-1.0").expect("GCOF among the sources");
    assert!(gcof["citation"].contains("Dreher"));
    assert!(gcof["licence"].contains("ODC"));
}

#[tokio::test]
async fn bad_filters_are_400_with_a_clear_message() {
    let test = TestDb::new().await;
    for (uri, word) in [
        ("/export/flows.csv?filter=%7Bnot%20json", "filter"),
        ("/export/flows.csv?filter=%7B%22year%22%3A%22soon%22%7D", "filter"),
        ("/export/flow-stats.csv?groupBy=PLANET", "groupBy"),
    ] {
        let reply = get(&test, uri).await;
        assert_eq!(reply.status, 400, "{uri}: {}", reply.body);
        let error = &reply.json()["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert!(error["message"].as_str().unwrap_or_default().contains(word), "{error}");
    }
}

#[tokio::test]
async fn gzip_downloads_are_complete() {
    let test = TestDb::new().await;
    let filter = json!({ "recipient": { "code": ["KEN"] } });
    let request = Request::get(format!("/export/flows.csv?filter={}", encode(&filter)))
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .expect("request");
    let plain = get(&test, &format!("/export/flows.csv?filter={}", encode(&filter))).await;
    let response = test.api().send_raw(request).await;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&response[..]), &mut text).expect("gzip");
    assert_eq!(text, plain.body);
}

#[tokio::test]
async fn parameters_an_export_does_not_take_are_400_naming_the_ones_it_does() {
    let test = TestDb::new().await;
    for (uri, named) in [
        ("/export/flows.csv?filters=%7B%7D", "filters"),
        ("/export/flows.csv?groupBy=YEAR", "groupBy"),
        ("/export/flow-stats.csv?groupBy=YEAR&orderBy=%5B%5D", "orderBy"),
        ("/export/exchanges.sources.csv?orderBy=%5B%5D", "orderBy"),
    ] {
        let reply = get(&test, uri).await;
        assert_eq!(reply.status, 400, "{uri}: {}", reply.body);
        let error = &reply.json()["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("`{named}`")) && message.contains("`filter`"), "{uri}: {message}");
    }
}

#[tokio::test]
async fn an_export_stopped_early_says_so_in_its_last_line() {
    let test = TestDb::new().await;
    let http = HttpConfig { export_timeout_s: 0, ..HttpConfig::default() };
    let api = test.api_with_options(AppOptions { http, ..AppOptions::default() });
    let ndjson = api.send(Request::get("/export/flows.ndjson").body(Body::empty()).expect("request")).await;
    assert_eq!(ndjson.status, 200);
    let last: Value = serde_json::from_str(ndjson.body.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["error"]["code"], "TIMEOUT", "{last}");
    assert!(last["error"]["message"].as_str().unwrap_or_default().contains("incomplete"), "{last}");
    let csv = api.send(Request::get("/export/flows.csv").body(Body::empty()).expect("request")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("\u{feff}source,reference,"), "the header comes first");
    let last = csv.body.lines().last().expect("a line");
    assert!(last.starts_with("#ERROR TIMEOUT: export stopped"), "{last}");
}
