//! Full-text search through the `text` of the flow, agreement and expert filters, on the
//! database under test: what a search finds is checked against the records' own texts,
//! read from the database and scanned word by word here.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::support::{Api, TestDb};

/// The folded words of a text, as a reader would compare them: lowercase, no accents.
fn words(text: &str) -> Vec<String> {
    seed::search::words(text).map(seed::search::fold).collect()
}

/// Each flow of the source `key`: its reference and the words of its title, description
/// and recipient label.
async fn flow_texts(test: &TestDb, key: &str) -> Vec<(String, Vec<String>)> {
    let sql = "SELECT flow.ref AS reference, COALESCE(flow.title, '') || ' ' || COALESCE(flow.description, '') || \
               ' ' || COALESCE(flow.recipient_label, '') AS text FROM flow JOIN source ON source.id = flow.source_id \
               WHERE source.key = 'KEY'";
    let statement = Statement::from_string(test.db.get_database_backend(), sql.replace("KEY", key));
    let rows = test.db.query_all_raw(statement).await.expect("the flows");
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("", "text").expect("a text");
            (row.try_get("", "reference").expect("a reference"), words(&text))
        })
        .collect()
}

/// The references of the flows of `source` that `text` finds.
async fn found(api: &Api, source: &str, text: &str) -> BTreeSet<String> {
    let mut references = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let data = api
            .data(
                "query($filter: FlowFilter, $after: String) { flows(filter: $filter, first: 100, after: $after) \
                 { pageInfo { hasNextPage endCursor } nodes { reference } } }",
                json!({"filter": {"text": text, "source": [source]}, "after": after}),
            )
            .await;
        let flows = &data["flows"];
        for node in flows["nodes"].as_array().expect("nodes") {
            references.insert(node["reference"].as_str().expect("a reference").to_owned());
        }
        if flows["pageInfo"]["hasNextPage"] != json!(true) {
            return references;
        }
        after = flows["pageInfo"]["endCursor"].clone();
    }
}

fn having(texts: &[(String, Vec<String>)], test: impl Fn(&[String]) -> bool) -> BTreeSet<String> {
    texts.iter().filter(|(_, words)| test(words)).map(|(reference, _)| reference.clone()).collect()
}

const BRAZIL: &str = "aiddata-brazil-abc-2005-2011";
const COLOMBIA: &str = "aiddata-colombia-aims-iati";
const GCOF: &str = "aiddata-gcof-1.0";

#[tokio::test]
async fn words_are_found_whatever_their_case_accents_or_form() {
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();

    let brazil = flow_texts(&test, BRAZIL).await;
    let health = found(&api, BRAZIL, "saude").await;
    let exact = having(&brazil, |words| words.iter().any(|word| word == "saude"));
    assert!(exact.len() >= 20, "the Brazilian actions name saúde in {} records", exact.len());
    assert!(health.is_superset(&exact), "missed: {:?}", exact.difference(&health).collect::<Vec<_>>());
    let stem = having(&brazil, |words| words.iter().any(|word| word.starts_with("saud")));
    assert!(health.is_subset(&stem), "found without saud…: {:?}", health.difference(&stem).collect::<Vec<_>>());
    assert_eq!(found(&api, BRAZIL, "SAÚDE").await, health);

    let colombia = flow_texts(&test, COLOMBIA).await;
    let scholarships = found(&api, COLOMBIA, "becas").await;
    let named = having(&colombia, |words| words.iter().any(|word| word == "beca" || word == "becas"));
    assert!(!named.is_empty());
    assert_eq!(scholarships, named);
    let cooperation = found(&api, COLOMBIA, "cooperacion").await;
    assert_eq!(cooperation, having(&colombia, |words| words.iter().any(|word| word.starts_with("cooperac"))));

    let gcof = flow_texts(&test, GCOF).await;
    let railways = found(&api, GCOF, "railways").await;
    let railway = having(&gcof, |words| words.iter().any(|word| word == "railway" || word == "railways"));
    assert!(railway.len() >= 20, "{}", railway.len());
    assert_eq!(railways, railway);
}

