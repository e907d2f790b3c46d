//! Countries: the `Country` type, its filter and ordering, and the root fields.

use std::sync::Arc;

use std::collections::HashMap;

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{
    agreement, agreement_party, bloc, bloc_member, country, country_income_group, deployment, exchange, expert, flow,
    source,
};
use futures::FutureExt;
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr, ExprTrait, Query},
};
use seed::source_keys;

use super::{
    agreement::{Agreement, AgreementFilter, AgreementOrder},
    bloc::{Bloc, BlocFilter, BlocOrder},
    chart::Chart,
    connection::{NodeConnection, window},
    exchange::{Exchange, ExchangeFilter, ExchangeOrder, of_country as exchanges_of},
    expert::{Deployment, DeploymentFilter, Expert, ExpertFilter, ExpertOrder},
    filter::{OrderDirection, TextVisitor, ToCondition, column_where, ids_where, listing, logical, sort_keys},
    flow::{AggregateRules, Flow, FlowFilter, FlowOrder, Guidance, KindFamily, nested_flows},
    id::NodeKey,
    resolve,
    source::Source,
    stats::{
        flow_stats::FlowMeasure,
        partners::{Partner, PartnerDirection, partners_chart, partners_of},
    },
};
use crate::{
    error::ApiResult,
    repo::{lookup, page::Scope, reference::Snapshot},
};

/// A country or territory, keyed by its ISO 3166-1 alpha-3 code.
pub struct Country(pub Arc<country::Model>);

/// Codes of the bloc that the default definition of the South's negotiating group uses.
const G77: &str = "G77";

/// A country or territory, keyed by its ISO 3166-1 alpha-3 code.
#[Object]
impl Country {
    /// Opaque, stable global ID.
    pub async fn id(&self) -> ApiResult<async_graphql::ID> {
        Ok(NodeKey::Country(self.0.iso3.clone()).encode())
    }

    /// ISO 3166-1 alpha-3 code.
    async fn iso3(&self) -> &str {
        &self.0.iso3
    }

    /// ISO 3166-1 alpha-2 code.
    async fn iso2(&self) -> Option<&str> {
        self.0.iso2.as_deref()
    }

    /// UN M49 numeric code, three digits; null where the M49 edition gives the country no
    /// data (Taiwan).
    async fn m49(&self) -> Option<&str> {
        self.0.m49.as_deref()
    }

    /// ISO 3166-1 numeric code, three digits, for every country and territory with one
    /// (Taiwan's is 158, which M49 leaves out): the key that maps such as world-atlas use.
    async fn iso_numeric(&self) -> Option<&str> {
        self.0.iso_numeric.as_deref()
    }

    /// Short English name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Official English name.
    async fn official_name(&self) -> Option<&str> {
        self.0.official_name.as_deref()
    }

    /// UN M49 region (Africa, Americas, Asia, Europe, Oceania).
    async fn region(&self) -> Option<&str> {
        self.0.region_name.as_deref()
    }

