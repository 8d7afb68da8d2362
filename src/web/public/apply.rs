//! Applying on the careers site: a multipart form read as a stream, with every size capped.
use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use super::super::context::Viewer;
use super::super::error::{html, see_other, PageError};
use super::super::AppState;
use super::{job_page, live_opening, render_job, ApplyForm, Chrome};
use crate::domain::candidate::{ApplicantDetails, CvKind, CV_MAX_BYTES};
use crate::domain::opening::OpeningStatus;
use crate::domain::{FieldError, Invalid};
use crate::i18n::Lang;
use crate::store::{self, applications};

/// Each text field is cut here; the longest legitimate one (message) is 5,000 characters.
const TEXT_FIELD_MAX: usize = 10 * 1024;
/// The most we read of one request body, the CV and every other field included. A body
/// declared larger is refused unread; a body streamed past it is refused where it stands.
const BODY_MAX: usize = CV_MAX_BYTES + 1024 * 1024;
const FILENAME_MAX: usize = 200;

fn too_large() -> FieldError {
    FieldError::new("cv", "too_large", "is larger than 10 MB; send a smaller file or a link", "dépasse 10 Mo ; envoyez un fichier plus petit ou un lien")
}

fn not_a_cv() -> FieldError {
    FieldError::new(
        "cv",
        "invalid_file",
        "is not a PDF or Word (.docx) file; send your CV as PDF or DOCX",
        "n'est pas un fichier PDF ou Word (.docx) ; envoyez votre CV en PDF ou DOCX",
    )
}

fn cv_missing() -> FieldError {
    FieldError::new("cv", "required", "send a CV file or a link to your CV", "envoyez un fichier CV ou un lien vers votre CV")
}

fn consent_missing() -> FieldError {
    FieldError::new(
        "consent",
        "required",
        "you must agree to the privacy notice to apply",
        "vous devez accepter la notice de confidentialité pour postuler",
    )
}

fn unreadable() -> FieldError {
    FieldError::new(
        "form",
        "unreadable",
        "The form could not be read; please fill it in and send it again.",
        "Le formulaire n'a pas pu être lu ; merci de le remplir et de l'envoyer à nouveau.",
    )
}

fn field_too_long(field: &str) -> FieldError {
    FieldError::new(field, "too_long", "is too long", "est trop long")
}

/// What came in, before validation.
#[derive(Default)]
struct RawApplication {
    name: String,
    email: String,
    phone: String,
    cv_url: String,
    message: String,
    consent: bool,
    talent_pool: bool,
    submission_key: String,
    cv: Option<Vec<u8>>,
    cv_filename: Option<String>,
    cv_too_large: bool,
    too_long: Vec<&'static str>,
}

enum ReadError {
    /// Not a multipart body, or one cut short.
    Unreadable,
    /// More than [`BODY_MAX`] bytes.
    TooLarge,
}

