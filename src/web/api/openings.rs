//! /api/v1/openings and /api/v1/me.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::{self, JsonBody};
use super::model::*;
use crate::domain::opening::{EmploymentType, Opening, OpeningDraft, OpeningInput, OpeningLanguage, OpeningStatus, RemotePolicy};
use crate::domain::{FieldError, Invalid};
use crate::store::{self, openings::OpeningFilter};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

pub const PER_PAGE_DEFAULT: i64 = 25;
pub const PER_PAGE_MAX: i64 = 100;

/// Loads an opening the caller may see; anything else is 404 so existence does not leak.
pub async fn visible(state: &AppState, caller: &ApiCaller, id: String) -> Result<Opening, ApiError> {
    let user_id = caller.user.id.clone();
    let sees_all = caller.user.role.sees_all_openings();
    let found = store::run(&state.pool, move |c| {
        let Some(o) = store::openings::find(c, &id)? else { return Ok(None) };
        if sees_all || store::openings::is_manager_of(c, &o.id, &user_id)? {
            Ok(Some(o))
        } else {
            Ok(None)
        }
    })
    .await?;
    found.ok_or(ApiError::NotFound)
}

/// Like [`visible`], then 403 for callers who may only read.
async fn editable(state: &AppState, caller: &ApiCaller, id: String) -> Result<Opening, ApiError> {
    let o = visible(state, caller, id).await?;
    if caller.user.role.can_edit_openings() {
        Ok(o)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Query parameters of the list (documented here, read by [`parse_list_query`]).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQuery {
    /// Words matched in title, company, department and city.
    q: Option<String>,
    status: Option<OpeningStatus>,
    remote_policy: Option<RemotePolicy>,
    employment_type: Option<EmploymentType>,
    language: Option<OpeningLanguage>,
    /// City, or a two-letter country code.
    location: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, default = 1)]
    page: Option<i64>,
    /// Openings per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    per_page: Option<i64>,
}

fn number(name: &str, raw: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            name,
            "out_of_range",
            format!("must be a whole number from {min} to {max}"),
            format!("doit être un nombre entier de {min} à {max}"),
        )),
    }
}

/// Reads the list's query string by hand so each mistake names its parameter, and
/// unknown parameters (typos that would silently widen the list) are refused.
fn parse_list_query(query: &str) -> Result<(OpeningFilter, i64, i64), ApiError> {
    let mut f = OpeningFilter::default();
    let (mut page, mut per_page) = (1, PER_PAGE_DEFAULT);
    let mut inv = Invalid::default();
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if seen.iter().any(|s| *s == k) {
            return Err(ApiError::Malformed { field: Some(k.chars().take(40).collect()), reason: "is given more than once".into() });
        }
        seen.push(k.to_string());
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "q" => f.q = Some(v.chars().take(200).collect()),
            "location" => f.location = Some(v.chars().take(100).collect()),
            "status" => f.status = inv.take(OpeningStatus::parse(v)),
            "remote_policy" => f.remote_policy = inv.take(RemotePolicy::parse(v)),
            "employment_type" => f.employment_type = inv.take(EmploymentType::parse(v)),
            "language" => f.language = inv.take(OpeningLanguage::parse(v)),
            "page" => page = inv.take(number("page", v, 1, 1_000_000)).unwrap_or(1),
            "per_page" => per_page = inv.take(number("per_page", v, 1, PER_PAGE_MAX)).unwrap_or(PER_PAGE_DEFAULT),
            other => {
                return Err(ApiError::Malformed {
                    field: Some(other.chars().take(40).collect()),
                    reason: "is not a known query parameter (q, status, remote_policy, employment_type, language, location, page, per_page)".into(),
                })
            }
        }
    }
    if !inv.is_empty() {
        return Err(inv.into());
    }
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    Ok((f, page, per_page))
}

/// List openings.
///
/// Recruiters and admins see every opening; hiring managers only those assigned to them.
#[utoipa::path(
    get, path = "/api/v1/openings", tag = "openings",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of openings, newest first", body = OpeningList),
        (status = 400, description = "Unknown or repeated query parameter", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 422, description = "A parameter has a value outside its range or choices", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn list(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (mut filter, page, per_page) = parse_list_query(req.query_string())?;
    if !caller.user.role.sees_all_openings() {
        filter.manager_id = Some(caller.user.id.clone());
    }
    let (openings, total) = store::run(&state.pool, move |c| store::openings::list(c, &filter)).await?;
    let items = openings.iter().map(|o| OpeningOut::new(o, &state)).collect();
    Ok(HttpResponse::Ok().json(OpeningList { items, total, page, per_page }))
}

/// Create an opening (as a draft).
#[utoipa::path(
    post, path = "/api/v1/openings", tag = "openings",
    request_body(content = OpeningInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; `Location` names the new opening", body = OpeningOut,
            headers(("Location" = String, description = "/api/v1/openings/{id}"))),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not create openings", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "Every field that breaks a rule", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn create(state: web::Data<AppState>, caller: ApiCaller, body: JsonBody) -> Result<HttpResponse, ApiError> {
    if !caller.user.role.can_edit_openings() {
        return Err(ApiError::Forbidden);
    }
    let input: OpeningInput = body.read().await?;
    let draft = OpeningDraft::parse(&input, state.clock.today())?;
    let by = caller.user.id.clone();
    let opening = store::run(&state.pool, move |c| Ok(store::openings::create(c, &draft, Some(&by)))).await??;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/openings/{}", opening.id)))
        .json(OpeningOut::new(&opening, &state)))
}

