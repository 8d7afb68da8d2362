//! `extract` (links, contacts, languages in what candidates write) and the skill matcher never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        common::run(|| {
            let _ = hirecast::sourcing::extract::extract(s);
            let _ = hirecast::sourcing::skills::Taxonomy::shared().find(s);
        });
    }
});
