//! The delivery worker end to end, against a wiremock stub of X (built from its documented
//! shapes; no X server exists offline) on both backends: the lease renewed during a long send,
//! reconciliation by the delivery's marker after a timeout, retries and their backoff on the
//! injectable clock, and the races of closing an opening while a post is out.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, SecondsFormat, Utc};
use hirecast::broadcast::worker::Worker;
use hirecast::broadcast::{AccountConfig, Credentials, DeliveryKind, DeliveryState};
use hirecast::config::BroadcastSettings;
use hirecast::store::channels::{self, NewAccount};
use hirecast::store::deliveries::{self, DeliveryRow, OnClose, PublishPlan, Target};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

/// An app whose X client talks to a fresh wiremock server; `configure` changes the broadcast settings.
async fn app_with_x(backend: Backend, configure: impl FnOnce(&mut BroadcastSettings) + Send + 'static) -> (TestApp, MockServer) {
    let server = MockServer::start().await;
    let uri = server.uri();
    let app = spawn_app_with(backend, move |s| {
        s.broadcast.x_api_url = uri.clone();
        s.broadcast.x_authorize_url = format!("{uri}/i/oauth2/authorize");
        s.broadcast.x_client_id = Some("x-client-id".into());
        s.broadcast.x_client_secret = Some("x-client-secret".into());
        configure(&mut s.broadcast);
    })
    .await;
    (app, server)
}

/// A connected X account (user 42, @acme_jobs) with no send budget.
fn x_account(app: &TestApp) -> String {
    let config = AccountConfig::X { user_id: "42".into(), username: "acme_jobs".into(), max_weighted_length: None };
    let creds = Credentials::OAuth2 { access_token: "at-1".into(), refresh_token: None, expires_at: None };
    app.db(|c| {
        let a = channels::create(c, &app.state.key, NewAccount { name: "@acme_jobs", config: &config, credentials: &creds, token_expires_at: None, created_by: None })
            .unwrap();
        channels::set_min_interval(c, &a.id, 0).unwrap();
        a.id
    })
}

fn publish(app: &TestApp, opening: &str, account: &str, on_close: OnClose) -> DeliveryRow {
    let plan = PublishPlan { targets: vec![Target { account_id: account.into(), on_close }], at: None, repost_every_days: None };
    let (base, today, now) = (app.state.settings.base_url.clone(), app.state.clock.today(), app.state.clock.now());
    app.db(|c| deliveries::publish(c, opening, &plan, &base, today, now, None).unwrap()).remove(0)
}

fn delivery(app: &TestApp, id: &str) -> DeliveryRow {
    app.db(|c| deliveries::find(c, id).unwrap().unwrap())
}

fn worker(app: &TestApp) -> Worker {
    Worker::new(crate::mastodon::context(app))
}

/// X's answer to a created post.
fn created(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"data": {"id": id, "text": "…", "edit_history_tweet_ids": [id]}}))
}

/// A post of the account's timeline carrying `marker` (X shows it as a t.co link).
fn tweet_with(id: &str, marker: &str) -> Value {
    json!({
        "id": id,
        "text": "Développeur·se Rust (H/F) https://t.co/xYz12",
        "created_at": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "entities": {"urls": [{"start": 26, "end": 49, "url": "https://t.co/xYz12", "expanded_url": marker, "display_url": "…"}]}
    })
}

async fn mount_timeline(server: &MockServer, tweets: Vec<Value>) {
    let body = if tweets.is_empty() { json!({"meta": {"result_count": 0}}) } else { json!({"data": tweets, "meta": {"result_count": tweets.len()}}) };
    Mock::given(method("GET")).and(path("/2/users/42/tweets")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(server).await;
}

async fn posts_received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap().into_iter().filter(|r| r.method.as_str() == "POST" && r.url.path() == "/2/tweets").collect()
}

fn states(app: &TestApp, id: &str) -> Vec<(String, Option<String>)> {
    app.db(|c| deliveries::events(c, id).unwrap()).into_iter().map(|(_, s, d)| (s, d)).collect()
}

// ---------------------------------------------------------------------------------------
// Lease renewal

