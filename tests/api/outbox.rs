//! The outbox's rules on both backends, without any network: publishing and closing are one
//! transaction with the status change, claims never hand one delivery to two workers, a
//! worker that vanished leaves an unconfirmed delivery, only the lease holder records.
use chrono::Duration;
use hirecast::broadcast::{AccountConfig, Credentials, DeliveryKind, DeliveryState, RemotePost, WebhookFlavour};
use hirecast::domain::opening::{OpeningDraft, OpeningInput, OpeningStatus};
use hirecast::store::channels::{self, NewAccount};
use hirecast::store::deliveries::{self, OnClose, Outcome, PublishError, PublishPlan, Target};

use crate::helpers::*;

pub fn draft_opening(app: &TestApp, title: &str) -> String {
    let input = OpeningInput {
        title: title.into(),
        company: "Acme".into(),
        country: "FR".into(),
        city: Some("Lyon".into()),
        remote_policy: "hybrid".into(),
        employment_type: "permanent".into(),
        language: "fr".into(),
        required_skills: vec!["Rust".into(), "PostgreSQL".into()],
        ..Default::default()
    };
    let draft = OpeningDraft::parse(&input, app.state.clock.today()).unwrap();
    app.db(|c| hirecast::store::openings::create(c, &draft, None).unwrap().id)
}

pub fn webhook_account(app: &TestApp, name: &str) -> String {
    let config = AccountConfig::Webhook { flavour: WebhookFlavour::Generic, host: "hooks.example.org".into() };
    let creds = Credentials::Webhook { url: format!("https://hooks.example.org/{name}"), signing_secret: Some("s".repeat(32)) };
    app.db(|c| {
        let a = channels::create(
            c,
            &app.state.key,
            NewAccount { name, config: &config, credentials: &creds, token_expires_at: None, created_by: None },
        )
        .unwrap();
        // No budget in these tests: every due delivery may be claimed at once.
        channels::set_min_interval(c, &a.id, 0).unwrap();
        a.id
    })
}

fn plan(accounts: &[&str]) -> PublishPlan {
    PublishPlan {
        targets: accounts.iter().map(|a| Target { account_id: a.to_string(), on_close: OnClose::Nothing }).collect(),
        at: None,
        repost_every_days: None,
    }
}

fn publish(app: &TestApp, opening: &str, p: &PublishPlan) -> Result<Vec<deliveries::DeliveryRow>, PublishError> {
    let (base, today, now) = (app.state.settings.base_url.clone(), app.state.clock.today(), app.state.clock.now());
    app.db(|c| deliveries::publish(c, opening, p, &base, today, now, None))
}

fn status_of(app: &TestApp, opening: &str) -> OpeningStatus {
    app.db(|c| hirecast::store::openings::find(c, opening).unwrap().unwrap().status)
}

async fn publishing_opens_the_opening_and_queues_one_delivery_per_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = draft_opening(&app, "Développeur Rust (H/F)");
    let (a, b) = (webhook_account(&app, "a"), webhook_account(&app, "b"));
    let created = publish(&app, &o, &plan(&[&a, &b])).unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(status_of(&app, &o), OpeningStatus::Open);
    assert!(created.iter().all(|d| d.state() == DeliveryState::Queued && d.kind() == DeliveryKind::Post));
    // The marker is the opening's tracked link on this channel.
    assert!(created[0].marker.starts_with(&format!("{}/r/", app.state.settings.base_url)), "{}", created[0].marker);
    // Publishing again posts nothing twice.
    assert!(publish(&app, &o, &plan(&[&a, &b])).unwrap().is_empty());
    assert_eq!(app.db(|c| deliveries::list_for_opening(c, &o).unwrap()).len(), 2);
}

async fn a_channel_needing_reconnection_publishes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = draft_opening(&app, "Data engineer");
    let (a, b) = (webhook_account(&app, "a"), webhook_account(&app, "b"));
    app.db(|c| channels::set_status(c, &b, channels::AccountStatus::ReconnectNeeded, Some("token revoked"), app.state.clock.now()).unwrap());
    let err = publish(&app, &o, &plan(&[&a, &b])).unwrap_err();
    assert!(matches!(err, PublishError::AccountNotReady { ref account_id, .. } if *account_id == b), "{err:?}");
    // One transaction: the opening stayed a draft and no delivery exists.
    assert_eq!(status_of(&app, &o), OpeningStatus::Draft);
    assert!(app.db(|c| deliveries::list_for_opening(c, &o).unwrap()).is_empty());
}

