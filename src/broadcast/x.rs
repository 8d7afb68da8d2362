//! X (API v2): posts, threads, "position filled" replies and deletions with an OAuth 2.0 user
//! token, and the connect flow (authorization code with PKCE).
//!
//! Access tokens last two hours: a token due within a minute is refreshed before the call, and
//! a 401 refreshes once and tries again. A refreshed token is stored at once (encrypted); a
//! refresh answer without a refresh token keeps the stored one. X answers 403 for content it
//! refuses (a duplicate post, a reply it does not allow): that is a refusal of this post, not
//! of the account, so only a 401 (after a failed refresh) asks for reconnecting.
use chrono::{Duration, NaiveDateTime, SecondsFormat};
use serde::Deserialize;
use serde_json::{json, Value};

use super::connect::{pkce, random_token, ConnectError, Connected, OAuthStart, PendingOAuth};
use super::http::{error_for, from_reqwest};
use super::rate::retry_at;
use super::{AccountConfig, BoxFut, Channel, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use crate::compose::Network;
use crate::store::channels::ChannelAccount;

/// What hirecast asks of an X account (`offline.access` gives the refresh token).
pub const SCOPES: &str = "tweet.read tweet.write users.read offline.access";

/// A token due within this many seconds is refreshed before it is used.
pub const REFRESH_MARGIN_SECS: i64 = 60;

// ---------------------------------------------------------------------------------------
// OAuth 2.0 tokens, shared with LinkedIn.

/// How a client authenticates to a token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    /// `client_id` in the form, plus HTTP Basic (id:secret) when a secret is set (X).
    BasicIfSecret,
    /// `client_id` and `client_secret` in the form (LinkedIn).
    InBody,
}

/// A token endpoint's answer (RFC 6749 §5.1). No `Debug`: it holds tokens.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub refresh_token_expires_in: Option<i64>,
}

impl TokenResponse {
    pub(crate) fn credentials(&self, now: NaiveDateTime) -> Credentials {
        Credentials::OAuth2 {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone().filter(|t| !t.is_empty()),
            expires_at: self.expires_in.filter(|s| *s > 0).map(|s| now + Duration::seconds(s)),
        }
    }
}

