//! One log line per request at `info`: method, path, GraphQL operation name, status,
//! duration and cost points. `/health` is logged at `debug`, since probes call it every
//! few seconds. The duration runs until the response's head is ready; an export's body
//! streams after it.

use std::time::Instant;

use axum::{extract::Request, middleware::Next, response::Response};

/// What the GraphQL handler tells the log about a request it ran (or answered from the
/// cache): set as a response extension.
#[derive(Clone, Debug, Default)]
pub struct RequestNote {
    /// The operation names, comma-separated for a batch; `-` for an anonymous operation.
    pub operation: String,
    /// The cost points the request was charged.
    pub points: u64,
}

/// The middleware that writes the line.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = crate::error::excerpt(request.uri().path(), 200);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let note = response.extensions().get::<RequestNote>();
    let operation = note.map_or("", |note| note.operation.as_str());
    let cost = note.map(|note| note.points);
    if path == "/health" {
        tracing::debug!(target: "southgraph::request", %method, path, status, ms, "request");
    } else {
        tracing::info!(
            target: "southgraph::request",
            %method,
            path,
            operation,
            status,
            ms,
            cost,
            "request"
        );
    }
    response
}
