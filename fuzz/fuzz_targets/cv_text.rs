//! The CV readers (PDF, DOCX, HTML, JSON Resume) never panic nor run away on any file.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::run(|| {
        let _ = hirecast::sourcing::cv_text::sniff(data);
        let _ = hirecast::sourcing::cv_text::read_cv(data, &hirecast::sourcing::cv_text::ReadLimits::default());
    });
});
