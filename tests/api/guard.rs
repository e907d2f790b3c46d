//! What keeps one client from taking the server down: load shedding, deadlines, statement
//! timeouts, body limits, security headers.

use std::time::{Duration, Instant};

use axum::{body::Body, http::Request};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use southgraph::{
    config::{DatabaseConfig, HttpConfig},
    db,
    http::AppOptions,
};

use crate::support::TestDb;

fn graphql(query: &str) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .expect("request")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

#[tokio::test]
async fn a_saturated_server_sheds_at_once_but_still_answers_health() {
    let test = TestDb::new().await;
    let http = HttpConfig { max_in_flight: 0, ..HttpConfig::default() };
    let api = test.api_with_options(AppOptions { http, ..AppOptions::default() });
    let started = Instant::now();
    let (status, headers) = api.send_full(graphql("{ country(code: \"KEN\") { name } }")).await;
    assert_eq!(status, 503);
    assert_eq!(headers["retry-after"], "1");
    assert!(started.elapsed() < Duration::from_secs(1));
    let reply = api.send(graphql("{ __typename }")).await;
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE");
    let health = api.send(get("/health")).await;
    assert_eq!(health.status, 200, "{}", health.body);
    assert_eq!(health.json()["status"], "ok");
}

#[tokio::test]
async fn a_request_past_its_deadline_is_stopped_with_a_coded_timeout() {
    let test = TestDb::new().await;
    let http = HttpConfig { request_timeout_ms: 1, ..HttpConfig::default() };
    let api = test.api_with_options(AppOptions { http, ..AppOptions::default() });
    let reply = api.send(graphql("{ flowMatrix(level: COUNTRY, top: 50) { labels } }")).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "TIMEOUT");
}

#[tokio::test]
async fn the_serving_pool_stops_long_statements() {
    let test = TestDb::new().await;
    let serving = db::connect_serving(&DatabaseConfig::new(test.url.clone(), 2), Duration::from_millis(200))
        .await
        .expect("connect");
    // A statement that would count to ten billion.
    let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) \
                   SELECT count(*) FROM n";
    let started = Instant::now();
    let query = serving.query_one_raw(Statement::from_string(serving.get_database_backend(), endless));
    let result = tokio::time::timeout(Duration::from_secs(20), query).await.expect("the statement was not stopped");
    assert!(result.is_err(), "the statement ran to its end");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // The connection serves the next statement.
    let one = serving.query_one_raw(Statement::from_string(serving.get_database_backend(), "SELECT 1 AS one")).await;
    assert!(one.is_ok(), "{one:?}");
}

#[tokio::test]
async fn announced_bodies_over_the_limit_are_refused_unread() {
    let test = TestDb::new().await;
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("content-length", "5000000")
        .body(Body::from("{}"))
        .expect("request");
    let reply = test.api().send(request).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let test = TestDb::new().await;
    let api = test.api();
    for uri in ["/", "/explore", "/health", "/graphql?query=%7B__typename%7D", "/export/flows.sources.csv"] {
        let (_, headers) = api.send_full(get(uri)).await;
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{uri}");
        let policy = headers["content-security-policy"].to_str().unwrap_or_default();
        assert!(policy.contains("frame-ancestors 'none'") || policy.contains("default-src 'self'"), "{uri}: {policy}");
        assert!(!policy.contains("unsafe-eval"), "{uri}: {policy}");
    }
    let (_, headers) = api.send_full(get("/")).await;
    let policy = headers["content-security-policy"].to_str().unwrap_or_default();
    assert!(policy.contains("script-src 'self' 'sha256-"), "{policy}");
    let scripts = policy.split(';').find(|directive| directive.trim().starts_with("script-src")).unwrap_or_default();
    assert!(!scripts.contains("unsafe"), "{policy}");
}

#[tokio::test]
async fn exports_take_a_slot_of_their_own() {
    let test = TestDb::new().await;
    let http = HttpConfig { max_exports: 0, ..HttpConfig::default() };
    let api = test.api_with_options(AppOptions { http, ..AppOptions::default() });
    let reply = api.send(get("/export/flows.csv")).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE");
}
