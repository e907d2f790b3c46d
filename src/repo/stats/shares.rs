//! South–South shares: the part of flows that goes to the South, and the part of agreements
//! that is South–South, each one statement with the same rules as the filters.

use entity::flow;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, sea_query::Condition};

use super::flows::{Amounts, FlowDimension, FlowMeasure, FlowMeasures, FlowSet, RECIPIENT_COUNTRY, rolled_up};
use crate::repo::{
    aggregate::{Aggregate, Rows},
    rules,
};

/// A part of a whole.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Share {
    /// The whole.
    pub total: f64,
    /// The part.
    pub part: f64,
    /// `part / total`; none when the total is 0.
    pub share: Option<f64>,
    /// Ids of the sources of the records counted.
    pub sources: Vec<i32>,
    /// The measures of all the flows counted (none for agreements): their counts with
    /// each amount, rebased ones, and the base years of their constant amounts.
    pub measures: FlowMeasures,
}

/// Runs a one-group aggregate of a `total` and a `part` (both numbers) and their ratio;
/// `of_flows`: over flows' partial aggregates, with their measures too.
async fn share(
    db: &impl ConnectionTrait,
    mut aggregate: Aggregate,
    total: String,
    part: String,
    of_flows: bool,
) -> Result<Share, DbErr> {
    aggregate.measures = vec![
        ("share".to_owned(), format!("{part} / NULLIF({total}, 0)")),
        ("total".to_owned(), total),
        ("part".to_owned(), part),
    ];
    if of_flows {
        aggregate.measures.extend(FlowMeasures::sql(Amounts::ALL));
    }
    let groups = aggregate
        .groups::<FlowDimension, _>(db, &[], |row| {
            Ok(Share {
                total: row.try_get::<Option<f64>>("", "total")?.unwrap_or(0.0),
                part: row.try_get::<Option<f64>>("", "part")?.unwrap_or(0.0),
                share: row.try_get("", "share")?,
                sources: Vec::new(),
                measures: if of_flows { FlowMeasures::read(row, Amounts::ALL)? } else { FlowMeasures::default() },
            })
        })
        .await?;
    Ok(groups
        .into_iter()
        .next()
        .map_or_else(Share::default, |group| Share { sources: group.sources, ..group.measures }))
}

/// The measure of the flows (with a recipient country) a condition matches, and of those
/// whose recipient is of the South.
pub async fn flows_to_south(
    db: &impl ConnectionTrait,
    condition: Condition,
    measure: FlowMeasure,
) -> Result<Share, DbErr> {
    let condition = condition.add(flow::Column::RecipientId.is_not_null());
    let mut aggregate = rolled_up(FlowSet::flows(condition), &[FlowDimension::Recipient], Amounts::ALL);
    aggregate.join(RECIPIENT_COUNTRY);
    // Who is of the South is the country table's classification: cite it too.
    aggregate.sources.push("\"r\".\"source_id\"");
    let part = format!(
        "CAST(COALESCE(SUM(CASE WHEN {} THEN {} END), 0) AS DOUBLE PRECISION)",
        rules::country_is_south(RECIPIENT_COUNTRY.alias),
        measure.partial_column()
    );
    share(db, aggregate, measure.over_partials().to_owned(), part, true).await
}

/// The number of agreements a condition matches, and of those that are South–South.
pub async fn south_south_agreements(db: &impl ConnectionTrait, condition: Condition) -> Result<Share, DbErr> {
    let aggregate = Aggregate::of(Rows::Table("agreement"), condition, "\"agreement\".\"source_id\"");
    let total = "CAST(COUNT(*) AS DOUBLE PRECISION)".to_owned();
    let part = format!(
        "CAST(COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS DOUBLE PRECISION)",
        rules::AGREEMENT_SOUTH_SOUTH
    );
    share(db, aggregate, total, part, false).await
}
