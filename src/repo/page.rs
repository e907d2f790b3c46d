//! Pagination, planned so that a page costs the rows it returns, not the table.
//!
//! A root list pages with `LIMIT`/`OFFSET` ([`fetch_root`]), which the database serves from
//! an index. The nested lists of many parents come in one statement that limits each
//! parent's list on its own ([`fetch_pages`]): a `LATERAL` subquery per parent on
//! PostgreSQL, a correlated subquery per parent on SQLite. Each reads one row more than
//! the page, which says whether a next page exists; a list is counted only when the query
//! asks for its `totalCount`, by a statement run beside the page.
//!
//! A cursor is a row's 1-based position in its ordered list: the order always ends with the
//! primary key, and the data only changes when an import commits, so cursors are stable
//! between imports.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, Iterable, Order, QueryResult, Statement, Value, Values,
    sea_query::{
        Alias, Asterisk, Condition, DynIden, Expr, ExprTrait, IntoIden, JoinType, NullOrdering, OverStatement, Query,
        SelectStatement, WindowStatement,
    },
};

use super::{lookup::WithId, positional, reference::Snapshot};

const PARENT: &str = "_parent";
const POSITION: &str = "_position";
const TOTAL: &str = "_total";

/// Which rows of a table belong to which parent. Built from entity columns
/// ([`Scope::column`], [`Scope::link`]), so that renaming a column fails to compile.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every row, as one list (a root connection).
    All,
    /// Rows whose own column holds the parent's id (`flow.provider_id`).
    Column(DynIden),
    /// Rows linked to the parent through a link table (`agreement_party`).
    Link {
        /// The link table.
        table: DynIden,
        /// Its column that holds the listed row's id.
        child: DynIden,
        /// Its column that holds the parent's id.
        parent: DynIden,
    },
}

impl Scope {
    /// Rows whose own `column` holds the parent's id.
    pub fn column<C: ColumnTrait>(column: C) -> Self {
        Self::Column(column.into_iden())
    }

    /// Rows linked to the parent through the link table of these columns: `child` holds
    /// the listed row's id, `parent` the parent's.
    pub fn link<C: ColumnTrait>(child: C, parent: C) -> Self {
        Self::Link { table: C::EntityName::default().into_iden(), child: child.into_iden(), parent: parent.into_iden() }
    }
}

/// What to list: a table's rows that match a condition, in an order, per parent.
///
/// Listings compare by value, so the same listing asked for by many parents is fetched
/// once ([`crate::graphql`]'s batch loaders group their keys by it).
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    /// Rows must match this.
    pub condition: Condition,
    /// Sort keys; the primary key is appended as the last, unique one.
    pub order: Vec<(Expr, Order)>,
    /// How rows belong to parents.
    pub scope: Scope,
    /// Columns not read: the listed rows hold NULL in them, as the query selected no field
    /// that needs them (a flow's description, a long text).
    pub unread: Vec<DynIden>,
}

impl Eq for Listing {}

/// Which positions (1-based row numbers) of each parent's list to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// Only positions after this one.
    pub after: u64,
    /// Only positions before this one.
    pub before: Option<u64>,
    /// At most this many from the start of the range.
    pub first: Option<u64>,
    /// At most this many from the end of the range.
    pub last: Option<u64>,
}

/// A listed row with its position in its parent's list.
#[derive(Clone, Debug)]
pub struct Row<M> {
    /// 1-based position in the full, ordered list.
    pub position: u64,
    /// The row.
    pub model: M,
}

/// One parent's page.
#[derive(Clone, Debug)]
pub struct Page<M> {
    /// The rows of the page, in order.
    pub rows: Vec<Row<M>>,
    /// How many rows the full list has, when it was counted.
    pub total: Option<u64>,
    /// Whether rows exist after the page.
    pub has_next: bool,
}

impl<M> Page<M> {
    /// A page with no rows, of a list of `total` rows when counted.
    pub fn empty(total: Option<u64>) -> Self {
        Self { rows: Vec::new(), total, has_next: false }
    }

