//! LinkedIn (Posts API): posts as a member or an organization, deletions, and the connect
//! flow (authorization code; the member read from `/v2/userinfo`).
//!
//! Every call carries `LinkedIn-Version` (YYYYMM, from the settings) and
//! `X-Restli-Protocol-Version: 2.0.0`. The commentary arrives already escaped by the composer
//! (LinkedIn's "little" format). Member tokens last about 60 days and most apps get no refresh
//! token: the account's `token_expires_at` lets the UI warn a week before. Reading and writing
//! comments needs a restricted permission, so "position filled" replies are refused with a
//! reason (delete the post instead). Reading an author's posts back needs one too: when
//! LinkedIn refuses it (401/403), a delivery of unknown outcome waits for a person ("needs
//! review"), as for webhooks; the account is not marked "reconnect needed".
use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;
use serde_json::json;

use super::connect::{random_token, ConnectError, Connected, OAuthStart, PendingOAuth};
use super::http::{check_status, from_reqwest};
use super::x::{authorize_url, token_request, urlencode, ClientAuth, OAuthTokens};
use super::{AccountConfig, BoxFut, Channel, ChannelContext, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use crate::compose::Network;
use crate::store::channels::ChannelAccount;

/// What hirecast asks of a LinkedIn member.
pub const SCOPES: &str = "openid profile w_member_social";

/// To post as an organization too: `w_organization_social` posts, `rw_organization_admin`
/// lists the organizations the member administers.
pub const ORGANIZATION_SCOPES: &str = "openid profile w_member_social w_organization_social rw_organization_admin";

/// A LinkedIn account (member or organization), posting as `author_urn`.
pub struct LinkedInChannel {
    author_urn: String,
    tokens: OAuthTokens,
}

#[derive(Deserialize)]
struct PostList {
    #[serde(default)]
    elements: Vec<PostElement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostElement {
    id: String,
    #[serde(default)]
    commentary: String,
    /// Epoch milliseconds.
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    published_at: Option<i64>,
}

/// The text as displayed: LinkedIn's "little" escapes removed.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The public address of a post (or share) URN.
pub fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}/")
}

impl LinkedInChannel {
    /// The client for a stored account (its config must be [`AccountConfig::LinkedIn`]).
    pub fn new(account: &ChannelAccount, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let author = match &account.config {
            AccountConfig::LinkedIn { author_urn, .. } => author_urn.clone(),
            _ => String::new(),
        };
        Self::for_author(&author, creds, ctx)
    }

    /// The client for an author URN (`urn:li:person:…` or `urn:li:organization:…`).
    pub fn for_author(author_urn: &str, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let b = &ctx.settings.broadcast;
        let tokens = OAuthTokens::new(
            creds,
            ctx.clone(),
            format!("{}/accessToken", b.linkedin_auth_url),
            b.linkedin_client_id.clone(),
            b.linkedin_client_secret.clone(),
            ClientAuth::InBody,
            "LinkedIn",
        );
        Self { author_urn: author_urn.into(), tokens }
    }

    fn api(&self, path: &str) -> String {
        format!("{}{}", self.tokens.ctx.settings.broadcast.linkedin_api_url, path)
    }

    fn now(&self) -> NaiveDateTime {
        self.tokens.ctx.clock.now()
    }

