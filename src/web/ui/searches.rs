//! /app/openings/{id}/searches: saved sourcing searches of an opening (recruiters and admins).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::openings::{render_opening, require_editor, visible_opening};
use super::{db_err, FormData, Notice};
use crate::compose::Network;
use crate::web::context::SignedIn;
use crate::web::error::{see_other, PageError};
use crate::web::AppState;

/// A hashtag as people type it: '#' optional; letters, digits, '_'; not only digits.
pub fn parse_hashtag(raw: &str) -> Option<String> {
    let tag = raw.trim().trim_start_matches('#');
    let ok = !tag.is_empty()
        && tag.chars().count() <= 100
        && tag.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !tag.chars().all(|c| c.is_ascii_digit());
    ok.then(|| tag.to_string())
}

/// POST /app/openings/{id}/searches
pub async fn create(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let o = visible_opening(&state, &me, id.into_inner()).await?;
    require_editor(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let f = FormData::parse(&body);
    let account_id = f.get("account");
    let account = {
        let id = account_id.clone();
        crate::store::run(&state.pool, move |c| crate::store::channels::find(c, &id)).await.map_err(db_err)?
    };
    let problem = match (&account, parse_hashtag(&f.get("hashtag")), f.get("keywords").chars().count() > 200) {
        (Some(a), _, _) if a.archived || !matches!(a.network, Network::Mastodon | Network::Bluesky) => Some(t.search_bad_account),
        (None, _, _) => Some(t.search_bad_account),
        (_, None, _) => Some(t.search_bad_hashtag),
        (_, _, true) => Some(t.search_bad_keywords),
        _ => None,
    };
    if let Some(message) = problem {
        return render_opening(&req, &state, &me, o, Notice::error(message), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hashtag = parse_hashtag(&f.get("hashtag")).expect("checked");
    let keywords = f.get("keywords").split_whitespace().collect::<Vec<_>>().join(" ");
    let (oid, by, now) = (o.id.clone(), me.user.id.clone(), state.clock.now());
    crate::store::run(&state.pool, move |c| Ok(crate::store::searches::create(c, &oid, &account_id, &hashtag, &keywords, Some(&by), now)?)).await.map_err(db_err)?;
    Ok(see_other(&format!("/app/openings/{}?done=search#searches", o.id)))
}

/// POST /app/openings/{id}/searches/{search}/stop
pub async fn stop(state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (id, sid) = path.into_inner();
    let o = visible_opening(&state, &me, id).await?;
    require_editor(&me)?;
    let oid = o.id.clone();
    let done = crate::store::run(&state.pool, move |c| Ok(crate::store::searches::stop(c, &oid, &sid)?)).await.map_err(db_err)?;
    if !done {
        return Err(PageError::NotFound);
    }
    Ok(see_other(&format!("/app/openings/{}#searches", o.id)))
}
