//! The X and LinkedIn clients against wiremock stubs built from the networks' documented
//! request and response shapes and headers (no server of either exists offline).
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use hirecast::broadcast::account::Credentials;
use hirecast::broadcast::connect::ConnectError;
use hirecast::broadcast::linkedin::{self, LinkedInChannel};
use hirecast::broadcast::x::{self, XChannel};
use hirecast::broadcast::{AccountConfig, Channel, ChannelContext, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use hirecast::clock::Clock;
use hirecast::compose::{compose, ChannelProfile, Network, Post};
use hirecast::config::BroadcastSettings;
use hirecast::domain::opening::{EmploymentType, Opening, OpeningDraft, OpeningLanguage, OpeningStatus, RemotePolicy};
use hirecast::i18n::Lang;
use hirecast::store::channels::{self, NewAccount};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{spawn_app, Backend, TestApp};

pub const MARKER: &str = "https://jobs.example.org/r/ab12cd34";

pub fn opening() -> Opening {
    let now = NaiveDateTime::parse_from_str("2026-11-20 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    Opening {
        id: "op-1".into(),
        slug: "developpeur-rust-h-f-a1b2c3".into(),
        draft: OpeningDraft {
            title: "Développeur·se Rust (H/F)".into(),
            company: "Acme Logistique".into(),
            department: None,
            city: Some("Lyon".into()),
            country: "FR".into(),
            remote_policy: RemotePolicy::Hybrid,
            employment_type: EmploymentType::Permanent,
            salary: None,
            required_skills: vec!["Rust".into(), "PostgreSQL".into()],
            nice_skills: vec![],
            language: OpeningLanguage::Fr,
            description_md: String::new(),
            valid_through: None,
            hiring_manager_ids: vec![],
            shortlist_threshold: 60,
            response_target_minutes: 30,
        },
        status: OpeningStatus::Open,
        created_at: now,
        updated_at: now,
        published_at: Some(now),
        closed_at: None,
        rendered: Default::default(),
    }
}

pub fn post(text: &str) -> Post {
    Post { text: text.into(), length: text.chars().count(), limit: 280, fits: true, hashtags: vec![], links: vec![], facets: vec![], subject: None }
}

pub fn outgoing(kind: DeliveryKind, posts: Vec<Post>, since: NaiveDateTime) -> Outgoing {
    Outgoing {
        delivery_id: "del-1".into(),
        kind,
        idempotency_key: "idem-7f3a".into(),
        posts,
        marker: MARKER.into(),
        since,
        parent: None,
        opening: opening(),
        job_url: "https://jobs.example.org/jobs/developpeur-rust-h-f-a1b2c3".into(),
    }
}

/// A channel context on the app's database, with its own clock and broadcast settings changed by `f`.
pub fn context(app: &TestApp, f: impl FnOnce(&mut BroadcastSettings)) -> ChannelContext {
    let mut settings = app.state.settings.clone();
    f(&mut settings.broadcast);
    ChannelContext::new(app.state.pool.clone(), settings, Clock::system(), app.state.key.clone())
}

fn oauth(access: &str, refresh: Option<&str>, expires_at: Option<NaiveDateTime>) -> Credentials {
    Credentials::OAuth2 { access_token: access.into(), refresh_token: refresh.map(Into::into), expires_at }
}

/// The form fields of a request body.
fn form(req: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&req.body).into_owned().collect()
}

fn field(req: &Request, name: &str) -> Option<String> {
    form(req).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

async fn requests_to(server: &MockServer, m: &str, p: &str) -> Vec<Request> {
    server.received_requests().await.unwrap().into_iter().filter(|r| r.method.as_str() == m && r.url.path() == p).collect()
}

fn x_settings(server: &MockServer) -> impl FnOnce(&mut BroadcastSettings) + '_ {
    move |b| {
        b.x_api_url = server.uri();
        b.x_authorize_url = format!("{}/i/oauth2/authorize", server.uri());
        b.x_client_id = Some("x-client-id".into());
        b.x_client_secret = Some("x-client-secret".into());
    }
}

fn x_channel(ctx: &ChannelContext, creds: CredentialsHandle) -> XChannel {
    XChannel::for_user("42", "acme_jobs", creds, ctx)
}

fn created(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"data": {"id": id, "text": "…", "edit_history_tweet_ids": [id]}}))
}

// ---------------------------------------------------------------------------------------
// X

