//! While the first import runs (or after it failed), `/health` reports the stage with 503,
//! and data requests (GraphQL, exports) get a coded 503 `SERVICE_UNAVAILABLE` with
//! `Retry-After`; once the stage is ready, everything is served.

use axum::{body::Body, http::Request};
use serde_json::json;
use southgraph::readiness::{Readiness, Stage};

use crate::support::TestDb;

fn importing() -> Stage {
    Stage::Importing { dataset: "aiddata-gcof".to_owned(), datasets_done: 3, datasets_total: 12 }
}

fn graphql() -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "query": "{ countries(first: 1) { totalCount } }" }).to_string()))
        .expect("request")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

#[tokio::test]
async fn while_importing_health_and_data_answer_503() {
    let test = TestDb::new().await;
    let readiness = Readiness::new(importing());
    let api = test.api_at(readiness.clone());

    let health = api.send(get("/health")).await;
    assert_eq!(health.status, 503);
    assert_eq!(
        health.json(),
        json!({
            "status": "importing", "database": "ok", "backend": health.json()["backend"], "rateLimit": "in-process",
            "stage": "importing", "dataset": "aiddata-gcof", "datasetsDone": 3, "datasetsTotal": 12,
        })
    );

    let reply = api.send(graphql()).await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        reply.json(),
        json!({ "errors": [{
            "message": "the bundled open data is being imported; try again shortly",
            "extensions": { "code": "SERVICE_UNAVAILABLE" },
        }] })
    );
    let (status, headers) = api.send_full(graphql()).await;
    assert_eq!((status.as_u16(), headers.get("retry-after").and_then(|v| v.to_str().ok())), (503, Some("5")));

    let (status, headers) = api.send_full(get("/export/flows.csv")).await;
    assert_eq!((status.as_u16(), headers.get("retry-after").and_then(|v| v.to_str().ok())), (503, Some("5")));
    assert_eq!(
        api.send(get("/export/flows.csv")).await.json()["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );

    // GraphiQL and the explorer page do not touch the data.
    assert_eq!(api.send(get("/")).await.status, 200);

    readiness.set(Stage::Ready);
    let health = api.send(get("/health")).await;
    assert_eq!((health.status.as_u16(), health.json()["status"].clone()), (200, json!("ok")));
    assert_eq!(health.json()["stage"], "ready");
    let reply = api.send(graphql()).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["data"]["countries"]["totalCount"].as_u64().is_some_and(|count| count > 200));
}

#[tokio::test]
async fn after_a_failed_import_health_says_why() {
    let test = TestDb::new().await;
    let reason = "the disk holding /data/southgraph.db is full (SQLite: database or disk is full)";
    let api = test.api_at(Readiness::new(Stage::Failed { reason: reason.to_owned() }));
    let health = api.send(get("/health")).await;
    assert_eq!(health.status, 503);
    assert_eq!((health.json()["status"].clone(), health.json()["reason"].clone()), (json!("failed"), json!(reason)));
    assert_eq!(api.send(graphql()).await.status, 503);
}
