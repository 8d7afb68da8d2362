//! The Mastodon client against mastodon-mock (PyPI `mastodon-mock`, a stateful mock of the
//! Mastodon REST API: apps, OAuth, statuses with `Idempotency-Key`, fault injection).
//!
//! scripts/test.sh installs it and sets HIRECAST_TEST_MASTODON_MOCK (its `mastodon_mock`
//! executable); each test starts its own server on a free port. Without it these tests fail,
//! never skip.
use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use serde_json::{json, Value};

use hirecast::broadcast::mastodon::{connect_token, finish_oauth, start_oauth, MastodonChannel};
use hirecast::broadcast::{
    AccountConfig, Channel, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, SendError,
};
use hirecast::compose::{compose, ChannelProfile, Network};
use hirecast::i18n::Lang;
use hirecast::store::channels::{AccountStatus, ChannelAccount};

use crate::helpers::{spawn_app, Backend, TestApp};

/// A running mastodon-mock with one local account; killed when dropped.
pub struct MastodonMock {
    pub url: String,
    pub http: reqwest::Client,
    pub token: String,
    pub account_id: String,
    child: tokio::process::Child,
}

impl MastodonMock {
    pub async fn start() -> MastodonMock {
        let exe = std::env::var("HIRECAST_TEST_MASTODON_MOCK").unwrap_or_else(|_| {
            panic!(
                "HIRECAST_TEST_MASTODON_MOCK is not set: the Mastodon tests need mastodon-mock. Run scripts/test.sh, \
                 which installs it (tests/peers/mastodon) and sets HIRECAST_TEST_MASTODON_MOCK to its executable"
            )
        });
        // The free port is found before the server binds it, so another test's server may take
        // it first: then this one exits, or the answers come from the other one (whose "jobs"
        // user exists already). Either way, start again on another port.
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let mut child = tokio::process::Command::new(&exe)
                .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string(), "--in-memory", "--log-level", "warning"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start mastodon-mock ({exe}): {e}"));
            let url = format!("http://127.0.0.1:{port}");
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            let mut exited = false;
            loop {
                if child.try_wait().unwrap().is_some() {
                    exited = true;
                    break;
                }
                if let Ok(r) = http.get(format!("{url}/api/v2/instance")).send().await {
                    if r.status().is_success() {
                        break;
                    }
                }
                assert!(std::time::Instant::now() < deadline, "mastodon-mock ({exe}) did not answer on {url} within 60 s");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if exited {
                continue;
            }
            let user: Value = http
                .post(format!("{url}/api/v1/_mock/dev_user"))
                .json(&json!({"username": "jobs", "display_name": "Jobs"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap_or(Value::Null);
            let (Some(token), Some(account_id)) = (user["access_token"].as_str(), user["id"].as_str()) else {
                let _ = child.start_kill();
                continue;
            };
            let (token, account_id) = (token.to_string(), account_id.to_string());
            return MastodonMock { url, http, token, account_id, child };
        }
        panic!("mastodon-mock ({exe}) could not be started on a port of its own in 5 tries: dev_user gave no token")
    }

    /// Every status of the account, as the server holds them (newest first).
    pub async fn statuses(&self) -> Vec<Value> {
        let res = self
            .http
            .get(format!("{}/api/v1/accounts/{}/statuses?limit=40", self.url, self.account_id))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        res.json().await.unwrap()
    }

    pub async fn fault(&self, rule: Value) {
        let res = self.http.post(format!("{}/api/v1/_mock/faults", self.url)).json(&rule).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "fault rule accepted: {}", res.text().await.unwrap());
    }
}

impl Drop for MastodonMock {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

pub fn context(app: &TestApp) -> ChannelContext {
    ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone())
}

fn account(mock: &MastodonMock) -> ChannelAccount {
    let now = Utc::now().naive_utc();
    ChannelAccount {
        id: "acc-mastodon".into(),
        network: Network::Mastodon,
        name: "@jobs@localhost".into(),
        config: AccountConfig::Mastodon {
            instance: mock.url.clone(),
            acct: None,
            // Unknown: the client asks verify_credentials.
            account_id: None,
            max_characters: Some(500),
            url_reserve: Some(23),
        },
        status: AccountStatus::Connected,
        status_reason: None,
        checked_at: None,
        token_expires_at: None,
        next_send_at: now,
        min_interval_ms: 0,
        created_at: now,
        archived: false,
        post: Default::default(),
    }
}

fn channel(app: &TestApp, mock: &MastodonMock, token: &str) -> MastodonChannel {
    let creds = CredentialsHandle::detached(Credentials::Mastodon { access_token: token.into(), client_id: None, client_secret: None });
    MastodonChannel::new(&account(mock), creds, &context(app))
}

/// A delivery of the French test opening, as a thread when `thread`.
fn outgoing(key: &str, marker: &str, thread: bool) -> Outgoing {
    let opening = crate::bluesky::test_openings().remove(0);
    let profile = ChannelProfile { allow_thread: thread, ..ChannelProfile::new(Network::Mastodon, Lang::Fr) };
    let mut posts = compose(&opening, marker, &profile).posts;
    if thread {
        // Two more posts following the first (the composer threads only what does not fit).
        for (i, text) in ["Compétences : Rust, PostgreSQL, Kafka 🦀", "Télétravail partiel, équipe à Lyon 🇫🇷"].iter().enumerate() {
            let mut next = posts[0].clone();
            next.text = format!("{}/ {text}", i + 2);
            posts.push(next);
        }
    }
    Outgoing {
        delivery_id: format!("d-{key}"),
        kind: DeliveryKind::Post,
        idempotency_key: key.into(),
        posts,
        marker: marker.into(),
        since: Utc::now().naive_utc() - chrono::Duration::minutes(5),
        parent: None,
        opening,
        job_url: "https://jobs.example.org/jobs/developpeur-rust-h-f".into(),
    }
}

/// Sending the same delivery twice (a retry after an unknown outcome) leaves one status on
/// the server: the Idempotency-Key is sent, and a thread's posts reply to each other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_sent_twice_is_one_status_on_the_server() {
    let app = spawn_app(Backend::Sqlite).await;
    let mock = MastodonMock::start().await;
    let ch = channel(&app, &mock, &mock.token);

    let out = outgoing("delivery-once", "https://jobs.example.org/r/once2345", false);
    let first = ch.send(&out).await.expect("first send");
    let again = ch.send(&out).await.expect("second send");
    assert_eq!(first, again, "the retry returns the status already created");
    let on_server = mock.statuses().await;
    assert_eq!(on_server.len(), 1, "one status on the server: {on_server:?}");
    let s = &on_server[0];
    assert_eq!(s["id"].as_str(), Some(first.id.as_str()));
    assert_eq!(first.url.as_deref(), s["url"].as_str());
    assert_eq!(first.ids, vec![first.id.clone()]);
    assert_eq!(s["visibility"], "public");
    assert_eq!(s["language"], "fr");
    assert!(s["content"].as_str().unwrap().contains("https://jobs.example.org/r/once2345"), "{}", s["content"]);

    // Another delivery is another status: the count above could have been wrong.
    let other = ch.send(&outgoing("delivery-other", "https://jobs.example.org/r/othr2345", false)).await.unwrap();
    assert_ne!(other.id, first.id);
    assert_eq!(mock.statuses().await.len(), 2);

    // A thread: each post replies to the previous one, and a retry posts nothing more.
    let thread = outgoing("delivery-thread", "https://jobs.example.org/r/thrd2345", true);
    let posted = ch.send(&thread).await.unwrap();
    assert_eq!(ch.send(&thread).await.unwrap(), posted);
    assert_eq!(posted.ids.len(), thread.posts.len());
    let all = mock.statuses().await;
    assert_eq!(all.len(), 2 + thread.posts.len());
    for pair in posted.ids.windows(2) {
        let reply = all.iter().find(|s| s["id"].as_str() == Some(pair[1].as_str())).unwrap();
        assert_eq!(reply["in_reply_to_id"].as_str(), Some(pair[0].as_str()));
    }
}

/// The OAuth flow as an admin goes through it: the app is registered, the admin authorizes on
/// the instance, the callback's code is exchanged (with the PKCE verifier) and the account and
/// the instance's limits are read. A pasted token connects the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_and_a_pasted_token_connect_and_read_the_instance_limits() {
    let app = spawn_app(Backend::Sqlite).await;
    let mock = MastodonMock::start().await;
    let ctx = context(&app);
    let redirect = format!("{}/app/channels/mastodon/callback", app.address);

