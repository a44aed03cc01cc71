//! Editing a row of a plan that is still a draft or in consultation.
//!
//! The form carries the row version it was read at; the store refuses a write based on an older
//! version, and the page then shows both versions side by side — never a silent overwrite. The
//! parties and funding are typed as words and read with the extractor's normalisers, so codes and
//! kinds stay filled in.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use grizha_domain::deadline::{Deadline, DeadlineContext};
use grizha_domain::ids::{AnnualPlanId, PlanActivityId, RowVersion};
use grizha_domain::plan::{PlanActivity, RowMove};
use grizha_store::{Actor, NewActivity, StoreError};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::import::{domain_funding, domain_parties};
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{plan}/activities", axum::routing::post(add))
        .route("/plans/{plan}/activities/{id}/edit", get(edit_form).post(save))
        .route("/plans/{plan}/activities/{id}/move", axum::routing::post(move_row))
}

/// The editable fields of a row, as the form shows them.
#[derive(Debug, Clone, Deserialize)]
pub struct RowForm {
    pub(crate) text: String,
    pub(crate) deadline: String,
    pub(crate) responsible: String,
    pub(crate) funding: String,
    pub(crate) results: String,
}

impl RowForm {
    pub(crate) fn of(a: &PlanActivity) -> RowForm {
        RowForm {
            text: a.text.clone(),
            deadline: a.deadline.raw().to_owned(),
            responsible: a.responsible.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join(", "),
            funding: a.funding.iter().map(|f| f.raw.as_str()).collect::<Vec<_>>().join(", "),
            results: a.expected_results.join("\n"),
        }
    }

    /// The row with this form's values over `current`'s other fields.
    pub(crate) fn apply(&self, current: &PlanActivity, year: i32) -> NewActivity {
        self.fill(NewActivity::from(current), year)
    }

    /// `row` with this form's values: the text, the deadline (read again only when its words
    /// changed), parties and funding read into codes and kinds, one result per line.
    pub(crate) fn fill(&self, mut row: NewActivity, year: i32) -> NewActivity {
        row.text = self.text.trim().to_owned();
        if self.deadline.trim() != row.deadline.raw() {
            row.deadline = Deadline::parse(self.deadline.trim(), &DeadlineContext::for_year(year));
        }
        let codes = grizha_extract::code_tables();
        row.responsible = domain_parties(&grizha_extract::normalise::party::parties(&self.responsible, codes));
        row.funding = domain_funding(&grizha_extract::normalise::funding::funding(&self.funding, codes));
        row.expected_results =
            self.results.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        row
    }
}

#[derive(Template)]
#[template(path = "activity_edit.html")]
struct EditPage {
    user_name: String,
    csrf: String,
    plan_id: i64,
    plan_title: String,
    activity_id: i64,
    code: String,
    version: i64,
    form: RowForm,
    /// On a conflict: the row as it is now.
    current: Option<RowForm>,
    problem: Option<String>,
}

/// The plan and one of its rows with its version, if the user may see them.
pub(crate) async fn load(
    state: &AppState,
    user: &grizha_domain::user::User,
    plan: i64,
    id: i64,
) -> Result<(grizha_domain::plan::AnnualPlan, PlanActivity, RowVersion), WebError> {
    let (plan, _) = crate::pages::visible_plan(state, user, plan).await?;
    let (activity, version) = state
        .store
        .plan_activities(plan.id)
        .await?
        .into_iter()
        .find(|(a, _)| a.id == PlanActivityId(id))
        .ok_or_else(|| WebError::NotFound(format!("activity {id}")))?;
    Ok((plan, activity, version))
}

fn page(
    signed_in: &SignedIn,
    plan: &grizha_domain::plan::AnnualPlan,
    activity: &PlanActivity,
    version: RowVersion,
    form: RowForm,
    current: Option<RowForm>,
    problem: Option<String>,
) -> Result<String, WebError> {
    EditPage {
        user_name: signed_in.0.user.display_name.clone(),
        csrf: signed_in.0.csrf_token.clone(),
        plan_id: plan.id.get(),
        plan_title: plan.title.clone(),
        activity_id: activity.id.get(),
        code: activity.code.clone().unwrap_or_default(),
        version: version.0,
        form,
        current,
        problem,
    }
    .render()
    .map_err(|e| WebError::Internal(e.to_string()))
}

