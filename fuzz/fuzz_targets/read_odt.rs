//! Bytes straight into the ODT reader (ZIP container, XML parts).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = grizha_docs::odt::read(data, &grizha_docs::ReadLimits::default());
});
