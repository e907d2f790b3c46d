//! Agreements: the `Agreement` type with its scope and South–South measures, its filter
//! and ordering, and the root fields.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{agreement, agreement_bloc_party, agreement_party, agreement_sector, bloc, country, flow, sector, source};
use futures::FutureExt;
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr, ExprTrait, SelectStatement},
};

use super::{
    batch::Batcher,
    bloc::{Bloc, BlocFilter, BlocOrder},
    connection::{NodeConnection, window},
    country::{Country, CountryCodes, CountryFilter, CountryOrder, in_countries, visit_logical, visit_logical_texts},
    filter::{
        IntRange, OrderDirection, TextVisitor, ToCondition, column_where, from_sources, in_range, listing, logical,
        sort_keys, text_condition,
    },
    flow::{Flow, FlowFilter, FlowOrder, nested_flows},
    id::NodeKey,
    loaders::AgreementClasses,
    resolve,
    sector::{Sector, SectorFilter, SectorOrder},
    source::Source,
};
use crate::{
    error::ApiResult,
    repo::{
        lookup,
        page::Scope,
        rules::{self, AgreementClass},
    },
};

/// What an agreement is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::AgreementKind")]
pub enum AgreementKind {
    /// A preferential trade agreement (free trade area, customs union, partial scope).
    Trade,
    /// A bilateral investment treaty.
    Investment,
    /// A treaty with investment provisions beside other content.
    TreatyWithInvestmentProvisions,
    /// A technical cooperation agreement.
    TechnicalCooperation,
    /// A memorandum of understanding.
    Memorandum,
    /// A regional integration treaty.
    RegionalIntegration,
    /// Any other kind.
    Other,
}

/// Where an agreement stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::AgreementStatus")]
pub enum AgreementStatus {
    /// Signed, not (yet) in force.
    Signed,
    /// In force.
    InForce,
    /// Terminated or replaced.
    Terminated,
    /// The source does not say.
    Unknown,
}

/// How far an agreement reaches, from its parties' UN M49 regions.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgreementScope {
    /// Two parties.
    Bilateral,
    /// More than two parties, all in one M49 sub-region.
    Subregional,
    /// More than two parties, all in one M49 region but several sub-regions.
    Regional,
    /// More than two parties in several M49 regions.
    Interregional,
}

/// An agreement between countries: a trade or investment treaty, a cooperation agreement.
pub struct Agreement(pub agreement::Model);

impl Agreement {
    /// What the rules (`repo::rules`) say of the agreement, batched with its siblings.
    async fn class(&self, ctx: &Context<'_>) -> ApiResult<AgreementClass> {
        let loader = resolve::state::<Batcher<AgreementClasses>>(ctx)?;
        Ok(loader.load_one(self.0.id).await?.unwrap_or_default())
    }
}

impl AgreementScope {
    /// The scope as [`rules::AGREEMENT_SCOPE`] names it.
    pub fn from_sql(name: &str) -> Option<Self> {
        match name {
            "BILATERAL" => Some(Self::Bilateral),
            "SUBREGIONAL" => Some(Self::Subregional),
            "REGIONAL" => Some(Self::Regional),
            "INTERREGIONAL" => Some(Self::Interregional),
            _ => None,
        }
    }
}

