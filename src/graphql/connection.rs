//! Relay connections: arguments, cursors and the connection types built from pages.

use async_graphql::{
    Context, Object, OutputType,
    connection::{Connection, CursorType, Edge, EmptyFields},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
    repo::page::{Page, Window},
};

/// A cursor: the position of a row in its ordered list, encoded opaquely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position(pub u64);

impl CursorType for Position {
    type Error = String;

    fn decode_cursor(cursor: &str) -> Result<Self, String> {
        let invalid = || format!("`{}` is not a valid cursor", crate::error::excerpt(cursor, 40));
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let position = text.strip_prefix("position:").ok_or_else(invalid)?;
        position.parse().map(Position).map_err(|_| invalid())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("position:{}", self.0))
    }
}

/// Fields every connection has beside its edges.
pub struct ConnectionTotals {
    /// How many items the whole list holds, when the query asked (and so it was counted).
    total: Option<u64>,
}

#[Object]
impl ConnectionTotals {
    /// How many items the whole list holds, across all pages.
    async fn total_count(&self) -> ApiResult<u64> {
        self.total.ok_or_else(|| ApiError::internal(&"the list was not counted"))
    }
}

/// Whether the query selected the connection's `totalCount`: lists are counted only then.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// A Relay connection of `Node`s.
pub type NodeConnection<Node> = Connection<Position, Node, ConnectionTotals, EmptyFields>;

/// Turns Relay arguments into a window of positions, enforcing the page-size limits.
pub fn window(
    config: &ApiConfig,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> ApiResult<Window> {
    let size = |name: &str, value: Option<i32>| -> ApiResult<Option<u64>> {
        let Some(value) = value else { return Ok(None) };
        let value = u64::try_from(value).map_err(|_| ApiError::bad_input(format!("`{name}` must not be negative")))?;
        if value > config.max_page_size {
            return Err(ApiError::bad_input(format!(
                "`{name}: {value}` is more than the maximum page size of {}",
                config.max_page_size
            )));
        }
        Ok(Some(value))
    };
    let mut first = size("first", first)?;
    let last = size("last", last)?;
    if first.is_none() && last.is_none() {
        first = Some(config.default_page_size);
    }
    let cursor = |value: Option<String>| {
        value.map(|cursor| Position::decode_cursor(&cursor).map(|p| p.0).map_err(ApiError::bad_input)).transpose()
    };
    Ok(Window { after: cursor(after)?.unwrap_or(0), before: cursor(before)?, first, last })
}

/// Builds the connection of one page, turning each row into its GraphQL node.
pub fn connection<M, Node: OutputType>(page: Page<M>, node: impl Fn(M) -> Node) -> NodeConnection<Node> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous(), page.has_next, ConnectionTotals { total: page.total });
    connection.edges.extend(page.rows.into_iter().map(|row| Edge::new(Position(row.position), node(row.model))));
    connection
}
