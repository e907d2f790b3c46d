//! Listed rows are read by position ([`southgraph::repo::positional`]), not by name: for
//! every table a list reads, each stored row read so equals sea-orm's own reading of it by
//! name, on the database under test.

use std::fmt::Debug;

use entity::{agreement, bloc, country, deployment, exchange, expert, flow, import_change, import_run, sector, source};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, QuerySelect, QueryTrait};
use southgraph::repo::{lookup::WithId, positional};

use crate::support::TestDb;

/// Rows of each table compared: enough to meet every column both empty and filled.
const ROWS: u64 = 2_000;

/// How many rows of `E` were compared.
async fn compare<E: WithId>(db: &DatabaseConnection) -> usize
where
    E::Model: PartialEq + Debug,
{
    let select = E::find().limit(ROWS).build(db.get_database_backend());
    let rows = db.query_all_raw(select).await.expect("rows");
    let types = positional::column_types::<E>();
    for row in &rows {
        let by_name = E::Model::from_query_result(row, "").expect("read by name");
        let by_position = positional::model::<E>(row, 0, &types).expect("read by position");
        assert_eq!(by_position, by_name);
    }
    rows.len()
}

#[tokio::test]
async fn rows_read_by_position_equal_rows_read_by_name() {
    let test = TestDb::new().await;
    let db = &test.db;
    let counts = [
        ("agreement", compare::<agreement::Entity>(db).await),
        ("bloc", compare::<bloc::Entity>(db).await),
        ("country", compare::<country::Entity>(db).await),
        ("deployment", compare::<deployment::Entity>(db).await),
        ("exchange", compare::<exchange::Entity>(db).await),
        ("expert", compare::<expert::Entity>(db).await),
        ("flow", compare::<flow::Entity>(db).await),
        ("import_change", compare::<import_change::Entity>(db).await),
        ("import_run", compare::<import_run::Entity>(db).await),
        ("sector", compare::<sector::Entity>(db).await),
        ("source", compare::<source::Entity>(db).await),
    ];
    // The change log holds rows only after an import that logs its changes.
    for (table, rows) in counts.into_iter().filter(|(table, _)| *table != "import_change") {
        assert!(rows > 0, "no {table} rows to compare");
    }
}
