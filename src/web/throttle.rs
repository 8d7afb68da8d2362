//! Sign-in throttling: at most 10 failures per account email and per client address in a
//! sliding minute; past that every attempt (even with the right password) answers 429 until
//! the oldest failure leaves the window. Kept in memory, per process: a restart forgets it,
//! and several web processes each count their own.
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

pub const MAX_FAILURES: usize = 10;
pub const WINDOW_SECS: i64 = 60;

#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, VecDeque<NaiveDateTime>>>,
}

impl SignInThrottle {
    fn keys(email: &str, ip: &str) -> [String; 2] {
        [format!("email:{}", email.trim().to_lowercase()), format!("ip:{ip}")]
    }

    /// None when an attempt may go ahead; else how many seconds to wait.
    pub fn retry_after(&self, email: &str, ip: &str, now: NaiveDateTime) -> Option<i64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let window = Duration::seconds(WINDOW_SECS);
        let mut wait = None;
        for key in Self::keys(email, ip) {
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| *t + window <= now) {
                    q.pop_front();
                }
                if q.len() >= MAX_FAILURES {
                    // The attempt is allowed again when enough failures have left the window.
                    let oldest = q[q.len() - MAX_FAILURES];
                    let secs = ((oldest + window) - now).num_seconds().max(1);
                    wait = Some(wait.map_or(secs, |w: i64| w.max(secs)));
                }
            }
        }
        wait
    }

    pub fn record_failure(&self, email: &str, ip: &str, now: NaiveDateTime) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Keep memory bounded under a flood of distinct keys: forget what left the window.
        if map.len() > 100_000 {
            let window = Duration::seconds(WINDOW_SECS);
            map.retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        }
        for key in Self::keys(email, ip) {
            let q = map.entry(key).or_default();
            q.push_back(now);
            // Only the last MAX_FAILURES matter for the decision.
            while q.len() > MAX_FAILURES {
                q.pop_front();
            }
        }
    }

    /// A successful sign-in forgets the account's failures (not the address's).
    pub fn record_success(&self, email: &str, ip: &str, _now: NaiveDateTime) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let [email_key, _] = Self::keys(email, ip);
        map.remove(&email_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_within_a_minute_waits() {
        let t = SignInThrottle::default();
        let t0 = crate::store::now();
        for i in 0..10 {
            assert_eq!(t.retry_after("a@example.com", "1.2.3.4", t0 + Duration::seconds(i)), None);
            t.record_failure("a@example.com", "1.2.3.4", t0 + Duration::seconds(i));
        }
        assert_eq!(t.retry_after("A@example.com", "9.9.9.9", t0 + Duration::seconds(10)), Some(50));
        assert_eq!(t.retry_after("b@example.com", "1.2.3.4", t0 + Duration::seconds(10)), Some(50));
        assert_eq!(t.retry_after("b@example.com", "9.9.9.9", t0 + Duration::seconds(10)), None);
        assert_eq!(t.retry_after("a@example.com", "1.2.3.4", t0 + Duration::seconds(60)), None);
    }
}
