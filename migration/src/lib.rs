//! Schema migrations of southgraph: one schema change per migration, schema only, no data.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_tables;
mod m20261128_000002_index_flow_aggregates;
mod m20261201_000003_create_bundle_import;
mod m20261202_000004_index_flow_aggregates_by_source;
mod m20261202_000005_index_flow_by_party_and_year;
mod m20261202_000006_add_country_iso_numeric;
mod m20261202_000007_create_agreement_bloc_party;
mod m20261202_000008_create_country_income_group;
mod m20261202_000009_add_import_run_skips;
mod m20261202_000010_create_import_change;
mod m20261202_000011_create_code_lists;
mod m20261202_000012_index_import_change_pages;
mod m20261203_000013_create_exchange;
mod m20261203_000014_create_flow_repeat;
mod m20261203_000015_index_flow_aggregates_with_id;
mod m20261203_000016_add_source_guidance;
mod m20261203_000017_add_real_amounts;
mod m20261203_000018_index_flow_pages_latest_and_largest;
mod m20261203_000019_create_search_index;
mod m20261204_000020_search_index_pending_list;
mod m20261204_000021_rank_search_hits_from_small_columns;
mod m20261204_000022_create_flow_total;

/// Applies southgraph's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_tables::Migration),
            Box::new(m20261128_000002_index_flow_aggregates::Migration),
            Box::new(m20261201_000003_create_bundle_import::Migration),
            Box::new(m20261202_000004_index_flow_aggregates_by_source::Migration),
            Box::new(m20261202_000005_index_flow_by_party_and_year::Migration),
            Box::new(m20261202_000006_add_country_iso_numeric::Migration),
            Box::new(m20261202_000007_create_agreement_bloc_party::Migration),
            Box::new(m20261202_000008_create_country_income_group::Migration),
            Box::new(m20261202_000009_add_import_run_skips::Migration),
            Box::new(m20261202_000010_create_import_change::Migration),
            Box::new(m20261202_000011_create_code_lists::Migration),
            Box::new(m20261202_000012_index_import_change_pages::Migration),
            Box::new(m20261203_000013_create_exchange::Migration),
            Box::new(m20261203_000014_create_flow_repeat::Migration),
            Box::new(m20261203_000015_index_flow_aggregates_with_id::Migration),
            Box::new(m20261203_000016_add_source_guidance::Migration),
            Box::new(m20261203_000017_add_real_amounts::Migration),
            Box::new(m20261203_000018_index_flow_pages_latest_and_largest::Migration),
            Box::new(m20261203_000019_create_search_index::Migration),
            Box::new(m20261204_000020_search_index_pending_list::Migration),
            Box::new(m20261204_000021_rank_search_hits_from_small_columns::Migration),
            Box::new(m20261204_000022_create_flow_total::Migration),
        ]
    }
}
