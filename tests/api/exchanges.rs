//! China's Public Diplomacy: exchanges and finance projects against the published
//! workbooks, read here with calamine independently of the loader.

use std::collections::{BTreeMap, HashSet};

use axum::{body::Body, http::Request};
use serde_json::{Value, json};

use crate::{published, support::TestDb};

const SOURCE: &str = "aiddata-china-pubdip-1.0";

/// The measure columns of the country-year workbook and the kinds the API names them by.
const KINDS: [(&str, &str); 9] = [
    ("confucius_institutes", "CONFUCIUS_INSTITUTES"),
    ("sister_cities_established", "SISTER_CITIES"),
    ("government_visits", "GOVERNMENT_VISITS"),
    ("military_visits", "MILITARY_VISITS"),
    ("ambassador_op_eds", "AMBASSADOR_OP_EDS"),
    ("journalist_visits", "JOURNALIST_VISITS"),
    ("media_partnerships", "MEDIA_PARTNERSHIPS"),
    ("outbound_chinese_students", "OUTBOUND_STUDENTS"),
    ("inbound_students_to_china", "INBOUND_STUDENTS"),
];

/// Whether the dataset's Readme says a measure was not collected in a year: "Data for
/// 2000-2001 not available" (inbound students), "2016 yearbook was not available" (visits).
fn not_collected(column: &str, year: i32) -> bool {
    match column {
        "inbound_students_to_china" => year <= 2001,
        "government_visits" | "military_visits" => year == 2016,
        _ => false,
    }
}

fn number(cell: &str) -> i64 {
    cell.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {cell}")) as i64
}

/// Records and sum by kind, as the workbook publishes them, for the rows `keep` keeps;
/// values the Readme says were not collected (all zeros in the file) are not records.
fn published_totals(keep: impl Fn(&std::collections::HashMap<String, String>) -> bool) -> BTreeMap<String, (i64, i64)> {
    let mut totals = BTreeMap::new();
    for row in published::pubdip_country_years().iter().filter(|row| keep(row)) {
        let year = number(&row["year"]) as i32;
        for (column, kind) in KINDS {
            let value = number(&row[column]);
            if not_collected(column, year) && value == 0 {
                continue;
            }
            let entry = totals.entry(kind.to_owned()).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += value;
        }
    }
    totals
}

fn served_totals(groups: &Value) -> BTreeMap<String, (i64, i64)> {
    groups
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            let kind = group["kind"].as_str().expect("kind").to_owned();
            (kind, (group["records"].as_i64().expect("records"), group["total"].as_i64().expect("total")))
        })
        .collect()
}

#[tokio::test]
async fn exchange_stats_by_kind_equal_the_published_sums_and_cite_the_dataset() {
    let test = TestDb::new().await;
    let response = test
        .api()
        .post(
            r#"{ exchangeStats(filter: {provider: {code: ["CHN"]}}, groupBy: [KIND]) { kind records total } }"#,
            json!({}),
        )
        .await;
    assert!(response["errors"].is_null(), "{response:#}");
    assert_eq!(served_totals(&response["data"]["exchangeStats"]), published_totals(|_| true));
    let cited: Vec<&str> = response["extensions"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert!(cited.contains(&SOURCE), "{cited:?}");

    // The file's elite visits are government plus military visits: never a kind of its own.
    let elite: i64 = published::pubdip_country_years().iter().map(|row| number(&row["total_elite_visits"])).sum();
    let totals = published_totals(|_| true);
    assert_eq!(totals["GOVERNMENT_VISITS"].1 + totals["MILITARY_VISITS"].1, elite);
}

#[tokio::test]
async fn a_partner_country_lists_its_exchanges_by_kind_and_year() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{ country(code: "JPN") {
                exchangesReceived(filter: {kind: [JOURNALIST_VISITS, SISTER_CITIES], year: {gte: 2005, lte: 2010}},
                                  orderBy: [{field: YEAR}], first: 100) {
                    totalCount nodes { year kind count provider { iso3 } partner { iso3 } source { key } }
                }
            } }"#,
            json!({}),
        )
        .await;
    let served = &data["country"]["exchangesReceived"];
    let expected = published_totals(|row| {
        row["receiving_country"] == "Japan" && (2005..=2010).contains(&(number(&row["year"]) as i32))
    });
    let nodes = served["nodes"].as_array().expect("nodes");
    assert_eq!(served["totalCount"], json!(12));
    assert_eq!(nodes.len(), 12);
    for kind in ["JOURNALIST_VISITS", "SISTER_CITIES"] {
        let sum: i64 = nodes.iter().filter(|n| n["kind"] == kind).map(|n| n["count"].as_i64().expect("count")).sum();
        assert_eq!(sum, expected[kind].1, "{kind}");
    }
    assert!(nodes.iter().all(|n| n["provider"]["iso3"] == "CHN" && n["partner"]["iso3"] == "JPN"));
    assert!(nodes.iter().all(|n| n["source"]["key"] == SOURCE));
    let years: Vec<i64> = nodes.iter().map(|n| n["year"].as_i64().expect("year")).collect();
    assert!(years.windows(2).all(|pair| pair[0] <= pair[1]), "ordered by year: {years:?}");

    // Every country of the file matched a country: China provided every record.
    let all = published_totals(|_| true).values().map(|(records, _)| records).sum::<i64>();
    let china = test.api().data(r#"{ country(code: "CHN") { exchangesProvided { totalCount } } }"#, json!({})).await;
    assert_eq!(china["country"]["exchangesProvided"]["totalCount"], json!(all));
}

