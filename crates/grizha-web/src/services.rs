//! The registry of social services: a municipality's list, and a page per service with its
//! capacity and staff by year (a chart drawn here as SVG, and the same figures as a table for
//! screen readers), its dated changes and the plan rows that concern it. Whoever may keep the
//! service's data (an editor of its municipality, or a provider working for the organisation that
//! provides it) enters a year's capacity, places and staff there, based on the year's version.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Datelike;
use grizha_domain::codes::ServiceType;
use grizha_domain::geography::{AreaCode, MunicipalityCode};
use grizha_domain::ids::RowVersion;
use grizha_domain::ids::ServiceId;
use grizha_domain::service::{ServiceYear, SocialService};
use grizha_domain::time::Year;
use grizha_store::{Actor, StoreError};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/municipalities/{code}/services", get(registry))
        .route("/services/{id}", get(service_page))
        .route("/services/{id}/years", axum::routing::post(save_year))
}

/// A plan row that concerns the service, as its page lists it.
struct ConcernedRow {
    plan: i64,
    year: i32,
    text: String,
    deadline: String,
}

/// The form for one year's figures: the year's values and version (0 for a year not yet entered).
struct YearForm {
    year: i32,
    max_users: String,
    funded_places: String,
    occupied_places: String,
    staff: String,
    version: i64,
}

struct ServiceLine {
    id: i64,
    name: String,
    kind: String,
    status: &'static str,
    capacity: String,
    staff: String,
    funding: String,
}

#[derive(Template)]
#[template(path = "services.html")]
struct RegistryPage {
    user_name: String,
    csrf: String,
    area_name: String,
    places: u32,
    services: Vec<ServiceLine>,
}

fn figure(value: Option<u32>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

/// The places of a year: funded where known, else the map's maximum.
fn places(year: &ServiceYear) -> Option<u32> {
    year.funded_places.or(year.max_users)
}

/// The name of a service's type from the store's code table (read once per page).
fn type_name(types: &[ServiceType], service: &SocialService) -> String {
    types
        .iter()
        .find(|t| t.code == service.service_type)
        .map_or_else(|| service.service_type.as_str().to_owned(), |t| t.name.clone())
}

async fn registry(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Html<String>, PageError> {
    let code = MunicipalityCode::parse(&code).map_err(|_| WebError::NotFound(format!("municipality {code}")))?;
    let area = AreaCode::Municipality(code.clone());
    if !session.user.may_view(&area) {
        return Err(WebError::Forbidden(format!("services of {code}")).into());
    }
    let today = chrono::Utc::now().date_naive();
    let types = state.store.service_types().await?;
    let mut lines = Vec::new();
    let mut total = 0;
    for service in state.store.services_of(&code, None).await? {
        let years = state.store.service_years(service.id).await?;
        let latest = years.iter().rev().find(|y| y.year.get() <= chrono::Datelike::year(&today)).or(years.last());
        total += latest.and_then(places).unwrap_or(0);
        lines.push(ServiceLine {
            id: service.id.get(),
            kind: type_name(&types, &service),
            status: service.status.label_bg(),
            capacity: figure(latest.and_then(places)),
            staff: figure(latest.and_then(|y| y.staff)),
            funding: service.funding.iter().map(|f| f.raw.as_str()).collect::<Vec<_>>().join(", "),
            name: service.name,
        });
    }
    let page = RegistryPage {
        user_name: session.user.display_name.clone(),
        csrf: session.csrf_token.clone(),
        area_name: state.store.area_name(&area).await?.unwrap_or_else(|| code.to_string()),
        places: total,
        services: lines,
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    user_name: String,
    csrf: String,
    municipality: String,
    name: String,
    kind: String,
    status: &'static str,
    funding: String,
    target_groups: String,
    chart: String,
    years: Vec<(i32, String, String, String, String)>,
    events: Vec<String>,
    id: i64,
    concerned: Vec<ConcernedRow>,
    /// The year form, for those who may keep the service's data.
    form: Option<YearForm>,
    problem: Option<String>,
}

/// Places and staff by year as grouped bars, in SVG; every number is also in the table below.
fn chart(years: &[ServiceYear]) -> String {
    use std::fmt::Write;
    if years.is_empty() {
        return String::new();
    }
    let max = years.iter().flat_map(|y| [places(y), y.staff]).flatten().max().unwrap_or(0).max(1);
    let (width, height, bar) = (60 * years.len() + 40, 180, 18);
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"Места и персонал по години\" viewBox=\"0 0 {width} {}\" width=\"{width}\" height=\"{}\">",
        height + 30,
        height + 30
    );
    for (i, y) in years.iter().enumerate() {
        let x = 30 + i * 60;
        for (j, (value, colour)) in [(places(y), "#0b5394"), (y.staff, "#f0a500")].into_iter().enumerate() {
            let Some(value) = value else { continue };
            let h = (value as usize * height) / max as usize;
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"{colour}\"><title>{}: {value}</title></rect>",
                x + j * (bar + 2),
                height - h,
                if j == 0 { "места" } else { "персонал" }
            );
        }
        let _ = write!(svg, "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>", x, height + 18, y.year.get());
    }
    svg.push_str("</svg><p class=\"meta\"><span class=\"key places\"></span> места <span class=\"key staff\"></span> персонал</p>");
    svg
}

async fn service_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    Query(shown): Query<YearShown>,
) -> Result<Html<String>, PageError> {
    Ok(Html(render(&state, &signed_in, id, shown.year, None).await?))
}

