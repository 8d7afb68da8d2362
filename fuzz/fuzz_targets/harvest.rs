//! What networks send back (Mastodon statuses and accounts, Bluesky posts and profiles, X
//! tweets and users: JSON an attacker shapes through their posts) is read into answers
//! without a panic, whatever the JSON holds.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    common::run(|| {
        use hirecast::sourcing::harvest::{bluesky_answer, mastodon_answer, x_answer};
        let _ = mastodon_answer(&v, Some(&v["account"]), "mastodon.example");
        let _ = mastodon_answer(&v, None, "");
        let _ = bluesky_answer(&v, &v["author"]);
        let _ = x_answer(&v, &v["includes"]["users"][0]);
    });
});
