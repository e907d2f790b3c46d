//! One rule, one answer: the scope, South–South and triangular rules give the same answer
//! on the objects, in the filters and in every aggregate, for every agreement; and every
//! field that returns figures cites the sources of those figures.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{
    published,
    support::{Api, TestDb},
};

/// Every row of a root connection that a filter matches, page by page.
async fn every(api: &Api, root: &str, filter_type: &str, filter: Value, fields: &str) -> Vec<Value> {
    let query = format!(
        "query($after: String, $filter: {filter_type}) {{ {root}(first: 100, after: $after, filter: $filter) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {fields} }} }} }}"
    );
    let mut all = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = api.data(&query, json!({ "after": after, "filter": filter })).await;
        let page = &data[root];
        all.extend(page["nodes"].as_array().expect("nodes").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

fn source_keys(response: &Value) -> Vec<String> {
    response["extensions"]["sources"]
        .as_array()
        .map(|sources| sources.iter().filter_map(|s| s["key"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn objects_and_aggregates_classify_every_agreement_alike() {
    let test = TestDb::new().await;
    let api = test.api();
    let agreements =
        every(&api, "agreements", "AgreementFilter", json!({}), "reference source { key } scope southSouth triangular")
            .await;
    let mut by_scope: BTreeMap<(String, String), i64> = BTreeMap::new();
    for agreement in &agreements {
        let key = (agreement["scope"].as_str().unwrap_or("null").to_owned(), agreement["source"]["key"].to_string());
        *by_scope.entry(key).or_default() += 1;
    }
    let data = api
        .data(
            r#"{
                byScope: agreementStats(groupBy: [SCOPE, SOURCE], first: 1000) { scope source { key } count }
                southSouth: agreements(filter: { southSouth: true }) { totalCount }
                notSouthSouth: agreements(filter: { southSouth: false }) { totalCount }
                share: agreementSouthSouthShare { total toSouth }
            }"#,
            json!({}),
        )
        .await;
    let aggregated: BTreeMap<(String, String), i64> = data["byScope"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            let scope = group["scope"].as_str().unwrap_or("null").to_owned();
            ((scope, group["source"]["key"].to_string()), group["count"].as_i64().expect("count"))
        })
        .collect();
    assert_eq!(aggregated, by_scope, "agreementStats(SCOPE) counts what the objects say");

    let south_south = agreements.iter().filter(|a| a["southSouth"] == true).count() as u64;
    assert_eq!(data["southSouth"]["totalCount"].as_u64(), Some(south_south));
    assert_eq!(data["notSouthSouth"]["totalCount"].as_u64(), Some(agreements.len() as u64 - south_south));
    assert_eq!(data["share"]["toSouth"].as_f64(), Some(south_south as f64));
    assert_eq!(data["share"]["total"].as_f64(), Some(agreements.len() as f64));
    for agreement in &agreements {
        assert!(
            !(agreement["southSouth"] == true && agreement["triangular"] == true),
            "an agreement is not South–South and triangular at once: {agreement}"
        );
    }
}

#[tokio::test]
async fn a_party_without_an_m49_region_makes_an_agreement_interregional() {
    // DESTA 416: El Salvador, Honduras and Taiwan, which has no M49 region. DESTA itself
    // classes it "Intercontinental".
    let row = published::csv_rows("desta_list_of_treaties_02_02.txt.gz")
        .into_iter()
        .find(|row| row["number"] == "416")
        .expect("DESTA 416");
    assert_eq!(row["regioncon"], "Intercontinental");
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                agreement(source: "desta-2.02", reference: "416") { scope parties(first: 10) { nodes { iso3 } } }
                taiwan: agreementStats(filter: { source: ["desta-2.02"], party: { code: ["TWN"] } }, groupBy: [SCOPE]) { scope count }
                listed: agreements(filter: { source: ["desta-2.02"], party: { code: ["TWN"] } }, first: 100) { nodes { scope } }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["agreement"]["scope"], "INTERREGIONAL", "{}", data["agreement"]);
    let mut listed: BTreeMap<String, i64> = BTreeMap::new();
    for node in data["listed"]["nodes"].as_array().expect("nodes") {
        *listed.entry(node["scope"].as_str().unwrap_or("null").to_owned()).or_default() += 1;
    }
    let grouped: BTreeMap<String, i64> = data["taiwan"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["scope"].as_str().unwrap_or("null").to_owned(), g["count"].as_i64().expect("count")))
        .collect();
    assert_eq!(grouped, listed);
    assert!(!grouped.contains_key("SUBREGIONAL"), "{grouped:?}");
}

#[tokio::test]
async fn flow_objects_and_the_filter_agree_on_south_south() {
    let test = TestDb::new().await;
    let api = test.api();
    let slice = json!({ "source": ["aiddata-gcof-1.0"], "year": { "gte": 2000, "lte": 2000 } });
    let flows = every(&api, "flows", "FlowFilter", slice.clone(), "southSouth").await;
    assert_eq!(flows.len(), published::gcof().iter().filter(|row| row["year"] == "2000").count());
    let data = api
        .data(
            r#"query($slice: FlowFilter!) {
                southSouth: flows(filter: { and: [$slice], southSouth: true }) { totalCount }
                notSouthSouth: flows(filter: { and: [$slice], southSouth: false }) { totalCount }
            }"#,
            json!({ "slice": slice }),
        )
        .await;
    let count = |value: Value| flows.iter().filter(|flow| flow["southSouth"] == value).count() as u64;
    assert_eq!(data["southSouth"]["totalCount"].as_u64(), Some(count(json!(true))));
    assert_eq!(data["notSouthSouth"]["totalCount"].as_u64(), Some(count(json!(false))));
}

#[tokio::test]
async fn partners_and_shares_cite_the_sources_of_their_figures() {
    let kenya = published::gcof().iter().filter(|row| row["recipient_iso3"] == "KEN").count();
    assert!(kenya > 0, "GCOF has flows to Kenya");
    let test = TestDb::new().await;
    let api = test.api();
    let partners =
        api.post(r#"{ country(code: "KEN") { partners(direction: RECEIVED, first: 3) { count } } }"#, json!({})).await;
    let keys = source_keys(&partners);
    assert!(keys.contains(&"aiddata-gcof-1.0".to_owned()), "{keys:?}");

    let share = api.post(r#"{ agreementSouthSouthShare(filter: { kind: [INVESTMENT] }) { total } }"#, json!({})).await;
    let keys = source_keys(&share);
    assert!(keys.contains(&"unctad-iia-navigator".to_owned()), "{keys:?}");

    let flows = api.post(r#"{ southSouthShare(filter: { provider: { code: ["CHN"] } }) { total } }"#, json!({})).await;
    assert!(source_keys(&flows).contains(&"aiddata-gcof-1.0".to_owned()));
}

/// UNCTAD names the European Union and EFTA as parties: a treaty of theirs with African or
/// Latin American countries is not South–South, whichever the other parties are.
#[tokio::test]
async fn a_developed_bloc_as_party_makes_a_treaty_not_south_south() {
    let test = TestDb::new().await;
    let api = test.api();
    let treaties = published::csv_rows("unctad_iia_scrape_bits_raw.csv.gz");
    let listed = |group: &str| treaties.iter().filter(|t| t["parties"].contains(group)).count() as u64;
    for (code, group) in [("EU", "European Union"), ("EFTA", "EFTA (European Free Trade Association)")] {
        let data = api
            .data(
                "query($code: String!) { bloc(code: $code) { isSouth all: agreements { totalCount } south: agreements(filter: { southSouth: true }) { totalCount } } }",
                json!({ "code": code }),
            )
            .await;
        let bloc = &data["bloc"];
        assert_eq!(bloc["isSouth"], false, "{code}");
        assert_eq!(bloc["all"]["totalCount"].as_u64(), Some(listed(group)), "{code}");
        assert_eq!(bloc["south"]["totalCount"], 0, "{code}");
    }
    for reference in ["311", "456", "501", "675", "748"] {
        let row = treaties.iter().find(|t| t["treaty_id"] == reference).expect("treaty in the file");
        let bloc = if row["parties"].contains("EFTA (") { "EFTA" } else { "EU" };
        let data = api
            .data(
                "query($ref: String!) { agreement(source: \"unctad-iia-navigator\", reference: $ref) { southSouth triangular blocParties { nodes { code isSouth } } parties { nodes { isSouth } } } }",
                json!({ "ref": reference }),
            )
            .await;
        let agreement = &data["agreement"];
        assert_eq!(agreement["southSouth"], false, "{reference}");
        assert_eq!(agreement["blocParties"]["nodes"], json!([{ "code": bloc, "isSouth": false }]), "{reference}");
        let countries = agreement["parties"]["nodes"].as_array().expect("parties");
        assert!(countries.len() >= 2 && countries.iter().all(|c| c["isSouth"] == true), "{reference}");
    }
}

/// A treaty whose only listed party is a bloc of the South (ECOWAS's investment code) is an
/// agreement among its members: South–South, in the bloc's region.
#[tokio::test]
async fn a_treaty_of_a_southern_bloc_alone_is_among_its_members() {
    let test = TestDb::new().await;
    let treaties = published::csv_rows("unctad_iia_scrape_bits_raw.csv.gz");
    let row = treaties.iter().find(|t| t["treaty_id"] == "139").expect("treaty 139");
    assert_eq!(row["parties"], "ECOWAS (Economic Community of West African States)");
    let data = test
        .api()
        .data(
            r#"{ agreement(source: "unctad-iia-navigator", reference: "139") { title southSouth scope parties { totalCount } blocParties { nodes { code isSouth } } } }"#,
            json!({}),
        )
        .await;
    let agreement = &data["agreement"];
    assert_eq!(agreement["title"].as_str(), Some(row["short_title"].as_str()));
    assert_eq!(agreement["southSouth"], true);
    assert_eq!(agreement["scope"], "SUBREGIONAL");
    assert_eq!(agreement["parties"]["totalCount"], 0);
    assert_eq!(agreement["blocParties"]["nodes"], json!([{ "code": "ECOWAS", "isSouth": true }]));
}
