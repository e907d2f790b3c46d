//! Flows: the `Flow` type, its filter and ordering, and the root fields.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object};
use entity::{agreement, country, flow, flow_repeat, sector, source};
use futures::{FutureExt, future::BoxFuture};
use sea_orm::{
    ColumnTrait, Order,
    sea_query::{Condition, Expr, ExprTrait, IntoIden, Query, SelectStatement},
};

use super::{
    agreement::Agreement,
    batch::Batcher,
    connection::{NodeConnection, window},
    country::{Country, CountryCodes, CountryFilter, in_countries, visit_logical, visit_logical_texts},
    dollars::dollars_of,
    filter::{
        FloatRange, IntRange, OrderDirection, TextVisitor, ToCondition, from_sources, in_range, listing, logical,
        sort_keys, text_condition,
    },
    id::NodeKey,
    loaders::{FlowCodes, RepeatOf, SouthSouthFlows},
    resolve,
    sector::{Sector, SectorFilter, sectors_where},
    source::Source,
};
use crate::{
    error::ApiResult,
    repo::{
        lookup,
        page::{Listing, Scope, Window},
        rules,
        stats::flows::FlowSet,
    },
};

/// What moves in a flow, common to all datasets; `Flow.flowType` keeps the source's label.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::FlowKind")]
pub enum FlowKind {
    /// A grant: money or goods given without repayment.
    Grant,
    /// A loan to be repaid, concessional or not.
    Loan,
    /// An export or supplier credit.
    ExportCredit,
    /// Debt forgiven or rescheduled.
    DebtRelief,
    /// Technical assistance or cooperation: experts, teams, know-how.
    TechnicalAssistance,
    /// Scholarships and training in the provider country.
    Scholarship,
    /// An equity investment.
    Equity,
    /// Exports of goods from the provider to the recipient.
    Trade,
    /// A flow whose kind the source leaves vague or unspecified.
    Unspecified,
}

/// A flow from a provider to a recipient: a financed project, a technical cooperation
/// action, or a year of exports.
pub struct Flow(pub flow::Model);