async fn concurrent_claims_never_share_a_delivery(backend: Backend) {
    let app = spawn_app(backend).await;
    let accounts: Vec<String> = (0..6).map(|i| webhook_account(&app, &format!("acct{i}"))).collect();
    let refs: Vec<&str> = accounts.iter().map(String::as_str).collect();
    for i in 0..5 {
        let o = draft_opening(&app, &format!("Opening {i}"));
        publish(&app, &o, &plan(&refs)).unwrap();
    }
    let pool = hirecast::store::connect(&app.state.settings.database_url, 6).unwrap();
    let now = app.state.clock.now();
    let start = std::sync::Arc::new(std::sync::Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|w| {
            let (pool, start) = (pool.clone(), start.clone());
            std::thread::spawn(move || {
                let mut c = pool.get().unwrap();
                start.wait();
                let mut mine = Vec::new();
                // Each pass takes at most one delivery per account; keep claiming until dry.
                for _ in 0..40 {
                    let got = deliveries::claim(&mut c, &format!("w{w}"), now, Duration::seconds(60), 3).unwrap();
                    mine.extend(got.into_iter().map(|cl| cl.delivery.id));
                }
                mine
            })
        })
        .collect();
    let mut all: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(total, all.len(), "a delivery was claimed twice");
    assert_eq!(all.len(), 30, "every delivery was claimed");
}

async fn the_account_budget_spreads_a_burst(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = webhook_account(&app, "a");
    app.db(|c| channels::set_min_interval(c, &a, 10_000).unwrap());
    for i in 0..3 {
        let o = draft_opening(&app, &format!("Opening {i}"));
        publish(&app, &o, &plan(&[&a])).unwrap();
    }
    let now = app.state.clock.now();
    let claim = |at| app.db(|c| deliveries::claim(c, "w", at, Duration::seconds(60), 10).unwrap().len());
    assert_eq!(claim(now), 1, "one send per interval on an account");
    assert_eq!(claim(now + Duration::seconds(5)), 0);
    assert_eq!(claim(now + Duration::seconds(11)), 1);
}

async fn a_vanished_worker_leaves_an_unconfirmed_delivery_that_is_read_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = webhook_account(&app, "a");
    let o = draft_opening(&app, "Opening");
    let id = publish(&app, &o, &plan(&[&a])).unwrap()[0].id.clone();
    let now = app.state.clock.now();
    let got = app.db(|c| deliveries::claim(c, "dead", now, Duration::seconds(30), 5).unwrap());
    assert_eq!(got.len(), 1);
    assert!(!got[0].reconcile);
    // Before the lease ends nobody else takes it.
    assert_eq!(app.db(|c| deliveries::expire_leases(c, now + Duration::seconds(29)).unwrap()), 0);
    assert!(app.db(|c| deliveries::claim(c, "other", now + Duration::seconds(29), Duration::seconds(30), 5).unwrap()).is_empty());
    // After it, the delivery is unconfirmed, and the next claim is a reconciliation.
    assert_eq!(app.db(|c| deliveries::expire_leases(c, now + Duration::seconds(31)).unwrap()), 1);
    let d = app.db(|c| deliveries::find(c, &id).unwrap().unwrap());
    assert_eq!(d.state(), DeliveryState::Unconfirmed);
    let got = app.db(|c| deliveries::claim(c, "other", now + Duration::seconds(31), Duration::seconds(30), 5).unwrap());
    assert_eq!(got.len(), 1);
    assert!(got[0].reconcile, "an unconfirmed delivery is read back before any send");
    // The vanished worker's late outcome is not recorded; the holder's is.
    let published = Outcome::Published(RemotePost { id: "1".into(), url: Some("https://example.org/1".into()), ids: vec!["1".into()] });
    let later = now + Duration::seconds(32);
    assert_eq!(app.db(|c| deliveries::record(c, &id, "dead", &published, later).unwrap()), None);
    assert_eq!(app.db(|c| deliveries::record(c, &id, "other", &published, later).unwrap()), Some(DeliveryState::Published));
    let events = app.db(|c| deliveries::events(c, &id).unwrap());
    let states: Vec<&str> = events.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(states, ["queued", "sending", "unconfirmed", "sending", "published"]);
}