    /// UN M49 region code.
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }

    /// UN M49 sub-region (for example Sub-Saharan Africa).
    async fn sub_region(&self) -> Option<&str> {
        self.0.sub_region_name.as_deref()
    }

    /// UN M49 sub-region code.
    async fn sub_region_code(&self) -> Option<&str> {
        self.0.sub_region_code.as_deref()
    }

    /// UN M49 intermediate region (for example Eastern Africa), where M49 has one.
    async fn intermediate_region(&self) -> Option<&str> {
        self.0.intermediate_region_name.as_deref()
    }

    /// UN M49 intermediate region code.
    async fn intermediate_region_code(&self) -> Option<&str> {
        self.0.intermediate_region_code.as_deref()
    }

    /// World Bank region (World Bank CLASS, cited in `extensions.sources`).
    async fn world_bank_region(&self, ctx: &Context<'_>) -> Option<&str> {
        resolve::cited(ctx, source_keys::WB_CLASS, self.0.wb_region.as_deref())
    }

    /// World Bank income group (Low income, Lower middle income, Upper middle income, High
    /// income): today's (World Bank CLASS, July 2022) without `year`; with `year`, the class
    /// in force on 1 July of that year (the World Bank's fiscal year `year + 1`, set from
    /// income in `year - 1`), from its historical classification, 1988 to 2024; null where
    /// the country was not classified. Cited in `extensions.sources`.
    async fn income_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar year; today's class when not given.")] year: Option<i32>,
    ) -> ApiResult<Option<String>> {
        async move {
            let Some(year) = year else {
                return Ok(resolve::cited(ctx, source_keys::WB_CLASS, self.0.income_group.clone()));
            };
            let series = self.income_groups_by_year(ctx).await?;
            let class = series.iter().find(|class| class.year == year);
            resolve::cite(ctx, class.map(|class| class.source_id));
            Ok(class.map(|class| class.income_group.clone()))
        }
        .boxed()
        .await
    }

    /// The World Bank income groups of the country year by year, oldest first: the class in
    /// force on 1 July of each year from 1988 (FY1989) to 2024 (FY2025), where the country
    /// was classified. Cited in `extensions.sources`.
    async fn income_groups(&self, ctx: &Context<'_>) -> ApiResult<Vec<IncomeGroupYear>> {
        async move {
            let series = self.income_groups_by_year(ctx).await?;
            resolve::cite(ctx, series.iter().map(|class| class.source_id));
            Ok(series.iter().cloned().map(IncomeGroupYear).collect())
        }
        .boxed()
        .await
    }

    /// World Bank lending category (IDA, IBRD, Blend; World Bank CLASS, cited in
    /// `extensions.sources`).
    async fn lending_category(&self, ctx: &Context<'_>) -> Option<&str> {
        resolve::cited(ctx, source_keys::WB_CLASS, self.0.lending_category.as_deref())
    }

    /// Whether the country is of the South: by default, classed as developing by UN M49
    /// (2020 edition). `isG77Member` and `incomeGroup` allow other definitions.
    async fn is_south(&self) -> bool {
        self.0.is_developing
    }

    /// Whether the country is a member of the Group of 77.
    async fn is_g77_member(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.bloc_codes(ctx).await?.iter().any(|code| code == G77))
    }

    /// Least developed country (UN).
    async fn is_ldc(&self) -> bool {
        self.0.is_ldc
    }

    /// Landlocked developing country (UN).
    async fn is_lldc(&self) -> bool {
        self.0.is_lldc
    }

    /// Small island developing state (UN).
    async fn is_sids(&self) -> bool {
        self.0.is_sids
    }

    /// Latitude of the centroid, in degrees (world-countries, ODbL 1.0, cited in
    /// `extensions.sources`).
    async fn latitude(&self, ctx: &Context<'_>) -> Option<f64> {
        resolve::cited(ctx, source_keys::COUNTRY_CROSSWALK, self.0.latitude)
    }

    /// Longitude of the centroid, in degrees (world-countries, ODbL 1.0, cited in
    /// `extensions.sources`).
    async fn longitude(&self, ctx: &Context<'_>) -> Option<f64> {
        resolve::cited(ctx, source_keys::COUNTRY_CROSSWALK, self.0.longitude)
    }

    /// The dataset the country's record came from.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }

    /// Blocs the country is a member of.
    #[allow(clippy::too_many_arguments)]
    async fn blocs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only blocs that match this filter.")] filter: Option<Box<BlocFilter>>,
        #[graphql(desc = "Sort order; ties are broken by the bloc's ID.")] order_by: Option<Vec<BlocOrder>>,
        #[graphql(desc = "Returns the first n blocs.")] first: Option<i32>,
        #[graphql(desc = "Returns the blocs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n blocs.")] last: Option<i32>,
        #[graphql(desc = "Returns the blocs before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Bloc>> {
        async move {
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let scope = Scope::link(bloc_member::Column::BlocId, bloc_member::Column::CountryId);
            let listing = listing(filter.as_deref(), BlocOrder::keys(order_by), scope);
            resolve::nested::<bloc::Entity, _>(ctx, self.0.id, listing, window, Bloc).await
        }
        .boxed()
        .await
    }

    /// Flows the country provided.
    #[allow(clippy::too_many_arguments)]
    async fn flows_provided(
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
        nested_flows(ctx, self.0.id, flow::Column::ProviderId, filter, order_by, window).await
    }

    /// Flows the country received.
    #[allow(clippy::too_many_arguments)]
    async fn flows_received(
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
        nested_flows(ctx, self.0.id, flow::Column::RecipientId, filter, order_by, window).await
    }

    /// Exchanges of the country's public diplomacy with partner countries (visits,
    /// students, Confucius institutes, sister cities, media partnerships).
    #[allow(clippy::too_many_arguments)]
    async fn exchanges_provided(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only exchanges that match this filter.")] filter: Option<Box<ExchangeFilter>>,
        #[graphql(desc = "Sort order; ties are broken by the exchange's ID.")] order_by: Option<Vec<ExchangeOrder>>,
        #[graphql(desc = "Returns the first n exchanges.")] first: Option<i32>,
        #[graphql(desc = "Returns the exchanges after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n exchanges.")] last: Option<i32>,
        #[graphql(desc = "Returns the exchanges before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Exchange>> {
        async move {
            let side = exchange::Column::ProviderId;
            exchanges_of(ctx, self.0.id, side, filter.map(|filter| *filter), order_by, first, after, last, before).await
        }
        .boxed()
        .await
    }

    /// Exchanges in which the country is the partner of another's public diplomacy.
    #[allow(clippy::too_many_arguments)]
    async fn exchanges_received(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only exchanges that match this filter.")] filter: Option<Box<ExchangeFilter>>,
        #[graphql(desc = "Sort order; ties are broken by the exchange's ID.")] order_by: Option<Vec<ExchangeOrder>>,
        #[graphql(desc = "Returns the first n exchanges.")] first: Option<i32>,
        #[graphql(desc = "Returns the exchanges after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n exchanges.")] last: Option<i32>,
        #[graphql(desc = "Returns the exchanges before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Exchange>> {
        async move {
            let side = exchange::Column::PartnerId;
            exchanges_of(ctx, self.0.id, side, filter.map(|filter| *filter), order_by, first, after, last, before).await
        }
        .boxed()
        .await
    }

    /// Agreements the country is party to.
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
            let scope = Scope::link(agreement_party::Column::AgreementId, agreement_party::Column::CountryId);
            let listing = listing(filter.as_ref(), AgreementOrder::keys(order_by), scope);
            resolve::nested::<agreement::Entity, _>(ctx, self.0.id, listing, window, Agreement).await
        }
        .boxed()
        .await
    }

    /// Experts (people, teams, institutions) from the country.
    #[allow(clippy::too_many_arguments)]
    async fn experts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only experts that match this filter.")] filter: Option<Box<ExpertFilter>>,
        #[graphql(desc = "Sort order; ties are broken by the expert's ID.")] order_by: Option<Vec<ExpertOrder>>,
        #[graphql(desc = "Returns the first n experts.")] first: Option<i32>,
        #[graphql(desc = "Returns the experts after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n experts.")] last: Option<i32>,
        #[graphql(desc = "Returns the experts before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Expert>> {
        async move {
            let filter = resolve::with_country_ids(ctx, filter.map(|filter| *filter)).await?;
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let listing =
                listing(filter.as_ref(), ExpertOrder::keys(order_by), Scope::column(expert::Column::HomeCountryId));
            resolve::nested::<expert::Entity, _>(ctx, self.0.id, listing, window, Expert).await
        }
        .boxed()
        .await
    }

    /// Deployments of experts hosted by the country.
    async fn deployments_hosted(
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
                listing(filter.as_ref(), DeploymentFilter::keys(), Scope::column(deployment::Column::HostCountryId));
            resolve::nested::<deployment::Entity, _>(ctx, self.0.id, listing, window, Deployment).await
        }
        .boxed()
        .await
    }

    /// The country's partners in flows, largest first, with totals, counts and shares.
    #[allow(clippy::too_many_arguments)]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Recipients of what the country provided, or providers of what it received.", default)]
        direction: PartnerDirection,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<Box<FlowFilter>>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless the filter says which kinds), trade, or all."
        )]
        kind_family: Option<KindFamily>,
        #[graphql(desc = "What to rank by (real US dollars by default).", default)] measure: FlowMeasure,
        #[graphql(desc = "How many partners (default 10, at most 100).", default = 10)] first: i32,
    ) -> ApiResult<Vec<Partner>> {
        async move {
            let filter = resolve::with_country_ids(ctx, filter.map(|filter| *filter)).await?;
            let rules = AggregateRules::new(guidance, kind_family, false);
            partners_of(ctx, self.0.id, direction, filter.as_ref(), rules, measure, first).await
        }
        .boxed()
        .await
    }

    /// `partners` as a chart of one measure, largest first.
    #[allow(clippy::too_many_arguments)]
    async fn partners_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Recipients of what the country provided, or providers of what it received.", default)]
        direction: PartnerDirection,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<Box<FlowFilter>>,
        #[graphql(
            desc = "Follow the publishers' guidance on rows to leave out of totals (the default), or count every row.",
            default
        )]
        guidance: Guidance,
        #[graphql(
            desc = "Which kinds to count: official finance (the default, unless the filter says which kinds), trade, or all."
        )]
        kind_family: Option<KindFamily>,
        #[graphql(desc = "What to rank and show (real US dollars by default).", default)] measure: FlowMeasure,
        #[graphql(desc = "With `USD_REAL`, dollars of this year (default: the latest year of the CPI-U series).")]
        base_year: Option<i32>,
        #[graphql(desc = "How many partners (default 10, at most 100).", default = 10)] first: i32,
    ) -> ApiResult<Chart> {
        async move {
            let filter = resolve::with_country_ids(ctx, filter.map(|filter| *filter)).await?;
            let rules = AggregateRules::new(guidance, kind_family, false);
            partners_chart(ctx, &self.0, direction, filter.as_ref(), rules, measure, base_year, first).await
        }
        .boxed()
        .await
    }
}

