//! Limits known before any SQL runs: cost over the expanded document, batches, bodies,
//! tokens, input values, and introspection's own rule.

use axum::{body::Body, http::Request};
use serde_json::{Value, json};

use southgraph::{
    config::{ApiConfig, HttpConfig, RateLimitSetting},
    http::AppOptions,
};

use crate::support::TestDb;

fn post(body: String) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(Body::from(body))
        .expect("request")
}

fn query(text: &str) -> Request<Body> {
    post(json!({ "query": text }).to_string())
}

/// The first error's code and message of a refused request, which must be a 400.
async fn refused(test: &TestDb, request: Request<Body>) -> (String, String) {
    let reply = test.api().send(request).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let body = reply.json();
    assert!(body.get("data").is_none(), "{body}");
    let error = &body["errors"][0];
    (
        error["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
        error["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn every_response_tells_its_cost_counted_by_page_sizes() {
    let test = TestDb::new().await;
    let body = test
        .api()
        .send(query(
            "{ countries(first: 50) { nodes { name flowsProvided(first: 5) { nodes { recipient { name } } } } } }",
        ))
        .await
        .json();
    // countries: 1 + 50 × nodes(1 + name 1 + flowsProvided(1 + 5 × nodes(1 + recipient(1 + name 1))))
    let expected = 1 + 50 * (1 + 1 + (1 + 5 * (1 + (1 + 1))));
    assert_eq!(body["extensions"]["cost"], json!({ "requested": expected, "limit": 50_000 }), "{body}");
}

#[tokio::test]
async fn nested_connections_over_the_limit_are_refused_with_the_numbers() {
    let test = TestDb::new().await;
    let (code, message) = refused(
        &test,
        query(
            "{ countries(first: 100) { nodes { flowsProvided(first: 100) { nodes { recipient {
               flowsReceived(first: 100) { nodes { provider { flowsProvided(first: 100) { nodes { id } } } } } } } } } } }",
        ),
    )
    .await;
    assert_eq!(code, "LIMIT_EXCEEDED");
    assert!(message.contains("50000"), "{message}");
    // Without `first`, connections count the default page size (20).
    let (code, _) = refused(
        &test,
        query("{ countries { nodes { flowsProvided { nodes { recipient { flowsReceived { nodes { provider { flowsProvided { nodes { id title year } } } } } } } } } } }"),
    )
    .await;
    assert_eq!(code, "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn fragments_are_expanded_and_aliases_counted() {
    let test = TestDb::new().await;
    // 24 levels, each spreading the one below twice: 2^24 fields once expanded.
    let mut document =
        String::from("query { countries(first: 1) { nodes { ...F24 } } }\nfragment F0 on Country { name }\n");
    for level in 1..=24 {
        document.push_str(&format!("fragment F{level} on Country {{ ...F{below} ...F{below} }}\n", below = level - 1));
    }
    let started = std::time::Instant::now();
    let (code, message) = refused(&test, query(&document)).await;
    assert_eq!(code, "LIMIT_EXCEEDED", "{message}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let aliases: String = (0..300).map(|n| format!("a{n}: flows(first: 100) {{ nodes {{ id }} }} ")).collect();
    let (code, _) = refused(&test, query(&format!("{{ {aliases} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn batches_are_limited_in_size_and_in_total_cost() {
    let test = TestDb::new().await;
    let cheap = json!({ "query": "{ country(code: \"KEN\") { name } }" });
    let eleven = Value::Array(vec![cheap.clone(); 11]).to_string();
    let (code, message) = refused(&test, post(eleven)).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
    assert!(message.contains("at most 10"), "{message}");

    // Each costs 1 + 100 × (1 + 100 × 2) = 20,201: under the limit alone, over it in fives.
    let heavy =
        json!({ "query": "{ countries(first: 100) { nodes { flowsProvided(first: 100) { nodes { id } } } } }" });
    let alone = test.api().send(post(heavy.to_string())).await.json();
    assert_eq!(alone["extensions"]["cost"]["requested"], 20_201, "{alone}");
    let (code, message) = refused(&test, post(Value::Array(vec![heavy; 5]).to_string())).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
    assert!(message.contains("batch"), "{message}");

    let two = test.api().send(post(Value::Array(vec![cheap; 2]).to_string())).await.json();
    assert_eq!(two[1]["extensions"]["cost"]["requested"], 2, "{two}");
}

#[tokio::test]
async fn bodies_tokens_and_input_values_are_bounded() {
    let test = TestDb::new().await;
    let big = json!({ "query": format!("{{ country(code: \"{}\") {{ name }} }}", "x".repeat(2_000_000)) });
    let reply = test.api().send(post(big.to_string())).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");

    let tokens: String = (0..6_000).map(|n| format!("a{n}: __typename ")).collect();
    let (code, message) = refused(&test, query(&format!("{{ {tokens} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
    assert!(message.contains("tokens"), "{message}");

    let deep_not = format!("{}{}", "{not: ".repeat(600), "}".repeat(600));
    let (code, _) = refused(&test, query(&format!("{{ flows(filter: {deep_not}) {{ totalCount }} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED");

    let brackets = format!("{}\"KEN\"{}", "[".repeat(2_000), "]".repeat(2_000));
    let (code, _) =
        refused(&test, query(&format!("{{ countries(filter: {{code: {brackets}}}) {{ totalCount }} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED");

    let branches: Vec<Value> = (0..10_000).map(|year| json!({ "year": { "gte": year } })).collect();
    let request = json!({
        "query": "query($f: FlowFilter) { flows(filter: $f) { totalCount } }",
        "variables": { "f": { "or": branches } },
    });
    let (code, message) = refused(&test, post(request.to_string())).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
    assert!(message.len() < 300, "{message}");

    let cursor = "A".repeat(100_000);
    let (code, _) =
        refused(&test, query(&format!("{{ flows(first: 1, after: \"{cursor}\") {{ totalCount }} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn numbers_at_the_edges_of_their_type_are_answered_not_crashed_on() {
    let test = TestDb::new().await;
    let extremes = "{ flowTimeSeries(from: -2147483648, to: 2147483647) { year count } }";
    // Its cost (4,294,967,296 years) refuses it before it runs…
    let (code, message) = refused(&test, query(extremes)).await;
    assert_eq!(code, "LIMIT_EXCEEDED", "{message}");
    // …and without a cost limit the resolver's own check, in checked arithmetic, does.
    let api = test.api_with_options(AppOptions {
        api: ApiConfig { max_cost: u64::MAX, ..ApiConfig::default() },
        http: HttpConfig { rate_limit: RateLimitSetting::Off, ..HttpConfig::default() },
        ..AppOptions::default()
    });
    let (code, message) = api.error(extremes, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
    let (code, _) = api.error("{ flowMatrix(level: REGION, top: 2147483647) { labels } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let (code, _) = api.error("{ flows(first: -1) { totalCount } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(api.data("{ country(code: \"KEN\") { name } }", json!({})).await["country"]["name"], "Kenya");
}

#[tokio::test]
async fn introspection_abuse_is_bounded_by_its_own_rule() {
    let test = TestDb::new().await;
    let chain = (0..30).fold(String::from("name"), |inner, _| format!("kind ofType {{ {inner} }}"));
    let (code, message) =
        refused(&test, query(&format!("{{ __type(name: \"Flow\") {{ fields {{ type {{ {chain} }} }} }} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED", "{message}");

    let aliases: String = (0..100).map(|n| format!("s{n}: __schema {{ types {{ name }} }} ")).collect();
    let (code, _) = refused(&test, query(&format!("{{ {aliases} }}"))).await;
    assert_eq!(code, "LIMIT_EXCEEDED");

    let (code, message) =
        refused(&test, query("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"))
            .await;
    assert_eq!(code, "LIMIT_EXCEEDED", "{message}");

    // What GraphiQL and graphql-js send stays well inside: a full type reference chain.
    let type_ref = (0..7).fold(String::from("kind name"), |inner, _| format!("kind name ofType {{ {inner} }}"));
    let standard = format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} types {{ kind name description
           fields(includeDeprecated: true) {{ name args {{ name type {{ {type_ref} }} defaultValue }} type {{ {type_ref} }} }}
           inputFields {{ name type {{ {type_ref} }} }} interfaces {{ {type_ref} }} enumValues(includeDeprecated: true) {{ name }}
           possibleTypes {{ {type_ref} }} }} directives {{ name locations args {{ name type {{ {type_ref} }} }} }} }} }}"
    );
    let body = test.api().send(query(&standard)).await.json();
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().is_some_and(|types| types.len() > 50));
}

#[tokio::test]
async fn a_post_without_a_content_type_is_refused() {
    let test = TestDb::new().await;
    let request = Request::post("/graphql").body(Body::from(r#"{"query":"{ __typename }"}"#)).expect("request");
    let reply = test.api().send(request).await;
    assert_eq!(reply.status, 415, "{}", reply.body);
}

#[tokio::test]
async fn refusals_are_coded_by_their_kind_not_their_wording() {
    let test = TestDb::new().await;
    // Under the scanner's 64 brackets, over the parser's own recursion limit: a limit.
    let deep = format!("{}{}", "{ a ".repeat(40), "}".repeat(40));
    let (code, message) = refused(&test, query(&deep)).await;
    assert_eq!(code, "LIMIT_EXCEEDED", "{message}");

    let reply = test.api().send(Request::get("/export/flows.xlsx").body(Body::empty()).expect("request")).await;
    assert_eq!(reply.status, 404);
    let body = reply.json();
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("flows.csv")), "{body}");

    let reply = test.api().send(Request::get("/no/such/page").body(Body::empty()).expect("request")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "NOT_FOUND");
}