    /// Whether rows exist before the page.
    pub fn has_previous(&self) -> bool {
        self.rows.first().is_some_and(|row| row.position > 1)
    }
}

/// The parent key of [`Scope::All`].
const ROOT: i32 = 0;

impl Window {
    /// The 0-based, end-exclusive range of rows this window selects from a list of `total`.
    fn range(self, total: u64) -> (u64, u64) {
        let mut start = Ord::min(self.after, total);
        let mut end = self.before.map_or(total, |before| Ord::min(before.saturating_sub(1), total));
        if let Some(first) = self.first {
            end = Ord::min(end, start.saturating_add(first));
        }
        if let Some(last) = self.last {
            start = Ord::max(start, end.saturating_sub(last));
        }
        (start, Ord::max(end, start))
    }

    /// The 0-based start and the length of the range, when they do not depend on the
    /// list's length: always, but for `last` counted from the end of the list.
    fn span(self) -> Option<(u64, u64)> {
        let before = self.before.map(|before| before.saturating_sub(1));
        let end = match (self.first, before) {
            (Some(first), Some(before)) => Ord::min(self.after.saturating_add(first), before),
            (Some(first), None) => self.after.saturating_add(first),
            (None, Some(before)) => before,
            (None, None) => return None,
        };
        let start = match self.last {
            Some(last) => Ord::max(self.after, end.saturating_sub(last)),
            None => self.after,
        };
        Some((start, end.saturating_sub(start)))
    }
}

/// Fetches one page of a root list with `LIMIT` and `OFFSET`, which the database serves
/// from an index without numbering the whole table. One row more than the page tells
/// whether a next page exists; the list is counted only when `count` asks, beside the page.
pub async fn fetch_root<E>(
    db: &impl ConnectionTrait,
    snapshot: Option<&Snapshot>,
    listing: &Listing,
    window: Window,
    count: bool,
) -> Result<Page<E::Model>, DbErr>
where
    E: WithId,
{
    root_page::<E, _, _>(db, snapshot, listing, window, count, |start, length| {
        root_rows::<E>(db, listing, start, length)
    })
    .await
}

/// Like [`fetch_root`], but only the ids of the page's rows: for the tables whose rows the
/// request already holds in memory (a [`Snapshot`]'s countries), which need not be read and
/// decoded again.
pub async fn fetch_root_ids<E>(
    db: &impl ConnectionTrait,
    snapshot: Option<&Snapshot>,
    listing: &Listing,
    window: Window,
    count: bool,
) -> Result<Page<i32>, DbErr>
where
    E: WithId,
{
    root_page::<E, _, _>(db, snapshot, listing, window, count, |start, length| {
        root_ids::<E>(db, listing, start, length)
    })
    .await
}

/// A root page whose rows `rows` reads, given the 0-based start and the length of a range.
async fn root_page<E, T, Rows>(
    db: &impl ConnectionTrait,
    snapshot: Option<&Snapshot>,
    listing: &Listing,
    window: Window,
    count: bool,
    rows: impl Fn(u64, u64) -> Rows,
) -> Result<Page<T>, DbErr>
where
    E: WithId,
    Rows: Future<Output = Result<Vec<Row<T>>, DbErr>>,
{
    let table = E::default();
    let total = async { if count { total_of(db, snapshot, table, listing).await.map(Some) } else { Ok(None) } };
    let Some((start, length)) = window.span() else {
        // `last` from the end: the count places the range.
        let total = total_of(db, snapshot, table, listing).await?;
        let (start, end) = window.range(total);
        let rows = rows(start, end - start).await?;
        return Ok(Page { has_next: !rows.is_empty() && end < total, rows, total: Some(total) });
    };
    let (mut rows, total) = futures::try_join!(rows(start, length.saturating_add(1)), total)?;
    let has_next = length_of(&rows) > length && length > 0;
    rows.truncate(usize::try_from(length).unwrap_or(usize::MAX));
    Ok(Page { rows, total, has_next })
}

