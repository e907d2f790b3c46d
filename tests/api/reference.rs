//! The reference tables (countries, sectors, sources) are served from memory per data
//! version: a change reaches responses with the import that makes it, not before.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use southgraph::{config::HttpConfig, http::AppOptions};

use crate::support::TestDb;

const PROVIDER: &str = r#"{ flows(first: 1, filter: { provider: { code: ["CHN"] } }) {
    nodes { provider { name } } } }"#;

fn provider_name(data: &Value) -> &str {
    data["flows"]["nodes"][0]["provider"]["name"].as_str().expect("a provider name")
}

#[tokio::test]
async fn a_country_renamed_outside_an_import_is_served_from_memory_until_the_next_import() {
    let test = TestDb::new().await;
    let poll = Duration::from_millis(50);
    let api = test.api_with_options(AppOptions {
        http: HttpConfig { data_version_poll_ms: 50, response_cache_bytes: 0, ..HttpConfig::default() },
        ..AppOptions::default()
    });
    assert_eq!(provider_name(&api.data(PROVIDER, json!({})).await), "China");

    test.db
        .execute_unprepared("UPDATE country SET name = 'People''s Republic of China' WHERE iso3 = 'CHN'")
        .await
        .expect("rename");
    tokio::time::sleep(poll * 4).await;
    assert_eq!(provider_name(&api.data(PROVIDER, json!({})).await), "China", "the data version did not change");

    seed::import_bundled_dataset(&test.db, seed::Dataset::Blocs, &seed::ImportOptions::default(), &seed::NoProgress)
        .await
        .expect("an import that leaves countries alone");
    let imported = Instant::now();
    loop {
        let data = api.data(PROVIDER, json!({})).await;
        if provider_name(&data) == "People's Republic of China" {
            break;
        }
        assert!(imported.elapsed() < poll * 20, "the import's version did not reach the reference tables");
        tokio::time::sleep(poll / 2).await;
    }
}
