//! The team's privacy dashboard (`/app/privacy`): open requests with their deadline, who is
//! due for removal and when, the purges run (counts), recent access to candidates; and one
//! person's privacy page with the admin's actions (export, erasure, objection). Recruiters and
//! admins see it; only admins act. Hiring managers get 404.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, fmt_time, FormData, Layout, Notice};
use crate::domain::user::Role;
use crate::i18n::privacy::{self as texts, PrivacyText};
use crate::store::privacy::{self as sp, RequestKind, Rule};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

pub struct RequestRow {
    pub id: String,
    pub kind: &'static str,
    pub candidate: Option<(String, String)>,
    pub requested: String,
    pub due: String,
    pub overdue: bool,
    pub message: String,
}

pub struct DueRow {
    pub candidate_id: String,
    pub name: String,
    pub rule: &'static str,
    pub due: String,
}

pub struct RunRow {
    pub at: String,
    pub reason: String,
    pub people: i64,
    pub rows: i64,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub candidate: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "ui/privacy.html")]
struct Dashboard {
    page: Layout,
    p: &'static PrivacyText,
    notice: Option<Notice>,
    retention: String,
    requests: Vec<RequestRow>,
    due: Vec<DueRow>,
    /// Everyone due in the next 90 days; the page lists the first [`DUE_LISTED`].
    due_total: i64,
    /// People whose dates are still being recomputed (after a large change).
    due_pending: i64,
    runs: Vec<RunRow>,
    audit: Vec<AuditRow>,
}

#[derive(Template)]
#[template(path = "ui/privacy_person.html")]
struct Person {
    page: Layout,
    p: &'static PrivacyText,
    notice: Option<Notice>,
    is_admin: bool,
    id: String,
    name: String,
    status: Vec<String>,
    requests: Vec<RequestRow>,
    audit: Vec<AuditRow>,
}

fn rule_label(p: &PrivacyText, r: Rule) -> &'static str {
    match r {
        Rule::Unsuccessful => p.rule_unsuccessful,
        Rule::TalentPool => p.rule_talent_pool,
        Rule::NotInformed => p.rule_not_informed,
    }
}

fn kind_label(p: &PrivacyText, k: &str) -> &'static str {
    match RequestKind::parse(k) {
        Some(RequestKind::Export) => p.request_export,
        Some(RequestKind::Erasure) => p.request_erasure,
        _ => p.request_objection,
    }
}

/// Recruiters and admins; hiring managers do not learn the page exists.
fn allowed(me: &SignedIn) -> Result<(), PageError> {
    if me.role().can_edit_openings() {
        Ok(())
    } else {
        Err(PageError::NotFound)
    }
}

