//! A channel account's settings (stored as JSON in `channel_accounts.config`) and its
//! credentials (JSON, encrypted into `channel_accounts.secret`).
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::secret::SecretKey;
use crate::compose::Network;
use crate::store::Pool;

/// The kind of incoming webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFlavour {
    Slack,
    Discord,
    Teams,
    /// Our own JSON, signed with HMAC-SHA256 over "timestamp.body".
    Generic,
}

/// Non-secret settings of an account. Shown to admins; never holds a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "network", rename_all = "lowercase")]
pub enum AccountConfig {
    Mastodon {
        /// `https://mastodon.example`, no trailing slash.
        instance: String,
        /// `@user@instance`, filled once verified.
        #[serde(default)]
        acct: Option<String>,
        #[serde(default)]
        account_id: Option<String>,
        /// From `/api/v2/instance`: `configuration.statuses.max_characters`.
        #[serde(default)]
        max_characters: Option<usize>,
        /// `configuration.statuses.characters_reserved_per_url`.
        #[serde(default)]
        url_reserve: Option<usize>,
    },
    Bluesky {
        handle: String,
        did: String,
        /// The account's PDS, resolved from the handle's DID document.
        pds: String,
    },
    X {
        user_id: String,
        username: String,
        /// X Premium accounts may post more than 280.
        #[serde(default)]
        max_weighted_length: Option<usize>,
    },
    #[serde(rename = "linkedin")]
    LinkedIn {
        /// `urn:li:person:…` or `urn:li:organization:…`.
        author_urn: String,
        display_name: String,
    },
    Webhook {
        flavour: WebhookFlavour,
        /// Only the host, for display; the full URL is a credential (Slack's URL is its secret).
        host: String,
    },
    /// A job-alert email list: subscribers matching the opening receive it.
    Email { list_name: String },
}

impl AccountConfig {
    pub fn network(&self) -> Network {
        match self {
            AccountConfig::Mastodon { .. } => Network::Mastodon,
            AccountConfig::Bluesky { .. } => Network::Bluesky,
            AccountConfig::X { .. } => Network::X,
            AccountConfig::LinkedIn { .. } => Network::LinkedIn,
            AccountConfig::Webhook { flavour: WebhookFlavour::Slack, .. } => Network::Slack,
            AccountConfig::Webhook { flavour: WebhookFlavour::Discord, .. } => Network::Discord,
            AccountConfig::Webhook { flavour: WebhookFlavour::Teams, .. } => Network::Teams,
            AccountConfig::Webhook { flavour: WebhookFlavour::Generic, .. } => Network::Webhook,
            AccountConfig::Email { .. } => Network::Email,
        }
    }

    /// Minimum time between two sends on this account when none is configured: spreads a
    /// burst (500 openings published at once) under the network's documented limits.
    pub fn default_min_interval_ms(&self) -> i64 {
        match self {
            // Mastodon: 300 statuses per 3 hours per account.
            AccountConfig::Mastodon { .. } => 36_000,
            // Bluesky: 5000 points/hour, a create is 3 points: ~1666/hour.
            AccountConfig::Bluesky { .. } => 2_500,
            // X: 100 posts per 24 hours per user on the basic tier.
            AccountConfig::X { .. } => 864_000,
            // LinkedIn: 150 member posts per day.
            AccountConfig::LinkedIn { .. } => 576_000,
            // Slack: 1 message per second per webhook; Discord: 30 per minute.
            AccountConfig::Webhook { .. } => 2_000,
            AccountConfig::Email { .. } => 1_000,
        }
    }
}

/// How an account wants its posts written (Channels → Posts). Empty fields: the
/// organization's templates (Settings → Post templates) and the network's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_fr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_en: Option<String>,
    /// Write a thread when an opening does not fit one post (X, Mastodon, Bluesky).
    #[serde(default)]
    pub allow_thread: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hashtags: Option<usize>,
    /// A longer limit than the network's default (X Premium's long posts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