#[tokio::test]
async fn phrases_alternatives_exclusions_and_prefixes() {
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();
    let gcof = flow_texts(&test, GCOF).await;

    let phrase = found(&api, GCOF, "\"medical team\"").await;
    let adjacent = having(&gcof, |words| {
        words.windows(2).any(|pair| pair[0] == "medical" && (pair[1] == "team" || pair[1] == "teams"))
    });
    assert!(adjacent.len() >= 20, "{}", adjacent.len());
    assert_eq!(phrase, adjacent);
    let both = found(&api, GCOF, "medical team").await;
    assert!(both.is_superset(&phrase) && both.len() > phrase.len());

    let solar = found(&api, GCOF, "solar").await;
    let wind = found(&api, GCOF, "wind").await;
    let either = found(&api, GCOF, "solar OR wind").await;
    assert_eq!(either, solar.union(&wind).cloned().collect());

    let medical = found(&api, GCOF, "medical").await;
    let with_equipment = found(&api, GCOF, "medical equipment").await;
    let without = found(&api, GCOF, "medical -equipment").await;
    assert!(!with_equipment.is_empty());
    assert_eq!(without, medical.difference(&with_equipment).cloned().collect());

    let hosp = found(&api, GCOF, "hosp*").await;
    let starting = having(&gcof, |words| words.iter().any(|word| word.starts_with("hosp")));
    assert_eq!(hosp, starting);
    assert!(hosp.is_superset(&found(&api, GCOF, "hospitals").await));
    assert_eq!(found(&api, GCOF, "hospitals*").await, found(&api, GCOF, "hospital*").await);
}

#[tokio::test]
async fn a_search_combines_with_every_filter_and_the_aggregates() {
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();
    let data = api
        .data(
            r#"{
              kenya: flows(filter: {text: "railway", recipient: {code: ["KEN"]}}) { totalCount }
              all: flows(filter: {text: "railway"}) { totalCount }
              either: flows(filter: {or: [{text: "railway"}, {text: "airport"}]}) { totalCount }
              airports: flows(filter: {text: "airport"}) { totalCount }
              notRailway: flows(filter: {not: {text: "railway"}, source: ["aiddata-gcof-1.0"]}) { totalCount }
              gcof: flows(filter: {source: ["aiddata-gcof-1.0"]}) { totalCount }
              railwayGcof: flows(filter: {text: "railway", source: ["aiddata-gcof-1.0"]}) { totalCount }
              stats: flowStats(filter: {text: "railway"}, groupBy: [RECIPIENT]) { count }
              agreements(filter: {text: "investment"}) { totalCount nodes { title } }
              experts(filter: {text: "medical"}) { totalCount nodes { name } }
              southSouthShare(filter: {text: "railway"}, measure: COUNT) { total toSouth }
              agreementSouthSouthShare(filter: {text: "investment"}) { total toSouth }
            }"#,
            json!({}),
        )
        .await;
    let count = |name: &str| data[name]["totalCount"].as_i64().expect("a count");
    assert!(count("kenya") > 0 && count("kenya") < count("all"), "{data}");
    assert!(count("either") > count("all") && count("either") <= count("all") + count("airports"), "{data}");
    assert_eq!(count("notRailway") + count("railwayGcof"), count("gcof"));
    let counted: i64 =
        data["stats"].as_array().expect("groups").iter().map(|group| group["count"].as_i64().expect("a count")).sum();
    assert!(counted > 0 && counted <= count("all"), "{data}");
    assert!(count("agreements") > 0);
    for agreement in data["agreements"]["nodes"].as_array().expect("agreements") {
        let title = words(agreement["title"].as_str().expect("a title"));
        assert!(title.iter().any(|word| word.starts_with("invest")), "{agreement}");
    }
    let share = &data["southSouthShare"];
    assert!(share["total"].as_f64() > Some(0.0) && share["total"].as_f64() <= Some(count("all") as f64), "{data}");
    assert!(data["agreementSouthSouthShare"]["total"].as_f64() > Some(0.0), "{data}");
    assert!(count("experts") > 0);
    for expert in data["experts"]["nodes"].as_array().expect("experts") {
        assert!(
            words(expert["name"].as_str().expect("a name")).iter().any(|word| word.starts_with("medic")),
            "{expert}"
        );
    }
}

