//! `exchangeStats`: exchanges counted and summed by kind, provider, partner, partner
//! region, year or source.

use async_graphql::{Context, Enum, Object};
use entity::{country, source};
use sea_orm::ActiveEnum;

use super::{condition, group_limit};
use crate::{
    error::ApiResult,
    graphql::{
        country::Country,
        exchange::{ExchangeFilter, ExchangeKind},
        resolve,
        source::Source,
    },
    repo::{
        aggregate::Group,
        stats::exchanges::{self, ExchangeTotals},
    },
};

/// What exchanges can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::repo::stats::exchanges::ExchangeDimension")]
pub enum ExchangeDimension {
    /// What is counted. Group by it whenever several kinds are summed: a visit and a
    /// student are not the same unit.
    Kind,
    /// The provider.
    Provider,
    /// The partner.
    Partner,
    /// UN M49 region of the partner.
    PartnerRegion,
    /// The year.
    Year,
    /// The dataset.
    Source,
}

/// One group of exchanges. Only the keys grouped by are set.
pub struct ExchangeStats(Group<exchanges::ExchangeDimension, ExchangeTotals>);

impl ExchangeStats {
    async fn country(&self, ctx: &Context<'_>, dimension: exchanges::ExchangeDimension) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.0.id(dimension)).await?.map(Country))
    }
}

/// One group of exchanges. Only the keys grouped by are set.
#[Object]
impl ExchangeStats {
    /// What is counted.
    async fn kind(&self) -> Option<ExchangeKind> {
        let text = self.0.text(exchanges::ExchangeDimension::Kind)?;
        entity::ExchangeKind::try_from_value(&text.to_owned()).ok().map(Into::into)
    }

    /// The provider.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, exchanges::ExchangeDimension::Provider).await
    }

    /// The partner.
    async fn partner(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, exchanges::ExchangeDimension::Partner).await
    }

    /// UN M49 region of the partner.
    async fn partner_region(&self) -> Option<&str> {
        self.0.text(exchanges::ExchangeDimension::PartnerRegion)
    }

    /// The year.
    async fn year(&self) -> Option<i32> {
        self.0.id(exchanges::ExchangeDimension::Year)
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        let source = self.0.id(exchanges::ExchangeDimension::Source);
        Ok(resolve::optional::<source::Entity>(ctx, source).await?.map(Source))
    }

    /// Number of exchange records (country-year counts of one kind) in the group.
    async fn records(&self) -> i64 {
        self.0.measures.records
    }

    /// The sum of their counts.
    async fn total(&self) -> i64 {
        self.0.measures.total
    }
}

/// Root field `exchangeStats`.
#[derive(Default)]
pub struct ExchangeStatsQuery;

#[Object]
impl ExchangeStatsQuery {
    /// Exchanges summed by the given dimensions, computed in the database; largest totals
    /// first.
    async fn exchange_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only exchanges that match this filter.")] filter: Option<ExchangeFilter>,
        #[graphql(desc = "The dimensions to group by (include `KIND` unless the filter picks one kind).")]
        group_by: Vec<ExchangeDimension>,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(
            desc = "Also the groups tied with the last one kept (SQL's `FETCH FIRST … WITH TIES`): `first: 10` may then give more than ten, at most 1000. Without it a tie at the cut is split by the keys' order.",
            default
        )]
        with_ties: bool,
    ) -> ApiResult<Vec<ExchangeStats>> {
        let filter = resolve::with_country_ids(ctx, filter).await?;
        let limit = group_limit(first)?;
        let group_by: Vec<exchanges::ExchangeDimension> = group_by.into_iter().map(Into::into).collect();
        let groups =
            exchanges::exchange_stats(resolve::db(ctx)?, condition(filter.as_ref()), &group_by, limit, with_ties)
                .await?;
        resolve::cite(ctx, groups.iter().flat_map(|group| group.sources.iter().copied()));
        Ok(groups.into_iter().map(ExchangeStats).collect())
    }
}
