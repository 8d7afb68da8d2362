//! /app/openings/{id}/merges: merging two candidates of an opening who are one person, and
//! undoing a merge, answering hirecast's merge proposals (recruiters and admins).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::openings::{render_opening, require_editor, visible_opening};
use super::{db_err, FormData, Notice};
use crate::store::merges::MergeError;
use crate::web::context::SignedIn;
use crate::web::error::{see_other, PageError};
use crate::web::AppState;

/// POST /app/openings/{id}/merges: `keep` and `merge`, two candidates of this opening.
pub async fn create(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let o = visible_opening(&state, &me, id.into_inner()).await?;
    require_editor(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let f = FormData::parse(&body);
    let (keep, absorb) = (f.get("keep"), f.get("merge"));
    if keep == absorb {
        return render_opening(&req, &state, &me, o, Notice::error(t.merge_same), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (oid, by, now) = (o.id.clone(), me.user.id.clone(), state.clock.now());
    let r = crate::store::run(&state.pool, move |c| {
        // Only candidates of this opening, which the user may see, can be merged from here.
        if !crate::store::sourcing::in_opening(c, &oid, &keep)? || !crate::store::sourcing::in_opening(c, &oid, &absorb)? {
            return Ok(Err(MergeError::NotFound));
        }
        Ok(crate::store::merges::merge(c, &keep, &absorb, "manual", Some(&by), now))
    })
    .await
    .map_err(db_err)?;
    match r {
        Ok(_) => Ok(see_other(&format!("/app/openings/{}?done=merged#merges", o.id))),
        Err(MergeError::Db(e)) => Err(db_err(e)),
        Err(MergeError::Same) => render_opening(&req, &state, &me, o, Notice::error(t.merge_same), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(_) => render_opening(&req, &state, &me, o, Notice::error(t.merge_unknown), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// POST /app/openings/{id}/merges/{merge}/undo
pub async fn undo(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (id, merge_id) = path.into_inner();
    let o = visible_opening(&state, &me, id).await?;
    require_editor(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let (oid, by, now) = (o.id.clone(), me.user.id.clone(), state.clock.now());
    let r = crate::store::run(&state.pool, move |c| {
        // A merge of another opening's candidates is not found from here.
        if !crate::store::merges::for_opening(c, &oid)?.iter().any(|m| m.id == merge_id) {
            return Ok(None);
        }
        Ok(Some(crate::store::merges::undo(c, &merge_id, &by, now)))
    })
    .await
    .map_err(db_err)?;
    match r {
        None => Err(PageError::NotFound),
        Some(Ok(())) => Ok(see_other(&format!("/app/openings/{}?done=unmerged#merges", o.id))),
        Some(Err(MergeError::Db(e))) => Err(db_err(e)),
        Some(Err(MergeError::AlreadyUndone)) => render_opening(&req, &state, &me, o, Notice::error(t.merge_already_undone), StatusCode::CONFLICT).await,
        Some(Err(MergeError::LaterMerge)) => render_opening(&req, &state, &me, o, Notice::error(t.merge_later), StatusCode::CONFLICT).await,
        Some(Err(_)) => Err(PageError::NotFound),
    }
}

/// POST /app/openings/{id}/merge-proposals/{proposal}/{confirm|dismiss}: a recruiter answers
/// hirecast's proposal about two candidates, one of them in this opening.
async fn answer(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>, confirm: bool) -> Result<HttpResponse, PageError> {
    let (id, proposal_id) = path.into_inner();
    let o = visible_opening(&state, &me, id).await?;
    require_editor(&me)?;
    let t = crate::i18n::ui::text(me.lang);
    let (oid, by, now) = (o.id.clone(), me.user.id.clone(), state.clock.now());
    let r = crate::store::run(&state.pool, move |c| {
        // A proposal about candidates of other openings only is not found from here.
        let Some(p) = crate::store::merges::find_proposal(c, &proposal_id)? else { return Ok(None) };
        if !crate::store::sourcing::in_opening(c, &oid, &p.keep_id)? && !crate::store::sourcing::in_opening(c, &oid, &p.merge_id)? {
            return Ok(None);
        }
        Ok(Some(if confirm {
            crate::store::merges::confirm(c, &proposal_id, &by, now).map(|_| ())
        } else {
            crate::store::merges::dismiss(c, &proposal_id, &by, now)
        }))
    })
    .await
    .map_err(db_err)?;
    let done = if confirm { "merged" } else { "kept-apart" };
    match r {
        None => Err(PageError::NotFound),
        Some(Ok(())) => Ok(see_other(&format!("/app/openings/{}?done={done}#merges", o.id))),
        Some(Err(MergeError::Db(e))) => Err(db_err(e)),
        Some(Err(MergeError::Decided)) => render_opening(&req, &state, &me, o, Notice::error(t.proposal_decided), StatusCode::CONFLICT).await,
        Some(Err(_)) => render_opening(&req, &state, &me, o, Notice::error(t.merge_unknown), StatusCode::CONFLICT).await,
    }
}

/// POST /app/openings/{id}/merge-proposals/{proposal}/confirm: the same person, merged.
pub async fn confirm(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    answer(req, state, me, path, true).await
}

/// POST /app/openings/{id}/merge-proposals/{proposal}/dismiss: two people, kept apart.
pub async fn dismiss(req: HttpRequest, state: web::Data<AppState>, me: SignedIn, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    answer(req, state, me, path, false).await
}
