//! Publishing an opening to channels, and its deliveries: /api/v1/openings/{id}/publish,
//! /close, /deliveries, and /api/v1/deliveries/{id}/retry, /cancel, /confirm.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::model::{rfc3339, OpeningOut};
use crate::domain::opening::Opening;
use crate::domain::{FieldError, Invalid};
use crate::store::deliveries::{self, ActionError, DeliveryView, OnClose, PublishError, PublishPlan, Target};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::ui::broadcast::on_close_allowed;
use crate::web::AppState;

/// One delivery: a post (or re-post, "filled" reply, deletion) on one channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: String,
    pub opening_id: String,
    pub account_id: String,
    pub account_name: String,
    #[schema(example = "mastodon")]
    pub network: String,
    /// post, repost, filled_reply or delete.
    #[schema(example = "post")]
    pub kind: String,
    /// scheduled, queued, sending, published, unconfirmed, failed or cancelled.
    #[schema(example = "queued")]
    pub state: String,
    /// When it is (or was) due.
    #[schema(format = DateTime)]
    pub due_at: String,
    pub attempts: i64,
    /// The live post, once published.
    pub remote_url: Option<String>,
    pub last_error: Option<String>,
    /// Unconfirmed on a channel that cannot be read back: a person checks, then retries or confirms.
    pub needs_review: bool,
    /// nothing, reply or delete: what closing the opening does on this channel.
    pub on_close: String,
    pub repost_every_days: Option<i64>,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&DeliveryView> for DeliveryOut {
    fn from(v: &DeliveryView) -> Self {
        let d = &v.delivery;
        DeliveryOut {
            id: d.id.clone(),
            opening_id: d.opening_id.clone(),
            account_id: d.account_id.clone(),
            account_name: v.account_name.clone(),
            network: v.network.clone(),
            kind: d.kind.clone(),
            state: d.state.clone(),
            due_at: rfc3339(d.due_at),
            attempts: d.attempts,
            remote_url: d.remote_url.clone(),
            last_error: d.last_error.clone(),
            needs_review: d.needs_review,
            on_close: d.on_close.clone(),
            repost_every_days: d.repost_every_days,
            published_at: d.published_at.map(rfc3339),
            created_at: rfc3339(d.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryOut>,
}

/// One channel to publish to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishTarget {
    /// A channel account id (see GET /api/v1/channels).
    pub id: String,
    /// nothing (default), reply ("position filled"; Mastodon, Bluesky, X) or delete (not for webhooks and email).
    #[serde(default)]
    #[schema(example = "reply")]
    pub on_close: Option<String>,
}

/// What to publish, where and when.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    pub accounts: Vec<PublishTarget>,
    /// RFC 3339 with an offset (`2026-12-01T09:30:00+01:00`); omitted: now.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// Re-post every N days (1 to 90) while the opening is open.
    #[serde(default)]
    pub repost_every_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublishOut {
    /// The opening, now open.
    pub opening: OpeningOut,
    /// The deliveries this call created (channels already holding the opening get none).
    pub created: Vec<DeliveryOut>,
}

/// What publishing answers: the opening alone (no body), or with the deliveries created.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PublishResult {
    Opening(OpeningOut),
    Published(PublishOut),
}

/// An optional body of POST /deliveries/{id}/confirm.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The post's address, as the person found it (http or https).
    #[serde(default)]
    pub url: Option<String>,
}

fn is_http(u: &str) -> bool {
    let l = u.to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://")) && url::Url::parse(u).is_ok()
}

fn field(name: &str, code: &'static str, en: &str, fr: &str) -> FieldError {
    FieldError::new(name, code, en, fr)
}

/// Whether the request carries a body (the legacy publish and close take none).
fn has_body(req: &HttpRequest) -> bool {
    let length = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    match length {
        Some(n) => n > 0,
        None => req.headers().contains_key(header::CONTENT_TYPE) || req.headers().contains_key(header::TRANSFER_ENCODING),
    }
}