/// Reads the multipart stream field by field. Only the first [`CV_MAX_BYTES`] of the CV and
/// [`TEXT_FIELD_MAX`] of a text field are kept; the rest is read and dropped (up to
/// [`BODY_MAX`] in all) so the visitor still gets the form back with a message.
async fn read_form(mut mp: Multipart) -> Result<RawApplication, ReadError> {
    let mut raw = RawApplication::default();
    let mut total = 0usize;
    let mut seen: Vec<String> = Vec::new();
    while let Some(item) = mp.next().await {
        let mut field = item.map_err(|_| ReadError::Unreadable)?;
        let name = field.name().unwrap_or("").to_string();
        // The first part of a name counts; repeats are read and dropped.
        let first = !seen.contains(&name);
        if first && seen.len() < 32 {
            seen.push(name.clone());
        }
        let is_cv = name == "cv" && first;
        if is_cv {
            raw.cv_filename = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_string);
        }
        let cap = if is_cv { CV_MAX_BYTES } else { TEXT_FIELD_MAX };
        let mut buf: Vec<u8> = Vec::new();
        let mut overflow = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| ReadError::Unreadable)?;
            total += chunk.len();
            if total > BODY_MAX {
                return Err(ReadError::TooLarge);
            }
            if overflow || !first {
                continue;
            }
            if buf.len() + chunk.len() > cap {
                overflow = true;
                let room = cap - buf.len();
                buf.extend_from_slice(&chunk[..room]);
                if is_cv {
                    buf = Vec::new();
                }
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
        if !first {
            continue;
        }
        if is_cv {
            raw.cv_too_large = overflow;
            // Browsers send an empty part when no file was chosen.
            if !overflow && !buf.is_empty() {
                raw.cv = Some(buf);
            }
            continue;
        }
        let text = String::from_utf8_lossy(&buf).into_owned();
        let slot = match name.as_str() {
            "name" => &mut raw.name,
            "email" => &mut raw.email,
            "phone" => &mut raw.phone,
            "cv_url" => &mut raw.cv_url,
            "message" => &mut raw.message,
            "submission_key" => &mut raw.submission_key,
            "consent" => {
                raw.consent = !text.trim().is_empty();
                continue;
            }
            "talent_pool" => {
                raw.talent_pool = !text.trim().is_empty();
                continue;
            }
            _ => continue,
        };
        *slot = text;
        if overflow {
            let field: &'static str = match name.as_str() {
                "name" => "name",
                "email" => "email",
                "phone" => "phone",
                "cv_url" => "cv_url",
                "message" => "message",
                _ => "form",
            };
            raw.too_long.push(field);
        }
    }
    Ok(raw)
}

/// A submission key as we generate them (URL-safe base64); anything else gets a fresh one.
fn submission_key(raw: &str) -> String {
    let k = raw.trim();
    if (16..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        k.to_string()
    } else {
        crate::auth::new_token()
    }
}

/// Keeps only the base name of an uploaded file's name, without control characters, at most 200 characters.
pub fn clean_filename(raw: Option<&str>, kind: CvKind) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        format!("cv.{}", kind.extension())
    } else {
        cleaned.chars().take(FILENAME_MAX).collect()
    }
}

fn form_with(raw: &RawApplication, key: String, errors: &Invalid, lang: Lang) -> ApplyForm {
    ApplyForm {
        name: raw.name.clone(),
        email: raw.email.clone(),
        phone: raw.phone.clone(),
        cv_url: raw.cv_url.clone(),
        message: raw.message.clone(),
        consent: raw.consent,
        talent_pool: raw.talent_pool,
        submission_key: key,
        errors: errors.0.iter().map(|e| (e.field.clone(), e.reason_in(lang).to_string())).collect(),
    }
}

