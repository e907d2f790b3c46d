//! An expert: a person, team or institution that carries technical cooperation.

use super::ExpertKind;
use sea_orm::entity::prelude::*;

/// One expert record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expert")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The dataset the row came from; with `ref`, the natural key.
    pub source_id: i32,
    /// The expert's reference in its source.
    pub r#ref: String,
    /// Name of the person, team or institution.
    pub name: String,
    /// Person, team or institution.
    pub kind: ExpertKind,
    /// The country the expert comes from.
    pub home_country_id: Option<i32>,
    /// Number of people, for teams, where known.
    pub headcount: Option<i32>,
}

/// Relations of an expert.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The home country.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::HomeCountryId", to = "super::country::Column::Id")]
    HomeCountry,
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
