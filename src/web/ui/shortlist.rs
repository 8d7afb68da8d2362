//! /app/openings/{id}/candidates/{candidate}/stage: moving a candidate of an opening to another
//! stage (recruiters, admins and the opening's hiring managers).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::openings::{render_opening, visible_opening};
use super::{db_err, FormData, Notice};
use crate::web::context::SignedIn;
use crate::web::error::{see_other, PageError};
use crate::web::AppState;

/// POST /app/openings/{id}/candidates/{candidate}/stage: `stage` and an optional `note`. Any
/// user who sees the opening decides (its hiring managers too); recorded with who and when.
pub async fn move_stage(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (id, candidate) = path.into_inner();
    let o = visible_opening(&state, &me, id).await?;
    let t = crate::i18n::ui::text(me.lang);
    let f = FormData::parse(&body);
    let Some(to) = crate::store::sourcing::Stage::parse(f.get("stage").trim()) else {
        return render_opening(&req, &state, &me, o, Notice::error(t.stage_unknown), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let reason = match (to, f.get("reason").trim()) {
        (crate::store::sourcing::Stage::Rejected, r) => match crate::store::sourcing::RejectReason::parse(r) {
            Some(r) => Some(r),
            None => return render_opening(&req, &state, &me, o, Notice::error(crate::i18n::review::text(me.lang).reason_required), StatusCode::UNPROCESSABLE_ENTITY).await,
        },
        _ => None,
    };
    let note = f.get("note").trim().to_string();
    if note.chars().count() > crate::web::api::shortlist::NOTE_MAX {
        return render_opening(&req, &state, &me, o, Notice::error(t.stage_note_long), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (oid, by, now) = (o.id.clone(), me.user.id.clone(), state.clock.now());
    let note = (!note.is_empty()).then_some(note);
    let moved = crate::store::run(&state.pool, move |c| {
        crate::store::sourcing::decide(c, &oid, &candidate, &crate::store::sourcing::Decision { to, note: note.as_deref(), reason }, &by, now)
    })
        .await
        .map_err(db_err)?;
    if !moved {
        return render_opening(&req, &state, &me, o, Notice::error(t.merge_unknown), StatusCode::NOT_FOUND).await;
    }
    Ok(see_other(&format!("/app/openings/{}?done=moved#shortlist", o.id)))
}
