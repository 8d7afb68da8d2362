//! The recruiter web app under /app, plus sign-in, sign-out and invitation pages.
//! Server-rendered, works without JavaScript; `static/app.js` only adds comfort.
mod analytics;
mod applications;
mod auth;
pub(crate) mod broadcast;
mod candidate_emails;
mod channel_posts;
mod channels;
mod dashboard;
mod merges;
mod openings;
mod post_templates;
mod privacy;
mod review;
mod searches;
mod settings;
mod shortlist;
mod skills;
mod team;
mod two_factor;

use actix_web::{web, HttpRequest};

use super::context::SignedIn;
use super::error::PageError;
use crate::domain::user::Role;
use crate::i18n::ui::UiText;
use crate::i18n::Lang;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/login").route(web::get().to(auth::login_page)).route(web::post().to(auth::login)))
        .service(web::resource("/login/code").route(web::get().to(auth::code_form)).route(web::post().to(auth::code)))
        .service(web::resource("/logout").route(web::post().to(auth::logout)))
        .service(web::resource("/setup/{token}").route(web::get().to(auth::setup_page)).route(web::post().to(auth::setup)))
        .service(web::resource("/lang").route(web::post().to(auth::set_lang)))
        .service(page("/app").route(web::get().to(dashboard::show)))
        .service(page("/app/openings").route(web::get().to(openings::list)).route(web::post().to(openings::create)))
        // Before `/app/openings/{id}`, which would otherwise take "new" for an id.
        .service(page("/app/openings/new").route(web::get().to(openings::new_form)))
        .service(page("/app/openings/{id}").route(web::get().to(openings::show)).route(web::post().to(openings::update)))
        .service(page("/app/openings/{id}/edit").route(web::get().to(openings::edit_form)))
        .service(page("/app/openings/{id}/status").route(web::post().to(openings::change_status)))
        .service(page("/app/analytics").route(web::get().to(analytics::show)))
        .service(page("/app/analytics/{file}").route(web::get().to(analytics::download)))
        .service(page("/app/applications/{id}").route(web::get().to(applications::show)))
        .service(page("/app/applications/{id}/cv").route(web::get().to(applications::cv)))
        .service(page("/app/team").route(web::get().to(team::show)).route(web::post().to(team::invite)))
        .service(page("/app/team/{id}").route(web::post().to(team::update)))
        .service(page("/app/settings").route(web::get().to(settings::show)))
        .service(page("/app/settings/posts").route(web::get().to(post_templates::show)).route(web::post().to(post_templates::save)))
        .service(page("/app/settings/skills").route(web::get().to(skills::show)).route(web::post().to(skills::save)))
        .service(page("/app/settings/skills.tsv").route(web::get().to(skills::shipped)))
        .service(page("/app/settings/two-factor").route(web::get().to(two_factor::show)))
        .service(page("/app/settings/two-factor/{action}").route(web::post().to(two_factor::act)))
        .service(page("/app/settings/language").route(web::post().to(settings::language)))
        .service(page("/app/settings/tokens").route(web::post().to(settings::create_token)))
        .service(page("/app/settings/tokens/{id}/revoke").route(web::post().to(settings::revoke_token)))
        .service(page("/app/settings/time-zone").route(web::post().to(settings::time_zone)))
        .service(page("/app/settings/notifications").route(web::post().to(settings::notifications)))
        .service(page("/app/openings/{id}/broadcast").route(web::post().to(broadcast::publish)))
        .service(page("/app/openings/{id}/searches").route(web::post().to(searches::create)))
        .service(page("/app/openings/{id}/searches/{search}/stop").route(web::post().to(searches::stop)))
        .service(page("/app/openings/{id}/merges").route(web::post().to(merges::create)))
        .service(page("/app/openings/{id}/merges/{merge}/undo").route(web::post().to(merges::undo)))
        .service(page("/app/openings/{id}/merge-proposals/{proposal}/confirm").route(web::post().to(merges::confirm)))
        .service(page("/app/openings/{id}/merge-proposals/{proposal}/dismiss").route(web::post().to(merges::dismiss)))
        .service(page("/app/openings/{id}/candidates/{candidate}/stage").route(web::post().to(shortlist::move_stage)))
        .service(page("/app/openings/{id}/review").route(web::get().to(review::show)))
        .service(page("/app/openings/{id}/review/bulk").route(web::post().to(review::bulk)))
        .service(page("/app/openings/{id}/review/criteria").route(web::post().to(review::save_criteria)))
        .service(page("/app/openings/{id}/review/links").route(web::post().to(review::create_link)))
        .service(page("/app/openings/{id}/review/links/{link}/revoke").route(web::post().to(review::revoke_link)))
        .service(page("/app/openings/{id}/review/compare").route(web::get().to(review::compare)))
        .service(page("/app/openings/{id}/candidates/{candidate}").route(web::get().to(review::candidate)))
        .service(page("/app/openings/{id}/candidates/{candidate}/decision").route(web::post().to(review::decide)))
        .service(page("/app/openings/{id}/candidates/{candidate}/notes").route(web::post().to(review::add_note)))
        .service(page("/app/openings/{id}/candidates/{candidate}/scorecard").route(web::post().to(review::save_scorecard)))
        .service(page("/app/openings/{id}/candidates/{candidate}/cv/{sha}").route(web::get().to(review::cv)))
        .service(page("/app/openings/{id}/candidates/{candidate}/email").route(web::get().to(candidate_emails::preview)).route(web::post().to(candidate_emails::send)))
        .service(page("/app/settings/candidate-emails").route(web::get().to(candidate_emails::templates)).route(web::post().to(candidate_emails::save_template)))
        // A review link: one opening's shortlist, for a guest (no session, no nav).
        .service(web::resource("/review/{token}").route(web::get().to(review::link_show)))
        .service(web::resource("/review/{token}/bulk").route(web::post().to(review::link_bulk)))
        .service(web::resource("/review/{token}/compare").route(web::get().to(review::link_compare)))
        .service(web::resource("/review/{token}/candidates/{candidate}").route(web::get().to(review::link_candidate)))
        .service(web::resource("/review/{token}/candidates/{candidate}/decision").route(web::post().to(review::link_decide)))
        .service(web::resource("/review/{token}/candidates/{candidate}/notes").route(web::post().to(review::link_add_note)))
        .service(web::resource("/review/{token}/candidates/{candidate}/scorecard").route(web::post().to(review::link_save_scorecard)))
        .service(web::resource("/review/{token}/candidates/{candidate}/cv/{sha}").route(web::get().to(review::link_cv)))
        .service(page("/app/privacy").route(web::get().to(privacy::dashboard)))
        .service(page("/app/privacy/candidates/{candidate}").route(web::get().to(privacy::person)))
        .service(page("/app/privacy/candidates/{candidate}/{action}").route(web::post().to(privacy::act)))
        .service(page("/app/privacy/requests/{id}/refuse").route(web::post().to(privacy::refuse)))
        .service(page("/app/deliveries/{id}").route(web::get().to(broadcast::delivery)))
        .service(page("/app/deliveries/{id}/{action}").route(web::post().to(broadcast::action)))
        .service(page("/app/broadcast/failures").route(web::get().to(broadcast::failures)))
        .service(page("/app/channels").route(web::get().to(channels::list)))
        // Before `/app/channels/{id}/…`.
        .service(page("/app/channels/new").route(web::get().to(channels::new_form)).route(web::post().to(channels::submit)))
        .service(page("/app/channels/oauth/callback").route(web::get().to(channels::oauth_callback)))
        .service(page("/app/channels/linkedin/organization").route(web::post().to(channels::pick_organization)))
        .service(page("/app/channels/{id}/disconnect").route(web::get().to(channels::disconnect_page)).route(web::post().to(channels::disconnect)))
        .service(page("/app/channels/{id}/check").route(web::post().to(channels::check)))
        .service(page("/app/channels/{id}/posts").route(web::get().to(channel_posts::show)).route(web::post().to(channel_posts::save)));
}

