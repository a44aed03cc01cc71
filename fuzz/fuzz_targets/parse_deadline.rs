//! Any text as a deadline cell: always a valid Deadline.
#![no_main]
use grizha_domain::deadline::{Deadline, DeadlineContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let d = Deadline::parse(data, &DeadlineContext::for_year(2016));
    assert!(Deadline::new(d.raw(), d.kind(), d.from(), d.to()).is_ok());
});
