//! Every relation, in both directions, agrees with the other side and with the published
//! files.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{published, support::TestDb};

fn nodes(value: &Value) -> &Vec<Value> {
    value["nodes"].as_array().unwrap_or_else(|| panic!("no nodes in {value}"))
}

#[tokio::test]
async fn flows_and_their_provider_and_recipient() {
    let test = TestDb::new().await;
    let api = test.api();
    let expected = published::gcof().iter().filter(|row| row["recipient_iso3"] == "KEN").count() as u64;
    let data = api
        .data(
            r#"{
                country(code: "KEN") {
                    flowsReceived(first: 100, filter: { source: ["aiddata-gcof-1.0"] }) {
                        totalCount nodes { reference recipient { iso3 } provider { iso3 } }
                    }
                }
                china: country(code: "CHN") {
                    flowsProvided(filter: { recipient: { code: ["KEN"] }, source: ["aiddata-gcof-1.0"] }) { totalCount }
                }
            }"#,
            json!({}),
        )
        .await;
    let received = &data["country"]["flowsReceived"];
    assert_eq!(received["totalCount"].as_u64(), Some(expected), "Kenya's projects in the published file");
    assert_eq!(data["china"]["flowsProvided"]["totalCount"].as_u64(), Some(expected));
    for flow in nodes(received) {
        assert_eq!(flow["recipient"]["iso3"], "KEN");
        assert_eq!(flow["provider"]["iso3"], "CHN");
    }
}

/// Two lists of one relation under aliases, with other arguments, are batched for the same
/// parents: each parent still gets each list as its own arguments ask.
#[tokio::test]
async fn aliased_lists_of_one_relation_keep_their_own_arguments() {
    let test = TestDb::new().await;
    let api = test.api();
    let gcof = published::gcof();
    let received = |iso3: &str, since: i32| {
        gcof.iter()
            .filter(|row| row["recipient_iso3"] == iso3)
            .filter(|row| row["year"].parse::<i32>().is_ok_and(|year| year >= since))
            .count() as u64
    };
    let data = api
        .data(
            r#"{
                countries(first: 3, filter: { code: ["KEN", "AGO", "PAK"] }) {
                    nodes {
                        iso3
                        all: flowsReceived(first: 2, filter: { source: ["aiddata-gcof-1.0"] }) {
                            totalCount nodes { year }
                        }
                        recent: flowsReceived(first: 4, filter: { source: ["aiddata-gcof-1.0"], year: { gte: 2010 } }) {
                            totalCount nodes { year }
                        }
                    }
                }
            }"#,
            json!({}),
        )
        .await;
    let countries = nodes(&data["countries"]);
    assert_eq!(countries.len(), 3, "{data}");
    for country in countries {
        let iso3 = country["iso3"].as_str().unwrap_or_default();
        let (all, recent) = (&country["all"], &country["recent"]);
        assert_eq!(all["totalCount"].as_u64(), Some(received(iso3, i32::MIN)), "{iso3}'s projects in the file");
        assert_eq!(recent["totalCount"].as_u64(), Some(received(iso3, 2010)), "{iso3}'s projects since 2010");
        assert_eq!(nodes(all).len(), 2, "{iso3}: first 2");
        assert_eq!(nodes(recent).len(), 4, "{iso3}: first 4");
        assert!(nodes(recent).iter().all(|flow| flow["year"].as_i64() >= Some(2010)), "{iso3}: {recent}");
    }
}

#[tokio::test]
async fn blocs_and_their_members() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api
        .data(
            r#"{
                bloc(code: "MERCOSUR") { members(first: 100) { totalCount nodes { iso3 blocs(first: 100) { nodes { code } } } } }
                country(code: "BRA") { isG77Member blocs(first: 100) { nodes { code members(first: 1, filter: { code: ["BRA"] }) { totalCount } } } }
            }"#,
            json!({}),
        )
        .await;
    let members = nodes(&data["bloc"]["members"]);
    assert!(members.iter().any(|m| m["iso3"] == "BRA"));
    for member in members {
        assert!(nodes(&member["blocs"]).iter().any(|b| b["code"] == "MERCOSUR"), "{member}");
    }
    assert_eq!(data["country"]["isG77Member"], true);
    for bloc in nodes(&data["country"]["blocs"]) {
        assert_eq!(bloc["members"]["totalCount"], 1, "Brazil is a member of {bloc}");
    }
}

