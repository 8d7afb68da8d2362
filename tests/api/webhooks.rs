//! The webhook channels (Slack, Discord, Teams, generic signed JSON) against wiremock stand-ins
//! for the services (none runs offline), and the connect form's checks.
use hirecast::broadcast::account::Credentials;
use hirecast::broadcast::connect::{ConnectError, Connected};
use hirecast::broadcast::webhook::{self, verify_signature, WebhookChannel};
use hirecast::broadcast::{AccountConfig, Channel, ChannelContext, CredentialsHandle, DeliveryKind, RemotePost, SendError, WebhookFlavour};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{spawn_app, Backend};
use crate::x_linkedin::{context, outgoing, post, MARKER};

fn channel(ctx: &ChannelContext, flavour: WebhookFlavour, connected: &Connected) -> WebhookChannel {
    WebhookChannel::with_flavour(flavour, CredentialsHandle::detached(connected.credentials.clone()), ctx)
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

fn header<'a>(req: &'a Request, name: &str) -> &'a str {
    req.headers.get(name).unwrap_or_else(|| panic!("header {name} missing")).to_str().unwrap()
}

async fn only_request(server: &MockServer) -> Request {
    let mut all = server.received_requests().await.unwrap();
    assert_eq!(all.len(), 1, "one request expected");
    all.remove(0)
}

#[tokio::test]
async fn slack_gets_text_and_a_mrkdwn_block() {
    let app = spawn_app(Backend::Sqlite).await;
    let ctx = context(&app, |_| {});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T000/B000/XXXXSECRET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let connected = webhook::connect(WebhookFlavour::Slack, &format!("{}/services/T000/B000/XXXXSECRET", server.uri()), None).unwrap();
    let ch = channel(&ctx, WebhookFlavour::Slack, &connected);
    let text = format!("*Développeur·se Rust (H/F)* chez Acme &amp; Co\n{MARKER}");
    let got = ch.send(&outgoing(DeliveryKind::Post, vec![post(&text)], ctx.clock.now())).await.unwrap();
    assert_eq!(got, RemotePost { id: "idem-7f3a".into(), url: None, ids: vec!["idem-7f3a".into()] });
    let req = only_request(&server).await;
    assert_eq!(header(&req, "content-type"), "application/json");
    let b = body(&req);
    assert_eq!(b["text"], json!(text));
    assert_eq!(b["blocks"], json!([{"type": "section", "text": {"type": "mrkdwn", "text": text}}]));

    // "Position filled" is a new message; a delete is refused without a request.
    server.reset().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&server).await;
    ch.send(&outgoing(DeliveryKind::FilledReply, vec![], ctx.clock.now())).await.unwrap();
    let filled = body(&only_request(&server).await);
    assert!(filled["text"].as_str().unwrap().contains("Poste pourvu"), "{filled}");
    let err = ch.send(&outgoing(DeliveryKind::Delete, vec![], ctx.clock.now())).await.unwrap_err();
    assert!(matches!(&err, SendError::Rejected { reason, .. } if reason.contains("cannot be deleted")), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(ch.find(&outgoing(DeliveryKind::Post, vec![], ctx.clock.now())).await, Err(SendError::Unsupported));
}

