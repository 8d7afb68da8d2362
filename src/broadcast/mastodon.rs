//! Mastodon: statuses through the REST API of the account's instance.
//!
//! Exactly once: every status is created with an `Idempotency-Key` (the delivery's, or
//! `<key>-<index>` for the following posts of a thread), which Mastodon keeps for an hour, so
//! a retry after an unknown outcome returns the status already created. Beyond that, the
//! worker reconciles with [`Channel::find`], which reads the account's own statuses for the
//! delivery's marker.
//!
//! Connecting: OAuth 2.0 with PKCE against the instance (the app is registered on the fly with
//! `POST /api/v1/apps`), or a pasted access token. Both read the instance's limits; the
//! health checks read them again (`Channel::refreshed_config`).
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};

use super::connect::{pkce, random_token, ConnectError, Connected, OAuthStart, PendingOAuth};
use super::http::{check_status, from_reqwest, network_message};
use super::{AccountConfig, BoxFut, Channel, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use crate::compose::Network;
use crate::store::channels::ChannelAccount;

/// The scopes asked for: reading the account's statuses back, and writing them.
pub const SCOPES: &str = "read write";
/// How many pages of the account's statuses `find` reads at most (40 each).
const FIND_MAX_PAGES: usize = 10;

pub struct MastodonChannel {
    instance: String,
    account_id: tokio::sync::OnceCell<String>,
    creds: CredentialsHandle,
    ctx: ChannelContext,
}

impl MastodonChannel {
    pub fn new(account: &ChannelAccount, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let (instance, account_id) = match &account.config {
            AccountConfig::Mastodon { instance, account_id, .. } => (instance.trim_end_matches('/').to_string(), account_id.clone()),
            _ => (String::new(), None),
        };
        let cell = tokio::sync::OnceCell::new();
        if let Some(id) = account_id.filter(|s| !s.is_empty()) {
            let _ = cell.set(id);
        }
        Self { instance, account_id: cell, creds, ctx: ctx.clone() }
    }

    async fn token(&self) -> Result<String, SendError> {
        match self.creds.get().await {
            Credentials::Mastodon { access_token, .. } => Ok(access_token),
            _ => Err(SendError::Reconnect { reason: "this account has no Mastodon access token".into() }),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.instance, path)
    }

    async fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<Value, SendError> {
        let token = self.token().await?;
        let resp = self.ctx.http.get(self.url(path)).bearer_auth(token).query(query).send().await.map_err(|e| from_reqwest(&e))?;
        let resp = check_status(resp, self.ctx.clock.now()).await?;
        // A read: nothing was changed, a garbled answer can be retried.
        resp.json::<Value>().await.map_err(|e| SendError::Retry { reason: format!("unreadable answer from the instance: {e}"), at: None })
    }

    async fn my_account_id(&self) -> Result<String, SendError> {
        self.account_id
            .get_or_try_init(|| async {
                let me = self.get_json("/api/v1/accounts/verify_credentials", &[]).await?;
                me["id"].as_str().map(str::to_string).ok_or_else(|| SendError::Retry { reason: "verify_credentials answered no account id".into(), at: None })
            })
            .await
            .cloned()
    }

    /// Creates one status; `key` is its idempotency key.
    async fn create_status(&self, text: &str, language: &str, reply_to: Option<&str>, key: &str) -> Result<Value, SendError> {
        self.create_status_as(text, language, reply_to, key, "public").await
    }

    async fn create_status_as(&self, text: &str, language: &str, reply_to: Option<&str>, key: &str, visibility: &str) -> Result<Value, SendError> {
        let token = self.token().await?;
        let mut body = json!({"status": text, "visibility": visibility, "language": language});
        if let Some(parent) = reply_to {
            body["in_reply_to_id"] = json!(parent);
        }
        let resp = self
            .ctx
            .http
            .post(self.url("/api/v1/statuses"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .map_err(|e| from_reqwest(&e))?;
        let resp = check_status(resp, self.ctx.clock.now()).await?;
        let status = resp.json::<Value>().await.map_err(|e| SendError::Unknown { reason: format!("unreadable answer after posting: {e}") })?;
        if status["id"].as_str().is_none() {
            return Err(SendError::Unknown { reason: "the instance answered a status without an id".into() });
        }
        Ok(status)
    }

    /// Every reply under a status (its descendants, the whole tree), in the instance's order.
    pub async fn replies_to(&self, status_id: &str) -> Result<Vec<Value>, SendError> {
        let v = self.get_json(&format!("/api/v1/statuses/{}/context", urlencode(status_id)), &[]).await?;
        Ok(v["descendants"].as_array().cloned().unwrap_or_default())
    }

    /// The latest public statuses with a hashtag (`/api/v1/timelines/tag/:hashtag`).
    pub async fn tag_timeline(&self, hashtag: &str) -> Result<Vec<Value>, SendError> {
        let v = self.get_json(&format!("/api/v1/timelines/tag/{}", urlencode(hashtag)), &[("limit", "40".into())]).await?;
        Ok(v.as_array().cloned().unwrap_or_default())
    }

    /// A public profile (`note` and `fields` are HTML).
    pub async fn account(&self, account_id: &str) -> Result<Value, SendError> {
        self.get_json(&format!("/api/v1/accounts/{}", urlencode(account_id)), &[]).await
    }

    /// This account's own id on its instance.
    pub async fn own_id(&self) -> Result<String, SendError> {
        self.my_account_id().await
    }

    /// A private message (visibility "direct") to `acct`, under `in_reply_to`; the same `key`
    /// never sends it twice. Returns the status id.
    pub async fn direct_message(&self, acct: &str, text: &str, language: &str, in_reply_to: Option<&str>, key: &str) -> Result<String, SendError> {
        let status = self.create_status_as(&format!("@{acct} {text}"), language, in_reply_to, key, "direct").await?;
        Ok(status["id"].as_str().unwrap_or_default().to_string())
    }

    /// Posts `out.posts` as a chain, the first replying to `reply_to` when given.
    async fn post_chain(&self, out: &Outgoing, mut reply_to: Option<String>) -> Result<RemotePost, SendError> {
        if out.posts.is_empty() {
            return Err(SendError::Rejected { status: None, reason: "nothing to post".into() });
        }
        let language = out.opening.draft.language.as_str();
        let mut result = RemotePost::default();
        for (i, post) in out.posts.iter().enumerate() {
            let key = if i == 0 { out.idempotency_key.clone() } else { format!("{}-{i}", out.idempotency_key) };
            let status = self.create_status(&post.text, language, reply_to.as_deref(), &key).await?;
            let id = status["id"].as_str().unwrap_or_default().to_string();
            if i == 0 {
                result.id = id.clone();
                result.url = status["url"].as_str().or_else(|| status["uri"].as_str()).map(str::to_string);
            }
            result.ids.push(id.clone());
            reply_to = Some(id);
        }
        Ok(result)
    }

    async fn delete(&self, parent: &RemotePost) -> Result<RemotePost, SendError> {
        let token = self.token().await?;
        let ids: Vec<&String> = if parent.ids.is_empty() { vec![&parent.id] } else { parent.ids.iter().collect() };
        // The replies first: deleting a thread from its end leaves no orphan on a failure midway.
        for id in ids.into_iter().rev() {
            let resp = self
                .ctx
                .http
                .delete(self.url(&format!("/api/v1/statuses/{}", urlencode(id))))
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| from_reqwest(&e))?;
            if resp.status().as_u16() == 404 {
                continue; // already gone
            }
            check_status(resp, self.ctx.clock.now()).await?;
        }
        Ok(parent.clone())
    }

    /// The account's statuses created since `since`, newest first.
    async fn recent_statuses(&self, since: NaiveDateTime) -> Result<Vec<Value>, SendError> {
        let id = self.my_account_id().await?;
        let path = format!("/api/v1/accounts/{}/statuses", urlencode(&id));
        let mut all = Vec::new();
        let mut max_id: Option<String> = None;
        for _ in 0..FIND_MAX_PAGES {
            let mut query = vec![("limit", "40".to_string())];
            if let Some(m) = &max_id {
                query.push(("max_id", m.clone()));
            }
            let page = self.get_json(&path, &query).await?;
            let Some(items) = page.as_array().filter(|a| !a.is_empty()) else { break };
            let mut older = false;
            for s in items {
                match created_at(s) {
                    Some(at) if at < since => older = true,
                    _ => all.push(s.clone()),
                }
            }
            max_id = items.last().and_then(|s| s["id"].as_str()).map(str::to_string);
            if older || max_id.is_none() {
                break;
            }
        }
        Ok(all)
    }

    async fn find_impl(&self, out: &Outgoing) -> Result<Option<RemotePost>, SendError> {
        if out.kind == DeliveryKind::Delete {
            // Done when the first post is gone.
            let Some(parent) = &out.parent else { return Ok(None) };
            let token = self.token().await?;
            let resp = self
                .ctx
                .http
                .get(self.url(&format!("/api/v1/statuses/{}", urlencode(&parent.id))))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| from_reqwest(&e))?;
            if resp.status().as_u16() == 404 {
                return Ok(Some(parent.clone()));
            }
            check_status(resp, self.ctx.clock.now()).await?;
            return Ok(None);
        }
        let statuses = self.recent_statuses(out.since).await?;
        // Oldest first, so that the first post of a thread comes before its replies.
        let statuses: Vec<&Value> = statuses.iter().rev().collect();
        let first = match (out.kind, &out.parent) {
            (DeliveryKind::FilledReply, Some(parent)) => {
                // A reply to the original that is not the original thread's own continuation.
                statuses
                    .iter()
                    .find(|s| {
                        s["in_reply_to_id"].as_str() == Some(parent.id.as_str())
                            && !s["id"].as_str().is_some_and(|id| parent.ids.iter().any(|p| p == id))
                    })
                    .copied()
            }
            _ => statuses.iter().find(|s| carries(s, &out.marker)).copied(),
        };
        let Some(first) = first else { return Ok(None) };
        let id = first["id"].as_str().unwrap_or_default().to_string();
        let mut ids = vec![id.clone()];
        // The rest of the thread: each following post replies to the previous one.
        while ids.len() < out.posts.len() {
            let last = ids.last().cloned().unwrap_or_default();
            match statuses.iter().find(|s| s["in_reply_to_id"].as_str() == Some(last.as_str())) {
                Some(next) => ids.push(next["id"].as_str().unwrap_or_default().to_string()),
                None => break,
            }
        }
        Ok(Some(RemotePost { id, url: first["url"].as_str().map(str::to_string), ids }))
    }
}

impl Channel for MastodonChannel {
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>> {
        Box::pin(async move {
            match out.kind {
                DeliveryKind::Post | DeliveryKind::Repost => self.post_chain(out, None).await,
                DeliveryKind::FilledReply => {
                    let parent = out.parent.as_ref().ok_or_else(|| SendError::Rejected { status: None, reason: "no original post to reply to".into() })?;
                    self.post_chain(out, Some(parent.id.clone())).await
                }
                DeliveryKind::Delete => {
                    let parent = out.parent.as_ref().ok_or_else(|| SendError::Rejected { status: None, reason: "no original post to delete".into() })?;
                    self.delete(parent).await
                }
            }
        })
    }

    fn find<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>> {
        Box::pin(self.find_impl(out))
    }

    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>> {
        Box::pin(async move {
            self.get_json("/api/v1/accounts/verify_credentials", &[]).await?;
            Ok(())
        })
    }

    /// The instance's limits, read again from `/api/v2/instance` (an admin may raise
    /// `max_characters`): what the composer uses for the next posts.
    fn refreshed_config<'a>(&'a self, current: &'a AccountConfig) -> BoxFut<'a, Result<Option<AccountConfig>, SendError>> {
        Box::pin(async move {
            let AccountConfig::Mastodon { max_characters, url_reserve, .. } = current else { return Ok(None) };
            let resp = self.ctx.http.get(self.url("/api/v2/instance")).send().await.map_err(|e| from_reqwest(&e))?;
            let resp = check_status(resp, self.ctx.clock.now()).await?;
            let info: Value = resp.json().await.map_err(|e| SendError::Retry { reason: format!("unreadable instance description: {e}"), at: None })?;
            let (new_max, new_reserve) = limits_of(&info);
            // What the instance no longer says is kept as it was.
            let (new_max, new_reserve) = (new_max.or(*max_characters), new_reserve.or(*url_reserve));
            if (new_max, new_reserve) == (*max_characters, *url_reserve) {
                return Ok(None);
            }
            let mut config = current.clone();
            if let AccountConfig::Mastodon { max_characters, url_reserve, .. } = &mut config {
                *max_characters = new_max;
                *url_reserve = new_reserve;
            }
            Ok(Some(config))
        })
    }
}

/// `configuration.statuses.max_characters` and `characters_reserved_per_url` of an
/// `/api/v2/instance` answer.
fn limits_of(info: &Value) -> (Option<usize>, Option<usize>) {
    let statuses = &info["configuration"]["statuses"];
    let max = statuses["max_characters"].as_u64().filter(|n| *n > 0).map(|n| n as usize);
    (max, statuses["characters_reserved_per_url"].as_u64().map(|n| n as usize))
}

/// Whether a status's content (HTML) carries the marker (a URL, possibly HTML-escaped).
fn carries(status: &Value, marker: &str) -> bool {
    let content = status["content"].as_str().unwrap_or_default();
    !marker.is_empty() && (content.contains(marker) || content.contains(&marker.replace('&', "&amp;")))
}

fn created_at(status: &Value) -> Option<NaiveDateTime> {
    status["created_at"].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|d| d.with_timezone(&Utc).naive_utc())
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---------- connecting ----------

/// The instance's base URL from what an admin typed: `mastodon.social`, or a full
/// `https://` URL; `http://` only for this machine (tests, a local instance).
pub fn normalize_instance(raw: &str) -> Result<String, ConnectError> {
    let field = |reason: &str| ConnectError::Field { field: "instance", reason: reason.into() };
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(field("enter the address of your Mastodon instance, such as mastodon.social"));
    }
    let with_scheme = if raw.contains("://") { raw.to_string() } else { format!("https://{raw}") };
    let url = url::Url::parse(&with_scheme).map_err(|_| field("not a valid address"))?;
    let host = url.host_str().ok_or_else(|| field("not a valid address"))?.to_string();
    let local = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        "http" => return Err(field("the instance must be reached over https")),
        _ => return Err(field("the address must start with https://")),
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(field("enter only the instance's address, such as https://mastodon.social"));
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err(field("enter only the instance's address, without a path"));
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{}{}", url.scheme(), host.to_ascii_lowercase(), port))
}