    /// The headers every Posts API call carries.
    fn rest(&self, req: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
        req.bearer_auth(token)
            .header("LinkedIn-Version", &self.tokens.ctx.settings.broadcast.linkedin_version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    }

    async fn post(&self, out: &Outgoing) -> Result<RemotePost, SendError> {
        // LinkedIn has no threads: the composer makes one post; several are joined.
        let commentary = out.posts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n");
        if commentary.trim().is_empty() {
            return Err(SendError::Rejected { status: None, reason: "there is nothing to post".into() });
        }
        let body = json!({
            "author": self.author_urn,
            "commentary": commentary,
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": []
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false
        });
        let url = self.api("/rest/posts");
        let http = &self.tokens.ctx.http;
        let resp = self.tokens.call(|token| self.rest(http.post(&url), token).json(&body)).await?;
        let resp = check_status(resp, self.now()).await?;
        let urn = resp
            .headers()
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
            .filter(|s| s.starts_with("urn:li:"))
            .ok_or_else(|| SendError::Unknown { reason: "LinkedIn accepted the post but did not say which it is (no x-restli-id)".into() })?;
        Ok(RemotePost { url: Some(post_url(&urn)), ids: vec![urn.clone()], id: urn })
    }

    async fn delete(&self, out: &Outgoing) -> Result<RemotePost, SendError> {
        let Some(parent) = &out.parent else {
            return Err(SendError::Rejected { status: None, reason: "there is no post to delete".into() });
        };
        let url = self.api(&format!("/rest/posts/{}", urlencode(&parent.id)));
        let http = &self.tokens.ctx.http;
        let resp = self.tokens.call(|token| self.rest(http.delete(&url), token)).await?;
        if resp.status() != reqwest::StatusCode::NOT_FOUND {
            check_status(resp, self.now()).await?;
        }
        Ok(parent.clone())
    }

    async fn find_posted(&self, out: &Outgoing) -> Result<Option<RemotePost>, SendError> {
        match out.kind {
            // Deleting again is harmless (a 404 counts as deleted).
            DeliveryKind::Delete => return Ok(None),
            // Never sent: see `send`.
            DeliveryKind::FilledReply => return Ok(None),
            DeliveryKind::Post | DeliveryKind::Repost => {}
        }
        let url = self.api("/rest/posts");
        let query = [("author", self.author_urn.as_str()), ("q", "author"), ("count", "50")];
        let http = &self.tokens.ctx.http;
        // Listing an author's posts needs a restricted permission (r_member_social, or
        // r_organization_social for pages) that hirecast does not ask for: a 401 or 403 here
        // says the posts cannot be read back, not that the account must be reconnected. No
        // refresh is tried for it either.
        let token = self.tokens.access_token().await?;
        let resp = self.rest(http.get(&url).query(&query), &token).send().await.map_err(|e| from_reqwest(&e))?;
        if matches!(resp.status().as_u16(), 401 | 403) {
            tracing::info!(author = %self.author_urn, status = resp.status().as_u16(), "LinkedIn posts cannot be read back with this app's permissions");
            return Err(SendError::Unsupported);
        }
        let resp = check_status(resp, self.now()).await?;
        let list: PostList =
            resp.json().await.map_err(|_| SendError::Retry { reason: "LinkedIn's list of posts could not be read".into(), at: None })?;
        let since_ms = out.since.and_utc().timestamp_millis();
        let found = list.elements.into_iter().find(|p| {
            let when = p.created_at.or(p.published_at);
            when.is_none_or(|ms| ms >= since_ms) && (p.commentary.contains(&out.marker) || unescape(&p.commentary).contains(&out.marker))
        });
        Ok(found.map(|p| RemotePost { url: Some(post_url(&p.id)), ids: vec![p.id.clone()], id: p.id }))
    }
}

impl Channel for LinkedInChannel {
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>> {
        Box::pin(async move {
            match out.kind {
                DeliveryKind::Post | DeliveryKind::Repost => self.post(out).await,
                DeliveryKind::FilledReply => Err(SendError::Rejected {
                    status: None,
                    reason: "LinkedIn does not let this app comment on posts (a restricted permission); delete the post instead".into(),
                }),
                DeliveryKind::Delete => self.delete(out).await,
            }
        })
    }

