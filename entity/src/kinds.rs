//! Controlled vocabularies stored as text columns.
//!
//! Each dataset keeps its own label (for example AidData's `flow` column) beside the kind it
//! maps to, so nothing of the source is lost by the mapping.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What moves in a flow, common to all datasets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FlowKind {
    /// A grant: money or goods given without repayment.
    Grant,
    /// A loan to be repaid, concessional or not.
    Loan,
    /// An export or supplier credit.
    ExportCredit,
    /// Debt forgiven or rescheduled.
    DebtRelief,
    /// Technical assistance or cooperation: experts, teams, know-how.
    TechnicalAssistance,
    /// Scholarships and training in the provider country.
    Scholarship,
    /// An equity investment.
    Equity,
    /// Exports of goods from the provider to the recipient.
    Trade,
    /// A flow whose kind the source leaves vague or unspecified.
    Unspecified,
}

/// What an agreement is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementKind {
    /// A preferential trade agreement (free trade area, customs union, partial scope).
    Trade,
    /// A bilateral investment treaty.
    Investment,
    /// A treaty with investment provisions beside other content.
    TreatyWithInvestmentProvisions,
    /// A technical cooperation agreement.
    TechnicalCooperation,
    /// A memorandum of understanding.
    Memorandum,
    /// A regional integration treaty.
    RegionalIntegration,
    /// Any other kind.
    Other,
}

/// Where an agreement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementStatus {
    /// Signed, not (yet) in force.
    Signed,
    /// In force.
    InForce,
    /// Terminated or replaced.
    Terminated,
    /// The source does not say.
    Unknown,
}

/// Who an expert record describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExpertKind {
    /// One person, from a roster a user imports.
    Individual,
    /// A team deployed together (a medical team, a mission).
    Team,
    /// An institution that implements cooperation.
    Institution,
}

/// What an exchange counts: the measures of AidData's China's Public Diplomacy dataset, one
/// per column of its country-year file (`total_elite_visits`, the sum of government and
/// military visits, is not a kind of its own: it would count the same visits twice).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExchangeKind {
    /// Confucius Institutes (`confucius_institutes`).
    ConfuciusInstitutes,
    /// Sister or friendship cities established (`sister_cities_established`).
    SisterCities,
    /// High-level and provincial visits by government officials (`government_visits`).
    GovernmentVisits,
    /// High-level and provincial visits by military officials (`military_visits`).
    MilitaryVisits,
    /// Op-eds by the provider's ambassador in local media (`ambassador_op_eds`).
    AmbassadorOpEds,
    /// Journalists' exchange visits to the provider (`journalist_visits`).
    JournalistVisits,
    /// Content-sharing partnerships of the provider's state media (`media_partnerships`).
    MediaPartnerships,
    /// The provider's students studying in the partner (`outbound_chinese_students`).
    OutboundStudents,
    /// The partner's students studying in the provider (`inbound_students_to_china`).
    InboundStudents,
}

/// The kind of grouping a bloc is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BlocKind {
    /// A negotiating group at the UN or the Bretton Woods institutions (G-77, G-24).
    NegotiatingGroup,
    /// A political grouping or movement (NAM, BRICS, G-15).
    PoliticalGrouping,
    /// A regional economic community or trade bloc (ECOWAS, MERCOSUR).
    EconomicCommunity,
    /// A regional or intergovernmental organisation (AU, LAS, OIC).
    RegionalOrganization,
    /// Any other grouping.
    Other,
}

/// The level of a sector in its vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SectorLevel {
    /// A DAC sector group (110 Education, 120 Health …).
    Group,
    /// A DAC 3-digit sector category.
    Category,
    /// A DAC 5-digit purpose code.
    Purpose,
}

/// How an import run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportStatus {
    /// Committed.
    Succeeded,
    /// Rolled back; nothing changed.
    Failed,
}

/// Where an import of the whole bundle stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BundleImportStatus {
    /// Started and not finished: still running, or interrupted (crash, kill, power loss).
    Running,
    /// Every bundled dataset committed.
    Succeeded,
    /// A dataset failed; the datasets before it may have committed.
    Failed,
}
