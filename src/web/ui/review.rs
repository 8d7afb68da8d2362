//! The hiring-manager review of an opening: the shortlist review (filters, sorting, keyboard,
//! bulk actions), the candidate page (contact, sources, the score's evidence, the CV inline,
//! history, private notes, scorecards, decisions) and the comparison of two to four
//! candidates. Whoever sees the opening reviews it: recruiters, admins and its own hiring
//! managers; everyone else gets 404, also for a candidate or a CV of an opening they see that
//! is not that opening's.
use std::collections::HashSet;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::openings::{http_link, stage_label, visible_opening};
use super::{db_err, fmt_time, FormData, Layout, Notice};
use crate::domain::opening::Opening;
use crate::i18n::review::ReviewText;
use crate::i18n::Lang;
use crate::store::review::{self as store, Action, CriteriaError, Outcome};
use crate::store::sourcing::{EntryView, RejectReason, Stage};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

/// The most candidates one bulk action changes.
pub const BULK_MAX: usize = 100;

/// Who reviews, and under which addresses: a signed-in user under `/app/openings/{id}`, or a
/// guest from a review link under `/review/{token}` (that one opening, nothing else).
pub struct Reviewer {
    pub user_id: String,
    pub lang: Lang,
    /// Writes openings (sets the scorecard criteria, sends review links).
    pub can_edit: bool,
    /// Where the candidate pages are: `{base}/candidates/{id}`.
    pub base: String,
    /// The review page; its bulk action and comparison are under it.
    pub review_base: String,
    signed_in: Option<SignedIn>,
    /// The guest's name, shown at the top of the pages a link opens.
    pub guest: Option<String>,
}

impl Reviewer {
    /// A signed-in user, for an opening they may see (404 otherwise).
    pub async fn app(state: &AppState, me: SignedIn, id: String) -> Result<(Reviewer, Opening), PageError> {
        let o = visible_opening(state, &me, id).await?;
        let rv = Reviewer {
            user_id: me.user.id.clone(),
            lang: me.lang,
            can_edit: me.role().can_edit_openings(),
            base: format!("/app/openings/{}", o.id),
            review_base: format!("/app/openings/{}/review", o.id),
            signed_in: Some(me),
            guest: None,
        };
        Ok((rv, o))
    }

    /// The guest of a valid review link; an unknown, expired or revoked link is a 404 page
    /// that says so.
    pub async fn link(req: &HttpRequest, state: &AppState, token: String) -> Result<(Reviewer, Opening), PageError> {
        let now = state.clock.now();
        let t = token.clone();
        let found = crate::store::run(&state.pool, move |c| {
            let Some(access) = crate::store::review_links::open(c, &t, now)? else { return Ok(None) };
            Ok(crate::store::openings::find(c, &access.opening_id)?.map(|o| (access, o)))
        })
        .await
        .map_err(db_err)?;
        let Some((access, o)) = found else { return Err(PageError::LinkExpired) };
        // The language switch (a cookie) wins over the one the recruiter chose for the guest.
        let lang = req
            .cookie(crate::web::context::LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .or(access.reviewer.locale)
            .unwrap_or_else(|| crate::web::context::negotiate_lang(req, None));
        let rv = Reviewer {
            user_id: access.reviewer.id.clone(),
            lang,
            can_edit: false,
            base: format!("/review/{token}"),
            review_base: format!("/review/{token}"),
            signed_in: None,
            guest: Some(access.reviewer.name.clone()),
        };
        Ok((rv, o))
    }

    /// Records in the audit log that this reviewer viewed or downloaded the candidate.
    pub(super) async fn audit(&self, state: &AppState, action: &'static str, candidate_id: &str, opening_id: &str) -> Result<(), PageError> {
        let name = match (&self.signed_in, &self.guest) {
            (Some(me), _) => me.user.name.clone(),
            (None, Some(g)) => format!("{g} (review link)"),
            (None, None) => String::new(),
        };
        let (uid, cid, oid, now) = (self.user_id.clone(), candidate_id.to_string(), opening_id.to_string(), state.clock.now());
        crate::store::run(&state.pool, move |c| Ok(crate::store::privacy::audit(c, Some(&uid), &name, action, &cid, Some(&oid), now)?)).await.map_err(db_err)
    }

    pub(super) fn layout(&self, req: &HttpRequest, title: &str) -> Layout {
        match &self.signed_in {
            Some(me) => Layout::signed_in(me, req, "openings", title),
            None => Layout::anonymous(self.lang, req, title),
        }
    }
}

// ---------- filters ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StageFilter {
    /// Every stage but rejected, withdrawn and hired.
    Active,
    All,
    Only(Stage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Score,
    Newest,
    Oldest,
    Name,
}

impl Sort {
    const ALL: [(Sort, &'static str); 4] = [(Sort::Score, "score"), (Sort::Newest, "newest"), (Sort::Oldest, "oldest"), (Sort::Name, "name")];
    fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|s| s.0 == self).map(|s| s.1).unwrap_or("score")
    }
}

const SOURCE_KINDS: [&str; 4] = ["reply", "profile", "apply_form", "sourcing_search"];

#[derive(Debug, Clone)]
struct Filter {
    stage: StageFilter,
    min_score: u8,
    source: Option<&'static str>,
    q: String,
    sort: Sort,
    /// 1-based; [`REVIEW_PAGE`] rows a page.
    page: usize,
}

/// Rows on one page of the review list.
pub const REVIEW_PAGE: usize = 100;

impl Default for Filter {
    fn default() -> Self {
        Filter { stage: StageFilter::Active, min_score: 0, source: None, q: String::new(), sort: Sort::Score, page: 1 }
    }
}

impl Filter {
    /// From a query string; a bad field falls back to its default and is reported.
    fn parse(query: &str, r: &ReviewText) -> (Filter, Vec<&'static str>) {
        let f = FormData::parse(query.as_bytes());
        let mut out = Filter::default();
        let mut errors = Vec::new();
        match f.get("stage").trim() {
            "" | "active" => {}
            "all" => out.stage = StageFilter::All,
            s => match Stage::parse(s) {
                Some(s) => out.stage = StageFilter::Only(s),
                None => errors.push(r.bad_stage),
            },
        }
        match f.get("min").trim() {
            "" => {}
            s => match s.parse::<u8>() {
                Ok(n) if n <= 100 => out.min_score = n,
                _ => errors.push(r.bad_min_score),
            },
        }
        match f.get("source").trim() {
            "" | "all" => {}
            s => match SOURCE_KINDS.iter().find(|k| **k == s) {
                Some(k) => out.source = Some(k),
                None => errors.push(r.bad_source),
            },
        }
        out.q = f.get("q").trim().chars().take(100).collect();
        match f.get("sort").trim() {
            "" => {}
            s => match Sort::ALL.iter().find(|x| x.1 == s) {
                Some(x) => out.sort = x.0,
                None => errors.push(r.bad_sort),
            },
        }
        match f.get("page").trim() {
            "" => {}
            s => match s.parse::<usize>() {
                Ok(n) if (1..=100_000).contains(&n) => out.page = n,
                _ => errors.push(r.bad_page),
            },
        }
        (out, errors)
    }

