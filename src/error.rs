//! The error clients see: a message that says what was wrong and a stable code.
//!
//! Client errors carry their message through. Internal causes (database errors, bugs) are
//! logged with their detail and replaced by a generic message, so nothing of the server's
//! insides leaks into a response.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr, sqlx::Error as SqlxError};

/// Stable error codes, sent as `extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request asked for something malformed or out of range.
    BadUserInput,
    /// The request asked for more than the limits allow.
    LimitExceeded,
    /// The request named something that does not exist (a path, an export).
    NotFound,
    /// The request is not a GraphQL request at all (wrong media type, unreadable body).
    BadRequest,
    /// The document is not valid against the schema.
    ValidationFailed,
    /// The client spent its rate limit; `Retry-After` says when to come back.
    RateLimited,
    /// The request ran out of time and was stopped.
    Timeout,
    /// The server cannot take the request now (saturated, importing, database down);
    /// `Retry-After` says when to come back.
    ServiceUnavailable,
    /// The server failed; the cause is in its log.
    Internal,
    /// The request would add amounts of different constant-dollar bases (a publisher's 2014
    /// dollars and another's 2012 dollars); the message says how to ask instead.
    MixedDollarBases,
    /// A persisted query was asked for by its hash alone, and this server does not know it:
    /// the client sends it again with the query (Apollo's protocol).
    PersistedQueryNotFound,
}

impl ErrorCode {
    /// The code as sent to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::NotFound => "NOT_FOUND",
            Self::BadRequest => "BAD_REQUEST",
            Self::ValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::RateLimited => "RATE_LIMITED",
            Self::Timeout => "TIMEOUT",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::MixedDollarBases => "MIXED_DOLLAR_BASES",
        }
    }
}

/// An error from a resolver.
///
/// It deliberately does not implement `Display`, so that async-graphql's blanket conversion
/// of displayable errors cannot send an internal message to a client by accident.
#[derive(Clone, Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
}

impl ApiError {
    /// A malformed or out-of-range request; the message says what and where.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::BadUserInput, message: message.into() }
    }

    /// A request beyond the configured limits.
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::LimitExceeded, message: message.into() }
    }

    /// A sum over constant amounts of different base years; the message says what to ask.
    pub fn mixed_dollar_bases(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::MixedDollarBases, message: message.into() }
    }

    /// A request for something that does not exist; the message says what there is.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::NotFound, message: message.into() }
    }

    /// A request that is not a GraphQL request at all.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::BadRequest, message: message.into() }
    }

    /// A document that is not valid against the schema.
    pub fn validation(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::ValidationFailed, message: message.into() }
    }

    /// The client spent its rate limit.
    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::RateLimited, message: message.into() }
    }

    /// The request ran out of time and was stopped.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::Timeout, message: message.into() }
    }

    /// The server cannot take the request now; the message says why.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::ServiceUnavailable, message: message.into() }
    }

    /// An internal failure: the cause is logged, the client gets a generic message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self { code: ErrorCode::Internal, message: "internal server error".to_owned() }
    }

    /// A persisted query this server does not know, with the message Apollo clients expect.
    pub fn persisted_query_not_found() -> Self {
        Self { code: ErrorCode::PersistedQueryNotFound, message: "PersistedQueryNotFound".to_owned() }
    }

    /// The message sent to clients.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        Self::from(&err)
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(err: Arc<DbErr>) -> Self {
        Self::from(err.as_ref())
    }
}

impl From<&DbErr> for ApiError {
    /// A pool that cannot hand out a connection in time (saturated, or the database down)
    /// is a passing condition the client may retry; anything else is internal.
    fn from(err: &DbErr) -> Self {
        let lost = |runtime: &RuntimeErr| match runtime {
            RuntimeErr::SqlxError(sqlx) => match sqlx.as_ref() {
                SqlxError::Io(_) | SqlxError::PoolTimedOut | SqlxError::PoolClosed | SqlxError::WorkerCrashed => true,
                SqlxError::Database(error) => error.code().is_some_and(|code| server_gone(&code)),
                _ => false,
            },
            _ => false,
        };
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::warn!(%err, "database unavailable");
                Self::unavailable("the database is not answering right now; try again shortly")
            }
            // A connection lost mid-statement: the database went away.
            DbErr::Query(runtime) | DbErr::Exec(runtime) if lost(runtime) => {
                tracing::warn!(%err, "database connection lost");
                Self::unavailable("the database is not answering right now; try again shortly")
            }
            _ => Self::internal(err),
        }
    }
}

/// Whether a PostgreSQL error code (SQLSTATE) says that the server dropped the connection:
/// a connection exception (class `08`), or a shutdown or restart (`57P01` to `57P03`), as
/// a statement on a connection open across a restart reads.
fn server_gone(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// At most `max` characters of a client's input, to quote in an error message.
pub fn excerpt(input: &str, max: usize) -> String {
    match input.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &input[..end]),
        None => input.to_owned(),
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        async_graphql::Error::new(err.message).extend_with(|_, ext| ext.set("code", err.code.as_str()))
    }
}

/// The result of a resolver.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_went_away_is_told_from_other_database_errors() {
        for code in ["08006", "08003", "57P01", "57P02", "57P03"] {
            assert!(server_gone(code), "{code}");
        }
        // A statement stopped by `statement_timeout`, a broken constraint, a syntax error.
        for code in ["57014", "23505", "42601"] {
            assert!(!server_gone(code), "{code}");
        }
    }
}