#[tokio::test]
async fn x_posts_one_post_with_the_user_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    let text = compose(&opening(), MARKER, &ChannelProfile::new(Network::X, Lang::Fr)).posts.remove(0).text;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer at-1"))
        .and(body_json(json!({ "text": text })))
        .respond_with(created("1850000000000000001"))
        .expect(1)
        .mount(&server)
        .await;
    let ch = x_channel(&ctx, CredentialsHandle::detached(oauth("at-1", Some("rt-1"), Some(ctx.clock.now() + Duration::hours(2)))));
    let got = ch.send(&outgoing(DeliveryKind::Post, vec![post(&text)], ctx.clock.now())).await.unwrap();
    assert_eq!(
        got,
        RemotePost {
            id: "1850000000000000001".into(),
            url: Some("https://x.com/acme_jobs/status/1850000000000000001".into()),
            ids: vec!["1850000000000000001".into()],
        }
    );
}

#[tokio::test]
async fn x_thread_posts_reply_each_to_the_previous_one() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    let n = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(move |_: &Request| created(&format!("10{}", n.fetch_add(1, std::sync::atomic::Ordering::SeqCst))))
        .expect(3)
        .mount(&server)
        .await;
    let ch = x_channel(&ctx, CredentialsHandle::detached(oauth("at-1", None, None)));
    let out = outgoing(DeliveryKind::Post, vec![post("1/3 Rust"), post("2/3 Lyon"), post("3/3 apply")], ctx.clock.now());
    let got = ch.send(&out).await.unwrap();
    assert_eq!(got.id, "100");
    assert_eq!(got.ids, vec!["100", "101", "102"]);
    let sent: Vec<Value> = requests_to(&server, "POST", "/2/tweets").await.iter().map(body).collect();
    assert_eq!(sent[0], json!({"text": "1/3 Rust"}));
    assert_eq!(sent[1], json!({"text": "2/3 Lyon", "reply": {"in_reply_to_tweet_id": "100"}}));
    assert_eq!(sent[2], json!({"text": "3/3 apply", "reply": {"in_reply_to_tweet_id": "101"}}));

    // "Position filled" goes under the original post.
    let mut filled = outgoing(DeliveryKind::FilledReply, vec![post("Poste pourvu, merci !")], ctx.clock.now());
    filled.parent = Some(got.clone());
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(body_json(json!({"text": "Poste pourvu, merci !", "reply": {"in_reply_to_tweet_id": "100"}})))
        .respond_with(created("200"))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(ch.send(&filled).await.unwrap().id, "200");

    // Deleting removes every post of the thread, last first; one already gone is fine.
    server.reset().await;
    for (id, status) in [("102", 200), ("101", 404), ("100", 200)] {
        Mock::given(method("DELETE"))
            .and(path(format!("/2/tweets/{id}")))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({"data": {"deleted": true}})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let mut delete = outgoing(DeliveryKind::Delete, vec![], ctx.clock.now());
    delete.parent = Some(got);
    ch.send(&delete).await.unwrap();
    let order: Vec<String> = server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_string()).collect();
    assert_eq!(order, vec!["/2/tweets/102", "/2/tweets/101", "/2/tweets/100"]);
}

#[tokio::test]
async fn x_429_retries_at_the_x_rate_limit_reset_time() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    let reset = ctx.clock.now().and_utc().timestamp() + 900;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-limit", "100")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string().as_str())
                .set_body_json(json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})),
        )
        .mount(&server)
        .await;
    let ch = x_channel(&ctx, CredentialsHandle::detached(oauth("at-1", None, None)));
    let err = ch.send(&outgoing(DeliveryKind::Post, vec![post("hello")], ctx.clock.now())).await.unwrap_err();
    let expected = chrono::DateTime::from_timestamp(reset, 0).unwrap().naive_utc();
    assert!(matches!(&err, SendError::Retry { at: Some(at), .. } if *at == expected), "{err:?}");
}

#[tokio::test]
async fn x_403_duplicate_content_is_rejected_not_reconnect() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "type": "about:blank", "title": "Forbidden", "status": 403
        })))
        .expect(1)
        .mount(&server)
        .await;
    // No refresh is attempted for a 403.
    Mock::given(method("POST")).and(path("/2/oauth2/token")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let ch = x_channel(&ctx, CredentialsHandle::detached(oauth("at-1", Some("rt-1"), None)));
    let err = ch.send(&outgoing(DeliveryKind::Post, vec![post("hello")], ctx.clock.now())).await.unwrap_err();
    assert!(
        matches!(&err, SendError::Rejected { status: Some(403), reason } if reason.contains("duplicate content")),
        "a duplicate is a refusal of this post, not of the account: {err:?}"
    );
}

