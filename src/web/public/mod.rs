//! The public careers site: /jobs, job pages, apply form, feeds and sitemap.
mod alerts;
mod apply;
pub mod cache;
mod feeds;
mod privacy;
pub mod seo;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::context::Viewer;
use super::error::{html, html_status, PageError};
use super::AppState;
use crate::domain::opening::{EmploymentType, Opening, OpeningLanguage, OpeningStatus, RemotePolicy};
use crate::i18n::public::{self as texts, PublicText};
use crate::i18n::Lang;
use crate::store::{self, openings::OpeningFilter};

pub const PER_PAGE: i64 = 20;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Feed routes come before /jobs/{slug}, which would otherwise take "feed.rss" as a slug.
    cfg.service(web::resource("/").route(web::get().to(home)))
        .service(web::resource("/jobs").route(web::get().to(jobs)))
        .service(web::resource("/jobs/feed.rss").route(web::get().to(feeds::rss)))
        .service(web::resource("/jobs/feed.atom").route(web::get().to(feeds::atom)))
        .service(web::resource("/jobs/feed.json").route(web::get().to(feeds::json_feed)))
        .service(web::resource("/sitemap.xml").route(web::get().to(feeds::sitemap)))
        .service(web::resource("/robots.txt").route(web::get().to(feeds::robots)))
        .service(web::resource("/jobs/{slug}").route(web::get().to(job)))
        .service(web::resource("/jobs/{slug}/apply").route(web::post().to(apply::submit)))
        .service(web::resource("/jobs/{slug}/applied").route(web::get().to(apply::applied)))
        .service(web::resource("/alerts").route(web::get().to(alerts::form)).route(web::post().to(alerts::subscribe)))
        .service(web::resource("/alerts/sent").route(web::get().to(alerts::sent)))
        .service(web::resource("/privacy/{token}").route(web::get().to(privacy::show)))
        .service(web::resource("/privacy/{token}/{action}").route(web::post().to(privacy::act)))
        .service(web::resource("/alerts/confirm/{token}").route(web::get().to(alerts::confirm)))
        .service(
            web::resource("/alerts/unsubscribe/{token}")
                .route(web::get().to(alerts::unsubscribe_page))
                .route(web::post().to(alerts::unsubscribe)),
        );
}

pub async fn not_found() -> HttpResponse {
    use actix_web::ResponseError;
    crate::web::error::PageError::NotFound.error_response()
}

async fn home() -> HttpResponse {
    super::error::see_other("/jobs")
}

/// What every careers page shows around its content: language, footer, feeds.
pub struct Chrome {
    pub t: &'static PublicText,
    /// The visitor's language, for `<html lang>`.
    pub lang: &'static str,
    /// Where the language switch sends the visitor back to.
    pub next: String,
    pub site_name: String,
    pub rss_url: String,
    pub atom_url: String,
    pub json_url: String,
}

impl Chrome {
    fn new(state: &AppState, req: &HttpRequest, lang: Lang) -> Self {
        let next = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/jobs".into());
        Self {
            t: texts::text(lang),
            lang: lang.code(),
            next,
            site_name: state.settings.company_name.clone(),
            rss_url: state.url("/jobs/feed.rss"),
            atom_url: state.url("/jobs/feed.atom"),
            json_url: state.url("/jobs/feed.json"),
        }
    }
}

/// One option of a filter's select.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// An opening as a line of the list.
pub struct ListItem {
    pub url: String,
    pub title: String,
    pub company: String,
    pub location: String,
    pub contract: &'static str,
    pub salary: Option<String>,
    pub posted: Option<String>,
    pub posted_iso: Option<String>,
    pub lang: &'static str,
}

