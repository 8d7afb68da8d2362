//! The outbox: one delivery per (opening, account, kind, sequence), written in the same
//! transaction as the opening's status change, and moved through its states by the workers.
//!
//! Claiming is safe with several processes on one database: candidates are read (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`), then each is taken by a conditional update
//! (`WHERE state = <what we read>`), and the account's send budget by another
//! (`WHERE next_send_at <= now`): only one worker can win either. Every outcome is recorded
//! only by the worker holding the lease (`lease_owner`).
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::channels::AccountStatus;
use super::openings::OpeningWriteError;
use super::schema::{channel_accounts, deliveries, delivery_events, openings};
use super::{new_id, write_transaction, DbConn};
use crate::broadcast::{DeliveryKind, DeliveryState, RemotePost};
use crate::domain::opening::OpeningStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub opening_id: String,
    pub account_id: String,
    pub kind: String,
    pub sequence: i64,
    pub parent_id: Option<String>,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub idempotency_key: String,
    pub marker: String,
    pub payload: Option<String>,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub remote_ids: Option<String>,
    pub last_error: Option<String>,
    pub last_status: Option<i64>,
    pub first_sent_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub repost_every_days: Option<i64>,
    pub on_close: String,
    pub notified_at: Option<NaiveDateTime>,
    pub needs_review: bool,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DeliveryRow {
    pub fn kind(&self) -> DeliveryKind {
        DeliveryKind::parse(&self.kind).unwrap_or(DeliveryKind::Post)
    }
    pub fn state(&self) -> DeliveryState {
        DeliveryState::parse(&self.state).unwrap_or(DeliveryState::Failed)
    }
    pub fn on_close(&self) -> OnClose {
        OnClose::parse(&self.on_close).unwrap_or(OnClose::Nothing)
    }
    /// The post as it exists on the network, once published.
    pub fn remote(&self) -> Option<RemotePost> {
        let id = self.remote_id.clone()?;
        let ids = self.remote_ids.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_else(|| vec![id.clone()]);
        Some(RemotePost { id, url: self.remote_url.clone(), ids })
    }
}

/// What closing an opening does to its posts on a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    Nothing,
    /// Reply "position filled" under the latest post.
    Reply,
    /// Delete every post of the opening.
    Delete,
}

impl OnClose {
    pub fn as_str(self) -> &'static str {
        match self {
            OnClose::Nothing => "nothing",
            OnClose::Reply => "reply",
            OnClose::Delete => "delete",
        }
    }
    pub fn parse(s: &str) -> Option<OnClose> {
        [OnClose::Nothing, OnClose::Reply, OnClose::Delete].into_iter().find(|o| o.as_str() == s)
    }
}

/// One channel to publish to.
#[derive(Debug, Clone)]
pub struct Target {
    pub account_id: String,
    pub on_close: OnClose,
}

