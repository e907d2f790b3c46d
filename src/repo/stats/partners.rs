//! A country's partners in flows, ranked, truncated and shared out in the database: one
//! statement for any number of countries, with window functions over the groups.

use std::collections::HashMap;

use entity::flow;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, Order,
    sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait, Query},
};

use super::flows::{Amounts, BASES, Bases, FlowDimension, FlowMeasure, FlowMeasures, FlowSet, rolled_up};
use crate::repo::aggregate::{Dimension, key_alias, read_group};

/// Which side of a country's flows its partners are on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PartnerDirection {
    /// Partners are the recipients of the flows the country provided.
    #[default]
    Provided,
    /// Partners are the providers of the flows the country received.
    Received,
}

/// What a ranking of partners asks for, the same for every country it ranks. Rankings
/// compare by value.
#[derive(Clone, Debug, PartialEq)]
pub struct PartnerRanking {
    /// Which side the partners are on.
    pub direction: PartnerDirection,
    /// Flows must match this.
    pub condition: Condition,
    /// What to rank by.
    pub measure: FlowMeasure,
    /// How many partners per country.
    pub first: u64,
}

impl Eq for PartnerRanking {}

/// A partner of a country, with the flows between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Partner {
    /// The partner country's id.
    pub country: i32,
    /// The flows between them.
    pub measures: FlowMeasures,
    /// This partner's part of the country's total over all its partners, in the measure
    /// ranked by; none when that total is 0.
    pub share: Option<f64>,
    /// Ids of the sources of these flows.
    pub sources: Vec<i32>,
    /// The base years of the constant amounts of the country's flows with all its partners,
    /// ranked or not: what `share` divides by.
    pub all_bases: Bases,
}

const RANK: &str = "_rank";
const SHARE: &str = "_share";
const ALL_BASES: [&str; 2] = ["_all_base_lo", "_all_base_hi"];

/// Ranks the partners of many countries at once, largest first (ties by the partner's id).
pub async fn partners(
    db: &impl ConnectionTrait,
    countries: &[i32],
    ranking: &PartnerRanking,
) -> Result<HashMap<i32, Vec<Partner>>, DbErr> {
    let (own, other, own_column, other_column) = match ranking.direction {
        PartnerDirection::Provided => {
            (FlowDimension::Provider, FlowDimension::Recipient, flow::Column::ProviderId, flow::Column::RecipientId)
        }
        PartnerDirection::Received => {
            (FlowDimension::Recipient, FlowDimension::Provider, flow::Column::RecipientId, flow::Column::ProviderId)
        }
    };
    let condition =
        ranking.condition.clone().add(own_column.is_in(countries.iter().copied())).add(other_column.is_not_null());
    let mut aggregate = rolled_up(FlowSet::flows(condition), &[own, other], Amounts::ALL);
    let dimensions = aggregate.group_by(&[own, other]);
    let (own_key, other_key) = (own.group_key().sql, other.group_key().sql);
    let measure = ranking.measure.over_partials();
    aggregate.measures = FlowMeasures::sql(Amounts::ALL);
    aggregate.measures.push((
        RANK.to_owned(),
        format!("ROW_NUMBER() OVER (PARTITION BY {own_key} ORDER BY {measure} DESC, {other_key})"),
    ));
    aggregate
        .measures
        .push((SHARE.to_owned(), format!("{measure} / NULLIF(SUM({measure}) OVER (PARTITION BY {own_key}), 0)")));
    for (alias, (_, sql)) in ALL_BASES.iter().zip(BASES) {
        let window = if alias.ends_with("lo") { "MIN" } else { "MAX" };
        aggregate.measures.push(((*alias).to_owned(), format!("{window}({sql}) OVER (PARTITION BY {own_key})")));
    }

    let mut ranked = Query::select();
    ranked
        .column(Asterisk)
        .from_subquery(aggregate.statement(db.get_database_backend()), Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(RANK)).lte(i64::try_from(ranking.first).unwrap_or(i64::MAX)))
        .order_by(Alias::new(key_alias(0)), Order::Asc)
        .order_by(Alias::new(RANK), Order::Asc);
    let mut found: HashMap<i32, Vec<Partner>> = countries.iter().map(|id| (*id, Vec::new())).collect();
    for row in db.query_all(&ranked).await? {
        let group = read_group(&row, &dimensions, |row| {
            let all_bases = Bases { lo: row.try_get("", ALL_BASES[0])?, hi: row.try_get("", ALL_BASES[1])? };
            Ok((FlowMeasures::read(row, Amounts::ALL)?, row.try_get::<Option<f64>>("", SHARE)?, all_bases))
        })?;
        if let (Some(country), Some(partner)) = (group.id(own), group.id(other)) {
            let (measures, share, all_bases) = group.measures;
            found.entry(country).or_default().push(Partner {
                country: partner,
                measures,
                share,
                sources: group.sources,
                all_bases,
            });
        }
    }
    Ok(found)
}