/// A flow from a provider to a recipient: a financed project, a technical cooperation
/// action, or a year of exports.
#[Object]
impl Flow {
    /// Opaque, stable global ID.
    pub async fn id(&self, ctx: &Context<'_>) -> ApiResult<async_graphql::ID> {
        let source = resolve::required::<source::Entity>(ctx, self.0.source_id).await?;
        Ok(NodeKey::Flow(source.key.clone(), self.0.r#ref.clone()).encode())
    }

    /// The flow's reference in its source (AidData's `project_id` …).
    async fn reference(&self) -> &str {
        &self.0.r#ref
    }

    /// The providing country.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Country> {
        resolve::required::<country::Entity>(ctx, self.0.provider_id).await.map(Country)
    }

    /// The recipient country; null for regional or unallocated flows (see `recipientLabel`).
    async fn recipient(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.0.recipient_id).await?.map(Country))
    }

    /// The source's name for the recipient when it is not one country ("Africa, regional").
    async fn recipient_label(&self) -> Option<&str> {
        self.0.recipient_label.as_deref()
    }

    /// Year of commitment (or of trade).
    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// What moves, in the common kinds.
    async fn kind(&self) -> FlowKind {
        self.0.kind.into()
    }

    /// The source's own flow type ("Loan (excluding debt rescheduling)" …).
    async fn flow_type(&self) -> Option<&str> {
        self.0.flow_type.as_deref()
    }

    /// The source's own flow class ("ODA-like", "OOF-like" …).
    async fn flow_class(&self) -> Option<&str> {
        self.0.flow_class.as_deref()
    }

    /// Amount in current US dollars, as published.
    async fn amount_usd_current(&self) -> Option<f64> {
        self.0.amount_usd_current
    }

    /// Amount in constant US dollars of `constantBaseYear`, as published.
    async fn amount_usd_constant(&self) -> Option<f64> {
        self.0.amount_usd_constant
    }

    /// Base year of `amountUsdConstant`.
    async fn constant_base_year(&self) -> Option<i32> {
        self.0.constant_base_year
    }

    /// Amount in real US dollars of `baseYear` by the U.S. CPI-U, the same basis for every
    /// source: `amountUsdCurrent` times the index of `baseYear` over the index of `year`;
    /// for a flow with a constant amount only (`amountRebased`), `amountUsdConstant` rebased
    /// from `constantBaseYear` the same way. Null without an amount, or for a year outside
    /// the series.
    async fn amount_usd_real(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dollars of this year (default: the latest year of the CPI-U series).")] base_year: Option<
            i32,
        >,
    ) -> ApiResult<Option<f64>> {
        async move {
            let dollars = dollars_of(ctx, base_year).await?;
            Ok(self.0.amount_usd_real.map(|amount| dollars.of(amount)))
        }
        .boxed()
        .await
    }

    /// Whether `amountUsdReal` is the publisher's constant amount rebased (the flow has no
    /// current amount), rather than its current amount deflated.
    async fn amount_rebased(&self) -> bool {
        self.0.amount_usd_current.is_none() && self.0.amount_usd_real.is_some()
    }

    /// The sector, at the level the source codes it.
    async fn sector(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        Ok(resolve::optional::<sector::Entity>(ctx, self.0.sector_id).await?.map(Sector))
    }

    /// The agreement the flow belongs to, where known.
    async fn agreement(&self, ctx: &Context<'_>) -> ApiResult<Option<Agreement>> {
        Ok(resolve::optional::<agreement::Entity>(ctx, self.0.agreement_id)
            .await?
            .map(|m| Agreement(Arc::unwrap_or_clone(m))))
    }

    /// Title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Status in the source's words ("Completion", "Pipeline: Pledge" …).
    async fn status(&self) -> Option<&str> {
        self.0.status.as_deref()
    }

    /// Start date (ISO 8601).
    async fn start_date(&self) -> Option<String> {
        self.0.start_on.map(|date| date.to_string())
    }

    /// End date (ISO 8601).
    async fn end_date(&self) -> Option<String> {
        self.0.end_on.map(|date| date.to_string())
    }

    /// Whether the source recommends the record for research (AidData's flag).
    async fn recommended_for_research(&self) -> Option<bool> {
        self.0.recommended_for_research
    }

    /// Whether provider and recipient are both of the South; null when the recipient is
    /// not one country.
    async fn south_south(&self, ctx: &Context<'_>) -> ApiResult<Option<bool>> {
        async move {
            if self.0.recipient_id.is_none() {
                return Ok(None);
            }
            let loader = resolve::state::<Batcher<SouthSouthFlows>>(ctx)?;
            Ok(loader.load_one(self.0.id).await?)
        }
        .boxed()
        .await
    }

    /// The codes the flow's source gives it from IATI code lists (FlowType, AidType,
    /// FinanceType, CollaborationType, TiedStatus, ActivityStatus, and TransactionType 2 when
    /// the amount sums commitments), with the lists' names for them; empty for sources
    /// without such codes (AidData's files name their flow types in words: `flowType`).
    /// The code lists are cited in `extensions.sources`.
    async fn codes(&self, ctx: &Context<'_>) -> ApiResult<Vec<FlowCode>> {
        async move {
            let loader = resolve::state::<Batcher<FlowCodes>>(ctx)?;
            let codes = loader.load_one(self.0.id).await?.unwrap_or_default();
            resolve::cite(ctx, codes.iter().filter_map(|code| code.item.as_ref().map(|item| item.source_id)));
            Ok(codes.iter().cloned().map(FlowCode).collect())
        }
        .boxed()
        .await
    }

    /// The flow of another source that this one repeats (the same AidData project in GCOF
    /// and in China's Public Diplomacy); null for most flows. Aggregates leave repeats out
    /// unless their filter says `repeats`.
    async fn repeat_of(&self, ctx: &Context<'_>) -> ApiResult<Option<Flow>> {
        async move {
            let repeated = resolve::state::<Batcher<RepeatOf>>(ctx)?.load_one(self.0.id).await?;
            Ok(resolve::optional::<flow::Entity>(ctx, repeated).await?.map(|m| Flow(Arc::unwrap_or_clone(m))))
        }
        .boxed()
        .await
    }

    /// The dataset the flow came from: cite it with its `citation`.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Source> {
        resolve::required::<source::Entity>(ctx, self.0.source_id).await.map(Source)
    }
}

