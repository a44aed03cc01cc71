//! Imported source documents: the same file (by sha256) is recorded once.

use chrono::{DateTime, Utc};
use grizha_domain::document::{Sha256Hex, SourceDocument};
use grizha_domain::ids::{SourceDocumentId, UserId};

use crate::{Actor, Result, Store, WritePool, on_pool, stored};

#[derive(sqlx::FromRow)]
pub(crate) struct SourceDocumentRow {
    pub(crate) id: i64,
    file_name: String,
    media_type: String,
    sha256: String,
    size_bytes: i64,
    imported_at: DateTime<Utc>,
    imported_by: Option<i64>,
}

impl SourceDocumentRow {
    pub(crate) fn into_domain(self) -> Result<SourceDocument> {
        Ok(SourceDocument {
            id: SourceDocumentId(self.id),
            file_name: self.file_name,
            media_type: self.media_type,
            sha256: stored("source document", Sha256Hex::parse(&self.sha256))?,
            size_bytes: self.size_bytes,
            imported_at: self.imported_at,
            imported_by: self.imported_by.map(UserId),
        })
    }
}

/// A file being imported, to be recorded once.
#[derive(Debug, Clone)]
pub struct NewSourceDocument {
    pub file_name: String,
    pub media_type: String,
    pub sha256: Sha256Hex,
    pub size_bytes: i64,
}

/// Records a source document inside the caller's transaction; evaluates to its row. A file with
/// the same digest recorded before fails the insert as a duplicate.
macro_rules! insert_source_document {
    ($tx:expr, $actor:expr, $source:expr) => {{
        let source: &$crate::NewSourceDocument = $source;
        let row: $crate::documents::SourceDocumentRow = sqlx::query_as(
            "INSERT INTO source_documents (file_name, media_type, sha256, size_bytes, imported_at, imported_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, file_name, media_type, sha256, size_bytes, imported_at, imported_by",
        )
        .bind(&source.file_name)
        .bind(&source.media_type)
        .bind(source.sha256.as_str())
        .bind(source.size_bytes)
        .bind(chrono::Utc::now())
        .bind($actor.user_id())
        .fetch_one(&mut *$tx)
        .await
        .map_err(|e| match $crate::StoreError::from(e) {
            $crate::StoreError::Duplicate { .. } => {
                $crate::StoreError::Duplicate { what: "imported file", key: source.sha256.as_str().to_owned() }
            }
            other => other,
        })?;
        $crate::audit::audit!($tx, $actor, "source_document", row.id, "create", None, $crate::audit::snapshot(&serde_json::json!({"file_name": source.file_name, "sha256": source.sha256})));
        row
    }};
}
pub(crate) use insert_source_document;

impl Store {
    /// Records an imported file; when a file with the same digest was imported before, returns that
    /// record and `false` (a re-import), otherwise the new record and `true`.
    pub async fn record_source_document(
        &self,
        actor: &Actor,
        file_name: &str,
        media_type: &str,
        sha256: &Sha256Hex,
        size_bytes: i64,
    ) -> Result<(SourceDocument, bool)> {
        if let Some(existing) = self.source_document_by_sha256(sha256).await? {
            return Ok((existing, false));
        }
        let row: SourceDocumentRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let source = NewSourceDocument { file_name: file_name.to_owned(), media_type: media_type.to_owned(), sha256: sha256.clone(), size_bytes };
            let row = insert_source_document!(tx, actor, &source);
            tx.commit().await?;
            row
        });
        Ok((row.into_domain()?, true))
    }

    pub async fn source_document_by_sha256(&self, sha256: &Sha256Hex) -> Result<Option<SourceDocument>> {
        let row: Option<SourceDocumentRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, file_name, media_type, sha256, size_bytes, imported_at, imported_by FROM source_documents WHERE sha256 = $1"
        ).bind(sha256.as_str()).fetch_optional(pool).await)?;
        row.map(SourceDocumentRow::into_domain).transpose()
    }
}
