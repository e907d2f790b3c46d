//! Database queries, free of GraphQL types: functions that take a connection and return
//! models or plain structs, reusable from resolvers, loaders and exports.

pub mod aggregate;
pub mod export;
pub mod lookup;
pub mod page;
pub mod positional;
pub mod reference;
pub mod rules;
pub mod search;
pub mod stats;
