//! A deployment of an expert to a host country for a period.

use sea_orm::entity::prelude::*;

/// One deployment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The expert deployed; with `ref`, the natural key.
    pub expert_id: i32,
    /// The deployment's reference within its expert.
    pub r#ref: String,
    /// Where the expert was deployed.
    pub host_country_id: Option<i32>,
    /// First year of the deployment.
    pub start_year: Option<i32>,
    /// Last year of the deployment.
    pub end_year: Option<i32>,
    /// The flow that financed it.
    pub flow_id: Option<i32>,
    /// The agreement it served.
    pub agreement_id: Option<i32>,
}

/// Relations of a deployment.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The expert deployed.
    #[sea_orm(belongs_to = "super::expert::Entity", from = "Column::ExpertId", to = "super::expert::Column::Id")]
    Expert,
    /// The host country.
    #[sea_orm(belongs_to = "super::country::Entity", from = "Column::HostCountryId", to = "super::country::Column::Id")]
    HostCountry,
    /// The financing flow.
    #[sea_orm(belongs_to = "super::flow::Entity", from = "Column::FlowId", to = "super::flow::Column::Id")]
    Flow,
    /// The agreement served.
    #[sea_orm(
        belongs_to = "super::agreement::Entity",
        from = "Column::AgreementId",
        to = "super::agreement::Column::Id"
    )]
    Agreement,
}

impl ActiveModelBehavior for ActiveModel {}
