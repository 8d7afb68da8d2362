//! Emails to candidates: the reviewer picks a kind and a language on the candidate page,
//! previews (and may edit) the text filled in from the organization's template, then sends it
//! once through the outbox; and /app/settings/candidate-emails, where recruiters edit the
//! templates per language. Signed-in reviewers only (not review-link guests).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::review::Reviewer;
use super::{db_err, FormData, Layout, Notice};
use crate::i18n::review::ReviewText;
use crate::i18n::Lang;
use crate::store::candidate_emails::{self as store, EmailKind, BODY_MAX, SUBJECT_MAX};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "ui/candidate_email.html")]
struct PreviewPage {
    page: Layout,
    r: &'static ReviewText,
    notice: Option<Notice>,
    action: String,
    back: String,
    to: String,
    name: String,
    kind: &'static str,
    kind_label: &'static str,
    language: &'static str,
    subject: String,
    body: String,
    form_key: String,
}

fn kind_and_lang(f: &FormData) -> Option<(EmailKind, Lang)> {
    Some((EmailKind::parse(f.get("kind").trim())?, Lang::parse(f.get("language").trim())?))
}

/// GET /app/openings/{id}/candidates/{candidate}/email?kind=…&language=…: the email filled in
/// from the template, to read and edit before sending.
pub async fn preview(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (id, cid) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    let r = crate::i18n::review::text(rv.lang);
    let q = FormData::parse(req.query_string().as_bytes());
    let Some((kind, lang)) = kind_and_lang(&q) else { return Err(PageError::BadRequest(r.email_bad_kind.into())) };
    let e = super::review::entry_of(&state, &o, cid).await?;
    let Some(to) = e.candidate.email.clone() else { return Err(PageError::BadRequest(r.email_no_address.into())) };
    let tpl = crate::store::run(&state.pool, move |c| Ok(store::template(c, kind, lang)?)).await.map_err(db_err)?;
    let (title, company) = (o.draft.title.clone(), o.draft.company.clone());
    let page = PreviewPage {
        page: rv.layout(&req, r.email_title),
        r,
        notice: None,
        action: format!("{}/candidates/{}/email", rv.base, e.candidate.id),
        back: format!("{}/candidates/{}", rv.base, e.candidate.id),
        to,
        kind: kind.as_str(),
        kind_label: kind.label(rv.lang),
        language: lang.code(),
        subject: store::render(&tpl.subject, &e.candidate.name, &title, &company),
        body: store::render(&tpl.body, &e.candidate.name, &title, &company),
        name: e.candidate.name,
        form_key: crate::auth::new_token(),
    };
    html_status(StatusCode::OK, &page)
}

/// POST …/email: `action` preview (show the edited text again) or send; `form_key` makes a
/// second submission of the same form send nothing more.
pub async fn send(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let (id, cid) = path.into_inner();
    let (rv, o) = Reviewer::app(&state, me, id).await?;
    let r = crate::i18n::review::text(rv.lang);
    let f = FormData::parse(&body);
    let Some((kind, lang)) = kind_and_lang(&f) else { return Err(PageError::BadRequest(r.email_bad_kind.into())) };
    let e = super::review::entry_of(&state, &o, cid).await?;
    let Some(to) = e.candidate.email.clone() else { return Err(PageError::BadRequest(r.email_no_address.into())) };
    let (subject, text, form_key) = (f.get("subject").trim().to_string(), f.get("body").replace("\r\n", "\n").trim().to_string(), f.get("form_key"));
    let mut refusal = None;
    if subject.is_empty() || subject.chars().count() > SUBJECT_MAX || subject.contains(['\r', '\n']) {
        refusal = Some(r.email_bad_subject);
    } else if text.is_empty() || text.chars().count() > BODY_MAX {
        refusal = Some(r.email_bad_body);
    } else if !store::valid_form_key(&form_key) {
        refusal = Some(r.email_stale_form);
    }
    let page = |notice: Option<Notice>, status: StatusCode, subject: String, body: String| {
        html_status(
            status,
            &PreviewPage {
                page: rv.layout(&req, r.email_title),
                r,
                notice,
                action: format!("{}/candidates/{}/email", rv.base, e.candidate.id),
                back: format!("{}/candidates/{}", rv.base, e.candidate.id),
                to: to.clone(),
                name: e.candidate.name.clone(),
                kind: kind.as_str(),
                kind_label: kind.label(rv.lang),
                language: lang.code(),
                subject,
                body,
                form_key: if store::valid_form_key(&form_key) { form_key.clone() } else { crate::auth::new_token() },
            },
        )
    };
    if let Some(msg) = refusal {
        return page(Notice::error(msg), StatusCode::UNPROCESSABLE_ENTITY, subject, text);
    }
    if f.get("action") != "send" {
        return page(None, StatusCode::OK, subject, text);
    }
    let (key, now, to2) = (store::key(&o.id, &e.candidate.id, &form_key), state.clock.now(), to.clone());
    let kind_name = format!("candidate_email_{}", kind.as_str());
    let (cid, base) = (e.candidate.id.clone(), state.settings.base_url.clone());
    crate::store::run(&state.pool, move |c| {
        crate::store::write_transaction(c, |c| {
            // Every email to a candidate ends with their self-service privacy link.
            let link = crate::privacy::link(c, &base, &cid, crate::store::privacy::LinkScope::Full, now)?;
            let text = format!("{}\n\n{}", text.trim_end(), crate::privacy::footer(lang, &link));
            let paragraphs: Vec<String> = text.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
            let (_, html) = crate::notify::notice(lang, &subject, &paragraphs, None, "", None).map_err(|e| anyhow::anyhow!(e))?;
            let n = crate::store::notifications::NewNotification { key: &key, kind: &kind_name, user_id: None, recipient: &to2, subject: &subject, text: &text, html: &html, due_at: now };
            let queued = crate::store::notifications::queue(c, &n, now)?;
            crate::store::notifications::about_candidate(c, &key, &cid)?;
            Ok::<_, anyhow::Error>(queued)
        })
    })
    .await
    .map_err(db_err)?;
    Ok(see_other(&format!("{}/candidates/{}?done=emailed#emails", rv.base, e.candidate.id)))
}