fn admin(me: &SignedIn) -> Result<(), PageError> {
    allowed(me)?;
    if me.role() == Role::Admin {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

fn names(c: &mut crate::store::DbConn, ids: Vec<String>) -> diesel::QueryResult<std::collections::HashMap<String, String>> {
    use crate::store::schema::candidates;
    use diesel::prelude::*;
    Ok(candidates::table.filter(candidates::id.eq_any(ids)).select((candidates::id, candidates::name)).load::<(String, String)>(c)?.into_iter().collect())
}

fn request_rows(p: &PrivacyText, list: Vec<sp::Request>, names: &std::collections::HashMap<String, String>, now: chrono::NaiveDateTime) -> Vec<RequestRow> {
    list.into_iter()
        .map(|r| RequestRow {
            kind: kind_label(p, &r.kind),
            candidate: r.candidate_id.as_ref().map(|c| (c.clone(), names.get(c).cloned().unwrap_or_default())),
            requested: fmt_time(&r.requested_at),
            due: fmt_time(&r.due_at),
            overdue: r.state == "open" && r.due_at < now,
            message: if r.state == "open" { r.message.unwrap_or_default() } else { format!("{} {}", r.state, r.outcome.unwrap_or_default()) },
            id: r.id,
        })
        .collect()
}

fn audit_rows(list: Vec<sp::AuditEntry>, names: &std::collections::HashMap<String, String>) -> Vec<AuditRow> {
    list.into_iter()
        .map(|a| AuditRow {
            at: fmt_time(&a.at),
            actor: a.actor,
            action: a.action,
            candidate: a.candidate_id.as_ref().and_then(|c| names.get(c).map(|n| (c.clone(), n.clone()))),
        })
        .collect()
}

/// People listed as due on the dashboard, soonest first.
const DUE_LISTED: i64 = 500;

pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    allowed(&me)?;
    let p = texts::text(me.lang);
    let (now, retention) = (state.clock.now(), state.settings.retention);
    let (requests, due, runs, audit, names) = crate::store::run(&state.pool, move |c| {
        let requests = sp::requests(c, true, 200)?;
        // The marked people first (a few thousand at most here; the worker does the rest).
        let pending = sp::refresh_schedule(c, &retention, Some(5_000))?;
        let (due, due_total) = sp::schedule(c, Some(now + chrono::Duration::days(90)), 0, Some(DUE_LISTED))?;
        let due = (due, due_total, pending);
        let runs = sp::runs(c, 30)?;
        let audit = sp::audit_recent(c, 50)?;
        let mut ids: Vec<String> = requests.iter().filter_map(|r| r.candidate_id.clone()).collect();
        ids.extend(audit.iter().filter_map(|a| a.candidate_id.clone()));
        let names = names(c, ids)?;
        Ok((requests, due, runs, audit, names))
    })
    .await
    .map_err(db_err)?;
    let notice = match FormData::parse(req.query_string().as_bytes()).get("done").as_str() {
        "erased" => Notice::ok(p.erased_title),
        "refused" => Notice::ok(p.dash_refused),
        _ => None,
    };
    html_status(
        StatusCode::OK,
        &Dashboard {
            page: Layout::signed_in(&me, &req, "privacy", p.dash_title),
            p,
            notice,
            retention: p
                .dash_retention
                .replace("{unsuccessful}", &retention.unsuccessful.num_days().to_string())
                .replace("{pool}", &retention.pool.num_days().to_string()),
            requests: request_rows(p, requests, &names, now),
            due_total: due.1,
            due_pending: due.2,
            due: due.0.into_iter().map(|d| DueRow { rule: rule_label(p, d.rule), due: fmt_time(&d.due_at), candidate_id: d.candidate_id, name: d.name }).collect(),
            runs: runs
                .into_iter()
                .map(|r| {
                    let counts: serde_json::Value = serde_json::from_str(&r.counts).unwrap_or_default();
                    let rows = counts["tables"].as_object().map(|o| o.values().filter_map(|v| v.as_i64()).sum()).unwrap_or(0);
                    RunRow { at: fmt_time(&r.ran_at), reason: r.reason, people: r.candidates, rows }
                })
                .collect(),
            audit: audit_rows(audit, &names),
        },
    )
}

async fn person_page(req: &HttpRequest, state: &AppState, me: &SignedIn, cid: String, notice: Option<Notice>, status: StatusCode) -> Result<HttpResponse, PageError> {
    let p = texts::text(me.lang);
    let (now, retention) = (state.clock.now(), state.settings.retention);
    let found = crate::store::run(&state.pool, move |c| {
        use crate::store::schema::{candidates, privacy_requests};
        use diesel::prelude::*;
        let Some(person) = sp::person_of(c, &cid)? else { return Ok(None) };
        type Row = (String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>);
        let (name, created, notice_at, pool_at): Row =
            candidates::table.find(&person).select((candidates::name, candidates::created_at, candidates::notice_sent_at, candidates::talent_pool_at)).first(c)?;
        let requests: Vec<sp::Request> =
            privacy_requests::table.filter(privacy_requests::candidate_id.eq(&person)).order(privacy_requests::requested_at.desc()).select(sp::Request::as_select()).load(c)?;
        let audit = sp::audit_of(c, &person, 100)?;
        let due = sp::due_of(c, &retention, &person)?;
        let names = names(c, vec![person.clone()])?;
        Ok(Some((person, name, created, notice_at, pool_at, requests, audit, due, names)))
    })
    .await
    .map_err(db_err)?;
    let Some((id, name, created, notice_at, pool_at, requests, audit, due, names)) = found else { return Err(PageError::NotFound) };
    let mut lines = Vec::new();
    lines.push(match notice_at {
        Some(t) => p.cand_notice_sent.replace("{date}", &fmt_time(&t)),
        None => p.cand_notice_missing.replace("{date}", &fmt_time(&(created + chrono::Duration::days(sp::NOTICE_DAYS)))),
    });
    if let Some(t) = pool_at {
        lines.push(p.cand_pool.replace("{date}", &fmt_time(&t)));
    }
    lines.push(match due {
        Some(d) => format!("{} {} ({})", p.dash_due_at, fmt_time(&d.due_at), rule_label(p, d.rule)),
        None => p.kept_open.to_string(),
    });
    html_status(
        status,
        &Person {
            page: Layout::signed_in(me, req, "privacy", &name),
            p,
            notice,
            is_admin: me.role() == Role::Admin,
            id,
            name,
            status: lines,
            requests: request_rows(p, requests, &names, now),
            audit: audit_rows(audit, &names),
        },
    )
}

pub async fn person(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, cid: web::Path<String>) -> Result<HttpResponse, PageError> {
    allowed(&me)?;
    person_page(&req, &state, &me, cid.into_inner(), None, StatusCode::OK).await
}

/// POST /app/privacy/candidates/{id}/{action}: export (the archive), erase, object.
pub async fn act(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    admin(&me)?;
    let (cid, action) = path.into_inner();
    let p = texts::text(me.lang);
    let now = state.clock.now();
    let f = FormData::parse(&body);
    let actor = (me.user.id.as_str(), me.user.name.as_str());
    match action.as_str() {
        "export" => {
            let Some(zip) = crate::privacy::export_archive(&state.pool, &state.blobs, &cid, now).await.map_err(db_err)? else { return Err(PageError::NotFound) };
            let (uid, uname, c2) = (me.user.id.clone(), me.user.name.clone(), cid.clone());
            crate::store::run(&state.pool, move |c| {
                let Some(person) = sp::person_of(c, &c2)? else { return Ok(()) };
                Ok(sp::exported(c, &person, "team", Some((&uid, &uname)), "archive exported by the team", now)?)
            })
            .await
            .map_err(db_err)?;
            Ok(HttpResponse::Ok()
                .content_type("application/zip")
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"candidate-{cid}.zip\"")))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(zip))
        }
        "erase" | "object" => {
            if f.get("confirm") != "yes" {
                return person_page(&req, &state, &me, cid, Notice::error(p.erase_confirm_missing), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            let erased = if action == "erase" {
                crate::privacy::erase(&state.pool, &state.blobs, &cid, Some(actor), "team", now).await
            } else {
                crate::privacy::object(&state.pool, &state.blobs, &cid, Some(actor), "team", now).await
            }
            .map_err(db_err)?;
            match erased {
                Some(_) => Ok(see_other("/app/privacy?done=erased")),
                None => Err(PageError::NotFound),
            }
        }
        _ => Err(PageError::NotFound),
    }
}

/// POST /app/privacy/requests/{id}/refuse: with the reason (e.g. the identity not confirmed).
pub async fn refuse(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    admin(&me)?;
    let p = texts::text(me.lang);
    let reason = FormData::parse(&body).get("reason").trim().to_string();
    let (id, uid, now) = (id.into_inner(), me.user.id.clone(), state.clock.now());
    let exists = {
        let id = id.clone();
        crate::store::run(&state.pool, move |c| Ok(sp::find_request(c, &id)?)).await.map_err(db_err)?
    };
    let Some(r) = exists else { return Err(PageError::NotFound) };
    if reason.is_empty() {
        return match r.candidate_id {
            Some(c) => person_page(&req, &state, &me, c, Notice::error(p.dash_refuse_missing), StatusCode::UNPROCESSABLE_ENTITY).await,
            None => Err(PageError::NotFound),
        };
    }
    crate::store::run(&state.pool, move |c| Ok(sp::refuse_request(c, &id, &uid, &reason, now)?)).await.map_err(db_err)?;
    Ok(see_other("/app/privacy?done=refused"))
}
