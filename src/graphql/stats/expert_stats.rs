//! `expertStats`: experts counted by kind, home or host country, region, start year,
//! sector or source.

use async_graphql::{Context, Enum, Object};
use entity::{country, sector, source};
use sea_orm::ActiveEnum;

use super::{condition, group_limit};
use crate::{
    error::ApiResult,
    graphql::{
        chart::{Axis, Chart, ChartData, axes, chart_of, points},
        country::Country,
        expert::{ExpertFilter, ExpertKind},
        resolve,
        sector::Sector,
        source::Source,
    },
    repo::{
        aggregate::Group,
        stats::{
            experts::{self, ExpertCounts},
            flows::KeyLabel,
        },
    },
};

/// What experts can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::repo::stats::experts::ExpertDimension")]
pub enum ExpertDimension {
    /// Person, team or institution.
    Kind,
    /// Home country.
    HomeCountry,
    /// Host country of a deployment (an expert counts once per host).
    HostCountry,
    /// UN M49 region of a host country.
    HostRegion,
    /// First year of a deployment.
    StartYear,
    /// A sector the expert works in.
    Sector,
    /// The dataset.
    Source,
}

/// One group of experts. Only the keys grouped by are set.
pub struct ExpertStats(Group<experts::ExpertDimension, ExpertCounts>);

impl ExpertStats {
    async fn country(&self, ctx: &Context<'_>, dimension: experts::ExpertDimension) -> ApiResult<Option<Country>> {
        Ok(resolve::optional::<country::Entity>(ctx, self.0.id(dimension)).await?.map(Country))
    }
}

/// One group of experts. Only the keys grouped by are set.
#[Object]
impl ExpertStats {
    /// Person, team or institution.
    async fn kind(&self) -> Option<ExpertKind> {
        let text = self.0.text(experts::ExpertDimension::Kind)?;
        entity::ExpertKind::try_from_value(&text.to_owned()).ok().map(Into::into)
    }

    /// Home country.
    async fn home_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, experts::ExpertDimension::HomeCountry).await
    }

    /// Host country.
    async fn host_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        self.country(ctx, experts::ExpertDimension::HostCountry).await
    }

    /// UN M49 region of the host country.
    async fn host_region(&self) -> Option<&str> {
        self.0.text(experts::ExpertDimension::HostRegion)
    }

    /// First year of the deployments.
    async fn start_year(&self) -> Option<i32> {
        self.0.id(experts::ExpertDimension::StartYear)
    }

    /// A sector.
    async fn sector(&self, ctx: &Context<'_>) -> ApiResult<Option<Sector>> {
        let sector = self.0.id(experts::ExpertDimension::Sector);
        Ok(resolve::optional::<sector::Entity>(ctx, sector).await?.map(Sector))
    }

    /// The dataset.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        let source = self.0.id(experts::ExpertDimension::Source);
        Ok(resolve::optional::<source::Entity>(ctx, source).await?.map(Source))
    }

    /// Number of distinct experts.
    async fn experts(&self) -> i64 {
        self.0.measures.experts
    }

    /// Number of distinct deployments.
    async fn deployments(&self) -> i64 {
        self.0.measures.deployments
    }
}

/// What a chart of experts counts.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExpertCount {
    /// Distinct experts.
    #[default]
    Experts,
    /// Distinct deployments.
    Deployments,
}

/// The groups of `expertStats`, their sources noted.
async fn groups(
    ctx: &Context<'_>,
    filter: Option<ExpertFilter>,
    group_by: &[experts::ExpertDimension],
    first: Option<i32>,
    with_ties: bool,
) -> ApiResult<Vec<Group<experts::ExpertDimension, ExpertCounts>>> {
    let filter = resolve::with_country_ids(ctx, filter).await?;
    let limit = group_limit(first)?;
    let groups =
        experts::expert_stats(resolve::db(ctx)?, condition(filter.as_ref()), group_by, limit, with_ties).await?;
    resolve::cite(ctx, groups.iter().flat_map(|group| group.sources.iter().copied()));
    Ok(groups)
}

/// What an expert group's key refers to.
fn refers(dimension: experts::ExpertDimension) -> KeyLabel {
    match dimension {
        experts::ExpertDimension::HomeCountry | experts::ExpertDimension::HostCountry => KeyLabel::Country,
        experts::ExpertDimension::Sector => KeyLabel::Sector,
        experts::ExpertDimension::Source => KeyLabel::Source,
        _ => KeyLabel::Plain,
    }
}

/// Root fields `expertStats` and `expertStatsChart`.
#[derive(Default)]
pub struct ExpertStatsQuery;

#[Object]
impl ExpertStatsQuery {
    /// Experts counted by the given dimensions, computed in the database; largest groups
    /// first.
    async fn expert_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only experts that match this filter.")] filter: Option<ExpertFilter>,
        #[graphql(desc = "The dimensions to group by.")] group_by: Vec<ExpertDimension>,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(
            desc = "Also the groups tied with the last one kept (SQL's `FETCH FIRST … WITH TIES`): `first: 10` may then give more than ten, at most 1000. Without it a tie at the cut is split by the keys' order.",
            default
        )]
        with_ties: bool,
    ) -> ApiResult<Vec<ExpertStats>> {
        let group_by: Vec<experts::ExpertDimension> = group_by.into_iter().map(Into::into).collect();
        let groups = groups(ctx, filter, &group_by, first, with_ties).await?;
        Ok(groups.into_iter().map(ExpertStats).collect())
    }

    /// The groups of `expertStats` as a chart of one count: categories by the first
    /// dimension, series by the second (at most two).
    async fn expert_stats_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only experts that match this filter.")] filter: Option<ExpertFilter>,
        #[graphql(desc = "The dimensions to group by: categories, then series.")] group_by: Vec<ExpertDimension>,
        #[graphql(desc = "What the chart counts (experts by default).", default)] measure: ExpertCount,
        #[graphql(desc = "At most this many groups (default 100, at most 1000).")] first: Option<i32>,
    ) -> ApiResult<Chart> {
        let group_by: Vec<experts::ExpertDimension> = group_by.into_iter().map(Into::into).collect();
        let (category, series) = axes(&group_by, "All experts")?;
        chart_of(ctx, async {
            let groups = groups(ctx, filter, &group_by, first, false).await?;
            let labelled: Vec<_> = group_by.iter().map(|dimension| (*dimension, refers(*dimension))).collect();
            let count = |counts: &ExpertCounts| match measure {
                ExpertCount::Experts => counts.experts as f64,
                ExpertCount::Deployments => counts.deployments as f64,
            };
            let (points, scale) = points(ctx, &groups, &labelled, "All experts", count).await?;
            let (field, what) = match measure {
                ExpertCount::Experts => ("experts", "Experts"),
                ExpertCount::Deployments => ("deployments", "Deployments"),
            };
            let title = format!("{what} by {}", category.title.to_lowercase());
            let value = Axis { field: field.into(), title: format!("Number of {}", what.to_lowercase()) };
            Ok(ChartData::new(title, category, scale, series, value, false, points))
        })
        .await
    }
}