    fn stage_value(&self) -> String {
        match self.stage {
            StageFilter::Active => "active".into(),
            StageFilter::All => "all".into(),
            StageFilter::Only(s) => s.as_str().into(),
        }
    }

    /// The canonical query string of these filters (what links and redirects carry).
    fn query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("stage", &self.stage_value());
        if self.min_score > 0 {
            s.append_pair("min", &self.min_score.to_string());
        }
        if let Some(k) = self.source {
            s.append_pair("source", k);
        }
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        s.append_pair("sort", self.sort.as_str());
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        s.finish()
    }

    /// The same filters on another page.
    fn on_page(&self, page: usize) -> String {
        Filter { page, ..self.clone() }.query()
    }

    /// What the database is asked for: these filters, this page.
    fn entry_query(&self) -> crate::store::sourcing::EntryQuery {
        use crate::store::sourcing::{EntryQuery, EntrySort};
        let (stages, not_stages) = match self.stage {
            StageFilter::Active => (Vec::new(), vec![Stage::Rejected, Stage::Withdrawn, Stage::Hired]),
            StageFilter::All => (Vec::new(), Vec::new()),
            StageFilter::Only(s) => (vec![s], Vec::new()),
        };
        EntryQuery {
            stages,
            not_stages,
            min_score: self.min_score as i64,
            source: self.source,
            name: self.q.clone(),
            sort: match self.sort {
                Sort::Score => EntrySort::Score,
                Sort::Newest => EntrySort::Newest,
                Sort::Oldest => EntrySort::Oldest,
                Sort::Name => EntrySort::Name,
            },
            offset: ((self.page - 1) * REVIEW_PAGE) as i64,
            limit: REVIEW_PAGE as i64,
        }
    }
}

// ---------- shared pieces ----------

fn source_label(kind: &str, r: &ReviewText) -> &'static str {
    match kind {
        "reply" => r.source_reply,
        "profile" => r.source_profile,
        "apply_form" => r.source_apply_form,
        _ => r.source_sourcing_search,
    }
}

fn age(now: chrono::NaiveDateTime, then: chrono::NaiveDateTime, r: &ReviewText) -> String {
    let minutes = (now - then).num_minutes().max(0);
    if minutes < 60 {
        r.age_minutes.replace("{n}", &minutes.to_string())
    } else if minutes < 48 * 60 {
        r.age_hours.replace("{n}", &(minutes / 60).to_string())
    } else {
        r.age_days.replace("{n}", &(minutes / (24 * 60)).to_string())
    }
}

fn skill_labels(x: &serde_json::Value, key: &str, lang: Lang) -> Vec<String> {
    let label = if lang == Lang::Fr { "label_fr" } else { "label_en" };
    x[key].as_array().into_iter().flatten().map(|v| v[label].as_str().unwrap_or_default().to_string()).collect()
}

pub(super) fn reasons(lang: Lang) -> Vec<(&'static str, &'static str)> {
    RejectReason::ALL.iter().map(|r| (r.as_str(), r.label(lang))).collect()
}

/// The candidate's entry in the opening; 404 when they are not in it.
pub(super) async fn entry_of(state: &AppState, o: &Opening, candidate: String) -> Result<EntryView, PageError> {
    let oid = o.id.clone();
    let e = crate::store::run(&state.pool, move |c| Ok(crate::store::sourcing::entry(c, &oid, &candidate)?)).await.map_err(db_err)?;
    e.ok_or(PageError::NotFound)
}

/// An action from a form: `action` (advance, hold, reject, stage), `reason`, `stage`.
fn parse_action(f: &FormData, r: &ReviewText, allow_stage: bool) -> Result<Action, &'static str> {
    match f.get("action").trim() {
        "advance" => Ok(Action::Advance),
        "hold" => Ok(Action::Hold),
        "reject" => RejectReason::parse(f.get("reason").trim()).map(Action::Reject).ok_or(r.reason_required),
        "stage" if allow_stage => match Stage::parse(f.get("stage").trim()) {
            Some(Stage::Rejected) => RejectReason::parse(f.get("reason").trim()).map(Action::Reject).ok_or(r.reason_required),
            Some(s) => Ok(Action::To(s)),
            None => Err(r.bad_stage),
        },
        _ => Err(r.bulk_bad_action),
    }
}

fn parse_note(f: &FormData, r: &ReviewText) -> Result<Option<String>, &'static str> {
    let note = f.get("note").trim().to_string();
    if note.chars().count() > crate::web::api::shortlist::NOTE_MAX {
        return Err(r.decision_note_long);
    }
    Ok((!note.is_empty()).then_some(note))
}

// ---------- the review page ----------

