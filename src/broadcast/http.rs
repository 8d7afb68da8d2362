//! What every network client shares: the HTTP client and the reading of an HTTP outcome
//! into a [`SendError`] the worker can act on.
use std::time::Duration;

use chrono::NaiveDateTime;
use reqwest::StatusCode;

use super::rate::retry_at;
use super::SendError;

pub const USER_AGENT: &str = concat!("hirecast/", env!("CARGO_PKG_VERSION"), " (+https://github.com/hirecast/hirecast)");

/// A client for calls to networks: rustls, a whole-request timeout (which must stay under the
/// worker's lease), no redirects followed (an API that redirects is not the one we called).
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds with static settings")
}

/// A transport error: refused before sending means nothing was posted; a timeout or a broken
/// connection after the request left means the post may exist.
pub fn from_reqwest(e: &reqwest::Error) -> SendError {
    if e.is_connect() {
        SendError::Retry { reason: format!("could not connect: {}", root_cause(e)), at: None }
    } else if e.is_builder() {
        SendError::Rejected { status: None, reason: format!("invalid request: {}", root_cause(e)) }
    } else if e.is_timeout() {
        SendError::Unknown { reason: "the network did not answer in time".into() }
    } else {
        SendError::Unknown { reason: format!("the connection failed during the request: {}", root_cause(e)) }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    // The URL may carry a secret (a Slack webhook): never repeat it.
    cur.to_string().chars().take(200).collect()
}

/// Passes a success through; turns any other status into the [`SendError`] it means, with the
/// network's own message: 401/403 reconnect, 429 and 5xx retry (at the network's reset time
/// when given), 408 unknown, other 4xx rejected.
pub async fn check_status(resp: reqwest::Response, now: NaiveDateTime) -> Result<reqwest::Response, SendError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let at = retry_at(resp.headers(), now);
    let body = resp.text().await.unwrap_or_default();
    Err(error_for(status, at, &body))
}

/// The [`SendError`] for a non-success status (see [`check_status`]).
pub fn error_for(status: StatusCode, at: Option<NaiveDateTime>, body: &str) -> SendError {
    let reason = format!("{} {}", status.as_u16(), network_message(body).unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string()));
    match status.as_u16() {
        401 | 403 => SendError::Reconnect { reason },
        408 => SendError::Unknown { reason },
        429 => SendError::Retry { reason, at },
        s if s >= 500 => SendError::Retry { reason, at },
        s => SendError::Rejected { status: Some(s), reason },
    }
}

/// The human message in a network's error body: Mastodon `{"error"}`, AT Protocol
/// `{"error","message"}`, X `{"detail"}`/`{"title"}`, LinkedIn `{"message"}`; else the start of
/// the text when it is short plain text.
pub fn network_message(body: &str) -> Option<String> {
    let clip = |s: &str| -> String { s.chars().take(300).collect() };
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        for key in ["message", "detail", "error_description", "error", "title"] {
            if let Some(s) = v.get(key).and_then(|m| m.as_str()).filter(|s| !s.trim().is_empty()) {
                return Some(clip(s.trim()));
            }
        }
        if let Some(s) = v.pointer("/errors/0/message").and_then(|m| m.as_str()) {
            return Some(clip(s));
        }
        return None;
    }
    let t = body.trim();
    (!t.is_empty() && !t.starts_with('<')).then(|| clip(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_the_worker_does() {
        let s = |c: u16| StatusCode::from_u16(c).unwrap();
        assert!(matches!(error_for(s(401), None, r#"{"error":"The access token was revoked"}"#), SendError::Reconnect { reason } if reason == "401 The access token was revoked"));
        assert!(matches!(error_for(s(429), None, ""), SendError::Retry { .. }));
        assert!(matches!(error_for(s(503), None, "<html>"), SendError::Retry { reason, .. } if reason == "503 Service Unavailable"));
        assert!(matches!(error_for(s(422), None, r#"{"error":"Validation failed: Text character limit of 500 exceeded"}"#), SendError::Rejected { status: Some(422), reason } if reason.contains("character limit")));
        assert!(matches!(error_for(s(400), None, r#"{"error":"InvalidRequest","message":"Record/text must not be longer than 300 graphemes"}"#), SendError::Rejected { reason, .. } if reason.contains("300 graphemes")));
        assert!(matches!(error_for(s(408), None, ""), SendError::Unknown { .. }));
    }
}
