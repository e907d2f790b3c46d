//! What the hostile-request corpus and the fuzzer share: probes (one HTTP request each),
//! the rules every answer to a hostile request keeps, and a runner that survives a request
//! that panics or hangs and then checks that the server still answers.
//!
//! A request runs in a task of its own, as the server runs each connection: a panic there
//! is reported as a failure of that request, not of the whole test. A stack overflow still
//! aborts the process; the cases that do so today are kept apart and ignored.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use serde_json::{Value, json};

use crate::support::{Api, Reply};

/// The codes an error answering a hostile request may carry.
pub const REFUSAL_CODES: [&str; 8] = [
    "BAD_USER_INPUT",
    "MIXED_DOLLAR_BASES",
    "LIMIT_EXCEEDED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_REQUEST",
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "RATE_LIMITED",
];

/// The longest error message allowed: a message quotes an excerpt of the input, never all
/// of it.
pub const MAX_MESSAGE: usize = 1_000;

/// The largest GraphQL response body allowed (exports stream the whole table).
pub const MAX_BODY: usize = 20 * 1024 * 1024;

/// How long one request may take before it counts as hung (debug builds are slow: the
/// slowest legitimate case of the corpus takes some 7 s).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The cheap query that must still answer after every hostile one.
pub const ALIVE: &str = r#"{ country(code: "KEN") { name } }"#;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// What a probe's answer must be, beside the rules every answer keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Refused: a 4xx or a 503, or a 200 with errors.
    Refused,
    /// Refused as over a limit: 400 with `LIMIT_EXCEEDED`.
    Limit,
    /// Refused with exactly this status (413 for a body over the size limit).
    Status(u16),
    /// A legitimate request at an extreme: answered or refused, within the rules either way.
    Either,
}

/// One HTTP request of the corpus or the fuzzer, with what its answer must be.
#[derive(Clone, Debug)]
pub struct Probe {
    /// A name for reports.
    pub name: String,
    method: Method,
    uri: String,
    content_type: Option<String>,
    body: Vec<u8>,
    /// What the answer must be.
    pub expect: Expect,
}

impl Probe {
    /// A `POST /graphql` with this JSON body.
    pub fn json(name: impl Into<String>, body: &Value) -> Self {
        Self::raw(name, "application/json", body.to_string().into_bytes())
    }

    /// A `POST /graphql` of one query.
    pub fn query(name: impl Into<String>, query: impl Into<String>) -> Self {
        Self::json(name, &json!({ "query": query.into() }))
    }

    /// A `POST /graphql` of one query with variables.
    pub fn with_variables(name: impl Into<String>, query: impl Into<String>, variables: Value) -> Self {
        Self::json(name, &json!({ "query": query.into(), "variables": variables }))
    }

    /// A `POST /graphql` with this media type and these bytes.
    pub fn raw(name: impl Into<String>, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            method: Method::POST,
            uri: "/graphql".to_owned(),
            content_type: Some(content_type.to_owned()),
            body: body.into(),
            expect: Expect::Refused,
        }
    }

    /// A `GET` of this URI (path and query string, already encoded).
    pub fn get(name: impl Into<String>, uri: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            method: Method::GET,
            uri: uri.into(),
            content_type: None,
            body: Vec::new(),
            expect: Expect::Refused,
        }
    }

    /// The same probe with another expectation.
    pub fn expecting(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }

    /// A short description of the request, for reports.
    pub fn describe(&self) -> String {
        self.describe_at_most(300)
    }

    /// The request, its URI and body cut at `chars` characters.
    pub fn describe_at_most(&self, chars: usize) -> String {
        let body = String::from_utf8_lossy(&self.body);
        format!("{} {} {}", self.method, excerpt(&self.uri, chars), excerpt(&body, chars))
    }

    fn request(&self) -> Request<Body> {
        let mut request =
            Request::builder().method(self.method.clone()).uri(&self.uri).header("accept", GRAPHQL_RESPONSE);
        if let Some(content_type) = &self.content_type {
            request = request.header("content-type", content_type);
        }
        request.body(Body::from(self.body.clone())).expect("request")
    }
}

/// The start of a text, at most `chars` characters, marked when cut.
pub fn excerpt(text: &str, chars: usize) -> String {
    let mut cut: String = text.chars().take(chars).collect();
    if cut.len() < text.len() {
        cut.push_str(&format!("… ({} bytes)", text.len()));
    }
    cut
}

