//! Charts: the Vega-Lite specifications of the aggregates carry the published figures,
//! their units, and their own sources and caveats.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::{
    published::{self, amount},
    questions::south_south_bits_by_party,
    support::TestDb,
};

const GCOF: &str = "aiddata-gcof-1.0";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// The single view of a specification (the chart under its title).
fn view(spec: &Value) -> &Value {
    &spec["vconcat"][0]
}

/// The data values of a specification.
fn values(spec: &Value) -> &Vec<Value> {
    spec["data"]["values"].as_array().expect("inline values")
}

/// The footnote's lines, joined.
fn footnote(spec: &Value) -> String {
    view(spec)["title"]["text"]
        .as_array()
        .expect("footnote")
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_time_series_chart_plots_the_published_sums_per_year() {
    let test = TestDb::new().await;
    let mut expected: BTreeMap<i64, f64> = (2000..=2014).map(|year| (year, 0.0)).collect();
    for row in published::gcof_for_research() {
        if let Some(sum) = expected.get_mut(&row["year"].parse().unwrap_or_default()) {
            *sum += amount(&row["usd_defl_2014"]).unwrap_or(0.0);
        }
    }
    let data = test
        .api()
        .data(
            "query($f: FlowFilter) { flowTimeSeriesChart(filter: $f, from: 2000, to: 2014, measure: USD_CONSTANT) { title vegaLite } }",
            json!({ "f": { "source": [GCOF] } }),
        )
        .await;
    let spec = &data["flowTimeSeriesChart"]["vegaLite"];
    assert!(spec["$schema"].as_str().unwrap_or_default().contains("vega-lite/v6"));
    assert_eq!(view(spec)["mark"]["type"], "line", "years draw as a line by default");
    assert_eq!(view(spec)["encoding"]["x"]["field"], "year");
    assert_eq!(view(spec)["encoding"]["y"]["field"], "sumUsdConstant");
    assert_eq!(spec["title"]["subtitle"], "Constant US dollars of 2014 (the publisher's)");
    let plotted: BTreeMap<i64, f64> = values(spec)
        .iter()
        .map(|value| (value["year"].as_i64().expect("year"), value["sumUsdConstant"].as_f64().expect("sum")))
        .collect();
    assert_eq!(plotted.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
    for (year, sum) in &expected {
        assert!(close(plotted[year], *sum), "{year}: {} vs {sum}", plotted[year]);
    }
    assert_eq!(spec["usermeta"]["sources"], json!([GCOF]));
    let caveats = spec["usermeta"]["caveats"].as_array().expect("caveats");
    assert!(caveats.contains(&json!("GUIDANCE_FOLLOWED")), "{caveats:?}");
    let footnote = footnote(spec);
    assert!(footnote.contains("Source: Dreher, A., Fuchs, A., Parks, B."), "{footnote}");
    assert!(footnote.contains("left out of these totals"), "{footnote}");
}

#[tokio::test]
async fn a_heatmap_of_two_dimensions_plots_each_published_cell() {
    let test = TestDb::new().await;
    let regions: HashMap<String, String> = published::regions();
    let mut expected: BTreeMap<(i64, String), f64> = BTreeMap::new();
    for row in published::gcof_for_research() {
        let region = regions.get(&row["recipient_iso3"]).cloned().unwrap_or_else(|| "Unspecified".to_owned());
        *expected.entry((row["year"].parse().unwrap_or_default(), region)).or_default() +=
            amount(&row["usd_defl_2014"]).unwrap_or(0.0);
    }
    let data = test
        .api()
        .data(
            "query($f: FlowFilter) { flowStatsChart(filter: $f, groupBy: [YEAR, RECIPIENT_REGION], measure: USD_CONSTANT, first: 1000) { vegaLite(mark: HEATMAP) } }",
            json!({ "f": { "source": [GCOF] } }),
        )
        .await;
    let spec = &data["flowStatsChart"]["vegaLite"];
    assert_eq!(view(spec)["mark"]["type"], "rect");
    assert_eq!(view(spec)["encoding"]["x"]["field"], "year");
    assert_eq!(view(spec)["encoding"]["y"]["field"], "recipientRegion");
    assert_eq!(view(spec)["encoding"]["color"]["field"], "sumUsdConstant");
    assert_eq!(values(spec).len(), expected.len());
    for value in values(spec) {
        let key =
            (value["year"].as_i64().expect("year"), value["recipientRegion"].as_str().expect("region").to_owned());
        assert!(close(value["sumUsdConstant"].as_f64().expect("sum"), expected[&key]), "{key:?}");
    }
}

#[tokio::test]
async fn an_agreement_chart_ranks_the_published_treaties() {
    let test = TestDb::new().await;
    let names = published::country_names();
    let mut ranked: Vec<(String, u64)> =
        south_south_bits_by_party().into_iter().map(|(iso3, count)| (names[&iso3].clone(), count as u64)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let data = test
        .api()
        .data(
            "{ agreementStatsChart(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 5) { vegaLite } }",
            json!({}),
        )
        .await;
    let spec = &data["agreementStatsChart"]["vegaLite"];
    assert_eq!(view(spec)["mark"]["type"], "bar");
    assert_eq!(view(spec)["encoding"]["y"]["field"], "party", "ranked names lie down");
    let plotted: Vec<(String, u64)> = values(spec)
        .iter()
        .map(|value| (value["party"].as_str().expect("name").to_owned(), value["count"].as_u64().expect("count")))
        .collect();
    let counts: Vec<u64> = plotted.iter().map(|(_, count)| *count).collect();
    assert_eq!(counts, ranked.iter().take(5).map(|(_, count)| *count).collect::<Vec<_>>());
    for (name, count) in &plotted {
        assert!(ranked.contains(&(name.clone(), *count)), "{name} {count}");
    }
}

#[tokio::test]
async fn matrix_and_partner_charts_plot_what_their_fields_return() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
              flowMatrix(level: REGION, top: 4) { links { source target value } vegaLite }
              country(code: "CHN") {
                partners(first: 5) { country { name } sumUsdReal }
                partnersChart(first: 5) { vegaLite(mark: BAR) }
              }
            }"#,
            json!({}),
        )
        .await;
    let matrix = &data["flowMatrix"]["vegaLite"];
    assert_eq!(view(matrix)["mark"]["type"], "rect", "a matrix is a heatmap by default");
    let links: Vec<Value> = data["flowMatrix"]["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|link| json!({ "provider": link["source"], "recipient": link["target"], "sumUsdReal": link["value"] }))
        .collect();
    assert_eq!(values(matrix), &links);

    let partners = &data["country"]["partnersChart"]["vegaLite"];
    let listed: Vec<Value> = data["country"]["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .map(|partner| json!({ "recipient": partner["country"]["name"], "sumUsdReal": partner["sumUsdReal"] }))
        .collect();
    assert_eq!(values(partners), &listed);
    assert_eq!(partners["title"]["text"], "Recipients of flows from China");
}

#[tokio::test]
async fn each_chart_footnotes_its_own_sources() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
              gcof: flowStatsChart(filter: { source: ["aiddata-gcof-1.0"] }, groupBy: [KIND], measure: COUNT) { vegaLite }
              agreements: agreementStatsChart(groupBy: [KIND]) { vegaLite }
              experts: expertStatsChart(groupBy: [KIND], measure: DEPLOYMENTS) { vegaLite }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["gcof"]["vegaLite"]["usermeta"]["sources"], json!([GCOF]));
    let agreements = data["agreements"]["vegaLite"]["usermeta"]["sources"].as_array().expect("sources");
    assert!(!agreements.is_empty() && !agreements.contains(&json!(GCOF)), "{agreements:?}");
    assert!(data["agreements"]["vegaLite"]["usermeta"]["caveats"].as_array().expect("caveats").is_empty());
    assert_eq!(view(&data["experts"]["vegaLite"])["encoding"]["x"]["field"], "deployments");
}

#[tokio::test]
async fn charts_refuse_what_they_cannot_draw() {
    let test = TestDb::new().await;
    let api = test.api();
    for (query, code, says) in [
        ("{ flowStatsChart(groupBy: [PROVIDER]) { vegaLite(mark: HEATMAP) } }", "BAD_USER_INPUT", "two dimensions"),
        ("{ flowStatsChart(groupBy: [YEAR, PROVIDER, KIND]) { title } }", "BAD_USER_INPUT", "at most 2 dimensions"),
        ("{ agreementStatsChart(groupBy: [KIND, SCOPE, STATUS]) { title } }", "BAD_USER_INPUT", "at most 2"),
        ("{ flowStatsChart(groupBy: [SOURCE], measure: USD_CONSTANT) { title } }", "MIXED_DOLLAR_BASES", "constant"),
        ("{ flowStatsChart(groupBy: [YEAR], first: -1) { title } }", "BAD_USER_INPUT", "first"),
    ] {
        let (found, message) = api.error(query, json!({})).await;
        assert_eq!(found, code, "{query}: {message}");
        assert!(message.contains(says), "{query}: {message}");
    }
}