/// What a recruiter asked for when publishing.
#[derive(Debug, Clone)]
pub struct PublishPlan {
    pub targets: Vec<Target>,
    /// UTC; None = now.
    pub at: Option<NaiveDateTime>,
    /// Re-post every N days (1..=90) while the opening is open.
    pub repost_every_days: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Opening(#[from] OpeningWriteError),
    #[error("channel {0} is not connected")]
    UnknownAccount(String),
    /// Archived, or the network refused its credentials: reconnect it first.
    #[error("{name} needs reconnecting: {reason}")]
    AccountNotReady { account_id: String, name: String, reason: String },
    #[error("the time is in the past")]
    InThePast,
    #[error("re-post every: must be from 1 to 90 days")]
    BadRepost,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for PublishError {
    fn from(e: diesel::result::Error) -> Self {
        PublishError::Unexpected(e.into())
    }
}

fn event(conn: &mut DbConn, delivery_id: &str, state: DeliveryState, detail: Option<&str>, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(delivery_events::table)
        .values((
            // Time-ordered ids: the history reads in the order it was written.
            delivery_events::id.eq(uuid::Uuid::now_v7().to_string()),
            delivery_events::delivery_id.eq(delivery_id),
            delivery_events::at.eq(at),
            delivery_events::state.eq(state.as_str()),
            delivery_events::detail.eq(detail.map(|d| d.chars().take(500).collect::<String>())),
        ))
        .execute(conn)
        .map(|_| ())
}

#[allow(clippy::too_many_arguments)]
fn new_row(
    opening_id: &str,
    account_id: &str,
    kind: DeliveryKind,
    sequence: i64,
    parent_id: Option<String>,
    due_at: NaiveDateTime,
    now: NaiveDateTime,
    marker: String,
    repost_every_days: Option<i64>,
    on_close: OnClose,
    created_by: Option<String>,
) -> DeliveryRow {
    let id = new_id();
    DeliveryRow {
        idempotency_key: format!("hirecast-{id}"),
        id,
        opening_id: opening_id.into(),
        account_id: account_id.into(),
        kind: kind.as_str().into(),
        sequence,
        parent_id,
        state: if due_at > now { DeliveryState::Scheduled } else { DeliveryState::Queued }.as_str().into(),
        due_at,
        attempts: 0,
        lease_owner: None,
        lease_until: None,
        marker,
        payload: None,
        remote_id: None,
        remote_url: None,
        remote_ids: None,
        last_error: None,
        last_status: None,
        first_sent_at: None,
        published_at: None,
        repost_every_days,
        on_close: on_close.as_str().into(),
        notified_at: None,
        needs_review: false,
        created_by,
        created_at: now,
        updated_at: now,
    }
}

/// The tracked short URL that a delivery's post carries (its marker when reading back).
fn marker_for(conn: &mut DbConn, base_url: &str, opening_id: &str, channel: &str) -> anyhow::Result<String> {
    let link = super::links::link_for(conn, opening_id, channel).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(crate::web::links::short_url(base_url, &link.code))
}

/// Publishes: opens the opening if it is not open yet, and queues one delivery per target,
/// all in one transaction. Targets already holding a post for this opening are left as they
/// are (publishing twice never posts twice). Returns the deliveries created.
pub fn publish(
    conn: &mut DbConn,
    opening_id: &str,
    plan: &PublishPlan,
    base_url: &str,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
    by: Option<&str>,
) -> Result<Vec<DeliveryRow>, PublishError> {
    if let Some(n) = plan.repost_every_days {
        if !(1..=90).contains(&n) {
            return Err(PublishError::BadRepost);
        }
    }
    let due = match plan.at {
        Some(at) if at < now - Duration::minutes(1) => return Err(PublishError::InThePast),
        Some(at) => at.max(now),
        None => now,
    };
    write_transaction(conn, |c| {
        let opening = super::openings::find(c, opening_id)?.ok_or(OpeningWriteError::NotFound)?;
        if opening.status != OpeningStatus::Open {
            super::openings::set_status(c, opening_id, OpeningStatus::Open, today)?;
        }
        let mut created = Vec::new();
        for t in &plan.targets {
            let account = super::channels::find(c, &t.account_id)?.ok_or_else(|| PublishError::UnknownAccount(t.account_id.clone()))?;
            if account.archived {
                return Err(PublishError::UnknownAccount(t.account_id.clone()));
            }
            if account.status != AccountStatus::Connected {
                return Err(PublishError::AccountNotReady {
                    account_id: account.id,
                    name: account.name,
                    reason: account.status_reason.unwrap_or_default(),
                });
            }
            let exists: bool = diesel::select(diesel::dsl::exists(
                deliveries::table
                    .filter(deliveries::opening_id.eq(opening_id))
                    .filter(deliveries::account_id.eq(&account.id))
                    .filter(deliveries::kind.eq(DeliveryKind::Post.as_str()))
                    .filter(deliveries::state.ne(DeliveryState::Cancelled.as_str())),
            ))
            .get_result(c)?;
            if exists {
                continue;
            }
            // A post cancelled earlier keeps its row: the new one takes the next free sequence.
            let sequence: Option<i64> = deliveries::table
                .filter(deliveries::opening_id.eq(opening_id))
                .filter(deliveries::account_id.eq(&account.id))
                .filter(deliveries::kind.eq(DeliveryKind::Post.as_str()))
                .select(diesel::dsl::max(deliveries::sequence))
                .first(c)?;
            let marker = marker_for(c, base_url, opening_id, account.network.as_str())?;
            let row = new_row(
                opening_id,
                &account.id,
                DeliveryKind::Post,
                sequence.map_or(0, |s| s + 1),
                None,
                due,
                now,
                marker,
                plan.repost_every_days,
                t.on_close,
                by.map(Into::into),
            );
            diesel::insert_into(deliveries::table).values(&row).execute(c)?;
            event(c, &row.id, row.state(), None, now)?;
            created.push(row);
        }
        Ok(created)
    })
}

/// Closes an opening and, in the same transaction, cancels what was not sent yet and queues
/// what each channel asked for on close (a "position filled" reply, or deleting the posts).
pub fn close_opening(conn: &mut DbConn, opening_id: &str, today: chrono::NaiveDate, now: NaiveDateTime) -> Result<Vec<DeliveryRow>, PublishError> {
    write_transaction(conn, |c| {
        super::openings::set_status(c, opening_id, OpeningStatus::Closed, today)?;
        let pending: Vec<String> = deliveries::table
            .filter(deliveries::opening_id.eq(opening_id))
            .filter(deliveries::kind.eq_any([DeliveryKind::Post.as_str(), DeliveryKind::Repost.as_str()]))
            .filter(deliveries::state.eq_any([DeliveryState::Scheduled.as_str(), DeliveryState::Queued.as_str()]))
            .select(deliveries::id)
            .load(c)?;
        for id in &pending {
            diesel::update(deliveries::table.find(id))
                .set((deliveries::state.eq(DeliveryState::Cancelled.as_str()), deliveries::updated_at.eq(now)))
                .execute(c)?;
            event(c, id, DeliveryState::Cancelled, Some("the opening was closed"), now)?;
        }
        // Posts being sent or unconfirmed are left to the workers: they are only read back
        // now, and one that turns out published gets its close action then (see `record`).
        Ok(queue_close_actions(c, opening_id, None, now)?)
    })
}

/// The sequence for a new delivery of (opening, account, kind): `wanted` if free, else the next free one.
fn free_sequence(c: &mut DbConn, opening_id: &str, account_id: &str, kind: DeliveryKind, wanted: i64) -> QueryResult<i64> {
    let taken: Vec<i64> = deliveries::table
        .filter(deliveries::opening_id.eq(opening_id))
        .filter(deliveries::account_id.eq(account_id))
        .filter(deliveries::kind.eq(kind.as_str()))
        .select(deliveries::sequence)
        .load(c)?;
    if !taken.contains(&wanted) {
        return Ok(wanted);
    }
    Ok(taken.into_iter().max().unwrap_or(wanted) + 1)
}

/// Queues what each channel asked for on close (a "position filled" reply under its latest
/// published post, or deleting each of its posts) for the published posts of a closed opening,
/// on every account or only `account_id`. Idempotent: a post that already has its close action
/// gets no second one. Runs inside the caller's transaction.
fn queue_close_actions(c: &mut DbConn, opening_id: &str, account_id: Option<&str>, now: NaiveDateTime) -> QueryResult<Vec<DeliveryRow>> {
    let mut q = deliveries::table
        .filter(deliveries::opening_id.eq(opening_id))
        .filter(deliveries::kind.eq_any([DeliveryKind::Post.as_str(), DeliveryKind::Repost.as_str()]))
        .filter(deliveries::state.eq(DeliveryState::Published.as_str()))
        .order((deliveries::account_id.asc(), deliveries::published_at.desc()))
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(a) = account_id {
        q = q.filter(deliveries::account_id.eq(a.to_string()));
    }
    let published: Vec<DeliveryRow> = q.load(c)?;
    // The on-close choice is the latest post's, per account.
    let choice_of = |c: &mut DbConn, account_id: &str| -> QueryResult<OnClose> {
        let s: Option<String> = deliveries::table
            .filter(deliveries::opening_id.eq(opening_id))
            .filter(deliveries::account_id.eq(account_id))
            .filter(deliveries::kind.eq(DeliveryKind::Post.as_str()))
            .order(deliveries::sequence.desc())
            .select(deliveries::on_close)
            .first(c)
            .optional()?;
        Ok(s.as_deref().and_then(OnClose::parse).unwrap_or(OnClose::Nothing))
    };
    let mut created = Vec::new();
    let mut replied_accounts: Vec<String> = Vec::new();
    for p in &published {
        let (kind, sequence) = match choice_of(c, &p.account_id)? {
            OnClose::Nothing => continue,
            // Only under the latest post of each account (the list is newest first).
            OnClose::Reply if replied_accounts.contains(&p.account_id) => continue,
            OnClose::Reply => {
                replied_accounts.push(p.account_id.clone());
                (DeliveryKind::FilledReply, p.sequence)
            }
            OnClose::Delete => (DeliveryKind::Delete, p.sequence + if p.kind() == DeliveryKind::Repost { 1_000_000 } else { 0 }),
        };
        let exists: bool = diesel::select(diesel::dsl::exists(
            deliveries::table.filter(deliveries::parent_id.eq(&p.id)).filter(deliveries::kind.eq(kind.as_str())),
        ))
        .get_result(c)?;
        if exists {
            continue;
        }
        let sequence = free_sequence(c, opening_id, &p.account_id, kind, sequence)?;
        let row = new_row(opening_id, &p.account_id, kind, sequence, Some(p.id.clone()), now, now, p.marker.clone(), None, OnClose::Nothing, p.created_by.clone());
        diesel::insert_into(deliveries::table).values(&row).execute(c)?;
        event(c, &row.id, row.state(), None, now)?;
        created.push(row);
    }
    Ok(created)
}

/// A delivery taken by a worker.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    /// It was unconfirmed: read the account back before sending anything.
    pub reconcile: bool,
}

/// Takes up to `limit` due deliveries for `owner`, at most one per account per call, each
/// only if its account's send budget allows (`next_send_at <= now`, then moved on).
pub fn claim(conn: &mut DbConn, owner: &str, now: NaiveDateTime, lease: Duration, limit: i64) -> QueryResult<Vec<Claimed>> {
    write_transaction(conn, |c| {
        let base = deliveries::table
            .inner_join(channel_accounts::table)
            .inner_join(openings::table)
            .filter(deliveries::state.eq_any([DeliveryState::Scheduled.as_str(), DeliveryState::Queued.as_str(), DeliveryState::Unconfirmed.as_str()]))
            .filter(deliveries::needs_review.eq(false))
            .filter(deliveries::due_at.le(now))
            .filter(channel_accounts::next_send_at.le(now))
            .filter(channel_accounts::archived_at.is_null())
            .filter(channel_accounts::status.eq(AccountStatus::Connected.as_str()))
            // Posts only while the opening is open; replies and deletions whatever its status;
            // an unconfirmed post whatever its status too, to be read back (the worker sends
            // nothing new for an opening that is not open).
            .filter(
                openings::status
                    .eq(OpeningStatus::Open.as_str())
                    .or(deliveries::kind.eq_any([DeliveryKind::FilledReply.as_str(), DeliveryKind::Delete.as_str()]))
                    .or(deliveries::state.eq(DeliveryState::Unconfirmed.as_str())),
            )
            .order((deliveries::due_at.asc(), deliveries::id.asc()))
            .select((deliveries::id, deliveries::state, deliveries::account_id, channel_accounts::min_interval_ms))
            .limit(limit * 4);
        let mut candidates: Vec<(String, String, String, i64)> = base.load(c)?;
        if let DbConn::Postgres(pg) = c {
            // Another process's claim transaction holds some of these: skip them, don't wait.
            let ids: Vec<&String> = candidates.iter().map(|(id, ..)| id).collect();
            let free: Vec<String> = deliveries::table
                .filter(deliveries::id.eq_any(ids))
                .select(deliveries::id)
                .for_update()
                .skip_locked()
                .load(pg)?;
            candidates.retain(|(id, ..)| free.contains(id));
        }
        let mut taken = Vec::new();
        let mut accounts_used: Vec<String> = Vec::new();
        for (id, state, account_id, min_interval_ms) in candidates {
            if taken.len() as i64 >= limit {
                break;
            }
            if accounts_used.contains(&account_id) {
                continue;
            }
            // On PostgreSQL another claimer may hold the account's row: skip it rather than
            // wait (two claimers waiting on each other's accounts would deadlock).
            if let DbConn::Postgres(pg) = c {
                let free: Option<String> = channel_accounts::table
                    .find(&account_id)
                    .select(channel_accounts::id)
                    .for_update()
                    .skip_locked()
                    .first(pg)
                    .optional()?;
                if free.is_none() {
                    accounts_used.push(account_id);
                    continue;
                }
            }
            // The account's budget: only one claimer can move next_send_at past now.
            let budget = diesel::update(channel_accounts::table.find(&account_id).filter(channel_accounts::next_send_at.le(now)))
                .set(channel_accounts::next_send_at.eq(now + Duration::milliseconds(min_interval_ms)))
                .execute(c)?;
            if budget == 0 {
                accounts_used.push(account_id);
                continue;
            }
            let reconcile = state == DeliveryState::Unconfirmed.as_str();
            let got = diesel::update(deliveries::table.find(&id).filter(deliveries::state.eq(&state)).filter(deliveries::due_at.le(now)))
                .set((
                    deliveries::state.eq(DeliveryState::Sending.as_str()),
                    deliveries::lease_owner.eq(owner),
                    deliveries::lease_until.eq(now + lease),
                    deliveries::updated_at.eq(now),
                ))
                .execute(c)?;
            accounts_used.push(account_id);
            if got == 1 {
                let delivery = deliveries::table.find(&id).select(DeliveryRow::as_select()).first(c)?;
                let detail = if reconcile { format!("{owner} reads the channel back") } else { format!("claimed by {owner}") };
                event(c, &id, DeliveryState::Sending, Some(&detail), now)?;
                taken.push(Claimed { delivery, reconcile });
            }
        }
        Ok(taken)
    })
}

/// Deliveries whose worker vanished (lease over while sending): the post may exist, so they
/// become unconfirmed and are read back before any new send. Returns how many.
pub fn expire_leases(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    write_transaction(conn, |c| {
        let ids: Vec<String> = deliveries::table
            .filter(deliveries::state.eq(DeliveryState::Sending.as_str()))
            .filter(deliveries::lease_until.lt(now))
            .select(deliveries::id)
            .load(c)?;
        let mut n = 0;
        for id in ids {
            let done = diesel::update(
                deliveries::table.find(&id).filter(deliveries::state.eq(DeliveryState::Sending.as_str())).filter(deliveries::lease_until.lt(now)),
            )
            .set((
                deliveries::state.eq(DeliveryState::Unconfirmed.as_str()),
                deliveries::lease_owner.eq(None::<String>),
                deliveries::lease_until.eq(None::<NaiveDateTime>),
                deliveries::due_at.eq(now),
                deliveries::updated_at.eq(now),
            ))
            .execute(c)?;
            if done == 1 {
                event(c, &id, DeliveryState::Unconfirmed, Some("the worker stopped while sending"), now)?;
                n += 1;
            }
        }
        Ok(n)
    })
}

/// Extends the lease of a delivery `owner` still holds, to `until`: the worker's heartbeat
/// while a long send (a mailing to every subscriber, a read-back of many pages) goes on.
/// False when the lease was lost (it expired and another worker took the delivery over).
pub fn renew_lease(conn: &mut DbConn, id: &str, owner: &str, until: NaiveDateTime) -> QueryResult<bool> {
    write_transaction(conn, |c| {
        diesel::update(deliveries::table.find(id).filter(deliveries::lease_owner.eq(owner)).filter(deliveries::state.eq(DeliveryState::Sending.as_str())))
            .set(deliveries::lease_until.eq(Some(until)))
            .execute(c)
            .map(|n| n == 1)
    })
}

/// Freezes the composed post(s) at the first attempt, so every attempt sends the same text.
/// Also records when sending first started (reconciliation reads the channel from then).
pub fn freeze_payload(conn: &mut DbConn, id: &str, owner: &str, payload: &str, now: NaiveDateTime) -> QueryResult<bool> {
    write_transaction(conn, |c| {
        diesel::update(
            deliveries::table
                .find(id)
                .filter(deliveries::lease_owner.eq(owner))
                .filter(deliveries::state.eq(DeliveryState::Sending.as_str()))
                .filter(deliveries::payload.is_null()),
        )
        .set((deliveries::payload.eq(payload), deliveries::first_sent_at.eq(Some(now))))
        .execute(c)
        .map(|n| n == 1)
    })
}

/// Whether a worker may make the network call now (see [`start_attempt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted: send now.
    Go,
    /// Another worker holds the delivery now.
    LeaseLost,
    /// A post (or re-post) of an opening that is no longer open: nothing new may be sent.
    OpeningNotOpen(OpeningStatus),
}

