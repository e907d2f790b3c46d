//! A query costs a number of SQL statements bounded by its depth, never by its rows.

use std::sync::atomic::Ordering;

use serde_json::json;

use southgraph::{config::HttpConfig, http::AppOptions};

use crate::support::{TestDb, postgres_url};

/// A request that reads what every request needs: the data version and the reference
/// tables.
const WARM_UP: &str = "{ __typename }";

/// Runs a query and returns how many statements it cost.
///
/// Loaders batch the keys asked for in one pass of the request's execution, whatever the
/// machine's load (the tests run many at once on few cores). The data version is polled
/// once an hour, so that its poll is not counted, and a first request reads it and the
/// reference tables before counting starts, as a running server has.
async fn statements(query: &str, size: i64) -> usize {
    let mut test = TestDb::new().await;
    let counter = test.count_statements();
    let api = test.api_with_options(AppOptions {
        http: HttpConfig { data_version_poll_ms: 3_600_000, ..HttpConfig::default() },
        ..AppOptions::default()
    });
    api.data(WARM_UP, json!({})).await;
    counter.store(0, Ordering::SeqCst);
    let data = api.data(query, json!({ "size": size })).await;
    assert!(!data.is_null());
    counter.load(Ordering::SeqCst)
}

#[tokio::test]
async fn flows_with_their_relations_cost_the_same_for_10_and_100_rows() {
    let query = "query($size: Int!) {
        flows(first: $size) {
            nodes { id title provider { name } recipient { name } sector { name } source { key } }
        }
    }";
    let small = statements(query, 10).await;
    let large = statements(query, 100).await;
    assert_eq!(small, large, "statements grew with rows: {small} for 10 flows, {large} for 100");
    // the flows' page: countries, sectors and sources, and the sources of the response for
    // `extensions.sources`, come from the reference tables in memory.
    assert_eq!(large, 1, "{large} statements for a page of flows and their reference rows");
}

#[tokio::test]
async fn nested_connections_cost_the_same_for_10_and_100_parents() {
    let query = "query($size: Int!) {
        countries(first: $size) {
            nodes { name flowsProvided(first: 5) { totalCount nodes { recipient { name } } } }
        }
    }";
    // the countries' count and page; flows of all countries; a count for the countries
    // whose page is empty; the recipients; the sources of the response.
    for size in [10, 100] {
        let count = statements(query, size).await;
        assert!(count <= 6, "{count} statements for {size} countries and a depth-3 query");
    }
}

#[tokio::test]
async fn fifty_countries_with_their_flows_take_a_bounded_number_of_statements() {
    let query = "query($size: Int!) {
        countries(first: 50) {
            nodes { flowsProvided(first: $size) { totalCount nodes { recipient { name } } } }
        }
    }";
    let five = statements(query, 5).await;
    let hundred = statements(query, 100).await;
    assert_eq!(five, hundred);
    assert!(hundred <= 6, "{hundred}");
}

/// Runs a query and returns the SQL of the statements it cost.
async fn sql_of(query: &str) -> Vec<String> {
    let mut test = TestDb::new().await;
    let log = test.record_statements();
    let api = test.api();
    api.data(WARM_UP, json!({})).await;
    log.lock().expect("the statement log is never poisoned").clear();
    let data = api.data(query, json!({})).await;
    assert!(!data.is_null());
    log.lock().expect("the statement log is never poisoned").iter().map(|statement| statement.sql.clone()).collect()
}

/// The one statement of `statements` that reads the flow table.
fn flow_statement(statements: Vec<String>) -> String {
    let flows: Vec<String> = statements.into_iter().filter(|sql| sql.contains("FROM \"flow\"")).collect();
    assert_eq!(flows.len(), 1, "{flows:#?}");
    flows[0].clone()
}

fn counts(statements: &[String]) -> usize {
    statements.iter().filter(|sql| sql.contains("COUNT(*)")).count()
}

#[tokio::test]
async fn lists_are_counted_only_when_their_total_count_is_selected() {
    let unasked = sql_of("{ flows(first: 10) { pageInfo { hasNextPage } nodes { id } } }").await;
    assert_eq!(counts(&unasked), 0, "{unasked:#?}");
    let asked = sql_of("{ flows(first: 10) { totalCount nodes { id } } }").await;
    assert_eq!(counts(&asked), 1, "{asked:#?}");

    let nested =
        "{ countries(first: 20) { nodes { flowsProvided(first: 5) { pageInfo { hasNextPage } nodes { id } } } } }";
    let unasked = sql_of(nested).await;
    assert_eq!(counts(&unasked), 0, "{unasked:#?}");
    let asked = sql_of(&nested.replace("pageInfo", "totalCount pageInfo")).await;
    assert_eq!(counts(&asked), 1, "{asked:#?}");
}

