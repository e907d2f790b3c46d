//! What the export endpoints share with the GraphQL API: the same filter, ordering and
//! dimension inputs, given as JSON or names and checked as strictly as GraphQL checks them.
//! The exports then call the query modules of [`crate::repo`] themselves.

use async_graphql::{InputType, Value};
use sea_orm::{
    DbBackend, Order,
    sea_query::{Condition, Expr},
};

use super::caveats::Caveat;
use super::limits;
use super::{
    exchange::{ExchangeFilter, ExchangeOrder},
    filter::ToCondition,
    flow::{AggregateRules, FlowFilter, FlowOrder, Guidance, KindFamily},
    resolve::prepare_texts,
    stats::flow_stats::FlowDimension,
};
use crate::{
    error::{ApiError, ApiResult, excerpt},
    repo::stats::flows,
};

/// Reads a GraphQL input value from JSON, naming the parameter when it is not valid: as
/// strict as GraphQL itself, so an unknown field (a typo) is an error, not a filter that
/// silently matches everything. The value is bounded like every GraphQL input.
fn parse<T: InputType>(parameter: &str, json: &str) -> ApiResult<T> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|err| {
        ApiError::bad_input(format!("`{parameter}` is not valid JSON: {}", excerpt(&err.to_string(), 80)))
    })?;
    let value = Value::from_json(value).map_err(|err| ApiError::bad_input(format!("`{parameter}`: {err}")))?;
    limits::InputBudget::from_config(&crate::config::ApiConfig::default()).charge(parameter, &value)?;
    let parsed = T::parse(Some(value.clone())).map_err(|err| {
        ApiError::bad_input(format!(
            "`{parameter}` is not a valid {}: {}",
            T::type_name(),
            excerpt(&err.into_server_error(Default::default()).message, 200)
        ))
    })?;
    if let Some(path) = unknown_field(&value, &parsed.to_value()) {
        return Err(ApiError::bad_input(format!("`{parameter}` has an unknown field `{path}`")));
    }
    Ok(parsed)
}

/// The first field of `given` that the parsed value does not have: a field its type lacks.
fn unknown_field(given: &Value, parsed: &Value) -> Option<String> {
    match (given, parsed) {
        (Value::Object(given), Value::Object(parsed)) => {
            given.iter().find_map(|(name, value)| match parsed.get(name) {
                None => Some(name.to_string()),
                Some(inner) => unknown_field(value, inner).map(|path| format!("{name}.{path}")),
            })
        }
        (Value::List(given), Value::List(parsed)) => given
            .iter()
            .zip(parsed)
            .enumerate()
            .find_map(|(index, (given, parsed))| unknown_field(given, parsed).map(|path| format!("{index}.{path}"))),
        _ => None,
    }
}

/// A `FlowFilter` given as JSON, its full-text search written for `backend`.
fn flow_filter(json: &str, backend: DbBackend) -> ApiResult<FlowFilter> {
    let mut filter = parse::<FlowFilter>("filter", json)?;
    prepare_texts(&mut filter, backend)?;
    Ok(filter)
}

/// The condition of a `FlowFilter` given as JSON (all flows when none is given), for a
/// database of `backend`.
pub fn flow_condition(filter: Option<&str>, backend: DbBackend) -> ApiResult<Condition> {
    Ok(match filter {
        Some(json) => flow_filter(json, backend)?.condition(),
        None => Condition::all(),
    })
}

/// The condition of an aggregate over the flows a `FlowFilter` given as JSON matches, with
/// the publishers' guidance given as `FOLLOW` or `IGNORE` (any case; `FOLLOW` when none
/// is given) and the kinds as `OFFICIAL_FINANCE`, `TRADE` or `ALL` (any case; official
/// finance when none is given, all when grouping `by_kind`): repeats, flagged rows and
/// other kinds left out as [`FlowFilter::aggregate_condition`] says; with the caveats its
/// rules imply (one about the guidance is to give only if a source has guidance).
pub fn flow_aggregate_condition(
    filter: Option<&str>,
    guidance: Option<&str>,
    kind_family: Option<&str>,
    by_kind: bool,
    backend: DbBackend,
) -> ApiResult<(flows::FlowSet, Vec<Caveat>)> {
    let filter = filter.map(|json| flow_filter(json, backend)).transpose()?;
    let guidance = match guidance.map(str::to_ascii_uppercase).as_deref() {
        None | Some("FOLLOW") => Guidance::Follow,
        Some("IGNORE") => Guidance::Ignore,
        Some(other) => {
            return Err(ApiError::bad_input(format!(
                "`guidance={}` is neither `follow` nor `ignore`",
                crate::error::excerpt(other, 40)
            )));
        }
    };
    let family = match kind_family.map(|given| (given, given.to_ascii_uppercase())) {
        None => None,
        Some((_, upper)) if upper == "OFFICIAL_FINANCE" => Some(KindFamily::OfficialFinance),
        Some((_, upper)) if upper == "TRADE" => Some(KindFamily::Trade),
        Some((_, upper)) if upper == "ALL" => Some(KindFamily::All),
        Some((given, _)) => {
            return Err(ApiError::bad_input(format!(
                "`kindFamily={}` is none of `official_finance`, `trade` and `all`",
                crate::error::excerpt(given, 40)
            )));
        }
    };
    let rules = AggregateRules::new(guidance, family, by_kind);
    let (condition, scope) = FlowFilter::aggregate_condition(filter.as_ref(), rules);
    let (guidance, family) = Caveat::of_rules(rules, scope);
    Ok((condition, guidance.into_iter().chain(family).collect()))
}

/// The condition of an `ExchangeFilter` given as JSON (all exchanges when none is given).
pub fn exchange_condition(filter: Option<&str>) -> ApiResult<Condition> {
    Ok(match filter {
        Some(json) => parse::<ExchangeFilter>("filter", json)?.condition(),
        None => Condition::all(),
    })
}

/// The sort keys of an `[ExchangeOrder!]` given as JSON.
pub fn exchange_order(order_by: Option<&str>) -> ApiResult<Vec<(Expr, Order)>> {
    Ok(match order_by {
        Some(json) => ExchangeOrder::keys(Some(parse::<Vec<ExchangeOrder>>("orderBy", json)?)),
        None => Vec::new(),
    })
}

/// The sort keys of a `[FlowOrder!]` given as JSON.
pub fn flow_order(order_by: Option<&str>) -> ApiResult<Vec<(Expr, Order)>> {
    Ok(match order_by {
        Some(json) => FlowOrder::keys(Some(parse::<Vec<FlowOrder>>("orderBy", json)?)),
        None => Vec::new(),
    })
}

/// Most dimensions an exported aggregate may group by.
const MAX_DIMENSIONS: usize = 8;

/// The dimensions of a `groupBy` parameter: `FlowDimension` names separated by commas.
pub fn flow_dimensions(group_by: &str) -> ApiResult<Vec<flows::FlowDimension>> {
    if group_by.split(',').count() > MAX_DIMENSIONS {
        return Err(ApiError::limit_exceeded(format!("`groupBy` may name at most {MAX_DIMENSIONS} dimensions")));
    }
    group_by
        .split(',')
        .filter(|name| !name.trim().is_empty())
        .map(|name| {
            let name = serde_json::Value::String(name.trim().to_owned()).to_string();
            parse::<FlowDimension>("groupBy", &name).map(Into::into)
        })
        .collect()
}
