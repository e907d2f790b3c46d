//! `GET /health`: whether the server can serve, answered within a second whatever the load
//! (it is not shed, and waits at most [`PING_TIMEOUT`] for the database), and whether its
//! data is complete yet (the first import may still run).

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;

use super::AppState;
use crate::readiness::Stage;

/// How long the health check waits for the database.
const PING_TIMEOUT: Duration = Duration::from_millis(800);

/// The health report.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok`, `degraded` (see `reason`), `importing` or `failed` (the first import: see
    /// `stage`).
    status: &'static str,
    /// Why a server whose data is ready is `degraded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// `ok`, `unreachable` or `busy` (no connection within the check's timeout).
    database: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// How rate limits are counted: `off`, `in-process`, `redis`, or
    /// `in-process (Redis unreachable)`.
    rate_limit: &'static str,
    /// The readiness stage, flattened: `stage` (`ready`, `importing` with `dataset`,
    /// `datasetsDone` and `datasetsTotal`, or `failed` with its `reason`).
    #[serde(flatten)]
    stage: Stage,
}

/// 200 when the data is complete and the database answers; 503 while the first import
/// runs, after it failed, or while the database does not answer in time.
pub async fn check(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let backend = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "postgres",
        sea_orm::DbBackend::Sqlite => "sqlite",
        _ => "other",
    };
    let database = match tokio::time::timeout(PING_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(err)) => {
            tracing::error!(%err, "health check: database unreachable");
            "unreachable"
        }
        Err(_) => "busy",
    };
    let stage = state.readiness.stage();
    let (status, reason) = match (&stage, database) {
        (Stage::Importing { .. }, _) => ("importing", None),
        (Stage::Failed { .. }, _) => ("failed", None),
        (Stage::Ready, "ok") => ("ok", None),
        (Stage::Ready, "busy") => {
            ("degraded", Some(format!("no database connection was free within {} ms", PING_TIMEOUT.as_millis())))
        }
        (Stage::Ready, _) => ("degraded", Some("the database does not answer".to_owned())),
    };
    let code = if status == "ok" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let rate_limit = state.rate_limiter.backend();
    (code, Json(Health { status, reason, database, backend, rate_limit, stage }))
}
