//! Test support: a fresh database per test, cloned from one template that holds the
//! bundled open data, and helpers that drive the real router in-process.
//!
//! SQLite is the default. With `SOUTHGRAPH_TEST_POSTGRES_URL` set (for example
//! `postgres://postgres@127.0.0.1:5432/postgres`), every test gets its own PostgreSQL
//! database instead, created from a template database.

use std::{
    path::PathBuf,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use southgraph::{
    build_schema,
    config::{ApiConfig, DatabaseConfig},
    db,
    http::{AppOptions, app_with},
    readiness::Readiness,
};
use tower::ServiceExt;

/// Where the template lives.
enum Template {
    Sqlite(PathBuf),
    Postgres { server: String, name: String },
}

/// The PostgreSQL server the suite runs on, when it is given one.
pub fn postgres_url() -> Option<String> {
    std::env::var("SOUTHGRAPH_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
}

/// Runs a future to completion on a runtime of its own (the template outlives any test's
/// runtime).
fn block_on<F: std::future::Future<Output = T> + Send + 'static, T: Send + 'static>(future: F) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(future)
    })
    .join()
    .expect("template thread")
}

/// The database URL on a PostgreSQL server with another database name.
fn with_database(server: &str, name: &str) -> String {
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{name}")
}

/// A name no other test uses, starting with `prefix`.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos % 1_000_000_000, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Migrates the database at `url` and imports the bundled data into it.
pub async fn import_into(url: String) {
    let db = db::connect(&DatabaseConfig::new(url, 4)).await.expect("connect template");
    db::migrate(&db).await.expect("migrate template");
    seed::import_bundled(&db, &seed::NoProgress).await.expect("import bundled data");
    db.close().await.expect("close template");
}

/// Drops the databases that test runs which no longer run left behind (after a panic).
async fn drop_orphans(admin: &DatabaseConnection) {
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'sg\\_test\\_%' OR datname LIKE 'sg\\_template\\_%'",
        ))
        .await
        .expect("list databases");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("datname");
        let pid = name.split('_').nth(2).unwrap_or_default();
        if !std::path::Path::new("/proc").join(pid).exists() {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok();
        }
    }
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| match postgres_url() {
        Some(server) => {
            let name = unique("sg_template");
            let admin = server.clone();
            let create = format!("CREATE DATABASE {name}");
            block_on(async move {
                let db = sea_orm::Database::connect(admin).await.expect("connect to PostgreSQL");
                drop_orphans(&db).await;
                db.execute_unprepared(&create).await.expect("create template database");
            });
            block_on(import_into(with_database(&server, &name)));
            Template::Postgres { server, name }
        }
        None => {
            let dir = std::env::temp_dir().join(unique("southgraph-tests"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join("template.db");
            block_on(import_into(format!("sqlite://{}?mode=rwc", path.display())));
            Template::Sqlite(path)
        }
    })
}

/// A fresh database for one test, holding the bundled open data; dropped afterwards.
pub struct TestDb {
    /// The connection.
    pub db: DatabaseConnection,
    /// Its URL, for a second pool on the same database.
    pub url: String,
    drop: Option<(String, String)>,
    dir: Option<PathBuf>,
}