/// Calls a token endpoint. A refusal (400/401: `invalid_grant`, a revoked app) is
/// [`SendError::Reconnect`]; 429 and 5xx are [`SendError::Retry`].
pub(crate) async fn token_request(
    http: &reqwest::Client,
    url: &str,
    mut form: Vec<(&'static str, String)>,
    client_id: &str,
    client_secret: Option<&str>,
    auth: ClientAuth,
    now: NaiveDateTime,
) -> Result<TokenResponse, SendError> {
    form.push(("client_id", client_id.to_string()));
    let secret = client_secret.filter(|s| !s.is_empty());
    let mut req = http.post(url).header("accept", "application/json");
    match (auth, secret) {
        (ClientAuth::BasicIfSecret, Some(s)) => req = req.basic_auth(client_id, Some(s)),
        (ClientAuth::InBody, Some(s)) => form.push(("client_secret", s.to_string())),
        _ => {}
    }
    let resp = req.form(&form).send().await.map_err(|e| from_reqwest(&e))?;
    let status = resp.status();
    if !status.is_success() {
        let at = retry_at(resp.headers(), now);
        let body = resp.text().await.unwrap_or_default();
        return Err(match error_for(status, at, &body) {
            SendError::Rejected { reason, .. } | SendError::Reconnect { reason } => {
                SendError::Reconnect { reason: format!("the token was refused: {reason}") }
            }
            other => other,
        });
    }
    resp.json::<TokenResponse>()
        .await
        .map_err(|_| SendError::Retry { reason: "the token endpoint answered something that is not a token".into(), at: None })
}

/// The tokens of one OAuth 2.0 account: refreshed when due or refused, stored when refreshed.
pub(crate) struct OAuthTokens {
    pub creds: CredentialsHandle,
    pub ctx: ChannelContext,
    pub token_url: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub auth: ClientAuth,
    /// "X", "LinkedIn": for messages.
    pub label: &'static str,
    /// One refresh at a time: networks that rotate refresh tokens refuse the old one after use.
    refreshing: tokio::sync::Mutex<()>,
}

impl OAuthTokens {
    pub(crate) fn new(
        creds: CredentialsHandle,
        ctx: ChannelContext,
        token_url: String,
        client_id: Option<String>,
        client_secret: Option<String>,
        auth: ClientAuth,
        label: &'static str,
    ) -> Self {
        Self { creds, ctx, token_url, client_id, client_secret, auth, label, refreshing: tokio::sync::Mutex::new(()) }
    }

    /// The access token to use now, refreshed first when it is due within a minute.
    pub(crate) async fn access_token(&self) -> Result<String, SendError> {
        match self.creds.get().await {
            Credentials::OAuth2 { access_token, refresh_token, expires_at } => {
                let due = expires_at.is_some_and(|t| t <= self.ctx.clock.now() + Duration::seconds(REFRESH_MARGIN_SECS));
                if !due {
                    return Ok(access_token);
                }
                if refresh_token.as_deref().is_some_and(|t| !t.is_empty()) {
                    self.refresh(&access_token).await
                } else {
                    Err(SendError::Reconnect { reason: format!("the {} token has expired; reconnect the account", self.label) })
                }
            }
            _ => Err(SendError::Reconnect { reason: format!("the account holds no {} token; reconnect it", self.label) }),
        }
    }

    /// Replaces `stale` (expired, or refused with a 401) with a new access token. When another
    /// call refreshed it meanwhile, that token is used.
    pub(crate) async fn refresh(&self, stale: &str) -> Result<String, SendError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let Credentials::OAuth2 { access_token, refresh_token, .. } = self.creds.get().await else {
            return Err(SendError::Reconnect { reason: format!("the account holds no {} token; reconnect it", self.label) });
        };
        if access_token != stale {
            return Ok(access_token);
        }
        // Another worker (or process) may have refreshed this account already: its token is
        // in the database, and the refresh token we hold may have been used up by it.
        if let Some(fresh) = self.refreshed_elsewhere(stale).await {
            return Ok(fresh);
        }
        let Some(refresh_token) = refresh_token.filter(|t| !t.is_empty()) else {
            return Err(SendError::Reconnect { reason: format!("the {} token is no longer accepted; reconnect the account", self.label) });
        };
        let Some(client_id) = self.client_id.as_deref().filter(|c| !c.is_empty()) else {
            return Err(SendError::Reconnect { reason: format!("{} is not set up on this server (no client id), so its token cannot be refreshed", self.label) });
        };
        let now = self.ctx.clock.now();
        let form = vec![("grant_type", "refresh_token".to_string()), ("refresh_token", refresh_token)];
        let tokens = match token_request(&self.ctx.http, &self.token_url, form, client_id, self.client_secret.as_deref(), self.auth, now).await {
            Ok(t) => t,
            Err(SendError::Reconnect { reason }) => {
                // Refused: unless a concurrent refresh won the race with the same refresh token.
                if let Some(fresh) = self.refreshed_elsewhere(stale).await {
                    return Ok(fresh);
                }
                return Err(SendError::Reconnect { reason: format!("{}: {reason}", self.label) });
            }
            Err(other) => return Err(other),
        };
        if let Err(e) = self.creds.replace(tokens.credentials(now)).await {
            // The new token works for this call; the next one may have to refresh again.
            tracing::error!(account = %self.creds.account_id(), network = self.label, error = %e, "could not store a refreshed token");
        }
        Ok(tokens.access_token)
    }

    /// The stored access token when it is no longer `stale` (the handle then takes it).
    async fn refreshed_elsewhere(&self, stale: &str) -> Option<String> {
        let id = self.creds.account_id().to_string();
        if id.is_empty() {
            return None;
        }
        let key = self.ctx.key.clone();
        let stored = crate::store::run(&self.ctx.pool, move |c| crate::store::channels::credentials(c, &key, &id)).await.ok()?;
        match &stored {
            Credentials::OAuth2 { access_token, .. } if access_token != stale && !access_token.is_empty() => {
                let token = access_token.clone();
                if let Err(e) = self.creds.replace(stored).await {
                    tracing::warn!(account = %self.creds.account_id(), error = %e, "could not take the stored token");
                }
                Some(token)
            }
            _ => None,
        }
    }

    /// Sends the request `build` makes with a token; on a 401, refreshes once and sends again
    /// (a 401 means the request was not carried out, so sending it again is safe).
    pub(crate) async fn call<F>(&self, build: F) -> Result<reqwest::Response, SendError>
    where
        F: Fn(&str) -> reqwest::RequestBuilder,
    {
        let token = self.access_token().await?;
        let resp = build(&token).send().await.map_err(|e| from_reqwest(&e))?;
        if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let token = self.refresh(&token).await?;
        build(&token).send().await.map_err(|e| from_reqwest(&e))
    }
}

