//! Job alerts on the careers site: subscribe (double opt-in), confirm, unsubscribe (a page
//! with a button, and RFC 8058 one-click POST from mail clients).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::super::context::Viewer;
use super::super::error::{html, html_status, see_other, PageError};
use super::super::AppState;
use super::Chrome;
use crate::domain::email::Email;
use crate::domain::{FieldError, Invalid};
use crate::i18n::email::{self as texts, AlertsText};
use crate::i18n::Lang;
use crate::notify::{self, Mail, Mailer};
use crate::store::{self, subscribers};

const LOCATION_MAX: usize = 100;
const SKILLS_MAX: usize = 20;
const SKILL_MAX: usize = 60;

/// The form's values and messages.
#[derive(Default)]
pub struct AlertForm {
    pub email: String,
    pub language: String,
    pub location: String,
    pub skills: String,
    pub consent: bool,
    pub errors: Vec<(String, String)>,
}

impl AlertForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, r)| r.as_str())
    }
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

#[derive(Template)]
#[template(path = "public/alerts.html")]
struct AlertsPage {
    chrome: Chrome,
    a: &'static AlertsText,
    available: bool,
    form: AlertForm,
}

/// One message page (sent, confirmed, bad link, unsubscribed), with an optional form.
#[derive(Template)]
#[template(path = "public/alert_message.html")]
struct MessagePage {
    chrome: Chrome,
    a: &'static AlertsText,
    title: &'static str,
    body: &'static str,
    /// Shows the unsubscribe button posting to this path.
    unsubscribe_action: Option<String>,
    show_subscribe: bool,
}

fn available(state: &AppState) -> bool {
    state.settings.broadcast.smtp_url.as_deref().is_some_and(|u| !u.trim().is_empty())
}

fn chrome(state: &AppState, req: &HttpRequest, lang: Lang, next: &str) -> Chrome {
    let mut c = Chrome::new(state, req, lang);
    c.next = next.to_string();
    c
}

pub async fn form(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    html(&AlertsPage {
        chrome: chrome(&state, &req, lang, "/alerts"),
        a: texts::alerts(lang),
        available: available(&state),
        form: AlertForm { language: lang.code().into(), ..Default::default() },
    })
}

/// The skills of the form: comma-separated, trimmed, without repeats (any case).
fn parse_skills(raw: &str) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(',') {
        let s: String = s.chars().filter(|c| !c.is_control()).collect();
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        if s.chars().count() > SKILL_MAX {
            return Err(FieldError::new("skills", "too_long", "has a skill longer than 60 characters", "contient une compétence de plus de 60 caractères"));
        }
        if !out.iter().any(|o| o.to_lowercase() == s.to_lowercase()) {
            out.push(s.to_string());
        }
    }
    if out.len() > SKILLS_MAX {
        return Err(FieldError::new("skills", "too_many", "has more than 20 skills", "contient plus de 20 compétences"));
    }
    Ok(out)
}

struct Valid {
    email: Email,
    language: Lang,
    location: Option<String>,
    skills: Vec<String>,
}

fn validate(f: &AlertForm) -> Result<Valid, Invalid> {
    let mut inv = Invalid::default();
    let email = inv.take(Email::parse("email", &f.email));
    let language = match Lang::parse(&f.language) {
        Some(l) => Some(l),
        None => {
            inv.push(FieldError::new("language", "invalid", "choose French or English", "choisissez français ou anglais"));
            None
        }
    };
    let location: String = f.location.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if location.chars().count() > LOCATION_MAX {
        inv.push(FieldError::new("location", "too_long", "is longer than 100 characters", "dépasse 100 caractères"));
    }
    let skills = inv.take(parse_skills(&f.skills));
    if !f.consent {
        inv.push(FieldError::new(
            "consent",
            "required",
            "you must agree to receive job alerts by email",
            "vous devez accepter de recevoir des alertes emploi par e-mail",
        ));
    }
    match (email, language, skills) {
        (Some(email), Some(language), Some(skills)) if inv.is_empty() => {
            Ok(Valid { email, language, location: (!location.is_empty()).then_some(location), skills })
        }
        _ => Err(inv),
    }
}

