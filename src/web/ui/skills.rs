//! /app/settings/skills: the organization's own skills on top of the shipped taxonomy (admins).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, FieldErrors, FormData, Layout, Notice};
use crate::domain::user::Role;
use crate::sourcing::skills::{Skill, Taxonomy, BUILTIN_TSV};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

pub struct SkillView {
    pub slug: String,
    pub label_en: String,
    pub label_fr: String,
    pub category: String,
    pub aliases: String,
}

#[derive(Default)]
pub struct SkillForm {
    pub slug: String,
    pub label_en: String,
    pub label_fr: String,
    pub category: String,
    pub aliases: String,
    pub ambiguous: bool,
}

#[derive(Template)]
#[template(path = "ui/skills.html")]
struct SkillsPage {
    page: Layout,
    intro: String,
    skills: Vec<SkillView>,
    /// (field name, label, value) of the form.
    fields: Vec<(&'static str, &'static str, String)>,
    ambiguous: bool,
    errors: FieldErrors,
    notice: Option<Notice>,
}

fn require_admin(me: &SignedIn) -> Result<(), PageError> {
    if me.role() == Role::Admin {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

async fn render(req: &HttpRequest, state: &AppState, me: &SignedIn, v: SkillForm, errors: FieldErrors, notice: Option<Notice>, status: StatusCode) -> Result<HttpResponse, PageError> {
    let t = crate::i18n::ui::text(me.lang);
    let rows = crate::store::run(&state.pool, |c| Ok(crate::store::skills::list(c)?)).await.map_err(db_err)?;
    let skills = rows
        .iter()
        .map(|r| {
            let s = r.skill();
            SkillView { slug: s.slug, label_en: s.label_en, label_fr: s.label_fr, category: s.category, aliases: s.aliases.join(", ") }
        })
        .collect();
    let intro = t.skills_intro.replace("{n}", &Taxonomy::shared().skills().len().to_string());
    let fields = vec![
        ("slug", t.f_skill_slug, v.slug),
        ("label_en", t.f_skill_en, v.label_en),
        ("label_fr", t.f_skill_fr, v.label_fr),
        ("category", t.f_skill_category, v.category),
        ("aliases", t.f_skill_aliases, v.aliases),
    ];
    html_status(status, &SkillsPage { page: Layout::signed_in(me, req, "settings", t.skills_title), intro, skills, fields, ambiguous: v.ambiguous, errors, notice })
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// GET /app/settings/skills
pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let notice = match q.done.as_deref() {
        Some("saved") => Notice::ok(t.skill_saved),
        Some("removed") => Notice::ok(t.skill_removed),
        _ => None,
    };
    render(&req, &state, &me, SkillForm::default(), FieldErrors::default(), notice, StatusCode::OK).await
}

/// GET /app/settings/skills.tsv: the shipped taxonomy, to read or to start from.
pub async fn shipped(me: SignedIn) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    Ok(HttpResponse::Ok()
        .content_type("text/tab-separated-values; charset=utf-8")
        .insert_header(("content-disposition", "attachment; filename=\"hirecast-skills.tsv\""))
        .body(BUILTIN_TSV))
}

/// POST /app/settings/skills: saves one skill (checked against every other name), or removes
/// one (`action=remove`).
pub async fn save(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    require_admin(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let f = FormData::parse(&body);
    if f.get("action") == "remove" {
        let slug = f.get("slug");
        crate::store::run(&state.pool, move |c| Ok(crate::store::skills::remove(c, &slug)?)).await.map_err(db_err)?;
        return Ok(see_other("/app/settings/skills?done=removed"));
    }
    let v = SkillForm {
        slug: f.get("slug").trim().to_string(),
        label_en: f.get("label_en").trim().to_string(),
        label_fr: f.get("label_fr").trim().to_string(),
        category: f.get("category").trim().to_string(),
        aliases: f.get("aliases"),
        ambiguous: f.get("ambiguous") == "on",
    };
    let mut errors = FieldErrors::default();
    if v.slug.is_empty() || v.slug.len() > 60 || !v.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        errors.add("slug", t.skill_bad_slug);
    }
    for (field, value) in [("label_en", &v.label_en), ("label_fr", &v.label_fr)] {
        if value.is_empty() || value.chars().count() > 60 {
            errors.add(field, t.skill_bad_name);
        }
    }
    let aliases: Vec<String> = v.aliases.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect();
    if aliases.iter().any(|a| a.chars().count() > 60) {
        errors.add("aliases", t.skill_bad_name);
    }
    if !errors.is_empty() {
        return render(&req, &state, &me, v, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let category = if v.category.is_empty() { "other".to_string() } else { v.category.clone() };
    let mut skill = Skill::new(&v.slug, &v.label_en, &v.label_fr, &category);
    skill.aliases = aliases;
    skill.ambiguous = v.ambiguous;
    let (by, now) = (me.user.id.clone(), state.clock.now());
    let saved = crate::store::run(&state.pool, move |c| crate::store::skills::save(c, &skill, &by, now)).await.map_err(db_err)?;
    match saved {
        Ok(()) => Ok(see_other("/app/settings/skills?done=saved")),
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", &e.to_string());
            render(&req, &state, &me, v, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
