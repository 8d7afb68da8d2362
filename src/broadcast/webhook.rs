//! Incoming webhooks: Slack, Discord, Microsoft Teams, and hirecast's own signed JSON.
//!
//! The webhook address is the credential (whoever has a Slack or Discord webhook URL can post
//! with it): it lives only in [`Credentials::Webhook`], never in the account's settings, logs
//! or error messages (transport errors are stripped of it). A webhook cannot be read back, so
//! [`Channel::find`] is [`SendError::Unsupported`].
//!
//! # The generic webhook
//!
//! `POST` with `Content-Type: application/json` and
//!
//! - `X-Hirecast-Delivery`: the delivery's idempotency key (the same on every attempt: a
//!   receiver seeing it twice should ignore the second);
//! - `X-Hirecast-Timestamp`: Unix seconds when the request was signed;
//! - `X-Hirecast-Signature`: `sha256=` followed by the lowercase hex HMAC-SHA256, keyed with
//!   the signing secret, of `"<timestamp>.<body>"` (the timestamp header's value, a dot, and
//!   the raw body bytes exactly as received).
//!
//! A receiver recomputes the HMAC ([`verify_signature`] does it), compares in constant time,
//! and refuses timestamps more than five minutes away from its clock (replays).
//!
//! The body (`delivery_id` is the `X-Hirecast-Delivery` value):
//! `{"event": "opening.published" | "opening.filled" | "opening.withdrawn",
//! "delivery_id", "opening": {"id", "slug", "title", "company", "location", "remote_policy",
//! "employment_type", "url"}, "text", "link"}`.
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::connect::{random_token, ConnectError, Connected};
use super::http::{check_status, error_for, from_reqwest};
use super::rate::retry_at;
use super::{AccountConfig, BoxFut, Channel, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError, WebhookFlavour};
use crate::i18n::Lang;
use crate::store::channels::ChannelAccount;

