//! `GET /`: GraphiQL, served by the binary, with the example queries open in tabs.
//!
//! GraphiQL and React come from npm under `package-lock.json` beside this file: `build.rs`
//! installs them and the release files are compiled in, so the page loads nothing from any
//! other host. They are served under `/graphiql/…` with their content's digest in the URL
//! (cached for a year) and a subresource-integrity hash in the page; a content security
//! policy keeps the page on its own origin and its one inline script to its hash.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;
use sha2::{Digest, Sha256, Sha384};

use super::examples::{EXAMPLES, QUESTIONS};
use crate::error::ApiError;

/// A release file of GraphiQL or React, compiled in.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!(env!("SOUTHGRAPH_GRAPHIQL_DIR"), "/", $name)),
        }
    };
}

/// The files in the order the page loads them: React before GraphiQL, which needs it.
const ASSETS: [Asset; 4] = [
    asset!("react.production.min.js", "text/javascript; charset=utf-8"),
    asset!("react-dom.production.min.js", "text/javascript; charset=utf-8"),
    asset!("graphiql.min.js", "text/javascript; charset=utf-8"),
    asset!("graphiql.min.css", "text/css; charset=utf-8"),
];

/// Why the build left GraphiQL out (`build.rs` could not run npm); empty when it is in.
const MISSING: &str = env!("SOUTHGRAPH_GRAPHIQL_MISSING");

/// For the assets: their URL changes with their content.
const CACHE_ASSET: &str = "public, max-age=31536000, immutable";

/// The page's own style. Styles may be inline: GraphiQL's dialogs (Radix) insert `<style>`
/// elements to lock scrolling, which no hash can allow; scripts may not.
const STYLE: &str = "body { margin: 0; height: 100vh; } #graphiql { height: 100vh; } \
     .southgraph-links { font-size: 0.8em; font-weight: normal; margin-left: 0.5em; } \
     .southgraph-links a { color: inherit; margin-left: 0.6em; }";

/// The page, rendered once: it depends only on the binary.
static PAGE: LazyLock<(String, String)> = LazyLock::new(render);

/// `GET /`: the GraphiQL page, with its content security policy.
pub async fn page() -> Response {
    let (html, policy) = &*PAGE;
    let mut response = Html(html.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `GET /graphiql/{file}`: one of GraphiQL's release files.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == file && !asset.body.is_empty()) else {
        let names: Vec<_> = ASSETS.iter().map(|asset| asset.name).collect();
        let message =
            format!("no GraphiQL file `{}`: there are {}", crate::error::excerpt(&file, 80), names.join(", "));
        return super::problem(StatusCode::NOT_FOUND, &ApiError::not_found(message));
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_ASSET)),
        ],
        asset.body,
    )
        .into_response()
}

/// The page's HTML and its content security policy.
fn render() -> (String, String) {
    let tabs: Vec<_> = QUESTIONS.iter().chain(EXAMPLES).map(|example| json!({ "query": example.query })).collect();
    let tabs = serde_json::to_string(&tabs).unwrap_or_else(|_| "[]".to_owned()).replace("</", "<\\/");
    let script = format!(
        r#"
    const fetcher = GraphiQL.createFetcher({{ url: new URL('/graphql', window.location.href).href }});
    const defaultTabs = {tabs};
    const link = (href, text) => React.createElement('a', {{ href }}, text);
    const logo = React.createElement(GraphiQL.Logo, null, 'southgraph',
      React.createElement('span', {{ className: 'southgraph-links' }},
        link('/schema.graphql', 'SDL'), link('/explore', 'explorer')));
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {{ fetcher, defaultTabs, defaultEditorToolsVisibility: true }}, logo)
    );
  "#
    );
    let script_hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
    let policy = format!(
        "default-src 'none'; script-src 'self' 'sha256-{script_hash}'; style-src 'self' 'unsafe-inline'; \
         font-src 'self' data:; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    if !MISSING.is_empty() {
        let html = format!(
            r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>southgraph · GraphiQL not built in</title></head>
<body>
  <h1>southgraph</h1>
  <p>GraphiQL was left out of this build: {}.</p>
  <p>The API works: send queries to <code>/graphql</code>; the schema is at
  <a href="/schema.graphql">/schema.graphql</a> and the explorer at <a href="/explore">/explore</a>.</p>
</body>
</html>"#,
            escape(MISSING)
        );
        return (html, policy);
    }
    let mut head = String::new();
    for asset in &ASSETS {
        let digest = Sha384::digest(asset.body);
        let integrity = format!("sha384-{}", STANDARD.encode(digest));
        let version: String = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
        let href = format!("/graphiql/{}?v={version}", asset.name);
        if asset.name.ends_with(".css") {
            head.push_str(&format!("  <link rel=\"stylesheet\" href=\"{href}\" integrity=\"{integrity}\">\n"));
        } else {
            head.push_str(&format!("  <script src=\"{href}\" integrity=\"{integrity}\"></script>\n"));
        }
    }
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>southgraph · GraphiQL</title>
  <style>{STYLE}</style>
{head}</head>
<body>
  <div id="graphiql">Loading GraphiQL… (the API itself is at <code>/graphql</code>)</div>
  <script>{script}</script>
</body>
</html>"#
    );
    (html, policy)
}

/// `text` safe inside HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