fn read_form(body: &[u8]) -> AlertForm {
    let mut f = AlertForm::default();
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if seen.iter().any(|s| *s == k) {
            continue;
        }
        seen.push(k.to_string());
        let v: String = v.chars().take(2000).collect();
        match k.as_ref() {
            "email" => f.email = v,
            "language" => f.language = v,
            "location" => f.location = v,
            "skills" => f.skills = v,
            "consent" => f.consent = !v.trim().is_empty(),
            _ => {}
        }
    }
    f
}

pub async fn subscribe(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    let a = texts::alerts(lang);
    let mut form = read_form(&body);
    let refuse = |form: AlertForm, status: StatusCode| {
        html_status(status, &AlertsPage { chrome: chrome(&state, &req, lang, "/alerts"), a, available: available(&state), form })
    };
    let mailer = match Mailer::from_settings(&state.settings.broadcast) {
        Ok(m) => m,
        Err(_) => return refuse(form, StatusCode::SERVICE_UNAVAILABLE),
    };
    let valid = match validate(&form) {
        Ok(v) => v,
        Err(inv) => {
            form.errors = inv.0.iter().map(|e| (e.field.clone(), e.reason_in(lang).to_string())).collect();
            return refuse(form, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let key = state.key.clone();
    let at = state.clock.now();
    let email = valid.email.clone();
    let outcome = store::run(&state.pool, move |c| {
        subscribers::subscribe(
            c,
            &key,
            subscribers::NewSubscription {
                email: &valid.email,
                language: valid.language,
                location: valid.location.as_deref(),
                skills: &valid.skills,
                at,
            },
        )
    })
    .await?;
    // The subscriber's language for the mail: the one they chose for the openings.
    let mail_lang = Lang::parse(&form.language).unwrap_or(lang);
    let t = texts::text(mail_lang);
    let mail = match &outcome {
        subscribers::Subscribed::ConfirmationNeeded { id, confirm_token } => {
            tracing::info!(subscriber_id = %id, "job-alert subscription pending confirmation");
            let link = state.url(&format!("/alerts/confirm/{confirm_token}"));
            let paragraphs = vec![t.confirm_body.to_string(), t.confirm_ignore.to_string()];
            let (text, html) = notify::notice(mail_lang, t.confirm_subject, &paragraphs, None, t.confirm_link, Some(&link))
                .map_err(|e| PageError::Unexpected(anyhow::anyhow!(e)))?;
            Some(Mail { to: email.to_string(), subject: t.confirm_subject.into(), text, html, headers: vec![] })
        }
        subscribers::Subscribed::AlreadyConfirmed { id, unsubscribe_token } => {
            tracing::info!(subscriber_id = %id, "job-alert subscription repeated for a confirmed address");
            let link = state.url(&format!("/alerts/unsubscribe/{unsubscribe_token}"));
            let paragraphs = vec![t.already_body.to_string()];
            let (text, html) = notify::notice(mail_lang, t.already_subject, &paragraphs, None, t.unsubscribe, Some(&link))
                .map_err(|e| PageError::Unexpected(anyhow::anyhow!(e)))?;
            Some(Mail { to: email.to_string(), subject: t.already_subject.into(), text, html, headers: vec![] })
        }
        subscribers::Subscribed::TooSoon { id } => {
            tracing::info!(subscriber_id = %id, "job-alert subscription repeated within minutes: no new mail");
            None
        }
    };
    if let Some(mail) = mail {
        if let Err(e) = mailer.send(&mail).await {
            tracing::warn!(error = %e, "a job-alert confirmation mail could not be sent");
            return html_status(
                StatusCode::SERVICE_UNAVAILABLE,
                &MessagePage {
                    chrome: chrome(&state, &req, lang, "/alerts"),
                    a,
                    title: a.title,
                    body: a.send_failed,
                    unsubscribe_action: None,
                    show_subscribe: true,
                },
            );
        }
    }
    Ok(see_other("/alerts/sent"))
}

pub async fn sent(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let a = texts::alerts(viewer.lang);
    html(&MessagePage {
        chrome: chrome(&state, &req, viewer.lang, "/alerts/sent"),
        a,
        title: a.sent_title,
        body: a.sent_body,
        unsubscribe_action: None,
        show_subscribe: false,
    })
}

/// A token as we make them (URL-safe base64, 43 characters); anything else is refused unread.
fn plausible(token: &str) -> bool {
    (20..=100).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn confirm(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    let a = texts::alerts(lang);
    let token = token.into_inner();
    let outcome = if plausible(&token) {
        let now = state.clock.now();
        store::run(&state.pool, move |c| subscribers::confirm(c, &token, now)).await?
    } else {
        subscribers::Confirmation::Unknown
    };
    let (status, title, body, again) = match outcome {
        subscribers::Confirmation::Confirmed { id } => {
            tracing::info!(subscriber_id = %id, "job-alert subscription confirmed");
            (StatusCode::OK, a.confirmed_title, a.confirmed_body, false)
        }
        subscribers::Confirmation::Unknown => (StatusCode::NOT_FOUND, a.bad_link_title, a.bad_link_body, true),
        subscribers::Confirmation::Expired => (StatusCode::GONE, a.expired_title, a.expired_body, true),
    };
    html_status(
        status,
        &MessagePage { chrome: chrome(&state, &req, lang, "/alerts"), a, title, body, unsubscribe_action: None, show_subscribe: again },
    )
}

/// Shows the button; mail scanners that follow links unsubscribe nobody.
pub async fn unsubscribe_page(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    let a = texts::alerts(lang);
    let token = token.into_inner();
    let found = if plausible(&token) {
        let t = token.clone();
        store::run(&state.pool, move |c| subscribers::find_by_unsubscribe_token(c, &t)).await?
    } else {
        None
    };
    let page = match found {
        Some(_) => MessagePage {
            chrome: chrome(&state, &req, lang, "/alerts"),
            a,
            title: a.unsubscribe_title,
            body: a.unsubscribe_body,
            unsubscribe_action: Some(format!("/alerts/unsubscribe/{token}")),
            show_subscribe: false,
        },
        None => {
            return html_status(
                StatusCode::NOT_FOUND,
                &MessagePage {
                    chrome: chrome(&state, &req, lang, "/alerts"),
                    a,
                    title: a.bad_link_title,
                    body: a.bad_link_body,
                    unsubscribe_action: None,
                    show_subscribe: true,
                },
            )
        }
    };
    html(&page)
}

/// The button's POST, and RFC 8058 one-click (body `List-Unsubscribe=One-Click`). Answering
/// "unsubscribed" for a token already used keeps repeated one-click POSTs harmless.
pub async fn unsubscribe(state: web::Data<AppState>, viewer: Viewer, req: HttpRequest, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let lang = viewer.lang;
    let a = texts::alerts(lang);
    let token = token.into_inner();
    if !plausible(&token) {
        return html_status(
            StatusCode::NOT_FOUND,
            &MessagePage {
                chrome: chrome(&state, &req, lang, "/alerts"),
                a,
                title: a.bad_link_title,
                body: a.bad_link_body,
                unsubscribe_action: None,
                show_subscribe: true,
            },
        );
    }
    if let Some(id) = store::run(&state.pool, move |c| subscribers::unsubscribe(c, &token)).await? {
        tracing::info!(subscriber_id = %id, "unsubscribed from job alerts");
    }
    html(&MessagePage {
        chrome: chrome(&state, &req, lang, "/alerts"),
        a,
        title: a.unsubscribed_title,
        body: a.unsubscribed_body,
        unsubscribe_action: None,
        show_subscribe: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_split_trimmed_and_deduplicated() {
        assert_eq!(parse_skills(" Rust, rust ,, PostgreSQL ").unwrap(), vec!["Rust", "PostgreSQL"]);
        assert!(parse_skills(&"x,".repeat(21).chars().enumerate().map(|(i, c)| if c == 'x' { char::from(b'a' + (i % 26) as u8) } else { c }).collect::<String>()).is_ok());
        assert_eq!(parse_skills(&"y".repeat(61)).unwrap_err().code, "too_long");
    }

    #[test]
    fn bad_input_names_every_field() {
        let f = AlertForm { email: "nope".into(), language: "de".into(), location: "x".repeat(101), skills: String::new(), consent: false, errors: vec![] };
        let Err(inv) = validate(&f) else { panic!("bad input accepted") };
        for field in ["email", "language", "location", "consent"] {
            assert!(inv.for_field(field).is_some(), "missing {field}: {inv}");
        }
    }
}
