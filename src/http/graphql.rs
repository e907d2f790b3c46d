//! `GET` and `POST /graphql`, per the GraphQL-over-HTTP specification.
//!
//! With `application/graphql-response+json` (the default), a request that cannot run at
//! all (unparsable, invalid against the schema, over the limits) is answered with 400 and
//! no `data` entry; a request that ran is answered with 200, field errors included. Clients
//! that accept only `application/json` get 200 throughout, as the specification asks.
//! Every error carries `extensions.code`.

use async_graphql::{BatchResponse, ErrorExtensionValues, ServerError, Value};
use async_graphql_axum::GraphQLBatchRequest;
use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::AppState;
use crate::readiness::{NOT_READY_MESSAGE, RETRY_AFTER_SECONDS};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// How long shared caches may keep a `GET` response: the data only changes when an
/// import commits.
const CACHE_CONTROL: &str = "public, max-age=300";

/// Runs a single or batched GraphQL request. Successful `GET` responses are cacheable,
/// with an `ETag` from their body; a matching `If-None-Match` gets 304.
pub async fn execute(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    request: Result<GraphQLBatchRequest, async_graphql_axum::rejection::GraphQLRejection>,
) -> Response {
    let legacy = accepts_only_json(&headers);
    if !state.readiness.is_ready() {
        return not_ready(legacy);
    }
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return malformed(&rejection.0.to_string(), legacy),
    };
    let mut response = state.schema.execute_batch(request).await;
    let request_error = match &mut response {
        BatchResponse::Single(single) => {
            add_codes(&mut single.errors);
            single.data == Value::Null && !single.errors.is_empty() && single.errors.iter().all(|e| e.path.is_empty())
        }
        BatchResponse::Batch(responses) => {
            responses.iter_mut().for_each(|single| add_codes(&mut single.errors));
            false
        }
    };
    let content_type = if legacy { JSON } else { GRAPHQL_RESPONSE };
    let (status, body) = match (&response, request_error) {
        (BatchResponse::Single(single), true) if !legacy => {
            (StatusCode::BAD_REQUEST, serde_json::to_string(&json!({ "errors": single.errors })))
        }
        _ => (StatusCode::OK, serde_json::to_string(&response)),
    };
    match body {
        Ok(body) if method == Method::GET && status == StatusCode::OK && response.is_ok() => {
            let etag = format!("\"{:016x}\"", fnv1a(body.as_bytes()));
            let cached =
                headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(&etag));
            let mut reply = if cached { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
            let reply_headers = reply.headers_mut();
            reply_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            reply_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
            if let Ok(value) = HeaderValue::from_str(&etag) {
                reply_headers.insert(header::ETAG, value);
            }
            reply
        }
        Ok(body) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response(),
        Err(err) => {
            tracing::error!(%err, "cannot serialise a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of a response body, the same on every instance.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Whether the client asked for `application/json` and not for the newer media type.
fn accepts_only_json(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok()).unwrap_or_default();
    accept.contains(JSON) && !accept.contains(GRAPHQL_RESPONSE) && !accept.contains("*/*")
}

/// Gives every error without a code the code of its kind.
fn add_codes(errors: &mut [ServerError]) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
        if extensions.get("code").is_some() {
            continue;
        }
        let code = if error.message.contains("nested too deep") || error.message.contains("too complex") {
            "LIMIT_EXCEEDED"
        } else if error.path.is_empty() {
            "GRAPHQL_VALIDATION_FAILED"
        } else {
            "BAD_USER_INPUT"
        };
        extensions.set("code", code);
    }
}

/// The answer while the first import runs (or failed): 503, coded, with `Retry-After`.
fn not_ready(legacy: bool) -> Response {
    let body = json!({
        "errors": [{ "message": NOT_READY_MESSAGE, "extensions": { "code": "SERVICE_UNAVAILABLE" } }]
    });
    let content_type = if legacy { JSON } else { GRAPHQL_RESPONSE };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS)),
    ];
    (StatusCode::SERVICE_UNAVAILABLE, headers, body.to_string()).into_response()
}

/// The answer to a request that is not a GraphQL request at all.
fn malformed(reason: &str, legacy: bool) -> Response {
    let body = json!({
        "errors": [{
            "message": format!("malformed GraphQL request: {reason}"),
            "extensions": { "code": "BAD_REQUEST" },
        }]
    });
    let content_type = if legacy { JSON } else { GRAPHQL_RESPONSE };
    (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body.to_string())
        .into_response()
}
