//! The response cache of `/graphql`: every single request, `GET` or `POST`, persisted or
//! not.
//!
//! A response is a function of the data version, the request (query text, operation name,
//! variables), the media type it is written in, and the server (schema and limits). The
//! [`CacheKey`] is a SHA-256 of all of them, computed before anything runs; the `ETag` is
//! taken from it, so a matching `If-None-Match` is answered 304 without executing or
//! touching the database, and the same request gets the same `ETag` from every instance
//! and after a restart, until an import changes the data version.
//!
//! Successful responses (200, no errors) are kept in memory, bounded in bytes (a `moka`
//! cache with a weigher: least used entries go first), and served as the very bytes the
//! execution wrote, `extensions` included.

use async_graphql::{Request, Value, Variables};
use axum::{body::Bytes, http::HeaderValue};
use moka::future::Cache;
use sha2::{Digest, Sha256};

/// What a cached entry costs besides its body: the key and moka's bookkeeping.
const ENTRY_OVERHEAD: usize = 128;

/// Identifies one response: data version, request, media type and server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    /// The strong `ETag` of the response, quoted: 128 bits of the key in hex.
    pub fn etag(&self) -> String {
        let hex: String = self.0[..16].iter().map(|byte| format!("{byte:02x}")).collect();
        format!("\"{hex}\"")
    }

    /// Whether an `If-None-Match` header names this response (or is `*`).
    pub fn matches(&self, if_none_match: &HeaderValue) -> bool {
        let Ok(listed) = if_none_match.to_str() else {
            return false;
        };
        let etag = self.etag();
        listed.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
    }
}

/// A cached response: its body, and the cost points the request was charged when it ran,
/// charged again on every answer from cache, so that a client's budget does not depend on
/// what the cache holds.
#[derive(Clone, Debug)]
pub struct Cached {
    /// The body, as sent.
    pub body: Bytes,
    /// The request's cost in points.
    pub points: u64,
}

/// The cached responses of one server.
pub struct ResponseCache {
    entries: Cache<CacheKey, Cached>,
    /// What else a body depends on: the schema and the limits that `extensions.cost` tells.
    server: [u8; 32],
}

impl ResponseCache {
    /// A cache of at most `max_bytes` of responses (0 keeps none), for a server whose
    /// responses also depend on `server` (its schema's SDL and its settings).
    pub fn new(max_bytes: u64, server: &str) -> Self {
        let entries = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_key: &CacheKey, cached: &Cached| {
                u32::try_from(cached.body.len().saturating_add(ENTRY_OVERHEAD)).unwrap_or(u32::MAX)
            })
            .build();
        Self { entries, server: Sha256::digest(server.as_bytes()).into() }
    }

    /// The key of `request` at data version `version`, answered in `media_type`.
    pub fn key(&self, version: u64, request: &Request, media_type: &str) -> CacheKey {
        let mut hash = Sha256::new();
        hash.update(self.server);
        hash.update(version.to_be_bytes());
        for part in [media_type, request.operation_name.as_deref().unwrap_or(""), request.query.as_str()] {
            // Length-prefixed, so that no two different requests write the same bytes.
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        hash.update(canonical_variables(&request.variables).as_bytes());
        CacheKey(hash.finalize().into())
    }

    /// A cached response.
    pub async fn get(&self, key: &CacheKey) -> Option<Cached> {
        self.entries.get(key).await
    }

    /// Keeps a successful response.
    pub async fn insert(&self, key: CacheKey, cached: Cached) {
        self.entries.insert(key, cached).await;
    }

    /// The bytes held now, after pending evictions (for tests and metrics).
    pub async fn weighted_size(&self) -> u64 {
        self.entries.run_pending_tasks().await;
        self.entries.weighted_size()
    }
}

/// The variables as JSON with every object's keys sorted, so that `{"a":1,"b":2}` and
/// `{"b":2,"a":1}` are the same request.
fn canonical_variables(variables: &Variables) -> String {
    fn sorted(value: &Value) -> serde_json::Value {
        match value {
            Value::Object(object) => {
                let mut entries: Vec<_> = object.iter().collect();
                entries.sort_by(|(a, _), (b, _)| a.as_str().cmp(b.as_str()));
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), sorted(v))).collect())
            }
            Value::List(items) => serde_json::Value::Array(items.iter().map(sorted).collect()),
            other => other.clone().into_json().unwrap_or(serde_json::Value::Null),
        }
    }
    let object = Value::Object(variables.iter().map(|(name, value)| (name.clone(), value.clone())).collect());
    sorted(&object).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cache_holds_at_most_its_bytes() {
        let cache = ResponseCache::new(10_000, "server");
        for n in 0..100u64 {
            let key = cache.key(1, &Request::new(format!("{{ n{n} }}")), "application/json");
            cache.insert(key, Cached { body: Bytes::from(vec![b'x'; 1_000]), points: 1 }).await;
        }
        let held = cache.weighted_size().await;
        assert!(held <= 10_000, "{held} bytes held in a cache of 10,000");
        assert!(held >= 1_128, "the cache keeps what fits: {held} bytes");
    }

    #[test]
    fn variables_in_another_order_are_the_same_request() {
        let cache = ResponseCache::new(1_000, "server");
        let with = |json: serde_json::Value| {
            cache.key(1, &Request::new("q").variables(Variables::from_json(json)), "application/json")
        };
        let a = with(serde_json::json!({ "a": 1, "b": { "x": [1, 2], "y": null } }));
        let b = with(serde_json::json!({ "b": { "y": null, "x": [1, 2] }, "a": 1 }));
        let c = with(serde_json::json!({ "b": { "y": null, "x": [2, 1] }, "a": 1 }));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            cache.key(2, &Request::new("q"), "application/json"),
            cache.key(1, &Request::new("q"), "application/json")
        );
    }
}