#[tokio::test]
async fn hostile_search_texts_are_words_or_coded_refusals() {
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();
    // Over 256 characters, a search is refused; over 1,000, every string is.
    let long = "railway ".repeat(40);
    let longer = "railway ".repeat(1_250);
    let texts = [
        "\"unbalanced",
        "\"",
        "*",
        "-",
        "OR",
        "OR OR",
        "- -x",
        "NEAR(railway road)",
        "railway NEAR/2 road",
        "{title}: road",
        "title:road",
        "^road",
        "road'",
        "'road' & !x",
        "x | y",
        "a:*",
        "\\",
        "%_",
        "\u{0}",
        "road AND NOT x",
        "(((",
        ")",
        "-\"x y\"",
        "🚄 railway",
        "🚄",
        &long,
        &longer,
    ];
    for text in texts {
        let response = api
            .post("query($text: String) { flows(filter: {text: $text}) { totalCount } }", json!({"text": text}))
            .await;
        let shown: String = text.chars().take(40).collect();
        if let Some(error) = response["errors"].get(0) {
            let code = error["extensions"]["code"].as_str().unwrap_or_default();
            assert!(code == "BAD_USER_INPUT" || code == "LIMIT_EXCEEDED", "{shown:?}: {response}");
            assert!(error["message"].as_str().unwrap_or_default().contains("`text`"), "{shown:?}: {response}");
        } else {
            assert!(response["data"]["flows"]["totalCount"].is_i64(), "{shown:?}: {response}");
        }
    }
    let (code, message) = api.error(r#"{ flows(filter: {text: "*"}) { totalCount } }"#, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("no word"), "{message}");
    let (code, message) =
        api.error("query($t: String) { flows(filter: {text: $t}) { totalCount } }", json!({"t": long})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("256"), "{message}");
}

/// On PostgreSQL, the same searches as on SQLite find the same records, in the same order
/// with the same scores: the two indexes hold the same terms, and the ranking reads them
/// alone.
#[tokio::test]
async fn both_databases_find_the_same_records() {
    let test = TestDb::new().await;
    if test.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let dir = std::env::temp_dir().join(crate::support::unique("southgraph-search"));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let url = format!("sqlite://{}?mode=rwc", dir.join("search.db").display());
    crate::support::import_into(url.clone()).await;
    let sqlite = TestDb::at(url).await;
    let (postgres, sqlite) = (test.api_without_rate_limit(), sqlite.api_without_rate_limit());
    for text in ["railway", "saude", "cooperacion OR becas", "hosp* -equipment", "\"trade agreement\""] {
        let ranked = |hits: Vec<Value>| -> Vec<(String, String, f64)> {
            hits.iter()
                .map(|hit| {
                    let node = &hit["node"];
                    let typename = node["__typename"].as_str().unwrap_or_default().to_owned();
                    (
                        typename,
                        node["reference"].as_str().unwrap_or_default().to_owned(),
                        hit["score"].as_f64().unwrap_or_default(),
                    )
                })
                .collect()
        };
        let on_postgres = ranked(search_all(&postgres, json!({"query": text})).await.1);
        assert!(!on_postgres.is_empty(), "{text}");
        assert_eq!(on_postgres, ranked(search_all(&sqlite, json!({"query": text})).await.1), "{text}");
    }
    for (source, text) in [
        (GCOF, "railway"),
        (GCOF, "\"medical team\""),
        (GCOF, "hosp* -equipment"),
        (GCOF, "solar OR wind"),
        (BRAZIL, "saúde"),
        (BRAZIL, "cooperação técnica"),
        (COLOMBIA, "becas"),
    ] {
        let on_postgres = found(&postgres, source, text).await;
        assert!(!on_postgres.is_empty(), "{text}");
        assert_eq!(on_postgres, found(&sqlite, source, text).await, "{text}");
    }
    std::fs::remove_dir_all(dir).ok();
}

const SEARCH: &str = "query($query: String!, $kinds: [SearchKind!], $filter: SearchFilter, $after: String) { \
    search(query: $query, kinds: $kinds, filter: $filter, first: 100, after: $after) { \
      totalCount pageInfo { hasNextPage endCursor } \
      nodes { score snippet { field text highlights { start end } } \
        node { __typename ... on Flow { reference title description recipientLabel recipient { iso3 } } \
          ... on Agreement { reference title } ... on Expert { reference name } } } } }";

/// Every hit of a search, page by page.
async fn search_all(api: &Api, variables: Value) -> (i64, Vec<Value>) {
    let mut hits = Vec::new();
    let mut variables = variables;
    loop {
        let data = api.data(SEARCH, variables.clone()).await;
        let search = &data["search"];
        hits.extend(search["nodes"].as_array().expect("nodes").iter().cloned());
        if search["pageInfo"]["hasNextPage"] != json!(true) {
            return (search["totalCount"].as_i64().expect("a count"), hits);
        }
        variables["after"] = search["pageInfo"]["endCursor"].clone();
    }
}

/// The searched texts of a hit's record.
fn texts(hit: &Value) -> Vec<String> {
    let node = &hit["node"];
    ["title", "description", "recipientLabel", "name"]
        .iter()
        .filter_map(|field| node[field].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn search_ranks_title_hits_first_and_marks_the_words_found() {
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();
    let (total, hits) = search_all(&api, json!({"query": "railway"})).await;
    assert_eq!(total, i64::try_from(hits.len()).expect("a count"));
    let gcof = flow_texts(&test, GCOF).await;
    let flows = hits.iter().filter(|hit| hit["node"]["__typename"] == "Flow").count();
    let expected = having(&gcof, |words| words.iter().any(|word| word == "railway" || word == "railways")).len();
    assert!(flows >= expected && expected >= 20, "{flows} flows found, {expected} GCOF flows name railways");
    let mut last = f64::INFINITY;
    let mut titles_done = false;
    for hit in &hits {
        let score = hit["score"].as_f64().expect("a score");
        assert!(score <= last, "scores go down: {score} after {last}");
        last = score;
        let title = words(hit["node"]["title"].as_str().or(hit["node"]["name"].as_str()).unwrap_or_default());
        let in_title = title.iter().any(|word| word.starts_with("railway"));
        assert_eq!(in_title, score >= 2.0, "{hit}");
        assert!(!(titles_done && in_title), "a title hit after the others: {hit}");
        titles_done |= !in_title;
        let snippet = &hit["snippet"];
        let text = snippet["text"].as_str().expect("a snippet");
        let highlights = snippet["highlights"].as_array().expect("highlights");
        assert!(!highlights.is_empty(), "{hit}");
        for range in highlights {
            let (start, end) = (range["start"].as_u64().expect("start"), range["end"].as_u64().expect("end"));
            let marked: String = text.chars().skip(start as usize).take((end - start) as usize).collect();
            assert!(seed::search::fold(&marked).starts_with("railway"), "{marked:?} in {hit}");
        }
        let whole = texts(hit).join(" ");
        let plain = text.trim_matches('…');
        assert!(whole.contains(plain), "the snippet is cut from the record's text: {hit}");
    }
    assert!(hits.first().is_some_and(|hit| hit["score"].as_f64() >= Some(2.0)), "a title hit first");
}

#[tokio::test]
async fn search_keeps_to_the_kinds_and_filters_asked() {
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();
    let (_, agreements) = search_all(&api, json!({"query": "investment", "kinds": ["AGREEMENT"]})).await;
    assert!(!agreements.is_empty());
    assert!(agreements.iter().all(|hit| hit["node"]["__typename"] == "Agreement"));
    let filter = json!({"flows": {"recipient": {"code": ["KEN"]}}});
    let (_, kenya) = search_all(&api, json!({"query": "road", "kinds": ["FLOW"], "filter": filter})).await;
    assert!(!kenya.is_empty());
    assert!(kenya.iter().all(|hit| hit["node"]["recipient"]["iso3"] == "KEN"), "{kenya:?}");
    let (all, _) = search_all(&api, json!({"query": "road"})).await;
    let (flows, _) = search_all(&api, json!({"query": "road", "kinds": ["FLOW"]})).await;
    let (others, _) = search_all(&api, json!({"query": "road", "kinds": ["AGREEMENT", "EXPERT"]})).await;
    assert_eq!(all, flows + others);
    let (code, message) = api.error("{ search(query: \"-x\") { totalCount } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("`query`") && message.contains("no word"), "{message}");
    let (code, _) = api.error("{ search(query: \"x\", first: 1000) { totalCount } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    // Past the end, even at the largest cursor there is: an empty page, not an error.
    for position in [u64::from(u32::MAX), u64::MAX] {
        let after =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, format!("position:{position}"));
        let data = api
            .data(
                "query($after: String) { search(query: \"road\", after: $after) { nodes { score } } }",
                json!({"after": after}),
            )
            .await;
        assert_eq!(data["search"]["nodes"], json!([]), "{position}");
    }
    let data = api.data("{ search(query: \"road\", kinds: []) { totalCount nodes { score } } }", json!({})).await;
    assert_eq!(data["search"], json!({"totalCount": 0, "nodes": []}));
}
