//! The pages: the home page of a signed-in user, and the shipped stylesheet.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use grizha_domain::geography::{AreaCode, MunicipalityCode};

use crate::auth::SignedIn;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/assets/style.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../assets/style.css"))
}

/// One plan line of the home page.
struct PlanLine {
    year: i32,
    title: String,
    status: &'static str,
}

/// One municipality or region at a glance.
struct AreaGlance {
    code: String,
    name: String,
    plans: Vec<PlanLine>,
    overdue: usize,
    services: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    user_name: String,
    role: &'static str,
    csrf: String,
    area_name: String,
    areas: Vec<AreaGlance>,
}

async fn glance(state: &AppState, area: &AreaCode, today: chrono::NaiveDate) -> Result<AreaGlance, WebError> {
    let store = &state.store;
    let plans = store
        .plans_of(area)
        .await?
        .into_iter()
        .map(|p| PlanLine { year: p.year.get(), title: p.title, status: p.status.label_bg() })
        .collect();
    let overdue = store.overdue_activities(area, today).await?.len();
    let services = match area {
        AreaCode::Municipality(code) => store.services_of(code, Some(today)).await?.len(),
        AreaCode::Region(_) => 0,
    };
    let name = store.area_name(area).await?.unwrap_or_else(|| area.as_str().to_owned());
    Ok(AreaGlance { code: area.as_str().to_owned(), name, plans, overdue, services })
}

/// The user's municipality, or for a region the region and each of its municipalities, at a glance.
async fn home(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, WebError> {
    let today = chrono::Utc::now().date_naive();
    let user = &session.user;
    let mut areas = Vec::new();
    let mut area_name = "Всички общини и области".to_owned();
    if let Some(area) = &user.area {
        area_name = state.store.area_name(area).await?.unwrap_or_else(|| area.as_str().to_owned());
        if let AreaCode::Region(region) = area {
            for m in state.store.municipalities(Some(region)).await? {
                let code: MunicipalityCode = m.code;
                areas.push(glance(&state, &AreaCode::Municipality(code), today).await?);
            }
        } else {
            areas.push(glance(&state, area, today).await?);
        }
    }
    let page = HomePage {
        user_name: user.display_name.clone(),
        role: user.role.label_bg(),
        csrf: session.csrf_token.clone(),
        area_name,
        areas,
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}