/// How many rows a root list holds: as the `snapshot` of the data version remembers it, or
/// counted now (and remembered).
async fn total_of<E: WithId>(
    db: &impl ConnectionTrait,
    snapshot: Option<&Snapshot>,
    table: E,
    listing: &Listing,
) -> Result<u64, DbErr> {
    let statement = db.get_database_backend().build(&count_statement(table, listing, None));
    let key = format!("{}\n{:?}", statement.sql, statement.values);
    if let Some(total) = snapshot.and_then(|snapshot| snapshot.counted(&key)) {
        return Ok(total);
    }
    let total = match db.query_one_raw(statement).await? {
        Some(row) => to_u64(row.try_get::<i64>("", TOTAL)?),
        None => 0,
    };
    if let Some(snapshot) = snapshot {
        snapshot.remember_count(key, total);
    }
    Ok(total)
}

/// The ids of `length` rows of a root list from the 0-based `start`.
async fn root_ids<E: WithId>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    start: u64,
    length: u64,
) -> Result<Vec<Row<i32>>, DbErr> {
    let table = E::default();
    let select = root_statement(db.get_database_backend(), table, listing, start, length, |select| {
        select.column((table, E::id()));
    });
    numbered(&db.query_all_raw(select).await?, start, |row| row.try_get_by_index(0))
}

/// `length` rows of a root list from the 0-based `start`.
async fn root_rows<E: WithId>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    start: u64,
    length: u64,
) -> Result<Vec<Row<E::Model>>, DbErr> {
    let table = E::default();
    let select = root_statement(db.get_database_backend(), table, listing, start, length, |select| {
        read_columns(select, table, listing);
    });
    numbered(&db.query_all_raw(select).await?, start, |row| positional::model(row, 0))
}

/// The statement of `length` rows of a root list from the 0-based `start`, selecting what
/// `select_list` adds, with its `LIMIT` written into the text on PostgreSQL.
fn root_statement<E: WithId>(
    backend: DbBackend,
    table: E,
    listing: &Listing,
    start: u64,
    length: u64,
    select_list: impl FnOnce(&mut SelectStatement),
) -> Statement {
    let mut select = Query::select();
    select_list(&mut select);
    select.from(table).cond_where(listing.condition.clone());
    order(&mut select, table, listing);
    select.limit(bounded(length)).offset(bounded(start));
    with_written_limit(backend.build(&select), length, start)
}

/// The rows of a page that starts after the 0-based `start`, each read by `read` and
/// numbered from `start + 1`.
fn numbered<T>(
    rows: &[QueryResult],
    start: u64,
    read: impl Fn(&QueryResult) -> Result<T, DbErr>,
) -> Result<Vec<Row<T>>, DbErr> {
    rows.iter()
        .zip(1..)
        .map(|(row, offset)| Ok(Row { position: start.saturating_add(offset), model: read(row)? }))
        .collect()
}

