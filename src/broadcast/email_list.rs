//! The job-alert email list: a delivery mails its opening to every confirmed subscriber who
//! wants it (language, location, skills), one message each with a personal unsubscribe link
//! and the RFC 2369 / RFC 8058 headers. Exactly once per recipient: each (delivery, subscriber)
//! is recorded as "sending" before its SMTP transaction and "sent" after; a retry skips every
//! recorded recipient, so one left "sending" (outcome unknown) is never mailed twice.
use askama::Template;

use super::connect::{ConnectError, Connected};
use super::{AccountConfig, BoxFut, Channel, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use crate::i18n::email::{self as texts, EmailText};
use crate::i18n::Lang;
use crate::notify::{Mail, MailError, Mailer};
use crate::store::{self, subscribers};

/// An email list as a channel.
pub struct EmailListChannel {
    account_id: String,
    list_name: String,
    ctx: ChannelContext,
}

impl EmailListChannel {
    pub fn new(account: &crate::store::channels::ChannelAccount, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let _ = creds; // An email list has no credentials: the SMTP server is the service's.
        let list_name = match &account.config {
            AccountConfig::Email { list_name } => list_name.clone(),
            _ => account.name.clone(),
        };
        Self { account_id: account.id.clone(), list_name, ctx: ctx.clone() }
    }
}

/// Connects an email list: only checks that mail can be sent and names the list.
pub fn connect(settings: &crate::config::Settings, list_name: &str) -> Result<Connected, ConnectError> {
    if settings.broadcast.smtp_url.as_deref().is_none_or(|u| u.trim().is_empty()) {
        return Err(ConnectError::NotConfigured("email lists need an SMTP server: set HIRECAST_SMTP_URL".into()));
    }
    let name = list_name.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err(ConnectError::Field { field: "list_name", reason: "is required".into() });
    }
    if n > 80 {
        return Err(ConnectError::Field { field: "list_name", reason: "is longer than 80 characters".into() });
    }
    if name.chars().any(char::is_control) {
        return Err(ConnectError::Field { field: "list_name", reason: "must be one line of text".into() });
    }
    Ok(Connected {
        name: name.to_string(),
        config: AccountConfig::Email { list_name: name.to_string() },
        credentials: Credentials::None,
        token_expires_at: None,
    })
}

#[derive(Template)]
#[template(path = "email/alert.html")]
struct AlertHtml<'a> {
    lang: &'static str,
    subject: &'a str,
    /// Paragraphs of the post's text, each a list of lines.
    paragraphs: Vec<Vec<&'a str>>,
    job_url: &'a str,
    unsubscribe_url: &'a str,
    t: &'static EmailText,
}

/// The alert for one subscriber: text, HTML, and the unsubscribe headers.
pub fn alert_mail(to: &str, lang: Lang, subject: &str, body: &str, job_url: &str, unsubscribe_url: &str, unsubscribe_mailto: &str) -> Result<Mail, MailError> {
    let t = texts::text(lang);
    let paragraphs: Vec<Vec<&str>> =
        body.split("\n\n").map(|p| p.lines().collect::<Vec<_>>()).filter(|p: &Vec<&str>| !p.is_empty()).collect();
    let html = AlertHtml { lang: lang.code(), subject, paragraphs, job_url, unsubscribe_url, t }
        .render()
        .map_err(|e| MailError::BadAddress(format!("the alert cannot be rendered: {e}")))?;
    let text = format!("{}\n\n{}: {}\n\n-- \n{}\n{}: {}\n", body.trim_end(), t.see_job, job_url, t.alert_why, t.unsubscribe, unsubscribe_url);
    Ok(Mail {
        to: to.into(),
        subject: subject.into(),
        text,
        html,
        headers: vec![
            ("List-Unsubscribe", format!("<{unsubscribe_url}>, <{unsubscribe_mailto}>")),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()),
            ("Auto-Submitted", "auto-generated".into()),
        ],
    })
}

fn db_retry(e: impl std::fmt::Display) -> SendError {
    SendError::Retry { reason: format!("the database could not be used: {e}"), at: None }
}

