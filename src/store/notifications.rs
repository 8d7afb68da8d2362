//! The outbox of emails to the team: review links, new shortlisted candidates (at once or in a
//! daily digest), failed deliveries, accounts to reconnect, response targets about to be
//! missed. Each message is rendered when queued, queued once (unique key), and sent at most
//! once: claimed with a lease, marked sent; an interrupted sending becomes `unconfirmed`.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{notification_settings, notifications};
use super::{is_unique_violation, new_id, write_transaction, DbConn};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    /// Queued once per key: `review_link:<id>`, `shortlist:<user>:<opening>:<candidate>`, …
    pub key: &'a str,
    pub kind: &'a str,
    pub user_id: Option<&'a str>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub due_at: NaiveDateTime,
}

/// Queues a message; `Ok(false)` when one with the same key was queued before.
/// Marks the email of that key as being about a candidate (erased with them).
pub fn about_candidate(conn: &mut DbConn, key: &str, candidate_id: &str) -> QueryResult<usize> {
    diesel::update(notifications::table.filter(notifications::idempotency_key.eq(key))).set(notifications::candidate_id.eq(Some(candidate_id))).execute(conn)
}

pub fn queue(conn: &mut DbConn, n: &NewNotification, now: NaiveDateTime) -> QueryResult<bool> {
    let exists: i64 = notifications::table.filter(notifications::idempotency_key.eq(n.key)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    // A savepoint inside the caller's transaction: a concurrent twin only undoes this insert.
    let inserted = write_transaction::<_, diesel::result::Error, _>(conn, |conn| {
        diesel::insert_into(notifications::table)
            .values((
                notifications::id.eq(new_id()),
                notifications::idempotency_key.eq(n.key),
                notifications::kind.eq(n.kind),
                notifications::user_id.eq(n.user_id),
                notifications::recipient.eq(n.recipient),
                notifications::subject.eq(n.subject),
                notifications::body_text.eq(n.text),
                notifications::body_html.eq(n.html),
                notifications::state.eq("queued"),
                notifications::due_at.eq(n.due_at),
                notifications::attempts.eq(0i64),
                notifications::created_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub idempotency_key: String,
    pub kind: String,
    pub user_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub attempts: i64,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Messages whose sending was interrupted (the lease ran out) become `unconfirmed`: the server
/// may have accepted them, so they are not sent again.
pub fn expire_leases(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(notifications::table.filter(notifications::state.eq("sending")).filter(notifications::lease_until.lt(now)))
        .set((notifications::state.eq("unconfirmed"), notifications::last_error.eq("the sending was interrupted: it may or may not have arrived")))
        .execute(conn)
}

/// Claims up to `limit` due messages for sending (each by a compare-and-set on its state).
pub fn claim(conn: &mut DbConn, now: NaiveDateTime, lease: Duration, limit: i64) -> QueryResult<Vec<NotificationRow>> {
    let due: Vec<NotificationRow> = notifications::table
        .filter(notifications::state.eq("queued"))
        .filter(notifications::due_at.le(now))
        .order((notifications::due_at.asc(), notifications::id.asc()))
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(due.len());
    for n in due {
        let taken = diesel::update(notifications::table.find(&n.id).filter(notifications::state.eq("queued")))
            .set((notifications::state.eq("sending"), notifications::lease_until.eq(now + lease), notifications::attempts.eq(n.attempts + 1)))
            .execute(conn)?;
        if taken == 1 {
            out.push(n);
        }
    }
    Ok(out)
}

pub fn mark_sent(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(notifications::table.find(id).filter(notifications::state.eq("sending")))
        .set((notifications::state.eq("sent"), notifications::sent_at.eq(now), notifications::lease_until.eq(None::<NaiveDateTime>), notifications::last_error.eq(None::<String>)))
        .execute(conn)
}

/// Not sent, certainly: queued again for `at`.
pub fn retry_at(conn: &mut DbConn, id: &str, at: NaiveDateTime, error: &str) -> QueryResult<usize> {
    diesel::update(notifications::table.find(id).filter(notifications::state.eq("sending")))
        .set((notifications::state.eq("queued"), notifications::due_at.eq(at), notifications::lease_until.eq(None::<NaiveDateTime>), notifications::last_error.eq(error)))
        .execute(conn)
}

/// `failed` (refused for good) or `unconfirmed` (the server did not confirm).
pub fn give_up(conn: &mut DbConn, id: &str, state: &str, error: &str) -> QueryResult<usize> {
    diesel::update(notifications::table.find(id).filter(notifications::state.eq("sending")))
        .set((notifications::state.eq(state), notifications::lease_until.eq(None::<NaiveDateTime>), notifications::last_error.eq(error)))
        .execute(conn)
}

pub fn find_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<NotificationRow>> {
    notifications::table.filter(notifications::idempotency_key.eq(key)).select(NotificationRow::as_select()).first(conn).optional()
}

/// How a user wants to hear of new shortlisted candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortlistNotice {
    /// One email per pass of the worker that finds new ones.
    Instant,
    /// One email a day, in the morning of the user's time zone.
    Daily,
    Off,
}

impl ShortlistNotice {
    pub const ALL: [ShortlistNotice; 3] = [ShortlistNotice::Instant, ShortlistNotice::Daily, ShortlistNotice::Off];
    pub fn as_str(self) -> &'static str {
        match self {
            ShortlistNotice::Instant => "instant",
            ShortlistNotice::Daily => "daily",
            ShortlistNotice::Off => "off",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A user's notification settings (the defaults when never saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub shortlist: ShortlistNotice,
    pub failures: bool,
    pub response_targets: bool,
    pub digest_sent_at: Option<NaiveDateTime>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { shortlist: ShortlistNotice::Instant, failures: true, response_targets: true, digest_sent_at: None }
    }
}

pub fn settings(conn: &mut DbConn, user_id: &str) -> QueryResult<Settings> {
    let row: Option<(String, bool, bool, Option<NaiveDateTime>)> = notification_settings::table
        .find(user_id)
        .select((notification_settings::shortlist, notification_settings::failures, notification_settings::response_targets, notification_settings::digest_sent_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((s, failures, response_targets, digest_sent_at)) => {
            Settings { shortlist: ShortlistNotice::parse(&s).unwrap_or(ShortlistNotice::Instant), failures, response_targets, digest_sent_at }
        }
        None => Settings::default(),
    })
}

pub fn save_settings(conn: &mut DbConn, user_id: &str, s: &Settings, now: NaiveDateTime) -> QueryResult<()> {
    write_transaction::<_, diesel::result::Error, _>(conn, |conn| {
        diesel::delete(notification_settings::table.find(user_id)).execute(conn)?;
        diesel::insert_into(notification_settings::table)
            .values((
                notification_settings::user_id.eq(user_id),
                notification_settings::shortlist.eq(s.shortlist.as_str()),
                notification_settings::failures.eq(s.failures),
                notification_settings::response_targets.eq(s.response_targets),
                notification_settings::digest_sent_at.eq(s.digest_sent_at),
                notification_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}
