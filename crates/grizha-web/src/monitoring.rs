//! Recording how an activity of an adopted plan is going: per quarter of the plan's year and for
//! the whole year, its status, progress and a comment. A record keeps its version like a plan row,
//! so two people reporting the same period cannot overwrite each other unseen.
//!
//! Evidence: an editor attaches files (any type, up to 20 MB each) to a period's record; they are
//! listed with name, size, who added them and when, and anyone who may see the plan downloads them
//! — always as an attachment, with the stored media type only when it is one a browser cannot run
//! (PDF, images, office documents, plain text), else `application/octet-stream`, and `nosniff`.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDate;
use grizha_domain::ids::{AnnualPlanId, MonitoringRecordId, PlanActivityId, RowVersion, SourceDocumentId};
use grizha_domain::monitoring::{ActivityStatus, MonitoringRecord, Progress};
use grizha_domain::time::DateRange;
use grizha_store::{Actor, MAX_EVIDENCE_BYTES, StoreError};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{plan}/activities/{id}/monitoring", get(monitoring_page).post(record))
        .route("/plans/{plan}/activities/{id}/monitoring/evidence", axum::routing::post(attach))
        .route("/plans/{plan}/activities/{id}/evidence/{document}", get(download))
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
    /// The files attached to the period's record.
    files: Vec<FileView>,
}

struct FileView {
    document: i64,
    name: String,
    size: String,
    who: String,
    when: String,
}

/// A size as people read it: `512 байта`, `35 KB`, `1,2 MB`.
fn size_label(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} байта"),
        b if b < 1024 * 1024 => format!("{} KB", (b + 1023) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)).replace('.', ","),
    }
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
    /// Whether any period has a record (files are attached to records).
    any_record: bool,
    max_evidence_mb: usize,
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
    let files = state.store.evidence_of_activity(activity.id).await?;
    let periods: Vec<PeriodView> = periods(plan.year.get())
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
                files: files
                    .iter()
                    .filter(|f| found.is_some_and(|(r, _)| r.id == f.record))
                    .map(|f| FileView {
                        document: f.document.id.get(),
                        name: f.document.file_name.clone(),
                        size: size_label(f.document.size_bytes),
                        who: f.added_by.clone().unwrap_or_else(|| "системата".to_owned()),
                        when: f.document.imported_at.format("%d.%m.%Y %H:%M").to_string(),
                    })
                    .collect(),
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
        any_record: periods.iter().any(|p| p.version > 0),
        max_evidence_mb: MAX_EVIDENCE_BYTES >> 20,
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
    // The record's files stay attached (a change of them moves the version, so a stale form
    // conflicts rather than dropping one).
    let evidence = state
        .store
        .monitoring_records(PlanActivityId(id))
        .await?
        .into_iter()
        .find(|(r, _)| r.period == period)
        .map(|(r, _)| r.evidence)
        .unwrap_or_default();
    let record = MonitoringRecord {
        id: MonitoringRecordId(0),
        activity: PlanActivityId(id),
        period,
        status,
        progress,
        comment,
        evidence,
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

/// The last part of a file name as a browser sends it, without control characters, at most 255
/// characters; `файл` when nothing is left.
fn clean_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or(sent);
    let name: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let name = name.trim();
    if name.is_empty() { "файл".to_owned() } else { name.to_owned() }
}

/// The media type a browser sent for a file, as `type/subtype` in lower case without parameters;
/// `application/octet-stream` for none or anything malformed.
fn clean_media_type(sent: Option<&str>) -> String {
    let essence = sent.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let token = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    match essence.split_once('/') {
        Some((kind, sub)) if essence.len() <= 127 && token(kind) && token(sub) => essence,
        _ => "application/octet-stream".to_owned(),
    }
}

/// Media types served as stored: documents and images a browser shows but does not run.
/// Anything else (HTML, SVG, scripts, …) is served as `application/octet-stream`.
const SAFE_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

fn served_media_type(stored: &str) -> &str {
    if SAFE_MEDIA_TYPES.contains(&stored) { stored } else { "application/octet-stream" }
}

/// `Content-Disposition` for a download under its own name: an ASCII fallback and the name in
/// UTF-8 (RFC 6266 / 8187).
fn attachment(name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() || c == ' ') && !matches!(c, '"' | '\\' | '%' | ';') { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"))
        .expect("visible ASCII only")
}

