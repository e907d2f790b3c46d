//! Charts of the aggregates as Vega-Lite specifications, with their data inline and their
//! sources and caveats as the footnote: what a journalist pastes into a Vega-Lite editor, a
//! notebook or a page with `vega-embed`.
//!
//! An aggregate's resolver turns its groups into a [`ChartData`]: one value per point,
//! keyed by a category (the first dimension) and, optionally, a series (the second). The
//! figures and their provenance are those the aggregate itself returns, collected while it
//! runs ([`Provenance::collect`]).

use std::future::Future;

use async_graphql::{Context, Enum, Json, Object};
use entity::{country, sector, source};
use serde_json::{Value, json};

use super::{
    provenance::{self, Provenance},
    resolve,
};
use crate::{
    error::{ApiError, ApiResult},
    repo::{
        aggregate::{Dimension, Group, Key},
        stats::flows::KeyLabel,
    },
};

/// The Vega-Lite version the specifications are written for.
pub const SCHEMA: &str = "https://vega.github.io/schema/vega-lite/v6.json";

/// How a chart draws its values.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartMark {
    /// Bars: vertical along years, horizontal for ranked categories; stacked by series.
    Bar,
    /// Lines, one per series.
    Line,
    /// Areas, stacked by series.
    Area,
    /// A grid of cells coloured by value: the category across, the series down (a
    /// matrix, or two dimensions).
    Heatmap,
}

/// What a chart's categories are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Years, in order.
    Years,
    /// Named groups, in the aggregate's order.
    Names,
}

/// One axis of a chart: its field in the data and its title.
#[derive(Clone, Debug)]
pub struct Axis {
    /// The field's name in the data values (a GraphQL field name, such as `recipient`).
    pub field: String,
    /// The axis title.
    pub title: String,
}

impl Axis {
    /// The axis of a dimension, named after it: `RecipientRegion` is the field
    /// `recipientRegion`, titled "Recipient region".
    pub fn of(dimension: impl std::fmt::Debug) -> Self {
        let name = format!("{dimension:?}");
        let mut field = String::new();
        let mut title = String::new();
        for (index, character) in name.chars().enumerate() {
            if index == 0 {
                field.push(character.to_ascii_lowercase());
                title.push(character);
            } else {
                field.push(character);
                if character.is_ascii_uppercase() {
                    title.push(' ');
                }
                title.push(character.to_ascii_lowercase());
            }
        }
        Self { field, title }
    }
}

/// One value of a chart.
#[derive(Clone, Debug)]
pub struct Point {
    /// The category (a year, or a label; null labels read "Unspecified").
    pub category: Value,
    /// The series, when the chart has one.
    pub series: Option<String>,
    /// The value.
    pub value: f64,
}

/// A chart's data: what an aggregate gives, ready to be drawn.
#[derive(Clone, Debug)]
pub struct ChartData {
    /// The title.
    pub title: String,
    /// The categories.
    pub category: Axis,
    /// What the categories are.
    pub scale: Scale,
    /// The series (a second dimension), if any.
    pub series: Option<Axis>,
    /// The values: their field and title, with the unit (and base year).
    pub value: Axis,
    /// Whether the values are money (formatted as such).
    pub money: bool,
    /// The values, in the aggregate's order.
    pub points: Vec<Point>,
    /// How to draw them unless asked otherwise.
    pub mark: ChartMark,
    /// The footnote: one line per source and per caveat.
    pub notes: Vec<String>,
    /// The keys of the sources cited.
    pub sources: Vec<String>,
    /// The codes of the caveats.
    pub caveats: Vec<&'static str>,
}

impl ChartData {
    /// A chart's data, its footnote yet to be written.
    pub fn new(
        title: String,
        category: Axis,
        scale: Scale,
        series: Option<Axis>,
        value: Axis,
        money: bool,
        points: Vec<Point>,
    ) -> Self {
        Self {
            title,
            category,
            scale,
            series,
            value,
            money,
            points,
            mark: match scale {
                Scale::Years => ChartMark::Line,
                Scale::Names => ChartMark::Bar,
            },
            notes: Vec::new(),
            sources: Vec::new(),
            caveats: Vec::new(),
        }
    }
}

