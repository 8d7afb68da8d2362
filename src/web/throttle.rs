//! Sign-in throttling: at most 10 failures per account email and per client address in a
//! sliding minute; past that every attempt (even with the right password) answers 429 until
//! the oldest failure leaves the window. Counted in the database (`sign_in_failures`, keys
//! hashed), so several web processes on one database share the count and a restart keeps it.
use chrono::{Duration, NaiveDateTime};

use crate::store::{self, sign_in_failures, Pool};

pub const MAX_FAILURES: usize = 10;
pub const WINDOW_SECS: i64 = 60;

fn keys(email: &str, ip: &str) -> [String; 2] {
    [
        crate::auth::hash_token(&format!("sign-in:email:{}", email.trim().to_lowercase())),
        crate::auth::hash_token(&format!("sign-in:ip:{ip}")),
    ]
}

/// How long to wait, given the newest failures under one key (newest first), or None.
fn wait_for(failures: &[NaiveDateTime], now: NaiveDateTime) -> Option<i64> {
    // The attempt is allowed again when enough failures have left the window.
    let oldest = failures.get(MAX_FAILURES - 1)?;
    Some(((*oldest + Duration::seconds(WINDOW_SECS)) - now).num_seconds().max(1))
}

/// None when an attempt may go ahead; else how many seconds to wait.
pub async fn retry_after(pool: &Pool, email: &str, ip: &str, now: NaiveDateTime) -> anyhow::Result<Option<i64>> {
    let keys = keys(email, ip);
    store::run(pool, move |c| {
        let since = now - Duration::seconds(WINDOW_SECS);
        let mut wait = None;
        for k in &keys {
            let recent = sign_in_failures::recent(c, k, since, MAX_FAILURES as i64)?;
            if let Some(secs) = wait_for(&recent, now) {
                wait = Some(wait.map_or(secs, |w: i64| w.max(secs)));
            }
        }
        Ok(wait)
    })
    .await
}

pub async fn record_failure(pool: &Pool, email: &str, ip: &str, now: NaiveDateTime) -> anyhow::Result<()> {
    let keys = keys(email, ip);
    store::run(pool, move |c| Ok(sign_in_failures::record(c, &keys, now, Duration::seconds(WINDOW_SECS))?)).await
}

/// A successful sign-in forgets the account's failures (not the address's).
pub async fn record_success(pool: &Pool, email: &str, ip: &str) -> anyhow::Result<()> {
    let [email_key, _] = keys(email, ip);
    store::run(pool, move |c| Ok(sign_in_failures::forget(c, &email_key).map(|_| ())?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenth_failure_in_the_window_sets_the_wait() {
        let t0 = crate::store::now();
        let newest_first: Vec<_> = (0..10).rev().map(|i| t0 + Duration::seconds(i)).collect();
        assert_eq!(wait_for(&newest_first[..9], t0 + Duration::seconds(10)), None);
        assert_eq!(wait_for(&newest_first, t0 + Duration::seconds(10)), Some(50));
        assert_eq!(wait_for(&newest_first, t0 + Duration::seconds(60)), Some(1), "never 0 while counted");
    }
}
