//! /api/v1/candidates/{id}/merges, /api/v1/merges/{id}/undo and the merge proposals: one person found on several
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
    /// What they shared: `email` or `handle` (given by the person, merged by hirecast), `phone`,
    /// `cv` or `document_email` (a proposal a person confirmed), or `manual`.
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

/// Two candidates who share a weak signal (a phone, a CV file, an email found in a document):
/// perhaps one person, for a recruiter to merge or keep apart.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    pub id: String,
    /// The older candidate, kept if the proposal is confirmed.
    pub keep_id: String,
    pub keep_name: String,
    /// The newer candidate, merged into the other if confirmed.
    pub merge_id: String,
    pub merge_name: String,
    /// What they share: `phone`, `cv` or `document_email`.
    pub reason: String,
    /// The shared value: the phone (E.164), the email, the CV file's SHA-256.
    pub value: String,
    pub proposed_at: String,
    /// `merged` or `dismissed`; absent while open.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

impl From<crate::store::merges::ProposalView> for ProposalOut {
    fn from(p: crate::store::merges::ProposalView) -> Self {
        ProposalOut {
            id: p.id,
            keep_id: p.keep_id,
            keep_name: p.keep_name,
            merge_id: p.merge_id,
            merge_name: p.merge_name,
            reason: p.reason,
            value: p.value,
            proposed_at: p.proposed_at.and_utc().to_rfc3339(),
            decision: p.decision,
            decided_by: p.decided_by,
            decided_at: p.decided_at.map(|t| t.and_utc().to_rfc3339()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalOut>,
}

/// The merge proposals about a candidate.
///
/// Hirecast never merges two candidates on a phone, a CV file or an email found in a document
/// (several people may share one): it proposes, and a person confirms or dismisses. Every
/// proposal about the candidate, newest first, answered ones included. Recruiters and admins.
#[utoipa::path(
    get, path = "/api/v1/candidates/{id}/merge-proposals", tag = "candidates",
    params(("id" = String, Path, description = "Candidate id")),
    responses(
        (status = 200, description = "The proposals", body = ProposalList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not manage candidates' identities", body = ErrorBody),
        (status = 404, description = "No such candidate", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn proposals(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    editor(&caller)?;
    let id = id.into_inner();
    let found = crate::store::run(&state.pool, move |c| {
        use crate::store::schema::candidates;
        use diesel::prelude::*;
        let known: i64 = candidates::table.find(&id).count().get_result(c)?;
        if known == 0 {
            return Ok(None);
        }
        Ok(Some(crate::store::merges::proposals_of(c, &id)?))
    })
    .await?;
    let items = found.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(ProposalList { items: items.into_iter().map(ProposalOut::from).collect() }))
}

/// Confirm a merge proposal: the same person.
///
/// The newer candidate is merged into the older one, recorded with what they shared as the
/// reason and the caller as who merged; undo it like any merge. Recruiters and admins.
#[utoipa::path(
    post, path = "/api/v1/merge-proposals/{id}/confirm", tag = "candidates",
    params(("id" = String, Path, description = "Proposal id")),
    responses(
        (status = 201, description = "Merged", body = MergeOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not manage candidates' identities", body = ErrorBody),
        (status = 404, description = "No such proposal", body = ErrorBody),
        (status = 409, description = "Already confirmed or dismissed, or one of the two was merged into another candidate since", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn confirm(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    editor(&caller)?;
    let (proposal_id, by, now) = (id.into_inner(), caller.user.id.clone(), state.clock.now());
    let result = crate::store::run(&state.pool, move |c| {
        if crate::store::merges::find_proposal(c, &proposal_id)?.is_none() {
            return Ok(Err(ApiError::NotFound));
        }
        Ok(match crate::store::merges::confirm(c, &proposal_id, &by, now) {
            Ok(merge_id) => Ok(crate::store::merges::find(c, &merge_id)?.expect("just written")),
            Err(MergeError::Db(e)) => return Err(e.into()),
            Err(e) => Err(ApiError::Conflict { field: None, message: e.to_string() }),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(MergeOut::from(result?)))
}

/// Dismiss a merge proposal: two different people.
///
/// Hirecast will neither merge nor propose these two again. Recruiters and admins.
#[utoipa::path(
    post, path = "/api/v1/merge-proposals/{id}/dismiss", tag = "candidates",
    params(("id" = String, Path, description = "Proposal id")),
    responses(
        (status = 200, description = "Dismissed", body = ProposalOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers do not manage candidates' identities", body = ErrorBody),
        (status = 404, description = "No such proposal", body = ErrorBody),
        (status = 409, description = "Already confirmed or dismissed", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn dismiss(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    editor(&caller)?;
    let (proposal_id, by, now) = (id.into_inner(), caller.user.id.clone(), state.clock.now());
    let result = crate::store::run(&state.pool, move |c| {
        Ok(match crate::store::merges::dismiss(c, &proposal_id, &by, now) {
            Ok(()) => Ok(crate::store::merges::find_proposal(c, &proposal_id)?.expect("exists")),
            Err(MergeError::Db(e)) => return Err(e.into()),
            Err(MergeError::NotFound) => Err(ApiError::NotFound),
            Err(e) => Err(ApiError::Conflict { field: None, message: e.to_string() }),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProposalOut::from(result?)))
}
