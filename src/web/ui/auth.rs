//! Sign in, sign out, one-time setup links and the language switch.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{blocking, db_err, safe_next, FieldErrors, FormData, Layout};
use crate::domain::email::Email;
use crate::domain::user::NewPassword;
use crate::i18n::Lang;
use crate::store::second_factor;
use crate::store::users::{self, AcceptInviteError};
use crate::web::context::{self, Viewer};
use crate::web::error::{html, html_status, PageError};
use crate::web::throttle;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "ui/login.html")]
struct LoginPage {
    page: Layout,
    email: String,
    next: String,
    failed: bool,
    /// Too many failures in the last minute (429).
    throttled: bool,
    s: &'static crate::i18n::security::SecurityText,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The cookie that carries a sign-in waiting for its second factor.
pub const CHALLENGE_COOKIE: &str = "hirecast_sign_in";

fn login_page_of(req: &HttpRequest, lang: Lang, email: String, next: String, failed: bool, throttled: bool) -> LoginPage {
    let t = crate::i18n::ui::text(lang);
    LoginPage { page: Layout::anonymous(lang, req, t.login_title), email, next, failed, throttled, s: crate::i18n::security::text(lang) }
}

pub async fn login_page(req: HttpRequest, viewer: Viewer, q: web::Query<NextQuery>) -> Result<HttpResponse, PageError> {
    let next = safe_next(q.next.as_deref().unwrap_or("/app"));
    if viewer.user.is_some() {
        return Ok(crate::web::error::see_other(&next));
    }
    html(&login_page_of(&req, viewer.lang, String::new(), next, false, false))
}

/// The client's address as the connection shows it (a forwarded header is not trusted: it
/// would let anyone pick the address the throttle counts).
fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

fn too_many(mut res: HttpResponse, retry_after: i64) -> HttpResponse {
    if let Ok(v) = header::HeaderValue::from_str(&retry_after.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Signing in for real: the browser's previous session (if any) is deleted and a new token issued.
async fn start_session(req: &HttpRequest, state: &AppState, user_id: String, next: &str) -> Result<HttpResponse, PageError> {
    let old = context::session_token(req);
    let (now, absolute) = (state.clock.now(), chrono::Duration::hours(state.settings.session_hours));
    let uid = user_id.clone();
    let token = crate::store::run(&state.pool, move |c| users::rotate_session(c, old.as_deref(), &uid, now, absolute).map_err(Into::into))
        .await
        .map_err(db_err)?;
    tracing::info!(user_id = %user_id, "signed in");
    let mut gone = actix_web::cookie::Cookie::build(CHALLENGE_COOKIE, "").path("/login").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(context::session_cookie(state, &token))
        .cookie(gone)
        .insert_header((header::LOCATION, next.to_string()))
        .finish())
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = FormData::parse(&body);
    let next = safe_next(&form.get("next"));
    let raw_email = form.get("email");
    let password = form.get("password");
    let (ip, now) = (client_ip(&req), state.clock.now());
    if let Some(wait) = throttle::retry_after(&state.pool, &raw_email, &ip, now).await.map_err(db_err)? {
        // Refused before the password is looked at: a right password does not get through either.
        tracing::warn!(retry_after = wait, "sign-in throttled");
        let page = login_page_of(&req, viewer.lang, raw_email, next, false, true);
        return Ok(too_many(html_status(StatusCode::TOO_MANY_REQUESTS, &page)?, wait));
    }
    let found = match Email::parse("email", &raw_email) {
        Ok(email) => crate::store::run(&state.pool, move |c| users::find_by_email(c, &email)).await.map_err(db_err)?,
        Err(_) => None,
    };
    let user = blocking(move || match found {
        Some((user, Some(hash))) if user.active => crate::auth::verify_password(&password, &hash).then_some(user),
        _ => {
            // Same work as a real check, so an unknown email is not told apart by timing.
            crate::auth::verify_against_dummy(&password);
            None
        }
    })
    .await?;
    let Some(user) = user else {
        throttle::record_failure(&state.pool, &raw_email, &ip, now).await.map_err(db_err)?;
        // Never the email: it is personal data, and often a password typed in the wrong box.
        tracing::warn!("sign-in failed: unknown account or wrong password");
        let page = login_page_of(&req, viewer.lang, raw_email, next, true, false);
        return html_status(StatusCode::UNAUTHORIZED, &page);
    };
    let uid = user.id.clone();
    let needs_code = crate::store::run(&state.pool, move |c| second_factor::required(c, &uid).map_err(Into::into)).await.map_err(db_err)?;
    if needs_code {
        // The account's failures are forgotten only once the code is right too: the password
        // alone must not reset the count that limits guessing codes.
        let (uid, n) = (user.id.clone(), next.clone());
        let token = crate::store::run(&state.pool, move |c| second_factor::create_challenge(c, &uid, &n, now).map_err(Into::into))
            .await
            .map_err(db_err)?;
        let cookie = actix_web::cookie::Cookie::build(CHALLENGE_COOKIE, token)
            .path("/login")
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .secure(state.settings.secure_cookies())
            .max_age(actix_web::cookie::time::Duration::minutes(second_factor::CHALLENGE_MINUTES))
            .finish();
        return Ok(HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, "/login/code")).finish());
    }
    throttle::record_success(&state.pool, &raw_email, &ip).await.map_err(db_err)?;
    start_session(&req, &state, user.id, &next).await
}

