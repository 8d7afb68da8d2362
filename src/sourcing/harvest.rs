//! Harvesters: on a schedule, each published post's replies are read (only those not read
//! before: a cursor per post), the authors' public profiles with them, and every answer goes
//! through the pipeline into the opening's shortlist store. A new answer carrying a CV gets a
//! private acknowledgement on the network it came from, within the opening's response target.
use chrono::Duration;
use serde_json::Value;

use super::cv_text::html_to_text;
use super::pipeline::{Harvested, HarvestedProfile, Sourcing};
use crate::broadcast::mastodon::MastodonChannel;
use crate::broadcast::{ChannelContext, CredentialsHandle, SendError};
use crate::i18n::Lang;
use crate::store::channels;
use crate::store::harvest::{self as store, DuePost, NewMessage};
use crate::store::sourcing::SourceKind;

/// How often a post's replies are read again.
pub const HARVEST_EVERY_SECS: i64 = 300;
/// How long a claimed post is left to the harvester that claimed it.
pub const HARVEST_LEASE_SECS: i64 = 600;
/// Networks whose replies are harvested.
pub const NETWORKS: &[&str] = &["mastodon", "bluesky", "x"];

/// Said on the opening's page when the X account's plan cannot search its replies.
pub const X_PLAN_CANNOT_READ: &str = "X did not let this account read the replies to its posts: reading replies needs a paid X API plan (Basic or above). Candidates who answer on X are not collected; ask them to use the apply form.";

pub struct Harvester {
    ctx: ChannelContext,
    sourcing: Sourcing,
    /// Built once: its SMTP connections are kept and reused (a burst of acknowledgements is
    /// not one connection per email). None without an SMTP URL (each email then says why).
    mailer: Option<crate::notify::Mailer>,
}

impl Harvester {
    pub fn new(ctx: ChannelContext, sourcing: Sourcing) -> Self {
        let mailer = crate::notify::Mailer::from_settings(&ctx.settings.broadcast).ok();
        Self { ctx, sourcing, mailer }
    }