/// Attaches a file to the record of a period (multipart: `csrf`, `period`, `version`, `file`).
async fn attach(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan_id, id)): Path<(i64, i64)>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let here = (plan_id, id);
    let (mut csrf, mut period_key, mut version) = (String::new(), String::new(), String::new());
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let not_received = "Файлът не беше получен изцяло; нищо не е записано. Опитайте отново.";
    let too_large =
        format!("Файлът е по-голям от {} MB; нищо не е записано. Изберете по-малък файл.", MAX_EVIDENCE_BYTES >> 20);
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return refused(&state, &signed_in, here, StatusCode::BAD_REQUEST, not_received).await,
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("period") => period_key = field.text().await.unwrap_or_default(),
            Some("version") => version = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = clean_file_name(field.file_name().unwrap_or(""));
                let media_type = clean_media_type(field.content_type());
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if bytes.len() + chunk.len() > MAX_EVIDENCE_BYTES => {
                            signed_in.check_csrf(&csrf)?;
                            let mut response =
                                refused(&state, &signed_in, here, StatusCode::PAYLOAD_TOO_LARGE, &too_large).await?;
                            response.extensions_mut().insert(crate::pages::OwnLimitPage);
                            return Ok(response);
                        }
                        Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(_) => {
                            return refused(&state, &signed_in, here, StatusCode::BAD_REQUEST, not_received).await;
                        }
                    }
                }
                file = Some((name, media_type, bytes));
            }
            _ => {}
        }
    }
    signed_in.check_csrf(&csrf)?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some((file_name, media_type, bytes)) = file.filter(|(_, _, b)| !b.is_empty()) else {
        return refused(&state, &signed_in, here, unprocessable, "Изберете файл (празен файл не се прикачва).").await;
    };
    let (plan, _) = state.store.plan(AnnualPlanId(plan_id)).await?;
    let Some((_, _, period)) = periods(plan.year.get()).into_iter().find(|(k, _, _)| *k == period_key) else {
        return refused(&state, &signed_in, here, unprocessable, "Няма такъв период.").await;
    };
    let record =
        state.store.monitoring_records(PlanActivityId(id)).await?.into_iter().find(|(r, _)| r.period == period);
    let Some((record, _)) = record else {
        let message = "Файлът се прикачва към записан отчет: запишете първо отчета за периода.";
        return refused(&state, &signed_in, here, unprocessable, message).await;
    };
    let based_on = RowVersion(version.trim().parse().unwrap_or(0));
    let actor = Actor::User(signed_in.0.user.clone());
    match state.store.attach_evidence(&actor, record.id, based_on, &file_name, &media_type, &bytes).await {
        Ok(_) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            let to = format!("/plans/{plan_id}/activities/{id}/monitoring#evidence-{period_key}");
            response.headers_mut().insert(LOCATION, to.parse().expect("a local path"));
            Ok(response)
        }
        Err(StoreError::Conflict { .. }) => {
            let message = "Някой друг промени отчета за този период междувременно; файлът не е прикачен. По-долу е записаното — изберете файла отново.";
            refused(&state, &signed_in, here, StatusCode::CONFLICT, message).await
        }
        Err(StoreError::Invalid(_)) => {
            refused(&state, &signed_in, here, unprocessable, "Файлът не е приет: празен е или името му е твърде дълго.")
                .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Downloads a file attached to a record of the activity, for anyone who may see the plan.
async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan, id, document)): Path<(i64, i64, i64)>,
) -> Result<Response, PageError> {
    let (_, activity, _) = crate::activities::load(&state, &signed_in.0.user, plan, id).await?;
    let Some((document, bytes)) = state.store.evidence_content(activity.id, SourceDocumentId(document)).await? else {
        return Err(WebError::NotFound(format!("evidence {document}")).into());
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let media_type = HeaderValue::from_str(served_media_type(&document.media_type))
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(CONTENT_TYPE, media_type);
    headers.insert(CONTENT_DISPOSITION, attachment(&document.file_name));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_its_last_part_without_control_characters() {
        assert_eq!(clean_file_name("C:\\Документи\\отчет 2025.pdf"), "отчет 2025.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("ред\nнов\u{0}.txt"), "реднов.txt");
        assert_eq!(clean_file_name("  "), "файл");
        assert_eq!(clean_file_name(&"я".repeat(300)).chars().count(), 255);
    }

    #[test]
    fn only_a_well_formed_media_type_is_kept_and_only_a_safe_one_is_served() {
        assert_eq!(clean_media_type(Some("Application/PDF; name=x")), "application/pdf");
        assert_eq!(clean_media_type(Some("text/html")), "text/html");
        assert_eq!(clean_media_type(Some("нещо")), "application/octet-stream");
        assert_eq!(clean_media_type(Some("text/html\r\nX-Evil: 1")), "application/octet-stream");
        assert_eq!(clean_media_type(None), "application/octet-stream");
        assert_eq!(served_media_type("application/pdf"), "application/pdf");
        for unsafe_type in ["text/html", "image/svg+xml", "application/javascript", "application/xhtml+xml"] {
            assert_eq!(served_media_type(unsafe_type), "application/octet-stream", "{unsafe_type}");
        }
    }

    #[test]
    fn a_download_keeps_its_cyrillic_name_with_an_ascii_fallback() {
        let header = attachment("отчет \"Q1\"; 2025.pdf");
        assert_eq!(
            header.to_str().unwrap(),
            "attachment; filename=\"_____ _Q1__ 2025.pdf\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D0%B5%D1%82%20%22Q1%22%3B%202025.pdf"
        );
    }

    #[test]
    fn sizes_read_as_bytes_kilobytes_or_megabytes() {
        assert_eq!(size_label(512), "512 байта");
        assert_eq!(size_label(35 * 1024), "35 KB");
        assert_eq!(size_label(1_258_291), "1,2 MB");
    }
}
