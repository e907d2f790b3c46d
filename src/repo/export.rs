//! The statements behind the exports: flows with the codes and names of what they refer
//! to, in a stable order, ready to stream, and tables of grouped flows.

use std::collections::HashMap;

use entity::{country, price_index, sector, source};
use sea_orm::{
    ConnectionTrait, DbErr, Order,
    sea_query::{Alias, Condition, Expr, JoinType, NullOrdering, Query, SelectStatement},
};

use super::{
    aggregate::distinct,
    lookup::{self, WithId},
    reference,
    stats::flows::{Amounts, FlowDimension, FlowMeasures, FlowSet, KeyLabel, flow_stats},
};

/// The columns of an exported flow, in order; `repeat_of_source` and `repeat_of_reference`
/// name the flow of another source that it repeats (which aggregates count instead).
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
    "repeat_of_source",
    "repeat_of_reference",
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
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("flow_repeat"),
            Alias::new("fr"),
            Expr::cust("\"fr\".\"flow_id\" = \"flow\".\"id\""),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("flow"),
            Alias::new("rf"),
            Expr::cust("\"rf\".\"id\" = \"fr\".\"repeat_of_id\""),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("source"),
            Alias::new("rs"),
            Expr::cust("\"rs\".\"id\" = \"rf\".\"source_id\""),
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
        ("repeat_of_source", "rs", "key"),
        ("repeat_of_reference", "rf", "ref"),
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

/// The columns of an exported exchange, in order.
pub const EXCHANGE_COLUMNS: &[&str] =
    &["source", "reference", "provider_iso3", "provider_name", "partner_iso3", "partner_name", "year", "kind", "count"];

