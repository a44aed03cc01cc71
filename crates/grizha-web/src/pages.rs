//! The pages: the home page of a signed-in user, and the shipped stylesheet.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::AnnualPlanId;
use grizha_domain::monitoring::ActivityStatus;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/plans/{id}", get(plan_page)).route("/assets/style.css", get(stylesheet))
}

/// Marks a handler's own answer to a file over a limit of its own (evidence: 20 MB), which
/// [`too_large_as_a_page`] leaves as it is.
#[derive(Clone, Copy)]
pub(crate) struct OwnLimitPage;

/// A request refused for its size (413, from the body limit, before any handler ran) answered with
/// a page that says so (or, from the API, the API's error body), instead of an empty body. A page
/// that answers 413 itself (marked [`OwnLimitPage`]) keeps its own answer.
pub async fn too_large_as_a_page(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || response.extensions().get::<OwnLimitPage>().is_some() {
        return response;
    }
    if api {
        let json = response.headers().get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
        if json {
            return response;
        }
        let message = format!("the request is larger than the limit ({} MB)", crate::MAX_BODY_BYTES >> 20);
        let body = serde_json::json!({"error": "too_large", "message": message});
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response();
    }
    let message = format!(
        "Файлът е по-голям от допустимото ({} MB). Нищо не е записано; изберете по-малък файл.",
        crate::MAX_BODY_BYTES >> 20
    );
    let html = ErrorPage { heading: "Файлът е твърде голям", message: &message }.render().unwrap_or(message.clone());
    (StatusCode::PAYLOAD_TOO_LARGE, Html(html)).into_response()
}

/// An error on a page: the same status as the API's, shown as a page in Bulgarian.
pub struct PageError(WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match &self.0 {
            WebError::Unauthenticated(_) => {
                (StatusCode::UNAUTHORIZED, "Влезте отново", "Сесията е изтекла или не сте влезли в системата.")
            }
            WebError::NotFound(_) => {
                (StatusCode::NOT_FOUND, "Няма такава страница", "Записът не съществува или е премахнат.")
            }
            WebError::Forbidden(_) => {
                (StatusCode::FORBIDDEN, "Нямате достъп", "Тези данни са на друга община или област.")
            }
            WebError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, "Данните не са приети", m.as_str()),
            WebError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "Файлът е твърде голям", m.as_str()),
            WebError::StaleEdit(_) => (
                StatusCode::CONFLICT,
                "Някой друг промени записа междувременно",
                "Нищо не е презаписано. Заредете страницата отново и повторете промяната.",
            ),
            WebError::Unavailable(_) | WebError::Internal(_) => {
                // Logged where the JSON answer would be.
                return self.0.into_response();
            }
        };
        let html = ErrorPage { heading, message }.render().unwrap_or_else(|_| heading.to_owned());
        (status, Html(html)).into_response()
    }
}

async fn stylesheet() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../assets/style.css"))
}

/// One plan line of the home page.
struct PlanLine {
    id: i64,
    year: i32,
    title: String,
    status: &'static str,
}