    let started = start_oauth(&ctx, &mock.url, &redirect).await.expect("start_oauth");
    let authorize = url::Url::parse(&started.authorize_url).unwrap();
    assert!(started.authorize_url.starts_with(&format!("{}/oauth/authorize?", mock.url)), "{}", started.authorize_url);
    let q: std::collections::HashMap<String, String> = authorize.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["redirect_uri"], redirect);
    assert_eq!(q["scope"], "read write");
    assert_eq!(q["state"], started.state);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(Some(&q["client_id"]), started.pending.client_id.as_ref());
    assert_eq!(started.pending.instance.as_deref(), Some(mock.url.as_str()));

    // The instance's authorization page, then the admin's choice on it.
    let page = mock.http.get(&started.authorize_url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("value=\"jobs\""));
    let res = mock
        .http
        .post(format!("{}/oauth/authorize", mock.url))
        .form(&[("username", "jobs"), ("redirect_uri", &redirect), ("client_id", &q["client_id"]), ("scope", &q["scope"]), ("state", &q["state"])])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 302);
    let callback = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let cb: std::collections::HashMap<String, String> = callback.query_pairs().into_owned().collect();
    assert_eq!(cb["state"], started.state, "the state comes back");

    let connected = finish_oauth(&ctx, &started.pending, &cb["code"]).await.expect("finish_oauth");
    assert!(connected.name.starts_with("@jobs@"), "{}", connected.name);
    match &connected.config {
        AccountConfig::Mastodon { instance, acct, account_id, max_characters, url_reserve } => {
            assert_eq!(instance, &mock.url);
            assert_eq!(acct.as_deref(), Some(connected.name.as_str()));
            assert_eq!(account_id.as_deref(), Some(mock.account_id.as_str()));
            assert_eq!((*max_characters, *url_reserve), (Some(500), Some(23)), "read from /api/v2/instance");
        }
        other => panic!("{other:?}"),
    }
    let Credentials::Mastodon { access_token, client_id, client_secret } = &connected.credentials else { panic!() };
    assert!(client_id.is_some() && client_secret.is_some(), "the app is kept to revoke the token later");
    // The token works: it posts as the account.
    let ch = channel(&app, &mock, access_token);
    ch.check().await.expect("the new token is valid");

    // A pasted token.
    let pasted = connect_token(&ctx, &format!("{}/", mock.url), &mock.token).await.expect("connect_token");
    assert_eq!(pasted.name, connected.name);
    assert_eq!(pasted.config, connected.config);
    // A wrong token, an address that is not allowed, a server that is not there: field errors.
    let err = connect_token(&ctx, &mock.url, "not-a-token").await.unwrap_err();
    assert!(matches!(&err, hirecast::broadcast::connect::ConnectError::Field { field: "access_token", .. }), "{err:?}");
    let err = start_oauth(&ctx, "http://mastodon.example", &redirect).await.unwrap_err();
    assert!(matches!(&err, hirecast::broadcast::connect::ConnectError::Field { field: "instance", .. }), "{err:?}");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = connect_token(&ctx, &format!("http://127.0.0.1:{closed}"), &mock.token).await.unwrap_err();
    assert!(matches!(&err, hirecast::broadcast::connect::ConnectError::Field { field: "instance", .. }), "{err:?}");
}

