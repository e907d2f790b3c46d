//! `GET /health`: the server is up, and whether its database answers.

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;

use super::AppState;

/// The health report.
#[derive(Serialize)]
pub struct Health {
    /// `ok` or `degraded`.
    status: &'static str,
    /// `ok` or `unreachable`.
    database: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
}

/// 200 when the database answers, 503 when it does not.
pub async fn check(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let backend = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "postgres",
        sea_orm::DbBackend::Sqlite => "sqlite",
        _ => "other",
    };
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok", database: "ok", backend })),
        Err(err) => {
            tracing::error!(%err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database: "unreachable", backend }))
        }
    }
}