#[tokio::test]
async fn an_exchange_has_a_stable_id_and_is_found_by_reference() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api
        .data(
            &format!(
                r#"{{ exchange(source: "{SOURCE}", reference: "Australia/2000/government_visits") {{ id count }} }}"#
            ),
            json!({}),
        )
        .await;
    let australia_2000 = published::pubdip_country_years()
        .into_iter()
        .find(|row| row["receiving_country"] == "Australia" && number(&row["year"]) == 2000)
        .expect("Australia 2000");
    assert_eq!(data["exchange"]["count"], json!(number(&australia_2000["government_visits"])));
    let node =
        api.data("query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": data["exchange"]["id"] })).await;
    assert_eq!(node["node"]["__typename"], "Exchange");
}

#[tokio::test]
async fn exchanges_export_as_csv_with_their_sources() {
    let test = TestDb::new().await;
    let filter = r#"{"partner":{"code":["KHM"]}}"#;
    let encoded: String = filter.bytes().map(|b| format!("%{b:02X}")).collect();
    let reply = test
        .api()
        .send(Request::get(format!("/export/exchanges.csv?filter={encoded}")).body(Body::empty()).expect("request"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.body.strip_prefix('\u{feff}').expect("byte-order mark");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "source",
            "reference",
            "provider_iso3",
            "provider_name",
            "partner_iso3",
            "partner_name",
            "year",
            "kind",
            "count"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|record| record.expect("record")).collect();
    let expected = published_totals(|row| row["receiving_country"] == "Cambodia");
    assert_eq!(rows.len() as i64, expected.values().map(|(records, _)| records).sum::<i64>());
    let students: i64 =
        rows.iter().filter(|row| &row[7] == "OUTBOUND_STUDENTS").map(|row| row[8].parse::<i64>().expect("count")).sum();
    assert_eq!(students, expected["OUTBOUND_STUDENTS"].1);

    let sources = test
        .api()
        .send(
            Request::get(format!("/export/exchanges.sources.csv?filter={encoded}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(sources.status, 200);
    assert!(sources.body.contains(SOURCE) && sources.body.contains("ODC-By 1.0"), "{}", sources.body);
    let unknown = test
        .api()
        .send(Request::get("/export/exchanges.csv?filter=%7B%22partnr%22%3A1%7D").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(unknown.status, 400, "an unknown filter field is an error: {}", unknown.body);
}

#[tokio::test]
async fn finance_projects_are_flows_and_gcof_projects_count_once_in_aggregates() {
    let test = TestDb::new().await;
    let projects = published::pubdip_projects();
    let gcof: HashSet<String> = published::gcof().into_iter().map(|row| row["project_id"].clone()).collect();
    let repeats = projects.iter().filter(|row| gcof.contains(&row["project_id"])).count();
    let current: f64 = projects.iter().filter_map(|row| row["usd_current"].parse::<f64>().ok()).sum();

    let data = test
        .api()
        .data(
            &format!(
                r#"{{ all: flowStats(filter: {{source: ["{SOURCE}"], repeats: false}}, groupBy: []) {{ count }}
                     listed: flows(filter: {{source: ["{SOURCE}"]}}) {{ totalCount }}
                     withRepeats: flowStats(filter: {{source: ["{SOURCE}"], or: [{{repeats: true}}, {{repeats: false}}]}}, groupBy: []) {{ count sumUsdCurrent }}
                     repeated: flows(filter: {{source: ["{SOURCE}"], repeats: true}}, first: 1) {{ totalCount nodes {{ reference repeatOf {{ reference source {{ key }} }} }} }}
                     both: flowStats(filter: {{source: ["aiddata-gcof-1.0", "{SOURCE}"]}}, guidance: IGNORE, groupBy: []) {{ count }} }}"#
            ),
            json!({}),
        )
        .await;
    assert_eq!(data["listed"]["totalCount"], json!(projects.len()));
    assert_eq!(data["withRepeats"][0]["count"], json!(projects.len()));
    let served = data["withRepeats"][0]["sumUsdCurrent"].as_f64().expect("sum");
    assert!((served - current).abs() < 0.01, "{served} against {current}");
    assert_eq!(data["all"][0]["count"], json!(projects.len() - repeats));
    assert_eq!(data["repeated"]["totalCount"], json!(repeats));
    let node = &data["repeated"]["nodes"][0];
    assert_eq!(node["repeatOf"]["reference"], node["reference"]);
    assert_eq!(node["repeatOf"]["source"]["key"], "aiddata-gcof-1.0");
    // By default an aggregate over both datasets counts each project once (every row,
    // recommended for research or not, with `guidance: IGNORE`).
    assert_eq!(data["both"][0]["count"], json!(gcof.len() + projects.len() - repeats));

    // The flows export names what each repeat repeats.
    let filter: String =
        format!(r#"{{"source":["{SOURCE}"],"repeats":true}}"#).bytes().map(|b| format!("%{b:02X}")).collect();
    let reply = test
        .api()
        .send(Request::get(format!("/export/flows.csv?filter={filter}")).body(Body::empty()).expect("request"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.body.strip_prefix('\u{feff}').expect("byte-order mark");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"));
    let (reference, of_source, of_reference) =
        (column("reference"), column("repeat_of_source"), column("repeat_of_reference"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|record| record.expect("record")).collect();
    assert_eq!(rows.len(), repeats);
    assert!(rows.iter().all(|row| &row[of_source] == "aiddata-gcof-1.0" && row[of_reference] == row[reference]));
}

#[tokio::test]
async fn the_import_run_reports_every_published_value() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            &format!(
                r#"{{ source(key: "{SOURCE}") {{ licence importRuns(first: 1) {{ nodes {{
                    rowsRead rowsImported rowsLeftOut rowsSkipped referencesUnmatched skipReasons {{ kind reason count }} }} }} }} }}"#
            ),
            json!({}),
        )
        .await;
    assert_eq!(data["source"]["licence"], "ODC-By 1.0");
    let run = &data["source"]["importRuns"]["nodes"][0];
    let country_years = published::pubdip_country_years();
    let values = country_years.len() * KINDS.len();
    let stored: i64 = published_totals(|_| true).values().map(|(records, _)| records).sum();
    let projects = published::pubdip_projects().len();
    assert_eq!(run["rowsRead"], json!(projects + values), "projects, and the country-year sheet in values");
    assert_eq!(run["rowsImported"], json!(projects as i64 + stored));
    assert_eq!(run["rowsLeftOut"], json!(values as i64 - stored));
    assert_eq!((run["rowsSkipped"].clone(), run["referencesUnmatched"].clone()), (json!(0), json!(0)));
}
