//! SeaORM entities of southgraph, one module per table.
//!
//! Every row imported from a dataset carries the `source_id` of the [`source`] it came from
//! and its own reference in that source (`ref`), which together form its natural key. The
//! crate knows nothing of GraphQL or HTTP; the server wraps these models in its own types.

pub mod agreement;
pub mod agreement_bloc_party;
pub mod agreement_party;
pub mod agreement_sector;
pub mod bloc;
pub mod bloc_member;
pub mod bundle_import;
pub mod code_list_item;
pub mod country;
pub mod country_income_group;
pub mod deployment;
pub mod exchange;
pub mod expert;
pub mod expert_sector;
pub mod flow;
pub mod flow_code;
pub mod flow_repeat;
pub mod import_change;
pub mod import_run;
pub mod kinds;
pub mod price_index;
pub mod search_document;
pub mod sector;
pub mod source;

pub use kinds::{
    AgreementKind, AgreementStatus, BlocKind, BundleImportStatus, ExchangeKind, ExpertKind, FlowKind, ImportStatus,
    SectorLevel,
};
