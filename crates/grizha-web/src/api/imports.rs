//! Importing a document through the API: upload a file, read what was extracted (each row with the
//! source cells it came from), and accept one document of it as a new draft plan. As on the pages,
//! nothing is saved until accepted, and a file imported before (same SHA-256) is not accepted again.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use grizha_domain::document::Sha256Hex;
use grizha_domain::geography::AreaCode;
use grizha_domain::time::Year;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, Body, ErrorBody, Ids, PageQuery, Paged, Params, Upload, created};
use crate::api::plans::PlanSummary;
use crate::import::{Acceptance, AcceptedRow, Staged, accept_into_plan, source_text, stage, staged_extraction};
use crate::{AppState, WebError};

/// An extracted row, with the text of the source row it came from.
#[derive(Serialize, ToSchema)]
pub struct ExtractedRow {
    pub index: usize,
    pub code: Option<String>,
    pub section: Option<String>,
    pub goal: Option<String>,
    pub text: String,
    pub deadline: String,
    pub responsible: Vec<String>,
    pub funding: Vec<String>,
    pub expected_results: Vec<String>,
    /// The cells of the source row, joined with ` | `.
    pub source: String,
}

/// One document found in the file (a file may hold a council decision and the plans it adopts).
#[derive(Serialize, ToSchema)]
pub struct ExtractedDocumentView {
    pub index: usize,
    /// `annual_plan`, `strategy`, `monitoring_report`, `protocol`, `council_decision`, …
    pub kind: String,
    pub title: String,
    /// The issuing municipality or region, when recognised.
    pub issuer: Option<String>,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub activities: Vec<ExtractedRow>,
    pub services: usize,
    pub indicators: usize,
    pub decisions: usize,
}

/// An uploaded file waiting for review.
#[derive(Serialize, ToSchema)]
pub struct ImportView {
    /// The id to read and accept it by (it waits one hour).
    pub id: String,
    pub file_name: String,
    pub sha256: String,
    /// The file was imported before: it can be read but not accepted again.
    pub imported_before: bool,
    pub documents: Vec<ExtractedDocumentView>,
    pub warnings: Vec<String>,
}

