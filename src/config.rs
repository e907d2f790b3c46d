//! The one typed configuration, parsed once from flags and `SOUTHGRAPH_*` variables.

use std::{net::SocketAddr, time::Duration};

use clap::Args;

/// Where the data lives.
#[derive(Args, Clone, Debug)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (the embedded default) or `postgres://…`.
    #[arg(long = "database-url", env = "SOUTHGRAPH_DATABASE_URL", default_value = "sqlite://southgraph.db?mode=rwc")]
    pub url: String,
    /// Most connections in the pool.
    #[arg(long = "database-max-connections", env = "SOUTHGRAPH_DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub max_connections: u32,
}

/// How the API serves queries.
#[derive(Args, Clone, Debug)]
pub struct ApiConfig {
    /// Page size of a connection when the query gives neither `first` nor `last`.
    #[arg(long, env = "SOUTHGRAPH_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: u64,
    /// Largest `first` or `last` a connection accepts; more is an error, not a silent cut.
    #[arg(long, env = "SOUTHGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: u64,
    /// Deepest query accepted.
    #[arg(long, env = "SOUTHGRAPH_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Most complex query accepted (async-graphql's complexity: one per field).
    #[arg(long, env = "SOUTHGRAPH_MAX_COMPLEXITY", default_value_t = 5000)]
    pub max_complexity: usize,
    /// How long, in milliseconds, a batch loader waits to gather keys before it queries.
    #[arg(long, env = "SOUTHGRAPH_BATCH_DELAY_MS", default_value_t = 2)]
    pub batch_delay_ms: u64,
}

impl ApiConfig {
    /// The batch window as a duration.
    pub fn batch_delay(&self) -> Duration {
        Duration::from_millis(self.batch_delay_ms)
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self { default_page_size: 20, max_page_size: 100, max_depth: 12, max_complexity: 5000, batch_delay_ms: 2 }
    }
}

/// How the HTTP server listens.
#[derive(Args, Clone, Debug)]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[arg(long, env = "SOUTHGRAPH_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,
    /// Import the bundled open data when the database does not hold all of it yet: an empty
    /// database, or one whose first import was interrupted or failed (the name is kept for
    /// compatibility). The server answers 503 until the import is complete.
    #[arg(long, env = "SOUTHGRAPH_IMPORT_IF_EMPTY", default_value_t = true, action = clap::ArgAction::Set)]
    pub import_if_empty: bool,
}