/// Exchanges matching a condition with the codes and names of their countries, ordered by
/// the given keys then by id.
pub fn exchanges_statement(condition: Condition, order: Vec<(Expr, Order)>) -> SelectStatement {
    let column = |table: &str, name: &str| Expr::col((Alias::new(table), Alias::new(name)));
    let mut select = Query::select();
    select
        .from(Alias::new("exchange"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new("source"),
            Alias::new("src"),
            Expr::cust("\"src\".\"id\" = \"exchange\".\"source_id\""),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("country"),
            Alias::new("p"),
            Expr::cust("\"p\".\"id\" = \"exchange\".\"provider_id\""),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("country"),
            Alias::new("r"),
            Expr::cust("\"r\".\"id\" = \"exchange\".\"partner_id\""),
        );
    for (alias, table, name) in [
        ("source", "src", "key"),
        ("reference", "exchange", "ref"),
        ("provider_iso3", "p", "iso3"),
        ("provider_name", "p", "name"),
        ("partner_iso3", "r", "iso3"),
        ("partner_name", "r", "name"),
        ("year", "exchange", "year"),
        ("kind", "exchange", "kind"),
        ("count", "exchange", "count"),
    ] {
        select.expr_as(column(table, name), Alias::new(alias));
    }
    select.cond_where(condition);
    for (expr, direction) in order {
        select.order_by_expr_with_nulls(expr, direction, NullOrdering::Last);
    }
    select.order_by((Alias::new("exchange"), Alias::new("id")), Order::Asc);
    select
}

/// A table of grouped flows: header and rows of cells, with codes and names for keys that
/// refer to rows (countries, sectors, sources), and the ids of the sources of the figures.
pub async fn flow_stats_table(
    db: &impl ConnectionTrait,
    set: FlowSet,
    dimensions: &[FlowDimension],
) -> Result<(Vec<String>, Vec<Vec<String>>), DbErr> {
    let dimensions = distinct(dimensions);
    let groups = flow_stats(db, set, &dimensions, &[], None, false, Amounts::ALL).await?;
    let ids = |label: KeyLabel| -> Vec<i32> {
        groups
            .iter()
            .flat_map(|group| dimensions.iter().filter(|d| d.label() == label).filter_map(|d| group.id(*d)))
            .collect()
    };
    let countries =
        labels::<country::Entity>(db, &ids(KeyLabel::Country), |c| (c.id, c.iso3.clone(), c.name.clone())).await?;
    let sectors =
        labels::<sector::Entity>(db, &ids(KeyLabel::Sector), |s| (s.id, s.code.clone(), s.name.clone())).await?;
    let sources =
        labels::<source::Entity>(db, &ids(KeyLabel::Source), |s| (s.id, s.key.clone(), s.title.clone())).await?;

    let mut header = Vec::new();
    for dimension in &dimensions {
        let name = dimension.column_name();
        match dimension.label() {
            KeyLabel::Plain => header.push(name),
            _ => {
                header.push(format!("{name}_code"));
                header.push(format!("{name}_name"));
            }
        }
    }
    header.extend(MEASURE_COLUMNS.iter().map(|name| (*name).to_owned()));
    // Real dollars of the latest year of the CPI-U series (none without the series).
    let latest = reference::price_index(db).await?.pop();
    let rows = groups
        .iter()
        .map(|group| {
            let mut row = Vec::new();
            for dimension in &dimensions {
                let table = match dimension.label() {
                    KeyLabel::Country => &countries,
                    KeyLabel::Sector => &sectors,
                    KeyLabel::Source => &sources,
                    KeyLabel::Plain => {
                        row.push(group.key_text(*dimension));
                        continue;
                    }
                };
                let (code, name) = group.id(*dimension).and_then(|id| table.get(&id).cloned()).unwrap_or_default();
                row.push(code);
                row.push(name);
            }
            row.extend(measure_cells(&group.measures, latest.as_ref()));
            row
        })
        .collect();
    Ok((header, rows))
}

/// Columns of [`measure_cells`].
const MEASURE_COLUMNS: &[&str] = &[
    "count",
    "sum_usd_current",
    "sum_usd_constant",
    "min_usd_current",
    "max_usd_current",
    "avg_usd_current",
    "min_usd_constant",
    "max_usd_constant",
    "avg_usd_constant",
    "constant_base_year",
    "count_with_amount",
    "real_dollars_of",
    "sum_usd_real",
    "min_usd_real",
    "max_usd_real",
    "avg_usd_real",
];

/// The measures as table cells (empty when unknown). Constant-dollar cells are empty for a
/// group whose amounts have different base years (they cannot be added); real dollars are
/// of the year of `index`, the latest of the CPI-U series.
fn measure_cells(m: &FlowMeasures, index: Option<&price_index::Model>) -> Vec<String> {
    let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let constant = |value: Option<f64>| if m.bases.mixed() { String::new() } else { optional(value) };
    let real = |value: Option<f64>| optional(index.and(value).map(|v| v * index.map_or(0.0, |i| i.cpi_u) / 100.0));
    vec![
        m.count.to_string(),
        m.sum_current.to_string(),
        constant(Some(m.sum_constant)),
        optional(m.min_current),
        optional(m.max_current),
        optional(m.avg_current),
        constant(m.min_constant),
        constant(m.max_constant),
        constant(m.avg_constant),
        optional(if m.bases.mixed() { None } else { m.bases.lo.map(f64::from) }),
        m.count_real.to_string(),
        index.map(|index| index.year.to_string()).unwrap_or_default(),
        real(Some(m.sum_real)),
        real(m.min_real),
        real(m.max_real),
        real(m.avg_real),
    ]
}

/// Code and name of rows by id.
async fn labels<E: WithId>(
    db: &impl ConnectionTrait,
    ids: &[i32],
    label: impl Fn(&E::Model) -> (i32, String, String),
) -> Result<HashMap<i32, (String, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let models = lookup::by_ids::<E>(db, ids).await?;
    Ok(models.iter().map(label).map(|(id, code, name)| (id, (code, name))).collect())
}