/// The review list's page links: the previous and next pages, as query strings.
pub struct Pages {
    pub page: usize,
    pub of: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

fn pages_around(page: usize, of: usize, f: &Filter) -> Pages {
    Pages { page, of, prev: (page > 1).then(|| f.on_page((page - 1).min(of))), next: (page < of).then(|| f.on_page(page + 1)) }
}

pub struct ReviewRow {
    pub candidate_id: String,
    pub name: String,
    pub handle: String,
    pub score: i64,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub matched: Vec<String>,
    pub missing: Vec<String>,
    pub sources: Vec<String>,
    pub age: String,
    pub has_cv: bool,
    /// "Advance to Interview", when there is a next stage.
    pub advance: Option<String>,
    pub last_change: String,
}

#[derive(Template)]
#[template(path = "ui/review.html")]
struct ReviewPage {
    page: Layout,
    r: &'static ReviewText,
    id: String,
    base: String,
    review_base: String,
    /// The guest's name, on a page a review link opened.
    guest: Option<String>,
    title: String,
    notice: Option<Notice>,
    can_edit: bool,
    rows: Vec<ReviewRow>,
    /// Entries matching the filters, on every page.
    total: usize,
    pages: Pages,
    /// The filters as a query string, carried by the decision forms.
    filters: String,
    stage_value: String,
    min_score: u8,
    source_value: &'static str,
    q: String,
    sort_value: &'static str,
    stage_options: Vec<(String, &'static str)>,
    source_options: Vec<(&'static str, &'static str)>,
    sort_options: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, &'static str)>,
    /// The row the keyboard cursor starts on (after a decision, where it was).
    cursor: usize,
    criteria: String,
    links: Vec<LinkRow>,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::app(&state, me, id.into_inner()).await?;
    show_for(&req, &state, &rv, o).await
}

/// GET /review/{token}: the review page a review link opens.
pub async fn link_show(req: HttpRequest, state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::link(&req, &state, token.into_inner()).await?;
    show_for(&req, &state, &rv, o).await
}

async fn show_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening) -> Result<HttpResponse, PageError> {
    let r = crate::i18n::review::text(rv.lang);
    let (filter, errors) = Filter::parse(req.query_string(), r);
    let q = FormData::parse(req.query_string().as_bytes());
    let cursor = q.get("cursor").parse().unwrap_or(0);
    let (notice, status) = if !errors.is_empty() {
        (Notice::error(&errors.join(" ")), StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        let n = q.get("n");
        let done = match q.get("done").as_str() {
            "moved" => Notice::ok(crate::i18n::ui::text(rv.lang).stage_moved),
            "bulk" => Notice::ok(&r.bulk_done.replace("{n}", n.parse::<u32>().map(|n| n.to_string()).as_deref().unwrap_or("0"))),
            "criteria" => Notice::ok(r.criteria_saved),
            "link" => Notice::ok(r.link_sent),
            "revoked" => Notice::ok(r.link_revoked),
            _ => None,
        };
        (done, StatusCode::OK)
    };
    render_review(req, state, rv, o, filter, notice, status, cursor).await
}

#[allow(clippy::too_many_arguments)]
async fn render_review(
    req: &HttpRequest,
    state: &AppState,
    rv: &Reviewer,
    o: Opening,
    filter: Filter,
    notice: Option<Notice>,
    status: StatusCode,
    cursor: usize,
) -> Result<HttpResponse, PageError> {
    let lang = rv.lang;
    let (r, t) = (crate::i18n::review::text(lang), crate::i18n::ui::text(lang));
    let (oid, olang) = (o.id.clone(), Lang::from(o.draft.language));
    let with_links = rv.can_edit;
    let query = filter.entry_query();
    let (kept, total, kinds, changes, cv_owners, (criteria, links)) = crate::store::run(&state.pool, move |c| {
        let (entries, total) = crate::store::sourcing::entries_page(c, &oid, &query)?;
        let ids: Vec<String> = entries.iter().map(|e| e.candidate.id.clone()).collect();
        let kinds = store::source_kinds(c, &oid, &ids)?;
        let changes = crate::store::sourcing::last_changes_of(c, &oid, &ids)?;
        let cv_owners: HashSet<String> = {
            use crate::store::schema::candidate_cvs as cv;
            use diesel::prelude::*;
            cv::table.filter(cv::candidate_id.eq_any(&ids)).select(cv::candidate_id).load::<String>(c)?.into_iter().collect()
        };
        let criteria = store::criteria(c, &oid, olang)?;
        let links = if with_links { crate::store::review_links::for_opening(c, &oid)? } else { Vec::new() };
        Ok((entries, total, kinds, changes, cv_owners, (criteria, links)))
    })
    .await
    .map_err(db_err)?;
    let now = state.clock.now();
    let none = Vec::new();
    let rows: Vec<ReviewRow> = kept
        .into_iter()
        .map(|e| {
            let x: serde_json::Value = serde_json::from_str(&e.explanation).unwrap_or_default();
            let sources = kinds
                .get(&e.candidate.id)
                .unwrap_or(&none)
                .iter()
                .map(|(kind, network)| if kind == "apply_form" { source_label(kind, r).to_string() } else { format!("{} · {}", source_label(kind, r), network) })
                .collect();
            ReviewRow {
                has_cv: cv_owners.contains(&e.candidate.id),
                handle: e.candidate.email.clone().unwrap_or_default(),
                score: e.score,
                stage: e.stage.as_str(),
                stage_label: stage_label(e.stage, lang),
                matched: skill_labels(&x, "matched", lang),
                missing: skill_labels(&x, "missing", lang),
                sources,
                age: age(now, e.created_at, r),
                advance: e.stage.next().map(|s| r.advance_to.replace("{stage}", stage_label(s, lang))),
                last_change: changes
                    .get(&e.candidate.id)
                    .map(|c| match &c.actor {
                        Some(who) => t.stage_by.replace("{who}", who).replace("{when}", &fmt_time(&c.at)),
                        None => t.stage_by_hirecast.replace("{when}", &fmt_time(&c.at)),
                    })
                    .unwrap_or_default(),
                name: e.candidate.name,
                candidate_id: e.candidate.id,
            }
        })
        .collect();
    let mut stage_options: Vec<(String, &'static str)> = vec![("active".into(), r.f_stage_active), ("all".into(), r.f_stage_all)];
    stage_options.extend(Stage::ALL.iter().map(|&s| (s.as_str().to_string(), stage_label(s, lang))));
    let page = ReviewPage {
        page: rv.layout(req, &r.review_title.replace("{title}", &o.draft.title)),
        r,
        id: o.id.clone(),
        base: rv.base.clone(),
        review_base: rv.review_base.clone(),
        guest: rv.guest.clone(),
        title: o.draft.title.clone(),
        notice,
        can_edit: rv.can_edit,
        total: total as usize,
        pages: pages_around(filter.page, (total as usize).div_ceil(REVIEW_PAGE).max(1), &filter),
        cursor: cursor.min(rows.len().saturating_sub(1)),
        rows,
        filters: filter.query(),
        stage_value: filter.stage_value(),
        min_score: filter.min_score,
        source_value: filter.source.unwrap_or("all"),
        q: filter.q.clone(),
        sort_value: filter.sort.as_str(),
        stage_options,
        source_options: std::iter::once(("all", r.f_source_all)).chain(SOURCE_KINDS.iter().map(|k| (*k, source_label(k, r)))).collect(),
        sort_options: vec![("score", r.sort_score), ("newest", r.sort_newest), ("oldest", r.sort_oldest), ("name", r.sort_name)],
        reasons: reasons(lang),
        criteria: criteria.join("\n"),
        links: link_rows(links, now, r),
    };
    html_status(status, &page)
}

/// Where a decision form sends the reviewer back: the review (with its filters and the
/// cursor's row) or the candidate page.
fn back_to(f: &FormData, rv: &Reviewer, cid: &str, r: &ReviewText) -> String {
    if f.get("back") == "candidate" {
        return format!("{}/candidates/{cid}?done=moved", rv.base);
    }
    let (filter, _) = Filter::parse(&f.get("filters"), r);
    let cursor: usize = f.get("cursor").parse().unwrap_or(0);
    format!("{}?{}&done=moved&cursor={cursor}", rv.review_base, filter.query())
}

/// POST /app/openings/{id}/candidates/{candidate}/decision: advance, hold, reject (with a
/// reason) or any stage, with an optional note.
pub async fn decide(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (id, cid) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    decide_for(&req, &state, &rv, o, cid, body).await
}

pub async fn link_decide(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (token, cid) = path.into_inner();
    let (rv, o) = Reviewer::link(&req, &state, token).await?;
    decide_for(&req, &state, &rv, o, cid, body).await
}

async fn decide_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening, cid: String, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let e = entry_of(state, &o, cid).await?;
    let r = crate::i18n::review::text(rv.lang);
    let f = FormData::parse(&body);
    let refuse = |msg: &str| Notice::error(msg);
    let from_candidate = f.get("back") == "candidate";
    let parsed = parse_action(&f, r, true).and_then(|a| parse_note(&f, r).map(|n| (a, n)));
    let (action, note) = match parsed {
        Ok(x) => x,
        Err(msg) => {
            return if from_candidate {
                render_candidate(req, state, rv, o, e, refuse(msg), StatusCode::UNPROCESSABLE_ENTITY, None).await
            } else {
                let (filter, _) = Filter::parse(&f.get("filters"), r);
                render_review(req, state, rv, o, filter, refuse(msg), StatusCode::UNPROCESSABLE_ENTITY, f.get("cursor").parse().unwrap_or(0)).await
            };
        }
    };
    let (oid, c2, by, now) = (o.id.clone(), e.candidate.id.clone(), rv.user_id.clone(), state.clock.now());
    let outcome = crate::store::run(&state.pool, move |c| store::act(c, &oid, &c2, action, note.as_deref(), &by, now)).await.map_err(db_err)?;
    match outcome {
        Outcome::Moved(_) => Ok(see_other(&back_to(&f, rv, &e.candidate.id, r))),
        Outcome::NotFound => Err(PageError::NotFound),
        Outcome::NothingToAdvance => {
            let msg = r.nothing_to_advance.replace("{name}", &e.candidate.name);
            if from_candidate {
                render_candidate(req, state, rv, o, e, refuse(&msg), StatusCode::CONFLICT, None).await
            } else {
                let (filter, _) = Filter::parse(&f.get("filters"), r);
                render_review(req, state, rv, o, filter, refuse(&msg), StatusCode::CONFLICT, f.get("cursor").parse().unwrap_or(0)).await
            }
        }
    }
}

/// POST /app/openings/{id}/review/bulk: one action (advance, hold, reject with a reason) on
/// the selected candidates (`c`, 1 to 100), all or nothing.
pub async fn bulk(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::app(&state, me, id.into_inner()).await?;
    bulk_for(&req, &state, &rv, o, body).await
}

pub async fn link_bulk(req: HttpRequest, state: web::Data<AppState>, token: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::link(&req, &state, token.into_inner()).await?;
    bulk_for(&req, &state, &rv, o, body).await
}

async fn bulk_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let r = crate::i18n::review::text(rv.lang);
    let f = FormData::parse(&body);
    let (filter, _) = Filter::parse(&f.get("filters"), r);
    let mut ids: Vec<String> = Vec::new();
    for c in f.all("c") {
        if !ids.contains(&c) {
            ids.push(c);
        }
    }
    let checked = if ids.is_empty() {
        Err(r.bulk_none)
    } else if ids.len() > BULK_MAX {
        Err(r.bulk_too_many)
    } else {
        parse_action(&f, r, false).and_then(|a| parse_note(&f, r).map(|n| (a, n)))
    };
    let (action, note) = match checked {
        Ok(x) => x,
        Err(msg) => return render_review(req, state, rv, o, filter, Notice::error(msg), StatusCode::UNPROCESSABLE_ENTITY, 0).await,
    };
    let (oid, by, now) = (o.id.clone(), rv.user_id.clone(), state.clock.now());
    let result = crate::store::run(&state.pool, move |c| {
        // All or nothing: an unknown candidate undoes the others' moves.
        let r = crate::store::write_transaction::<_, anyhow::Error, _>(c, |c| {
            let outcomes = store::act_on_all(c, &oid, &ids, action, note.as_deref(), &by, now)?;
            if outcomes.contains(&Outcome::NotFound) {
                anyhow::bail!(BulkRefused);
            }
            Ok(outcomes.iter().filter(|o| matches!(o, Outcome::Moved(_))).count())
        });
        match r {
            Err(e) if e.is::<BulkRefused>() => Ok(None),
            other => other.map(Some),
        }
    })
    .await
    .map_err(db_err)?;
    match result {
        Some(moved) => Ok(see_other(&format!("{}?{}&done=bulk&n={moved}", rv.review_base, filter.query()))),
        None => render_review(req, state, rv, o, filter, Notice::error(r.bulk_unknown), StatusCode::UNPROCESSABLE_ENTITY, 0).await,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a selected candidate is not in the opening")]
struct BulkRefused;

/// POST /app/openings/{id}/review/criteria: the opening's scorecard criteria (editors).
pub async fn save_criteria(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::app(&state, me, id.into_inner()).await?;
    if !rv.can_edit {
        return Err(PageError::Forbidden);
    }
    let r = crate::i18n::review::text(rv.lang);
    let f = FormData::parse(&body);
    let criteria = match store::parse_criteria(&f.get("criteria")) {
        Ok(c) => c,
        Err(e) => {
            let msg = match e {
                CriteriaError::Empty => r.criteria_empty,
                CriteriaError::TooMany => r.criteria_many,
                CriteriaError::TooLong => r.criteria_long,
            };
            return render_review(&req, &state, &rv, o, Filter::default(), Notice::error(msg), StatusCode::UNPROCESSABLE_ENTITY, 0).await;
        }
    };
    let oid = o.id.clone();
    crate::store::run(&state.pool, move |c| Ok(store::set_criteria(c, &oid, &criteria)?)).await.map_err(db_err)?;
    Ok(see_other(&format!("/app/openings/{}/review?done=criteria", o.id)))
}

// ---------- review links ----------

pub struct LinkRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: String,
    pub used: String,
    pub active: bool,
}

fn link_rows(links: Vec<crate::store::review_links::LinkView>, now: chrono::NaiveDateTime, r: &ReviewText) -> Vec<LinkRow> {
    links
        .into_iter()
        .map(|l| {
            let active = l.revoked_at.is_none() && l.expires_at > now;
            let status = match l.revoked_at {
                Some(at) => r.link_was_revoked.replace("{date}", &fmt_time(&at)),
                None if active => r.link_active.replace("{date}", &fmt_time(&l.expires_at)),
                None => r.link_expired.replace("{date}", &fmt_time(&l.expires_at)),
            };
            let used = l.last_used_at.map(|u| r.link_used.replace("{date}", &fmt_time(&u))).unwrap_or_else(|| r.link_never_used.to_string());
            LinkRow { id: l.id, name: l.name, email: l.email, status, used, active }
        })
        .collect()
}

/// POST /app/openings/{id}/review/links: `name`, `email`, `language` (en, fr), `days` (1-30):
/// a review link for a hiring manager without an account, emailed through the outbox in the
/// same transaction that creates it. Editors only.
pub async fn create_link(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let sender = me.user.name.clone();
    let (rv, o) = Reviewer::app(&state, me, id.into_inner()).await?;
    if !rv.can_edit {
        return Err(PageError::Forbidden);
    }
    let r = crate::i18n::review::text(rv.lang);
    let f = FormData::parse(&body);
    let name = f.get("name").trim().to_string();
    let mut errors: Vec<&'static str> = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(r.link_bad_name);
    }
    let email = crate::domain::email::Email::parse("email", f.get("email").trim());
    if email.is_err() {
        errors.push(r.link_bad_email);
    }
    let days = match f.get("days").trim() {
        "" => Some(crate::store::review_links::DEFAULT_DAYS),
        d => d.parse::<i64>().ok().filter(|d| (1..=crate::store::review_links::MAX_DAYS).contains(d)),
    };
    if days.is_none() {
        errors.push(r.link_bad_days);
    }
    let mail_lang = Lang::parse(f.get("language").trim());
    if mail_lang.is_none() {
        errors.push(r.link_bad_language);
    }
    let (Ok(email), Some(days), Some(mail_lang), true) = (email, days, mail_lang, errors.is_empty()) else {
        return render_review(&req, &state, &rv, o, Filter::default(), Notice::error(&errors.join(" ")), StatusCode::UNPROCESSABLE_ENTITY, 0).await;
    };
    let (oid, title, by, now) = (o.id.clone(), o.draft.title.clone(), rv.user_id.clone(), state.clock.now());
    let base_url = state.settings.base_url.clone();
    let created = crate::store::run(&state.pool, move |c| {
        let result = crate::store::write_transaction::<_, crate::store::review_links::CreateLinkError, _>(c, |c| {
            let link = crate::store::review_links::create(c, &oid, &name, &email, mail_lang, &by, chrono::Duration::days(days), now)?;
            let m = crate::i18n::review::text(mail_lang);
            let url = format!("{}/review/{}", base_url.trim_end_matches('/'), link.token);
            let expires = fmt_time(&(now + chrono::Duration::days(days)));
            let subject = m.mail_link_subject.replace("{title}", &title);
            let paragraphs = vec![m.mail_link_body.replace("{who}", &sender).replace("{title}", &title), m.mail_link_expiry.replace("{date}", &expires)];
            let (text, html) = crate::notify::notice(mail_lang, &subject, &paragraphs, None, m.mail_link_cta, Some(&url)).map_err(|e| anyhow::anyhow!(e))?;
            let key = format!("review_link:{}", link.id);
            crate::store::notifications::queue(
                c,
                &crate::store::notifications::NewNotification {
                    key: &key,
                    kind: "review_link",
                    user_id: Some(&link.reviewer_id),
                    recipient: email.as_str(),
                    subject: &subject,
                    text: &text,
                    html: &html,
                    due_at: now,
                },
                now,
            )?;
            Ok(())
        });
        match result {
            Ok(()) => Ok(true),
            Err(crate::store::review_links::CreateLinkError::TeamMember) => Ok(false),
            Err(crate::store::review_links::CreateLinkError::Unexpected(e)) => Err(e),
        }
    })
    .await
    .map_err(db_err)?;
    if !created {
        return render_review(&req, &state, &rv, o, Filter::default(), Notice::error(r.link_team_member), StatusCode::UNPROCESSABLE_ENTITY, 0).await;
    }
    Ok(see_other(&format!("{}?done=link#links", rv.review_base)))
}

/// POST /app/openings/{id}/review/links/{link}/revoke (editors).
pub async fn revoke_link(state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (id, link) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    if !rv.can_edit {
        return Err(PageError::Forbidden);
    }
    let (oid, now) = (o.id.clone(), state.clock.now());
    let revoked = crate::store::run(&state.pool, move |c| Ok(crate::store::review_links::revoke(c, &oid, &link, now)?)).await.map_err(db_err)?;
    if !revoked {
        return Err(PageError::NotFound);
    }
    Ok(see_other(&format!("{}?done=revoked#links", rv.review_base)))
}

// ---------- the candidate page ----------

pub struct CriterionView {
    pub label: String,
    pub points: i64,
    pub max: i64,
    pub reason: String,
}

pub struct EvidenceView {
    pub skill: String,
    pub required: bool,
    pub source: String,
    pub snippet: String,
}

pub struct SourceRow {
    pub kind: &'static str,
    pub network: String,
    pub url: Option<String>,
    pub author: String,
    pub text: String,
    pub at: String,
}

pub struct CvRow {
    pub sha256: String,
    pub format: String,
    pub is_pdf: bool,
    pub size_kb: i64,
    /// Per page, the text cut into (text, highlighted) pieces.
    pub pages: Vec<Vec<(String, bool)>>,
}

pub struct HistoryRow {
    pub what: String,
    pub by: String,
    pub at: String,
    pub reason: Option<&'static str>,
    pub note: Option<String>,
}

pub struct NoteRow {
    pub author: String,
    pub at: String,
    pub body: String,
}

pub struct CardRow {
    pub reviewer: String,
    pub at: String,
    pub ratings: Vec<(String, String)>,
    pub mean: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "ui/candidate.html")]
