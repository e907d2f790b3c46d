//! Aggregates equal the sums of the published rows, computed here from the bundled files.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

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
    let rows: Vec<_> = published::gcof_for_research().into_iter().filter(|r| r["recipient_iso3"] == "AGO").collect();
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
    for row in published::gcof_for_research() {
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
        let published = published::gcof_for_research().iter().filter(|r| r["year"] == year.to_string()).count() as u64;
        assert_eq!(point["count"].as_u64(), Some(published), "{year}");
    }
    assert_eq!(years[0]["count"], 0, "1998 has no projects");
    assert_eq!(years[0]["sumUsdConstant"], 0.0);
}

#[tokio::test]
async fn matrix_links_match_the_published_rows() {
    let test = TestDb::new().await;
    let regions: BTreeMap<String, String> = published::countries()
        .into_iter()
        .map(|r| (r["ISO3166-1-Alpha-3"].clone(), r["Region Name"].clone()))
        .collect();
    let rows = published::gcof_for_research();
    let total: f64 = rows.iter().filter_map(|r| amount(&r["usd_defl_2014"])).sum();
    // China is the provider of every row; the recipient's M49 region is the target.
    let mut to_region: BTreeMap<String, f64> = BTreeMap::new();
    for row in &rows {
        if let Some(region) = regions.get(&row["recipient_iso3"]) {
            *to_region.entry(region.clone()).or_default() += amount(&row["usd_defl_2014"]).unwrap_or(0.0);
        }
    }
    let data = test
        .api()
        .data(
            r#"{ flowMatrix(filter: { source: ["aiddata-gcof-1.0"] }, level: REGION, measure: USD_CONSTANT) { labels matrix links { source target value } } }"#,
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
    let links = matrix["links"].as_array().expect("links");
    let sum: f64 = links.iter().filter_map(|l| l["value"].as_f64()).sum();
    assert!(close(sum, total));
    for (region, expected) in &to_region {
        let link = links
            .iter()
            .find(|l| l["source"] == "Asia" && l["target"] == region.as_str())
            .unwrap_or_else(|| panic!("no link Asia → {region}: {links:?}"));
        assert!(close(link["value"].as_f64().unwrap_or_default(), *expected), "Asia → {region}: {link} vs {expected}");
    }
    assert!(links.iter().all(|l| l["source"] == "Asia"), "China is in Asia");
}

#[tokio::test]
async fn south_south_share_and_partners_of_china() {
    let test = TestDb::new().await;
    let south: HashSet<String> = published::developing().into_iter().collect();
    let countries: HashSet<String> =
        published::countries().into_iter().map(|r| r["ISO3166-1-Alpha-3"].clone()).collect();
    let rows = published::gcof_for_research();
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
                southSouthShare(filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }, measure: USD_CONSTANT) { total toSouth share }
                country(code: "CHN") { partners(filter: { source: ["aiddata-gcof-1.0"] }, first: 3, measure: USD_CONSTANT) { country { iso3 } sumUsdConstant share count } }
                countries(filter: { code: ["CHN", "KEN", "BRA"] }) { nodes { iso3 partners(first: 2, filter: { source: ["aiddata-gcof-1.0"] }, measure: USD_CONSTANT) { country { iso3 } } } }
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

/// Kinds as the importers read the published labels: DESTA's plurilateral treaties
/// (`typememb` 2) within one region are regional integration, its other treaties trade;
/// UNCTAD's `BITs` are investment treaties, its `TIPs` treaties with investment provisions.
fn published_kinds() -> BTreeMap<&'static str, i64> {
    let mut kinds: BTreeMap<&'static str, i64> = BTreeMap::new();
    for treaty in published::desta().values() {
        let regional = treaty.typememb == "2" && !treaty.regioncon.is_empty() && treaty.regioncon != "Intercontinental";
        *kinds.entry(if regional { "REGIONAL_INTEGRATION" } else { "TRADE" }).or_default() += 1;
    }
    for treaty in published::csv_rows("unctad_iia_scrape_bits_raw.csv.gz") {
        let kind = match treaty["type"].as_str() {
            "BITs" => "INVESTMENT",
            "TIPs" => "TREATY_WITH_INVESTMENT_PROVISIONS",
            other => panic!("UNCTAD type {other}"),
        };
        *kinds.entry(kind).or_default() += 1;
    }
    kinds
}

