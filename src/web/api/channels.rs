//! /api/v1/channels: the connected accounts openings are published to.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::model::rfc3339;
use crate::broadcast::connect::{ConnectError, Connected};
use crate::broadcast::{Credentials, WebhookFlavour};
use crate::compose::Network;
use crate::domain::user::Role;
use crate::domain::{FieldError, Invalid};
use crate::store::channels::{self as store, AccountStatus, ChannelAccount, NewAccount};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// A connected channel account (never its credentials).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelOut {
    pub id: String,
    pub network: Network,
    /// What people see: "@jobs@mastodon.social".
    pub name: String,
    /// `connected`, or `reconnect_needed` when the network refused the credentials.
    #[schema(example = "connected")]
    pub status: String,
    /// The network's words when it refused the credentials.
    pub status_reason: Option<String>,
    #[schema(format = DateTime)]
    pub checked_at: Option<String>,
    /// When the access ends unless it is refreshed or the account reconnected.
    #[schema(format = DateTime)]
    pub token_expires_at: Option<String>,
    pub archived: bool,
}

impl From<&ChannelAccount> for ChannelOut {
    fn from(a: &ChannelAccount) -> Self {
        ChannelOut {
            id: a.id.clone(),
            network: a.network,
            name: a.name.clone(),
            status: a.status.as_str().into(),
            status_reason: a.status_reason.clone().filter(|_| a.status != AccountStatus::Connected),
            checked_at: a.checked_at.map(rfc3339),
            token_expires_at: a.token_expires_at.map(rfc3339),
            archived: a.archived,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    pub items: Vec<ChannelOut>,
}

/// List the connected channels.
///
/// For recruiters and admins (hiring managers do not publish).
#[utoipa::path(
    get, path = "/api/v1/channels", tag = "channels",
    responses(
        (status = 200, description = "Connected accounts, oldest first", body = ChannelList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not see channels", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn list(state: web::Data<AppState>, caller: ApiCaller) -> Result<HttpResponse, ApiError> {
    if !caller.user.role.can_edit_openings() {
        return Err(ApiError::Forbidden);
    }
    let accounts = crate::store::run(&state.pool, |c| store::list(c, false)).await?;
    Ok(HttpResponse::Ok().json(ChannelList { items: accounts.iter().map(ChannelOut::from).collect() }))
}

/// Disconnect a channel.
///
/// Its credentials are erased and nothing more is sent through it; its history stays. Admins only.
#[utoipa::path(
    post, path = "/api/v1/channels/{id}/disconnect", tag = "channels",
    params(("id" = String, Path, description = "Channel account id")),
    responses(
        (status = 200, description = "The account, now archived", body = ChannelOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Only admins disconnect channels", body = ErrorBody),
        (status = 404, description = "No such account, or already disconnected", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn disconnect(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    if caller.user.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let id = id.into_inner();
    let account = crate::store::run(&state.pool, move |c| {
        if !store::archive(c, &id)? {
            return Ok(None);
        }
        store::find(c, &id)
    })
    .await?;
    let account = account.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(ChannelOut::from(&account)))
}

/// What connecting a channel takes, for the networks that connect with a token or an address.
/// X and LinkedIn (and Mastodon without a pasted token) connect through OAuth, in the web app.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    /// mastodon, bluesky, slack, discord, teams, webhook (generic, signed) or email.
    #[schema(example = "mastodon")]
    pub network: String,
    /// Mastodon: the instance's address, such as https://mastodon.social.
    #[serde(default)]
    pub instance: Option<String>,
    /// Mastodon: an access token created on the instance (Preferences → Development), scopes read and write.
    #[serde(default)]
    pub access_token: Option<String>,
    /// Bluesky: the handle (jobs.bsky.social) or DID.
    #[serde(default)]
    pub identifier: Option<String>,
    /// Bluesky: an app password (not the account's password).
    #[serde(default)]
    pub app_password: Option<String>,
    /// Slack, Discord, Teams, generic webhook: the incoming webhook's https address.
    #[serde(default)]
    pub url: Option<String>,
    /// Generic webhook: the HMAC-SHA256 key (at least 32 characters); generated when omitted.
    #[serde(default)]
    pub signing_secret: Option<String>,
    /// Email list: its name.
    #[serde(default)]
    pub list_name: Option<String>,
}

impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest").field("network", &self.network).field("instance", &self.instance).finish_non_exhaustive()
    }
}

/// A channel just connected.
#[derive(Serialize, ToSchema)]
pub struct ConnectedOut {
    pub channel: ChannelOut,
    /// Generic webhook only: the signing secret receivers verify requests with. Shown in this
    /// response only (it is stored encrypted and never shown again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

fn invalid(field: &str, code: &'static str, en: &str, fr: &str) -> ApiError {
    ApiError::Invalid(Invalid::one(FieldError::new(field, code, en, fr)))
}

/// A connect function's refusal, as the API says it: the field at fault (422), the network's
/// refusal (502), or a network this server is not set up for (422 on `network`).
fn connect_error(e: ConnectError) -> ApiError {
    match e {
        ConnectError::Field { field, reason } => ApiError::Invalid(Invalid::one(FieldError::new(field, "refused", reason.clone(), reason))),
        ConnectError::Network(message) => ApiError::Upstream { message },
        ConnectError::NotConfigured(reason) => ApiError::Invalid(Invalid::one(FieldError::new("network", "not_configured", reason.clone(), reason))),
    }
}

/// The fields a network needs, all reported at once when missing.
fn required(r: &ConnectRequest, network: Network) -> Result<(), Invalid> {
    let mut inv = Invalid::default();
    let mut need = |field: &str, v: &Option<String>| {
        if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
            inv.push(FieldError::new(field, "required", "is required", "est obligatoire"));
        }
    };
    match network {
        Network::Mastodon => {
            need("instance", &r.instance);
            need("access_token", &r.access_token);
        }
        Network::Bluesky => {
            need("identifier", &r.identifier);
            need("app_password", &r.app_password);
        }
        Network::Slack | Network::Discord | Network::Teams | Network::Webhook => need("url", &r.url),
        Network::Email => need("list_name", &r.list_name),
        Network::X | Network::LinkedIn => {}
    }
    if inv.is_empty() {
        Ok(())
    } else {
        Err(inv)
    }
}

/// Connect a channel.
///
/// For the networks that connect with a token or an address: Mastodon (instance and access
/// token), Bluesky (identifier and app password), Slack, Discord and Teams incoming webhooks,
/// the generic signed webhook (its signing secret is returned once), and job-alert email lists.
/// The credentials are checked with the network first (Mastodon: verify_credentials; Bluesky: a
/// session) and stored encrypted. X, LinkedIn and Mastodon without a token connect through
/// OAuth on the channels page of the web app. Admins only.
#[utoipa::path(
    post, path = "/api/v1/channels", tag = "channels",
    request_body(content = ConnectRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Connected (and the generic webhook's signing secret, this once)", body = ConnectedOut),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Only admins connect channels", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "A missing or refused field (`instance`, `access_token`, `identifier`, `app_password`, `url`, `signing_secret`, `list_name`), a network that connects through OAuth or is not set up here (`network`)", body = ErrorBody),
        (status = 502, description = "The network refused the connection or answered in a way that cannot be used", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn connect(state: web::Data<AppState>, caller: ApiCaller, body: JsonBody) -> Result<HttpResponse, ApiError> {
    use crate::broadcast::{bluesky, email_list, mastodon, webhook};
    if caller.user.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let r: ConnectRequest = body.read().await?;
    let network = Network::parse(r.network.trim()).map_err(|_| {
        invalid(
            "network",
            "unknown_network",
            "must be one of: mastodon, bluesky, slack, discord, teams, webhook, email",
            "doit être mastodon, bluesky, slack, discord, teams, webhook ou email",
        )
    })?;
    if matches!(network, Network::X | Network::LinkedIn) {
        return Err(invalid(
            "network",
            "oauth_only",
            &format!("{} connects through OAuth: connect it on the channels page of the web app", network.label()),
            &format!("{} se connecte par OAuth : connectez-le depuis la page Canaux de l'application", network.label()),
        ));
    }
    required(&r, network)?;
    let ctx = crate::broadcast::ChannelContext::new(state.pool.clone(), state.settings.clone(), state.clock.clone(), state.key.clone());
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let connected: Connected = match network {
        Network::Mastodon => mastodon::connect_token(&ctx, &text(&r.instance), &text(&r.access_token)).await,
        Network::Bluesky => bluesky::connect(&ctx, &text(&r.identifier), &text(&r.app_password)).await,
        Network::Slack => webhook::connect(WebhookFlavour::Slack, &text(&r.url), None),
        Network::Discord => webhook::connect(WebhookFlavour::Discord, &text(&r.url), None),
        Network::Teams => webhook::connect(WebhookFlavour::Teams, &text(&r.url), None),
        Network::Webhook => webhook::connect(WebhookFlavour::Generic, &text(&r.url), Some(text(&r.signing_secret).as_str()).filter(|s| !s.is_empty())),
        Network::Email => email_list::connect(&state.settings, &text(&r.list_name)),
        Network::X | Network::LinkedIn => unreachable!("refused above"),
    }
    .map_err(connect_error)?;
    let signing_secret = match (&connected.credentials, network) {
        (Credentials::Webhook { signing_secret: Some(s), .. }, Network::Webhook) => Some(s.clone()),
        _ => None,
    };
    let (key, by) = (state.key.clone(), caller.user.id.clone());
    let account = crate::store::run(&state.pool, move |c| {
        let c2 = &connected;
        store::create(c, &key, NewAccount { name: &c2.name, config: &c2.config, credentials: &c2.credentials, token_expires_at: c2.token_expires_at, created_by: Some(&by) })
    })
    .await?;
    Ok(HttpResponse::Created().json(ConnectedOut { channel: ChannelOut::from(&account), signing_secret }))
}