struct CandidatePage {
    page: Layout,
    r: &'static ReviewText,
    id: String,
    base: String,
    review_base: String,
    guest: Option<String>,
    title: String,
    candidate_id: String,
    notice: Option<Notice>,
    name: String,
    email: String,
    phone: String,
    headline: String,
    location: String,
    languages: String,
    years: String,
    score: i64,
    stage: &'static str,
    stage_label: &'static str,
    advance: Option<String>,
    criteria_lines: Vec<CriterionView>,
    evidence: Vec<EvidenceView>,
    missing: Vec<String>,
    sources: Vec<SourceRow>,
    cvs: Vec<CvRow>,
    history: Vec<HistoryRow>,
    notes: Vec<NoteRow>,
    /// (index, criterion, my rating or 0).
    my_ratings: Vec<(usize, String, u8)>,
    my_comment: String,
    cards: Vec<CardRow>,
    means: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, &'static str)>,
    /// What the note form held when it was refused.
    note_value: String,
    /// Emails to the candidate for this opening: (subject, state, when).
    emails: Vec<(String, String, String)>,
    email_kinds: Vec<(&'static str, &'static str)>,
    default_kind: &'static str,
    default_language: &'static str,
    /// The person's privacy page (recruiters and admins).
    privacy_url: Option<String>,
}

