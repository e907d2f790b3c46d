//! HTTP behaviour: GraphQL over HTTP (GET and POST, media types, status codes, error
//! codes), GraphiQL, health, and the example queries.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::json;
use southgraph::{
    config::ApiConfig,
    http::{EXAMPLES, QUESTIONS},
};

use crate::support::TestDb;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn post(body: &str, accept: &str) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", accept)
        .body(Body::from(body.to_owned()))
        .expect("request")
}

#[tokio::test]
async fn post_answers_with_the_graphql_response_media_type() {
    let test = TestDb::new().await;
    let reply = test.api().send(post(r#"{"query":"{ country(code: \"KEN\") { name } }"}"#, GRAPHQL_RESPONSE)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, GRAPHQL_RESPONSE);
    let body = reply.json();
    assert_eq!(body["data"], json!({ "country": { "name": "Kenya" } }));
    assert_eq!(body["extensions"]["cost"], json!({ "requested": 2, "limit": 50_000 }));
    assert_eq!(body["extensions"]["sources"][0]["key"], "country-codes-2020");
}

#[tokio::test]
async fn get_runs_queries_from_the_query_string() {
    let test = TestDb::new().await;
    let uri = "/graphql?query=%7Bcountry(code%3A%22BRA%22)%7Biso2%7D%7D";
    let reply = test.api().send(Request::get(uri).body(Body::empty()).expect("request")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["data"], json!({ "country": { "iso2": "BR" } }));
}

#[tokio::test]
async fn a_request_that_cannot_run_is_a_400_without_data() {
    let test = TestDb::new().await;
    for (body, code) in [
        (r#"{"query":"{ country(code: \"KEN\") { name "}"#, "GRAPHQL_VALIDATION_FAILED"),
        (r#"{"query":"{ country(code: \"KEN\") { population } }"}"#, "GRAPHQL_VALIDATION_FAILED"),
        (r#"{"query": 42}"#, "BAD_REQUEST"),
        ("not json at all", "BAD_REQUEST"),
    ] {
        let reply = test.api().send(post(body, GRAPHQL_RESPONSE)).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        let response = reply.json();
        assert!(response.get("data").is_none(), "{body}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["code"], code, "{body}: {response}");
    }
}

#[tokio::test]
async fn legacy_json_clients_get_200_for_invalid_queries() {
    let test = TestDb::new().await;
    let reply = test.api().send(post(r#"{"query":"{ nothing }"}"#, "application/json")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn clients_without_a_preference_get_application_json() {
    let test = TestDb::new().await;
    let without_accept = |body: &str| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .expect("request")
    };
    for request in [post(r#"{"query":"{ __typename }"}"#, "*/*"), without_accept(r#"{"query":"{ __typename }"}"#)] {
        let reply = test.api().send(request).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.content_type, "application/json");
        assert_eq!(reply.json()["data"], json!({ "__typename": "Query" }));
    }
    // As for any application/json client, a request that cannot run is a 200 with errors.
    let reply = test.api().send(without_accept(r#"{"query":"{ nothing }"}"#)).await;
    assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::OK, "application/json"));
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    // The newer media type only for clients that name it, whatever else they accept.
    let reply = test
        .api()
        .send(post(r#"{"query":"{ nothing }"}"#, "application/json, application/graphql-response+json"))
        .await;
    assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::BAD_REQUEST, GRAPHQL_RESPONSE));
}

#[tokio::test]
async fn a_post_that_is_not_json_is_refused() {
    let test = TestDb::new().await;
    let body = r#"{"query":"{ __typename }"}"#;
    for content_type in [None, Some("text/plain"), Some("application/graphql"), Some("multipart/form-data; boundary=x")]
    {
        let mut request = Request::post("/graphql").header("accept", GRAPHQL_RESPONSE);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let reply = test.api().send(request.body(Body::from(body)).expect("request")).await;
        assert_eq!(reply.status, 415, "{content_type:?}: {}", reply.body);
        let response = reply.json();
        assert!(response.get("data").is_none(), "{content_type:?}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{content_type:?}: {response}");
    }
    assert_eq!(test.api().send(post(body, "application/json")).await.status, 200);
    let request =
        Request::post("/graphql").header("content-type", "Application/JSON; charset=utf-8").body(Body::from(body));
    assert_eq!(test.api().send(request.expect("request")).await.status, 200);
}

#[tokio::test]
async fn field_errors_keep_the_data_and_carry_a_code() {
    let test = TestDb::new().await;
    let reply = test
        .api()
        .send(post(
            r#"{"query":"{ a: country(code: \"KEN\") { name } b: country(code: \"BRA\") { flowsReceived(first: 1000) { totalCount } } }"}"#,
            GRAPHQL_RESPONSE,
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let response = reply.json();
    assert_eq!(response["data"]["a"]["name"], "Kenya");
    assert_eq!(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(response["data"]["b"], json!(null));
    assert_eq!(response["errors"][0]["path"], json!(["b", "flowsReceived"]));
}

#[tokio::test]
async fn queries_deeper_than_the_limit_are_refused() {
    let test = TestDb::new().await;
    let api = test.api_with(ApiConfig { max_depth: 3, ..ApiConfig::default() });
    let (code, _) = api.error("{ countries { nodes { blocs { nodes { code } } } } }", json!({})).await;
    assert_eq!(code, "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn health_reports_the_database() {
    let test = TestDb::new().await;
    let reply = test.api().send(Request::get("/health").body(Body::empty()).expect("request")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["database"], "ok");
}

#[tokio::test]
async fn graphiql_opens_with_the_examples() {
    let test = TestDb::new().await;
    let reply = test.api().send(Request::get("/").body(Body::empty()).expect("request")).await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("text/html"));
    assert!(reply.body.contains("GraphiQL"));
    assert!(reply.body.contains("defaultTabs"));
    assert!(reply.body.contains("countries(filter: { isSouth: true"));
}

/// The `src` and `href` values of a page's `<script>` and `<link>` tags, with their
/// `integrity`.
fn subresources(html: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| {
        tag.split(&format!("{name}=\"")).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
    };
    html.split('<')
        .filter(|tag| tag.starts_with("script ") || tag.starts_with("link "))
        .map(|tag| {
            let url = if tag.starts_with("script") { attribute(tag, "src") } else { attribute(tag, "href") };
            (url, attribute(tag, "integrity"))
        })
        .collect()
}

#[tokio::test]
async fn graphiql_is_served_by_the_binary_with_integrity_hashes() {
    use base64::{Engine, engine::general_purpose::STANDARD};
    use sha2::{Digest, Sha384};

    let test = TestDb::new().await;
    let (_, headers) = test.api().send_full(Request::get("/").body(Body::empty()).expect("request")).await;
    let policy = headers.get("content-security-policy").and_then(|value| value.to_str().ok()).unwrap_or_default();
    assert!(!policy.contains("http"), "the policy names no other host: {policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    let page = test.api().send(Request::get("/").body(Body::empty()).expect("request")).await.body;
    let files = subresources(&page);
    assert_eq!(files.len(), 4, "React, ReactDOM, GraphiQL's script and stylesheet: {files:?}");
    for (url, integrity) in files {
        assert!(url.starts_with("/graphiql/"), "{url} is on this server");
        let request = Request::get(url.as_str()).body(Body::empty()).expect("request");
        let (status, headers) = test.api().send_full(request).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable", "{url}");
        let body = test.api().send_raw(Request::get(url.as_str()).body(Body::empty()).expect("request")).await;
        assert!(body.len() > 10_000, "{url}: {} bytes", body.len());
        assert_eq!(integrity, format!("sha384-{}", STANDARD.encode(Sha384::digest(&body))), "{url}");
    }
    let missing = test.api().send(Request::get("/graphiql/secret.js").body(Body::empty()).expect("request")).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("graphiql.min.js"), "the 404 lists the files: {}", missing.body);
}

#[tokio::test]
async fn a_browser_opening_graphql_gets_graphiql() {
    let test = TestDb::new().await;
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let request = Request::get("/graphql").header("accept", browser).body(Body::empty()).expect("request");
    let reply = test.api().send(request).await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("text/html"), "{}", reply.content_type);
    assert!(reply.body.contains("defaultTabs"));
    // Shared caches keep the HTML and the JSON of one URL apart.
    let request = Request::get("/graphql").header("accept", browser).body(Body::empty()).expect("request");
    let (_, headers) = test.api().send_full(request).await;
    assert!(
        headers.get_all("vary").iter().any(|value| value.to_str().is_ok_and(|v| v.contains("accept"))),
        "{headers:?}"
    );
    let request = Request::get("/graphql?query=%7B__typename%7D").body(Body::empty()).expect("request");
    let (_, headers) = test.api().send_full(request).await;
    assert!(
        headers.get_all("vary").iter().any(|value| value.to_str().is_ok_and(|v| v.contains("accept"))),
        "{headers:?}"
    );
    // A client that names JSON still gets GraphQL, even when it also accepts HTML.
    let request = Request::get("/graphql?query=%7B__typename%7D")
        .header("accept", "text/html, application/json")
        .body(Body::empty())
        .expect("request");
    assert_eq!(test.api().send(request).await.json()["data"]["__typename"], "Query");
}

#[tokio::test]
async fn every_example_query_runs_and_finds_data() {
    let test = TestDb::new().await;
    let api = test.api();
    for example in QUESTIONS.iter().chain(EXAMPLES) {
        let data = api.data(example.query, json!({})).await;
        for (field, value) in data.as_object().expect("data") {
            let found = match (value.get("nodes"), value) {
                (Some(nodes), _) => nodes.as_array().is_some_and(|nodes| !nodes.is_empty()),
                (None, serde_json::Value::Array(groups)) => !groups.is_empty(),
                (None, other) => other.is_object(),
            };
            assert!(found, "{}: `{field}` found nothing: {value}", example.title);
        }
    }
}

#[tokio::test]
async fn get_responses_are_cacheable_and_revalidate() {
    let test = TestDb::new().await;
    let uri = "/graphql?query=%7Bcountry(code%3A%22BRA%22)%7Biso2%7D%7D";
    let first = test.api().send_full(Request::get(uri).body(Body::empty()).expect("request")).await;
    assert_eq!(first.0, 200);
    assert!(first.1.get("cache-control").is_some_and(|v| v.to_str().unwrap_or_default().contains("max-age")));
    let etag = first.1.get("etag").expect("an ETag").clone();
    let again = test
        .api()
        .send_full(Request::get(uri).header("if-none-match", etag).body(Body::empty()).expect("request"))
        .await;
    assert_eq!(again.0, 304);
    let post = test.api().send_full(post(r#"{"query":"{ country(code: \"BRA\") { iso2 } }"}"#, GRAPHQL_RESPONSE)).await;
    assert!(post.1.get("etag").is_none(), "POST is not cached");
}

#[tokio::test]
async fn the_sdl_is_served_as_checked_in_and_revalidates() {
    let test = TestDb::new().await;
    let checked_in = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"))
        .expect("schema.graphql");
    let reply = test.api().send(Request::get("/schema.graphql").body(Body::empty()).expect("request")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "text/plain; charset=utf-8");
    assert_eq!(reply.body, checked_in);
    let (status, headers) =
        test.api().send_full(Request::get("/schema.graphql").body(Body::empty()).expect("request")).await;
    assert_eq!(status, 200);
    assert!(headers.get("cache-control").is_some_and(|v| v.to_str().unwrap_or_default().contains("max-age")));
    let etag = headers.get("etag").expect("an ETag").clone();
    let again = test
        .api()
        .send_full(Request::get("/schema.graphql").header("if-none-match", etag).body(Body::empty()).expect("request"))
        .await;
    assert_eq!(again.0, 304);
}

#[tokio::test]
async fn the_explorer_answers_with_and_without_a_trailing_slash() {
    let test = TestDb::new().await;
    let plain = test.api().send(Request::get("/explore").body(Body::empty()).expect("request")).await;
    let slashed = test.api().send(Request::get("/explore/").body(Body::empty()).expect("request")).await;
    assert_eq!((plain.status, slashed.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(plain.body, slashed.body);
}
