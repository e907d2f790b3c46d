//! GROUP BY queries computed in the database: dimensions, measures, joins, a filter, and
//! the one reader of their rows.
//!
//! Large tables are aggregated in two steps, both in the database: partial aggregates
//! grouped by the table's own keys (served from an index), then rolled up by attributes of
//! joined tables (a recipient's region), so the join runs on groups, not on rows.
//!
//! Dimensions and measures are SQL expressions without parameters (only column names and
//! literals chosen by the server), so the same text can appear in SELECT and ORDER BY on
//! every backend; groups are named by their output aliases. Every group also lists the
//! sources of the rows it covers, from the same statement, so that an answer cites its
//! figures without a second pass over the filter.

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, Order, QueryResult,
    sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait, JoinType, NullOrdering, Query, SelectStatement},
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

/// The value of a group key: a row's id (a year counts as one), or a text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// An id or a year.
    Id(i32),
    /// A text: a name, a code, an enum value.
    Text(String),
}

/// How a group key is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// An integer: an id or a year.
    Id,
    /// A text.
    Text,
}

/// A group key: its SQL, the joins it needs and how it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupKey {
    /// The key's SQL expression.
    pub sql: &'static str,
    /// The tables it needs joined.
    pub joins: &'static [Join],
    /// How it is read.
    pub key: KeyType,
}

/// What an aggregate reads.
#[derive(Clone, Debug)]
pub enum Rows {
    /// A table, by name (filters refer to it by name).
    Table(&'static str),
    /// Partial aggregates grouped by raw keys, as `t`, which the query rolls up.
    Partials(Box<SelectStatement>),
}

/// An aggregate query.
#[derive(Clone, Debug)]
pub struct Aggregate {
    /// What is aggregated.
    pub rows: Rows,
    /// Tables joined, in order (each may refer to the ones before).
    pub joins: Vec<Join>,
    /// Group keys, aliased `g0`, `g1` … in order.
    pub keys: Vec<GroupKey>,
    /// Measures: output alias and SQL aggregate expression.
    pub measures: Vec<(String, String)>,
    /// Rows must match this before grouping.
    pub condition: Condition,
    /// Order of the groups, by output alias; groups are then ordered by every key.
    pub order: Vec<(String, Order)>,
    /// At most this many groups.
    pub limit: Option<u64>,
    /// Whether the groups tied (by `order`) with the last one within `limit` come too, as
    /// SQL's `FETCH FIRST … WITH TIES`; at most [`MAX_WITH_TIES`] groups in all.
    pub with_ties: bool,
    /// The SQL of the source ids of what is aggregated (the rows' own, and those of joined
    /// rows whose attributes the figures depend on): each group lists these sources.
    pub sources: Vec<&'static str>,
}

/// A dimension something can be grouped by: it knows its group key.
pub trait Dimension: Copy + PartialEq {
    /// The key's SQL, joins and type.
    fn group_key(self) -> GroupKey;
}

/// Each dimension once, in the order first named: the SQL stays the size of the distinct
/// dimensions, however long the list a client sends.
pub fn distinct<D: Dimension>(dimensions: &[D]) -> Vec<D> {
    let mut distinct: Vec<D> = Vec::with_capacity(dimensions.len());
    for dimension in dimensions {
        if !distinct.contains(dimension) {
            distinct.push(*dimension);
        }
    }
    distinct
}

/// One group: the values of its keys by dimension (null keys left out), its measures and
/// the ids of the sources of the rows it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Group<D, M> {
    /// The keys grouped by, with their values.
    pub keys: Vec<(D, Key)>,
    /// The measures.
    pub measures: M,
    /// Ids of the sources of the group's rows.
    pub sources: Vec<i32>,
}

impl<D: Dimension, M> Group<D, M> {
    /// The value of the key of `dimension`, if grouped by it and not null.
    pub fn key(&self, dimension: D) -> Option<&Key> {
        self.keys.iter().find(|(d, _)| *d == dimension).map(|(_, key)| key)
    }

    /// The id (or year) a key holds.
    pub fn id(&self, dimension: D) -> Option<i32> {
        match self.key(dimension) {
            Some(Key::Id(id)) => Some(*id),
            _ => None,
        }
    }