/// Mounts X's token endpoint: a refresh of `rt-old` (with the app's Basic auth) gives `at-new`
/// and, when `rotated` is given, a new refresh token.
async fn mount_refresh(server: &MockServer, rotated: Option<&str>) {
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("x-client-id:x-client-secret"));
    let mut answer = json!({"token_type": "bearer", "expires_in": 7200, "access_token": "at-new", "scope": x::SCOPES});
    if let Some(r) = rotated {
        answer["refresh_token"] = json!(r);
    }
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(header("authorization", basic.as_str()))
        .and(|req: &Request| field(req, "grant_type").as_deref() == Some("refresh_token") && field(req, "refresh_token").as_deref() == Some("rt-old") && field(req, "client_id").as_deref() == Some("x-client-id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(server)
        .await;
}

async fn stored_account(app: &TestApp, creds: &Credentials) -> String {
    let key = app.state.key.clone();
    let creds = creds.clone();
    app.db(move |c| {
        channels::create(
            c,
            &key,
            NewAccount {
                name: "@acme_jobs",
                config: &AccountConfig::X { user_id: "42".into(), username: "acme_jobs".into(), max_weighted_length: None },
                credentials: &creds,
                token_expires_at: None,
                created_by: None,
            },
        )
        .unwrap()
        .id
    })
}

fn stored(app: &TestApp, id: &str) -> Credentials {
    let key = app.state.key.clone();
    app.db(|c| channels::credentials(c, &key, id).unwrap())
}

/// A 401 refreshes the token once, sends again, and stores the new tokens; `rotated` says
/// whether X sent a new refresh token.
async fn x_401_refreshes_and_stores(backend: Backend, rotated: Option<&str>) {
    let app = spawn_app(backend).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    let old = oauth("at-old", Some("rt-old"), Some(ctx.clock.now() + Duration::hours(1)));
    let id = stored_account(&app, &old).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer at-old"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/2/tweets")).and(header("authorization", "Bearer at-new")).respond_with(created("77")).expect(1).mount(&server).await;
    mount_refresh(&server, rotated).await;
    let handle = CredentialsHandle::new(&id, old, app.state.pool.clone(), app.state.key.clone());
    let ch = x_channel(&ctx, handle.clone());
    let got = ch.send(&outgoing(DeliveryKind::Post, vec![post("hello")], ctx.clock.now())).await.unwrap();
    assert_eq!(got.id, "77");
    let expected_refresh = rotated.unwrap_or("rt-old");
    for (what, creds) in [("in memory", handle.get().await), ("in the database", stored(&app, &id))] {
        match creds {
            Credentials::OAuth2 { access_token, refresh_token, expires_at } => {
                assert_eq!(access_token, "at-new", "{what}");
                assert_eq!(refresh_token.as_deref(), Some(expected_refresh), "{what}: the refresh token must never be lost");
                let exp = expires_at.expect("expiry stored");
                assert!((exp - (ctx.clock.now() + Duration::hours(2))).num_seconds().abs() < 10, "{what}: {exp}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

async fn x_refresh_keeps_the_stored_refresh_token_when_none_comes_back(backend: Backend) {
    x_401_refreshes_and_stores(backend, None).await
}

async fn x_refresh_stores_a_rotated_refresh_token(backend: Backend) {
    x_401_refreshes_and_stores(backend, Some("rt-rotated")).await
}

crate::on_both_backends!(x_refresh_keeps_the_stored_refresh_token_when_none_comes_back, x_refresh_stores_a_rotated_refresh_token);

/// Two workers hold the same account: the second finds the token the first refreshed in the
/// database instead of spending the (rotated, now used) refresh token again.
#[tokio::test]
async fn x_second_worker_takes_the_token_another_refreshed() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    let old = oauth("at-old", Some("rt-old"), Some(ctx.clock.now() + Duration::seconds(30)));
    let id = stored_account(&app, &old).await;
    mount_refresh(&server, Some("rt-rotated")).await; // expects exactly one refresh
    Mock::given(method("POST")).and(path("/2/tweets")).and(header("authorization", "Bearer at-new")).respond_with(created("5")).expect(2).mount(&server).await;
    let first = x_channel(&ctx, CredentialsHandle::new(&id, old.clone(), app.state.pool.clone(), app.state.key.clone()));
    let second_handle = CredentialsHandle::new(&id, old, app.state.pool.clone(), app.state.key.clone());
    let second = x_channel(&ctx, second_handle.clone());
    first.send(&outgoing(DeliveryKind::Post, vec![post("a")], ctx.clock.now())).await.unwrap();
    second.send(&outgoing(DeliveryKind::Post, vec![post("b")], ctx.clock.now())).await.unwrap();
    assert!(matches!(second_handle.get().await, Credentials::OAuth2 { ref refresh_token, .. } if refresh_token.as_deref() == Some("rt-rotated")));
}

#[tokio::test]
async fn x_token_due_within_a_minute_is_refreshed_before_the_call() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    mount_refresh(&server, Some("rt-2")).await;
    Mock::given(method("POST")).and(path("/2/tweets")).and(header("authorization", "Bearer at-old")).respond_with(created("1")).expect(0).mount(&server).await;
    Mock::given(method("POST")).and(path("/2/tweets")).and(header("authorization", "Bearer at-new")).respond_with(created("2")).expect(1).mount(&server).await;
    let handle = CredentialsHandle::detached(oauth("at-old", Some("rt-old"), Some(ctx.clock.now() + Duration::hours(2))));
    let ch = x_channel(&ctx, handle);
    // Two hours later, less 30 seconds: inside the one-minute margin.
    ctx.clock.advance(Duration::seconds(2 * 3600 - 30));
    assert_eq!(ch.send(&outgoing(DeliveryKind::Post, vec![post("hello")], ctx.clock.now())).await.unwrap().id, "2");
}

#[tokio::test]
async fn x_refused_refresh_asks_for_reconnecting() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."})))
        .expect(1)
        .mount(&server)
        .await;
    let ch = x_channel(&ctx, CredentialsHandle::detached(oauth("at-old", Some("rt-old"), None)));
    let err = ch.send(&outgoing(DeliveryKind::Post, vec![post("hello")], ctx.clock.now())).await.unwrap_err();
    assert!(matches!(&err, SendError::Reconnect { reason } if reason.contains("Value passed for the token was invalid")), "{err:?}");
    assert!(!err.reason().contains("rt-old") && !err.reason().contains("at-old"));
}

#[tokio::test]
async fn x_oauth_start_and_finish_with_pkce() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;

    let unconfigured = context(&app, |b| b.x_client_id = None);
    assert!(matches!(x::start_oauth(&unconfigured, "https://jobs.example.org/cb"), Err(ConnectError::NotConfigured(_))));

    let ctx = context(&app, x_settings(&server));
    let redirect = "https://jobs.example.org/admin/channels/oauth/callback";
    let start = x::start_oauth(&ctx, redirect).unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    assert_eq!(url.path(), "/i/oauth2/authorize");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "x-client-id");
    assert_eq!(q["redirect_uri"], redirect);
    assert_eq!(q["scope"], "tweet.read tweet.write users.read offline.access");
    assert_eq!(q["state"], start.state);
    assert_eq!(q["code_challenge_method"], "S256");
    let challenge = q["code_challenge"].clone();

    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer", "expires_in": 7200, "access_token": "at-first", "refresh_token": "rt-first", "scope": x::SCOPES
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .and(header("authorization", "Bearer at-first"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "42", "name": "Acme", "username": "acme_jobs"}})))
        .expect(1)
        .mount(&server)
        .await;
    let connected = x::finish_oauth(&ctx, &start.pending, "the-code").await.unwrap();

    let token_req = requests_to(&server, "POST", "/2/oauth2/token").await.remove(0);
    assert_eq!(field(&token_req, "grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(field(&token_req, "code").as_deref(), Some("the-code"));
    assert_eq!(field(&token_req, "redirect_uri").as_deref(), Some(redirect));
    let verifier = field(&token_req, "code_verifier").expect("the PKCE verifier is sent");
    assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), challenge, "the verifier must match the challenge");

    assert_eq!(connected.name, "@acme_jobs");
    assert_eq!(connected.config, AccountConfig::X { user_id: "42".into(), username: "acme_jobs".into(), max_weighted_length: None });
    match connected.credentials {
        Credentials::OAuth2 { access_token, refresh_token, expires_at } => {
            assert_eq!(access_token, "at-first");
            assert_eq!(refresh_token.as_deref(), Some("rt-first"));
            assert!((expires_at.unwrap() - (ctx.clock.now() + Duration::hours(2))).num_seconds().abs() < 10);
        }
        other => panic!("{other:?}"),
    }

    // A code X refuses is the network's words, not a crash.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."})))
        .mount(&server)
        .await;
    let err = x::finish_oauth(&ctx, &start.pending, "stale").await.unwrap_err();
    assert!(matches!(&err, ConnectError::Network(m) if m.contains("authorization code was invalid")), "{err:?}");
}

