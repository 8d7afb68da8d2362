//! Privacy in the API: export, erasure and objection for one person, the open requests and
//! who is due for removal. Export, erasure, objection and requests: admins; the removal
//! schedule: recruiters and admins.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::user::Role;
use crate::store::privacy::{self as sp, Due, Request};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

fn admin(caller: &ApiCaller) -> Result<(), ApiError> {
    if caller.user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// What an erasure or objection removed: rows per table (never content).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedOut {
    /// People erased (a person with candidates merged into them counts once).
    pub people: i64,
    /// Rows removed per table.
    pub rows: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<Request>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueList {
    pub items: Vec<Due>,
    /// People in the schedule, over all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// People whose dates were still being recomputed (after a large change; the worker
    /// finishes within minutes): they may be missing from this page.
    pub pending: i64,
}

/// One page of the schedule.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DueQuery {
    /// From 1 (default 1).
    page: Option<i64>,
    /// 1 to 500 (default 100).
    per_page: Option<i64>,
}

/// Export everything held about a person.
///
/// A ZIP archive: `data.json` (the rows of every table naming the person or a candidate merged
/// into them), `notice.txt`, and `cv/<sha256>` for each CV file. Recorded in the audit log and
/// as an answered export request. Admins.
#[utoipa::path(
    get, path = "/api/v1/candidates/{id}/export", tag = "privacy",
    params(("id" = String, Path, description = "Candidate id (a merged part names its person)")),
    responses(
        (status = 200, description = "The archive", content_type = "application/zip", body = Vec<u8>),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such candidate", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn export(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    admin(&caller)?;
    let (id, now) = (id.into_inner(), state.clock.now());
    let zip = crate::privacy::export_archive(&state.pool, &state.blobs, &id, now).await?.ok_or(ApiError::NotFound)?;
    let (uid, name) = (caller.user.id.clone(), caller.user.name.clone());
    let c2 = id.clone();
    crate::store::run(&state.pool, move |c| {
        if let Some(person) = sp::person_of(c, &c2)? {
            sp::exported(c, &person, "team", Some((&uid, &name)), "archive exported through the API", now)?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"candidate-{id}.zip\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(zip))
}

/// Erase a person everywhere.
///
/// Every row naming the person or a candidate merged into them, in every table, their CV files
/// and the text read from them (unless another candidate holds the same file), the emails
/// about them. Cannot be undone. Admins.
#[utoipa::path(
    delete, path = "/api/v1/candidates/{id}", tag = "privacy",
    params(("id" = String, Path, description = "Candidate id")),
    responses(
        (status = 200, description = "Erased: what was removed", body = ErasedOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such candidate", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn erase(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    admin(&caller)?;
    let e = crate::privacy::erase(&state.pool, &state.blobs, &id, Some((&caller.user.id, &caller.user.name)), "team", state.clock.now()).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(ErasedOut { people: e.candidates, rows: e.counts }))
}

/// Record an objection to sourcing, and erase the person.
///
/// Only salted SHA-256 hashes of their identifiers (handles, emails, phones, CV files) are
/// kept, so that sourcing searches skip them from now on. Admins.
#[utoipa::path(
    post, path = "/api/v1/candidates/{id}/objection", tag = "privacy",
    params(("id" = String, Path, description = "Candidate id")),
    responses(
        (status = 200, description = "Recorded and erased: what was removed", body = ErasedOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such candidate", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn object(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    admin(&caller)?;
    let e = crate::privacy::object(&state.pool, &state.blobs, &id, Some((&caller.user.id, &caller.user.name)), "team", state.clock.now()).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(ErasedOut { people: e.candidates, rows: e.counts }))
}

/// Requests to exercise a right.
///
/// The open ones, the first due first (each is due one month after it was made). Admins.
#[utoipa::path(
    get, path = "/api/v1/privacy/requests", tag = "privacy",
    responses(
        (status = 200, description = "The open requests", body = RequestList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn requests(state: web::Data<AppState>, caller: ApiCaller) -> Result<HttpResponse, ApiError> {
    admin(&caller)?;
    let items = crate::store::run(&state.pool, |c| Ok(sp::requests(c, true, 1000)?)).await?;
    Ok(HttpResponse::Ok().json(RequestList { items }))
}

/// Who is due for removal, and when.
///
/// Everyone whose data the daily purge will remove, soonest first, with the rule that applies
/// (`unsuccessful`, `talent_pool`, `not_informed`). People in an open recruitment are not due
/// yet. Recruiters and admins.
#[utoipa::path(
    get, path = "/api/v1/privacy/due", tag = "privacy",
    params(DueQuery),
    responses(
        (status = 200, description = "One page of the removal schedule", body = DueList),
        (status = 400, description = "Unknown or repeated query parameter", body = ErrorBody),
        (status = 422, description = "`page` or `per_page` out of range", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not see it", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn due(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if !caller.user.role.can_edit_openings() {
        return Err(ApiError::Forbidden);
    }
    let (page, per_page) = super::paging(req.query_string(), 100, 500, |other, _| {
        Err(ApiError::Malformed { field: Some(other.chars().take(40).collect()), reason: "is not a known query parameter (page, per_page)".into() })
    })?;
    let r = state.settings.retention;
    let (items, total, pending) = crate::store::run(&state.pool, move |c| {
        let pending = sp::refresh_schedule(c, &r, Some(5_000))?;
        let (items, total) = sp::schedule(c, None, (page - 1) * per_page, Some(per_page))?;
        Ok((items, total, pending))
    })
    .await?;
    Ok(HttpResponse::Ok().json(DueList { items, total, page, per_page, pending }))
}
