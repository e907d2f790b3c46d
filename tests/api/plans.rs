//! The query plans of every example query (README, GraphiQL) and every benchmark query, on
//! the database under test: no statement with a condition reads a large table whole, where
//! the condition could have used an index. (Unfiltered lists and aggregates read what they
//! must; a page of them stops at its limit.)

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use southgraph::http::{EXAMPLES, QUESTIONS};

use crate::support::TestDb;

#[path = "../../benches/support/queries.rs"]
mod bench_queries;

/// The tables that hold data, of which those over [`LARGE`] rows are checked.
const TABLES: &[&str] = &[
    "agreement",
    "agreement_bloc_party",
    "agreement_party",
    "bloc",
    "bloc_member",
    "code_list_item",
    "country",
    "country_income_group",
    "deployment",
    "expert",
    "expert_sector",
    "flow",
    "flow_code",
    "search_document",
    "sector",
    "source",
];

/// Rows from which reading a table whole costs more than any page or lookup should (the
/// flows, 105,824 rows, the search documents, 13,395, and the agreements' parties, 12,983;
/// the others hold under 5,000,
/// where PostgreSQL rightly prefers a sequential scan for a hash join).
const LARGE: i64 = 10_000;

async fn large_tables(db: &impl ConnectionTrait) -> Vec<&'static str> {
    let mut large = Vec::new();
    for table in TABLES {
        let count = format!("SELECT COUNT(*) AS n FROM {table}");
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), count)).await.expect("count");
        let rows: i64 = row.expect("a count").try_get("", "n").expect("a number");
        if rows > LARGE {
            large.push(*table);
        }
    }
    large
}

/// Every query whose plans are checked, by name.
fn queries() -> Vec<(String, &'static str)> {
    let examples = QUESTIONS.iter().chain(EXAMPLES).map(|example| (example.title.to_owned(), example.query));
    let benches = [
        bench_queries::QUERIES,
        bench_queries::PEER,
        bench_queries::NESTED,
        bench_queries::NESTED_BY_CHILDREN,
        bench_queries::SEARCH,
        bench_queries::CHARTS,
    ]
    .into_iter()
    .flatten()
    .map(|(name, query)| ((*name).to_owned(), *query));
    examples.chain(benches).collect()
}

/// Whether a statement reads rows under a condition: a `SELECT` with a `WHERE` other than
/// `WHERE TRUE` (an unfiltered list or aggregate reads what it must). What every aggregate
/// leaves out by default (the few flows that repeat another source's, the rows publishers
/// flag as not for research) is no filter.
fn is_filtered_select(sql: &str) -> bool {
    const NO_REPEATS: &str = "\"flow\".\"id\" NOT IN (SELECT \"flow_id\" FROM \"flow_repeat\")";
    const GUIDANCE: &str = "(\"flow\".\"recommended_for_research\" IS NULL OR \"flow\".\"recommended_for_research\" = ";
    let mut sql = sql.replace(NO_REPEATS, "TRUE");
    while let Some(start) = sql.find(GUIDANCE) {
        let end = sql[start..].find(')').map_or(sql.len(), |end| start + end + 1);
        sql.replace_range(start..end, "TRUE");
    }
    let sql = sql.replace("TRUE AND TRUE", "TRUE");
    let unfiltered = |rest: &str| {
        rest.strip_prefix("TRUE")
            .is_some_and(|after| [" GROUP", " ORDER", " LIMIT", ")", ""].iter().any(|end| after.starts_with(end)))
    };
    sql.trim_start().starts_with("SELECT") && sql.split(" WHERE ").skip(1).any(|rest| !unfiltered(rest))
}

/// The lines of a statement's plan that read one of the `large` tables whole.
async fn whole_table_reads(db: &impl ConnectionTrait, large: &[&str], statement: &Statement) -> Vec<String> {
    let backend = db.get_database_backend();
    let explain = match backend {
        DbBackend::Sqlite => format!("EXPLAIN QUERY PLAN {}", statement.sql),
        _ => format!("EXPLAIN {}", statement.sql),
    };
    let explain = Statement { sql: explain, values: statement.values.clone(), db_backend: backend };
    let rows = db.query_all_raw(explain).await.unwrap_or_else(|err| panic!("EXPLAIN {}: {err}", statement.sql));
    let lines = rows.iter().map(|row| match backend {
        DbBackend::Sqlite => row.try_get::<String>("", "detail"),
        _ => row.try_get::<String>("", "QUERY PLAN"),
    });
    let mut reads = Vec::new();
    for line in lines {
        let line = line.expect("a plan line");
        let whole = large.iter().any(|table| match backend {
            DbBackend::Sqlite => {
                line.trim() == format!("SCAN {table}") || line.trim().starts_with(&format!("SCAN {table} "))
            }
            _ => {
                line.contains(&format!("Seq Scan on {table} "))
                    || line.trim_end().ends_with(&format!("Seq Scan on {table}"))
            }
        });
        if whole {
            reads.push(line.trim().to_owned());
        }
    }
    reads
}

