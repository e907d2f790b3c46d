//! A bloc that is party to an agreement in its own right (the European Union, EFTA,
//! MERCOSUR …), beside the countries that are parties.

use sea_orm::entity::prelude::*;

/// One bloc party.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_bloc_party")]
pub struct Model {
    /// The agreement.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agreement_id: i32,
    /// The bloc.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bloc_id: i32,
}

/// Relations of a bloc party.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The agreement.
    #[sea_orm(
        belongs_to = "super::agreement::Entity",
        from = "Column::AgreementId",
        to = "super::agreement::Column::Id"
    )]
    Agreement,
    /// The bloc.
    #[sea_orm(belongs_to = "super::bloc::Entity", from = "Column::BlocId", to = "super::bloc::Column::Id")]
    Bloc,
}

impl ActiveModelBehavior for ActiveModel {}