#[tokio::test]
async fn agreement_groups_match_the_published_lists() {
    let test = TestDb::new().await;
    let kinds = published_kinds();
    let total: i64 = kinds.values().sum();
    let desta = published::desta();
    let developing: HashSet<String> = published::developing().into_iter().collect();
    let bilateral = desta.values().filter(|t| t.members.len() == 2).count() as i64;
    let plurilateral = desta.values().filter(|t| t.members.len() > 2).count() as i64;
    let south = desta.values().filter(|t| published::all_south(&t.members, &developing)).count() as f64;
    let data = test
        .api()
        .data(
            r#"{
                agreements { totalCount }
                byKind: agreementStats(groupBy: [KIND]) { kind count }
                destaByScope: agreementStats(filter: { source: ["desta-2.02"] }, groupBy: [SCOPE]) { scope count }
                southSouthBits: agreementStats(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 5) { party { iso3 isSouth } count }
                destaShare: agreementSouthSouthShare(filter: { source: ["desta-2.02"] }) { total toSouth share }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["agreements"]["totalCount"].as_i64(), Some(total), "DESTA base treaties plus UNCTAD rows");
    let by_kind: BTreeMap<&str, i64> = data["byKind"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["kind"].as_str().expect("kind"), g["count"].as_i64().expect("count")))
        .collect();
    assert_eq!(by_kind, kinds);
    // Scopes: two parties are bilateral; with more, the M49 sub-regions and regions decide
    // (how a party without a sub-region counts is being changed, so only the sum of the
    // three multi-party scopes is fixed here); fewer than two known parties, no scope.
    let by_scope: BTreeMap<String, i64> = data["destaByScope"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["scope"].as_str().unwrap_or("none").to_owned(), g["count"].as_i64().expect("count")))
        .collect();
    assert_eq!(by_scope.get("BILATERAL").copied(), Some(bilateral), "{by_scope:?}");
    let multi: i64 = ["SUBREGIONAL", "REGIONAL", "INTERREGIONAL"].iter().filter_map(|scope| by_scope.get(*scope)).sum();
    assert_eq!(multi, plurilateral, "{by_scope:?}");
    assert_eq!(
        by_scope.get("none").copied().unwrap_or(0),
        desta.len() as i64 - bilateral - plurilateral,
        "{by_scope:?}"
    );
    for group in data["southSouthBits"].as_array().expect("groups") {
        assert_eq!(group["party"]["isSouth"], true);
    }
    let share = &data["destaShare"];
    assert_eq!(share["total"].as_f64(), Some(desta.len() as f64));
    assert_eq!(share["toSouth"].as_f64(), Some(south));
    assert!(close(share["share"].as_f64().unwrap_or_default(), south / desta.len() as f64));
}

#[tokio::test]
async fn expert_groups_match_the_published_teams() {
    let test = TestDb::new().await;
    let regions: BTreeMap<String, String> = published::countries()
        .into_iter()
        .map(|r| (r["ISO3166-1-Alpha-3"].clone(), r["Region Name"].clone()))
        .collect();
    let teams = published::gcof_teams();
    // One deployment per team, to the recipient; regional rows have no host country.
    let mut by_region: BTreeMap<String, i64> = BTreeMap::new();
    for team in &teams {
        *by_region
            .entry(regions.get(&team["recipient_iso3"]).cloned().unwrap_or_else(|| "none".to_owned()))
            .or_default() += 1;
    }
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
    let teams = teams.len() as i64;
    assert_eq!(data["experts"]["totalCount"].as_i64(), Some(teams), "GCOF's Chinese teams");
    assert_eq!(data["all"][0]["experts"].as_i64(), Some(teams));
    assert_eq!(data["all"][0]["deployments"].as_i64(), Some(teams), "one deployment per team");
    let groups: BTreeMap<String, i64> = data["byRegion"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["hostRegion"].as_str().unwrap_or("none").to_owned(), g["experts"].as_i64().expect("experts")))
        .collect();
    assert_eq!(groups, by_region);
    assert_eq!(data["byKind"][0]["kind"], "TEAM");
}

