//! Mail: the SMTP sender every email goes through (job alerts, opt-in confirmations, the
//! recruiter's notices), and the notices the delivery workers send to recruiters.
//! Nothing here logs an address or a message: only ids, by the callers.
use std::time::Duration;

use askama::Template;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub mod outbox;
pub mod team;

use crate::config::BroadcastSettings;
use crate::i18n::email::{self as texts};
use crate::i18n::Lang;

/// Why a mail was not (or maybe not) sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// HIRECAST_SMTP_URL is not set.
    #[error("no SMTP server is configured (HIRECAST_SMTP_URL)")]
    NotConfigured,
    /// The settings or an address cannot be used (a bad sender, a bad recipient).
    #[error("{0}")]
    BadAddress(String),
    /// The server refused this message for good (5xx): sending it again would not help.
    #[error("the mail server refused the message: {0}")]
    Rejected(String),
    /// Certainly not accepted, but may be later: a 4xx reply, or no connection at all.
    #[error("the mail server could not take the message now: {0}")]
    NotSent(String),
    /// The connection broke or timed out while sending: the message may have been accepted.
    #[error("the mail server did not confirm the message: {0}")]
    Unknown(String),
}

/// One message: plain text and HTML alternatives, plus extra headers.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers, e.g. `("List-Unsubscribe", "<https://…>")`.
    pub headers: Vec<(&'static str, String)>,
}

/// Emails sent at once over one mailer (and the SMTP connections it keeps).
pub const MAX_SMTP_CONNECTIONS: u32 = 32;

/// The SMTP sender, built from `HIRECAST_SMTP_URL` and `HIRECAST_MAIL_FROM`. Cheap to build.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

impl Mailer {
    /// `Err(NotConfigured)` without an SMTP URL. The send timeout bounds every SMTP command.
    pub fn from_settings(settings: &BroadcastSettings) -> Result<Mailer, MailError> {
        let url = settings.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).ok_or(MailError::NotConfigured)?;
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|_| MailError::BadAddress("HIRECAST_MAIL_FROM is not a valid sender address".into()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| MailError::BadAddress("HIRECAST_SMTP_URL cannot be used".into()))?
            .timeout(Some(Duration::from_secs(settings.send_timeout_secs.max(1))))
            // Up to MAX_SMTP_CONNECTIONS kept open and reused: a burst of acknowledgements is
            // sent over them, several at once (each email waits on round trips, not the CPU).
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(MAX_SMTP_CONNECTIONS))
            .build();
        Ok(Mailer { transport, from })
    }

    /// The sender's address (for `mailto:` unsubscribe links).
    pub fn from_address(&self) -> String {
        self.from.email.to_string()
    }

    /// Connects and says hello: `Err(NotSent)` when the server cannot be reached.
    pub async fn check(&self) -> Result<(), MailError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::NotSent("the mail server did not answer".into())),
            Err(e) => Err(MailError::NotSent(short(&e))),
        }
    }

    /// Sends one multipart (text + HTML) message.
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = self.build(mail)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| classify(&e))
    }

    fn build(&self, mail: &Mail) -> Result<Message, MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::BadAddress("the recipient is not a valid address".into()))?;
        let mut b = Message::builder().from(self.from.clone()).to(to).subject(one_line(&mail.subject));
        for (name, value) in &mail.headers {
            b = b.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str(name), one_line(value)));
        }
        b.multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|e| MailError::BadAddress(format!("the message cannot be built: {e}")))
    }
}

/// Header values must stay on one line (no header injection through a title).
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// What went wrong, without the server's text: SMTP replies often quote the recipient's
/// address, and these reasons end up in logs and on the recruiter's screens.
fn short(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        return format!("SMTP reply {code}");
    }
    if e.is_timeout() {
        "the mail server timed out".into()
    } else if e.is_tls() {
        "TLS with the mail server failed".into()
    } else if e.is_client() {
        "the message could not be prepared".into()
    } else if e.to_string().starts_with("Connection error") {
        "the mail server cannot be reached".into()
    } else {
        "the connection to the mail server failed".into()
    }
}

/// 5xx: refused for good; 4xx or no connection: certainly not accepted; anything else
/// (a broken connection, a timeout): unknown.
fn classify(e: &lettre::transport::smtp::Error) -> MailError {
    if e.is_permanent() {
        MailError::Rejected(short(e))
    } else if e.is_transient() {
        MailError::NotSent(short(e))
    } else if e.is_client() {
        MailError::BadAddress(short(e))
    } else if e.to_string().starts_with("Connection error") && !e.is_timeout() {
        MailError::NotSent(short(e))
    } else {
        MailError::Unknown(short(e))
    }
}

