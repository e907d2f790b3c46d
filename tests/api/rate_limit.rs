//! Rate limits in cost points per client, with the standard headers, in-process or shared
//! through Redis (`SOUTHGRAPH_TEST_REDIS_URL`, which `.ci/run` sets).

use std::net::IpAddr;

use axum::{body::Body, http::Request};
use serde_json::json;
use southgraph::{
    config::{HttpConfig, RateLimitSetting},
    http::AppOptions,
};

use crate::support::{Api, TestDb};

fn graphql(query: &str, client: &str) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-forwarded-for", client)
        .body(Body::from(json!({ "query": query }).to_string()))
        .expect("request")
}

fn limited(test: &TestDb, points: u64, redis_url: Option<String>) -> Api {
    let loopback: IpAddr = "127.0.0.1".parse().expect("address");
    let http = HttpConfig {
        rate_limit: RateLimitSetting::Points(points),
        trusted_proxies: vec![loopback],
        redis_url,
        ..HttpConfig::default()
    };
    test.api_with_options(AppOptions { http, ..AppOptions::default() })
}

/// A client address no other test run uses, so that runs sharing a Redis never meet.
fn fresh_client() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("10.{}.{}.{}", std::process::id() % 250, (nanos >> 8) % 250, nanos % 250)
}

const CHEAP: &str = "{ country(code: \"KEN\") { name } }";

/// Waits for the next window when this one ends within 10 s: the windows are fixed (every
/// client's resets at once), and a test that spends a budget must not see it refilled.
async fn at_window_start(api: &Api) {
    let (_, headers) = api.send_full(graphql(CHEAP, &fresh_client())).await;
    let reset: u64 = headers["ratelimit-reset"].to_str().ok().and_then(|v| v.parse().ok()).expect("reset");
    if reset < 10 {
        tokio::time::sleep(std::time::Duration::from_secs(reset + 1)).await;
    }
}

#[tokio::test]
async fn clients_spend_cost_points_and_are_told_where_they_stand() {
    let test = TestDb::new().await;
    let api = limited(&test, 10, None);
    at_window_start(&api).await;
    let client = fresh_client();
    let (status, headers) = api.send_full(graphql(CHEAP, &client)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["ratelimit-limit"], "10");
    assert_eq!(headers["ratelimit-remaining"], "8", "the query costs 2 points");
    let reset: u64 = headers["ratelimit-reset"].to_str().ok().and_then(|v| v.parse().ok()).expect("reset");
    assert!((1..=60).contains(&reset), "{reset}");
    for _ in 0..4 {
        api.send_full(graphql(CHEAP, &client)).await;
    }
    let reply = api.send(graphql(CHEAP, &client)).await;
    assert_eq!(reply.status, 429, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let (_, headers) = api.send_full(graphql(CHEAP, &client)).await;
    assert!(headers.contains_key("retry-after"));
    assert_eq!(headers["ratelimit-remaining"], "0");
    // Another client has a budget of its own; health is never charged.
    assert_eq!(api.send_full(graphql(CHEAP, &fresh_client())).await.0, 200);
    let health = api.send(Request::get("/health").body(Body::empty()).expect("request")).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["rateLimit"], "in-process");
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let test = TestDb::new().await;
    let http = HttpConfig { rate_limit: RateLimitSetting::Points(3), ..HttpConfig::default() };
    let untrusting = test.api_with_options(AppOptions { http, ..AppOptions::default() });
    // Without trusted proxies, every forged X-Forwarded-For is the same (loopback) client.
    assert_eq!(untrusting.send_full(graphql(CHEAP, "10.0.0.1")).await.0, 200);
    assert_eq!(untrusting.send_full(graphql(CHEAP, "10.0.0.2")).await.0, 429);
}

#[tokio::test]
async fn rate_limiting_can_be_turned_off() {
    let test = TestDb::new().await;
    let http = HttpConfig { rate_limit: RateLimitSetting::Off, ..HttpConfig::default() };
    let api = test.api_with_options(AppOptions { http, ..AppOptions::default() });
    let (status, headers) = api.send_full(graphql(CHEAP, "10.0.0.1")).await;
    assert_eq!(status, 200);
    assert!(!headers.contains_key("ratelimit-limit"));
    assert_eq!("off".parse::<RateLimitSetting>(), Ok(RateLimitSetting::Off));
}

#[tokio::test]
async fn instances_share_budgets_through_redis() {
    let Some(url) = std::env::var("SOUTHGRAPH_TEST_REDIS_URL").ok().filter(|url| !url.is_empty()) else {
        eprintln!("SOUTHGRAPH_TEST_REDIS_URL is not set: the Redis-shared budget is not tested");
        return;
    };
    let test = TestDb::new().await;
    let (one, two) = (limited(&test, 100, Some(url.clone())), limited(&test, 100, Some(url)));
    let client = fresh_client();
    let (_, headers) = one.send_full(graphql(CHEAP, &client)).await;
    assert_eq!(headers["ratelimit-remaining"], "98");
    let (_, headers) = two.send_full(graphql(CHEAP, &client)).await;
    assert_eq!(headers["ratelimit-remaining"], "96", "the second instance sees what the first spent");
    let health = two.send(Request::get("/health").body(Body::empty()).expect("request")).await;
    assert_eq!(health.json()["rateLimit"], "redis");
}

#[tokio::test]
async fn an_unreachable_redis_falls_back_to_counting_in_process() {
    let test = TestDb::new().await;
    let api = limited(&test, 100, Some("redis://127.0.0.1:1".to_owned()));
    let client = fresh_client();
    let (status, headers) = api.send_full(graphql(CHEAP, &client)).await;
    assert_eq!(status, 200);
    // The request spends twice (a point, then its cost), each after Redis failed to answer:
    // when the fixed window turns between the two, the second starts the new window.
    let remaining = headers["ratelimit-remaining"].to_str().expect("header");
    assert!(["98", "99"].contains(&remaining), "{remaining}");
    let health = api.send(Request::get("/health").body(Body::empty()).expect("request")).await;
    assert_eq!(health.json()["rateLimit"], "in-process (Redis unreachable)");
}
