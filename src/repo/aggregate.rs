//! GROUP BY queries computed in the database: dimensions, measures, joins, a filter.
//!
//! Large tables are aggregated in two steps, both in the database: partial aggregates
//! grouped by the table's own keys (served from an index), then rolled up by attributes of
//! joined tables (a recipient's region), so the join runs on groups, not on rows.
//!
//! Dimensions and measures are SQL expressions without parameters (only column names and
//! literals chosen by the server), so the same text can appear in SELECT and ORDER BY on
//! every backend; groups are named by their output aliases.

use sea_orm::{
    ConnectionTrait, DbErr, Order, QueryResult,
    sea_query::{Alias, Condition, Expr, JoinType, NullOrdering, Query, SelectStatement},
};

/// A table joined under an alias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Join {
    /// The alias the expressions use.
    pub alias: &'static str,
    /// The table.
    pub table: &'static str,
    /// The join condition, in SQL.
    pub on: &'static str,
}

/// An aggregate query.
#[derive(Clone, Debug)]
pub struct Aggregate {
    /// The table aggregated (filters refer to it by name).
    pub table: &'static str,
    /// Aggregate this subquery, as `t`, instead of the table: partial aggregates grouped by
    /// raw keys, which the outer query rolls up by attributes of joined tables.
    pub partials: Option<SelectStatement>,
    /// Tables joined, in order (each may refer to the ones before).
    pub joins: Vec<Join>,
    /// Group keys: output alias and SQL expression.
    pub dimensions: Vec<(String, String)>,
    /// Measures: output alias and SQL aggregate expression.
    pub measures: Vec<(String, String)>,
    /// Rows must match this before grouping.
    pub condition: Condition,
    /// Order of the groups, by output alias; groups are then ordered by every dimension.
    pub order: Vec<(String, Order)>,
    /// At most this many groups.
    pub limit: Option<u64>,
}

impl Aggregate {
    /// Adds a join once, whatever how many dimensions need it.
    pub fn join(&mut self, join: Join) {
        if !self.joins.contains(&join) {
            self.joins.push(join);
        }
    }

    /// Runs the query; rows hold the dimension and measure aliases.
    pub async fn fetch(&self, db: &impl ConnectionTrait) -> Result<Vec<QueryResult>, DbErr> {
        let mut select = Query::select();
        match &self.partials {
            Some(partials) => select.from_subquery(partials.clone(), Alias::new("t")),
            None => select.from(Alias::new(self.table)),
        };
        for join in &self.joins {
            select.join_as(JoinType::LeftJoin, Alias::new(join.table), Alias::new(join.alias), Expr::cust(join.on));
        }
        for (alias, sql) in self.dimensions.iter().chain(&self.measures) {
            select.expr_as(Expr::cust(sql.clone()), Alias::new(alias));
        }
        select.cond_where(self.condition.clone());
        if !self.dimensions.is_empty() {
            select.add_group_by(self.dimensions.iter().map(|(alias, _)| Expr::col(Alias::new(alias))));
        }
        for (alias, order) in &self.order {
            select.order_by_with_nulls(Alias::new(alias), order.clone(), NullOrdering::Last);
        }
        for (alias, _) in &self.dimensions {
            select.order_by_with_nulls(Alias::new(alias), Order::Asc, NullOrdering::Last);
        }
        if let Some(limit) = self.limit {
            select.limit(limit);
        }
        db.query_all(&select).await
    }
}
