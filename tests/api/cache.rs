//! The response cache and `ETag`s keyed by the data version, over real HTTP.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use axum::http::header;
use southgraph::config::HttpConfig;

use crate::{
    served::{FLOWS, Served, http},
    support::TestDb,
};

#[tokio::test]
async fn a_matching_if_none_match_gets_304_without_touching_the_database() {
    let mut test = TestDb::new().await;
    let counter = test.count_statements();
    let served = Served::start(&test, Duration::from_secs(3_600)).await;
    let miss = served.get(Some(FLOWS), None, &[]).await;
    assert_eq!(miss.status, 200);
    let etag = miss.etag();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    assert_eq!(miss.headers[header::CACHE_CONTROL], "public, max-age=300");

    counter.store(0, Ordering::SeqCst);
    let revalidated = served.get(Some(FLOWS), None, &[("if-none-match", &etag)]).await;
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.body.is_empty());
    assert_eq!(revalidated.etag(), etag);
    let hit = served.get(Some(FLOWS), None, &[]).await;
    assert_eq!(hit.status, 200);
    assert_eq!(counter.load(Ordering::SeqCst), 0, "a 304 or a cached answer ran SQL");

    // The very bytes of the first execution, extensions (cost, sources) included; the same
    // request in a POST is the same response, from the cache too.
    assert_eq!(hit.body, miss.body);
    assert!(miss.json()["extensions"]["sources"].is_array() && miss.json()["extensions"]["cost"].is_object());
    let posted = served.post(&serde_json::json!({ "query": FLOWS })).await;
    assert_eq!(posted.body, miss.body);
    assert_eq!(counter.load(Ordering::SeqCst), 0, "a POST of a cached request ran SQL");
    assert!(!posted.headers.contains_key(header::ETAG), "POST answers are not for shared caches");

    // Another media type is another response.
    let other = served.get(Some(FLOWS), None, &[("accept", "application/graphql-response+json")]).await;
    assert_eq!(other.status, 200);
    assert_ne!(other.etag(), etag);
    served.stop().await;
}
#[tokio::test]
async fn a_cache_of_no_bytes_keeps_nothing() {
    let mut test = TestDb::new().await;
    let counter = test.count_statements();
    let served = Served::start_with(&test, HttpConfig { response_cache_bytes: 0, ..http() }).await;
    let first = served.get(Some(FLOWS), None, &[]).await;
    counter.store(0, Ordering::SeqCst);
    let second = served.get(Some(FLOWS), None, &[]).await;
    assert_eq!(second.body, first.body);
    assert!(counter.load(Ordering::SeqCst) > 0, "nothing is cached, so the second request runs");
    // Revalidation needs no cached body.
    counter.store(0, Ordering::SeqCst);
    let revalidated = served.get(Some(FLOWS), None, &[("if-none-match", &first.etag())]).await;
    assert_eq!(revalidated.status, 304);
    assert_eq!(counter.load(Ordering::SeqCst), 0);
    served.stop().await;
}
#[tokio::test]
async fn the_etag_is_the_same_after_a_restart_on_the_same_database() {
    let test = TestDb::new().await;
    let first = Served::start(&test, Duration::from_secs(3_600)).await;
    let before = first.get(Some(FLOWS), None, &[]).await;
    first.stop().await;
    let second = Served::start(&test, Duration::from_secs(3_600)).await;
    let after = second.get(Some(FLOWS), None, &[("if-none-match", &before.etag())]).await;
    assert_eq!(after.status, 304, "the restarted server does not recognise its ETag");
    let after = second.get(Some(FLOWS), None, &[]).await;
    assert_eq!(after.etag(), before.etag());
    assert_eq!(after.body, before.body);
    second.stop().await;
}
#[tokio::test]
async fn an_import_changes_the_etag_within_the_poll_interval() {
    let test = TestDb::new().await;
    let poll = Duration::from_millis(200);
    let served = Served::start(&test, poll).await;
    let before = served.get(Some(FLOWS), None, &[]).await;
    seed::import_bundled_dataset(&test.db, seed::Dataset::Blocs, &seed::ImportOptions::default(), &seed::NoProgress)
        .await
        .expect("re-import");
    let imported = Instant::now();
    let after = loop {
        let answer = served.get(Some(FLOWS), None, &[("if-none-match", &before.etag())]).await;
        if answer.status == 200 {
            break answer;
        }
        assert_eq!(answer.status, 304);
        assert!(imported.elapsed() < poll * 5, "the ETag did not change within {:?}", imported.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_ne!(after.etag(), before.etag());
    assert!(!after.etag().is_empty());
    served.stop().await;
}
