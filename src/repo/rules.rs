//! The rules that classify records, each written once, in SQL, and used by the filters,
//! the aggregates and the objects alike, so that an agreement counted South–South by
//! `agreementStats` is South–South on the object too.
//!
//! A country is of the South when UN M49 (2020) classes it as developing
//! (`country.is_developing`). The expressions refer to the `flow` and `agreement` tables by
//! name and use only server-chosen literals, so they are valid on SQLite and PostgreSQL and
//! can appear anywhere in a statement that reads those tables unaliased.

use std::collections::HashMap;

use entity::{agreement, flow};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr,
    sea_query::{Alias, Expr, Query},
};

/// `SELECT id FROM country WHERE developing`: the countries of the South.
macro_rules! south {
    () => {
        "(SELECT \"s\".\"id\" FROM \"country\" \"s\" WHERE \"s\".\"is_developing\")"
    };
}

/// A flow whose provider and recipient are both of the South.
///
/// The unary `+` keeps SQLite from reading the rule through an index on the provider or
/// the recipient: the rule holds for most flows, and SQLite took the South's hundred-odd
/// countries as index lookups on `(recipient_id, year, …)`, four times slower than the
/// other filters' indexes. PostgreSQL plans the same either way.
pub const FLOW_SOUTH_SOUTH: &str =
    concat!("(+\"flow\".\"provider_id\" IN ", south!(), " AND +\"flow\".\"recipient_id\" IN ", south!(), ")");

/// How many parties of an agreement meet a condition on their country `c`.
macro_rules! parties_where {
    ($condition:literal) => {
        concat!(
            "(SELECT COUNT(*) FROM \"agreement_party\" \"x\" JOIN \"country\" \"c\" ON \"c\".\"id\" = \"x\".\"country_id\" \
             WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\" AND ",
            $condition,
            ")"
        )
    };
}

/// An agreement whose parties, at least two, are all of the South.
pub const AGREEMENT_SOUTH_SOUTH: &str = concat!(
    "(",
    parties_where!("\"c\".\"is_developing\""),
    " >= 2 AND ",
    parties_where!("NOT \"c\".\"is_developing\""),
    " = 0)"
);

/// A triangular agreement: at least two parties of the South joined by at least one
/// developed party.
pub const AGREEMENT_TRIANGULAR: &str = concat!(
    "(",
    parties_where!("\"c\".\"is_developing\""),
    " >= 2 AND ",
    parties_where!("NOT \"c\".\"is_developing\""),
    " >= 1)"
);

/// How many distinct values of a region column an agreement's parties have. A party whose
/// region is unknown (Taiwan has no M49 region) cannot be shown to share one, so it counts
/// as a region of its own.
macro_rules! distinct_regions {
    ($column:literal) => {
        concat!(
            "(SELECT COUNT(DISTINCT COALESCE(\"c\".\"",
            $column,
            "\", '#' || CAST(\"c\".\"id\" AS TEXT))) FROM \"agreement_party\" \"x\" \
             JOIN \"country\" \"c\" ON \"c\".\"id\" = \"x\".\"country_id\" WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\")"
        )
    };
}

/// An agreement's scope from its parties' M49 regions: `BILATERAL` (two parties),
/// `SUBREGIONAL` (all in one sub-region), `REGIONAL` (all in one region), `INTERREGIONAL`;
/// null with fewer than two parties.
pub const AGREEMENT_SCOPE: &str = concat!(
    "CASE WHEN ",
    parties_where!("1 = 1"),
    " < 2 THEN NULL WHEN ",
    parties_where!("1 = 1"),
    " = 2 THEN 'BILATERAL' WHEN ",
    distinct_regions!("sub_region_code"),
    " = 1 THEN 'SUBREGIONAL' WHEN ",
    distinct_regions!("region_code"),
    " = 1 THEN 'REGIONAL' ELSE 'INTERREGIONAL' END"
);

/// A country of the South, as an expression over a country aliased `alias`.
pub fn country_is_south(alias: &str) -> String {
    format!("\"{alias}\".\"is_developing\"")
}

/// What the rules say of one agreement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgreementClass {
    /// [`AGREEMENT_SCOPE`]'s value.
    pub scope: Option<String>,
    /// [`AGREEMENT_SOUTH_SOUTH`].
    pub south_south: bool,
    /// [`AGREEMENT_TRIANGULAR`].
    pub triangular: bool,
}

/// A rule's truth as an integer column (booleans read alike on both backends).
fn truth(rule: &str) -> Expr {
    Expr::cust(format!("CASE WHEN {rule} THEN 1 ELSE 0 END"))
}

/// Applies the agreement rules to agreements by id, in one statement.
pub async fn classify_agreements(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, AgreementClass>, DbErr> {
    let select = Query::select()
        .column((agreement::Entity, agreement::Column::Id))
        .expr_as(Expr::cust(AGREEMENT_SCOPE), Alias::new("scope"))
        .expr_as(truth(AGREEMENT_SOUTH_SOUTH), Alias::new("south_south"))
        .expr_as(truth(AGREEMENT_TRIANGULAR), Alias::new("triangular"))
        .from(agreement::Entity)
        .and_where(agreement::Column::Id.is_in(ids.iter().copied()))
        .to_owned();
    let mut classes = HashMap::new();
    for row in db.query_all(&select).await? {
        let class = AgreementClass {
            scope: row.try_get("", "scope")?,
            south_south: row.try_get::<i32>("", "south_south")? == 1,
            triangular: row.try_get::<i32>("", "triangular")? == 1,
        };
        classes.insert(row.try_get("", "id")?, class);
    }
    Ok(classes)
}

/// Applies [`FLOW_SOUTH_SOUTH`] to flows by id, in one statement.
pub async fn south_south_flows(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, bool>, DbErr> {
    let select = Query::select()
        .column((flow::Entity, flow::Column::Id))
        .expr_as(truth(FLOW_SOUTH_SOUTH), Alias::new("south_south"))
        .from(flow::Entity)
        .and_where(flow::Column::Id.is_in(ids.iter().copied()))
        .to_owned();
    let mut found = HashMap::new();
    for row in db.query_all(&select).await? {
        found.insert(row.try_get("", "id")?, row.try_get::<i32>("", "south_south")? == 1);
    }
    Ok(found)
}