#[tokio::test]
async fn agreements_and_their_parties() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api
        .data(
            r#"{
                country(code: "ARG") { agreements(first: 20) { totalCount nodes { id scope parties(first: 100) { nodes { iso3 agreements(first: 1, filter: { party: { code: ["ARG"] } }) { totalCount } } } } } }
            }"#,
            json!({}),
        )
        .await;
    let agreements = &data["country"]["agreements"];
    assert!(agreements["totalCount"].as_u64().unwrap_or_default() > 20, "{agreements}");
    for agreement in nodes(agreements) {
        let parties = nodes(&agreement["parties"]);
        assert!(parties.iter().any(|p| p["iso3"] == "ARG"), "{agreement}");
        assert!(parties.len() >= 2, "{agreement}");
        if parties.len() == 2 {
            assert_eq!(agreement["scope"], "BILATERAL");
        }
    }
}

#[tokio::test]
async fn sectors_parents_children_and_flows() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api
        .data(
            r#"{
                sector(code: "12220") { level parent { code level children(first: 100) { nodes { code parent { code } } } } }
                health: sector(code: "120") { level flows(first: 100, filter: { source: ["aiddata-gcof-1.0"] }) { totalCount nodes { sector { code } } } }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["sector"]["level"], "PURPOSE");
    assert_eq!(data["sector"]["parent"]["code"], "122");
    let siblings = nodes(&data["sector"]["parent"]["children"]);
    assert!(siblings.iter().any(|s| s["code"] == "12220"));
    assert!(siblings.iter().all(|s| s["parent"]["code"] == "122"));
    let published = published::gcof().iter().filter(|row| row["crs_sector_code"] == "120").count() as u64;
    assert_eq!(data["health"]["flows"]["totalCount"].as_u64(), Some(published));
    assert!(nodes(&data["health"]["flows"]).iter().all(|f| f["sector"]["code"] == "120"));
}

#[tokio::test]
async fn experts_their_home_countries_sectors_and_deployments() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api
        .data(
            r#"{
                experts(first: 20) { nodes {
                    id homeCountry { iso3 experts(first: 1) { totalCount } }
                    sectors(first: 5) { nodes { code } }
                    deployments(first: 5) { nodes { expert { id } hostCountry { iso3 deploymentsHosted(first: 100) { nodes { expert { id } } } } flow { reference } } }
                } }
            }"#,
            json!({}),
        )
        .await;
    let experts = nodes(&data["experts"]);
    assert!(!experts.is_empty());
    for expert in experts {
        assert!(expert["homeCountry"]["experts"]["totalCount"].as_u64().unwrap_or_default() >= 1);
        for deployment in nodes(&expert["deployments"]) {
            assert_eq!(deployment["expert"]["id"], expert["id"]);
            if deployment["hostCountry"].is_object() {
                let hosted = nodes(&deployment["hostCountry"]["deploymentsHosted"]);
                assert!(!hosted.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn every_record_names_its_source() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                country(code: "KEN") { source { key licence citation } }
                bloc(code: "AU") { source { key } }
                sector(code: "12220") { source { key } }
                flows(first: 1) { nodes { source { key citation } } }
                agreements(first: 1) { nodes { source { key } } }
                experts(first: 1) { nodes { source { key } } }
            }"#,
            json!({}),
        )
        .await;
    let keys: HashSet<&str> = [
        &data["country"]["source"]["key"],
        &data["bloc"]["source"]["key"],
        &data["sector"]["source"]["key"],
        &data["flows"]["nodes"][0]["source"]["key"],
        &data["agreements"]["nodes"][0]["source"]["key"],
        &data["experts"]["nodes"][0]["source"]["key"],
    ]
    .iter()
    .map(|key| key.as_str().unwrap_or_else(|| panic!("a record without source: {data:#}")))
    .collect();
    assert!(keys.len() >= 4, "{keys:?}");
    assert!(data["flows"]["nodes"][0]["source"]["citation"].as_str().is_some_and(|c| c.contains("Dreher")));
}

/// No bundled dataset links flows to agreements or agreements to sectors yet, so this test
/// adds such links itself (test fixtures, not real data) to check both directions.
#[tokio::test]
async fn flows_and_sectors_of_agreements() {
    let test = TestDb::new().await;
    test.db
        .execute_unprepared(
            "UPDATE flow SET agreement_id = (SELECT MIN(id) FROM agreement) WHERE id IN (SELECT id FROM flow ORDER BY id LIMIT 3);
             INSERT INTO agreement_sector (agreement_id, sector_id)
                 SELECT (SELECT MIN(id) FROM agreement), id FROM sector WHERE code IN ('120', '12220');",
        )
        .await
        .expect("fixture links");
    let data = test
        .api()
        .data(
            r#"{
                flows(first: 5) { nodes { reference agreement { reference flows(first: 10) { totalCount } sectors(first: 10) { nodes { code } } } } }
            }"#,
            json!({}),
        )
        .await;
    let flows = nodes(&data["flows"]);
    let linked: Vec<&Value> = flows.iter().filter(|f| f["agreement"].is_object()).collect();
    assert_eq!(linked.len(), 3);
    for flow in linked {
        assert_eq!(flow["agreement"]["flows"]["totalCount"], 3);
        let codes: HashSet<&str> =
            nodes(&flow["agreement"]["sectors"]).iter().filter_map(|s| s["code"].as_str()).collect();
        assert_eq!(codes, HashSet::from(["120", "12220"]));
    }
}

