//! A country's World Bank income group in one year.

use sea_orm::entity::prelude::*;

/// One country-year of the World Bank's historical classification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "country_income_group")]
pub struct Model {
    /// The country.
    #[sea_orm(primary_key, auto_increment = false)]
    pub country_id: i32,
    /// The calendar year on whose 1 July the class took effect: the World Bank's fiscal
    /// year `year + 1`, set from gross national income per capita in `year - 1`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// `Low income`, `Lower middle income`, `Upper middle income` or `High income`.
    pub income_group: String,
    /// The dataset that gives the class.
    pub source_id: i32,
}

/// Relations of a country-year.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The country.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::CountryId", to = "super::country::Column::Id")]
    Country,
    /// The dataset.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
