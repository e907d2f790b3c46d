//! The statement behind the flows export: flows with the codes and names of what they
//! refer to, in a stable order, ready to stream.

use sea_orm::{
    Order,
    sea_query::{Alias, Condition, Expr, JoinType, NullOrdering, Query, SelectStatement},
};

/// The columns of an exported flow, in order.
pub const FLOW_COLUMNS: &[&str] = &[
    "source",
    "reference",
    "provider_iso3",
    "provider_name",
    "recipient_iso3",
    "recipient_name",
    "recipient_label",
    "year",
    "kind",
    "flow_type",
    "flow_class",
    "amount_usd_current",
    "amount_usd_constant",
    "constant_base_year",
    "sector_code",
    "sector_name",
    "title",
    "status",
    "start_date",
    "end_date",
    "recommended_for_research",
    "description",
];

/// Flows matching a condition with their labels, ordered by the given keys then by id.
pub fn flows_statement(condition: Condition, order: Vec<(Expr, Order)>) -> SelectStatement {
    let flow = || Alias::new("flow");
    let column = |table: &str, name: &str| Expr::col((Alias::new(table), Alias::new(name)));
    let mut select = Query::select();
    select
        .from(flow())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("source"),
            Alias::new("src"),
            Expr::cust("\"src\".\"id\" = \"flow\".\"source_id\""),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("country"),
            Alias::new("p"),
            Expr::cust("\"p\".\"id\" = \"flow\".\"provider_id\""),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("country"),
            Alias::new("r"),
            Expr::cust("\"r\".\"id\" = \"flow\".\"recipient_id\""),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("sector"),
            Alias::new("s"),
            Expr::cust("\"s\".\"id\" = \"flow\".\"sector_id\""),
        );
    for (alias, table, name) in [
        ("source", "src", "key"),
        ("reference", "flow", "ref"),
        ("provider_iso3", "p", "iso3"),
        ("provider_name", "p", "name"),
        ("recipient_iso3", "r", "iso3"),
        ("recipient_name", "r", "name"),
        ("recipient_label", "flow", "recipient_label"),
        ("year", "flow", "year"),
        ("kind", "flow", "kind"),
        ("flow_type", "flow", "flow_type"),
        ("flow_class", "flow", "flow_class"),
        ("amount_usd_current", "flow", "amount_usd_current"),
        ("amount_usd_constant", "flow", "amount_usd_constant"),
        ("constant_base_year", "flow", "constant_base_year"),
        ("sector_code", "s", "code"),
        ("sector_name", "s", "name"),
        ("title", "flow", "title"),
        ("status", "flow", "status"),
        ("start_date", "flow", "start_on"),
        ("end_date", "flow", "end_on"),
        ("recommended_for_research", "flow", "recommended_for_research"),
        ("description", "flow", "description"),
    ] {
        select.expr_as(column(table, name), Alias::new(alias));
    }
    select.cond_where(condition);
    for (expr, direction) in order {
        select.order_by_expr_with_nulls(expr, direction, NullOrdering::Last);
    }
    select.order_by((flow(), Alias::new("id")), Order::Asc);
    select
}
