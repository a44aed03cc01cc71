//! Recording how an activity of an adopted plan is going: per quarter of the plan's year and for
//! the whole year, its status, progress and a comment. A record keeps its version like a plan row,
//! so two people reporting the same period cannot overwrite each other unseen.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDate;
use grizha_domain::ids::{AnnualPlanId, MonitoringRecordId, PlanActivityId, RowVersion};
use grizha_domain::monitoring::{ActivityStatus, MonitoringRecord, Progress};
use grizha_domain::time::DateRange;
use grizha_store::{Actor, StoreError};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/plans/{plan}/activities/{id}/monitoring", get(monitoring_page).post(record))
}

/// The periods of a plan year a record is kept for: `q1` … `q4` and `year`.
pub(crate) fn periods(year: i32) -> Vec<(&'static str, String, DateRange)> {
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).expect("a calendar day");
    let range = |a, b| DateRange::new(a, b).expect("start before end");
    vec![
        ("q1", format!("I тримесечие {year}"), range(day(1, 1), day(3, 31))),
        ("q2", format!("II тримесечие {year}"), range(day(4, 1), day(6, 30))),
        ("q3", format!("III тримесечие {year}"), range(day(7, 1), day(9, 30))),
        ("q4", format!("IV тримесечие {year}"), range(day(10, 1), day(12, 31))),
        ("year", format!("{year} г."), range(day(1, 1), day(12, 31))),
    ]
}

struct PeriodView {
    key: &'static str,
    label: String,
    status: &'static str,
    status_label: &'static str,
    progress: u8,
    comment: String,
    /// The version of the record for the period, 0 when there is none yet.
    version: i64,
}

#[derive(Template)]
#[template(path = "monitoring.html")]
struct MonitoringPage {
    user_name: String,
    csrf: String,
    plan_id: i64,
    plan_title: String,
    activity_id: i64,
    code: String,
    text: String,
    deadline: String,
    editable: bool,
    statuses: Vec<(&'static str, &'static str)>,
    periods: Vec<PeriodView>,
    problem: Option<String>,
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    plan: i64,
    id: i64,
    problem: Option<String>,
) -> Result<String, WebError> {
    let (plan, activity, _) = crate::activities::load(state, &signed_in.0.user, plan, id).await?;
    let records = state.store.monitoring_records(activity.id).await?;
    let periods = periods(plan.year.get())
        .into_iter()
        .map(|(key, label, range)| {
            let found = records.iter().find(|(r, _)| r.period == range);
            PeriodView {
                key,
                label,
                status: found.map_or("not_started", |(r, _)| r.status.as_str()),
                status_label: found.map_or("без отчет", |(r, _)| r.status.label_bg()),
                progress: found.map_or(0, |(r, _)| r.progress.percent()),
                comment: found.and_then(|(r, _)| r.comment.clone()).unwrap_or_default(),
                version: found.map_or(0, |(_, v)| v.0),
            }
        })
        .collect();
    MonitoringPage {
        user_name: signed_in.0.user.display_name.clone(),
        csrf: signed_in.0.csrf_token.clone(),
        plan_id: plan.id.get(),
        plan_title: plan.title.clone(),
        activity_id: activity.id.get(),
        code: activity.code.clone().unwrap_or_default(),
        text: activity.text.clone(),
        deadline: activity.deadline.raw().to_owned(),
        editable: signed_in.0.user.may_edit(&plan.area),
        statuses: ActivityStatus::ALL.iter().map(|s| (s.as_str(), s.label_bg())).collect(),
        periods,
        problem,
    }
    .render()
    .map_err(|e| WebError::Internal(e.to_string()))
}

async fn monitoring_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan, id)): Path<(i64, i64)>,
) -> Result<Html<String>, PageError> {
    Ok(Html(render(&state, &signed_in, plan, id, None).await?))
}

#[derive(Deserialize)]
struct RecordForm {
    csrf: String,
    period: String,
    version: i64,
    status: String,
    progress: String,
    comment: String,
}

async fn record(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan_id, id)): Path<(i64, i64)>,
    Form(form): Form<RecordForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let (plan, _) = state.store.plan(AnnualPlanId(plan_id)).await?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some((_, _, period)) = periods(plan.year.get()).into_iter().find(|(k, _, _)| *k == form.period) else {
        return refused(&state, &signed_in, (plan_id, id), unprocessable, "Няма такъв период.").await;
    };
    let Ok(status) = form.status.parse::<ActivityStatus>() else {
        return refused(&state, &signed_in, (plan_id, id), unprocessable, "Изберете изпълнение от списъка.").await;
    };
    let Some(progress) = form.progress.trim().parse::<u8>().ok().and_then(|p| Progress::new(p).ok()) else {
        return refused(&state, &signed_in, (plan_id, id), unprocessable, "Напредъкът е цяло число от 0 до 100.").await;
    };
    let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
    let record = MonitoringRecord {
        id: MonitoringRecordId(0),
        activity: PlanActivityId(id),
        period,
        status,
        progress,
        comment,
        evidence: Vec::new(),
    };
    let based_on = (form.version > 0).then_some(RowVersion(form.version));
    match state.store.record_monitoring(&Actor::User(signed_in.0.user.clone()), &record, based_on).await {
        Ok(_) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            let to = format!("/plans/{plan_id}/activities/{id}/monitoring");
            response.headers_mut().insert(LOCATION, to.parse().expect("a local path"));
            Ok(response)
        }
        Err(StoreError::Conflict { .. }) => {
            let message = "Някой друг записа отчет за този период междувременно; по-долу е записаното. Въведете отново, ако трябва.";
            refused(&state, &signed_in, (plan_id, id), StatusCode::CONFLICT, message).await
        }
        Err(StoreError::Invalid(e)) => refused(&state, &signed_in, (plan_id, id), unprocessable, &e.to_string()).await,
        Err(e) => Err(e.into()),
    }
}

/// The page again, with why the record was not saved.
async fn refused(
    state: &AppState,
    signed_in: &SignedIn,
    (plan, id): (i64, i64),
    status: StatusCode,
    message: &str,
) -> Result<Response, PageError> {
    let html = render(state, signed_in, plan, id, Some(message.to_owned())).await?;
    Ok((status, Html(html)).into_response())
}