pub async fn candidate(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (id, cid) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    candidate_for(&req, &state, &rv, o, cid).await
}

pub async fn link_candidate(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (token, cid) = path.into_inner();
    let (rv, o) = Reviewer::link(&req, &state, token).await?;
    candidate_for(&req, &state, &rv, o, cid).await
}

async fn candidate_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening, cid: String) -> Result<HttpResponse, PageError> {
    let e = entry_of(state, &o, cid).await?;
    rv.audit(state, "view", &e.candidate.id, &o.id).await?;
    let r = crate::i18n::review::text(rv.lang);
    let notice = match FormData::parse(req.query_string().as_bytes()).get("done").as_str() {
        "moved" => Notice::ok(crate::i18n::ui::text(rv.lang).stage_moved),
        "note" => Notice::ok(r.note_added),
        "scorecard" => Notice::ok(r.scorecard_saved),
        "emailed" => Notice::ok(r.email_sent),
        _ => None,
    };
    render_candidate(req, state, rv, o, e, notice, StatusCode::OK, None).await
}

/// The text of each page cut around the mentions of the matched skills: every mention of each
/// spelling the matcher found (it reports a skill once), as a whole word.
fn highlight(tax: &crate::sourcing::skills::Taxonomy, wanted: &HashSet<String>, text: &str) -> Vec<(String, bool)> {
    let mut forms: Vec<String> = Vec::new();
    for h in tax.find(text) {
        if text.is_char_boundary(h.start) && text.is_char_boundary(h.end) && wanted.contains(tax.get(h.skill).slug.as_str()) {
            let f = &text[h.start..h.end];
            if !forms.iter().any(|x| x.eq_ignore_ascii_case(f)) {
                forms.push(f.to_string());
            }
        }
    }
    if forms.is_empty() {
        return vec![(text.to_string(), false)];
    }
    let Ok(ac) = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).match_kind(aho_corasick::MatchKind::LeftmostLongest).build(&forms) else {
        return vec![(text.to_string(), false)];
    };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = Vec::new();
    let mut at = 0;
    for m in ac.find_iter(text) {
        if m.start() < at || word(text[..m.start()].chars().next_back()) || word(text[m.end()..].chars().next()) {
            continue;
        }
        if m.start() > at {
            out.push((text[at..m.start()].to_string(), false));
        }
        out.push((text[m.start()..m.end()].to_string(), true));
        at = m.end();
    }
    if at < text.len() {
        out.push((text[at..].to_string(), false));
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn render_candidate(
    req: &HttpRequest,
    state: &AppState,
    rv: &Reviewer,
    o: Opening,
    e: EntryView,
    notice: Option<Notice>,
    status: StatusCode,
    note_value: Option<String>,
) -> Result<HttpResponse, PageError> {
    let lang = rv.lang;
    let r = crate::i18n::review::text(lang);
    let (oid, cid, olang, me_id) = (o.id.clone(), e.candidate.id.clone(), Lang::from(o.draft.language), rv.user_id.clone());
    let x: serde_json::Value = serde_json::from_str(&e.explanation).unwrap_or_default();
    let wanted: HashSet<String> = x["matched"].as_array().into_iter().flatten().filter_map(|m| m["skill"].as_str().map(String::from)).collect();
    let (sources, cvs, history, notes, criteria, (cards, emails)) = crate::store::run(&state.pool, move |c| {
        let tax = crate::store::skills::taxonomy(c)?;
        let cvs: Vec<CvRow> = store::cvs(c, &cid)?
            .into_iter()
            .map(|v| CvRow {
                is_pdf: v.format == "pdf",
                size_kb: (v.size + 1023) / 1024,
                pages: v.pages.iter().filter(|p| !p.trim().is_empty()).map(|p| highlight(&tax, &wanted, p)).collect(),
                format: v.format.to_uppercase(),
                sha256: v.sha256,
            })
            .collect();
        Ok((
            store::sources(c, &cid)?,
            cvs,
            crate::store::sourcing::history(c, &oid, &cid)?,
            store::notes(c, &oid, &cid)?,
            store::criteria(c, &oid, olang)?,
            (store::scorecards_of(c, &oid, &cid)?, crate::store::candidate_emails::sent(c, &oid, &cid)?),
        ))
    })
    .await
    .map_err(db_err)?;
    let label_of = |s: &str| Stage::parse(s).map(|s| stage_label(s, lang)).unwrap_or("?");
    let reason_text = |v: &serde_json::Value| v[if lang == Lang::Fr { "reason_fr" } else { "reason_en" }].as_str().unwrap_or_default().to_string();
    let label = if lang == Lang::Fr { "label_fr" } else { "label_en" };
    let mine = cards.iter().find(|s| s.reviewer_id == me_id);
    let fmt_mean = |m: Option<f64>| m.map(|m| format!("{m:.1}")).unwrap_or_else(|| "–".into());
    let c = &e.candidate;
    let languages: Vec<String> = serde_json::from_str(&c.languages).unwrap_or_default();
    let page = CandidatePage {
        page: rv.layout(req, &c.name),
        r,
        id: o.id.clone(),
        base: rv.base.clone(),
        review_base: rv.review_base.clone(),
        guest: rv.guest.clone(),
        title: o.draft.title.clone(),
        candidate_id: c.id.clone(),
        notice,
        name: c.name.clone(),
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        headline: c.headline.clone().unwrap_or_default(),
        location: c.location.clone().unwrap_or_default(),
        languages: languages.join(", "),
        years: c.years_experience.map(|y| r.years.replace("{n}", &y.to_string())).unwrap_or_default(),
        score: e.score,
        stage: e.stage.as_str(),
        stage_label: stage_label(e.stage, lang),
        advance: e.stage.next().map(|s| r.advance_to.replace("{stage}", stage_label(s, lang))),
        criteria_lines: x["criteria"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| CriterionView {
                label: v["key"].as_str().unwrap_or_default().replace('_', " "),
                points: v["points"].as_i64().unwrap_or(0),
                max: v["max"].as_i64().unwrap_or(0),
                reason: reason_text(v),
            })
            .collect(),
        evidence: x["matched"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| EvidenceView {
                skill: m[label].as_str().unwrap_or_default().to_string(),
                required: m["required"].as_bool().unwrap_or(false),
                source: match m["source"]["kind"].as_str().unwrap_or_default() {
                    "cv" => format!("{} p. {}", r.cv, m["source"]["page"].as_u64().map(|p| p + 1).unwrap_or(1)),
                    k => source_label(k, r).to_string(),
                },
                snippet: m["snippet"].as_str().unwrap_or_default().to_string(),
            })
            .collect(),
        missing: skill_labels(&x, "missing", lang),
        sources: sources
            .into_iter()
            .map(|s| SourceRow {
                kind: source_label(&s.kind, r),
                url: http_link(&s.url),
                network: s.network,
                author: s.author.unwrap_or_default(),
                text: s.text,
                at: fmt_time(&s.at),
            })
            .collect(),
        cvs,
        history: history
            .into_iter()
            .map(|h| HistoryRow {
                what: match &h.from {
                    None => r.history_entered.replace("{stage}", label_of(&h.to)),
                    Some(f) => r.history_moved.replace("{from}", label_of(f)).replace("{to}", label_of(&h.to)),
                },
                by: h.actor.unwrap_or_else(|| r.by_hirecast.to_string()),
                at: fmt_time(&h.at),
                reason: h.reason.as_deref().and_then(RejectReason::parse).map(|x| x.label(lang)),
                note: h.note,
            })
            .collect(),
        notes: notes.into_iter().map(|n| NoteRow { author: n.author.unwrap_or_else(|| "?".into()), at: fmt_time(&n.at), body: n.body }).collect(),
        my_ratings: criteria
            .iter()
            .enumerate()
            .map(|(i, cr)| (i, cr.clone(), mine.and_then(|m| m.ratings.iter().find(|x| &x.0 == cr).map(|x| x.1)).unwrap_or(0)))
            .collect(),
        my_comment: mine.map(|m| m.comment.clone()).unwrap_or_default(),
        means: store::criterion_means(&criteria, &cards).into_iter().map(|(c, m)| (c, fmt_mean(m))).collect(),
        cards: cards
            .iter()
            .map(|s| CardRow {
                reviewer: s.reviewer.clone(),
                at: fmt_time(&s.at),
                ratings: s.ratings.iter().map(|(c, v)| (c.clone(), v.to_string())).collect(),
                mean: fmt_mean(s.mean()),
                comment: s.comment.clone(),
            })
            .collect(),
        stages: super::openings::stage_choices(lang),
        reasons: reasons(lang),
        note_value: note_value.unwrap_or_default(),
        emails: emails.into_iter().map(|(subject, state, at)| (subject, state, fmt_time(&at))).collect(),
        email_kinds: crate::store::candidate_emails::EmailKind::ALL.iter().map(|k| (k.as_str(), k.label(lang))).collect(),
        default_kind: match e.stage {
            Stage::Rejected => "rejection",
            Stage::Interview | Stage::Offer | Stage::Shortlisted => "next_step",
            _ => "acknowledgement",
        },
        default_language: olang.code(),
        privacy_url: rv.signed_in.as_ref().filter(|me| me.role().can_edit_openings()).map(|_| format!("/app/privacy/candidates/{}", e.candidate.id)),
    };
    html_status(status, &page)
}

/// POST /app/openings/{id}/candidates/{candidate}/notes: a private note.
pub async fn add_note(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (id, cid) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    note_for(&req, &state, &rv, o, cid, body).await
}

pub async fn link_add_note(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (token, cid) = path.into_inner();
    let (rv, o) = Reviewer::link(&req, &state, token).await?;
    note_for(&req, &state, &rv, o, cid, body).await
}

async fn note_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening, cid: String, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let e = entry_of(state, &o, cid).await?;
    let r = crate::i18n::review::text(rv.lang);
    let text = FormData::parse(&body).get("body").trim().to_string();
    let refused = if text.is_empty() {
        Some(r.note_empty)
    } else if text.chars().count() > store::NOTE_MAX {
        Some(r.note_long)
    } else {
        None
    };
    if let Some(msg) = refused {
        return render_candidate(req, state, rv, o, e, Notice::error(msg), StatusCode::UNPROCESSABLE_ENTITY, Some(text)).await;
    }
    let (oid, c2, by, now) = (o.id.clone(), e.candidate.id.clone(), rv.user_id.clone(), state.clock.now());
    crate::store::run(&state.pool, move |c| Ok(store::add_note(c, &oid, &c2, &by, &text, now)?)).await.map_err(db_err)?;
    Ok(see_other(&format!("{}/candidates/{}?done=note#notes", rv.base, e.candidate.id)))
}

