//! Reading the documents municipalities keep — DOCX, ODT, HTML, PDF with a text layer, plain-text
//! renderings, legacy DOC through LibreOffice — into one [`Document`] model.
//!
//! **Architecture invariant:** reading does no network and holds bounded memory: every reader works
//! under [`ReadLimits`] and refuses hostile input (zip bombs, entity expansion, huge files) with a
//! [`ReadError`] that says what was wrong, never a panic. The format is detected from the content,
//! not the file name.

pub mod detect;
pub mod doc;
pub mod docx;
pub mod html;
pub mod limits;
pub mod model;
pub mod odt;
pub mod pdf;
pub mod text;

#[cfg(test)]
mod same_plan;

pub use detect::{Detected, decode_text, detect};
pub use limits::ReadLimits;
pub use model::{Block, BlockContent, Cell, Document, DocumentBuilder, GridSlot, Row, SourceFormat, Table};

/// Why a file could not be read. The message names the problem; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is {size} bytes; the largest accepted is {max} bytes")]
    TooLarge { size: u64, max: u64 },
    #[error("the file is empty")]
    Empty,
    #[error("not a document Grizha reads ({0})")]
    Unsupported(String),
    #[error("a damaged {format} file: {problem}")]
    Damaged { format: &'static str, problem: String },
    #[error("refused: {0}")]
    Hostile(String),
    #[error("{0}")]
    Tool(String),
}

impl ReadError {
    pub fn damaged(format: &'static str, problem: impl std::fmt::Display) -> ReadError {
        ReadError::Damaged { format, problem: problem.to_string() }
    }
}

/// Reads a document from its bytes, telling the format from the content.
pub fn read(bytes: &[u8], limits: &ReadLimits) -> Result<Document, ReadError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, max: limits.max_input_bytes });
    }
    let format = detect(bytes)?;
    // A reader that panics has a bug; the caller still gets an error, not a crash.
    std::panic::catch_unwind(|| match format {
        Detected::Docx => docx::read(bytes, limits),
        Detected::Odt => odt::read(bytes, limits),
        Detected::Html => html::read(&decode_text(bytes)?, limits),
        Detected::Text => text::read(&decode_text(bytes)?, limits),
        Detected::Doc => doc::read(bytes, limits),
        Detected::Pdf => pdf::read(bytes, limits),
    })
    .unwrap_or_else(|_| {
        Err(ReadError::Tool("the reader failed on this file; this is a bug in Grizha, please report it".into()))
    })
}

/// Reads a file from disk, refusing one over the size limit before loading it.
pub fn read_file(path: &std::path::Path, limits: &ReadLimits) -> Result<Document, ReadError> {
    read(&load_file(path, limits)?, limits)
}

/// A file's bytes, refusing one over the size limit before loading it.
pub fn load_file(path: &std::path::Path, limits: &ReadLimits) -> Result<Vec<u8>, ReadError> {
    let size = std::fs::metadata(path).map_err(|e| ReadError::Tool(format!("cannot open it: {e}")))?.len();
    if size > limits.max_input_bytes {
        return Err(ReadError::TooLarge { size, max: limits.max_input_bytes });
    }
    std::fs::read(path).map_err(|e| ReadError::Tool(format!("cannot read it: {e}")))
}
