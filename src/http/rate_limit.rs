//! Rate limits in cost points, as GitHub counts them: each client (by IP) may spend a
//! budget of points per window, a GraphQL request its cost, any other request one point.
//!
//! Every response says where the client stands, in the IETF draft's headers
//! `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds); a client
//! that has spent its budget gets 429 with `Retry-After`. With a Redis URL, instances
//! behind one load balancer share the budgets (a fixed-window counter per client, `INCRBY`
//! and `EXPIRE … NX` in one transaction); while Redis is unreachable each instance counts
//! in-process, says so in its log and in `/health`, and goes back to Redis when it answers.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{AppState, problem};
use crate::{
    config::{HttpConfig, RateLimitSetting},
    error::ApiError,
};

/// How long a request waits for Redis before counting in-process instead.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// Clients the in-process counter keeps before it forgets past windows.
const MAX_LOCAL_CLIENTS: usize = 100_000;

/// Where a client stands after a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Whether the request fits in the budget.
    pub allowed: bool,
    /// Points per window.
    pub limit: u64,
    /// Points left in this window.
    pub remaining: u64,
    /// Seconds until the window resets.
    pub reset: u64,
}

/// The client a request comes from, as the rate limiter tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client(pub IpAddr);

/// The budgets of every client.
pub struct RateLimiter {
    points: Option<u64>,
    window: u64,
    trusted_proxies: Vec<IpAddr>,
    local: Mutex<HashMap<IpAddr, (u64, u64)>>,
    redis: Option<ConnectionManager>,
    redis_answering: AtomicBool,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("RateLimiter").field("points", &self.points).field("window", &self.window).finish()
    }
}

impl RateLimiter {
    /// A limiter counting in-process, as `config` says (no Redis).
    fn in_process(config: &HttpConfig) -> Self {
        let points = match config.rate_limit {
            RateLimitSetting::Off => None,
            RateLimitSetting::Points(points) => Some(points),
        };
        Self {
            points,
            window: config.rate_limit_window_s.max(1),
            trusted_proxies: config.trusted_proxies.clone(),
            local: Mutex::new(HashMap::new()),
            redis: None,
            redis_answering: AtomicBool::new(false),
        }
    }

    /// A limiter as `config` says: shared through Redis when it names one (connected on
    /// first use). An unreachable Redis is not fatal: the limiter counts in-process until it
    /// answers.
    pub fn new(config: &HttpConfig) -> Self {
        let mut limiter = Self::in_process(config);
        let Some(url) = config.redis_url.as_deref().filter(|_| limiter.points.is_some()) else { return limiter };
        let manager = match redis::Client::open(url) {
            Ok(client) => {
                let settings = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(REDIS_TIMEOUT))
                    .set_response_timeout(Some(REDIS_TIMEOUT))
                    .set_number_of_retries(1);
                ConnectionManager::new_lazy_with_config(client, settings)
            }
            Err(err) => Err(err),
        };
        match manager {
            Ok(manager) => {
                limiter.redis = Some(manager);
                limiter.redis_answering.store(true, Ordering::Relaxed);
                tracing::info!("rate limits to be shared through Redis");
            }
            Err(err) => tracing::warn!(%err, "cannot use Redis for rate limits: counting in-process"),
        }
        limiter
    }

    /// How the limiter counts, for `/health`: `off`, `in-process`, `redis`, or
    /// `in-process (Redis unreachable)`.
    pub fn backend(&self) -> &'static str {
        match (self.points, &self.redis) {
            (None, _) => "off",
            (Some(_), None) => "in-process",
            (Some(_), Some(_)) if self.redis_answering.load(Ordering::Relaxed) => "redis",
            (Some(_), Some(_)) => "in-process (Redis unreachable)",
        }
    }

    /// Spends `points` of `client`'s budget; `None` when rate limiting is off.
    pub async fn spend(&self, client: IpAddr, points: u64) -> Option<Standing> {
        let limit = self.points?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
        let window = now / self.window;
        let reset = self.window - now % self.window;
        let spent = match self.spend_in_redis(client, window, points).await {
            Some(spent) => spent,
            None => self.spend_locally(client, window, points),
        };
        Some(Standing { allowed: spent <= limit, limit, remaining: limit.saturating_sub(spent), reset })
    }

    async fn spend_in_redis(&self, client: IpAddr, window: u64, points: u64) -> Option<u64> {
        let mut redis = self.redis.clone()?;
        let key = format!("southgraph:rate:{client}:{window}");
        let mut pipeline = redis::pipe();
        pipeline.atomic().incr(&key, points).cmd("EXPIRE").arg(&key).arg(self.window).arg("NX").ignore();
        let spend = pipeline.query_async::<(u64,)>(&mut redis);
        let outcome = tokio::time::timeout(REDIS_TIMEOUT, spend).await;
        let answering = matches!(outcome, Ok(Ok(_)));
        if self.redis_answering.swap(answering, Ordering::Relaxed) != answering {
            if answering {
                tracing::info!("Redis answers again: rate limits shared through it");
            } else {
                tracing::warn!("Redis does not answer: counting rate limits in-process");
            }
        }
        match outcome {
            Ok(Ok((spent,))) => Some(spent),
            _ => None,
        }
    }

    fn spend_locally(&self, client: IpAddr, window: u64, points: u64) -> u64 {
        let mut budgets = match self.local.lock() {
            Ok(budgets) => budgets,
            Err(poisoned) => poisoned.into_inner(),
        };
        if budgets.len() >= MAX_LOCAL_CLIENTS {
            budgets.retain(|_, (seen, _)| *seen == window);
        }
        let (seen, spent) = budgets.entry(client).or_insert((window, 0));
        if *seen != window {
            (*seen, *spent) = (window, 0);
        }
        *spent = spent.saturating_add(points);
        *spent
    }

    /// The client of a request: its peer, or the last address before the trusted proxies
    /// in `X-Forwarded-For` when the peer is one of them. In-process requests (tests) have
    /// no peer and count as the loopback address.
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |peer| peer.ip());
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|hop| hop.trim().parse().ok())
            .collect();
        forwarded.into_iter().rev().find(|hop| !self.trusted_proxies.contains(hop)).unwrap_or(peer)
    }
}

/// Charges every request one point, tells the handler who the client is, and writes the
/// client's standing (after whatever the handler spent) into the response's headers.
pub async fn charge(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0);
    let client = state.rate_limiter.client(peer, request.headers());
    let standing = state.rate_limiter.spend(client, 1).await;
    if let Some(standing) = standing.filter(|standing| !standing.allowed) {
        return spent(standing);
    }
    request.extensions_mut().insert(Client(client));
    let mut response = next.run(request).await;
    let standing = response.extensions().get::<Standing>().copied().or(standing);
    if let Some(standing) = standing {
        write_headers(response.headers_mut(), standing);
    }
    response
}

/// The answer to a client whose budget is spent.
pub fn spent(standing: Standing) -> Response {
    let error = ApiError::rate_limited(format!(
        "this client has spent its {} cost points for this window; it resets in {} s",
        standing.limit, standing.reset
    ));
    let mut response = problem(StatusCode::TOO_MANY_REQUESTS, &error);
    if let Ok(value) = HeaderValue::from_str(&standing.reset.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    write_headers(response.headers_mut(), standing);
    response.extensions_mut().insert(standing);
    response
}

fn write_headers(headers: &mut HeaderMap, standing: Standing) {
    for (name, value) in [
        ("ratelimit-limit", standing.limit),
        ("ratelimit-remaining", standing.remaining),
        ("ratelimit-reset", standing.reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}
