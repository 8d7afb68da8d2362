//! The delivery workers: claim due deliveries, compose (once), send through the account's
//! [`Channel`], record the outcome. Run inside `hirecast serve` by default, or alone with
//! `hirecast worker`; several processes may share one database (see `store::deliveries`).
//!
//! Never a blind retry: an attempt whose outcome is unknown (timeout, lost connection, a
//! worker that died while sending) leaves the delivery "unconfirmed", and the next attempt
//! first reads the account's posts for the delivery's marker (its tracked link).
use std::time::Duration as StdDuration;

use anyhow::Context;
use chrono::Duration;
use rand::Rng;

use super::{open_channel, ChannelContext, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use crate::compose::{self, ChannelProfile, Network, Post};
use crate::domain::opening::{Opening, OpeningStatus};
use crate::i18n::Lang;
use crate::store::channels::{self, AccountStatus, ChannelAccount};
use crate::store::deliveries::{self, Attempt, Claimed, DeliveryRow, Outcome};

/// Reconciliation reads posts created from a little before the first attempt (clock skew).
const SINCE_MARGIN_SECS: i64 = 300;

/// One worker process's identity and settings.
#[derive(Clone)]
pub struct Worker {
    ctx: ChannelContext,
    /// Unique per process: a lease names its holder.
    owner: String,
    /// A fixed backoff jitter in [0, 1) (tests); random when None.
    fixed_jitter: Option<f64>,
}

impl Worker {
    pub fn new(ctx: ChannelContext) -> Self {
        let owner = format!("{}-{}", std::process::id(), &crate::store::new_id()[..8]);
        Self { ctx, owner, fixed_jitter: None }
    }

    /// The same worker with a fixed backoff jitter in [0, 1), so that tests know when a retry
    /// is due (see [`super::rate::backoff`]).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.fixed_jitter = Some(jitter.clamp(0.0, 0.999_999));
        self
    }

    fn jitter(&self) -> f64 {
        self.fixed_jitter.unwrap_or_else(|| rand::thread_rng().gen::<f64>())
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn lease(&self) -> Duration {
        Duration::seconds(self.ctx.settings.broadcast.lease_secs as i64)
    }

    /// Extends the delivery's lease every third of a lease while it is processed, so a send
    /// longer than one lease (a mailing to every subscriber, a read-back of many pages) is not
    /// taken for a dead worker's and reconciled or sent again by another. Stops when dropped,
    /// or when the lease is found lost.
    fn heartbeat(&self, delivery_id: &str) -> Heartbeat {
        let every = StdDuration::from_millis((self.ctx.settings.broadcast.lease_secs * 1000 / 3).max(100));
        let (w, id) = (self.clone(), delivery_id.to_string());
        Heartbeat(tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let (d, owner, until) = (id.clone(), w.owner.clone(), w.ctx.clock.now() + w.lease());
                match crate::store::run(&w.ctx.pool, move |c| Ok(deliveries::renew_lease(c, &d, &owner, until)?)).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(delivery = %id, "lease lost while processing");
                        break;
                    }
                    // The database is busy or down: try again at the next beat.
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "lease not renewed"),
                }
            }
        }))
    }

    /// One pass: expired leases become unconfirmed, then up to `worker_concurrency` due
    /// deliveries are claimed and processed concurrently. Returns how many were processed.
    /// Tests call this to drain the outbox step by step.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let now = self.ctx.clock.now();
        let limit = self.ctx.settings.broadcast.worker_concurrency as i64;
        let (owner, lease) = (self.owner.clone(), self.lease());
        let claimed = crate::store::run(&self.ctx.pool, move |c| {
            deliveries::expire_leases(c, now)?;
            Ok(deliveries::claim(c, &owner, now, lease, limit)?)
        })
        .await?;
        let n = claimed.len();
        let mut tasks = tokio::task::JoinSet::new();
        for cl in claimed {
            let w = self.clone();
            tasks.spawn(async move {
                let id = cl.delivery.id.clone();
                if let Err(e) = w.process(cl).await {
                    // The lease runs out and the delivery becomes unconfirmed: nothing is lost.
                    tracing::error!(delivery = %id, error = %format!("{e:#}"), "delivery processing failed");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(n)
    }

    /// Runs until `stop` turns true; polls every `poll_ms` when idle.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let poll = StdDuration::from_millis(self.ctx.settings.broadcast.poll_ms);
        tracing::info!(owner = %self.owner, "delivery worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let busy = match self.run_once().await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "delivery worker pass failed");
                    false
                }
            };
            if let Err(e) = self.notify_failures().await {
                tracing::warn!(error = %format!("{e:#}"), "failure notifications not sent");
            }
            if let Err(e) = self.check_stale_accounts().await {
                tracing::warn!(error = %format!("{e:#}"), "account health checks failed");
            }
            if let Err(e) = self.notify_team().await {
                tracing::warn!(error = %format!("{e:#}"), "team notifications not sent");
            }
            if let Err(e) = self.retention().await {
                tracing::warn!(error = %format!("{e:#}"), "the retention purge failed");
            }
            if let Err(e) = self.retention_schedule().await {
                tracing::warn!(error = %format!("{e:#}"), "the retention schedule was not brought up to date");
            }
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!(owner = %self.owner, "delivery worker stopped");
    }

    async fn process(&self, cl: Claimed) -> anyhow::Result<()> {
        let d = cl.delivery.clone();
        let _heartbeat = self.heartbeat(&d.id);
        let (opening_id, account_id, parent_id) = (d.opening_id.clone(), d.account_id.clone(), d.parent_id.clone());
        let key = self.ctx.key.clone();
        let (opening, account, creds, parent, templates) = crate::store::run(&self.ctx.pool, move |c| {
            let opening = crate::store::openings::find(c, &opening_id)?.context("opening not found")?;
            let account = channels::find(c, &account_id)?.context("account not found")?;
            let creds = channels::credentials(c, &key, &account_id)?;
            let parent = match parent_id {
                Some(p) => deliveries::find(c, &p)?,
                None => None,
            };
            let templates = crate::store::post_templates::overrides(c)?;
            Ok((opening, account, creds, parent, templates))
        })
        .await?;
        let now = self.ctx.clock.now();

        // The posts: composed at the first attempt, then frozen.
        let posts: Vec<Post> = match &d.payload {
            Some(p) => serde_json::from_str(p).context("stored payload")?,
            None => {
                let posts = compose_for(&d, &opening, &account, &templates);
                let json = serde_json::to_string(&posts)?;
                let (id, owner) = (d.id.clone(), self.owner.clone());
                crate::store::run(&self.ctx.pool, move |c| Ok(deliveries::freeze_payload(c, &id, &owner, &json, now)?)).await?;
                posts
            }
        };
        // A composed post the network would refuse fails now, with the reason, not at the network.
        if let Some(bad) = posts.iter().find(|p| !p.fits) {
            let reason = format!("the post does not fit {}: {} / {}", account.network.label(), bad.length, bad.limit);
            return self.finish(&d, Outcome::Failed { reason, status: None }).await;
        }

        let creds = CredentialsHandle::new(&account.id, creds, self.ctx.pool.clone(), self.ctx.key.clone());
        let channel = open_channel(&account, creds, &self.ctx);
        let since = d.first_sent_at.unwrap_or(now) - Duration::seconds(SINCE_MARGIN_SECS);
        let opening_status = opening.status;
        let out = Outgoing {
            delivery_id: d.id.clone(),
            kind: d.kind(),
            idempotency_key: d.idempotency_key.clone(),
            posts,
            marker: d.marker.clone(),
            since,
            parent: parent.as_ref().and_then(DeliveryRow::remote),
            job_url: self.ctx.url(&format!("/jobs/{}", opening.slug)),
            opening,
        };
        if matches!(out.kind, DeliveryKind::FilledReply | DeliveryKind::Delete) && out.parent.is_none() {
            return self.finish(&d, Outcome::Failed { reason: "the original post was never published".into(), status: None }).await;
        }

        if cl.reconcile {
            match channel.find(&out).await {
                Ok(Some(remote)) => return self.finish(&d, Outcome::Published(remote)).await,
                // Certainly not posted, and its opening is no longer open: nothing new is sent.
                Ok(None) if is_post(out.kind) && opening_status != OpeningStatus::Open => {
                    return self.finish(&d, not_open(opening_status, self.ctx.clock.now())).await;
                }
                Ok(None) => {} // certainly not posted: send below
                Err(SendError::Unsupported) => {
                    let reason = format!(
                        "an earlier attempt may have reached {} and it cannot be checked from here: look at the channel, then confirm or send again",
                        account.network.label()
                    );
                    return self.finish(&d, Outcome::NeedsReview { reason }).await;
                }
                Err(SendError::Reconnect { reason }) => {
                    self.account_needs_reconnect(&account, &reason).await?;
                    let at = self.ctx.clock.now();
                    return self.finish(&d, Outcome::Unconfirmed { at, reason }).await;
                }
                Err(e) => {
                    let at = self.ctx.clock.now() + super::rate::backoff(d.attempts.max(1) as u32, self.jitter());
                    return self.finish(&d, Outcome::Unconfirmed { at, reason: format!("could not read the channel back: {}", e.reason()) }).await;
                }
            }
        }

        let (id, owner) = (d.id.clone(), self.owner.clone());
        match crate::store::run(&self.ctx.pool, move |c| Ok(deliveries::start_attempt(c, &id, &owner, now)?)).await? {
            Attempt::Go => {}
            Attempt::LeaseLost => return Ok(()),
            // Closed (or paused) while the post waited for its turn.
            Attempt::OpeningNotOpen(status) => return self.finish(&d, not_open(status, self.ctx.clock.now())).await,
        }
        let attempt = d.attempts as u32 + 1;
        let result = channel.send(&out).await;
        let outcome = self.outcome(&account, attempt, result).await?;
        self.finish(&d, outcome).await
    }

    /// What a send's result means for the delivery (and the account).
    async fn outcome(&self, account: &ChannelAccount, attempt: u32, result: Result<RemotePost, SendError>) -> anyhow::Result<Outcome> {
        let now = self.ctx.clock.now();
        let max = self.ctx.settings.broadcast.max_attempts;
        Ok(match result {
            Ok(remote) => Outcome::Published(remote),
            Err(SendError::Retry { reason, at }) => {
                if let Some(at) = at {
                    // The whole account waits, not just this delivery.
                    let id = account.id.clone();
                    crate::store::run(&self.ctx.pool, move |c| Ok(channels::pause_until(c, &id, at)?)).await?;
                }
                if attempt >= max {
                    Outcome::Failed { reason: format!("gave up after {attempt} attempts: {reason}"), status: None }
                } else {
                    Outcome::RetryAt { at: super::rate::next_attempt(now, attempt, at, self.jitter()), reason, status: None }
                }
            }
            Err(SendError::Unknown { reason }) => {
                // Give the network time to show the post before reading it back.
                let at = now + Duration::seconds(self.ctx.settings.broadcast.send_timeout_secs as i64);
                Outcome::Unconfirmed { at, reason }
            }
            Err(SendError::Rejected { status, reason }) => Outcome::Failed { reason, status },
            Err(SendError::Reconnect { reason }) => {
                self.account_needs_reconnect(account, &reason).await?;
                // Sent as soon as the account is reconnected (claims skip accounts needing it).
                Outcome::RetryAt { at: now, reason: format!("{} needs reconnecting: {reason}", account.name), status: None }
            }
            Err(SendError::Unsupported) => Outcome::Failed { reason: "this channel cannot send this kind of delivery".into(), status: None },
        })
    }

    async fn finish(&self, d: &DeliveryRow, outcome: Outcome) -> anyhow::Result<()> {
        let (id, owner, now) = (d.id.clone(), self.owner.clone(), self.ctx.clock.now());
        let state = crate::store::run(&self.ctx.pool, move |c| Ok(deliveries::record(c, &id, &owner, &outcome, now)?)).await?;
        if state.is_none() {
            tracing::warn!(delivery = %d.id, "lease lost before the outcome was recorded");
        }
        Ok(())
    }

    async fn account_needs_reconnect(&self, account: &ChannelAccount, reason: &str) -> anyhow::Result<()> {
        let (id, reason, now) = (account.id.clone(), reason.to_string(), self.ctx.clock.now());
        let r = reason.clone();
        let was_connected = crate::store::run(&self.ctx.pool, move |c| Ok(channels::mark_reconnect_needed(c, &id, &r, now)?)).await?;
        tracing::warn!(account = %account.id, "channel account needs reconnecting");
        if was_connected {
            // Every active admin who wants to hear of it, through the team's outbox.
            let (account_id, name, link, now) = (account.id.clone(), account.name.clone(), self.ctx.url("/app/channels"), self.ctx.clock.now());
            let why = reason.to_string();
            crate::store::run(&self.ctx.pool, move |c| {
                let admins: Vec<_> = crate::store::users::list_by_role(c, crate::domain::user::Role::Admin)?.into_iter().filter(|u| u.active).collect();
                crate::store::write_transaction::<_, anyhow::Error, _>(c, |c| {
                    for u in admins {
                        if !crate::store::notifications::settings(c, &u.id)?.failures {
                            continue;
                        }
                        let (subject, text, html) = crate::notify::reconnect_mail(u.locale.unwrap_or(Lang::En), &name, &why, &link)?;
                        let key = format!("reconnect:{account_id}:{}:{}", u.id, now.and_utc().timestamp_micros());
                        let n = crate::store::notifications::NewNotification { key: &key, kind: "reconnect", user_id: Some(&u.id), recipient: &u.email, subject: &subject, text: &text, html: &html, due_at: now };
                        crate::store::notifications::queue(c, &n, now)?;
                    }
                    Ok(())
                })
            })
            .await?;
            crate::notify::outbox::send_due(&self.ctx.pool, &self.ctx.settings.broadcast, &self.ctx.clock).await?;
        }
        Ok(())
    }

    /// Checks connected accounts whose last check is older than [`HEALTH_CHECK_EVERY_MINUTES`],
    /// so an expired token is found before a post needs it.
    pub async fn check_stale_accounts(&self) -> anyhow::Result<usize> {
        let before = self.ctx.clock.now() - Duration::minutes(HEALTH_CHECK_EVERY_MINUTES);
        let stale: Vec<String> = crate::store::run(&self.ctx.pool, move |c| {
            Ok(channels::list(c, false)?
                .into_iter()
                .filter(|a| a.status == AccountStatus::Connected && a.checked_at.is_none_or(|t| t < before))
                .map(|a| a.id)
                .collect())
        })
        .await?;
        for id in &stale {
            let (status, reason) = check_account(&self.ctx, id).await?;
            if status == AccountStatus::Connected && reason.is_some() {
                // Not reachable: try again at the next period rather than at every pass.
                let (id, now) = (id.clone(), self.ctx.clock.now());
                crate::store::run(&self.ctx.pool, move |c| Ok(channels::set_status(c, &id, AccountStatus::Connected, None, now)?)).await?;
            }
        }
        Ok(stale.len())
    }

    /// Queues what the team is to be told (new shortlisted candidates, response targets about
    /// to be missed), then sends the team's outbox. Returns how many emails were sent.
    pub async fn notify_team(&self) -> anyhow::Result<usize> {
        let (base, now) = (self.ctx.settings.base_url.clone(), self.ctx.clock.now());
        crate::store::run(&self.ctx.pool, move |c| {
            crate::notify::team::queue_shortlist_notices(c, &base, now)?;
            crate::notify::team::queue_response_warnings(c, &base, now)?;
            Ok(())
        })
        .await?;
        crate::notify::outbox::send_due(&self.ctx.pool, &self.ctx.settings.broadcast, &self.ctx.clock).await
    }

    /// The daily retention purge (once a day on the clock): removes the people due and records
    /// the counts. Returns how many people were removed, `None` when it was not yet time.
    pub async fn retention(&self) -> anyhow::Result<Option<i64>> {
        let (now, retention, limits) = (self.ctx.clock.now(), self.ctx.settings.retention, self.ctx.settings.session_limits());
        let blobs = crate::store::blobs::BlobStore::new(&self.ctx.settings.data_dir);
        let done = crate::store::run(&self.ctx.pool, move |c| {
            if crate::store::privacy::last_retention_run(c)?.is_some_and(|t| now - t < chrono::Duration::hours(24)) {
                return Ok(None);
            }
            crate::store::users::delete_expired_sessions(c, now, limits)?;
            let (run, files) = crate::store::privacy::purge(c, &retention, now)?;
            Ok(Some((run.candidates, files)))
        })
        .await?;
        let Some((n, files)) = done else { return Ok(None) };
        for f in files {
            blobs.remove(&f)?;
        }
        if n > 0 {
            tracing::info!(people = n, "retention purge removed the people due");
        }
        Ok(Some(n))
    }

    /// Recomputes the removal dates of people whose data changed (20,000 a pass at most), so
    /// the privacy dashboard stays current after a large change; returns how many are left.
    pub async fn retention_schedule(&self) -> anyhow::Result<i64> {
        let retention = self.ctx.settings.retention;
        Ok(crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::privacy::refresh_schedule(c, &retention, Some(20_000))?)).await?)
    }

    /// Emails the recruiter about deliveries that failed for good (once each).
    /// Without mail configured the failures page is the only notice.
    pub async fn notify_failures(&self) -> anyhow::Result<usize> {
        if crate::notify::Mailer::from_settings(&self.ctx.settings.broadcast).is_err() {
            return Ok(0);
        }
        let (base, now) = (self.ctx.settings.base_url.clone(), self.ctx.clock.now());
        // Each failure's notices are queued in the transaction that marks it notified.
        let queued = crate::store::run(&self.ctx.pool, move |c| {
            let mut n = 0;
            for f in deliveries::unnotified_failures(c, 20)? {
                crate::store::write_transaction::<_, anyhow::Error, _>(c, |c| {
                    // The recruiter who published it; else every active admin.
                    let by = f.delivery.created_by.as_deref().map(|id| crate::store::users::find(c, id)).transpose()?.flatten().filter(|u| u.active);
                    let recipients = match by {
                        Some(u) => vec![u],
                        None => crate::store::users::list_by_role(c, crate::domain::user::Role::Admin)?.into_iter().filter(|u| u.active).collect(),
                    };
                    let link = format!("{base}/app/deliveries/{}", f.delivery.id);
                    let reason = f.delivery.last_error.clone().unwrap_or_default();
                    for u in &recipients {
                        if !crate::store::notifications::settings(c, &u.id)?.failures {
                            continue;
                        }
                        let (subject, text, html) = crate::notify::delivery_failed_mail(u.locale.unwrap_or(Lang::En), &f.opening_title, &f.account_name, &reason, &link)?;
                        let key = format!("failed:{}:{}", f.delivery.id, u.id);
                        let n = crate::store::notifications::NewNotification { key: &key, kind: "delivery_failed", user_id: Some(&u.id), recipient: &u.email, subject: &subject, text: &text, html: &html, due_at: now };
                        crate::store::notifications::queue(c, &n, now)?;
                    }
                    deliveries::mark_notified(c, &f.delivery.id, now)?;
                    Ok(())
                })?;
                n += 1;
            }
            Ok(n)
        })
        .await?;
        crate::notify::outbox::send_due(&self.ctx.pool, &self.ctx.settings.broadcast, &self.ctx.clock).await?;
        Ok(queued)
    }
}

