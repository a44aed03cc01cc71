//! Importing a document: upload a file in any format the reader takes, see the extracted rows
//! beside the source cells they came from, correct them, and accept them into a new annual plan,
//! or the services it lists into a municipality's registry.
//!
//! Nothing is saved until it is accepted: the extraction waits in memory ([`ImportStage`], one
//! hour, at most [`MAX_STAGED`] at a time) under a random id only its uploader can open. The
//! same file imported before (same SHA-256) is named on the review page and cannot be accepted
//! twice. A file that cannot be read gets the reader's one-line reason on the upload page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use grizha_docs::{BlockContent, Document, ReadLimits};
use grizha_domain::codes::{FundingKindCode, InstitutionCode, ServiceTypeCode};
use grizha_domain::deadline::{Deadline, DeadlineContext};
use grizha_domain::document::Sha256Hex;
use grizha_domain::geography::{AreaCode, MunicipalityCode};
use grizha_domain::plan::AnnualPlan;
use grizha_domain::plan::{Funding, Party, PlanGeneration, ScheduleMark, ScheduleMarkKind};
use grizha_domain::time::Year;
use grizha_domain::user::User;
use grizha_extract::format::{Activity, Extraction, Mark};
use grizha_store::{Actor, NewActivity, NewPlan, NewSourceDocument};

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

/// How long an extraction waits for review.
pub const STAGE_TIME: Duration = Duration::from_secs(3600);
/// How many extractions wait at most (the oldest goes first).
pub const MAX_STAGED: usize = 32;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import", get(upload_form).post(upload))
        .route("/import/{id}", get(review))
        .route("/import/{id}/accept", post(accept))
        .route("/import/{id}/accept-services", post(accept_services))
}

/// An extraction waiting for review.
pub(crate) struct Staged {
    owner: i64,
    at: Instant,
    pub(crate) file_name: String,
    media_type: String,
    pub(crate) sha256: String,
    size: i64,
    pub(crate) document: Document,
    pub(crate) extraction: Extraction,
}

/// Extractions waiting for review, in memory.
#[derive(Clone, Default)]
pub struct ImportStage {
    staged: Arc<Mutex<HashMap<String, Arc<Staged>>>>,
}

impl ImportStage {
    fn put(&self, id: String, staged: Staged) {
        let mut map = self.staged.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, s| s.at.elapsed() < STAGE_TIME);
        while map.len() >= MAX_STAGED {
            let oldest = map.iter().min_by_key(|(_, s)| s.at).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(id, Arc::new(staged));
    }
    fn get(&self, id: &str, owner: i64) -> Option<Arc<Staged>> {
        let map = self.staged.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(id).filter(|s| s.owner == owner && s.at.elapsed() < STAGE_TIME).cloned()
    }
    /// The extractions waiting for `owner`'s review, newest first, with their ids.
    pub(crate) fn of(&self, owner: i64) -> Vec<(String, Arc<Staged>)> {
        let map = self.staged.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut staged: Vec<_> = map
            .iter()
            .filter(|(_, s)| s.owner == owner && s.at.elapsed() < STAGE_TIME)
            .map(|(id, s)| (id.clone(), Arc::clone(s)))
            .collect();
        staged.sort_by_key(|(_, s)| std::cmp::Reverse(s.at));
        staged
    }
    fn remove(&self, id: &str) {
        self.staged.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct UploadPage<'a> {
    user_name: &'a str,
    csrf: &'a str,
    problem: Option<&'a str>,
}

fn upload_page(signed_in: &SignedIn, status: StatusCode, problem: Option<&str>) -> Result<Response, PageError> {
    let session = &signed_in.0;
    let html = UploadPage { user_name: &session.user.display_name, csrf: &session.csrf_token, problem }
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((status, Html(html)).into_response())
}

async fn upload_form(signed_in: SignedIn) -> Result<Response, PageError> {
    upload_page(&signed_in, StatusCode::OK, None)
}

async fn upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let limits = ReadLimits::default();
    let (mut csrf, mut file) = (String::new(), None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return upload_page(
                    &signed_in,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Some(&format!("Файлът не беше получен: {e}")),
                );
            }
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("документ").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(e) => {
                        let message =
                            format!("Файлът не беше получен (най-много {} MB): {e}", limits.max_input_bytes >> 20);
                        return upload_page(&signed_in, StatusCode::PAYLOAD_TOO_LARGE, Some(&message));
                    }
                }
            }
            _ => {}
        }
    }
    signed_in.check_csrf(&csrf)?;
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return upload_page(&signed_in, StatusCode::UNPROCESSABLE_ENTITY, Some("Изберете файл."));
    };
    let id = match stage(&state, &signed_in.0.user, file_name, &bytes) {
        Ok(id) => id,
        Err(WebError::Invalid(message)) => {
            return upload_page(&signed_in, StatusCode::UNPROCESSABLE_ENTITY, Some(&message));
        }
        Err(e) => return Err(e.into()),
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, format!("/import/{id}").parse().expect("a local path"));
    Ok(response)
}

