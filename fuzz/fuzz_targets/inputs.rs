//! The parsers of what people type: opening JSON and its validation, Markdown descriptions,
//! post templates (parse and render), emails, applicant details, and the sniffing of uploaded
//! files. The first byte picks the parser; none may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    common::run(|| {
        let text = String::from_utf8_lossy(rest);
        match which % 6 {
            0 => {
                if let Ok(input) = serde_json::from_slice::<hirecast::domain::opening::OpeningInput>(rest) {
                    let _ = hirecast::domain::opening::OpeningDraft::parse(&input, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
                }
            }
            1 => {
                let _ = hirecast::domain::markdown::to_safe_html(&text);
                let _ = hirecast::domain::markdown::to_plain_text(&text, 280);
            }
            2 => {
                use hirecast::compose::template::{plain, Template, Values};
                if let Ok(t) = Template::parse(&text) {
                    let v = Values { title: text.chars().take(40).collect(), link: "https://x.example/r/a".into(), hashtags: vec!["Rust".into()], ..Default::default() };
                    let _ = plain(&t.render(&v));
                }
            }
            3 => {
                let _ = hirecast::domain::email::Email::parse("email", &text);
            }
            4 => {
                let mut parts = text.splitn(5, '\n');
                let (n, e, p, u, m) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let _ = hirecast::domain::candidate::ApplicantDetails::parse(n, e, p, u, m);
            }
            _ => {
                let _ = hirecast::domain::candidate::CvKind::sniff(rest);
            }
        }
    });
});
