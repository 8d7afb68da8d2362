//! Who is asking, and in which language: sessions, API tokens, language negotiation.
use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use super::error::{ApiError, PageError};
use super::AppState;
use crate::domain::user::Role;
use crate::i18n::Lang;
use crate::store::users::{self, User};

pub const SESSION_COOKIE: &str = "hirecast_session";
pub const LANG_COOKIE: &str = "hirecast_lang";

/// Language for a request: the user's choice, then the `hirecast_lang` cookie, then Accept-Language.
pub fn negotiate_lang(req: &HttpRequest, user: Option<&User>) -> Lang {
    if let Some(l) = user.and_then(|u| u.locale) {
        return l;
    }
    if let Some(l) = req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())) {
        return l;
    }
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(time::Duration::hours(state.settings.session_hours))
        .finish()
}

pub fn expired_session_cookie(state: &AppState) -> Cookie<'static> {
    let mut c = session_cookie(state, "");
    c.make_removal();
    c
}

pub fn lang_cookie(state: &AppState, lang: Lang) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(time::Duration::days(365))
        .finish()
}

/// The session token the browser sent, if any.
pub fn session_token(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty())
}

/// The signed-in user, if any, read once per request and cached in its extensions.
async fn session_user(req: &HttpRequest) -> Result<Option<User>, anyhow::Error> {
    #[derive(Clone)]
    struct Cached(Option<User>);
    if let Some(c) = req.extensions().get::<Cached>() {
        return Ok(c.0.clone());
    }
    let state = req.app_data::<web::Data<AppState>>().expect("AppState is registered").clone();
    let user = match req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty()) {
        None => None,
        Some(token) => {
            let (now, limits) = (state.clock.now(), state.settings.session_limits());
            crate::store::run(&state.pool, move |c| users::user_for_session(c, &token, now, limits)).await?
        }
    };
    req.extensions_mut().insert(Cached(user.clone()));
    Ok(user)
}

/// Any visitor of an HTML page: maybe signed in, and their language.
pub struct Viewer {
    pub user: Option<User>,
    pub lang: Lang,
}

impl FromRequest for Viewer {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = session_user(&req).await.map_err(PageError::Unexpected)?;
            let lang = negotiate_lang(&req, user.as_ref());
            Ok(Viewer { user, lang })
        })
    }
}

/// A signed-in user on an HTML page; anonymous visitors are sent to the sign-in page.
pub struct SignedIn {
    pub user: User,
    pub lang: Lang,
}

impl SignedIn {
    pub fn role(&self) -> Role {
        self.user.role
    }
}

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = session_user(&req).await.map_err(PageError::Unexpected)?;
            match user {
                Some(user) => {
                    let lang = negotiate_lang(&req, Some(&user));
                    Ok(SignedIn { user, lang })
                }
                None => {
                    let next = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/app".into());
                    Err(PageError::SignInRequired { next })
                }
            }
        })
    }
}

/// The caller of a JSON API route: a personal API token (`Authorization: Bearer hc_…`) or a session cookie.
/// A token's scopes are checked here against the route's (see `api::required_scope`), so no
/// handler can forget them; a session (the signed-in app) is limited by its role only.
pub struct ApiCaller {
    pub user: User,
    /// The token's scopes; None for a session.
    pub scopes: Option<Vec<crate::domain::user::Scope>>,
}

impl FromRequest for ApiCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let bearer = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .map(|v| v.trim().to_string());
            let caller = match bearer {
                Some(secret) => {
                    let state = req.app_data::<web::Data<AppState>>().expect("AppState is registered").clone();
                    crate::store::run(&state.pool, move |c| users::user_for_api_token(c, &secret))
                        .await
                        .map_err(ApiError::Unexpected)?
                        .map(|(user, scopes)| ApiCaller { user, scopes: Some(scopes) })
                }
                None => session_user(&req).await.map_err(ApiError::Unexpected)?.map(|user| ApiCaller { user, scopes: None }),
            };
            let caller = caller.ok_or(ApiError::Unauthorized)?;
            if let Some(scopes) = &caller.scopes {
                match super::api::required_scope(req.method(), req.match_pattern().as_deref()) {
                    Some(Some(needed)) if !scopes.contains(&needed) => return Err(ApiError::MissingScope(needed.as_str())),
                    Some(_) => {}
                    None => return Err(ApiError::Forbidden),
                }
            }
            Ok(caller)
        })
    }
}