/// A 429 with Mastodon's rate-limit headers: retry at the reset time, nothing posted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_comes_back_as_retry_at_the_reset_time() {
    let app = spawn_app(Backend::Sqlite).await;
    let mock = MastodonMock::start().await;
    let ch = channel(&app, &mock, &mock.token);
    let reset: NaiveDateTime = (Utc::now() + chrono::Duration::minutes(17)).naive_utc().with_nanosecond_zero();
    // As Mastodon sends it: an ISO 8601 reset time, no Retry-After.
    mock.fault(json!({
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "status", "status": 429, "body": {"error": "Too many requests"}, "headers": {
            "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)}},
        "count": 1
    }))
    .await;
    let out = outgoing("delivery-limited", "https://jobs.example.org/r/lmtd2345", false);
    match ch.send(&out).await {
        Err(SendError::Retry { at: Some(at), reason }) => {
            assert_eq!(at, reset, "retry at the instance's reset time");
            assert!(reason.contains("429"), "{reason}");
        }
        other => panic!("expected a retry at the reset time, got {other:?}"),
    }
    assert!(mock.statuses().await.is_empty(), "nothing was posted");

    // The mock's own rate limit (epoch reset and Retry-After of 300 s).
    mock.fault(json!({"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": {"type": "ratelimit"}, "count": 1})).await;
    let before = Utc::now().naive_utc();
    match ch.send(&out).await {
        Err(SendError::Retry { at: Some(at), .. }) => {
            let wait = (at - before).num_seconds();
            assert!((295..=305).contains(&wait), "about 300 s ahead: {wait}");
        }
        other => panic!("expected a retry, got {other:?}"),
    }
    // The limit lifted, the same delivery goes through.
    ch.send(&out).await.expect("sent once the limit lifted");
    assert_eq!(mock.statuses().await.len(), 1);
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}
impl NoNanos for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap()
    }
}

