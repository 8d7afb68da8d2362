//! When to try again: the network's own reset time when it gives one, else a capped,
//! jittered exponential backoff. Pure functions of their inputs (the clock is passed in).
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use reqwest::header::HeaderMap;

/// First retry after about this long…
pub const BACKOFF_BASE_SECS: i64 = 30;
/// …doubling each attempt, never more than this.
pub const BACKOFF_CAP_SECS: i64 = 3600;
/// A network asking for longer than this is believed only up to here (then asked again).
pub const MAX_WAIT_SECS: i64 = 24 * 3600;

/// The time the network says to wait until, from whichever header it uses:
/// `Retry-After` (seconds or an HTTP date), Mastodon's `X-RateLimit-Reset` (ISO 8601),
/// X's `x-rate-limit-reset` (epoch seconds), Bluesky's `RateLimit-Reset` (epoch seconds).
/// Headers are matched case-insensitively; unparsable values are ignored.
pub fn retry_at(headers: &HeaderMap, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let found = get("retry-after")
        .and_then(|v| parse_retry_after(v, now))
        .or_else(|| get("x-ratelimit-reset").and_then(parse_reset))
        .or_else(|| get("x-rate-limit-reset").and_then(parse_reset))
        .or_else(|| get("ratelimit-reset").and_then(parse_reset))?;
    // A reset in the past means "now"; a far one is capped.
    Some(found.clamp(now, now + Duration::seconds(MAX_WAIT_SECS)))
}

fn parse_retry_after(v: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
    if let Ok(secs) = v.parse::<i64>() {
        return Some(now + Duration::seconds(secs.clamp(0, MAX_WAIT_SECS)));
    }
    DateTime::parse_from_rfc2822(v).ok().map(|d| d.with_timezone(&Utc).naive_utc())
}

/// A reset given as an ISO 8601 time or as epoch seconds.
fn parse_reset(v: &str) -> Option<NaiveDateTime> {
    if let Ok(secs) = v.parse::<i64>() {
        // Epoch seconds; a small number would be "seconds from now" (some servers), but the
        // networks named here all send epoch times, which are > 10^9.
        return (secs > 1_000_000_000).then(|| DateTime::<Utc>::from_timestamp(secs, 0)).flatten().map(|d| d.naive_utc());
    }
    if let Ok(f) = v.parse::<f64>() {
        return (f > 1e9).then(|| DateTime::<Utc>::from_timestamp(f as i64, 0)).flatten().map(|d| d.naive_utc());
    }
    DateTime::parse_from_rfc3339(v).ok().map(|d| d.with_timezone(&Utc).naive_utc())
}

/// The delay before attempt `attempt + 1` after `attempt` failures (1-based): exponential
/// from [`BACKOFF_BASE_SECS`], capped at [`BACKOFF_CAP_SECS`], with "equal jitter" (half
/// fixed, half random) so that many deliveries failing together do not come back together.
/// `jitter` is a number in [0, 1) (random in production, fixed in tests).
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let exp = BACKOFF_BASE_SECS.saturating_mul(1i64 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(BACKOFF_CAP_SECS);
    let half = capped / 2;
    let extra = ((capped - half) as f64 * jitter.clamp(0.0, 0.999_999)) as i64;
    Duration::seconds(half + extra)
}

/// When to try again after a failed attempt: the network's time if it gave one (never
/// earlier than the backoff's fixed half), else the backoff.
pub fn next_attempt(now: NaiveDateTime, attempt: u32, network_says: Option<NaiveDateTime>, jitter: f64) -> NaiveDateTime {
    let ours = now + backoff(attempt, jitter);
    match network_says {
        Some(at) => at.max(now + Duration::seconds(1)),
        None => ours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn every_networks_reset_header_is_understood() {
        let now = at("2026-11-22 10:00:00");
        assert_eq!(retry_at(&headers(&[("Retry-After", "120")]), now), Some(at("2026-11-22 10:02:00")));
        assert_eq!(
            retry_at(&headers(&[("Retry-After", "Sun, 22 Nov 2026 10:05:00 GMT")]), now),
            Some(at("2026-11-22 10:05:00"))
        );
        // Mastodon
        assert_eq!(
            retry_at(&headers(&[("X-RateLimit-Reset", "2026-11-22T10:30:00.000Z")]), now),
            Some(at("2026-11-22 10:30:00"))
        );
        // X (epoch seconds): 2026-11-22 10:10:00 UTC
        let epoch = at("2026-11-22 10:10:00").and_utc().timestamp().to_string();
        assert_eq!(retry_at(&headers(&[("x-rate-limit-reset", &epoch)]), now), Some(at("2026-11-22 10:10:00")));
        // Bluesky
        assert_eq!(retry_at(&headers(&[("RateLimit-Reset", &epoch)]), now), Some(at("2026-11-22 10:10:00")));
        // Nothing usable
        assert_eq!(retry_at(&headers(&[("Retry-After", "soon")]), now), None);
        assert_eq!(retry_at(&HeaderMap::new(), now), None);
        // In the past: now. Too far: capped.
        assert_eq!(retry_at(&headers(&[("X-RateLimit-Reset", "2026-11-22T09:00:00Z")]), now), Some(now));
        assert_eq!(retry_at(&headers(&[("Retry-After", "9999999")]), now), Some(now + Duration::seconds(MAX_WAIT_SECS)));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!(backoff(1, 0.0), Duration::seconds(15));
        assert_eq!(backoff(1, 0.999_999), Duration::seconds(29));
        assert_eq!(backoff(2, 0.0), Duration::seconds(30));
        assert_eq!(backoff(3, 0.0), Duration::seconds(60));
        assert_eq!(backoff(30, 0.0), Duration::seconds(1800));
        assert!(backoff(30, 0.999) <= Duration::seconds(BACKOFF_CAP_SECS));
        assert!(backoff(5, 0.7) > backoff(5, 0.1));
    }

    #[test]
    fn the_networks_time_wins_over_the_backoff() {
        let now = at("2026-11-22 10:00:00");
        assert_eq!(next_attempt(now, 1, Some(at("2026-11-22 10:20:00")), 0.5), at("2026-11-22 10:20:00"));
        assert_eq!(next_attempt(now, 1, Some(now), 0.5), now + Duration::seconds(1));
        assert_eq!(next_attempt(now, 2, None, 0.0), now + Duration::seconds(30));
    }
}
