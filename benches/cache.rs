//! Cached `GET /graphql` through the whole HTTP stack, against the real release binary on
//! loopback.
//!
//! Starts `southgraph serve` on a fresh SQLite file with the bundled data (rate limiting
//! off, as in `load`), sends the `load` benchmark's query (50 flows with their provider,
//! recipient and sector names) once by `GET` to fill the cache and learn its `ETag`, then
//! measures closed-loop, with 32 clients on keep-alive connections:
//! 1. revalidations (`If-None-Match` with the `ETag`), answered 304;
//! 2. the same `GET` without it, answered 200 from the response cache.
//!
//! It prints the throughput and the p50/p99 latency of each; anything but the expected
//! status fails the run. The client shares the machine with the server, as `wrk` would.
//!
//! `cargo bench --bench cache` (`SOUTHGRAPH_CACHE_BENCH_SECONDS` per phase, default 10;
//! `SOUTHGRAPH_CACHE_BENCH_CLIENTS`, default 32).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

#[path = "support/served.rs"]
mod served;

use served::Served;

use http_body_util::{BodyExt, Full};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

const QUERY: &str = "%7B%20flows(first%3A%2050)%20%7B%20nodes%20%7B%20title%20provider%20%7B%20name%20%7D%20\
                     recipient%20%7B%20name%20%7D%20sector%20%7B%20name%20%7D%20%7D%20%7D%20%7D";

type HttpClient = Client<HttpConnector, Full<axum::body::Bytes>>;

/// Sends the query, with `If-None-Match` if given; returns the status, the `ETag` and the
/// latency.
async fn get(client: &HttpClient, url: &str, etag: Option<&str>) -> (u16, String, Duration) {
    let mut request = axum::http::Request::get(url);
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let started = Instant::now();
    let response = client.request(request.body(Full::default()).unwrap()).await.expect("response");
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    response.into_body().collect().await.expect("body");
    (status, etag, started.elapsed())
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    sorted[((sorted.len() as f64 * share) as usize).min(sorted.len() - 1)]
}

/// `clients` closed loops for `seconds`; every answer must be `expected`.
async fn phase(client: &HttpClient, url: &str, etag: Option<&str>, expected: u16, clients: usize, seconds: u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let loops = (0..clients).map(|_| {
        let (client, url, etag) = (client.clone(), url.to_owned(), etag.map(str::to_owned));
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let (status, _, latency) = get(&client, &url, etag.as_deref()).await;
                assert_eq!(status, expected, "unexpected status");
                latencies.push(latency);
            }
            latencies
        })
    });
    let mut latencies: Vec<Duration> =
        futures::future::join_all(loops).await.into_iter().flat_map(|latencies| latencies.unwrap()).collect();
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "| {expected} | {clients} | {:.0} | {:.2} ms | {:.2} ms |",
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
}

fn main() {
    let seconds: u64 = std::env::var("SOUTHGRAPH_CACHE_BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let clients: usize =
        std::env::var("SOUTHGRAPH_CACHE_BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(32);
    let served = Served::start("cache-bench", &[("SOUTHGRAPH_MAX_IN_FLIGHT", "256")]);
    let address = served.address.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client: HttpClient = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build_http();
        let url = format!("http://{address}/graphql?query={QUERY}");
        let ready = Instant::now();
        let etag = loop {
            let (status, etag, _) = get(&client, &url, None).await;
            if status == 200 {
                break etag;
            }
            assert!(ready.elapsed() < Duration::from_secs(300), "the import did not finish");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        println!("| status | clients | req/s | p50 | p99 |");
        println!("|---|---|---|---|---|");
        phase(&client, &url, Some(&etag), 304, clients, seconds).await;
        phase(&client, &url, None, 200, clients, seconds).await;
    });
    drop(served);
}