/// A token revoked on the instance: the account must be reconnected (send and check say so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_asks_for_a_reconnection() {
    let app = spawn_app(Backend::Sqlite).await;
    let mock = MastodonMock::start().await;
    let ch = channel(&app, &mock, &mock.token);
    ch.check().await.expect("valid before revocation");
    let res = mock.http.post(format!("{}/oauth/revoke", mock.url)).form(&[("token", mock.token.as_str())]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);

    let out = outgoing("delivery-revoked", "https://jobs.example.org/r/rvkd2345", false);
    assert!(matches!(ch.send(&out).await, Err(SendError::Reconnect { .. })), "send after revocation");
    match ch.check().await {
        Err(SendError::Reconnect { reason }) => assert!(reason.starts_with("401"), "the instance's words: {reason}"),
        other => panic!("expected Reconnect, got {other:?}"),
    }
}

/// find() reads the account's statuses back: the posted one by its marker, nothing for a
/// delivery never posted. Then the "filled" reply and the deletion, both idempotent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_locates_a_post_by_its_marker_and_replies_and_deletes_work() {
    let app = spawn_app(Backend::Sqlite).await;
    let mock = MastodonMock::start().await;
    let ch = channel(&app, &mock, &mock.token);

    let thread = outgoing("delivery-find", "https://jobs.example.org/r/find2345", true);
    let never = outgoing("delivery-never", "https://jobs.example.org/r/nevr2345", false);
    assert_eq!(ch.find(&thread).await.unwrap(), None, "not posted yet");
    // Some noise before and after.
    ch.send(&outgoing("delivery-noise1", "https://jobs.example.org/r/nois2345", false)).await.unwrap();
    let posted = ch.send(&thread).await.unwrap();
    ch.send(&outgoing("delivery-noise2", "https://jobs.example.org/r/nosy2345", false)).await.unwrap();

    let found = ch.find(&thread).await.unwrap().expect("found by its marker");
    assert_eq!(found, posted, "the first post and the rest of the thread");
    assert_eq!(ch.find(&never).await.unwrap(), None, "never posted");
    let mut later = thread.clone();
    later.since = Utc::now().naive_utc() + chrono::Duration::minutes(1);
    assert_eq!(ch.find(&later).await.unwrap(), None, "posts older than `since` are not this delivery's");

    // "Position filled" under the original post.
    let mut filled = outgoing("delivery-filled", "https://jobs.example.org/r/find2345", false);
    filled.kind = DeliveryKind::FilledReply;
    filled.posts.truncate(1);
    filled.posts[0].text = "Poste pourvu, merci à toutes et à tous !".into();
    filled.parent = Some(posted.clone());
    assert_eq!(ch.find(&filled).await.unwrap(), None);
    let reply = ch.send(&filled).await.unwrap();
    let on_server = mock.statuses().await;
    let r = on_server.iter().find(|s| s["id"].as_str() == Some(reply.id.as_str())).unwrap();
    assert_eq!(r["in_reply_to_id"].as_str(), Some(posted.id.as_str()));
    assert_eq!(ch.find(&filled).await.unwrap().map(|p| p.id), Some(reply.id.clone()));

    // Deleting the thread, twice: the second finds nothing left and still succeeds.
    let mut delete = thread.clone();
    delete.kind = DeliveryKind::Delete;
    delete.parent = Some(posted.clone());
    assert_eq!(ch.find(&delete).await.unwrap(), None, "still there");
    assert_eq!(ch.send(&delete).await.unwrap(), posted);
    assert_eq!(ch.send(&delete).await.unwrap(), posted, "404 means already gone");
    assert_eq!(ch.find(&delete).await.unwrap(), Some(posted.clone()));
    let left: Vec<String> = mock.statuses().await.iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
    assert!(posted.ids.iter().all(|id| !left.contains(id)), "the thread is gone: {left:?}");
    assert_eq!(left.len(), 3, "the noise and the reply remain");
}

