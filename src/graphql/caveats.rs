//! Caveats: what a journalist should footnote about an answer, as stable codes with a
//! sentence each, in `extensions.caveats` beside `extensions.sources`.
//!
//! Resolvers note them in the request's [`super::provenance::Provenance`] as they compute
//! figures; the ones that depend on the sources cited (the publishers' guidance) are
//! decided after execution, when the sources are known.

use super::flow::{AggregateRules, AggregateScope, Guidance, KindFamily};
use crate::repo::stats::flows::{FlowDimension, FlowGroup};

/// One caveat: a stable code and the sentence that explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Caveat {
    /// Rows their publisher flags as not for research were left out of the totals.
    GuidanceFollowed,
    /// The totals include rows their publisher flags as not for research.
    GuidanceIgnored,
    /// Only official finance (every kind but trade) was counted.
    OfficialFinanceOnly,
    /// Only trade was counted.
    TradeOnly,
    /// Trade and official finance were added together.
    TradeMixed,
    /// Real dollars come from the U.S. CPI-U, not the publishers' deflators.
    RealDollars,
    /// Some real amounts are constant amounts rebased (no current amount).
    AmountsRebased,
    /// Some flows counted have no amount: counted, but add nothing to the sums.
    AmountsMissing,
    /// Flows without a recipient country are not part of the figure.
    NoRecipientLeftOut,
    /// Flows without a recipient country are grouped under a null recipient.
    NoRecipientGrouped,
    /// Income groups are those in force in each flow's year.
    IncomeGroupAsOfYear,
}

impl Caveat {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::GuidanceFollowed => "GUIDANCE_FOLLOWED",
            Self::GuidanceIgnored => "GUIDANCE_IGNORED",
            Self::OfficialFinanceOnly => "OFFICIAL_FINANCE_ONLY",
            Self::TradeOnly => "TRADE_ONLY",
            Self::TradeMixed => "TRADE_MIXED",
            Self::RealDollars => "REAL_DOLLARS",
            Self::AmountsRebased => "AMOUNTS_REBASED",
            Self::AmountsMissing => "AMOUNTS_MISSING",
            Self::NoRecipientLeftOut => "NO_RECIPIENT_LEFT_OUT",
            Self::NoRecipientGrouped => "NO_RECIPIENT_GROUPED",
            Self::IncomeGroupAsOfYear => "INCOME_GROUP_AS_OF_YEAR",
        }
    }

    /// The sentence to footnote.
    pub fn message(self) -> &'static str {
        match self {
            Self::GuidanceFollowed => {
                "Rows their publisher flags as not for research are left out of these totals, as it advises (AidData's GCOF: umbrella projects, pledges, and cancelled or suspended projects, which double count; see `Source.guidance`); `guidance: IGNORE` counts them."
            }
            Self::GuidanceIgnored => {
                "These totals include rows their publisher flags as not for research (AidData's GCOF: umbrella projects, pledges, and cancelled or suspended projects), which double count; the default `guidance: FOLLOW` leaves them out."
            }
            Self::OfficialFinanceOnly => {
                "Official finance only (grants, loans, credits, debt relief, equity, technical assistance, scholarships): trade is left out; `kindFamily: TRADE` gives trade, `ALL` both."
            }
            Self::TradeOnly => {
                "Trade only (exports between countries, in current US dollars): official finance is left out."
            }
            Self::TradeMixed => {
                "Trade and official finance are added together: they are different things; group by `KIND` or choose one `kindFamily` to keep them apart."
            }
            Self::RealDollars => {
                "Real dollars are current US dollars deflated with the U.S. CPI-U annual averages (BLS), the same way for every source: not the OECD DAC deflators behind the publishers' constant dollars."
            }
            Self::AmountsRebased => {
                "Some flows have constant dollars only (Qatar's TUFF rows not in USD): their real amounts are those constant dollars rebased from their base year with the CPI-U, not current dollars deflated (`Flow.amountRebased`)."
            }
            Self::AmountsMissing => {
                "Some flows counted have no amount (Brazil ABC's technical cooperation actions, most technical assistance): they are in `count` but add nothing to the sums; `countWithAmount` says how many have one."
            }
            Self::NoRecipientLeftOut => {
                "Flows without a recipient country (regional or unallocated projects) are not part of this figure."
            }
            Self::NoRecipientGrouped => {
                "Flows without a recipient country (regional or unallocated projects) are grouped under a null recipient (\"Unallocated\" in matrices)."
            }
            Self::IncomeGroupAsOfYear => {
                "Income groups are the World Bank's class in force in each flow's year (set on 1 July from income of the year before), not today's; flows before 1988 have none."
            }
        }
    }
}

impl Caveat {
    /// The caveats an aggregate's rules imply: about the publishers' guidance, when it
    /// decided (to give only if a source cited has guidance), and about the kinds counted
    /// (none when every family is counted apart, grouped by kind, or because the filter
    /// says which kinds it wants).
    pub fn of_rules(rules: AggregateRules, scope: AggregateScope) -> (Option<Self>, Option<Self>) {
        let guidance = scope.guided.then_some(match rules.guidance {
            Guidance::Follow => Self::GuidanceFollowed,
            Guidance::Ignore => Self::GuidanceIgnored,
        });
        let family = match scope.family {
            KindFamily::OfficialFinance => Some(Self::OfficialFinanceOnly),
            KindFamily::Trade => Some(Self::TradeOnly),
            KindFamily::All if rules.by_kind || !scope.asked => None,
            KindFamily::All => Some(Self::TradeMixed),
        };
        (guidance, family)
    }

    /// The caveats of groups of flows grouped by `group_by`: flows without a recipient
    /// country under a null recipient, income groups as of the year; with `amounts` (sums
    /// shown for every group), flows without an amount and rebased ones.
    pub fn of_groups(groups: &[FlowGroup], group_by: &[FlowDimension], amounts: bool) -> Vec<Self> {
        use FlowDimension::{
            ProviderIncomeGroup, Recipient, RecipientIncomeGroup, RecipientRegion, RecipientSubRegion,
        };
        // A null income group may also be a country unclassified that year: not counted.
        let by_recipient: Vec<FlowDimension> = group_by
            .iter()
            .copied()
            .filter(|dimension| [Recipient, RecipientRegion, RecipientSubRegion].contains(dimension))
            .collect();
        let without_recipient = |group: &FlowGroup| {
            by_recipient.iter().any(|dimension| group.id(*dimension).is_none() && group.text(*dimension).is_none())
        };
        let by_income =
            group_by.iter().any(|dimension| [ProviderIncomeGroup, RecipientIncomeGroup].contains(dimension));
        let missing = groups.iter().any(|group| group.measures.count > group.measures.count_real);
        let rebased = groups.iter().any(|group| group.measures.rebased > 0);
        [
            (groups.iter().any(without_recipient), Self::NoRecipientGrouped),
            (by_income, Self::IncomeGroupAsOfYear),
            (amounts && missing, Self::AmountsMissing),
            (amounts && rebased, Self::AmountsRebased),
        ]
        .into_iter()
        .filter_map(|(applies, caveat)| applies.then_some(caveat))
        .collect()
    }
}