/// Get one opening.
#[utoipa::path(
    get, path = "/api/v1/openings/{id}", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening", body = OpeningOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn get(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let o = visible(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OpeningOut::new(&o, &state)))
}

async fn save(state: &AppState, id: String, input: OpeningInput) -> Result<HttpResponse, ApiError> {
    let draft = OpeningDraft::parse(&input, state.clock.today())?;
    let opening = store::run(&state.pool, move |c| Ok(store::openings::update(c, &id, &draft))).await??;
    Ok(HttpResponse::Ok().json(OpeningOut::new(&opening, state)))
}

/// Replace an opening's content.
///
/// Every field is replaced; omitted optional fields are cleared. Status and slug are kept.
#[utoipa::path(
    put, path = "/api/v1/openings/{id}", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    request_body(content = OpeningInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated opening", body = OpeningOut),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not change openings", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "Every field that breaks a rule", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn replace(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let o = editable(&state, &caller, id.into_inner()).await?;
    let input: OpeningInput = body.read().await?;
    save(&state, o.id, input).await
}

/// RFC 7396: objects merge key by key, `null` removes a key, anything else replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// Change some fields of an opening (JSON Merge Patch).
///
/// Send only the fields to change; `null` removes an optional field (e.g. `"department": null`).
#[utoipa::path(
    patch, path = "/api/v1/openings/{id}", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    request_body(description = "A JSON Merge Patch (RFC 7396) of the opening's input fields (see OpeningInput)",
        content((Object = "application/merge-patch+json"), (Object = "application/json"))),
    responses(
        (status = 200, description = "The updated opening", body = OpeningOut),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not change openings", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "Every field that breaks a rule after merging", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn patch(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let o = editable(&state, &caller, id.into_inner()).await?;
    let patch = body.read_merge_patch().await?;
    let mut merged = serde_json::to_value(o.to_input()).map_err(|e| ApiError::Unexpected(e.into()))?;
    merge_patch(&mut merged, &patch);
    // Deserializing the merged document keeps field paths and the refusal of unknown fields.
    let input: OpeningInput = body::from_value(merged)?;
    save(&state, o.id, input).await
}

async fn move_to(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>, to: OpeningStatus) -> Result<HttpResponse, ApiError> {
    let o = editable(&state, &caller, id.into_inner()).await?;
    let today = state.clock.today();
    let opening = store::run(&state.pool, move |c| Ok(store::openings::set_status(c, &o.id, to, today))).await??;
    Ok(HttpResponse::Ok().json(OpeningOut::new(&opening, &state)))
}

/// Publish an opening (from draft, paused or closed).
#[utoipa::path(
    post, path = "/api/v1/openings/{id}/publish", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening, now open", body = OpeningOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not change openings", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Already open, or its last day (`valid_through`) has passed", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn publish(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    move_to(state, caller, id, OpeningStatus::Open).await
}

/// Pause an open opening.
#[utoipa::path(
    post, path = "/api/v1/openings/{id}/pause", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening, now paused", body = OpeningOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not change openings", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Only an open opening can be paused", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn pause(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    move_to(state, caller, id, OpeningStatus::Paused).await
}

/// Close an opening.
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
    move_to(state, caller, id, OpeningStatus::Closed).await
}

/// Applications to an opening, newest first.
///
/// For recruiters, admins and the opening's hiring managers.
#[utoipa::path(
    get, path = "/api/v1/openings/{id}/applications", tag = "openings",
    params(("id" = String, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening's applications", body = ApplicationList),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn applications(state: web::Data<AppState>, caller: ApiCaller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let o = visible(&state, &caller, id.into_inner()).await?;
    let views = store::run(&state.pool, move |c| Ok(store::applications::list_for_opening(c, &o.id)?)).await?;
    Ok(HttpResponse::Ok().json(ApplicationList { items: views.iter().map(ApplicationOut::from).collect() }))
}

/// Who is calling.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "me",
    responses(
        (status = 200, description = "The caller", body = MeOut),
        (status = 401, description = "No valid token or session", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn me(caller: ApiCaller) -> HttpResponse {
    HttpResponse::Ok().json(MeOut::from(&caller.user))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}, "k": [1]});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}, "k": [2, 3], "n": {"x": 1}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}, "k": [2, 3], "n": {"x": 1}}));
    }

    #[test]
    fn list_query_names_the_bad_parameter() {
        let e = |q: &str| match parse_list_query(q) {
            Err(ApiError::Invalid(i)) => i.0.iter().map(|f| f.field.clone()).collect::<Vec<_>>(),
            Err(ApiError::Malformed { field, .. }) => vec![field.unwrap_or_default()],
            other => panic!("{q}: expected an error, got {:?}", other.map(|r| (r.1, r.2))),
        };
        assert_eq!(e("status=live"), ["status"]);
        assert_eq!(e("per_page=101"), ["per_page"]);
        assert_eq!(e("page=0&remote_policy=moon"), ["page", "remote_policy"]);
        assert_eq!(e("stauts=open"), ["stauts"]);
        let (f, page, per) = parse_list_query("page=3&per_page=10&status=open").unwrap();
        assert_eq!((page, per, f.offset, f.limit, f.status), (3, 10, 20, 10, Some(OpeningStatus::Open)));
    }
}
