//! Real dollars and constant-dollar bases: real amounts equal the published amounts
//! deflated by the published CPI-U series (both read here from the bundled files), and
//! constant amounts of different base years are never added.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::{
    published::{self, amount, real},
    support::TestDb,
};

const GCOF: &str = "aiddata-gcof-1.0";
const QATAR: &str = "aiddata-tuff-qatar-1.0";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// Question 1's flows (China to Africa, 2000–2014, the rows AidData recommends) in dollars
/// of 2024 and of the series' latest year, summed from the published file and series.
#[tokio::test]
async fn real_dollars_are_current_dollars_deflated_by_the_published_cpi() {
    let cpi = published::cpi();
    let latest = *cpi.keys().last().expect("years");
    assert_eq!(latest, 2025);
    let africa: HashSet<String> = published::countries()
        .into_iter()
        .filter(|row| row["Region Name"] == "Africa")
        .map(|row| row["ISO3166-1-Alpha-3"].clone())
        .collect();
    let expected = |base: i32| -> (f64, usize) {
        let rows: Vec<f64> = published::gcof_for_research()
            .iter()
            .filter(|row| africa.contains(&row["recipient_iso3"]))
            .filter_map(|row| {
                let year: i32 = row["year"].parse().ok().filter(|year| (2000..=2014).contains(year))?;
                real(&cpi, base, amount(&row["usd_current"]), year, amount(&row["usd_defl_2014"]), 2014)
            })
            .collect();
        (rows.iter().sum(), rows.len())
    };
    let test = TestDb::new().await;
    let response = test
        .api()
        .post(
            r#"query($f: FlowFilter) {
                 flowStats(filter: $f, groupBy: []) { countWithAmount sumUsdReal of2024: sumUsdReal(baseYear: 2024) }
               }"#,
            json!({ "f": { "source": [GCOF], "recipient": { "region": ["Africa"] }, "year": { "gte": 2000, "lte": 2014 } } }),
        )
        .await;
    let stats = &response["data"]["flowStats"][0];
    let (of_2024, with_amount) = expected(2024);
    assert_eq!(stats["countWithAmount"].as_u64(), Some(with_amount as u64));
    assert!(close(stats["of2024"].as_f64().unwrap_or_default(), of_2024), "{stats} vs {of_2024}");
    let (of_latest, _) = expected(latest);
    assert!(close(stats["sumUsdReal"].as_f64().unwrap_or_default(), of_latest), "the default base is {latest}");
    let cited: Vec<&str> = response["extensions"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert!(cited.contains(&"bls-cpi-u"), "real dollars cite the CPI-U: {cited:?}");
}

/// Qatar's TUFF file has current dollars only for amounts in USD; its other rows have
/// constant 2012 dollars only, which are rebased, and say so.
#[tokio::test]
async fn constant_only_amounts_are_rebased_and_say_so() {
    let cpi = published::cpi();
    let mut seen = HashSet::new();
    let rows: Vec<HashMap<String, String>> = published::csv_rows("Qatar_TUFFDonorDataset_Level1_v1.0.csv.gz")
        .into_iter()
        .filter(|row| seen.insert(row["project_id"].clone()))
        .collect();
    let separated = |value: &str| amount(&value.replace(',', ""));
    let (mut expected, mut rebased) = (0.0, 0);
    for row in &rows {
        let current = separated(&row["amount"]).filter(|_| row["currency"] == "USD");
        let constant = separated(&row["usd_defl"]);
        let year: i32 = row["year"].parse().expect("year");
        if let Some(value) = real(&cpi, 2024, current, year, constant, 2012) {
            expected += value;
            rebased += usize::from(current.is_none());
        }
    }
    assert!(rebased > 0, "the file has rows in constant dollars only");
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"query($f: FlowFilter, $c: FlowFilter) {
                 flowStats(filter: $f, groupBy: []) { count sumUsdReal(baseYear: 2024) }
                 flows(filter: $c, first: 100) { nodes { amountUsdConstant amountUsdReal(baseYear: 2012) amountRebased } }
               }"#,
            json!({ "f": { "source": [QATAR] }, "c": { "source": [QATAR], "amountUsdConstant": { "gte": 0 } } }),
        )
        .await;
    assert_eq!(data["flowStats"][0]["count"].as_u64(), Some(rows.len() as u64));
    let sum = data["flowStats"][0]["sumUsdReal"].as_f64().unwrap_or_default();
    assert!(close(sum, expected), "{sum} vs {expected}");
    let nodes = data["flows"]["nodes"].as_array().expect("flows");
    let flagged: Vec<_> = nodes.iter().filter(|node| node["amountRebased"] == true).collect();
    assert_eq!(flagged.len(), rebased);
    for node in flagged {
        // Rebased to their own base year, they are the published constant amounts.
        assert!(close(
            node["amountUsdReal"].as_f64().unwrap_or_default(),
            node["amountUsdConstant"].as_f64().unwrap_or(f64::NAN)
        ));
    }
}

/// GCOF's constant dollars are of 2014, TUFF's of 2012: no aggregate adds them.
#[tokio::test]
async fn constant_dollars_of_different_bases_are_never_added() {
    let test = TestDb::new().await;
    let api = test.api();
    let mixed = [
        "{ flowStats(groupBy: []) { sumUsdConstant } }",
        "{ flowStats(groupBy: [YEAR], orderBy: [{measure: USD_CONSTANT}]) { count } }",
        "{ flowMatrix(level: REGION, measure: USD_CONSTANT) { labels } }",
        r#"{ southSouthShare(filter: {provider: {code: ["CHN", "SAU"]}}, measure: USD_CONSTANT) { share } }"#,
        r#"{ country(code: "KEN") { partners(direction: RECEIVED, measure: USD_CONSTANT) { count } } }"#,
    ];
    for query in mixed {
        let (code, message) = api.error(query, json!({})).await;
        assert_eq!(code, "MIXED_DOLLAR_BASES", "{query}: {message}");
        assert!(message.contains("2012") && message.contains("2014") && message.contains("USD_REAL"), "{message}");
    }
    let data = api
        .data(
            r#"{ byBase: flowStats(groupBy: [CONSTANT_BASE_YEAR]) { constantBaseYear sumUsdConstant }
                 gcof: flowMatrix(level: REGION, measure: USD_CONSTANT, filter: {source: ["aiddata-gcof-1.0"]}) { labels }
                 saudi: southSouthShare(filter: {provider: {code: ["SAU"]}}, measure: USD_CONSTANT) { total } }"#,
            json!({}),
        )
        .await;
    let bases: Vec<_> =
        data["byBase"].as_array().expect("groups").iter().map(|g| g["constantBaseYear"].clone()).collect();
    assert_eq!(bases, [json!(2012), json!(2014), json!(null)]);
    assert!(data["saudi"]["total"].as_f64().unwrap_or_default() > 0.0);
    for (query, year) in [
        ("{ flowStats(groupBy: []) { sumUsdReal(baseYear: 1900) } }", "1900"),
        (
            r#"{ flows(first: 1, filter: {source: ["aiddata-gcof-1.0"]}) { nodes { amountUsdReal(baseYear: 2100) } } }"#,
            "2100",
        ),
    ] {
        let (code, message) = api.error(query, json!({})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains(year) && message.contains("1913–2025"), "{message}");
    }
}