#[tokio::test]
async fn desta_agreements_among_developing_countries_match_the_published_list() {
    let test = TestDb::new().await;
    let developing: HashSet<String> = published::developing().into_iter().collect();
    let desta = published::desta();
    let south: Vec<_> = desta.values().filter(|t| published::all_south(&t.members, &developing)).collect();
    let mut by_year: BTreeMap<i64, i64> = BTreeMap::new();
    for treaty in &south {
        *by_year.entry(treaty.year.map_or(-1, i64::from)).or_default() += 1;
    }
    let data = test
        .api()
        .data(
            r#"{
                all: agreements(filter: { source: ["desta-2.02"] }) { totalCount }
                south: agreements(filter: { source: ["desta-2.02"], southSouth: true }) { totalCount }
                byYear: agreementStats(filter: { source: ["desta-2.02"], southSouth: true }, groupBy: [SIGNED_YEAR], first: 200) { signedYear count }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["all"]["totalCount"].as_u64(), Some(desta.len() as u64), "one agreement per base treaty");
    assert_eq!(
        data["south"]["totalCount"].as_u64(),
        Some(south.len() as u64),
        "base treaties whose members are all developing"
    );
    let years: BTreeMap<i64, i64> = data["byYear"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["signedYear"].as_i64().unwrap_or(-1), g["count"].as_i64().expect("count")))
        .collect();
    assert_eq!(years, by_year);
}

#[tokio::test]
async fn an_aggregate_of_nothing_is_one_empty_group() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                flowStats(filter: { kind: [] }, groupBy: []) { count sumUsdConstant maxUsdConstant }
                southSouthShare(filter: { kind: [] }) { total toSouth share }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["flowStats"], json!([{ "count": 0, "sumUsdConstant": 0.0, "maxUsdConstant": null }]));
    assert_eq!(data["southSouthShare"], json!({ "total": 0.0, "toSouth": 0.0, "share": null }));
}

/// A TUFF amount as published: thousands separators, blank for none.
fn separated(value: &str) -> Option<f64> {
    amount(&value.replace(',', ""))
}

#[tokio::test]
async fn saudi_arabias_current_usd_is_the_files_usd_current_column_in_every_currency() {
    let rows = published::csv_rows("SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv.gz");
    let current: f64 = rows.iter().filter_map(|r| separated(&r["usd_current"])).sum();
    let with_current = rows.iter().filter(|r| separated(&r["usd_current"]).is_some()).count();
    let converted = rows.iter().filter(|r| r["currency"] != "USD" && separated(&r["usd_current"]).is_some()).count();
    assert!(converted > 0, "the file converts other currencies in `usd_current`");
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            "query($f: FlowFilter, $g: FlowFilter) {
               flowStats(filter: $f, groupBy: []) { count sumUsdCurrent }
               flows(filter: $g) { totalCount }
             }",
            json!({
                "f": { "source": ["aiddata-tuff-saudi-arabia-1.0"] },
                "g": { "source": ["aiddata-tuff-saudi-arabia-1.0"], "amountUsdCurrent": { "gte": 0 } },
            }),
        )
        .await;
    let stats = &data["flowStats"][0];
    assert_eq!(stats["count"].as_u64(), Some(rows.len() as u64));
    assert!(close(stats["sumUsdCurrent"].as_f64().unwrap_or_default(), current), "{stats} vs {current}");
    assert_eq!(data["flows"]["totalCount"].as_u64(), Some(with_current as u64));
}