// ---------------------------------------------------------------------------------------
// Health checks (a wiremock instance: the answers below are Mastodon's documented shapes)

/// A stored Mastodon account on `instance` with `token`, its limits as read at connect.
fn stored_mastodon(app: &TestApp, name: &str, instance: &str, token: &str) -> String {
    use hirecast::store::channels::{self, NewAccount};
    let config = AccountConfig::Mastodon {
        instance: instance.into(),
        acct: Some(format!("@{name}@127.0.0.1")),
        account_id: Some("1".into()),
        max_characters: Some(500),
        url_reserve: Some(23),
    };
    let creds = Credentials::Mastodon { access_token: token.into(), client_id: None, client_secret: None };
    app.db(|c| channels::create(c, &app.state.key, NewAccount { name, config: &config, credentials: &creds, token_expires_at: None, created_by: None }).unwrap().id)
}

async fn mount_instance(server: &wiremock::MockServer, max_characters: u64) {
    use wiremock::matchers::{method, path};
    wiremock::Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
            "domain": "127.0.0.1", "title": "Test instance", "version": "4.3.0",
            "configuration": {"statuses": {"max_characters": max_characters, "max_media_attachments": 4, "characters_reserved_per_url": 23}}
        })))
        .mount(server)
        .await;
}

async fn mount_verify(server: &wiremock::MockServer, token: &str, ok: bool) {
    use wiremock::matchers::{header, method, path};
    let answer = if ok {
        wiremock::ResponseTemplate::new(200).set_body_json(json!({"id": "1", "username": "jobs", "acct": "jobs"}))
    } else {
        wiremock::ResponseTemplate::new(401).set_body_json(json!({"error": "The access token was revoked"}))
    };
    wiremock::Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(answer)
        .mount(server)
        .await;
}

fn config_of(app: &TestApp, id: &str) -> AccountConfig {
    app.db(|c| hirecast::store::channels::find(c, id).unwrap().unwrap().config)
}

