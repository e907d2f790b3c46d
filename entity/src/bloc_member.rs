//! Membership of a country in a bloc.

use sea_orm::entity::prelude::*;

/// One membership.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bloc_member")]
pub struct Model {
    /// The bloc.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bloc_id: i32,
    /// The member country.
    #[sea_orm(primary_key, auto_increment = false)]
    pub country_id: i32,
    /// The dataset that states the membership (or the correction that adds it).
    pub source_id: i32,
}

/// Relations of a membership.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The bloc.
    #[sea_orm(belongs_to = "super::bloc::Entity", from = "Column::BlocId", to = "super::bloc::Column::Id")]
    Bloc,
    /// The member country.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::CountryId", to = "super::country::Column::Id")]
    Country,
}

impl ActiveModelBehavior for ActiveModel {}
