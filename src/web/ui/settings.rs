//! /app/settings: language preference, time zone and personal API tokens.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, fmt_time, FieldErrors, FormData, Layout, Notice};
use crate::domain::user::Scope;
use crate::i18n::Lang;
use crate::store::users;
use crate::web::context::{self, SignedIn};
use crate::web::error::{html_status, PageError};
use crate::web::AppState;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: bool,
    /// Its scopes as written in the API (`openings:read`...).
    pub scopes: Vec<&'static str>,
}

pub struct LangOpt {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "ui/settings.html")]
struct SettingsPage {
    page: Layout,
    langs: Vec<LangOpt>,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    token_name: String,
    /// The scope choices of the creation form: (value, checked).
    scope_choices: Vec<(&'static str, bool)>,
    errors: FieldErrors,
    notice: Option<Notice>,
    b: &'static crate::i18n::broadcast::BroadcastText,
    time_zone: String,
    time_zones: Vec<&'static str>,
    r: &'static crate::i18n::review::ReviewText,
    notify: crate::store::notifications::Settings,
    /// (value, label) of the choices for new shortlisted candidates.
    shortlist_choices: Vec<(&'static str, &'static str)>,
    sec: &'static crate::i18n::security::SecurityText,
}

#[allow(clippy::too_many_arguments)]
async fn render(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    new_secret: Option<String>,
    token_name: String,
    errors: FieldErrors,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = crate::i18n::ui::text(me.lang);
    let uid = me.user.id.clone();
    let (tokens, tz, notify) = crate::store::run(&state.pool, move |c| {
        Ok((users::list_api_tokens(c, &uid)?, super::broadcast::time_zone_of(c, &uid)?, crate::store::notifications::settings(c, &uid)?))
    })
    .await
    .map_err(db_err)?;
    let r = crate::i18n::review::text(me.lang);
    let page = SettingsPage {
        page: Layout::signed_in(me, req, "settings", t.settings_title),
        langs: [(Lang::En, "English"), (Lang::Fr, "Français")]
            .into_iter()
            .map(|(l, label)| LangOpt { code: l.code(), label, selected: l == me.lang })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|k| TokenRow {
                id: k.id,
                name: k.name,
                created: fmt_time(&k.created_at),
                last_used: k.last_used_at.as_ref().map(fmt_time),
                revoked: k.revoked,
                scopes: k.scopes.iter().map(|s| s.as_str()).collect(),
            })
            .collect(),
        new_secret,
        token_name,
        // Read scopes are offered checked: the least a new token needs to be useful.
        scope_choices: Scope::ALL.iter().map(|s| (s.as_str(), s.as_str().ends_with(":read"))).collect(),
        errors,
        notice,
        b: crate::i18n::broadcast::text(me.lang),
        time_zone: tz.name().to_string(),
        time_zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        r,
        notify,
        shortlist_choices: vec![("instant", r.notify_instant), ("daily", r.notify_daily), ("off", r.notify_off)],
        sec: crate::i18n::security::text(me.lang),
    };
    html_status(status, &page)
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    let t = crate::i18n::ui::text(me.lang);
    let notice = match q.done.as_deref() {
        Some("language") => Notice::ok(t.language_saved),
        Some("revoked") => Notice::ok(t.token_revoked),
        Some("time-zone") => Notice::ok(crate::i18n::broadcast::text(me.lang).time_zone_saved),
        Some("notifications") => Notice::ok(crate::i18n::review::text(me.lang).notify_saved),
        _ => None,
    };
    render(&req, &state, &me, None, String::new(), FieldErrors::default(), notice, StatusCode::OK).await
}

pub async fn language(state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let Some(lang) = Lang::parse(&FormData::parse(&body).get("lang")) else {
        return Err(PageError::BadRequest("lang must be en or fr".into()));
    };
    let uid = me.user.id.clone();
    crate::store::run(&state.pool, move |c| users::set_locale(c, &uid, lang).map_err(Into::into)).await.map_err(db_err)?;
    Ok(HttpResponse::SeeOther()
        .cookie(context::lang_cookie(&state, lang))
        .insert_header((header::LOCATION, "/app/settings?done=language"))
        .finish())
}

pub async fn create_token(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let form = FormData::parse(&body);
    let raw = form.get("name");
    let scopes: Vec<Scope> = form.all("scope").iter().filter_map(|s| Scope::parse(s)).collect();
    let mut errors = FieldErrors::default();
    let name = match crate::domain::error::text("name", &raw, 100) {
        Ok(n) => Some(n),
        Err(e) => {
            errors.add("name", e.reason_in(me.lang));
            None
        }
    };
    if scopes.is_empty() {
        errors.add("scope", crate::i18n::ui::text(me.lang).token_scope_required);
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return render(&req, &state, &me, None, raw, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let uid = me.user.id.clone();
    let (_, secret) = crate::store::run(&state.pool, move |c| users::create_scoped_api_token(c, &uid, &name, &scopes).map_err(Into::into))
        .await
        .map_err(db_err)?;
    // Shown in this response only; the store keeps its hash.
    let mut res = render(&req, &state, &me, Some(secret), String::new(), FieldErrors::default(), None, StatusCode::OK).await?;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

pub async fn revoke_token(state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let uid = me.user.id.clone();
    let tid = id.into_inner();
    let revoked = crate::store::run(&state.pool, move |c| users::revoke_api_token(c, &uid, &tid).map_err(Into::into)).await.map_err(db_err)?;
    if !revoked {
        return Err(PageError::NotFound);
    }
    Ok(crate::web::error::see_other("/app/settings?done=revoked"))
}

/// POST /app/settings/time-zone: an IANA name (Europe/Paris), used for scheduled publications.
pub async fn time_zone(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let raw = FormData::parse(&body).get("time_zone");
    let Ok(tz) = raw.trim().parse::<chrono_tz::Tz>() else {
        let mut errors = FieldErrors::default();
        errors.add("time_zone", crate::i18n::broadcast::text(me.lang).time_zone_unknown);
        return render(&req, &state, &me, None, String::new(), errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let uid = me.user.id.clone();
    crate::store::run(&state.pool, move |c| Ok(super::broadcast::set_time_zone(c, &uid, tz)?)).await.map_err(db_err)?;
    Ok(crate::web::error::see_other("/app/settings?done=time-zone"))
}

/// POST /app/settings/notifications: `shortlist` (instant, daily, off), and the `failures` and
/// `response_targets` checkboxes.
pub async fn notifications(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let f = FormData::parse(&body);
    let Some(shortlist) = crate::store::notifications::ShortlistNotice::parse(f.get("shortlist").trim()) else {
        let mut errors = FieldErrors::default();
        errors.add("shortlist", crate::i18n::review::text(me.lang).notify_bad);
        return render(&req, &state, &me, None, String::new(), errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let (uid, now) = (me.user.id.clone(), state.clock.now());
    let (failures, response_targets) = (f.get("failures") == "on", f.get("response_targets") == "on");
    crate::store::run(&state.pool, move |c| {
        let mut s = crate::store::notifications::settings(c, &uid)?;
        s.shortlist = shortlist;
        s.failures = failures;
        s.response_targets = response_targets;
        Ok(crate::store::notifications::save_settings(c, &uid, &s, now)?)
    })
    .await
    .map_err(db_err)?;
    Ok(crate::web::error::see_other("/app/settings?done=notifications"))
}
