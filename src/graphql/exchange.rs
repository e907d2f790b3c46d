//! Exchanges: country-year counts of a provider's public diplomacy with a partner (visits,
//! students, Confucius institutes, sister cities, media partnerships): the `Exchange` type,
//! its filter and ordering, and the root fields.

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{country, exchange, source};
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr},
};

use super::{
    connection::{NodeConnection, window},
    country::{Country, CountryCodes, CountryFilter, in_countries, visit_logical},
    filter::{IntRange, OrderDirection, ToCondition, from_sources, in_range, listing, logical, sort_keys},
    id::NodeKey,
    resolve,
    source::Source,
};
use crate::{error::ApiResult, repo::lookup, repo::page::Scope};

/// What an exchange counts. AidData's Readme calls Confucius institutes, sister cities and
/// media partnerships cumulative, but the published values fall from year to year: read
/// each count as published, for its year.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::ExchangeKind")]
pub enum ExchangeKind {
    /// Confucius Institutes in the partner country (`confucius_institutes`).
    ConfuciusInstitutes,
    /// Sister or friendship cities established between the two countries
    /// (`sister_cities_established`).
    SisterCities,
    /// High-level and provincial visits by government officials between the two countries,
    /// in either country or a third (`government_visits`; not collected for 2016).
    GovernmentVisits,
    /// High-level and provincial visits by military officials between the two countries
    /// (`military_visits`; not collected for 2016). Government and military visits together
    /// are the dataset's elite visits.
    MilitaryVisits,
    /// Op-eds by the provider's ambassador in the partner's media (`ambassador_op_eds`).
    AmbassadorOpEds,
    /// Exchange visits of the partner's journalists to the provider (`journalist_visits`).
    JournalistVisits,
    /// Content-sharing partnerships between the provider's state media and the partner's
    /// (`media_partnerships`).
    MediaPartnerships,
    /// The provider's students studying in the partner (`outbound_chinese_students`, from
    /// UNESCO's tertiary student flows).
    OutboundStudents,
    /// The partner's students studying in the provider (`inbound_students_to_china`; not
    /// collected before 2002).
    InboundStudents,
}

/// One country-year count of one kind of exchange between a provider and a partner
/// country: the knowledge sharing, training and visits that flows of money do not show.
pub struct Exchange(pub exchange::Model);

/// One country-year count of one kind of exchange between a provider and a partner
/// country: the knowledge sharing, training and visits that flows of money do not show.
#[Object]
impl Exchange {
    /// Opaque, stable global ID.
    pub async fn id(&self, ctx: &Context<'_>) -> ApiResult<async_graphql::ID> {
        let source = resolve::required::<source::Entity>(ctx, self.0.source_id).await?;
        Ok(NodeKey::Exchange(source.key.clone(), self.0.r#ref.clone()).encode())
    }

    /// The exchange's reference in its source (`<country as the file names it>/<year>/<column>`).
    async fn reference(&self) -> &str {
        &self.0.r#ref
    }

    /// The country whose public diplomacy it is.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Country> {
        resolve::required::<country::Entity>(ctx, self.0.provider_id).await.map(Country)
    }

    /// The partner country (the dataset's receiving country).
    async fn partner(&self, ctx: &Context<'_>) -> ApiResult<Country> {
        resolve::required::<country::Entity>(ctx, self.0.partner_id).await.map(Country)
    }

    /// The calendar year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// What is counted.
    async fn kind(&self) -> ExchangeKind {
        self.0.kind.into()
    }

    /// How many, as the source publishes it (0 is a measured zero).
    async fn count(&self) -> i32 {
        self.0.count
    }

    /// The dataset the record came from: cite it with its `citation`.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// Which exchanges to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ExchangeFilter {
    /// Any of these kinds.
    pub kind: Option<Vec<ExchangeKind>>,
    /// Provider matches this filter.
    pub provider: Option<CountryFilter>,
    /// Partner matches this filter.
    pub partner: Option<CountryFilter>,
    /// Year within this range.
    pub year: Option<IntRange>,
    /// Count within this range (`{gte: 1}`: leave out measured zeros).
    pub count: Option<IntRange>,
    /// From any of the sources with these keys.
    pub source: Option<Vec<String>>,
    /// All of these filters must match too.
    pub and: Option<Vec<ExchangeFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<ExchangeFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<ExchangeFilter>>,
}

impl CountryCodes for ExchangeFilter {
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter)) {
        for country in [&mut self.provider, &mut self.partner].into_iter().flatten() {
            country.visit_countries(visit);
        }
        visit_logical(&mut self.and, &mut self.or, &mut self.not, visit);
    }
}

