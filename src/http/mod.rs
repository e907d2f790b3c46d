//! HTTP: routes, layers and graceful shutdown.
//!
//! - `POST /graphql` and `GET /graphql` per the GraphQL-over-HTTP specification;
//! - `/` GraphiQL with example queries ready to run (also `GET /graphql` from a browser),
//!   with its files under `/graphiql/`;
//! - `/health` liveness with the database's state;
//! - `/export/…` flows and aggregates as CSV or NDJSON;
//! - `/explore` the explorer page for data journalists, with its bundled assets.

mod access_log;
mod cache;
mod examples;
mod explore;
mod export;
mod graphiql;
mod graphql;
mod guard;
mod health;
mod persisted;
pub mod rate_limit;
mod sdl;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::ConnectInfo,
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer, cors::CorsLayer};

use self::{cache::ResponseCache, guard::Guard, persisted::PersistedQueries, rate_limit::RateLimiter};

use crate::{
    config::{ApiConfig, HttpConfig},
    data_version::DataVersion,
    error::{ApiError, ErrorCode},
    graphql::{ApiSchema, limits::QueryLimits},
    readiness::Readiness,
    repo::reference::ReferenceTables,
};

pub use examples::{EXAMPLES, QUESTIONS};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL schema.
    pub schema: ApiSchema,
    /// The database, for health checks.
    pub db: DatabaseConnection,
    /// Whether the data is complete yet (the first import may still run).
    pub readiness: Readiness,
    /// The checks a GraphQL request passes before it runs.
    pub limits: Arc<QueryLimits>,
    /// The HTTP layer's limits.
    pub http: Arc<HttpConfig>,
    /// Slots for exports, which hold a database connection while they stream.
    pub exports: Arc<Semaphore>,
    /// The clients' budgets of cost points.
    pub rate_limiter: Arc<RateLimiter>,
    /// The version of the data, which keys cached responses and `ETag`s.
    pub data_version: DataVersion,
    /// Successful `GET` and persisted-query responses.
    pub responses: Arc<ResponseCache>,
    /// The queries clients persisted (automatic persisted queries).
    pub persisted: Arc<PersistedQueries>,
    /// The small tables only imports change, in memory per data version.
    pub reference: Arc<ReferenceTables>,
    /// The schema's SDL, served at `/schema.graphql`.
    pub sdl: Arc<sdl::SchemaFile>,
}

/// Bytes of query text kept for automatic persisted queries.
const PERSISTED_QUERY_BYTES: u64 = 8 * 1024 * 1024;

/// What the router needs besides the schema and the database.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// The limits of GraphQL requests (the same the schema was built with).
    pub api: ApiConfig,
    /// The HTTP layer's limits.
    pub http: HttpConfig,
    /// Whether the data is complete yet.
    pub readiness: Readiness,
    /// The data version, polled from the database; the caller refreshes it after its own
    /// imports.
    pub data_version: DataVersion,
}

/// The application's router over a database whose data is complete, with the default
/// limits, ready to serve or to drive in tests with `oneshot`.
pub fn app(schema: ApiSchema, db: DatabaseConnection) -> Router {
    app_with(schema, db, AppOptions::default())
}

/// The application's router with its options.
///
/// `/health` stays outside load shedding, so it answers while the server is saturated.
pub fn app_with(schema: ApiSchema, db: DatabaseConnection, options: AppOptions) -> Router {
    let sdl = schema.sdl();
    // A response depends on the schema and on the limits `extensions.cost` tells, besides
    // the request and the data.
    let server = format!("{}\n{:?}\n{sdl}", env!("CARGO_PKG_VERSION"), options.api);
    let responses = Arc::new(ResponseCache::new(options.http.response_cache_bytes, &server));
    let limits = Arc::new(QueryLimits::new(&sdl, options.api));
    options.data_version.watch(db.clone(), Duration::from_millis(options.http.data_version_poll_ms.max(1)));
    let guard = Guard {
        max_body_bytes: options.http.max_body_bytes,
        deadline: options.http.request_timeout(),
        in_flight: Arc::new(Semaphore::new(options.http.max_in_flight)),
    };
    let exports = Arc::new(Semaphore::new(options.http.max_exports));
    let rate_limiter = Arc::new(RateLimiter::new(&options.http));
    let state = AppState {
        schema,
        db,
        readiness: options.readiness,
        limits,
        http: Arc::new(options.http),
        exports,
        rate_limiter,
        data_version: options.data_version,
        responses,
        persisted: Arc::new(PersistedQueries::new(PERSISTED_QUERY_BYTES)),
        reference: Arc::default(),
        sdl: Arc::new(sdl::SchemaFile::new(sdl)),
    };
    let data = Router::new()
        .route("/graphql", get(graphql::execute).post(graphql::execute))
        .route("/export/{file}", get(export::export))
        .layer(middleware::from_fn_with_state(state.readiness.clone(), guard::ready));
    let shed = Router::new()
        .merge(data)
        .route("/", get(graphiql::page))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/schema.graphql", get(sdl::schema_file))
        .route("/explore", get(explore::page))
        .route("/explore/", get(explore::page))
        .route("/explore/explore.js", get(explore::script))
        .route("/explore/explore.css", get(explore::stylesheet))
        .route("/explore/chart.js", get(explore::chart))
        .route("/explore/countries-110m.json", get(explore::countries))
        .layer(middleware::from_fn_with_state(guard.clone(), guard::admit))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit::charge));
    Router::new()
        .route("/health", get(health::check))
        .merge(shed)
        .fallback(no_route)
        .layer(middleware::from_fn_with_state(guard, guard::body_size))
        .layer(middleware::from_fn(guard::security_headers))
        .layer(CatchPanicLayer::custom(guard::panicked))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(middleware::from_fn(access_log::log))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish
/// (for at most ten seconds). A client that takes longer than `header_timeout` to send its
/// request headers is disconnected; each request sees its peer's address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait, rather than spin.
                    tracing::warn!(%err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, %peer, "connection closed with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after ten seconds: closing them");
    }
    Ok(())
}

/// A coded error response, `{"errors":[{"message","extensions":{"code"}}]}`, as every
/// endpoint answers what it refuses. Refusals the client may retry carry `Retry-After`.
pub(crate) fn problem(status: StatusCode, error: &ApiError) -> Response {
    let body = json!({ "errors": [{ "message": error.message(), "extensions": { "code": error.code().as_str() } }] });
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    if matches!(error.code(), ErrorCode::ServiceUnavailable | ErrorCode::Timeout) {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// 404 for any path the API does not serve, coded like every refusal.
async fn no_route(uri: axum::http::Uri) -> Response {
    let message = format!(
        "nothing at `{}`: the API is at `/graphql` (GraphiQL at `/`), exports under `/export/`, the SDL at `/schema.graphql`, the explorer at `/explore`",
        crate::error::excerpt(uri.path(), 80)
    );
    problem(StatusCode::NOT_FOUND, &ApiError::not_found(message))
}

/// Resolves when the process receives SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
