//! Automatic persisted queries (Apollo's protocol), over real HTTP.

use std::time::Duration;

use axum::http::header;
use sha2::{Digest, Sha256};

use crate::{served::Served, support::TestDb};

/// The hash a client sends.
fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}
#[tokio::test]
async fn persisted_queries_round_trip_over_get_and_post() {
    let test = TestDb::new().await;
    let served = Served::start(&test, Duration::from_secs(3_600)).await;
    let query = "{ country(code: \"KEN\") { name isSouth } }";
    let extensions = format!(r#"{{"persistedQuery":{{"version":1,"sha256Hash":"{}"}}}}"#, sha256(query));

    let unknown = served.get(None, Some(&extensions), &[]).await;
    assert_eq!(unknown.status, 200, "{:?}", unknown.body);
    let error = &unknown.json()["errors"][0];
    assert_eq!(error["message"], "PersistedQueryNotFound");
    assert_eq!(error["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND");
    assert!(unknown.headers.get(header::ETAG).is_none());
    assert_eq!(unknown.headers[header::CACHE_CONTROL], "no-store");
    let strict = served.get(None, Some(&extensions), &[("accept", "application/graphql-response+json")]).await;
    assert_eq!(strict.status, 400);
    assert_eq!(strict.json()["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND");

    let extensions_json: serde_json::Value = serde_json::from_str(&extensions).expect("json");
    let registered = served.post(&serde_json::json!({ "query": query, "extensions": extensions_json })).await;
    assert_eq!(registered.status, 200);
    assert_eq!(registered.json()["data"]["country"]["name"], "Kenya");

    let by_hash = served.get(None, Some(&extensions), &[]).await;
    assert_eq!(by_hash.status, 200);
    assert_eq!(by_hash.body, registered.body);
    let etag = by_hash.etag();
    assert!(!etag.is_empty());
    let revalidated = served.get(None, Some(&extensions), &[("if-none-match", &etag)]).await;
    assert_eq!(revalidated.status, 304);
    // The full query over GET is the same request, with the same ETag.
    let full = served.get(Some(query), Some(&extensions), &[]).await;
    assert_eq!(full.etag(), etag);
    assert_eq!(full.body, by_hash.body);

    // A query registered over GET.
    let other = "{ country(code: \"BRA\") { iso2 } }";
    let other_extensions = format!(r#"{{"persistedQuery":{{"version":1,"sha256Hash":"{}"}}}}"#, sha256(other));
    assert_eq!(served.get(Some(other), Some(&other_extensions), &[]).await.json()["data"]["country"]["iso2"], "BR");
    assert_eq!(served.get(None, Some(&other_extensions), &[]).await.json()["data"]["country"]["iso2"], "BR");
    served.stop().await;
}
#[tokio::test]
async fn a_persisted_query_with_the_wrong_hash_is_refused() {
    let test = TestDb::new().await;
    let served = Served::start(&test, Duration::from_secs(3_600)).await;
    let wrong = sha256("{ something else }");
    let extensions = serde_json::json!({ "persistedQuery": { "version": 1, "sha256Hash": wrong } });
    let answer = served
        .post(&serde_json::json!({ "query": "{ country(code: \"KEN\") { name } }", "extensions": extensions }))
        .await;
    assert_eq!(answer.status, 400);
    let error = &answer.json()["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_REQUEST");
    assert_eq!(error["message"], "provided sha does not match query");
    // Nothing was stored under the wrong hash.
    let unknown = served.get(None, Some(&extensions.to_string()), &[]).await;
    assert_eq!(unknown.json()["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND");
    // Another protocol version.
    let version_2 = serde_json::json!({ "persistedQuery": { "version": 2, "sha256Hash": wrong } });
    let answer = served.get(None, Some(&version_2.to_string()), &[]).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    served.stop().await;
}