/// POST /app/openings/{id}/candidates/{candidate}/scorecard: `rating-{i}` (1 to 5, or empty)
/// per criterion of the opening, and `comment`.
pub async fn save_scorecard(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (id, cid) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    scorecard_for(&req, &state, &rv, o, cid, body).await
}

pub async fn link_save_scorecard(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (token, cid) = path.into_inner();
    let (rv, o) = Reviewer::link(&req, &state, token).await?;
    scorecard_for(&req, &state, &rv, o, cid, body).await
}

async fn scorecard_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening, cid: String, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let e = entry_of(state, &o, cid).await?;
    let r = crate::i18n::review::text(rv.lang);
    let f = FormData::parse(&body);
    let (oid, olang) = (o.id.clone(), Lang::from(o.draft.language));
    let criteria = crate::store::run(&state.pool, move |c| Ok(store::criteria(c, &oid, olang)?)).await.map_err(db_err)?;
    let mut ratings = Vec::new();
    let mut refused: Option<String> = None;
    for (i, c) in criteria.iter().enumerate() {
        match f.get(&format!("rating-{i}")).trim() {
            "" => {}
            v => match v.parse::<u8>() {
                Ok(n @ 1..=5) => ratings.push((c.clone(), n)),
                _ => {
                    refused.get_or_insert_with(|| r.scorecard_bad.replace("{criterion}", c));
                }
            },
        }
    }
    let comment = f.get("comment").trim().to_string();
    if refused.is_none() && ratings.is_empty() {
        refused = Some(r.scorecard_empty.to_string());
    }
    if refused.is_none() && comment.chars().count() > store::NOTE_MAX {
        refused = Some(r.scorecard_long.to_string());
    }
    if let Some(msg) = refused {
        return render_candidate(req, state, rv, o, e, Notice::error(&msg), StatusCode::UNPROCESSABLE_ENTITY, None).await;
    }
    let (oid, c2, by, now) = (o.id.clone(), e.candidate.id.clone(), rv.user_id.clone(), state.clock.now());
    crate::store::run(&state.pool, move |c| Ok(store::save_scorecard(c, &oid, &c2, &by, &ratings, &comment, now)?)).await.map_err(db_err)?;
    Ok(see_other(&format!("{}/candidates/{}?done=scorecard#scorecard", rv.base, e.candidate.id)))
}

