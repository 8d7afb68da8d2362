//! Channels, publishing to them and the deliveries, through HTTP: the web pages as a browser
//! without JavaScript uses them, and the JSON API.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hirecast::broadcast::connect::PendingOAuth;
use hirecast::broadcast::{AccountConfig, Credentials, WebhookFlavour};
use hirecast::compose::Network;
use hirecast::domain::opening::{OpeningDraft, OpeningInput};
use hirecast::domain::user::Role;
use hirecast::store::channels::{self, AccountStatus, ChannelAccount, NewAccount};
use hirecast::store::deliveries;
use hirecast::store::schema::deliveries as d;
use hirecast::store::{oauth_flows, openings};
use reqwest::Response;
use scraper::{Html, Selector};
use serde_json::{json, Value};

use crate::helpers::*;

fn location(res: &Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

fn select_text(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>().trim().to_string()).collect()
}

fn select_attr(html: &str, css: &str, attr: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).filter_map(|e| e.value().attr(attr)).map(str::to_string).collect()
}

fn new_opening(app: &TestApp, title: &str, manager: Option<&str>) -> String {
    let mut body = json!({
        "title": title,
        "company": "Acme Logistique",
        "city": "Lyon",
        "country": "FR",
        "remote_policy": "hybrid",
        "employment_type": "permanent",
        "language": "fr",
        "description": "Du **Rust**."
    });
    if let Some(m) = manager {
        body["hiring_manager_ids"] = json!([m]);
    }
    let input: OpeningInput = serde_json::from_value(body).unwrap();
    let draft = OpeningDraft::parse(&input, app.state.clock.today()).unwrap();
    app.db(|c| openings::create(c, &draft, None).unwrap().id)
}

fn status_of(app: &TestApp, opening_id: &str) -> String {
    app.db(|c| openings::find(c, opening_id).unwrap().unwrap().status.as_str().to_string())
}

fn slack(app: &TestApp, name: &str) -> ChannelAccount {
    add_account(
        app,
        name,
        AccountConfig::Webhook { flavour: WebhookFlavour::Slack, host: "hooks.slack.com".into() },
        Credentials::Webhook { url: "https://hooks.slack.com/services/T/B/x".into(), signing_secret: None },
    )
}

fn mastodon(app: &TestApp, name: &str) -> ChannelAccount {
    add_account(
        app,
        name,
        AccountConfig::Mastodon { instance: "https://mastodon.example".into(), acct: Some(name.into()), account_id: None, max_characters: None, url_reserve: None },
        Credentials::Mastodon { access_token: "token".into(), client_id: None, client_secret: None },
    )
}

fn add_account(app: &TestApp, name: &str, config: AccountConfig, creds: Credentials) -> ChannelAccount {
    let key = app.state.key.clone();
    app.db(|c| channels::create(c, &key, NewAccount { name, config: &config, credentials: &creds, token_expires_at: None, created_by: None }).unwrap())
}

/// (account id, state, due_at) of an opening's deliveries.
fn deliveries_of(app: &TestApp, opening_id: &str) -> Vec<(String, String, NaiveDateTime)> {
    let mut v: Vec<(String, String, NaiveDateTime)> = app.db(|c| {
        d::table.filter(d::opening_id.eq(opening_id)).select((d::account_id, d::state, d::due_at)).load(c).unwrap()
    });
    v.sort();
    v
}

fn set_state(app: &TestApp, delivery_id: &str, state: &str, needs_review: bool, reason: Option<&str>) {
    app.db(|c| {
        diesel::update(d::table.find(delivery_id))
            .set((d::state.eq(state), d::needs_review.eq(needs_review), d::last_error.eq(reason)))
            .execute(c)
            .unwrap()
    });
}

fn delivery_ids(app: &TestApp, opening_id: &str) -> Vec<String> {
    app.db(|c| deliveries::list_for_opening(c, opening_id).unwrap()).into_iter().map(|v| v.delivery.id).collect()
}

async fn publish_form(app: &TestApp, client: &reqwest::Client, opening_id: &str, form: &[(&str, &str)]) -> Response {
    client.post(app.url(&format!("/app/openings/{opening_id}/broadcast"))).form(form).send().await.unwrap()
}

