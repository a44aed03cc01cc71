//! Moving a plan on: a draft goes to public consultation (with its dates), a draft or a plan in
//! consultation is adopted with the council's decision (recorded here). The form carries the
//! plan's version, so two people moving the same plan cannot both succeed unseen. And a plan of
//! one year starts the next year's: copied as a new draft, deadlines a year later, no monitoring.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use chrono::NaiveDate;
use grizha_domain::ids::{AnnualPlanId, CouncilDecisionId, RowVersion};
use grizha_domain::plan::{CouncilDecision, PlanStatus};
use grizha_domain::time::DateRange;
use grizha_domain::user::User;
use grizha_store::{Actor, StoreError};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/plans/{id}/status", post(change_status)).route("/plans/{id}/copy", post(copy_to_next_year))
}

#[derive(Deserialize)]
struct StatusForm {
    csrf: String,
    version: i64,
    status: String,
    /// Consultation: first and last day.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Adoption: the decision's number, date and body.
    #[serde(default)]
    number: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    body: String,
}

fn day(text: &str, what: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::Invalid(format!("{what}: въведете дата (ГГГГ-ММ-ДД)")))
}

/// Where a plan moves: to public consultation for a period, or to adopted by a council decision.
pub(crate) enum StatusChange {
    Consultation(DateRange),
    Adopted { number: String, date: NaiveDate, body: String },
}

/// Moves a plan on, based on the plan version the user saw; the decision is recorded only when the
/// plan has not changed meanwhile.
pub(crate) async fn move_plan(
    state: &AppState,
    user: &User,
    plan: AnnualPlanId,
    version: RowVersion,
    change: StatusChange,
) -> Result<(), WebError> {
    let actor = Actor::User(user.clone());
    let (plan, current) = crate::pages::visible_plan(state, user, plan.get()).await?;
    let result = match change {
        StatusChange::Consultation(period) => {
            state
                .store
                .set_plan_status(&actor, plan.id, version, PlanStatus::PublicConsultation, None, Some(period))
                .await
        }
        StatusChange::Adopted { number, date, body } => {
            if number.trim().is_empty() || body.trim().is_empty() {
                return Err(WebError::Invalid("въведете номера на решението и органа, който го е приел".into()));
            }
            if current != version {
                return Err(WebError::StaleEdit("the plan changed meanwhile".into()));
            }
            let decision = CouncilDecision {
                id: CouncilDecisionId(0),
                area: plan.area.clone(),
                body: body.trim().to_owned(),
                number: number.trim().to_owned(),
                date,
                protocol: None,
                item: None,
                text: Some(format!("Приема {}", plan.title)),
            };
            let decision = state.store.add_council_decision(&actor, &decision).await?;
            state.store.set_plan_status(&actor, plan.id, version, PlanStatus::Adopted, Some(decision.id), None).await
        }
    };
    match result {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict { .. }) => Err(WebError::StaleEdit("the plan changed meanwhile".into())),
        Err(e) => Err(e.into()),
    }
}

async fn change_status(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let change = match form.status.parse::<PlanStatus>() {
        Ok(PlanStatus::PublicConsultation) => StatusChange::Consultation(
            DateRange::new(day(&form.from, "начало")?, day(&form.to, "край")?)
                .map_err(|e| WebError::Invalid(e.to_string()))?,
        ),
        Ok(PlanStatus::Adopted) => {
            StatusChange::Adopted {
                number: form.number, date: day(&form.date, "дата на решението")?, body: form.body
            }
        }
        _ => return Err(WebError::Invalid("непознат статус".into()).into()),
    };
    move_plan(&state, &signed_in.0.user, AnnualPlanId(id), RowVersion(form.version), change).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, format!("/plans/{id}").parse().expect("a local path"));
    Ok(response)
}

#[derive(Deserialize)]
struct CopyForm {
    csrf: String,
}

/// Starts next year's plan as a copy of this one and opens it.
async fn copy_to_next_year(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CopyForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let (plan, _) = crate::pages::visible_plan(&state, &signed_in.0.user, id).await?;
    let next_year = plan.year.get() + 1;
    match state.store.copy_plan_to_next_year(&Actor::User(signed_in.0.user.clone()), plan.id).await {
        Ok(next) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(LOCATION, format!("/plans/{}", next.id.get()).parse().expect("a local path"));
            Ok(response)
        }
        Err(StoreError::Duplicate { .. }) => {
            let area = state.store.area_name(&plan.area).await?.unwrap_or_else(|| plan.area.as_str().to_owned());
            Err(WebError::Invalid(format!(
                "{area} вече има план за {next_year} г.; нищо не е копирано. Отворете него от началната страница."
            ))
            .into())
        }
        Err(StoreError::Invalid(_)) => {
            Err(WebError::Invalid("Тази версия на плана е заменена; копирайте действащата версия.".into()).into())
        }
        Err(e) => Err(e.into()),
    }
}