/// Counts an attempt (before the network call) and marks the first send time, if `owner`
/// still holds the delivery and, for a post, its opening is still open (closing while a post
/// waits for its turn must not send it).
pub fn start_attempt(conn: &mut DbConn, id: &str, owner: &str, now: NaiveDateTime) -> QueryResult<Attempt> {
    write_transaction(conn, |c| {
        let held: Option<(String, String)> = deliveries::table
            .inner_join(openings::table)
            .filter(deliveries::id.eq(id))
            .filter(deliveries::lease_owner.eq(owner))
            .filter(deliveries::state.eq(DeliveryState::Sending.as_str()))
            .select((deliveries::kind, openings::status))
            .first(c)
            .optional()?;
        let Some((kind, status)) = held else { return Ok(Attempt::LeaseLost) };
        let is_post = matches!(DeliveryKind::parse(&kind), Some(DeliveryKind::Post | DeliveryKind::Repost));
        let status = OpeningStatus::parse(&status).unwrap_or(OpeningStatus::Closed);
        if is_post && status != OpeningStatus::Open {
            return Ok(Attempt::OpeningNotOpen(status));
        }
        let n = diesel::update(deliveries::table.find(id).filter(deliveries::lease_owner.eq(owner)).filter(deliveries::state.eq(DeliveryState::Sending.as_str())))
            .set((deliveries::attempts.eq(deliveries::attempts + 1), deliveries::updated_at.eq(now)))
            .execute(c)?;
        diesel::update(deliveries::table.find(id).filter(deliveries::first_sent_at.is_null()))
            .set(deliveries::first_sent_at.eq(Some(now)))
            .execute(c)?;
        Ok(if n == 1 { Attempt::Go } else { Attempt::LeaseLost })
    })
}