/// An agreement between countries: a trade or investment treaty, a cooperation agreement.
#[Object]
impl Agreement {
    /// Opaque, stable global ID.
    pub async fn id(&self, ctx: &Context<'_>) -> ApiResult<async_graphql::ID> {
        let source = resolve::required::<source::Entity>(ctx, self.0.source_id).await?;
        Ok(NodeKey::Agreement(source.key.clone(), self.0.r#ref.clone()).encode())
    }

    /// The agreement's reference in its source.
    async fn reference(&self) -> &str {
        &self.0.r#ref
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What it is about.
    async fn kind(&self) -> AgreementKind {
        self.0.kind.into()
    }

    /// The source's own label for its kind.
    async fn source_kind(&self) -> Option<&str> {
        self.0.source_kind.as_deref()
    }

    /// Where it stands.
    async fn status(&self) -> AgreementStatus {
        self.0.status.into()
    }

    /// Year signed.
    async fn signed_year(&self) -> Option<i32> {
        self.0.signed_year
    }

    /// Date signed (ISO 8601), where the source has the day.
    async fn signed_date(&self) -> Option<String> {
        self.0.signed_on.map(|date| date.to_string())
    }

    /// Year it entered into force.
    async fn in_force_year(&self) -> Option<i32> {
        self.0.in_force_year
    }

    /// Date it entered into force (ISO 8601), where the source has the day.
    async fn in_force_date(&self) -> Option<String> {
        self.0.in_force_on.map(|date| date.to_string())
    }

    /// Date it was terminated (ISO 8601).
    async fn terminated_date(&self) -> Option<String> {
        self.0.terminated_on.map(|date| date.to_string())
    }

    /// Bilateral (two parties, countries or blocs), else sub-regional, regional or
    /// inter-regional from the M49 regions of the countries it covers (its country parties
    /// and the members of its bloc parties); null with no party or one country alone.
    async fn scope(&self, ctx: &Context<'_>) -> ApiResult<Option<AgreementScope>> {
        Ok(self.class(ctx).await?.scope.as_deref().and_then(AgreementScope::from_sql))
    }

    /// Whether all parties are of the South, countries and blocs (`Bloc.isSouth`), and
    /// there are at least two countries of the South among them (a bloc of the South stands
    /// for two or more).
    async fn south_south(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.class(ctx).await?.south_south)
    }

    /// Whether it is triangular: parties of the South (at least two countries, or a bloc of
    /// the South) joined by at least one developed party, country or bloc.
    async fn triangular(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.class(ctx).await?.triangular)
    }

    /// The countries that are parties. Blocs that are parties in their own right (the
    /// European Union, EFTA, MERCOSUR …) are in `blocParties`, not expanded into their
    /// members.
    #[allow(clippy::too_many_arguments)]
    async fn parties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only parties that match this filter.")] filter: Option<Box<CountryFilter>>,
        #[graphql(desc = "Sort order (by name when not given); ties are broken by the country's ID.")] order_by: Option<
            Vec<CountryOrder>,
        >,
        #[graphql(desc = "Returns the first n parties.")] first: Option<i32>,
        #[graphql(desc = "Returns the parties after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n parties.")] last: Option<i32>,
        #[graphql(desc = "Returns the parties before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Country>> {
        async move {
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let scope = Scope::link(agreement_party::Column::CountryId, agreement_party::Column::AgreementId);
            let listing = listing(filter.as_deref(), CountryOrder::keys(order_by), scope);
            resolve::nested::<country::Entity, _>(ctx, self.0.id, listing, window, |m| Country(Arc::new(m))).await
        }
        .boxed()
        .await
    }

    /// The blocs that are parties in their own right (the European Union, EFTA, MERCOSUR,
    /// ASEAN …), as the source lists them; their members are not listed in `parties`.
    #[allow(clippy::too_many_arguments)]
    async fn bloc_parties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only blocs that match this filter.")] filter: Option<Box<BlocFilter>>,
        #[graphql(desc = "Sort order (by code when not given); ties are broken by the bloc's ID.")] order_by: Option<
            Vec<BlocOrder>,
        >,
        #[graphql(desc = "Returns the first n blocs.")] first: Option<i32>,
        #[graphql(desc = "Returns the blocs after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n blocs.")] last: Option<i32>,
        #[graphql(desc = "Returns the blocs before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Bloc>> {
        async move {
            let window = window(resolve::config(ctx)?, first, after, last, before)?;
            let scope = Scope::link(agreement_bloc_party::Column::BlocId, agreement_bloc_party::Column::AgreementId);
            let listing = listing(filter.as_deref(), BlocOrder::keys(order_by), scope);
            resolve::nested::<bloc::Entity, _>(ctx, self.0.id, listing, window, Bloc).await
        }
        .boxed()
        .await
    }

    /// Flows under the agreement.
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
        nested_flows(ctx, self.0.id, flow::Column::AgreementId, filter, order_by, window).await
    }

    /// Sectors the agreement covers, where known.
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
            let scope = Scope::link(agreement_sector::Column::SectorId, agreement_sector::Column::AgreementId);
            let listing = listing(filter.as_deref(), SectorOrder::keys(None), scope);
            resolve::nested::<sector::Entity, _>(ctx, self.0.id, listing, window, |m| Sector(Arc::new(m))).await
        }
        .boxed()
        .await
    }

    /// The dataset the agreement came from: cite it with its `citation`.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// Which agreements to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AgreementFilter {
    /// Full-text search of the title: all the words, in any order, case and accents
    /// ignored, each word also in its other forms ("railways" finds "railway", "becas"
    /// "beca"); `"a phrase"`, `word*` for words that start so, `OR` between two, `-word` to
    /// leave out. At most 256 characters and 16 words.
    pub text: Option<String>,
    /// The subquery of the ids the `text` search matches, once prepared.
    #[graphql(skip)]
    pub text_matching: Option<Box<SelectStatement>>,
    /// Any of these kinds.
    pub kind: Option<Vec<AgreementKind>>,
    /// Any of these statuses.
    pub status: Option<Vec<AgreementStatus>>,
    /// Year signed within this range.
    pub signed_year: Option<IntRange>,
    /// At least one party matches this filter.
    pub party: Option<CountryFilter>,
    /// All parties of the South, countries and blocs, at least two countries' worth (true;
    /// see `Agreement.southSouth`), or not (false).
    pub south_south: Option<bool>,
    /// From any of the sources with these keys.
    pub source: Option<Vec<String>>,
    /// All of these filters must match too.
    pub and: Option<Vec<AgreementFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<AgreementFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<AgreementFilter>>,
}