/// Like `openings::visible`, then 403 for callers who may only read.
async fn editable(state: &AppState, caller: &ApiCaller, id: String) -> Result<Opening, ApiError> {
    let o = super::openings::visible(state, caller, id).await?;
    if caller.user.role.can_edit_openings() {
        Ok(o)
    } else {
        Err(ApiError::Forbidden)
    }
}

fn publish_error(e: PublishError) -> ApiError {
    match e {
        PublishError::Opening(e) => e.into(),
        PublishError::UnknownAccount(id) => ApiError::Invalid(Invalid::one(field(
            "accounts",
            "unknown_account",
            &format!("no connected channel has the id {}", id.chars().take(60).collect::<String>()),
            "aucun canal connecté n'a cet identifiant",
        ))),
        PublishError::AccountNotReady { name, reason, .. } => ApiError::Invalid(Invalid::one(field(
            "accounts",
            "reconnect_needed",
            &format!("{name} needs reconnecting: {reason}"),
            &format!("{name} doit être reconnecté : {reason}"),
        ))),
        PublishError::InThePast => ApiError::Invalid(Invalid::one(field("at", "in_the_past", "is in the past", "est dans le passé"))),
        PublishError::BadRepost => ApiError::Invalid(Invalid::one(field("repost_every_days", "out_of_range", "must be from 1 to 90", "doit être de 1 à 90"))),
        PublishError::Unexpected(e) => ApiError::Unexpected(e),
    }
}

/// Reads and checks a publish request against the connected accounts.
fn plan_of(r: PublishRequest, accounts: &[crate::store::channels::ChannelAccount], now: chrono::NaiveDateTime) -> Result<PublishPlan, Invalid> {
    let mut inv = Invalid::default();
    if r.accounts.is_empty() {
        inv.push(field("accounts", "required", "must name at least one channel", "doit désigner au moins un canal"));
    }
    let mut targets: Vec<Target> = Vec::new();
    for (i, t) in r.accounts.iter().enumerate() {
        let Some(a) = accounts.iter().find(|a| a.id == t.id) else {
            inv.push(field(
                "accounts",
                "unknown_account",
                &format!("no connected channel has the id {}", t.id.chars().take(60).collect::<String>()),
                "aucun canal connecté n'a cet identifiant",
            ));
            continue;
        };
        let on_close = match t.on_close.as_deref().map(str::trim) {
            None | Some("") => OnClose::Nothing,
            Some(raw) => match OnClose::parse(raw) {
                Some(o) if on_close_allowed(a.network, o) => o,
                Some(_) => {
                    inv.push(field(&format!("accounts[{i}].on_close"), "not_supported", &format!("{raw} is not possible on {}", a.network.label()), "n'est pas possible sur ce canal"));
                    continue;
                }
                None => {
                    inv.push(field(&format!("accounts[{i}].on_close"), "invalid_choice", "must be one of: nothing, reply, delete", "doit être nothing, reply ou delete"));
                    continue;
                }
            },
        };
        if !targets.iter().any(|x| x.account_id == a.id) {
            targets.push(Target { account_id: a.id.clone(), on_close });
        }
    }
    let at = match r.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match chrono::DateTime::parse_from_rfc3339(raw) {
            Ok(t) => {
                let t = t.naive_utc();
                if t < now - chrono::Duration::minutes(1) {
                    inv.push(field("at", "in_the_past", "is in the past", "est dans le passé"));
                }
                Some(t)
            }
            Err(_) => {
                inv.push(field("at", "invalid_datetime", "must be an RFC 3339 date-time with an offset, such as 2026-12-01T09:30:00+01:00", "doit être une date RFC 3339 avec décalage horaire, par exemple 2026-12-01T09:30:00+01:00"));
                None
            }
        },
    };
    if let Some(n) = r.repost_every_days {
        if !(1..=90).contains(&n) {
            inv.push(field("repost_every_days", "out_of_range", "must be from 1 to 90", "doit être de 1 à 90"));
        }
    }
    if inv.is_empty() {
        Ok(PublishPlan { targets, at, repost_every_days: r.repost_every_days })
    } else {
        Err(inv)
    }
}

