//! southgraph: a GraphQL API over open data on South–South cooperation.
//!
//! The library holds everything; the binary (`main.rs`) only parses the command line and
//! dispatches. Tests drive [`app`] in-process with the schema from [`build_schema`].

pub mod cli;
pub mod config;
pub mod data_version;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod readiness;
pub mod repo;

pub use graphql::{ApiSchema, build_schema};
pub use http::app;