impl ToCondition for ExchangeFilter {
    fn condition(&self) -> Condition {
        use exchange::Column;
        let mut condition = Condition::all();
        if let Some(kinds) = &self.kind {
            condition = condition.add(Column::Kind.is_in(kinds.iter().map(|kind| entity::ExchangeKind::from(*kind))));
        }
        if let Some(provider) = &self.provider {
            condition = condition.add(in_countries(Column::ProviderId, provider));
        }
        if let Some(partner) = &self.partner {
            condition = condition.add(in_countries(Column::PartnerId, partner));
        }
        if let Some(range) = self.year {
            condition = in_range(condition, Column::Year, range.gte, range.lte);
        }
        if let Some(range) = self.count {
            condition = in_range(condition, Column::Count, range.gte, range.lte);
        }
        if let Some(keys) = &self.source {
            condition = condition.add(from_sources(Column::SourceId, keys));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

/// What exchanges can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeOrderField {
    /// Year.
    Year,
    /// Count.
    Count,
}

/// One sort key for exchanges.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct ExchangeOrder {
    /// What to sort by.
    pub field: ExchangeOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl ExchangeOrder {
    /// Sort keys of an ordering (import order when none is given).
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        sort_keys(orders, |order| {
            let column = match order.field {
                ExchangeOrderField::Year => exchange::Column::Year,
                ExchangeOrderField::Count => exchange::Column::Count,
            };
            (Expr::col((exchange::Entity, column)), order.direction.into())
        })
    }
}

/// The exchanges of one country, as provider or as partner.
#[allow(clippy::too_many_arguments)]
pub async fn of_country(
    ctx: &Context<'_>,
    country_id: i32,
    side: exchange::Column,
    filter: Option<ExchangeFilter>,
    order_by: Option<Vec<ExchangeOrder>>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> ApiResult<NodeConnection<Exchange>> {
    let filter = resolve::with_country_ids(ctx, filter).await?;
    let window = window(resolve::config(ctx)?, first, after, last, before)?;
    let listing = listing(filter.as_ref(), ExchangeOrder::keys(order_by), Scope::column(side));
    resolve::nested::<exchange::Entity, _>(ctx, country_id, listing, window, Exchange).await
}

/// Root fields for exchanges.
#[derive(Default)]
pub struct ExchangeQuery;

#[Object]
impl ExchangeQuery {
    /// An exchange by its source's key and its reference there; null when unknown.
    async fn exchange(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's key, for example `aiddata-china-pubdip-1.0`.")] source: String,
        #[graphql(desc = "The exchange's reference in that source.")] reference: String,
    ) -> ApiResult<Option<Exchange>> {
        let found = lookup::exchanges_by_refs(resolve::db(ctx)?, &[(&source, &reference)]).await?;
        resolve::note_sources(ctx, found.iter());
        Ok(found.into_iter().next().map(Exchange))
    }

    /// Exchanges: country-year counts of visits, students, Confucius institutes, sister
    /// cities and media partnerships between a provider and a partner country.
    #[allow(clippy::too_many_arguments)]
    async fn exchanges(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only exchanges that match this filter.")] filter: Option<ExchangeFilter>,
        #[graphql(desc = "Sort order; ties are broken by the exchange's ID.")] order_by: Option<Vec<ExchangeOrder>>,
        #[graphql(desc = "Returns the first n exchanges.")] first: Option<i32>,
        #[graphql(desc = "Returns the exchanges after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n exchanges.")] last: Option<i32>,
        #[graphql(desc = "Returns the exchanges before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Exchange>> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing(filter.as_ref(), ExchangeOrder::keys(order_by), Scope::All);
        resolve::root::<exchange::Entity, _>(ctx, listing, window, Exchange).await
    }
}
