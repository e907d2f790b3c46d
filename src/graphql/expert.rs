//! Experts and their deployments: the `Expert` and `Deployment` types, their filters and
//! orderings, and the root fields.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{agreement, country, deployment, expert, expert_sector, flow, sector, source};
use futures::FutureExt;
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr, SelectStatement},
};

use super::{
    agreement::Agreement,
    connection::{NodeConnection, window},
    country::{Country, CountryCodes, CountryFilter, in_countries, visit_logical, visit_logical_texts},
    filter::{
        IntRange, OrderDirection, TextVisitor, ToCondition, column_where, from_sources, in_range, listing, logical,
        sort_keys, text_condition,
    },
    flow::Flow,
    id::NodeKey,
    resolve,
    sector::{Sector, SectorFilter, SectorOrder, sectors_where},
    source::Source,
};
use crate::{error::ApiResult, repo::page::Scope};

/// Who an expert record describes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::ExpertKind")]
pub enum ExpertKind {
    /// One person, from a roster a user imports.
    Individual,
    /// A team deployed together (a medical team, a mission).
    Team,
    /// An institution that implements cooperation.
    Institution,
}

/// An expert: a person, a team or an institution that carries technical cooperation,
/// taken from real technical-cooperation records.
pub struct Expert(pub expert::Model);

/// An expert: a person, a team or an institution that carries technical cooperation,
/// taken from real technical-cooperation records.
#[Object]
impl Expert {
    /// Opaque, stable global ID.
    pub async fn id(&self, ctx: &Context<'_>) -> ApiResult<async_graphql::ID> {
        let source = resolve::required::<source::Entity>(ctx, self.0.source_id).await?;
        Ok(NodeKey::Expert(source.key.clone(), self.0.r#ref.clone()).encode())
    }

    /// The expert's reference in its source.
    async fn reference(&self) -> &str {
        &self.0.r#ref
    }

    /// Name of the person, team or institution.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Person, team or institution.
    async fn kind(&self) -> ExpertKind {
        self.0.kind.into()
    }

    /// Number of people, for teams, where the source states it.
    async fn headcount(&self) -> Option<i32> {
        self.0.headcount
    }

    /// The country the expert comes from.
    async fn home_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.0.home_country_id).await?.map(Country))
    }

    /// Sectors the expert works in.
    async fn sectors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only sectors that match this filter.")] filter: Option<Box<SectorFilter>>,
        #[graphql(desc = "Returns the first n sectors.")] first: Option<i32>,
        #[graphql(desc = "Returns the sectors after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n sectors.")] last: Option<i32>,
        #[graphql(desc = "Returns the sectors before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Sector>> {
        async move {
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let scope = Scope::link(expert_sector::Column::SectorId, expert_sector::Column::ExpertId);
            let listing = listing(filter.as_deref(), SectorOrder::keys(None), scope);
            resolve::nested::<sector::Entity, _>(ctx, self.0.id, listing, window, |m| Sector(Arc::new(m))).await
        }
        .boxed()
        .await
    }

    /// Where and when the expert was deployed.
    async fn deployments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only deployments that match this filter.")] filter: Option<Box<DeploymentFilter>>,
        #[graphql(desc = "Returns the first n deployments.")] first: Option<i32>,
        #[graphql(desc = "Returns the deployments after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n deployments.")] last: Option<i32>,
        #[graphql(desc = "Returns the deployments before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Deployment>> {
        async move {
            let filter = resolve::with_country_ids(ctx, filter.map(|filter| *filter)).await?;
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let listing =
                listing(filter.as_ref(), DeploymentFilter::keys(), Scope::column(deployment::Column::ExpertId));
            resolve::nested::<deployment::Entity, _>(ctx, self.0.id, listing, window, Deployment).await
        }
        .boxed()
        .await
    }

    /// The dataset the record came from: cite it with its `citation`.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// A deployment of an expert to a host country for a period.
pub struct Deployment(pub deployment::Model);

/// A deployment of an expert to a host country for a period.
#[Object]
impl Deployment {
    /// Opaque, stable global ID.
    pub async fn id(&self, ctx: &Context<'_>) -> ApiResult<async_graphql::ID> {
        let expert = resolve::required::<expert::Entity>(ctx, self.0.expert_id).await?;
        let source = resolve::required::<source::Entity>(ctx, expert.source_id).await?;
        Ok(NodeKey::Deployment(source.key.clone(), expert.r#ref.clone(), self.0.r#ref.clone()).encode())
    }

    /// The expert deployed.
    async fn expert(&self, ctx: &Context<'_>) -> ApiResult<Expert> {
        resolve::required::<expert::Entity>(ctx, self.0.expert_id).await.map(|m| Expert(Arc::unwrap_or_clone(m)))
    }

    /// Where the expert was deployed.
    async fn host_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.0.host_country_id).await?.map(Country))
    }

    /// First year of the deployment.
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }

    /// Last year of the deployment.
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }

    /// The flow that financed it.
    async fn flow(&self, ctx: &Context<'_>) -> ApiResult<Option<Flow>> {
        Ok(resolve::optional::<flow::Entity>(ctx, self.0.flow_id).await?.map(|m| Flow(Arc::unwrap_or_clone(m))))
    }

    /// The agreement it served.
    async fn agreement(&self, ctx: &Context<'_>) -> ApiResult<Option<Agreement>> {
        Ok(resolve::optional::<agreement::Entity>(ctx, self.0.agreement_id)
            .await?
            .map(|m| Agreement(Arc::unwrap_or_clone(m))))
    }
}