#[tokio::test]
async fn x_find_matches_the_marker_in_expanded_urls() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, x_settings(&server));
    let since = NaiveDateTime::parse_from_str("2026-11-22 04:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    Mock::given(method("GET"))
        .and(path("/2/users/42/tweets"))
        .and(query_param("max_results", "100"))
        .and(query_param("start_time", "2026-11-22T04:00:00Z"))
        .and(|req: &Request| req.url.query_pairs().any(|(k, v)| k == "tweet.fields" && v.split(',').any(|f| f == "entities") && v.split(',').any(|f| f == "created_at")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "303", "text": "3/3 postulez", "created_at": "2026-11-22T04:01:02.000Z",
                 "referenced_tweets": [{"type": "replied_to", "id": "302"}]},
                {"id": "302", "text": "2/3 Lyon", "created_at": "2026-11-22T04:01:01.000Z",
                 "referenced_tweets": [{"type": "replied_to", "id": "301"}]},
                {"id": "301", "text": "1/3 Développeur·se Rust https://t.co/xYz12", "created_at": "2026-11-22T04:01:00.000Z",
                 "entities": {"urls": [{"start": 24, "end": 47, "url": "https://t.co/xYz12", "expanded_url": MARKER, "display_url": "jobs.example.org/r/ab12cd34"}]}},
                {"id": "300", "text": "Autre offre https://t.co/other", "created_at": "2026-11-22T04:00:30.000Z",
                 "entities": {"urls": [{"url": "https://t.co/other", "expanded_url": "https://jobs.example.org/r/zz99zz99"}]}}
            ],
            "meta": {"result_count": 4, "newest_id": "303", "oldest_id": "300"}
        })))
        .mount(&server)
        .await;
    let ch = x_channel(&ctx, CredentialsHandle::detached(oauth("at-1", None, None)));
    let out = outgoing(DeliveryKind::Post, vec![post("1/3"), post("2/3"), post("3/3")], since);
    let found = ch.find(&out).await.unwrap().expect("the post carrying the marker is found");
    assert_eq!(found.id, "301");
    assert_eq!(found.ids, vec!["301", "302", "303"]);
    assert_eq!(found.url.as_deref(), Some("https://x.com/acme_jobs/status/301"));

    let mut other = out.clone();
    other.marker = "https://jobs.example.org/r/nope0000".into();
    assert_eq!(ch.find(&other).await.unwrap(), None);

    // A "position filled" reply is the account's reply under the original post.
    let mut filled = outgoing(DeliveryKind::FilledReply, vec![post("Poste pourvu")], since);
    filled.marker = "https://jobs.example.org/r/nope0000".into();
    filled.parent = Some(RemotePost { id: "302".into(), url: None, ids: vec!["302".into()] });
    assert_eq!(ch.find(&filled).await.unwrap().map(|p| p.id).as_deref(), Some("303"));
    filled.parent = Some(RemotePost { id: "999".into(), url: None, ids: vec!["999".into()] });
    assert_eq!(ch.find(&filled).await.unwrap(), None);

    // An empty timeline (X sends no "data" then) means not posted.
    server.reset().await;
    Mock::given(method("GET")).and(path("/2/users/42/tweets")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {"result_count": 0}}))).mount(&server).await;
    assert_eq!(ch.find(&out).await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------
// LinkedIn

const AUTHOR: &str = "urn:li:person:8675309";

fn li_settings(server: &MockServer) -> impl FnOnce(&mut BroadcastSettings) + '_ {
    move |b| {
        b.linkedin_api_url = server.uri();
        b.linkedin_auth_url = format!("{}/oauth/v2", server.uri());
        b.linkedin_client_id = Some("li-client-id".into());
        b.linkedin_client_secret = Some("li-client-secret".into());
        b.linkedin_version = "202511".into();
    }
}