#[derive(Template)]
#[template(path = "public/jobs.html")]
struct JobsPage {
    chrome: Chrome,
    canonical: String,
    q: String,
    location: String,
    remote_choices: Vec<Choice>,
    type_choices: Vec<Choice>,
    filtered: bool,
    items: Vec<ListItem>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

/// First value of each query parameter; a malformed query string reads as empty, never as an error.
fn query_params(raw: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

/// A free-text filter: one line, trimmed, at most `max` characters.
fn clean_text(raw: Option<&String>, max: usize) -> String {
    let s: String = raw.map(|s| s.chars().filter(|c| !c.is_control()).take(max).collect()).unwrap_or_default();
    s.trim().to_string()
}

fn lang_attr(l: OpeningLanguage) -> &'static str {
    Lang::from(l).code()
}

fn list_item(o: &Opening, lang: Lang) -> ListItem {
    ListItem {
        url: format!("/jobs/{}", o.slug),
        title: o.draft.title.clone(),
        company: o.draft.company.clone(),
        location: o.location_label(lang),
        contract: o.draft.employment_type.label(lang),
        salary: o.salary_label(lang),
        posted: o.published_at.map(|d| texts::date(d.date(), lang)),
        posted_iso: o.published_at.map(|d| d.date().to_string()),
        lang: lang_attr(o.draft.language),
    }
}

async fn jobs(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    let params = query_params(req.query_string());
    let q = clean_text(params.get("q"), 100);
    let location = clean_text(params.get("location"), 100);
    // A value that is not one of ours is ignored, and the select shows "any".
    let remote = params.get("remote").and_then(|v| RemotePolicy::parse(v).ok());
    let kind = params.get("type").and_then(|v| EmploymentType::parse(v).ok());
    let page = params.get("page").and_then(|v| v.trim().parse::<i64>().ok()).filter(|p| (1..=10_000).contains(p)).unwrap_or(1);

    let filter = OpeningFilter {
        q: (!q.is_empty()).then(|| q.clone()),
        location: (!location.is_empty()).then(|| location.clone()),
        remote_policy: remote,
        employment_type: kind,
        live_on: Some(state.clock.today()),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
        ..Default::default()
    };
    let listed = state.careers.list(&state.pool, filter).await?;
    let (openings, total) = (&listed.0, listed.1);
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);

    let page_url = |p: i64| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            s.append_pair("q", &q);
        }
        if !location.is_empty() {
            s.append_pair("location", &location);
        }
        if let Some(r) = remote {
            s.append_pair("remote", r.as_str());
        }
        if let Some(k) = kind {
            s.append_pair("type", k.as_str());
        }
        if p > 1 {
            s.append_pair("page", &p.to_string());
        }
        let qs = s.finish();
        if qs.is_empty() {
            "/jobs".to_string()
        } else {
            format!("/jobs?{qs}")
        }
    };
    let page_view = JobsPage {
        chrome: Chrome::new(&state, &req, lang),
        canonical: state.url("/jobs"),
        remote_choices: RemotePolicy::ALL
            .iter()
            .map(|r| Choice { value: r.as_str(), label: r.label(lang), selected: Some(*r) == remote })
            .collect(),
        type_choices: EmploymentType::ALL
            .iter()
            .map(|k| Choice { value: k.as_str(), label: k.label(lang), selected: Some(*k) == kind })
            .collect(),
        filtered: !q.is_empty() || !location.is_empty() || remote.is_some() || kind.is_some(),
        items: openings.iter().map(|o| list_item(o, lang)).collect(),
        total,
        page,
        pages,
        prev_url: (page > 1).then(|| page_url(page - 1)),
        next_url: (page < pages).then(|| page_url(page + 1)),
        q: q.clone(),
        location: location.clone(),
    };
    html(&page_view)
}

/// The facts of an opening, as shown on its page.
pub struct JobView {
    pub slug: String,
    pub title: String,
    pub company: String,
    pub department: Option<String>,
    pub location: String,
    pub remote: &'static str,
    pub contract: &'static str,
    pub salary: Option<String>,
    pub skills: Vec<String>,
    pub nice_skills: Vec<String>,
    pub valid_through: Option<String>,
    pub valid_through_iso: Option<String>,
    pub posted: Option<String>,
    pub posted_iso: Option<String>,
    /// Language the opening is written in, for its content block.
    pub lang: &'static str,
}

impl JobView {
    fn new(o: &Opening, lang: Lang) -> Self {
        let d = &o.draft;
        Self {
            slug: o.slug.clone(),
            title: d.title.clone(),
            company: d.company.clone(),
            department: d.department.clone(),
            location: o.location_label(lang),
            remote: d.remote_policy.label(lang),
            contract: d.employment_type.label(lang),
            salary: o.salary_label(lang),
            skills: d.required_skills.clone(),
            nice_skills: d.nice_skills.clone(),
            valid_through: d.valid_through.map(|v| texts::date(v, lang)),
            valid_through_iso: d.valid_through.map(|v| v.to_string()),
            posted: o.published_at.map(|v| texts::date(v.date(), lang)),
            posted_iso: o.published_at.map(|v| v.date().to_string()),
            lang: lang_attr(d.language),
        }
    }
}

