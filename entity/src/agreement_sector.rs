//! A sector an agreement covers.

use sea_orm::entity::prelude::*;

/// One covered sector.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_sector")]
pub struct Model {
    /// The agreement.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agreement_id: i32,
    /// The sector.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sector_id: i32,
}

/// Relations of a covered sector.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The agreement.
    #[sea_orm(
        belongs_to = "super::agreement::Entity",
        from = "Column::AgreementId",
        to = "super::agreement::Column::Id"
    )]
    Agreement,
    /// The sector.
    #[sea_orm(belongs_to = "super::sector::Entity", from = "Column::SectorId", to = "super::sector::Column::Id")]
    Sector,
}

impl ActiveModelBehavior for ActiveModel {}