fn unreachable(e: &reqwest::Error) -> ConnectError {
    ConnectError::Field { field: "instance", reason: format!("the instance could not be reached ({})", from_reqwest(e).reason()) }
}

async fn refused(resp: reqwest::Response) -> ConnectError {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    ConnectError::Network(format!(
        "the instance refused: {} {}",
        status.as_u16(),
        network_message(&body).unwrap_or_else(|| status.canonical_reason().unwrap_or("").into())
    ))
}

/// First leg of OAuth: registers the app on the instance and returns where to send the admin.
pub async fn start_oauth(ctx: &ChannelContext, instance: &str, redirect_uri: &str) -> Result<OAuthStart, ConnectError> {
    let instance = normalize_instance(instance)?;
    let resp = ctx
        .http
        .post(format!("{instance}/api/v1/apps"))
        .form(&[("client_name", "Hirecast"), ("redirect_uris", redirect_uri), ("scopes", SCOPES), ("website", ctx.settings.base_url.as_str())])
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    if !resp.status().is_success() {
        return Err(refused(resp).await);
    }
    let app: Value = resp.json().await.map_err(|_| ConnectError::Field { field: "instance", reason: "this does not look like a Mastodon instance".into() })?;
    let (Some(client_id), Some(client_secret)) = (app["client_id"].as_str(), app["client_secret"].as_str()) else {
        return Err(ConnectError::Field { field: "instance", reason: "this does not look like a Mastodon instance".into() });
    };
    let (verifier, challenge) = pkce();
    let state = random_token(24);
    let mut authorize = url::Url::parse(&format!("{instance}/oauth/authorize")).map_err(|_| ConnectError::Field { field: "instance", reason: "not a valid address".into() })?;
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(OAuthStart {
        authorize_url: authorize.to_string(),
        state,
        pending: PendingOAuth {
            network: Network::Mastodon,
            pkce_verifier: verifier,
            redirect_uri: redirect_uri.to_string(),
            instance: Some(instance),
            client_id: Some(client_id.to_string()),
            client_secret: Some(client_secret.to_string()),
            account_id: None,
            as_organization: false,
            choosing: None,
        },
    })
}

