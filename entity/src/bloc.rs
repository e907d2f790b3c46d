//! A group of countries: a negotiating group, a regional community, an organisation.

use super::BlocKind;
use sea_orm::entity::prelude::*;

/// One bloc.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bloc")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Short code, the natural key (`G77`, `AU`, `ASEAN` …).
    #[sea_orm(unique)]
    pub code: String,
    /// Full name.
    pub name: String,
    /// What kind of grouping it is.
    pub kind: BlocKind,
    /// The dataset the row came from.
    pub source_id: i32,
}

/// Relations of a bloc.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
