//! Sectors: the `Sector` type (DAC groups, categories and purpose codes), its filter and
//! ordering, and the root fields.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{flow, sector, source};
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr, SelectStatement},
};

use super::{
    connection::{NodeConnection, window},
    filter::{OrderDirection, ToCondition, column_where, ids_where, listing, logical, sort_keys},
    flow::{Flow, FlowFilter, FlowOrder, nested_flows},
    id::NodeKey,
    resolve,
    source::Source,
};
use crate::{
    error::ApiResult,
    repo::{lookup, page::Scope},
};

/// The level of a sector in its vocabulary.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::SectorLevel")]
pub enum SectorLevel {
    /// A DAC sector group (110 Education, 120 Health …).
    Group,
    /// A DAC 3-digit sector category.
    Category,
    /// A DAC 5-digit purpose code.
    Purpose,
}

/// A sector: a DAC group, a 3-digit category or a 5-digit purpose code.
pub struct Sector(pub Arc<sector::Model>);

/// A sector: a DAC group, a 3-digit category or a 5-digit purpose code.
#[Object]
impl Sector {
    /// Opaque, stable global ID.
    pub async fn id(&self) -> ApiResult<async_graphql::ID> {
        Ok(NodeKey::Sector(self.0.vocabulary.clone(), self.0.code.clone()).encode())
    }

    /// The code (`12220`, `122`, `120`).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The vocabulary the code belongs to.
    async fn vocabulary(&self) -> &str {
        &self.0.vocabulary
    }

    /// Group, category or purpose code.
    async fn level(&self) -> SectorLevel {
        self.0.level.into()
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Longer description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Whether the code is still in use.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// The sector one level up.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        Ok(resolve::optional::<sector::Entity>(ctx, self.0.parent_id).await?.map(Sector))
    }

    /// The sectors one level down.
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n sectors.")] first: Option<i32>,
        #[graphql(desc = "Returns the sectors after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n sectors.")] last: Option<i32>,
        #[graphql(desc = "Returns the sectors before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Sector>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing::<SectorFilter>(None, SectorOrder::keys(None), Scope::column(sector::Column::ParentId));
        resolve::nested::<sector::Entity, _>(ctx, self.0.id, listing, window, |m| Sector(Arc::new(m))).await
    }

    /// Flows coded with exactly this sector. For a sector and all codes below it, use
    /// `flows(filter: {sector: {under: [code]}})` at the root.
    #[allow(clippy::too_many_arguments)]
    async fn flows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<Box<FlowFilter>>,
        #[graphql(desc = "Sort order; ties are broken by the flow's ID.")] order_by: Option<Vec<FlowOrder>>,
        #[graphql(desc = "Returns the first n flows.")] first: Option<i32>,
        #[graphql(desc = "Returns the flows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n flows.")] last: Option<i32>,
        #[graphql(desc = "Returns the flows before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Flow>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        nested_flows(ctx, self.0.id, flow::Column::SectorId, filter, order_by, window).await
    }

    /// The dataset the code came from.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// Which sectors to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SectorFilter {
    /// Exactly these codes.
    pub code: Option<Vec<String>>,
    /// These codes and every code below them (a group, its categories and their purpose
    /// codes).
    pub under: Option<Vec<String>>,
    /// Any of these levels.
    pub level: Option<Vec<SectorLevel>>,
    /// All of these filters must match too.
    pub and: Option<Vec<SectorFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<SectorFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<SectorFilter>>,
}

impl ToCondition for SectorFilter {
    fn condition(&self) -> Condition {
        use sector::Column;
        let mut condition = Condition::all();
        if let Some(codes) = &self.code {
            condition = condition.add(Column::Code.is_in(codes.clone()));
        }
        if let Some(codes) = &self.under {
            // Three levels: the sectors named, their children, their grandchildren.
            let named = || ids_where::<sector::Entity>(Condition::all().add(Column::Code.is_in(codes.clone())));
            let children = column_where::<sector::Entity, _>(
                Column::Id,
                Condition::all().add(Column::ParentId.in_subquery(named())),
            );
            condition = condition.add(
                Condition::any()
                    .add(Column::Id.in_subquery(named()))
                    .add(Column::ParentId.in_subquery(named()))
                    .add(Column::ParentId.in_subquery(children)),
            );
        }
        if let Some(levels) = &self.level {
            condition =
                condition.add(Column::Level.is_in(levels.iter().map(|level| entity::SectorLevel::from(*level))));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

/// Ids of the sectors a filter matches, for relational filters.
pub fn sectors_where(filter: &SectorFilter) -> SelectStatement {
    ids_where::<sector::Entity>(filter.condition())
}

/// What sectors can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectorOrderField {
    /// Code.
    Code,
    /// Name.
    Name,
}

/// One sort key for sectors.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct SectorOrder {
    /// What to sort by.
    pub field: SectorOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl SectorOrder {
    /// Sort keys of an ordering; by code when none is given.
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        let orders =
            orders.unwrap_or_else(|| vec![Self { field: SectorOrderField::Code, direction: OrderDirection::Asc }]);
        sort_keys(Some(orders), |order| {
            let column = match order.field {
                SectorOrderField::Code => sector::Column::Code,
                SectorOrderField::Name => sector::Column::Name,
            };
            (Expr::col((sector::Entity, column)), order.direction.into())
        })
    }
}

/// Root fields for sectors.
#[derive(Default)]
pub struct SectorQuery;

#[Object]
impl SectorQuery {
    /// A sector by code (`12220`, `122`, `120`); null when unknown. Codes are unique across
    /// levels.
    async fn sector(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sector code.")] code: String,
    ) -> ApiResult<Option<Sector>> {
        Ok(lookup::sector_by_code(resolve::db(ctx)?, &code).await?.map(|m| Sector(Arc::new(m))))
    }

    /// Sectors of all levels.
    #[allow(clippy::too_many_arguments)]
    async fn sectors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only sectors that match this filter.")] filter: Option<SectorFilter>,
        #[graphql(desc = "Sort order (by code when not given); ties are broken by the sector's ID.")] order_by: Option<
            Vec<SectorOrder>,
        >,
        #[graphql(desc = "Returns the first n sectors.")] first: Option<i32>,
        #[graphql(desc = "Returns the sectors after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n sectors.")] last: Option<i32>,
        #[graphql(desc = "Returns the sectors before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Sector>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing(filter.as_ref(), SectorOrder::keys(order_by), Scope::All);
        resolve::remembered_root::<sector::Entity, _>(ctx, listing, window, Sector).await
    }
}
