//! Bytes straight into the PDF reader.
//!
//! The reader catches a panic inside the third-party PDF parser and reports a damaged file, so a
//! panic raised in `pdf_oxide` is not a crash here; a panic anywhere else (Grizha's own code) still
//! aborts and is reported.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "parser_panics.rs"]
mod parser_panics;

fuzz_target!(
    init: parser_panics::abort_unless_in_the_pdf_parser(),
    |data: &[u8]| {
        let _ = grizha_docs::pdf::read(data, &grizha_docs::ReadLimits::default());
    }
);
