//! Annual plans: the list of an area, one plan, its rows (read, add, edit), moving it to public
//! consultation or adoption, and its history.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{AnnualPlanId, RowVersion};
use grizha_domain::plan::{AnnualPlan, PlanActivity};
use grizha_domain::time::DateRange;
use grizha_domain::user::User;
use grizha_store::{Actor, AuditEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, Body, ErrorBody, Ids, PageQuery, Paged, Params, created};
use crate::activities::RowForm;
use crate::plan_status::{StatusChange, move_plan};
use crate::{AppState, WebError};

/// An annual plan without its rows.
#[derive(Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: i64,
    /// The municipality or region (`DEM01`, `DEM`).
    pub area: String,
    pub year: i32,
    pub title: String,
    /// `draft`, `public_consultation`, `adopted` or `superseded`.
    pub status: String,
    /// 1 for the plan as first adopted, 2… for its amendments.
    pub version_no: i32,
    pub amends: Option<i64>,
    pub strategy: Option<i64>,
    pub consultation_from: Option<NaiveDate>,
    pub consultation_to: Option<NaiveDate>,
    /// The adopting council decision, when adopted.
    pub adopted_by: Option<i64>,
    /// The version to name when changing the plan's status or order.
    pub version: i64,
}

impl PlanSummary {
    pub(crate) fn of(plan: AnnualPlan, version: RowVersion) -> PlanSummary {
        PlanSummary {
            id: plan.id.get(),
            area: plan.area.as_str().to_owned(),
            year: plan.year.get(),
            title: plan.title,
            status: plan.status.as_str().to_owned(),
            version_no: plan.version_no,
            amends: plan.amends.map(|p| p.get()),
            strategy: plan.strategy.map(|s| s.get()),
            consultation_from: plan.consultation.map(|c| c.start()),
            consultation_to: plan.consultation.map(|c| c.end()),
            adopted_by: plan.adopted_by.map(|d| d.get()),
            version: version.0,
        }
    }
}

/// A party responsible for a row, as written and as recognised.
#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub raw: String,
    /// The institution's code when recognised (`ОБЩ`, `ДСП`, `АСП`, …).
    pub code: Option<String>,
}

/// A source of funding of a row, as written and as recognised.
#[derive(Serialize, ToSchema)]
pub struct FundingView {
    pub raw: String,
    /// The kind of funding (`state_delegated`, `municipal_budget`, `eu_programme`, …).
    pub kind: String,
    pub programme: Option<String>,
}

/// One row of a plan (Дейност with its Срок, Отговорник, Финансиране, Очакван резултат).
#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    pub id: i64,
    pub plan: i64,
    pub position: i32,
    pub code: Option<String>,
    pub section: Option<String>,
    pub goal: Option<String>,
    pub text: String,
    /// The deadline as written (Срок).
    pub deadline: String,
    /// What the deadline was read as: `date`, `month`, `quarter`, `year`, `permanent`, …
    pub deadline_kind: String,
    pub deadline_from: Option<NaiveDate>,
    pub deadline_to: Option<NaiveDate>,
    pub responsible: Vec<PartyView>,
    pub funding: Vec<FundingView>,
    pub expected_results: Vec<String>,
    pub location: Option<String>,
    pub service_type: Option<String>,
    pub service: Option<i64>,
    /// The version to name when editing the row.
    pub version: i64,
}

impl ActivityView {
    pub(crate) fn of(a: PlanActivity, version: RowVersion) -> ActivityView {
        ActivityView {
            id: a.id.get(),
            plan: a.plan.get(),
            position: a.position,
            deadline: a.deadline.raw().to_owned(),
            deadline_kind: a.deadline.kind().as_str().to_owned(),
            deadline_from: a.deadline.from(),
            deadline_to: a.deadline.to(),
            code: a.code,
            section: a.section,
            goal: a.goal,
            text: a.text,
            responsible: a
                .responsible
                .into_iter()
                .map(|p| PartyView { code: p.code.map(|c| c.as_str().to_owned()), raw: p.raw })
                .collect(),
            funding: a
                .funding
                .into_iter()
                .map(|f| FundingView { kind: f.kind.as_str().to_owned(), raw: f.raw, programme: f.programme })
                .collect(),
            expected_results: a.expected_results,
            location: a.location,
            service_type: a.service_type.map(|s| s.as_str().to_owned()),
            service: a.service.map(|s| s.get()),
            version: version.0,
        }
    }
}