/// Which flows to include. All given conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct FlowFilter {
    /// Full-text search of the title, description and recipient label: all the words, in any order, case and accents
    /// ignored, each word also in its other forms ("railways" finds "railway", "becas"
    /// "beca"); `"a phrase"`, `word*` for words that start so, `OR` between two, `-word` to
    /// leave out. At most 256 characters and 16 words.
    pub text: Option<String>,
    /// The subquery of the ids the `text` search matches, once prepared.
    #[graphql(skip)]
    pub text_matching: Option<Box<SelectStatement>>,
    /// Year of commitment within this range.
    pub year: Option<IntRange>,
    /// Provider matches this filter.
    pub provider: Option<CountryFilter>,
    /// Recipient matches this filter (flows without a recipient country never match).
    pub recipient: Option<CountryFilter>,
    /// Whether the flow has a recipient country (false: regional or unallocated).
    pub has_recipient: Option<bool>,
    /// Sector matches this filter (use `under` for a category and all codes below it).
    pub sector: Option<SectorFilter>,
    /// Any of these kinds.
    pub kind: Option<Vec<FlowKind>>,
    /// Amount in current US dollars within this range.
    pub amount_usd_current: Option<FloatRange>,
    /// Amount in constant US dollars within this range.
    pub amount_usd_constant: Option<FloatRange>,
    /// Provider and recipient both of the South (true), or a recipient country and not
    /// both of the South (false).
    pub south_south: Option<bool>,
    /// Recommended for research by the source (AidData's flag).
    pub recommended_for_research: Option<bool>,
    /// From any of the sources with these keys.
    pub source: Option<Vec<String>>,
    /// Whether the flow repeats a flow of another source (`repeatOf`: the same AidData
    /// project in GCOF and in China's Public Diplomacy): true only repeats, false none.
    /// Lists include repeats unless this says otherwise; aggregates leave them out, so that
    /// a project counts once, unless their filter says `repeats` somewhere (`or: [{repeats:
    /// true}, {repeats: false}]` counts both).
    pub repeats: Option<bool>,
    /// All of these filters must match too.
    pub and: Option<Vec<FlowFilter>>,
    /// At least one of these filters must match too.
    pub or: Option<Vec<FlowFilter>>,
    /// This filter must not match: exactly the rows it does not match, rows with nulls
    /// included (a range leaves out rows without a value; its `not` has them), so that `X` and
    /// `not: X` together are every row.
    pub not: Option<Box<FlowFilter>>,
}

/// A code a flow's source gives it, from an IATI code list.
pub struct FlowCode(lookup::FlowCode);

/// A code a flow's source gives it, from an IATI code list.
#[Object]
impl FlowCode {
    /// The IATI code list, the code's vocabulary (`AidType`, `ActivityStatus` …).
    async fn vocabulary(&self) -> &str {
        &self.0.list
    }

    /// The code (`A01`, `110`, `2` …).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The list's name for the code; null when the list does not have the code.
    async fn name(&self) -> Option<&str> {
        self.0.item.as_ref().map(|item| item.name.as_str())
    }

    /// The list's description of the code.
    async fn description(&self) -> Option<&str> {
        self.0.item.as_ref().and_then(|item| item.description.as_deref())
    }

    /// Whether IATI has withdrawn the code (older files use it); null when the list does
    /// not have the code.
    async fn withdrawn(&self) -> Option<bool> {
        self.0.item.as_ref().map(|item| item.withdrawn)
    }
}

/// The flow's year, in which its countries' income groups are read.
const FLOW_YEAR: &str = "\"flow\".\"year\"";

/// Flows that repeat a flow of another source (`true`), or the others (`false`).
fn repeated(repeats: bool) -> Condition {
    let ids = Query::select().column(flow_repeat::Column::FlowId).from(flow_repeat::Entity).to_owned();
    let column = flow::Column::Id;
    Condition::all().add(if repeats { column.in_subquery(ids) } else { column.not_in_subquery(ids) })
}

/// Whether an aggregate follows the publishers' guidance on which rows to leave out of
/// totals (`Source.guidance`).
#[derive(Enum, Copy, Clone, Debug, Default, Eq, PartialEq)]
pub enum Guidance {
    /// Leave out the rows their publisher flags as not for research
    /// (`Flow.recommendedForResearch: false`): AidData's umbrella projects, pledges, and
    /// cancelled or suspended projects, which double count or never happened. Rows of
    /// sources without such a flag all count. A filter that says `recommendedForResearch`
    /// decides for itself.
    #[default]
    Follow,
    /// Count every row, flagged or not, as the files list them.
    Ignore,
}

