//! Deterministic responses: every object's fields in query order, whatever order the
//! resolvers finish in, over real HTTP.

use std::time::Duration;

use async_graphql::Value;
use southgraph::config::HttpConfig;

use crate::{
    served::{FLOWS, Served, http},
    support::TestDb,
};

/// The response keys of every object in `value`, in the order the body lists them.
fn keys_in_order(value: &Value) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    fn walk(value: &Value, found: &mut Vec<Vec<String>>) {
        match value {
            Value::Object(object) => {
                found.push(object.keys().map(|key| key.to_string()).collect());
                object.values().for_each(|value| walk(value, found));
            }
            Value::List(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    walk(value, &mut found);
    found
}
#[tokio::test]
async fn fifty_identical_requests_at_once_get_the_same_bytes_in_query_order() {
    let test = TestDb::new().await;
    // No response cache: every request runs.
    let served = Served::start_with(&test, HttpConfig { response_cache_bytes: 0, max_in_flight: 128, ..http() }).await;
    let answers = futures::future::join_all((0..50).map(|_| served.get(Some(FLOWS), None, &[]))).await;
    let first = &answers[0];
    assert_eq!(first.status, 200, "{:?}", first.body);
    for answer in &answers {
        assert_eq!(answer.body, first.body, "responses differ");
        assert_eq!(answer.etag(), first.etag());
    }
    let body: Value = serde_json::from_slice(&first.body).expect("json");
    let Value::Object(response) = &body else { panic!("not an object") };
    let Some(Value::Object(data)) = response.get("data") else { panic!("no data") };
    let nodes: Vec<_> = keys_in_order(&data["flows"]).into_iter().skip(1).collect();
    let node_keys = ["reference", "year", "amountUsdConstant", "provider", "recipient", "sector"];
    let node_orders: Vec<_> = nodes.iter().filter(|keys| keys.len() > 1).collect();
    assert_eq!(node_orders.len(), 50);
    for keys in node_orders {
        assert_eq!(keys, &node_keys, "fields out of query order");
    }
    // The same over POST, which is never cached.
    let body = serde_json::json!({ "query": FLOWS });
    let posted = futures::future::join_all((0..50).map(|_| served.post(&body))).await;
    assert!(posted.iter().all(|answer| answer.body == first.body), "POST responses differ");
    served.stop().await;
}
#[tokio::test]
async fn fields_follow_the_query_through_fragments_aliases_and_directives() {
    let test = TestDb::new().await;
    let served = Served::start(&test, Duration::from_secs(3_600)).await;
    let kenya = served.post(&serde_json::json!({ "query": "{ country(code: \"KEN\") { id } }" })).await;
    let kenya = kenya.json()["data"]["country"]["id"].as_str().expect("an ID").to_owned();
    let query = "{
        flows(first: 3) { nodes {
            sector { name }
            ...F
            who: provider { name }
            title @skip(if: true)
            status @include(if: true)
            description @include(if: false)
            ... on Flow { recipient { isSouth name } year }
        } }
        kenya: node(id: \"KENYA\") { ... on Flow { year } ... on Country { name iso3 } id }
    }
    fragment F on Flow { year reference }"
        .replace("KENYA", &kenya);
    let answer = served.get(Some(&query), None, &[]).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let body: Value = serde_json::from_slice(&answer.body).expect("json");
    let orders = keys_in_order(&body);
    let node = ["sector", "year", "reference", "who", "status", "recipient"].map(str::to_owned).to_vec();
    assert!(orders.contains(&node), "{orders:?}");
    assert!(orders.contains(&vec!["isSouth".to_owned(), "name".to_owned()]), "{orders:?}");
    assert!(orders.contains(&["name", "iso3", "id"].map(str::to_owned).to_vec()), "{orders:?}");
    served.stop().await;
}
