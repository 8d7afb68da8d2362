//! /api/v1/candidates/{id}/merges and /api/v1/merges/{id}/undo: one person found on several
//! channels is one candidate; merges (by hirecast or by a recruiter) are recorded and undoable.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use crate::store::merges::{MergeError, MergeView};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// A recorded merge: `absorbed` was merged into `kept`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeOut {
    pub id: String,
    pub kept_id: String,
    pub kept_name: String,
    pub absorbed_id: String,
    pub absorbed_name: String,
    /// What they shared (`email`, `phone`, `handle`, `cv`), or `manual`.
    pub reason: String,
    /// Who merged them; absent when hirecast did, because one answer named both.
    pub merged_by: Option<String>,
    pub merged_at: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

impl From<MergeView> for MergeOut {
    fn from(m: MergeView) -> Self {
        MergeOut {
            id: m.id,
            kept_id: m.survivor_id,
            kept_name: m.survivor_name,
            absorbed_id: m.absorbed_id,
            absorbed_name: m.absorbed_name,
            reason: m.reason,
            merged_by: m.actor,
            merged_at: m.merged_at.and_utc().to_rfc3339(),
            undone_at: m.undone_at.map(|t| t.and_utc().to_rfc3339()),
            undone_by: m.undone_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeList {
    pub items: Vec<MergeOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The candidate merged into the one of the path (it disappears from lists until undone).
    pub merge: String,
}

fn editor(caller: &ApiCaller) -> Result<(), ApiError> {
    if caller.user.role.can_edit_openings() {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The merges of a candidate.
///
/// Every merge in which the candidate was kept or absorbed, newest first, undone ones included.
/// Recruiters and admins.
#[utoipa::path(
    get, path = "/api/v1/candidates/{id}/merges", tag = "candidates",
    params(("id" = String, Path, description = "Candidate id")),
    responses(
        (status = 200, description = "The merges", body = MergeList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not manage candidates' identities", body = ErrorBody),
        (status = 404, description = "No such candidate", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn list(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    editor(&caller)?;
    let id = id.into_inner();
    let found = crate::store::run(&state.pool, move |c| {
        use crate::store::schema::candidates;
        use diesel::prelude::*;
        let known: i64 = candidates::table.find(&id).count().get_result(c)?;
        if known == 0 {
            return Ok(None);
        }
        Ok(Some(crate::store::merges::of_candidate(c, &id)?))
    })
    .await?;
    let items = found.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(MergeList { items: items.into_iter().map(MergeOut::from).collect() }))
}

/// Merge a candidate into this one.
///
/// The candidate named in `merge` is the same person: its identities, sources, CV files,
/// applications, messages and shortlist entries move to the candidate of the path, whose
/// unknown contact fields it fills. Recorded with who and when; undo it with
/// `POST /api/v1/merges/{id}/undo`. Recruiters and admins.
#[utoipa::path(
    post, path = "/api/v1/candidates/{id}/merges", tag = "candidates",
    params(("id" = String, Path, description = "The candidate kept")),
    request_body(content = MergeRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Merged", body = MergeOut),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not manage candidates' identities", body = ErrorBody),
        (status = 404, description = "No such candidate (the one kept), or it was merged into another", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "`merge` names the same candidate, or one that is unknown or already merged", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn create(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    editor(&caller)?;
    let r: MergeRequest = body.read().await?;
    let (keep, absorb, by, now) = (id.into_inner(), r.merge.trim().to_string(), caller.user.id.clone(), state.clock.now());
    let result = crate::store::run(&state.pool, move |c| {
        use crate::store::schema::candidates;
        use diesel::prelude::*;
        let live = |c: &mut crate::store::DbConn, id: &str| -> diesel::QueryResult<bool> {
            Ok(candidates::table.find(id).filter(candidates::merged_into.is_null()).count().get_result::<i64>(c)? > 0)
        };
        if !live(c, &keep)? {
            return Ok(Err(ApiError::NotFound));
        }
        if keep == absorb {
            return Ok(Err(ApiError::field("merge", "same_candidate", "is the candidate of the path: a candidate cannot be merged with itself")));
        }
        if !live(c, &absorb)? {
            return Ok(Err(ApiError::field("merge", "unknown_candidate", "is not a candidate, or was already merged into another one")));
        }
        Ok(match crate::store::merges::merge(c, &keep, &absorb, "manual", Some(&by), now) {
            Ok(id) => Ok(crate::store::merges::find(c, &id)?.expect("just written")),
            Err(MergeError::Db(e)) => return Err(e.into()),
            Err(e) => Err(ApiError::field("merge", "not_mergeable", &e.to_string())),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(MergeOut::from(result?)))
}

/// Undo a merge.
///
/// What the merge moved goes back to the absorbed candidate, the fields it filled in are
/// emptied, and both show again; hirecast will not merge these two by itself again.
/// Recruiters and admins.
#[utoipa::path(
    post, path = "/api/v1/merges/{id}/undo", tag = "candidates",
    params(("id" = String, Path, description = "Merge id")),
    responses(
        (status = 200, description = "Undone", body = MergeOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not manage candidates' identities", body = ErrorBody),
        (status = 404, description = "No such merge", body = ErrorBody),
        (status = 409, description = "Already undone, or the candidate kept was merged again since (undo that merge first)", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn undo(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    editor(&caller)?;
    let (merge_id, by, now) = (id.into_inner(), caller.user.id.clone(), state.clock.now());
    let result = crate::store::run(&state.pool, move |c| {
        Ok(match crate::store::merges::undo(c, &merge_id, &by, now) {
            Ok(()) => Ok(crate::store::merges::find(c, &merge_id)?.expect("exists")),
            Err(MergeError::Db(e)) => return Err(e.into()),
            Err(MergeError::NotFound) => Err(ApiError::NotFound),
            Err(e) => Err(ApiError::Conflict { field: None, message: e.to_string() }),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(MergeOut::from(result?)))
}