/// Which experts to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ExpertFilter {
    /// Full-text search of the name: all the words, in any order, case and accents
    /// ignored, each word also in its other forms ("railways" finds "railway", "becas"
    /// "beca"); `"a phrase"`, `word*` for words that start so, `OR` between two, `-word` to
    /// leave out. At most 256 characters and 16 words.
    pub text: Option<String>,
    /// The subquery of the ids the `text` search matches, once prepared.
    #[graphql(skip)]
    pub text_matching: Option<Box<SelectStatement>>,
    /// Any of these kinds.
    pub kind: Option<Vec<ExpertKind>>,
    /// Home country matches this filter.
    pub home_country: Option<CountryFilter>,
    /// Deployed at least once to a country that matches this filter.
    pub host_country: Option<CountryFilter>,
    /// Works in at least one sector that matches this filter.
    pub sector: Option<SectorFilter>,
    /// From any of the sources with these keys.
    pub source: Option<Vec<String>>,
    /// All of these filters must match too.
    pub and: Option<Vec<ExpertFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<ExpertFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<ExpertFilter>>,
}

impl CountryCodes for ExpertFilter {
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter)) {
        for country in [&mut self.home_country, &mut self.host_country].into_iter().flatten() {
            country.visit_countries(visit);
        }
        visit_logical(&mut self.and, &mut self.or, &mut self.not, visit);
    }

    fn visit_texts(&mut self, visit: &mut TextVisitor<'_>) {
        if let Some(text) = &self.text {
            visit(seed::search::kind::EXPERT, text, &mut self.text_matching);
        }
        visit_logical_texts(&mut self.and, &mut self.or, &mut self.not, visit);
    }
}

impl ToCondition for ExpertFilter {
    fn condition(&self) -> Condition {
        use expert::Column;
        let mut condition = Condition::all();
        if let Some(text) = text_condition(self.text.as_ref(), self.text_matching.as_deref(), Column::Id) {
            condition = condition.add(text);
        }
        if let Some(kinds) = &self.kind {
            condition = condition.add(Column::Kind.is_in(kinds.iter().map(|kind| entity::ExpertKind::from(*kind))));
        }
        if let Some(home) = &self.home_country {
            condition = condition.add(in_countries(Column::HomeCountryId, home));
        }
        if let Some(host) = &self.host_country {
            let deployed = column_where::<deployment::Entity, _>(
                deployment::Column::ExpertId,
                in_countries(deployment::Column::HostCountryId, host),
            );
            condition = condition.add(Column::Id.in_subquery(deployed));
        }
        if let Some(sector) = &self.sector {
            let working = column_where::<expert_sector::Entity, _>(
                expert_sector::Column::ExpertId,
                Condition::all().add(expert_sector::Column::SectorId.in_subquery(sectors_where(sector))),
            );
            condition = condition.add(Column::Id.in_subquery(working));
        }
        if let Some(keys) = &self.source {
            condition = condition.add(from_sources(Column::SourceId, keys));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

/// What experts can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpertOrderField {
    /// Name.
    Name,
    /// Headcount.
    Headcount,
}

/// One sort key for experts.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct ExpertOrder {
    /// What to sort by.
    pub field: ExpertOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl ExpertOrder {
    /// Sort keys of an ordering (import order when none is given).
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        sort_keys(orders, |order| {
            let column = match order.field {
                ExpertOrderField::Name => expert::Column::Name,
                ExpertOrderField::Headcount => expert::Column::Headcount,
            };
            (Expr::col((expert::Entity, column)), order.direction.into())
        })
    }
}

/// Which deployments to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DeploymentFilter {
    /// Host country matches this filter.
    pub host_country: Option<CountryFilter>,
    /// First year within this range.
    pub start_year: Option<IntRange>,
    /// All of these filters must match too.
    pub and: Option<Vec<DeploymentFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<DeploymentFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<DeploymentFilter>>,
}

impl DeploymentFilter {
    /// Deployments are listed by first year.
    pub fn keys() -> Vec<(Expr, Order)> {
        vec![(Expr::col((deployment::Entity, deployment::Column::StartYear)), Order::Asc)]
    }
}

impl CountryCodes for DeploymentFilter {
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter)) {
        if let Some(host) = &mut self.host_country {
            host.visit_countries(visit);
        }
        visit_logical(&mut self.and, &mut self.or, &mut self.not, visit);
    }
}

impl ToCondition for DeploymentFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(host) = &self.host_country {
            condition = condition.add(in_countries(deployment::Column::HostCountryId, host));
        }
        if let Some(range) = self.start_year {
            condition = in_range(condition, deployment::Column::StartYear, range.gte, range.lte);
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

/// Root fields for experts.
#[derive(Default)]
pub struct ExpertQuery;

#[Object]
impl ExpertQuery {
    /// Experts: teams and institutions from technical-cooperation records, and people from
    /// imported rosters.
    #[allow(clippy::too_many_arguments)]
    async fn experts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only experts that match this filter.")] filter: Option<ExpertFilter>,
        #[graphql(desc = "Sort order; ties are broken by the expert's ID.")] order_by: Option<Vec<ExpertOrder>>,
        #[graphql(desc = "Returns the first n experts.")] first: Option<i32>,
        #[graphql(desc = "Returns the experts after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n experts.")] last: Option<i32>,
        #[graphql(desc = "Returns the experts before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Expert>> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing(filter.as_ref(), ExpertOrder::keys(order_by), Scope::All);
        resolve::root::<expert::Entity, _>(ctx, listing, window, Expert).await
    }
}
