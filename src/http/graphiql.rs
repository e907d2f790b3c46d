//! `GET /`: GraphiQL, with the example queries open in tabs.

use axum::response::Html;
use serde_json::json;

use super::examples::{EXAMPLES, QUESTIONS};

const GRAPHIQL_VERSION: &str = "3.8.3";

/// The GraphiQL page.
pub async fn page() -> Html<String> {
    let tabs: Vec<_> = QUESTIONS.iter().chain(EXAMPLES).map(|example| json!({ "query": example.query })).collect();
    let tabs = serde_json::to_string(&tabs).unwrap_or_else(|_| "[]".to_owned()).replace("</", "<\\/");
    Html(format!(
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
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: new URL('/graphql', window.location.href).href }});
    const defaultTabs = {tabs};
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {{ fetcher, defaultTabs, defaultEditorToolsVisibility: true }})
    );
  </script>
</body>
</html>"#
    ))
}
