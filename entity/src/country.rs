//! A country or territory, keyed by ISO 3166-1 alpha-3.

use sea_orm::entity::prelude::*;

/// One country or territory with its codes and classifications.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "country")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// ISO 3166-1 alpha-3 code, the natural key.
    #[sea_orm(unique)]
    pub iso3: String,
    /// ISO 3166-1 alpha-2 code.
    pub iso2: Option<String>,
    /// UN M49 numeric code, as three digits.
    pub m49: Option<String>,
    /// ISO 3166-1 numeric code, as three digits (Taiwan's 158, which M49 leaves out).
    pub iso_numeric: Option<String>,
    /// Short English name.
    pub name: String,
    /// Official English name.
    pub official_name: Option<String>,
    /// M49 region code (for example `002` Africa).
    pub region_code: Option<String>,
    /// M49 region name.
    pub region_name: Option<String>,
    /// M49 sub-region code.
    pub sub_region_code: Option<String>,
    /// M49 sub-region name.
    pub sub_region_name: Option<String>,
    /// M49 intermediate region code.
    pub intermediate_region_code: Option<String>,
    /// M49 intermediate region name.
    pub intermediate_region_name: Option<String>,
    /// World Bank region.
    pub wb_region: Option<String>,
    /// World Bank income group.
    pub income_group: Option<String>,
    /// World Bank lending category.
    pub lending_category: Option<String>,
    /// Classed as developing by UN M49 (2020 edition): the default meaning of "South".
    pub is_developing: bool,
    /// Least developed country.
    pub is_ldc: bool,
    /// Landlocked developing country.
    pub is_lldc: bool,
    /// Small island developing state.
    pub is_sids: bool,
    /// Latitude of the centroid.
    pub latitude: Option<f64>,
    /// Longitude of the centroid.
    pub longitude: Option<f64>,
    /// The dataset the row came from.
    pub source_id: i32,
}

/// Relations of a country.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