impl EmailListChannel {
    async fn send_alerts(&self, out: &Outgoing) -> Result<RemotePost, SendError> {
        match out.kind {
            DeliveryKind::Post | DeliveryKind::Repost => {}
            DeliveryKind::FilledReply | DeliveryKind::Delete => {
                return Err(SendError::Rejected { status: None, reason: "email cannot be recalled".into() })
            }
        }
        let mailer = match Mailer::from_settings(&self.ctx.settings.broadcast) {
            Ok(m) => m,
            Err(MailError::NotConfigured) => {
                return Err(SendError::Reconnect { reason: "no SMTP server is configured (HIRECAST_SMTP_URL)".into() })
            }
            Err(e) => return Err(SendError::Reconnect { reason: e.to_string() }),
        };
        let post = out.posts.first().ok_or_else(|| SendError::Rejected { status: None, reason: "the delivery has no text".into() })?;
        let subject = post.subject.clone().unwrap_or_else(|| out.opening.draft.title.clone());
        let lang = Lang::from(out.opening.draft.language);

        let delivery_id = out.delivery_id.clone();
        let (subs, done) = store::run(&self.ctx.pool, move |c| {
            let subs = subscribers::confirmed(c, lang)?;
            let done = subscribers::recorded(c, &delivery_id)?;
            Ok((subs, done))
        })
        .await
        .map_err(db_retry)?;
        let todo: Vec<_> = subs.into_iter().filter(|s| s.wants(&out.opening) && !done.contains(&s.id)).collect();
        if !todo.is_empty() {
            mailer.check().await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
        }
        let mailto = format!("mailto:{}?subject=unsubscribe", mailer.from_address());
        let mut stop: Option<SendError> = None;
        for sub in todo {
            let token = match sub.unsubscribe_token(&self.ctx.key) {
                Ok(t) => t,
                Err(_) => {
                    tracing::warn!(delivery_id = %out.delivery_id, subscriber_id = %sub.id, "a subscriber's unsubscribe token cannot be opened: skipped");
                    continue;
                }
            };
            let unsubscribe_url = self.ctx.url(&format!("/alerts/unsubscribe/{token}"));
            let mail = match alert_mail(&sub.email, lang, &subject, &post.text, &out.job_url, &unsubscribe_url, &mailto) {
                Ok(m) => m,
                Err(e) => return Err(SendError::Rejected { status: None, reason: e.to_string() }),
            };
            let (d, s, now) = (out.delivery_id.clone(), sub.id.clone(), self.ctx.clock.now());
            let claimed = store::run(&self.ctx.pool, move |c| Ok(subscribers::claim(c, &d, &s, now)?)).await.map_err(db_retry)?;
            if !claimed {
                continue;
            }
            let outcome = mailer.send(&mail).await;
            let (d, s, now) = (out.delivery_id.clone(), sub.id.clone(), self.ctx.clock.now());
            match outcome {
                Ok(()) => {
                    store::run(&self.ctx.pool, move |c| Ok(subscribers::finish(c, &d, &s, subscribers::SendState::Sent, None, now)?))
                        .await
                        .map_err(db_retry)?;
                }
                Err(MailError::Rejected(reason)) | Err(MailError::BadAddress(reason)) => {
                    tracing::info!(delivery_id = %out.delivery_id, subscriber_id = %sub.id, "the mail server refused an alert for one subscriber");
                    store::run(&self.ctx.pool, move |c| {
                        Ok(subscribers::finish(c, &d, &s, subscribers::SendState::Failed, Some(&reason), now)?)
                    })
                    .await
                    .map_err(db_retry)?;
                }
                Err(e @ (MailError::NotSent(_) | MailError::NotConfigured)) => {
                    let reason = e.to_string();
                    // Certainly not accepted: forget the claim so the next attempt sends it.
                    store::run(&self.ctx.pool, move |c| Ok(subscribers::release(c, &d, &s)?)).await.map_err(db_retry)?;
                    stop = Some(SendError::Retry { reason, at: None });
                    break;
                }
                Err(MailError::Unknown(reason)) => {
                    // May have been accepted: the claim stays "sending" and is never sent again.
                    tracing::warn!(delivery_id = %out.delivery_id, subscriber_id = %sub.id, "an alert's outcome is unknown; it will not be sent again");
                    stop = Some(SendError::Retry { reason, at: None });
                    break;
                }
            }
        }
        let d = out.delivery_id.clone();
        let tally = store::run(&self.ctx.pool, move |c| Ok(subscribers::tally(c, &d)?)).await.map_err(db_retry)?;
        tracing::info!(
            delivery_id = %out.delivery_id,
            account_id = %self.account_id,
            sent = tally.sent,
            failed = tally.failed,
            unconfirmed = tally.unconfirmed,
            "email-list delivery"
        );
        if let Some(e) = stop {
            return Err(e);
        }
        Ok(RemotePost { id: out.delivery_id.clone(), url: None, ids: vec![] })
    }
}

impl Channel for EmailListChannel {
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>> {
        Box::pin(self.send_alerts(out))
    }

    fn find<'a>(&'a self, _out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>> {
        Box::pin(async { Err(SendError::Unsupported) })
    }

    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>> {
        Box::pin(async move {
            let mailer = Mailer::from_settings(&self.ctx.settings.broadcast).map_err(|e| SendError::Reconnect { reason: e.to_string() })?;
            mailer.check().await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })
        })
    }
}

/// The list's name, as configured.
impl EmailListChannel {
    pub fn list_name(&self) -> &str {
        &self.list_name
    }
}