/// The instance raised its limit to 1000 characters: the next health check saves it, and the
/// composer uses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_check_saves_the_instances_new_limits() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = wiremock::MockServer::start().await;
    mount_verify(&server, "tok", true).await;
    mount_instance(&server, 1000).await;
    let id = stored_mastodon(&app, "jobs", &server.uri(), "tok");
    assert!(matches!(config_of(&app, &id), AccountConfig::Mastodon { max_characters: Some(500), .. }));
    let (status, reason) = hirecast::broadcast::worker::check_account(&context(&app), &id).await.unwrap();
    assert_eq!((status, reason), (AccountStatus::Connected, None));
    let AccountConfig::Mastodon { max_characters, url_reserve, instance, account_id, .. } = config_of(&app, &id) else { panic!() };
    assert_eq!((max_characters, url_reserve), (Some(1000), Some(23)));
    assert_eq!((instance, account_id.as_deref()), (server.uri(), Some("1")), "the rest of the settings is kept");
    let account = app.db(|c| hirecast::store::channels::find(c, &id).unwrap().unwrap());
    assert_eq!(hirecast::broadcast::worker::profile_for(&account, Lang::Fr).limit, Some(1000));

    // An instance that no longer tells its limits leaves the saved ones alone.
    server.reset().await;
    mount_verify(&server, "tok", true).await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/api/v2/instance"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({"domain": "127.0.0.1"})))
        .mount(&server)
        .await;
    hirecast::broadcast::worker::check_account(&context(&app), &id).await.unwrap();
    assert!(matches!(config_of(&app, &id), AccountConfig::Mastodon { max_characters: Some(1000), url_reserve: Some(23), .. }));
}

/// The workers' periodic checks: only accounts checked more than HEALTH_CHECK_EVERY_MINUTES
/// ago are checked; a revoked token makes its account "reconnect needed" with the instance's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_accounts_are_checked_and_a_revoked_one_needs_reconnecting() {
    use hirecast::broadcast::worker::{Worker, HEALTH_CHECK_EVERY_MINUTES};
    use hirecast::store::channels;
    let app = spawn_app(Backend::Sqlite).await;
    let server = wiremock::MockServer::start().await;
    mount_instance(&server, 500).await;
    mount_verify(&server, "fresh-token", true).await;
    mount_verify(&server, "good-token", true).await;
    mount_verify(&server, "revoked-token", false).await;
    let fresh = stored_mastodon(&app, "fresh", &server.uri(), "fresh-token");
    let good = stored_mastodon(&app, "good", &server.uri(), "good-token");
    let revoked = stored_mastodon(&app, "revoked", &server.uri(), "revoked-token");
    let now = app.state.clock.now();
    let long_ago = now - chrono::Duration::minutes(HEALTH_CHECK_EVERY_MINUTES + 1);
    for id in [&good, &revoked] {
        app.db(|c| channels::set_status(c, id, AccountStatus::Connected, None, long_ago).unwrap());
    }
    let verified_with = |reqs: &[wiremock::Request], token: &str| {
        reqs.iter().filter(|r| r.url.path() == "/api/v1/accounts/verify_credentials" && r.headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(format!("Bearer {token}").as_str())).count()
    };

    let fresh_checked = app.db(|c| channels::find(c, &fresh).unwrap().unwrap()).checked_at;
    let worker = Worker::new(context(&app));
    assert_eq!(worker.check_stale_accounts().await.unwrap(), 2);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!((verified_with(&reqs, "fresh-token"), verified_with(&reqs, "good-token"), verified_with(&reqs, "revoked-token")), (0, 1, 1));
    let find = |id: &str| app.db(|c| channels::find(c, id).unwrap().unwrap());
    let g = find(&good);
    assert_eq!(g.status, AccountStatus::Connected);
    assert!(g.checked_at.unwrap() >= now - chrono::Duration::seconds(5), "checked now: {:?}", g.checked_at);
    let r = find(&revoked);
    assert_eq!(r.status, AccountStatus::ReconnectNeeded);
    assert_eq!(r.status_reason.as_deref(), Some("401 The access token was revoked"));
    assert_eq!(find(&fresh).checked_at, fresh_checked, "checked recently: left alone");

    // Nothing is stale now; an hour later the connected ones are checked again, not the revoked one.
    assert_eq!(worker.check_stale_accounts().await.unwrap(), 0);
    app.state.clock.advance(chrono::Duration::minutes(HEALTH_CHECK_EVERY_MINUTES + 1));
    assert_eq!(worker.check_stale_accounts().await.unwrap(), 2);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!((verified_with(&reqs, "fresh-token"), verified_with(&reqs, "good-token"), verified_with(&reqs, "revoked-token")), (1, 2, 1));
}