/// Which family of flow kinds an aggregate counts: official finance and trade are
/// different things, and are not added unless asked.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum KindFamily {
    /// Every kind but trade: grants, loans, export credits, debt relief, equity, technical
    /// assistance, scholarships and unspecified official flows. The default.
    OfficialFinance,
    /// Trade (exports between countries) only.
    Trade,
    /// Both, added together: the default only when grouping by `KIND`, which keeps them
    /// apart.
    All,
}

/// How an aggregate over flows reads them beyond its filter.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct AggregateRules {
    /// The publishers' guidance on rows to leave out of totals.
    pub guidance: Guidance,
    /// The kinds counted, as asked (`kindFamily`).
    pub family: Option<KindFamily>,
    /// Whether the aggregate groups by kind.
    pub by_kind: bool,
}

impl AggregateRules {
    /// The rules of an aggregate.
    pub fn new(guidance: Guidance, family: Option<KindFamily>, by_kind: bool) -> Self {
        Self { guidance, family, by_kind }
    }
}

/// What an aggregate's condition left out or let in beyond its filter, for its caveats.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct AggregateScope {
    /// Whether the guidance decided on flagged rows (the filter did not say
    /// `recommendedForResearch`).
    pub guided: bool,
    /// The kinds counted: the family asked for; else every kind when the aggregate groups
    /// by kind or its filter says which kinds it wants (`kind` somewhere); else official
    /// finance.
    pub family: KindFamily,
    /// Whether the family was asked for (`kindFamily`), rather than chosen so.
    pub asked: bool,
}

impl FlowFilter {
    /// The flows an aggregate counts: the filter's; repeats of other sources' flows left
    /// out unless the filter says `repeats` somewhere; following the publishers' guidance,
    /// their flagged rows left out unless the filter says `recommendedForResearch`
    /// somewhere; and only the kinds of the rules' family. When that is official finance
    /// and the filter reads only what `flow_total` keeps ([`Self::reads_only_totals`]), the
    /// same condition on the stored totals too, which hold no repeats.
    pub fn aggregate_condition(filter: Option<&Self>, rules: AggregateRules) -> (FlowSet, AggregateScope) {
        let mut condition = filter.map_or_else(Condition::all, ToCondition::condition);
        let decides = filter.is_some_and(|filter| filter.mentions(&|filter| filter.recommended_for_research.is_some()));
        if rules.guidance == Guidance::Follow && !decides {
            let flag = flow::Column::RecommendedForResearch;
            condition = condition.add(Condition::any().add(flag.is_null()).add(flag.eq(true)));
        }
        let names_kinds = filter.is_some_and(|filter| filter.mentions(&|filter| filter.kind.is_some()));
        let family = rules.family.unwrap_or(if rules.by_kind || names_kinds {
            KindFamily::All
        } else {
            KindFamily::OfficialFinance
        });
        // Official finance as every kind but trade: one comparison per row, against the
        // kind the covering indexes hold.
        match family {
            KindFamily::OfficialFinance => condition = condition.add(flow::Column::Kind.ne(entity::FlowKind::Trade)),
            KindFamily::Trade => condition = condition.add(flow::Column::Kind.eq(entity::FlowKind::Trade)),
            KindFamily::All => {}
        }
        let totals = (family == KindFamily::OfficialFinance && filter.is_none_or(Self::reads_only_totals))
            .then(|| condition.clone());
        if !filter.is_some_and(|filter| filter.mentions(&|filter| filter.repeats.is_some())) {
            condition = condition.add(repeated(false));
        }
        let scope = AggregateScope { guided: !decides, family, asked: rules.family.is_some() };
        (FlowSet { flows: condition, totals }, scope)
    }

    /// Whether the filter reads only columns that `flow_total` keeps: the year, the
    /// provider (and its income group in the flow's year), the kind, the source and the
    /// research flag, and says nothing of repeats, which the totals leave out.
    fn reads_only_totals(&self) -> bool {
        let Self {
            text,
            text_matching,
            year: _,
            provider: _,
            recipient,
            has_recipient,
            sector,
            kind: _,
            amount_usd_current,
            amount_usd_constant,
            south_south,
            recommended_for_research: _,
            source: _,
            repeats,
            and,
            or,
            not,
        } = self;
        text.is_none()
            && text_matching.is_none()
            && recipient.is_none()
            && has_recipient.is_none()
            && sector.is_none()
            && amount_usd_current.is_none()
            && amount_usd_constant.is_none()
            && south_south.is_none()
            && repeats.is_none()
            && and.iter().chain(or).flatten().all(Self::reads_only_totals)
            && not.as_deref().is_none_or(Self::reads_only_totals)
    }

