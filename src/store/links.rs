//! Tracked links: one short code per (opening, channel), and its clicks counted per day.
//! Nothing about the visitor is stored: a click only adds one to its (code, day) bucket.
use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{link_clicks, openings, tracked_links};
use super::{is_unique_violation, write_transaction, DbConn};

/// Length of a code in `/r/{code}`: 32 symbols, 8 of them ≈ 10^12 codes.
pub const CODE_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tracked_links)]
pub struct TrackedLink {
    pub code: String,
    pub opening_id: String,
    pub channel: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("channel: {0}")]
    BadChannel(&'static str),
    #[error("opening not found")]
    OpeningNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for LinkError {
    fn from(e: diesel::result::Error) -> Self {
        LinkError::Unexpected(e.into())
    }
}

/// A channel name as it appears in `utm_source`: 1 to 32 lowercase ASCII letters, digits, `-` or `_`.
pub fn check_channel(channel: &str) -> Result<(), LinkError> {
    if channel.is_empty() || channel.len() > 32 {
        return Err(LinkError::BadChannel("must be 1 to 32 characters"));
    }
    if !channel.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
        return Err(LinkError::BadChannel("only lowercase letters, digits, '-' and '_'"));
    }
    Ok(())
}

/// `utm_medium` for a channel: how the link travelled, in the usual analytics vocabulary.
pub fn utm_medium(channel: &str) -> &'static str {
    match channel {
        "x" | "twitter" | "mastodon" | "bluesky" | "linkedin" | "facebook" | "threads" | "instagram" => "social",
        "email" | "newsletter" => "email",
        "rss" | "atom" | "jsonfeed" | "feed" => "feed",
        "slack" | "discord" | "teams" | "webhook" => "webhook",
        _ => "referral",
    }
}

fn find_link(conn: &mut DbConn, opening_id: &str, channel: &str) -> QueryResult<Option<TrackedLink>> {
    tracked_links::table
        .filter(tracked_links::opening_id.eq(opening_id))
        .filter(tracked_links::channel.eq(channel))
        .select(TrackedLink::as_select())
        .first(conn)
        .optional()
}

/// The link of (opening, channel), created on first use. Concurrent callers get the same row:
/// the loser of a race hits the UNIQUE(opening_id, channel) constraint and reads the winner.
pub fn link_for(conn: &mut DbConn, opening_id: &str, channel: &str) -> Result<TrackedLink, LinkError> {
    check_channel(channel)?;
    // A few tries cover the (astronomically rare) collision of two random codes.
    for _ in 0..4 {
        let attempt = write_transaction(conn, |c| -> Result<TrackedLink, diesel::result::Error> {
            if let Some(found) = find_link(c, opening_id, channel)? {
                return Ok(found);
            }
            let exists: bool = diesel::select(diesel::dsl::exists(openings::table.filter(openings::id.eq(opening_id)))).get_result(c)?;
            if !exists {
                return Err(diesel::result::Error::NotFound);
            }
            let link = TrackedLink {
                code: crate::auth::short_code(CODE_LEN),
                opening_id: opening_id.to_string(),
                channel: channel.to_string(),
            };
            diesel::insert_into(tracked_links::table)
                .values((
                    tracked_links::code.eq(&link.code),
                    tracked_links::opening_id.eq(&link.opening_id),
                    tracked_links::channel.eq(&link.channel),
                    tracked_links::created_at.eq(super::now()),
                ))
                .execute(c)?;
            Ok(link)
        });
        match attempt {
            Ok(link) => return Ok(link),
            Err(diesel::result::Error::NotFound) => return Err(LinkError::OpeningNotFound),
            Err(e) if is_unique_violation(&e) => {
                // Another caller created it first (or the code was taken): read the winner, else retry.
                if let Some(found) = find_link(conn, opening_id, channel)? {
                    return Ok(found);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(LinkError::Unexpected(anyhow::anyhow!("Could not create a tracked link after several tries")))
}

/// The link behind a code with its opening's slug, without counting anything.
pub fn resolve(conn: &mut DbConn, code: &str) -> QueryResult<Option<(TrackedLink, String)>> {
    tracked_links::table
        .inner_join(openings::table)
        .filter(tracked_links::code.eq(code))
        .select((TrackedLink::as_select(), openings::slug))
        .first(conn)
        .optional()
}

fn add_one(conn: &mut DbConn, code: &str, day: NaiveDate) -> QueryResult<usize> {
    diesel::update(link_clicks::table.filter(link_clicks::code.eq(code)).filter(link_clicks::day.eq(day)))
        .set(link_clicks::clicks.eq(link_clicks::clicks + 1))
        .execute(conn)
}

/// Counts one click on `code` for `day`; returns the opening's slug, or None for an unknown code.
/// Portable upsert in one transaction: UPDATE; if no bucket yet INSERT; if a concurrent click
/// inserted it first (unique violation, inside a savepoint so PostgreSQL's transaction survives), UPDATE.
pub fn record_click(conn: &mut DbConn, code: &str, day: NaiveDate) -> QueryResult<Option<String>> {
    write_transaction(conn, |c| {
        let Some((_, slug)) = resolve(c, code)? else { return Ok(None) };
        if add_one(c, code, day)? == 0 {
            let inserted = c.transaction(|c| {
                diesel::insert_into(link_clicks::table)
                    .values((link_clicks::code.eq(code), link_clicks::day.eq(day), link_clicks::clicks.eq(1i64)))
                    .execute(c)
            });
            match inserted {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    add_one(c, code, day)?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Some(slug))
    })
}

/// Total clicks per channel of an opening, channels without clicks included (0), by channel name.
pub fn clicks_by_channel(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<(String, i64)>> {
    let links: Vec<(String, String)> = tracked_links::table
        .filter(tracked_links::opening_id.eq(opening_id))
        .select((tracked_links::code, tracked_links::channel))
        .order(tracked_links::channel.asc())
        .load(conn)?;
    let codes: Vec<&String> = links.iter().map(|(code, _)| code).collect();
    let buckets: Vec<(String, i64)> = link_clicks::table
        .filter(link_clicks::code.eq_any(codes))
        .select((link_clicks::code, link_clicks::clicks))
        .load(conn)?;
    Ok(links
        .into_iter()
        .map(|(code, channel)| {
            let total = buckets.iter().filter(|(c, _)| *c == code).map(|(_, n)| n).sum();
            (channel, total)
        })
        .collect())
}

/// Clicks of one link per day, oldest first (the daily buckets analytics will read).
pub fn clicks_by_day(conn: &mut DbConn, code: &str) -> QueryResult<Vec<(NaiveDate, i64)>> {
    link_clicks::table
        .filter(link_clicks::code.eq(code))
        .select((link_clicks::day, link_clicks::clicks))
        .order(link_clicks::day.asc())
        .load(conn)
}

/// Every tracked link of an opening, by channel name.
pub fn links_of(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<TrackedLink>> {
    tracked_links::table
        .filter(tracked_links::opening_id.eq(opening_id))
        .select(TrackedLink::as_select())
        .order(tracked_links::channel.asc())
        .load(conn)
}