    /// One round: every due post's new replies and due search, then every application waiting
    /// and every message due. Returns the answers filed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let mut filed = self.harvest_round().await?;
        filed += self.ingest_applications().await?;
        self.send_messages().await?;
        Ok(filed)
    }

    /// The due posts' new replies and the due searches (on a schedule: networks are polled).
    async fn harvest_round(&self) -> anyhow::Result<usize> {
        let now = self.ctx.clock.now();
        let due = crate::store::run(&self.ctx.pool, move |c| Ok(store::due_posts(c, now, NETWORKS, 20)?)).await?;
        let mut filed = 0;
        for post in due {
            // Another worker may have read it as due too: only the one that claims it harvests it.
            let lease_until = now + Duration::seconds(HARVEST_LEASE_SECS);
            let claimed = {
                let post = post.clone();
                crate::store::run(&self.ctx.pool, move |c| Ok(store::claim_post(c, &post, lease_until, now)?)).await?
            };
            if claimed {
                filed += self.harvest_post(post).await?;
            }
        }
        let searches = crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::searches::due(c, now, 20)?)).await?;
        for search in searches {
            let lease_until = now + Duration::seconds(HARVEST_LEASE_SECS);
            let claimed = {
                let search = search.clone();
                crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::searches::claim(c, &search, lease_until)?)).await?
            };
            if claimed {
                filed += self.run_search(search).await?;
            }
        }
        Ok(filed)
    }

    /// Runs until `stop` turns true: harvest rounds on their schedule, and beside them the
    /// intake (applications as they come, batch after batch while there are any) and the
    /// messages (sent as they fall due), each waiting only when it has nothing to do.
    pub async fn run(self, stop: tokio::sync::watch::Receiver<bool>) {
        let every = std::time::Duration::from_millis(self.ctx.settings.broadcast.poll_ms.max(1000) * 10);
        let idle = std::time::Duration::from_millis(self.ctx.settings.broadcast.poll_ms.clamp(50, 1000));
        tokio::join!(
            self.repeat(stop.clone(), every, "harvest round failed", || async { self.harvest_round().await.map(|_| 0) }),
            self.repeat(stop.clone(), idle, "application intake failed", || async { self.ingest_batch().await.map(|(claimed, _)| claimed) }),
            self.repeat(stop, idle, "sending messages failed", || async { self.send_batch().await }),
        );
    }

    /// Runs `step` again at once while it found work (it returns how much), else after `wait`.
    async fn repeat<F, Fut>(&self, mut stop: tokio::sync::watch::Receiver<bool>, wait: std::time::Duration, what: &'static str, step: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<usize>>,
    {
        loop {
            if *stop.borrow() {
                break;
            }
            match step().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "{what}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// An account with its credentials, and an opening with its shortlist threshold.
    async fn load(&self, account_id: &str, opening_id: &str) -> anyhow::Result<(crate::store::channels::ChannelAccount, CredentialsHandle, crate::domain::opening::Opening, u8)> {
        let (account_id, opening_id, key) = (account_id.to_string(), opening_id.to_string(), self.ctx.key.clone());
        let (account, creds, opening, targets) = crate::store::run(&self.ctx.pool, move |c| {
            let account = channels::find(c, &account_id)?.ok_or_else(|| anyhow::anyhow!("account not found"))?;
            let creds = channels::credentials(c, &key, &account_id)?;
            let opening = crate::store::openings::find(c, &opening_id)?.ok_or_else(|| anyhow::anyhow!("opening not found"))?;
            let targets = store::opening_targets(c, &opening_id)?;
            Ok((account, creds, opening, targets))
        })
        .await?;
        let creds = CredentialsHandle::new(&account.id, creds, self.ctx.pool.clone(), self.ctx.key.clone());
        Ok((account, creds, opening, targets.0.clamp(0, 100) as u8))
    }

    async fn harvest_post(&self, post: DuePost) -> anyhow::Result<usize> {
        let d = post.delivery.clone();
        let (account, creds, opening, threshold) = self.load(&d.account_id, &d.opening_id).await?;
        let now = self.ctx.clock.now();
        let Some(remote_id) = d.remote_id.clone() else { return Ok(0) };
        let mut seen = post.seen.clone();
        let mut filed = 0;
        let mut unsupported: Option<String> = None;
        let result: Result<(), SendError> = async {
            let answers = match post.network.as_str() {
                "mastodon" => self.mastodon_answers(&account, creds, &remote_id, &mut seen).await?,
                "bluesky" => self.bluesky_answers(&account, creds, &remote_id, &mut seen).await?,
                "x" => match self.x_answers(&account, creds, &remote_id, &mut seen).await {
                    Err(SendError::Rejected { status: Some(403), .. }) => {
                        unsupported = Some(X_PLAN_CANNOT_READ.to_string());
                        Vec::new()
                    }
                    other => other?,
                },
                _ => Vec::new(),
            };
            for (h, private_reply) in answers {
                let ingested = self.sourcing.ingest(&opening, threshold, &h, now).await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
                filed += 1;
                // Read once, whatever follows: the next round must not fetch its CVs again.
                seen.push(h.remote_id.clone());
                // Privately where the network allows it (a Mastodon direct message), else by email.
                let ack = match (private_reply, ingested.emails.first()) {
                    _ if !(ingested.filed.new_entry && ingested.has_cv) => None,
                    (true, _) => Some(("mastodon_dm", h.author_handle.trim_start_matches('@').to_string(), Some(h.remote_id.clone()))),
                    (false, Some(email)) => Some(("email", email.clone(), None)),
                    (false, None) => None,
                };
                if let Some((channel, target, reply_to)) = ack {
                    let key = format!("ack:{}:{}", opening.id, ingested.filed.candidate_id);
                    let (cid, oid, aid) = (ingested.filed.candidate_id.clone(), opening.id.clone(), account.id.clone());
                    let answered = h.posted_at.unwrap_or(now);
                    let language = h.language_to_answer();
                    crate::store::run(&self.ctx.pool, move |c| {
                        Ok(store::queue_message(
                            c,
                            NewMessage {
                                key: &key,
                                candidate_id: &cid,
                                opening_id: &oid,
                                kind: "ack",
                                channel,
                                account_id: Some(&aid),
                                target: &target,
                                reply_to: reply_to.as_deref(),
                                at: now,
                                answered_at: answered,
                                language,
                            },
                        )?)
                    })
                    .await
                    .map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
                }
            }
            Ok(())
        }
        .await;
        let (next, error) = match &result {
            Ok(()) => (now + Duration::seconds(HARVEST_EVERY_SECS), None),
            Err(e) => (now + crate::broadcast::rate::backoff(post.fail_count as u32 + 1, 0.5), Some(e.reason())),
        };
        let did = d.id.clone();
        crate::store::run(&self.ctx.pool, move |c| Ok(store::save_cursor(c, &did, &seen, next, error.as_deref(), unsupported.as_deref(), now)?)).await?;
        Ok(filed)
    }

    /// Every application waiting, batch after batch: returns how many were filed.
    async fn ingest_applications(&self) -> anyhow::Result<usize> {
        let mut filed = 0;
        loop {
            let (claimed, n) = self.ingest_batch().await?;
            filed += n;
            if claimed == 0 {
                return Ok(filed);
            }
        }
    }

    /// Claims the oldest waiting applications (a work queue in the database, shared by every
    /// worker process) and runs them through the pipeline, HIRECAST_WORKER_CONCURRENCY at
    /// once, started in order of arrival. Returns (claimed, filed); an application that fails
    /// is taken again when its claim ends, and the first error is returned once the batch is done.
    async fn ingest_batch(&self) -> anyhow::Result<(usize, usize)> {
        use futures_util::StreamExt;
        let now = self.ctx.clock.now();
        let at_once = self.ctx.settings.broadcast.worker_concurrency.max(1);
        let lease = now + Duration::seconds(crate::store::applications::INGEST_LEASE_SECS);
        // Two waves a batch: the lease (120 s) stays longer than two slow CV fetches.
        let limit = (at_once * 2) as i64;
        let claimed = crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::applications::claim_pending(c, limit, now, lease)?)).await?;
        if claimed.is_empty() {
            return Ok((0, 0));
        }
        // The batch's openings, each read once.
        let mut ids: Vec<String> = claimed.iter().map(|(a, _)| a.opening_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let openings = crate::store::run(&self.ctx.pool, move |c| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let o = crate::store::openings::find(c, &id)?;
                let targets = store::opening_targets(c, &id)?;
                out.push((id, o.map(|o| (o, targets.0.clamp(0, 100) as u8))));
            }
            Ok(out)
        })
        .await?;
        let n = claimed.len();
        let results: Vec<anyhow::Result<bool>> = futures_util::stream::iter(claimed)
            .map(|(app, candidate)| {
                let loaded = openings.iter().find(|(id, _)| *id == app.opening_id).and_then(|(_, o)| o.clone());
                self.ingest_one(app, candidate, loaded)
            })
            .buffered(at_once)
            .collect()
            .await;
        let mut filed = 0;
        let mut first_error = None;
        for r in results {
            match r {
                Ok(true) => filed += 1,
                Ok(false) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok((n, filed)),
        }
    }

    /// One application from the careers site, once: scored, filed in the shortlist store,
    /// acknowledged by email however long it waited (in order of arrival: the response target
    /// on the dashboard says when the queue is late). Returns whether it was filed.
    async fn ingest_one(
        &self,
        app: crate::store::models::ApplicationRow,
        candidate: crate::store::models::CandidateRow,
        loaded: Option<(crate::domain::opening::Opening, u8)>,
    ) -> anyhow::Result<bool> {
        let now = self.ctx.clock.now();
        let Some((opening, threshold)) = loaded else {
            let aid = app.id.clone();
            crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::applications::mark_ingested(c, &aid, now)?)).await?;
            return Ok(false);
        };
        let ingested = self.sourcing.ingest_application(&opening, threshold, &app, &candidate, now).await?;
        let to = candidate.email.clone();
        let (aid, key, cid, oid, answered) =
            (app.id.clone(), format!("ack:{}:{}", opening.id, ingested.filed.candidate_id), ingested.filed.candidate_id.clone(), opening.id.clone(), app.created_at);
        let ack = ingested.filed.new_entry;
        // In the language of the form the person used.
        let language = Lang::parse(&app.consent_language);
        crate::store::run(&self.ctx.pool, move |c| {
            crate::store::write_transaction::<_, anyhow::Error, _>(c, |c| {
                if let (true, Some(to)) = (ack, to.as_deref()) {
                    store::queue_message(
                        c,
                        NewMessage {
                            key: &key,
                            candidate_id: &cid,
                            opening_id: &oid,
                            kind: "ack",
                            channel: "email",
                            account_id: None,
                            target: to,
                            reply_to: None,
                            at: now,
                            answered_at: answered,
                            language,
                        },
                    )?;
                }
                crate::store::applications::mark_ingested(c, &aid, now)?;
                Ok(())
            })
        })
        .await?;
        Ok(true)
    }

    /// One saved search: new public posts with its hashtag and all its keywords; their authors
    /// are filed as "sourced" and sent the information notice once, at first contact.
    async fn run_search(&self, search: crate::store::searches::SearchRow) -> anyhow::Result<usize> {
        let (account, creds, opening, threshold) = self.load(&search.account_id, &search.opening_id).await?;
        let now = self.ctx.clock.now();
        let mut seen = search.seen_ids();
        let words: Vec<String> = search.keywords.split_whitespace().map(|w| w.to_lowercase()).collect();
        let mut found = 0usize;
        let result: Result<(), SendError> = async {
            if account.network == crate::compose::Network::Bluesky {
                found = self.run_bluesky_search(&account, creds, &search, &words, &opening, threshold, &mut seen).await?;
                return Ok(());
            }
            if account.network != crate::compose::Network::Mastodon {
                return Ok(());
            }
            let ch = MastodonChannel::new(&account, creds, &self.ctx);
            let own = ch.own_id().await?;
            let instance_host = instance_host(&account);
            for status in ch.tag_timeline(&search.hashtag).await? {
                let Some(id) = status["id"].as_str().map(str::to_string) else { continue };
                if seen.contains(&id) || status["account"]["id"].as_str() == Some(own.as_str()) {
                    continue;
                }
                seen.push(id.clone());
                let text = html_to_text(status["content"].as_str().unwrap_or_default()).to_lowercase();
                if !words.iter().all(|w| text.contains(w.as_str())) {
                    continue;
                }
                let profile = match status["account"]["id"].as_str() {
                    Some(aid) => Some(ch.account(aid).await?),
                    None => None,
                };
                let mut h = mastodon_answer(&status, profile.as_ref(), &instance_host);
                h.kind = SourceKind::SourcingSearch;
                if self.objected(&h).await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })? {
                    continue;
                }
                let ingested = self.sourcing.ingest(&opening, threshold, &h, now).await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
                found += 1;
                // The notice is owed once per person, whatever the opening.
                let key = format!("notice:{}", ingested.filed.candidate_id);
                let language = h.language_to_answer();
                let (cid, oid, aid, target) = (ingested.filed.candidate_id.clone(), opening.id.clone(), account.id.clone(), h.author_handle.trim_start_matches('@').to_string());
                crate::store::run(&self.ctx.pool, move |c| {
                    Ok(store::queue_message(
                        c,
                        NewMessage {
                            key: &key,
                            candidate_id: &cid,
                            opening_id: &oid,
                            kind: "privacy_notice",
                            channel: "mastodon_dm",
                            account_id: Some(&aid),
                            target: &target,
                            reply_to: Some(&id),
                            at: now,
                            answered_at: now,
                            language,
                        },
                    )?)
                })
                .await
                .map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
            }
            Ok(())
        }
        .await;
        let (next, error) = match &result {
            Ok(()) => (now + Duration::seconds(HARVEST_EVERY_SECS), None),
            Err(e) => (now + crate::broadcast::rate::backoff(2, 0.5), Some(e.reason())),
        };
        let (sid, n) = (search.id.clone(), found as i64);
        crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::searches::save_run(c, &sid, &seen, n, next, error.as_deref())?)).await?;
        Ok(found)
    }

    /// A saved search over Bluesky's public posts (`searchPosts` for the hashtag, then every
    /// keyword checked here). Bluesky has no private message in its public API: the notice goes
    /// by email when the person's address is known, else at first contact.
    #[allow(clippy::too_many_arguments)]
    async fn run_bluesky_search(
        &self,
        account: &crate::store::channels::ChannelAccount,
        creds: CredentialsHandle,
        search: &crate::store::searches::SearchRow,
        words: &[String],
        opening: &crate::domain::opening::Opening,
        threshold: u8,
        seen: &mut Vec<String>,
    ) -> Result<usize, SendError> {
        let ch = crate::broadcast::bluesky::BlueskyChannel::new(account, creds, &self.ctx);
        let now = self.ctx.clock.now();
        let tag = format!("#{}", search.hashtag.to_lowercase());
        let v = ch.search_posts(&format!("#{}", search.hashtag)).await?;
        let mut found = 0;
        for p in v["posts"].as_array().into_iter().flatten() {
            let Some(id) = p["uri"].as_str().map(str::to_string) else { continue };
            let did = p["author"]["did"].as_str().unwrap_or_default().to_string();
            if seen.contains(&id) || did.is_empty() || did == ch.did() {
                continue;
            }
            seen.push(id.clone());
            // The search may be looser than asked: the hashtag and every keyword must be there.
            let text = p["record"]["text"].as_str().unwrap_or_default().to_lowercase();
            let has_tag = text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '#')).any(|w| w == tag);
            if !has_tag || !words.iter().all(|w| text.contains(w.as_str())) {
                continue;
            }
            let profile = ch.profile(&did).await?;
            let mut h = bluesky_answer(p, &profile);
            h.kind = SourceKind::SourcingSearch;
            if self.objected(&h).await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })? {
                continue;
            }
            let ingested = self.sourcing.ingest(opening, threshold, &h, now).await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
            found += 1;
            if let Some(email) = ingested.emails.first().cloned() {
                let key = format!("notice:{}", ingested.filed.candidate_id);
                let language = h.language_to_answer();
                let (cid, oid) = (ingested.filed.candidate_id.clone(), opening.id.clone());
                crate::store::run(&self.ctx.pool, move |c| {
                    Ok(store::queue_message(
                        c,
                        NewMessage {
                            key: &key,
                            candidate_id: &cid,
                            opening_id: &oid,
                            kind: "privacy_notice",
                            channel: "email",
                            account_id: None,
                            target: &email,
                            reply_to: None,
                            at: now,
                            answered_at: now,
                            language,
                        },
                    )?)
                })
                .await
                .map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
            }
        }
        Ok(found)
    }

    /// New replies under a Mastodon status, with their authors' profiles; `true`: answer privately there.
    async fn mastodon_answers(&self, account: &crate::store::channels::ChannelAccount, creds: CredentialsHandle, status_id: &str, seen: &mut Vec<String>) -> Result<Vec<(Harvested, bool)>, SendError> {
        let ch = MastodonChannel::new(account, creds, &self.ctx);
        let own = ch.own_id().await?;
        let instance_host = instance_host(account);
        let mut out = Vec::new();
        for status in ch.replies_to(status_id).await? {
            let Some(id) = status["id"].as_str().map(str::to_string) else { continue };
            if seen.contains(&id) {
                continue;
            }
            let author = &status["account"];
            if author["id"].as_str() == Some(own.as_str()) {
                seen.push(id);
                continue;
            }
            let profile = match author["id"].as_str() {
                Some(aid) => Some(ch.account(aid).await?),
                None => None,
            };
            out.push((mastodon_answer(&status, profile.as_ref(), &instance_host), true));
        }
        Ok(out)
    }

    /// New replies in a Bluesky post's thread (through the AppView), with their authors' profiles.
    async fn bluesky_answers(&self, account: &crate::store::channels::ChannelAccount, creds: CredentialsHandle, uri: &str, seen: &mut Vec<String>) -> Result<Vec<(Harvested, bool)>, SendError> {
        let ch = crate::broadcast::bluesky::BlueskyChannel::new(account, creds, &self.ctx);
        let thread = ch.thread(uri).await?;
        let mut posts = Vec::new();
        collect_replies(&thread["thread"], &mut posts);
        let mut out = Vec::new();
        for p in posts {
            let Some(id) = p["uri"].as_str().map(str::to_string) else { continue };
            if seen.contains(&id) {
                continue;
            }
            let did = p["author"]["did"].as_str().unwrap_or_default().to_string();
            if did == ch.did() || did.is_empty() {
                seen.push(id);
                continue;
            }
            let profile = ch.profile(&did).await?;
            out.push((bluesky_answer(&p, &profile), false));
        }
        Ok(out)
    }

    /// New replies in an X post's conversation, with their authors' profiles.
    async fn x_answers(&self, account: &crate::store::channels::ChannelAccount, creds: CredentialsHandle, tweet_id: &str, seen: &mut Vec<String>) -> Result<Vec<(Harvested, bool)>, SendError> {
        let ch = crate::broadcast::x::XChannel::new(account, creds, &self.ctx);
        let v = ch.conversation(tweet_id).await?;
        let users: Vec<Value> = v["includes"]["users"].as_array().cloned().unwrap_or_default();
        let mut out = Vec::new();
        for t in v["data"].as_array().into_iter().flatten() {
            let Some(id) = t["id"].as_str().map(str::to_string) else { continue };
            if seen.contains(&id) {
                continue;
            }
            let author = t["author_id"].as_str().unwrap_or_default();
            if author == ch.user_id() || author.is_empty() {
                seen.push(id);
                continue;
            }
            let user = users.iter().find(|u| u["id"].as_str() == Some(author)).cloned().unwrap_or_default();
            out.push((x_answer(t, &user), false));
        }
        Ok(out)
    }

    /// Sends the acknowledgements due, each once (Mastodon's Idempotency-Key is its key).
    /// Every message due, batch after batch.
    async fn send_messages(&self) -> anyhow::Result<()> {
        // Bounded: a message due again at once (a network's rate limit ending now) is not
        // sent in a tight loop here; the next pass takes it.
        for _ in 0..1000 {
            if self.send_batch().await? == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Claims the messages due (oldest first; another worker skips them while claimed) and
    /// sends them several at once: an email mostly waits on the SMTP server's answers (and a
    /// direct message on the network's), so as many as the mailer keeps connections (32).
    /// Returns how many were claimed.
    async fn send_batch(&self) -> anyhow::Result<usize> {
        use futures_util::StreamExt;
        let now = self.ctx.clock.now();
        let at_once = crate::notify::MAX_SMTP_CONNECTIONS as usize;
        let lease = now + Duration::seconds(self.ctx.settings.broadcast.lease_secs.max(1) as i64);
        // Two waves a batch: the lease (HIRECAST_LEASE_SECS) outlasts two sends that time out
        // (more than twice the send timeout), so no other worker takes a message being sent.
        let limit = (at_once * 2) as i64;
        let due = crate::store::run(&self.ctx.pool, move |c| Ok(store::claim_messages(c, now, limit, lease)?)).await?;
        let n = due.len();
        let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(due).map(|m| self.send_one(m, now)).buffered(at_once).collect().await;
        results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
        Ok(n)
    }

    /// Sends one claimed message and records how it went.
    async fn send_one(&self, m: store::MessageRow, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
        {
            let (account_id, opening_id, key) = (m.account_id.clone().unwrap_or_default(), m.opening_id.clone().unwrap_or_default(), self.ctx.key.clone());
            let (account, creds, opening) = crate::store::run(&self.ctx.pool, move |c| {
                let account = channels::find(c, &account_id)?;
                let creds = channels::credentials(c, &key, &account_id).ok();
                let opening = crate::store::openings::find(c, &opening_id)?;
                Ok((account, creds, opening))
            })
            .await?;
            let gone = |id: &str| {
                let id = id.to_string();
                crate::store::run(&self.ctx.pool, move |c| Ok(store::message_outcome(c, &id, "failed", None, Some("the channel or the opening is gone"), now, now)?))
            };
            let Some(opening) = opening else {
                gone(&m.id).await?;
                return Ok(());
            };
            let lang: Lang = m.language.as_deref().and_then(Lang::parse).unwrap_or_else(|| opening.draft.language.into());
            let notice = m.kind == "privacy_notice";
            let text = if notice {
                crate::i18n::sourcing::privacy_notice(lang, &opening.draft.company, &opening.draft.title)
            } else {
                crate::i18n::sourcing::acknowledgement(lang, &opening.draft.title)
            };
            // Every message to a candidate carries their self-service privacy link: one that
            // acts at once by email, one that opens a request where others might read it.
            let scope = if m.channel == "email" { crate::store::privacy::LinkScope::Full } else { crate::store::privacy::LinkScope::Request };
            let (cid, base) = (m.candidate_id.clone(), self.ctx.settings.base_url.clone());
            let link = crate::store::run(&self.ctx.pool, move |c| crate::privacy::link(c, &base, &cid, scope, now)).await?;
            let footer = if m.channel == "email" { crate::privacy::footer(lang, &link) } else { crate::privacy::short_footer(lang, &link) };
            let text = format!("{text}\n\n{footer}");
            // An email needs no channel account (an application from the careers site has none).
            if m.channel == "email" {
                let r = self.email(&m.target, lang, &opening.draft.title, &text, notice).await;
                self.message_result(&m.id, r, now).await?;
                return Ok(());
            }
            let (Some(account), Some(creds)) = (account, creds) else {
                gone(&m.id).await?;
                return Ok(());
            };
            let r: Result<String, SendError> = {
                let creds = CredentialsHandle::new(&account.id, creds, self.ctx.pool.clone(), self.ctx.key.clone());
                let ch = MastodonChannel::new(&account, creds, &self.ctx);
                ch.direct_message(&m.target, &text, lang.code(), m.reply_to.as_deref(), &m.idempotency_key).await
            };
            self.message_result(&m.id, r, now).await?;
        }
        Ok(())
    }

    /// Records how sending one message went: sent, failed, or queued again for a retry.
    async fn message_result(&self, id: &str, r: Result<String, SendError>, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
        let id = id.to_string();
        let (state, remote, error, due) = match r {
            Ok(remote) => ("sent", Some(remote), None, now),
            Err(SendError::Retry { reason, at }) => ("queued", None, Some(reason), at.unwrap_or(now + Duration::minutes(1))),
            Err(e) => ("failed", None, Some(e.reason()), now),
        };
        crate::store::run(&self.ctx.pool, move |c| {
            // A retry stays queued: record the error and the new due time without finishing it.
            if state == "queued" {
                use diesel::prelude::*;
                use crate::store::schema::candidate_messages as cm;
                diesel::update(cm::table.find(&id)).set((cm::last_error.eq(error.as_deref()), cm::due_at.eq(due))).execute(c)?;
                return Ok(());
            }
            Ok(store::message_outcome(c, &id, state, remote.as_deref(), error.as_deref(), due, now)?)
        })
        .await
    }
}

impl Harvester {
    /// Whether the author of a post found by a sourcing search objected to being sourced (by
    /// their handle, or an email or phone their post or profile shows).
    async fn objected(&self, h: &Harvested) -> anyhow::Result<bool> {
        let mut ids: Vec<(&str, String)> = vec![("handle", h.author_key.clone())];
        let mut texts = vec![h.text.as_str()];
        if let Some(p) = &h.profile {
            texts.push(p.text.as_str());
        }
        for t in texts {
            let x = crate::sourcing::extract::extract(t);
            ids.extend(x.emails.into_iter().map(|e| ("email", e.to_lowercase())));
            ids.extend(x.phones.into_iter().map(|p| ("phone", p)));
        }
        crate::store::run(&self.ctx.pool, move |c| Ok(crate::store::privacy::objected(c, &ids)?)).await
    }

    /// An acknowledgement by email (text and HTML parts), when mail is configured.
    async fn email(&self, to: &str, lang: Lang, title: &str, text: &str, notice: bool) -> Result<String, SendError> {
        let built;
        let mailer = match &self.mailer {
            Some(m) => m,
            None => {
                built = crate::notify::Mailer::from_settings(&self.ctx.settings.broadcast).map_err(|e| SendError::Rejected { status: None, reason: e.to_string() })?;
                &built
            }
        };
        let subject = match (lang, notice) {
            (Lang::Fr, false) => format!("Votre candidature : {title}"),
            (Lang::En, false) => format!("Your application: {title}"),
            (Lang::Fr, true) => format!("Vos données et le poste « {title} »"),
            (Lang::En, true) => format!("Your data and the {title} opening"),
        };
        let html = format!("<p>{}</p>", ammonia::clean_text(text));
        let mail = crate::notify::Mail { to: to.to_string(), subject, text: text.to_string(), html, headers: Vec::new() };
        mailer.send(&mail).await.map_err(|e| SendError::Retry { reason: e.to_string(), at: None })?;
        Ok(String::new())
    }
}

/// The full addresses behind X's t.co links (`entities.urls[].expanded_url`), added to a text.
fn with_expanded_urls(mut text: String, entities: &Value) -> String {
    for u in entities["urls"].as_array().into_iter().flatten() {
        if let Some(full) = u["expanded_url"].as_str() {
            if !text.contains(full) {
                text.push('\n');
                text.push_str(full);
            }
        }
    }
    text
}

/// An X reply and its author's profile as one answer.
pub fn x_answer(tweet: &Value, user: &Value) -> Harvested {
    let username = user["username"].as_str().unwrap_or_default();
    let id = tweet["id"].as_str().unwrap_or_default();
    let mut profile = with_expanded_urls(user["description"].as_str().unwrap_or_default().to_string(), &user["entities"]["description"]);
    profile = with_expanded_urls(profile, &user["entities"]["url"]);
    if let Some(loc) = user["location"].as_str().filter(|l| !l.is_empty()) {
        profile.push_str(&format!("\nLocation: {loc}"));
    }
    Harvested {
        network: "x".into(),
        kind: SourceKind::Reply,
        remote_id: id.to_string(),
        url: Some(format!("https://x.com/{username}/status/{id}")),
        author_key: format!("x:{}", tweet["author_id"].as_str().unwrap_or_default()),
        author_handle: format!("@{username}"),
        author_name: user["name"].as_str().unwrap_or_default().to_string(),
        text: with_expanded_urls(tweet["text"].as_str().unwrap_or_default().to_string(), &tweet["entities"]),
        language: tweet["lang"].as_str().map(str::to_string),
        posted_at: tweet["created_at"].as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| t.naive_utc()),
        profile: Some(HarvestedProfile { remote_id: format!("{}#profile", tweet["author_id"].as_str().unwrap_or_default()), url: Some(format!("https://x.com/{username}")), text: profile.trim().to_string() }),
    }
}