// ---------- the templates ----------

pub struct TemplateForm {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub language: &'static str,
    pub language_label: &'static str,
    pub subject: String,
    pub body: String,
    pub custom: bool,
}

#[derive(Template)]
#[template(path = "ui/candidate_email_templates.html")]
struct TemplatesPage {
    page: Layout,
    r: &'static ReviewText,
    notice: Option<Notice>,
    forms: Vec<TemplateForm>,
}

async fn render_templates(req: &HttpRequest, state: &AppState, me: &SignedIn, notice: Option<Notice>, status: StatusCode, typed: Option<TemplateForm>) -> Result<HttpResponse, PageError> {
    let r = crate::i18n::review::text(me.lang);
    let lang = me.lang;
    let mut forms = crate::store::run(&state.pool, move |c| {
        let mut out = Vec::new();
        for kind in EmailKind::ALL {
            for (l, label) in [(Lang::Fr, "Français"), (Lang::En, "English")] {
                let t = store::template(c, kind, l)?;
                out.push(TemplateForm { kind: kind.as_str(), kind_label: kind.label(lang), language: l.code(), language_label: label, subject: t.subject, body: t.body, custom: t.custom });
            }
        }
        Ok(out)
    })
    .await
    .map_err(db_err)?;
    if let Some(t) = typed {
        if let Some(f) = forms.iter_mut().find(|f| f.kind == t.kind && f.language == t.language) {
            *f = t;
        }
    }
    html_status(status, &TemplatesPage { page: Layout::signed_in(me, req, "settings", r.email_templates_title), r, notice, forms })
}

pub async fn templates(req: HttpRequest, state: web::Data<AppState>, me: SignedIn) -> Result<HttpResponse, PageError> {
    super::openings::require_editor(&me)?;
    let r = crate::i18n::review::text(me.lang);
    let notice = match FormData::parse(req.query_string().as_bytes()).get("done").as_str() {
        "saved" => Notice::ok(r.email_template_saved),
        "reset" => Notice::ok(r.email_template_reset),
        _ => None,
    };
    render_templates(&req, &state, &me, notice, StatusCode::OK, None).await
}

/// POST /app/settings/candidate-emails: `kind`, `language`, `subject`, `body`, `action` save or reset.
pub async fn save_template(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    super::openings::require_editor(&me)?;
    let r = crate::i18n::review::text(me.lang);
    let f = FormData::parse(&body);
    let Some((kind, lang)) = kind_and_lang(&f) else {
        return render_templates(&req, &state, &me, Notice::error(r.email_bad_kind), StatusCode::UNPROCESSABLE_ENTITY, None).await;
    };
    if f.get("action") == "reset" {
        crate::store::run(&state.pool, move |c| Ok(store::reset(c, kind, lang)?)).await.map_err(db_err)?;
        return Ok(see_other("/app/settings/candidate-emails?done=reset"));
    }
    let (subject, text) = (f.get("subject").trim().to_string(), f.get("body").replace("\r\n", "\n").trim().to_string());
    let refusal = if subject.is_empty() || subject.chars().count() > SUBJECT_MAX || subject.contains(['\r', '\n']) {
        Some(r.email_bad_subject)
    } else if text.is_empty() || text.chars().count() > BODY_MAX {
        Some(r.email_bad_body)
    } else {
        None
    };
    if let Some(msg) = refusal {
        let typed = TemplateForm {
            kind: kind.as_str(),
            kind_label: kind.label(me.lang),
            language: lang.code(),
            language_label: if lang == Lang::Fr { "Français" } else { "English" },
            subject,
            body: text,
            custom: true,
        };
        return render_templates(&req, &state, &me, Notice::error(msg), StatusCode::UNPROCESSABLE_ENTITY, Some(typed)).await;
    }
    let (by, now) = (me.user.id.clone(), state.clock.now());
    crate::store::run(&state.pool, move |c| Ok(store::save(c, kind, lang, &subject, &text, &by, now)?)).await.map_err(db_err)?;
    Ok(see_other("/app/settings/candidate-emails?done=saved"))
}