/// The shortest signing secret accepted for the generic webhook.
pub const MIN_SECRET_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// The `X-Hirecast-Signature` value for a body sent at `timestamp` (Unix seconds, as sent).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (the `X-Hirecast-Signature` value) signs `body` sent at `timestamp` (the
/// `X-Hirecast-Timestamp` value) with `secret`. Compares in constant time. The timestamp's age
/// is the receiver's to check.
pub fn verify_signature(secret: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else { return false };
    let Ok(given) = hex::decode(hex_sig) else { return false };
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// A webhook account.
pub struct WebhookChannel {
    flavour: WebhookFlavour,
    creds: CredentialsHandle,
    ctx: ChannelContext,
}

/// A transport error without the address (it is the secret).
fn transport(e: reqwest::Error) -> SendError {
    from_reqwest(&e.without_url())
}

impl WebhookChannel {
    /// The client for a stored account (its config must be [`AccountConfig::Webhook`]).
    pub fn new(account: &ChannelAccount, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let flavour = match &account.config {
            AccountConfig::Webhook { flavour, .. } => *flavour,
            _ => WebhookFlavour::Generic,
        };
        Self::with_flavour(flavour, creds, ctx)
    }

    pub fn with_flavour(flavour: WebhookFlavour, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        Self { flavour, creds, ctx: ctx.clone() }
    }

    async fn secrets(&self) -> Result<(String, Option<String>), SendError> {
        match self.creds.get().await {
            Credentials::Webhook { url, signing_secret } => Ok((url, signing_secret)),
            _ => Err(SendError::Reconnect { reason: "the account holds no webhook address; connect it again".into() }),
        }
    }

    fn text(out: &Outgoing) -> String {
        out.posts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n")
    }

    /// What a chat webhook says when the opening is filled, when the composer gave no text.
    fn filled_text(out: &Outgoing) -> String {
        let d = &out.opening.draft;
        match d.language.as_str() {
            "fr" => format!("Poste pourvu : {} ({}). Merci à toutes les personnes qui ont candidaté.", d.title, d.company),
            _ => format!("Position filled: {} ({}). Thank you to everyone who applied.", d.title, d.company),
        }
    }

    /// The answer of a chat webhook, read: a webhook that no longer exists (404, 410) or whose
    /// token is refused needs reconnecting.
    async fn chat_status(&self, resp: reqwest::Response) -> Result<reqwest::Response, SendError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let at = retry_at(resp.headers(), self.ctx.clock.now());
        let body = resp.text().await.unwrap_or_default();
        Err(match error_for(status, at, &body) {
            SendError::Rejected { status: Some(404 | 410), reason } => {
                SendError::Reconnect { reason: format!("the webhook no longer exists ({reason}); connect a new one") }
            }
            other => other,
        })
    }

    async fn send_chat(&self, out: &Outgoing) -> Result<RemotePost, SendError> {
        let text = match out.kind {
            DeliveryKind::Post | DeliveryKind::Repost => Self::text(out),
            DeliveryKind::FilledReply if !out.posts.is_empty() => Self::text(out),
            DeliveryKind::FilledReply => Self::filled_text(out),
            DeliveryKind::Delete => {
                return Err(SendError::Rejected { status: None, reason: format!("a {} webhook message cannot be deleted", label(self.flavour)) })
            }
        };
        if text.trim().is_empty() {
            return Err(SendError::Rejected { status: None, reason: "there is nothing to post".into() });
        }
        let (url, _) = self.secrets().await?;
        let http = &self.ctx.http;
        let fallback = || RemotePost { id: out.idempotency_key.clone(), url: None, ids: vec![out.idempotency_key.clone()] };
        match self.flavour {
            WebhookFlavour::Slack => {
                let mut body = json!({ "text": text, "unfurl_links": true });
                // A section block holds at most 3000 characters; longer text goes without blocks.
                if text.chars().count() <= 3000 {
                    body["blocks"] = json!([{ "type": "section", "text": { "type": "mrkdwn", "text": text } }]);
                }
                let resp = http.post(&url).json(&body).send().await.map_err(transport)?;
                self.chat_status(resp).await?;
                Ok(fallback())
            }
            WebhookFlavour::Discord => {
                let mut u = url::Url::parse(&url).map_err(|_| SendError::Reconnect { reason: "the stored webhook address is not valid".into() })?;
                u.query_pairs_mut().append_pair("wait", "true");
                let body = json!({ "content": text, "allowed_mentions": { "parse": [] } });
                let resp = http.post(u).json(&body).send().await.map_err(transport)?;
                let resp = self.chat_status(resp).await?;
                let msg: serde_json::Value = resp.json().await.unwrap_or_default();
                Ok(match msg.get("id").and_then(|v| v.as_str()) {
                    Some(id) => RemotePost { id: id.into(), url: None, ids: vec![id.into()] },
                    None => fallback(),
                })
            }
            WebhookFlavour::Teams => {
                let body = teams_body(&url, &text, &out.job_url, out.opening.draft.language.as_str());
                let resp = http.post(&url).json(&body).send().await.map_err(transport)?;
                self.chat_status(resp).await?;
                Ok(fallback())
            }
            WebhookFlavour::Generic => unreachable!("the generic webhook is sent by send_generic"),
        }
    }

    async fn send_generic(&self, out: &Outgoing) -> Result<RemotePost, SendError> {
        let (url, secret) = self.secrets().await?;
        let Some(secret) = secret.filter(|s| !s.is_empty()) else {
            return Err(SendError::Reconnect { reason: "the webhook has no signing secret; connect it again".into() });
        };
        let body = generic_body(out);
        let bytes = serde_json::to_vec(&body).expect("a JSON value serializes");
        let timestamp = self.ctx.clock.now().and_utc().timestamp().to_string();
        let signature = sign(&secret, &timestamp, &bytes);
        let resp = self
            .ctx
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header("X-Hirecast-Delivery", &out.idempotency_key)
            .header("X-Hirecast-Timestamp", &timestamp)
            .header("X-Hirecast-Signature", &signature)
            .body(bytes)
            .send()
            .await
            .map_err(transport)?;
        check_status(resp, self.ctx.clock.now()).await?;
        Ok(RemotePost { id: out.idempotency_key.clone(), url: None, ids: vec![out.idempotency_key.clone()] })
    }
}

/// The generic webhook's JSON (see the module documentation).
pub fn generic_body(out: &Outgoing) -> serde_json::Value {
    let event = match out.kind {
        DeliveryKind::Post | DeliveryKind::Repost => "opening.published",
        DeliveryKind::FilledReply => "opening.filled",
        DeliveryKind::Delete => "opening.withdrawn",
    };
    let o = &out.opening;
    let d = &o.draft;
    let lang = if d.language.as_str() == "fr" { Lang::Fr } else { Lang::En };
    json!({
        "event": event,
        "delivery_id": out.idempotency_key,
        "opening": {
            "id": o.id,
            "slug": o.slug,
            "title": d.title,
            "company": d.company,
            "location": o.location_label(lang),
            "remote_policy": d.remote_policy.as_str(),
            "employment_type": d.employment_type.as_str(),
            "url": out.job_url,
        },
        "text": out.posts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n"),
        "link": out.marker,
    })
}