/// A resource of the signed-in app: its pages show the broadcast-failure count in the nav.
fn page(
    path: &str,
) -> actix_web::Resource<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::resource(path).wrap(actix_web::middleware::from_fn(broadcast::attention_middleware))
}

/// What the shared layout (`templates/ui/base.html`) needs on every page.
pub struct Layout {
    pub t: &'static UiText,
    /// The channel and broadcast texts (nav entries).
    pub b: &'static crate::i18n::broadcast::BroadcastText,
    /// Deliveries needing a person (failed, or unconfirmed to review): the nav's badge.
    pub attention: i64,
    pub lang: Lang,
    pub title: String,
    /// Which nav entry is current: dashboard, openings, channels, failures, team, settings or "".
    pub section: &'static str,
    /// This page's local address, where the language switch comes back to.
    pub here: String,
    pub user: Option<NavUser>,
}

pub struct NavUser {
    pub name: String,
    pub role: &'static str,
    pub is_admin: bool,
    /// Admins and recruiters: they write openings and post templates.
    pub can_edit: bool,
}

impl Layout {
    pub fn anonymous(lang: Lang, req: &HttpRequest, title: &str) -> Self {
        Self {
            t: crate::i18n::ui::text(lang),
            b: crate::i18n::broadcast::text(lang),
            attention: 0,
            lang,
            title: title.to_string(),
            section: "",
            here: here(req),
            user: None,
        }
    }

