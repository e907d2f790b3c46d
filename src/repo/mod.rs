//! Database queries, free of GraphQL types: functions that take a connection and return
//! models, reusable from resolvers, loaders and exports.

pub mod aggregate;
pub mod export;
pub mod lookup;
pub mod page;
