//! The HTTP server of Grizha: the router, its layers, and how errors become responses.
//! Handlers are short scripts: typed input → the store → a response.

mod account;
mod activities;
pub mod api;
pub mod auth;
mod error;
mod health;
mod history;
mod import;
mod monitoring;
mod pages;
mod plan_status;
mod services;
mod strategies;

use std::time::Duration;

use axum::Router;
use grizha_store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::WebError;

/// Largest request body accepted (an uploaded document is the largest thing anyone sends).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// A request that takes longer than this is answered with 408 and its work dropped.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Failed logins, to slow down guessing (per process).
    pub logins: auth::LoginThrottle,
    /// Extractions waiting for review (per process).
    pub imports: import::ImportStage,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState { store, logins: auth::LoginThrottle::default(), imports: import::ImportStage::default() }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(pages::router())
        .merge(import::router())
        .merge(activities::router())
        .merge(monitoring::router())
        .merge(services::router())
        .merge(strategies::router())
        .merge(history::router())
        .merge(plan_status::router())
        .merge(api::router())
        .with_state(state)
        .layer(axum::middleware::from_fn(pages::too_large_as_a_page))
        // The extractors' own limit (2 MB by default) would refuse real documents; the body limit
        // below is the one that counts.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(TraceLayer::new_for_http())
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
