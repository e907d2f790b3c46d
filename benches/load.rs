//! Load shedding under overload, against the real release binary on loopback.
//!
//! Starts `southgraph serve` on a fresh SQLite file with the bundled data (rate limiting
//! off, so the limiter does not shape the load), then sends a moderate query (50 flows with
//! their provider, recipient and sector names) open-loop, at a fixed rate:
//! 1. closed-loop with 8 clients for the capacity (requests per second it sustains);
//! 2. open-loop at that capacity, and at twice it.
//!
//! For each open-loop phase it prints the admitted throughput, the share shed (503 or
//! 429), any other status, and the p50/p99 of the admitted requests. The target: at twice
//! the capacity the admitted p99 stays within 3× the p99 at capacity, and nothing but 2xx,
//! 429 and 503 comes back. Every phase is bounded in time; only 127.0.0.1 is contacted.
//!
//! `cargo bench --bench load` (`SOUTHGRAPH_LOAD_SECONDS` per phase, default 10;
//! `SOUTHGRAPH_LOAD_MAX_IN_FLIGHT`, default 32, the server's `--max-in-flight`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

#[path = "support/served.rs"]
mod served;

use served::Served;

use http_body_util::{BodyExt, Full};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

const QUERY: &str =
    r#"{"query":"{ flows(first: 50) { nodes { title provider { name } recipient { name } sector { name } } } }"}"#;

type HttpClient = Client<HttpConnector, Full<axum::body::Bytes>>;

async fn send(client: &HttpClient, url: &str) -> (u16, Duration) {
    let request = axum::http::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(axum::body::Bytes::from_static(QUERY.as_bytes())))
        .unwrap();
    let started = Instant::now();
    match client.request(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            response.into_body().collect().await.ok();
            (status, started.elapsed())
        }
        Err(_) => (0, started.elapsed()),
    }
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Closed loop: `clients` senders as fast as they are answered.
async fn capacity(client: &HttpClient, url: &str, clients: usize, seconds: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let done = Arc::new(Mutex::new(0u64));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, done) = (client.clone(), url.to_owned(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                if send(&client, &url).await.0 == 200 {
                    *done.lock().unwrap() += 1;
                }
            }
        }));
    }
    for task in tasks {
        task.await.ok();
    }
    *done.lock().unwrap() as f64 / seconds as f64
}

struct Phase {
    offered: f64,
    admitted: f64,
    shed: f64,
    other: usize,
    p50: Duration,
    p99: Duration,
}

/// Open loop: one request every `1 / rate` seconds, whatever the answers.
async fn open_loop(client: &HttpClient, url: &str, rate: f64, seconds: u64) -> Phase {
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let results = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    let mut next = started;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let (client, url, results) = (client.clone(), url.to_owned(), results.clone());
        tasks.push(tokio::spawn(async move {
            let outcome = send(&client, &url).await;
            results.lock().unwrap().push(outcome);
        }));
    }
    for task in tasks {
        task.await.ok();
    }
    let results = results.lock().unwrap();
    let mut admitted: Vec<Duration> =
        results.iter().filter(|(status, _)| *status == 200).map(|(_, took)| *took).collect();
    admitted.sort();
    let shed = results.iter().filter(|(status, _)| matches!(status, 429 | 503)).count();
    let other = results.len() - admitted.len() - shed;
    Phase {
        offered: rate,
        admitted: admitted.len() as f64 / seconds as f64,
        shed: shed as f64 / results.len().max(1) as f64,
        other,
        p50: percentile(&admitted, 0.50),
        p99: percentile(&admitted, 0.99),
    }
}

fn main() {
    let seconds: u64 = std::env::var("SOUTHGRAPH_LOAD_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let max_in_flight = std::env::var("SOUTHGRAPH_LOAD_MAX_IN_FLIGHT").unwrap_or_else(|_| "32".to_owned());
    let served = Served::start(
        "load",
        // Every request runs: the response cache would answer the repeated query from memory.
        &[("SOUTHGRAPH_MAX_IN_FLIGHT", &max_in_flight), ("SOUTHGRAPH_RESPONSE_CACHE_BYTES", "0")],
    );
    let address = served.address.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client: HttpClient = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build_http();
        let url = format!("http://{address}/graphql");
        let health = format!("http://{address}/health");
        let ready = Instant::now();
        loop {
            let request = axum::http::Request::get(&health).body(Full::default()).unwrap();
            if client.request(request).await.is_ok_and(|response| response.status() == 200) {
                break;
            }
            assert!(ready.elapsed() < Duration::from_secs(300), "the import did not finish");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let capacity = capacity(&client, &url, 8, seconds).await;
        println!("capacity (closed loop, 8 clients, max in flight {max_in_flight}): {capacity:.0} req/s");
        println!("| offered req/s | admitted req/s | shed (503/429) | other statuses | admitted p50 | admitted p99 |");
        println!("|---|---|---|---|---|---|");
        let mut p99s = Vec::new();
        for factor in [1.0, 2.0] {
            let phase = open_loop(&client, &url, capacity * factor, seconds).await;
            println!(
                "| {:.0} | {:.0} | {:.1} % | {} | {:.1} ms | {:.1} ms |",
                phase.offered,
                phase.admitted,
                phase.shed * 100.0,
                phase.other,
                phase.p50.as_secs_f64() * 1000.0,
                phase.p99.as_secs_f64() * 1000.0
            );
            p99s.push(phase.p99);
        }
        let ratio = p99s[1].as_secs_f64() / p99s[0].as_secs_f64().max(1e-9);
        println!("admitted p99 at 2x capacity / at capacity: {ratio:.2} (target: at most 3)");
    });
    drop(served);
}