async fn retries_wait_until_their_time_and_reposts_are_scheduled(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = webhook_account(&app, "a");
    let o = draft_opening(&app, "Opening");
    let mut p = plan(&[&a]);
    p.repost_every_days = Some(7);
    let id = publish(&app, &o, &p).unwrap()[0].id.clone();
    let now = app.state.clock.now();
    app.db(|c| deliveries::claim(c, "w", now, Duration::seconds(30), 5).unwrap());
    let at = now + Duration::minutes(20);
    let retry = Outcome::RetryAt { at, reason: "429 Too Many Requests".into(), status: Some(429) };
    assert_eq!(app.db(|c| deliveries::record(c, &id, "w", &retry, now).unwrap()), Some(DeliveryState::Scheduled));
    assert!(app.db(|c| deliveries::claim(c, "w", at - Duration::seconds(1), Duration::seconds(30), 5).unwrap()).is_empty());
    assert_eq!(app.db(|c| deliveries::claim(c, "w", at, Duration::seconds(30), 5).unwrap()).len(), 1);
    let published = Outcome::Published(RemotePost { id: "9".into(), url: None, ids: vec!["9".into()] });
    app.db(|c| deliveries::record(c, &id, "w", &published, at).unwrap());
    let all = app.db(|c| deliveries::list_for_opening(c, &o).unwrap());
    let repost = all.iter().find(|v| v.delivery.kind() == DeliveryKind::Repost).expect("a re-post is scheduled");
    assert_eq!(repost.delivery.due_at, at + Duration::days(7));
    assert_eq!(repost.delivery.state(), DeliveryState::Scheduled);
}

async fn closing_cancels_what_is_pending_and_queues_the_close_actions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, b, c2) = (webhook_account(&app, "a"), webhook_account(&app, "b"), webhook_account(&app, "c"));
    let o = draft_opening(&app, "Opening");
    let p = PublishPlan {
        targets: vec![
            Target { account_id: a.clone(), on_close: OnClose::Reply },
            Target { account_id: b.clone(), on_close: OnClose::Delete },
            Target { account_id: c2.clone(), on_close: OnClose::Nothing },
        ],
        at: None,
        repost_every_days: None,
    };
    let created = publish(&app, &o, &p).unwrap();
    let now = app.state.clock.now();
    // a and b get published; c's post is put off an hour, so it is still pending at close.
    let got = app.db(|c| deliveries::claim(c, "w", now, Duration::seconds(30), 10).unwrap());
    assert_eq!(got.len(), 3);
    for g in &got {
        let outcome = if g.delivery.account_id == c2 {
            Outcome::RetryAt { at: now + Duration::hours(1), reason: "later".into(), status: None }
        } else {
            let r = format!("r-{}", g.delivery.account_id);
            Outcome::Published(RemotePost { id: r.clone(), url: None, ids: vec![r] })
        };
        app.db(|c| deliveries::record(c, &g.delivery.id, "w", &outcome, now).unwrap());
    }
    let _ = &created;
    let follow = app.db(|c| deliveries::close_opening(c, &o, app.state.clock.today(), now).unwrap());
    assert_eq!(status_of(&app, &o), OpeningStatus::Closed);
    let kinds: Vec<(String, DeliveryKind)> = follow.iter().map(|d| (d.account_id.clone(), d.kind())).collect();
    assert!(kinds.contains(&(a.clone(), DeliveryKind::FilledReply)), "{kinds:?}");
    assert!(kinds.contains(&(b.clone(), DeliveryKind::Delete)), "{kinds:?}");
    assert_eq!(kinds.len(), 2);
    let c_post = app.db(|c| deliveries::list_for_opening(c, &o).unwrap()).into_iter().find(|v| v.delivery.account_id == c2).unwrap();
    assert_eq!(c_post.delivery.state(), DeliveryState::Cancelled);
}