/// A flow is read against its recipient's class in force in the flow's year (set from
/// income data of the year before), not today's: counted from GCOF's published rows and
/// the World Bank's published workbook.
#[tokio::test]
async fn income_groups_are_the_class_in_force_in_the_flows_year() {
    let test = TestDb::new().await;
    let api = test.api();
    let history = published::income_history();
    let mut expected: BTreeMap<&str, u64> = BTreeMap::new();
    for row in published::gcof_for_research() {
        let Ok(year) = row["year"].parse::<i32>() else { continue };
        let letter = history.get(&(row["recipient_iso3"].clone(), year - 1));
        if let Some(group) = letter.and_then(|letter| published::income_group_name(letter)) {
            *expected.entry(group).or_default() += 1;
        }
    }
    assert_eq!(expected.len(), 4, "{expected:?}");
    let response = api
        .post(
            r#"{ flowStats(filter: { source: ["aiddata-gcof-1.0"] }, groupBy: [RECIPIENT_INCOME_GROUP]) { recipientIncomeGroup count } }"#,
            json!({}),
        )
        .await;
    let served: BTreeMap<&str, u64> = response["data"]["flowStats"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| Some((g["recipientIncomeGroup"].as_str()?, g["count"].as_u64()?)))
        .collect();
    assert_eq!(served, expected);
    let cited = response["extensions"]["sources"].to_string();
    assert!(cited.contains("wb-oghist-fy2023"), "{cited}");

    for (group, count) in &expected {
        let filter = json!({
            "source": ["aiddata-gcof-1.0"],
            "recommendedForResearch": true,
            "recipient": { "incomeGroup": [group] }
        });
        let data = api.data("query($f: FlowFilter) { flows(filter: $f) { totalCount } }", json!({ "f": filter })).await;
        assert_eq!(data["flows"]["totalCount"].as_u64(), Some(*count), "{group}");
    }
}

#[tokio::test]
async fn a_countrys_income_group_by_year_is_the_workbooks() {
    let test = TestDb::new().await;
    let history = published::income_history();
    let data = test
        .api()
        .data(
            r#"{ country(code: "CHN") { today: incomeGroup y2000: incomeGroup(year: 2000) y1980: incomeGroup(year: 1980) incomeGroups { year fiscalYear incomeGroup } } }"#,
            json!({}),
        )
        .await;
    let china = &data["country"];
    assert_eq!(china["y2000"].as_str(), published::income_group_name(&history[&("CHN".to_owned(), 1999)]));
    assert_eq!(china["y1980"], Value::Null);
    let series = china["incomeGroups"].as_array().expect("series");
    assert_eq!(
        series[0],
        json!({ "year": 1988, "fiscalYear": "FY1989", "incomeGroup": published::income_group_name(&history[&("CHN".to_owned(), 1987)]) })
    );
    for class in series.iter().filter(|class| class["year"].as_i64() <= Some(2022)) {
        let year = class["year"].as_i64().expect("year") as i32;
        assert_eq!(
            class["incomeGroup"].as_str(),
            published::income_group_name(&history[&("CHN".to_owned(), year - 1)]),
            "{year}"
        );
    }
}

/// An import run says what it left out, skipped and could not match, with the reasons
/// counted: Yotov's domestic rows, counted in the published file, are left out by design.
#[tokio::test]
async fn import_runs_count_what_was_not_imported_by_reason() {
    let test = TestDb::new().await;
    let rows = published::csv_rows("agtpa_applications.csv.gz");
    let domestic = rows.iter().filter(|row| row["exporter"] == row["importer"]).count() as i64;
    let data = test
        .api()
        .data(
            r#"{ source(key: "yotov-agtpa-2016") { importRuns(first: 1) { nodes {
                rowsRead rowsImported rowsLeftOut rowsSkipped referencesUnmatched skipReasons { kind reason count }
            } } } }"#,
            json!({}),
        )
        .await;
    let run = &data["source"]["importRuns"]["nodes"][0];
    assert_eq!(run["rowsRead"].as_i64(), Some(rows.len() as i64));
    assert_eq!(run["rowsImported"].as_i64(), Some(rows.len() as i64 - domestic));
    assert_eq!((run["rowsLeftOut"].as_i64(), run["rowsSkipped"].as_i64()), (Some(domestic), Some(0)));
    assert_eq!(run["referencesUnmatched"], 0);
    assert_eq!(run["skipReasons"], json!([{ "kind": "BY_DESIGN", "reason": "domestic trade", "count": domestic }]));
}