#[derive(Template)]
#[template(path = "ui/login_code.html")]
struct CodePage {
    page: Layout,
    s: &'static crate::i18n::security::SecurityText,
    failed: bool,
    throttled: bool,
}

fn code_page(req: &HttpRequest, lang: Lang, failed: bool, throttled: bool) -> CodePage {
    let s = crate::i18n::security::text(lang);
    CodePage { page: Layout::anonymous(lang, req, s.code_title), s, failed, throttled }
}

fn challenge_token(req: &HttpRequest) -> Option<String> {
    req.cookie(CHALLENGE_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty())
}

/// The second step of an admin's sign-in: the code prompt (only after the right password).
pub async fn code_form(req: HttpRequest, state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let now = state.clock.now();
    let live = match challenge_token(&req) {
        Some(t) => crate::store::run(&state.pool, move |c| second_factor::find_challenge(c, &t, now).map_err(Into::into)).await.map_err(db_err)?,
        None => None,
    };
    if live.is_none() {
        return Ok(crate::web::error::see_other("/login"));
    }
    html(&code_page(&req, viewer.lang, false, false))
}

pub async fn code(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = FormData::parse(&body);
    let now = state.clock.now();
    let Some(token) = challenge_token(&req) else { return Ok(crate::web::error::see_other("/login")) };
    let t = token.clone();
    let live = crate::store::run(&state.pool, move |c| second_factor::find_challenge(c, &t, now).map_err(Into::into)).await.map_err(db_err)?;
    let Some((user_id, next)) = live else { return Ok(crate::web::error::see_other("/login")) };
    let uid = user_id.clone();
    let user = crate::store::run(&state.pool, move |c| users::find(c, &uid)).await.map_err(db_err)?;
    let Some(user) = user.filter(|u| u.active) else { return Ok(crate::web::error::see_other("/login")) };
    let ip = client_ip(&req);
    if let Some(wait) = throttle::retry_after(&state.pool, &user.email, &ip, now).await.map_err(db_err)? {
        tracing::warn!(retry_after = wait, "second factor throttled");
        return Ok(too_many(html_status(StatusCode::TOO_MANY_REQUESTS, &code_page(&req, viewer.lang, false, true))?, wait));
    }
    let (key, uid, code, t) = (state.key.clone(), user.id.clone(), form.get("code"), token.clone());
    let ok = crate::store::run(&state.pool, move |c| {
        let ok = second_factor::check(c, &key, &uid, &code, now)?;
        if ok {
            Ok(second_factor::take_challenge(c, &t)?)
        } else {
            second_factor::challenge_failed(c, &t)?;
            Ok(false)
        }
    })
    .await
    .map_err(db_err)?;
    if !ok {
        throttle::record_failure(&state.pool, &user.email, &ip, now).await.map_err(db_err)?;
        tracing::warn!(user_id = %user.id, "second factor failed: wrong or replayed code");
        return html_status(StatusCode::UNAUTHORIZED, &code_page(&req, viewer.lang, true, false));
    }
    throttle::record_success(&state.pool, &user.email, &ip).await.map_err(db_err)?;
    start_session(&req, &state, user.id, &next).await
}

pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    if let Some(token) = context::session_token(&req) {
        crate::store::run(&state.pool, move |c| users::delete_session(c, &token).map_err(Into::into)).await.map_err(db_err)?;
    }
    Ok(HttpResponse::SeeOther()
        .cookie(context::expired_session_cookie(&state))
        .insert_header((header::LOCATION, "/login"))
        .finish())
}

#[derive(Template)]
#[template(path = "ui/setup.html")]
struct SetupPage {
    page: Layout,
    /// The invited user's email; None for the first administrator (who types it).
    invited_email: Option<String>,
    email: String,
    name: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "ui/setup_invalid.html")]
