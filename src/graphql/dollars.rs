//! Real dollars: amounts in US dollars of one year, the same way for every source.
//!
//! Each flow stores its amount in dollars of 1982–84 by the U.S. CPI-U (the import sets it,
//! see `flow.amount_usd_real`); a client picks the year whose dollars it wants
//! (`baseYear`, by default the latest year of the series), and the amount is scaled by that
//! year's index. Publishers' own constant amounts stay as published, each with its base
//! year: summing amounts of different bases is refused ([`one_base`]).

use std::sync::Arc;

use async_graphql::Context;
use entity::price_index;

use super::{caveats::Caveat, resolve};
use crate::{
    error::{ApiError, ApiResult},
    repo::{reference, stats::flows::Bases},
};

/// Dollars of one year: the factor from 1982–84 dollars.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DollarsOf {
    /// The year.
    pub year: i32,
    factor: f64,
}

impl DollarsOf {
    /// An amount in 1982–84 dollars, in this year's dollars.
    pub fn of(self, amount_1982_84: f64) -> f64 {
        amount_1982_84 * self.factor
    }
}

/// The CPI-U series: from the request's snapshot of the reference tables, else read.
async fn series(ctx: &Context<'_>) -> ApiResult<Arc<Vec<price_index::Model>>> {
    match resolve::snapshot(ctx) {
        Some(snapshot) => Ok(snapshot.price_index()),
        None => Ok(Arc::new(reference::price_index(resolve::db(ctx)?).await?)),
    }
}

/// Dollars of `base_year` (the latest year of the CPI-U series by default), the series
/// noted for `extensions.sources`; a year outside the series is a `BAD_USER_INPUT` that
/// gives its range.
pub async fn dollars_of(ctx: &Context<'_>, base_year: Option<i32>) -> ApiResult<DollarsOf> {
    let series = series(ctx).await?;
    let (Some(first), Some(last)) = (series.first(), series.last()) else {
        return Err(ApiError::bad_input(
            "real dollars need the U.S. CPI-U series, which this database has not imported (`southgraph import us-cpi`)",
        ));
    };
    let year = base_year.unwrap_or(last.year);
    let index = series.iter().find(|row| row.year == year).ok_or_else(|| {
        ApiError::bad_input(format!(
            "`baseYear: {year}` is outside the U.S. CPI-U series ({}–{}): real dollars are of one of its years",
            first.year, last.year
        ))
    })?;
    resolve::cite(ctx, [index.source_id]);
    resolve::caveat(ctx, Caveat::RealDollars);
    Ok(DollarsOf { year, factor: index.cpi_u / 100.0 })
}

/// `value` when the constant amounts it sums share one base year; a `MIXED_DOLLAR_BASES`
/// error otherwise, which names the bases and the ways out.
pub fn one_base<T>(bases: Bases, what: &str, value: T) -> ApiResult<T> {
    match (bases.lo, bases.hi) {
        (Some(lo), Some(hi)) if lo != hi => Err(ApiError::mixed_dollar_bases(format!(
            "{what} would add constant US dollars of {lo} and of {hi}: ask for real dollars (`USD_REAL`, \
             `sumUsdReal(baseYear:)`), or group by `CONSTANT_BASE_YEAR` or `SOURCE`, or filter to one source"
        ))),
        _ => Ok(value),
    }
}
