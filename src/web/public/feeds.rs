//! Feeds of live openings (RSS 2.0, Atom 1.0, JSON Feed 1.1), the sitemap and robots.txt.
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::json;

use super::super::context::Viewer;
use super::super::error::PageError;
use super::super::AppState;
use crate::domain::opening::Opening;
use crate::i18n::public as texts;
use crate::store::openings::OpeningFilter;

pub const FEED_MAX: i64 = 100;

async fn live(state: &AppState, limit: i64) -> anyhow::Result<std::sync::Arc<(Vec<Opening>, i64)>> {
    let filter = OpeningFilter { live_on: Some(state.clock.today()), limit, ..Default::default() };
    state.careers.list(&state.pool, filter).await
}

fn utc(at: NaiveDateTime) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&at)
}

/// When an opening appeared on the site (its first publication).
fn published(o: &Opening) -> NaiveDateTime {
    o.published_at.unwrap_or(o.created_at)
}

/// The latest change among the openings, for the feed's own date.
fn last_change(openings: &[Opening], fallback: NaiveDateTime) -> NaiveDateTime {
    openings.iter().map(|o| o.updated_at.max(published(o))).max().unwrap_or(fallback)
}

pub struct FeedItem {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub categories: Vec<String>,
    pub published_rfc2822: String,
    pub published_rfc3339: String,
    pub updated_rfc3339: String,
    pub company: String,
}

fn item(state: &AppState, o: &Opening) -> FeedItem {
    FeedItem {
        title: o.draft.title.clone(),
        url: state.url(&format!("/jobs/{}", o.slug)),
        summary: o.description_text(500),
        categories: o.draft.required_skills.clone(),
        published_rfc2822: utc(published(o)).to_rfc2822(),
        published_rfc3339: utc(published(o)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        updated_rfc3339: utc(o.updated_at.max(published(o))).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        company: o.draft.company.clone(),
    }
}

fn feed_title(state: &AppState, lang: crate::i18n::Lang) -> String {
    format!("{} – {}", texts::text(lang).feed_title, state.settings.company_name)
}

#[derive(Template)]
#[template(path = "public/feed.rss.xml")]
struct Rss {
    title: String,
    link: String,
    self_url: String,
    description: &'static str,
    language: &'static str,
    last_build: String,
    items: Vec<FeedItem>,
}

#[derive(Template)]
#[template(path = "public/feed.atom.xml")]
struct Atom {
    id: String,
    title: String,
    link: String,
    self_url: String,
    author: String,
    updated: String,
    language: &'static str,
    items: Vec<FeedItem>,
}

#[derive(Template)]
#[template(path = "public/sitemap.xml")]
struct Sitemap {
    urls: Vec<(String, String)>,
}

fn render<T: Template>(t: &T) -> anyhow::Result<String> {
    t.render().map_err(|e| anyhow::anyhow!("Failed to render a feed: {e}"))
}

/// The same for every visitor in one language on one day: made once, then served from the
/// careers cache until an opening changes.
async fn cached<F>(state: &AppState, key: String, content_type: &'static str, make: F) -> Result<HttpResponse, PageError>
where
    F: std::future::Future<Output = anyhow::Result<String>>,
{
    let body = state.careers.body(format!("{key}:{}", state.clock.today()), make).await?;
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}

pub async fn rss(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    cached(&state, format!("rss:{}", viewer.lang.code()), "application/rss+xml; charset=utf-8", async {
    let listed = live(&state, FEED_MAX).await?;
    let openings = &listed.0;
    let t = texts::text(viewer.lang);
    let feed = Rss {
        title: feed_title(&state, viewer.lang),
        link: state.url("/jobs"),
        self_url: state.url("/jobs/feed.rss"),
        description: t.feed_description,
        language: viewer.lang.code(),
        last_build: utc(last_change(&openings, state.clock.now())).to_rfc2822(),
        items: openings.iter().map(|o| item(&state, o)).collect(),
    };
    render(&feed)
    })
    .await
}

pub async fn atom(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    cached(&state, format!("atom:{}", viewer.lang.code()), "application/atom+xml; charset=utf-8", async {
    let listed = live(&state, FEED_MAX).await?;
    let openings = &listed.0;
    let feed = Atom {
        id: state.url("/jobs"),
        title: feed_title(&state, viewer.lang),
        link: state.url("/jobs"),
        self_url: state.url("/jobs/feed.atom"),
        author: state.settings.company_name.clone(),
        updated: utc(last_change(&openings, state.clock.now())).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        language: viewer.lang.code(),
        items: openings.iter().map(|o| item(&state, o)).collect(),
    };
    render(&feed)
    })
    .await
}

/// JSON Feed 1.1, built as data (not a template) so escaping is serde_json's.
pub async fn json_feed(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    cached(&state, format!("json:{}", viewer.lang.code()), "application/feed+json; charset=utf-8", async {
    let listed = live(&state, FEED_MAX).await?;
    let openings = &listed.0;
    let items: Vec<_> = openings
        .iter()
        .map(|o| {
            let i = item(&state, o);
            json!({
                "id": i.url,
                "url": i.url,
                "title": i.title,
                "content_html": o.description_html(),
                "summary": i.summary,
                "date_published": i.published_rfc3339,
                "date_modified": i.updated_rfc3339,
                "authors": [{"name": i.company}],
                "tags": i.categories,
                "language": o.draft.language.as_str(),
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed_title(&state, viewer.lang),
        "home_page_url": state.url("/jobs"),
        "feed_url": state.url("/jobs/feed.json"),
        "description": texts::text(viewer.lang).feed_description,
        "language": viewer.lang.code(),
        "items": items,
    });
    Ok(feed.to_string())
    })
    .await
}

pub async fn sitemap(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    cached(&state, "sitemap".into(), "application/xml; charset=utf-8", async {
    // A sitemap holds up to 50,000 URLs; the careers site is far below that.
    let listed = live(&state, 500).await?;
    let openings = &listed.0;
    let mut urls = vec![(state.url("/jobs"), last_change(&openings, state.clock.now()).date().to_string())];
    urls.extend(openings.iter().map(|o| (state.url(&format!("/jobs/{}", o.slug)), o.updated_at.date().to_string())));
    render(&Sitemap { urls })
    })
    .await
}

pub async fn robots(state: web::Data<AppState>) -> HttpResponse {
    let body = format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", state.url("/sitemap.xml"));
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(body)
}
