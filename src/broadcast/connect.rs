//! Connecting an account: what every network's connect flow returns, and the OAuth 2.0
//! pieces they share (PKCE S256, state). The pending flow is kept server-side in
//! `oauth_flows` (by the hash of its state), sealed like credentials.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{AccountConfig, Credentials};
use crate::compose::Network;

/// A verified account, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connected {
    /// What people see: "@jobs@mastodon.social".
    pub name: String,
    pub config: AccountConfig,
    pub credentials: Credentials,
    pub token_expires_at: Option<NaiveDateTime>,
}

/// Why an account could not be connected, for the form to show next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The admin's input is wrong (field name as in the form, reason in words).
    #[error("{field}: {reason}")]
    Field { field: &'static str, reason: String },
    /// The network refused or could not be reached; its own words when it gave some.
    #[error("{0}")]
    Network(String),
    /// The service is not set up for this network (e.g. no X client id).
    #[error("{0}")]
    NotConfigured(String),
}

/// The first leg of an OAuth authorization: where to send the admin, and what to keep.
#[derive(Debug, Clone)]
pub struct OAuthStart {
    pub authorize_url: String,
    /// The `state` sent in `authorize_url`; the callback brings it back.
    pub state: String,
    pub pending: PendingOAuth,
}

/// Kept (sealed) between the redirect to the network and its callback.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOAuth {
    pub network: Network,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    /// Mastodon: the instance, and the app registered on it.
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Reconnecting an existing account rather than adding one.
    #[serde(default)]
    pub account_id: Option<String>,
    /// LinkedIn: the admin asked to post as an organization page (organization scopes).
    #[serde(default)]
    pub as_organization: bool,
    /// LinkedIn: the member is connected and administers several pages; the connection waits
    /// here, sealed, until the admin picks the page it posts as.
    #[serde(default)]
    pub choosing: Option<super::linkedin::OrganizationChoice>,
}

impl std::fmt::Debug for PendingOAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingOAuth").field("network", &self.network).field("instance", &self.instance).finish_non_exhaustive()
    }
}

/// A PKCE pair (RFC 7636, S256): the verifier kept, the challenge sent.
pub fn pkce() -> (String, String) {
    let verifier = random_token(48);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// A random URL-safe token of `bytes` bytes of entropy (state values, verifiers).
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// How a `state` is stored: only its hash, like session tokens.
pub fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_the_s256_of_the_verifier() {
        // RFC 7636 appendix B.
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let (v, c) = pkce();
        assert!(v.len() >= 43 && v.len() <= 128);
        assert_eq!(c, URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())));
    }
}
