//! Listed rows are read by position ([`southgraph::repo::positional`]), not by name: the
//! pages the listings return, root and nested (where the parent's id comes first) and
//! numbered from the end, hold exactly the rows sea-orm reads by name, on the database under
//! test, for every table a list reads.

use std::fmt::Debug;

use entity::{agreement, bloc, country, deployment, exchange, expert, flow, import_change, import_run, sector, source};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Condition,
};
use southgraph::repo::{
    lookup::WithId,
    page::{Listing, Scope, Window, fetch_pages, fetch_root},
};

use crate::support::TestDb;

/// Rows of each table compared: enough to meet every column both empty and filled.
const ROWS: u64 = 2_000;

fn every_row(scope: Scope) -> Listing {
    Listing { condition: Condition::all(), order: Vec::new(), scope, unread: Vec::new() }
}

fn first(rows: u64) -> Window {
    Window { after: 0, before: None, first: Some(rows), last: None }
}

/// How many rows of `E`'s first page were compared.
async fn compare_root<E: WithId>(db: &DatabaseConnection) -> usize
where
    E::Model: PartialEq + Debug,
{
    let by_name = E::find().order_by_asc(E::id()).limit(ROWS).all(db).await.expect("read by name");
    let page = fetch_root::<E>(db, None, &every_row(Scope::All), first(ROWS), false).await.expect("page");
    let by_position: Vec<E::Model> = page.rows.into_iter().map(|row| row.model).collect();
    assert_eq!(by_position, by_name);
    by_name.len()
}

#[tokio::test]
async fn rows_read_by_position_equal_rows_read_by_name() {
    let test = TestDb::new().await;
    let db = &test.db;
    let counts = [
        ("agreement", compare_root::<agreement::Entity>(db).await),
        ("bloc", compare_root::<bloc::Entity>(db).await),
        ("country", compare_root::<country::Entity>(db).await),
        ("deployment", compare_root::<deployment::Entity>(db).await),
        ("exchange", compare_root::<exchange::Entity>(db).await),
        ("expert", compare_root::<expert::Entity>(db).await),
        ("flow", compare_root::<flow::Entity>(db).await),
        ("import_change", compare_root::<import_change::Entity>(db).await),
        ("import_run", compare_root::<import_run::Entity>(db).await),
        ("sector", compare_root::<sector::Entity>(db).await),
        ("source", compare_root::<source::Entity>(db).await),
    ];
    // The change log holds rows only after an import that logs its changes.
    for (table, rows) in counts.into_iter().filter(|(table, _)| *table != "import_change") {
        assert!(rows > 0, "no {table} rows to compare");
    }
}

#[tokio::test]
async fn nested_pages_read_by_position_equal_rows_read_by_name() {
    let test = TestDb::new().await;
    let db = &test.db;
    let providers: Vec<i32> = flow::Entity::find()
        .select_only()
        .column(flow::Column::ProviderId)
        .distinct()
        .into_tuple()
        .all(db)
        .await
        .expect("providers");
    let listing = every_row(Scope::column(flow::Column::ProviderId));
    let from_start = fetch_pages::<flow::Entity>(db, &listing, &providers, first(3), false).await.expect("pages");
    let from_end = Window { after: 0, before: None, first: None, last: Some(2) };
    let numbered = fetch_pages::<flow::Entity>(db, &listing, &providers, from_end, false).await.expect("pages");
    for provider in providers {
        let flows = flow::Entity::find().filter(flow::Column::ProviderId.eq(provider));
        let by_name = flows.clone().order_by_asc(flow::Column::Id).limit(3).all(db).await.expect("read by name");
        let models = |page: Option<&southgraph::repo::page::Page<flow::Model>>| {
            page.expect("a page per parent").rows.iter().map(|row| row.model.clone()).collect::<Vec<_>>()
        };
        assert_eq!(models(from_start.get(&provider)), by_name, "first 3 of provider {provider}");
        let mut last = flows.order_by_desc(flow::Column::Id).limit(2).all(db).await.expect("read by name");
        last.reverse();
        assert_eq!(models(numbered.get(&provider)), last, "last 2 of provider {provider}");
    }
}
