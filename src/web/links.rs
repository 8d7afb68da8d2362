//! `GET /r/{code}`: the short link posted on a channel. Redirects to the job page with UTM
//! parameters and counts the click for its channel and day; nothing about the visitor is kept.
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};

use super::error::PageError;
use super::AppState;
use crate::store::links::{self, CODE_LEN};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/r/{code}")
            .route(web::get().to(follow))
            .route(web::head().to(follow)),
    );
}

/// User agents of link-preview fetchers and crawlers: they fetch a link when it is posted or
/// indexed, not because someone clicked it. Matched case-insensitively as substrings.
const PREVIEW_BOTS: &[&str] = &[
    "twitterbot",
    "facebookexternalhit",
    "linkedinbot",
    "slackbot",
    "discordbot",
    "mastodon",
    "bluesky",
    "cardyb",
    "telegrambot",
    "whatsapp",
    "googlebot",
    "bingbot",
    "skypeuripreview",
    "applebot",
];

pub fn is_preview_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    PREVIEW_BOTS.iter().any(|bot| ua.contains(bot))
}

/// A code can only be made of `auth::short_code`'s alphabet; anything else is not looked up.
fn plausible_code(code: &str) -> bool {
    code.len() == CODE_LEN && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The job page's address with the UTM parameters of this link.
pub fn target(slug: &str, channel: &str) -> String {
    // The url crate encodes the path segment and the query each by its own rules.
    let mut u = url::Url::parse("http://job.invalid/jobs").expect("constant URL");
    u.path_segments_mut().expect("http URL has a path").push(slug);
    u.query_pairs_mut()
        .append_pair("utm_source", channel)
        .append_pair("utm_medium", links::utm_medium(channel))
        .append_pair("utm_campaign", slug);
    format!("{}?{}", u.path(), u.query().unwrap_or_default())
}

async fn follow(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, PageError> {
    let code = code.into_inner();
    if !plausible_code(&code) {
        return Err(PageError::NotFound);
    }
    let user_agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    // HEAD requests and preview bots are redirected like anyone, but are not clicks.
    let counts = *req.method() == Method::GET && !is_preview_bot(user_agent);
    let today = state.clock.today();
    let found = crate::store::run(&state.pool, move |c| {
        let Some((link, slug)) = links::resolve(c, &code)? else { return Ok(None) };
        if counts {
            links::record_click(c, &link.code, today)?;
        }
        Ok(Some((link.channel, slug)))
    })
    .await
    .map_err(PageError::Unexpected)?;
    let Some((channel, slug)) = found else { return Err(PageError::NotFound) };
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, target(&slug, &channel)))
        // Every click must reach us, not a cache along the way.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}


/// The link each channel's post carries: for a saved opening, its tracked link for that
/// channel (created on first use); for unsaved editor values, a stand-in of the same length
/// so the counts are the ones the real post will have.
pub struct PostLinks {
    base: String,
    opening_id: Option<String>,
}

impl PostLinks {
    pub fn new(state: &AppState, opening_id: Option<String>) -> Self {
        Self { base: state.settings.base_url.clone(), opening_id }
    }

    /// On the connection the caller already holds (a database write the first time), so a
    /// preview never takes a second connection from the pool.
    pub fn for_channel(&self, conn: &mut crate::store::DbConn, channel: &str) -> anyhow::Result<String> {
        let code = match &self.opening_id {
            None => "x".repeat(CODE_LEN),
            Some(id) => links::link_for(conn, id, channel).map_err(|e| anyhow::anyhow!("{e}"))?.code,
        };
        Ok(short_url(&self.base, &code))
    }
}

/// The public address of a tracked link.
pub fn short_url(base_url: &str, code: &str) -> String {
    format!("{}/r/{code}", base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_bots_are_recognised_whatever_the_case() {
        assert!(is_preview_bot("Twitterbot/1.0"));
        assert!(is_preview_bot("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)"));
        assert!(is_preview_bot("http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)"));
        assert!(is_preview_bot("LINKEDINBOT/1.0"));
        assert!(!is_preview_bot("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"));
        assert!(!is_preview_bot(""));
    }

    #[test]
    fn target_encodes_every_parameter() {
        assert_eq!(
            target("dev-rust-lyon", "x"),
            "/jobs/dev-rust-lyon?utm_source=x&utm_medium=social&utm_campaign=dev-rust-lyon"
        );
        assert_eq!(target("a b&c/d", "email"), "/jobs/a%20b&c%2Fd?utm_source=email&utm_medium=email&utm_campaign=a+b%26c%2Fd");
    }
}