/// A short notice: a heading, paragraphs, an optional reason and an optional link.
#[derive(Template)]
#[template(path = "email/notice.html")]
pub struct NoticeHtml<'a> {
    pub lang: &'static str,
    pub heading: &'a str,
    pub paragraphs: &'a [String],
    pub reason_label: &'a str,
    pub reason: Option<&'a str>,
    pub link_label: &'a str,
    pub link: Option<&'a str>,
    pub footer: &'a str,
}

#[derive(Template)]
#[template(path = "email/notice.txt")]
pub struct NoticeText<'a> {
    pub heading: &'a str,
    pub paragraphs: &'a [String],
    pub reason_label: &'a str,
    pub reason: Option<&'a str>,
    pub link_label: &'a str,
    pub link: Option<&'a str>,
    pub footer: &'a str,
}

/// Renders a notice in both formats.
pub fn notice(
    lang: Lang,
    heading: &str,
    paragraphs: &[String],
    reason: Option<&str>,
    link_label: &str,
    link: Option<&str>,
) -> Result<(String, String), MailError> {
    let t = texts::text(lang);
    let text = NoticeText { heading, paragraphs, reason_label: t.reason, reason, link_label, link, footer: t.footer }
        .render()
        .map_err(|e| MailError::BadAddress(format!("the message cannot be rendered: {e}")))?;
    let html = NoticeHtml { lang: lang.code(), heading, paragraphs, reason_label: t.reason, reason, link_label, link, footer: t.footer }
        .render()
        .map_err(|e| MailError::BadAddress(format!("the message cannot be rendered: {e}")))?;
    Ok((text, html))
}

/// Tells a recruiter that a delivery failed for good. `link`: the delivery's page.
pub async fn delivery_failed(
    mailer: &Mailer,
    to: &str,
    lang: Lang,
    opening_title: &str,
    channel_name: &str,
    reason: &str,
    link: &str,
) -> Result<(), MailError> {
    let (subject, text, html) = delivery_failed_mail(lang, opening_title, channel_name, reason, link)?;
    mailer.send(&Mail { to: to.into(), subject, text, html, headers: vec![] }).await
}

/// (subject, text, HTML) of the notice that a delivery failed for good.
pub fn delivery_failed_mail(lang: Lang, opening_title: &str, channel_name: &str, reason: &str, link: &str) -> Result<(String, String, String), MailError> {
    let t = texts::text(lang);
    let subject = t.failed_subject.replace("{title}", opening_title).replace("{channel}", channel_name);
    let paragraphs = vec![t.failed_body.replace("{title}", opening_title).replace("{channel}", channel_name), t.failed_next.to_string()];
    let (text, html) = notice(lang, &subject, &paragraphs, Some(reason), t.open_delivery, Some(link))?;
    Ok((subject, text, html))
}

/// Tells a recruiter (an admin) that an account must be reconnected. `link`: the account's page.
pub async fn reconnect_needed(
    mailer: &Mailer,
    to: &str,
    lang: Lang,
    account_name: &str,
    reason: &str,
    link: &str,
) -> Result<(), MailError> {
    let (subject, text, html) = reconnect_mail(lang, account_name, reason, link)?;
    mailer.send(&Mail { to: to.into(), subject, text, html, headers: vec![] }).await
}

/// (subject, text, HTML) of the notice that an account must be reconnected.
pub fn reconnect_mail(lang: Lang, account_name: &str, reason: &str, link: &str) -> Result<(String, String, String), MailError> {
    let t = texts::text(lang);
    let subject = t.reconnect_subject.replace("{account}", account_name);
    let paragraphs = vec![t.reconnect_body.replace("{account}", account_name), t.reconnect_next.to_string()];
    let (text, html) = notice(lang, &subject, &paragraphs, Some(reason), t.open_account, Some(link))?;
    Ok((subject, text, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_escape_html_but_not_text() {
        let (text, html) = notice(Lang::En, "A <b> title", &["x & y".into()], Some("<script>"), "Open", Some("https://a.test/?a=1&b=2")).unwrap();
        assert!(text.contains("A <b> title") && text.contains("<script>") && text.contains("https://a.test/?a=1&b=2"), "{text}");
        assert!(!html.contains("<script>") && !html.contains("<b>") && !html.contains("x & y"), "{html}");
    }

    #[test]
    fn header_values_stay_on_one_line() {
        assert_eq!(one_line("Title\r\nBcc: x@y.z"), "Title  Bcc: x@y.z");
    }

    #[test]
    fn no_smtp_url_is_not_configured() {
        let s = BroadcastSettings::for_tests();
        assert_eq!(Mailer::from_settings(&s).unwrap_err(), MailError::NotConfigured);
    }
}