fn li_channel(ctx: &ChannelContext) -> LinkedInChannel {
    LinkedInChannel::for_author(AUTHOR, CredentialsHandle::detached(oauth("li-token", None, Some(ctx.clock.now() + Duration::days(59)))), ctx)
}

#[tokio::test]
async fn linkedin_posts_with_versioned_headers_and_reads_the_urn_from_x_restli_id() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, li_settings(&server));
    let composed = compose(&opening(), MARKER, &ChannelProfile::new(Network::LinkedIn, Lang::Fr)).posts.remove(0);
    assert!(composed.text.contains(r"\(H/F\)"), "the composer escapes: {}", composed.text);
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .and(header("authorization", "Bearer li-token"))
        .and(header("LinkedIn-Version", "202511"))
        .and(header("X-Restli-Protocol-Version", "2.0.0"))
        .and(body_json(json!({
            "author": AUTHOR,
            "commentary": composed.text,
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false
        })))
        .respond_with(ResponseTemplate::new(201).insert_header("x-restli-id", "urn:li:share:7260000000000000000"))
        .expect(1)
        .mount(&server)
        .await;
    let ch = li_channel(&ctx);
    let got = ch.send(&outgoing(DeliveryKind::Post, vec![composed], ctx.clock.now())).await.unwrap();
    assert_eq!(got.id, "urn:li:share:7260000000000000000");
    assert_eq!(got.url.as_deref(), Some("https://www.linkedin.com/feed/update/urn:li:share:7260000000000000000/"));

    // Deleting sends the URN url-encoded, with the same headers; 204 is done.
    Mock::given(method("DELETE"))
        .and(header("LinkedIn-Version", "202511"))
        .and(header("X-Restli-Protocol-Version", "2.0.0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let mut delete = outgoing(DeliveryKind::Delete, vec![], ctx.clock.now());
    delete.parent = Some(got);
    ch.send(&delete).await.unwrap();
    let del = server.received_requests().await.unwrap().into_iter().find(|r| r.method.as_str() == "DELETE").unwrap();
    assert_eq!(del.url.path(), "/rest/posts/urn%3Ali%3Ashare%3A7260000000000000000");

    // "Position filled" comments are not possible: refused with a reason, nothing sent.
    let before = server.received_requests().await.unwrap().len();
    let mut filled = outgoing(DeliveryKind::FilledReply, vec![post("Poste pourvu")], ctx.clock.now());
    filled.parent = delete.parent.clone();
    let err = ch.send(&filled).await.unwrap_err();
    assert!(matches!(&err, SendError::Rejected { reason, .. } if reason.contains("comment")), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn linkedin_422_is_rejected_with_linkedins_message() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, li_settings(&server));
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "ERROR :: /commentary :: length of 3012 exceeds maximum length of 3000",
            "status": 422
        })))
        .mount(&server)
        .await;
    let err = li_channel(&ctx).send(&outgoing(DeliveryKind::Post, vec![post("x")], ctx.clock.now())).await.unwrap_err();
    assert!(
        matches!(&err, SendError::Rejected { status: Some(422), reason } if reason.contains("exceeds maximum length of 3000")),
        "{err:?}"
    );

    // No x-restli-id on a 201: the post may exist, the outcome is unknown (reconciled by find).
    server.reset().await;
    Mock::given(method("POST")).and(path("/rest/posts")).respond_with(ResponseTemplate::new(201)).mount(&server).await;
    let err = li_channel(&ctx).send(&outgoing(DeliveryKind::Post, vec![post("x")], ctx.clock.now())).await.unwrap_err();
    assert!(matches!(err, SendError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn linkedin_find_matches_the_marker_in_recent_commentary() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, li_settings(&server));
    let since = NaiveDateTime::parse_from_str("2026-11-22 04:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let ms = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap().and_utc().timestamp_millis();
    Mock::given(method("GET"))
        .and(path("/rest/posts"))
        .and(query_param("author", AUTHOR))
        .and(query_param("q", "author"))
        .and(query_param("count", "50"))
        .and(header("LinkedIn-Version", "202511"))
        .and(header("X-Restli-Protocol-Version", "2.0.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "paging": {"start": 0, "count": 50, "links": []},
            "elements": [
                {"id": "urn:li:share:3", "author": AUTHOR, "commentary": "Autre offre https://jobs.example.org/r/zz99zz99", "createdAt": ms("2026-11-22 04:05:00")},
                {"id": "urn:li:share:2", "author": AUTHOR, "commentary": format!("Développeur·se Rust \\(H/F\\) {MARKER}"), "createdAt": ms("2026-11-22 04:01:00")},
                {"id": "urn:li:share:1", "author": AUTHOR, "commentary": format!("Première publication {MARKER}"), "createdAt": ms("2026-11-01 10:00:00")}
            ]
        })))
        .mount(&server)
        .await;
    let ch = li_channel(&ctx);
    let found = ch.find(&outgoing(DeliveryKind::Repost, vec![post("x")], since)).await.unwrap().expect("found");
    assert_eq!(found.id, "urn:li:share:2", "the older post with the same link was an earlier delivery");
    assert_eq!(found.url.as_deref(), Some("https://www.linkedin.com/feed/update/urn:li:share:2/"));
    let mut other = outgoing(DeliveryKind::Post, vec![post("x")], since);
    other.marker = "https://jobs.example.org/r/nope0000".into();
    assert_eq!(ch.find(&other).await.unwrap(), None);
}

