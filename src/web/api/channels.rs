//! /api/v1/channels: the connected accounts openings are published to.
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::rfc3339;
use crate::compose::Network;
use crate::domain::user::Role;
use crate::store::channels::{self as store, AccountStatus, ChannelAccount};
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
