//! The whole path through the real interface: an admin connects a Mastodon account on the
//! channels page (against mastodon-mock), a recruiter publishes an opening from its page, the
//! worker sends it; a 429 with the instance's reset time holds the delivery until then (on
//! the injectable clock), and the opening page ends with the live post's link.
use chrono::{Duration, Utc};
use hirecast::broadcast::worker::Worker;
use hirecast::broadcast::DeliveryState;
use hirecast::domain::user::Role;
use hirecast::store::{channels, deliveries};
use serde_json::json;

use crate::helpers::*;
use crate::mastodon::{context, MastodonMock};

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

async fn connect_publish_rate_limit_and_publish(backend: Backend) {
    let app = spawn_app(backend).await;
    let mock = MastodonMock::start().await;
    app.add_user("admin@acme.fr", Role::Admin);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let admin = app.signed_in("admin@acme.fr").await;
    let rita = app.signed_in("rita@acme.fr").await;

    // A wrong token is refused next to its field; nothing is stored.
    let res = admin
        .post(app.url("/app/channels/new"))
        .form(&[("network", "mastodon"), ("instance", mock.url.as_str()), ("access_token", "not-a-token")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(app.db(|c| channels::list(c, true).unwrap()).is_empty());
    // The admin connects the account with a pasted token.
    let res = admin
        .post(app.url("/app/channels/new"))
        .form(&[("network", "mastodon"), ("instance", mock.url.as_str()), ("access_token", mock.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), "/app/channels?done=connected");
    let accounts = app.db(|c| channels::list(c, false).unwrap());
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0];
    assert_eq!(account.status, channels::AccountStatus::Connected);
    let page = admin.get(app.url("/app/channels")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&account.name), "the channels page lists {}", account.name);
    assert!(!page.contains(&mock.token), "never shows the token");

    // The recruiter publishes an opening to it from the opening page.
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let res = rita
        .post(app.url(&format!("/app/openings/{opening}/broadcast")))
        .form(&[("accounts", account.id.as_str()), ("when", "now")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());

    // The instance answers 429 with its reset time: the delivery waits until then.
    let reset = Utc::now().naive_utc() + Duration::minutes(10);
    mock.fault(json!({
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "status", "status": 429, "body": {"error": "Too many requests"}, "headers": {
            "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}},
        "count": 1
    }))
    .await;
    let worker = Worker::new(context(&app));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let d = app.db(|c| deliveries::list_for_opening(c, &opening).unwrap()).remove(0).delivery;
    assert_eq!(d.state(), DeliveryState::Scheduled);
    assert!((d.due_at - reset).num_seconds().abs() <= 1, "retry at the reset time: {} vs {reset}", d.due_at);
    assert!(d.last_error.as_deref().unwrap_or("").contains("429"));
    // Before the reset nothing is sent, however often the worker runs.
    app.state.clock.advance(Duration::minutes(9));
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert!(mock.statuses().await.is_empty());
    // After it, the post goes out once.
    app.state.clock.advance(Duration::minutes(2));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0);
    let statuses = mock.statuses().await;
    assert_eq!(statuses.len(), 1);
    let d = app.db(|c| deliveries::find(c, &d.id).unwrap().unwrap());
    assert_eq!(d.state(), DeliveryState::Published);
    assert!(statuses[0]["content"].as_str().unwrap().contains(&d.marker), "the post carries its tracked link");
    let url = d.remote_url.clone().expect("the live post's address");
    assert_eq!(statuses[0]["url"].as_str(), Some(url.as_str()));
    // The opening page links the live post.
    let page = rita.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("href=\"{url}\"")), "the opening page links {url}");

    // The token is revoked: the next delivery reports "reconnect needed" on the account.
    let form = [("token", mock.token.as_str())];
    mock.http.post(format!("{}/oauth/revoke", mock.url)).form(&form).send().await.unwrap();
    let second = crate::outbox::draft_opening(&app, "Data engineer");
    let res = rita
        .post(app.url(&format!("/app/openings/{second}/broadcast")))
        .form(&[("accounts", account.id.as_str()), ("when", "now")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    app.state.clock.advance(Duration::minutes(10));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let a = app.db(|c| channels::find(c, &account.id).unwrap().unwrap());
    assert_eq!(a.status, channels::AccountStatus::ReconnectNeeded);
    assert!(a.status_reason.as_deref().unwrap_or("").contains("401"), "{:?}", a.status_reason);
    let d2 = app.db(|c| deliveries::list_for_opening(c, &second).unwrap()).remove(0).delivery;
    assert_eq!(d2.state(), DeliveryState::Scheduled, "waits for the account to be reconnected");
    assert_eq!(mock.statuses().await.len(), 1);
}

/// A delivery the network refuses fails at once with its reason, and the recruiter who
/// published it gets one email (through a real SMTP server); an account whose token is revoked
/// gets the admins a "reconnect" email.
async fn failures_and_revoked_accounts_are_emailed(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| s.broadcast.smtp_url = Some(url)).await;
    let mock = MastodonMock::start().await;
    app.add_user("admin@acme.fr", Role::Admin);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let admin = app.signed_in("admin@acme.fr").await;
    let rita = app.signed_in("rita@acme.fr").await;
    let res = admin
        .post(app.url("/app/channels/new"))
        .form(&[("network", "mastodon"), ("instance", mock.url.as_str()), ("access_token", mock.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let account = app.db(|c| channels::list(c, false).unwrap()).remove(0);
    mock.fault(json!({
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "status", "status": 422, "body": {"error": "Validation failed: <b>Text</b> is invalid"}},
        "count": 1
    }))
    .await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust (H/F)");
    let res = rita
        .post(app.url(&format!("/app/openings/{opening}/broadcast")))
        .form(&[("accounts", account.id.as_str()), ("when", "now")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let worker = Worker::new(context(&app));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let d = app.db(|c| deliveries::list_for_opening(c, &opening).unwrap()).remove(0).delivery;
    assert_eq!(d.state(), DeliveryState::Failed);
    assert!(d.last_error.as_deref().unwrap().contains("Validation failed"), "{:?}", d.last_error);
    assert_eq!(worker.notify_failures().await.unwrap(), 1);
    assert_eq!(worker.notify_failures().await.unwrap(), 0, "one notice per failure");
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].header("To").unwrap_or("").contains("rita@acme.fr"), "{:?}", mails[0].header("To"));
    assert!(mails[0].text.contains("Validation failed"), "{}", mails[0].text);
    assert!(mails[0].text.contains(&format!("/app/deliveries/{}", d.id)));
    assert!(!mails[0].html.contains("<b>Text</b>"), "the reason is escaped in HTML");

    // Retry from the failures page: the network accepts it now.
    let res = rita.post(app.url(&format!("/app/deliveries/{}/retry", d.id))).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    // Not before the account's send budget allows (Mastodon: one post per 36 s by default).
    assert_eq!(worker.run_once().await.unwrap(), 0);
    app.state.clock.advance(Duration::seconds(40));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(app.db(|c| deliveries::find(c, &d.id).unwrap().unwrap()).state(), DeliveryState::Published);
    assert_eq!(mock.statuses().await.len(), 1);

    // Revoked: the admins are told to reconnect.
    mock.http.post(format!("{}/oauth/revoke", mock.url)).form(&[("token", mock.token.as_str())]).send().await.unwrap();
    let second = crate::outbox::draft_opening(&app, "Data engineer");
    rita.post(app.url(&format!("/app/openings/{second}/broadcast")))
        .form(&[("accounts", account.id.as_str()), ("when", "now")])
        .send()
        .await
        .unwrap();
    app.state.clock.advance(Duration::minutes(10));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let mails = smtp.wait_for(2).await;
    assert!(mails[1].header("To").unwrap_or("").contains("admin@acme.fr"));
    assert!(mails[1].text.contains(&account.name), "{}", mails[1].text);
    // Told once: another refusal on the same account (a second worker, a later check) sends nothing.
    app.db(|c| {
        let a = channels::find(c, &account.id).unwrap().unwrap();
        assert_eq!(a.status, channels::AccountStatus::ReconnectNeeded);
        assert!(!channels::mark_reconnect_needed(c, &account.id, "401 again", app.state.clock.now()).unwrap());
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 2);
}

crate::on_both_backends!(connect_publish_rate_limit_and_publish, failures_and_revoked_accounts_are_emailed);