/// Second leg of OAuth: exchanges the callback's `code` for a token and verifies the account.
pub async fn finish_oauth(ctx: &ChannelContext, pending: &PendingOAuth, code: &str) -> Result<Connected, ConnectError> {
    let instance = pending.instance.as_deref().ok_or_else(|| ConnectError::Network("the pending authorization has no instance".into()))?;
    let (client_id, client_secret) = (pending.client_id.clone().unwrap_or_default(), pending.client_secret.clone().unwrap_or_default());
    let resp = ctx
        .http
        .post(format!("{instance}/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("redirect_uri", &pending.redirect_uri),
            ("code_verifier", &pending.pkce_verifier),
            ("scope", SCOPES),
        ])
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    if !resp.status().is_success() {
        return Err(refused(resp).await);
    }
    let body: Value = resp.json().await.map_err(|e| ConnectError::Network(format!("unreadable token answer: {e}")))?;
    let token = body["access_token"].as_str().filter(|t| !t.is_empty()).ok_or_else(|| ConnectError::Network("the instance gave no access token".into()))?;
    verify(ctx, instance, token, Some(client_id), Some(client_secret)).await
}

/// Connects with an access token the admin created on the instance (Preferences → Development).
pub async fn connect_token(ctx: &ChannelContext, instance: &str, access_token: &str) -> Result<Connected, ConnectError> {
    let instance = normalize_instance(instance)?;
    let token = access_token.trim();
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConnectError::Field { field: "access_token", reason: "paste the access token shown by your instance".into() });
    }
    verify(ctx, &instance, token, None, None).await.map_err(|e| match e {
        ConnectError::Network(reason) if reason.contains(" 401 ") || reason.contains(" 403 ") => ConnectError::Field { field: "access_token", reason },
        other => other,
    })
}

