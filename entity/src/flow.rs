//! A flow from a provider to a recipient: finance, technical cooperation or trade.

use super::FlowKind;
use sea_orm::entity::prelude::*;

/// One flow (a project, an activity, a year of trade).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "flow")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The dataset the row came from; with `ref`, the natural key.
    pub source_id: i32,
    /// The flow's reference in its source.
    pub r#ref: String,
    /// The providing country.
    pub provider_id: i32,
    /// The recipient country; none for regional or unallocated flows.
    pub recipient_id: Option<i32>,
    /// The source's label for the recipient when it is not one country ("Africa, regional").
    pub recipient_label: Option<String>,
    /// Year of commitment (or of trade).
    pub year: Option<i32>,
    /// What moves, mapped to the common kinds.
    pub kind: FlowKind,
    /// The source's own flow type label.
    pub flow_type: Option<String>,
    /// The source's own flow class (ODA-like, OOF-like …).
    pub flow_class: Option<String>,
    /// Amount in current US dollars.
    pub amount_usd_current: Option<f64>,
    /// Amount in constant US dollars of `constant_base_year`.
    pub amount_usd_constant: Option<f64>,
    /// Base year of the constant amount.
    pub constant_base_year: Option<i32>,
    /// The amount in US dollars of 1982–84 prices by the U.S. CPI-U (`price_index`): the
    /// current amount divided by the index of `year`, or, without one, the constant amount
    /// divided by the index of `constant_base_year` (rebased). Derived, never read from a
    /// file: the import sets it from the stored series. Times the index of a year, over
    /// 100, it gives dollars of that year.
    pub amount_usd_real: Option<f64>,
    /// The sector.
    pub sector_id: Option<i32>,
    /// The agreement the flow belongs to.
    pub agreement_id: Option<i32>,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status in the source's words.
    pub status: Option<String>,
    /// Start date.
    pub start_on: Option<Date>,
    /// End date.
    pub end_on: Option<Date>,
    /// Whether the source recommends the row for research (AidData's flag).
    pub recommended_for_research: Option<bool>,
}

/// Relations of a flow.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The providing country.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::ProviderId", to = "super::country::Column::Id")]
    Provider,
    /// The recipient country.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::RecipientId", to = "super::country::Column::Id")]
    Recipient,
    /// The sector.
    #[sea_orm(belongs_to = "super::sector::Entity", from = "Column::SectorId", to = "super::sector::Column::Id")]
    Sector,
    /// The agreement.
    #[sea_orm(
        belongs_to = "super::agreement::Entity",
        from = "Column::AgreementId",
        to = "super::agreement::Column::Id"
    )]
    Agreement,
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
