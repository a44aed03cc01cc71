//! Any bytes through format detection and the matching reader: Ok or a ReadError, never a panic.
//!
//! As in `read_pdf`, a panic raised inside the third-party PDF parser is caught by the reader and
//! reported as a damaged file; any other panic aborts and is reported.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "parser_panics.rs"]
mod parser_panics;

fuzz_target!(
    init: parser_panics::abort_unless_in_the_pdf_parser(),
    |data: &[u8]| {
        let _ = grizha_docs::read(data, &grizha_docs::ReadLimits::default());
    }
);