/// The error for a non-success answer: as [`error_for`], but a 403 from X refuses this post
/// (duplicate content, a reply X does not allow), not the account.
async fn x_status(resp: reqwest::Response, now: NaiveDateTime) -> Result<reqwest::Response, SendError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let at = retry_at(resp.headers(), now);
    let body = resp.text().await.unwrap_or_default();
    Err(match error_for(status, at, &body) {
        SendError::Reconnect { reason } if status == reqwest::StatusCode::FORBIDDEN => SendError::Rejected { status: Some(403), reason },
        other => other,
    })
}

// ---------------------------------------------------------------------------------------
// The channel.

/// An X account, posting as its user.
pub struct XChannel {
    user_id: String,
    username: String,
    tokens: OAuthTokens,
}

#[derive(Deserialize)]
struct Created {
    data: CreatedData,
}

#[derive(Deserialize)]
struct CreatedData {
    id: String,
}

#[derive(Deserialize, Default)]
struct Timeline {
    #[serde(default)]
    data: Vec<Tweet>,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    entities: Option<Entities>,
    #[serde(default)]
    referenced_tweets: Vec<Referenced>,
}

#[derive(Deserialize)]
struct Entities {
    #[serde(default)]
    urls: Vec<UrlEntity>,
}

#[derive(Deserialize)]
struct UrlEntity {
    #[serde(default)]
    expanded_url: Option<String>,
    #[serde(default)]
    unwound_url: Option<String>,
}

#[derive(Deserialize)]
struct Referenced {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

impl Tweet {
    fn replies_to(&self) -> Option<&str> {
        self.referenced_tweets.iter().find(|r| r.kind == "replied_to").map(|r| r.id.as_str())
    }

    /// Carries the marker: X shows links as t.co addresses, so the expanded URL is compared.
    fn carries(&self, marker: &str) -> bool {
        let same = |u: &str| u.trim_end_matches('/') == marker.trim_end_matches('/');
        let in_entities = self
            .entities
            .as_ref()
            .is_some_and(|e| e.urls.iter().any(|u| u.expanded_url.as_deref().is_some_and(same) || u.unwound_url.as_deref().is_some_and(same)));
        in_entities || self.text.contains(marker)
    }
}

impl XChannel {
    /// The client for a stored account (its config must be [`AccountConfig::X`]).
    pub fn new(account: &ChannelAccount, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let (user_id, username) = match &account.config {
            AccountConfig::X { user_id, username, .. } => (user_id.clone(), username.clone()),
            _ => (String::new(), String::new()),
        };
        Self::for_user(&user_id, &username, creds, ctx)
    }

    /// The client for a user id and name (tests, a connect form).
    pub fn for_user(user_id: &str, username: &str, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let b = &ctx.settings.broadcast;
        let tokens = OAuthTokens::new(
            creds,
            ctx.clone(),
            format!("{}/2/oauth2/token", b.x_api_url),
            b.x_client_id.clone(),
            b.x_client_secret.clone(),
            ClientAuth::BasicIfSecret,
            "X",
        );
        Self { user_id: user_id.into(), username: username.trim_start_matches('@').into(), tokens }
    }

    fn api(&self, path: &str) -> String {
        format!("{}{}", self.tokens.ctx.settings.broadcast.x_api_url, path)
    }

    fn now(&self) -> NaiveDateTime {
        self.tokens.ctx.clock.now()
    }