#[tokio::test]
async fn nested_pages_are_limited_per_parent_not_numbered_over_all_children() {
    let statements = sql_of("{ countries(first: 20) { nodes { flowsProvided(first: 5) { nodes { id } } } } }").await;
    let page = statements.iter().find(|sql| sql.contains("\"_parents\"")).expect("one statement for all parents");
    assert!(!page.contains("ROW_NUMBER()"), "{page}");
    assert!(page.contains("LIMIT"), "{page}");
    if postgres_url().is_some() {
        assert!(page.contains("JOIN LATERAL"), "{page}");
        // Written into the text, so that PostgreSQL keeps the statement's plan.
        assert!(page.contains(" LIMIT 6 OFFSET 0) AS \"flow\""), "{page}");
    }
}

#[tokio::test]
async fn root_pages_write_their_limit_into_the_text_on_postgres() {
    let page = flow_statement(sql_of("{ flows(first: 50, after: \"cG9zaXRpb246MTA\") { nodes { id } } }").await);
    if postgres_url().is_some() {
        // Written into the text, so that PostgreSQL keeps the statement's plan.
        assert!(page.ends_with(" LIMIT 51 OFFSET 10"), "{page}");
    } else {
        assert!(page.ends_with(" LIMIT ? OFFSET ?"), "{page}");
    }
}

#[tokio::test]
async fn country_codes_are_resolved_in_memory_and_flows_compared_by_id() {
    let statements = sql_of(
        r#"{ countries(first: 20) { nodes { flowsProvided(first: 5, filter: { recipient: { code: ["KEN", "ET"] } }) { nodes { id } } } }
            flows(first: 3, filter: { provider: { code: ["CHN"] } }) { nodes { id } } }"#,
    )
    .await;
    let lookups: Vec<_> = statements.iter().filter(|sql| sql.contains("\"iso2\" IN")).collect();
    assert!(lookups.is_empty(), "known codes need no lookup: {statements:#?}");
    let flows: Vec<_> = statements.iter().filter(|sql| sql.contains("FROM \"flow\"")).collect();
    assert!(!flows.is_empty());
    for sql in flows {
        assert!(!sql.contains("\"country\""), "flows filtered through the country table: {sql}");
    }
}

#[tokio::test]
async fn unknown_country_codes_are_looked_up_once_per_level_not_per_parent() {
    let statements = sql_of(
        r#"{ countries(first: 20) { nodes { flowsProvided(first: 5, filter: { recipient: { code: ["QQQ", "QQ"] } }) { nodes { id } } } }
            flows(first: 3, filter: { provider: { code: ["ZZZ"] } }) { nodes { id } } }"#,
    )
    .await;
    let lookups: Vec<_> = statements.iter().filter(|sql| sql.contains("\"iso2\" IN")).collect();
    // At most one for the root field's codes and one for all 20 parents' nested filters
    // (one in all when the root's lookup is still gathering as the parents ask).
    assert!((1..=2).contains(&lookups.len()), "one lookup per level of the request: {statements:#?}");
}

#[tokio::test]
async fn a_list_is_counted_once_per_data_version_however_many_pages_are_read() {
    let mut test = TestDb::new().await;
    let log = test.record_statements();
    let api = test.api();
    api.data(WARM_UP, json!({})).await;
    log.lock().expect("the statement log is never poisoned").clear();
    let query = "query($after: String) {
        flows(first: 10, after: $after, filter: { year: { gte: 2005 } }) { totalCount pageInfo { endCursor } }
    }";
    let mut after = serde_json::Value::Null;
    let mut totals = Vec::new();
    for _ in 0..3 {
        let data = api.data(query, json!({ "after": after })).await;
        totals.push(data["flows"]["totalCount"].clone());
        after = data["flows"]["pageInfo"]["endCursor"].clone();
    }
    assert!(totals.iter().all(|total| *total == totals[0] && total.as_u64() > Some(10)), "{totals:?}");
    let sql: Vec<String> = log
        .lock()
        .expect("the statement log is never poisoned")
        .iter()
        .map(|statement| statement.sql.clone())
        .collect();
    assert_eq!(counts(&sql), 1, "{sql:#?}");
}

#[tokio::test]
async fn fields_cited_from_other_datasets_cost_no_statement_per_row() {
    let query = "query($size: Int!) { countries(first: $size) { nodes { latitude longitude incomeGroup } } }";
    let small = statements(query, 10).await;
    let large = statements(query, 100).await;
    assert_eq!((small, large), (1, 1), "the countries' page only; their sources come from the reference tables");
}

