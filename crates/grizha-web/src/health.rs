//! `/healthz`: whether the server and its database answer.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    schema_version: Option<i64>,
}

async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, WebError> {
    state.store.ping().await.map_err(|e| WebError::Unavailable(e.to_string()))?;
    let schema_version =
        state.store.applied_migrations().await.map_err(|e| WebError::Unavailable(e.to_string()))?.last().copied();
    Ok(Json(Health { status: "ok", database: "ok", schema_version }))
}