#[tokio::test]
async fn responses_cite_the_sources_of_their_records_and_figures() {
    let test = TestDb::new().await;
    let api = test.api();
    let response = api
        .post(
            r#"{ flows(first: 3, filter: { source: ["aiddata-gcof-1.0"] }) { nodes { title recipient { name } } } }"#,
            json!({}),
        )
        .await;
    let sources = response["extensions"]["sources"].as_array().expect("extensions.sources");
    let keys: Vec<&str> = sources.iter().filter_map(|s| s["key"].as_str()).collect();
    assert_eq!(keys, ["aiddata-gcof-1.0", "country-codes-2020"], "the flows' and the countries' sources");
    assert!(sources[0]["citation"].as_str().is_some_and(|c| c.contains("Dreher")));
    assert!(sources[0]["licence"].as_str().is_some_and(|l| !l.is_empty()));

    let aggregate = api
        .post(r#"{ flowStats(filter: { recipient: { code: ["KEN"] } }, groupBy: [YEAR]) { year count } }"#, json!({}))
        .await;
    let keys: Vec<&str> = aggregate["extensions"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert!(keys.contains(&"aiddata-gcof-1.0"), "{keys:?}");
}

#[tokio::test]
async fn fields_from_other_datasets_cite_them_beside_the_records_source() {
    let test = TestDb::new().await;
    let api = test.api();
    let cited = |response: &serde_json::Value| -> Vec<String> {
        let sources = response["extensions"]["sources"].as_array().expect("extensions.sources");
        sources.iter().filter_map(|s| s["key"].as_str().map(str::to_owned)).collect()
    };
    let names = api.post(r#"{ country(code: "KEN") { name } }"#, json!({})).await;
    assert_eq!(cited(&names), ["country-codes-2020"]);
    let located = api.post(r#"{ country(code: "KEN") { name latitude longitude } }"#, json!({})).await;
    assert_eq!(cited(&located), ["country-codes-2020", "country-crosswalk-5.1.0"], "centroids are world-countries'");
    let classed = api.post(r#"{ country(code: "KEN") { incomeGroup } }"#, json!({})).await;
    assert_eq!(cited(&classed), ["country-codes-2020", "wb-class-fy2023"], "income groups are World Bank CLASS's");

    let listed = api.data(r#"{ sources(first: 100) { nodes { key licence citation } } }"#, json!({})).await;
    let sources = listed["sources"]["nodes"].as_array().expect("sources");
    for (key, licence) in [("country-crosswalk-5.1.0", "ODbL 1.0"), ("natural-earth-4.1.0", "Public domain")] {
        let source = sources.iter().find(|source| source["key"] == key).unwrap_or_else(|| panic!("{key}"));
        assert!(source["licence"].as_str().is_some_and(|text| text.starts_with(licence)), "{source}");
        assert!(source["citation"].as_str().is_some_and(|text| !text.is_empty()), "{source}");
    }
}