struct SetupInvalidPage {
    page: Layout,
}

fn invalid_link(req: &HttpRequest, lang: Lang) -> Result<HttpResponse, PageError> {
    let t = crate::i18n::ui::text(lang);
    html_status(StatusCode::GONE, &SetupInvalidPage { page: Layout::anonymous(lang, req, t.link_invalid_title) })
}

pub async fn setup_page(req: HttpRequest, state: web::Data<AppState>, viewer: Viewer, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let now = state.clock.now();
    let invite = crate::store::run(&state.pool, move |c| users::find_invite(c, &token, now)).await.map_err(db_err)?;
    let Some((_, user)) = invite else { return invalid_link(&req, viewer.lang) };
    let t = crate::i18n::ui::text(viewer.lang);
    let title = if user.is_some() { t.setup_title } else { t.setup_first_admin_title };
    html(&SetupPage {
        page: Layout::anonymous(viewer.lang, &req, title),
        invited_email: user.map(|u| u.email),
        email: String::new(),
        name: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn setup(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let lang = viewer.lang;
    let t = crate::i18n::ui::text(lang);
    let now = state.clock.now();
    let tok = token.clone();
    let invite = crate::store::run(&state.pool, move |c| users::find_invite(c, &tok, now)).await.map_err(db_err)?;
    let Some((_, invited)) = invite else { return invalid_link(&req, lang) };
    let form = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    let (raw_email, raw_name) = (form.get("email"), form.get("name"));
    let mut first_admin = None;
    if invited.is_none() {
        let email = Email::parse("email", &raw_email).map_err(|e| errors.add("email", e.reason_in(lang))).ok();
        let name = crate::domain::error::text("name", &raw_name, 200).map_err(|e| errors.add("name", e.reason_in(lang))).ok();
        if let (Some(e), Some(n)) = (email, name) {
            first_admin = Some((e, n));
        }
    }
    let password = form.get("password");
    let account_email = invited.as_ref().map(|u| u.email.clone()).unwrap_or_else(|| raw_email.clone());
    let parsed = NewPassword::parse_for(&password, &account_email).map_err(|e| errors.add("password", e.reason_in(lang))).ok();
    if parsed.is_some() && password != form.get("password_confirm") {
        errors.add("password_confirm", t.passwords_differ);
    }
    let show_again = |errors: FieldErrors| {
        let title = if invited.is_some() { t.setup_title } else { t.setup_first_admin_title };
        html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                page: Layout::anonymous(lang, &req, title),
                invited_email: invited.as_ref().map(|u| u.email.clone()),
                email: raw_email.clone(),
                name: raw_name.clone(),
                errors,
            },
        )
    };
    let Some(password) = parsed.filter(|_| errors.is_empty()) else { return show_again(errors) };
    let hash = blocking(move || crate::auth::hash_password(&password)).await?.map_err(db_err)?;
    let lifetime = chrono::Duration::hours(state.settings.session_hours);
    let old = context::session_token(&req);
    let result = crate::store::run(&state.pool, move |c| {
        let accepted = users::accept_invite(c, &token, first_admin.as_ref().map(|(e, n)| (e, n.as_str())), &hash, now);
        match accepted {
            Ok(user_id) => Ok(Ok(users::rotate_session(c, old.as_deref(), &user_id, now, lifetime)?)),
            Err(AcceptInviteError::Unexpected(e)) => Err(e),
            Err(other) => Ok(Err(other)),
        }
    })
    .await
    .map_err(db_err)?;
    match result {
        Ok(session) => Ok(HttpResponse::SeeOther()
            .cookie(context::session_cookie(&state, &session))
            .insert_header((header::LOCATION, "/app"))
            .finish()),
        Err(AcceptInviteError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", t.email_taken);
            show_again(errors)
        }
        Err(_) => invalid_link(&req, lang),
    }
}

pub async fn set_lang(req: HttpRequest, state: web::Data<AppState>, viewer: Viewer, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let form = FormData::parse(&body);
    let next = safe_next(&form.get("next"));
    let Some(lang) = Lang::parse(&form.get("lang")) else {
        return Err(PageError::BadRequest("lang must be en or fr".into()));
    };
    if let Some(user) = viewer.user {
        crate::store::run(&state.pool, move |c| users::set_locale(c, &user.id, lang).map_err(Into::into)).await.map_err(db_err)?;
    }
    let _ = req;
    Ok(HttpResponse::SeeOther().cookie(context::lang_cookie(&state, lang)).insert_header((header::LOCATION, next)).finish())
}
