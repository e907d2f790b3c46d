//! `GET` and `POST /graphql`, per the GraphQL-over-HTTP specification.
//!
//! With `application/graphql-response+json` (for clients that name it in `Accept`), a
//! request that cannot run at all (unparsable, invalid against the schema, over the limits)
//! is answered with 400 and no `data` entry; a request that ran is answered with 200, field
//! errors included. Other clients (`application/json`, `*/*`, no `Accept`) get
//! `application/json` and 200 throughout, as the specification asks. A `POST` whose body is
//! not declared `application/json` is refused with 415. Every error carries `extensions.code`.

use async_graphql::{BatchResponse, ErrorExtensionValues, ServerError, Value};
use async_graphql_axum::GraphQLBatchRequest;
use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::AppState;

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
    let legacy = !asks_for_graphql_response(&headers);
    if method == Method::POST && !has_json_body(&headers) {
        let reason = "a POST needs `Content-Type: application/json`";
        return malformed(StatusCode::UNSUPPORTED_MEDIA_TYPE, reason, legacy);
    }
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return malformed(StatusCode::BAD_REQUEST, &rejection.0.to_string(), legacy),
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

/// Whether the client names `application/graphql-response+json` in `Accept`. Any other
/// client, `*/*` or no `Accept` included, gets `application/json`, which every GraphQL
/// client reads (GraphQL over HTTP, and graphql-http's audits 47DE and 80D8).
fn asks_for_graphql_response(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok()).unwrap_or_default();
    accept.to_ascii_lowercase().contains(GRAPHQL_RESPONSE)
}

/// Whether the request declares its body `application/json` (with any parameters).
fn has_json_body(headers: &HeaderMap) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    content_type.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case(JSON))
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

/// The answer to a request that is not a GraphQL request at all.
fn malformed(status: StatusCode, reason: &str, legacy: bool) -> Response {
    let body = json!({
        "errors": [{
            "message": format!("malformed GraphQL request: {reason}"),
            "extensions": { "code": "BAD_REQUEST" },
        }]
    });
    let content_type = if legacy { JSON } else { GRAPHQL_RESPONSE };
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body.to_string()).into_response()
}
