//! Text straight into the HTML reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let _ = grizha_docs::html::read(data, &grizha_docs::ReadLimits::default());
});
