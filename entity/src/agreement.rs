//! An agreement between countries: a trade or investment treaty, a cooperation agreement.

use super::{AgreementKind, AgreementStatus};
use sea_orm::entity::prelude::*;

/// One agreement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The dataset the row came from; with `ref`, the natural key.
    pub source_id: i32,
    /// The agreement's reference in its source.
    pub r#ref: String,
    /// Title.
    pub title: String,
    /// What it is about.
    pub kind: AgreementKind,
    /// The source's own label for its kind.
    pub source_kind: Option<String>,
    /// Where it stands.
    pub status: AgreementStatus,
    /// Year signed.
    pub signed_year: Option<i32>,
    /// Date signed, where the source has the day.
    pub signed_on: Option<Date>,
    /// Year it entered into force.
    pub in_force_year: Option<i32>,
    /// Date it entered into force, where the source has the day.
    pub in_force_on: Option<Date>,
    /// Date it was terminated.
    pub terminated_on: Option<Date>,
}

/// Relations of an agreement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The dataset the row came from.
    #[sea_orm(belongs_to = "super::source::Entity", from = "Column::SourceId", to = "super::source::Column::Id")]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
