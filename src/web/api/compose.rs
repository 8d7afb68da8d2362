//! Post previews: each channel's post as it will be sent, counted as that network counts.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::openings::visible;
use crate::compose::{self, ChannelProfile, Network};
use crate::domain::opening::{Opening, OpeningDraft, OpeningInput};
use crate::domain::{FieldError, Invalid};
use crate::web::context::ApiCaller;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

/// What to preview: a saved opening (`opening_id`) or the editor's unsaved values (`opening`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    #[serde(default)]
    pub opening_id: Option<String>,
    #[serde(default)]
    pub opening: Option<OpeningInput>,
    /// Channels to compose for; by default X, Mastodon, Bluesky and LinkedIn in the opening's language.
    #[serde(default)]
    pub channels: Option<Vec<ChannelProfile>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    pub previews: Vec<PreviewOut>,
}

/// One channel's post(s): a connected account's (with its limits and post settings), or the
/// network's defaults.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewOut {
    pub network: Network,
    /// The connected account this preview is for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// One post, or a thread.
    pub posts: Vec<compose::Post>,
    /// What fitting removed.
    pub dropped: Vec<String>,
}

fn check_channels(channels: &[ChannelProfile]) -> Result<(), Invalid> {
    let mut inv = Invalid::default();
    if channels.len() > 20 {
        inv.push(FieldError::new("channels", "too_many", "at most 20 channels per preview", "20 canaux au plus par aperçu"));
    }
    for (i, c) in channels.iter().enumerate() {
        if let Some(t) = &c.template {
            if let Err(e) = compose::check_template(t) {
                inv.push(FieldError::new(format!("channels[{i}].template"), "invalid_template", e.to_string(), e.to_string()));
            }
        }
        for (name, v) in [("limit", c.limit), ("url_reserve", c.url_reserve), ("max_hashtags", c.max_hashtags)] {
            if v.is_some_and(|v| !(1..=100_000).contains(&v)) {
                inv.push(FieldError::new(format!("channels[{i}].{name}"), "out_of_range", "must be from 1 to 100000", "doit être compris entre 1 et 100000"));
            }
        }
    }
    if inv.is_empty() {
        Ok(())
    } else {
        Err(inv)
    }
}

/// Preview each channel's post.
///
/// The text as it will be sent, its length as the network counts it, the limit, the hashtags
/// and links it carries, Bluesky facets, and what was dropped to make it fit.
#[utoipa::path(
    post, path = "/api/v1/compose/preview", tag = "compose",
    request_body(content = PreviewRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "One composed post (or thread) per channel", body = PreviewResponse),
        (status = 400, description = "Malformed JSON, a wrong type or an unknown field", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Hiring managers may not preview unsaved openings", body = ErrorBody),
        (status = 404, description = "No such opening, or not one the caller may see", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 422, description = "An opening field or a channel setting breaks a rule", body = ErrorBody),
    ),
    security(("bearer_token" = []))
)]
pub async fn preview(state: web::Data<AppState>, caller: ApiCaller, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let req: PreviewRequest = body.read().await?;
    let (opening, saved) = match (req.opening_id, req.opening) {
        (Some(id), None) => (visible(&state, &caller, id).await?, true),
        (None, Some(input)) => {
            if !caller.user.role.can_edit_openings() {
                return Err(ApiError::Forbidden);
            }
            let draft = OpeningDraft::parse(&input, state.clock.today())?;
            (Opening::unsaved(draft, state.clock.now()), false)
        }
        _ => {
            return Err(ApiError::field("opening", "one_of", "give either opening_id (a saved opening) or opening (unsaved values), not both"));
        }
    };
    let explicit = req.channels;
    if let Some(c) = &explicit {
        check_channels(c)?;
    }
    let lang = opening.draft.language.into();
    let links = crate::web::links::PostLinks::new(&state, saved.then_some(opening.id.clone()));
    let previews = crate::store::run(&state.pool, move |conn| {
        let channels = match explicit {
            Some(mut c) => {
                crate::store::post_templates::apply(conn, &mut c)?;
                c.into_iter().map(|p| (None, p)).collect()
            }
            None => crate::broadcast::preview_channels(conn, lang)?,
        };
        let mut out = Vec::with_capacity(channels.len());
        for (account, p) in &channels {
            let link = links.for_channel(conn, p.network.as_str())?;
            let c = compose::compose(&opening, &link, p);
            out.push(PreviewOut {
                account_id: account.as_ref().map(|a| a.id.clone()),
                account_name: account.as_ref().map(|a| a.name.clone()),
                network: c.network,
                posts: c.posts,
                dropped: c.dropped,
            });
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PreviewResponse { previews }))
}
