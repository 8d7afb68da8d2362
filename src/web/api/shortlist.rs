//! /api/v1/openings/{id}/candidates: an opening's shortlist store, each candidate's stage in the
//! process, and its changes, recorded with who and when.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::openings::visible;
use crate::store::sourcing::{EntryView, RejectReason, Stage, StageEvent};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// The longest note kept with a change of stage.
pub const NOTE_MAX: usize = 2000;

/// A candidate in an opening's shortlist store.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub candidate_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub headline: Option<String>,
    /// `new` (the inbox), `shortlisted`, `interview`, `offer`, `hired`, `rejected`, `withdrawn`.
    pub stage: String,
    /// `applied` or `sourced`.
    pub origin: String,
    /// 0 to 100; it orders, a person decides.
    pub score: i64,
    /// The score's explanation: matched and missing skills, criteria, evidence.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A change of stage; `from` is absent when the candidate entered the store.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageEventOut {
    pub from: Option<String>,
    pub to: String,
    /// Who changed it; absent when hirecast filed the candidate by their score.
    pub by: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
    pub note: Option<String>,
    /// A rejection's reason: `skills`, `experience`, `location`, `salary`, `language`,
    /// `position_filled`, `no_answer` or `other`.
    pub reason: Option<String>,
}

/// A candidate's entry with every change of its stage, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDetail {
    #[serde(flatten)]
    pub entry: EntryOut,
    pub history: Vec<StageEventOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryList {
    pub items: Vec<EntryOut>,
    /// Candidates matching the filter, over all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A move to another stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRequest {
    /// `new`, `shortlisted`, `interview`, `offer`, `hired`, `rejected`, `withdrawn` or `on_hold`.
    pub stage: String,
    /// Required with `rejected` (and only then): `skills`, `experience`, `location`, `salary`,
    /// `language`, `position_filled`, `no_answer` or `other`.
    pub reason: Option<String>,
    /// Why (a rejection's reason, an interview's date…), kept in the history.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EntryQuery {
    /// Only the candidates at this stage.
    stage: Option<String>,
    /// From 1 (default 1).
    page: Option<i64>,
    /// 1 to 100 (default 25).
    per_page: Option<i64>,
}

fn entry_out(e: EntryView) -> EntryOut {
    EntryOut {
        candidate_id: e.candidate.id,
        name: e.candidate.name,
        email: e.candidate.email,
        phone: e.candidate.phone,
        headline: e.candidate.headline,
        stage: e.stage.as_str().to_string(),
        origin: e.origin,
        score: e.score,
        explanation: serde_json::from_str(&e.explanation).unwrap_or(serde_json::Value::Null),
        created_at: e.created_at.and_utc().to_rfc3339(),
    }
}

fn event_out(e: StageEvent) -> StageEventOut {
    StageEventOut { from: e.from, to: e.to, by: e.actor, at: e.at.and_utc().to_rfc3339(), note: e.note, reason: e.reason }
}

