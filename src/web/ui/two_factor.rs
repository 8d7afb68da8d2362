//! /app/settings/two-factor: an admin turns the TOTP second factor on (a secret shown once
//! more until confirmed with a code) or off (with a current code).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, FieldErrors, FormData, Layout, Notice};
use crate::domain::user::Role;
use crate::store::second_factor::{self, TotpState};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, PageError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "ui/two_factor.html")]
struct TwoFactorPage {
    page: Layout,
    s: &'static crate::i18n::security::SecurityText,
    /// "off", "pending" or "on".
    state: &'static str,
    secret_b32: String,
    uri: String,
    errors: FieldErrors,
    notice: Option<Notice>,
}

async fn render(req: &HttpRequest, state: &AppState, me: &SignedIn, errors: FieldErrors, notice: Option<Notice>, status: StatusCode) -> Result<HttpResponse, PageError> {
    let (key, uid) = (state.key.clone(), me.user.id.clone());
    let (st, secret) = crate::store::run(&state.pool, move |c| {
        let st = second_factor::state(c, &uid)?;
        let secret = if st == TotpState::Pending { second_factor::secret(c, &key, &uid)? } else { None };
        Ok((st, secret))
    })
    .await
    .map_err(db_err)?;
    let s = crate::i18n::security::text(me.lang);
    let issuer = state.settings.company_name.clone();
    let (secret_b32, uri) = match &secret {
        Some(sec) => (crate::totp::base32(sec), crate::totp::otpauth_uri(&issuer, &me.user.email, sec)),
        None => (String::new(), String::new()),
    };
    let page = TwoFactorPage {
        page: Layout::signed_in(me, req, "settings", s.tf_title),
        s,
        state: match st {
            TotpState::Off => "off",
            TotpState::Pending => "pending",
            TotpState::On => "on",
        },
        secret_b32,
        uri,
        errors,
        notice,
    };
    let mut res = html_status(status, &page)?;
    // The page may show the secret: never kept by a cache.
    res.headers_mut().insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    Ok(res)
}

fn admin_only(me: &SignedIn) -> Result<(), PageError> {
    if me.role() != Role::Admin {
        return Err(PageError::Forbidden);
    }
    Ok(())
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&me)?;
    render(&req, &state, &me, FieldErrors::default(), None, StatusCode::OK).await
}

pub async fn act(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, action: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    admin_only(&me)?;
    let form = FormData::parse(&body);
    let s = crate::i18n::security::text(me.lang);
    let (key, uid, now, code) = (state.key.clone(), me.user.id.clone(), state.clock.now(), form.get("code"));
    match action.as_str() {
        "start" => {
            crate::store::run(&state.pool, move |c| second_factor::begin_enrolment(c, &key, &uid, now)).await.map_err(db_err)?;
            render(&req, &state, &me, FieldErrors::default(), None, StatusCode::OK).await
        }
        "confirm" | "disable" => {
            let confirming = action.as_str() == "confirm";
            let ok = crate::store::run(&state.pool, move |c| {
                if confirming {
                    second_factor::confirm(c, &key, &uid, &code, now)
                } else {
                    second_factor::disable(c, &key, &uid, &code, now)
                }
            })
            .await
            .map_err(db_err)?;
            if !ok {
                let mut errors = FieldErrors::default();
                errors.add("code", s.code_wrong);
                return render(&req, &state, &me, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            tracing::info!(user_id = %me.user.id, enabled = confirming, "second factor changed");
            let notice = Notice::ok(if confirming { s.tf_enabled } else { s.tf_disabled });
            render(&req, &state, &me, FieldErrors::default(), notice, StatusCode::OK).await
        }
        _ => Err(PageError::NotFound),
    }
}
