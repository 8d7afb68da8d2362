//! JSON API under /api/v1 with its OpenAPI document.
//!
//! Every route is declared once in [`table`]: the app registers that table and the tests
//! check that each entry is in the OpenAPI document, so the document cannot fall behind.
pub mod body;
pub mod candidates;
pub mod channels;
pub mod compose;
pub mod deliveries;
pub mod model;
pub mod openings;
pub mod privacy;
pub mod shortlist;

use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError, Route};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::Ref;
use utoipa::OpenApi;

use crate::domain::user::Scope;
use crate::web::error::{ApiError, ErrorBody, ErrorDetail};

pub const PREFIX: &str = "/api/v1";

/// The routes under /api/v1: path (relative to the prefix), and each method with the scope an
/// API token needs for it (None: any valid token) and its handler.
type Entry = (&'static str, Vec<(Method, Option<Scope>, Route)>);

/// A list's query: `page` (1 to 1,000,000) and `per_page` (1 to `max_per_page`), each at most
/// once (as every parameter); the others go to `other`. Returns (page, per_page).
pub(crate) fn paging(query: &str, per_page_default: i64, max_per_page: i64, mut other: impl FnMut(&str, &str) -> Result<(), ApiError>) -> Result<(i64, i64), ApiError> {
    let (mut page, mut per_page) = (1i64, per_page_default);
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if seen.iter().any(|s| *s == k) {
            return Err(ApiError::Malformed { field: Some(k.chars().take(40).collect()), reason: "is given more than once".into() });
        }
        seen.push(k.to_string());
        let range = |name: &str, max: i64| -> Result<i64, ApiError> {
            match v.trim().parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::field(name, "out_of_range", &format!("must be a whole number from 1 to {max}"))),
            }
        };
        match &*k {
            "page" => page = range("page", 1_000_000)?,
            "per_page" => per_page = range("per_page", max_per_page)?,
            k => other(k, &v)?,
        }
    }
    Ok((page, per_page))
}

fn table() -> Vec<Entry> {
    use Scope::*;
    let r = |m: Method| web::method(m.clone());
    vec![
        ("/openapi.json", vec![(Method::GET, None, r(Method::GET).to(openapi_json))]),
        ("/me", vec![(Method::GET, None, r(Method::GET).to(openings::me))]),
        (
            "/openings",
            vec![
                (Method::GET, Some(OpeningsRead), r(Method::GET).to(openings::list)),
                (Method::POST, Some(OpeningsWrite), r(Method::POST).to(openings::create)),
            ],
        ),
        (
            "/openings/{id}",
            vec![
                (Method::GET, Some(OpeningsRead), r(Method::GET).to(openings::get)),
                (Method::PUT, Some(OpeningsWrite), r(Method::PUT).to(openings::replace)),
                (Method::PATCH, Some(OpeningsWrite), r(Method::PATCH).to(openings::patch)),
            ],
        ),
        ("/openings/{id}/publish", vec![(Method::POST, Some(ChannelsWrite), r(Method::POST).to(deliveries::publish))]),
        ("/openings/{id}/pause", vec![(Method::POST, Some(OpeningsWrite), r(Method::POST).to(openings::pause))]),
        ("/openings/{id}/close", vec![(Method::POST, Some(OpeningsWrite), r(Method::POST).to(deliveries::close))]),
        ("/openings/{id}/applications", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(openings::applications))]),
        ("/openings/{id}/candidates", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(shortlist::list))]),
        ("/openings/{id}/candidates/{candidate}", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(shortlist::get))]),
        (
            "/openings/{id}/candidates/{candidate}/stage",
            vec![(Method::POST, Some(CandidatesWrite), r(Method::POST).to(shortlist::move_stage))],
        ),
        ("/openings/{id}/deliveries", vec![(Method::GET, Some(OpeningsRead), r(Method::GET).to(deliveries::list))]),
        ("/deliveries/{id}/retry", vec![(Method::POST, Some(ChannelsWrite), r(Method::POST).to(deliveries::retry))]),
        ("/deliveries/{id}/cancel", vec![(Method::POST, Some(ChannelsWrite), r(Method::POST).to(deliveries::cancel))]),
        ("/deliveries/{id}/confirm", vec![(Method::POST, Some(ChannelsWrite), r(Method::POST).to(deliveries::confirm))]),
        (
            "/channels",
            vec![
                (Method::GET, Some(ChannelsRead), r(Method::GET).to(channels::list)),
                (Method::POST, Some(ChannelsWrite), r(Method::POST).to(channels::connect)),
            ],
        ),
        ("/channels/{id}/disconnect", vec![(Method::POST, Some(ChannelsWrite), r(Method::POST).to(channels::disconnect))]),
        ("/compose/preview", vec![(Method::POST, Some(OpeningsRead), r(Method::POST).to(compose::preview))]),
        (
            "/candidates/{id}/merges",
            vec![
                (Method::GET, Some(CandidatesRead), r(Method::GET).to(candidates::list)),
                (Method::POST, Some(CandidatesWrite), r(Method::POST).to(candidates::create)),
            ],
        ),
        ("/merges/{id}/undo", vec![(Method::POST, Some(CandidatesWrite), r(Method::POST).to(candidates::undo))]),
        ("/candidates/{id}/merge-proposals", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(candidates::proposals))]),
        ("/merge-proposals/{id}/confirm", vec![(Method::POST, Some(CandidatesWrite), r(Method::POST).to(candidates::confirm))]),
        ("/merge-proposals/{id}/dismiss", vec![(Method::POST, Some(CandidatesWrite), r(Method::POST).to(candidates::dismiss))]),
        ("/candidates/{id}", vec![(Method::DELETE, Some(CandidatesWrite), r(Method::DELETE).to(privacy::erase))]),
        ("/candidates/{id}/export", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(privacy::export))]),
        ("/candidates/{id}/objection", vec![(Method::POST, Some(CandidatesWrite), r(Method::POST).to(privacy::object))]),
        ("/privacy/requests", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(privacy::requests))]),
        ("/privacy/due", vec![(Method::GET, Some(CandidatesRead), r(Method::GET).to(privacy::due))]),
    ]
}

