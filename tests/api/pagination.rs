//! Relay pagination: first and last pages, cursors both ways, limits, bad cursors.

use serde_json::{Value, json};

use crate::{published, support::TestDb};

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    countries(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
        edges { cursor node { iso3 name } }
    }
}";

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every country's name, walking forward 100 at a time; checks the page info on the way.
async fn all_names(api: &crate::support::Api) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = api.data(PAGE, json!({ "first": 100, "after": after })).await;
        let connection = &data["countries"];
        seen.extend(names(connection));
        if connection["pageInfo"]["hasNextPage"] == json!(false) {
            assert_eq!(connection["totalCount"].as_u64(), Some(seen.len() as u64));
            return seen;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn pages_walk_the_whole_list_once_in_order() {
    let test = TestDb::new().await;
    let seen = all_names(&test.api()).await;
    assert_eq!(seen.len(), published::countries().len(), "every country in the published file, once");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no country twice");
}

#[tokio::test]
async fn first_page_and_the_one_after_it() {
    let test = TestDb::new().await;
    let api = test.api();
    let first = api.data(PAGE, json!({ "first": 3 })).await["countries"].clone();
    assert_eq!(names(&first).len(), 3);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second =
        api.data(PAGE, json!({ "first": 3, "after": first["pageInfo"]["endCursor"] })).await["countries"].clone();
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
    let six = api.data(PAGE, json!({ "first": 6 })).await["countries"].clone();
    assert_eq!([names(&first), names(&second)].concat(), names(&six));
}

#[tokio::test]
async fn last_page_and_the_one_before_it() {
    let test = TestDb::new().await;
    let api = test.api();
    let all = all_names(&api).await;
    let last = api.data(PAGE, json!({ "last": 2 })).await["countries"].clone();
    assert_eq!(last["pageInfo"]["hasNextPage"], false);
    assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(names(&last), all[all.len() - 2..]);
    let before =
        api.data(PAGE, json!({ "last": 2, "before": last["pageInfo"]["startCursor"] })).await["countries"].clone();
    assert_eq!(names(&before), all[all.len() - 4..all.len() - 2]);
    let between = api
        .data(
            PAGE,
            json!({ "first": 10, "after": before["pageInfo"]["startCursor"], "before": last["pageInfo"]["endCursor"] }),
        )
        .await["countries"]
        .clone();
    assert_eq!(names(&between), all[all.len() - 3..all.len() - 1]);
}

#[tokio::test]
async fn default_page_size_is_20_and_more_than_100_is_an_error() {
    let test = TestDb::new().await;
    let api = test.api();
    let data = api.data("{ countries { nodes { iso3 } } }", json!({})).await;
    assert_eq!(data["countries"]["nodes"].as_array().map(Vec::len), Some(20));
    for (variables, word) in
        [(json!({ "first": 101 }), "first"), (json!({ "last": 500 }), "last"), (json!({ "first": -1 }), "first")]
    {
        let (code, message) = api.error(PAGE, variables).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains(word), "{message}");
    }
}

#[tokio::test]
async fn invalid_cursors_are_bad_input() {
    let test = TestDb::new().await;
    let api = test.api();
    for cursor in ["nonsense", "cG9zaXRpb246eA", ""] {
        let (code, message) = api.error(PAGE, json!({ "first": 2, "after": cursor })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{cursor}");
        assert!(message.contains("cursor"), "{message}");
    }
}

#[tokio::test]
async fn nested_connections_page_per_parent() {
    let test = TestDb::new().await;
    let api = test.api();
    let query = "query($after: String) { country(code: \"CHN\") { flowsProvided(first: 2, after: $after, orderBy: [{field: YEAR}], filter: { source: [\"aiddata-gcof-1.0\"] }) {
        totalCount pageInfo { hasNextPage endCursor } nodes { reference year } } } }";
    let first = api.data(query, json!({ "after": null })).await["country"]["flowsProvided"].clone();
    let china = published::gcof().len() as u64;
    assert_eq!(first["totalCount"].as_u64(), Some(china));
    let second =
        api.data(query, json!({ "after": first["pageInfo"]["endCursor"] })).await["country"]["flowsProvided"].clone();
    let years: Vec<i64> = [&first, &second]
        .iter()
        .flat_map(|page| {
            page["nodes"].as_array().expect("nodes").iter().map(|n| n["year"].as_i64().unwrap_or_default())
        })
        .collect();
    assert_eq!(years.len(), 4);
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "{years:?}");
    assert_ne!(first["nodes"], second["nodes"]);
}

