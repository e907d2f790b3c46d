//! HTTP: routes, layers and graceful shutdown.
//!
//! - `POST /graphql` and `GET /graphql` per the GraphQL-over-HTTP specification;
//! - `/` GraphiQL with example queries ready to run;
//! - `/health` liveness with the database's state;
//! - `/export/…` flows and aggregates as CSV or NDJSON;
//! - `/explore` the explorer page for data journalists, with its bundled assets.

mod examples;
mod explore;
mod export;
mod graphiql;
mod graphql;
mod health;

use std::sync::Arc;

use axum::{
    Router,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::{compression::CompressionLayer, cors::CorsLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::{
    config::{ApiConfig, HttpConfig},
    error::{ApiError, ErrorCode},
    graphql::{ApiSchema, limits::QueryLimits},
    readiness::Readiness,
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
}

/// What the router needs besides the schema and the database.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// The limits of GraphQL requests (the same the schema was built with).
    pub api: ApiConfig,
    /// The HTTP layer's limits.
    pub http: HttpConfig,
    /// Whether the data is complete yet.
    pub readiness: Readiness,
}

/// The application's router over a database whose data is complete, with the default
/// limits, ready to serve or to drive in tests with `oneshot`.
pub fn app(schema: ApiSchema, db: DatabaseConnection) -> Router {
    app_with(schema, db, AppOptions::default())
}

/// The application's router with its options.
pub fn app_with(schema: ApiSchema, db: DatabaseConnection, options: AppOptions) -> Router {
    let limits = Arc::new(QueryLimits::new(&schema.sdl(), options.api));
    let body_limit = options.http.max_body_bytes;
    let state = AppState { schema, db, readiness: options.readiness, limits, http: Arc::new(options.http) };
    Router::new()
        .route("/", get(graphiql::page))
        .route("/graphql", get(graphql::execute).post(graphql::execute))
        .route("/health", get(health::check))
        .route("/export/{file}", get(export::export))
        .route("/explore", get(explore::page))
        .route("/explore/explore.js", get(explore::script))
        .route("/explore/explore.css", get(explore::stylesheet))
        .route("/explore/countries-110m.json", get(explore::countries))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
