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

use axum::{Router, routing::get};
use sea_orm::DatabaseConnection;
use tower_http::{compression::CompressionLayer, cors::CorsLayer, trace::TraceLayer};

use crate::{graphql::ApiSchema, readiness::Readiness};

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
}

/// The application's router over a database whose data is complete, ready to serve or to
/// drive in tests with `oneshot`.
pub fn app(schema: ApiSchema, db: DatabaseConnection) -> Router {
    app_with(schema, db, Readiness::ready())
}

/// The application's router, with the handle the first import moves forward.
pub fn app_with(schema: ApiSchema, db: DatabaseConnection, readiness: Readiness) -> Router {
    Router::new()
        .route("/", get(graphiql::page))
        .route("/graphql", get(graphql::execute).post(graphql::execute))
        .route("/health", get(health::check))
        .route("/export/{file}", get(export::export))
        .route("/explore", get(explore::page))
        .route("/explore/explore.js", get(explore::script))
        .route("/explore/explore.css", get(explore::stylesheet))
        .route("/explore/countries-110m.json", get(explore::countries))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http())
        .with_state(AppState { schema, db, readiness })
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
