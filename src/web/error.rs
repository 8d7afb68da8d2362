//! The two error types users see: JSON for the API, HTML pages for browsers.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde::Serialize;

use crate::domain::{FieldError, Invalid};

/// Body of every API error: `{"error": {"code", "message", "fields": [{"field","code","reason"}]}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `not_found`.
    pub code: &'static str,
    pub message: String,
    /// Per-field reasons, when the input was at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Well-formed input that breaks a rule (422).
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    /// Input that could not be read at all: bad JSON, wrong type (400).
    #[error("{reason}")]
    Malformed { field: Option<String>, reason: String },
    #[error("not found")]
    NotFound,
    #[error("sign in or send an API token")]
    Unauthorized,
    #[error("you may not do this")]
    Forbidden,
    /// An API token without the scope the route needs (403).
    #[error("this API token lacks the scope {0}; create a token with it in Settings")]
    MissingScope(&'static str),
    #[error("{message}")]
    Conflict { field: Option<String>, message: String },
    /// A network the request needed refused or could not be reached (502), in its own words.
    #[error("{message}")]
    Upstream { message: String },
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The body is not in a format the route reads (415).
    #[error("send the body as {expected} (Content-Type header)")]
    UnsupportedMediaType { expected: &'static str },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, code: &'static str, reason: &str) -> Self {
        ApiError::Invalid(Invalid::one(FieldError::new(field, code, reason, reason)))
    }
}

impl From<Invalid> for ApiError {
    fn from(i: Invalid) -> Self {
        ApiError::Invalid(i)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::MissingScope(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (code, fields) = match self {
            ApiError::Invalid(i) => ("invalid", i.0.clone()),
            ApiError::Malformed { field, reason } => {
                ("malformed", field.iter().map(|f| FieldError::new(f.clone(), "malformed", reason.clone(), reason.clone())).collect())
            }
            ApiError::NotFound => ("not_found", vec![]),
            ApiError::Unauthorized => ("unauthorized", vec![]),
            ApiError::Forbidden => ("forbidden", vec![]),
            ApiError::MissingScope(scope) => ("missing_scope", vec![FieldError::new("scope", "missing_scope", *scope, *scope)]),
            ApiError::Conflict { field, message } => {
                ("conflict", field.iter().map(|f| FieldError::new(f.clone(), "conflict", message.clone(), message.clone())).collect())
            }
            ApiError::Upstream { .. } => ("network_error", vec![]),
            ApiError::TooLarge { .. } => ("too_large", vec![]),
            ApiError::UnsupportedMediaType { .. } => ("unsupported_media_type", vec![]),
            ApiError::Unexpected(e) => {
                tracing::error!(error = ?e, "unexpected error in an API request");
                ("internal", vec![])
            }
        };
        let message = match self {
            ApiError::Unexpected(_) => "something went wrong on our side; it has been logged".to_string(),
            other => other.to_string(),
        };
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized) {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.json(ErrorBody { error: ErrorDetail { code, message, fields } })
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title_en: &'a str,
    title_fr: &'a str,
    detail: &'a str,
}

/// Errors on HTML pages. (Form mistakes are not errors: the form is shown again.)
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The opening existed but is closed or expired (410).
    #[error("gone")]
    Gone,
    /// A review link that is unknown, expired or revoked (404, saying so).
    #[error("review link expired")]
    LinkExpired,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("sign in required")]
    SignInRequired { next: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::Gone => StatusCode::GONE,
            PageError::LinkExpired => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            PageError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::SignInRequired { next } = self {
            let to = format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish();
        }
        let (en, fr, detail) = match self {
            PageError::NotFound => ("Page not found", "Page introuvable", String::new()),
            PageError::Forbidden => ("You may not see this page", "Vous n'avez pas accès à cette page", String::new()),
            PageError::Gone => (
                "This job is no longer open",
                "Cette offre n'est plus ouverte",
                String::new(),
            ),
            PageError::LinkExpired => (
                "This review link has expired or was revoked: ask the recruiter for a new one",
                "Ce lien de revue a expiré ou a été révoqué : demandez-en un nouveau à la personne qui recrute",
                String::new(),
            ),
            PageError::BadRequest(d) => ("Bad request", "Requête invalide", d.clone()),
            PageError::Unexpected(e) => {
                tracing::error!(error = ?e, "unexpected error on a page");
                ("Something went wrong", "Une erreur est survenue", String::new())
            }
            PageError::SignInRequired { .. } => unreachable!(),
        };
        let body = ErrorPage { status: self.status_code().as_u16(), title_en: en, title_fr: fr, detail: &detail }
            .render()
            .unwrap_or_else(|_| en.to_string());
        HttpResponse::build(self.status_code()).content_type("text/html; charset=utf-8").body(body)
    }
}

impl From<crate::store::openings::OpeningWriteError> for ApiError {
    fn from(e: crate::store::openings::OpeningWriteError) -> Self {
        use crate::store::openings::OpeningWriteError as E;
        match e {
            E::NotFound => ApiError::NotFound,
            E::UnknownManager(_) => ApiError::field("hiring_manager_ids", "unknown_manager", &e.to_string()),
            E::BadTransition { .. } => ApiError::Conflict { field: Some("status".into()), message: e.to_string() },
            E::Expired(_) => ApiError::Conflict { field: Some("valid_through".into()), message: e.to_string() },
            E::Unexpected(e) => ApiError::Unexpected(e),
        }
    }
}

/// Renders a template into a 200 HTML response (or a 500 if the template fails).
pub fn html<T: Template>(t: &T) -> Result<HttpResponse, PageError> {
    html_status(StatusCode::OK, t)
}

pub fn html_status<T: Template>(status: StatusCode, t: &T) -> Result<HttpResponse, PageError> {
    let body = t.render().map_err(|e| PageError::Unexpected(anyhow::anyhow!("Failed to render a page: {e}")))?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body))
}

/// 303 to `to` (after a successful form post).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_string())).finish()
}