/// The most hashtags an account may ask for.
pub const MAX_HASHTAGS: usize = 10;
/// X Premium's longest post.
pub const X_PREMIUM_MAX: usize = 25_000;
const TEMPLATE_MAX: usize = 4000;

impl PostSettings {
    /// Checks what an admin typed; every bad field at once. Empty text means "not set".
    pub fn parse(network: Network, template_fr: &str, template_en: &str, allow_thread: bool, max_hashtags: &str, max_length: &str) -> Result<Self, crate::domain::Invalid> {
        use crate::domain::{FieldError, Invalid};
        let mut inv = Invalid::default();
        let mut template = |field: &str, raw: &str| -> Option<String> {
            let src = raw.replace("\r\n", "\n");
            if src.trim().is_empty() {
                return None;
            }
            if src.chars().count() > TEMPLATE_MAX {
                inv.push(FieldError::new(field, "too_long", format!("is longer than {TEMPLATE_MAX} characters"), format!("dépasse {TEMPLATE_MAX} caractères")));
                return None;
            }
            if let Err(e) = crate::compose::check_template(&src) {
                inv.push(FieldError::new(field, "invalid_template", e.to_string(), e.to_string()));
                return None;
            }
            Some(src)
        };
        let template_fr = template("template_fr", template_fr);
        let template_en = template("template_en", template_en);
        let number = |inv: &mut Invalid, field: &str, raw: &str, range: std::ops::RangeInclusive<usize>| -> Option<usize> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<usize>() {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    let (lo, hi) = (range.start(), range.end());
                    inv.push(FieldError::new(field, "out_of_range", format!("must be a whole number from {lo} to {hi}"), format!("doit être un nombre entier de {lo} à {hi}")));
                    None
                }
            }
        };
        let max_hashtags = number(&mut inv, "max_hashtags", max_hashtags, 0..=MAX_HASHTAGS);
        let max_length = if network == Network::X { number(&mut inv, "max_length", max_length, 280..=X_PREMIUM_MAX) } else { None };
        if !inv.is_empty() {
            return Err(inv);
        }
        Ok(Self { template_fr, template_en, allow_thread: allow_thread && network.can_thread(), max_hashtags, max_length })
    }

    pub fn template(&self, lang: crate::i18n::Lang) -> Option<&str> {
        match lang {
            crate::i18n::Lang::Fr => self.template_fr.as_deref(),
            crate::i18n::Lang::En => self.template_en.as_deref(),
        }
    }
}

/// Secrets of an account. Never logged: `Debug` shows only the variant.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Credentials {
    Mastodon {
        access_token: String,
        /// The app registered on the instance (to revoke the token on disconnect).
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        client_secret: Option<String>,
    },
    Bluesky {
        access_jwt: String,
        refresh_jwt: String,
    },
    /// X and LinkedIn: OAuth 2.0 tokens.
    #[serde(rename = "oauth2")]
    OAuth2 {
        access_token: String,
        #[serde(default)]
        refresh_token: Option<String>,
        #[serde(default)]
        expires_at: Option<NaiveDateTime>,
    },
    Webhook {
        url: String,
        /// The generic webhook's HMAC key.
        #[serde(default)]
        signing_secret: Option<String>,
    },
    None,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Credentials::Mastodon { .. } => "Mastodon",
            Credentials::Bluesky { .. } => "Bluesky",
            Credentials::OAuth2 { .. } => "OAuth2",
            Credentials::Webhook { .. } => "Webhook",
            Credentials::None => "None",
        };
        write!(f, "Credentials::{kind}(..)")
    }
}

impl Credentials {
    /// The credentials to store after a refresh returned `new`: a refresh token the network
    /// did not send again is kept, never replaced by nothing.
    pub fn merged_with(&self, new: Credentials) -> Credentials {
        match (self, new) {
            (
                Credentials::OAuth2 { refresh_token: Some(old), .. },
                Credentials::OAuth2 { access_token, refresh_token, expires_at },
            ) => Credentials::OAuth2 {
                access_token,
                refresh_token: refresh_token.filter(|t| !t.is_empty()).or_else(|| Some(old.clone())),
                expires_at,
            },
            (Credentials::Bluesky { refresh_jwt: old, .. }, Credentials::Bluesky { access_jwt, refresh_jwt }) => {
                Credentials::Bluesky { access_jwt, refresh_jwt: if refresh_jwt.is_empty() { old.clone() } else { refresh_jwt } }
            }
            (_, new) => new,
        }
    }