/// Fetches the window of each parent's list in one statement that reads, per parent, the
/// rows of its page and one more: PostgreSQL joins each parent to a `LATERAL (… LIMIT n)`
/// subquery, SQLite to the ids a correlated `LIMIT n` subquery picks. When `count` asks,
/// a second statement counts each parent's list, beside the first.
///
/// A window of `last` rows from the end of the list numbers every row of every parent
/// instead (`ROW_NUMBER()` and `COUNT(*)` over a window): its range depends on each
/// parent's total.
pub async fn fetch_pages<E>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    parents: &[i32],
    window: Window,
    count: bool,
) -> Result<HashMap<i32, Page<E::Model>>, DbErr>
where
    E: WithId,
{
    let table = E::default();
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let Some((start, length)) = window.span() else {
        return numbered_pages::<E>(db, listing, parents, window).await;
    };
    let backend = db.get_database_backend();
    let page = limited_statement(backend, table, listing, parents, start, length.saturating_add(1));
    let page = with_written_limit(backend.build(&page), length.saturating_add(1), start);
    let totals = async {
        if !count {
            return Ok(None);
        }
        let mut totals = HashMap::new();
        for row in db.query_all(&count_statement(table, listing, Some(parents))).await? {
            totals.insert(row.try_get::<i32>("", PARENT)?, to_u64(row.try_get::<i64>("", TOTAL)?));
        }
        Ok(Some(totals))
    };
    let (rows, totals) = futures::try_join!(db.query_all_raw(page), totals)?;
    let total = |parent: i32| totals.as_ref().map(|totals| totals.get(&parent).copied().unwrap_or(0));
    let mut pages: HashMap<i32, Page<E::Model>> =
        parents.iter().map(|&parent| (parent, Page::empty(total(parent)))).collect();
    for row in rows {
        let parent: i32 = row.try_get("", PARENT)?;
        let Some(page) = pages.get_mut(&parent) else { continue };
        if length_of(&page.rows) == length {
            page.has_next = length > 0;
            continue;
        }
        let position = start.saturating_add(length_of(&page.rows)).saturating_add(1);
        // The parent is column 0, the row's own columns follow.
        page.rows.push(Row { position, model: positional::model(&row, 1)? });
    }
    Ok(pages)
}

/// Every parent's window from rows numbered over each parent's whole list: one statement,
/// plus one count for parents whose window came back empty.
async fn numbered_pages<E: WithId>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    parents: &[i32],
    window: Window,
) -> Result<HashMap<i32, Page<E::Model>>, DbErr> {
    let table = E::default();
    let rows = db.query_all(&numbered_statement(table, listing, parents, window)).await?;
    let mut pages: HashMap<i32, Page<E::Model>> = HashMap::new();
    for row in rows {
        let parent: i32 = row.try_get("", PARENT)?;
        let position = to_u64(row.try_get::<i64>("", POSITION)?);
        let total = to_u64(row.try_get::<i64>("", TOTAL)?);
        let model = positional::model(&row, 0)?;
        let page = pages.entry(parent).or_insert_with(|| Page::empty(Some(total)));
        page.has_next = position < total;
        page.rows.push(Row { position, model });
    }
    let missing: Vec<i32> = parents.iter().copied().filter(|parent| !pages.contains_key(parent)).collect();
    if !missing.is_empty() {
        for row in db.query_all(&count_statement(table, listing, Some(&missing))).await? {
            let parent: i32 = row.try_get("", PARENT)?;
            pages.insert(parent, Page::empty(Some(to_u64(row.try_get::<i64>("", TOTAL)?))));
        }
        for parent in missing {
            pages.entry(parent).or_insert_with(|| Page::empty(Some(0)));
        }
    }
    Ok(pages)
}

