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
pub mod limits;
pub mod model;
pub mod text;

pub use detect::{Detected, detect};
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
