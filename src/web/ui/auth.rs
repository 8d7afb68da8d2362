//! Sign in, sign out, one-time setup links and the language switch.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{blocking, db_err, safe_next, FieldErrors, FormData, Layout};
use crate::domain::email::Email;
use crate::domain::user::NewPassword;
use crate::i18n::Lang;
use crate::store::users::{self, AcceptInviteError};
use crate::web::context::{self, Viewer};
use crate::web::error::{html, html_status, PageError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "ui/login.html")]
struct LoginPage {
    page: Layout,
    email: String,
    next: String,
    failed: bool,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(req: HttpRequest, viewer: Viewer, q: web::Query<NextQuery>) -> Result<HttpResponse, PageError> {
    let next = safe_next(q.next.as_deref().unwrap_or("/app"));
    if viewer.user.is_some() {
        return Ok(crate::web::error::see_other(&next));
    }
    let t = crate::i18n::ui::text(viewer.lang);
    html(&LoginPage { page: Layout::anonymous(viewer.lang, &req, t.login_title), email: String::new(), next, failed: false })
}

pub async fn login(req: HttpRequest, state: web::Data<AppState>, viewer: Viewer, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let form = FormData::parse(&body);
    let next = safe_next(&form.get("next"));
    let raw_email = form.get("email");
    let password = form.get("password");
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
        let t = crate::i18n::ui::text(viewer.lang);
        let page = LoginPage { page: Layout::anonymous(viewer.lang, &req, t.login_title), email: raw_email, next, failed: true };
        return html_status(StatusCode::UNAUTHORIZED, &page);
    };
    let lifetime = chrono::Duration::hours(state.settings.session_hours);
    let user_id = user.id.clone();
    let token = crate::store::run(&state.pool, move |c| users::create_session(c, &user_id, lifetime).map_err(Into::into))
        .await
        .map_err(db_err)?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(HttpResponse::SeeOther().cookie(context::session_cookie(&state, &token)).insert_header((header::LOCATION, next)).finish())
}

pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    if let Some(token) = req.cookie(context::SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty()) {
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
    let parsed = NewPassword::parse(&password).map_err(|e| errors.add("password", e.reason_in(lang))).ok();
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
    let result = crate::store::run(&state.pool, move |c| {
        let accepted = users::accept_invite(c, &token, first_admin.as_ref().map(|(e, n)| (e, n.as_str())), &hash, now);
        match accepted {
            Ok(user_id) => Ok(Ok(users::create_session(c, &user_id, lifetime)?)),
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
