//! The rules that classify records, each written once, in SQL, and used by the filters,
//! the aggregates and the objects alike, so that an agreement counted South–South by
//! `agreementStats` is South–South on the object too.
//!
//! A country is of the South when UN M49 (2020) classes it as developing
//! (`country.is_developing`); a bloc, when it has two or more members and all are of the
//! South. The expressions refer to the `flow` and `agreement` tables by
//! name and use only server-chosen literals, so they are valid on SQLite and PostgreSQL and
//! can appear anywhere in a statement that reads those tables unaliased.

use std::collections::HashMap;

use entity::{agreement, bloc, flow};
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

/// How many country parties of an agreement meet a condition on their country `c`.
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

/// A bloc of the South, the bloc given by an id expression: two or more members, all of the
/// South. A bloc with a developed member (the European Union, EFTA) is not.
macro_rules! bloc_is_south {
    ($bloc:literal) => {
        concat!(
            "((SELECT COUNT(*) FROM \"bloc_member\" \"m\" WHERE \"m\".\"bloc_id\" = ",
            $bloc,
            ") >= 2 AND NOT EXISTS (SELECT 1 FROM \"bloc_member\" \"m\" JOIN \"country\" \"mc\" \
             ON \"mc\".\"id\" = \"m\".\"country_id\" WHERE \"m\".\"bloc_id\" = ",
            $bloc,
            " AND NOT \"mc\".\"is_developing\"))"
        )
    };
}

/// How many bloc parties `y` of an agreement meet a condition.
macro_rules! bloc_parties_where {
    ($($condition:tt)*) => {
        concat!(
            "(SELECT COUNT(*) FROM \"agreement_bloc_party\" \"y\" WHERE \"y\".\"agreement_id\" = \"agreement\".\"id\" AND ",
            $($condition)*,
            ")"
        )
    };
}

/// The weight of an agreement's parties of the South: each country counts one, and each
/// bloc of the South two, since it stands for two or more countries of the South (an
/// agreement whose only party is ECOWAS is among ECOWAS's members).
macro_rules! south_parties {
    () => {
        concat!(
            "(",
            parties_where!("\"c\".\"is_developing\""),
            " + 2 * ",
            bloc_parties_where!(bloc_is_south!("\"y\".\"bloc_id\"")),
            ")"
        )
    };
}

/// A bloc with a developed member, the bloc party `y`.
macro_rules! bloc_has_developed_member {
    () => {
        "EXISTS (SELECT 1 FROM \"bloc_member\" \"m\" JOIN \"country\" \"mc\" ON \"mc\".\"id\" = \"m\".\"country_id\" \
         WHERE \"m\".\"bloc_id\" = \"y\".\"bloc_id\" AND NOT \"mc\".\"is_developing\")"
    };
}

/// How many of an agreement's parties are developed: countries that are not of the South,
/// and blocs with a developed member (a bloc with fewer than two members and none developed
/// is neither of the South nor developed: unknown).
macro_rules! other_parties {
    () => {
        concat!(
            "(",
            parties_where!("NOT \"c\".\"is_developing\""),
            " + ",
            bloc_parties_where!(bloc_has_developed_member!()),
            ")"
        )
    };
}

/// An agreement among the South only: its parties of the South weigh at least two (see
/// `south_parties`), and no party, country or bloc, is developed.
pub const AGREEMENT_SOUTH_SOUTH: &str = concat!("(", south_parties!(), " >= 2 AND ", other_parties!(), " = 0)");

/// A triangular agreement: parties of the South that weigh at least two, joined by at least
/// one developed party, country or bloc.
pub const AGREEMENT_TRIANGULAR: &str = concat!("(", south_parties!(), " >= 2 AND ", other_parties!(), " >= 1)");

/// The countries an agreement covers: its country parties and the members of its bloc
/// parties.
macro_rules! covered_countries {
    () => {
        "(SELECT \"x\".\"country_id\" FROM \"agreement_party\" \"x\" WHERE \"x\".\"agreement_id\" = \"agreement\".\"id\" \
         UNION SELECT \"m\".\"country_id\" FROM \"agreement_bloc_party\" \"y\" JOIN \"bloc_member\" \"m\" \
         ON \"m\".\"bloc_id\" = \"y\".\"bloc_id\" WHERE \"y\".\"agreement_id\" = \"agreement\".\"id\")"
    };
}

/// How many distinct values of a region column the countries an agreement covers have. A
/// country whose region is unknown (Taiwan has no M49 region) cannot be shown to share one,
/// so it counts as a region of its own.
macro_rules! distinct_regions {
    ($column:literal) => {
        concat!(
            "(SELECT COUNT(DISTINCT COALESCE(\"c\".\"",
            $column,
            "\", '#' || CAST(\"c\".\"id\" AS TEXT))) FROM \"country\" \"c\" WHERE \"c\".\"id\" IN ",
            covered_countries!(),
            ")"
        )
    };
}

/// How many parties, countries and blocs, an agreement has.
macro_rules! all_parties {
    () => {
        concat!("(", parties_where!("1 = 1"), " + ", bloc_parties_where!("1 = 1"), ")")
    };
}

/// An agreement's scope: `BILATERAL` (two parties, countries or blocs), otherwise from the
/// M49 regions of the countries it covers (its country parties and the members of its bloc
/// parties): `SUBREGIONAL` (all in one sub-region), `REGIONAL` (all in one region),
/// `INTERREGIONAL`. Null for an agreement with no party, with one country alone, or whose
/// bloc parties have no members.
pub const AGREEMENT_SCOPE: &str = concat!(
    "CASE WHEN ",
    all_parties!(),
    " = 0 OR ",
    bloc_parties_where!("1 = 1"),
    " = 0 AND ",
    parties_where!("1 = 1"),
    " < 2 THEN NULL WHEN ",
    all_parties!(),
    " = 2 THEN 'BILATERAL' WHEN ",
    distinct_regions!("region_code"),
    " = 0 THEN NULL WHEN ",
    distinct_regions!("sub_region_code"),
    " = 1 THEN 'SUBREGIONAL' WHEN ",
    distinct_regions!("region_code"),
    " = 1 THEN 'REGIONAL' ELSE 'INTERREGIONAL' END"
);

/// A bloc of the South: two or more members, all of the South (an expression over the
/// `bloc` table).
pub const BLOC_SOUTH: &str = bloc_is_south!("\"bloc\".\"id\"");

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

/// Applies [`BLOC_SOUTH`] to blocs by id, in one statement.
pub async fn south_blocs(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, bool>, DbErr> {
    let select = Query::select()
        .column((bloc::Entity, bloc::Column::Id))
        .expr_as(truth(BLOC_SOUTH), Alias::new("south"))
        .from(bloc::Entity)
        .and_where(bloc::Column::Id.is_in(ids.iter().copied()))
        .to_owned();
    let mut found = HashMap::new();
    for row in db.query_all(&select).await? {
        found.insert(row.try_get("", "id")?, row.try_get::<i32>("", "south")? == 1);
    }
    Ok(found)
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