/// Every registered (method, full path), e.g. `("PATCH", "/api/v1/openings/{id}")`.
pub fn route_table() -> Vec<(String, String)> {
    route_scopes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// Every registered (method, full path, scope a token needs; None: any valid token).
pub fn route_scopes() -> Vec<(String, String, Option<Scope>)> {
    table()
        .into_iter()
        .flat_map(|(path, methods)| methods.into_iter().map(move |(m, scope, _)| (m.to_string(), format!("{PREFIX}{path}"), scope)))
        .collect()
}

/// What a token needs for a request matched to `pattern` (the full route pattern): `Some(None)`
/// any valid token; `None`, a route outside the table, which no token may call.
pub fn required_scope(method: &Method, pattern: Option<&str>) -> Option<Option<Scope>> {
    static SCOPES: OnceLock<Vec<(String, String, Option<Scope>)>> = OnceLock::new();
    let pattern = pattern?;
    SCOPES.get_or_init(route_scopes).iter().find(|(m, p, _)| m == method.as_str() && p == pattern).map(|(_, _, s)| *s)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut v1 = web::scope("/v1")
        // actix's own extractor failures answer in the API's JSON error shape.
        .app_data(web::PathConfig::default().error_handler(|e, _| {
            ApiError::Malformed { field: None, reason: format!("the address is not valid: {e}") }.into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            ApiError::Malformed { field: None, reason: format!("the query string is not valid: {e}") }.into()
        }));
    for (path, methods) in table() {
        let mut resource = web::resource(path).default_service(web::to(method_not_allowed));
        for (_, _, route) in methods {
            resource = resource.route(route);
        }
        v1 = v1.service(resource);
    }
    // Each scope needs its own default: an unmatched path in /v1 would otherwise fall to the app's HTML 404.
    v1 = v1.default_service(web::to(not_found));
    cfg.service(web::scope("/api").service(v1).default_service(web::to(not_found)));
}

async fn not_found() -> HttpResponse {
    ApiError::NotFound.error_response()
}

async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(ErrorBody {
        error: ErrorDetail {
            code: "method_not_allowed",
            message: format!("{} is not allowed on {}", req.method(), req.path()),
            fields: vec![],
        },
    })
}