#[tokio::test]
async fn no_example_or_benchmark_query_reads_a_large_table_whole_unless_it_must() {
    let mut test = TestDb::new().await;
    let log = test.record_statements();
    let api = test.api_without_rate_limit();
    api.data("{ __typename }", json!({})).await;
    let large = large_tables(&test.db).await;
    assert!(large.contains(&"flow"), "{large:?}");
    let mut found = Vec::new();
    let mut explained = 0;
    for (name, query) in queries() {
        log.lock().expect("the statement log is never poisoned").clear();
        let data = api.data(query, json!({})).await;
        assert!(!data.is_null(), "{name}");
        let statements = log.lock().expect("the statement log is never poisoned").clone();
        for statement in statements.iter().filter(|statement| is_filtered_select(&statement.sql)) {
            let reads = whole_table_reads(&test.db, &large, statement).await;
            explained += 1;
            if !reads.is_empty() {
                found.push(format!("{name}\n  {}\n  {}", statement.sql, reads.join("\n  ")));
            }
        }
    }
    // Filtered queries (China's flows, Kenya's partners, the health flows…) ran statements
    // with conditions: the check read their plans, not an empty log.
    assert!(explained >= 10, "only {explained} filtered statements were explained");
    assert!(found.is_empty(), "{} statements read a large table whole:\n{}", found.len(), found.join("\n\n"));
}

/// The lines of a nested page statement's plan that sort rows inside a parent's page
/// rather than read them in order from an index: `Sort` (or `Incremental Sort`) keys other
/// than the outer one by parent on PostgreSQL, a temporary B-tree inside the correlated
/// subquery on SQLite.
async fn sorts_inside_pages(db: &impl ConnectionTrait, statement: &Statement) -> Vec<String> {
    let backend = db.get_database_backend();
    let explain = |sql: String| Statement { sql, values: statement.values.clone(), db_backend: backend };
    if backend == DbBackend::Sqlite {
        let rows = db.query_all_raw(explain(format!("EXPLAIN QUERY PLAN {}", statement.sql))).await.expect("a plan");
        let mut inside = Vec::new();
        let mut sorts = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("", "id").expect("an id");
            let parent: i64 = row.try_get("", "parent").expect("a parent");
            let detail: String = row.try_get("", "detail").expect("a detail");
            if detail.starts_with("CORRELATED LIST SUBQUERY") || inside.contains(&parent) {
                inside.push(id);
                if detail.starts_with("USE TEMP B-TREE") {
                    sorts.push(detail);
                }
            }
        }
        assert!(!inside.is_empty(), "no correlated subquery in {}", statement.sql);
        return sorts;
    }
    let rows = db.query_all_raw(explain(format!("EXPLAIN {}", statement.sql))).await.expect("a plan");
    let lines: Vec<String> = rows.iter().map(|row| row.try_get("", "QUERY PLAN").expect("a plan line")).collect();
    assert!(lines.iter().any(|line| line.contains("Limit")), "no limit per parent: {lines:#?}");
    lines
        .into_iter()
        .map(|line| line.trim().to_owned())
        .filter(|line| line.starts_with("Sort Key:") && !line.starts_with("Sort Key: \"*VALUES*\".column1"))
        .collect()
}

#[tokio::test]
async fn nested_pages_latest_or_largest_first_read_each_parent_from_an_index() {
    let mut test = TestDb::new().await;
    let log = test.record_statements();
    let api = test.api_without_rate_limit();
    api.data("{ __typename }", json!({})).await;
    let orders = [
        "{field: YEAR, direction: DESC}",
        "{field: AMOUNT_USD_CURRENT, direction: DESC}",
        "{field: AMOUNT_USD_CONSTANT, direction: DESC}",
    ];
    let mut found = Vec::new();
    for list in ["flowsProvided", "flowsReceived"] {
        for order in orders {
            // China provides 7,343 flows, Brazil and India thousands more: sorting them
            // all for five each is what the indexes avoid.
            let query = format!(
                "{{ countries(filter: {{code: [\"CHN\", \"BRA\", \"IND\"]}}) {{ nodes {{ \
                 {list}(first: 5, orderBy: [{order}]) {{ nodes {{ id year amountUsdCurrent }} }} }} }} }}"
            );
            log.lock().expect("the statement log is never poisoned").clear();
            let data = api.data(&query, json!({})).await;
            let nodes = data["countries"]["nodes"].as_array().expect("countries");
            assert_eq!(nodes.len(), 3, "{data}");
            let statements = log.lock().expect("the statement log is never poisoned").clone();
            let page = statements
                .iter()
                .find(|statement| statement.sql.contains("\"_parents\""))
                .unwrap_or_else(|| panic!("no nested page statement for {query}: {statements:#?}"));
            let sorts = sorts_inside_pages(&test.db, page).await;
            if !sorts.is_empty() {
                found.push(format!("{list} by {order}\n  {}\n  {}", page.sql, sorts.join("\n  ")));
            }
        }
    }
    assert!(found.is_empty(), "{} nested pages sort each parent's flows:\n{}", found.len(), found.join("\n\n"));
}