    fn find<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>> {
        Box::pin(self.find_posted(out))
    }

    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>> {
        Box::pin(async move {
            let url = self.api("/v2/userinfo");
            let http = &self.tokens.ctx.http;
            let resp = self.tokens.call(|token| http.get(&url).bearer_auth(token)).await?;
            check_status(resp, self.now()).await.map(|_| ())
        })
    }
}

fn configured(ctx: &ChannelContext) -> Result<(String, String), ConnectError> {
    let b = &ctx.settings.broadcast;
    let id = b.linkedin_client_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let secret = b.linkedin_client_secret.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (id, secret) {
        (Some(id), Some(secret)) => Ok((id.into(), secret.into())),
        _ => Err(ConnectError::NotConfigured(
            "LinkedIn is not set up on this server: set HIRECAST_LINKEDIN_CLIENT_ID and HIRECAST_LINKEDIN_CLIENT_SECRET".into(),
        )),
    }
}

/// The first leg of connecting a LinkedIn member: where to send the admin. LinkedIn's web
/// flow authenticates the app with its secret (PKCE is for its native apps only), so
/// `pending.pkce_verifier` is empty.
pub fn start_oauth(ctx: &ChannelContext, redirect_uri: &str) -> Result<OAuthStart, ConnectError> {
    start_oauth_with(ctx, redirect_uri, SCOPES, false)
}

/// As [`start_oauth`], also asking to post as the organizations the member administers
/// ([`ORGANIZATION_SCOPES`]: the app needs LinkedIn's Community Management API). After
/// [`finish_oauth`], list them with [`organizations`] and pick one with [`as_organization`].
pub fn start_oauth_for_organizations(ctx: &ChannelContext, redirect_uri: &str) -> Result<OAuthStart, ConnectError> {
    start_oauth_with(ctx, redirect_uri, ORGANIZATION_SCOPES, true)
}

fn start_oauth_with(ctx: &ChannelContext, redirect_uri: &str, scopes: &str, as_organization: bool) -> Result<OAuthStart, ConnectError> {
    let (client_id, _) = configured(ctx)?;
    let state = random_token(24);
    let authorize_url = authorize_url(
        &format!("{}/authorization", ctx.settings.broadcast.linkedin_auth_url),
        &[("response_type", "code"), ("client_id", &client_id), ("redirect_uri", redirect_uri), ("state", &state), ("scope", scopes)],
    )?;
    Ok(OAuthStart {
        authorize_url,
        state,
        pending: PendingOAuth {
            network: Network::LinkedIn,
            pkce_verifier: String::new(),
            redirect_uri: redirect_uri.into(),
            instance: None,
            client_id: Some(client_id),
            client_secret: None,
            account_id: None,
            as_organization,
            choosing: None,
        },
    })
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
}

/// The callback leg: exchanges `code` for a token and reads the member (`GET /v2/userinfo`).
/// `token_expires_at` is when the admin must reconnect (the refresh token's end when LinkedIn
/// gave one, else the access token's).
pub async fn finish_oauth(ctx: &ChannelContext, pending: &PendingOAuth, code: &str) -> Result<Connected, ConnectError> {
    if pending.network != Network::LinkedIn {
        return Err(ConnectError::Network("this authorization was not started for LinkedIn".into()));
    }
    let code = code.trim();
    if code.is_empty() {
        return Err(ConnectError::Field { field: "code", reason: "LinkedIn sent no authorization code back".into() });
    }
    let (client_id, secret) = configured(ctx)?;
    let b = &ctx.settings.broadcast;
    let now = ctx.clock.now();
    let form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code.to_string()),
        ("redirect_uri", pending.redirect_uri.clone()),
    ];
    let tokens = token_request(&ctx.http, &format!("{}/accessToken", b.linkedin_auth_url), form, &client_id, Some(&secret), ClientAuth::InBody, now)
        .await
        .map_err(|e| ConnectError::Network(format!("LinkedIn did not grant access: {}", e.reason())))?;
    let resp = ctx
        .http
        .get(format!("{}/v2/userinfo", b.linkedin_api_url))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .map_err(|e| ConnectError::Network(format!("LinkedIn could not be reached: {}", from_reqwest(&e).reason())))?;
    let resp = check_status(resp, now).await.map_err(|e| ConnectError::Network(format!("LinkedIn did not show the member: {}", e.reason())))?;
    let me: UserInfo = resp.json().await.map_err(|_| ConnectError::Network("LinkedIn's description of the member could not be read".into()))?;
    if me.sub.trim().is_empty() {
        return Err(ConnectError::Network("LinkedIn did not say who the member is".into()));
    }
    let display_name = me
        .name
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            let full = [me.given_name.as_deref(), me.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
            (!full.trim().is_empty()).then_some(full)
        })
        .unwrap_or_else(|| "LinkedIn member".into());
    let expires_in = tokens.refresh_token.as_ref().and(tokens.refresh_token_expires_in).or(tokens.expires_in);
    Ok(Connected {
        name: display_name.clone(),
        config: AccountConfig::LinkedIn { author_urn: format!("urn:li:person:{}", me.sub.trim()), display_name },
        credentials: tokens.credentials(now),
        token_expires_at: expires_in.filter(|s| *s > 0).map(|s| now + Duration::seconds(s)),
    })
}

