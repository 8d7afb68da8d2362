//! /app/settings/posts: the organization's post templates, per network and language.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::openings::require_editor;
use super::{db_err, FormData, Layout, Notice};
use crate::compose::{check_template, default_template_source, Network};
use crate::i18n::Lang;
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

const TEMPLATE_MAX: usize = 4000;

pub struct TemplateRow {
    pub network: &'static str,
    pub label: &'static str,
    pub lang: &'static str,
    pub source: String,
    pub custom: bool,
    pub error: Option<String>,
}

pub struct LangGroup {
    pub title: &'static str,
    pub lang: &'static str,
    pub rows: Vec<TemplateRow>,
}

#[derive(Template)]
#[template(path = "ui/post_templates.html")]
struct TemplatesPage {
    page: Layout,
    groups: Vec<LangGroup>,
    notice: Option<Notice>,
}


/// `failed`: the (network, language, submitted source, message) to show again.
async fn render(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    failed: Option<(Network, Lang, String, String)>,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = crate::i18n::ui::text(me.lang);
    let overrides = crate::store::run(&state.pool, |c| crate::store::post_templates::overrides(c).map_err(Into::into)).await.map_err(db_err)?;
    // The user's language first.
    let langs = if me.lang == Lang::Fr { [Lang::Fr, Lang::En] } else { [Lang::En, Lang::Fr] };
    let groups = langs
        .into_iter()
        .map(|lang| LangGroup {
            title: if lang == Lang::Fr { t.tpl_in_french } else { t.tpl_in_english },
            lang: lang.code(),
            rows: Network::ALL
                .iter()
                .map(|&n| {
                    let stored = overrides.iter().find(|(net, l, _)| net == n.as_str() && l == lang.code()).map(|(_, _, s)| s.clone());
                    let (source, error) = match &failed {
                        Some((fnet, flang, src, msg)) if *fnet == n && *flang == lang => (src.clone(), Some(msg.clone())),
                        _ => (stored.clone().unwrap_or_else(|| default_template_source(n, lang).to_string()), None),
                    };
                    TemplateRow { network: n.as_str(), label: n.label(), lang: lang.code(), source, custom: stored.is_some(), error }
                })
                .collect(),
        })
        .collect();
    html_status(status, &TemplatesPage { page: Layout::signed_in(me, req, "settings", t.tpl_title), groups, notice })
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    require_editor(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let notice = match q.done.as_deref() {
        Some("saved") => Notice::ok(t.tpl_saved),
        Some("reset") => Notice::ok(t.tpl_reset_done),
        _ => None,
    };
    render(&req, &state, &me, None, notice, StatusCode::OK).await
}

/// Saves one template (checked first) or puts it back to the default (`action=reset`).
pub async fn save(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, body: web::Bytes) -> Result<HttpResponse, PageError> {
    require_editor(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let form = FormData::parse(&body);
    let network = Network::parse(&form.get("network")).map_err(|_| PageError::BadRequest("network is not one hirecast knows".into()))?;
    let lang = Lang::parse(&form.get("language")).ok_or_else(|| PageError::BadRequest("language must be en or fr".into()))?;
    let anchor = format!("#tpl-{}-{}", network.as_str(), lang.code());
    if form.get("action") == "reset" {
        crate::store::run(&state.pool, move |c| crate::store::post_templates::reset(c, network, lang).map_err(Into::into)).await.map_err(db_err)?;
        return Ok(see_other(&format!("/app/settings/posts?done=reset{anchor}")));
    }
    let source = form.get("source").replace("\r\n", "\n");
    let problem = if source.trim().is_empty() {
        Some(t.tpl_empty.to_string())
    } else if source.chars().count() > TEMPLATE_MAX {
        Some(t.tpl_too_long.to_string())
    } else {
        check_template(&source).err().map(|e| e.to_string())
    };
    if let Some(message) = problem {
        return render(&req, &state, &me, Some((network, lang, source, message)), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let by = me.user.id.clone();
    crate::store::run(&state.pool, move |c| crate::store::post_templates::set(c, network, lang, &source, &by).map_err(Into::into))
        .await
        .map_err(db_err)?;
    Ok(see_other(&format!("/app/settings/posts?done=saved{anchor}")))
}
