//! /app/channels: the accounts openings are published to. Admins connect (a form per network,
//! or an OAuth round trip), reconnect, check and disconnect them; recruiters see the list.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;

use super::{db_err, FieldErrors, FormData, Layout, Notice};
use crate::broadcast::connect::{random_token, ConnectError, Connected, OAuthStart, PendingOAuth};
use crate::broadcast::Credentials;
use crate::compose::Network;
use crate::domain::user::Role;
use crate::i18n::broadcast::BroadcastText;
use crate::store::channels::{self as store, AccountStatus, ChannelAccount, NewAccount};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

/// Where networks send the admin back after an OAuth authorization.
pub const CALLBACK_PATH: &str = "/app/channels/oauth/callback";

/// Warn this long before a token expires (LinkedIn's last about 60 days, X's refresh).
const EXPIRY_WARNING_DAYS: i64 = 7;

fn require_admin(me: &SignedIn) -> Result<(), PageError> {
    if me.role() == Role::Admin {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

/// Admins and recruiters see the channels; hiring managers do not publish.
fn require_viewer(me: &SignedIn) -> Result<(), PageError> {
    if me.role().can_edit_openings() {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

// ---------- connecting: what the network modules are given ----------

/// One connect form as submitted (field names as in the form). Secrets are never logged.
#[derive(Clone, Default)]
#[allow(dead_code)] // read by the network modules' connect functions once wired
pub struct ConnectForm {
    pub network: Option<Network>,
    /// Reconnecting this account rather than adding one.
    pub account_id: Option<String>,
    /// Mastodon: the instance's address (`https://mastodon.social`); field `instance`.
    pub instance: String,
    /// Mastodon: an access token pasted instead of the OAuth round trip; field `access_token`.
    pub access_token: String,
    /// Bluesky: handle or DID; field `handle`.
    pub handle: String,
    /// Bluesky: an app password; field `app_password`.
    pub app_password: String,
    /// Slack, Discord, Teams, generic webhook: the incoming webhook's address; field `url`.
    pub url: String,
    /// Generic webhook: the HMAC key (generated here when left empty); field `signing_secret`.
    pub signing_secret: String,
    /// Email list: its name; field `list_name`.
    pub list_name: String,
    /// LinkedIn: `member` (default) or `organization` (a page the member administers); field `post_as`.
    pub post_as: String,
    /// Where an OAuth network sends the admin back: `{base_url}/app/channels/oauth/callback`.
    pub redirect_uri: String,
}

impl std::fmt::Debug for ConnectForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectForm").field("network", &self.network).field("account_id", &self.account_id).field("instance", &self.instance).finish_non_exhaustive()
    }
}

impl ConnectForm {
    fn from_form(f: &FormData, redirect_uri: String) -> Self {
        let trimmed = |k: &str| f.get(k).trim().to_string();
        Self {
            network: Network::parse(&f.get("network")).ok(),
            account_id: Some(trimmed("account_id")).filter(|s| !s.is_empty()),
            instance: trimmed("instance"),
            access_token: trimmed("access_token"),
            handle: trimmed("handle").trim_start_matches('@').to_string(),
            app_password: trimmed("app_password"),
            url: trimmed("url"),
            signing_secret: trimmed("signing_secret"),
            list_name: trimmed("list_name"),
            post_as: if trimmed("post_as") == "organization" { "organization".into() } else { "member".into() },
            redirect_uri,
        }
    }
}

/// What submitting a connect form leads to.
#[derive(Debug)]

pub enum ConnectStep {
    /// Verified: store the account.
    Done(Connected),
    /// Send the admin to the network; the pending flow is kept until the callback.
    Redirect(OAuthStart),
}

/// Connects an account from its form: verifies the credentials with the network (webhooks:
/// the address; Bluesky: a session with the app password; Mastodon with a pasted token:
/// verify_credentials), or starts the OAuth authorization (Mastodon without a token, X,
/// LinkedIn). Field errors name the form's fields (`instance`, `access_token`, `handle`,
/// `app_password`, `url`, `signing_secret`, `list_name`).
async fn connect(state: &AppState, form: &ConnectForm) -> Result<ConnectStep, ConnectError> {
    use crate::broadcast::{bluesky, email_list, linkedin, mastodon, webhook, x, WebhookFlavour};
    let Some(network) = form.network else { return Err(ConnectError::Field { field: "network", reason: "unknown network".into() }) };
    let ctx = channel_context(state);
    let redirect = form.redirect_uri.as_str();
    let secret = Some(form.signing_secret.trim()).filter(|s| !s.is_empty());
    let done = |r: Result<crate::broadcast::connect::Connected, ConnectError>| r.map(ConnectStep::Done);
    match network {
        Network::Mastodon if !form.access_token.trim().is_empty() => {
            done(mastodon::connect_token(&ctx, &form.instance, form.access_token.trim()).await)
        }
        Network::Mastodon => mastodon::start_oauth(&ctx, &form.instance, redirect).await.map(ConnectStep::Redirect),
        // The Bluesky client names the field "identifier"; the form calls it "handle".
        Network::Bluesky => done(bluesky::connect(&ctx, &form.handle, &form.app_password).await.map_err(|e| match e {
            ConnectError::Field { field: "identifier", reason } => ConnectError::Field { field: "handle", reason },
            other => other,
        })),
        Network::X => x::start_oauth(&ctx, redirect).map(ConnectStep::Redirect),
        Network::LinkedIn if form.post_as == "organization" => linkedin::start_oauth_for_organizations(&ctx, redirect).map(ConnectStep::Redirect),
        Network::LinkedIn => linkedin::start_oauth(&ctx, redirect).map(ConnectStep::Redirect),
        Network::Slack => done(webhook::connect(WebhookFlavour::Slack, &form.url, None)),
        Network::Discord => done(webhook::connect(WebhookFlavour::Discord, &form.url, None)),
        Network::Teams => done(webhook::connect(WebhookFlavour::Teams, &form.url, None)),
        Network::Webhook => done(webhook::connect(WebhookFlavour::Generic, &form.url, secret)),
        Network::Email => done(email_list::connect(&state.settings, &form.list_name)),
    }
}

fn channel_context(state: &AppState) -> crate::broadcast::ChannelContext {
    crate::broadcast::ChannelContext::new(state.pool.clone(), state.settings.clone(), state.clock.clone(), state.key.clone())
}

/// Ends an OAuth authorization: exchanges `code` (with the PKCE verifier of `pending`) for
/// tokens and reads who the account is.
async fn finish(state: &AppState, pending: &PendingOAuth, code: &str) -> Result<Connected, ConnectError> {
    use crate::broadcast::{linkedin, mastodon, x};
    let ctx = channel_context(state);
    match pending.network {
        Network::Mastodon => mastodon::finish_oauth(&ctx, pending, code).await,
        Network::X => x::finish_oauth(&ctx, pending, code).await,
        Network::LinkedIn => linkedin::finish_oauth(&ctx, pending, code).await,
        other => Err(ConnectError::Network(format!("{} does not connect through OAuth", other.label()))),
    }
}

/// Checks that an account's credentials still work and records its health.
async fn check_account(state: &AppState, account_id: &str) -> Result<(), String> {
    match crate::broadcast::worker::check_account(&channel_context(state), account_id).await {
        Ok((_, None)) => Ok(()),
        Ok((_, Some(reason))) => Err(reason),
        Err(e) => {
            tracing::warn!(account = %account_id, error = %format!("{e:#}"), "account check failed");
            Err("the check could not be run".into())
        }
    }
}

/// Why a network cannot be connected on this server, if it cannot.
fn not_configured(state: &AppState, b: &BroadcastText, network: Network) -> Option<String> {
    let s = &state.settings.broadcast;
    let missing = match network {
        Network::X if s.x_client_id.is_none() => b.not_configured_x,
        Network::LinkedIn if s.linkedin_client_id.is_none() => b.not_configured_linkedin,
        Network::Email if s.smtp_url.is_none() => b.not_configured_email,
        _ => return None,
    };
    Some(format!("{} {missing}", b.not_configured.replace("{network}", network.label())))
}

fn uses_oauth_only(network: Network) -> bool {
    matches!(network, Network::X | Network::LinkedIn)
}

// ---------- the list ----------

pub struct AccountLine {
    pub id: String,
    pub network: &'static str,
    pub network_label: &'static str,
    pub name: String,
    pub connected: bool,
    pub reason: String,
    pub checked: Option<String>,
    pub expiry_warning: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/channels.html")]
struct ChannelsPage {
    page: Layout,
    b: &'static BroadcastText,
    is_admin: bool,
    accounts: Vec<AccountLine>,
    notice: Option<Notice>,
    new_secret: Option<String>,
}

async fn render_list(req: &HttpRequest, state: &AppState, me: &SignedIn, notice: Option<Notice>, new_secret: Option<String>, status: StatusCode) -> Result<HttpResponse, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let uid = me.user.id.clone();
    let (accounts, tz) =
        crate::store::run(&state.pool, move |c| Ok((store::list(c, false)?, super::broadcast::time_zone_of(c, &uid)?))).await.map_err(db_err)?;
    let now = state.clock.now();
    let page = ChannelsPage {
        page: Layout::signed_in(me, req, "channels", b.channels_title),
        b,
        is_admin: me.role() == Role::Admin,
        accounts: accounts
            .iter()
            .map(|a| AccountLine {
                id: a.id.clone(),
                network: a.network.as_str(),
                network_label: a.network.label(),
                name: a.name.clone(),
                connected: a.status == AccountStatus::Connected,
                reason: a.status_reason.clone().unwrap_or_default(),
                checked: a.checked_at.as_ref().map(|t| super::broadcast::local_time(t, tz)),
                expiry_warning: a
                    .token_expires_at
                    .filter(|t| *t <= now + Duration::days(EXPIRY_WARNING_DAYS))
                    .map(|t| b.token_expires.replace("{date}", &super::broadcast::local_time(&t, tz))),
            })
            .collect(),
        notice,
        new_secret,
    };
    let mut res = html_status(status, &page)?;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// GET /app/channels
pub async fn list(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    require_viewer(&me)?;
    let b = crate::i18n::broadcast::text(me.lang);
    let notice = match q.done.as_deref() {
        Some("connected") => Notice::ok(b.done_connected),
        Some("reconnected") => Notice::ok(b.done_reconnected),
        Some("disconnected") => Notice::ok(b.done_disconnected),
        Some("checked") => Notice::ok(b.done_checked),
        _ => None,
    };
    render_list(&req, &state, &me, notice, None, StatusCode::OK).await
}

// ---------- the connect form ----------

pub struct NetworkLink {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "ui/channels_new.html")]
struct ConnectPage {
    page: Layout,
    b: &'static BroadcastText,
    networks: Vec<NetworkLink>,
    /// The chosen network's value ("" to choose one).
    network: &'static str,
    /// OAuth only (X, LinkedIn): a button, no fields.
    oauth_only: bool,
    oauth_note: String,
    not_configured: Option<String>,
    account_id: String,
    v: ConnectForm,
    errors: FieldErrors,
    notice: Option<Notice>,
    submit_label: String,
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    network: Option<String>,
    /// Reconnecting this account.
    account: Option<String>,
}

/// The account being reconnected: it must exist, not be archived, and be of `network`.
async fn account_to_reconnect(state: &AppState, id: Option<String>, network: Option<Network>) -> Result<Option<ChannelAccount>, PageError> {
    let Some(id) = id.filter(|s| !s.is_empty()) else { return Ok(None) };
    let found = crate::store::run(&state.pool, move |c| store::find(c, &id)).await.map_err(db_err)?;
    match found {
        Some(a) if !a.archived && network.is_none_or(|n| n == a.network) => Ok(Some(a)),
        _ => Err(PageError::NotFound),
    }
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    network: Option<Network>,
    reconnecting: Option<&ChannelAccount>,
    v: ConnectForm,
    errors: FieldErrors,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let title = match (reconnecting, network) {
        (Some(a), _) => b.reconnect_title.replace("{name}", &a.name),
        (None, Some(n)) => b.connect_title.replace("{network}", n.label()),
        (None, None) => b.connect_a_channel.to_string(),
    };
    let oauth_only = network.is_some_and(uses_oauth_only);
    let page = ConnectPage {
        page: Layout::signed_in(me, req, "channels", &title),
        b,
        networks: Network::ALL.iter().map(|n| NetworkLink { value: n.as_str(), label: n.label() }).collect(),
        network: network.map(|n| n.as_str()).unwrap_or(""),
        oauth_only,
        oauth_note: b.oauth_note.replace("{network}", network.map(|n| n.label()).unwrap_or("")),
        not_configured: network.and_then(|n| not_configured(state, b, n)),
        account_id: reconnecting.map(|a| a.id.clone()).unwrap_or_default(),
        submit_label: if oauth_only { b.continue_to.replace("{network}", network.map(|n| n.label()).unwrap_or("")) } else { b.connect.to_string() },
        v,
        errors,
        notice,
    };
    html_status(status, &page)
}

/// GET /app/channels/new?network=…[&account=…]
pub async fn new_form(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<NewQuery>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let network = q.network.as_deref().filter(|s| !s.is_empty()).map(Network::parse).transpose().map_err(|_| {
        PageError::BadRequest(crate::i18n::broadcast::text(me.lang).unknown_network.into())
    })?;
    let reconnecting = account_to_reconnect(&state, q.account.clone(), network).await?;
    let network = network.or(reconnecting.as_ref().map(|a| a.network));
    let mut v = ConnectForm::default();
    if let Some(crate::broadcast::AccountConfig::Mastodon { instance, .. }) = reconnecting.as_ref().map(|a| &a.config) {
        v.instance = instance.clone();
    }
    if let Some(crate::broadcast::AccountConfig::Bluesky { handle, .. }) = reconnecting.as_ref().map(|a| &a.config) {
        v.handle = handle.clone();
    }
    v.post_as = match reconnecting.as_ref().map(|a| &a.config) {
        Some(crate::broadcast::AccountConfig::LinkedIn { author_urn, .. }) if author_urn.starts_with("urn:li:organization:") => "organization".into(),
        _ => "member".into(),
    };
    render_form(&req, &state, &me, network, reconnecting.as_ref(), v, FieldErrors::default(), None, StatusCode::OK)
}

/// The fields each network needs, checked before asking the network anything.
fn required_fields(b: &BroadcastText, v: &ConnectForm) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let mut need = |field: &str, value: &str| {
        if value.is_empty() {
            errors.add(field, b.field_required);
        }
    };
    match v.network {
        Some(Network::Mastodon) => need("instance", &v.instance),
        Some(Network::Bluesky) => {
            need("handle", &v.handle);
            need("app_password", &v.app_password);
        }
        Some(Network::Slack | Network::Discord | Network::Teams | Network::Webhook) => need("url", &v.url),
        Some(Network::Email) => need("list_name", &v.list_name),
        _ => {}
    }
    errors
}

/// A connect error, as the form shows it.
fn connect_error_display(e: ConnectError) -> (FieldErrors, Option<Notice>) {
    let mut errors = FieldErrors::default();
    match e {
        ConnectError::Field { field, reason } => {
            errors.add(field, &reason);
            (errors, None)
        }
        ConnectError::Network(m) | ConnectError::NotConfigured(m) => (errors, Notice::error(&m)),
    }
}

/// Stores a verified account (or the new credentials of the one reconnected).
async fn store_connected(state: &AppState, me: &SignedIn, c: Connected, account_id: Option<String>) -> Result<(), PageError> {
    let key = state.key.clone();
    let by = me.user.id.clone();
    crate::store::run(&state.pool, move |conn| {
        match account_id {
            Some(id) => store::reconnect(conn, &key, &id, &c.config, &c.credentials, c.token_expires_at)?,
            None => {
                store::create(conn, &key, NewAccount { name: &c.name, config: &c.config, credentials: &c.credentials, token_expires_at: c.token_expires_at, created_by: Some(&by) })?;
            }
        }
        Ok(())
    })
    .await
    .map_err(db_err)
}

/// POST /app/channels/new: every connect form.
pub async fn submit(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let b = crate::i18n::broadcast::text(me.lang);
    let f = FormData::parse(&body);
    let mut v = ConnectForm::from_form(&f, state.url(CALLBACK_PATH));
    let Some(network) = v.network else { return Err(PageError::BadRequest(b.unknown_network.into())) };
    let reconnecting = account_to_reconnect(&state, v.account_id.clone(), Some(network)).await?;
    let refuse = |v: ConnectForm, errors: FieldErrors, notice: Option<Notice>| {
        // Secrets are never sent back into the page.
        let v = ConnectForm { access_token: String::new(), app_password: String::new(), signing_secret: String::new(), ..v };
        render_form(&req, &state, &me, Some(network), reconnecting.as_ref(), v, errors, notice, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if let Some(why) = not_configured(&state, b, network) {
        return refuse(v, FieldErrors::default(), Notice::error(&why));
    }
    let errors = required_fields(b, &v);
    if !errors.is_empty() {
        return refuse(v, errors, None);
    }
    let generated = network == Network::Webhook && v.signing_secret.is_empty();
    if generated {
        v.signing_secret = random_token(32);
    }
    match connect(&state, &v).await {
        Ok(ConnectStep::Done(c)) => {
            let shown_secret = match (&c.credentials, generated) {
                (Credentials::Webhook { signing_secret: Some(s), .. }, true) => Some(s.clone()),
                _ => None,
            };
            let reconnected = v.account_id.is_some();
            store_connected(&state, &me, c, v.account_id.clone()).await?;
            match shown_secret {
                // Shown in this response only; it is stored encrypted.
                Some(secret) => {
                    let done = if reconnected { b.done_reconnected } else { b.done_connected };
                    render_list(&req, &state, &me, Notice::ok(done), Some(secret), StatusCode::OK).await
                }
                None => Ok(see_other(if reconnected { "/app/channels?done=reconnected" } else { "/app/channels?done=connected" })),
            }
        }
        Ok(ConnectStep::Redirect(mut start)) => {
            if super::openings::http_link(&Some(start.authorize_url.clone())).is_none() {
                return Err(PageError::Unexpected(anyhow::anyhow!("the authorization address is not http(s)")));
            }
            start.pending.account_id = v.account_id.clone();
            let (key, uid, now) = (state.key.clone(), me.user.id.clone(), state.clock.now());
            let (flow_state, pending) = (start.state.clone(), start.pending.clone());
            crate::store::run(&state.pool, move |c| crate::store::oauth_flows::save(c, &key, &flow_state, &uid, &pending, now)).await.map_err(db_err)?;
            Ok(see_other(&start.authorize_url))
        }
        Err(e) => {
            let (errors, notice) = connect_error_display(e);
            refuse(v, errors, notice)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// GET /app/channels/oauth/callback?state&code (or error, error_description).
pub async fn oauth_callback(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<CallbackQuery>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let b = crate::i18n::broadcast::text(me.lang);
    let refused = |text: String| render_list(&req, &state, &me, Notice::error(&text), None, StatusCode::BAD_REQUEST);
    let flow_state = q.state.clone().unwrap_or_default();
    let (key, uid, now) = (state.key.clone(), me.user.id.clone(), state.clock.now());
    let pending = if flow_state.is_empty() || flow_state.len() > 200 {
        None
    } else {
        crate::store::run(&state.pool, move |c| crate::store::oauth_flows::take(c, &key, &flow_state, &uid, now)).await.map_err(db_err)?
    };
    let Some(pending) = pending else { return refused(b.oauth_unknown.to_string()).await };
    if let Some(error) = q.error.as_deref().filter(|e| !e.is_empty()) {
        let reason: String = q.error_description.as_deref().filter(|d| !d.is_empty()).unwrap_or(error).chars().take(300).collect();
        return refused(b.oauth_refused.replace("{network}", pending.network.label()).replace("{reason}", &reason)).await;
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else { return refused(b.oauth_no_code.to_string()).await };
    let account_id = pending.account_id.clone();
    if let Some(id) = &account_id {
        account_to_reconnect(&state, Some(id.clone()), Some(pending.network)).await?;
    }
    let connected = match finish(&state, &pending, code).await {
        Ok(c) => c,
        Err(e) => return refused(connect_error_text(e)).await,
    };
    if pending.network == Network::LinkedIn && pending.as_organization {
        return organization_step(&req, &state, &me, connected, account_id).await;
    }
    let reconnected = account_id.is_some();
    store_connected(&state, &me, connected, account_id).await?;
    Ok(see_other(if reconnected { "/app/channels?done=reconnected" } else { "/app/channels?done=connected" }))
}

fn connect_error_text(e: ConnectError) -> String {
    match e {
        ConnectError::Field { reason, .. } => reason,
        ConnectError::Network(m) | ConnectError::NotConfigured(m) => m,
    }
}

// ---------- LinkedIn: the page to post as ----------

#[derive(Template)]
#[template(path = "ui/channels_linkedin_pages.html")]
struct PickOrganizationPage {
    page: Layout,
    b: &'static BroadcastText,
    /// The state under which the waiting connection is kept.
    flow: String,
    organizations: Vec<crate::broadcast::linkedin::Organization>,
    error: Option<String>,
}

/// After a LinkedIn authorization with the organization scopes: the pages the member
/// administers. One is taken at once (as is the page of the account being reconnected, when
/// listed); several are offered to choose from; none is refused with the reason.
async fn organization_step(req: &HttpRequest, state: &AppState, me: &SignedIn, member: Connected, account_id: Option<String>) -> Result<HttpResponse, PageError> {
    use crate::broadcast::linkedin;
    let b = crate::i18n::broadcast::text(me.lang);
    let refused = |text: String| render_list(req, state, me, Notice::error(&text), None, StatusCode::BAD_REQUEST);
    let organizations = match linkedin::organizations(&channel_context(state), &member).await {
        Ok(o) => o,
        Err(e) => return refused(connect_error_text(e)).await,
    };
    let current = match &account_id {
        Some(id) => crate::store::run(&state.pool, { let id = id.clone(); move |c| store::find(c, &id) }).await.map_err(db_err)?.map(|a| a.config),
        None => None,
    };
    let preferred = organizations.iter().find(|o| matches!(&current, Some(crate::broadcast::AccountConfig::LinkedIn { author_urn, .. }) if *author_urn == o.urn));
    let chosen = match (organizations.len(), preferred) {
        (0, _) => return refused(b.no_organization.to_string()).await,
        (_, Some(o)) => o.clone(),
        (1, None) => organizations[0].clone(),
        _ => {
            // Kept sealed under a new state, for the choice, like a started authorization.
            let flow = random_token(24);
            let pending = PendingOAuth {
                network: Network::LinkedIn,
                pkce_verifier: String::new(),
                redirect_uri: String::new(),
                instance: None,
                client_id: None,
                client_secret: None,
                account_id,
                as_organization: true,
                choosing: Some(linkedin::OrganizationChoice { member, organizations: organizations.clone() }),
            };
            let (key, uid, now, f) = (state.key.clone(), me.user.id.clone(), state.clock.now(), flow.clone());
            crate::store::run(&state.pool, move |c| crate::store::oauth_flows::save(c, &key, &f, &uid, &pending, now)).await.map_err(db_err)?;
            return render_pick(req, me, flow, organizations, None, StatusCode::OK);
        }
    };
    let connected = linkedin::as_organization(member, &chosen).map_err(|e| PageError::Unexpected(anyhow::anyhow!("{e}")))?;
    let reconnected = account_id.is_some();
    store_connected(state, me, connected, account_id).await?;
    Ok(see_other(if reconnected { "/app/channels?done=reconnected" } else { "/app/channels?done=connected" }))
}

fn render_pick(
    req: &HttpRequest,
    me: &SignedIn,
    flow: String,
    organizations: Vec<crate::broadcast::linkedin::Organization>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let page = PickOrganizationPage { page: Layout::signed_in(me, req, "channels", b.pick_organization_title), b, flow, organizations, error };
    let mut res = html_status(status, &page)?;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// POST /app/channels/linkedin/organization: the page chosen (`flow`, `organization`).
pub async fn pick_organization(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let b = crate::i18n::broadcast::text(me.lang);
    let f = FormData::parse(&body);
    let (flow, urn) = (f.get("flow"), f.get("organization"));
    let (key, uid, now) = (state.key.clone(), me.user.id.clone(), state.clock.now());
    let pending = if flow.is_empty() || flow.len() > 200 {
        None
    } else {
        let flow = flow.clone();
        crate::store::run(&state.pool, move |c| crate::store::oauth_flows::take(c, &key, &flow, &uid, now)).await.map_err(db_err)?
    };
    let Some(mut pending) = pending.filter(|p| p.network == Network::LinkedIn && p.choosing.is_some()) else {
        return render_list(&req, &state, &me, Notice::error(b.oauth_unknown), None, StatusCode::BAD_REQUEST).await;
    };
    let choice = pending.choosing.take().expect("checked above");
    let Some(org) = choice.organizations.iter().find(|o| o.urn == urn).cloned() else {
        // Not one of those offered: the choice is asked again, on the same flow.
        let organizations = choice.organizations.clone();
        pending.choosing = Some(choice);
        let (key, uid, f) = (state.key.clone(), me.user.id.clone(), flow.clone());
        crate::store::run(&state.pool, move |c| crate::store::oauth_flows::save(c, &key, &f, &uid, &pending, now)).await.map_err(db_err)?;
        return render_pick(&req, &me, flow, organizations, Some(b.pick_organization_required.to_string()), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let account_id = pending.account_id.clone();
    if let Some(id) = &account_id {
        account_to_reconnect(&state, Some(id.clone()), Some(Network::LinkedIn)).await?;
    }
    let connected = crate::broadcast::linkedin::as_organization(choice.member, &org).map_err(|e| PageError::Unexpected(anyhow::anyhow!("{e}")))?;
    let reconnected = account_id.is_some();
    store_connected(&state, &me, connected, account_id).await?;
    Ok(see_other(if reconnected { "/app/channels?done=reconnected" } else { "/app/channels?done=connected" }))
}

// ---------- disconnect and check ----------

#[derive(Template)]
#[template(path = "ui/channels_disconnect.html")]
struct DisconnectPage {
    page: Layout,
    b: &'static BroadcastText,
    id: String,
    text: String,
}

async fn live_account(state: &AppState, id: String) -> Result<ChannelAccount, PageError> {
    let found = crate::store::run(&state.pool, move |c| store::find(c, &id)).await.map_err(db_err)?;
    found.filter(|a| !a.archived).ok_or(PageError::NotFound)
}

/// GET /app/channels/{id}/disconnect: the confirmation.
pub async fn disconnect_page(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let a = live_account(&state, id.into_inner()).await?;
    let b = crate::i18n::broadcast::text(me.lang);
    let title = b.disconnect_title.replace("{name}", &a.name);
    html_status(StatusCode::OK, &DisconnectPage { page: Layout::signed_in(&me, &req, "channels", &title), b, id: a.id, text: b.disconnect_text.into() })
}

/// POST /app/channels/{id}/disconnect
pub async fn disconnect(state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let id = id.into_inner();
    let done = crate::store::run(&state.pool, move |c| Ok(store::archive(c, &id)?)).await.map_err(db_err)?;
    if !done {
        return Err(PageError::NotFound);
    }
    Ok(see_other("/app/channels?done=disconnected"))
}

/// POST /app/channels/{id}/check
pub async fn check(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let a = live_account(&state, id.into_inner()).await?;
    match check_account(&state, &a.id).await {
        Ok(()) => Ok(see_other("/app/channels?done=checked")),
        Err(reason) => {
            let b = crate::i18n::broadcast::text(me.lang);
            render_list(&req, &state, &me, Notice::error(&b.check_failed.replace("{reason}", &reason)), None, StatusCode::OK).await
        }
    }
}