/// `agreement.id IN (SELECT agreement_id FROM agreement_party WHERE country_id IN (…))`.
fn with_party(countries: &CountryFilter) -> Condition {
    let parties = column_where::<agreement_party::Entity, _>(
        agreement_party::Column::AgreementId,
        in_countries(agreement_party::Column::CountryId, countries),
    );
    Condition::all().add(agreement::Column::Id.in_subquery(parties))
}

impl ToCondition for AgreementFilter {
    fn condition(&self) -> Condition {
        use agreement::Column;
        let mut condition = Condition::all();
        if let Some(text) = text_condition(self.text.as_ref(), self.text_matching.as_deref(), Column::Id) {
            condition = condition.add(text);
        }
        if let Some(kinds) = &self.kind {
            condition = condition.add(Column::Kind.is_in(kinds.iter().map(|kind| entity::AgreementKind::from(*kind))));
        }
        if let Some(statuses) = &self.status {
            condition = condition
                .add(Column::Status.is_in(statuses.iter().map(|status| entity::AgreementStatus::from(*status))));
        }
        if let Some(range) = self.signed_year {
            condition = in_range(condition, Column::SignedYear, range.gte, range.lte);
        }
        if let Some(party) = &self.party {
            condition = condition.add(with_party(party));
        }
        if let Some(south_south) = self.south_south {
            let rule = Expr::cust(rules::AGREEMENT_SOUTH_SOUTH);
            condition = condition.add(if south_south { rule } else { rule.not() });
        }
        if let Some(keys) = &self.source {
            condition = condition.add(from_sources(Column::SourceId, keys));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

impl CountryCodes for AgreementFilter {
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter)) {
        if let Some(party) = &mut self.party {
            party.visit_countries(visit);
        }
        visit_logical(&mut self.and, &mut self.or, &mut self.not, visit);
    }

    fn visit_texts(&mut self, visit: &mut TextVisitor<'_>) {
        if let Some(text) = &self.text {
            visit(seed::search::kind::AGREEMENT, text, &mut self.text_matching);
        }
        visit_logical_texts(&mut self.and, &mut self.or, &mut self.not, visit);
    }
}

/// What agreements can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgreementOrderField {
    /// Year signed.
    SignedYear,
    /// Year in force.
    InForceYear,
    /// Title.
    Title,
}

/// One sort key for agreements.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct AgreementOrder {
    /// What to sort by.
    pub field: AgreementOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl AgreementOrder {
    /// Sort keys of an ordering (import order when none is given).
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        sort_keys(orders, |order| {
            let column = match order.field {
                AgreementOrderField::SignedYear => agreement::Column::SignedYear,
                AgreementOrderField::InForceYear => agreement::Column::InForceYear,
                AgreementOrderField::Title => agreement::Column::Title,
            };
            (Expr::col((agreement::Entity, column)), order.direction.into())
        })
    }
}

/// Root fields for agreements.
#[derive(Default)]
pub struct AgreementQuery;

#[Object]
impl AgreementQuery {
    /// An agreement by its source's key and its reference there; null when unknown.
    async fn agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's key, for example `desta-2.02`.")] source: String,
        #[graphql(desc = "The agreement's reference in that source.")] reference: String,
    ) -> ApiResult<Option<Agreement>> {
        let found = lookup::agreements_by_refs(resolve::db(ctx)?, &[(&source, &reference)]).await?;
        Ok(found.into_iter().next().map(Agreement))
    }

    /// Agreements between countries.
    #[allow(clippy::too_many_arguments)]
    async fn agreements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter.")] filter: Option<AgreementFilter>,
        #[graphql(desc = "Sort order; ties are broken by the agreement's ID.")] order_by: Option<Vec<AgreementOrder>>,
        #[graphql(desc = "Returns the first n agreements.")] first: Option<i32>,
        #[graphql(desc = "Returns the agreements after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n agreements.")] last: Option<i32>,
        #[graphql(desc = "Returns the agreements before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Agreement>> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = listing(filter.as_ref(), AgreementOrder::keys(order_by), Scope::All);
        resolve::root::<agreement::Entity, _>(ctx, listing, window, Agreement).await
    }
}
