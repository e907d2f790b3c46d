//! `GET /`: GraphiQL, with the example queries open in tabs.

use axum::{
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::examples::{EXAMPLES, QUESTIONS};

const GRAPHIQL_VERSION: &str = "3.8.3";

/// The GraphiQL page, with a content security policy that lets it run its one inline
/// script (by hash), GraphiQL's files from unpkg, and requests to this server only.
pub async fn page() -> Response {
    let tabs: Vec<_> = QUESTIONS.iter().chain(EXAMPLES).map(|example| json!({ "query": example.query })).collect();
    let tabs = serde_json::to_string(&tabs).unwrap_or_else(|_| "[]".to_owned()).replace("</", "<\\/");
    let script = format!(
        r#"
    const fetcher = GraphiQL.createFetcher({{ url: new URL('/graphql', window.location.href).href }});
    const defaultTabs = {tabs};
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {{ fetcher, defaultTabs, defaultEditorToolsVisibility: true }})
    );
  "#
    );
    let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
    let policy = format!(
        "default-src 'none'; script-src 'sha256-{hash}' https://unpkg.com; style-src 'unsafe-inline' https://unpkg.com; \
         font-src https://unpkg.com data:; img-src 'self' data: https://unpkg.com; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    let mut response = Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>southgraph · GraphiQL</title>
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@{GRAPHIQL_VERSION}/graphiql.min.css">
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@{GRAPHIQL_VERSION}/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL… (it needs to reach unpkg.com; the API itself is at <code>/graphql</code>)</div>
  <script>{script}</script>
</body>
</html>"#
    ))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}
