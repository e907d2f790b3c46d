//! Blocs: the `Bloc` type, its filter and ordering, and the root fields.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{agreement, agreement_bloc_party, bloc, bloc_member, country, source};
use futures::FutureExt;
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr},
};

use super::{
    agreement::{Agreement, AgreementFilter, AgreementOrder},
    batch::Batcher,
    connection::{NodeConnection, window},
    country::{Country, CountryFilter, CountryOrder},
    filter::{OrderDirection, ToCondition, listing, logical, sort_keys},
    id::NodeKey,
    loaders::SouthBlocs,
    resolve,
    source::Source,
};
use crate::{
    error::ApiResult,
    repo::{lookup, page::Scope},
};

/// The kind of grouping a bloc is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::BlocKind")]
pub enum BlocKind {
    /// A negotiating group at the UN or the Bretton Woods institutions (G-77, G-24).
    NegotiatingGroup,
    /// A political grouping or movement (NAM, BRICS, G-15).
    PoliticalGrouping,
    /// A regional economic community or trade bloc (ECOWAS, MERCOSUR).
    EconomicCommunity,
    /// A regional or intergovernmental organisation (AU, LAS, OIC).
    RegionalOrganization,
    /// Any other grouping.
    Other,
}

/// A group of countries: a negotiating group, an economic community, an organisation.
pub struct Bloc(pub bloc::Model);

/// A group of countries: a negotiating group, an economic community, an organisation.
#[Object]
impl Bloc {
    /// Opaque, stable global ID.
    pub async fn id(&self) -> ApiResult<async_graphql::ID> {
        Ok(NodeKey::Bloc(self.0.code.clone()).encode())
    }

    /// Short code (`G77`, `AU`, `ASEAN` …).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of grouping it is.
    async fn kind(&self) -> BlocKind {
        self.0.kind.into()
    }

    /// Whether the bloc is of the South: it has two or more members, all of the South
    /// (UN M49 developing). A bloc with a developed member, like the European Union, is
    /// not, and an agreement it is party to is not South–South.
    async fn is_south(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let loader = resolve::state::<Batcher<SouthBlocs>>(ctx)?;
        Ok(loader.load_one(self.0.id).await?.unwrap_or(false))
    }

    /// Member countries.
    #[allow(clippy::too_many_arguments)]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only members that match this filter.")] filter: Option<Box<CountryFilter>>,
        #[graphql(desc = "Sort order (by name when not given); ties are broken by the country's ID.")] order_by: Option<
            Vec<CountryOrder>,
        >,
        #[graphql(desc = "Returns the first n members.")] first: Option<i32>,
        #[graphql(desc = "Returns the members after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n members.")] last: Option<i32>,
        #[graphql(desc = "Returns the members before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Country>> {
        async move {
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let scope = Scope::link(bloc_member::Column::CountryId, bloc_member::Column::BlocId);
            let listing = listing(filter.as_deref(), CountryOrder::keys(order_by), scope);
            resolve::nested::<country::Entity, _>(ctx, self.0.id, listing, window, |m| Country(Arc::new(m))).await
        }
        .boxed()
        .await
    }

    /// Agreements the bloc is party to in its own right (not those of its members).
    #[allow(clippy::too_many_arguments)]
    async fn agreements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter.")] filter: Option<Box<AgreementFilter>>,
        #[graphql(desc = "Sort order; ties are broken by the agreement's ID.")] order_by: Option<Vec<AgreementOrder>>,
        #[graphql(desc = "Returns the first n agreements.")] first: Option<i32>,
        #[graphql(desc = "Returns the agreements after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n agreements.")] last: Option<i32>,
        #[graphql(desc = "Returns the agreements before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Agreement>> {
        async move {
            let filter = resolve::with_country_ids(ctx, filter.map(|filter| *filter)).await?;
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let scope = Scope::link(agreement_bloc_party::Column::AgreementId, agreement_bloc_party::Column::BlocId);
            let listing = listing(filter.as_ref(), AgreementOrder::keys(order_by), scope);
            resolve::nested::<agreement::Entity, _>(ctx, self.0.id, listing, window, Agreement).await
        }
        .boxed()
        .await
    }

    /// The dataset the bloc came from.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// Which blocs to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct BlocFilter {
    /// Any of these codes.
    pub code: Option<Vec<String>>,
    /// Any of these kinds.
    pub kind: Option<Vec<BlocKind>>,
    /// All of these filters must match too.
    pub and: Option<Vec<BlocFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<BlocFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<BlocFilter>>,
}

impl ToCondition for BlocFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(codes) = &self.code {
            condition = condition.add(bloc::Column::Code.is_in(codes.clone()));
        }
        if let Some(kinds) = &self.kind {
            condition = condition.add(bloc::Column::Kind.is_in(kinds.iter().map(|kind| entity::BlocKind::from(*kind))));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

/// What blocs can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlocOrderField {
    /// Code.
    Code,
    /// Name.
    Name,
}

/// One sort key for blocs.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct BlocOrder {
    /// What to sort by.
    pub field: BlocOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl BlocOrder {
    /// Sort keys of an ordering; by code when none is given.
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        let orders =
            orders.unwrap_or_else(|| vec![Self { field: BlocOrderField::Code, direction: OrderDirection::Asc }]);
        sort_keys(Some(orders), |order| {
            let column = match order.field {
                BlocOrderField::Code => bloc::Column::Code,
                BlocOrderField::Name => bloc::Column::Name,
            };
            (Expr::col((bloc::Entity, column)), order.direction.into())
        })
    }
}

/// Root fields for blocs.
#[derive(Default)]
pub struct BlocQuery;

#[Object]
impl BlocQuery {
    /// A bloc by code (`G77`, `AU`); null when unknown.
    async fn bloc(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The bloc's code.")] code: String,
    ) -> ApiResult<Option<Bloc>> {
        Ok(lookup::bloc_by_code(resolve::db(ctx)?, &code).await?.map(Bloc))
    }

    /// Blocs: negotiating groups, economic communities, organisations.
    #[allow(clippy::too_many_arguments)]
    async fn blocs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only blocs that match this filter.")] filter: Option<BlocFilter>,
        #[graphql(desc = "Sort order (by code when not given); ties are broken by the bloc's ID.")] order_by: Option<
            Vec<BlocOrder>,
        >,
        #[graphql(desc = "Returns the first n blocs.")] first: Option<i32>,
        #[graphql(desc = "Returns the blocs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n blocs.")] last: Option<i32>,
        #[graphql(desc = "Returns the blocs before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Bloc>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing(filter.as_ref(), BlocOrder::keys(order_by), Scope::All);
        resolve::root::<bloc::Entity, _>(ctx, listing, window, Bloc).await
    }
}