/// A send longer than the lease (a thread of ten posts, each answered after half a second,
/// with a 3 s lease): the worker's heartbeat keeps the lease, so a second worker polling all
/// along never takes the delivery over, and each post goes out once.
async fn a_send_longer_than_the_lease_keeps_its_lease(backend: Backend) {
    let (app, server) = app_with_x(backend, |b| {
        b.send_timeout_secs = 1;
        b.lease_secs = 3;
    })
    .await;
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(move |_: &Request| created(&format!("{}", 500 + counter.fetch_add(1, Ordering::SeqCst))).set_delay(StdDuration::from_millis(500)))
        .mount(&server)
        .await;
    mount_timeline(&server, vec![]).await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Nothing);
    // A frozen thread of ten posts: the worker sends what is frozen.
    let thread: Vec<_> = (1..=10).map(|i| crate::x_linkedin::post(&format!("{i}/10 {}", d.marker))).collect();
    let json = serde_json::to_string(&thread).unwrap();
    app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::deliveries as t;
        diesel::update(t::table.find(&d.id)).set(t::payload.eq(Some(json))).execute(c).unwrap();
    });

    let first = worker(&app);
    let sending = tokio::spawn(async move { first.run_once().await.unwrap() });
    while delivery(&app, &d.id).state() != DeliveryState::Sending {
        assert!(!sending.is_finished(), "the first worker did not take the delivery");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let second = worker(&app);
    let mut taken_by_second = 0;
    while !sending.is_finished() {
        taken_by_second += second.run_once().await.unwrap();
        tokio::time::sleep(StdDuration::from_millis(150)).await;
    }
    assert_eq!(sending.await.unwrap(), 1);
    assert_eq!(taken_by_second, 0, "the second worker took over a delivery still being sent");
    assert_eq!(posts_received(&server).await.len(), 10, "each post of the thread once");
    let d = delivery(&app, &d.id);
    assert_eq!(d.state(), DeliveryState::Published);
    assert_eq!(d.remote().unwrap().ids.len(), 10);
    let history = states(&app, &d.id);
    assert!(!history.iter().any(|(s, _)| s == "unconfirmed"), "{history:?}");
}

crate::on_both_backends!(a_send_longer_than_the_lease_keeps_its_lease);

// ---------------------------------------------------------------------------------------
// Reconciliation by marker

/// The first POST answers after the send timeout (1 s here): the delivery is unconfirmed. X
/// then shows a post carrying the delivery's marker: the next attempt reads the timeline back
/// and records that post, without a second POST.
async fn a_timed_out_post_found_by_its_marker_is_not_sent_again(backend: Backend) {
    let (app, server) = app_with_x(backend, |b| b.send_timeout_secs = 1).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(created("1850000000000000777").set_delay(StdDuration::from_millis(2500)))
        .expect(1)
        .mount(&server)
        .await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Nothing);
    let w = worker(&app);
    assert_eq!(w.run_once().await.unwrap(), 1);
    let after_timeout = delivery(&app, &d.id);
    assert_eq!(after_timeout.state(), DeliveryState::Unconfirmed, "{:?}", after_timeout.last_error);
    assert!(after_timeout.last_error.as_deref().unwrap_or("").contains("in time"), "{:?}", after_timeout.last_error);

    // The post was created after all: the timeline shows it (next to another opening's).
    mount_timeline(&server, vec![tweet_with("1850000000000000777", &d.marker), tweet_with("1850000000000000001", "https://jobs.example.org/r/zz99zz99")]).await;
    // Not before the network had time to show it.
    assert_eq!(w.run_once().await.unwrap(), 0);
    app.state.clock.advance(Duration::seconds(2));
    assert_eq!(w.run_once().await.unwrap(), 1);
    let d = delivery(&app, &d.id);
    assert_eq!(d.state(), DeliveryState::Published);
    assert_eq!(d.remote_id.as_deref(), Some("1850000000000000777"));
    assert_eq!(d.remote_url.as_deref(), Some("https://x.com/acme_jobs/status/1850000000000000777"));
    assert_eq!(posts_received(&server).await.len(), 1, "found by its marker: never posted twice");
    let history: Vec<String> = states(&app, &d.id).into_iter().map(|(s, _)| s).collect();
    assert_eq!(history, ["queued", "sending", "unconfirmed", "sending", "published"]);
}