/// Percent-encodes a query-string value (commas stay, so that lists stay short).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b',' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends a probe in a task of its own; a panic, a hang or a broken body is an error.
pub async fn send(api: &Api, probe: &Probe) -> Result<Reply, String> {
    let api = api.clone();
    let request = probe.request();
    let mut task = tokio::spawn(async move { api.try_send(request).await });
    match tokio::time::timeout(TIMEOUT, &mut task).await {
        Err(_) => {
            task.abort();
            Err(format!("no answer within {} s", TIMEOUT.as_secs()))
        }
        Ok(Err(err)) if err.is_panic() => Err(format!("the request panicked: {}", panic_message(err.into_panic()))),
        Ok(Err(err)) => Err(format!("the request's task failed: {err}")),
        Ok(Ok(Err(err))) => Err(format!("the body broke off: {err}")),
        Ok(Ok(Ok(reply))) => Ok(reply),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// Every error object of a response: a single response or a batch.
pub fn errors(body: &Value) -> Vec<&Value> {
    let responses: Vec<&Value> = match body {
        Value::Array(batch) => batch.iter().collect(),
        single => vec![single],
    };
    responses.into_iter().filter_map(|r| r.get("errors").and_then(Value::as_array)).flatten().collect()
}

/// Checks an answer against the rules every answer keeps (no 5xx but 503, a bounded body,
/// every error coded with a refusal code and a short message) and against the probe's
/// expectation.
pub fn check(probe: &Probe, reply: &Reply) -> Result<(), String> {
    let status = reply.status;
    let summary = || format!("{status}: {}", excerpt(&reply.body, 300));
    if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        return Err(format!("server error {}", summary()));
    }
    let graphql = probe.uri.starts_with("/graphql");
    if graphql && reply.body.len() > MAX_BODY {
        return Err(format!("a body of {} bytes", reply.body.len()));
    }
    let json: Option<Value> = serde_json::from_str(&reply.body).ok();
    let errors = json.as_ref().map(errors).unwrap_or_default();
    for error in &errors {
        let code = error["extensions"]["code"].as_str();
        let message = error["message"].as_str().unwrap_or_default();
        match code {
            None => return Err(format!("an error without a code: {}", excerpt(message, 200))),
            Some(code) if !REFUSAL_CODES.contains(&code) => {
                return Err(format!("code {code}: {}", excerpt(message, 200)));
            }
            Some(_) => {}
        }
        if message.chars().count() >= MAX_MESSAGE {
            return Err(format!("a message of {} chars: {}", message.chars().count(), excerpt(message, 200)));
        }
    }
    let refused = status.is_client_error() || status == StatusCode::SERVICE_UNAVAILABLE;
    match json {
        None if refused && reply.body.len() >= MAX_MESSAGE => {
            return Err(format!("a refusal of {} bytes that is not JSON", reply.body.len()));
        }
        None if status == StatusCode::OK && graphql => {
            return Err(format!("an answer that is not JSON: {}", summary()));
        }
        _ => {}
    }
    match probe.expect {
        Expect::Either => Ok(()),
        Expect::Refused if refused || (status == StatusCode::OK && !errors.is_empty()) => Ok(()),
        Expect::Refused => Err(format!("answered without an error: {}", summary())),
        Expect::Limit => {
            let limited = errors.iter().any(|e| e["extensions"]["code"] == "LIMIT_EXCEEDED");
            if status == StatusCode::BAD_REQUEST && limited {
                Ok(())
            } else {
                Err(format!("expected 400 LIMIT_EXCEEDED, got {}", summary()))
            }
        }
        Expect::Status(expected) if status.as_u16() == expected => Ok(()),
        Expect::Status(expected) => Err(format!("expected {expected}, got {}", summary())),
    }
}

/// Checks that the server still answers the cheap query.
pub async fn still_answers(api: &Api) -> Result<(), String> {
    let reply = send(api, &Probe::query("alive", ALIVE)).await.map_err(|err| format!("afterwards, {ALIVE}: {err}"))?;
    let answered = reply.status == StatusCode::OK
        && serde_json::from_str::<Value>(&reply.body).is_ok_and(|body| body["data"]["country"]["name"] == "Kenya");
    if answered {
        Ok(())
    } else {
        Err(format!("afterwards, {ALIVE} got {}: {}", reply.status, excerpt(&reply.body, 300)))
    }
}

/// Sends a probe, checks its answer, then checks that the server still answers. With
/// `SOUTHGRAPH_HOSTILE_VERBOSE` set, prints every answer's status and first error.
pub async fn probe(api: &Api, probe: &Probe) -> Result<(), String> {
    let verbose = std::env::var_os("SOUTHGRAPH_HOSTILE_VERBOSE").is_some();
    let started = std::time::Instant::now();
    let outcome = match send(api, probe).await {
        Ok(reply) => {
            if verbose {
                let body = serde_json::from_str::<Value>(&reply.body).unwrap_or_default();
                let first = errors(&body).first().map(|e| format!("{} {}", e["extensions"]["code"], e["message"]));
                let answer = first.unwrap_or_else(|| excerpt(&reply.body, 80));
                let elapsed = started.elapsed().as_secs_f64();
                eprintln!("{}: {} in {elapsed:.1} s: {}", probe.name, reply.status, excerpt(&answer, 160));
            }
            check(probe, &reply)
        }
        Err(err) => {
            if verbose {
                eprintln!("{}: {err}", probe.name);
            }
            Err(err)
        }
    };
    outcome.and(still_answers(api).await)
}

/// Runs a table of probes (those whose name contains `SOUTHGRAPH_HOSTILE_CASE`, when set)
/// and fails naming every probe that failed.
pub async fn run_corpus(api: &Api, probes: Vec<Probe>) {
    let only = std::env::var("SOUTHGRAPH_HOSTILE_CASE").ok().filter(|name| !name.is_empty());
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in probes.iter().filter(|p| only.as_ref().is_none_or(|name| p.name.contains(name.as_str()))) {
        ran += 1;
        if let Err(err) = probe(api, case).await {
            failures.push(format!("- {}: {err}\n    request: {}", case.name, case.describe()));
        }
    }
    assert!(failures.is_empty(), "{} of {ran} hostile requests failed:\n{}", failures.len(), failures.join("\n"));
}
