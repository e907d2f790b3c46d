//! A country that is party to an agreement.

use sea_orm::entity::prelude::*;

/// One party.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_party")]
pub struct Model {
    /// The agreement.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agreement_id: i32,
    /// The party.
    #[sea_orm(primary_key, auto_increment = false)]
    pub country_id: i32,
    /// Year the country joined, where it acceded after signature.
    pub joined_year: Option<i32>,
    /// Year the country withdrew.
    pub withdrawn_year: Option<i32>,
}

/// Relations of a party.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The agreement.
    #[sea_orm(
        belongs_to = "super::agreement::Entity",
        from = "Column::AgreementId",
        to = "super::agreement::Column::Id"
    )]
    Agreement,
    /// The party.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::CountryId", to = "super::country::Column::Id")]
    Country,
}

impl ActiveModelBehavior for ActiveModel {}
