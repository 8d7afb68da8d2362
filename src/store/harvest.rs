//! Where harvesting stands: a cursor per published post (the replies already read), and the
//! private messages to candidates (acknowledgements), each sent once by its key.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::deliveries::DeliveryRow;
use super::schema::{candidate_messages, channel_accounts, deliveries, harvest_cursors, openings};
use super::{new_id, write_transaction, DbConn};
use crate::i18n::Lang;

/// A published post to read the replies of.
#[derive(Debug, Clone)]
pub struct DuePost {
    pub delivery: DeliveryRow,
    pub network: String,
    /// Reply ids already read.
    pub seen: Vec<String>,
    pub runs: i64,
    pub fail_count: i64,
    /// When it was due, as read (`None`: never harvested): the claim checks it has not moved.
    pub due_at: Option<NaiveDateTime>,
}

/// Published posts (not re-posts' close actions) of open openings on networks whose replies
/// can be read, due for harvesting at `now`, oldest run first.
pub fn due_posts(conn: &mut DbConn, now: NaiveDateTime, networks: &[&str], limit: usize) -> QueryResult<Vec<DuePost>> {
    // One query: each published post with its cursor, if it has one yet.
    let rows: Vec<(DeliveryRow, String, Option<(String, NaiveDateTime, i64, i64, Option<String>)>)> = deliveries::table
        .inner_join(openings::table)
        .inner_join(channel_accounts::table)
        .left_join(harvest_cursors::table)
        .filter(deliveries::state.eq("published"))
        .filter(deliveries::kind.eq_any(["post", "repost"]))
        .filter(openings::status.eq("open"))
        .filter(channel_accounts::network.eq_any(networks))
        .filter(channel_accounts::archived_at.is_null())
        // Not yet read, or due again; a network that cannot give replies is not asked again.
        .filter(harvest_cursors::next_run_at.is_null().or(harvest_cursors::next_run_at.le(now).and(harvest_cursors::unsupported.is_null())))
        .select((
            DeliveryRow::as_select(),
            channel_accounts::network,
            (harvest_cursors::seen, harvest_cursors::next_run_at, harvest_cursors::runs, harvest_cursors::fail_count, harvest_cursors::unsupported).nullable(),
        ))
        .order(deliveries::published_at.asc())
        .limit(limit as i64)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, network, cursor)| {
            let (seen, runs, fail_count, due_at) = match cursor {
                Some((seen, at, runs, fails, _)) => (serde_json::from_str(&seen).unwrap_or_default(), runs, fails, Some(at)),
                None => (Vec::new(), 0, 0, None),
            };
            DuePost { delivery, network, seen, runs, fail_count, due_at }
        })
        .collect())
}

