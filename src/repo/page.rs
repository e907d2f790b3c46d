//! Windowed pagination: one statement fetches one page of rows for many parents at once.
//!
//! Rows are numbered per parent with `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY …)`,
//! so a page is a range of row numbers, the same for every parent. A cursor is a row number:
//! the order always ends with the primary key, and the data only changes when an import
//! commits, so cursors are stable between imports.

use std::collections::HashMap;

use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Order,
    sea_query::{
        Alias, Asterisk, Condition, Expr, ExprTrait, NullOrdering, OverStatement, Query, SelectStatement,
        WindowStatement,
    },
};

const PARENT: &str = "_parent";
const POSITION: &str = "_position";
const TOTAL: &str = "_total";

/// Which rows of a table belong to which parent.
#[derive(Clone, Debug)]
pub enum Scope {
    /// Every row, as one list (a root connection).
    All,
    /// Rows whose own column holds the parent's id (`flow.provider_id`).
    Column(&'static str),
    /// Rows linked to the parent through a link table (`agreement_party`).
    Link {
        /// The link table.
        table: &'static str,
        /// Its column that holds the listed row's id.
        child: &'static str,
        /// Its column that holds the parent's id.
        parent: &'static str,
    },
}

/// What to list: a table's rows that match a condition, in an order, per parent.
#[derive(Clone, Debug)]
pub struct Listing {
    /// Rows must match this.
    pub condition: Condition,
    /// Sort keys; the primary key is appended as the last, unique one.
    pub order: Vec<(Expr, Order)>,
    /// How rows belong to parents.
    pub scope: Scope,
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

/// The parent key used for [`Scope::All`].
pub const ROOT: i32 = 0;

/// Fetches the window of each parent's list (or of the one root list when `parents` is
/// `None`): one statement, plus one count for parents whose window came back empty.
pub async fn fetch_pages<E>(
    db: &impl ConnectionTrait,
    listing: &Listing,
    parents: Option<&[i32]>,
    window: Window,
) -> Result<HashMap<i32, Page<E::Model>>, DbErr>
where
    E: EntityTrait,
{
    let table = E::default();
    let rows = db.query_all(&page_statement(table, listing, parents, window)).await?;
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

    let missing: Vec<i32> = match parents {
        Some(parents) => parents.iter().copied().filter(|parent| !pages.contains_key(parent)).collect(),
        None if pages.is_empty() => vec![ROOT],
        None => Vec::new(),
    };
    if !missing.is_empty() {
        let parents = parents.map(|_| missing.as_slice());
        for row in db.query_all(&count_statement(table, listing, parents)).await? {
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
fn scoped_select<E: EntityTrait>(table: E, listing: &Listing, parents: Option<&[i32]>) -> (SelectStatement, Expr) {
    let mut select = Query::select();
    select.from(table);
    let parent = match &listing.scope {
        Scope::All => Expr::val(ROOT),
        Scope::Column(column) => Expr::col((table, Alias::new(*column))),
        Scope::Link { table: link, child, parent } => {
            select.inner_join(
                Alias::new(*link),
                Expr::col((Alias::new(*link), Alias::new(*child))).equals((table, Alias::new("id"))),
            );
            Expr::col((Alias::new(*link), Alias::new(*parent)))
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

fn page_statement<E: EntityTrait>(
    table: E,
    listing: &Listing,
    parents: Option<&[i32]>,
    window: Window,
) -> SelectStatement {
    let (mut inner, parent) = scoped_select(table, listing, parents);
    let mut numbering = partition(&parent, &listing.scope);
    for (expr, order) in &listing.order {
        numbering.order_by_expr_with_nulls(expr.clone(), order.clone(), NullOrdering::Last);
    }
    numbering.order_by_expr(Expr::col((table, Alias::new("id"))), Order::Asc);
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

fn count_statement<E: EntityTrait>(table: E, listing: &Listing, parents: Option<&[i32]>) -> SelectStatement {
    let (mut select, parent) = scoped_select(table, listing, parents);
    select.expr_as(parent.clone(), Alias::new(PARENT)).expr_as(Expr::cust("COUNT(*)"), Alias::new(TOTAL));
    if !matches!(listing.scope, Scope::All) {
        select.add_group_by([parent]);
    }
    select
}