/// Every reply in a `getPostThread` answer, depth first.
fn collect_replies(node: &Value, out: &mut Vec<Value>) {
    for r in node["replies"].as_array().into_iter().flatten() {
        if r["post"].is_object() {
            out.push(r["post"].clone());
        }
        collect_replies(r, out);
    }
}

/// A Bluesky reply and its author's profile as one answer. Links shown shortened in the text
/// keep their full address in the link facets: those are added to the text that is read.
pub fn bluesky_answer(post: &Value, profile: &Value) -> Harvested {
    let author = &post["author"];
    let did = author["did"].as_str().unwrap_or_default();
    let handle = author["handle"].as_str().unwrap_or_default();
    let mut text = post["record"]["text"].as_str().unwrap_or_default().to_string();
    for f in post["record"]["facets"].as_array().into_iter().flatten() {
        for feature in f["features"].as_array().into_iter().flatten() {
            if let Some(uri) = feature["uri"].as_str() {
                if !text.contains(uri) {
                    text.push('\n');
                    text.push_str(uri);
                }
            }
        }
    }
    let uri = post["uri"].as_str().unwrap_or_default();
    let rkey = uri.rsplit('/').next().unwrap_or_default();
    Harvested {
        network: "bluesky".into(),
        kind: SourceKind::Reply,
        remote_id: uri.to_string(),
        url: Some(format!("https://bsky.app/profile/{handle}/post/{rkey}")),
        author_key: format!("bluesky:{did}"),
        author_handle: format!("@{handle}"),
        author_name: author["displayName"].as_str().unwrap_or_default().to_string(),
        text,
        language: post["record"]["langs"][0].as_str().map(str::to_string),
        posted_at: post["record"]["createdAt"].as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| t.naive_utc()),
        profile: Some(HarvestedProfile {
            remote_id: format!("{did}#profile"),
            url: Some(format!("https://bsky.app/profile/{handle}")),
            text: profile["description"].as_str().unwrap_or_default().to_string(),
        }),
    }
}

