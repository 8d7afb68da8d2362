//! One application, and its CV file.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::openings::http_link;
use super::{db_err, fmt_date, fmt_time, Layout};
use crate::store::applications::ApplicationView;
use crate::web::context::SignedIn;
use crate::web::error::{html, PageError};
use crate::web::AppState;

/// The application if `me` may see its opening; 404 otherwise. Also returns the
/// candidate's other applications that `me` may see.
async fn visible_application(state: &AppState, me: &SignedIn, id: String) -> Result<(ApplicationView, Vec<ApplicationView>), PageError> {
    let user_id = me.user.id.clone();
    let sees_all = me.role().sees_all_openings();
    let found = crate::store::run(&state.pool, move |c| {
        let Some(view) = crate::store::applications::find(c, &id)? else { return Ok(None) };
        if !sees_all && !crate::store::openings::is_manager_of(c, &view.application.opening_id, &user_id)? {
            return Ok(None);
        }
        let mut others = Vec::new();
        for o in crate::store::applications::list_for_candidate(c, &view.candidate.id)? {
            if o.application.id != view.application.id
                && (sees_all || crate::store::openings::is_manager_of(c, &o.application.opening_id, &user_id)?)
            {
                others.push(o);
            }
        }
        Ok(Some((view, others)))
    })
    .await
    .map_err(db_err)?;
    found.ok_or(PageError::NotFound)
}

pub struct OtherApplication {
    pub id: String,
    pub opening: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "ui/application.html")]
struct ApplicationPage {
    page: Layout,
    id: String,
    opening_id: String,
    opening_title: String,
    name: String,
    email: String,
    phone: String,
    message: String,
    date: String,
    has_file: bool,
    cv_filename: String,
    cv_url: Option<String>,
    cv_url_text: Option<String>,
    consent_version: String,
    consent_at: String,
    consent_language: String,
    others: Vec<OtherApplication>,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (v, others) = visible_application(&state, &me, id.into_inner()).await?;
    let t = crate::i18n::ui::text(me.lang);
    let a = v.application;
    let cv_url = http_link(&a.cv_url);
    html(&ApplicationPage {
        page: Layout::signed_in(&me, &req, "openings", &format!("{} · {}", t.application_title, v.candidate.name)),
        id: a.id.clone(),
        opening_id: a.opening_id.clone(),
        opening_title: v.opening_title,
        name: v.candidate.name,
        email: v.candidate.email.unwrap_or_default(),
        phone: v.candidate.phone.unwrap_or_default(),
        message: a.message.unwrap_or_default(),
        date: fmt_time(&a.created_at),
        has_file: a.cv_sha256.is_some(),
        cv_filename: a.cv_filename.unwrap_or_default(),
        // A link that is not http(s) is shown as text, never as a link.
        cv_url_text: if cv_url.is_none() { a.cv_url.clone() } else { None },
        cv_url,
        consent_version: a.consent_version,
        consent_at: fmt_time(&a.consent_at),
        consent_language: a.consent_language,
        others: others
            .into_iter()
            .map(|o| OtherApplication { id: o.application.id, opening: o.opening_title, date: fmt_date(&o.application.created_at) })
            .collect(),
    })
}

/// ASCII-only file name for the plain `filename=` parameter.
fn ascii_filename(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(120)
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == '_');
    if trimmed.is_empty() {
        "cv".into()
    } else {
        trimmed.to_string()
    }
}

/// RFC 5987 encoding for `filename*=UTF-8''…`.
fn rfc5987(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn cv(state: web::Data<AppState>, me: SignedIn, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (v, _) = visible_application(&state, &me, id.into_inner()).await?;
    let a = v.application;
    let Some(sha) = a.cv_sha256 else { return Err(PageError::NotFound) };
    let bytes = crate::store::blobs::read(&state.pool, &state.blobs, &sha).await.map_err(db_err)?;
    let Some(bytes) = bytes else {
        tracing::error!(application_id = %a.id, "CV file missing from the blob store");
        return Err(PageError::NotFound);
    };
    let filename = a.cv_filename.unwrap_or_else(|| "cv".into());
    let disposition = format!("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii_filename(&filename), rfc5987(&filename));
    let content_type = a
        .cv_content_type
        .filter(|c| c.parse::<mime_guard::Mime>().is_ok())
        .unwrap_or_else(|| "application/octet-stream".into());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// Stored content types come from our own sniffing; still refuse anything that is not a
/// plain `type/subtype` before putting it in a header.
mod mime_guard {
    pub struct Mime;
    impl std::str::FromStr for Mime {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let ok = s.len() <= 100
                && s.split_once('/').is_some_and(|(a, b)| {
                    let part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
                    part(a) && part(b)
                });
            if ok {
                Ok(Mime)
            } else {
                Err(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_are_made_safe_for_headers() {
        assert_eq!(ascii_filename("CV Zoé \"x\".pdf"), "CV_Zo___x_.pdf");
        assert_eq!(ascii_filename("../.."), "cv");
        assert_eq!(rfc5987("Zoé cv.pdf"), "Zo%C3%A9%20cv.pdf");
    }
}