    /// The public address of a post.
    pub fn post_url(&self, id: &str) -> String {
        format!("https://x.com/{}/status/{id}", self.username)
    }

    fn remote(&self, ids: Vec<String>) -> RemotePost {
        RemotePost { id: ids[0].clone(), url: Some(self.post_url(&ids[0])), ids }
    }

    async fn post_one(&self, text: &str, reply_to: Option<&str>) -> Result<String, SendError> {
        let mut body = json!({ "text": text });
        if let Some(parent) = reply_to {
            body["reply"] = json!({ "in_reply_to_tweet_id": parent });
        }
        let url = self.api("/2/tweets");
        let http = &self.tokens.ctx.http;
        let resp = self.tokens.call(|token| http.post(&url).bearer_auth(token).json(&body)).await?;
        let resp = x_status(resp, self.now()).await?;
        let created: Created = resp
            .json()
            .await
            .map_err(|_| SendError::Unknown { reason: "X accepted the post but its answer could not be read".into() })?;
        Ok(created.data.id)
    }

    /// Posts each post as a reply to the previous one (the first to `reply_to` when given).
    /// Once the first exists, a later failure keeps what was posted rather than risk a duplicate.
    async fn post_thread(&self, out: &Outgoing, reply_to: Option<&str>) -> Result<RemotePost, SendError> {
        if out.posts.is_empty() {
            return Err(SendError::Rejected { status: None, reason: "there is nothing to post".into() });
        }
        let mut ids: Vec<String> = Vec::new();
        for post in &out.posts {
            let parent = ids.last().map(String::as_str).or(reply_to);
            match self.post_one(&post.text, parent).await {
                Ok(id) => ids.push(id),
                Err(e) if ids.is_empty() => return Err(e),
                Err(e) => {
                    tracing::warn!(delivery = %out.delivery_id, posted = ids.len(), of = out.posts.len(), reason = %e.reason(), "X thread cut short");
                    break;
                }
            }
        }
        Ok(self.remote(ids))
    }

    async fn delete(&self, out: &Outgoing) -> Result<RemotePost, SendError> {
        let Some(parent) = &out.parent else {
            return Err(SendError::Rejected { status: None, reason: "there is no post to delete".into() });
        };
        let mut ids = if parent.ids.is_empty() { vec![parent.id.clone()] } else { parent.ids.clone() };
        ids.reverse();
        let http = &self.tokens.ctx.http;
        for id in ids {
            let url = self.api(&format!("/2/tweets/{}", urlencode(&id)));
            let resp = self.tokens.call(|token| http.delete(&url).bearer_auth(token)).await?;
            if resp.status() == reqwest::StatusCode::NOT_FOUND {
                continue; // already gone
            }
            x_status(resp, self.now()).await?;
        }
        Ok(parent.clone())
    }

    /// The replies in a post's conversation (`GET /2/tweets/search/recent` with
    /// `conversation_id:`, the last 7 days), with their authors. `Err(Rejected {403})` when the
    /// account's plan cannot search (X's free tier).
    pub async fn conversation(&self, tweet_id: &str) -> Result<Value, SendError> {
        let url = self.api("/2/tweets/search/recent");
        let q = format!("conversation_id:{tweet_id}");
        let query = [
            ("query", q.as_str()),
            ("max_results", "100"),
            ("tweet.fields", "author_id,created_at,conversation_id,entities,in_reply_to_user_id"),
            ("expansions", "author_id"),
            ("user.fields", "description,name,username,entities,location"),
        ];
        let http = &self.tokens.ctx.http;
        let resp = self.tokens.call(|token| http.get(&url).query(&query).bearer_auth(token)).await?;
        let resp = x_status(resp, self.now()).await?;
        resp.json().await.map_err(|_| SendError::Retry { reason: "X's search answer could not be read".into(), at: None })
    }