/// Closing while posts are out: a post being sent or unconfirmed is not cancelled; an
/// unconfirmed one is still claimed (to be read back) although its opening is closed; one that
/// turns out published gets its channel's close action then; a retry is never sent afresh, and
/// a claimed post that had not started yet does not start.
async fn posts_out_at_close_are_read_back_and_get_their_close_action(backend: Backend) {
    let app = spawn_app(backend).await;
    let accounts: Vec<String> = ["a", "b", "c", "d", "e"].iter().map(|n| webhook_account(&app, n)).collect();
    let [a, b, c2, d2, e] = [&accounts[0], &accounts[1], &accounts[2], &accounts[3], &accounts[4]];
    let o = draft_opening(&app, "Opening");
    let on_close = [OnClose::Reply, OnClose::Delete, OnClose::Reply, OnClose::Reply, OnClose::Delete];
    let p = PublishPlan {
        targets: accounts.iter().zip(on_close).map(|(id, on_close)| Target { account_id: id.clone(), on_close }).collect(),
        at: None,
        repost_every_days: Some(7),
    };
    publish(&app, &o, &p).unwrap();
    let now = app.state.clock.now();
    let got = app.db(|c| deliveries::claim(c, "w", now, Duration::seconds(60), 10).unwrap());
    assert_eq!(got.len(), 5);
    let id_of = |account: &str| got.iter().find(|g| g.delivery.account_id == account).unwrap().delivery.id.clone();
    // d's worker had started its attempt before the close; the others had not.
    assert_eq!(app.db(|c| deliveries::start_attempt(c, &id_of(d2), "w", now).unwrap()), deliveries::Attempt::Go);
    // e's outcome is unknown before the close.
    let unknown = Outcome::Unconfirmed { at: now, reason: "the network did not answer in time".into() };
    app.db(|c| deliveries::record(c, &id_of(e), "w", &unknown, now).unwrap());

    let follow = app.db(|c| deliveries::close_opening(c, &o, app.state.clock.today(), now).unwrap());
    assert!(follow.is_empty(), "nothing is published yet: {follow:?}");
    for account in [a, b, c2, d2] {
        assert_eq!(app.db(|c| deliveries::find(c, &id_of(account)).unwrap().unwrap()).state(), DeliveryState::Sending, "left to its worker");
    }
    assert_eq!(app.db(|c| deliveries::find(c, &id_of(e)).unwrap().unwrap()).state(), DeliveryState::Unconfirmed);
    let close_actions = |account: &str| -> Vec<(DeliveryKind, Option<String>)> {
        app.db(|c| deliveries::list_for_opening(c, &o).unwrap())
            .into_iter()
            .filter(|v| v.delivery.account_id == account && matches!(v.delivery.kind(), DeliveryKind::FilledReply | DeliveryKind::Delete))
            .map(|v| (v.delivery.kind(), v.delivery.parent_id))
            .collect()
    };
    let published = |r: &str| Outcome::Published(RemotePost { id: r.into(), url: None, ids: vec![r.into()] });

    // a: claimed before the close, it has not started: it never starts.
    assert_eq!(
        app.db(|c| deliveries::start_attempt(c, &id_of(a), "w", now).unwrap()),
        deliveries::Attempt::OpeningNotOpen(OpeningStatus::Closed)
    );
    // d was in flight and is published after the close: its reply is queued at once.
    assert_eq!(app.db(|c| deliveries::record(c, &id_of(d2), "w", &published("r-d"), now).unwrap()), Some(DeliveryState::Published));
    assert_eq!(close_actions(d2), vec![(DeliveryKind::FilledReply, Some(id_of(d2)))]);
    // e, unconfirmed, is still claimed, to be read back, although the opening is closed…
    let later = now + Duration::seconds(1);
    let again = app.db(|c| deliveries::claim(c, "w2", later, Duration::seconds(60), 10).unwrap());
    let posts: Vec<_> = again.iter().filter(|g| g.delivery.kind() == DeliveryKind::Post).map(|g| (g.delivery.id.clone(), g.reconcile)).collect();
    assert_eq!(posts, vec![(id_of(e), true)]);
    // (d's reply was claimed too: close actions go whatever the opening's status.)
    assert!(again.iter().any(|g| g.delivery.kind() == DeliveryKind::FilledReply && g.delivery.account_id == *d2));
    // …and found published: it is deleted, as its channel asked.
    assert_eq!(app.db(|c| deliveries::record(c, &id_of(e), "w2", &published("r-e"), later).unwrap()), Some(DeliveryState::Published));
    assert_eq!(close_actions(e), vec![(DeliveryKind::Delete, Some(id_of(e)))]);
    // b: a retryable error after the close is not retried: cancelled.
    let retry = Outcome::RetryAt { at: later, reason: "503 Service Unavailable".into(), status: None };
    assert_eq!(app.db(|c| deliveries::record(c, &id_of(b), "w", &retry, later).unwrap()), Some(DeliveryState::Cancelled));
    assert!(close_actions(b).is_empty());
    // c: a person confirms, after the close, a post nobody knew was published: its reply is queued.
    let review = Outcome::NeedsReview { reason: "cannot be checked".into() };
    app.db(|c| deliveries::record(c, &id_of(c2), "w", &review, later).unwrap());
    app.db(|c| deliveries::confirm_published(c, &id_of(c2), None, later).unwrap());
    assert_eq!(close_actions(c2), vec![(DeliveryKind::FilledReply, Some(id_of(c2)))]);
    // No re-post is scheduled for a closed opening.
    let all = app.db(|c| deliveries::list_for_opening(c, &o).unwrap());
    assert!(!all.iter().any(|v| v.delivery.kind() == DeliveryKind::Repost), "re-posts after close");
}

