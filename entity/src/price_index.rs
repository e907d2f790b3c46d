//! A price index year by year: the U.S. CPI-U annual averages that real dollars come from.

use sea_orm::entity::prelude::*;

/// One year of the U.S. Consumer Price Index for All Urban Consumers (CPI-U), annual
/// average, 1982–84 = 100.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "price_index")]
pub struct Model {
    /// The calendar year.
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// The year's annual average index (1982–84 = 100).
    pub cpi_u: f64,
    /// The dataset that gives the index.
    pub source_id: i32,
}

/// Relations of an index year.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The dataset.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