    /// The account's user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    async fn find_posted(&self, out: &Outgoing) -> Result<Option<RemotePost>, SendError> {
        if out.kind == DeliveryKind::Delete {
            // Deleting again is harmless (a 404 counts as deleted): nothing to reconcile.
            return Ok(None);
        }
        let start = out.since.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true);
        let url = self.api(&format!("/2/users/{}/tweets", urlencode(&self.user_id)));
        let query = [
            ("max_results", "100"),
            ("start_time", start.as_str()),
            ("tweet.fields", "created_at,entities,referenced_tweets"),
        ];
        let http = &self.tokens.ctx.http;
        let resp = self.tokens.call(|token| http.get(&url).query(&query).bearer_auth(token)).await?;
        let resp = x_status(resp, self.now()).await?;
        let timeline: Timeline = resp
            .json()
            .await
            .map_err(|_| SendError::Retry { reason: "X's list of posts could not be read".into(), at: None })?;
        let parent = out.parent.as_ref().map(|p| p.id.as_str());
        let first = timeline.data.iter().find(|t| match (out.kind, parent) {
            (DeliveryKind::FilledReply, Some(p)) => t.replies_to() == Some(p),
            _ => t.carries(&out.marker) && t.replies_to().is_none_or(|r| !timeline.data.iter().any(|o| o.id == r && o.carries(&out.marker))),
        });
        let Some(first) = first else { return Ok(None) };
        // The rest of a thread: each post replies to the previous one.
        let mut ids = vec![first.id.clone()];
        while ids.len() < out.posts.len().max(1) {
            let last = ids.last().unwrap().clone();
            match timeline.data.iter().find(|t| t.replies_to() == Some(last.as_str())) {
                Some(next) => ids.push(next.id.clone()),
                None => break,
            }
        }
        Ok(Some(self.remote(ids)))
    }
}

impl Channel for XChannel {
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>> {
        Box::pin(async move {
            match out.kind {
                DeliveryKind::Post | DeliveryKind::Repost => self.post_thread(out, None).await,
                DeliveryKind::FilledReply => match &out.parent {
                    Some(parent) => self.post_thread(out, Some(&parent.id)).await,
                    None => Err(SendError::Rejected { status: None, reason: "there is no post to reply to".into() }),
                },
                DeliveryKind::Delete => self.delete(out).await,
            }
        })
    }

