//! A query costs a number of SQL statements bounded by its depth, never by its rows.

use std::sync::atomic::Ordering;

use serde_json::json;

use southgraph::{
    config::{ApiConfig, HttpConfig},
    http::AppOptions,
};

use crate::support::TestDb;

/// Runs a query and returns how many statements it cost.
///
/// Loaders batch the keys that arrive within a short window. Tests run many at once on
/// few cores, where the operating system may pause a test's thread for longer than the
/// 2 ms default and so split a batch in two; a 1 s window keeps the count about the
/// query's shape, not about the machine's load (100 ms still split the recipients of
/// 5,000 flows on a loaded 2-core machine). The data version is polled once an hour, so
/// that its poll is not counted.
async fn statements(query: &str, size: i64) -> usize {
    let mut test = TestDb::new().await;
    let counter = test.count_statements();
    let api = test.api_with_options(AppOptions {
        api: ApiConfig { batch_delay_ms: 1_000, ..ApiConfig::default() },
        http: HttpConfig { data_version_poll_ms: 3_600_000, ..HttpConfig::default() },
        ..AppOptions::default()
    });
    counter.store(0, Ordering::SeqCst);
    let data = api.data(query, json!({ "size": size })).await;
    assert!(!data.is_null());
    counter.load(Ordering::SeqCst)
}

#[tokio::test]
async fn flows_with_their_relations_cost_the_same_for_10_and_100_rows() {
    let query = "query($size: Int!) {
        flows(first: $size) {
            nodes { id title provider { name } recipient { name } sector { name } source { key } }
        }
    }";
    let small = statements(query, 10).await;
    let large = statements(query, 100).await;
    assert_eq!(small, large, "statements grew with rows: {small} for 10 flows, {large} for 100");
    // the flows' count and page; one batch each for countries, sectors and sources; the
    // sources of the response for `extensions.sources`.
    assert!(large <= 6, "{large} statements for a depth-2 query");
}

#[tokio::test]
async fn nested_connections_cost_the_same_for_10_and_100_parents() {
    let query = "query($size: Int!) {
        countries(first: $size) {
            nodes { name flowsProvided(first: 5) { totalCount nodes { recipient { name } } } }
        }
    }";
    // the countries' count and page; flows of all countries; a count for the countries
    // whose page is empty; the recipients; the sources of the response.
    for size in [10, 100] {
        let count = statements(query, size).await;
        assert!(count <= 6, "{count} statements for {size} countries and a depth-3 query");
    }
}

#[tokio::test]
async fn fifty_countries_with_their_flows_take_a_bounded_number_of_statements() {
    let query = "query($size: Int!) {
        countries(first: 50) {
            nodes { flowsProvided(first: $size) { totalCount nodes { recipient { name } } } }
        }
    }";
    let five = statements(query, 5).await;
    let hundred = statements(query, 100).await;
    assert_eq!(five, hundred);
    assert!(hundred <= 6, "{hundred}");
}
