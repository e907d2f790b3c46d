//! `flow_total`, the official finance that aggregates count (every kind but trade,
//! repeats left out), summed per provider, year, kind, source, base year and research
//! flag: what the API rolls up instead of the flows when an aggregate reads no other
//! column (see the migration that creates it).
//!
//! The sums depend on the flows, their repeats and their real amounts, so a run refills,
//! in its own transaction, the totals of the sources whose flows it changed ([`Stale`]):
//! its own, when it writes official flows (the trade flows change none); those of the
//! flows it links as repeats of another source's; every source's when it reprices the
//! flows. A source's refill reads its own flows, 5,466 at most (GCOF).

use std::collections::BTreeSet;

use entity::FlowKind;
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, Iterable};

/// The grouping columns, as in `flow`.
const KEYS: &str = "provider_id, year, kind, source_id, constant_base_year, recommended_for_research";

/// Each column of sums or counts, and its aggregate over the flows of a group: the partial
/// aggregates of the API's flow statistics, with their names.
const MEASURES: [(&str, &str); 16] = [
    ("n", "COUNT(*)"),
    ("s_cur", "SUM(amount_usd_current)"),
    ("c_cur", "COUNT(amount_usd_current)"),
    ("lo_cur", "MIN(amount_usd_current)"),
    ("hi_cur", "MAX(amount_usd_current)"),
    ("s_con", "SUM(amount_usd_constant)"),
    ("c_con", "COUNT(amount_usd_constant)"),
    ("lo_con", "MIN(amount_usd_constant)"),
    ("hi_con", "MAX(amount_usd_constant)"),
    ("b_lo", "MIN(constant_base_year)"),
    ("b_hi", "MAX(constant_base_year)"),
    ("s_real", "SUM(amount_usd_real)"),
    ("c_real", "COUNT(amount_usd_real)"),
    ("lo_real", "MIN(amount_usd_real)"),
    ("hi_real", "MAX(amount_usd_real)"),
    ("n_rebased", "COUNT(CASE WHEN amount_usd_current IS NULL THEN amount_usd_real END)"),
];

/// The totals a run made stale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Stale {
    /// None: the run wrote no official flow, repeat or price.
    #[default]
    None,
    /// Those of these sources.
    Sources(BTreeSet<i32>),
    /// Every source's.
    All,
}

impl Stale {
    /// Makes the totals of `source` stale too.
    pub(crate) fn add(&mut self, source: i32) {
        match self {
            Self::None => *self = Self::Sources(BTreeSet::from([source])),
            Self::Sources(sources) => {
                sources.insert(source);
            }
            Self::All => {}
        }
    }
}

/// Refills the stale rows of `flow_total` from the flows.
pub(crate) async fn refill(db: &impl ConnectionTrait, stale: &Stale) -> Result<(), DbErr> {
    let within = match stale {
        Stale::None => return Ok(()),
        Stale::All => String::new(),
        Stale::Sources(sources) => {
            let ids: Vec<String> = sources.iter().map(i32::to_string).collect();
            format!("source_id IN ({})", ids.join(", "))
        }
    };
    let (delete, only) = if within.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" WHERE {within}"), format!(" AND {within}"))
    };
    db.execute_unprepared(&format!("DELETE FROM flow_total{delete}")).await?;
    db.execute_unprepared(&fill(&only)).await.map(drop)
}

/// The `INSERT … SELECT` that fills the table, with more conditions (` AND …`) in `only`.
fn fill(only: &str) -> String {
    // Every kind but trade, named, so that the index on `kind` finds them.
    let kinds: Vec<String> =
        FlowKind::iter().filter(|kind| *kind != FlowKind::Trade).map(|kind| format!("'{}'", kind.to_value())).collect();
    let names: Vec<&str> = MEASURES.iter().map(|(name, _)| *name).collect();
    let sums: Vec<&str> = MEASURES.iter().map(|(_, sql)| *sql).collect();
    format!(
        "INSERT INTO flow_total ({KEYS}, {}) SELECT {KEYS}, {} FROM flow \
         WHERE kind IN ({}){only} AND id NOT IN (SELECT flow_id FROM flow_repeat) GROUP BY {KEYS}",
        names.join(", "),
        sums.join(", "),
        kinds.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fill_names_every_kind_but_trade() {
        let sql = fill("");
        assert!(sql.contains("'GRANT'") && sql.contains("'UNSPECIFIED'"), "{sql}");
        assert!(!sql.contains("'TRADE'"), "{sql}");
    }

    #[test]
    fn stale_sources_add_up_until_all_are() {
        let mut stale = Stale::None;
        stale.add(3);
        stale.add(1);
        stale.add(3);
        assert_eq!(stale, Stale::Sources(BTreeSet::from([1, 3])));
        let mut stale = Stale::All;
        stale.add(2);
        assert_eq!(stale, Stale::All);
    }
}