#[tokio::test]
async fn linkedin_oauth_start_and_finish() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let unconfigured = context(&app, |b| b.linkedin_client_id = None);
    assert!(matches!(linkedin::start_oauth(&unconfigured, "https://jobs.example.org/cb"), Err(ConnectError::NotConfigured(_))));

    let ctx = context(&app, li_settings(&server));
    let redirect = "https://jobs.example.org/admin/channels/oauth/callback";
    let start = linkedin::start_oauth(&ctx, redirect).unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    assert_eq!(url.path(), "/oauth/v2/authorization");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "li-client-id");
    assert_eq!(q["redirect_uri"], redirect);
    assert_eq!(q["scope"], "openid profile w_member_social");
    assert_eq!(q["state"], start.state);

    Mock::given(method("POST"))
        .and(path("/oauth/v2/accessToken"))
        .and(|req: &Request| {
            field(req, "grant_type").as_deref() == Some("authorization_code")
                && field(req, "code").as_deref() == Some("li-code")
                && field(req, "client_id").as_deref() == Some("li-client-id")
                && field(req, "client_secret").as_deref() == Some("li-client-secret")
                && field(req, "redirect_uri").as_deref() == Some(redirect)
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "li-access", "expires_in": 5_184_000, "scope": "email,openid,profile,w_member_social", "token_type": "Bearer", "id_token": "eyJ..."
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/userinfo"))
        .and(header("authorization", "Bearer li-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sub": "782bbtaQ", "name": "Camille Martin", "given_name": "Camille", "family_name": "Martin", "locale": {"country": "FR", "language": "fr"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let connected = linkedin::finish_oauth(&ctx, &start.pending, "li-code").await.unwrap();
    assert_eq!(connected.name, "Camille Martin");
    assert_eq!(connected.config, AccountConfig::LinkedIn { author_urn: "urn:li:person:782bbtaQ".into(), display_name: "Camille Martin".into() });
    let expires = connected.token_expires_at.expect("LinkedIn tokens expire: the UI warns before");
    assert!((expires - (ctx.clock.now() + Duration::days(60))).num_seconds().abs() < 10, "{expires}");
    assert!(matches!(connected.credentials, Credentials::OAuth2 { ref access_token, refresh_token: None, .. } if access_token == "li-access"));
}

#[tokio::test]
async fn linkedin_can_post_as_an_administered_organization() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, li_settings(&server));
    let start = linkedin::start_oauth_for_organizations(&ctx, "https://jobs.example.org/cb").unwrap();
    let q: std::collections::HashMap<String, String> = url::Url::parse(&start.authorize_url).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q["scope"], "openid profile w_member_social w_organization_social rw_organization_admin");

    Mock::given(method("POST"))
        .and(path("/oauth/v2/accessToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "li-org", "expires_in": 5_184_000})))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/v2/userinfo")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"sub": "abc", "name": "Camille Martin"}))).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/rest/organizationAcls"))
        .and(query_param("q", "roleAssignee"))
        .and(header("authorization", "Bearer li-org"))
        .and(header("LinkedIn-Version", "202511"))
        .and(header("X-Restli-Protocol-Version", "2.0.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"elements": [
            {"organization": "urn:li:organization:1001", "role": "ADMINISTRATOR", "state": "APPROVED", "roleAssignee": "urn:li:person:abc"},
            {"organization": "urn:li:organization:1002", "role": "ANALYST", "state": "APPROVED", "roleAssignee": "urn:li:person:abc"},
            {"organization": "urn:li:organization:1003", "role": "ADMINISTRATOR", "state": "REQUESTED", "roleAssignee": "urn:li:person:abc"}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/organizations/1001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1001, "localizedName": "Acme Logistique"})))
        .mount(&server)
        .await;
    let member = linkedin::finish_oauth(&ctx, &start.pending, "code").await.unwrap();
    let orgs = linkedin::organizations(&ctx, &member).await.unwrap();
    assert_eq!(orgs, vec![linkedin::Organization { urn: "urn:li:organization:1001".into(), name: "Acme Logistique".into() }]);
    let org = linkedin::as_organization(member, &orgs[0]).unwrap();
    assert_eq!(org.name, "Acme Logistique");
    assert_eq!(org.config, AccountConfig::LinkedIn { author_urn: "urn:li:organization:1001".into(), display_name: "Acme Logistique".into() });
    assert!(org.token_expires_at.is_some());
    let bad = linkedin::Organization { urn: "urn:li:person:abc".into(), name: "x".into() };
    assert!(matches!(linkedin::as_organization(org, &bad), Err(ConnectError::Field { field: "organization", .. })));
}

