//! Counting as each network counts never panics, whatever the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        common::run(|| {
            for &n in hirecast::compose::Network::ALL {
                let _ = hirecast::compose::count(n, s, None, None);
            }
            let _ = hirecast::compose::bluesky_mentions(s);
        });
    }
});