async fn publishing_from_the_opening_page_queues_one_delivery_per_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let (a, b) = (slack(&app, "#jobs on Slack"), mastodon(&app, "@jobs@mastodon.example"));
    let opening = new_opening(&app, "Développeur Rust", None);
    let page = format!("/app/openings/{opening}");

    let body = client.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "#broadcast-form input[name=accounts]", "value"), vec![a.id.clone(), b.id.clone()]);
    // Slack offers no reply and no deletion on close; Mastodon offers both.
    assert_eq!(select_attr(&body, &format!("select[name=on_close_{}] option", a.id), "value"), vec!["nothing"]);
    assert_eq!(select_attr(&body, &format!("select[name=on_close_{}] option", b.id), "value"), vec!["nothing", "reply", "delete"]);

    let res = publish_form(&app, &client, &opening, &[("accounts", &a.id), ("accounts", &b.id), ("when", "now"), (&format!("on_close_{}", b.id), "reply")]).await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), format!("{page}?done=broadcast&n=2"));
    assert_eq!(status_of(&app, &opening), "open");
    let rows = deliveries_of(&app, &opening);
    assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["queued", "queued"]);
    let on_close: Vec<(String, String)> = app.db(|c| d::table.filter(d::opening_id.eq(&opening)).select((d::account_id, d::on_close)).load(c).unwrap());
    assert!(on_close.contains(&(b.id.clone(), "reply".into())) && on_close.contains(&(a.id.clone(), "nothing".into())), "{on_close:?}");

    let body = client.get(app.url(&location(&res))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#notice"), vec!["Publishing: 2 new deliveries."]);
    assert_eq!(select_attr(&body, "#deliveries-table .delivery-state", "data-state"), vec!["queued", "queued"]);
    assert_eq!(select_text(&body, "#deliveries-table .cancel-delivery").len(), 2, "queued deliveries can be cancelled");

    // Publishing again creates nothing new.
    let res = publish_form(&app, &client, &opening, &[("accounts", &a.id), ("accounts", &b.id), ("when", "now")]).await;
    assert_eq!(location(&res), format!("{page}?done=broadcast&n=0"));
    assert_eq!(deliveries_of(&app, &opening).len(), 2);

    // A reconnect-needed account: shown disabled with the network's reason; publishing to it
    // (with a good one) publishes nothing and leaves the opening as it was.
    let c = slack(&app, "#broken");
    app.db(|conn| channels::set_status(conn, &c.id, AccountStatus::ReconnectNeeded, Some("invalid_token: revoked"), hirecast::store::now()).unwrap());
    let archived = slack(&app, "#gone");
    app.db(|conn| channels::archive(conn, &archived.id).unwrap());
    let second = new_opening(&app, "Product designer", None);
    let body = client.get(app.url(&format!("/app/openings/{second}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, &format!("li[data-account-id='{}'] input[disabled]", c.id), "value"), vec![c.id.clone()]);
    assert_eq!(select_text(&body, &format!("li[data-account-id='{}'] .account-reason", c.id)), vec!["invalid_token: revoked"]);
    assert!(select_attr(&body, "#broadcast-form input[name=accounts]", "value").iter().all(|v| *v != archived.id), "archived accounts are not offered");

    let res = publish_form(&app, &client, &second, &[("accounts", &a.id), ("accounts", &c.id), ("when", "now")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#accounts-error"), vec!["#broken needs reconnecting: invalid_token: revoked"]);
    assert_eq!((status_of(&app, &second), deliveries_of(&app, &second).len()), ("draft".into(), 0));
    let res = publish_form(&app, &client, &second, &[("accounts", &a.id), ("accounts", &archived.id), ("when", "now")]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!((status_of(&app, &second), deliveries_of(&app, &second).len()), ("draft".into(), 0));
    // No channel chosen, or an on-close choice the channel cannot do.
    let res = publish_form(&app, &client, &second, &[("when", "now")]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(select_text(&res.text().await.unwrap(), "#accounts-error"), vec!["choose at least one channel"]);
    let res = publish_form(&app, &client, &second, &[("accounts", &a.id), (&format!("on_close_{}", a.id), "delete")]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!((status_of(&app, &second), deliveries_of(&app, &second).len()), ("draft".into(), 0));

    // Closing from the page goes through the outbox: what was not sent is cancelled.
    let res = client.post(app.url(&format!("{page}/status"))).form(&[("action", "close")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(status_of(&app, &opening), "closed");
    assert_eq!(deliveries_of(&app, &opening).iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["cancelled", "cancelled"]);
}

async fn scheduling_uses_the_users_time_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let a = slack(&app, "#jobs");
    let opening = new_opening(&app, "Développeur Rust", None);
    let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();

    // Europe/Paris by default: 09:30 in January is 08:30 UTC.
    let res = publish_form(&app, &client, &opening, &[("accounts", &a.id), ("when", "later"), ("at", "2030-01-15T09:30"), ("repost_every_days", "7")]).await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    assert_eq!(deliveries_of(&app, &opening), vec![(a.id.clone(), "scheduled".to_string(), t("2030-01-15 08:30"))]);
    let repost: Option<i64> = app.db(|c| d::table.filter(d::opening_id.eq(&opening)).select(d::repost_every_days).first(c).unwrap());
    assert_eq!(repost, Some(7));
    let body = client.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#deliveries-table .delivery-due"), vec!["2030-01-15 09:30"], "shown in the user's zone");

    // Another zone, set in the settings.
    let res = client.post(app.url("/app/settings/time-zone")).form(&[("time_zone", "Mars/Olympus")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(select_text(&res.text().await.unwrap(), "#time-zone-error").len(), 1);
    let res = client.post(app.url("/app/settings/time-zone")).form(&[("time_zone", "America/New_York")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let body = client.get(app.url("/app/settings")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "#time-zone option[selected]", "value"), vec!["America/New_York"]);
    let b = slack(&app, "#jobs-us");
    let res = publish_form(&app, &client, &opening, &[("accounts", &b.id), ("when", "later"), ("at", "2030-07-01 09:00")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let due = deliveries_of(&app, &opening).into_iter().find(|r| r.0 == b.id).unwrap().2;
    assert_eq!(due, t("2030-07-01 13:00"), "09:00 EDT is 13:00 UTC");

    // Refusals name the field.
    let c = slack(&app, "#jobs-3");
    for (at, repost, field) in [("2020-01-01T09:00", "", "#publish-at-error"), ("not a time", "", "#publish-at-error"), ("", "0", "#repost-every-error"), ("", "91", "#repost-every-error")] {
        let when = if at.is_empty() { "now" } else { "later" };
        let res = publish_form(&app, &client, &opening, &[("accounts", &c.id), ("when", when), ("at", at), ("repost_every_days", repost)]).await;
        assert_eq!(res.status().as_u16(), 422, "{at} {repost}");
        assert_eq!(select_text(&res.text().await.unwrap(), field).len(), 1, "{at} {repost}");
    }
    assert!(deliveries_of(&app, &opening).iter().all(|r| r.0 != c.id));
}

async fn delivery_actions_move_states_and_refuse_wrong_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let (a, b, c) = (slack(&app, "#one"), slack(&app, "#two"), slack(&app, "#three"));
    let opening = new_opening(&app, "Développeur Rust", None);
    let res = publish_form(&app, &client, &opening, &[("accounts", &a.id), ("accounts", &b.id), ("accounts", &c.id)]).await;
    assert_eq!(res.status().as_u16(), 303);
    let ids = delivery_ids(&app, &opening);
    let (one, two, three) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    let post = |id: &str, action: &str, form: Vec<(&'static str, String)>| {
        let url = app.url(&format!("/app/deliveries/{id}/{action}"));
        let client = client.clone();
        async move { client.post(url).form(&form).send().await.unwrap() }
    };
    let state = |id: &str| app.db(|c| deliveries::find(c, id).unwrap().unwrap().state);

    // Cancel a queued delivery, back to the opening page.
    let res = post(&one, "cancel", vec![("next", format!("/app/openings/{opening}"))]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), format!("/app/openings/{opening}?done=cancelled"));
    assert_eq!(state(&one), "cancelled");
    // Wrong states: a page with the reason, 409, nothing changed.
    for action in ["cancel", "retry", "confirm"] {
        let res = post(&one, action, vec![]).await;
        assert_eq!(res.status().as_u16(), 409, "{action}");
        assert_eq!(select_text(&res.text().await.unwrap(), "#notice"), vec!["Not possible for a delivery in the state “Cancelled”."]);
    }
    assert_eq!(state(&one), "cancelled");
    assert_eq!(post(&one, "explode", vec![]).await.status().as_u16(), 404);

    // A failed one is retried; an unconfirmed one to review is confirmed, with its address.
    set_state(&app, &two, "failed", false, Some("rejected: 400"));
    let res = post(&two, "retry", vec![]).await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, format!("/app/deliveries/{two}?done=retried")));
    assert_eq!(state(&two), "queued");
    set_state(&app, &three, "unconfirmed", true, Some("timed out"));
    let res = post(&three, "confirm", vec![("url", "javascript:alert(1)".into())]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(state(&three), "unconfirmed");
    let res = post(&three, "confirm", vec![("url", "https://hooks.example/post/1".into())]).await;
    assert_eq!(res.status().as_u16(), 303);
    let d3 = app.db(|c| deliveries::find(c, &three).unwrap().unwrap());
    assert_eq!((d3.state.as_str(), d3.remote_url.as_deref(), d3.needs_review), ("published", Some("https://hooks.example/post/1"), false));

    // The delivery page: its history, and the live post as a safe link.
    let body = client.get(app.url(&format!("/app/deliveries/{three}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "#events-table tr[data-state]", "data-state"), vec!["queued", "published"]);
    assert_eq!(select_attr(&body, "#delivery-state a.delivery-link", "rel"), vec!["noopener noreferrer"]);
    // Only http(s) addresses become links.
    app.db(|c| diesel::update(d::table.find(&three)).set(d::remote_url.eq("javascript:alert(1)")).execute(c).unwrap());
    let body = client.get(app.url(&format!("/app/deliveries/{three}"))).send().await.unwrap().text().await.unwrap();
    assert!(select_attr(&body, "a", "href").iter().all(|h| !h.starts_with("javascript")));
    assert_eq!(client.get(app.url("/app/deliveries/nope")).send().await.unwrap().status().as_u16(), 404);
}

async fn failures_page_lists_failed_deliveries_escaped(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let a = slack(&app, "#jobs");
    let opening = new_opening(&app, "Développeur Rust", None);
    publish_form(&app, &client, &opening, &[("accounts", &a.id)]).await;
    let body = client.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(select_text(&body, "#failures-count").is_empty(), "no badge when nothing failed");
    assert_eq!(select_attr(&body, "#nav-failures", "href"), vec!["/app/broadcast/failures"]);
    let body = client.get(app.url("/app/broadcast/failures")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#no-failures").len(), 1);

    let id = delivery_ids(&app, &opening).remove(0);
    set_state(&app, &id, "failed", false, Some("<script>alert(1)</script> rejected"));
    let res = client.get(app.url("/app/broadcast/failures")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script>alert(1)"), "the reason is escaped");
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt; rejected") || body.contains("&#60;script&#62;"), "the reason is shown");
    assert_eq!(select_text(&body, "#failures-table .delivery-error"), vec!["<script>alert(1)</script> rejected"]);
    assert_eq!(select_text(&body, "#failures-count"), vec!["1"]);
    assert_eq!(select_attr(&body, "#failures-table tr[data-delivery-id]", "data-delivery-id"), vec![id.clone()]);

    let res = client.post(app.url(&format!("/app/deliveries/{id}/retry"))).form(&[("next", "/app/broadcast/failures")]).send().await.unwrap();
    assert_eq!(location(&res), "/app/broadcast/failures?done=retried");
    let body = client.get(app.url(&location(&res))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#no-failures").len(), 1);
    assert!(select_text(&body, "#failures-count").is_empty());
}

async fn hiring_managers_see_only_their_openings_deliveries(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let hugo = app.add_user("hugo@acme.fr", Role::HiringManager);
    let recruiter = app.signed_in("ana@acme.fr").await;
    let a = slack(&app, "#jobs");
    let mine = new_opening(&app, "Assigned", Some(&hugo.id));
    let other = new_opening(&app, "Hidden", None);
    publish_form(&app, &recruiter, &mine, &[("accounts", &a.id)]).await;
    publish_form(&app, &recruiter, &other, &[("accounts", &a.id)]).await;
    let (dm, dother) = (delivery_ids(&app, &mine).remove(0), delivery_ids(&app, &other).remove(0));
    set_state(&app, &dm, "failed", false, Some("mine failed"));
    set_state(&app, &dother, "failed", false, Some("other failed"));

    let hm = app.signed_in("hugo@acme.fr").await;
    let get = |p: String| {
        let hm = hm.clone();
        let url = app.url(&p);
        async move { hm.get(url).send().await.unwrap() }
    };
    let body = get(format!("/app/openings/{mine}")).await.text().await.unwrap();
    assert_eq!(select_attr(&body, "#deliveries-table tr[data-delivery-id]", "data-delivery-id"), vec![dm.clone()]);
    assert!(select_text(&body, "#broadcast-form").is_empty(), "no publish form for a hiring manager");
    assert!(select_text(&body, ".retry-delivery").is_empty(), "no actions for a hiring manager");
    assert_eq!(get(format!("/app/deliveries/{dm}")).await.status().as_u16(), 200);
    assert_eq!(get(format!("/app/deliveries/{dother}")).await.status().as_u16(), 404);
    let body = get("/app/broadcast/failures".into()).await.text().await.unwrap();
    assert_eq!(select_attr(&body, "#failures-table tr[data-delivery-id]", "data-delivery-id"), vec![dm.clone()]);
    assert_eq!(select_text(&body, "#failures-count"), vec!["1"]);
    assert_eq!(get("/app/channels".into()).await.status().as_u16(), 403);

    let res = publish_form(&app, &hm, &mine, &[("accounts", &a.id)]).await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(publish_form(&app, &hm, &other, &[("accounts", &a.id)]).await.status().as_u16(), 404);
    for action in ["retry", "cancel", "confirm"] {
        assert_eq!(hm.post(app.url(&format!("/app/deliveries/{dm}/{action}"))).send().await.unwrap().status().as_u16(), 403, "{action}");
        assert_eq!(hm.post(app.url(&format!("/app/deliveries/{dother}/{action}"))).send().await.unwrap().status().as_u16(), 404, "{action}");
    }
    assert_eq!(app.db(|c| deliveries::find(c, &dm).unwrap().unwrap().state), "failed");

    // The same through the API.
    let token = app.db(|c| hirecast::store::users::create_api_token(c, &hugo.id, "tests").unwrap().1);
    let api = Api { app: &app, token };
    let (s, v) = api.get(&format!("/api/v1/openings/{mine}/deliveries")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(api.get(&format!("/api/v1/openings/{other}/deliveries")).await.0, 404);
    assert_eq!(api.post(&format!("/api/v1/openings/{mine}/publish"), json!({"accounts": [{"id": a.id}]})).await.0, 403);
    assert_eq!(api.post_empty(&format!("/api/v1/deliveries/{dm}/retry")).await.0, 403);
    assert_eq!(api.post_empty(&format!("/api/v1/deliveries/{dother}/retry")).await.0, 404);
    assert_eq!(api.get("/api/v1/channels").await.0, 403);
}

fn pending(network: Network) -> PendingOAuth {
    PendingOAuth {
        network,
        pkce_verifier: "verifier".into(),
        redirect_uri: "http://localhost/app/channels/oauth/callback".into(),
        instance: None,
        client_id: None,
        client_secret: None,
        account_id: None,
        as_organization: false,
        choosing: None,
    }
}

async fn oauth_callback_takes_only_the_users_own_flow_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.add_user("ana@acme.fr", Role::Admin);
    app.add_user("bob@acme.fr", Role::Admin);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let key = app.state.key.clone();
    let now = app.state.clock.now();
    app.db(|c| oauth_flows::save(c, &key, "state-one", &ana.id, &pending(Network::X), now).unwrap());
    let (ana_c, bob_c, rita_c) = (app.signed_in("ana@acme.fr").await, app.signed_in("bob@acme.fr").await, app.signed_in("rita@acme.fr").await);
    let callback = |q: &str| app.url(&format!("/app/channels/oauth/callback?{q}"));

    assert_eq!(rita_c.get(callback("state=state-one&code=abc")).send().await.unwrap().status().as_u16(), 403);
    // Another admin's state, or an unknown one: refused, and the flow is not spent.
    for (client, q) in [(&bob_c, "state=state-one&code=abc"), (&ana_c, "state=nope&code=abc"), (&ana_c, "code=abc")] {
        let res = client.get(callback(q)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 400, "{q}");
        assert_eq!(select_text(&res.text().await.unwrap(), "#notice"), vec!["This authorization is unknown or has expired. Start connecting the account again."]);
    }
    // The owner's callback takes it; finishing fails here (no X app is configured and no X
    // server answers): the reason is shown and no account is stored.
    let res = ana_c.get(callback("state=state-one&code=abc")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let notice = select_text(&res.text().await.unwrap(), "#notice");
    assert!(!notice[0].is_empty() && !notice[0].starts_with("This authorization is unknown"), "{notice:?}");
    assert!(app.db(|c| channels::list(c, true).unwrap()).is_empty());
    // Once only.
    let res = ana_c.get(callback("state=state-one&code=abc")).send().await.unwrap();
    assert!(select_text(&res.text().await.unwrap(), "#notice")[0].starts_with("This authorization is unknown"));

    // The network's refusal is shown, escaped; an expired flow is unknown.
    app.db(|c| oauth_flows::save(c, &key, "state-two", &ana.id, &pending(Network::LinkedIn), now).unwrap());
    let res = ana_c.get(callback("state=state-two&error=access_denied&error_description=%3Cb%3Enope%3C%2Fb%3E")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#notice"), vec!["LinkedIn did not grant the access: <b>nope</b>"]);
    assert!(!body.contains("<b>nope"));
    app.db(|c| oauth_flows::save(c, &key, "state-old", &ana.id, &pending(Network::X), now - Duration::minutes(11)).unwrap());
    assert!(app.db(|c| oauth_flows::take(c, &key, "state-old", &ana.id, now).unwrap()).is_none(), "expired after ten minutes");
    app.db(|c| oauth_flows::save(c, &key, "state-three", &ana.id, &pending(Network::X), now).unwrap());
    assert!(app.db(|c| oauth_flows::take(c, &key, "state-three", "someone-else", now).unwrap()).is_none());
    let got = app.db(|c| oauth_flows::take(c, &key, "state-three", &ana.id, now).unwrap());
    assert_eq!(got, Some(pending(Network::X)));
}

async fn channels_page_is_for_admins_to_manage(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("root@acme.fr", Role::Admin);
    app.add_user("ana@acme.fr", Role::Recruiter);
    let admin = app.signed_in("root@acme.fr").await;
    let recruiter = app.signed_in("ana@acme.fr").await;
    let a = slack(&app, "#jobs");
    let b = add_account(
        &app,
        "Acme on LinkedIn",
        AccountConfig::LinkedIn { author_urn: "urn:li:organization:1".into(), display_name: "Acme".into() },
        Credentials::OAuth2 { access_token: "t".into(), refresh_token: None, expires_at: None },
    );
    let soon = app.state.clock.now() + Duration::days(3);
    app.db(|c| diesel::update(hirecast::store::schema::channel_accounts::table.find(&b.id)).set(hirecast::store::schema::channel_accounts::token_expires_at.eq(Some(soon))).execute(c).unwrap());
    app.db(|c| channels::set_status(c, &a.id, AccountStatus::ReconnectNeeded, Some("Invalid webhook <token>"), hirecast::store::now()).unwrap());

    let body = admin.get(app.url("/app/channels")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#channels-table .account-name"), vec!["#jobs", "Acme on LinkedIn"]);
    assert_eq!(select_attr(&body, "#channels-table .health", "data-health"), vec!["reconnect_needed", "connected"]);
    assert_eq!(select_text(&body, "#channels-table .account-reason"), vec!["Invalid webhook <token>"]);
    assert_eq!(select_text(&body, "#channels-table .expiry-warning").len(), 1);
    assert_eq!(select_text(&body, "#nav-channels"), vec!["Channels"]);
    assert_eq!(select_text(&body, "#connect-channel").len(), 1);

    // Recruiters read; only admins write.
    let body = recruiter.get(app.url("/app/channels")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#channels-table .account-name").len(), 2);
    assert!(select_text(&body, "#connect-channel").is_empty());
    for (method, path) in [("GET", "/app/channels/new?network=slack".to_string()), ("POST", "/app/channels/new".into()), ("POST", format!("/app/channels/{}/disconnect", a.id)), ("GET", format!("/app/channels/{}/disconnect", a.id)), ("POST", format!("/app/channels/{}/check", a.id))] {
        let req = if method == "GET" { recruiter.get(app.url(&path)) } else { recruiter.post(app.url(&path)).form(&[("network", "slack"), ("url", "https://hooks.slack.com/x")]) };
        assert_eq!(req.send().await.unwrap().status().as_u16(), 403, "{method} {path}");
    }

    // Connect forms.
    let body = admin.get(app.url("/app/channels/new")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "#networks a", "data-network").len(), Network::ALL.len());
    let body = admin.get(app.url("/app/channels/new?network=x")).send().await.unwrap().text().await.unwrap();
    assert!(select_text(&body, "#not-configured")[0].contains("X is not configured"));
    let body = admin.get(app.url("/app/channels/new?network=bluesky")).send().await.unwrap().text().await.unwrap();
    assert!(select_text(&body, "#app_password-hint")[0].contains("not the account's password"));
    assert_eq!(admin.get(app.url("/app/channels/new?network=myspace")).send().await.unwrap().status().as_u16(), 400);
    let res = admin.post(app.url("/app/channels/new")).form(&[("network", "slack"), ("url", "")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(select_text(&res.text().await.unwrap(), "#url-error"), vec!["is required"]);
    let res = admin.post(app.url("/app/channels/new")).form(&[("network", "bluesky"), ("handle", "jobs.example"), ("app_password", "abcd-efgh-ijkl-mnop")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(!body.contains("abcd-efgh-ijkl-mnop"), "a secret is never sent back");
    assert_eq!(select_attr(&body, "#handle", "value"), vec!["jobs.example"]);
    let res = admin.post(app.url("/app/channels/new")).form(&[("network", "email"), ("list_name", "Alerts")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422, "email lists need SMTP");
    assert_eq!(admin.get(app.url("/app/channels/new?network=slack&account=nope")).send().await.unwrap().status().as_u16(), 404);
    assert_eq!(admin.get(app.url(&format!("/app/channels/new?account={}", a.id))).send().await.unwrap().status().as_u16(), 200);

    // Disconnect: a confirmation, then the account leaves the list.
    let body = admin.get(app.url(&format!("/app/channels/{}/disconnect", a.id))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#confirm-disconnect").len(), 1);
    let res = admin.post(app.url(&format!("/app/channels/{}/disconnect", a.id))).send().await.unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/app/channels?done=disconnected".to_string()));
    assert!(app.db(|c| channels::find(c, &a.id).unwrap().unwrap().archived));
    assert_eq!(admin.post(app.url(&format!("/app/channels/{}/disconnect", a.id))).send().await.unwrap().status().as_u16(), 404);
    let body = admin.get(app.url("/app/channels?done=disconnected")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#channels-table .account-name"), vec!["Acme on LinkedIn"]);
}

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    async fn read(res: Response) -> (u16, Value) {
        let s = res.status().as_u16();
        let text = res.text().await.unwrap();
        (s, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({s}): {text}")))
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        Self::read(reqwest::Client::new().get(self.app.url(path)).bearer_auth(&self.token).send().await.unwrap()).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        Self::read(reqwest::Client::new().post(self.app.url(path)).bearer_auth(&self.token).json(&body).send().await.unwrap()).await
    }
    async fn post_empty(&self, path: &str) -> (u16, Value) {
        Self::read(reqwest::Client::new().post(self.app.url(path)).bearer_auth(&self.token).send().await.unwrap()).await
    }
}

fn fields(v: &Value) -> Vec<String> {
    v["error"]["fields"].as_array().map(|a| a.iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

async fn api_publishes_lists_and_acts_on_deliveries(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = Api { app: &app, token: app.api_token("ana@acme.fr", Role::Recruiter) };
    let admin = Api { app: &app, token: app.api_token("root@acme.fr", Role::Admin) };
    let (a, m) = (slack(&app, "#jobs"), mastodon(&app, "@jobs@mastodon.example"));
    let opening = new_opening(&app, "Développeur Rust", None);
    let publish = format!("/api/v1/openings/{opening}/publish");

    let (s, v) = api.get("/api/v1/channels").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect::<Vec<_>>(), ["#jobs", "@jobs@mastodon.example"]);
    assert_eq!(v["items"][0]["network"], "slack");
    assert!(!v.to_string().contains("hooks.slack.com/services"), "no credentials in the API");

    // Refusals, each naming its field; nothing is published.
    for (body, field, status) in [
        (json!({"accounts": [{"id": "nope"}]}), "accounts", 422),
        (json!({"accounts": []}), "accounts", 422),
        (json!({"accounts": [{"id": a.id}], "at": "2020-01-01T10:00:00+01:00"}), "at", 422),
        (json!({"accounts": [{"id": a.id}], "at": "tomorrow"}), "at", 422),
        (json!({"accounts": [{"id": a.id}], "at": "2030-01-01T10:00:00"}), "at", 422),
        (json!({"accounts": [{"id": a.id}], "repost_every_days": 0}), "repost_every_days", 422),
        (json!({"accounts": [{"id": a.id, "on_close": "reply"}]}), "accounts[0].on_close", 422),
        (json!({"accounts": [{"id": a.id, "on_close": "explode"}]}), "accounts[0].on_close", 422),
        (json!({"accounts": [{"id": a.id}], "when": "now"}), "when", 400),
        (json!({"accounts": "all"}), "accounts", 400),
    ] {
        let (s, v) = api.post(&publish, body.clone()).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(fields(&v), vec![field.to_string()], "{body}: {v}");
    }
    assert_eq!((status_of(&app, &opening), deliveries_of(&app, &opening).len()), ("draft".into(), 0));

    // Scheduled at a time with an offset, stored in UTC.
    let (s, v) = api.post(&publish, json!({"accounts": [{"id": a.id}, {"id": m.id, "on_close": "delete"}], "at": "2030-01-15T09:30:00+01:00", "repost_every_days": 14})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["opening"]["status"], "open");
    let created = v["created"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert!(created.iter().all(|d| d["state"] == "scheduled" && d["due_at"] == "2030-01-15T08:30:00Z" && d["repost_every_days"] == 14), "{v}");
    let (s, v) = api.post(&publish, json!({"accounts": [{"id": a.id}]})).await;
    assert_eq!((s, v["created"].as_array().unwrap().len()), (200, 0), "publishing twice creates nothing: {v}");
    // The legacy publish without a body still refuses an open opening.
    assert_eq!(api.post_empty(&publish).await.0, 409);

    let (s, v) = api.get(&format!("/api/v1/openings/{opening}/deliveries")).await;
    assert_eq!(s, 200);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let id = items[0]["id"].as_str().unwrap().to_string();

    let (s, v) = api.post_empty(&format!("/api/v1/deliveries/{id}/cancel")).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("cancelled")), "{v}");
    for action in ["cancel", "retry", "confirm"] {
        let (s, v) = api.post_empty(&format!("/api/v1/deliveries/{id}/{action}")).await;
        assert_eq!(s, 409, "{action}: {v}");
        assert_eq!(fields(&v), ["state"]);
    }
    assert_eq!(api.post_empty("/api/v1/deliveries/nope/retry").await.0, 404);
    let other = items[1]["id"].as_str().unwrap().to_string();
    set_state(&app, &other, "unconfirmed", true, Some("timed out"));
    let (s, v) = api.post(&format!("/api/v1/deliveries/{other}/confirm"), json!({"url": "ftp://x"})).await;
    assert_eq!((s, fields(&v)), (422, vec!["url".to_string()]));
    let (s, v) = api.post(&format!("/api/v1/deliveries/{other}/confirm"), json!({"url": "https://mastodon.example/@jobs/1"})).await;
    assert_eq!((s, v["state"].as_str(), v["remote_url"].as_str()), (200, Some("published"), Some("https://mastodon.example/@jobs/1")), "{v}");
    set_state(&app, &other, "failed", false, Some("rejected"));
    let (s, v) = api.post_empty(&format!("/api/v1/deliveries/{other}/retry")).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("queued")), "{v}");

    // Closing goes through the outbox: the queued one is cancelled.
    let (s, v) = api.post_empty(&format!("/api/v1/openings/{opening}/close")).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("closed")), "{v}");
    assert_eq!(app.db(|c| deliveries::find(c, &other).unwrap().unwrap().state), "cancelled");
    assert_eq!(api.post_empty(&format!("/api/v1/openings/{opening}/close")).await.0, 409);

    // Disconnecting: admins only; then the account cannot be published to.
    assert_eq!(api.post_empty(&format!("/api/v1/channels/{}/disconnect", a.id)).await.0, 403);
    let (s, v) = admin.post_empty(&format!("/api/v1/channels/{}/disconnect", a.id)).await;
    assert_eq!((s, v["archived"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(admin.post_empty(&format!("/api/v1/channels/{}/disconnect", a.id)).await.0, 404);
    let second = new_opening(&app, "Designer", None);
    let (s, v) = api.post(&format!("/api/v1/openings/{second}/publish"), json!({"accounts": [{"id": m.id}, {"id": a.id}]})).await;
    assert_eq!((s, fields(&v)), (422, vec!["accounts".to_string()]), "{v}");
    // A reconnect-needed account: refused by the outbox, and the opening stays a draft.
    app.db(|c| channels::set_status(c, &m.id, AccountStatus::ReconnectNeeded, Some("revoked"), hirecast::store::now()).unwrap());
    let b = slack(&app, "#other");
    let (s, v) = api.post(&format!("/api/v1/openings/{second}/publish"), json!({"accounts": [{"id": b.id}, {"id": m.id}]})).await;
    assert_eq!((s, fields(&v)), (422, vec!["accounts".to_string()]), "{v}");
    assert!(v["error"]["fields"][0]["reason"].as_str().unwrap().contains("revoked"));
    assert_eq!((status_of(&app, &second), deliveries_of(&app, &second).len()), ("draft".into(), 0));

    // The OpenAPI document lists the new routes.
    let (_, doc) = api.get("/api/v1/openapi.json").await;
    for p in ["/api/v1/channels", "/api/v1/channels/{id}/disconnect", "/api/v1/openings/{id}/deliveries", "/api/v1/deliveries/{id}/retry", "/api/v1/deliveries/{id}/cancel", "/api/v1/deliveries/{id}/confirm"] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

/// Each account's own post settings (templates per language, threads, hashtags, X Premium's
/// limit): checked on the form, saved, and used by the preview of the editor and the API
/// before the organization's template.
async fn account_post_settings_are_checked_saved_and_used(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin_user = app.add_user("admin@acme.fr", Role::Admin);
    let admin = app.signed_in("admin@acme.fr").await;
    let m = mastodon(&app, "@jobs@mastodon.example");
    let x = add_account(
        &app,
        "@acme_jobs",
        AccountConfig::X { user_id: "42".into(), username: "acme_jobs".into(), max_weighted_length: None },
        Credentials::OAuth2 { access_token: "a".into(), refresh_token: Some("r".into()), expires_at: None },
    );
    let page = admin.get(app.url(&format!("/app/channels/{}/posts", m.id))).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert_eq!(select_attr(&html, "textarea#template_fr", "name"), vec!["template_fr"]);
    assert!(select_attr(&html, "input#max_length", "name").is_empty(), "only X has a longer limit");

    // Bad values: the form comes back with each field's message and what was typed.
    let bad = admin
        .post(app.url(&format!("/app/channels/{}/posts", m.id)))
        .form(&[("template_fr", "{oops} <b>{link}</b>"), ("template_en", ""), ("max_hashtags", "99")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let html = bad.text().await.unwrap();
    assert_eq!(select_attr(&html, "[data-field=template_fr] textarea", "aria-invalid"), vec!["true"]);
    assert!(select_text(&html, "#template_fr-error")[0].contains("oops"), "{html}");
    assert!(!select_text(&html, "#max_hashtags-error").is_empty());
    assert_eq!(select_text(&html, "textarea#template_fr"), vec!["{oops} <b>{link}</b>"], "kept, escaped");
    assert!(!html.contains("<b>{link}</b>"));
    assert_eq!(app.db(|c| channels::find(c, &m.id).unwrap().unwrap()).post, Default::default(), "nothing saved");

    let ok = admin
        .post(app.url(&format!("/app/channels/{}/posts", m.id)))
        .form(&[("template_fr", "Rien que pour Mastodon : {title} {link} {hashtags}"), ("allow_thread", "on"), ("max_hashtags", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 303);
    assert_eq!(location(&ok), format!("/app/channels/{}/posts?done=saved", m.id));
    let saved = app.db(|c| channels::find(c, &m.id).unwrap().unwrap()).post;
    assert!(saved.allow_thread);
    assert_eq!(saved.max_hashtags, Some(2));
    assert!(saved.template_en.is_none());
    let ok = admin.post(app.url(&format!("/app/channels/{}/posts", x.id))).form(&[("max_length", "1000")]).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 303);

    // Recruiters do not change channels.
    app.add_user("rec@acme.fr", Role::Recruiter);
    let rec = app.signed_in("rec@acme.fr").await;
    assert_eq!(rec.get(app.url(&format!("/app/channels/{}/posts", m.id))).send().await.unwrap().status().as_u16(), 403);

    // The organization's Mastodon template is there too: the account's own wins.
    app.db(|c| hirecast::store::post_templates::set(c, Network::Mastodon, hirecast::i18n::Lang::Fr, "Organisation : {title} {link}", &admin_user.id).unwrap());
    let id = new_opening(&app, "Développeur Rust", None);
    let token = app.api_token("api@acme.fr", Role::Recruiter);
    let r = app.client.post(app.url("/api/v1/compose/preview")).bearer_auth(&token).json(&json!({"opening_id": id})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let previews = body["previews"].as_array().unwrap();
    let mast = previews.iter().find(|p| p["network"] == "mastodon").unwrap();
    assert_eq!(mast["account_id"], json!(m.id));
    let text = mast["posts"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("Rien que pour Mastodon : Développeur Rust"), "{text}");
    assert!(mast["posts"][0]["hashtags"].as_array().unwrap().len() <= 2);
    let xp = previews.iter().find(|p| p["network"] == "x").unwrap();
    assert_eq!(xp["account_name"], json!("@acme_jobs"));
    assert_eq!(xp["posts"][0]["limit"], json!(1000));
    // Networks without a connected account keep their defaults.
    let bsky = previews.iter().find(|p| p["network"] == "bluesky").unwrap();
    assert!(bsky.get("account_id").is_none());
    assert_eq!(bsky["posts"][0]["limit"], json!(300));

    // The editor's panel names the account.
    let edit = admin.get(app.url(&format!("/app/openings/{id}/edit"))).send().await.unwrap().text().await.unwrap();
    let labels = select_text(&edit, "#preview-cards .preview-card h3");
    assert!(labels.iter().any(|l| l == "Mastodon · @jobs@mastodon.example"), "{labels:?}");
    assert!(select_text(&edit, ".preview-card .post-count.over").is_empty(), "everything fits");

    // A template the composer cannot fit: the X counter turns red (class "over") with its count.
    let long = format!("{} {{title}} {{link}}", "a".repeat(1200));
    let ok = admin.post(app.url(&format!("/app/channels/{}/posts", x.id))).form(&[("template_fr", long.as_str()), ("max_length", "1000")]).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 303);
    let edit = admin.get(app.url(&format!("/app/openings/{id}/edit"))).send().await.unwrap().text().await.unwrap();
    let over = select_text(&edit, ".preview-card[data-network=x] .post-count.over");
    assert_eq!(over.len(), 1, "{edit}");
    assert!(over[0].ends_with("/ 1000"), "{over:?}");
}

/// POST /api/v1/channels: an admin connects a Mastodon account (against mastodon-mock), a
/// Slack and a generic webhook (its signing secret returned this once); refusals name the field.
async fn api_connects_token_based_channels(backend: Backend) {
    let app = spawn_app(backend).await;
    let mock = crate::mastodon::MastodonMock::start().await;
    let admin = Api { app: &app, token: app.api_token("root@acme.fr", Role::Admin) };
    let recruiter = Api { app: &app, token: app.api_token("ana@acme.fr", Role::Recruiter) };
    let mastodon = json!({"network": "mastodon", "instance": mock.url, "access_token": mock.token});

    // Only admins; before anything is asked of the network.
    let (s, v) = recruiter.post("/api/v1/channels", mastodon.clone()).await;
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("forbidden")));
    assert!(app.db(|c| channels::list(c, true).unwrap()).is_empty());

    let (s, v) = admin.post("/api/v1/channels", mastodon).await;
    assert_eq!(s, 201, "{v}");
    let ch = &v["channel"];
    assert_eq!(ch["network"], "mastodon");
    assert_eq!(ch["status"], "connected");
    assert!(ch["name"].as_str().unwrap().starts_with("@jobs@"), "{ch}");
    assert!(v.get("signing_secret").is_none());
    assert!(!v.to_string().contains(&mock.token), "the token is never shown");
    let stored = app.db(|c| channels::find(c, ch["id"].as_str().unwrap()).unwrap().unwrap());
    assert!(matches!(&stored.config, AccountConfig::Mastodon { instance, max_characters: Some(_), .. } if *instance == mock.url), "{:?}", stored.config);
    let creds = app.db(|c| channels::credentials(c, &app.state.key, &stored.id).unwrap());
    assert!(matches!(creds, Credentials::Mastodon { ref access_token, .. } if *access_token == mock.token));

    let (s, v) = admin.post("/api/v1/channels", json!({"network": "slack", "url": "https://hooks.slack.com/services/T000/B000/XXXXXXXX"})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["channel"]["network"], "slack");
    assert!(v.get("signing_secret").is_none());
    let (s, v) = admin.post("/api/v1/channels", json!({"network": "webhook", "url": "https://hooks.example.org/hirecast"})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["channel"]["network"], "webhook");
    let secret = v["signing_secret"].as_str().expect("the generated signing secret, once").to_string();
    assert!(secret.len() >= 32, "{secret}");
    let creds = app.db(|c| channels::credentials(c, &app.state.key, v["channel"]["id"].as_str().unwrap()).unwrap());
    assert!(matches!(creds, Credentials::Webhook { signing_secret: Some(ref s), .. } if *s == secret));
    let (s, list) = admin.get("/api/v1/channels").await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert!(!list.to_string().contains(&secret) && !list.to_string().contains("hooks.slack.com/services"), "never shown again");

    // Refusals, each naming its field; nothing more is stored.
    for (body, field, code, status) in [
        (json!({"network": "mastodon", "instance": "ftp://mastodon.social", "access_token": "abc"}), "instance", "refused", 422),
        (json!({"network": "mastodon", "instance": "http://mastodon.social", "access_token": "abc"}), "instance", "refused", 422),
        (json!({"network": "mastodon", "instance": mock.url, "access_token": "not-the-token"}), "access_token", "refused", 422),
        (json!({"network": "mastodon", "instance": mock.url}), "access_token", "required", 422),
        (json!({"network": "bluesky", "identifier": "jobs.example"}), "app_password", "required", 422),
        (json!({"network": "slack", "url": "https://example.org/hook"}), "url", "refused", 422),
        (json!({"network": "webhook", "url": "https://hooks.example.org/x", "signing_secret": "short"}), "signing_secret", "refused", 422),
        (json!({"network": "email", "list_name": "Alerts"}), "network", "not_configured", 422),
        (json!({"network": "x"}), "network", "oauth_only", 422),
        (json!({"network": "linkedin"}), "network", "oauth_only", 422),
        (json!({"network": "myspace"}), "network", "unknown_network", 422),
    ] {
        let (s, v) = admin.post("/api/v1/channels", body.clone()).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(fields(&v), vec![field.to_string()], "{body}: {v}");
        assert_eq!(v["error"]["fields"][0]["code"], code, "{body}: {v}");
        assert!(!v["error"]["fields"][0]["reason"].as_str().unwrap_or("").is_empty());
    }
    let (s, v) = admin.post("/api/v1/channels", json!({"network": "mastodon", "instance": mock.url, "token": "x"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("malformed")), "an unknown field");
    assert_eq!(app.db(|c| channels::list(c, true).unwrap()).len(), 3);

    // An instance that answers with an error of its own: the network's refusal, as a 502.
    let broken = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/api/v1/accounts/verify_credentials"))
        .respond_with(wiremock::ResponseTemplate::new(500).set_body_json(json!({"error": "We're sorry, but something went wrong on our end."})))
        .mount(&broken)
        .await;
    let (s, v) = admin.post("/api/v1/channels", json!({"network": "mastodon", "instance": broken.uri(), "access_token": "abc"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (502, Some("network_error")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("something went wrong on our end"), "{v}");
    assert_eq!(app.db(|c| channels::list(c, true).unwrap()).len(), 3);
}

/// Mounts LinkedIn's token, member and organization endpoints: the member administers `pages`
/// (urn number, name), and is an analyst of page 1099.
async fn mount_linkedin(server: &wiremock::MockServer, pages: &[(u64, &str)]) {
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, ResponseTemplate};
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/oauth/v2/accessToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "li-org", "expires_in": 5_184_000, "scope": "openid,profile,w_member_social,w_organization_social,rw_organization_admin"})))
        .mount(server)
        .await;
    Mock::given(method("GET")).and(path("/v2/userinfo")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"sub": "abc", "name": "Camille Martin"}))).mount(server).await;
    let mut acls: Vec<Value> = pages
        .iter()
        .map(|(id, _)| json!({"organization": format!("urn:li:organization:{id}"), "role": "ADMINISTRATOR", "state": "APPROVED", "roleAssignee": "urn:li:person:abc"}))
        .collect();
    acls.push(json!({"organization": "urn:li:organization:1099", "role": "ANALYST", "state": "APPROVED", "roleAssignee": "urn:li:person:abc"}));
    Mock::given(method("GET"))
        .and(path("/rest/organizationAcls"))
        .and(query_param("q", "roleAssignee"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"elements": acls})))
        .mount(server)
        .await;
    for (id, name) in pages {
        Mock::given(method("GET"))
            .and(path(format!("/rest/organizations/{id}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id, "localizedName": name})))
            .mount(server)
            .await;
    }
}

/// The connect form's LinkedIn choice: "post as me" asks the member scopes; "post as a page"
/// the organization scopes, then, after the callback, offers the member's pages (one is taken
/// at once, none is refused with the reason) and stores the account posting as the page chosen.
async fn linkedin_can_be_connected_as_an_organization_page(backend: Backend) {
    let server = wiremock::MockServer::start().await;
    let uri = server.uri();
    let app = spawn_app_with(backend, move |s| {
        s.broadcast.linkedin_api_url = uri.clone();
        s.broadcast.linkedin_auth_url = format!("{uri}/oauth/v2");
        s.broadcast.linkedin_client_id = Some("li-client-id".into());
        s.broadcast.linkedin_client_secret = Some("li-client-secret".into());
    })
    .await;
    app.add_user("root@acme.fr", Role::Admin);
    let admin = app.signed_in("root@acme.fr").await;
    let body = admin.get(app.url("/app/channels/new?network=linkedin")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "#post-as input[name=post_as]", "value"), vec!["member", "organization"]);
    assert_eq!(select_attr(&body, "#post-as input[checked]", "value"), vec!["member"]);

    // Start an authorization; the scopes it asks and its state.
    let start = |post_as: &'static str| {
        let admin = admin.clone();
        let url = app.url("/app/channels/new");
        async move {
            let res = admin.post(url).form(&[("network", "linkedin"), ("post_as", post_as)]).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 303, "{post_as}");
            let to = url::Url::parse(&location(&res)).unwrap();
            let q: std::collections::HashMap<String, String> = to.query_pairs().into_owned().collect();
            (q["scope"].clone(), q["state"].clone())
        }
    };
    let callback = |state: &str| app.url(&format!("/app/channels/oauth/callback?state={state}&code=li-code"));
    assert_eq!(start("member").await.0, hirecast::broadcast::linkedin::SCOPES);

    // Two pages: the admin picks one.
    mount_linkedin(&server, &[(1001, "Acme Logistique"), (1002, "Acme <Careers>")]).await;
    let (scope, state) = start("organization").await;
    assert_eq!(scope, hirecast::broadcast::linkedin::ORGANIZATION_SCOPES);
    let res = admin.get(callback(&state)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    assert_eq!(select_attr(&body, "#organizations input[name=organization]", "value"), vec!["urn:li:organization:1001", "urn:li:organization:1002"]);
    assert_eq!(select_text(&body, "#organizations .organization-name"), vec!["Acme Logistique", "Acme <Careers>"]);
    assert!(!body.contains("Acme <Careers>"), "names are escaped");
    assert!(app.db(|c| channels::list(c, true).unwrap()).is_empty(), "nothing stored before the choice");
    let flow = select_attr(&body, "#pick-organization input[name=flow]", "value").remove(0);
    // A page not offered (an analyst's) is refused, and the choice asked again.
    let pick = |org: &'static str| admin.post(app.url("/app/channels/linkedin/organization")).form(&[("flow", flow.as_str()), ("organization", org)]).send();
    let res = pick("urn:li:organization:1099").await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(select_text(&res.text().await.unwrap(), "#organization-error"), vec!["Choose one of the pages listed."]);
    let res = pick("urn:li:organization:1002").await.unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/app/channels?done=connected".to_string()));
    let accounts = app.db(|c| channels::list(c, false).unwrap());
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].name, "Acme <Careers>");
    assert_eq!(accounts[0].config, AccountConfig::LinkedIn { author_urn: "urn:li:organization:1002".into(), display_name: "Acme <Careers>".into() });
    assert!(accounts[0].token_expires_at.is_some());
    let creds = app.db(|c| channels::credentials(c, &app.state.key, &accounts[0].id).unwrap());
    assert!(matches!(creds, Credentials::OAuth2 { ref access_token, .. } if access_token == "li-org"));
    // The choice is taken once.
    assert_eq!(pick("urn:li:organization:1001").await.unwrap().status().as_u16(), 400);

    // One page: taken at once.
    mount_linkedin(&server, &[(1001, "Acme Logistique")]).await;
    let (_, state) = start("organization").await;
    let res = admin.get(callback(&state)).send().await.unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/app/channels?done=connected".to_string()));
    let accounts = app.db(|c| channels::list(c, false).unwrap());
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[1].config, AccountConfig::LinkedIn { author_urn: "urn:li:organization:1001".into(), display_name: "Acme Logistique".into() });

    // No page the member may post as: refused with the reason.
    mount_linkedin(&server, &[]).await;
    let (_, state) = start("organization").await;
    let res = admin.get(callback(&state)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert!(select_text(&res.text().await.unwrap(), "#notice")[0].contains("administers no page"));
    assert_eq!(app.db(|c| channels::list(c, false).unwrap()).len(), 2);

    // Reconnecting a page's account defaults to "post as a page".
    let body = admin.get(app.url(&format!("/app/channels/new?account={}", accounts[1].id))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "#post-as input[checked]", "value"), vec!["organization"]);
}

crate::on_both_backends!(
    account_post_settings_are_checked_saved_and_used,
    linkedin_can_be_connected_as_an_organization_page,
    api_connects_token_based_channels,
    publishing_from_the_opening_page_queues_one_delivery_per_channel,
    scheduling_uses_the_users_time_zone,
    delivery_actions_move_states_and_refuse_wrong_ones,
    failures_page_lists_failed_deliveries_escaped,
    hiring_managers_see_only_their_openings_deliveries,
    oauth_callback_takes_only_the_users_own_flow_once,
    channels_page_is_for_admins_to_manage,
    api_publishes_lists_and_acts_on_deliveries,
);