    /// Whether the filter, or one inside it, says what `says` looks for.
    fn mentions(&self, says: &dyn Fn(&Self) -> bool) -> bool {
        says(self)
            || self.and.iter().chain(&self.or).flatten().any(|inner| inner.mentions(says))
            || self.not.as_deref().is_some_and(|inner| inner.mentions(says))
    }
}

impl ToCondition for FlowFilter {
    fn condition(&self) -> Condition {
        use flow::Column;
        let mut condition = Condition::all();
        if let Some(text) = text_condition(self.text.as_ref(), self.text_matching.as_deref(), Column::Id) {
            condition = condition.add(text);
        }
        if let Some(range) = self.year {
            condition = in_range(condition, Column::Year, range.gte, range.lte);
        }
        if let Some(provider) = &self.provider {
            condition = condition.add(in_countries(Column::ProviderId, &provider.with_income_year(FLOW_YEAR)));
        }
        if let Some(recipient) = &self.recipient {
            condition = condition.add(in_countries(Column::RecipientId, &recipient.with_income_year(FLOW_YEAR)));
        }
        if let Some(has) = self.has_recipient {
            condition =
                condition.add(if has { Column::RecipientId.is_not_null() } else { Column::RecipientId.is_null() });
        }
        if let Some(sector) = &self.sector {
            condition = condition.add(Column::SectorId.in_subquery(sectors_where(sector)));
        }
        if let Some(kinds) = &self.kind {
            condition = condition.add(Column::Kind.is_in(kinds.iter().map(|kind| entity::FlowKind::from(*kind))));
        }
        if let Some(range) = self.amount_usd_current {
            condition = in_range(condition, Column::AmountUsdCurrent, range.gte, range.lte);
        }
        if let Some(range) = self.amount_usd_constant {
            condition = in_range(condition, Column::AmountUsdConstant, range.gte, range.lte);
        }
        if let Some(south_south) = self.south_south {
            let rule = Expr::cust(rules::FLOW_SOUTH_SOUTH);
            condition = condition.add(if south_south {
                Condition::all().add(rule)
            } else {
                Condition::all().add(Column::RecipientId.is_not_null()).add(rule.not())
            });
        }
        if let Some(recommended) = self.recommended_for_research {
            condition = condition.add(Column::RecommendedForResearch.eq(recommended));
        }
        if let Some(keys) = &self.source {
            condition = condition.add(from_sources(Column::SourceId, keys));
        }
        if let Some(repeats) = self.repeats {
            condition = condition.add(repeated(repeats));
        }
        logical(condition, &self.and, &self.or, &self.not)
    }
}

impl CountryCodes for FlowFilter {
    fn visit_countries(&mut self, visit: &mut dyn FnMut(&mut CountryFilter)) {
        for country in [&mut self.provider, &mut self.recipient].into_iter().flatten() {
            country.visit_countries(visit);
        }
        visit_logical(&mut self.and, &mut self.or, &mut self.not, visit);
    }

    fn visit_texts(&mut self, visit: &mut TextVisitor<'_>) {
        if let Some(text) = &self.text {
            visit(seed::search::kind::FLOW, text, &mut self.text_matching);
        }
        visit_logical_texts(&mut self.and, &mut self.or, &mut self.not, visit);
    }
}

/// The flow columns that one field of `Flow` alone reads, with that field: a list of flows
/// reads them only when its nodes select the field. They hold the long texts, which cost
/// the database the most to read and send.
const FIELD_COLUMNS: [(flow::Column, &str); 8] = [
    (flow::Column::RecipientLabel, "recipientLabel"),
    (flow::Column::FlowType, "flowType"),
    (flow::Column::FlowClass, "flowClass"),
    (flow::Column::Title, "title"),
    (flow::Column::Description, "description"),
    (flow::Column::Status, "status"),
    (flow::Column::StartOn, "startDate"),
    (flow::Column::EndOn, "endDate"),
];

