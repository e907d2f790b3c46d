//! An exchange: one country-year count of a provider's public diplomacy with a partner
//! country (visits, students, Confucius institutes, sister cities, media partnerships).

use super::ExchangeKind;
use sea_orm::entity::prelude::*;

/// One country-year count of one kind of exchange.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exchange")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The dataset the row came from; with `ref`, the natural key.
    pub source_id: i32,
    /// The exchange's reference in its source: `<partner as the file names it>/<year>/<column>`.
    pub r#ref: String,
    /// The country whose public diplomacy it is (China in AidData's dataset).
    pub provider_id: i32,
    /// The partner country (the dataset's receiving country).
    pub partner_id: i32,
    /// The calendar year.
    pub year: i32,
    /// What is counted.
    pub kind: ExchangeKind,
    /// How many, as the source gives it.
    pub count: i32,
}

/// Relations of an exchange.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The provider.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::ProviderId", to = "super::country::Column::Id")]
    Provider,
    /// The partner.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::PartnerId", to = "super::country::Column::Id")]
    Partner,
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