/// One municipality or region at a glance.
struct AreaGlance {
    code: String,
    name: String,
    /// `(id, title)` of its strategies, newest first.
    strategies: Vec<(i64, String)>,
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

/// The glance of one area from its parts.
fn glance_of(
    area: &AreaCode,
    name: String,
    plans: Vec<grizha_domain::plan::AnnualPlan>,
    strategies: Vec<grizha_domain::strategy::Strategy>,
    overdue: usize,
    services: usize,
) -> AreaGlance {
    AreaGlance {
        code: area.as_str().to_owned(),
        name,
        strategies: strategies.into_iter().map(|s| (s.id.get(), s.title)).collect(),
        plans: plans
            .into_iter()
            .map(|p| PlanLine { id: p.id.get(), year: p.year.get(), title: p.title, status: p.status.label_bg() })
            .collect(),
        overdue,
        services,
    }
}

async fn glance(state: &AppState, area: &AreaCode, today: chrono::NaiveDate) -> Result<AreaGlance, WebError> {
    let store = &state.store;
    let services = match area {
        AreaCode::Municipality(code) => store.count_services_in_force(code, today).await?,
        AreaCode::Region(_) => 0,
    };
    Ok(glance_of(
        area,
        store.area_name(area).await?.unwrap_or_else(|| area.as_str().to_owned()),
        store.plans_of(area).await?,
        store.strategies_of(area).await?,
        store.count_overdue_activities(area, today).await?,
        services,
    ))
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
            // Every municipality of the region, from one overview (four queries in all).
            let mut overview = state.store.region_overview(region, today).await?;
            for m in state.store.municipalities(Some(region)).await? {
                let code = m.code.as_str().to_owned();
                areas.push(glance_of(
                    &AreaCode::Municipality(m.code),
                    m.name,
                    overview.plans.remove(&code).unwrap_or_default(),
                    overview.strategies.remove(&code).unwrap_or_default(),
                    overview.overdue.get(&code).copied().unwrap_or(0),
                    overview.services_in_force.get(&code).copied().unwrap_or(0),
                ));
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

/// A plan with its version, if `user` may see it (the one check every plan page makes).
pub(crate) async fn visible_plan(
    state: &AppState,
    user: &grizha_domain::user::User,
    id: i64,
) -> Result<(grizha_domain::plan::AnnualPlan, grizha_domain::ids::RowVersion), WebError> {
    let (plan, version) = state.store.plan(AnnualPlanId(id)).await?;
    if !user.may_view(&plan.area) {
        return Err(WebError::Forbidden(format!("plan {id}")));
    }
    Ok((plan, version))
}

#[derive(Deserialize, Default)]
struct PlanFilter {
    section: Option<String>,
    party: Option<String>,
    funding: Option<String>,
    state: Option<String>,
}

impl PlanFilter {
    /// An empty choice in the form means "all".
    fn chosen(value: &Option<String>) -> Option<&str> {
        value.as_deref().filter(|v| !v.is_empty())
    }
}

/// The states a plan's rows can be filtered by.
const STATES: [(&str, &str); 4] =
    [("late", "Просрочени"), ("open", "Неизпълнени"), ("done", "Изпълнени"), ("unreported", "Без отчет")];

/// One activity as the plan table shows it.
struct PlanRowView {
    id: i64,
    /// The section's caption, on the first row of a section.
    section_start: Option<String>,
    code: String,
    /// The goal, on the first row of a run of rows under the same goal (as a merged cell shows it).
    goal_start: Option<String>,
    text: String,
    deadline: String,
    responsible: String,
    funding: String,
    results: String,
    state: String,
    late: bool,
    /// First and last row of the whole plan (which way it can move).
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    user_name: String,
    csrf: String,
    area_name: String,
    id: i64,
    title: String,
    year: i32,
    status: &'static str,
    adopted: Option<String>,
    /// Whether the user may edit the rows now (a draft or a plan in consultation, of their unit).
    editable: bool,
    /// Whether the rows show the buttons that move them: editable, and no filter hides a neighbour.
    reorderable: bool,
    /// The plan's version, for the status forms.
    version: i64,
    /// Whether the plan may go to public consultation now (a draft of the user's unit).
    may_consult: bool,
    /// Whether the user may start next year's plan from this one (an editor of its unit; not a
    /// superseded version), and next year's plan when there is one already.
    may_copy: bool,
    next_year: i32,
    next_year_plan: Option<(i64, String)>,
    filter: PlanFilter,
    sections: Vec<String>,
    parties: Vec<String>,
    fundings: Vec<(String, String)>,
    states: [(&'static str, &'static str); 4],
    shown: usize,
    total: usize,
    rows: Vec<PlanRowView>,
}

/// An annual plan as the documents show it (Цел, Дейност, Срок, Отговорник, Финансиране, Очакван
/// резултат), with its latest monitoring, filtered by section, party, funding and state.
async fn plan_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(filter): Query<PlanFilter>,
) -> Result<Html<String>, PageError> {
    let store = &state.store;
    let (plan, plan_version) = visible_plan(&state, &session.user, id).await?;
    let today = chrono::Utc::now().date_naive();
    let activities = store.plan_activities(plan.id).await?;
    let fundings_table = store.funding_kinds().await?;
    let mut sections: Vec<String> = Vec::new();
    let mut parties: Vec<String> = Vec::new();
    let mut fundings: Vec<(String, String)> = Vec::new();
    let mut rows = Vec::new();
    let (mut last_section, mut last_goal): (Option<String>, Option<String>) = (None, None);
    let total = activities.len();
    let mut records = store.monitoring_records_of_plan(plan.id).await?;
    for (index, (activity, _)) in activities.into_iter().enumerate() {
        let latest = records.remove(&activity.id).and_then(|r| r.into_iter().map(|(r, _)| r).next_back());
        let status = latest.as_ref().map(|r| r.status);
        let finished = matches!(status, Some(ActivityStatus::Done | ActivityStatus::Cancelled));
        let late = !finished && activity.deadline.is_past(today);
        if let Some(s) = &activity.section
            && !sections.contains(s)
        {
            sections.push(s.clone());
        }
        for p in &activity.responsible {
            let label = p.code.as_ref().map_or_else(|| p.raw.clone(), |c| c.as_str().to_owned());
            if !parties.contains(&label) {
                parties.push(label);
            }
        }
        for f in &activity.funding {
            if !fundings.iter().any(|(code, _)| code == f.kind.as_str()) {
                let meaning = fundings_table
                    .iter()
                    .find(|k| k.code == f.kind)
                    .map_or_else(|| f.kind.as_str().to_owned(), |k| k.meaning.clone());
                fundings.push((f.kind.as_str().to_owned(), meaning));
            }
        }
        let keep = PlanFilter::chosen(&filter.section).is_none_or(|s| activity.section.as_deref() == Some(s))
            && PlanFilter::chosen(&filter.party).is_none_or(|wanted| {
                activity.responsible.iter().any(|p| p.code.as_ref().map_or(p.raw.as_str(), |c| c.as_str()) == wanted)
            })
            && PlanFilter::chosen(&filter.funding)
                .is_none_or(|k| activity.funding.iter().any(|f| f.kind.as_str() == k))
            && PlanFilter::chosen(&filter.state).is_none_or(|s| match s {
                "late" => late,
                "open" => !finished,
                "done" => status == Some(ActivityStatus::Done),
                "unreported" => status.is_none(),
                _ => true,
            });
        if !keep {
            continue;
        }
        let section_start = (activity.section != last_section).then(|| activity.section.clone()).flatten();
        let goal_start =
            (activity.goal != last_goal || section_start.is_some()).then(|| activity.goal.clone()).flatten();
        last_section.clone_from(&activity.section);
        last_goal.clone_from(&activity.goal);
        rows.push(PlanRowView {
            id: activity.id.get(),
            section_start,
            code: activity.code.clone().unwrap_or_default(),
            goal_start,
            text: activity.text.clone(),
            deadline: activity.deadline.raw().to_owned(),
            responsible: activity.responsible.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join(", "),
            funding: activity.funding.iter().map(|f| f.raw.as_str()).collect::<Vec<_>>().join(", "),
            results: activity.expected_results.join("; "),
            state: latest.map_or_else(
                || "без отчет".to_owned(),
                |r| format!("{} ({}%)", r.status.label_bg(), r.progress.percent()),
            ),
            late,
            first: index == 0,
            last: index + 1 == total,
        });
    }
    let adopted = match plan.adopted_by {
        Some(decision) => store
            .council_decisions(&plan.area)
            .await?
            .into_iter()
            .find(|d| d.id == decision)
            .map(|d| format!("приет с решение № {} от {} на {}", d.number, d.date.format("%d.%m.%Y"), d.body)),
        None => None,
    };
    let editable = plan.status.is_editable() && session.user.may_edit(&plan.area);
    let unfiltered = [&filter.section, &filter.party, &filter.funding, &filter.state]
        .into_iter()
        .all(|chosen| PlanFilter::chosen(chosen).is_none());
    let may_copy = session.user.may_edit(&plan.area) && plan.status != grizha_domain::plan::PlanStatus::Superseded;
    let next_year = plan.year.get() + 1;
    let next_year_plan = if may_copy {
        store.plans_of(&plan.area).await?.into_iter().find(|p| p.year.get() == next_year).map(|p| (p.id.get(), p.title))
    } else {
        None
    };
    let page = PlanPage {
        user_name: session.user.display_name.clone(),
        csrf: session.csrf_token.clone(),
        area_name: store.area_name(&plan.area).await?.unwrap_or_else(|| plan.area.as_str().to_owned()),
        id,
        title: plan.title,
        year: plan.year.get(),
        status: plan.status.label_bg(),
        adopted,
        editable,
        reorderable: editable && unfiltered,
        version: plan_version.0,
        may_consult: plan.status == grizha_domain::plan::PlanStatus::Draft && session.user.may_edit(&plan.area),
        may_copy,
        next_year,
        next_year_plan,
        filter,
        sections,
        parties,
        fundings,
        states: STATES,
        shown: rows.len(),
        total,
        rows,
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}
