//! Benchmarks of query latency over the bundled data, and of the bundled import.
//!
//! `cargo bench --bench queries` runs on SQLite; with
//! `SOUTHGRAPH_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres` the query groups
//! run on PostgreSQL too, in a database of their own that they create and drop.
//!
//! Groups: `query` (typical API queries), `peer` (the five queries compared with PostGraphile
//! in `../shared/peer/`, q1–q5), `nested` (q3 at 5 and 100 flows per country) and
//! `nested_by_children` (the first 5 flows of the provider with the most flows, China's
//! 6,900, against one with 228, Saudi Arabia's: a nested page costs its rows, not the
//! parent's children).

use std::{sync::Arc, time::Duration};

use criterion::{Criterion, criterion_main};
use southgraph::{
    build_schema,
    config::{ApiConfig, DatabaseConfig},
    db,
    graphql::execute::execute,
    repo::reference::Snapshot,
};

#[path = "support/queries.rs"]
mod queries;

use queries::{CHARTS, NESTED, NESTED_BY_CHILDREN, PEER, QUERIES, SEARCH};

/// A database of its own on the PostgreSQL server the benchmark was given.
struct PostgresBench {
    server: String,
    name: String,
}

impl PostgresBench {
    fn given() -> Option<Self> {
        let server = std::env::var("SOUTHGRAPH_BENCH_POSTGRES_URL").ok().filter(|url| !url.is_empty())?;
        Some(Self { server, name: format!("southgraph_bench_{}", std::process::id()) })
    }

    fn url(&self) -> String {
        let base = self.server.rsplit_once('/').map_or(self.server.as_str(), |(base, _)| base);
        format!("{base}/{}", self.name)
    }

    /// Runs statements on the server, one by one (`CREATE DATABASE` runs in no transaction).
    async fn admin(&self, statements: &[String]) {
        use sea_orm::ConnectionTrait;
        let admin = db::connect(&DatabaseConfig::new(self.server.clone(), 1)).await.expect("connect to the server");
        for sql in statements {
            admin.execute_unprepared(sql).await.expect("administer the bench database");
        }
        admin.close().await.expect("close");
    }
}

fn temp_sqlite(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("southgraph-bench-{}-{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The schema over a database with the bundled data, the database, and its reference
/// tables in memory, as the server runs queries.
type Api = (southgraph::ApiSchema, sea_orm::DatabaseConnection, Arc<Snapshot>);

async fn imported(url: String) -> Api {
    let db = db::connect(&DatabaseConfig::new(url, 8)).await.expect("connect");
    db::migrate(&db).await.expect("migrate");
    seed::import_bundled(&db, &seed::NoProgress).await.expect("import");
    let snapshot = Arc::new(Snapshot::read(&db, 0).await.expect("reference tables"));
    (build_schema(db.clone(), ApiConfig::default()), db, snapshot)
}

fn bench_group(c: &mut Criterion, runtime: &tokio::runtime::Runtime, api: &Api, group: &str, queries: &[(&str, &str)]) {
    let mut group = c.benchmark_group(group);
    for (name, query) in queries {
        group.bench_function(*name, |b| {
            b.to_async(runtime).iter(|| async {
                let response = execute(&api.0, &api.1, Some(api.2.clone()), (*query).into()).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
            });
        });
    }
    group.finish();
}

fn bench_all(c: &mut Criterion, runtime: &tokio::runtime::Runtime, api: &Api, database: &str) {
    for (group, queries) in [
        ("query", QUERIES),
        ("peer", PEER),
        ("nested", NESTED),
        ("nested_by_children", NESTED_BY_CHILDREN),
        ("search", SEARCH),
        ("charts", CHARTS),
    ] {
        bench_group(c, runtime, api, &format!("{group}/{database}"), queries);
    }
}

fn queries(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let api = runtime.block_on(imported(temp_sqlite("queries")));
    bench_all(c, &runtime, &api, "sqlite");
    if let Some(postgres) = PostgresBench::given() {
        let name = &postgres.name;
        runtime
            .block_on(postgres.admin(&[format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}")]));
        let api = runtime.block_on(imported(postgres.url()));
        bench_all(c, &runtime, &api, "postgres");
        runtime.block_on(api.1.close()).expect("close");
        runtime.block_on(postgres.admin(&[format!("DROP DATABASE {} WITH (FORCE)", postgres.name)]));
    }
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