impl TestDb {
    /// A fresh copy of the template.
    pub async fn new() -> Self {
        match template() {
            Template::Sqlite(path) => {
                let dir = std::env::temp_dir().join(unique("southgraph-test"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let copy = dir.join("test.db");
                std::fs::copy(path, &copy).expect("copy template");
                let url = format!("sqlite://{}?mode=rwc", copy.display());
                let db = db::connect(&DatabaseConfig::new(url.clone(), 4)).await.expect("connect");
                Self { db, url, drop: None, dir: Some(dir) }
            }
            Template::Postgres { server, name } => {
                let test = unique("sg_test");
                let admin = sea_orm::Database::connect(server.as_str()).await.expect("connect to PostgreSQL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {test} TEMPLATE {name}"))
                    .await
                    .expect("clone template");
                admin.close().await.ok();
                let url = with_database(server, &test);
                let db = db::connect(&DatabaseConfig::new(url.clone(), 4)).await.expect("connect");
                Self { db, url, drop: Some((server.clone(), test)), dir: None }
            }
        }
    }

    /// The database at `url`, which already holds its data; left in place afterwards.
    pub async fn at(url: String) -> Self {
        let db = db::connect(&DatabaseConfig::new(url.clone(), 4)).await.expect("connect");
        Self { db, url, drop: None, dir: None }
    }

    /// Counts every SQL statement run from now on.
    pub fn count_statements(&mut self) -> Arc<AtomicUsize> {
        let counter = Arc::new(AtomicUsize::new(0));
        let seen = counter.clone();
        self.db.set_metric_callback(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        counter
    }

    /// Records every statement run on this database from now on, with its values.
    pub fn record_statements(&mut self) -> Arc<std::sync::Mutex<Vec<sea_orm::Statement>>> {
        let statements = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = statements.clone();
        self.db.set_metric_callback(move |info| {
            seen.lock().expect("the statement log is never poisoned").push(info.statement.clone());
        });
        statements
    }

    /// The API over this database, with the default limits.
    pub fn api(&self) -> Api {
        self.api_with(ApiConfig::default())
    }

    /// The API over this database, with these options.
    pub fn api_with_options(&self, options: AppOptions) -> Api {
        Api { router: app_with(build_schema(self.db.clone(), options.api.clone()), self.db.clone(), options) }
    }

    /// The API over this database, with the default limits but no rate limit: for tests
    /// that send more than a client's budget on purpose.
    pub fn api_without_rate_limit(&self) -> Api {
        let http = southgraph::config::HttpConfig {
            rate_limit: southgraph::config::RateLimitSetting::Off,
            ..southgraph::config::HttpConfig::default()
        };
        self.api_with_options(AppOptions { http, ..AppOptions::default() })
    }

    /// The API over this database, with these limits.
    pub fn api_with(&self, config: ApiConfig) -> Api {
        let options = AppOptions { api: config.clone(), ..AppOptions::default() };
        Api { router: app_with(build_schema(self.db.clone(), config), self.db.clone(), options) }
    }

    /// The API over this database, at the stage `readiness` says (the first import may run).
    pub fn api_at(&self, readiness: Readiness) -> Api {
        self.api_with_options(AppOptions { readiness, ..AppOptions::default() })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.drop.take() {
            // The pool belongs to the test's runtime, which this thread blocks: leave it to
            // that runtime, and let FORCE end its connections.
            block_on(async move {
                if let Ok(admin) = sea_orm::Database::connect(server.as_str()).await {
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok();
                    admin.close().await.ok();
                }
            });
        }
        if let Some(dir) = self.dir.take() {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}

/// The real router, driven in-process.
#[derive(Clone)]
pub struct Api {
    router: axum::Router,
}

/// An HTTP response as the tests see it.
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// `Content-Type`.
    pub content_type: String,
    /// The body.
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }
}

impl Api {
    /// Sends a request.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        self.try_send(request).await.expect("body")
    }

    /// Sends a request; an error when the body breaks off before its end.
    pub async fn try_send(&self, request: Request<Body>) -> Result<Reply, axum::Error> {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let content_type =
            response.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(Reply { status, content_type, body: String::from_utf8_lossy(&bytes).into_owned() })
    }

    /// Sends a request; returns the status and headers.
    pub async fn send_full(&self, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap) {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        (response.status(), response.headers().clone())
    }

    /// Sends a request; returns the raw body bytes.
    pub async fn send_raw(&self, request: Request<Body>) -> Vec<u8> {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        response.into_body().collect().await.expect("body").to_bytes().to_vec()
    }

    /// POSTs a query with variables; returns the whole response body.
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await.json()
    }

    /// Runs a query that must succeed; returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.post(query, variables).await;
        assert!(response.get("errors").is_none(), "unexpected errors: {response:#}");
        response["data"].clone()
    }

    /// Runs a query that must fail; returns the first error's code and message.
    pub async fn error(&self, query: &str, variables: Value) -> (String, String) {
        let response = self.post(query, variables).await;
        let error = &response["errors"][0];
        assert!(!error.is_null(), "expected an error: {response:#}");
        (
            error["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
            error["message"].as_str().unwrap_or_default().to_owned(),
        )
    }
}