    fn find<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>> {
        Box::pin(self.find_posted(out))
    }

    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>> {
        Box::pin(async move {
            let url = self.api("/2/users/me");
            let http = &self.tokens.ctx.http;
            let resp = self.tokens.call(|token| http.get(&url).bearer_auth(token)).await?;
            // Here a 403 does concern the account (suspended, app without access).
            super::http::check_status(resp, self.now()).await.map(|_| ())
        })
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

// ---------------------------------------------------------------------------------------
// Connecting.

/// An authorize address with its query; spaces as `%20` (some servers do not read `+`).
pub(crate) fn authorize_url(base: &str, pairs: &[(&str, &str)]) -> Result<String, ConnectError> {
    let mut url = url::Url::parse(base).map_err(|_| ConnectError::NotConfigured(format!("the authorization address {base} is not valid")))?;
    url.query_pairs_mut().extend_pairs(pairs);
    let q = url.query().unwrap_or_default().replace('+', "%20");
    url.set_query(Some(&q));
    Ok(url.into())
}

/// The first leg of connecting an X account: where to send the admin. Keep `pending` (sealed)
/// under the hash of `state` until the callback.
pub fn start_oauth(ctx: &ChannelContext, redirect_uri: &str) -> Result<OAuthStart, ConnectError> {
    let b = &ctx.settings.broadcast;
    let client_id = b.x_client_id.as_deref().map(str::trim).filter(|c| !c.is_empty()).ok_or_else(|| {
        ConnectError::NotConfigured("X is not set up on this server: set HIRECAST_X_CLIENT_ID (and HIRECAST_X_CLIENT_SECRET for a confidential app)".into())
    })?;
    let (verifier, challenge) = pkce();
    let state = random_token(24);
    let authorize_url = authorize_url(
        &b.x_authorize_url,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", SCOPES),
            ("state", &state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )?;
    Ok(OAuthStart {
        authorize_url,
        state,
        pending: PendingOAuth {
            network: Network::X,
            pkce_verifier: verifier,
            redirect_uri: redirect_uri.into(),
            instance: None,
            client_id: Some(client_id.into()),
            client_secret: None,
            account_id: None,
            as_organization: false,
            choosing: None,
        },
    })
}

#[derive(Deserialize)]
struct Me {
    data: MeData,
}

#[derive(Deserialize)]
struct MeData {
    id: String,
    username: String,
}

/// The callback leg: exchanges `code` for tokens (with the PKCE verifier) and reads the
/// account (`GET /2/users/me`).
pub async fn finish_oauth(ctx: &ChannelContext, pending: &PendingOAuth, code: &str) -> Result<Connected, ConnectError> {
    if pending.network != Network::X {
        return Err(ConnectError::Network("this authorization was not started for X".into()));
    }
    let code = code.trim();
    if code.is_empty() {
        return Err(ConnectError::Field { field: "code", reason: "X sent no authorization code back".into() });
    }
    let b = &ctx.settings.broadcast;
    let client_id = pending
        .client_id
        .clone()
        .or_else(|| b.x_client_id.clone())
        .ok_or_else(|| ConnectError::NotConfigured("X is not set up on this server: set HIRECAST_X_CLIENT_ID".into()))?;
    let now = ctx.clock.now();
    let form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code.to_string()),
        ("redirect_uri", pending.redirect_uri.clone()),
        ("code_verifier", pending.pkce_verifier.clone()),
    ];
    let tokens = token_request(
        &ctx.http,
        &format!("{}/2/oauth2/token", b.x_api_url),
        form,
        &client_id,
        b.x_client_secret.as_deref(),
        ClientAuth::BasicIfSecret,
        now,
    )
    .await
    .map_err(|e| ConnectError::Network(format!("X did not grant access: {}", e.reason())))?;
    let resp = ctx
        .http
        .get(format!("{}/2/users/me", b.x_api_url))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .map_err(|e| ConnectError::Network(format!("X could not be reached: {}", from_reqwest(&e).reason())))?;
    let resp = super::http::check_status(resp, now).await.map_err(|e| ConnectError::Network(format!("X did not show the account: {}", e.reason())))?;
    let me: Me = resp.json().await.map_err(|_| ConnectError::Network("X's description of the account could not be read".into()))?;
    Ok(Connected {
        name: format!("@{}", me.data.username),
        config: AccountConfig::X { user_id: me.data.id, username: me.data.username, max_weighted_length: None },
        credentials: tokens.credentials(now),
        // Refreshed every two hours without anyone: no expiry to warn about.
        token_expires_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tweet_carries_its_marker_in_expanded_urls_or_text() {
        let t: Tweet = serde_json::from_value(json!({
            "id": "1", "text": "Rust dev https://t.co/abc",
            "entities": {"urls": [{"url": "https://t.co/abc", "expanded_url": "https://jobs.example.org/r/ab12cd34"}]}
        }))
        .unwrap();
        assert!(t.carries("https://jobs.example.org/r/ab12cd34"));
        assert!(!t.carries("https://jobs.example.org/r/zz99"));
        let t: Tweet = serde_json::from_value(json!({"id": "2", "text": "see https://jobs.example.org/r/zz99"})).unwrap();
        assert!(t.carries("https://jobs.example.org/r/zz99"));
    }

    #[test]
    fn authorize_urls_encode_spaces_as_percent_20() {
        let u = authorize_url("https://x.com/i/oauth2/authorize", &[("scope", SCOPES), ("redirect_uri", "https://h.example/cb?a=b+c")]).unwrap();
        assert!(u.contains("scope=tweet.read%20tweet.write%20users.read%20offline.access"), "{u}");
        assert!(u.contains("redirect_uri=https%3A%2F%2Fh.example%2Fcb%3Fa%3Db%2Bc"), "{u}");
    }

    #[test]
    fn a_refresh_answer_without_refresh_token_gives_none() {
        let now = NaiveDateTime::default();
        let t: TokenResponse = serde_json::from_value(json!({"access_token": "a", "expires_in": 7200, "refresh_token": ""})).unwrap();
        assert_eq!(t.credentials(now), Credentials::OAuth2 { access_token: "a".into(), refresh_token: None, expires_at: Some(now + Duration::hours(2)) });
    }
}
