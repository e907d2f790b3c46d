//! `GET /health`: whether the server can serve, answered within a second whatever the load
//! (it is not shed, and waits at most [`PING_TIMEOUT`] for the database).

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
    /// `ok`, `degraded` (see `reason`), `importing` or `failed`.
    status: &'static str,
    /// Why the server is not `ok`, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// `ok`, `unreachable` or `busy` (no connection within the check's timeout).
    database: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// How rate limits are counted: `off`, `in-process`, `redis`, or
    /// `in-process (Redis unreachable)`.
    rate_limit: &'static str,
    /// The first import's progress, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    import: Option<Stage>,
}

/// 200 when the server can serve data; 503 while importing, after a failed import, or
/// while the database does not answer.
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
    let (status, reason, import) = match stage {
        Stage::Importing { .. } => {
            ("importing", Some("the bundled open data is being imported".to_owned()), Some(stage))
        }
        Stage::Failed { ref reason } => ("failed", Some(format!("the first import failed: {reason}")), Some(stage)),
        Stage::Ready => match database {
            "ok" => ("ok", None, None),
            "busy" => (
                "degraded",
                Some(format!("no database connection was free within {} ms", PING_TIMEOUT.as_millis())),
                None,
            ),
            _ => ("degraded", Some("the database does not answer".to_owned()), None),
        },
    };
    let code = if status == "ok" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let rate_limit = state.rate_limiter.backend();
    (code, Json(Health { status, reason, database, backend, rate_limit, import }))
}