/// The listing of the flows `filter` matches, in the order of `order_by`, per `scope`, for
/// the connection being resolved: it reads the columns of [`FIELD_COLUMNS`] only when the
/// connection's nodes (under `nodes` or `edges`, fragments included) select their field.
fn flow_listing(
    ctx: &Context<'_>,
    filter: Option<&FlowFilter>,
    order_by: Option<Vec<FlowOrder>>,
    scope: Scope,
) -> Listing {
    let connection = ctx.look_ahead();
    let mut nodes = connection.field("nodes").selection_fields();
    nodes.extend(connection.field("edges").field("node").selection_fields());
    // One pass over the nodes' fields, rather than a look-ahead per column.
    let mut read = [false; FIELD_COLUMNS.len()];
    for field in nodes.iter().flat_map(|node| node.selection_set()) {
        if let Some(at) = FIELD_COLUMNS.iter().position(|(_, name)| *name == field.name()) {
            read[at] = true;
        }
    }
    let mut listing = listing(filter, FlowOrder::keys(order_by), scope);
    listing.unread =
        FIELD_COLUMNS.iter().zip(read).filter(|(_, read)| !read).map(|((column, _), _)| column.into_iden()).collect();
    listing
}

/// The page of the flows whose `column` holds `parent` that `filter`, `order_by` and
/// `window` ask for: `Country.flowsProvided` and `flowsReceived`, `Sector.flows` and
/// `Agreement.flows`. Boxed, so that the field futures of those types stay small (see
/// [`resolve`]).
pub fn nested_flows<'a>(
    ctx: &'a Context<'_>,
    parent: i32,
    column: flow::Column,
    filter: Option<Box<FlowFilter>>,
    order_by: Option<Vec<FlowOrder>>,
    window: Window,
) -> BoxFuture<'a, ApiResult<NodeConnection<Flow>>> {
    async move {
        let filter = resolve::with_country_ids(ctx, filter.map(|filter| *filter)).await?;
        let listing = flow_listing(ctx, filter.as_ref(), order_by, Scope::column(column));
        resolve::nested::<flow::Entity, _>(ctx, parent, listing, window, Flow).await
    }
    .boxed()
}

/// What flows can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowOrderField {
    /// Year of commitment.
    Year,
    /// Amount in current US dollars.
    AmountUsdCurrent,
    /// Amount in constant US dollars.
    AmountUsdConstant,
    /// Title.
    Title,
}

/// One sort key for flows.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct FlowOrder {
    /// What to sort by.
    pub field: FlowOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl FlowOrder {
    /// Sort keys of an ordering (import order when none is given).
    pub fn keys(orders: Option<Vec<Self>>) -> Vec<(Expr, Order)> {
        sort_keys(orders, |order| {
            let column = match order.field {
                FlowOrderField::Year => flow::Column::Year,
                FlowOrderField::AmountUsdCurrent => flow::Column::AmountUsdCurrent,
                FlowOrderField::AmountUsdConstant => flow::Column::AmountUsdConstant,
                FlowOrderField::Title => flow::Column::Title,
            };
            (Expr::col((flow::Entity, column)), order.direction.into())
        })
    }
}

/// Root fields for flows.
#[derive(Default)]
pub struct FlowQuery;

#[Object]
impl FlowQuery {
    /// A flow by its source's key and its reference there; null when unknown.
    async fn flow(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's key, for example `aiddata-gcof-1.0`.")] source: String,
        #[graphql(desc = "The flow's reference in that source.")] reference: String,
    ) -> ApiResult<Option<Flow>> {
        let flows = lookup::flows_by_refs(resolve::db(ctx)?, &[(&source, &reference)]).await?;
        Ok(flows.into_iter().next().map(Flow))
    }

    /// Flows of finance, technical cooperation and trade.
    #[allow(clippy::too_many_arguments)]
    async fn flows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only flows that match this filter.")] filter: Option<FlowFilter>,
        #[graphql(desc = "Sort order; ties are broken by the flow's ID.")] order_by: Option<Vec<FlowOrder>>,
        #[graphql(desc = "Returns the first n flows.")] first: Option<i32>,
        #[graphql(desc = "Returns the flows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n flows.")] last: Option<i32>,
        #[graphql(desc = "Returns the flows before this cursor.")] before: Option<String>,
    ) -> ApiResult<NodeConnection<Flow>> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let window = window(resolve::config(ctx)?, first, after, last, before)?;
        let listing = flow_listing(ctx, filter.as_ref(), order_by, Scope::All);
        resolve::root::<flow::Entity, _>(ctx, listing, window, Flow).await
    }
}