/// Teams: an Office 365 connector (`*.webhook.office.com`) takes a MessageCard; a Workflows
/// webhook (Power Automate) takes a message with an Adaptive Card attachment.
fn teams_body(url: &str, text: &str, job_url: &str, lang: &str) -> serde_json::Value {
    let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default();
    let view = if lang == "fr" { "Voir l'offre" } else { "View the opening" };
    if host.ends_with(".webhook.office.com") {
        json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": text.lines().next().unwrap_or_default().chars().take(120).collect::<String>(),
            "text": text,
            "potentialAction": [{ "@type": "OpenUri", "name": view, "targets": [{ "os": "default", "uri": job_url }] }]
        })
    } else {
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{ "type": "TextBlock", "text": text, "wrap": true }],
                    "actions": [{ "type": "Action.OpenUrl", "title": view, "url": job_url }]
                }
            }]
        })
    }
}

impl Channel for WebhookChannel {
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>> {
        Box::pin(async move {
            match self.flavour {
                WebhookFlavour::Generic => self.send_generic(out).await,
                _ => self.send_chat(out).await,
            }
        })
    }

    fn find<'a>(&'a self, _out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>> {
        Box::pin(async { Err(SendError::Unsupported) })
    }

    /// A webhook cannot be tried without posting, except Discord's, which can be read.
    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>> {
        Box::pin(async move {
            let (url, secret) = self.secrets().await?;
            match self.flavour {
                WebhookFlavour::Discord => {
                    let resp = self.ctx.http.get(&url).send().await.map_err(transport)?;
                    self.chat_status(resp).await.map(|_| ())
                }
                WebhookFlavour::Generic if secret.as_deref().is_none_or(str::is_empty) => {
                    Err(SendError::Reconnect { reason: "the webhook has no signing secret; connect it again".into() })
                }
                _ => Ok(()),
            }
        })
    }
}

// ---------------------------------------------------------------------------------------
// Connecting.

/// "Slack", "Discord", "Microsoft Teams", "Webhook".
pub fn label(flavour: WebhookFlavour) -> &'static str {
    match flavour {
        WebhookFlavour::Slack => "Slack",
        WebhookFlavour::Discord => "Discord",
        WebhookFlavour::Teams => "Microsoft Teams",
        WebhookFlavour::Generic => "Webhook",
    }
}

