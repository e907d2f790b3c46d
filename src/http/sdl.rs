//! `GET /schema.graphql`: the schema's SDL, the text of the checked-in `schema.graphql` (a
//! test keeps the two equal), for client code generators and readers. It changes only with
//! the binary: cacheable for five minutes, then revalidated by its `ETag` (304).

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use super::AppState;

/// The SDL and its strong `ETag`.
#[derive(Debug)]
pub struct SchemaFile {
    text: String,
    etag: String,
}

impl SchemaFile {
    /// The file of a schema's SDL.
    pub fn new(text: String) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        let etag = format!("\"{}\"", digest.iter().take(16).map(|byte| format!("{byte:02x}")).collect::<String>());
        Self { text, etag }
    }
}

/// `GET /schema.graphql`.
pub async fn schema_file(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let file = &state.sdl;
    let revalidated = headers.get(header::IF_NONE_MATCH).and_then(|value| value.to_str().ok()).is_some_and(|tags| {
        tags.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == file.etag)
    });
    let mut response =
        if revalidated { StatusCode::NOT_MODIFIED.into_response() } else { file.text.clone().into_response() };
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    if let Ok(etag) = HeaderValue::from_str(&file.etag) {
        response_headers.insert(header::ETAG, etag);
    }
    response
}
