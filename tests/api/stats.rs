//! Aggregates equal the sums of the published rows, computed here from the bundled files.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use crate::{
    published::{self, amount},
    support::TestDb,
};

const GCOF: &str = "aiddata-gcof-1.0";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

#[tokio::test]
async fn totals_for_one_recipient_match_the_published_rows() {
    let test = TestDb::new().await;
    let rows: Vec<_> = published::gcof().into_iter().filter(|r| r["recipient_iso3"] == "AGO").collect();
    let constant: f64 = rows.iter().filter_map(|r| amount(&r["usd_defl_2014"])).sum();
    let current: f64 = rows.iter().filter_map(|r| amount(&r["usd_current"])).sum();
    let largest = rows.iter().filter_map(|r| amount(&r["usd_defl_2014"])).fold(f64::MIN, f64::max);
    let data = test
        .api()
        .data(
            "query($f: FlowFilter) { flowStats(filter: $f, groupBy: []) { count sumUsdConstant sumUsdCurrent maxUsdConstant } }",
            json!({ "f": { "source": [GCOF], "recipient": { "code": ["AGO"] } } }),
        )
        .await;
    let stats = &data["flowStats"][0];
    assert_eq!(stats["count"].as_u64(), Some(rows.len() as u64));
    assert!(close(stats["sumUsdConstant"].as_f64().unwrap_or_default(), constant), "{stats} vs {constant}");
    assert!(close(stats["sumUsdCurrent"].as_f64().unwrap_or_default(), current), "{stats} vs {current}");
    assert!(close(stats["maxUsdConstant"].as_f64().unwrap_or_default(), largest));
}

#[tokio::test]
async fn grouping_by_year_and_region_matches_the_published_rows() {
    let test = TestDb::new().await;
    let regions: BTreeMap<String, String> = published::countries()
        .into_iter()
        .map(|r| (r["ISO3166-1-Alpha-3"].clone(), r["Region Name"].clone()))
        .collect();
    let mut expected: BTreeMap<(i64, String), (u64, f64)> = BTreeMap::new();
    for row in published::gcof() {
        let region = regions.get(&row["recipient_iso3"]).cloned().unwrap_or_default();
        let entry = expected.entry((row["year"].parse().unwrap_or_default(), region)).or_default();
        entry.0 += 1;
        entry.1 += amount(&row["usd_defl_2014"]).unwrap_or(0.0);
    }
    let data = test
        .api()
        .data(
            "query($f: FlowFilter) { flowStats(filter: $f, groupBy: [YEAR, RECIPIENT_REGION], first: 1000) { year recipientRegion count sumUsdConstant } }",
            json!({ "f": { "source": [GCOF] } }),
        )
        .await;
    let groups = data["flowStats"].as_array().expect("groups");
    assert_eq!(groups.len(), expected.len());
    for group in groups {
        let key = (
            group["year"].as_i64().unwrap_or_default(),
            group["recipientRegion"].as_str().unwrap_or_default().to_owned(),
        );
        let (count, sum) = expected[&key];
        assert_eq!(group["count"].as_u64(), Some(count), "{key:?}");
        assert!(close(group["sumUsdConstant"].as_f64().unwrap_or_default(), sum), "{key:?}");
    }
}

#[tokio::test]
async fn time_series_have_no_gaps() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{ flowTimeSeries(filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }, from: 1998, to: 2016) { year count sumUsdConstant } }"#,
            json!({}),
        )
        .await;
    let years = data["flowTimeSeries"].as_array().expect("series");
    assert_eq!(years.len(), 19);
    for (index, point) in years.iter().enumerate() {
        let year = 1998 + index as i64;
        assert_eq!(point["year"].as_i64(), Some(year));
        let published = published::gcof().iter().filter(|r| r["year"] == year.to_string()).count() as u64;
        assert_eq!(point["count"].as_u64(), Some(published), "{year}");
    }
    assert_eq!(years[0]["count"], 0, "1998 has no projects");
    assert_eq!(years[0]["sumUsdConstant"], 0.0);
}

#[tokio::test]
async fn matrices_add_up_to_the_total() {
    let test = TestDb::new().await;
    let total: f64 = published::gcof().iter().filter_map(|r| amount(&r["usd_defl_2014"])).sum();
    let data = test
        .api()
        .data(
            r#"{ flowMatrix(filter: { source: ["aiddata-gcof-1.0"] }, level: REGION) { labels matrix links { source target value } } }"#,
            json!({}),
        )
        .await;
    let matrix = &data["flowMatrix"];
    let labels: Vec<&str> = matrix["labels"].as_array().expect("labels").iter().filter_map(|l| l.as_str()).collect();
    assert!(labels.contains(&"Asia") && labels.contains(&"Africa"), "{labels:?}");
    let cells: f64 = matrix["matrix"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|row| row.as_array().expect("row").iter())
        .filter_map(|v| v.as_f64())
        .sum();
    assert!(close(cells, total), "{cells} vs {total}");
    let links: f64 = matrix["links"].as_array().expect("links").iter().filter_map(|l| l["value"].as_f64()).sum();
    assert!(close(links, total));
    assert_eq!(matrix["links"][0]["source"], "Asia", "China is in Asia");
}