/// Aggregates follow AidData's guidance by default (only rows recommended for research,
/// which do not double count), count every row with `guidance: IGNORE`, and let a filter
/// that says `recommendedForResearch` decide; the guidance itself is the source's data.
#[tokio::test]
async fn aggregates_follow_the_publishers_guidance_unless_told_not_to() {
    let test = TestDb::new().await;
    let africa: HashSet<String> = published::countries()
        .into_iter()
        .filter(|row| row["Region Name"] == "Africa")
        .map(|row| row["ISO3166-1-Alpha-3"].clone())
        .collect();
    let in_question = |row: &std::collections::HashMap<String, String>| {
        africa.contains(&row["recipient_iso3"])
            && row["year"].parse::<i32>().is_ok_and(|year| (2000..=2014).contains(&year))
    };
    let totals = |rows: Vec<std::collections::HashMap<String, String>>| {
        let rows: Vec<_> = rows.into_iter().filter(|row| in_question(row)).collect();
        (rows.len() as u64, rows.iter().filter_map(|row| amount(&row["usd_defl_2014"])).sum::<f64>())
    };
    let (guided_count, guided_sum) = totals(published::gcof_for_research());
    let (all_count, all_sum) = totals(published::gcof());
    let flagged = all_count - guided_count;
    assert!(flagged > 0 && guided_sum < all_sum, "the file flags some rows");

    let data = test
        .api()
        .data(
            r#"query($f: FlowFilter) {
                 guided: flowStats(filter: $f, groupBy: []) { count sumUsdConstant }
                 all: flowStats(filter: $f, groupBy: [], guidance: IGNORE) { count sumUsdConstant }
                 series: flowTimeSeries(filter: $f, from: 2000, to: 2014) { count }
                 flagged: flowStats(filter: { and: [$f, { recommendedForResearch: false }] }, groupBy: []) { count }
                 listed: flows(filter: $f) { totalCount }
                 sources(first: 100) { nodes { key guidance } }
               }"#,
            json!({ "f": { "source": [GCOF], "recipient": { "region": ["Africa"] }, "year": { "gte": 2000, "lte": 2014 } } }),
        )
        .await;
    assert_eq!(data["guided"][0]["count"].as_u64(), Some(guided_count));
    assert!(close(data["guided"][0]["sumUsdConstant"].as_f64().unwrap_or_default(), guided_sum));
    assert_eq!(data["all"][0]["count"].as_u64(), Some(all_count));
    assert!(close(data["all"][0]["sumUsdConstant"].as_f64().unwrap_or_default(), all_sum));
    let series: u64 = data["series"].as_array().expect("years").iter().filter_map(|year| year["count"].as_u64()).sum();
    assert_eq!(series, guided_count);
    assert_eq!(data["flagged"][0]["count"].as_u64(), Some(flagged), "a filter that says the flag decides");
    assert_eq!(data["listed"]["totalCount"].as_u64(), Some(all_count), "lists list every row");
    let sources = data["sources"]["nodes"].as_array().expect("sources");
    let guidance =
        |key: &str| sources.iter().find(|source| source["key"] == key).map(|source| source["guidance"].clone());
    assert!(
        guidance(GCOF)
            .and_then(|text| text.as_str().map(str::to_owned))
            .is_some_and(|text| text.contains("recommended_for_research"))
    );
    assert_eq!(guidance("desta-2.02"), Some(Value::Null));
}