/// Reads and extracts an uploaded file and puts the extraction up for review by `user`; returns
/// its id. A file that cannot be read is refused as invalid, with the reader's reason.
pub(crate) fn stage(
    state: &AppState,
    user: &grizha_domain::user::User,
    file_name: String,
    bytes: &[u8],
) -> Result<String, WebError> {
    let document =
        grizha_docs::read(bytes, &ReadLimits::default()).map_err(|e| WebError::Invalid(format!("{file_name}: {e}")))?;
    let source = grizha_extract::source(&file_name, bytes, &document);
    let extraction = grizha_extract::extract(&document, source.clone());
    let id = grizha_store::random_token()?;
    state.imports.put(
        id.clone(),
        Staged {
            owner: user.id.get(),
            at: Instant::now(),
            file_name,
            media_type: source.media_type,
            sha256: source.sha256,
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            document,
            extraction,
        },
    );
    Ok(id)
}

/// One extracted activity on the review page.
struct ReviewRow {
    index: usize,
    code: String,
    goal: String,
    text: String,
    deadline: String,
    deadline_meaning: String,
    responsible: String,
    funding: String,
    results: String,
    source: String,
}

struct ReviewDocument {
    index: usize,
    kind: String,
    title: String,
    period: String,
    issuer: String,
    default_area: String,
    default_year: i32,
    rows: Vec<ReviewRow>,
    services: Vec<ReviewService>,
    counts: String,
}

/// One extracted service on the review page.
struct ReviewService {
    index: usize,
    name: String,
    /// The service type's code when recognised, else empty (the reviewer picks one).
    kind: String,
    figures: String,
    funding: String,
    source: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    user_name: String,
    csrf: String,
    id: String,
    file_name: String,
    imported_before: Option<String>,
    areas: Vec<(String, String)>,
    /// The municipalities among `areas` (a registry is a municipality's).
    municipalities: Vec<(String, String)>,
    /// `(code, name)` of every service type, for the reviewer's choice.
    service_types: Vec<(String, String)>,
    documents: Vec<ReviewDocument>,
    warnings: Vec<String>,
}

