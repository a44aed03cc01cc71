//! Text straight into the TEXT reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let _ = grizha_docs::text::read(data, &grizha_docs::ReadLimits::default());
});
