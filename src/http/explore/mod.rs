//! `GET /explore`: the explorer page for data journalists, and its static assets.
//!
//! The page (`index.html`, `explore.js`, `explore.css`) and the Natural Earth country shapes
//! it draws (`countries-110m.json`, public domain, packaged by world-atlas under the ISC
//! licence in `world-atlas.LICENSE`) are compiled into the binary, so the page works
//! offline: it loads nothing from any other host and reads only the public API
//! (`POST /graphql`, and `GET /export/flows.csv` for its download link).
//!
//! Its chart (flows per year) is the API's own Vega-Lite specification, drawn by
//! `/explore/chart.js`: Vega, Vega-Lite and vega-embed from npm, bundled by `build.rs` from
//! `chart.js` here, with their licence notices at its end. A build without npm serves it
//! empty, and the page says the chart is missing.
//!
//! The assets are served under a version taken from their content (`?v=…` in the page), so
//! they can be cached for a year; the page itself is revalidated on every visit. A content
//! security policy keeps the page on its own origin.

use std::sync::LazyLock;

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

const PAGE: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("explore.js");
const STYLESHEET: &str = include_str!("explore.css");
const COUNTRIES: &str = include_str!("countries-110m.json");
const CHART: &[u8] = include_bytes!(concat!(env!("SOUTHGRAPH_GRAPHIQL_DIR"), "/chart.min.js"));

/// Where `index.html` wants the assets' version.
const VERSION_PLACEHOLDER: &str = "ASSET_VERSION";

/// For the versioned assets: their URL changes with their content.
const CACHE_ASSET: &str = "public, max-age=31536000, immutable";
/// For the page: revalidate, so a new binary's page (and asset version) is seen at once.
const CACHE_PAGE: &str = "no-cache";

/// The page may load from its own origin only; inline styles are not used.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page with the assets' version filled in, rendered once.
static RENDERED_PAGE: LazyLock<String> = LazyLock::new(|| PAGE.replace(VERSION_PLACEHOLDER, &asset_version()));

/// `GET /explore`: the page.
pub async fn page() -> Response {
    let mut response = asset(RENDERED_PAGE.as_str(), "text/html; charset=utf-8", CACHE_PAGE).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    response
}

/// `GET /explore/explore.js`: the page's script.
pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8", CACHE_ASSET)
}

/// `GET /explore/explore.css`: the page's stylesheet.
pub async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8", CACHE_ASSET)
}

/// `GET /explore/chart.js`: the chart library (empty in a build without npm).
pub async fn chart() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_ASSET)),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        CHART,
    )
        .into_response()
}

/// `GET /explore/countries-110m.json`: Natural Earth 1:110m country shapes as TopoJSON.
pub async fn countries() -> Response {
    asset(COUNTRIES, "application/json", CACHE_ASSET)
}

/// A static body with its content type and caching.
fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        body,
    )
        .into_response()
}

/// A short hex digest of all the assets (64-bit FNV-1a): it changes when any of them does.
fn asset_version() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let texts = [PAGE, SCRIPT, STYLESHEET, COUNTRIES].into_iter().map(str::as_bytes);
    for byte in texts.chain([CHART]).flatten().copied() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page and script, without the footer's credits (the only place a host may be named).
    fn code_without_credits() -> String {
        let page = match PAGE.split_once("<!-- credits -->") {
            Some((before, rest)) => {
                before.to_owned() + rest.split_once("<!-- /credits -->").map_or("", |(_, after)| after)
            }
            None => PAGE.to_owned(),
        };
        page + SCRIPT + STYLESHEET
    }

    #[test]
    fn assets_are_bundled() {
        for (name, asset) in [("index.html", PAGE), ("explore.js", SCRIPT), ("explore.css", STYLESHEET)] {
            assert!(asset.trim().len() > 100, "{name} is empty");
        }
        assert!(COUNTRIES.starts_with('{') && COUNTRIES.contains("\"countries\""), "not the TopoJSON");
        assert!(PAGE.contains(VERSION_PLACEHOLDER));
        assert!(!RENDERED_PAGE.contains(VERSION_PLACEHOLDER));
    }

    #[test]
    fn page_references_only_its_own_origin() {
        let code = code_without_credits();
        for scheme in ["http://", "https://", "//cdn", "//unpkg", "//fonts."] {
            assert!(!code.contains(scheme), "the page names another host ({scheme})");
        }
        for url in [
            "/explore/explore.js",
            "/explore/chart.js",
            "/explore/explore.css",
            "/explore/countries-110m.json",
            "/graphql",
        ] {
            assert!(code.contains(url), "the page does not use {url}");
        }
    }

    #[test]
    fn version_is_a_stable_digest() {
        assert_eq!(asset_version(), asset_version());
        assert_eq!(asset_version().len(), 16);
    }
}
