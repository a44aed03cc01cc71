//! Files attached to monitoring records as evidence.
//!
//! A file is a [`SourceDocument`] (name, media type, SHA-256, size, who added it and when) whose
//! bytes are kept in `source_document_contents`; a record names it in its evidence as
//! [`Evidence::Document`]. Attaching writes the document, its bytes and the record's new evidence
//! in one transaction on the record's version, so a failed upload leaves nothing half-saved and two
//! people attaching to one record from pages read at the same time cannot overwrite each other. The
//! same file (by SHA-256) is kept once: attached again, it is the same document.

use chrono::Utc;
use grizha_domain::Invalid;
use grizha_domain::document::{Evidence, SourceDocument};
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{MonitoringRecordId, PlanActivityId, RowVersion, SourceDocumentId};
use sha2::{Digest, Sha256};
use sqlx::types::Json;

use crate::audit::{audit, snapshot};
use crate::documents::SourceDocumentRow;
use crate::{Actor, Result, Store, StoreError, WritePool, check_version, on_pool, stored};

/// The largest evidence file kept.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;
/// The longest file name kept, in characters.
const MAX_FILE_NAME_CHARS: usize = 255;

/// A file attached to a monitoring record, as the record lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceFile {
    pub record: MonitoringRecordId,
    pub document: SourceDocument,
    /// The name of the user who added the file (none for the system).
    pub added_by: Option<String>,
}

/// A document with the name of the user who added it.
#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    document: SourceDocumentRow,
    added_by: Option<String>,
}

const DOCUMENT_COLUMNS: &str = "id, file_name, media_type, sha256, size_bytes, imported_at, imported_by";

impl Store {
    /// Attaches a file to a monitoring record, based on the record's version `based_on`; returns
    /// the document and the record's new version. Refused for an empty file, one over
    /// [`MAX_EVIDENCE_BYTES`], or a user who may not record monitoring for the plan's area.
    pub async fn attach_evidence(
        &self,
        actor: &Actor,
        record: MonitoringRecordId,
        based_on: RowVersion,
        file_name: &str,
        media_type: &str,
        content: &[u8],
    ) -> Result<(SourceDocument, RowVersion)> {
        let file_name = file_name.trim();
        if file_name.is_empty() || file_name.chars().count() > MAX_FILE_NAME_CHARS {
            return Err(Invalid::new("evidence", "needs a file name of at most 255 characters", file_name).into());
        }
        if content.is_empty() {
            return Err(Invalid::new("evidence", "the file is empty", file_name).into());
        }
        if content.len() > MAX_EVIDENCE_BYTES {
            return Err(Invalid::new("evidence", "the file is larger than 20 MB", content.len().to_string()).into());
        }
        let found: Option<(i64, chrono::NaiveDate, chrono::NaiveDate, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT r.activity_id, r.period_start, r.period_end, p.area_code FROM monitoring_records r \
             JOIN plan_activities a ON a.id = r.activity_id JOIN annual_plans p ON p.id = a.plan_id WHERE r.id = $1"
        ).bind(record.get()).fetch_optional(pool).await)?;
        let (activity, start, end, area) =
            found.ok_or(StoreError::NotFound { entity: "monitoring record", id: record.to_string() })?;
        actor.authorise(&stored("plan", AreaCode::parse(&area))?, "attach evidence to monitoring")?;
        let key = format!("{activity}:{start}..{end}");
        let sha256: String = Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect();
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        let document = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let current: Option<(Json<Vec<Evidence>>, i64)> = sqlx::query_as("SELECT evidence, version FROM monitoring_records WHERE id = $1")
                .bind(record.get()).fetch_optional(&mut *tx).await?;
            check_version("monitoring record", &key, based_on, current.as_ref().map(|(_, v)| *v))?;
            let (Json(mut evidence), _) = current.expect("checked above");
            let existing: Option<SourceDocumentRow> = sqlx::query_as(crate::sql!("SELECT {DOCUMENT_COLUMNS} FROM source_documents WHERE sha256 = $1"))
                .bind(&sha256).fetch_optional(&mut *tx).await?;
            let row = match existing {
                Some(row) => row,
                None => sqlx::query_as(crate::sql!(
                    "INSERT INTO source_documents (file_name, media_type, sha256, size_bytes, imported_at, imported_by) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {DOCUMENT_COLUMNS}"
                ))
                .bind(file_name).bind(media_type).bind(&sha256).bind(size).bind(Utc::now()).bind(actor.user().map(|u| u.get()))
                .fetch_one(&mut *tx).await?,
            };
            let document = row.into_domain()?;
            let kept: bool = sqlx::query_scalar("SELECT COUNT(*) > 0 FROM source_document_contents WHERE document_id = $1")
                .bind(document.id.get()).fetch_one(&mut *tx).await?;
            if !kept {
                sqlx::query("INSERT INTO source_document_contents (document_id, content) VALUES ($1, $2)")
                    .bind(document.id.get()).bind(content).execute(&mut *tx).await?;
            }
            if !evidence.iter().any(|e| matches!(e, Evidence::Document { document: d, .. } if *d == document.id)) {
                evidence.push(Evidence::Document { document: document.id, note: None });
            }
            sqlx::query("UPDATE monitoring_records SET evidence = $1, version = version + 1 WHERE id = $2 AND version = $3")
                .bind(Json(&evidence)).bind(record.get()).bind(based_on.0).execute(&mut *tx).await?;
            audit!(tx, actor, "monitoring_record", key, "attach", None, snapshot(&serde_json::json!({
                "document": document.id, "file_name": file_name, "media_type": media_type, "size_bytes": size, "sha256": sha256,
            })));
            tx.commit().await?;
            document
        });
        Ok((document, based_on.next()))
    }

    /// The files attached to the monitoring records of an activity, by period, in the order they
    /// were attached.
    pub async fn evidence_of_activity(&self, activity: PlanActivityId) -> Result<Vec<EvidenceFile>> {
        let mut files = Vec::new();
        for (record, _) in self.monitoring_records(activity).await? {
            for evidence in &record.evidence {
                let Evidence::Document { document, .. } = evidence else { continue };
                let row: Option<ListedRow> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT d.id, d.file_name, d.media_type, d.sha256, d.size_bytes, d.imported_at, d.imported_by, u.display_name AS added_by \
                     FROM source_documents d LEFT JOIN users u ON u.id = d.imported_by WHERE d.id = $1"
                ).bind(document.get()).fetch_optional(pool).await)?;
                if let Some(row) = row {
                    files.push(EvidenceFile {
                        record: record.id,
                        document: row.document.into_domain()?,
                        added_by: row.added_by,
                    });
                }
            }
        }
        Ok(files)
    }

    /// A file attached to a monitoring record of `activity`, with its bytes; `None` when no record
    /// of that activity names it (so a file is reached only through a plan its reader may see).
    pub async fn evidence_content(
        &self,
        activity: PlanActivityId,
        document: SourceDocumentId,
    ) -> Result<Option<(SourceDocument, Vec<u8>)>> {
        let named = self.evidence_of_activity(activity).await?.into_iter().find(|f| f.document.id == document);
        let Some(file) = named else { return Ok(None) };
        let content: Option<Vec<u8>> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT content FROM source_document_contents WHERE document_id = $1"
        ).bind(document.get()).fetch_optional(pool).await)?;
        Ok(content.map(|bytes| (file.document, bytes)))
    }
}