/// `withTies: true` keeps the groups tied with the last one within `first`, as SQL's
/// `FETCH FIRST … WITH TIES`: "most investment treaties among developing countries" at 10
/// no longer drops the party tied for tenth (Malaysia and Iran, 46 each).
#[tokio::test]
async fn a_ranking_can_keep_its_ties_at_the_cut() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                 all: agreementStats(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 1000) { party { name } count }
                 cut: agreementStats(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 10) { party { name } count }
                 ties: agreementStats(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 10, withTies: true) { party { name } count }
                 flows: flowStats(filter: { source: ["aiddata-gcof-1.0"] }, groupBy: [RECIPIENT], orderBy: [{ measure: COUNT, direction: ASC }], first: 2, withTies: true) { recipient { iso3 } count }
                 allFlows: flowStats(filter: { source: ["aiddata-gcof-1.0"] }, groupBy: [RECIPIENT], orderBy: [{ measure: COUNT, direction: ASC }], first: 1000) { recipient { iso3 } count }
               }"#,
            json!({}),
        )
        .await;
    let groups = |name: &str| data[name].as_array().expect("groups").clone();
    let (all, cut, ties) = (groups("all"), groups("cut"), groups("ties"));
    let tenth = all[9]["count"].as_u64().expect("a count");
    assert_eq!(all[10]["count"].as_u64(), Some(tenth), "the bundled data has a tie at the tenth place");
    assert_eq!(cut.len(), 10);
    let expected: Vec<&Value> = all.iter().take_while(|group| group["count"].as_u64() >= Some(tenth)).collect();
    assert_eq!(ties.iter().collect::<Vec<_>>(), expected, "every group tied with the tenth, in the same order");
    let names: Vec<&str> = ties.iter().filter_map(|group| group["party"]["name"].as_str()).collect();
    assert!(names.contains(&"Malaysia"), "{names:?}");
    // A ranking by a flow measure keeps its ties too (the fewest flows: three recipients
    // have one), in the order of the full ranking.
    let (flows, all_flows) = (groups("flows"), groups("allFlows"));
    let second = all_flows[1]["count"].as_u64();
    let tied: Vec<&Value> = all_flows.iter().take_while(|group| group["count"].as_u64() <= second).collect();
    assert!(tied.len() > 2, "the bundled data has a tie at the second place: {tied:?}");
    assert_eq!(flows.iter().collect::<Vec<_>>(), tied);
    // A client is charged for every group a ranking with ties may return, not for `first`.
    let cost = |with_ties: bool| {
        let query = format!("{{ agreementStats(groupBy: [PARTY], first: 1, withTies: {with_ties}) {{ count }} }}");
        let api = test.api();
        async move { api.post(&query, json!({})).await["extensions"]["cost"]["requested"].as_u64().expect("cost") }
    };
    let (plain, ties) = (cost(false).await, cost(true).await);
    assert!(ties >= 1000 * plain / 2, "withTies costs {ties}, without {plain}");
}

/// An aggregate computes only the measures selected: each numeric field of `FlowStats` has
/// the same value selected alone, through a fragment, or with every other one (a field the
/// server did not know needs an amount would read 0 alone).
#[tokio::test]
async fn each_measure_is_the_same_selected_alone_or_with_every_other() {
    let test = TestDb::new().await;
    let api = test.api();
    let types =
        api.data("{ __type(name: \"FlowStats\") { fields { name type { name ofType { name } } } } }", json!({})).await;
    let numeric: Vec<String> = types["__type"]["fields"]
        .as_array()
        .expect("FlowStats has fields")
        .iter()
        .filter(|field| {
            let name = field["type"]["name"].as_str().or(field["type"]["ofType"]["name"].as_str());
            matches!(name, Some("Int" | "Float"))
        })
        .map(|field| field["name"].as_str().expect("a field has a name").to_owned())
        .collect();
    assert!(numeric.len() >= 15, "{numeric:?}");
    // Grouped by base year too, so that constant measures are of one base each.
    let query = |selection: &str| {
        format!(
            "{{ flowStats(groupBy: [YEAR, CONSTANT_BASE_YEAR], kindFamily: ALL, first: 1000) {{ year {selection} }} }}"
        )
    };
    let whole = api.data(&query(&numeric.join(" ")), json!({})).await;
    let groups = whole["flowStats"].as_array().expect("groups");
    assert!(groups.len() > 50, "{} groups", groups.len());
    for field in &numeric {
        let alone = api.data(&query(field), json!({})).await;
        let fragment = format!(
            "{{ flowStats(groupBy: [YEAR, CONSTANT_BASE_YEAR], kindFamily: ALL, first: 1000) {{ year ...F }} }} fragment F on FlowStats {{ {field} }}"
        );
        let through_fragment = api.data(&fragment, json!({})).await;
        for answer in [&alone, &through_fragment] {
            let values: Vec<&Value> =
                answer["flowStats"].as_array().expect("groups").iter().map(|g| &g[field]).collect();
            let expected: Vec<&Value> = groups.iter().map(|g| &g[field]).collect();
            assert_eq!(values, expected, "{field}");
        }
    }
}

/// Whether two answers agree: the same structure, strings, booleans and integers, and
/// floats equal to 1e-9 of their size (sums over the stored totals add in another order).
fn agree(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Array(xs), Value::Array(ys)) => xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| agree(x, y)),
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(key, x)| ys.get(key).is_some_and(|y| agree(x, y)))
        }
        _ => a == b,
    }
}