/// The label of a group without a key (a flow without recipient, say).
pub const UNSPECIFIED: &str = "Unspecified";

/// Most dimensions a chart shows: categories and series.
const MAX_DIMENSIONS: usize = 2;

/// The axes of a chart of groups by `dimensions` (categories, then series), or a
/// `BAD_USER_INPUT` when there are more than a chart can show.
pub fn axes<D: std::fmt::Debug + Copy>(dimensions: &[D], all: &str) -> ApiResult<(Axis, Option<Axis>)> {
    match dimensions {
        [] => Ok((Axis { field: "group".into(), title: all.into() }, None)),
        [category] => Ok((Axis::of(*category), None)),
        [category, series] => Ok((Axis::of(*category), Some(Axis::of(*series)))),
        _ => Err(ApiError::bad_input(format!(
            "a chart shows at most {MAX_DIMENSIONS} dimensions (categories and series); `groupBy` has {}",
            dimensions.len()
        ))),
    }
}

/// The points of a chart of `groups` by `dimensions` (each with what its keys refer to),
/// each valued by `value`; the scale is of years when the categories are plain numbers.
pub async fn points<D: Dimension, M>(
    ctx: &Context<'_>,
    groups: &[Group<D, M>],
    dimensions: &[(D, KeyLabel)],
    all: &str,
    value: impl Fn(&M) -> f64,
) -> ApiResult<(Vec<Point>, Scale)> {
    let scale = match dimensions.first() {
        Some((_, KeyLabel::Plain))
            if groups.iter().all(|group| !matches!(group.key(dimensions[0].0), Some(Key::Text(_)))) =>
        {
            Scale::Years
        }
        _ => Scale::Names,
    };
    let mut points = Vec::with_capacity(groups.len());
    for group in groups {
        let category = match dimensions.first() {
            Some((dimension, refers)) => label(ctx, group.key(*dimension), *refers).await?,
            None => Value::String(all.to_owned()),
        };
        let series = match dimensions.get(1) {
            Some((dimension, refers)) => Some(match label(ctx, group.key(*dimension), *refers).await? {
                Value::String(text) => text,
                other => other.to_string(),
            }),
            None => None,
        };
        points.push(Point { category, series, value: value(&group.measures) });
    }
    Ok((points, scale))
}

/// A group key as a chart shows it: a country's or sector's name, a source's key, a year
/// or a text; [`UNSPECIFIED`] for a null key or an unknown row.
pub async fn label(ctx: &Context<'_>, key: Option<&Key>, refers: KeyLabel) -> ApiResult<Value> {
    let name = match (key, refers) {
        (None, _) => None,
        (Some(Key::Text(text)), _) => Some(text.clone()),
        (Some(Key::Id(year)), KeyLabel::Plain) => return Ok(json!(year)),
        (Some(Key::Id(id)), KeyLabel::Country) => {
            resolve::by_id::<country::Entity>(ctx, *id).await?.map(|country| country.name.clone())
        }
        (Some(Key::Id(id)), KeyLabel::Sector) => {
            resolve::by_id::<sector::Entity>(ctx, *id).await?.map(|sector| sector.name.clone())
        }
        (Some(Key::Id(id)), KeyLabel::Source) => {
            resolve::by_id::<source::Entity>(ctx, *id).await?.map(|source| source.key.clone())
        }
    };
    Ok(Value::String(name.unwrap_or_else(|| UNSPECIFIED.to_owned())))
}

/// A chart of an aggregate, drawn as asked.
pub struct Chart(pub ChartData);

/// A chart of an aggregate.
#[Object]
impl Chart {
    /// The chart as a Vega-Lite v6 specification, its data inline, its sources and caveats
    /// as its footnote (and in `usermeta`): give it to `vegaEmbed` or the Vega editor as it
    /// is.
    async fn vega_lite(
        &self,
        #[graphql(
            desc = "How to draw the values (default: lines along years, a heatmap for a matrix, bars otherwise)."
        )]
        mark: Option<ChartMark>,
    ) -> ApiResult<Json<Value>> {
        vega_lite(&self.0, mark).map(Json)
    }

    /// The chart's title.
    async fn title(&self) -> &str {
        &self.0.title
    }
}

