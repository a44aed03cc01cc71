//! The registry of social services: a municipality's list, and a page per service with its
//! capacity and staff by year (a chart drawn here as SVG, and the same figures as a table for
//! screen readers) and its dated changes.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use grizha_domain::codes::ServiceType;
use grizha_domain::geography::{AreaCode, MunicipalityCode};
use grizha_domain::ids::ServiceId;
use grizha_domain::service::{ServiceYear, SocialService};

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/municipalities/{code}/services", get(registry)).route("/services/{id}", get(service_page))
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
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let (service, _) = state.store.service(ServiceId(id)).await?;
    if !session.user.may_view(&AreaCode::Municipality(service.municipality.clone())) {
        return Err(WebError::Forbidden(format!("service {id}")).into());
    }
    let years = state.store.service_years(service.id).await?;
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
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}