/// Lists read some columns only when their nodes select a field that needs them: each
/// scalar field of `Flow` is the same selected alone, through a fragment under `edges`, or
/// with every other one, in root and nested lists, paged from the start or from the end,
/// and sorted by a column that was not selected.
#[tokio::test]
async fn each_flow_field_is_the_same_selected_alone_or_with_every_other() {
    let test = TestDb::new().await;
    let api = test.api();
    let types = api
        .data("{ __type(name: \"Flow\") { fields { name args { name } type { kind ofType { kind } } } } }", json!({}))
        .await;
    let scalars: Vec<String> = types["__type"]["fields"]
        .as_array()
        .expect("Flow has fields")
        .iter()
        .filter(|field| {
            let kind = field["type"]["ofType"]["kind"].as_str().or(field["type"]["kind"].as_str());
            matches!(kind, Some("SCALAR" | "ENUM")) && field["args"].as_array().is_some_and(Vec::is_empty)
        })
        .map(|field| field["name"].as_str().expect("a field has a name").to_owned())
        .collect();
    let long = ["title", "description", "status", "flowType", "flowClass", "recipientLabel", "startDate", "endDate"];
    for field in long {
        assert!(scalars.iter().any(|name| name == field), "{field} in {scalars:?}");
    }
    let lists = [
        ("flows(first: 100, orderBy: [{ field: TITLE }])", ""),
        (
            "flows(last: 30, filter: { source: [\"aiddata-gcof-1.0\"] }, orderBy: [{ field: TITLE, direction: DESC }])",
            "",
        ),
        ("countries(first: 60) { nodes { flowsProvided(first: 3, orderBy: [{ field: TITLE }])", "} }"),
        ("countries(first: 60) { nodes { flowsReceived(last: 2, orderBy: [{ field: TITLE }])", "} }"),
    ];
    let mut told: Vec<&str> = Vec::new();
    for (list, closing) in lists {
        let query = |nodes: &str, fragment: &str| format!("{{ {list} {{ {nodes} }} {closing} }} {fragment}");
        let whole = api.data(&query(&format!("nodes {{ {} }}", scalars.join(" ")), ""), json!({})).await;
        let whole = flows_in(&whole, &["nodes"]);
        assert!(whole.len() >= 30, "{list}: {} flows", whole.len());
        told.extend(long.into_iter().filter(|field| whole.iter().any(|flow| !flow[*field].is_null())));
        for field in &scalars {
            let expected: Vec<&Value> = whole.iter().map(|flow| &flow[field]).collect();
            let alone = api.data(&query(&format!("nodes {{ {field} }}"), ""), json!({})).await;
            let alone = flows_in(&alone, &["nodes"]);
            assert_eq!(alone.iter().map(|flow| &flow[field]).collect::<Vec<_>>(), expected, "{list}: {field} alone");
            let fragment = format!("fragment F on Flow {{ {field} }}");
            let through_fragment = api.data(&query("edges { node { ...F } }", &fragment), json!({})).await;
            let through_fragment = flows_in(&through_fragment, &["edges", "node"]);
            assert_eq!(
                through_fragment.iter().map(|flow| &flow[field]).collect::<Vec<_>>(),
                expected,
                "{list}: {field} through a fragment"
            );
        }
    }
    for field in long {
        assert!(told.contains(&field), "every {field} is null in every list, which proves nothing");
    }
}

/// The flows of every `flows…` connection in `answer`, in order, reached from the
/// connection by `path` (`["nodes"]`, or `["edges", "node"]`).
fn flows_in(answer: &Value, path: &[&str]) -> Vec<Value> {
    fn walk(value: &Value, path: &[&str], found: &mut Vec<Value>) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| walk(item, path, found)),
            Value::Object(fields) => {
                for (name, inner) in fields {
                    if name.starts_with("flows") {
                        let items = inner[path[0]].as_array().into_iter().flatten();
                        found.extend(items.map(|item| path[1..].iter().fold(item, |node, key| &node[*key]).clone()));
                    } else {
                        walk(inner, path, found);
                    }
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(answer, path, &mut found);
    found
}
