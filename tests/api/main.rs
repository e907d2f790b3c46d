//! End-to-end tests of the API: the real router, in-process, over a fresh database per
//! test holding the bundled open data (SQLite by default; PostgreSQL with
//! `SOUTHGRAPH_TEST_POSTGRES_URL`).

mod cache;
mod caveats;
mod charts;
mod codes;
mod dollars;
mod exchanges;
mod export;
mod field_order;
mod filters;
mod fuzz;
mod guard;
mod hostile;
mod hostile_support;
mod http;
mod limits;
mod lookups;
mod pagination;
mod persisted;
mod plans;
mod published;
mod questions;
mod rate_limit;
mod readiness;
mod readme;
mod reference;
mod relations;
mod releases;
mod rules;
mod schema;
mod search;
mod served;
mod statements;
mod stats;
mod support;