/// What a worker learned from one attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    Published(RemotePost),
    /// Try again at `at` (a retryable error, a rate limit, an account to reconnect).
    RetryAt { at: NaiveDateTime, reason: String, status: Option<u16> },
    /// Unknown: read the channel back at `at` before sending again.
    Unconfirmed { at: NaiveDateTime, reason: String },
    /// Unknown, and the channel cannot be read back: a person decides.
    NeedsReview { reason: String },
    Failed { reason: String, status: Option<u16> },
    /// Not sent and never to be (its opening was closed): `reason` says why.
    Cancelled { reason: String },
}

/// Records an outcome, only if `owner` still holds the delivery. A published post that asked
/// for re-posting schedules the next one in the same transaction. A post whose opening was
/// closed meanwhile is never sent afresh: a retry becomes "cancelled", and one found or sent
/// published gets its channel's close action queued at once. Returns the new state, or None
/// when the lease was lost.
pub fn record(conn: &mut DbConn, id: &str, owner: &str, outcome: &Outcome, now: NaiveDateTime) -> QueryResult<Option<DeliveryState>> {
    write_transaction(conn, |c| {
        let Some(d) = deliveries::table
            .find(id)
            .filter(deliveries::lease_owner.eq(owner))
            .filter(deliveries::state.eq(DeliveryState::Sending.as_str()))
            .select(DeliveryRow::as_select())
            .first(c)
            .optional()?
        else {
            return Ok(None);
        };
        let clear = (deliveries::lease_owner.eq(None::<String>), deliveries::lease_until.eq(None::<NaiveDateTime>), deliveries::updated_at.eq(now));
        let is_post = matches!(d.kind(), DeliveryKind::Post | DeliveryKind::Repost);
        let opening_status: String = openings::table.find(&d.opening_id).select(openings::status).first(c)?;
        let closed = OpeningStatus::parse(&opening_status).is_ok_and(|s| s == OpeningStatus::Closed);
        let closed_retry;
        let outcome = match outcome {
            Outcome::RetryAt { .. } if is_post && closed => {
                closed_retry = Outcome::Cancelled { reason: "the opening was closed before it was sent".into() };
                &closed_retry
            }
            other => other,
        };
        let (state, detail) = match outcome {
            Outcome::Published(remote) => {
                let ids = serde_json::to_string(&remote.ids).unwrap_or_else(|_| "[]".into());
                diesel::update(deliveries::table.find(id))
                    .set((
                        deliveries::state.eq(DeliveryState::Published.as_str()),
                        deliveries::remote_id.eq(Some(&remote.id)),
                        deliveries::remote_url.eq(remote.url.as_ref()),
                        deliveries::remote_ids.eq(Some(ids)),
                        deliveries::published_at.eq(Some(now)),
                        deliveries::last_error.eq(None::<String>),
                        deliveries::last_status.eq(None::<i64>),
                        clear,
                    ))
                    .execute(c)?;
                if closed && is_post {
                    // Published after the opening was closed (it was being sent, or unconfirmed).
                    queue_close_actions(c, &d.opening_id, Some(&d.account_id), now)?;
                }
                if let (Some(days), DeliveryKind::Post | DeliveryKind::Repost, false) = (d.repost_every_days, d.kind(), closed) {
                    let next_seq = if d.kind() == DeliveryKind::Post { 1 } else { d.sequence + 1 };
                    let row = new_row(
                        &d.opening_id,
                        &d.account_id,
                        DeliveryKind::Repost,
                        next_seq,
                        Some(d.id.clone()),
                        now + Duration::days(days),
                        now,
                        d.marker.clone(),
                        Some(days),
                        d.on_close(),
                        d.created_by.clone(),
                    );
                    diesel::insert_into(deliveries::table).values(&row).execute(c)?;
                    event(c, &row.id, DeliveryState::Scheduled, Some("re-post"), now)?;
                }
                (DeliveryState::Published, remote.url.clone())
            }
            Outcome::RetryAt { at, reason, status } => {
                diesel::update(deliveries::table.find(id))
                    .set((
                        deliveries::state.eq(DeliveryState::Scheduled.as_str()),
                        deliveries::due_at.eq(*at),
                        deliveries::last_error.eq(Some(reason)),
                        deliveries::last_status.eq(status.map(i64::from)),
                        clear,
                    ))
                    .execute(c)?;
                (DeliveryState::Scheduled, Some(format!("{reason}; next attempt at {at}")))
            }
            Outcome::Unconfirmed { at, reason } => {
                diesel::update(deliveries::table.find(id))
                    .set((
                        deliveries::state.eq(DeliveryState::Unconfirmed.as_str()),
                        deliveries::due_at.eq(*at),
                        deliveries::last_error.eq(Some(reason)),
                        clear,
                    ))
                    .execute(c)?;
                (DeliveryState::Unconfirmed, Some(reason.clone()))
            }
            Outcome::NeedsReview { reason } => {
                diesel::update(deliveries::table.find(id))
                    .set((
                        deliveries::state.eq(DeliveryState::Unconfirmed.as_str()),
                        deliveries::needs_review.eq(true),
                        deliveries::last_error.eq(Some(reason)),
                        clear,
                    ))
                    .execute(c)?;
                (DeliveryState::Unconfirmed, Some(reason.clone()))
            }
            Outcome::Failed { reason, status } => {
                diesel::update(deliveries::table.find(id))
                    .set((
                        deliveries::state.eq(DeliveryState::Failed.as_str()),
                        deliveries::last_error.eq(Some(reason)),
                        deliveries::last_status.eq(status.map(i64::from)),
                        clear,
                    ))
                    .execute(c)?;
                (DeliveryState::Failed, Some(reason.clone()))
            }
            Outcome::Cancelled { reason } => {
                diesel::update(deliveries::table.find(id))
                    .set((deliveries::state.eq(DeliveryState::Cancelled.as_str()), deliveries::last_error.eq(Some(reason)), clear))
                    .execute(c)?;
                (DeliveryState::Cancelled, Some(reason.clone()))
            }
        };
        event(c, id, state, detail.as_deref(), now)?;
        Ok(Some(state))
    })
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<DeliveryRow>> {
    deliveries::table.find(id).select(DeliveryRow::as_select()).first(conn).optional()
}

/// A delivery with what lists show of it.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub delivery: DeliveryRow,
    pub account_name: String,
    pub network: String,
    pub opening_title: String,
}