/// The same timeout, but the timeline does not show the post: it is sent once more, and only once.
async fn a_timed_out_post_not_found_is_sent_exactly_once_more(backend: Backend) {
    let (app, server) = app_with_x(backend, |b| b.send_timeout_secs = 1).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(created("1850000000000000777").set_delay(StdDuration::from_millis(2500)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/2/tweets")).respond_with(created("1850000000000000778")).mount(&server).await;
    mount_timeline(&server, vec![tweet_with("1850000000000000001", "https://jobs.example.org/r/zz99zz99")]).await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Nothing);
    let w = worker(&app);
    assert_eq!(w.run_once().await.unwrap(), 1);
    assert_eq!(delivery(&app, &d.id).state(), DeliveryState::Unconfirmed);
    app.state.clock.advance(Duration::seconds(2));
    assert_eq!(w.run_once().await.unwrap(), 1);
    let d = delivery(&app, &d.id);
    assert_eq!(d.state(), DeliveryState::Published);
    assert_eq!(d.remote_id.as_deref(), Some("1850000000000000778"));
    assert_eq!(posts_received(&server).await.len(), 2, "one send, then exactly one resend");
    let reads = server.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == "/2/users/42/tweets").count();
    assert_eq!(reads, 1, "the timeline is read before sending again");
    assert_eq!(w.run_once().await.unwrap(), 0);
}

crate::on_both_backends!(a_timed_out_post_found_by_its_marker_is_not_sent_again, a_timed_out_post_not_found_is_sent_exactly_once_more);

// ---------------------------------------------------------------------------------------
// Retries

/// A 503 reschedules the delivery at the backoff time (fixed jitter, injectable clock); it is
/// not sent before then; after HIRECAST_MAX_ATTEMPTS attempts it fails for good with the reason.
async fn a_5xx_is_retried_at_the_backoff_time_then_fails_for_good(backend: Backend) {
    use hirecast::broadcast::rate::backoff;
    let (app, server) = app_with_x(backend, |b| b.max_attempts = 3).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503})))
        .mount(&server)
        .await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Nothing);
    let w = worker(&app).with_jitter(0.5);
    for attempt in 1..=2u32 {
        let before = app.state.clock.now();
        assert_eq!(w.run_once().await.unwrap(), 1);
        let after = app.state.clock.now();
        let row = delivery(&app, &d.id);
        assert_eq!(row.state(), DeliveryState::Scheduled, "attempt {attempt}: {:?}", row.last_error);
        assert_eq!(row.attempts, attempt as i64);
        assert!(row.last_error.as_deref().unwrap_or("").contains("503"), "{:?}", row.last_error);
        // Equal jitter: half of the exponential delay fixed, half random (here half of that half).
        let wait = backoff(attempt, 0.5);
        assert_eq!(wait, Duration::seconds([22, 45][attempt as usize - 1]));
        assert!(row.due_at >= before + wait && row.due_at <= after + wait, "attempt {attempt}: due {} not {} + {wait}", row.due_at, before);
        // Not before its time…
        let left = row.due_at - app.state.clock.now();
        app.state.clock.advance(left - Duration::seconds(2));
        assert_eq!(w.run_once().await.unwrap(), 0, "attempt {attempt}: sent before its time");
        // …then at it.
        app.state.clock.advance(Duration::seconds(3));
    }
    assert_eq!(w.run_once().await.unwrap(), 1);
    let row = delivery(&app, &d.id);
    assert_eq!(row.state(), DeliveryState::Failed);
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_error.as_deref(), Some("gave up after 3 attempts: 503 Service Unavailable"));
    assert_eq!(posts_received(&server).await.len(), 3);
    app.state.clock.advance(Duration::hours(2));
    assert_eq!(w.run_once().await.unwrap(), 0, "failed for good");
}

/// A 400 is the network refusing this post: failed at once, with its message, no retry.
async fn a_4xx_fails_at_once_with_the_networks_message(backend: Backend) {
    let (app, server) = app_with_x(backend, |_| {}).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errors": [{"message": "The `text` field is too long."}],
            "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Nothing);
    let w = worker(&app).with_jitter(0.5);
    assert_eq!(w.run_once().await.unwrap(), 1);
    let row = delivery(&app, &d.id);
    assert_eq!(row.state(), DeliveryState::Failed);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.last_status, Some(400));
    assert_eq!(row.last_error.as_deref(), Some("400 One or more parameters to your request was invalid."));
    app.state.clock.advance(Duration::hours(2));
    assert_eq!(w.run_once().await.unwrap(), 0);
    assert_eq!(posts_received(&server).await.len(), 1);
    assert_eq!(app.db(|c| channels::find(c, &account).unwrap().unwrap()).status, channels::AccountStatus::Connected);
}