impl Country {
    async fn income_groups_by_year(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<std::sync::Arc<Vec<country_income_group::Model>>> {
        let loader = resolve::state::<super::batch::Batcher<super::loaders::IncomeGroupsByCountry>>(ctx)?;
        Ok(loader.load_one(self.0.id).await?.unwrap_or_default())
    }

    async fn bloc_codes(&self, ctx: &Context<'_>) -> ApiResult<std::sync::Arc<Vec<String>>> {
        let loader = resolve::state::<super::batch::Batcher<super::loaders::BlocCodesByCountry>>(ctx)?;
        Ok(loader.load_one(self.0.id).await?.unwrap_or_default())
    }
}

/// A country's World Bank income group in one year.
pub struct IncomeGroupYear(country_income_group::Model);

/// A country's World Bank income group in one year.
#[Object]
impl IncomeGroupYear {
    /// The calendar year on whose 1 July the class took effect.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The World Bank's fiscal year of the class (`FY2011` for 2010), set from gross
    /// national income per capita (Atlas method) in `year - 1`.
    async fn fiscal_year(&self) -> String {
        format!("FY{}", self.0.year + 1)
    }

    /// Low income, Lower middle income, Upper middle income or High income.
    async fn income_group(&self) -> &str {
        async move { &self.0.income_group }.boxed().await
    }