    pub fn signed_in(s: &SignedIn, req: &HttpRequest, section: &'static str, title: &str) -> Self {
        Self {
            t: crate::i18n::ui::text(s.lang),
            b: crate::i18n::broadcast::text(s.lang),
            attention: broadcast::attention_of(req),
            lang: s.lang,
            title: title.to_string(),
            section,
            here: here(req),
            user: Some(NavUser { name: s.user.name.clone(), role: s.user.role.label(s.lang), is_admin: s.user.role == Role::Admin, can_edit: s.user.role.can_edit_openings() }),
        }
    }
}

fn here(req: &HttpRequest) -> String {
    safe_next(req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/app"))
}

/// A redirect target from a form: only a local path (`/…`, not `//host` or `/\host`), else /app.
pub fn safe_next(raw: &str) -> String {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.len() <= 2000
        && !raw.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        raw.to_string()
    } else {
        "/app".to_string()
    }
}

/// A url-encoded form body. Read by hand rather than with `web::Form` so a missing
/// or repeated field (checkboxes) never turns into a bare 400.
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

/// Messages next to form fields, keyed by the HTML field name.
#[derive(Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: &str) {
        if !self.has(field) {
            self.0.push((field.to_string(), message.to_string()));
        }
    }
    pub fn get(&self, field: &str) -> &str {
        self.0.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(k, _)| k == field)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One line of the error summary at the top of a form: links to the field.
pub struct SummaryItem {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// A one-line message above a page's content (after a redirect, or a refused action).
pub struct Notice {
    /// "success" or "error" (a CSS class).
    pub kind: &'static str,
    pub text: String,
}

impl Notice {
    pub fn ok(text: &str) -> Option<Notice> {
        Some(Notice { kind: "success", text: text.to_string() })
    }
    pub fn error(text: &str) -> Option<Notice> {
        Some(Notice { kind: "error", text: text.to_string() })
    }
}

/// An `<option>` of a select.
pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub fn fmt_time(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

pub fn fmt_date(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Runs CPU-heavy work (password hashing) off the HTTP workers.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, PageError> {
    web::block(f).await.map_err(|e| PageError::Unexpected(anyhow::anyhow!("Blocking task failed: {e}")))
}

pub fn db_err(e: impl Into<anyhow::Error>) -> PageError {
    PageError::Unexpected(e.into())
}
