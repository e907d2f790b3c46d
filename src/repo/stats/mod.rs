//! Aggregates for charts and stories, computed in the database: query functions that take
//! a connection, a condition and typed arguments, and return plain groups, each with the
//! sources of its figures. The GraphQL layer and the exports both call these.

pub mod agreements;
pub mod exchanges;
pub mod experts;
pub mod flows;
pub mod matrix;
pub mod partners;
pub mod shares;

/// Most groups one aggregate returns.
pub const MAX_GROUPS: u64 = 1000;
