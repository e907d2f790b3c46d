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