/// The one statement of `statements` that aggregates flows: over the flows, or over the
/// totals stored at import (`flow_total`).
fn aggregate_statement(statements: Vec<String>) -> String {
    let aggregates: Vec<String> = statements
        .into_iter()
        .filter(|sql| sql.contains("FROM \"flow\"") || sql.contains("FROM \"flow_total\""))
        .collect();
    assert_eq!(aggregates.len(), 1, "{aggregates:#?}");
    aggregates.into_iter().next().unwrap_or_default()
}

#[tokio::test]
async fn aggregates_read_only_the_amounts_selected() {
    // Each amount's partial aggregates, over flows or stored totals alike, count the
    // flows that have it (`c_cur`, `c_con`, `c_real`).
    let reads = |sql: &str, amount: &str| sql.contains(&format!("\"c_{amount}\""));
    let counted = aggregate_statement(sql_of("{ flowStats(groupBy: [YEAR]) { year count } }").await);
    assert!(!["cur", "con", "real"].iter().any(|amount| reads(&counted, amount)), "a count reads no amount: {counted}");

    let constant = aggregate_statement(
        sql_of("{ flowStats(groupBy: [YEAR, CONSTANT_BASE_YEAR]) { year count sumUsdConstant } }").await,
    );
    assert!(reads(&constant, "con") && !reads(&constant, "real") && !reads(&constant, "cur"), "{constant}");

    let ordered = aggregate_statement(
        sql_of("{ flowStats(groupBy: [YEAR], orderBy: [{ measure: USD_REAL }]) { year ... on FlowStats { count } } }")
            .await,
    );
    assert!(reads(&ordered, "real") && !reads(&ordered, "con"), "{ordered}");

    let series = aggregate_statement(
        sql_of("{ flowTimeSeries(from: 2000, to: 2010) { year ...Amount } } fragment Amount on FlowStats { maxUsdCurrent }")
            .await,
    );
    assert!(reads(&series, "cur") && !reads(&series, "real"), "{series}");

    // The same over the flows, grouped by a column the totals do not keep.
    let by_recipient = aggregate_statement(
        sql_of(
            "{ flowStats(groupBy: [RECIPIENT, CONSTANT_BASE_YEAR], first: 5) { recipient { iso3 } sumUsdConstant } }",
        )
        .await,
    );
    assert!(by_recipient.contains("FROM \"flow\""), "{by_recipient}");
    assert!(by_recipient.contains("\"amount_usd_constant\"") && !by_recipient.contains("\"amount_usd_real\""));
}

#[tokio::test]
async fn lists_read_the_long_columns_only_when_their_nodes_select_them() {
    let read = |sql: &str, column: &str| sql.contains(&format!("\"flow\".\"{column}\""));
    let short = flow_statement(sql_of("{ flows(first: 10) { nodes { reference year provider { name } } } }").await);
    assert!(!short.contains("\"flow\".*"), "{short}");
    for column in ["title", "description", "status", "flow_type", "flow_class", "recipient_label", "start_on", "end_on"]
    {
        assert!(!read(&short, column), "{column}: {short}");
    }
    assert!(read(&short, "ref") && read(&short, "year") && read(&short, "provider_id"), "{short}");

    let described = flow_statement(
        sql_of("{ flows(first: 10) { edges { node { ...F } } } } fragment F on Flow { description endDate }").await,
    );
    assert!(read(&described, "description") && read(&described, "end_on"), "{described}");
    assert!(!read(&described, "title") && !read(&described, "start_on"), "{described}");

    let nested = flow_statement(
        sql_of("{ countries(first: 5) { nodes { flowsProvided(first: 2) { nodes { title } } } } }").await,
    );
    assert!(read(&nested, "title") && !read(&nested, "description"), "{nested}");
}

#[tokio::test]
async fn root_lists_of_reference_tables_read_only_ids_and_take_their_rows_from_memory() {
    let query = r#"{
        countries(first: 10, filter: { isSouth: true }) { nodes { iso3 name region incomeGroup } }
        sectors(first: 5) { nodes { code name } }
        sources(first: 3) { nodes { key title } }
    }"#;
    let statements = sql_of(query).await;
    assert_eq!(statements.len(), 3, "one page statement per list: {statements:#?}");
    for table in ["country", "sector", "source"] {
        let page = statements
            .iter()
            .find(|sql| sql.contains(&format!("FROM \"{table}\"")))
            .unwrap_or_else(|| panic!("a statement for {table}: {statements:#?}"));
        assert!(page.starts_with(&format!("SELECT \"{table}\".\"id\" FROM")), "{page}");
    }
}
