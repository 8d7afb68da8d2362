//! /app/channels/{id}/posts: how one account wants its posts written (its own templates,
//! threads, hashtags, X Premium's longer limit). Admins only, like the rest of Channels.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{db_err, FieldErrors, FormData, Layout, Notice};
use crate::broadcast::PostSettings;
use crate::domain::user::Role;
use crate::i18n::broadcast::BroadcastText;
use crate::store::channels::{self as store, ChannelAccount};
use crate::web::context::SignedIn;
use crate::web::error::{html_status, see_other, PageError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "ui/channel_posts.html")]
struct PostSettingsPage {
    page: Layout,
    b: &'static BroadcastText,
    id: String,
    can_thread: bool,
    is_x: bool,
    /// (field name, label, value) of the two templates.
    templates: Vec<(&'static str, &'static str, String)>,
    allow_thread: bool,
    max_hashtags: String,
    max_length: String,
    hashtags_hint: String,
    errors: FieldErrors,
    notice: Option<Notice>,
}

async fn account(state: &AppState, me: &SignedIn, id: String) -> Result<ChannelAccount, PageError> {
    if me.role() != Role::Admin {
        return Err(PageError::Forbidden);
    }
    let found = crate::store::run(&state.pool, move |c| store::find(c, &id)).await.map_err(db_err)?;
    found.filter(|a| !a.archived).ok_or(PageError::NotFound)
}

struct Values {
    template_fr: String,
    template_en: String,
    allow_thread: bool,
    max_hashtags: String,
    max_length: String,
}

impl Values {
    fn of(p: &PostSettings) -> Self {
        Self {
            template_fr: p.template_fr.clone().unwrap_or_default(),
            template_en: p.template_en.clone().unwrap_or_default(),
            allow_thread: p.allow_thread,
            max_hashtags: p.max_hashtags.map(|n| n.to_string()).unwrap_or_default(),
            max_length: p.max_length.map(|n| n.to_string()).unwrap_or_default(),
        }
    }
}

fn render(req: &HttpRequest, me: &SignedIn, a: &ChannelAccount, v: Values, errors: FieldErrors, notice: Option<Notice>, status: StatusCode) -> Result<HttpResponse, PageError> {
    let b = crate::i18n::broadcast::text(me.lang);
    let title = b.post_settings_title.replace("{name}", &a.name);
    html_status(
        status,
        &PostSettingsPage {
            page: Layout::signed_in(me, req, "channels", &title),
            b,
            id: a.id.clone(),
            can_thread: a.network.can_thread(),
            is_x: a.network == crate::compose::Network::X,
            templates: vec![("template_fr", b.f_template_fr, v.template_fr), ("template_en", b.f_template_en, v.template_en)],
            allow_thread: v.allow_thread,
            max_hashtags: v.max_hashtags,
            max_length: v.max_length,
            hashtags_hint: b.f_max_hashtags_hint.replace("{n}", &a.network.default_max_hashtags().to_string()),
            errors,
            notice,
        },
    )
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// GET /app/channels/{id}/posts
pub async fn show(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    let a = account(&state, &me, id.into_inner()).await?;
    let b = crate::i18n::broadcast::text(me.lang);
    let notice = if q.done.as_deref() == Some("saved") { Notice::ok(b.post_settings_saved) } else { None };
    render(&req, &me, &a, Values::of(&a.post), FieldErrors::default(), notice, StatusCode::OK)
}

/// POST /app/channels/{id}/posts: checked, then saved; a bad field re-shows the form with its message.
pub async fn save(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let a = account(&state, &me, id.into_inner()).await?;
    let f = FormData::parse(&body);
    let v = Values {
        template_fr: f.get("template_fr"),
        template_en: f.get("template_en"),
        allow_thread: f.get("allow_thread") == "on",
        max_hashtags: f.get("max_hashtags").trim().to_string(),
        max_length: f.get("max_length").trim().to_string(),
    };
    match PostSettings::parse(a.network, &v.template_fr, &v.template_en, v.allow_thread, &v.max_hashtags, &v.max_length) {
        Ok(post) => {
            let id = a.id.clone();
            crate::store::run(&state.pool, move |c| store::save_post_settings(c, &id, &post)).await.map_err(db_err)?;
            Ok(see_other(&format!("/app/channels/{}/posts?done=saved", a.id)))
        }
        Err(inv) => {
            let mut errors = FieldErrors::default();
            for e in &inv.0 {
                errors.add(&e.field, e.reason_in(me.lang));
            }
            render(&req, &me, &a, v, errors, None, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
