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
    /// How long, in milliseconds, a request waits for a pooled connection before it is
    /// answered 503 (a saturated pool, or a database that is down).
    #[arg(
        long = "database-acquire-timeout-ms",
        env = "SOUTHGRAPH_DATABASE_ACQUIRE_TIMEOUT_MS",
        default_value_t = 2_000
    )]
    pub acquire_timeout_ms: u64,
}

impl DatabaseConfig {
    /// The configuration of a pool on `url` with `max_connections`, other settings default.
    pub fn new(url: impl Into<String>, max_connections: u32) -> Self {
        Self { url: url.into(), max_connections, acquire_timeout_ms: 2_000 }
    }
}

/// How the API serves queries, and the limits every request is checked against before any
/// SQL runs.
#[derive(Args, Clone, Debug)]
pub struct ApiConfig {
    /// Page size of a connection when the query gives neither `first` nor `last`.
    #[arg(long, env = "SOUTHGRAPH_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: u64,
    /// Largest `first` or `last` a connection accepts; more is an error, not a silent cut.
    #[arg(long, env = "SOUTHGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: u64,
    /// Deepest selection accepted, introspection (which has its own rule) not counted.
    #[arg(long, env = "SOUTHGRAPH_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Most cost points a request may ask for: each field counts one, times `first` (or the
    /// default page size) for every connection above it; a batch adds its operations.
    #[arg(long, env = "SOUTHGRAPH_MAX_COST", default_value_t = 50_000)]
    pub max_cost: u64,
    /// Most operations in one batched request.
    #[arg(long, env = "SOUTHGRAPH_MAX_BATCH", default_value_t = 10)]
    pub max_batch: usize,
    /// Most lexical tokens in one query document.
    #[arg(long, env = "SOUTHGRAPH_MAX_TOKENS", default_value_t = 10_000)]
    pub max_tokens: usize,
    /// Most input values (objects, lists and scalars in arguments and variables) per request.
    #[arg(long, env = "SOUTHGRAPH_MAX_INPUT_VALUES", default_value_t = 1_000)]
    pub max_input_values: usize,
    /// Deepest nesting of an input value (`not` inside `or` inside …).
    #[arg(long, env = "SOUTHGRAPH_MAX_INPUT_DEPTH", default_value_t = 16)]
    pub max_input_depth: usize,
    /// Longest string argument or variable, in characters.
    #[arg(long, env = "SOUTHGRAPH_MAX_STRING_LENGTH", default_value_t = 1_000)]
    pub max_string_length: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
            max_depth: 12,
            max_cost: 50_000,
            max_batch: 10,
            max_tokens: 10_000,
            max_input_values: 1_000,
            max_input_depth: 16,
            max_string_length: 1_000,
        }
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

/// How the HTTP layer protects the server: sizes, deadlines, load shedding, rate limits.
#[derive(Args, Clone, Debug)]
pub struct HttpConfig {
    /// Largest request body, in bytes; more is answered 413.
    #[arg(long, env = "SOUTHGRAPH_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,
    /// Deadline of a request, in milliseconds: past it the work is cancelled and the client
    /// gets a coded `TIMEOUT`. Also PostgreSQL's `statement_timeout`.
    #[arg(long, env = "SOUTHGRAPH_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Deadline of a whole export stream, in seconds.
    #[arg(long, env = "SOUTHGRAPH_EXPORT_TIMEOUT_S", default_value_t = 300)]
    pub export_timeout_s: u64,
    /// How long, in milliseconds, an export waits for a client that stopped reading before
    /// it gives up and releases its database connection.
    #[arg(long, env = "SOUTHGRAPH_EXPORT_IDLE_TIMEOUT_MS", default_value_t = 10_000)]
    pub export_idle_timeout_ms: u64,
    /// How long, in milliseconds, a client may take to send its request headers.
    #[arg(long, env = "SOUTHGRAPH_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Most requests served at once; more are answered 503 at once, with `Retry-After`.
    #[arg(long, env = "SOUTHGRAPH_MAX_IN_FLIGHT", default_value_t = 32)]
    pub max_in_flight: usize,
    /// Most exports streaming at once (each holds a database connection throughout).
    #[arg(long, env = "SOUTHGRAPH_MAX_EXPORTS", default_value_t = 2)]
    pub max_exports: usize,
    /// Cost points a client may spend per window (`off` turns rate limiting off).
    #[arg(long = "rate-limit", env = "SOUTHGRAPH_RATE_LIMIT", default_value = "300000")]
    pub rate_limit: RateLimitSetting,
    /// Length of a rate-limit window, in seconds.
    #[arg(long, env = "SOUTHGRAPH_RATE_LIMIT_WINDOW_S", default_value_t = 60)]
    pub rate_limit_window_s: u64,
    /// Redis URL (`redis://127.0.0.1:6379`): instances behind one load balancer then share
    /// their clients' budgets. Without it (or while Redis is unreachable) the budget is kept
    /// in this process.
    #[arg(long, env = "SOUTHGRAPH_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` is trusted to name the client, comma-separated IPs.
    #[arg(long, env = "SOUTHGRAPH_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Bytes of successful responses (to single `GET` and `POST` requests) kept in memory;
    /// 0 keeps none.
    #[arg(long, env = "SOUTHGRAPH_RESPONSE_CACHE_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub response_cache_bytes: u64,
    /// How often, in milliseconds, the server reads the data version (the imports
    /// recorded in the database), which keys the response cache and the `ETag`s.
    #[arg(long, env = "SOUTHGRAPH_DATA_VERSION_POLL_MS", default_value_t = 1_000)]
    pub data_version_poll_ms: u64,
}

impl HttpConfig {
    /// The request deadline.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1_048_576,
            request_timeout_ms: 10_000,
            export_timeout_s: 300,
            export_idle_timeout_ms: 10_000,
            header_timeout_ms: 10_000,
            max_in_flight: 32,
            max_exports: 2,
            rate_limit: RateLimitSetting::Points(300_000),
            rate_limit_window_s: 60,
            redis_url: None,
            trusted_proxies: Vec::new(),
            response_cache_bytes: 64 * 1024 * 1024,
            data_version_poll_ms: 1_000,
        }
    }
}

/// The rate limit: cost points per window, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimitSetting {
    /// No rate limit (benchmarks, private deployments).
    Off,
    /// This many cost points per client and window.
    Points(u64),
}

impl std::str::FromStr for RateLimitSetting {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "off" => Ok(Self::Off),
            points => points
                .parse()
                .map(Self::Points)
                .map_err(|_| format!("`{points}` is neither `off` nor a number of cost points")),
        }
    }
}