/// An organization (company page) the connected member may post as.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Organization {
    /// `urn:li:organization:…`
    pub urn: String,
    pub name: String,
}

/// A member's connection waiting for the admin to pick the page it posts as.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct OrganizationChoice {
    pub member: Connected,
    pub organizations: Vec<Organization>,
}

#[derive(Deserialize)]
struct AclList {
    #[serde(default)]
    elements: Vec<Acl>,
}

#[derive(Deserialize)]
struct Acl {
    organization: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    state: String,
}

/// The organizations the member behind `connected` administers (approved `ADMINISTRATOR` or
/// `CONTENT_ADMINISTRATOR` roles), with their names. Needs a token from
/// [`start_oauth_for_organizations`].
pub async fn organizations(ctx: &ChannelContext, connected: &Connected) -> Result<Vec<Organization>, ConnectError> {
    let super::Credentials::OAuth2 { access_token, .. } = &connected.credentials else {
        return Err(ConnectError::Network("this is not a LinkedIn connection".into()));
    };
    let b = &ctx.settings.broadcast;
    let now = ctx.clock.now();
    let get = |url: String| {
        ctx.http
            .get(url)
            .bearer_auth(access_token)
            .header("LinkedIn-Version", &b.linkedin_version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    };
    let resp = get(format!("{}/rest/organizationAcls", b.linkedin_api_url))
        .query(&[("q", "roleAssignee"), ("state", "APPROVED"), ("count", "100")])
        .send()
        .await
        .map_err(|e| ConnectError::Network(format!("LinkedIn could not be reached: {}", from_reqwest(&e).reason())))?;
    let resp = check_status(resp, now)
        .await
        .map_err(|e| ConnectError::Network(format!("LinkedIn did not list the member's organizations: {}", e.reason())))?;
    let acls: AclList = resp.json().await.map_err(|_| ConnectError::Network("LinkedIn's list of organizations could not be read".into()))?;
    let mut out: Vec<Organization> = Vec::new();
    for acl in acls.elements {
        let can_post = matches!(acl.role.as_str(), "ADMINISTRATOR" | "CONTENT_ADMINISTRATOR") && acl.state == "APPROVED";
        let Some(id) = acl.organization.strip_prefix("urn:li:organization:").filter(|id| id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty()) else {
            continue;
        };
        if !can_post || out.iter().any(|o| o.urn == acl.organization) {
            continue;
        }
        // The name, for people; the URN when LinkedIn does not give it.
        let name = match get(format!("{}/rest/organizations/{id}", b.linkedin_api_url)).send().await {
            Ok(r) if r.status().is_success() => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| v.get("localizedName").and_then(|n| n.as_str()).map(str::to_string))
                .unwrap_or_else(|| acl.organization.clone()),
            _ => acl.organization.clone(),
        };
        out.push(Organization { urn: acl.organization.clone(), name });
    }
    Ok(out)
}

/// The same connection, posting as `org` rather than as the member.
pub fn as_organization(connected: Connected, org: &Organization) -> Result<Connected, ConnectError> {
    let valid = org.urn.strip_prefix("urn:li:organization:").is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return Err(ConnectError::Field { field: "organization", reason: "must be a LinkedIn organization (urn:li:organization:…)".into() });
    }
    Ok(Connected {
        name: org.name.clone(),
        config: AccountConfig::LinkedIn { author_urn: org.urn.clone(), display_name: org.name.clone() },
        ..connected
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_removes_little_format_escapes() {
        assert_eq!(unescape(r"Développeur \(H/F\) https://jobs.example.org/r/ab\_12"), "Développeur (H/F) https://jobs.example.org/r/ab_12");
    }

    #[test]
    fn post_urls_use_the_urn() {
        assert_eq!(post_url("urn:li:share:123"), "https://www.linkedin.com/feed/update/urn:li:share:123/");
    }
}
