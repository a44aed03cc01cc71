//! The JSON API under `/api/v1`: everything the pages do, for programs.
//!
//! - **Authentication**: `Authorization: Bearer grizha_…`, a token its user made on the account
//!   page; the request acts as that user, with the same role and area checks as the pages.
//! - **Errors**: every error, including an unknown route, a malformed body or a missing token,
//!   answers `{"error": "<code>", "message": "<what and where>"}` with the matching status.
//! - **Lists** are paged: `?page=1&per_page=50` (at most [`MAX_PER_PAGE`]), answered as
//!   `{"items": […], "page": 1, "per_page": 50, "total": 123}`.
//! - **Edits** name the version they were based on; a stale one answers 409 `stale_edit`.
//! - The OpenAPI document at `/api/v1/openapi.json` is generated from the same handler annotations
//!   that register the routes, so the two cannot drift apart.

mod areas;
mod imports;
mod monitoring;
mod plans;
mod services;
mod strategies;

use std::sync::{Arc, LazyLock};

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use grizha_domain::user::User;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{AppState, WebError};

/// The most items one page of a list holds.
pub const MAX_PER_PAGE: u32 = 500;
const DEFAULT_PER_PAGE: u32 = 50;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Grizha API",
        description = "Social services planning and monitoring: strategies, annual plans, services, monitoring, imports.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerToken),
    security(("token" = [])),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("grizha_<64 hex>").build(),
            ),
        );
    }
}

/// The routes of the API and their OpenAPI document, from one list.
fn documented_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(areas::me))
        .routes(routes!(areas::regions))
        .routes(routes!(areas::municipalities))
        .routes(routes!(strategies::list))
        .routes(routes!(strategies::one))
        .routes(routes!(strategies::set_indicator_value))
        .routes(routes!(plans::list))
        .routes(routes!(plans::one))
        .routes(routes!(plans::activities, plans::add_activity))
        .routes(routes!(plans::update_activity))
        .routes(routes!(plans::change_status))
        .routes(routes!(plans::history))
        .routes(routes!(services::list))
        .routes(routes!(services::one))
        .routes(routes!(services::set_year))
        .routes(routes!(monitoring::list, monitoring::record))
        .routes(routes!(imports::list, imports::upload))
        .routes(routes!(imports::one))
        .routes(routes!(imports::accept));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1).split_for_parts()
}

static OPENAPI_JSON: LazyLock<Arc<String>> = LazyLock::new(|| {
    let (_, doc) = documented_routes();
    Arc::new(doc.to_pretty_json().expect("the OpenAPI document serialises"))
});

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> &'static str {
    OPENAPI_JSON.as_str()
}

pub fn router() -> Router<AppState> {
    let (api, _) = documented_routes();
    api.route(
        "/api/v1/openapi.json",
        get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], openapi_json()) }),
    )
    .route("/api/v1", get(not_found))
    .route("/api/v1/{*rest}", get(not_found).post(not_found).put(not_found).delete(not_found))
}

async fn not_found() -> WebError {
    WebError::NotFound("no such API route; see /api/v1/openapi.json".into())
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: `unauthenticated`, `forbidden`, `not_found`, `invalid`, `stale_edit`,
    /// `too_large`, `unavailable`, `internal`.
    pub error: String,
    /// What went wrong and where, for a person.
    pub message: String,
}

/// The user a bearer token acts for.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
            return Err(WebError::Unauthenticated(
                "send `Authorization: Bearer <token>`; make a token on your account page".into(),
            ));
        };
        match state.store.api_token_user(token, chrono::Utc::now()).await? {
            Some(user) => Ok(ApiUser(user)),
            None => Err(WebError::Unauthenticated("the token is unknown, revoked, or its account disabled".into())),
        }
    }
}

/// A JSON body whose problems answer as [`ErrorBody`] (422), saying what and where.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(e) => Err(WebError::Invalid(e.body_text())),
        }
    }
}

/// Query parameters whose problems answer as [`ErrorBody`] (422).
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(e) => Err(WebError::Invalid(e.body_text())),
        }
    }
}

/// Path parameters whose problems answer as [`ErrorBody`] (404: a path that names nothing).
pub struct Ids<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Ids<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Ids(value)),
            Err(e) => Err(WebError::NotFound(e.body_text())),
        }
    }
}

/// A `multipart/form-data` upload whose problems answer as [`ErrorBody`] (422).
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Multipart::from_request(req, state).await {
            Ok(form) => Ok(Upload(form)),
            Err(e) => Err(WebError::Invalid(format!("send the file as multipart/form-data: {}", e.body_text()))),
        }
    }
}

/// Which page of a list to answer.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 50, at most 500).
    pub per_page: Option<u32>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// How many items the whole list has.
    pub total: usize,
}

impl PageQuery {
    /// The page of `all` this query asks for.
    pub fn of<T>(self, all: Vec<T>) -> Result<Paged<T>, WebError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 || per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(WebError::Invalid(format!(
                "page starts at 1 and per_page is 1 to {MAX_PER_PAGE} (got page={page}, per_page={per_page})"
            )));
        }
        let total = all.len();
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let items = all.into_iter().skip(skip).take(per_page as usize).collect();
        Ok(Paged { items, page, per_page, total })
    }
}

/// A JSON answer with status 201.
pub fn created<T: Serialize>(value: T) -> axum::response::Response {
    (axum::http::StatusCode::CREATED, Json(value)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cut_a_list_and_say_its_length() {
        let query = |page, per_page| PageQuery { page: Some(page), per_page: Some(per_page) };
        let paged = query(2, 3).of((1..=7).collect::<Vec<_>>()).unwrap();
        assert_eq!((paged.items, paged.total), (vec![4, 5, 6], 7));
        assert!(query(9, 3).of(vec![1]).unwrap().items.is_empty());
        assert!(query(0, 3).of(vec![1]).is_err());
        assert!(query(1, MAX_PER_PAGE + 1).of(vec![1]).is_err());
        let default = PageQuery { page: None, per_page: None }.of((0..120).collect::<Vec<_>>()).unwrap();
        assert_eq!((default.page, default.per_page, default.items.len()), (1, 50, 50));
    }
}
