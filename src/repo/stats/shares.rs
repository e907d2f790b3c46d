//! South–South shares: the part of flows that goes to the South, and the part of agreements
//! that is South–South, each one statement with the same rules as the filters.

use entity::flow;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, sea_query::Condition};

use super::flows::{FlowDimension, FlowMeasure, RECIPIENT_COUNTRY, rolled_up};
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
}

/// Reads `total` and `part` of a one-group aggregate.
async fn share(db: &impl ConnectionTrait, aggregate: Aggregate) -> Result<Share, DbErr> {
    let groups = aggregate
        .groups::<FlowDimension, _>(db, &[], |row| {
            Ok((row.try_get::<Option<f64>>("", "total")?, row.try_get::<Option<f64>>("", "part")?))
        })
        .await?;
    Ok(groups.into_iter().next().map_or_else(Share::default, |group| {
        let (total, part) = (group.measures.0.unwrap_or(0.0), group.measures.1.unwrap_or(0.0));
        Share { total, part, share: (total != 0.0).then(|| part / total), sources: group.sources }
    }))
}

/// The measure of the flows (with a recipient country) a condition matches, and of those
/// whose recipient is of the South.
pub async fn flows_to_south(
    db: &impl ConnectionTrait,
    condition: Condition,
    measure: FlowMeasure,
) -> Result<Share, DbErr> {
    let condition = condition.add(flow::Column::RecipientId.is_not_null());
    let mut aggregate = rolled_up(condition, &[FlowDimension::Recipient]);
    aggregate.join(RECIPIENT_COUNTRY);
    // Who is of the South is the country table's classification: cite it too.
    aggregate.sources.push("\"r\".\"source_id\"");
    let column = measure.partial_column();
    aggregate.measures = vec![
        ("total".to_owned(), measure.over_partials().to_owned()),
        (
            "part".to_owned(),
            format!(
                "CAST(COALESCE(SUM(CASE WHEN {} THEN {column} END), 0) AS DOUBLE PRECISION)",
                rules::country_is_south(RECIPIENT_COUNTRY.alias)
            ),
        ),
    ];
    share(db, aggregate).await
}

/// The number of agreements a condition matches, and of those that are South–South.
pub async fn south_south_agreements(db: &impl ConnectionTrait, condition: Condition) -> Result<Share, DbErr> {
    let mut aggregate = Aggregate::of(Rows::Table("agreement"), condition, "\"agreement\".\"source_id\"");
    aggregate.measures = vec![
        ("total".to_owned(), "CAST(COUNT(*) AS DOUBLE PRECISION)".to_owned()),
        (
            "part".to_owned(),
            format!(
                "CAST(COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS DOUBLE PRECISION)",
                rules::AGREEMENT_SOUTH_SOUTH
            ),
        ),
    ];
    share(db, aggregate).await
}