crate::on_both_backends!(a_5xx_is_retried_at_the_backoff_time_then_fails_for_good, a_4xx_fails_at_once_with_the_networks_message);

// ---------------------------------------------------------------------------------------
// Closing while a post is out

/// Mounts a first POST /2/tweets that answers after the 1 s send timeout (the outcome is
/// unknown), then quick answers with `then_id`.
async fn mount_slow_then_quick(server: &MockServer, then_id: &str) {
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(created("1850000000000000777").set_delay(StdDuration::from_millis(2500)))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST")).and(path("/2/tweets")).respond_with(created(then_id)).mount(server).await;
}

fn close(app: &TestApp, opening: &str) -> Vec<DeliveryRow> {
    app.db(|c| deliveries::close_opening(c, opening, app.state.clock.today(), app.state.clock.now()).unwrap())
}

/// Unconfirmed when the opening is closed, then found on the timeline: published, and the
/// channel's close action ("position filled" under it) is queued and sent.
async fn a_post_unconfirmed_at_close_and_found_gets_its_close_action(backend: Backend) {
    let (app, server) = app_with_x(backend, |b| b.send_timeout_secs = 1).await;
    mount_slow_then_quick(&server, "1850000000000000999").await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Reply);
    let w = worker(&app);
    assert_eq!(w.run_once().await.unwrap(), 1);
    assert_eq!(delivery(&app, &d.id).state(), DeliveryState::Unconfirmed);
    assert!(close(&app, &opening).is_empty(), "nothing to reply under yet");
    assert_eq!(delivery(&app, &d.id).state(), DeliveryState::Unconfirmed, "not cancelled: it may exist");

    mount_timeline(&server, vec![tweet_with("1850000000000000777", &d.marker)]).await;
    app.state.clock.advance(Duration::seconds(2));
    assert_eq!(w.run_once().await.unwrap(), 1, "read back although the opening is closed");
    let d = delivery(&app, &d.id);
    assert_eq!((d.state(), d.remote_id.as_deref()), (DeliveryState::Published, Some("1850000000000000777")));
    let reply = app.db(|c| deliveries::list_for_opening(c, &opening).unwrap()).into_iter().find(|v| v.delivery.kind() == DeliveryKind::FilledReply).expect("the reply is queued");
    assert_eq!(reply.delivery.parent_id.as_deref(), Some(d.id.as_str()));
    assert_eq!(w.run_once().await.unwrap(), 1);
    assert_eq!(delivery(&app, &reply.delivery.id).state(), DeliveryState::Published);
    let posts = posts_received(&server).await;
    assert_eq!(posts.len(), 2, "the post once, then its reply");
    let body: Value = serde_json::from_slice(&posts[1].body).unwrap();
    assert_eq!(body["reply"]["in_reply_to_tweet_id"], "1850000000000000777");
}

/// Unconfirmed when the opening is closed, and not on the timeline: cancelled, never sent afresh.
async fn a_post_unconfirmed_at_close_and_not_found_is_cancelled_not_sent(backend: Backend) {
    let (app, server) = app_with_x(backend, |b| b.send_timeout_secs = 1).await;
    mount_slow_then_quick(&server, "1850000000000000999").await;
    mount_timeline(&server, vec![]).await;
    let account = x_account(&app);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let d = publish(&app, &opening, &account, OnClose::Reply);
    let w = worker(&app);
    assert_eq!(w.run_once().await.unwrap(), 1);
    close(&app, &opening);
    app.state.clock.advance(Duration::seconds(2));
    assert_eq!(w.run_once().await.unwrap(), 1);
    let d = delivery(&app, &d.id);
    assert_eq!(d.state(), DeliveryState::Cancelled);
    assert_eq!(d.last_error.as_deref(), Some("the opening was closed before it was sent"));
    assert_eq!(posts_received(&server).await.len(), 1, "no fresh send after close");
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(w.run_once().await.unwrap(), 0);
    assert_eq!(app.db(|c| deliveries::list_for_opening(c, &opening).unwrap()).len(), 1, "no close action for a post that does not exist");
}

crate::on_both_backends!(a_post_unconfirmed_at_close_and_found_gets_its_close_action, a_post_unconfirmed_at_close_and_not_found_is_cancelled_not_sent);