fn is_post(kind: DeliveryKind) -> bool {
    matches!(kind, DeliveryKind::Post | DeliveryKind::Repost)
}

/// What becomes of a post that was not sent because its opening is not open: cancelled when
/// the opening is closed; when it is paused, it waits (claims skip it) until it is open again.
fn not_open(status: OpeningStatus, now: chrono::NaiveDateTime) -> Outcome {
    match status {
        OpeningStatus::Closed => Outcome::Cancelled { reason: "the opening was closed before it was sent".into() },
        other => Outcome::RetryAt {
            at: now,
            reason: format!("the opening is {}: sent once it is open again", other.as_str()),
            status: None,
        },
    }
}

/// The lease-renewing task of one delivery being processed; aborted when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Checks an account's credentials with its network now, and records the result: what the
/// channels page's "check now" and the workers' periodic checks call. A working account's
/// settings are read again too (a Mastodon instance's limits) and saved when they changed.
pub async fn check_account(ctx: &ChannelContext, account_id: &str) -> anyhow::Result<(AccountStatus, Option<String>)> {
    let (id, key) = (account_id.to_string(), ctx.key.clone());
    let (account, creds) = crate::store::run(&ctx.pool, move |c| {
        let a = channels::find(c, &id)?.context("account not found")?;
        let creds = channels::credentials(c, &key, &id)?;
        Ok((a, creds))
    })
    .await?;
    let handle = CredentialsHandle::new(&account.id, creds, ctx.pool.clone(), ctx.key.clone());
    let channel = open_channel(&account, handle, ctx);
    let (status, reason) = match channel.check().await {
        Ok(()) => {
            // The network's settings may have changed (a Mastodon instance's limits).
            match channel.refreshed_config(&account.config).await {
                Ok(Some(config)) => {
                    let id = account.id.clone();
                    crate::store::run(&ctx.pool, move |c| channels::save_config(c, &id, &config)).await?;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(account = %account.id, reason = %e.reason(), "account settings not refreshed"),
            }
            (AccountStatus::Connected, None)
        }
        Err(SendError::Reconnect { reason }) => (AccountStatus::ReconnectNeeded, Some(reason)),
        // The network is down or slow: that says nothing about the credentials.
        Err(e) => return Ok((account.status, Some(format!("could not check: {}", e.reason())))),
    };
    let (id, r, now) = (account.id.clone(), reason.clone(), ctx.clock.now());
    crate::store::run(&ctx.pool, move |c| Ok(channels::set_status(c, &id, status, r.as_deref(), now)?)).await?;
    Ok((status, reason))
}

/// Accounts not checked for this long are checked by the workers.
pub const HEALTH_CHECK_EVERY_MINUTES: i64 = 60;

/// The post(s) of a delivery, as its account's network wants them.
pub fn compose_for(d: &DeliveryRow, opening: &Opening, account: &ChannelAccount, templates: &[(String, String, String)]) -> Vec<Post> {
    let lang: Lang = opening.draft.language.into();
    let network = account.network;
    match d.kind() {
        DeliveryKind::Delete => Vec::new(),
        DeliveryKind::FilledReply => {
            let text = filled_text(lang).to_string();
            let c = compose::count(network, &text, None, None);
            vec![Post {
                length: c.length,
                limit: c.limit,
                fits: c.fits,
                text,
                hashtags: Vec::new(),
                links: Vec::new(),
                facets: Vec::new(),
                subject: None,
            }]
        }
        DeliveryKind::Post | DeliveryKind::Repost => {
            let mut profile = profile_for(account, lang);
            if profile.template.is_none() {
                profile.template = templates.iter().find(|(n, l, _)| n == network.as_str() && l == lang.code()).map(|(_, _, s)| s.clone());
            }
            if d.kind() == DeliveryKind::Repost {
                profile.variant = d.sequence.max(1) as u32;
            }
            compose::compose(opening, &d.marker, &profile).posts
        }
    }
}

/// The composer's profile for an account: the limits it read from its network and its own
/// post settings (template, threads, hashtags, a longer limit). The organization's template
/// applies where the account has none (see `compose_for` and `store::post_templates::apply`).
pub fn profile_for(account: &ChannelAccount, lang: Lang) -> ChannelProfile {
    let mut p = ChannelProfile::new(account.network, lang);
    match &account.config {
        super::AccountConfig::Mastodon { max_characters, url_reserve, .. } => {
            p.limit = *max_characters;
            p.url_reserve = *url_reserve;
        }
        super::AccountConfig::X { max_weighted_length, .. } => p.limit = account.post.max_length.or(*max_weighted_length),
        _ => {}
    }
    p.template = account.post.template(lang).map(str::to_string);
    p.allow_thread = account.post.allow_thread && account.network.can_thread();
    p.max_hashtags = account.post.max_hashtags;
    p
}

fn filled_text(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Ce poste est pourvu. Merci à toutes et à tous pour vos candidatures !",
        Lang::En => "This position has been filled. Thank you to everyone who applied!",
    }
}

/// Networks whose posts a channel can read back (for reconciliation).
pub fn can_read_back(network: Network) -> bool {
    matches!(network, Network::X | Network::Mastodon | Network::Bluesky | Network::LinkedIn)
}