fn stage_names() -> String {
    Stage::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

fn parse_stage(field: &str, s: &str) -> Result<Stage, ApiError> {
    Stage::parse(s.trim()).ok_or_else(|| ApiError::field(field, "unknown_stage", &format!("must be one of {}", stage_names())))
}

/// An opening's candidates, best score first.
///
/// Its shortlist store: the inbox (`new`) and every later stage. For recruiters, admins and the
/// opening's hiring managers.
#[utoipa::path(
    get, path = "/api/v1/openings/{id}/candidates", tag = "shortlist",
    params(("id" = String, Path, description = "Opening id"), EntryQuery),
    responses(
        (status = 200, description = "The opening's candidates", body = EntryList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 422, description = "`stage` is not a stage", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn list(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    use super::openings::{PER_PAGE_DEFAULT, PER_PAGE_MAX};
    let mut only: Option<Stage> = None;
    let (page, per_page) = super::paging(req.query_string(), PER_PAGE_DEFAULT, PER_PAGE_MAX, |k, v| match k {
        "stage" => {
            only = Some(parse_stage("stage", v)?);
            Ok(())
        }
        other => Err(ApiError::field(other, "unknown_parameter", "is not a parameter of this list (stage, page, per_page)")),
    })?;
    let o = visible(&state, &caller, id.into_inner()).await?;
    let q = crate::store::sourcing::EntryQuery { stages: only.into_iter().collect(), offset: (page - 1) * per_page, limit: per_page, ..Default::default() };
    let (entries, total) = crate::store::run(&state.pool, move |c| Ok(crate::store::sourcing::entries_page(c, &o.id, &q)?)).await?;
    let items = entries.into_iter().map(entry_out).collect();
    Ok(HttpResponse::Ok().json(EntryList { items, total, page, per_page }))
}

async fn detail(state: &AppState, opening: String, candidate: String) -> Result<EntryDetail, ApiError> {
    let found = crate::store::run(&state.pool, move |c| {
        let Some(e) = crate::store::sourcing::entry(c, &opening, &candidate)? else { return Ok(None) };
        let h = crate::store::sourcing::history(c, &opening, &candidate)?;
        Ok(Some((e, h)))
    })
    .await?;
    let (e, h) = found.ok_or(ApiError::NotFound)?;
    Ok(EntryDetail { entry: entry_out(e), history: h.into_iter().map(event_out).collect() })
}

/// One candidate of an opening, with the history of its stage.
///
/// For recruiters, admins and the opening's hiring managers.
#[utoipa::path(
    get, path = "/api/v1/openings/{id}/candidates/{candidate}", tag = "shortlist",
    params(("id" = String, Path, description = "Opening id"), ("candidate" = String, Path, description = "Candidate id")),
    responses(
        (status = 200, description = "The candidate's entry and history", body = EntryDetail),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 404, description = "No such opening or candidate in it, or not one the caller may see", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn get(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (id, candidate) = path.into_inner();
    let o = visible(&state, &caller, id).await?;
    let d = detail(&state, o.id.clone(), candidate.clone()).await?;
    let (uid, name, now) = (caller.user.id.clone(), format!("{} (API)", caller.user.name), state.clock.now());
    crate::store::run(&state.pool, move |c| Ok(crate::store::privacy::audit(c, Some(&uid), &name, "view", &candidate, Some(&o.id), now)?)).await?;
    Ok(HttpResponse::Ok().json(d))
}

/// Move a candidate to another stage.
///
/// Any stage to any other (a person decides: a rejected candidate can be reconsidered); the
/// change is recorded with who, when and the note. Moving to the stage the candidate is at
/// changes nothing. For recruiters, admins and the opening's hiring managers.
#[utoipa::path(
    post, path = "/api/v1/openings/{id}/candidates/{candidate}/stage", tag = "shortlist",
    params(("id" = String, Path, description = "Opening id"), ("candidate" = String, Path, description = "Candidate id")),
    request_body(content = StageRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Moved: the entry and its history", body = EntryDetail),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 404, description = "No such opening or candidate in it, or not one the caller may see", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "`stage` is not a stage, `reason` is missing for a rejection or not a reason, or `note` is too long", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn move_stage(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<(String, String)>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let (id, candidate) = path.into_inner();
    let o = visible(&state, &caller, id).await?;
    let r: StageRequest = body.read().await?;
    let to = parse_stage("stage", &r.stage)?;
    let reasons = || RejectReason::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
    let reason = match (to, r.reason.as_deref().map(str::trim)) {
        (Stage::Rejected, Some(x)) => Some(RejectReason::parse(x).ok_or_else(|| ApiError::field("reason", "unknown_reason", &format!("must be one of {}", reasons())))?),
        (Stage::Rejected, None) => return Err(ApiError::field("reason", "required", &format!("a rejection needs its reason, one of {}", reasons()))),
        (_, Some(_)) => return Err(ApiError::field("reason", "not_a_rejection", "only a rejection has a reason")),
        (_, None) => None,
    };
    let note = r.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(ApiError::field("note", "too_long", &format!("must be at most {NOTE_MAX} characters")));
    }
    let (oid, cid, by, now) = (o.id.clone(), candidate.clone(), caller.user.id.clone(), state.clock.now());
    let moved = crate::store::run(&state.pool, move |c| {
        crate::store::sourcing::decide(c, &oid, &cid, &crate::store::sourcing::Decision { to, note: note.as_deref(), reason }, &by, now)
    })
    .await?;
    if !moved {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::Ok().json(detail(&state, o.id, candidate).await?))
}
