//! Imported source documents, so every record can point to where it came from, and evidence files.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{SourceDocumentId, UserId};
use crate::validated_string;

validated_string!(
    /// A SHA-256 digest in lower-case hex; the same file imported twice has the same one.
    Sha256Hex,
    "sha256",
    |s| {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(())
        } else {
            Err("must be 64 lower-case hex digits")
        }
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDocument {
    pub id: SourceDocumentId,
    pub file_name: String,
    pub media_type: String,
    pub sha256: Sha256Hex,
    pub size_bytes: i64,
    pub imported_at: DateTime<Utc>,
    pub imported_by: Option<UserId>,
}

/// What backs a value or a status: a stored document, a link, or a note of where to look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Document { document: SourceDocumentId, note: Option<String> },
    Link { url: String, note: Option<String> },
    Note { text: String },
}
