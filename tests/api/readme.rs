//! The README's example queries and the data journalists' questions, sent through the real
//! router and compared with snapshots (`tests/api/snapshots/`) of what they answer on the
//! bundled data. A snapshot holds the response's `data`, the keys of the sources it cites
//! (`extensions.sources[*].key`) and its `cost`. Floats are rounded (2 decimals from 1 up,
//! 6 below: shares) so that SQLite and PostgreSQL, which sum in different orders, give the
//! same snapshot.
//!
//! A changed answer fails the test; review it with `cargo insta review` (or accept with
//! `INSTA_UPDATE=always`) and commit the snapshot with the change that explains it.

use serde_json::{Map, Value, json};
use southgraph::http::QUESTIONS;

use crate::support::{Api, TestDb};

/// The README, as committed.
fn readme() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The lines of one `## ` section of the README.
fn section<'a>(readme: &'a str, heading: &str) -> Vec<&'a str> {
    readme.lines().skip_while(|line| *line != heading).skip(1).take_while(|line| !line.starts_with("## ")).collect()
}

/// A snapshot name from a sentence: lower case, words joined by `_`.
fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut name = String::new();
    for word in words {
        if name.len() + word.len() > 60 {
            break;
        }
        if !name.is_empty() {
            name.push('_');
        }
        name.push_str(&word);
    }
    name
}

/// The GraphQL blocks of "## Example queries", each named after the sentence before it,
/// and the query of the `curl` example.
fn readme_examples() -> Vec<(String, String)> {
    let readme = readme();
    let lines = section(&readme, "## Example queries");
    let mut examples = Vec::new();
    let mut sentence = "";
    let mut block: Option<Vec<&str>> = None;
    for line in lines {
        match (&mut block, line) {
            (None, "```graphql") => block = Some(Vec::new()),
            (Some(query), "```") => {
                examples.push((format!("example_{}", slug(sentence)), query.join("\n")));
                block = None;
            }
            (Some(query), line) => query.push(line),
            (None, line) if line.contains(" -d '") => {
                let body = line.split_once(" -d '").and_then(|(_, rest)| rest.strip_suffix('\'')).expect("curl body");
                let body: Value = serde_json::from_str(body).expect("the curl example's body is JSON");
                examples.push(("example_curl".to_owned(), body["query"].as_str().expect("query").to_owned()));
            }
            (None, line) if !line.trim().is_empty() && !line.starts_with("```") => sentence = line,
            _ => {}
        }
    }
    examples
}

/// Floats rounded: 2 decimals from 1 up, 6 below.
fn rounded(value: Value) -> Value {
    match value {
        Value::Number(number) if number.is_f64() => {
            let x = number.as_f64().unwrap_or_default();
            let scale = if x.abs() >= 1.0 { 1e2 } else { 1e6 };
            json!((x * scale).round() / scale)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(rounded).collect()),
        Value::Object(fields) => Value::Object(fields.into_iter().map(|(k, v)| (k, rounded(v))).collect::<Map<_, _>>()),
        other => other,
    }
}

/// What a snapshot holds of a response: `data`, the cited sources' keys, the caveats'
/// codes, the cost.
async fn answer(api: &Api, query: &str) -> Value {
    let response = api.post(query, json!({})).await;
    assert!(response.get("errors").is_none(), "unexpected errors: {response:#}");
    let keys = |list: &str, key: &str| -> Vec<Value> {
        response["extensions"][list]
            .as_array()
            .map(|items| items.iter().map(|item| item[key].clone()).collect())
            .unwrap_or_default()
    };
    json!({
        "data": rounded(response["data"].clone()),
        "sources": keys("sources", "key"),
        "caveats": keys("caveats", "code"),
        "cost": response["extensions"]["cost"],
    })
}

#[tokio::test]
async fn readme_example_queries() {
    let examples = readme_examples();
    let names: Vec<&str> = examples.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "example_countries_of_the_south_in_africa_with_their_blocs",
            "example_china_s_largest_health_flows_dac_group_120_and_every_code",
            "example_south_south_agreements_newest_first_with_their_scope",
            "example_curl",
        ],
        "a README example was added or renamed: name its snapshot here"
    );
    let test = TestDb::new().await;
    let api = test.api();
    for (name, query) in &examples {
        insta::assert_json_snapshot!(name.as_str(), answer(&api, query).await);
    }
}

#[tokio::test]
async fn readme_journalist_questions() {
    let readme = readme();
    let listed = readme
        .lines()
        .skip_while(|line| *line != "### Questions, answered on the bundled data")
        .take_while(|line| !line.starts_with("## "))
        .filter(|line| line.split_once(". **").is_some_and(|(number, _)| number.parse::<u32>().is_ok()))
        .count();
    assert_eq!(listed, QUESTIONS.len(), "the README answers every question GraphiQL opens with");
    let test = TestDb::new().await;
    let api = test.api();
    for (index, question) in QUESTIONS.iter().enumerate() {
        let name = format!("question_{}_{}", index + 1, slug(question.title));
        insta::assert_json_snapshot!(name.as_str(), answer(&api, question.query).await);
    }
}