/// Publish an opening, optionally to channels.
///
/// Without a body: opens the opening (409 if it is already open). With a body: opens it if
/// needed and, in the same transaction, queues one delivery per channel, now or at `at`.
/// Channels that already hold this opening get no second post, so repeating a call is safe.
#[utoipa::path(
    post, path = "/api/v1/openings/{id}/publish", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    request_body(content = Option<PublishRequest>, content_type = "application/json", description = "Optional: the channels to publish to"),
    responses(
        (status = 200, description = "Without a body: the opening (OpeningOut). With one: the opening and the deliveries created", body = PublishResult),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not publish", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Already open (without a body), or its last day (`valid_through`) has passed", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "An unknown or disconnected channel (`accounts`), a time in the past (`at`), re-posting out of range", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn publish(req: HttpRequest, state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    if !has_body(&req) {
        return super::openings::publish(state, caller, id).await;
    }
    let o = editable(&state, &caller, id.into_inner()).await?;
    let r: PublishRequest = body.read().await?;
    let now = state.clock.now();
    let accounts = crate::store::run(&state.pool, |c| crate::store::channels::list(c, false)).await?;
    let plan = plan_of(r, &accounts, now)?;
    let (oid, base, today, by) = (o.id.clone(), state.settings.base_url.clone(), state.clock.today(), caller.user.id.clone());
    let result = crate::store::run(&state.pool, move |c| {
        let created = match deliveries::publish(c, &oid, &plan, &base, today, now, Some(&by)) {
            Ok(rows) => rows,
            Err(e) => return Ok(Err(e)),
        };
        let views: Vec<DeliveryView> = deliveries::list_for_opening(c, &oid)?.into_iter().filter(|v| created.iter().any(|d| d.id == v.delivery.id)).collect();
        let opening = crate::store::openings::find(c, &oid)?;
        Ok(Ok((views, opening)))
    })
    .await?;
    let (views, opening) = result.map_err(publish_error)?;
    let opening = opening.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(PublishOut { opening: OpeningOut::new(&opening, &state), created: views.iter().map(DeliveryOut::from).collect() }))
}

/// Close an opening.
///
/// In the same transaction, deliveries not sent yet are cancelled and each channel's choice on
/// close is queued (a "position filled" reply, or deleting the posts).
#[utoipa::path(
    post, path = "/api/v1/openings/{id}/close", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening, now closed", body = OpeningOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not change openings", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn close(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let o = editable(&state, &caller, id.into_inner()).await?;
    let (today, now) = (state.clock.today(), state.clock.now());
    let result = crate::store::run(&state.pool, move |c| {
        if let Err(e) = deliveries::close_opening(c, &o.id, today, now) {
            return Ok(Err(e));
        }
        Ok(Ok(crate::store::openings::find(c, &o.id)?))
    })
    .await?;
    let opening = result.map_err(publish_error)?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(OpeningOut::new(&opening, &state)))
}

