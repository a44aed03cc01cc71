//! Bytes straight into the DOCX reader (ZIP container, XML parts).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = grizha_docs::docx::read(data, &grizha_docs::ReadLimits::default());
});