/// The chart `draw` makes (running an aggregate), footnoted with the sources and caveats
/// that the aggregate noted.
pub async fn chart_of(ctx: &Context<'_>, draw: impl Future<Output = ApiResult<ChartData>>) -> ApiResult<Chart> {
    // On the heap: an aggregate's future is large, and deep under the executor's.
    let (drawn, noted) = Provenance::collect(Box::pin(draw)).await;
    let mut data = drawn?;
    let (sources, caveats) = provenance::footnotes(resolve::db(ctx)?, resolve::snapshot(ctx), &noted).await?;
    for source in &sources {
        data.notes.extend(wrap(&format!("Source: {}", source.citation)));
        data.sources.push(source.key.clone());
    }
    for caveat in &caveats {
        data.notes.extend(wrap(caveat.message()));
        data.caveats.push(caveat.code());
    }
    Ok(Chart(data))
}

/// Longest line of a footnote, in characters.
const LINE: usize = 110;

/// `text` cut between words into lines of at most [`LINE`] characters (longer words alone).
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > LINE {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The Vega-Lite specification of `data` drawn with `mark` (or the chart's default).
pub fn vega_lite(data: &ChartData, mark: Option<ChartMark>) -> ApiResult<Value> {
    let mark = mark.unwrap_or(data.mark);
    let values: Vec<Value> = data
        .points
        .iter()
        .map(|point| {
            let mut value = serde_json::Map::new();
            value.insert(data.category.field.clone(), point.category.clone());
            if let (Some(series), Some(name)) = (&data.series, &point.series) {
                value.insert(series.field.clone(), Value::String(name.clone()));
            }
            // Counts as integers; amounts as they are.
            let number = if data.money { json!(point.value) } else { json!(point.value.round() as i64) };
            value.insert(data.value.field.clone(), number);
            Value::Object(value)
        })
        .collect();
    let format = if data.money { "$,.4~s" } else { ",~d" };
    let mut labels = json!({ "format": format });
    if data.money {
        // SI's G reads as billions: B, as newsrooms write it.
        labels["labelExpr"] = json!("replace(datum.label, 'G', 'B')");
    }
    let measure = json!({
        "field": data.value.field, "type": "quantitative", "title": data.value.title, "axis": labels,
    });
    // Years in order; names in the aggregate's order (largest first, or as asked).
    let (category_type, sort) = match data.scale {
        Scale::Years => ("ordinal", json!("ascending")),
        Scale::Names => ("nominal", Value::Null),
    };
    let category = json!({
        "field": data.category.field, "type": category_type, "title": data.category.title, "sort": sort,
    });
    let series = data
        .series
        .as_ref()
        .map(|series| json!({ "field": series.field, "type": "nominal", "title": series.title, "sort": null }));
    let mut tooltip = vec![json!({ "field": data.category.field, "title": data.category.title })];
    if let Some(series) = &data.series {
        tooltip.push(json!({ "field": series.field, "title": series.title }));
    }
    tooltip.push(json!({ "field": data.value.field, "title": data.value.title, "format": format }));

    let mut encoding = serde_json::Map::new();
    let mark_spec = match mark {
        ChartMark::Heatmap => {
            let Some(series) = series else {
                return Err(ApiError::bad_input(
                    "`mark: HEATMAP` needs two dimensions (a matrix, or `groupBy` with two)",
                ));
            };
            encoding.insert("x".into(), category);
            encoding.insert("y".into(), series);
            encoding.insert(
                "color".into(),
                json!({
                    "field": data.value.field, "type": "quantitative", "title": data.value.title,
                    "legend": labels,
                }),
            );
            json!({ "type": "rect" })
        }
        ChartMark::Bar if data.scale == Scale::Names => {
            // Ranked names read best as horizontal bars.
            encoding.insert("y".into(), category);
            encoding.insert("x".into(), measure);
            if let Some(series) = series {
                encoding.insert("color".into(), series);
            }
            json!({ "type": "bar" })
        }
        ChartMark::Bar | ChartMark::Line | ChartMark::Area => {
            encoding.insert("x".into(), category);
            encoding.insert("y".into(), measure);
            if let Some(series) = series {
                encoding.insert("color".into(), series);
            }
            match mark {
                ChartMark::Line => json!({ "type": "line", "point": true }),
                ChartMark::Area => json!({ "type": "area" }),
                _ => json!({ "type": "bar" }),
            }
        }
    };
    encoding.insert("tooltip".into(), Value::Array(tooltip));

    let mut view = json!({ "mark": mark_spec, "encoding": encoding, "width": 600 });
    if !data.notes.is_empty() {
        view["title"] = json!({
            "text": data.notes, "orient": "bottom", "anchor": "start", "fontSize": 10,
            "fontWeight": "normal", "color": "#555", "offset": 12,
        });
    }
    Ok(json!({
        "$schema": SCHEMA,
        "title": { "text": data.title, "subtitle": data.value.title, "anchor": "start" },
        "description": format!("{}: {} by {}", data.title, data.value.title, data.category.title),
        "data": { "values": values },
        "vconcat": [view],
        "usermeta": { "sources": data.sources, "caveats": data.caveats },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy)]
    enum Dimension {
        Year,
        Recipient,
        RecipientRegion,
    }

    fn data(scale: Scale, series: bool) -> ChartData {
        let points = (0..3)
            .map(|index| Point {
                category: json!(2000 + index),
                series: series.then(|| format!("s{}", index % 2)),
                value: f64::from(index) * 1.5,
            })
            .collect();
        ChartData {
            title: "Flows per year".into(),
            category: Axis::of(Dimension::Year),
            scale,
            series: series.then(|| Axis::of(Dimension::Recipient)),
            value: Axis { field: "sumUsdReal".into(), title: "US$ of 2025".into() },
            money: true,
            points,
            mark: ChartMark::Line,
            notes: vec!["Source: a citation.".into()],
            sources: vec!["a-source".into()],
            caveats: vec!["REAL_DOLLARS"],
        }
    }

    #[test]
    fn values_are_inline_under_their_fields() {
        let spec = vega_lite(&data(Scale::Years, true), None).expect("a drawable chart");
        assert_eq!(spec["data"]["values"][2], json!({ "year": 2002, "recipient": "s0", "sumUsdReal": 3.0 }));
        assert_eq!(spec["vconcat"][0]["mark"]["type"], "line");
        assert_eq!(spec["vconcat"][0]["encoding"]["color"]["field"], "recipient");
        assert_eq!(spec["vconcat"][0]["title"]["text"][0], "Source: a citation.");
        assert_eq!(spec["usermeta"]["caveats"][0], "REAL_DOLLARS");
    }

    #[test]
    fn ranked_bars_lie_down_and_heatmaps_need_two_dimensions() {
        let spec = vega_lite(&data(Scale::Names, false), Some(ChartMark::Bar)).expect("a drawable chart");
        assert_eq!(spec["vconcat"][0]["encoding"]["y"]["field"], "year");
        assert_eq!(spec["vconcat"][0]["encoding"]["x"]["field"], "sumUsdReal");
        let error =
            vega_lite(&data(Scale::Names, false), Some(ChartMark::Heatmap)).expect_err("a heatmap of one dimension");
        assert!(error.message().contains("two dimensions"), "{error:?}");
        let heatmap = vega_lite(&data(Scale::Names, true), Some(ChartMark::Heatmap)).expect("a drawable chart");
        assert_eq!(heatmap["vconcat"][0]["encoding"]["color"]["field"], "sumUsdReal");
    }

    #[test]
    fn axes_are_named_after_their_dimension() {
        let axis = Axis::of(Dimension::RecipientRegion);
        assert_eq!((axis.field.as_str(), axis.title.as_str()), ("recipientRegion", "Recipient region"));
        assert!(axes(&[Dimension::RecipientRegion; 3], "All").is_err());
    }

    #[test]
    fn footnotes_wrap_between_words() {
        let text = "word ".repeat(60);
        let lines = wrap(&text);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|line| line.chars().count() <= LINE && !line.ends_with(' ')));
        assert_eq!(lines.join(" "), text.trim_end());
    }
}
