//! Flows between groups of countries as a square matrix and as links, for chord and Sankey
//! charts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use entity::country;
use sea_orm::{ConnectionTrait, DbErr, sea_query::Condition};

use super::flows::{Amounts, Bases, FlowDimension, FlowGroup, FlowMeasure, FlowMeasures, FlowSet, flow_stats};
use crate::repo::lookup;

/// How far a matrix aggregates countries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixLevel {
    /// UN M49 regions.
    Region,
    /// UN M49 sub-regions.
    SubRegion,
    /// Countries (the largest `top`, the rest as "Other").
    Country,
}

/// A square matrix (rows: providers, columns: recipients, in `labels` order) and its
/// non-zero cells as links.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowMatrix {
    /// Names of the rows and columns.
    pub labels: Vec<String>,
    /// `matrix[i][j]`: the measure of flows from `labels[i]` to `labels[j]`.
    pub matrix: Vec<Vec<f64>>,
    /// The non-zero cells as source, target and value, largest first.
    pub links: Vec<FlowLink>,
    /// Ids of the sources of the flows and of the labels.
    pub sources: Vec<i32>,
    /// The base years of the flows' constant amounts.
    pub bases: Bases,
    /// The counts of all the flows: how many, with an amount, rebased (other measures 0).
    pub totals: FlowMeasures,
    /// Whether some flows have no recipient country (in "Unallocated", or folded into
    /// "Other").
    pub without_recipient: bool,
}

/// One cell of a flow matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLink {
    /// Provider group.
    pub source: String,
    /// Recipient group.
    pub target: String,
    /// The measure.
    pub value: f64,
}

/// The label of flows without a recipient country (or a provider's region).
const UNALLOCATED: &str = "Unallocated";
const OTHER: &str = "Other";

/// The flows a condition matches between groups of countries, keeping the `top` groups by
/// total and folding the rest into "Other".
pub async fn flow_matrix(
    db: &impl ConnectionTrait,
    condition: Condition,
    level: MatrixLevel,
    measure: FlowMeasure,
    top: usize,
) -> Result<FlowMatrix, DbErr> {
    let (from, to) = match level {
        MatrixLevel::Region => (FlowDimension::ProviderRegion, FlowDimension::RecipientRegion),
        MatrixLevel::SubRegion => (FlowDimension::ProviderSubRegion, FlowDimension::RecipientSubRegion),
        MatrixLevel::Country => (FlowDimension::Provider, FlowDimension::Recipient),
    };
    let groups = flow_stats(db, FlowSet::flows(condition), &[from, to], &[], None, false, Amounts::ALL).await?;
    let mut sources: BTreeSet<i32> = groups.iter().flat_map(|group| group.sources.iter().copied()).collect();
    let ids: Vec<i32> = groups.iter().flat_map(|group| [group.id(from), group.id(to)]).flatten().collect();
    let countries: HashMap<i32, country::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        lookup::by_ids::<country::Entity>(db, &ids).await?.into_iter().map(|country| (country.id, country)).collect()
    };
    sources.extend(countries.values().map(|country| country.source_id));
    let label = |group: &FlowGroup, dimension| match group.id(dimension) {
        Some(id) => countries.get(&id).map_or_else(|| id.to_string(), |country| country.name.clone()),
        None => group.text(dimension).unwrap_or(UNALLOCATED).to_owned(),
    };
    let cells =
        groups.iter().map(|group| (label(group, from), label(group, to), group.measures.get(measure))).collect();
    let bases = groups.iter().fold(Bases::default(), |bases, group| bases.with(group.measures.bases));
    let totals = groups.iter().fold(FlowMeasures::default(), |totals, group| FlowMeasures {
        count: totals.count + group.measures.count,
        count_real: totals.count_real + group.measures.count_real,
        count_current: totals.count_current + group.measures.count_current,
        count_constant: totals.count_constant + group.measures.count_constant,
        rebased: totals.rebased + group.measures.rebased,
        ..totals
    });
    let without_recipient = groups.iter().any(|group| group.id(to).is_none() && group.text(to).is_none());
    Ok(FlowMatrix { sources: sources.into_iter().collect(), bases, totals, without_recipient, ..square(cells, top) })
}

/// Builds a matrix from cells, keeping the `top` labels by total and folding the rest
/// into "Other".
fn square(cells: Vec<(String, String, f64)>, top: usize) -> FlowMatrix {
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for (source, target, value) in &cells {
        *totals.entry(source).or_default() += value;
        *totals.entry(target).or_default() += value;
    }
    let mut ranked: Vec<(&str, f64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let folds = ranked.len() > top;
    let mut labels: Vec<String> = ranked.iter().take(top).map(|(label, _)| (*label).to_owned()).collect();
    if folds {
        labels.push(OTHER.to_owned());
    }
    let index: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, label)| (label.as_str(), i)).collect();
    let other = labels.len().saturating_sub(1);
    let mut matrix = vec![vec![0.0; labels.len()]; labels.len()];
    for (source, target, value) in &cells {
        let row = index.get(source.as_str()).copied().unwrap_or(other);
        let column = index.get(target.as_str()).copied().unwrap_or(other);
        matrix[row][column] += value;
    }
    let mut links: Vec<FlowLink> = Vec::new();
    for (i, row) in matrix.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            if *value != 0.0 {
                links.push(FlowLink { source: labels[i].clone(), target: labels[j].clone(), value: *value });
            }
        }
    }
    links.sort_by(|a, b| b.value.total_cmp(&a.value));
    FlowMatrix { labels, matrix, links, ..FlowMatrix::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_fold_small_groups_into_other() {
        let cells = vec![
            ("A".to_owned(), "B".to_owned(), 10.0),
            ("B".to_owned(), "A".to_owned(), 5.0),
            ("C".to_owned(), "D".to_owned(), 1.0),
        ];
        let matrix = square(cells, 2);
        assert_eq!(matrix.labels, ["A", "B", "Other"]);
        assert_eq!(matrix.matrix, vec![vec![0.0, 10.0, 0.0], vec![5.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]]);
        assert_eq!(matrix.links[0].value, 10.0);
    }
}