/// An opening's deliveries.
#[utoipa::path(
    get, path = "/api/v1/openings/{id}/deliveries", tag = "deliveries",
    params(("id" = String, Path, description = "Opening id")),
    responses(
        (status = 200, description = "Every delivery of the opening, per channel then newest first", body = DeliveryList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn list(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let o = super::openings::visible(&state, &caller, id.into_inner()).await?;
    let views = crate::store::run(&state.pool, move |c| Ok(deliveries::list_for_opening(c, &o.id)?)).await?;
    Ok(HttpResponse::Ok().json(DeliveryList { items: views.iter().map(DeliveryOut::from).collect() }))
}

/// The delivery if the caller may see its opening (404 otherwise), then 403 for read-only callers.
async fn actionable(state: &AppState, caller: &ApiCaller, id: String) -> Result<String, ApiError> {
    let found = crate::store::run(&state.pool, move |c| Ok(deliveries::find(c, &id)?)).await?;
    let d = found.ok_or(ApiError::NotFound)?;
    editable(state, caller, d.opening_id.clone()).await?;
    Ok(d.id)
}

async fn act(state: &AppState, id: String, f: impl FnOnce(&mut crate::store::DbConn, &str) -> Result<deliveries::DeliveryRow, ActionError> + Send + 'static) -> Result<HttpResponse, ApiError> {
    let result = crate::store::run(&state.pool, move |c| {
        Ok(match f(c, &id) {
            Ok(d) => Ok(deliveries::list_for_opening(c, &d.opening_id)?.into_iter().find(|v| v.delivery.id == d.id)),
            Err(e) => Err(e),
        })
    })
    .await?;
    match result {
        Ok(Some(v)) => Ok(HttpResponse::Ok().json(DeliveryOut::from(&v))),
        Ok(None) | Err(ActionError::NotFound) => Err(ApiError::NotFound),
        Err(ActionError::WrongState(s)) => Err(ApiError::Conflict { field: Some("state".into()), message: format!("a {s} delivery cannot be changed this way") }),
        Err(ActionError::Db(e)) => Err(ApiError::Unexpected(e.into())),
    }
}

/// Send a delivery again.
///
/// For a failed delivery, or an unconfirmed one a person checked was not posted.
#[utoipa::path(
    post, path = "/api/v1/deliveries/{id}/retry", tag = "deliveries",
    params(("id" = String, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery, queued again", body = DeliveryOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not act on deliveries", body = ErrorBody),
        (status = 404, description = "No such delivery, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The delivery is in a state that cannot be retried", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn retry(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = actionable(&state, &caller, id.into_inner()).await?;
    let (now, by) = (state.clock.now(), caller.user.name.clone());
    act(&state, id, move |c, id| deliveries::retry(c, id, now, Some(&by))).await
}

/// Cancel a delivery not sent yet (scheduled or queued).
#[utoipa::path(
    post, path = "/api/v1/deliveries/{id}/cancel", tag = "deliveries",
    params(("id" = String, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery, cancelled", body = DeliveryOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not act on deliveries", body = ErrorBody),
        (status = 404, description = "No such delivery, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Already sent, or being sent", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn cancel(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = actionable(&state, &caller, id.into_inner()).await?;
    let now = state.clock.now();
    act(&state, id, move |c, id| deliveries::cancel(c, id, now)).await
}

/// Mark an unconfirmed delivery as published (a person found the post on the channel).
#[utoipa::path(
    post, path = "/api/v1/deliveries/{id}/confirm", tag = "deliveries",
    params(("id" = String, Path, description = "Delivery id")),
    request_body(content = Option<ConfirmRequest>, content_type = "application/json", description = "Optional: the post's address"),
    responses(
        (status = 200, description = "The delivery, published", body = DeliveryOut),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not act on deliveries", body = ErrorBody),
        (status = 404, description = "No such delivery, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Only an unconfirmed delivery can be confirmed", body = ErrorBody),
        (status = 422, description = "The address is not http(s)", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn confirm(req: HttpRequest, state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let id = actionable(&state, &caller, id.into_inner()).await?;
    let url = if has_body(&req) { body.read::<ConfirmRequest>().await?.url } else { None };
    let url = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
    if let Some(u) = &url {
        if !is_http(u) {
            return Err(ApiError::Invalid(Invalid::one(field("url", "invalid_url", "must start with http:// or https://", "doit commencer par http:// ou https://"))));
        }
    }
    let now = state.clock.now();
    act(&state, id, move |c, id| deliveries::confirm_published(c, id, url.as_deref(), now)).await
}