fn length_of<T>(rows: &[T]) -> u64 {
    u64::try_from(rows.len()).unwrap_or(u64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

/// Selects the table's columns in the entity's order ([`positional`] reads them there), but
/// those the listing leaves unread as `NULL`. The order reads the table's own columns, not
/// these.
fn read_columns<E: WithId>(select: &mut SelectStatement, table: E, listing: &Listing) {
    for column in E::Column::iter() {
        let column = column.into_iden();
        if listing.unread.contains(&column) {
            select.expr_as(Expr::cust("NULL"), column);
        } else {
            select.column((table, column));
        }
    }
}

/// Orders by the listing's keys, then by the primary key.
fn order<E: WithId>(select: &mut SelectStatement, table: E, listing: &Listing) {
    for (expr, order) in &listing.order {
        select.order_by_expr_with_nulls(expr.clone(), order.clone(), NullOrdering::Last);
    }
    select.order_by((table, E::id()), Order::Asc);
}

/// `SELECT … FROM table [JOIN link] WHERE condition [AND parent IN parents]`, with the
/// expression that gives a row's parent.
fn scoped_select<E: WithId>(table: E, listing: &Listing, parents: Option<&[i32]>) -> (SelectStatement, Expr) {
    let mut select = Query::select();
    select.from(table);
    let parent = match &listing.scope {
        Scope::All => Expr::val(ROOT),
        Scope::Column(column) => Expr::col((table, column.clone())),
        Scope::Link { table: link, child, parent } => {
            select.inner_join(link.clone(), Expr::col((link.clone(), child.clone())).equals((table, E::id())));
            Expr::col((link.clone(), parent.clone()))
        }
    };
    select.cond_where(listing.condition.clone());
    if let Some(parents) = parents {
        select.and_where(parent.clone().is_in(parents.iter().copied()));
    }
    (select, parent)
}

/// The parents, as a `VALUES` list whose one column is `column1` on both databases.
const PARENTS: &str = "_parents";
const PARENT_VALUE: &str = "column1";

/// Up to `length` rows from the 0-based `start` of each parent's list, in one statement
/// whose work per parent is the rows it returns (given an index on the parent column and
/// the order, as `idx_flow_provider (provider_id, id)`).
fn limited_statement<E: WithId>(
    backend: DbBackend,
    table: E,
    listing: &Listing,
    parents: &[i32],
    start: u64,
    length: u64,
) -> SelectStatement {
    let parent_value = || Expr::col((Alias::new(PARENTS), Alias::new(PARENT_VALUE)));
    let (mut inner, parent) = scoped_select(table, listing, None);
    inner.and_where(parent.eq(parent_value()));
    order(&mut inner, table, listing);
    inner.limit(bounded(length)).offset(bounded(start));

    let mut outer = Query::select();
    outer.expr_as(parent_value(), Alias::new(PARENT));
    // The outer list leaves columns unread: the subquery's keep the order's columns.
    read_columns(&mut outer, table, listing);
    outer.from_values(parents.iter().copied(), Alias::new(PARENTS));
    if backend == DbBackend::Postgres {
        inner.column((table, Asterisk));
        outer.join_lateral(JoinType::InnerJoin, inner, table, Expr::cust("TRUE"));
    } else {
        inner.column((table, E::id()));
        outer.inner_join(table, Expr::col((table, E::id())).in_subquery(inner));
    }
    outer.order_by(Alias::new(PARENT), Order::Asc);
    order(&mut outer, table, listing);
    outer
}

/// `statement` with its `LIMIT` and `OFFSET` written into its text on PostgreSQL, where
/// sea-query binds them as its last two values: at the end of a root page's statement, at
/// the end of the lateral subquery of a nested page's.
///
/// PostgreSQL plans a prepared statement whose `LIMIT` is a parameter afresh at every
/// execution: its generic plan assumes a tenth of the rows and never costs less than the
/// custom plans. With the numbers in the text it keeps one generic plan per page size and
/// start (q3's page of 50 parents: planning was 0.27 ms of 0.47; q1's root page of 50
/// flows: 0.15 ms of 0.20). The numbers are the window's, never a client's text. A
/// statement whose last values are not these two is left as it is.
fn with_written_limit(mut statement: Statement, limit: u64, offset: u64) -> Statement {
    let Some(Values(values)) = &mut statement.values else { return statement };
    let count = values.len();
    let bound = |value: u64| Value::BigUnsigned(Some(bounded(value)));
    let last_two = count >= 2 && values[count - 2] == bound(limit) && values[count - 1] == bound(offset);
    if statement.db_backend != DbBackend::Postgres || !last_two {
        return statement;
    }
    let placeholders = format!(" LIMIT ${} OFFSET ${count}", count - 1);
    let Some(at) = statement.sql.rfind(&placeholders) else { return statement };
    let end = at + placeholders.len();
    if !matches!(statement.sql[end..].chars().next(), None | Some(')')) {
        return statement;
    }
    let written = format!(" LIMIT {} OFFSET {}", bounded(limit), bounded(offset));
    statement.sql.replace_range(at..end, &written);
    values.truncate(count - 2);
    statement
}

/// `OVER (ORDER BY keys, id)`.
fn ordered_window<E: WithId>(table: E, listing: &Listing) -> WindowStatement {
    let mut window = WindowStatement::new();
    for (expr, order) in &listing.order {
        window.order_by_expr_with_nulls(expr.clone(), order.clone(), NullOrdering::Last);
    }
    window.order_by_expr(Expr::col((table, E::id())), Order::Asc);
    window
}

fn numbered_statement<E: WithId>(table: E, listing: &Listing, parents: &[i32], window: Window) -> SelectStatement {
    let (mut inner, parent) = scoped_select(table, listing, Some(parents));
    let mut numbering = ordered_window(table, listing);
    numbering.add_partition_by(parent.clone());
    let mut partition = WindowStatement::new();
    partition.add_partition_by(parent.clone());
    read_columns(&mut inner, table, listing);
    inner
        .expr_as(parent, Alias::new(PARENT))
        .expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, Alias::new(POSITION))
        .expr_window_as(Expr::cust("COUNT(*)"), partition, Alias::new(TOTAL));

    let position = || Expr::col(Alias::new(POSITION));
    let mut lower = window.after;
    let mut upper = window.before;
    if let Some(first) = window.first {
        let end = lower.saturating_add(first).saturating_add(1);
        upper = Some(upper.map_or(end, |before| Ord::min(before, end)));
    }
    let mut outer = Query::select();
    outer.column(Asterisk).from_subquery(inner, Alias::new("_page"));
    if let Some(last) = window.last {
        match upper {
            Some(upper) => lower = Ord::max(lower, upper.saturating_sub(last).saturating_sub(1)),
            None => {
                outer.and_where(position().gt(Expr::col(Alias::new(TOTAL)).sub(clamp(last))));
            }
        }
    }
    outer.and_where(position().gt(clamp(lower)));
    if let Some(upper) = upper {
        outer.and_where(position().lt(clamp(upper)));
    }
    outer.order_by(Alias::new(PARENT), Order::Asc).order_by(Alias::new(POSITION), Order::Asc);
    outer
}

/// A `LIMIT` or `OFFSET` the databases take: SQL integers are signed 64-bit.
fn bounded(value: u64) -> u64 {
    Ord::min(value, i64::MAX.unsigned_abs())
}

/// Window bounds as SQL integers (positions never exceed `i64::MAX`).
fn clamp(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn count_statement<E: WithId>(table: E, listing: &Listing, parents: Option<&[i32]>) -> SelectStatement {
    let (mut select, parent) = scoped_select(table, listing, parents);
    select.expr_as(parent.clone(), Alias::new(PARENT)).expr_as(Expr::cust("COUNT(*)"), Alias::new(TOTAL));
    if !matches!(listing.scope, Scope::All) {
        select.add_group_by([parent]);
    }
    select
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(after: u64, before: Option<u64>, first: Option<u64>, last: Option<u64>) -> Window {
        Window { after, before, first, last }
    }

    fn flows_by_provider() -> Listing {
        Listing {
            condition: Condition::all().add(entity::flow::Column::Year.gte(2005)),
            order: vec![(Expr::col((entity::flow::Entity, entity::flow::Column::Year)), Order::Desc)],
            scope: Scope::column(entity::flow::Column::ProviderId),
            unread: Vec::new(),
        }
    }

    #[test]
    fn each_parent_is_limited_on_its_own() {
        let listing = flows_by_provider();
        let postgres = limited_statement(DbBackend::Postgres, entity::flow::Entity, &listing, &[7, 9], 10, 6)
            .to_string(sea_orm::sea_query::PostgresQueryBuilder);
        eprintln!("{postgres}");
        assert!(postgres.contains("FROM (VALUES (7), (9)) AS \"_parents\" INNER JOIN LATERAL (SELECT"), "{postgres}");
        assert!(postgres.contains("\"flow\".\"provider_id\" = \"_parents\".\"column1\""), "{postgres}");
        assert!(postgres.contains("LIMIT 6 OFFSET 10) AS \"flow\" ON TRUE"), "{postgres}");
        let sqlite = limited_statement(DbBackend::Sqlite, entity::flow::Entity, &listing, &[7, 9], 10, 6)
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        eprintln!("{sqlite}");
        assert!(sqlite.contains("INNER JOIN \"flow\" ON \"flow\".\"id\" IN (SELECT \"flow\".\"id\" FROM"), "{sqlite}");
        assert!(sqlite.contains("LIMIT 6 OFFSET 10)"), "{sqlite}");
    }

    #[test]
    fn postgres_pages_write_their_limit_into_the_text() {
        let listing = flows_by_provider();
        let page = |backend: DbBackend| {
            let select = limited_statement(backend, entity::flow::Entity, &listing, &[7, 9], 10, 6);
            with_written_limit(backend.build(&select), 6, 10)
        };
        let postgres = page(DbBackend::Postgres);
        assert!(postgres.sql.contains(" LIMIT 6 OFFSET 10) AS \"flow\" ON TRUE"), "{}", postgres.sql);
        assert!(!postgres.sql.contains("LIMIT $"), "{}", postgres.sql);
        // The two parents, then the year of the filter.
        let values = postgres.values.expect("bound values").0;
        assert_eq!(values, [Value::Int(Some(7)), Value::Int(Some(9)), Value::Int(Some(2005))], "{}", postgres.sql);

        let sqlite = page(DbBackend::Sqlite);
        assert!(sqlite.sql.contains("LIMIT ? OFFSET ?)"), "{}", sqlite.sql);

        // Not the values it expects last: left as it is.
        let select = limited_statement(DbBackend::Postgres, entity::flow::Entity, &listing, &[7, 9], 10, 6);
        let other = with_written_limit(DbBackend::Postgres.build(&select), 5, 10);
        assert!(other.sql.contains("LIMIT $4 OFFSET $5)"), "{}", other.sql);
        assert_eq!(other.values.expect("bound values").0.len(), 5);
    }

    #[test]
    fn postgres_root_pages_write_their_limit_at_the_end() {
        let listing = flows_by_provider();
        let page = |backend| root_statement(backend, entity::flow::Entity, &listing, 10, 6, |_| {});
        let postgres = page(DbBackend::Postgres);
        assert!(postgres.sql.ends_with(" LIMIT 6 OFFSET 10"), "{}", postgres.sql);
        // The year of the filter.
        assert_eq!(postgres.values.expect("bound values").0, [Value::Int(Some(2005))]);
        assert!(page(DbBackend::Sqlite).sql.ends_with(" LIMIT ? OFFSET ?"));
    }

    #[test]
    fn windows_select_the_relay_ranges() {
        assert_eq!(window(0, None, Some(3), None).range(10), (0, 3));
        assert_eq!(window(3, None, Some(3), None).range(10), (3, 6));
        assert_eq!(window(0, None, None, Some(2)).range(10), (8, 10));
        assert_eq!(window(0, Some(9), None, Some(2)).range(10), (6, 8));
        assert_eq!(window(7, Some(10), Some(10), None).range(10), (7, 9));
        assert_eq!(window(20, None, Some(5), None).range(10), (10, 10));
    }

    #[test]
    fn windows_need_no_count_unless_counted_from_the_end() {
        assert_eq!(window(0, None, Some(3), None).span(), Some((0, 3)));
        assert_eq!(window(3, None, Some(3), None).span(), Some((3, 3)));
        assert_eq!(window(0, Some(9), None, Some(2)).span(), Some((6, 2)));
        assert_eq!(window(7, Some(10), Some(10), None).span(), Some((7, 2)));
        assert_eq!(window(0, Some(3), Some(5), Some(1)).span(), Some((1, 1)));
        assert_eq!(window(5, Some(3), Some(5), None).span(), Some((5, 0)));
        assert_eq!(window(0, None, None, Some(2)).span(), None);
    }
}
