//! Sends the team's queued emails (`store::notifications`): at most once each. A message the
//! server did not take now is queued again with a growing delay (at most 8 attempts); one it
//! refused for good is `failed`; one whose sending broke off midway is `unconfirmed` and never
//! sent again. Without SMTP settings the messages wait, queued.
use chrono::Duration;

use super::{Mail, MailError, Mailer};
use crate::store::notifications as store;

/// Attempts before a message the server keeps deferring is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// The delay before attempt `n + 1`: 1, 2, 4 … minutes, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 6)).min(Duration::hours(1))
}

/// One pass: sends what is due. Returns how many were sent. Tests call it to drain the outbox.
pub async fn send_due(pool: &crate::store::Pool, settings: &crate::config::BroadcastSettings, clock: &crate::clock::Clock) -> anyhow::Result<usize> {
    let Ok(mailer) = Mailer::from_settings(settings) else { return Ok(0) };
    let now = clock.now();
    let lease = Duration::seconds((settings.send_timeout_secs as i64).max(1) * 4);
    let claimed = crate::store::run(pool, move |c| {
        store::expire_leases(c, now)?;
        Ok(store::claim(c, now, lease, 20)?)
    })
    .await?;
    let mut sent = 0;
    for n in claimed {
        let mail = Mail { to: n.recipient.clone(), subject: n.subject.clone(), text: n.body_text.clone(), html: n.body_html.clone(), headers: Vec::new() };
        let result = mailer.send(&mail).await;
        let (id, attempts, at) = (n.id.clone(), n.attempts + 1, clock.now());
        match &result {
            Ok(()) => sent += 1,
            // Only ids in the logs: never an address or a subject.
            Err(e) => tracing::warn!(notification = %n.id, kind = %n.kind, error = %short_kind(e), "notification not sent"),
        }
        crate::store::run(pool, move |c| {
            match result {
                Ok(()) => store::mark_sent(c, &id, at)?,
                Err(MailError::NotSent(e)) if attempts < MAX_ATTEMPTS => store::retry_at(c, &id, at + backoff(attempts), &e)?,
                Err(MailError::Unknown(e)) => store::give_up(c, &id, "unconfirmed", &e)?,
                Err(e) => store::give_up(c, &id, "failed", &e.to_string())?,
            };
            Ok(())
        })
        .await?;
    }
    Ok(sent)
}

fn short_kind(e: &MailError) -> &'static str {
    match e {
        MailError::NotConfigured => "not configured",
        MailError::BadAddress(_) => "bad address",
        MailError::Rejected(_) => "rejected",
        MailError::NotSent(_) => "not sent",
        MailError::Unknown(_) => "unconfirmed",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(super::backoff(0).num_minutes(), 1);
        assert_eq!(super::backoff(3).num_minutes(), 8);
        assert_eq!(super::backoff(6).num_minutes(), 60);
        assert_eq!(super::backoff(40).num_minutes(), 60);
    }
}