/// Takes a due post for one harvester until `lease_until`: of several workers that read it as
/// due, only one gets it (the others find its due time moved, or its cursor already there). A
/// worker that dies leaves it to be harvested again once the lease is over.
pub fn claim_post(conn: &mut DbConn, post: &DuePost, lease_until: NaiveDateTime, now: NaiveDateTime) -> QueryResult<bool> {
    let id = post.delivery.id.as_str();
    match post.due_at {
        Some(due) => {
            let n = diesel::update(harvest_cursors::table.find(id).filter(harvest_cursors::next_run_at.eq(due)))
                .set(harvest_cursors::next_run_at.eq(lease_until))
                .execute(conn)?;
            Ok(n == 1)
        }
        None => {
            let r = diesel::insert_into(harvest_cursors::table)
                .values((
                    harvest_cursors::delivery_id.eq(id),
                    harvest_cursors::seen.eq("[]"),
                    harvest_cursors::next_run_at.eq(lease_until),
                    harvest_cursors::runs.eq(0i64),
                    harvest_cursors::fail_count.eq(0i64),
                    harvest_cursors::updated_at.eq(now),
                ))
                .execute(conn);
            match r {
                Ok(_) => Ok(true),
                Err(e) if super::is_unique_violation(&e) => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}

/// Records a run: what was read, when to look again, the error if it failed, or (for good)
/// why this network cannot give the replies.
pub fn save_cursor(
    conn: &mut DbConn,
    delivery_id: &str,
    seen: &[String],
    next_run_at: NaiveDateTime,
    error: Option<&str>,
    unsupported: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let existing: Option<(i64, i64)> =
            harvest_cursors::table.find(delivery_id).select((harvest_cursors::runs, harvest_cursors::fail_count)).first(conn).optional()?;
        let seen = serde_json::to_string(seen).unwrap_or_else(|_| "[]".into());
        let fails = |f: i64| if error.is_some() { f + 1 } else { 0 };
        match existing {
            Some((runs, f)) => {
                diesel::update(harvest_cursors::table.find(delivery_id))
                    .set((
                        harvest_cursors::seen.eq(seen),
                        harvest_cursors::next_run_at.eq(next_run_at),
                        harvest_cursors::runs.eq(runs + 1),
                        harvest_cursors::fail_count.eq(fails(f)),
                        harvest_cursors::last_error.eq(error),
                        harvest_cursors::unsupported.eq(unsupported),
                        harvest_cursors::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(harvest_cursors::table)
                    .values((
                        harvest_cursors::delivery_id.eq(delivery_id),
                        harvest_cursors::seen.eq(seen),
                        harvest_cursors::next_run_at.eq(next_run_at),
                        harvest_cursors::runs.eq(1i64),
                        harvest_cursors::fail_count.eq(fails(0)),
                        harvest_cursors::last_error.eq(error),
                        harvest_cursors::unsupported.eq(unsupported),
                        harvest_cursors::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// Why replies cannot be read for an opening's posts, per delivery (for the opening's page).
pub fn unsupported_for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<(String, String)>> {
    harvest_cursors::table
        .inner_join(deliveries::table)
        .filter(deliveries::opening_id.eq(opening_id))
        .filter(harvest_cursors::unsupported.is_not_null())
        .select((deliveries::account_id, harvest_cursors::unsupported.assume_not_null()))
        .load(conn)
}

/// The opening's shortlist threshold and response target (minutes).
pub fn opening_targets(conn: &mut DbConn, opening_id: &str) -> QueryResult<(i64, i64)> {
    openings::table.find(opening_id).select((openings::shortlist_threshold, openings::response_target_minutes)).first(conn)
}

/// A private message to a candidate, waiting or sent.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = candidate_messages)]
pub struct MessageRow {
    pub id: String,
    pub idempotency_key: String,
    pub candidate_id: String,
    pub opening_id: Option<String>,
    pub kind: String,
    pub channel: String,
    pub account_id: Option<String>,
    pub target: String,
    pub reply_to: Option<String>,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub remote_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    /// `fr` or `en`; `None`: the opening's language.
    pub language: Option<String>,
}

pub struct NewMessage<'a> {
    pub key: &'a str,
    pub candidate_id: &'a str,
    pub opening_id: &'a str,
    pub kind: &'a str,
    pub channel: &'a str,
    pub account_id: Option<&'a str>,
    pub target: &'a str,
    pub reply_to: Option<&'a str>,
    /// When it is due (now).
    pub at: NaiveDateTime,
    /// When the candidate answered: the response time counts from there.
    pub answered_at: NaiveDateTime,
    /// The language to write in (`None`: the opening's).
    pub language: Option<Lang>,
}

/// Queues a message unless one with the same key exists (`false` then). The information
/// notice is owed once per person: none is queued for a candidate who already holds one, also
/// when it came with a candidate merged into them.
pub fn queue_message(conn: &mut DbConn, m: NewMessage<'_>) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let known: i64 = candidate_messages::table.filter(candidate_messages::idempotency_key.eq(m.key)).count().get_result(conn)?;
        if known > 0 {
            return Ok(false);
        }
        if m.kind == "privacy_notice" {
            let notified: i64 = candidate_messages::table
                .filter(candidate_messages::candidate_id.eq(m.candidate_id))
                .filter(candidate_messages::kind.eq("privacy_notice"))
                .count()
                .get_result(conn)?;
            if notified > 0 {
                return Ok(false);
            }
        }
        diesel::insert_into(candidate_messages::table)
            .values((
                candidate_messages::id.eq(new_id()),
                candidate_messages::idempotency_key.eq(m.key),
                candidate_messages::candidate_id.eq(m.candidate_id),
                candidate_messages::opening_id.eq(Some(m.opening_id)),
                candidate_messages::kind.eq(m.kind),
                candidate_messages::channel.eq(m.channel),
                candidate_messages::account_id.eq(m.account_id),
                candidate_messages::target.eq(m.target),
                candidate_messages::reply_to.eq(m.reply_to),
                candidate_messages::state.eq("queued"),
                candidate_messages::due_at.eq(m.at),
                candidate_messages::created_at.eq(m.answered_at.min(m.at)),
                candidate_messages::language.eq(m.language.map(Lang::code)),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

pub fn due_messages(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<MessageRow>> {
    candidate_messages::table
        .filter(candidate_messages::state.eq("queued"))
        .filter(candidate_messages::due_at.le(now))
        .order((candidate_messages::due_at.asc(), candidate_messages::created_at.asc(), candidate_messages::id.asc()))
        .limit(limit)
        .select(MessageRow::as_select())
        .load(conn)
}

/// Claims up to `limit` due messages, oldest first, for the caller until `lease_until`: their
/// due time moves to it, so another worker (in any process) skips them, and if the caller
/// dies they fall due again then. Each is taken by a conditional update only one can win.
pub fn claim_messages(conn: &mut DbConn, now: NaiveDateTime, limit: i64, lease_until: NaiveDateTime) -> QueryResult<Vec<MessageRow>> {
    let due = due_messages(conn, now, limit)?;
    let mut out = Vec::with_capacity(due.len());
    for m in due {
        let won = diesel::update(
            candidate_messages::table.find(&m.id).filter(candidate_messages::state.eq("queued")).filter(candidate_messages::due_at.le(now)),
        )
        .set(candidate_messages::due_at.eq(lease_until))
        .execute(conn)?;
        if won == 1 {
            out.push(m);
        }
    }
    Ok(out)
}

/// The messages due and not sent yet: how many, and since when the oldest was queued.
pub fn message_backlog(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let due = || candidate_messages::table.filter(candidate_messages::state.eq("queued")).filter(candidate_messages::due_at.le(now));
    let n: i64 = due().count().get_result(conn)?;
    let oldest: Option<NaiveDateTime> = due().select(diesel::dsl::min(candidate_messages::created_at)).first(conn)?;
    Ok((n, oldest))
}

/// Records how a message went: sent (with the remote id), retried later, or failed for good.
pub fn message_outcome(conn: &mut DbConn, id: &str, state: &str, remote_id: Option<&str>, error: Option<&str>, due_at: NaiveDateTime, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(candidate_messages::table.find(id).filter(candidate_messages::state.eq("queued")))
        .set((
            candidate_messages::state.eq(state),
            candidate_messages::remote_id.eq(remote_id),
            candidate_messages::last_error.eq(error),
            candidate_messages::due_at.eq(due_at),
            candidate_messages::sent_at.eq((state == "sent").then_some(now)),
        ))
        .execute(conn)?;
    // Every message to a candidate carries the information notice's link.
    if state == "sent" {
        let cid: Option<String> = candidate_messages::table.find(id).select(candidate_messages::candidate_id).first(conn).optional()?;
        if let Some(cid) = cid {
            super::privacy::noticed(conn, &cid, now)?;
        }
    }
    Ok(())
}

/// Time to first response: how many answers, the median and the 90th percentile (nearest
/// rank) in minutes, and how many were answered within their opening's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseStats {
    pub answered: usize,
    pub median: i64,
    pub p90: i64,
    pub within_target: usize,
    pub target: i64,
}
