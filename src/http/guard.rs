//! The layers that keep one client from taking the server down: body size, deadline, load
//! shedding and security headers. Each refusal is a coded error with the status a client
//! can act on (413, 503 with `Retry-After`).

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};
use http_body_util::LengthLimitError;
use tokio::sync::Semaphore;

use super::problem;
use crate::{
    error::ApiError,
    readiness::{NOT_READY_MESSAGE, RETRY_AFTER_SECONDS, Readiness},
};

/// The limits the guard layers enforce.
#[derive(Clone, Debug)]
pub struct Guard {
    /// Largest body a request may announce.
    pub max_body_bytes: usize,
    /// Deadline of a request's handler.
    pub deadline: Duration,
    /// Requests in flight; when none is left, requests are shed.
    pub in_flight: Arc<Semaphore>,
}

/// Refuses, before reading it, a body whose `Content-Length` is over the limit; reads any
/// other body up to the limit, within the request deadline, so that handlers get a body
/// already known to fit (and a body over the limit is told apart by its type, not by the
/// wording of an error further in).
pub async fn body_size(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > guard.max_body_bytes as u64) {
        return too_large(guard.max_body_bytes);
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(guard.deadline, axum::body::to_bytes(body, guard.max_body_bytes)).await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) if std::error::Error::source(&error).is_some_and(|cause| cause.is::<LengthLimitError>()) => {
            return too_large(guard.max_body_bytes);
        }
        Ok(Err(_)) => {
            return problem(StatusCode::BAD_REQUEST, &ApiError::bad_request("the request body could not be read"));
        }
        Err(_) => {
            return problem(
                StatusCode::REQUEST_TIMEOUT,
                &ApiError::timeout("the request body did not arrive before the deadline"),
            );
        }
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

/// The answer to a body over the limit, announced or found while reading it.
pub fn too_large(max_body_bytes: usize) -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        &ApiError::limit_exceeded(format!("the request body is larger than {max_body_bytes} bytes")),
    )
}

/// Sheds load: a request that finds every slot taken is answered 503 at once instead of
/// queueing, so the requests admitted keep their latency. Then it gets a deadline: past it
/// its work (database statements included) is dropped and it is answered `TIMEOUT`.
pub async fn admit(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let Ok(_slot) = guard.in_flight.clone().try_acquire_owned() else {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            &ApiError::unavailable("the server is at capacity; try again in a second"),
        );
    };
    match tokio::time::timeout(guard.deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(deadline_ms = guard.deadline.as_millis(), "request timed out");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                &ApiError::timeout(format!(
                    "the request took longer than {} ms and was stopped; ask for less",
                    guard.deadline.as_millis()
                )),
            )
        }
    }
}

/// Answers data requests (GraphQL, exports) with a coded 503 while the data is not complete
/// (the first import runs, or failed), so that no partial graph is ever served.
pub async fn ready(State(readiness): State<Readiness>, request: Request, next: Next) -> Response {
    if readiness.is_ready() {
        return next.run(request).await;
    }
    let mut response = problem(StatusCode::SERVICE_UNAVAILABLE, &ApiError::unavailable(NOT_READY_MESSAGE));
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
    response
}

/// What every response says about how browsers may treat it.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(API_POLICY));
    response
}

/// The content security policy of everything but the HTML pages: nothing may load.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// A panic in a handler, answered as a coded error (the process keeps serving).
pub fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let error = ApiError::internal(&format!("a handler panicked: {detail}"));
    problem(StatusCode::INTERNAL_SERVER_ERROR, &error)
}
