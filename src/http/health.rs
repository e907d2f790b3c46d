//! `GET /health`: the server is up, whether its database answers, and whether its data is
//! complete yet (the first import may still run).

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;

use super::AppState;
use crate::readiness::Stage;

/// The health report.
#[derive(Serialize)]
pub struct Health {
    /// `ok`, `degraded` (the database does not answer), `importing` or `failed` (the first
    /// import: see `stage`).
    status: &'static str,
    /// `ok` or `unreachable`.
    database: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// The readiness stage, flattened: `stage` (`ready`, `importing` with `dataset`,
    /// `datasetsDone` and `datasetsTotal`, or `failed` with `reason`).
    #[serde(flatten)]
    stage: Stage,
}

/// 200 when the data is complete and the database answers; 503 while the first import
/// runs, after it failed, or when the database does not answer.
pub async fn check(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let backend = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "postgres",
        sea_orm::DbBackend::Sqlite => "sqlite",
        _ => "other",
    };
    let database = match state.db.ping().await {
        Ok(()) => "ok",
        Err(err) => {
            tracing::error!(%err, "health check: database unreachable");
            "unreachable"
        }
    };
    let stage = state.readiness.stage();
    let (code, status) = match (&stage, database) {
        (Stage::Importing { .. }, _) => (StatusCode::SERVICE_UNAVAILABLE, "importing"),
        (Stage::Failed { .. }, _) => (StatusCode::SERVICE_UNAVAILABLE, "failed"),
        (Stage::Ready, "ok") => (StatusCode::OK, "ok"),
        (Stage::Ready, _) => (StatusCode::SERVICE_UNAVAILABLE, "degraded"),
    };
    (code, Json(Health { status, database, backend, stage }))
}
