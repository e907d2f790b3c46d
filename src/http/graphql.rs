//! `GET` and `POST /graphql`, per the GraphQL-over-HTTP specification.
//!
//! A request is admitted before it runs: the document's size, nesting, input values,
//! depth and cost are checked ([`crate::graphql::limits`]) and its cost is spent from the
//! client's rate limit. Then it runs, and every response tells its cost in
//! `extensions.cost`.
//!
//! With `application/graphql-response+json` (asked for by name), a request that cannot run
//! at all (unparsable, invalid against the schema, over the limits) is answered with 400
//! and no `data` entry; a request that ran is answered with 200, field errors included.
//! Clients that accept `application/json` (or anything, or say nothing) get
//! `application/json` and 200 throughout, as the specification asks. Every error carries
//! `extensions.code`.

use async_graphql::{BatchRequest, BatchResponse, ErrorExtensionValues, ServerError, Value};
use async_graphql_axum::GraphQLBatchRequest;
use axum::{
    Extension,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;
use std::net::IpAddr;

use super::{
    AppState,
    access_log::RequestNote,
    cache::{CacheKey, Cached},
    problem,
    rate_limit::{self, Client, Standing},
};
use crate::{
    error::{ApiError, ErrorCode, excerpt},
    graphql::execute,
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// How long shared caches may keep a `GET` response: the data only changes when an
/// import commits.
const CACHE_CONTROL: &str = "public, max-age=300";

/// Longest error message sent: messages quote inputs, and inputs can be large.
const MAX_MESSAGE: usize = 300;

/// `GET` and `POST /graphql`. A `GET`'s answer depends on `Accept` (GraphiQL for a
/// browser, and two JSON media types), so shared caches are told so (`Vary: Accept`).
pub async fn execute(
    state: State<AppState>,
    method: Method,
    headers: HeaderMap,
    client: Option<Extension<Client>>,
    request: Result<GraphQLBatchRequest, async_graphql_axum::rejection::GraphQLRejection>,
) -> Response {
    let get = method == Method::GET;
    let mut response = respond(state, method, headers, client, request).await;
    if get {
        response.headers_mut().append(header::VARY, HeaderValue::from_static("accept"));
    }
    response
}

/// Runs a single or batched GraphQL request; a browser opening `/graphql` gets GraphiQL. Single requests are cached, `GET` and `POST`
/// alike (see [`super::cache`]): the data changes only when an import commits, so a
/// dashboard that repeats its `POST`s is answered from memory. A `GET` response's `ETag` is
/// known before anything runs, a matching `If-None-Match` gets 304 at once, and shared
/// caches may keep it. Persisted queries are completed first (see [`super::persisted`]).
async fn respond(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    client: Option<Extension<Client>>,
    request: Result<GraphQLBatchRequest, async_graphql_axum::rejection::GraphQLRejection>,
) -> Response {
    if method == Method::GET && wants_html(&headers) {
        return super::graphiql::page().await;
    }
    let legacy = !accepts_graphql_response(&headers);
    if method == Method::POST && !has_json_body(&headers) {
        return rejected(StatusCode::UNSUPPORTED_MEDIA_TYPE, "a POST needs `Content-Type: application/json`", legacy);
    }
    let mut request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => {
            let reason = rejection.0.to_string();
            return rejected(
                StatusCode::BAD_REQUEST,
                &format!("malformed GraphQL request: {}", excerpt(&reason, MAX_MESSAGE)),
                legacy,
            );
        }
    };
    let singles: &mut [async_graphql::Request] = match &mut request {
        BatchRequest::Single(single) => std::slice::from_mut(single),
        BatchRequest::Batch(batch) => batch,
    };
    for single in singles {
        if let Err(error) = state.persisted.resolve(single).await {
            return unpersisted(&error, legacy);
        }
    }
    let operation = operation_names(&request);
    let content_type = if legacy { JSON } else { GRAPHQL_RESPONSE };
    let get = method == Method::GET;
    let version = data_version(&state).await;
    let key = match (&request, version) {
        (BatchRequest::Single(single), Some(version)) => Some(state.responses.key(version, single, content_type)),
        _ => None,
    };
    let client = client.map(|Extension(Client(client))| client);
    if let Some(key) = &key {
        let revalidated = get && headers.get(header::IF_NONE_MATCH).is_some_and(|listed| key.matches(listed));
        let cached = state.responses.get(key).await;
        if revalidated || cached.is_some() {
            let points = cached.as_ref().map_or(0, |cached| cached.points);
            let standing = match spend(&state, client, points).await {
                Ok(standing) => standing,
                Err(refusal) => return refusal,
            };
            let mut reply = match cached {
                Some(cached) if !revalidated => answer_from_cache(cached.body, key, content_type, get),
                _ => cacheable(StatusCode::NOT_MODIFIED.into_response(), key, content_type),
            };
            if let Some(standing) = standing {
                reply.extensions_mut().insert(standing);
            }
            reply.extensions_mut().insert(RequestNote { operation, points });
            return reply;
        }
    }
    let costs = match state.limits.admit(&mut request) {
        Ok(costs) => costs,
        Err(error) => return refused(&error, legacy),
    };
    let points = costs.iter().map(|cost| cost.requested).sum::<u64>();
    let standing = match spend(&state, client, points).await {
        Ok(standing) => standing,
        Err(refusal) => return refusal,
    };
    let snapshot = match version {
        Some(version) => state.reference.at(&state.db, version).await.ok(),
        None => None,
    };
    let mut response = execute::execute_batch(&state.schema, &state.db, snapshot, request).await;
    let request_error = match &mut response {
        BatchResponse::Single(single) => {
            tidy(&mut single.errors);
            single.data == Value::Null && !single.errors.is_empty() && single.errors.iter().all(|e| e.path.is_empty())
        }
        BatchResponse::Batch(responses) => {
            responses.iter_mut().for_each(|single| tidy(&mut single.errors));
            false
        }
    };
    let unavailable = responses(&response)
        .any(|single| single.errors.iter().any(|error| code_of(error) == Some(ErrorCode::ServiceUnavailable.as_str())));
    for (single, cost) in responses_mut(&mut response).zip(&costs) {
        if let Ok(cost) = Value::from_json(json!(cost)) {
            single.extensions.insert("cost".to_owned(), cost);
        }
    }
    let (status, body) = match (&response, request_error) {
        _ if unavailable => (StatusCode::SERVICE_UNAVAILABLE, serde_json::to_string(&response)),
        (BatchResponse::Single(single), true) if !legacy => {
            (StatusCode::BAD_REQUEST, serde_json::to_string(&json!({ "errors": single.errors })))
        }
        _ => (StatusCode::OK, serde_json::to_string(&response)),
    };
    let mut reply = match body {
        Ok(body) if status == StatusCode::OK && response.is_ok() && key.is_some() => {
            let body = Bytes::from(body);
            let key = key.unwrap_or_else(|| unreachable!("matched on `key.is_some()`"));
            state.responses.insert(key, Cached { body: body.clone(), points }).await;
            answer_from_cache(body, &key, content_type, get)
        }
        Ok(body) => {
            let mut reply =
                (status, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response();
            if unavailable {
                reply.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            reply
        }
        Err(err) => {
            tracing::error!(%err, "cannot serialise a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    if let Some(standing) = standing {
        reply.extensions_mut().insert(standing);
    }
    reply.extensions_mut().insert(RequestNote { operation, points });
    reply
}

/// The request's operation names for the log, `-` for an anonymous one.
fn operation_names(request: &BatchRequest) -> String {
    let singles: &[async_graphql::Request] = match request {
        BatchRequest::Single(single) => std::slice::from_ref(single),
        BatchRequest::Batch(batch) => batch,
    };
    let names: Vec<&str> = singles.iter().map(|single| single.operation_name.as_deref().unwrap_or("-")).collect();
    // Names come from the client: no control character reaches the log.
    let names: String = names.join(",").chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    excerpt(&names, 100)
}

/// Charges a request's cost `points` to the client (the rate-limit layer charged one
/// already); the 429 to send instead when its budget is spent.
async fn spend(state: &AppState, client: Option<IpAddr>, points: u64) -> Result<Option<Standing>, Response> {
    let Some(client) = client else { return Ok(None) };
    match state.rate_limiter.spend(client, points.saturating_sub(1)).await {
        Some(standing) if !standing.allowed => Err(rate_limit::spent(standing)),
        standing => Ok(standing),
    }
}

/// The data version, read from the database if the poll has not read it yet (the first
/// requests after a start). `None` when the database cannot tell: nothing is cached then.
async fn data_version(state: &AppState) -> Option<u64> {
    match state.data_version.current() {
        Some(version) => Some(version),
        None => state.data_version.refresh(&state.db).await.ok(),
    }
}

/// A successful response as cached: the same bytes whether it ran now or before. A `GET`
/// may be kept by shared caches too, and revalidated with its `ETag`.
fn answer_from_cache(body: Bytes, key: &CacheKey, content_type: &'static str, get: bool) -> Response {
    let reply =
        (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response();
    if get { cacheable(reply, key, content_type) } else { reply }
}

/// Adds the headers that let clients and shared caches keep a `GET` response.
fn cacheable(mut reply: Response, key: &CacheKey, content_type: &'static str) -> Response {
    let headers = reply.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    if let Ok(etag) = HeaderValue::from_str(&key.etag()) {
        headers.insert(header::ETAG, etag);
    }
    reply
}

/// The answer to a persisted-query request that cannot be completed. An unknown hash is
/// a request that cannot run (400 to clients of `application/graphql-response+json`, 200
/// to others, as for an invalid document); a wrong hash or extension is malformed (400).
/// Neither may be kept by a cache.
fn unpersisted(error: &ApiError, legacy: bool) -> Response {
    let status = if error.code() == ErrorCode::PersistedQueryNotFound && legacy {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut reply = coded(status, error, legacy);
    reply.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}

fn responses(response: &BatchResponse) -> impl Iterator<Item = &async_graphql::Response> {
    match response {
        BatchResponse::Single(single) => std::slice::from_ref(single).iter(),
        BatchResponse::Batch(responses) => responses.iter(),
    }
}

fn responses_mut(response: &mut BatchResponse) -> impl Iterator<Item = &mut async_graphql::Response> {
    match response {
        BatchResponse::Single(single) => std::slice::from_mut(single).iter_mut(),
        BatchResponse::Batch(responses) => responses.iter_mut(),
    }
}

/// Whether the client asked for `application/graphql-response+json` by name.
fn accepts_graphql_response(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).any(|accept| {
        accept.split(',').any(|range| range.split(';').next().is_some_and(|media| media.trim() == GRAPHQL_RESPONSE))
    })
}

/// Whether the request declares its body `application/json` (with any parameters).
fn has_json_body(headers: &HeaderMap) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    content_type.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case(JSON))
}

fn code_of(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}

/// Gives every error without a code the code of its kind, and shortens long messages.
fn tidy(errors: &mut [ServerError]) {
    for error in errors {
        if error.message.chars().count() > MAX_MESSAGE {
            error.message = excerpt(&error.message, MAX_MESSAGE);
        }
        let extensions = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
        if extensions.get("code").is_some() {
            continue;
        }
        // Limits are the project's own and carry their code already (`limits::admit`).
        let code = if error.path.is_empty() { ErrorCode::ValidationFailed } else { ErrorCode::BadUserInput };
        extensions.set("code", code.as_str());
    }
}

/// The answer to a request refused before it ran (over a limit, whatever the media type:
/// a limit is the server's policy, not the document's validity).
fn refused(error: &ApiError, legacy: bool) -> Response {
    coded(StatusCode::BAD_REQUEST, error, legacy)
}

/// The answer to a request that is not a GraphQL request at all.
fn rejected(status: StatusCode, message: &str, legacy: bool) -> Response {
    coded(status, &ApiError::bad_request(message), legacy)
}

/// [`problem`] in the media type the client reads.
fn coded(status: StatusCode, error: &ApiError, legacy: bool) -> Response {
    let mut reply = problem(status, error);
    let content_type = if legacy { JSON } else { GRAPHQL_RESPONSE };
    reply.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    reply
}

/// Whether a `GET` comes from a browser opening the page: it asks for HTML and names no
/// JSON type.
fn wants_html(headers: &HeaderMap) -> bool {
    let accept =
        headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).collect::<Vec<_>>().join(",");
    accept.contains("text/html") && !accept.contains("json")
}