/// The host of a Mastodon account's instance (local accounts' handles lack it).
fn instance_host(account: &crate::store::channels::ChannelAccount) -> String {
    match &account.config {
        crate::broadcast::AccountConfig::Mastodon { instance, .. } => url::Url::parse(instance).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A Mastodon reply and its author's profile as one answer.
pub fn mastodon_answer(status: &Value, profile: Option<&Value>, instance_host: &str) -> Harvested {
    let author = &status["account"];
    let acct = author["acct"].as_str().unwrap_or_default();
    // Local accounts have no domain in `acct`: add the instance's, so the identity is global.
    let full = if acct.contains('@') || instance_host.is_empty() { acct.to_string() } else { format!("{acct}@{instance_host}") };
    let profile = profile.map(|p| {
        let mut text = html_to_text(p["note"].as_str().unwrap_or_default());
        for f in p["fields"].as_array().into_iter().flatten() {
            let (name, value) = (f["name"].as_str().unwrap_or_default(), html_to_text(f["value"].as_str().unwrap_or_default()));
            text.push_str(&format!("\n{name}: {value}"));
        }
        HarvestedProfile { remote_id: p["id"].as_str().unwrap_or_default().to_string(), url: p["url"].as_str().map(str::to_string), text: text.trim().to_string() }
    });
    Harvested {
        network: "mastodon".into(),
        kind: SourceKind::Reply,
        remote_id: status["id"].as_str().unwrap_or_default().to_string(),
        url: status["url"].as_str().or(status["uri"].as_str()).map(str::to_string),
        author_key: format!("mastodon:{}", full.to_lowercase()),
        author_handle: format!("@{full}"),
        author_name: author["display_name"].as_str().unwrap_or_default().to_string(),
        text: html_to_text(status["content"].as_str().unwrap_or_default()),
        language: status["language"].as_str().map(str::to_string),
        posted_at: status["created_at"].as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| t.naive_utc()),
        profile,
    }
}
