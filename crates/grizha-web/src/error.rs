//! One error type for the web boundary: it picks the status, hides internals, and logs a server
//! fault once, where it is turned into a response. The JSON body carries a stable code
//! (`{"error": "stale_edit", "message": "…"}`) that the interface translates.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use grizha_store::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub enum WebError {
    /// No credentials, or ones that sign nobody in (the API's bearer token).
    Unauthenticated(String),
    NotFound(String),
    Forbidden(String),
    Invalid(String),
    /// A body over the size limit.
    TooLarge(String),
    StaleEdit(String),
    /// The database does not answer: 503, so a load balancer stops sending traffic.
    Unavailable(String),
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => WebError::NotFound(e.to_string()),
            StoreError::Forbidden { .. } => WebError::Forbidden(e.to_string()),
            StoreError::Invalid(_) | StoreError::Duplicate { .. } => WebError::Invalid(e.to_string()),
            StoreError::Conflict { .. } => WebError::StaleEdit(e.to_string()),
            other => WebError::Internal(other.to_string()),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'static str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            WebError::Unauthenticated(m) => {
                let body = Json(ErrorBody { error: "unauthenticated", message: m });
                return (StatusCode::UNAUTHORIZED, [(axum::http::header::WWW_AUTHENTICATE, "Bearer")], body)
                    .into_response();
            }
            WebError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.as_str()),
            WebError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.as_str()),
            WebError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", m.as_str()),
            WebError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", m.as_str()),
            WebError::StaleEdit(m) => (StatusCode::CONFLICT, "stale_edit", m.as_str()),
            WebError::Unavailable(m) => {
                tracing::error!(error = %m, "the database does not answer");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database does not answer")
            }
            WebError::Internal(m) => {
                tracing::error!(error = %m, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on the server; it has been logged",
                )
            }
        };
        (status, Json(ErrorBody { error: code, message })).into_response()
    }
}
