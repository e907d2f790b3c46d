//! Automatic persisted queries, in Apollo's protocol.
//!
//! A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": "…"}` (in the
//! body of a `POST`, or as the `extensions` parameter of a `GET`):
//!
//! - with the hash alone, the server looks the query up; unknown, it answers the error
//!   `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`) and the client sends the
//!   query with its hash, once;
//! - with the query and its hash, the server checks that the hash is the query's SHA-256
//!   (else `BAD_REQUEST`), keeps the query and runs it.
//!
//! This is done in the handler, before the response cache is consulted, rather than by
//! async-graphql's `apollo_persisted_queries` extension: that extension runs inside
//! execution, after the point where the cache needs the query text; it does not check the
//! hash, nor code its error, and bounds its store by entries rather than bytes.

use std::sync::Arc;

use async_graphql::{Request, Value};
use moka::future::Cache;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The protocol version this server speaks.
const PROTOCOL_VERSION: i64 = 1;

/// What a stored query costs besides its text: its hash and moka's bookkeeping.
const ENTRY_OVERHEAD: usize = 160;

/// The queries clients persisted, by SHA-256 (lowercase hex), bounded in bytes.
pub struct PersistedQueries {
    queries: Cache<String, Arc<str>>,
}

impl PersistedQueries {
    /// A store of at most `max_bytes` of query text.
    pub fn new(max_bytes: u64) -> Self {
        let queries = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|hash: &String, query: &Arc<str>| {
                u32::try_from(hash.len() + query.len() + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
            })
            .build();
        Self { queries }
    }

    /// Completes a request that names a persisted query: fills in its query from the store,
    /// or stores the query it brings. Other requests pass unchanged.
    pub async fn resolve(&self, request: &mut Request) -> Result<(), ApiError> {
        let Some(extension) = request.extensions.0.get("persistedQuery") else {
            return Ok(());
        };
        let hash = requested_hash(extension)?;
        if request.query.is_empty() {
            let query = self.queries.get(&hash).await.ok_or_else(ApiError::persisted_query_not_found)?;
            request.query = query.to_string();
        } else {
            let actual = format!("{:x}", Sha256::digest(request.query.as_bytes()));
            if actual != hash {
                return Err(ApiError::bad_request("provided sha does not match query"));
            }
            self.queries.insert(hash, Arc::from(request.query.as_str())).await;
        }
        Ok(())
    }
}

/// The hash of `extensions.persistedQuery`, checked for the protocol version and the form
/// of a SHA-256, in lowercase hex.
fn requested_hash(extension: &Value) -> Result<String, ApiError> {
    let Value::Object(fields) = extension else {
        return Err(ApiError::bad_request("`extensions.persistedQuery` must be an object"));
    };
    let version = fields.get("version").and_then(|version| match version {
        Value::Number(number) => number.as_i64(),
        _ => None,
    });
    if version != Some(PROTOCOL_VERSION) {
        return Err(ApiError::bad_request("unsupported persisted query version: this server speaks version 1"));
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash)) if hash.len() == 64 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) => {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(ApiError::bad_request("`extensions.persistedQuery.sha256Hash` must be a SHA-256 in hex")),
    }
}
