//! A sector an expert works in.

use sea_orm::entity::prelude::*;

/// One sector of an expert.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expert_sector")]
pub struct Model {
    /// The expert.
    #[sea_orm(primary_key, auto_increment = false)]
    pub expert_id: i32,
    /// The sector.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sector_id: i32,
}

/// Relations of an expert's sector.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The expert.
    #[sea_orm(belongs_to = "super::expert::Entity", from = "Column::ExpertId", to = "super::expert::Column::Id")]
    Expert,
    /// The sector.
    #[sea_orm(belongs_to = "super::sector::Entity", from = "Column::SectorId", to = "super::sector::Column::Id")]
    Sector,
}

impl ActiveModelBehavior for ActiveModel {}