#[tokio::test]
async fn south_south_share_and_partners_of_china() {
    let test = TestDb::new().await;
    let south: HashSet<String> = published::developing().into_iter().collect();
    let countries: HashSet<String> =
        published::countries().into_iter().map(|r| r["ISO3166-1-Alpha-3"].clone()).collect();
    let rows = published::gcof();
    let with_country: Vec<_> = rows.iter().filter(|r| countries.contains(&r["recipient_iso3"])).collect();
    let total: f64 = with_country.iter().filter_map(|r| amount(&r["usd_defl_2014"])).sum();
    let to_south: f64 = with_country
        .iter()
        .filter(|r| south.contains(&r["recipient_iso3"]))
        .filter_map(|r| amount(&r["usd_defl_2014"]))
        .sum();
    let mut by_recipient: BTreeMap<&str, f64> = BTreeMap::new();
    for row in &with_country {
        *by_recipient.entry(&row["recipient_iso3"]).or_default() += amount(&row["usd_defl_2014"]).unwrap_or(0.0);
    }
    let (top, top_sum) = by_recipient.iter().max_by(|a, b| a.1.total_cmp(b.1)).map(|(k, v)| (*k, *v)).expect("rows");

    let data = test
        .api()
        .data(
            r#"{
                southSouthShare(filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }) { total toSouth share }
                country(code: "CHN") { partners(filter: { source: ["aiddata-gcof-1.0"] }, first: 3) { country { iso3 } sumUsdConstant share count } }
                countries(filter: { code: ["CHN", "KEN", "BRA"] }) { nodes { iso3 partners(first: 2, filter: { source: ["aiddata-gcof-1.0"] }) { country { iso3 } } } }
            }"#,
            json!({}),
        )
        .await;
    let share = &data["southSouthShare"];
    assert!(close(share["total"].as_f64().unwrap_or_default(), total));
    assert!(close(share["toSouth"].as_f64().unwrap_or_default(), to_south));
    let partners = data["country"]["partners"].as_array().expect("partners");
    assert_eq!(partners.len(), 3);
    assert_eq!(partners[0]["country"]["iso3"], top);
    assert!(close(partners[0]["sumUsdConstant"].as_f64().unwrap_or_default(), top_sum));
    assert!(close(partners[0]["share"].as_f64().unwrap_or_default(), top_sum / total));
    for country in data["countries"]["nodes"].as_array().expect("countries") {
        if country["iso3"] == "CHN" {
            assert_eq!(country["partners"][0]["country"]["iso3"], top);
        }
    }
}