#[tokio::test]
async fn linkedin_read_back_refused_means_it_cannot_be_read_back() {
    let app = spawn_app(Backend::Sqlite).await;
    let server = MockServer::start().await;
    let ctx = context(&app, li_settings(&server));
    // Listing an author's posts needs a permission hirecast does not ask for.
    for status in [403u16, 401] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/rest/posts"))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({
                "status": status, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                "message": "Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20251101"
            })))
            .expect(1)
            .mount(&server)
            .await;
        // No refresh is tried for it.
        Mock::given(method("POST")).and(path("/oauth/v2/accessToken")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
        let err = li_channel(&ctx).find(&outgoing(DeliveryKind::Post, vec![post("x")], ctx.clock.now())).await.unwrap_err();
        assert_eq!(err, SendError::Unsupported, "{status}: cannot be read back, not reconnect needed");
        server.verify().await;
    }
}

/// Through the worker: an unconfirmed LinkedIn post whose read-back LinkedIn refuses waits for
/// a person (needs review), nothing is sent again, and the account stays connected.
async fn linkedin_unconfirmed_post_needs_review_when_it_cannot_be_read_back(backend: Backend) {
    let server = MockServer::start().await;
    let uri = server.uri();
    let app = crate::helpers::spawn_app_with(backend, move |s| {
        s.broadcast.linkedin_api_url = uri.clone();
        s.broadcast.linkedin_auth_url = format!("{uri}/oauth/v2");
        s.broadcast.linkedin_client_id = Some("li-client-id".into());
        s.broadcast.linkedin_client_secret = Some("li-client-secret".into());
    })
    .await;
    let config = AccountConfig::LinkedIn { author_urn: AUTHOR.into(), display_name: "Camille Martin".into() };
    let creds = oauth("li-token", None, Some(app.state.clock.now() + Duration::days(59)));
    let account = app.db(|c| {
        let a = channels::create(c, &app.state.key, NewAccount { name: "Camille Martin", config: &config, credentials: &creds, token_expires_at: None, created_by: None }).unwrap();
        channels::set_min_interval(c, &a.id, 0).unwrap();
        a.id
    });
    Mock::given(method("GET"))
        .and(path("/rest/posts"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"status": 403, "serviceErrorCode": 100, "message": "Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20251101"})))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/rest/posts")).respond_with(ResponseTemplate::new(201)).expect(0).mount(&server).await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let plan = hirecast::store::deliveries::PublishPlan {
        targets: vec![hirecast::store::deliveries::Target { account_id: account.clone(), on_close: hirecast::store::deliveries::OnClose::Nothing }],
        at: None,
        repost_every_days: None,
    };
    let now = app.state.clock.now();
    let base = app.state.settings.base_url.clone();
    let id = app.db(|c| hirecast::store::deliveries::publish(c, &opening, &plan, &base, app.state.clock.today(), now, None).unwrap()).remove(0).id;
    // An earlier attempt's outcome is unknown.
    app.db(|c| {
        use hirecast::store::deliveries::{claim, record, Outcome};
        assert_eq!(claim(c, "gone", now, Duration::seconds(30), 5).unwrap().len(), 1);
        record(c, &id, "gone", &Outcome::Unconfirmed { at: now, reason: "the network did not answer in time".into() }, now).unwrap();
    });
    let worker = hirecast::broadcast::worker::Worker::new(crate::mastodon::context(&app));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let d = app.db(|c| hirecast::store::deliveries::find(c, &id).unwrap().unwrap());
    assert_eq!(d.state(), hirecast::broadcast::DeliveryState::Unconfirmed);
    assert!(d.needs_review, "a person checks LinkedIn, then confirms or sends again");
    assert!(d.last_error.as_deref().unwrap_or("").contains("cannot be checked from here"), "{:?}", d.last_error);
    let a = app.db(|c| channels::find(c, &account).unwrap().unwrap());
    assert_eq!(a.status, channels::AccountStatus::Connected, "{:?}", a.status_reason);
    assert_eq!(worker.run_once().await.unwrap(), 0);
}

crate::on_both_backends!(linkedin_unconfirmed_post_needs_review_when_it_cannot_be_read_back);