    /// The dataset that gives the class.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// Which countries to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CountryFilter {
    /// ISO 3166-1 alpha-3 or alpha-2 codes, any of them.
    pub code: Option<Vec<String>>,
    /// UN M49 regions, by name or code, any of them.
    pub region: Option<Vec<String>>,
    /// UN M49 sub-regions, by name or code, any of them.
    pub sub_region: Option<Vec<String>>,
    /// UN M49 intermediate regions, by name or code, any of them.
    pub intermediate_region: Option<Vec<String>>,
    /// World Bank income groups, any of them: today's class, or, for the provider or
    /// recipient of a flow, the class in force in the flow's year.
    pub income_group: Option<Vec<String>>,
    /// Of the South (M49 developing) or not.
    pub is_south: Option<bool>,
    /// Least developed or not.
    pub is_ldc: Option<bool>,
    /// Landlocked developing or not.
    pub is_lldc: Option<bool>,
    /// Small island developing state or not.
    pub is_sids: Option<bool>,
    /// Member of any of the blocs with these codes (`G77`, `AU` …).
    pub bloc: Option<Vec<String>>,
    /// All of these filters must match too.
    pub and: Option<Vec<CountryFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<CountryFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<CountryFilter>>,
    /// The ids of the countries `code` names, once looked up ([`CountryCodes`]).
    #[graphql(skip)]
    pub code_ids: Option<Vec<i32>>,
    /// SQL of the year in which `income_group` is read (the flow's, for a flow's
    /// countries); today's class when none.
    #[graphql(skip)]
    pub income_year: Option<&'static str>,
}

impl CountryFilter {
    /// `code`, trimmed and in upper case, as stored.
    fn codes(&self) -> Option<Vec<String>> {
        Some(self.code.as_ref()?.iter().map(|code| code.trim().to_ascii_uppercase()).collect())
    }

