//! Caveats: what a journalist should footnote about an answer, as stable codes with a
//! sentence each, in `extensions.caveats` beside `extensions.sources`.
//!
//! Resolvers note them in the request's [`super::provenance::Provenance`] as they compute
//! figures; the ones that depend on the sources cited (the publishers' guidance) are
//! decided after execution, when the sources are known.

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
