//! Lookups by natural key and by global ID.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::support::TestDb;

#[tokio::test]
async fn countries_are_found_by_iso3_or_iso2_in_any_case() {
    let test = TestDb::new().await;
    let api = test.api();
    for code in ["KEN", "KE", "ken", " ke "] {
        let data =
            api.data("query($code: String!) { country(code: $code) { iso3 name m49 } }", json!({ "code": code })).await;
        assert_eq!(data["country"], json!({ "iso3": "KEN", "name": "Kenya", "m49": "404" }), "{code}");
    }
}

#[tokio::test]
async fn unknown_codes_are_null_not_errors() {
    let test = TestDb::new().await;
    let data = test
        .api()
        .data(
            r#"{
                country(code: "XXX") { name }
                sector(code: "99999") { name }
                bloc(code: "NOPE") { name }
                source(key: "no-such-source") { title }
                flow(source: "aiddata-gcof-1.0", reference: "no-such-project") { title }
                agreement(source: "no-such-source", reference: "1") { title }
            }"#,
            json!({}),
        )
        .await;
    for field in ["country", "sector", "bloc", "source", "flow", "agreement"] {
        assert_eq!(data[field], Value::Null, "{field}");
    }
}

#[tokio::test]
async fn every_kind_of_object_comes_back_by_its_global_id() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api
        .data(
            r#"{
                country(code: "KEN") { id }
                bloc(code: "G77") { id }
                sector(code: "12220") { id }
                source(key: "aiddata-gcof-1.0") { id importRuns(first: 1) { nodes { id } } }
                flows(first: 1) { nodes { id } }
                agreements(first: 1) { nodes { id } }
                experts(first: 1) { nodes { id deployments(first: 1) { nodes { id } } } }
            }"#,
            json!({}),
        )
        .await;
    let ids = [
        (&data["country"]["id"], "Country"),
        (&data["bloc"]["id"], "Bloc"),
        (&data["sector"]["id"], "Sector"),
        (&data["source"]["id"], "Source"),
        (&data["source"]["importRuns"]["nodes"][0]["id"], "ImportRun"),
        (&data["flows"]["nodes"][0]["id"], "Flow"),
        (&data["agreements"]["nodes"][0]["id"], "Agreement"),
        (&data["experts"]["nodes"][0]["id"], "Expert"),
        (&data["experts"]["nodes"][0]["deployments"]["nodes"][0]["id"], "Deployment"),
    ];
    for (id, typename) in &ids {
        assert!(id.is_string(), "{typename} has no id: {data:#}");
        let node = api.data("query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": id })).await;
        assert_eq!(node["node"], json!({ "__typename": typename, "id": id }));
    }
    let all: Vec<&Value> = ids.iter().map(|(id, _)| *id).collect();
    let nodes = api.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": all })).await;
    let returned: Vec<&Value> = nodes["nodes"].as_array().expect("nodes").iter().map(|node| &node["id"]).collect();
    assert_eq!(returned, all, "same objects, same order");
}

#[tokio::test]
async fn ids_that_name_nothing_resolve_to_null() {
    let test = TestDb::new().await;
    let gone = URL_SAFE_NO_PAD.encode(r#"["Country","XXX"]"#);
    let kenya = test.api().data(r#"{ country(code: "KEN") { id } }"#, json!({})).await["country"]["id"].clone();
    let data =
        test.api().data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [gone, kenya] })).await;
    assert_eq!(data["nodes"], json!([null, { "id": kenya }]));
}

#[tokio::test]
async fn malformed_ids_are_bad_input() {
    let test = TestDb::new().await;
    let api = test.api();
    for id in ["", "42", "!!!", &URL_SAFE_NO_PAD.encode(r#"["Planet","Earth"]"#), &URL_SAFE_NO_PAD.encode("[]")] {
        let (code, message) = api.error("query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{id}");
        assert!(message.contains("not a valid southgraph ID"), "{message}");
    }
}

#[tokio::test]
async fn ids_are_stable_across_reimports() {
    let test = TestDb::new().await;
    let query = r#"{ country(code: "KEN") { id } flows(first: 3) { nodes { id } } }"#;
    let before = test.api().data(query, json!({})).await;
    seed::import_bundled(&test.db, &seed::NoProgress).await.expect("re-import");
    assert_eq!(test.api().data(query, json!({})).await, before);
}

#[tokio::test]
async fn every_country_has_the_iso_numeric_code_of_the_published_file_taiwan_included() {
    let published: std::collections::HashMap<String, Option<String>> = crate::published::countries()
        .into_iter()
        .map(|row| {
            let numeric = row["ISO3166-1-numeric"].trim().to_owned();
            let numeric = (!numeric.is_empty()).then(|| format!("{:03}", numeric.parse::<u16>().expect("a number")));
            (row["ISO3166-1-Alpha-3"].clone(), numeric)
        })
        .collect();
    let test = TestDb::new().await;
    let api = test.api();
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = api
            .data(
                "query($after: String) { countries(first: 100, after: $after) {
                    nodes { iso3 m49 isoNumeric } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        nodes.extend(data["countries"]["nodes"].as_array().expect("countries").iter().cloned());
        if data["countries"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["countries"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(nodes.len(), published.len());
    for node in &nodes {
        let iso3 = node["iso3"].as_str().expect("iso3");
        assert_eq!(node["isoNumeric"].as_str(), published[iso3].as_deref(), "{iso3}");
    }
    let taiwan = nodes.iter().find(|node| node["iso3"] == "TWN").expect("Taiwan");
    assert_eq!((&taiwan["m49"], &taiwan["isoNumeric"]), (&Value::Null, &json!("158")));
}