pub async fn submit(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    let opening = live_opening(&state, slug.into_inner()).await?;
    let refuse = |raw: &RawApplication, key: String, inv: Invalid, status: StatusCode| {
        let page = job_page(&state, &req, lang, &opening, form_with(raw, key, &inv, lang));
        render_job(&page, status).map(|mut r| {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                // The rest of the body was not read: this connection cannot be reused.
                r.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
            }
            r
        })
    };

    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_MAX as u64) {
        return refuse(&RawApplication::default(), crate::auth::new_token(), Invalid::one(too_large()), StatusCode::PAYLOAD_TOO_LARGE);
    }
    let raw = match read_form(payload).await {
        Ok(raw) => raw,
        Err(ReadError::TooLarge) => {
            return refuse(&RawApplication::default(), crate::auth::new_token(), Invalid::one(too_large()), StatusCode::PAYLOAD_TOO_LARGE)
        }
        Err(ReadError::Unreadable) => {
            return refuse(&RawApplication::default(), crate::auth::new_token(), Invalid::one(unreadable()), StatusCode::BAD_REQUEST)
        }
    };
    let key = submission_key(&raw.submission_key);

    let (details, mut inv) = match ApplicantDetails::parse(&raw.name, &raw.email, &raw.phone, &raw.cv_url, &raw.message) {
        Ok(d) => (Some(d), Invalid::default()),
        Err(inv) => (None, inv),
    };
    for f in &raw.too_long {
        if inv.for_field(f).is_none() {
            inv.push(field_too_long(f));
        }
    }
    let kind = match (&raw.cv, raw.cv_too_large) {
        (_, true) => {
            inv.push(too_large());
            None
        }
        (Some(bytes), false) => match CvKind::sniff(bytes) {
            Some(k) => Some(k),
            None => {
                inv.push(not_a_cv());
                None
            }
        },
        (None, false) => {
            if raw.cv_url.trim().is_empty() {
                inv.push(cv_missing());
            }
            None
        }
    };
    if !raw.consent {
        inv.push(consent_missing());
    }
    let details = match details {
        Some(d) if inv.is_empty() => d,
        _ => return refuse(&raw, key, inv, StatusCode::UNPROCESSABLE_ENTITY),
    };

    // Everything is valid: only now is anything written.
    let cv = match (raw.cv, kind) {
        (Some(bytes), Some(kind)) => {
            let blobs = state.blobs.clone();
            let size = bytes.len() as i64;
            let (sha256, bytes) = web::block(move || blobs.put(&bytes).map(|sha| (sha, bytes)))
                .await
                .map_err(|e| PageError::Unexpected(anyhow::anyhow!("CV storage task failed: {e}")))??;
            // Every instance sharing PostgreSQL reads it (the pipeline may run on another one).
            let sha = sha256.clone();
            store::run(&state.pool, move |c| Ok(crate::store::blobs::share(c, &sha, &bytes)?)).await?;
            Some(applications::StoredCv {
                sha256,
                filename: clean_filename(raw.cv_filename.as_deref(), kind),
                content_type: kind.content_type().to_string(),
                size,
            })
        }
        _ => None,
    };
    let opening_id = opening.id.clone();
    let at = state.clock.now();
    let talent_pool = raw.talent_pool;
    let filed = store::run(&state.pool, move |c| {
        applications::file(
            c,
            applications::NewApplication {
                opening_id: &opening_id,
                details: &details,
                cv,
                submission_key: &key,
                consent_language: lang,
                source: "apply_form",
                at,
                talent_pool,
            },
        )
    })
    .await?;
    match &filed {
        applications::Filed::New { application_id, .. } => {
            tracing::info!(opening_id = %opening.id, application_id = %application_id, "application filed from the careers site")
        }
        applications::Filed::Duplicate { application_id } => {
            tracing::info!(opening_id = %opening.id, application_id = %application_id, "repeated submission of an application ignored")
        }
    }
    Ok(see_other(&format!("/jobs/{}/applied", opening.slug)))
}

#[derive(Template)]
#[template(path = "public/applied.html")]
struct AppliedPage {
    chrome: Chrome,
    slug: String,
    title: String,
    opening_lang: &'static str,
}

/// The thank-you page; it stays reachable after the opening closes (the visitor may reload it).
pub async fn applied(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, slug: web::Path<String>) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner();
    if slug.len() > 200 {
        return Err(PageError::NotFound);
    }
    let found = store::run(&state.pool, move |c| store::openings::find_by_slug(c, &slug)).await?;
    let o = match found {
        Some(o) if o.status != OpeningStatus::Draft => o,
        _ => return Err(PageError::NotFound),
    };
    html(&AppliedPage {
        chrome: Chrome::new(&state, &req, viewer.lang),
        slug: o.slug.clone(),
        title: o.draft.title.clone(),
        opening_lang: Lang::from(o.draft.language).code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_keep_only_the_base_name() {
        assert_eq!(clean_filename(Some("C:\\Users\\me\\CV final.pdf"), CvKind::Pdf), "CV final.pdf");
        assert_eq!(clean_filename(Some("../../etc/passwd"), CvKind::Pdf), "passwd");
        assert_eq!(clean_filename(Some("a/b/"), CvKind::Docx), "cv.docx");
        assert_eq!(clean_filename(None, CvKind::Pdf), "cv.pdf");
        assert_eq!(clean_filename(Some(&"x".repeat(500)), CvKind::Pdf).chars().count(), 200);
        assert_eq!(clean_filename(Some("cv\n\u{0}.pdf"), CvKind::Pdf), "cv.pdf");
    }

    #[test]
    fn submission_keys_are_kept_only_when_well_formed() {
        let k = crate::auth::new_token();
        assert_eq!(submission_key(&k), k);
        assert_ne!(submission_key("<script>"), "<script>");
        assert_ne!(submission_key(""), "");
    }
}
