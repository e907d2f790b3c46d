//! Inputs shared by the typed filters and orderings, and the helpers that turn them into
//! SQL conditions.

use async_graphql::{Enum, InputObject};
use sea_orm::{
    ColumnTrait, EntityTrait, Order,
    sea_query::{Condition, Expr, ExprTrait, Func, Query, SelectStatement},
};

use crate::repo::lookup::WithId;

/// An inclusive range of integers; either end may be left open.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct IntRange {
    /// At least this.
    pub gte: Option<i32>,
    /// At most this.
    pub lte: Option<i32>,
}

/// An inclusive range of numbers; either end may be left open.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct FloatRange {
    /// At least this.
    pub gte: Option<f64>,
    /// At most this.
    pub lte: Option<f64>,
}

/// Sort direction.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first; missing values last.
    #[default]
    Asc,
    /// Largest first; missing values last.
    Desc,
}

impl From<OrderDirection> for Order {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => Order::Asc,
            OrderDirection::Desc => Order::Desc,
        }
    }
}

/// A filter input that becomes a SQL condition on its table.
pub trait ToCondition {
    /// The condition rows must meet.
    fn condition(&self) -> Condition;
}

/// Adds the logical operators to a filter's own condition: all of `and`, any of `or`,
/// none of `not`. `not: X` is `(X) IS NOT TRUE`, not SQL's `NOT (X)`: a row where `X` is
/// unknown (a comparison with a null) matches `not: X`, so that `X` and `not: X` partition
/// the rows.
pub fn logical<F: ToCondition>(
    own: Condition,
    and: &Option<Vec<F>>,
    or: &Option<Vec<F>>,
    not: &Option<Box<F>>,
) -> Condition {
    let mut condition = own;
    if let Some(filters) = and {
        condition = filters.iter().fold(condition, |all, filter| all.add(filter.condition()));
    }
    if let Some(filters) = or {
        condition = condition.add(filters.iter().fold(Condition::any(), |any, filter| any.add(filter.condition())));
    }
    if let Some(filter) = not {
        // `NOT COALESCE(X, FALSE)`: PostgreSQL's `IS NOT TRUE` takes no parentheses, which
        // the query builder adds.
        condition = condition.add(Func::coalesce([Expr::from(filter.condition()), Expr::cust("FALSE")]).not());
    }
    condition
}

/// Adds `column BETWEEN gte AND lte` for the ends given.
pub fn in_range<C: ColumnTrait, V: Into<sea_orm::Value> + Copy>(
    condition: Condition,
    column: C,
    gte: Option<V>,
    lte: Option<V>,
) -> Condition {
    let condition = match gte {
        Some(value) => condition.add(column.gte(value)),
        None => condition,
    };
    match lte {
        Some(value) => condition.add(column.lte(value)),
        None => condition,
    }
}

/// `SELECT id FROM table WHERE condition`, for relational filters.
pub fn ids_where<E: WithId>(condition: Condition) -> SelectStatement {
    Query::select().column((E::default(), E::id())).from(E::default()).cond_where(condition).to_owned()
}

/// `SELECT column FROM table WHERE condition`.
pub fn column_where<E: EntityTrait, C: ColumnTrait>(column: C, condition: Condition) -> SelectStatement {
    Query::select().column(column).from(E::default()).cond_where(condition).to_owned()
}

/// `column IN (SELECT id FROM source WHERE key IN keys)`: rows from any of these sources.
pub fn from_sources<C: ColumnTrait>(column: C, keys: &[String]) -> Condition {
    let sources = column_where::<entity::source::Entity, _>(
        entity::source::Column::Id,
        Condition::all().add(entity::source::Column::Key.is_in(keys.iter().cloned())),
    );
    Condition::all().add(column.in_subquery(sources))
}

/// Sort keys from a list of orderings.
pub fn sort_keys<O: Copy>(orders: Option<Vec<O>>, key: impl Fn(O) -> (Expr, Order)) -> Vec<(Expr, Order)> {
    orders.unwrap_or_default().into_iter().map(key).collect()
}

/// A listing of the rows a filter matches, in an order, per parent.
pub fn listing<F: ToCondition>(
    filter: Option<&F>,
    order: Vec<(Expr, Order)>,
    scope: crate::repo::page::Scope,
) -> crate::repo::page::Listing {
    crate::repo::page::Listing {
        condition: filter.map_or_else(Condition::all, ToCondition::condition),
        order,
        scope,
        unread: Vec::new(),
    }
}

/// What [`CountryCodes::visit_texts`](super::country::CountryCodes::visit_texts) visits: the
/// kind of search document a filter's `text` searches (`seed::search::kind`), the text,
/// and where the filter keeps the subquery of the matching ids once prepared. Boxed: a
/// `SelectStatement` is over 500 bytes, and every filter argument is held inline in the
/// future of each field of its object, whichever field runs (so `Country.name` would move
/// `flowsProvided`'s filter around too).
pub type TextVisitor<'a> = dyn FnMut(&'static str, &str, &mut Option<Box<SelectStatement>>) + 'a;

/// `column IN (matching ids)` when the filter searches `text`; nothing matches a search
/// not prepared yet (a bug: filters are prepared before their SQL is built).
pub fn text_condition<C: ColumnTrait>(
    text: Option<&String>,
    matching: Option<&SelectStatement>,
    column: C,
) -> Option<Condition> {
    text?;
    debug_assert!(matching.is_some(), "text searches are prepared before their SQL is built");
    Some(match matching {
        Some(matching) => Condition::all().add(column.in_subquery(matching.clone())),
        None => Condition::all().add(Expr::cust("1 = 0")),
    })
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::super::{agreement::AgreementFilter, expert::ExpertFilter, flow::FlowFilter};

    /// A field's future holds its object's largest argument inline and async-graphql moves it
    /// into a box for every field it resolves: large filters made every `Country` field move
    /// about 4 KB (22 % of a nested query's instructions).
    #[test]
    fn filters_stay_small() {
        for (filter, size) in [
            ("FlowFilter", size_of::<FlowFilter>()),
            ("AgreementFilter", size_of::<AgreementFilter>()),
            ("ExpertFilter", size_of::<ExpertFilter>()),
        ] {
            assert!(size <= 1_024, "{filter} takes {size} bytes");
        }
    }
}