async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan, id)): Path<(i64, i64)>,
) -> Result<Html<String>, PageError> {
    let (plan, activity, version) = load(&state, &signed_in.0.user, plan, id).await?;
    if !signed_in.0.user.may_edit(&plan.area) {
        return Err(WebError::Forbidden(format!("plan {}", plan.id.get())).into());
    }
    let problem =
        (!plan.status.is_editable()).then(|| "Планът е приет; промените минават през изменение на плана.".to_owned());
    Ok(Html(page(&signed_in, &plan, &activity, version, RowForm::of(&activity), None, problem)?))
}

#[derive(Deserialize)]
struct AddForm {
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    goal: String,
    #[serde(flatten)]
    row: RowForm,
}

/// Appends a row to a draft plan (or one in consultation).
async fn add(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(plan): Path<i64>,
    Form(form): Form<AddForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let (plan, _) = state.store.plan(AnnualPlanId(plan)).await?;
    let row = form.row.fill(blank_row(&form.code, &form.section, &form.goal), plan.year.get());
    state.store.add_plan_activity(&Actor::User(signed_in.0.user.clone()), plan.id, &row).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, format!("/plans/{}", plan.id.get()).parse().expect("a local path"));
    Ok(response)
}

/// A new row with only its code, section and goal (blank ones left out), to be filled from a form.
pub(crate) fn blank_row(code: &str, section: &str, goal: &str) -> NewActivity {
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    NewActivity {
        code: optional(code),
        section: optional(section),
        goal: optional(goal),
        text: String::new(),
        deadline: Deadline::unspecified(),
        responsible: Vec::new(),
        funding: Vec::new(),
        expected_results: Vec::new(),
        location: None,
        schedule: Vec::new(),
        service_type: None,
        service: None,
        strategy_node: None,
    }
}

#[derive(Deserialize)]
struct SaveForm {
    csrf: String,
    version: i64,
    #[serde(flatten)]
    row: RowForm,
}

async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan, id)): Path<(i64, i64)>,
    Form(form): Form<SaveForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let (plan, current, version) = load(&state, &signed_in.0.user, plan, id).await?;
    let actor = Actor::User(signed_in.0.user.clone());
    let row = form.row.apply(&current, plan.year.get());
    match state.store.update_plan_activity(&actor, current.id, RowVersion(form.version), &row).await {
        Ok(_) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(LOCATION, format!("/plans/{}", plan.id.get()).parse().expect("a local path"));
            Ok(response)
        }
        Err(StoreError::Conflict { .. }) => {
            // Both versions side by side; saving again is based on the current one.
            let html = page(&signed_in, &plan, &current, version, form.row, Some(RowForm::of(&current)), None)?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let html =
                page(&signed_in, &plan, &current, RowVersion(form.version), form.row, None, Some(e.to_string()))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct MoveForm {
    csrf: String,
    /// The plan's version the page was read at.
    version: i64,
    direction: String,
}

/// Moves a row of a draft plan (or one in consultation) one place up or down, and goes back to the
/// row on the plan page. A page read before another change of the plan gets the conflict page.
async fn move_row(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan, id)): Path<(i64, i64)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let Ok(direction) = form.direction.parse::<RowMove>() else {
        return Err(WebError::Invalid("Посоката е нагоре или надолу.".into()).into());
    };
    let (plan, _) = crate::pages::visible_plan(&state, &signed_in.0.user, plan).await?;
    if !plan.status.is_editable() {
        return Err(WebError::Invalid(
            "Планът е приет; редът на дейностите се променя чрез изменение на плана.".into(),
        )
        .into());
    }
    let actor = Actor::User(signed_in.0.user.clone());
    match state.store.move_plan_activity(&actor, plan.id, PlanActivityId(id), direction, RowVersion(form.version)).await
    {
        Ok(_) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            let to = format!("/plans/{}#row-{id}", plan.id.get());
            response.headers_mut().insert(LOCATION, to.parse().expect("a local path"));
            Ok(response)
        }
        Err(StoreError::Invalid(_)) => {
            Err(WebError::Invalid(format!("Дейността не може да се премести {}.", direction.label_bg())).into())
        }
        Err(e) => Err(e.into()),
    }
}