async fn view(state: &AppState, id: String, staged: &Staged, rows: bool) -> Result<ImportView, WebError> {
    let sha256 = Sha256Hex::parse(&staged.sha256).map_err(|e| WebError::Internal(e.to_string()))?;
    let imported_before = state.store.source_document_by_sha256(&sha256).await?.is_some();
    let documents = staged
        .extraction
        .documents
        .iter()
        .enumerate()
        .map(|(index, d)| ExtractedDocumentView {
            index,
            kind: serde_json::to_value(d.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            title: d.title.clone(),
            issuer: d.issuer.as_ref().and_then(|i| i.code.clone()),
            from_year: d.period.map(|p| p.from),
            to_year: d.period.map(|p| p.to),
            activities: if rows {
                d.activities
                    .iter()
                    .enumerate()
                    .map(|(i, a)| ExtractedRow {
                        index: i,
                        code: a.code.clone(),
                        section: a.section.clone(),
                        goal: a.goal.clone(),
                        text: a.text.clone(),
                        deadline: a.deadline.raw().to_owned(),
                        responsible: a.responsible.iter().map(|p| p.raw.clone()).collect(),
                        funding: a.funding.iter().map(|f| f.raw.clone()).collect(),
                        expected_results: a.expected_results.clone(),
                        source: source_text(&staged.document, &a.at),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            services: d.services.len(),
            indicators: d.indicators.len(),
            decisions: d.decisions.len(),
        })
        .collect();
    Ok(ImportView {
        id,
        file_name: staged.file_name.clone(),
        sha256: staged.sha256.clone(),
        imported_before,
        documents,
        warnings: staged.extraction.warnings.iter().map(|w| w.message.clone()).collect(),
    })
}

/// The user's uploads waiting for review, newest first (documents without their rows).
#[utoipa::path(get, path = "/imports", tag = "imports", params(PageQuery),
    responses((status = 200, body = Paged<ImportView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<ImportView>>, WebError> {
    let mut views = Vec::new();
    for (id, staged) in state.imports.of(user.id.get()) {
        views.push(view(&state, id, &staged, false).await?);
    }
    Ok(Json(page.of(views)?))
}

/// The file to import, as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// DOCX, ODT, PDF, HTML, text or DOC.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Uploads a file and extracts it; nothing is saved until accepted.
#[utoipa::path(post, path = "/imports", tag = "imports",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportView), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Upload(mut form): Upload,
) -> Result<Response, WebError> {
    let mut file = None;
    let refused = |e: axum::extract::multipart::MultipartError| {
        // A body cut off by the size limit reaches the parser as a failed read of the stream.
        use axum::http::StatusCode;
        if matches!(e.status(), StatusCode::PAYLOAD_TOO_LARGE | StatusCode::INTERNAL_SERVER_ERROR) {
            WebError::TooLarge(format!(
                "the file could not be received whole; the limit is {} MB",
                crate::MAX_BODY_BYTES >> 20
            ))
        } else {
            WebError::Invalid(format!("the upload: {e}"))
        }
    };
    while let Some(field) = form.next_field().await.map_err(refused)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("документ").to_owned();
            let bytes = field.bytes().await.map_err(refused)?;
            file = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError::Invalid("send the document in the form field `file`".into()));
    };
    let id = stage(&state, &user, name, &bytes)?;
    let staged = staged_extraction(&state, &user, &id)?;
    Ok(created(view(&state, id, &staged, true).await?))
}

/// An upload with every extracted row and its source cells.
#[utoipa::path(get, path = "/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "The upload")),
    responses((status = 200, body = ImportView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<String>,
) -> Result<Json<ImportView>, WebError> {
    let staged = staged_extraction(&state, &user, &id)?;
    Ok(Json(view(&state, id, &staged, true).await?))
}

/// A row to keep, with corrections.
#[derive(Deserialize, ToSchema)]
pub struct AcceptedRowInput {
    pub index: usize,
    pub text: Option<String>,
    pub deadline: Option<String>,
}

/// Which document to accept, as whose plan of which year.
#[derive(Deserialize, ToSchema)]
pub struct AcceptInput {
    pub document: usize,
    /// The municipality or region the plan is of.
    pub area: String,
    pub year: i32,
    /// Default: the document's title.
    pub title: Option<String>,
    /// The rows to keep (default: all, as extracted).
    pub rows: Option<Vec<AcceptedRowInput>>,
}

/// Accepts one document of an upload as a new draft plan, in one transaction.
#[utoipa::path(post, path = "/imports/{id}/accept", tag = "imports",
    params(("id" = String, Path, description = "The upload")), request_body = AcceptInput,
    responses((status = 201, body = PlanSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<String>,
    Body(input): Body<AcceptInput>,
) -> Result<Response, WebError> {
    let staged = staged_extraction(&state, &user, &id)?;
    let area = AreaCode::parse(&input.area).map_err(|e| WebError::Invalid(format!("area: {e}")))?;
    let year = Year::new(input.year).map_err(|e| WebError::Invalid(format!("year: {e}")))?;
    let rows = match input.rows {
        Some(rows) => {
            rows.into_iter().map(|r| AcceptedRow { index: r.index, text: r.text, deadline: r.deadline }).collect()
        }
        None => {
            let count = staged.extraction.documents.get(input.document).map_or(0, |d| d.activities.len());
            (0..count).map(|index| AcceptedRow { index, text: None, deadline: None }).collect()
        }
    };
    let acceptance = Acceptance { document: input.document, area, year, title: input.title, rows };
    let plan = accept_into_plan(&state, &user, &id, acceptance).await?;
    let (plan, version) = state.store.plan(plan.id).await?;
    Ok(created(PlanSummary::of(plan, version)))
}
