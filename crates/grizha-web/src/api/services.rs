//! The registry of social services: a municipality's services, and one service with its capacity
//! and staff by year and its dated changes; a year's figures entered by an editor of the
//! municipality or by the provider of the service.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use grizha_domain::geography::{AreaCode, MunicipalityCode};
use grizha_domain::ids::RowVersion;
use grizha_domain::ids::ServiceId;
use grizha_domain::service::ServiceYear;
use grizha_domain::service::SocialService;
use grizha_domain::time::Year;
use grizha_store::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, Body, ErrorBody, Ids, PageQuery, Paged, Params};
use crate::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct ServiceSummary {
    pub id: i64,
    pub municipality: String,
    /// The type of service from the code table (`community_support_centre`, …).
    pub service_type: String,
    pub name: String,
    /// `existing`, `new`, `expanding`, `reducing`, `transforming`, `closing`, `closed`.
    pub status: String,
    pub target_groups: Vec<String>,
    /// The kinds of its funding (`state_delegated`, `municipal_budget`, …).
    pub funding: Vec<String>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

impl ServiceSummary {
    fn of(s: SocialService) -> ServiceSummary {
        ServiceSummary {
            id: s.id.get(),
            municipality: s.municipality.as_str().to_owned(),
            service_type: s.service_type.as_str().to_owned(),
            name: s.name,
            status: s.status.as_str().to_owned(),
            target_groups: s.target_groups,
            funding: s.funding.iter().map(|f| f.kind.as_str().to_owned()).collect(),
            opened_on: s.effective.from(),
            closed_on: s.effective.to(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceFilter {
    /// The municipality (default: the user's own).
    pub municipality: Option<String>,
    /// Only the services of this type.
    pub service_type: Option<String>,
}

/// The services of a municipality, by type and name.
#[utoipa::path(get, path = "/services", tag = "services", params(ServiceFilter, PageQuery),
    responses((status = 200, body = Paged<ServiceSummary>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Params(filter): Params<ServiceFilter>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<ServiceSummary>>, WebError> {
    let municipality = match (filter.municipality.as_deref(), &user.area) {
        (Some(code), _) => {
            MunicipalityCode::parse(code).map_err(|e| WebError::Invalid(format!("municipality: {e}")))?
        }
        (None, Some(AreaCode::Municipality(own))) => own.clone(),
        (None, _) => return Err(WebError::Invalid("municipality: name one".into())),
    };
    if !user.may_view(&AreaCode::Municipality(municipality.clone())) {
        return Err(WebError::Forbidden(format!("the services of {}", municipality.as_str())));
    }
    let services = state.store.services_of(&municipality, None).await?;
    let views = services
        .into_iter()
        .filter(|s| filter.service_type.as_deref().is_none_or(|t| s.service_type.as_str() == t))
        .map(ServiceSummary::of)
        .collect();
    Ok(Json(page.of(views)?))
}

/// Capacity and staff of a service in one year.
#[derive(Serialize, ToSchema)]
pub struct ServiceYearView {
    pub year: i32,
    pub max_users: Option<u32>,
    pub funded_places: Option<u32>,
    pub occupied_places: Option<u32>,
    pub staff: Option<u32>,
    /// The version to name when changing the year's figures.
    pub version: i64,
}

/// A year's figures of a service.
#[derive(Deserialize, ToSchema)]
pub struct ServiceYearInput {
    /// The year's version as read; leave out for a year not entered yet.
    pub version: Option<i64>,
    /// Капацитет по картата: the most users the national map allows.
    pub max_users: Option<u32>,
    pub funded_places: Option<u32>,
    pub occupied_places: Option<u32>,
    pub staff: Option<u32>,
}

/// Enters or corrects a service's capacity, places and staff for a year (an editor of the
/// municipality, or a provider for the organisation that provides the service).
#[utoipa::path(put, path = "/services/{id}/years/{year}", tag = "services",
    params(("id" = i64, Path, description = "The service"), ("year" = i32, Path, description = "The year")),
    request_body = ServiceYearInput,
    responses((status = 200, body = ServiceYearView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_year(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids((id, year)): Ids<(i64, i32)>,
    Body(input): Body<ServiceYearInput>,
) -> Result<Json<ServiceYearView>, WebError> {
    let (service, _) = state.store.service(ServiceId(id)).await?;
    if !user.may_view(&AreaCode::Municipality(service.municipality.clone())) {
        return Err(WebError::Forbidden(format!("service {id}")));
    }
    let figures = ServiceYear {
        year: Year::new(year).map_err(|e| WebError::Invalid(format!("year: {e}")))?,
        max_users: input.max_users,
        funded_places: input.funded_places,
        occupied_places: input.occupied_places,
        staff: input.staff,
    };
    let version =
        state.store.set_service_year(&Actor::User(user), service.id, &figures, input.version.map(RowVersion)).await?;
    Ok(Json(ServiceYearView {
        year,
        max_users: figures.max_users,
        funded_places: figures.funded_places,
        occupied_places: figures.occupied_places,
        staff: figures.staff,
        version: version.0,
    }))
}

/// A dated change of a service: opened, expanded, reduced, transformed, closed.
#[derive(Serialize, ToSchema)]
pub struct ServiceEventView {
    pub kind: String,
    pub effective_on: NaiveDate,
    pub capacity_from: Option<u32>,
    pub capacity_to: Option<u32>,
    pub successor: Option<i64>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceView {
    #[serde(flatten)]
    pub service: ServiceSummary,
    pub description: Option<String>,
    pub years: Vec<ServiceYearView>,
    pub events: Vec<ServiceEventView>,
}

/// One service with its capacity and staff by year and its changes.
#[utoipa::path(get, path = "/services/{id}", tag = "services",
    params(("id" = i64, Path, description = "The service")),
    responses((status = 200, body = ServiceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
) -> Result<Json<ServiceView>, WebError> {
    let (service, _) = state.store.service(ServiceId(id)).await?;
    if !user.may_view(&AreaCode::Municipality(service.municipality.clone())) {
        return Err(WebError::Forbidden(format!("service {id}")));
    }
    let years = state
        .store
        .versioned_service_years(service.id)
        .await?
        .into_iter()
        .map(|(y, version)| ServiceYearView {
            year: y.year.get(),
            max_users: y.max_users,
            funded_places: y.funded_places,
            occupied_places: y.occupied_places,
            staff: y.staff,
            version: version.0,
        })
        .collect();
    let events = state
        .store
        .service_events(service.id)
        .await?
        .into_iter()
        .map(|e| ServiceEventView {
            kind: e.kind.as_str().to_owned(),
            effective_on: e.effective_on,
            capacity_from: e.capacity_from,
            capacity_to: e.capacity_to,
            successor: e.successor.map(|s| s.get()),
            note: e.note,
        })
        .collect();
    let description = service.description.clone();
    Ok(Json(ServiceView { service: ServiceSummary::of(service), description, years, events }))
}