fn url_error(reason: impl Into<String>) -> ConnectError {
    ConnectError::Field { field: "url", reason: reason.into() }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Checks a webhook address for its flavour and makes the account. The address must be https
/// (http only on this machine: 127.0.0.1, ::1, localhost). Slack: `hooks.slack.com/services/…`;
/// Discord: `discord.com/api/webhooks/<id>/<token>` (or discordapp.com); Teams:
/// `*.webhook.office.com`, `*.logic.azure.com` or `*.environment.api.powerplatform.com`;
/// generic: any address. The generic webhook needs a signing secret of at least
/// [`MIN_SECRET_LEN`] characters; without one, one is generated: it is in
/// `Connected.credentials` (show it to the admin once). Only the host goes into the settings.
pub fn connect(flavour: WebhookFlavour, url: &str, signing_secret: Option<&str>) -> Result<Connected, ConnectError> {
    let raw = url.trim();
    if raw.is_empty() {
        return Err(url_error("is required"));
    }
    if raw.len() > 2048 {
        return Err(url_error("is longer than 2048 characters"));
    }
    let parsed = url::Url::parse(raw).map_err(|_| url_error("is not a web address (it should start with https://)"))?;
    let Some(host) = parsed.host() else { return Err(url_error("has no host")) };
    let loopback = is_loopback(&host);
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(url_error("must use https")),
        _ => return Err(url_error("must be an https:// address")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(url_error("must not contain a user name or password"));
    }
    if parsed.fragment().is_some() {
        return Err(url_error("must not contain a # fragment"));
    }
    let host_name = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let segments: Vec<&str> = parsed.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    match flavour {
        WebhookFlavour::Slack => {
            if !loopback && host_name != "hooks.slack.com" {
                return Err(url_error("a Slack incoming webhook address starts with https://hooks.slack.com/services/"));
            }
            if segments.first() != Some(&"services") || segments.len() < 4 {
                return Err(url_error("a Slack incoming webhook address looks like https://hooks.slack.com/services/T…/B…/…"));
            }
        }
        WebhookFlavour::Discord => {
            let hosts = ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"];
            if !loopback && !hosts.contains(&host_name.as_str()) {
                return Err(url_error("a Discord webhook address starts with https://discord.com/api/webhooks/"));
            }
            // /api/webhooks/<id>/<token>, or /api/v10/webhooks/<id>/<token>.
            let rest = match segments.as_slice() {
                ["api", "webhooks", rest @ ..] => rest,
                ["api", v, "webhooks", rest @ ..] if v.starts_with('v') => rest,
                _ => &[][..],
            };
            if rest.len() != 2 || !rest[0].chars().all(|c| c.is_ascii_digit()) {
                return Err(url_error("a Discord webhook address looks like https://discord.com/api/webhooks/<id>/<token>"));
            }
        }
        WebhookFlavour::Teams => {
            let ok = [".webhook.office.com", ".logic.azure.com", ".environment.api.powerplatform.com"]
                .iter()
                .any(|suffix| host_name.ends_with(suffix));
            if !loopback && !ok {
                return Err(url_error(
                    "a Microsoft Teams webhook address is on webhook.office.com, logic.azure.com or environment.api.powerplatform.com (Workflows)",
                ));
            }
        }
        WebhookFlavour::Generic => {}
    }
    let signing_secret = match flavour {
        WebhookFlavour::Generic => match signing_secret.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if s.chars().count() < MIN_SECRET_LEN => {
                return Err(ConnectError::Field {
                    field: "signing_secret",
                    reason: format!("must be at least {MIN_SECRET_LEN} characters (leave it empty to have one generated)"),
                })
            }
            Some(s) => Some(s.to_string()),
            None => Some(random_token(32)),
        },
        _ => None,
    };
    let host_shown = match parsed.port() {
        Some(p) => format!("{host_name}:{p}"),
        None => host_name,
    };
    Ok(Connected {
        name: format!("{} ({host_shown})", label(flavour)),
        config: AccountConfig::Webhook { flavour, host: host_shown },
        credentials: Credentials::Webhook { url: parsed.to_string(), signing_secret },
        token_expires_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_fail_on_any_change() {
        let secret = "s".repeat(40);
        let sig = sign(&secret, "1700000000", br#"{"a":1}"#);
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert!(verify_signature(&secret, "1700000000", br#"{"a":1}"#, &sig));
        assert!(!verify_signature(&secret, "1700000000", br#"{"a":2}"#, &sig));
        assert!(!verify_signature(&secret, "1700000001", br#"{"a":1}"#, &sig));
        assert!(!verify_signature("other-secret-other-secret-other-secret", "1700000000", br#"{"a":1}"#, &sig));
        assert!(!verify_signature(&secret, "1700000000", br#"{"a":1}"#, sig.trim_start_matches("sha256=")));
        assert!(!verify_signature(&secret, "1700000000", br#"{"a":1}"#, "sha256=zz"));
    }

    #[test]
    fn matches_an_independent_hmac() {
        // Python: hmac.new(secret, b'1700000000.{"event":"opening.published"}', hashlib.sha256).hexdigest()
        assert_eq!(
            sign("whsec-test-0123456789abcdef0123456789", "1700000000", br#"{"event":"opening.published"}"#),
            "sha256=357487e8ebd7c194e034ccba6a5f5701f22618de1eded5ecf069bae415e1657e"
        );
    }

    #[test]
    fn teams_connectors_get_a_message_card_and_workflows_an_adaptive_card() {
        let card = teams_body("https://acme.webhook.office.com/webhookb2/x", "Rust à Lyon", "https://j.example/o", "fr");
        assert_eq!(card["@type"], "MessageCard");
        assert_eq!(card["text"], "Rust à Lyon");
        assert_eq!(card["potentialAction"][0]["targets"][0]["uri"], "https://j.example/o");
        let flow = teams_body("https://prod-1.westeurope.logic.azure.com/workflows/a", "Rust à Lyon", "https://j.example/o", "en");
        assert_eq!(flow["attachments"][0]["content"]["body"][0]["text"], "Rust à Lyon");
    }

    #[test]
    fn names_show_only_the_host() {
        let c = connect(WebhookFlavour::Slack, "https://hooks.slack.com/services/T000/B000/XXXXSECRET", None).unwrap();
        assert_eq!(c.name, "Slack (hooks.slack.com)");
        assert_eq!(c.config, AccountConfig::Webhook { flavour: WebhookFlavour::Slack, host: "hooks.slack.com".into() });
        assert!(!format!("{:?}", c.config).contains("XXXXSECRET"));
    }
}