fn views(rows: Vec<(DeliveryRow, String, String, String)>) -> Vec<DeliveryView> {
    rows.into_iter()
        .map(|(delivery, account_name, network, opening_title)| DeliveryView { delivery, account_name, network, opening_title })
        .collect()
}

/// Every delivery of an opening, per channel then newest first.
pub fn list_for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<DeliveryView>> {
    let rows = deliveries::table
        .inner_join(channel_accounts::table)
        .inner_join(openings::table)
        .filter(deliveries::opening_id.eq(opening_id))
        .order((channel_accounts::name.asc(), deliveries::created_at.desc(), deliveries::id.asc()))
        .select((DeliveryRow::as_select(), channel_accounts::name, channel_accounts::network, openings::title))
        .load(conn)?;
    Ok(views(rows))
}

/// Failed deliveries and unconfirmed ones waiting for a person, newest first; for a hiring
/// manager only those of their openings.
pub fn needing_attention(conn: &mut DbConn, manager_id: Option<&str>, limit: i64) -> QueryResult<Vec<DeliveryView>> {
    use super::schema::opening_managers;
    let mut q = deliveries::table
        .inner_join(channel_accounts::table)
        .inner_join(openings::table)
        .filter(
            deliveries::state
                .eq(DeliveryState::Failed.as_str())
                .or(deliveries::state.eq(DeliveryState::Unconfirmed.as_str()).and(deliveries::needs_review.eq(true))),
        )
        .order((deliveries::updated_at.desc(), deliveries::id.asc()))
        .select((DeliveryRow::as_select(), channel_accounts::name, channel_accounts::network, openings::title))
        .limit(limit)
        .into_boxed();
    if let Some(m) = manager_id {
        q = q.filter(
            deliveries::opening_id.eq_any(opening_managers::table.filter(opening_managers::user_id.eq(m.to_string())).select(opening_managers::opening_id)),
        );
    }
    Ok(views(q.load(conn)?))
}