    /// The text a key holds.
    pub fn text(&self, dimension: D) -> Option<&str> {
        match self.key(dimension) {
            Some(Key::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// A key as table text (empty when null).
    pub fn key_text(&self, dimension: D) -> String {
        match self.key(dimension) {
            Some(Key::Id(id)) => id.to_string(),
            Some(Key::Text(text)) => text.clone(),
            None => String::new(),
        }
    }
}

/// The alias of the `index`-th group key.
pub fn key_alias(index: usize) -> String {
    format!("g{index}")
}

const SOURCES: &str = "_sources";
const RANK: &str = "_rank";

/// Most groups an aggregate returns with its ties.
pub const MAX_WITH_TIES: u64 = 1000;

impl Aggregate {
    /// An aggregate of a table's rows that match a condition, with no keys or measures yet.
    pub fn of(rows: Rows, condition: Condition, source: &'static str) -> Self {
        Self {
            rows,
            joins: Vec::new(),
            keys: Vec::new(),
            measures: Vec::new(),
            condition,
            order: Vec::new(),
            limit: None,
            with_ties: false,
            sources: vec![source],
        }
    }

    /// Adds a join once, whatever how many keys need it.
    pub fn join(&mut self, join: Join) {
        if !self.joins.contains(&join) {
            self.joins.push(join);
        }
    }

    /// Groups by these dimensions, each once, and returns them in the order of the keys.
    pub fn group_by<D: Dimension>(&mut self, dimensions: &[D]) -> Vec<D> {
        let dimensions = distinct(dimensions);
        for dimension in &dimensions {
            let key = dimension.group_key();
            key.joins.iter().for_each(|join| self.join(*join));
            self.keys.push(key);
        }
        dimensions
    }

    /// The statement: keys as `g0` …, measures by alias, the sources as a list.
    pub fn statement(&self, backend: DbBackend) -> SelectStatement {
        let mut select = Query::select();
        match &self.rows {
            Rows::Partials(partials) => select.from_subquery(partials.as_ref().clone(), Alias::new("t")),
            Rows::Table(table) => select.from(Alias::new(*table)),
        };
        for join in &self.joins {
            select.join_as(JoinType::LeftJoin, Alias::new(join.table), Alias::new(join.alias), Expr::cust(join.on));
        }
        for (index, key) in self.keys.iter().enumerate() {
            select.expr_as(Expr::cust(key.sql), Alias::new(key_alias(index)));
        }
        for (alias, sql) in &self.measures {
            select.expr_as(Expr::cust(sql.clone()), Alias::new(alias));
        }
        let lists: Vec<String> =
            self.sources.iter().map(|sql| format!("COALESCE({}, '')", list_of_ids(backend, sql))).collect();
        select.expr_as(Expr::cust(lists.join(" || ',' || ")), Alias::new(SOURCES));
        select.cond_where(self.condition.clone());
        if !self.keys.is_empty() {
            select.add_group_by((0..self.keys.len()).map(|index| Expr::col(Alias::new(key_alias(index)))));
        }
        for (alias, order) in &self.order {
            select.order_by_with_nulls(Alias::new(alias), order.clone(), NullOrdering::Last);
        }
        for index in 0..self.keys.len() {
            select.order_by_with_nulls(Alias::new(key_alias(index)), Order::Asc, NullOrdering::Last);
        }
        match self.limit {
            Some(limit) if self.with_ties && !self.order.is_empty() => return self.with_ties_cut(select, limit),
            Some(limit) => {
                select.limit(limit);
            }
            None => {}
        }
        select
    }

    /// The groups of `select` (ordered, not limited) ranked by `order` and kept while their
    /// rank is within `limit`, so that ties at the cut come too.
    fn with_ties_cut(&self, mut select: SelectStatement, limit: u64) -> SelectStatement {
        let ranking: Vec<String> = self
            .order
            .iter()
            .map(|(alias, order)| {
                let sql =
                    self.measures.iter().find(|(measure, _)| measure == alias).map_or(alias.as_str(), |(_, sql)| sql);
                let direction = if matches!(order, Order::Desc) { "DESC" } else { "ASC" };
                format!("{sql} {direction} NULLS LAST")
            })
            .collect();
        select.expr_as(Expr::cust(format!("RANK() OVER (ORDER BY {})", ranking.join(", "))), Alias::new(RANK));
        let mut ranked = Query::select();
        ranked
            .column(Asterisk)
            .from_subquery(select, Alias::new("ranked"))
            .and_where(Expr::col(Alias::new(RANK)).lte(limit));
        for (alias, order) in &self.order {
            ranked.order_by_with_nulls(Alias::new(alias), order.clone(), NullOrdering::Last);
        }
        for index in 0..self.keys.len() {
            ranked.order_by_with_nulls(Alias::new(key_alias(index)), Order::Asc, NullOrdering::Last);
        }
        ranked.limit(MAX_WITH_TIES);
        ranked
    }

    /// Runs the query and reads every group: its keys by the `dimensions` grouped by
    /// (as [`Aggregate::group_by`] returned them), its measures by `measures`.
    pub async fn groups<D: Dimension, M>(
        &self,
        db: &impl ConnectionTrait,
        dimensions: &[D],
        measures: impl Fn(&QueryResult) -> Result<M, DbErr>,
    ) -> Result<Vec<Group<D, M>>, DbErr> {
        let rows = db.query_all(&self.statement(db.get_database_backend())).await?;
        rows.iter().map(|row| read_group(row, dimensions, &measures)).collect()
    }
}

/// Reads one group from a row of an aggregate's statement (or of a statement built on it).
pub fn read_group<D: Dimension, M>(
    row: &QueryResult,
    dimensions: &[D],
    measures: impl Fn(&QueryResult) -> Result<M, DbErr>,
) -> Result<Group<D, M>, DbErr> {
    let mut keys = Vec::with_capacity(dimensions.len());
    for (index, dimension) in dimensions.iter().enumerate() {
        let alias = key_alias(index);
        let key = match dimension.group_key().key {
            KeyType::Id => row.try_get::<Option<i32>>("", &alias)?.map(Key::Id),
            KeyType::Text => row.try_get::<Option<String>>("", &alias)?.map(Key::Text),
        };
        keys.extend(key.map(|key| (*dimension, key)));
    }
    let sources = row
        .try_get::<Option<String>>("", SOURCES)?
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    Ok(Group { keys, measures: measures(row)?, sources })
}

/// The distinct values of an integer column in a group, as text separated by commas.
fn list_of_ids(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("STRING_AGG(DISTINCT CAST({sql} AS TEXT), ',')"),
        _ => format!("GROUP_CONCAT(DISTINCT {sql})"),
    }
}