#[derive(Deserialize)]
struct YearShown {
    /// The year the form opens on (default: this year).
    year: Option<i32>,
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
    form_year: Option<i32>,
    problem: Option<String>,
) -> Result<String, WebError> {
    let session = &signed_in.0;
    let (service, _) = state.store.service(ServiceId(id)).await?;
    if !session.user.may_view(&AreaCode::Municipality(service.municipality.clone())) {
        return Err(WebError::Forbidden(format!("service {id}")));
    }
    let years = state.store.service_years(service.id).await?;
    let form = if session.user.may_edit_service(&service.municipality, service.provider) {
        let year = form_year.unwrap_or_else(|| chrono::Utc::now().date_naive().year());
        let current = match Year::new(year) {
            Ok(y) => state.store.service_year(service.id, y).await?,
            Err(_) => None,
        };
        let shown = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
        Some(match current {
            Some((y, version)) => YearForm {
                year,
                max_users: shown(y.max_users),
                funded_places: shown(y.funded_places),
                occupied_places: shown(y.occupied_places),
                staff: shown(y.staff),
                version: version.0,
            },
            None => YearForm {
                year,
                max_users: String::new(),
                funded_places: String::new(),
                occupied_places: String::new(),
                staff: String::new(),
                version: 0,
            },
        })
    } else {
        None
    };
    // The rows come plan by plan, so each plan is read once.
    let mut concerned = Vec::new();
    let mut plan: Option<grizha_domain::plan::AnnualPlan> = None;
    for activity in state.store.service_activities(service.id).await? {
        if plan.as_ref().is_none_or(|p| p.id != activity.plan) {
            plan = Some(state.store.plan(activity.plan).await?.0);
        }
        let year = plan.as_ref().map_or(0, |p| p.year.get());
        concerned.push(ConcernedRow {
            plan: activity.plan.get(),
            year,
            text: activity.text,
            deadline: activity.deadline.raw().to_owned(),
        });
    }
    let events = state
        .store
        .service_events(service.id)
        .await?
        .into_iter()
        .map(|e| {
            let capacity = match (e.capacity_from, e.capacity_to) {
                (Some(a), Some(b)) => format!(" от {a} на {b} места"),
                (None, Some(b)) => format!(" с {b} места"),
                _ => String::new(),
            };
            let note = e.note.map(|n| format!(" — {n}")).unwrap_or_default();
            format!("{}: {}{capacity}{note}", e.effective_on.format("%d.%m.%Y"), e.kind.label_bg())
        })
        .collect();
    let page = ServicePage {
        user_name: session.user.display_name.clone(),
        csrf: session.csrf_token.clone(),
        municipality: service.municipality.to_string(),
        kind: type_name(&state.store.service_types().await?, &service),
        status: service.status.label_bg(),
        funding: service.funding.iter().map(|f| f.raw.as_str()).collect::<Vec<_>>().join(", "),
        target_groups: service.target_groups.join("; "),
        chart: chart(&years),
        years: years
            .iter()
            .map(|y| {
                (y.year.get(), figure(y.max_users), figure(y.funded_places), figure(y.occupied_places), figure(y.staff))
            })
            .collect(),
        events,
        name: service.name,
        id,
        concerned,
        form,
        problem,
    };
    page.render().map_err(|e| WebError::Internal(e.to_string()))
}

#[derive(Deserialize)]
struct YearFormInput {
    csrf: String,
    year: String,
    version: i64,
    max_users: String,
    funded_places: String,
    occupied_places: String,
    staff: String,
}

/// A whole number of places or people, or nothing when the field is empty.
fn count(text: &str, what: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| format!("{what}: въведете цяло неотрицателно число (въведено: „{text}“)."))
}

/// Reads the year form into a year of the service, or says what is wrong with it.
fn read_year(form: &YearFormInput) -> Result<ServiceYear, String> {
    let year = form.year.trim().parse::<i32>().ok().and_then(|y| Year::new(y).ok()).ok_or("Годината не е вярна.")?;
    let year = ServiceYear {
        year,
        max_users: count(&form.max_users, "Капацитет по картата")?,
        funded_places: count(&form.funded_places, "Финансирани места")?,
        occupied_places: count(&form.occupied_places, "Заети места")?,
        staff: count(&form.staff, "Персонал")?,
    };
    year.check().map_err(|e| e.to_string())?;
    Ok(year)
}

async fn save_year(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<YearFormInput>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let year = match read_year(&form) {
        Ok(year) => year,
        Err(problem) => {
            let html = render(&state, &signed_in, id, form.year.trim().parse().ok(), Some(problem)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let based_on = (form.version > 0).then_some(RowVersion(form.version));
    let actor = Actor::User(signed_in.0.user.clone());
    match state.store.set_service_year(&actor, ServiceId(id), &year, based_on).await {
        Ok(_) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            let to = format!("/services/{id}?year={}", year.year.get());
            response.headers_mut().insert(LOCATION, to.parse().expect("a local path"));
            Ok(response)
        }
        Err(StoreError::Conflict { .. }) => {
            let problem = "Някой друг въведе данни за тази година междувременно; по-долу са записаните. Въведете отново, ако трябва.";
            let html = render(&state, &signed_in, id, Some(year.year.get()), Some(problem.to_owned())).await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let html = render(&state, &signed_in, id, Some(year.year.get()), Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
