//! The person's self-service privacy page, reached from the link every email and message to a
//! candidate carries: what is held and until when, the talent pool, and their rights. A link
//! sent privately (email) exports, erases and records an objection at once; a link sent where
//! others may read it (a network message) opens a request the team answers within a month.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::super::context::Viewer;
use super::super::error::{html, html_status, PageError};
use super::super::ui::FormData;
use super::super::AppState;
use super::Chrome;
use crate::i18n::privacy::{self as texts, PrivacyText};
use crate::i18n::Lang;
use crate::store::privacy::{self as sp, LinkScope, RequestKind};
use crate::store::{self};

#[derive(Template)]
#[template(path = "public/privacy.html")]
struct Page {
    chrome: Chrome,
    p: &'static PrivacyText,
    action: String,
    full: bool,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    sources: usize,
    cvs: usize,
    openings: Vec<String>,
    kept: String,
    in_pool: bool,
    notice: &'static str,
    error: Option<&'static str>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "public/privacy_done.html")]
struct Done {
    chrome: Chrome,
    title: &'static str,
    body: String,
}

fn plausible(token: &str) -> bool {
    (20..=100).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn chrome(state: &AppState, req: &HttpRequest, lang: Lang) -> Chrome {
    let mut c = Chrome::new(state, req, lang);
    // The language switch must not carry the token into another URL.
    c.next = "/jobs".into();
    c
}

fn gone(state: &AppState, req: &HttpRequest, lang: Lang) -> Result<HttpResponse, PageError> {
    let p = texts::text(lang);
    html_status(StatusCode::NOT_FOUND, &Done { chrome: chrome(state, req, lang), title: p.gone_title, body: p.gone_body.into() })
}

fn date(lang: Lang, t: chrono::NaiveDateTime) -> String {
    match lang {
        Lang::Fr => t.format("%d/%m/%Y").to_string(),
        Lang::En => t.format("%Y-%m-%d").to_string(),
    }
}

async fn open(state: &AppState, token: &str) -> Result<Option<(String, LinkScope)>, PageError> {
    if !plausible(token) {
        return Ok(None);
    }
    let (t, now) = (token.to_string(), state.clock.now());
    Ok(store::run(&state.pool, move |c| Ok(sp::open_link(c, &t, now)?)).await?)
}

async fn page(state: &AppState, req: &HttpRequest, lang: Lang, token: &str, candidate: String, scope: LinkScope, status: StatusCode, error: Option<&'static str>, done: Option<String>) -> Result<HttpResponse, PageError> {
    let retention = state.settings.retention;
    let cid = candidate.clone();
    let held = store::run(&state.pool, move |c| {
        use crate::store::schema::{applications, candidates, openings, shortlist_entries};
        use diesel::prelude::*;
        let (name, email, phone, pool): (String, Option<String>, Option<String>, Option<chrono::NaiveDateTime>) =
            candidates::table.find(&cid).select((candidates::name, candidates::email, candidates::phone, candidates::talent_pool_at)).first(c)?;
        let parts = sp::parts_of(c, &cid)?;
        let sources = crate::store::schema::candidate_sources::table.filter(crate::store::schema::candidate_sources::candidate_id.eq_any(&parts)).count().get_result::<i64>(c)?;
        let cvs = crate::store::schema::candidate_cvs::table.filter(crate::store::schema::candidate_cvs::candidate_id.eq_any(&parts)).count().get_result::<i64>(c)?;
        let mut titles: Vec<String> = shortlist_entries::table
            .inner_join(openings::table.on(openings::id.eq(shortlist_entries::opening_id)))
            .filter(shortlist_entries::candidate_id.eq_any(&parts))
            .select(openings::title)
            .load(c)?;
        titles.extend(applications::table.inner_join(openings::table.on(openings::id.eq(applications::opening_id))).filter(applications::candidate_id.eq_any(&parts)).select(openings::title).load::<String>(c)?);
        titles.sort();
        titles.dedup();
        let due = sp::due_of(c, &retention, &cid)?.map(|d| d.due_at);
        Ok((name, email, phone, pool.is_some(), sources as usize, cvs as usize, titles, due))
    })
    .await?;
    let (name, email, phone, in_pool, sources, cvs, openings, due) = held;
    let p = texts::text(lang);
    let kept = match due {
        Some(d) => p.kept_until.replace("{date}", &date(lang, d)),
        None => p.kept_open.to_string(),
    };
    html_status(
        status,
        &Page {
            chrome: chrome(state, req, lang),
            p,
            action: format!("/privacy/{token}"),
            full: scope == LinkScope::Full,
            name,
            email,
            phone,
            sources,
            cvs,
            openings,
            kept,
            in_pool,
            notice: crate::store::applications::privacy_notice(lang),
            error,
            done,
        },
    )
}

pub async fn show(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let Some((candidate, scope)) = open(&state, &token).await? else { return gone(&state, &req, viewer.lang) };
    let mut res = page(&state, &req, viewer.lang, &token, candidate, scope, StatusCode::OK, None, None).await?;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// POST /privacy/{token}/{action}: export, erase, object, pool, request.
pub async fn act(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (token, action) = path.into_inner();
    let lang = viewer.lang;
    let p = texts::text(lang);
    let Some((candidate, scope)) = open(&state, &token).await? else { return gone(&state, &req, lang) };
    let f = FormData::parse(&body);
    let now = state.clock.now();
    match (action.as_str(), scope) {
        ("pool", _) => {
            let join = f.get("join") == "yes";
            let cid = candidate.clone();
            store::run(&state.pool, move |c| Ok(sp::set_talent_pool(c, &cid, join, now)?)).await?;
            page(&state, &req, lang, &token, candidate, scope, StatusCode::OK, None, Some(p.pool_saved.into())).await
        }
        ("export", LinkScope::Full) => {
            let Some(zip) = crate::privacy::export_archive(&state.pool, &state.blobs, &candidate, now).await? else { return gone(&state, &req, lang) };
            let cid = candidate.clone();
            store::run(&state.pool, move |c| Ok(sp::exported(c, &cid, "link", None, "archive downloaded by the person", now)?)).await?;
            Ok(HttpResponse::Ok()
                .content_type("application/zip")
                .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.zip\""))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(zip))
        }
        ("erase" | "object", LinkScope::Full) => {
            if action == "erase" && f.get("confirm") != "yes" {
                return page(&state, &req, lang, &token, candidate, scope, StatusCode::UNPROCESSABLE_ENTITY, Some(p.erase_confirm_missing), None).await;
            }
            let erased = if action == "erase" {
                crate::privacy::erase(&state.pool, &state.blobs, &candidate, None, "link", now).await?
            } else {
                crate::privacy::object(&state.pool, &state.blobs, &candidate, None, "link", now).await?
            };
            if erased.is_none() {
                return gone(&state, &req, lang);
            }
            let body = if action == "erase" { p.erased_body } else { p.objected_body };
            html(&Done { chrome: chrome(&state, &req, lang), title: p.erased_title, body: body.into() })
        }
        ("request", _) | ("export" | "erase" | "object", LinkScope::Request) => {
            let kind = match action.as_str() {
                "request" => RequestKind::parse(&f.get("kind")),
                "export" => Some(RequestKind::Export),
                "erase" => Some(RequestKind::Erasure),
                _ => Some(RequestKind::Objection),
            };
            let Some(kind) = kind else {
                return page(&state, &req, lang, &token, candidate, scope, StatusCode::UNPROCESSABLE_ENTITY, Some(p.request_bad_kind), None).await;
            };
            let message = f.get("message");
            let cid = candidate.clone();
            let id = store::run(&state.pool, move |c| Ok(sp::open_request(c, &cid, kind, "link", Some(message.trim()).filter(|m| !m.is_empty()), now)?)).await?;
            let due = store::run(&state.pool, move |c| Ok(sp::find_request(c, &id)?)).await?.map(|r| r.due_at).unwrap_or(now);
            page(&state, &req, lang, &token, candidate, scope, StatusCode::OK, None, Some(p.request_sent.replace("{date}", &date(lang, due)))).await
        }
        _ => Err(PageError::NotFound),
    }
}
