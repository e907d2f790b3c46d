//! A server over real HTTP for tests: the router listening on a free port of the
//! loopback, and an HTTP client, for what only shows over a socket (concurrency, headers).

use std::time::Duration;

use axum::{
    body::Bytes,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use http_body_util::{BodyExt, Full};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use southgraph::{
    build_schema,
    config::{ApiConfig, HttpConfig, RateLimitSetting},
    http::{AppOptions, app_with, serve},
};
use tokio::{net::TcpListener, sync::oneshot};

use crate::support::TestDb;

/// 50 flows with the relations that batch loaders resolve.
pub const FLOWS: &str = "{ flows(first: 50) { nodes { reference year amountUsdConstant provider { name } \
                         recipient { name } sector { name } } } }";

/// A server listening on a free port of the loopback, over a test's database.
pub struct Served {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    stop: Option<oneshot::Sender<()>>,
}

/// One answer, as the client read it.
pub struct Answer {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Answer {
    /// The `ETag`, or an empty string.
    pub fn etag(&self) -> String {
        self.headers.get(header::ETAG).and_then(|etag| etag.to_str().ok()).unwrap_or_default().to_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| panic!("{err}: {:?}", self.body))
    }
}

impl Served {
    /// Serves the test's database, polling the data version every `poll`.
    pub async fn start(test: &TestDb, poll: Duration) -> Self {
        Self::start_with(test, HttpConfig { data_version_poll_ms: poll.as_millis() as u64, ..http() }).await
    }

    /// Serves the test's database with these HTTP settings.
    pub async fn start_with(test: &TestDb, http: HttpConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let options = AppOptions { api: ApiConfig::default(), http, ..AppOptions::default() };
        let app = app_with(build_schema(test.db.clone(), ApiConfig::default()), test.db.clone(), options);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            serve(listener, app, Duration::from_secs(10), async move {
                stopped.await.ok();
            })
            .await
        });
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self { base, client, stop: Some(stop) }
    }

    /// Sends a request.
    pub async fn send(&self, method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        let mut request = Request::builder().method(method).uri(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body.to_owned()))).expect("request");
        let response = self.client.request(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Answer { status: parts.status, headers: parts.headers, body }
    }

    /// `GET /graphql` of `query` (and `extensions`, raw JSON, if any).
    pub async fn get(&self, query: Option<&str>, extensions: Option<&str>, headers: &[(&str, &str)]) -> Answer {
        let mut params = Vec::new();
        if let Some(query) = query {
            params.push(format!("query={}", encode(query)));
        }
        if let Some(extensions) = extensions {
            params.push(format!("extensions={}", encode(extensions)));
        }
        self.send(Method::GET, &format!("/graphql?{}", params.join("&")), headers, "").await
    }

    /// `POST /graphql` of a JSON body.
    pub async fn post(&self, body: &serde_json::Value) -> Answer {
        self.send(Method::POST, "/graphql", &[("content-type", "application/json")], &body.to_string()).await
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}
/// No rate limit (tests send many requests), and the data version read once an hour.
pub fn http() -> HttpConfig {
    HttpConfig { rate_limit: RateLimitSetting::Off, data_version_poll_ms: 3_600_000, ..HttpConfig::default() }
}
/// Percent-encodes a query-string value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