/// GET /app/openings/{id}/candidates/{candidate}/cv/{sha256}: one of the candidate's CV files.
/// A file whose bytes are a PDF is shown inline, in a frame of hirecast's own pages only, as
/// `application/pdf` whatever it claimed (so it never runs as a page of this origin); anything
/// else is a download in a sandbox.
pub async fn cv(state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String, String)>) -> Result<HttpResponse, PageError> {
    let (id, cid, sha) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    cv_for(&state, &rv, o, cid, sha).await
}

pub async fn link_cv(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>) -> Result<HttpResponse, PageError> {
    let (token, cid, sha) = path.into_inner();
    let (rv, o) = Reviewer::link(&req, &state, token).await?;
    cv_for(&state, &rv, o, cid, sha).await
}

async fn cv_for(state: &AppState, rv: &Reviewer, o: Opening, cid: String, sha: String) -> Result<HttpResponse, PageError> {
    let e = entry_of(state, &o, cid).await?;
    let c2 = e.candidate.id.clone();
    let owned = crate::store::run(&state.pool, move |c| Ok(store::cvs(c, &c2)?)).await.map_err(db_err)?.into_iter().any(|v| v.sha256 == sha);
    if !owned {
        return Err(PageError::NotFound);
    }
    rv.audit(state, "cv", &e.candidate.id, &o.id).await?;
    let Some(bytes) = crate::store::blobs::read(&state.pool, &state.blobs, &sha).await.map_err(db_err)? else {
        tracing::error!(candidate_id = %e.candidate.id, "CV file missing from the blob store");
        return Err(PageError::NotFound);
    };
    let short = &sha[..sha.len().min(12)];
    let mut res = HttpResponse::Ok();
    res.insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("cross-origin-resource-policy", "same-origin"));
    if crate::domain::candidate::is_pdf(&bytes) {
        // Chromium's PDF viewer refuses to run in a sandbox (CSP `sandbox` or a sandboxed
        // frame), so the PDF is framed only by hirecast's pages and typed as a PDF, nothing else.
        res.insert_header((header::CONTENT_TYPE, "application/pdf"))
            .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"cv-{short}.pdf\"")))
            .insert_header((header::X_FRAME_OPTIONS, "SAMEORIGIN"))
            .insert_header((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"));
    } else {
        let kind = crate::domain::candidate::CvKind::sniff(&bytes);
        let (ct, ext) = kind.map(|k| (k.content_type(), k.extension())).unwrap_or(("application/octet-stream", "bin"));
        res.insert_header((header::CONTENT_TYPE, ct))
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"cv-{short}.{ext}\"")))
            .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"));
    }
    Ok(res.body(bytes))
}