/// The OpenAPI 3 document, built from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hirecast API",
        description = "Job openings and their applications. Authenticate with a personal API token \
                       (create one in Settings) sent as `Authorization: Bearer hc_...`."
    ),
    paths(
        openapi_json,
        openings::me,
        openings::list,
        openings::create,
        openings::get,
        openings::replace,
        openings::patch,
        deliveries::publish,
        openings::pause,
        deliveries::close,
        openings::applications,
        deliveries::list,
        deliveries::retry,
        deliveries::cancel,
        deliveries::confirm,
        channels::list,
        channels::connect,
        channels::disconnect,
        compose::preview,
        candidates::list,
        candidates::create,
        candidates::undo,
        candidates::proposals,
        candidates::confirm,
        candidates::dismiss,
        shortlist::list,
        shortlist::get,
        shortlist::move_stage,
        privacy::export,
        privacy::erase,
        privacy::object,
        privacy::requests,
        privacy::due,
    ),
    components(schemas(
        model::OpeningOut,
        model::SalaryOut,
        model::OpeningList,
        model::ApplicationOut,
        model::ApplicationList,
        model::CandidateOut,
        model::MeOut,
        crate::domain::opening::OpeningInput,
        crate::domain::opening::SalaryInput,
        ErrorBody,
        ErrorDetail,
        privacy::ErasedOut,
        privacy::RequestList,
        privacy::DueList,
        crate::store::privacy::Request,
        crate::store::privacy::Due,
        crate::store::privacy::Rule,
        crate::domain::FieldError,
        compose::PreviewRequest,
        compose::PreviewResponse,
        compose::PreviewOut,
        channels::ChannelOut,
        channels::ChannelList,
        channels::ConnectRequest,
        channels::ConnectedOut,
        deliveries::DeliveryOut,
        deliveries::DeliveryList,
        deliveries::PublishTarget,
        deliveries::PublishRequest,
        deliveries::PublishOut,
        deliveries::PublishResult,
        deliveries::ConfirmRequest,
        crate::compose::Network,
        candidates::MergeOut,
        candidates::MergeList,
        candidates::MergeRequest,
        candidates::ProposalOut,
        candidates::ProposalList,
        shortlist::EntryOut,
        shortlist::EntryDetail,
        shortlist::EntryList,
        shortlist::StageEventOut,
        shortlist::StageRequest,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "openings", description = "Job openings, their life cycle and applications"),
        (name = "me", description = "The caller"),
        (name = "channels", description = "Connected accounts openings are published to"),
        (name = "deliveries", description = "Each post of an opening on a channel, and what a person can do about it"),
        (name = "compose", description = "Posts per network, counted as each network counts"),
        (name = "candidates", description = "One candidate per person across channels: merges, recorded and undoable"),
        (name = "shortlist", description = "Each opening's candidates, their stage in the process and its history"),
        (name = "privacy", description = "The rights of the person (export, erasure, objection), their requests and the removal schedule"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hc_...")
                    .description(Some("A personal API token created in Settings, sent as `Authorization: Bearer hc_...`."))
                    .build(),
            ),
        );
        openapi.info.version = env!("CARGO_PKG_VERSION").to_string();
        // Each operation names the scope a token needs, from the route table itself.
        for (method, path, scope) in route_scopes() {
            let Some(item) = openapi.paths.paths.get_mut(&path) else { continue };
            let op = match method.as_str() {
                "GET" => item.get.as_mut(),
                "POST" => item.post.as_mut(),
                "PUT" => item.put.as_mut(),
                "PATCH" => item.patch.as_mut(),
                "DELETE" => item.delete.as_mut(),
                _ => None,
            };
            let Some(op) = op else { continue };
            if op.security.as_ref().is_some_and(|s| s.iter().any(|r| *r == SecurityRequirement::default())) {
                continue; // Public (the document itself).
            }
            let scopes: Vec<&str> = scope.iter().map(|s| s.as_str()).collect();
            op.security = Some(vec![SecurityRequirement::new("bearer_token", scopes.clone())]);
            let needs = match scope {
                Some(s) => format!("An API token needs the scope `{}`.", s.as_str()),
                None => "Any valid API token.".to_string(),
            };
            op.description = Some(match op.description.take() {
                Some(d) if !d.is_empty() => format!("{d}\n\n{needs}"),
                _ => needs,
            });
            if scope.is_some() {
                let forbidden = op.responses.responses.entry("403".into()).or_insert_with(|| {
                    ResponseBuilder::new()
                        .description("The caller may not do this, or the API token lacks the scope (code `missing_scope`)")
                        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
                        .build()
                        .into()
                });
                let _ = forbidden;
            }
        }
    }
}

/// The OpenAPI document (no authentication needed).
#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This API's OpenAPI 3 document", content_type = "application/json")),
    security(())
)]
pub async fn openapi_json() -> HttpResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into()));
    HttpResponse::Ok().content_type("application/json").body(body.as_str())
}

