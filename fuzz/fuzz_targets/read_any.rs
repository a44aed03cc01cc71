//! Any bytes through format detection and the matching reader: Ok or a ReadError, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = grizha_docs::read(data, &grizha_docs::ReadLimits::default());
});