    /// The ids of the countries this filter matches when it names them by code and nothing
    /// else, once looked up.
    fn only_ids(&self) -> Option<&[i32]> {
        let Self {
            code: _,
            region: None,
            sub_region: None,
            intermediate_region: None,
            income_group: None,
            is_south: None,
            is_ldc: None,
            is_lldc: None,
            is_sids: None,
            bloc: None,
            and: None,
            or: None,
            not: None,
            code_ids,
            income_year: _,
        } = self
        else {
            return None;
        };
        code_ids.as_deref()
    }

    /// Whether the filter, at any depth, reads an income group in a flow's year.
    fn reads_income_in_year(&self) -> bool {
        let mut reads = false;
        let mut filter = self.clone();
        filter.visit_countries(&mut |country| reads |= country.income_year.is_some() && country.income_group.is_some());
        reads
    }

    /// The filter with its income groups, at every depth, read in the year that `year`'s
    /// SQL gives (a flow's), from the historical classification.
    pub fn with_income_year(&self, year: &'static str) -> Self {
        let mut filter = self.clone();
        filter.visit_countries(&mut |country| country.income_year = Some(year));
        filter
    }
}

impl ToCondition for CountryFilter {
    fn condition(&self) -> Condition {
        use country::Column;
        let mut condition = Condition::all();
        if let Some(ids) = &self.code_ids {
            condition = condition.add(Column::Id.is_in(ids.iter().copied()));
        } else if let Some(codes) = self.codes() {
            condition = condition.add(Column::Iso3.is_in(codes.clone()).or(Column::Iso2.is_in(codes)));
        }
        for (values, code, name) in [
            (&self.region, Column::RegionCode, Column::RegionName),
            (&self.sub_region, Column::SubRegionCode, Column::SubRegionName),
            (&self.intermediate_region, Column::IntermediateRegionCode, Column::IntermediateRegionName),
        ] {
            if let Some(values) = values {
                condition = condition.add(code.is_in(values.clone()).or(name.is_in(values.clone())));
            }
        }
        if let Some(groups) = &self.income_group {
            condition = condition.add(match self.income_year {
                None => Column::IncomeGroup.is_in(groups.clone()),
                Some(year) => {
                    use country_income_group::Column as Class;
                    let classes = Query::select()
                        .expr(Expr::val(1))
                        .from(country_income_group::Entity)
                        .and_where(
                            Expr::col((country_income_group::Entity, Class::CountryId))
                                .equals((country::Entity, Column::Id)),
                        )
                        .and_where(Expr::col((country_income_group::Entity, Class::Year)).eq(Expr::cust(year)))
                        .and_where(Class::IncomeGroup.is_in(groups.clone()))
                        .to_owned();
                    Expr::exists(classes)
                }
            });
        }
        for (flag, column) in [
            (self.is_south, Column::IsDeveloping),
            (self.is_ldc, Column::IsLdc),
            (self.is_lldc, Column::IsLldc),
            (self.is_sids, Column::IsSids),
        ] {
            if let Some(flag) = flag {
                condition = condition.add(column.eq(flag));
            }
        }
        if let Some(codes) = &self.bloc {
            let blocs = column_where::<bloc::Entity, _>(
                bloc::Column::Id,
                Condition::all().add(bloc::Column::Code.is_in(codes.clone())),
            );
            let members = column_where::<bloc_member::Entity, _>(
                bloc_member::Column::CountryId,
                Condition::all().add(bloc_member::Column::BlocId.in_subquery(blocs)),
            );
            condition = condition.add(Column::Id.in_subquery(members));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

/// `column` holds the id of a country the filter matches: `column IN (ids)` when the filter
/// names countries by code only (the indexes and the planner's statistics serve literal
/// ids), `column IN (SELECT id FROM country WHERE …)` otherwise.
///
/// A filter that reads income groups in a flow's year depends on the flow's row, so it is
/// `EXISTS (SELECT 1 FROM country WHERE country.id = column AND …)`: two primary-key
/// lookups per flow, instead of a subquery over every country per flow.
pub fn in_countries<C: ColumnTrait>(column: C, filter: &CountryFilter) -> Condition {
    Condition::all().add(match filter.only_ids() {
        Some(ids) => column.is_in(ids.iter().copied()),
        None if filter.reads_income_in_year() => {
            let country = Query::select()
                .expr(Expr::val(1))
                .from(country::Entity)
                .and_where(Expr::col((country::Entity, country::Column::Id)).equals(column.as_column_ref()))
                .cond_where(filter.condition())
                .to_owned();
            Expr::exists(country)
        }
        None => column.in_subquery(ids_where::<country::Entity>(filter.condition())),
    })
}

/// A filter that may hold country filters, whose codes are looked up once, before its SQL
/// is built ([`crate::graphql::resolve::with_country_ids`]).
pub trait CountryCodes {
    /// Calls `visit` on every country filter inside, at any depth.
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter));

    /// Calls `visit` on the full-text search of this filter and every filter inside, at
    /// any depth, which [`crate::graphql::resolve::with_country_ids`] prepares for the
    /// database too.
    fn visit_texts(&mut self, _visit: &mut TextVisitor<'_>) {}
}

impl CountryCodes for CountryFilter {
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter)) {
        visit(self);
        visit_logical(&mut self.and, &mut self.or, &mut self.not, visit);
    }
}

/// Visits the full-text searches of a filter's `and`, `or` and `not`.
pub fn visit_logical_texts<F: CountryCodes>(
    and: &mut Option<Vec<F>>,
    or: &mut Option<Vec<F>>,
    not: &mut Option<Box<F>>,
    visit: &mut TextVisitor<'_>,
) {
    for filter in and.iter_mut().chain(or.iter_mut()).flatten() {
        filter.visit_texts(visit);
    }
    if let Some(filter) = not {
        filter.visit_texts(visit);
    }
}

/// Visits the country filters of a filter's `and`, `or` and `not`.
pub fn visit_logical<F: CountryCodes>(
    and: &mut Option<Vec<F>>,
    or: &mut Option<Vec<F>>,
    not: &mut Option<Box<F>>,
    visit: &mut dyn FnMut(&mut CountryFilter),
) {
    for filter in and.iter_mut().chain(or.iter_mut()).flatten() {
        filter.visit_countries(visit);
    }
    if let Some(filter) = not {
        filter.visit_countries(visit);
    }
}

/// Looks up the ids of every country code in `filter`, in one batch with the request's
/// other lookups, and keeps them in the country filters.
pub async fn resolve_codes<F: CountryCodes>(
    loader: &super::batch::Batcher<super::loaders::CountryIdsByCode, String>,
    snapshot: Option<&Snapshot>,
    filter: &mut F,
) -> ApiResult<()> {
    let mut codes = Vec::new();
    filter.visit_countries(&mut |country| codes.extend(country.codes().unwrap_or_default()));
    if codes.is_empty() {
        return Ok(());
    }
    let mut ids = HashMap::new();
    let mut unknown = Vec::new();
    for code in codes {
        match snapshot.and_then(|snapshot| snapshot.country_id(&code)) {
            Some(id) => _ = ids.insert(code, id),
            None => unknown.push(code),
        }
    }
    if !unknown.is_empty() {
        ids.extend(loader.load_many(unknown).await?);
    }
    filter.visit_countries(&mut |country| {
        if let Some(codes) = country.codes() {
            let mut found: Vec<i32> = codes.iter().filter_map(|code| ids.get(code).copied()).collect();
            found.sort_unstable();
            found.dedup();
            country.code_ids = Some(found);
        }
    });
    Ok(())
}

/// What countries can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountryOrderField {
    /// Short English name.
    Name,
    /// ISO3 code.
    Iso3,
    /// UN M49 region, then sub-region.
    Region,
}