async fn people_can_retry_confirm_and_cancel_only_from_the_right_state(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = webhook_account(&app, "a");
    let o = draft_opening(&app, "Opening");
    let id = publish(&app, &o, &plan(&[&a])).unwrap()[0].id.clone();
    let now = app.state.clock.now();
    assert!(matches!(app.db(|c| deliveries::retry(c, &id, now, None)), Err(deliveries::ActionError::WrongState("queued"))));
    assert!(matches!(app.db(|c| deliveries::retry(c, "nope", now, None)), Err(deliveries::ActionError::NotFound)));
    app.db(|c| deliveries::claim(c, "w", now, Duration::seconds(30), 5).unwrap());
    let review = Outcome::NeedsReview { reason: "cannot be checked".into() };
    app.db(|c| deliveries::record(c, &id, "w", &review, now).unwrap());
    // Needs review: never claimed again by a worker.
    assert!(app.db(|c| deliveries::claim(c, "w", now + Duration::hours(1), Duration::seconds(30), 5).unwrap()).is_empty());
    assert_eq!(app.db(|c| deliveries::needing_attention(c, None, 10).unwrap()).len(), 1);
    let d = app.db(|c| deliveries::confirm_published(c, &id, Some("https://example.org/p/1"), now).unwrap());
    assert_eq!(d.state(), DeliveryState::Published);
    assert!(app.db(|c| deliveries::needing_attention(c, None, 10).unwrap()).is_empty());
    assert!(matches!(app.db(|c| deliveries::cancel(c, &id, now)), Err(deliveries::ActionError::WrongState("published"))));
}

crate::on_both_backends!(
    publishing_opens_the_opening_and_queues_one_delivery_per_channel,
    a_channel_needing_reconnection_publishes_nothing,
    concurrent_claims_never_share_a_delivery,
    the_account_budget_spreads_a_burst,
    a_vanished_worker_leaves_an_unconfirmed_delivery_that_is_read_back,
    retries_wait_until_their_time_and_reposts_are_scheduled,
    closing_cancels_what_is_pending_and_queues_the_close_actions,
    people_can_retry_confirm_and_cancel_only_from_the_right_state,
    posts_out_at_close_are_read_back_and_get_their_close_action,
);
