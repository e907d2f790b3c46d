//! Benchmarks of query latency over the bundled data on SQLite, and of the bundled import.
//!
//! `cargo bench --bench queries`

use std::time::Duration;

use criterion::{Criterion, criterion_main};
use southgraph::{
    build_schema,
    config::{ApiConfig, DatabaseConfig},
    db,
};

const QUERIES: &[(&str, &str)] = &[
    (
        "flows_100_with_relations",
        "{ flows(first: 100) { nodes { id title amountUsdConstant provider { name } recipient { name } sector { name } source { key } } } }",
    ),
    (
        "countries_50_with_flows_provided",
        "{ countries(first: 50) { nodes { name flowsProvided(first: 5) { totalCount nodes { recipient { name } } } } } }",
    ),
    (
        "flows_filtered_south_south_health",
        r#"{ flows(first: 20, filter: { southSouth: true, sector: { under: ["120"] }, year: { gte: 2005 } }, orderBy: [{ field: AMOUNT_USD_CONSTANT, direction: DESC }]) { totalCount nodes { title } } }"#,
    ),
    ("country_by_code", r#"{ country(code: "KEN") { name isG77Member blocs { nodes { code } } } }"#),
    (
        "flow_stats_all_flows_by_year_and_recipient_region",
        "{ flowStats(groupBy: [YEAR, RECIPIENT_REGION], first: 1000) { year recipientRegion count sumUsdConstant } }",
    ),
    ("flow_matrix_regions", "{ flowMatrix(level: REGION) { labels matrix } }"),
];

fn temp_sqlite(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("southgraph-bench-{}-{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    format!("sqlite://{}?mode=rwc", path.display())
}

fn queries(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let schema = runtime.block_on(async {
        let db = db::connect(&DatabaseConfig::new(temp_sqlite("queries"), 8)).await.expect("connect");
        db::migrate(&db).await.expect("migrate");
        seed::import_bundled(&db, &seed::NoProgress).await.expect("import");
        build_schema(db, ApiConfig::default())
    });
    let mut group = c.benchmark_group("query");
    for (name, query) in QUERIES {
        group.bench_function(*name, |b| {
            b.to_async(&runtime).iter(|| async {
                let response = schema.execute(*query).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
            });
        });
    }
    group.finish();
}

fn import(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("import");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function("bundled_into_fresh_sqlite", |b| {
        b.to_async(&runtime).iter(|| async {
            let db = db::connect(&DatabaseConfig::new(temp_sqlite("import"), 4)).await.expect("connect");
            db::migrate(&db).await.expect("migrate");
            seed::import_bundled(&db, &seed::NoProgress).await.expect("import");
            db.close().await.expect("close");
        });
    });
    group.finish();
}

#[allow(missing_docs)] // criterion's generated harness
mod harness {
    criterion::criterion_group!(benches, super::queries, super::import);
}
criterion_main!(harness::benches);