#[tokio::test]
async fn aggregates_refuse_too_many_groups() {
    let test = TestDb::new().await;
    let (code, message) = test.api().error("{ flowStats(groupBy: [YEAR], first: 5000) { count } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("first"), "{message}");
}

#[tokio::test]
async fn bilateral_investment_treaties_between_two_countries_match_the_published_list() {
    let test = TestDb::new().await;
    let treaties = published::csv_rows("unctad_iia_scrape_bits_raw.csv.gz");
    for (a, b, name_a, name_b) in [("CHN", "DEU", "China", "Germany"), ("ARG", "CHL", "Argentina", "Chile")] {
        let expected = treaties
            .iter()
            .filter(|t| t["type"] == "BITs")
            .filter(|t| t["parties"] == format!("{name_a}, {name_b}") || t["parties"] == format!("{name_b}, {name_a}"))
            .count() as u64;
        assert!(expected > 0);
        let data = test
            .api()
            .data(
                "query($a: String!, $b: String!) { agreements(filter: { kind: [INVESTMENT], and: [{ party: { code: [$a] } }, { party: { code: [$b] } }] }) { totalCount nodes { scope } } }",
                json!({ "a": a, "b": b }),
            )
            .await;
        assert_eq!(data["agreements"]["totalCount"].as_u64(), Some(expected), "{a}–{b}");
        assert!(data["agreements"]["nodes"].as_array().expect("nodes").iter().all(|n| n["scope"] == "BILATERAL"));
    }
}

#[tokio::test]
async fn agreement_groups_add_up_and_agree_with_the_list() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                agreements { totalCount }
                byKind: agreementStats(groupBy: [KIND]) { kind count }
                byScope: agreementStats(groupBy: [SCOPE]) { scope count }
                bilateral: agreements(filter: { source: ["unctad-iia-navigator"] }, first: 50) { nodes { scope } }
                southSouthBits: agreementStats(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 5) { party { iso3 isSouth } count }
                share: agreementSouthSouthShare(filter: { kind: [INVESTMENT] }) { total toSouth share }
                southSouth: agreements(filter: { kind: [INVESTMENT], southSouth: true }) { totalCount }
                investment: agreements(filter: { kind: [INVESTMENT] }) { totalCount }
            }"#,
            json!({}),
        )
        .await;
    let total = data["agreements"]["totalCount"].as_i64().expect("total");
    let by_kind: i64 =
        data["byKind"].as_array().expect("groups").iter().map(|g| g["count"].as_i64().unwrap_or(0)).sum();
    assert_eq!(by_kind, total);
    let by_scope: i64 =
        data["byScope"].as_array().expect("groups").iter().map(|g| g["count"].as_i64().unwrap_or(0)).sum();
    assert_eq!(by_scope, total, "every agreement has one scope or none");
    for group in data["southSouthBits"].as_array().expect("groups") {
        assert_eq!(group["party"]["isSouth"], true);
    }
    assert_eq!(data["share"]["toSouth"].as_f64(), data["southSouth"]["totalCount"].as_f64());
    assert_eq!(data["share"]["total"].as_f64(), data["investment"]["totalCount"].as_f64());
}

#[tokio::test]
async fn expert_groups_count_experts_and_deployments() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                experts(filter: { homeCountry: { code: ["CHN"] } }) { totalCount }
                all: expertStats(filter: { homeCountry: { code: ["CHN"] } }, groupBy: []) { experts deployments }
                byRegion: expertStats(filter: { homeCountry: { code: ["CHN"] } }, groupBy: [HOST_REGION]) { hostRegion experts }
                byKind: expertStats(groupBy: [KIND, HOME_COUNTRY], first: 5) { kind homeCountry { iso3 } experts }
            }"#,
            json!({}),
        )
        .await;
    let experts = data["experts"]["totalCount"].as_i64().expect("total");
    assert_eq!(data["all"][0]["experts"].as_i64(), Some(experts));
    assert!(data["all"][0]["deployments"].as_i64().unwrap_or(0) >= experts);
    let africa =
        data["byRegion"].as_array().expect("groups").iter().find(|g| g["hostRegion"] == "Africa").expect("Africa");
    assert!(africa["experts"].as_i64().unwrap_or(0) > 0);
    assert_eq!(data["byKind"][0]["kind"], "TEAM");
}

#[tokio::test]
async fn desta_agreements_among_developing_countries_match_the_published_list() {
    let test = TestDb::new().await;
    let by_numeric: BTreeMap<String, bool> = published::countries()
        .into_iter()
        .filter_map(|r| {
            let code = r["ISO3166-1-numeric"].trim().trim_start_matches('0').to_owned();
            (!code.is_empty()).then(|| (code, r["Developed / Developing Countries"] == "Developing"))
        })
        .collect();
    let entries = published::csv_rows("desta_list_of_treaties_02_02.txt.gz");
    let mut members: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for entry in &entries {
        if entry["entry_type"] == "base_treaty" || entry["entry_type"] == "accession" {
            let codes = (1..=91)
                .filter_map(|i| entry.get(&format!("c{i}")))
                .map(|code| code.trim().trim_start_matches('0').to_owned())
                .filter(|code| by_numeric.contains_key(code));
            members.entry(entry["base_treaty"].clone()).or_default().extend(codes);
        }
    }
    let base: HashSet<&String> =
        entries.iter().filter(|e| e["entry_type"] == "base_treaty").map(|e| &e["base_treaty"]).collect();
    let expected = members
        .iter()
        .filter(|(treaty, codes)| {
            base.contains(treaty) && codes.len() >= 2 && codes.iter().all(|code| by_numeric[code])
        })
        .count() as u64;
    let data = test
        .api()
        .data(r#"{ all: agreements(filter: { source: ["desta-2.02"] }) { totalCount } south: agreements(filter: { source: ["desta-2.02"], southSouth: true }) { totalCount } }"#, json!({}))
        .await;
    assert_eq!(data["all"]["totalCount"].as_u64(), Some(base.len() as u64), "one agreement per base treaty");
    assert_eq!(data["south"]["totalCount"].as_u64(), Some(expected), "base treaties whose members are all developing");
}