#[tokio::test]
async fn discord_waits_for_the_message_and_mentions_nobody() {
    let app = spawn_app(Backend::Sqlite).await;
    let ctx = context(&app, |_| {});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/webhooks/112233445566/tok-en_SECRET"))
        .and(query_param("wait", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "1310000000000000001", "type": 0, "content": "…", "channel_id": "99", "webhook_id": "112233445566"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let connected = webhook::connect(WebhookFlavour::Discord, &format!("{}/api/webhooks/112233445566/tok-en_SECRET", server.uri()), None).unwrap();
    let ch = channel(&ctx, WebhookFlavour::Discord, &connected);
    let got = ch.send(&outgoing(DeliveryKind::Post, vec![post("Rust à Lyon @\u{200B}everyone")], ctx.clock.now())).await.unwrap();
    assert_eq!(got.id, "1310000000000000001");
    assert_eq!(body(&only_request(&server).await), json!({"content": "Rust à Lyon @\u{200B}everyone", "allowed_mentions": {"parse": []}}));

    // A webhook deleted on Discord's side needs a new one; the reason never shows the token.
    server.reset().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Unknown Webhook", "code": 10015}))).mount(&server).await;
    let err = ch.send(&outgoing(DeliveryKind::Post, vec![post("x")], ctx.clock.now())).await.unwrap_err();
    assert!(matches!(&err, SendError::Reconnect { reason } if reason.contains("Unknown Webhook")), "{err:?}");
    assert!(!err.reason().contains("SECRET"));
}

#[tokio::test]
async fn teams_workflows_get_an_adaptive_card() {
    let app = spawn_app(Backend::Sqlite).await;
    let ctx = context(&app, |_| {});
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/workflows/abc/triggers/manual/paths/invoke")).respond_with(ResponseTemplate::new(202)).expect(1).mount(&server).await;
    let url = format!("{}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SECRETSIG", server.uri());
    let connected = webhook::connect(WebhookFlavour::Teams, &url, None).unwrap();
    let ch = channel(&ctx, WebhookFlavour::Teams, &connected);
    ch.send(&outgoing(DeliveryKind::Post, vec![post("**Développeur·se Rust** à Lyon")], ctx.clock.now())).await.unwrap();
    let b = body(&only_request(&server).await);
    assert_eq!(b["type"], "message");
    let att = &b["attachments"][0];
    assert_eq!(att["contentType"], "application/vnd.microsoft.card.adaptive");
    assert_eq!(att["content"]["type"], "AdaptiveCard");
    assert_eq!(att["content"]["body"][0], json!({"type": "TextBlock", "text": "**Développeur·se Rust** à Lyon", "wrap": true}));
    assert_eq!(att["content"]["actions"][0]["url"], "https://jobs.example.org/jobs/developpeur-rust-h-f-a1b2c3");
}

#[tokio::test]
async fn generic_webhook_is_signed_and_verifiable() {
    let app = spawn_app(Backend::Sqlite).await;
    let ctx = context(&app, |_| {});
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hooks/jobs")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let secret = "whsec-0123456789-abcdefghij-0123456789";
    let connected = webhook::connect(WebhookFlavour::Generic, &format!("{}/hooks/jobs", server.uri()), Some(secret)).unwrap();
    assert!(matches!(&connected.credentials, Credentials::Webhook { signing_secret: Some(s), .. } if s == secret));
    let ch = channel(&ctx, WebhookFlavour::Generic, &connected);
    ch.send(&outgoing(DeliveryKind::Post, vec![post("Développeur·se Rust")], ctx.clock.now())).await.unwrap();
    let req = only_request(&server).await;

    assert_eq!(header(&req, "content-type"), "application/json");
    assert_eq!(header(&req, "x-hirecast-delivery"), "idem-7f3a");
    let ts = header(&req, "x-hirecast-timestamp").to_string();
    assert!((ts.parse::<i64>().unwrap() - ctx.clock.now().and_utc().timestamp()).abs() < 5, "{ts}");
    let sig = header(&req, "x-hirecast-signature").to_string();
    assert!(verify_signature(secret, &ts, &req.body, &sig), "the signature verifies over timestamp.body");
    let mut altered = req.body.clone();
    let i = altered.iter().position(|b| *b == b'R').unwrap();
    altered[i] = b'r';
    assert!(!verify_signature(secret, &ts, &altered, &sig), "an altered body must fail");
    assert!(!verify_signature(secret, &(ts.parse::<i64>().unwrap() + 1).to_string(), &req.body, &sig), "another timestamp must fail");
    assert!(!verify_signature("another-secret-another-secret-another", &ts, &req.body, &sig));

    assert_eq!(
        body(&req),
        json!({
            "event": "opening.published",
            "delivery_id": "idem-7f3a",
            "opening": {
                "id": "op-1",
                "slug": "developpeur-rust-h-f-a1b2c3",
                "title": "Développeur·se Rust (H/F)",
                "company": "Acme Logistique",
                "location": "Lyon, FR · Hybride",
                "remote_policy": "hybrid",
                "employment_type": "permanent",
                "url": "https://jobs.example.org/jobs/developpeur-rust-h-f-a1b2c3"
            },
            "text": "Développeur·se Rust",
            "link": MARKER
        })
    );

    for (kind, event) in [(DeliveryKind::FilledReply, "opening.filled"), (DeliveryKind::Delete, "opening.withdrawn")] {
        server.reset().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
        ch.send(&outgoing(kind, vec![], ctx.clock.now())).await.unwrap();
        let req = only_request(&server).await;
        assert_eq!(body(&req)["event"], event);
        assert!(verify_signature(secret, header(&req, "x-hirecast-timestamp"), &req.body, header(&req, "x-hirecast-signature")));
    }
    assert_eq!(ch.find(&outgoing(DeliveryKind::Post, vec![], ctx.clock.now())).await, Err(SendError::Unsupported));
}

#[test]
fn generic_webhook_without_a_secret_gets_a_generated_one() {
    let c = webhook::connect(WebhookFlavour::Generic, "https://hooks.example.com/hirecast", None).unwrap();
    let Credentials::Webhook { url, signing_secret: Some(s) } = &c.credentials else { panic!("{:?}", c.credentials) };
    assert_eq!(url, "https://hooks.example.com/hirecast");
    assert!(s.len() >= 32, "{}", s.len());
    let again = webhook::connect(WebhookFlavour::Generic, "https://hooks.example.com/hirecast", Some("   ")).unwrap();
    assert!(matches!(&again.credentials, Credentials::Webhook { signing_secret: Some(t), .. } if t.len() >= 32 && t != s));
    assert_eq!(c.name, "Webhook (hooks.example.com)");
    assert_eq!(c.config, AccountConfig::Webhook { flavour: WebhookFlavour::Generic, host: "hooks.example.com".into() });
}

#[test]
fn bad_webhook_addresses_are_refused_with_the_field_and_reason() {
    use WebhookFlavour::*;
    let cases: &[(WebhookFlavour, &str, Option<&str>, &str, &str)] = &[
        (Slack, "", None, "url", "required"),
        (Slack, "not a url", None, "url", "web address"),
        (Slack, "http://hooks.slack.com/services/T/B/x", None, "url", "https"),
        (Slack, "https://evil.example.com/services/T/B/x", None, "url", "hooks.slack.com"),
        (Slack, "https://hooks.slack.com/workflows/T/B/x", None, "url", "hooks.slack.com/services/"),
        (Discord, "https://discord.com/api/webhooks/abc/tok", None, "url", "/api/webhooks/<id>/<token>"),
        (Discord, "https://discord.example.com/api/webhooks/1/tok", None, "url", "discord.com"),
        (Teams, "https://outlook.office.com/webhook/x", None, "url", "webhook.office.com"),
        (Generic, "ftp://hooks.example.com/x", None, "url", "https://"),
        (Generic, "http://hooks.example.com/x", None, "url", "https"),
        (Generic, "https://user:pw@hooks.example.com/x", None, "url", "password"),
        (Generic, "https://hooks.example.com/x", Some("too-short"), "signing_secret", "at least 32"),
    ];
    for (flavour, url, secret, field, reason) in cases {
        match webhook::connect(*flavour, url, *secret) {
            Err(ConnectError::Field { field: f, reason: r }) => {
                assert_eq!(f, *field, "{flavour:?} {url}");
                assert!(r.contains(reason), "{flavour:?} {url}: {r}");
            }
            other => panic!("{flavour:?} {url} should be refused, got {other:?}"),
        }
    }
    // The real shapes pass.
    for (flavour, url) in [
        (Slack, "https://hooks.slack.com/services/T000/B000/XXXX"),
        (Discord, "https://discord.com/api/webhooks/1234/tok"),
        (Discord, "https://discordapp.com/api/v10/webhooks/1234/tok"),
        (Teams, "https://acme.webhook.office.com/webhookb2/x@y/IncomingWebhook/z/w"),
        (Teams, "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s"),
        (Teams, "https://default123.ab.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=s"),
    ] {
        let c = webhook::connect(flavour, url, None).unwrap_or_else(|e| panic!("{url}: {e}"));
        let AccountConfig::Webhook { host, .. } = &c.config else { panic!() };
        assert!(!url.contains('?') || !host.contains("sig"), "only the host is shown");
        assert!(!c.name.contains("XXXX") && !c.name.contains("tok"), "{}", c.name);
    }
}

#[tokio::test]
async fn the_webhook_address_never_appears_in_errors() {
    let app = spawn_app(Backend::Sqlite).await;
    let ctx = context(&app, |_| {});
    // A port nothing listens on: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for flavour in [WebhookFlavour::Slack, WebhookFlavour::Discord, WebhookFlavour::Teams, WebhookFlavour::Generic] {
        let url = match flavour {
            WebhookFlavour::Discord => format!("http://127.0.0.1:{port}/api/webhooks/1234/TOPSECRETTOKEN"),
            _ => format!("http://127.0.0.1:{port}/services/T000/B000/TOPSECRETTOKEN"),
        };
        let connected = webhook::connect(flavour, &url, None).unwrap();
        let err = channel(&ctx, flavour, &connected).send(&outgoing(DeliveryKind::Post, vec![post("x")], ctx.clock.now())).await.unwrap_err();
        assert!(matches!(err, SendError::Retry { .. }), "{flavour:?}: a refused connection posted nothing: {err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("TOPSECRETTOKEN") && !shown.contains("/services/"), "{flavour:?}: {shown}");
    }
}

/// A stored account opens as its webhook client through `open_channel`, with its credentials
/// read back from the database; Discord's check reads the webhook (404: reconnect).
#[tokio::test]
async fn stored_webhook_accounts_open_through_open_channel() {
    use hirecast::store::channels::{self, NewAccount};
    let app = spawn_app(Backend::Sqlite).await;
    let ctx = context(&app, |_| {});
    let server = MockServer::start().await;
    let connected = webhook::connect(WebhookFlavour::Discord, &format!("{}/api/webhooks/42/tok", server.uri()), None).unwrap();
    let key = app.state.key.clone();
    let account = app.db(|c| {
        channels::create(
            c,
            &key,
            NewAccount { name: &connected.name, config: &connected.config, credentials: &connected.credentials, token_expires_at: None, created_by: None },
        )
        .unwrap()
    });
    let creds = app.db(|c| channels::credentials(c, &key, &account.id).unwrap());
    let handle = CredentialsHandle::new(&account.id, creds, app.state.pool.clone(), key.clone());
    let ch = hirecast::broadcast::open_channel(&account, handle, &ctx);

    Mock::given(method("GET")).and(path("/api/webhooks/42/tok")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "42", "type": 1, "name": "jobs"}))).expect(1).mount(&server).await;
    ch.check().await.unwrap();
    Mock::given(method("POST"))
        .and(path("/api/webhooks/42/tok"))
        .and(query_param("wait", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "555"})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(ch.send(&outgoing(DeliveryKind::Post, vec![post("Rust à Lyon")], ctx.clock.now())).await.unwrap().id, "555");

    server.reset().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Unknown Webhook", "code": 10015}))).mount(&server).await;
    assert!(matches!(ch.check().await, Err(SendError::Reconnect { .. })));
}