/// The apply form's values and messages (never the file).
#[derive(Default)]
pub struct ApplyForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub cv_url: String,
    pub message: String,
    pub consent: bool,
    /// "Keep me in the talent pool" (optional).
    pub talent_pool: bool,
    pub submission_key: String,
    /// (field, reason in the visitor's language); field "form" is about the whole form.
    pub errors: Vec<(String, String)>,
}

impl ApplyForm {
    pub fn fresh() -> Self {
        Self { submission_key: crate::auth::new_token(), ..Default::default() }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, r)| r.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

#[derive(Template)]
#[template(path = "public/job.html")]
pub struct JobPage {
    chrome: Chrome,
    job: JobView,
    canonical: String,
    meta_description: String,
    og_locale: &'static str,
    /// JSON-LD already made safe for a script element by [`seo::script_safe`].
    json_ld: String,
    /// Sanitized by `to_safe_html`.
    description_html: String,
    form: ApplyForm,
    notice: &'static str,
    notice_version: &'static str,
}

/// Loads an opening for the careers site: 404 if unknown or never published, 410 if no longer live.
pub async fn live_opening(state: &AppState, slug: String) -> Result<Opening, PageError> {
    if slug.len() > 200 {
        return Err(PageError::NotFound);
    }
    let found = state.careers.by_slug(&state.pool, &slug).await?;
    let opening = match found.as_ref() {
        None => return Err(PageError::NotFound),
        Some(o) if o.status == OpeningStatus::Draft => return Err(PageError::NotFound),
        Some(o) => o.clone(),
    };
    if !opening.is_live(state.clock.today()) {
        return Err(PageError::Gone);
    }
    Ok(opening)
}

pub fn job_page(state: &AppState, req: &HttpRequest, lang: Lang, o: &Opening, form: ApplyForm) -> JobPage {
    let canonical = state.url(&format!("/jobs/{}", o.slug));
    let mut meta_description = o.description_text(160);
    if meta_description.is_empty() {
        meta_description = format!("{} – {}", o.draft.title, o.draft.company);
    }
    let json_ld = seo::script_safe(&seo::job_posting(o, &canonical, &state.settings.base_url).to_string());
    let mut chrome = Chrome::new(state, req, lang);
    // After a failed POST to /apply, switching language should lead back to the job page.
    chrome.next = format!("/jobs/{}", o.slug);
    JobPage {
        chrome,
        job: JobView::new(o, lang),
        canonical,
        meta_description,
        og_locale: match o.draft.language {
            OpeningLanguage::Fr => "fr_FR",
            OpeningLanguage::En => "en_US",
        },
        json_ld,
        description_html: o.description_html().into_owned(),
        form,
        notice: store::applications::privacy_notice(lang),
        notice_version: store::applications::PRIVACY_NOTICE_VERSION,
    }
}

pub fn render_job(page: &JobPage, status: StatusCode) -> Result<HttpResponse, PageError> {
    html_status(status, page)
}

/// Stands for the apply form's submission key in a job page rendered once (random, so no
/// opening's text can hold it).
fn key_mark() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| format!("submissionkey{}", crate::auth::new_token().replace(['-', '_'], "")))
}

async fn job(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, slug: web::Path<String>) -> Result<HttpResponse, PageError> {
    let opening = live_opening(&state, slug.into_inner()).await?;
    // The page is the same for every visitor in one language but for the form's submission
    // key: rendered once per version of the opening, language and day, the key put in here.
    let version = format!("page:{}:{}:{:?}:{}:{}", opening.id, opening.updated_at, opening.published_at, viewer.lang.code(), state.clock.today());
    let rendered = state.careers.derived(version, || {
        let form = ApplyForm { submission_key: key_mark().to_string(), ..ApplyForm::default() };
        job_page(&state, &req, viewer.lang, &opening, form).render().map_err(|e| anyhow::anyhow!("Failed to render a page: {e}"))
    })?;
    let body = rendered.replace(key_mark(), &crate::auth::new_token());
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}