/// Verifies the token and reads the account and the instance's limits.
async fn verify(
    ctx: &ChannelContext,
    instance: &str,
    token: &str,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<Connected, ConnectError> {
    let resp = ctx.http.get(format!("{instance}/api/v1/accounts/verify_credentials")).bearer_auth(token).send().await.map_err(|e| unreachable(&e))?;
    if !resp.status().is_success() {
        return Err(refused(resp).await);
    }
    let me: Value = resp.json().await.map_err(|e| ConnectError::Network(format!("unreadable account: {e}")))?;
    let (Some(id), Some(username)) = (me["id"].as_str(), me["username"].as_str()) else {
        return Err(ConnectError::Network("the instance answered an account without id or username".into()));
    };
    let resp = ctx.http.get(format!("{instance}/api/v2/instance")).send().await.map_err(|e| unreachable(&e))?;
    let info: Value = if resp.status().is_success() { resp.json().await.unwrap_or(Value::Null) } else { Value::Null };
    let (max_characters, url_reserve) = limits_of(&info);
    let host = info["domain"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| instance.split("://").nth(1).unwrap_or(instance).to_string());
    let acct = format!("@{username}@{host}");
    Ok(Connected {
        name: acct.clone(),
        config: AccountConfig::Mastodon {
            instance: instance.to_string(),
            acct: Some(acct),
            account_id: Some(id.to_string()),
            max_characters,
            url_reserve,
        },
        credentials: Credentials::Mastodon { access_token: token.to_string(), client_id, client_secret },
        token_expires_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_are_normalized_and_plain_http_refused_off_this_machine() {
        assert_eq!(normalize_instance("mastodon.social").unwrap(), "https://mastodon.social");
        assert_eq!(normalize_instance(" https://Mastodon.Social/ ").unwrap(), "https://mastodon.social");
        assert_eq!(normalize_instance("http://127.0.0.1:3000").unwrap(), "http://127.0.0.1:3000");
        assert_eq!(normalize_instance("http://localhost:3000/").unwrap(), "http://localhost:3000");
        for bad in ["", "http://mastodon.social", "ftp://mastodon.social", "https://mastodon.social/@jobs", "https://u:p@mastodon.social", "https://x.org/?a=b"] {
            assert!(matches!(normalize_instance(bad), Err(ConnectError::Field { field: "instance", .. })), "{bad}");
        }
    }

    #[test]
    fn the_marker_is_found_in_html_content() {
        let s = json!({"content": "<p>Rust <a href=\"https://jobs.example.org/r/ab12\">jobs.example.org/r/ab12</a></p>"});
        assert!(carries(&s, "https://jobs.example.org/r/ab12"));
        assert!(!carries(&s, "https://jobs.example.org/r/zz99"));
        assert!(!carries(&s, ""));
    }
}
