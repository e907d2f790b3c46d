//! A sector of a vocabulary: DAC groups, 3-digit categories and 5-digit purpose codes.

use super::SectorLevel;
use sea_orm::entity::prelude::*;

/// One sector code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sector")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The vocabulary, for example `DAC`.
    pub vocabulary: String,
    /// The code, unique within its vocabulary (`12220`, `122`, `120`).
    pub code: String,
    /// Its level in the hierarchy.
    pub level: SectorLevel,
    /// Name.
    pub name: String,
    /// Longer description.
    pub description: Option<String>,
    /// The sector one level up.
    pub parent_id: Option<i32>,
    /// Whether the code is still in use.
    pub active: bool,
    /// The dataset the row came from.
    pub source_id: i32,
}

/// Relations of a sector.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The sector one level up.
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
