//! Any bytes read and then extracted: a document the reader accepts must extract without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "parser_panics.rs"]
mod parser_panics;

fuzz_target!(
    init: parser_panics::abort_unless_in_the_pdf_parser(),
    |data: &[u8]| {
        if let Ok(document) = grizha_docs::read(data, &grizha_docs::ReadLimits::default()) {
            let _ = grizha_extract::extract(&document, grizha_extract::source("fuzz", data, &document));
        }
    }
);