    pub fn to_sealed(&self, key: &SecretKey, account_id: &str) -> String {
        let json = serde_json::to_vec(self).expect("credentials serialize");
        key.seal(account_id, &json)
    }

    pub fn from_sealed(key: &SecretKey, account_id: &str, sealed: &str) -> anyhow::Result<Credentials> {
        let plain = key.open(account_id, sealed)?;
        Ok(serde_json::from_slice(&plain)?)
    }
}

/// An account's credentials as a channel client uses them: read once, replaced (and written
/// back, encrypted) when a client refreshes its tokens.
#[derive(Clone)]
pub struct CredentialsHandle {
    inner: Arc<tokio::sync::Mutex<Credentials>>,
    account_id: String,
    store: Option<(Pool, SecretKey)>,
}

impl CredentialsHandle {
    pub fn new(account_id: &str, creds: Credentials, pool: Pool, key: SecretKey) -> Self {
        Self { inner: Arc::new(tokio::sync::Mutex::new(creds)), account_id: account_id.into(), store: Some((pool, key)) }
    }

    /// Not backed by the database (unit tests, a connect form checking credentials before saving).
    pub fn detached(creds: Credentials) -> Self {
        Self { inner: Arc::new(tokio::sync::Mutex::new(creds)), account_id: String::new(), store: None }
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub async fn get(&self) -> Credentials {
        self.inner.lock().await.clone()
    }

    /// Stores refreshed credentials (merged: see [`Credentials::merged_with`]).
    pub async fn replace(&self, new: Credentials) -> anyhow::Result<()> {
        let mut guard = self.inner.lock().await;
        let merged = guard.merged_with(new);
        if let Some((pool, key)) = &self.store {
            let sealed = merged.to_sealed(key, &self.account_id);
            let id = self.account_id.clone();
            crate::store::run(pool, move |c| Ok(crate::store::channels::save_secret(c, &id, &sealed)?)).await?;
        }
        *guard = merged;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_without_a_refresh_token_keeps_the_stored_one() {
        let old = Credentials::OAuth2 { access_token: "a1".into(), refresh_token: Some("r1".into()), expires_at: None };
        let merged = old.merged_with(Credentials::OAuth2 { access_token: "a2".into(), refresh_token: None, expires_at: None });
        assert_eq!(merged, Credentials::OAuth2 { access_token: "a2".into(), refresh_token: Some("r1".into()), expires_at: None });
        let merged = old.merged_with(Credentials::OAuth2 { access_token: "a2".into(), refresh_token: Some(String::new()), expires_at: None });
        assert!(matches!(merged, Credentials::OAuth2 { refresh_token: Some(ref r), .. } if r == "r1"));
        let merged = old.merged_with(Credentials::OAuth2 { access_token: "a3".into(), refresh_token: Some("r2".into()), expires_at: None });
        assert!(matches!(merged, Credentials::OAuth2 { refresh_token: Some(ref r), .. } if r == "r2"));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let c = Credentials::Webhook { url: "https://hooks.slack.com/services/T/B/secret".into(), signing_secret: None };
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn config_round_trips_as_tagged_json() {
        let c = AccountConfig::LinkedIn { author_urn: "urn:li:organization:1".into(), display_name: "Acme".into() };
        let j = serde_json::to_string(&c).unwrap();
        assert!(j.contains("\"network\":\"linkedin\""), "{j}");
        assert_eq!(serde_json::from_str::<AccountConfig>(&j).unwrap(), c);
        assert_eq!(c.network(), Network::LinkedIn);
    }
}
