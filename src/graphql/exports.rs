//! What the export endpoints share with the GraphQL API: the same filter and ordering
//! inputs, given as JSON, and the same aggregates.

use async_graphql::{InputType, Value};
use entity::{country, sector, source};
use sea_orm::{
    ConnectionTrait, Order,
    sea_query::{Condition, Expr},
};

use super::limits;
use super::{
    filter::ToCondition,
    flow::{FlowFilter, FlowOrder},
    flow_stats::{FlowDimension, FlowStats, flow_stats},
};
use crate::{
    error::{ApiError, ApiResult, excerpt},
    repo::lookup,
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

/// The condition of a `FlowFilter` given as JSON (all flows when none is given).
pub fn flow_condition(filter: Option<&str>) -> ApiResult<Condition> {
    Ok(match filter {
        Some(json) => parse::<FlowFilter>("filter", json)?.condition(),
        None => Condition::all(),
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

/// A table of grouped flows: header and rows of cells, with codes and names for keys.
pub async fn flow_stats_table(
    db: &impl ConnectionTrait,
    filter: Option<&str>,
    group_by: &str,
) -> ApiResult<(Vec<String>, Vec<Vec<String>>)> {
    if group_by.split(',').count() > MAX_DIMENSIONS {
        return Err(ApiError::limit_exceeded(format!("`groupBy` may name at most {MAX_DIMENSIONS} dimensions")));
    }
    let dimensions = group_by
        .split(',')
        .filter(|name| !name.trim().is_empty())
        .map(|name| parse::<FlowDimension>("groupBy", &serde_json::Value::String(name.trim().to_owned()).to_string()))
        .collect::<ApiResult<Vec<_>>>()?;
    let groups = flow_stats(db, flow_condition(filter)?, &dimensions, &[], None).await?;
    let mut country_ids = Vec::new();
    let mut sector_ids = Vec::new();
    let mut source_ids = Vec::new();
    for stats in &groups {
        for dimension in &dimensions {
            if let Some(id) = stats.key_id(*dimension) {
                match dimension.label_kind() {
                    LabelKind::Country => country_ids.push(id),
                    LabelKind::Sector => sector_ids.push(id),
                    LabelKind::Source => source_ids.push(id),
                    LabelKind::Plain => {}
                }
            }
        }
    }
    let countries = labels::<country::Entity>(db, &country_ids, |c| (c.iso3.clone(), c.name.clone())).await?;
    let sectors = labels::<sector::Entity>(db, &sector_ids, |s| (s.code.clone(), s.name.clone())).await?;
    let sources = labels::<source::Entity>(db, &source_ids, |s| (s.key.clone(), s.title.clone())).await?;

    let mut header = Vec::new();
    for dimension in &dimensions {
        let name = dimension.column_name();
        match dimension.label_kind() {
            LabelKind::Plain => header.push(name),
            _ => {
                header.push(format!("{name}_code"));
                header.push(format!("{name}_name"));
            }
        }
    }
    header.extend(FlowStats::MEASURE_COLUMNS.iter().map(|name| (*name).to_owned()));
    let rows = groups
        .iter()
        .map(|stats| {
            let mut row = Vec::new();
            for dimension in &dimensions {
                let table = match dimension.label_kind() {
                    LabelKind::Country => Some(&countries),
                    LabelKind::Sector => Some(&sectors),
                    LabelKind::Source => Some(&sources),
                    LabelKind::Plain => None,
                };
                match table {
                    Some(table) => {
                        let (code, name) =
                            stats.key_id(*dimension).and_then(|id| table.get(&id).cloned()).unwrap_or_default();
                        row.push(code);
                        row.push(name);
                    }
                    None => row.push(stats.key_text(*dimension)),
                }
            }
            row.extend(stats.measure_cells());
            row
        })
        .collect();
    Ok((header, rows))
}

async fn labels<E>(
    db: &impl ConnectionTrait,
    ids: &[i32],
    label: impl Fn(&E::Model) -> (String, String),
) -> ApiResult<std::collections::HashMap<i32, (String, String)>>
where
    E: sea_orm::EntityTrait,
    E::Model: super::loaders::HasId,
{
    use super::loaders::HasId;
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(lookup::by_ids::<E>(db, ids).await?.iter().map(|model| (model.id(), label(model))).collect())
}

/// How a group key is written in a table.
pub enum LabelKind {
    /// As it is (a year, a region name, a kind).
    Plain,
    /// A country's ISO3 code and name.
    Country,
    /// A sector's code and name.
    Sector,
    /// A source's key and title.
    Source,
}