/// The text of the source row an extracted value came from, cells joined with ` | `.
pub(crate) fn source_text(document: &Document, at: &grizha_extract::format::Provenance) -> String {
    if let (Some(t), Some(r)) = (at.table, at.row) {
        let table = document.tables().find(|table| table.table == Some(t));
        return table
            .and_then(|table| table.rows.get(r))
            .map(|row| row.cells.iter().map(|c| c.text.replace('\n', " ")).collect::<Vec<_>>().join(" | "))
            .unwrap_or_default();
    }
    at.paragraph
        .and_then(|p| {
            document.blocks.iter().find_map(|b| match &b.content {
                BlockContent::Heading { text, paragraph, .. } | BlockContent::Paragraph { text, paragraph, .. }
                    if *paragraph == p =>
                {
                    Some(text.clone())
                }
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// The areas the user may create plans in.
async fn editable_areas(state: &AppState, signed_in: &SignedIn) -> Result<Vec<(String, String)>, WebError> {
    let user = &signed_in.0.user;
    let mut areas = Vec::new();
    let candidates: Vec<AreaCode> = match &user.area {
        Some(AreaCode::Region(region)) => std::iter::once(AreaCode::Region(region.clone()))
            .chain(state.store.municipalities(Some(region)).await?.into_iter().map(|m| AreaCode::Municipality(m.code)))
            .collect(),
        Some(area) => vec![area.clone()],
        None => Vec::new(),
    };
    for area in candidates.into_iter().filter(|a| user.may_edit(a)) {
        let name = state.store.area_name(&area).await?.unwrap_or_default();
        areas.push((area.as_str().to_owned(), name));
    }
    Ok(areas)
}

async fn review(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let staged =
        state.imports.get(&id, signed_in.0.user.id.get()).ok_or_else(|| WebError::NotFound(format!("import {id}")))?;
    let imported_before = match Sha256Hex::parse(&staged.sha256) {
        Ok(sha) => state.store.source_document_by_sha256(&sha).await?.map(|d| {
            format!("Този файл вече е внесен на {} като „{}“.", d.imported_at.format("%d.%m.%Y"), d.file_name)
        }),
        Err(_) => None,
    };
    let mut areas = editable_areas(&state, &signed_in).await?;
    let documents = staged
        .extraction
        .documents
        .iter()
        .enumerate()
        .map(|(index, d)| {
            let issuer_code = d.issuer.as_ref().and_then(|i| i.code.clone());
            if signed_in.0.user.role == grizha_domain::user::Role::Administrator
                && let Some(code) = &issuer_code
                && !areas.iter().any(|(c, _)| c == code)
            {
                let name = d.issuer.as_ref().map(|i| i.name.clone()).unwrap_or_default();
                areas.push((code.clone(), name));
            }
            let default_area = issuer_code
                .filter(|c| areas.iter().any(|(a, _)| a == c))
                .or_else(|| areas.first().map(|(a, _)| a.clone()))
                .unwrap_or_default();
            ReviewDocument {
                index,
                kind: kind_label(d.kind).to_owned(),
                title: d.title.clone(),
                period: d
                    .period
                    .map(|p| if p.from == p.to { p.from.to_string() } else { format!("{}–{}", p.from, p.to) })
                    .unwrap_or_default(),
                issuer: d
                    .issuer
                    .as_ref()
                    .map(|i| format!("{} ({})", i.name, i.code.as_deref().unwrap_or("?")))
                    .unwrap_or_default(),
                default_area,
                default_year: d.period.map_or(chrono::Utc::now().date_naive().year(), |p| p.from),
                counts: format!(
                    "{} дейности, {} услуги, {} индикатора, {} решения",
                    d.activities.len(),
                    d.services.len(),
                    d.indicators.len(),
                    d.decisions.len()
                ),
                services: d
                    .services
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ReviewService {
                        index: i,
                        name: s.name.clone(),
                        kind: s.service_type.clone().unwrap_or_default(),
                        figures: service_figures(s),
                        funding: s.funding.iter().map(|f| f.raw.as_str()).collect::<Vec<_>>().join(", "),
                        source: source_text(&staged.document, &s.at),
                    })
                    .collect(),
                rows: d
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(i, a)| ReviewRow {
                        index: i,
                        code: a.code.clone().unwrap_or_default(),
                        goal: a.goal.clone().unwrap_or_default(),
                        text: a.text.clone(),
                        deadline: a.deadline.raw().to_owned(),
                        deadline_meaning: deadline_meaning(&a.deadline),
                        responsible: a.responsible.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join(", "),
                        funding: a.funding.iter().map(|f| f.raw.as_str()).collect::<Vec<_>>().join(", "),
                        results: a.expected_results.join("; "),
                        source: source_text(&staged.document, &a.at),
                    })
                    .collect(),
            }
        })
        .collect();
    let page = ReviewPage {
        user_name: signed_in.0.user.display_name.clone(),
        csrf: signed_in.0.csrf_token.clone(),
        id,
        file_name: staged.file_name.clone(),
        imported_before,
        municipalities: areas.iter().filter(|(code, _)| code.len() == 5).cloned().collect(),
        service_types: state
            .store
            .service_types()
            .await?
            .into_iter()
            .map(|t| (t.code.as_str().to_owned(), t.name))
            .collect(),
        areas,
        documents,
        warnings: staged.extraction.warnings.iter().map(|w| w.message.clone()).collect(),
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}

/// `2026: 40 места, 8 персонал; 2027: …`, as the review page shows a service's figures.
fn service_figures(s: &grizha_extract::format::Service) -> String {
    let mut years: Vec<i32> = s.capacity.iter().chain(&s.staff).map(|v| v.year).collect();
    years.sort_unstable();
    years.dedup();
    years
        .iter()
        .map(|year| {
            let of =
                |values: &[grizha_extract::format::YearValue]| values.iter().find(|v| v.year == *year).map(|v| v.value);
            let mut parts = Vec::new();
            if let Some(places) = of(&s.capacity) {
                parts.push(format!("{places} места"));
            }
            if let Some(staff) = of(&s.staff) {
                parts.push(format!("{staff} персонал"));
            }
            format!("{year}: {}", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the reviewer accepts into a municipality's registry: the services chosen (by index), each
/// with its name and type as corrected.
pub(crate) struct RegistryAcceptance {
    pub document: usize,
    pub municipality: MunicipalityCode,
    pub services: Vec<(usize, String, String)>,
}

/// Registers the chosen services of a staged document in a municipality's registry, with their
/// capacity and staff by year, and records the source file — in one transaction.
pub(crate) async fn accept_into_registry(
    state: &AppState,
    user: &User,
    id: &str,
    acceptance: RegistryAcceptance,
) -> Result<usize, WebError> {
    let (staged, source) = not_yet_imported(state, user, id, "Този файл вече е внесен.").await?;
    let document = staged.document_at(acceptance.document)?;
    let default_year = document.period.map_or_else(|| chrono::Utc::now().date_naive().year(), |p| p.from);
    let mut services = Vec::new();
    for (index, name, kind) in acceptance.services {
        let found = document.services.get(index).ok_or_else(|| WebError::Invalid(format!("няма услуга {index}")))?;
        let service_type = ServiceTypeCode::parse(kind.trim())
            .map_err(|_| WebError::Invalid(format!("„{}“: изберете вида на услугата", found.name)))?;
        let mut years: Vec<i32> = found.capacity.iter().chain(&found.staff).map(|v| v.year).collect();
        years.sort_unstable();
        years.dedup();
        let of = |values: &[grizha_extract::format::YearValue], year: i32| {
            values.iter().find(|v| v.year == year).map(|v| v.value)
        };
        let figures = years
            .iter()
            .filter_map(|&year| {
                Some(grizha_domain::service::ServiceYear {
                    year: Year::new(year).ok()?,
                    max_users: of(&found.capacity, year),
                    funded_places: None,
                    occupied_places: None,
                    staff: of(&found.staff, year),
                })
            })
            .collect();
        let opened = years.first().copied().unwrap_or(default_year);
        let new = grizha_store::NewService {
            municipality: acceptance.municipality.clone(),
            provider: None,
            service_type,
            name: if name.trim().is_empty() { found.name.clone() } else { name.trim().to_owned() },
            description: found.provider.as_ref().map(|p| format!("Доставчик според документа: {p}")),
            target_groups: found.target_groups.clone(),
            funding: domain_funding(&found.funding),
            status: found.status.unwrap_or(grizha_domain::service::ServiceStatus::Existing),
            opened_on: chrono::NaiveDate::from_ymd_opt(opened, 1, 1)
                .ok_or_else(|| WebError::Invalid(format!("година {opened}")))?,
        };
        services.push((new, figures));
    }
    if services.is_empty() {
        return Err(WebError::Invalid("Изберете поне една услуга.".into()));
    }
    let ids = state.store.import_services(&Actor::User(user.clone()), &services, &source).await?;
    state.imports.remove(id);
    Ok(ids.len())
}

async fn accept_services(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let user = &signed_in.0.user;
    let staged = staged_extraction(&state, user, &id)?;
    let field = |name: &str| form.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
    let document: usize = field("document").parse().map_err(|_| WebError::Invalid("няма избран документ".into()))?;
    let municipality = MunicipalityCode::parse(field("municipality"))
        .map_err(|_| WebError::Invalid("изберете община: регистърът е на община".into()))?;
    let count = staged.extraction.documents.get(document).map_or(0, |d| d.services.len());
    let services = (0..count)
        .filter(|i| form.contains_key(&format!("service_{i}")))
        .map(|i| (i, field(&format!("service_name_{i}")), field(&format!("service_type_{i}"))))
        .collect();
    accept_into_registry(
        &state,
        user,
        &id,
        RegistryAcceptance { document, municipality: municipality.clone(), services },
    )
    .await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    let to = format!("/municipalities/{}/services", municipality.as_str());
    response.headers_mut().insert(LOCATION, to.parse().expect("a local path"));
    Ok(response)
}

/// What kind of document the extractor found, in Bulgarian.
fn kind_label(kind: grizha_extract::format::DocumentKind) -> &'static str {
    use grizha_extract::format::DocumentKind;
    match kind {
        DocumentKind::AnnualPlan => "годишен план",
        DocumentKind::Strategy => "стратегия",
        DocumentKind::MonitoringReport => "доклад за мониторинг",
        DocumentKind::Protocol => "протокол",
        DocumentKind::CouncilDecision => "решение на общинския съвет",
        DocumentKind::NeedsAnalysis => "анализ на потребностите",
        DocumentKind::Other => "друг документ",
    }
}

/// `month 2025-03-01 – 2025-03-31`, as the review page explains a deadline.
fn deadline_meaning(deadline: &Deadline) -> String {
    let kind = deadline.kind().label_bg();
    match (deadline.from(), deadline.to()) {
        (Some(from), Some(to)) if from == to => format!("{kind}: {}", from.format("%d.%m.%Y")),
        (Some(from), Some(to)) => format!("{kind}: {} – {}", from.format("%d.%m.%Y"), to.format("%d.%m.%Y")),
        _ => kind.to_owned(),
    }
}

/// An extracted activity as a plan row, with the reviewer's corrections of text and deadline.
fn new_activity(a: &Activity, text: &str, deadline_raw: &str, year: i32) -> NewActivity {
    let deadline = if deadline_raw.trim() == a.deadline.raw() {
        a.deadline.clone()
    } else {
        Deadline::parse(deadline_raw.trim(), &DeadlineContext::for_year(year))
    };
    NewActivity {
        code: a.code.clone(),
        section: a.section.clone(),
        goal: a.goal.clone(),
        text: text.trim().to_owned(),
        deadline,
        responsible: domain_parties(&a.responsible),
        funding: domain_funding(&a.funding),
        expected_results: a.expected_results.clone(),
        location: a.location.clone(),
        schedule: a
            .schedule
            .iter()
            .filter_map(|m| {
                let kind = match m.mark {
                    Mark::Proposal => ScheduleMarkKind::Proposal,
                    Mark::Transform => ScheduleMarkKind::Transform,
                    Mark::Project => ScheduleMarkKind::Project,
                };
                ScheduleMark::new(m.quarter, kind).ok()
            })
            .collect(),
        service_type: a.service_type.as_deref().and_then(|c| ServiceTypeCode::parse(c).ok()),
        service: None,
        strategy_node: None,
    }
}

/// What a reviewer accepts: one document of a staged extraction, as a new draft plan of `area`
/// and `year`, with the rows chosen (by index, with corrected text and deadline).
pub(crate) struct Acceptance {
    pub document: usize,
    pub area: AreaCode,
    pub year: Year,
    pub title: Option<String>,
    pub rows: Vec<AcceptedRow>,
}

pub(crate) struct AcceptedRow {
    pub index: usize,
    pub text: Option<String>,
    pub deadline: Option<String>,
}

/// Extracted parties as the domain's, their institution codes checked against the code table.
pub(crate) fn domain_parties(parties: &[grizha_extract::format::Party]) -> Vec<Party> {
    parties
        .iter()
        .map(|p| Party {
            raw: p.raw.clone(),
            code: p.code.as_deref().and_then(|c| InstitutionCode::parse(c).ok()),
            name: Some(p.name.clone()),
        })
        .collect()
}

/// Extracted funding as the domain's; a kind the code table does not know is left out.
pub(crate) fn domain_funding(funding: &[grizha_extract::format::Funding]) -> Vec<Funding> {
    funding
        .iter()
        .filter_map(|f| {
            Some(Funding {
                raw: f.raw.clone(),
                kind: FundingKindCode::parse(&f.kind).ok()?,
                programme: f.programme.clone(),
            })
        })
        .collect()
}

impl Staged {
    /// Document `index` of the extraction, or why not.
    fn document_at(&self, index: usize) -> Result<&grizha_extract::format::ExtractedDocument, WebError> {
        self.extraction.documents.get(index).ok_or_else(|| WebError::Invalid("няма такъв документ".into()))
    }
}

/// The staged extraction `id` of `user` with the record its file will get, refused with
/// `imported_before` when the same file (by SHA-256) was imported already.
async fn not_yet_imported(
    state: &AppState,
    user: &User,
    id: &str,
    imported_before: &str,
) -> Result<(Arc<Staged>, NewSourceDocument), WebError> {
    let staged = staged_extraction(state, user, id)?;
    let sha256 = Sha256Hex::parse(&staged.sha256).map_err(|e| WebError::Invalid(e.to_string()))?;
    if state.store.source_document_by_sha256(&sha256).await?.is_some() {
        return Err(WebError::Invalid(imported_before.to_owned()));
    }
    let source = NewSourceDocument {
        file_name: staged.file_name.clone(),
        media_type: staged.media_type.clone(),
        sha256,
        size_bytes: staged.size,
    };
    Ok((staged, source))
}

/// The staged extraction `id` of `user`, or not found.
pub(crate) fn staged_extraction(state: &AppState, user: &User, id: &str) -> Result<Arc<Staged>, WebError> {
    state.imports.get(id, user.id.get()).ok_or_else(|| WebError::NotFound(format!("import {id}")))
}

/// Saves an accepted document as a new draft plan and records the source file, so the same file
/// is not accepted twice; the staged extraction is then dropped.
pub(crate) async fn accept_into_plan(
    state: &AppState,
    user: &User,
    id: &str,
    acceptance: Acceptance,
) -> Result<AnnualPlan, WebError> {
    let message = "Този файл вече е внесен; отворете плана, създаден от него.";
    let (staged, source) = not_yet_imported(state, user, id, message).await?;
    let document = staged.document_at(acceptance.document)?;
    let year = acceptance.year;
    let title = acceptance.title.filter(|t| !t.trim().is_empty()).unwrap_or_else(|| document.title.clone());
    let mut rows = Vec::new();
    for chosen in &acceptance.rows {
        let activity = document
            .activities
            .get(chosen.index)
            .ok_or_else(|| WebError::Invalid(format!("няма ред {} в документа", chosen.index)))?;
        let text = chosen.text.as_deref().unwrap_or(&activity.text);
        if text.trim().is_empty() {
            continue;
        }
        let deadline = chosen.deadline.as_deref().unwrap_or(activity.deadline.raw());
        rows.push(new_activity(activity, text, deadline, year.get()));
    }
    let actor = Actor::User(user.clone());
    let new = NewPlan { area: acceptance.area, year, title, strategy: None, generation: PlanGeneration::ActivityTable };
    let plan = state.store.import_plan(&actor, new, &rows, &source).await?;
    state.imports.remove(id);
    Ok(plan)
}

async fn accept(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let user = &signed_in.0.user;
    let staged = staged_extraction(&state, user, &id)?;
    let field = |name: &str| form.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
    let document: usize = field("document").parse().map_err(|_| WebError::Invalid("няма избран документ".into()))?;
    let area = AreaCode::parse(&field("area")).map_err(|e| WebError::Invalid(e.to_string()))?;
    let year: i32 = field("year").parse().map_err(|_| WebError::Invalid("годината трябва да е число".into()))?;
    let year = Year::new(year).map_err(|e| WebError::Invalid(e.to_string()))?;
    let count = staged.extraction.documents.get(document).map_or(0, |d| d.activities.len());
    let rows = (0..count)
        .filter(|i| form.contains_key(&format!("include_{i}")))
        .map(|i| AcceptedRow {
            index: i,
            text: form.get(&format!("text_{i}")).cloned(),
            deadline: form.get(&format!("deadline_{i}")).cloned(),
        })
        .collect();
    let title = Some(field("title"));
    let plan = accept_into_plan(&state, user, &id, Acceptance { document, area, year, title, rows }).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, format!("/plans/{}", plan.id.get()).parse().expect("a local path"));
    Ok(response)
}