/// A delivery's history, oldest first: (time, state, detail).
pub fn events(conn: &mut DbConn, delivery_id: &str) -> QueryResult<Vec<(NaiveDateTime, String, Option<String>)>> {
    delivery_events::table
        .filter(delivery_events::delivery_id.eq(delivery_id))
        .order(delivery_events::id.asc())
        .select((delivery_events::at, delivery_events::state, delivery_events::detail))
        .load(conn)
}

/// Why a person's action on a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("delivery not found")]
    NotFound,
    #[error("a {0} delivery cannot be changed this way")]
    WrongState(&'static str),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Why a conditional update changed nothing: the row is gone, or in another state.
fn refused(c: &mut DbConn, id: &str) -> ActionError {
    match find(c, id) {
        Ok(Some(d)) => ActionError::WrongState(d.state().as_str()),
        Ok(None) => ActionError::NotFound,
        Err(e) => ActionError::Db(e),
    }
}

/// "Retry": a failed delivery (or an unconfirmed one a person checked was not posted) is
/// queued again, now.
pub fn retry(conn: &mut DbConn, id: &str, now: NaiveDateTime, by: Option<&str>) -> Result<DeliveryRow, ActionError> {
    write_transaction(conn, |c| -> Result<DeliveryRow, ActionError> {
        let n = diesel::update(
            deliveries::table.find(id).filter(
                deliveries::state
                    .eq(DeliveryState::Failed.as_str())
                    .or(deliveries::state.eq(DeliveryState::Unconfirmed.as_str()).and(deliveries::needs_review.eq(true))),
            ),
        )
        .set((
            deliveries::state.eq(DeliveryState::Queued.as_str()),
            deliveries::needs_review.eq(false),
            deliveries::due_at.eq(now),
            deliveries::attempts.eq(0),
            deliveries::notified_at.eq(None::<NaiveDateTime>),
            deliveries::updated_at.eq(now),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(refused(c, id));
        }
        event(c, id, DeliveryState::Queued, Some(&format!("sent again by {}", by.unwrap_or("a user"))), now)?;
        Ok(deliveries::table.find(id).select(DeliveryRow::as_select()).first(c)?)
    })
}

/// A person checked the channel: the unconfirmed post is there.
pub fn confirm_published(conn: &mut DbConn, id: &str, url: Option<&str>, now: NaiveDateTime) -> Result<DeliveryRow, ActionError> {
    write_transaction(conn, |c| -> Result<DeliveryRow, ActionError> {
        let n = diesel::update(deliveries::table.find(id).filter(deliveries::state.eq(DeliveryState::Unconfirmed.as_str())))
            .set((
                deliveries::state.eq(DeliveryState::Published.as_str()),
                deliveries::needs_review.eq(false),
                deliveries::remote_url.eq(url),
                deliveries::published_at.eq(Some(now)),
                deliveries::updated_at.eq(now),
            ))
            .execute(c)?;
        if n == 0 {
            return Err(refused(c, id));
        }
        event(c, id, DeliveryState::Published, Some("confirmed by a person"), now)?;
        let d = deliveries::table.find(id).select(DeliveryRow::as_select()).first(c)?;
        let status: String = openings::table.find(&d.opening_id).select(openings::status).first(c)?;
        if matches!(d.kind(), DeliveryKind::Post | DeliveryKind::Repost) && OpeningStatus::parse(&status).is_ok_and(|s| s == OpeningStatus::Closed) {
            // The opening was closed while nobody knew the post existed: close it on the channel now.
            queue_close_actions(c, &d.opening_id, Some(&d.account_id), now)?;
        }
        Ok(d)
    })
}

/// Cancels a delivery not sent yet.
pub fn cancel(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<DeliveryRow, ActionError> {
    write_transaction(conn, |c| -> Result<DeliveryRow, ActionError> {
        let n = diesel::update(
            deliveries::table.find(id).filter(deliveries::state.eq_any([DeliveryState::Scheduled.as_str(), DeliveryState::Queued.as_str()])),
        )
        .set((deliveries::state.eq(DeliveryState::Cancelled.as_str()), deliveries::updated_at.eq(now)))
        .execute(c)?;
        if n == 0 {
            return Err(refused(c, id));
        }
        event(c, id, DeliveryState::Cancelled, Some("cancelled by a person"), now)?;
        Ok(deliveries::table.find(id).select(DeliveryRow::as_select()).first(c)?)
    })
}

/// Failed deliveries nobody was told about yet (the worker emails the recruiter).
pub fn unnotified_failures(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<DeliveryView>> {
    let rows = deliveries::table
        .inner_join(channel_accounts::table)
        .inner_join(openings::table)
        .filter(deliveries::state.eq(DeliveryState::Failed.as_str()).or(deliveries::needs_review.eq(true)))
        .filter(deliveries::notified_at.is_null())
        .order(deliveries::updated_at.asc())
        .select((DeliveryRow::as_select(), channel_accounts::name, channel_accounts::network, openings::title))
        .limit(limit)
        .load(conn)?;
    Ok(views(rows))
}

pub fn mark_notified(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    write_transaction(conn, |c| diesel::update(deliveries::table.find(id)).set(deliveries::notified_at.eq(Some(now))).execute(c).map(|_| ()))
}

/// Deliveries per state, for dashboards and tests.
pub fn count_by_state(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    deliveries::table
        .group_by(deliveries::state)
        .select((deliveries::state, diesel::dsl::count_star()))
        .order(deliveries::state.asc())
        .load(conn)
}