// ---------- comparison ----------

pub struct CompareColumn {
    pub candidate_id: String,
    pub name: String,
    pub score: i64,
    pub stage_label: &'static str,
    pub matched: Vec<String>,
    pub missing: Vec<String>,
    pub years: String,
    pub location: String,
    pub languages: String,
    pub sources: Vec<String>,
    /// Per criterion, the team's mean rating.
    pub means: Vec<String>,
    pub overall: String,
}

#[derive(Template)]
#[template(path = "ui/compare.html")]
struct ComparePage {
    page: Layout,
    r: &'static ReviewText,
    base: String,
    review_base: String,
    guest: Option<String>,
    title: String,
    notice: Option<Notice>,
    /// Per criterion, each column's mean rating.
    criteria: Vec<(String, Vec<String>)>,
    columns: Vec<CompareColumn>,
}

/// GET /app/openings/{id}/compare?c=…&c=…: two to four candidates side by side.
pub async fn compare(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::app(&state, me, id.into_inner()).await?;
    compare_for(&req, &state, &rv, o).await
}

pub async fn link_compare(req: HttpRequest, state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (rv, o) = Reviewer::link(&req, &state, token.into_inner()).await?;
    compare_for(&req, &state, &rv, o).await
}

async fn compare_for(req: &HttpRequest, state: &AppState, rv: &Reviewer, o: Opening) -> Result<HttpResponse, PageError> {
    let lang = rv.lang;
    let r = crate::i18n::review::text(lang);
    let mut ids: Vec<String> = Vec::new();
    for c in FormData::parse(req.query_string().as_bytes()).all("c") {
        if !ids.contains(&c) {
            ids.push(c);
        }
    }
    let page = |notice: Option<Notice>, criteria: Vec<(String, Vec<String>)>, columns: Vec<CompareColumn>| ComparePage {
        page: rv.layout(req, &r.compare_title.replace("{title}", &o.draft.title)),
        r,
        base: rv.base.clone(),
        review_base: rv.review_base.clone(),
        guest: rv.guest.clone(),
        title: o.draft.title.clone(),
        notice,
        criteria,
        columns,
    };
    if !(2..=4).contains(&ids.len()) {
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page(Notice::error(r.compare_count), Vec::new(), Vec::new()));
    }
    let (oid, olang, wanted) = (o.id.clone(), Lang::from(o.draft.language), ids.clone());
    let loaded = crate::store::run(&state.pool, move |c| {
        let mut found = Vec::new();
        for cid in &wanted {
            let Some(e) = crate::store::sourcing::entry(c, &oid, cid)? else { return Ok(None) };
            let cards = store::scorecards_of(c, &oid, cid)?;
            found.push((e, cards));
        }
        let kinds = store::source_kinds(c, &oid, &wanted)?;
        Ok(Some((found, kinds, store::criteria(c, &oid, olang)?)))
    })
    .await
    .map_err(db_err)?;
    let Some((found, kinds, criteria)) = loaded else {
        return html_status(StatusCode::NOT_FOUND, &page(Notice::error(r.compare_unknown), Vec::new(), Vec::new()));
    };
    let none = Vec::new();
    let columns: Vec<CompareColumn> = found
        .into_iter()
        .map(|(e, cards)| {
            let x: serde_json::Value = serde_json::from_str(&e.explanation).unwrap_or_default();
            let means: Vec<String> =
                store::criterion_means(&criteria, &cards).into_iter().map(|(_, m)| m.map(|m| format!("{m:.1}")).unwrap_or_else(|| "–".into())).collect();
            let overall = store::mean(cards.iter().flat_map(|s| s.ratings.iter().map(|r| r.1))).map(|m| format!("{m:.1}")).unwrap_or_else(|| "–".into());
            let c = &e.candidate;
            CompareColumn {
                candidate_id: c.id.clone(),
                name: c.name.clone(),
                score: e.score,
                stage_label: stage_label(e.stage, lang),
                matched: skill_labels(&x, "matched", lang),
                missing: skill_labels(&x, "missing", lang),
                years: c.years_experience.map(|y| r.years.replace("{n}", &y.to_string())).unwrap_or_default(),
                location: c.location.clone().unwrap_or_default(),
                languages: serde_json::from_str::<Vec<String>>(&c.languages).unwrap_or_default().join(", "),
                sources: kinds.get(&c.id).unwrap_or(&none).iter().map(|(k, n)| format!("{} · {}", source_label(k, r), n)).collect(),
                means,
                overall,
            }
        })
        .collect();
    let rows = criteria.iter().enumerate().map(|(i, c)| (c.clone(), columns.iter().map(|col: &CompareColumn| col.means[i].clone()).collect())).collect();
    html_status(StatusCode::OK, &page(None, rows, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_fall_back_and_round_trip() {
        let r = &crate::i18n::review::EN;
        let (f, errors) = Filter::parse("stage=interview&min=70&source=reply&q=%20L%C3%A9a%20&sort=newest", r);
        assert!(errors.is_empty());
        assert_eq!(f.stage, StageFilter::Only(Stage::Interview));
        assert_eq!((f.min_score, f.source, f.q.as_str(), f.sort), (70, Some("reply"), "Léa", Sort::Newest));
        let (again, errors) = Filter::parse(&f.query(), r);
        assert!(errors.is_empty());
        assert_eq!(again.query(), f.query());
        let (f, errors) = Filter::parse("stage=nope&min=101&source=fax&sort=age", r);
        assert_eq!(errors, vec![r.bad_stage, r.bad_min_score, r.bad_source, r.bad_sort]);
        assert_eq!(f.query(), Filter::default().query());
    }

    #[test]
    fn highlighting_keeps_every_character_and_marks_only_wanted_skills() {
        let tax = crate::sourcing::skills::Taxonomy::builtin();
        let wanted: HashSet<String> = ["rust".to_string()].into();
        let text = "Développeuse Rust et PostgreSQL, 5 ans de rust, pas de Rustacean.";
        let parts = highlight(&tax, &wanted, text);
        assert_eq!(parts.iter().map(|p| p.0.as_str()).collect::<String>(), text);
        let marked: Vec<&str> = parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(marked, vec!["Rust", "rust"], "every mention, whole words only");
        assert_eq!(highlight(&tax, &wanted, "Go et Java"), vec![("Go et Java".to_string(), false)]);
    }

    #[test]
    fn ages_read_in_minutes_hours_then_days() {
        let r = &crate::i18n::review::EN;
        let t0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(age(t0 + chrono::Duration::minutes(59), t0, r), "59 min");
        assert_eq!(age(t0 + chrono::Duration::hours(47), t0, r), "47 h");
        assert_eq!(age(t0 + chrono::Duration::days(3), t0, r), "3 d");
        assert_eq!(age(t0, t0 + chrono::Duration::days(1), r), "0 min");
    }
}
