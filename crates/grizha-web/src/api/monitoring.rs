//! Monitoring of a plan's rows: what was recorded per quarter and year, and recording it.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use grizha_domain::ids::{MonitoringRecordId, PlanActivityId, RowVersion};
use grizha_domain::monitoring::{ActivityStatus, MonitoringRecord, Progress};
use grizha_store::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, Body, ErrorBody, PageQuery, Paged, Params};
use crate::monitoring::periods;
use crate::{AppState, WebError};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonitoringFilter {
    /// The plan the row belongs to.
    pub plan: i64,
    /// The row (activity) of the plan.
    pub activity: i64,
}

/// What was recorded for a row for one period.
#[derive(Serialize, ToSchema)]
pub struct MonitoringView {
    pub activity: i64,
    /// `q1`…`q4` for a quarter of the plan's year, `year` for the whole year.
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `not_started`, `in_progress`, `done`, `delayed`, `cancelled`, …
    pub status: String,
    /// 0–100.
    pub progress: u8,
    pub comment: Option<String>,
    /// The version to name when recording again for the period.
    pub version: i64,
}

/// What was recorded for a row of a plan, period by period.
#[utoipa::path(get, path = "/monitoring", tag = "monitoring", params(MonitoringFilter, PageQuery),
    responses((status = 200, body = Paged<MonitoringView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Params(filter): Params<MonitoringFilter>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<MonitoringView>>, WebError> {
    let (plan, activity, _) = crate::activities::load(&state, &user, filter.plan, filter.activity).await?;
    let periods = periods(plan.year.get());
    let records = state.store.monitoring_records(activity.id).await?;
    let views = records
        .into_iter()
        .map(|(r, version)| MonitoringView {
            activity: activity.id.get(),
            period: periods.iter().find(|(_, _, range)| *range == r.period).map_or("other", |(k, _, _)| k).to_owned(),
            from: r.period.start(),
            to: r.period.end(),
            status: r.status.as_str().to_owned(),
            progress: r.progress.percent(),
            comment: r.comment,
            version: version.0,
        })
        .collect();
    Ok(Json(page.of(views)?))
}

/// A record of a row's progress for a period.
#[derive(Deserialize, ToSchema)]
pub struct MonitoringInput {
    pub plan: i64,
    pub activity: i64,
    /// `q1`…`q4` or `year`.
    pub period: String,
    pub status: String,
    /// 0–100.
    pub progress: u8,
    pub comment: Option<String>,
    /// The version of the period's record as read; leave out for the first record of the period.
    pub version: Option<i64>,
}

/// Records a row's status, progress and comment for a period of the plan's year.
#[utoipa::path(put, path = "/monitoring", tag = "monitoring", request_body = MonitoringInput,
    responses((status = 200, body = MonitoringView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Body(input): Body<MonitoringInput>,
) -> Result<Json<MonitoringView>, WebError> {
    let (plan, activity, _) = crate::activities::load(&state, &user, input.plan, input.activity).await?;
    let (key, _, period) = periods(plan.year.get())
        .into_iter()
        .find(|(k, _, _)| *k == input.period)
        .ok_or_else(|| WebError::Invalid(format!("period: `{}` is not q1, q2, q3, q4 or year", input.period)))?;
    let status: ActivityStatus =
        input.status.parse().map_err(|_| WebError::Invalid(format!("status: `{}` is unknown", input.status)))?;
    let progress = Progress::new(input.progress).map_err(|e| WebError::Invalid(format!("progress: {e}")))?;
    let comment = input.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    // The evidence already attached to the period's record stays attached.
    let evidence = state
        .store
        .monitoring_records(activity.id)
        .await?
        .into_iter()
        .find(|(r, _)| r.period == period)
        .map(|(r, _)| r.evidence)
        .unwrap_or_default();
    let record = MonitoringRecord {
        id: MonitoringRecordId(0),
        activity: PlanActivityId(activity.id.get()),
        period,
        status,
        progress,
        comment: comment.clone(),
        evidence,
    };
    let (_, version) =
        state.store.record_monitoring(&Actor::User(user), &record, input.version.map(RowVersion)).await?;
    Ok(Json(MonitoringView {
        activity: activity.id.get(),
        period: key.to_owned(),
        from: period.start(),
        to: period.end(),
        status: status.as_str().to_owned(),
        progress: progress.percent(),
        comment,
        version: version.0,
    }))
}
