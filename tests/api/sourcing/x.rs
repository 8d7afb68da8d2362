//! Sourcing on X (a wiremock stub of the X API v2, no server exists offline): replies found
//! with recent search by conversation, t.co links read through their expanded URLs; an account
//! whose plan cannot search is said plainly on the opening's page instead of failing silently.

use chrono::Duration;
use hirecast::broadcast::worker::Worker;
use hirecast::broadcast::{AccountConfig, ChannelContext, Credentials};
use hirecast::domain::user::Role;
use hirecast::sourcing::harvest::{Harvester, X_PLAN_CANNOT_READ};
use hirecast::store::channels::{self, NewAccount};
use hirecast::store::deliveries::{self, OnClose, PublishPlan, Target};
use hirecast::store::sourcing as shortlist;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

async fn published_on_x(app: &TestApp, server: &MockServer) -> (String, ChannelContext) {
    let key = app.state.key.clone();
    let expires = app.state.clock.now() + Duration::hours(2);
    let account = app.db(|c| {
        channels::create(
            c,
            &key,
            NewAccount {
                name: "@acme_jobs",
                config: &AccountConfig::X { user_id: "42".into(), username: "acme_jobs".into(), max_weighted_length: None },
                credentials: &Credentials::OAuth2 { access_token: "at-1".into(), refresh_token: Some("rt-1".into()), expires_at: Some(expires) },
                token_expires_at: Some(expires),
                created_by: None,
            },
        )
        .unwrap()
    });
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {"id": "1001", "text": "…"}})))
        .mount(server)
        .await;
    let opening = crate::outbox::draft_opening(app, "Développeur Rust");
    let (base, today, now) = (app.state.settings.base_url.clone(), app.state.clock.today(), app.state.clock.now());
    let plan = PublishPlan { targets: vec![Target { account_id: account.id.clone(), on_close: OnClose::Nothing }], at: None, repost_every_days: None };
    app.db(|c| deliveries::publish(c, &opening, &plan, &base, today, now, None).unwrap());
    let mut settings = app.state.settings.clone();
    settings.broadcast.x_api_url = server.uri();
    settings.broadcast.x_client_id = Some("x-client-id".into());
    let ctx = ChannelContext::new(app.state.pool.clone(), settings, app.state.clock.clone(), app.state.key.clone());
    assert_eq!(Worker::new(ctx.clone()).run_once().await.unwrap(), 1);
    (opening, ctx)
}

fn harvester(app: &TestApp, ctx: ChannelContext, cv_port: u16) -> Harvester {
    let sourcing = super::sourcing_for(app, cv_port);
    Harvester::new(ctx, sourcing)
}

async fn x_replies_are_found_by_conversation_and_t_co_links_expanded(backend: Backend) {
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.pdf")).unwrap();
    let marc = b"<!doctype html><html><body><h1>Marc</h1><p>D\xc3\xa9veloppeur Rust, 6 ans d'exp\xc3\xa9rience.</p></body></html>".to_vec();
    let cvs = crate::sourcing::harvest::CvServer::start(vec![("/nina.pdf", "application/pdf", pdf), ("/marc", "text/html; charset=utf-8", marc)]);
    let app = spawn_app(backend).await;
    let server = MockServer::start().await;
    let (opening, ctx) = published_on_x(&app, &server).await;
    let full = format!("http://cv.example.com:{}/nina.pdf", cvs.port);
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .and(query_param("query", "conversation_id:1001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "2001", "author_id": "77", "conversation_id": "1001", "created_at": "2026-12-01T08:00:00.000Z",
                 "text": "@acme_jobs Dispo ! Mon CV https://t.co/abc123", "entities": {"urls": [{"url": "https://t.co/abc123", "expanded_url": full}]}},
                {"id": "2002", "author_id": "42", "conversation_id": "1001", "text": "@nina merci !"},
                {"id": "2003", "author_id": "78", "conversation_id": "1001", "created_at": "2026-12-01T08:01:00.000Z",
                 "text": "@acme_jobs moi aussi https://t.co/def456", "entities": {"urls": [{"url": "https://t.co/def456", "expanded_url": format!("http://cv.example.com:{}/marc", cvs.port)}]}}
            ],
            "includes": {"users": [
                {"id": "77", "username": "nina_dev", "name": "Nina Dupont", "description": "Ingénieure Rust & PostgreSQL", "location": "Lyon"},
                {"id": "78", "username": "marc_rs", "name": "Marc", "description": ""}
            ]},
            "meta": {"result_count": 2}
        })))
        .expect(2)
        .mount(&server)
        .await;
    let h = harvester(&app, ctx, cvs.port);
    assert_eq!(h.run_once().await.unwrap(), 2, "the account's own reply is not a candidate");
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].candidate.name, "Nina Dupont");
    assert_eq!(app.db(|c| shortlist::cvs_of(c, &entries[0].candidate.id).unwrap()).len(), 1, "the CV behind t.co");
    // X has no private answer: Nina's acknowledgement goes to the address her CV gives, once;
    // Marc's CV gives none, so he gets none. Each answer is read once (no CV fetched again).
    let messages = || {
        app.db(|c| {
            use diesel::prelude::*;
            use hirecast::store::schema::candidate_messages as m;
            m::table.select(m::channel).load::<String>(c).unwrap()
        })
    };
    assert_eq!(messages(), vec!["email"]);
    let hits = cvs.hits.load(std::sync::atomic::Ordering::SeqCst);
    app.state.clock.advance(Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS + 1));
    assert_eq!(h.run_once().await.unwrap(), 0, "read again, nothing new");
    assert_eq!(cvs.hits.load(std::sync::atomic::Ordering::SeqCst), hits, "the CV is not fetched again");
    assert_eq!(messages().len(), 1);
}

async fn an_x_plan_that_cannot_search_is_said_plainly(backend: Backend) {
    let app = spawn_app(backend).await;
    let server = MockServer::start().await;
    let (opening, ctx) = published_on_x(&app, &server).await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"title": "Client Forbidden", "reason": "client-not-enrolled", "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.", "type": "https://api.twitter.com/2/problems/client-forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    let h = harvester(&app, ctx, 1);
    assert_eq!(h.run_once().await.unwrap(), 0);
    // Said once, not asked again every round; the account is not marked for reconnection.
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(h.run_once().await.unwrap(), 0);
    let account = app.db(|c| channels::list(c, false).unwrap()).remove(0);
    assert_eq!(account.status, channels::AccountStatus::Connected);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let page = rita.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&X_PLAN_CANNOT_READ.replace('\'', "&#x27;")) || page.contains(X_PLAN_CANNOT_READ), "{page}");
}

crate::on_both_backends!(x_replies_are_found_by_conversation_and_t_co_links_expanded, an_x_plan_that_cannot_search_is_said_plainly);
