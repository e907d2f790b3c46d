//! Pagination. A root list pages with `LIMIT`/`OFFSET` ([`fetch_root`]); the nested lists of
//! many parents are windowed: one statement fetches one page of rows for all of them.
//!
//! Rows are numbered per parent with `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY …)`,
//! so a page is a range of row numbers, the same for every parent. A cursor is a row number:
//! the order always ends with the primary key, and the data only changes when an import
//! commits, so cursors are stable between imports.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, FromQueryResult, Order,
    sea_query::{
        Alias, Asterisk, Condition, DynIden, Expr, ExprTrait, IntoIden, NullOrdering, OverStatement, Query,
        SelectStatement, WindowStatement,
    },
};

use super::lookup::WithId;

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
/// once ([`crate::graphql`]'s batch loaders key on it); they hash by scope and ordering
/// length only, as conditions have no hash of their own.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    /// Rows must match this.
    pub condition: Condition,
    /// Sort keys; the primary key is appended as the last, unique one.
    pub order: Vec<(Expr, Order)>,
    /// How rows belong to parents.
    pub scope: Scope,
}

impl Eq for Listing {}

impl std::hash::Hash for Listing {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.scope.hash(state);
        self.order.len().hash(state);
    }
}

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
    /// How many rows the full list has.
    pub total: u64,
}

impl<M> Page<M> {
    fn empty() -> Self {
        Self { rows: Vec::new(), total: 0 }
    }

    /// Whether rows exist before the page.
    pub fn has_previous(&self) -> bool {
        self.rows.first().is_some_and(|row| row.position > 1)
    }

    /// Whether rows exist after the page.
    pub fn has_next(&self) -> bool {
        self.rows.last().is_some_and(|row| row.position < self.total)
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
}

/// Fetches one page of a root list: a count, then the rows with `LIMIT` and `OFFSET`,
/// which the database serves from an index without numbering the whole table.
pub async fn fetch_root<E>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    window: Window,
) -> Result<Page<E::Model>, DbErr>
where
    E: WithId,
{
    let table = E::default();
    let total = match db.query_one(&count_statement(table, listing, None)).await? {
        Some(row) => to_u64(row.try_get::<i64>("", TOTAL)?),
        None => 0,
    };
    let (start, end) = window.range(total);
    if start >= end {
        return Ok(Page { rows: Vec::new(), total });
    }
    let mut select = Query::select();
    select.column((table, Asterisk)).from(table).cond_where(listing.condition.clone());
    for (expr, order) in &listing.order {
        select.order_by_expr_with_nulls(expr.clone(), order.clone(), NullOrdering::Last);
    }
    select.order_by((table, E::id()), Order::Asc).limit(end - start).offset(start);
    let rows = db.query_all(&select).await?;
    let rows = rows
        .iter()
        .zip(start + 1..)
        .map(|(row, position)| Ok(Row { position, model: E::Model::from_query_result(row, "")? }))
        .collect::<Result<_, DbErr>>()?;
    Ok(Page { rows, total })
}

/// Fetches the window of each parent's list: one statement, plus one count for parents
/// whose window came back empty.
pub async fn fetch_pages<E>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    parents: &[i32],
    window: Window,
) -> Result<HashMap<i32, Page<E::Model>>, DbErr>
where
    E: WithId,
{
    let table = E::default();
    let rows = db.query_all(&page_statement(table, listing, Some(parents), window)).await?;
    let mut pages: HashMap<i32, Page<E::Model>> = HashMap::new();
    for row in rows {
        let parent: i32 = row.try_get("", PARENT)?;
        let position: i64 = row.try_get("", POSITION)?;
        let total: i64 = row.try_get("", TOTAL)?;
        let model = E::Model::from_query_result(&row, "")?;
        let page = pages.entry(parent).or_insert_with(Page::empty);
        page.total = to_u64(total);
        page.rows.push(Row { position: to_u64(position), model });
    }

    let missing: Vec<i32> = parents.iter().copied().filter(|parent| !pages.contains_key(parent)).collect();
    if !missing.is_empty() {
        for row in db.query_all(&count_statement(table, listing, Some(&missing))).await? {
            let parent: i32 = row.try_get("", PARENT)?;
            let total: i64 = row.try_get("", TOTAL)?;
            pages.insert(parent, Page { rows: Vec::new(), total: to_u64(total) });
        }
        for parent in missing {
            pages.entry(parent).or_insert_with(Page::empty);
        }
    }
    Ok(pages)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

/// `SELECT table.*, parent FROM table [JOIN link] WHERE condition AND parent IN parents`.
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

fn partition(parent: &Expr, scope: &Scope) -> WindowStatement {
    match scope {
        Scope::All => WindowStatement::new(),
        _ => {
            let mut window = WindowStatement::new();
            window.add_partition_by(parent.clone());
            window
        }
    }
}

fn page_statement<E: WithId>(table: E, listing: &Listing, parents: Option<&[i32]>, window: Window) -> SelectStatement {
    let (mut inner, parent) = scoped_select(table, listing, parents);
    let mut numbering = partition(&parent, &listing.scope);
    for (expr, order) in &listing.order {
        numbering.order_by_expr_with_nulls(expr.clone(), order.clone(), NullOrdering::Last);
    }
    numbering.order_by_expr(Expr::col((table, E::id())), Order::Asc);
    inner
        .column((table, Asterisk))
        .expr_as(parent.clone(), Alias::new(PARENT))
        .expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, Alias::new(POSITION))
        .expr_window_as(Expr::cust("COUNT(*)"), partition(&parent, &listing.scope), Alias::new(TOTAL));

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

    #[test]
    fn windows_select_the_relay_ranges() {
        assert_eq!(window(0, None, Some(3), None).range(10), (0, 3));
        assert_eq!(window(3, None, Some(3), None).range(10), (3, 6));
        assert_eq!(window(0, None, None, Some(2)).range(10), (8, 10));
        assert_eq!(window(0, Some(9), None, Some(2)).range(10), (6, 8));
        assert_eq!(window(7, Some(10), Some(10), None).range(10), (7, 9));
        assert_eq!(window(20, None, Some(5), None).range(10), (10, 10));
    }
}