/// Aggregates of official finance whose filter and groups read only the provider, year,
/// kind, source, base year and research flag roll up the totals stored at import
/// (`flow_total`), and answer what the flows themselves give: each query is asked as it
/// is, then with a filter that matches the same flows but reads the recipient (`hasRecipient`
/// true or false), which the totals do not keep.
#[tokio::test]
async fn aggregates_over_the_stored_totals_equal_those_over_the_flows() {
    const MEASURES: &str = "count countWithAmount sumUsdCurrent minUsdCurrent maxUsdCurrent avgUsdCurrent \
        sumUsdReal avgUsdReal minUsdReal maxUsdReal";
    const CONSTANT: &str = "constantBaseYear sumUsdConstant minUsdConstant maxUsdConstant avgUsdConstant";
    let stats = |keys: &str, arguments: &str, constant: bool| {
        let constant = if constant { CONSTANT } else { "" };
        format!("query($f: FlowFilter) {{ flowStats(filter: $f{arguments}) {{ {keys} {MEASURES} {constant} }} }}")
    };
    let cases: Vec<(String, Value)> = vec![
        // q5 of the comparison with PostGraphile.
        (stats("year", ", groupBy: [YEAR]", true), json!({ "provider": { "code": ["CHN"] } })),
        // Every stored key at once, flagged rows counted.
        (
            stats(
                "year provider { iso3 } kind source { key }",
                ", groupBy: [PROVIDER, YEAR, KIND, SOURCE, CONSTANT_BASE_YEAR], kindFamily: OFFICIAL_FINANCE, \
                 guidance: IGNORE, first: 1000",
                true,
            ),
            Value::Null,
        ),
        (
            stats("providerRegion providerSubRegion year", ", groupBy: [PROVIDER_SUB_REGION, YEAR]", false),
            json!({ "provider": { "region": ["Asia"] }, "year": { "gte": 2005, "lte": 2010 } }),
        ),
        (
            stats("providerIncomeGroup", ", groupBy: [PROVIDER_INCOME_GROUP]", false),
            json!({ "provider": { "incomeGroup": ["Upper middle income"] } }),
        ),
        (
            stats("source { key }", ", groupBy: [SOURCE]", false),
            json!({
                "or": [{ "source": ["aiddata-tuff-qatar-1.0"] }, { "provider": { "code": ["BRA"] } }],
                "not": { "year": { "lte": 2003 } },
            }),
        ),
        (stats("year", ", groupBy: [YEAR]", false), json!({ "recommendedForResearch": false })),
        (stats("kind", ", groupBy: [KIND], kindFamily: OFFICIAL_FINANCE", false), json!({ "kind": ["GRANT", "LOAN"] })),
        (
            stats(
                "provider { iso3 }",
                ", groupBy: [PROVIDER], orderBy: [{ measure: USD_REAL, direction: DESC }], first: 5",
                false,
            ),
            Value::Null,
        ),
        (
            format!(
                "query($f: FlowFilter) {{ flowTimeSeries(filter: $f, from: 1995, to: 2016) {{ year {MEASURES} }} }}"
            ),
            json!({ "provider": { "code": ["SAU", "QAT"] } }),
        ),
    ];
    let mut test = TestDb::new().await;
    let log = test.record_statements();
    let api = test.api();
    let read = |log: &std::sync::Mutex<Vec<sea_orm::Statement>>| {
        let mut statements = log.lock().expect("the statement log is never poisoned");
        let totals = statements.iter().any(|statement| statement.sql.contains("\"flow_total\""));
        statements.clear();
        totals
    };
    for (query, filter) in cases {
        let every_recipient = json!({ "or": [{ "hasRecipient": true }, { "hasRecipient": false }] });
        let same_flows = if filter.is_null() { every_recipient } else { json!({ "and": [filter, every_recipient] }) };
        read(&log);
        let from_totals = api.post(&query, json!({ "f": filter })).await;
        assert!(read(&log), "{query} {filter} reads the totals");
        let from_flows = api.post(&query, json!({ "f": same_flows })).await;
        assert!(!read(&log), "{query} {same_flows} reads the flows");
        let groups = from_totals["data"].as_object().and_then(|data| data.values().next()).and_then(Value::as_array);
        assert!(groups.is_some_and(|groups| !groups.is_empty()), "{from_totals}");
        assert!(agree(&from_totals, &from_flows), "{query} {filter}:\n{from_totals}\nagainst\n{from_flows}");
    }
}
