//! `agreementStats`: agreements counted by year, kind, status, scope, party, region or
//! source.

use async_graphql::{Context, Enum, Object};
use entity::{country, source};
use sea_orm::ActiveEnum;

use super::{condition, group_limit};
use crate::{
    error::ApiResult,
    graphql::{
        agreement::{AgreementFilter, AgreementKind, AgreementScope, AgreementStatus},
        chart::{Axis, Chart, ChartData, axes, chart_of, points},
        country::Country,
        resolve,
        source::Source,
    },
    repo::{
        aggregate::Group,
        stats::{agreements, flows::KeyLabel},
    },
};

/// What agreements can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::repo::stats::agreements::AgreementDimension")]
pub enum AgreementDimension {
    /// Year signed.
    SignedYear,
    /// Kind.
    Kind,
    /// Status.
    Status,
    /// Bilateral, sub-regional, regional or inter-regional.
    Scope,
    /// A party (an agreement counts once for each of its parties).
    Party,
    /// A party's UN M49 region (an agreement counts once per region of its parties).
    PartyRegion,
    /// The dataset.
    Source,
}

/// One group of agreements. Only the keys grouped by are set.
pub struct AgreementStats(Group<agreements::AgreementDimension, i64>);

/// One group of agreements. Only the keys grouped by are set.
#[Object]
impl AgreementStats {
    /// Year signed.
    async fn signed_year(&self) -> Option<i32> {
        self.0.id(agreements::AgreementDimension::SignedYear)
    }

    /// Kind.
    async fn kind(&self) -> Option<AgreementKind> {
        let text = self.0.text(agreements::AgreementDimension::Kind)?;
        entity::AgreementKind::try_from_value(&text.to_owned()).ok().map(Into::into)
    }

    /// Status.
    async fn status(&self) -> Option<AgreementStatus> {
        let text = self.0.text(agreements::AgreementDimension::Status)?;
        entity::AgreementStatus::try_from_value(&text.to_owned()).ok().map(Into::into)
    }

    /// Scope.
    async fn scope(&self) -> Option<AgreementScope> {
        self.0.text(agreements::AgreementDimension::Scope).and_then(AgreementScope::from_sql)
    }

    /// A party.
    async fn party(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        let party = self.0.id(agreements::AgreementDimension::Party);
        Ok(resolve::optional::<country::Entity>(ctx, party).await?.map(Country))
    }

    /// A party's UN M49 region.
    async fn party_region(&self) -> Option<&str> {
        self.0.text(agreements::AgreementDimension::PartyRegion)
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        let source = self.0.id(agreements::AgreementDimension::Source);
        Ok(resolve::optional::<source::Entity>(ctx, source).await?.map(Source))
    }

    /// Number of distinct agreements.
    async fn count(&self) -> i64 {
        self.0.measures
    }
}

/// The groups of `agreementStats`, their sources noted.
async fn groups(
    ctx: &Context<'_>,
    filter: Option<AgreementFilter>,
    group_by: &[agreements::AgreementDimension],
    first: Option<i32>,
    with_ties: bool,
) -> ApiResult<Vec<Group<agreements::AgreementDimension, i64>>> {
    let filter = resolve::with_country_ids(ctx, filter).await?;
    let limit = group_limit(first)?;
    let db = resolve::db(ctx)?;
    let groups = agreements::agreement_stats(db, condition(filter.as_ref()), group_by, limit, with_ties).await?;
    resolve::cite(ctx, groups.iter().flat_map(|group| group.sources.iter().copied()));
    Ok(groups)
}

/// What an agreement group's key refers to.
fn refers(dimension: agreements::AgreementDimension) -> KeyLabel {
    match dimension {
        agreements::AgreementDimension::Party => KeyLabel::Country,
        agreements::AgreementDimension::Source => KeyLabel::Source,
        _ => KeyLabel::Plain,
    }
}

/// Root fields `agreementStats` and `agreementStatsChart`.
#[derive(Default)]
pub struct AgreementStatsQuery;

#[Object]
impl AgreementStatsQuery {
    /// Agreements counted by the given dimensions, computed in the database; largest
    /// groups first.
    async fn agreement_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter.")] filter: Option<AgreementFilter>,
        #[graphql(desc = "The dimensions to group by.")] group_by: Vec<AgreementDimension>,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(
            desc = "Also the groups tied with the last one kept (SQL's `FETCH FIRST … WITH TIES`): `first: 10` may then give more than ten, at most 1000. Without it a tie at the cut is split by the keys' order.",
            default
        )]
        with_ties: bool,
    ) -> ApiResult<Vec<AgreementStats>> {
        let group_by: Vec<agreements::AgreementDimension> = group_by.into_iter().map(Into::into).collect();
        let groups = groups(ctx, filter, &group_by, first, with_ties).await?;
        Ok(groups.into_iter().map(AgreementStats).collect())
    }

    /// The groups of `agreementStats` as a chart of their counts: categories by the first
    /// dimension, series by the second (at most two).
    async fn agreement_stats_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements that match this filter.")] filter: Option<AgreementFilter>,
        #[graphql(desc = "The dimensions to group by: categories, then series.")] group_by: Vec<AgreementDimension>,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
    ) -> ApiResult<Chart> {
        let group_by: Vec<agreements::AgreementDimension> = group_by.into_iter().map(Into::into).collect();
        let (category, series) = axes(&group_by, "All agreements")?;
        chart_of(ctx, async {
            let groups = groups(ctx, filter, &group_by, first, false).await?;
            let labelled: Vec<_> = group_by.iter().map(|dimension| (*dimension, refers(*dimension))).collect();
            let (points, scale) = points(ctx, &groups, &labelled, "All agreements", |count| *count as f64).await?;
            let title = format!("Agreements by {}", category.title.to_lowercase());
            let value = Axis { field: "count".into(), title: "Number of agreements".into() };
            Ok(ChartData::new(title, category, scale, series, value, false, points))
        })
        .await
    }
}