/// One sort key for countries.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct CountryOrder {
    /// What to sort by.
    pub field: CountryOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl CountryOrder {
    /// Sort keys of an ordering; by name when none is given.
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        let orders =
            orders.unwrap_or_else(|| vec![Self { field: CountryOrderField::Name, direction: OrderDirection::Asc }]);
        sort_keys(Some(orders), |order| {
            let column = match order.field {
                CountryOrderField::Name => country::Column::Name,
                CountryOrderField::Iso3 => country::Column::Iso3,
                CountryOrderField::Region => country::Column::RegionName,
            };
            (Expr::col((country::Entity, column)), order.direction.into())
        })
    }
}

/// Root fields for countries.
#[derive(Default)]
pub struct CountryQuery;

#[Object]
impl CountryQuery {
    /// A country by ISO 3166-1 alpha-3 or alpha-2 code (`KEN`, `KE`); null when unknown.
    async fn country(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO3 or ISO2 code.")] code: String,
    ) -> ApiResult<Option<Country>> {
        let known = resolve::snapshot(ctx).and_then(|snapshot| snapshot.country_id(&code.trim().to_ascii_uppercase()));
        let found = match known {
            Some(id) => resolve::by_id::<country::Entity>(ctx, id).await?,
            None => {
                let found = lookup::country_by_code(resolve::db(ctx)?, &code).await?;
                resolve::note_sources(ctx, found.iter());
                found.map(Arc::new)
            }
        };
        Ok(found.map(Country))
    }

    /// Countries and territories.
    #[allow(clippy::too_many_arguments)]
    async fn countries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only countries that match this filter.")] filter: Option<CountryFilter>,
        #[graphql(desc = "Sort order (by name when not given); ties are broken by the country's ID.")] order_by: Option<
            Vec<CountryOrder>,
        >,
        #[graphql(desc = "Returns the first n countries.")] first: Option<i32>,
        #[graphql(desc = "Returns the countries after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n countries.")] last: Option<i32>,
        #[graphql(desc = "Returns the countries before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Country>> {
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing(filter.as_ref(), CountryOrder::keys(order_by), Scope::All);
        resolve::remembered_root::<country::Entity, _>(ctx, listing, window, Country).await
    }
}