/// The area a list is asked for: the one named, or the user's own.
pub(crate) fn area_asked(user: &User, area: Option<&str>) -> Result<AreaCode, WebError> {
    let area = match area {
        Some(code) => AreaCode::parse(code).map_err(|e| WebError::Invalid(format!("area: {e}")))?,
        None => user.area.clone().ok_or_else(|| WebError::Invalid("area: name a municipality or region".into()))?,
    };
    if !user.may_view(&area) {
        return Err(WebError::Forbidden(format!("the data of {}", area.as_str())));
    }
    Ok(area)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    /// The municipality or region (default: the user's own).
    pub area: Option<String>,
    /// Only the plans of this year.
    pub year: Option<i32>,
}

/// The plans of a municipality or region, newest year first, each version in order.
#[utoipa::path(get, path = "/plans", tag = "plans", params(PlanFilter, PageQuery),
    responses((status = 200, body = Paged<PlanSummary>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Params(filter): Params<PlanFilter>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<PlanSummary>>, WebError> {
    let area = area_asked(&user, filter.area.as_deref())?;
    let plans = state
        .store
        .versioned_plans_of(&area)
        .await?
        .into_iter()
        .filter(|(plan, _)| filter.year.is_none_or(|y| plan.year.get() == y))
        .map(|(plan, version)| PlanSummary::of(plan, version))
        .collect();
    Ok(Json(page.of(plans)?))
}

/// One plan.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans", params(("id" = i64, Path, description = "The plan")),
    responses((status = 200, body = PlanSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
) -> Result<Json<PlanSummary>, WebError> {
    let (plan, version) = crate::pages::visible_plan(&state, &user, id).await?;
    Ok(Json(PlanSummary::of(plan, version)))
}

/// The rows of a plan, in their order.
#[utoipa::path(get, path = "/plans/{id}/activities", tag = "plans",
    params(("id" = i64, Path, description = "The plan"), PageQuery),
    responses((status = 200, body = Paged<ActivityView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn activities(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<ActivityView>>, WebError> {
    let (plan, _) = crate::pages::visible_plan(&state, &user, id).await?;
    let rows = state.store.plan_activities(plan.id).await?;
    Ok(Json(page.of(rows.into_iter().map(|(a, v)| ActivityView::of(a, v)).collect())?))
}

/// A row as a program writes it: parties and funding in words, read into codes and kinds the same
/// way the pages read them.
#[derive(Deserialize, ToSchema)]
pub struct ActivityInput {
    /// Дейност.
    pub text: String,
    /// Срок, in words (`31.12.2026`, `II тримесечие`, `постоянен`).
    #[serde(default)]
    pub deadline: String,
    /// Отговорник, in words, several separated by commas.
    #[serde(default)]
    pub responsible: String,
    /// Финансиране, in words.
    #[serde(default)]
    pub funding: String,
    /// Очакван резултат, one per item.
    #[serde(default)]
    pub expected_results: Vec<String>,
}

impl ActivityInput {
    fn form(&self) -> RowForm {
        RowForm {
            text: self.text.clone(),
            deadline: self.deadline.clone(),
            responsible: self.responsible.clone(),
            funding: self.funding.clone(),
            results: self.expected_results.join("\n"),
        }
    }
}

/// A new row: where it goes and what it says.
#[derive(Deserialize, ToSchema)]
pub struct NewActivityInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub goal: String,
    #[serde(flatten)]
    pub row: ActivityInput,
}

/// Appends a row to a plan that is still a draft or in consultation.
#[utoipa::path(post, path = "/plans/{id}/activities", tag = "plans",
    params(("id" = i64, Path, description = "The plan")), request_body = NewActivityInput,
    responses((status = 201, body = ActivityView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_activity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
    Body(input): Body<NewActivityInput>,
) -> Result<Response, WebError> {
    let (plan, _) = crate::pages::visible_plan(&state, &user, id).await?;
    let blank = crate::activities::blank_row(&input.code, &input.section, &input.goal);
    let row = input.row.form().fill(blank, plan.year.get());
    let added = state.store.add_plan_activity(&Actor::User(user), plan.id, &row).await?;
    let (added, version) = state
        .store
        .plan_activities(plan.id)
        .await?
        .into_iter()
        .find(|(a, _)| a.id == added.id)
        .ok_or_else(|| WebError::Internal("the row just added is not there".into()))?;
    Ok(created(ActivityView::of(added, version)))
}

/// A changed row, based on the version read.
#[derive(Deserialize, ToSchema)]
pub struct ActivityUpdate {
    /// The row's version as read; a row changed since answers 409.
    pub version: i64,
    #[serde(flatten)]
    pub row: ActivityInput,
}

/// Changes a row's text, deadline, parties, funding and results.
#[utoipa::path(put, path = "/plans/{id}/activities/{activity}", tag = "plans",
    params(("id" = i64, Path, description = "The plan"), ("activity" = i64, Path, description = "The row")),
    request_body = ActivityUpdate,
    responses((status = 200, body = ActivityView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_activity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids((plan, activity)): Ids<(i64, i64)>,
    Body(update): Body<ActivityUpdate>,
) -> Result<Json<ActivityView>, WebError> {
    let (plan, current, _) = crate::activities::load(&state, &user, plan, activity).await?;
    let row = update.row.form().apply(&current, plan.year.get());
    state.store.update_plan_activity(&Actor::User(user.clone()), current.id, RowVersion(update.version), &row).await?;
    let (_, changed, version) = crate::activities::load(&state, &user, plan.id.get(), activity).await?;
    Ok(Json(ActivityView::of(changed, version)))
}

/// A move of a plan to public consultation or to adopted.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StatusInput {
    /// Open for comments from `from` to `to` (at least 30 days).
    PublicConsultation { version: i64, from: NaiveDate, to: NaiveDate },
    /// Adopted by the council's decision `number` of `date`, taken by `body`.
    Adopted { version: i64, number: String, date: NaiveDate, body: String },
}

/// Moves a plan to public consultation, or adopts it with the council's decision.
#[utoipa::path(post, path = "/plans/{id}/status", tag = "plans",
    params(("id" = i64, Path, description = "The plan")), request_body = StatusInput,
    responses((status = 200, body = PlanSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn change_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
    Body(input): Body<StatusInput>,
) -> Result<Json<PlanSummary>, WebError> {
    let (version, change) = match input {
        StatusInput::PublicConsultation { version, from, to } => (
            version,
            StatusChange::Consultation(DateRange::new(from, to).map_err(|e| WebError::Invalid(e.to_string()))?),
        ),
        StatusInput::Adopted { version, number, date, body } => (version, StatusChange::Adopted { number, date, body }),
    };
    move_plan(&state, &user, AnnualPlanId(id), RowVersion(version), change).await?;
    let (plan, version) = state.store.plan(AnnualPlanId(id)).await?;
    Ok(Json(PlanSummary::of(plan, version)))
}

/// One change of a record: when, by whom, what it did, and the fields it touched.
#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    pub at: chrono::DateTime<chrono::Utc>,
    /// The login of who made the change (or `system:…`).
    pub actor: String,
    /// `plan` or `activity`.
    pub entity: String,
    pub entity_id: String,
    /// `create`, `update`, `status`, `amend`, …
    pub action: String,
    /// `field: old → new` for each field the change touched.
    pub changes: Vec<String>,
}

impl ChangeView {
    fn of(entry: &AuditEntry, entity: &str) -> ChangeView {
        ChangeView {
            at: entry.at,
            actor: entry.actor.clone(),
            entity: entity.to_owned(),
            entity_id: entry.entity_id.clone(),
            action: entry.action.clone(),
            changes: crate::history::changes(entry),
        }
    }
}

/// Who changed a plan and its rows, and when, oldest first.
#[utoipa::path(get, path = "/plans/{id}/history", tag = "plans",
    params(("id" = i64, Path, description = "The plan"), PageQuery),
    responses((status = 200, body = Paged<ChangeView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<ChangeView>>, WebError> {
    let (plan, _) = crate::pages::visible_plan(&state, &user, id).await?;
    let mut changes: Vec<ChangeView> = state
        .store
        .history("annual_plan", &plan.id.get().to_string())
        .await?
        .iter()
        .map(|e| ChangeView::of(e, "plan"))
        .collect();
    for (activity, _) in state.store.plan_activities(plan.id).await? {
        let entries = state.store.history("plan_activity", &activity.id.get().to_string()).await?;
        changes.extend(entries.iter().map(|e| ChangeView::of(e, "activity")));
    }
    changes.sort_by_key(|c| c.at);
    Ok(Json(page.of(changes)?))
}
