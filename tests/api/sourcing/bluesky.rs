//! Sourcing end to end on a full local Bluesky network (PLC, PDS and AppView on the local
//! PostgreSQL and Redis): a published opening, candidates replying with CV links (shown
//! shortened, the full address in the link facet) and profiles that say what they do;
//! hirecast reads the thread and the profiles through the AppView, fetches and reads the CV,
//! scores and shortlists them, and acknowledges by email.
use std::process::Stdio;
use std::time::Duration;

use hirecast::broadcast::worker::Worker;
use hirecast::broadcast::ChannelContext;
use hirecast::domain::user::Role;
use hirecast::sourcing::harvest::Harvester;
use hirecast::store::{channels, sourcing as shortlist};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::helpers::*;

/// tests/peers/bluesky/network.mjs, running; closed when dropped.
struct Network {
    pds: String,
    plc: String,
    handle: String,
    password: String,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    _child: tokio::process::Child,
}

impl Network {
    async fn start() -> Network {
        let node = std::env::var("HIRECAST_TEST_NODE22").expect("HIRECAST_TEST_NODE22: run scripts/test.sh, which installs Node 22");
        let start = std::env::var("HIRECAST_TEST_BLUESKY").expect("HIRECAST_TEST_BLUESKY: run scripts/test.sh, which installs tests/peers/bluesky");
        let script = std::path::Path::new(&start).with_file_name("network.mjs");
        let pg = std::env::var("HIRECAST_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let redis = std::env::var("HIRECAST_TEST_REDIS").unwrap_or_else(|_| "127.0.0.1:6379".into());
        let mut child = tokio::process::Command::new(&node)
            .arg(&script)
            .env("DB_POSTGRES_URL", pg)
            .env("REDIS_HOST", redis)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the Bluesky network ({}): {e}", script.display()));
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let info: Value = tokio::time::timeout(Duration::from_secs(120), async {
            loop {
                let line = lines.next_line().await.unwrap().expect("the Bluesky network exited before printing its JSON line (is Redis up on 127.0.0.1:6379?)");
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    return v;
                }
            }
        })
        .await
        .expect("the Bluesky network printed no JSON line within 120 s");
        let s = |k: &str| info[k].as_str().unwrap().to_string();
        Network { pds: s("pds"), plc: s("plc"), handle: s("handle"), password: s("password"), stdin, lines, _child: child }
    }

    /// Waits until the AppView has indexed everything written so far.
    async fn process(&mut self) {
        self.stdin.write_all(b"process\n").await.unwrap();
        let line = tokio::time::timeout(Duration::from_secs(60), self.lines.next_line()).await.expect("processAll within 60 s").unwrap();
        assert_eq!(line.as_deref(), Some("ok"));
    }

    async fn xrpc(&self, jwt: Option<&str>, nsid: &str, body: Value) -> Value {
        let mut req = reqwest::Client::new().post(format!("{}/xrpc/{nsid}", self.pds)).json(&body);
        if let Some(j) = jwt {
            req = req.bearer_auth(j);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{nsid}: {status} {v}");
        v
    }

    /// A candidate account with a profile description: (did, access token).
    async fn candidate(&self, handle: &str, name: &str, description: &str) -> (String, String) {
        let created = self.xrpc(None, "com.atproto.server.createAccount", json!({"handle": handle, "email": format!("{handle}@example.test"), "password": "candidate-password"})).await;
        let (did, jwt) = (created["did"].as_str().unwrap().to_string(), created["accessJwt"].as_str().unwrap().to_string());
        let profile = json!({"$type": "app.bsky.actor.profile", "displayName": name, "description": description});
        self.xrpc(Some(&jwt), "com.atproto.repo.putRecord", json!({"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": profile})).await;
        (did, jwt)
    }

    /// A top-level public post.
    async fn post(&self, did: &str, jwt: &str, text: &str) {
        let record = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)});
        self.xrpc(Some(jwt), "com.atproto.repo.createRecord", json!({"repo": did, "collection": "app.bsky.feed.post", "record": record})).await;
    }

    /// A reply under `parent` (an at:// URI with its cid), with a link facet over `shown`.
    async fn reply(&self, did: &str, jwt: &str, parent: (&str, &str), text: &str, link: Option<(&str, &str)>) {
        let mut record = json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "reply": {"root": {"uri": parent.0, "cid": parent.1}, "parent": {"uri": parent.0, "cid": parent.1}},
        });
        if let Some((shown, uri)) = link {
            let start = text.find(shown).unwrap();
            record["facets"] = json!([{"index": {"byteStart": start, "byteEnd": start + shown.len()}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]}]);
        }
        self.xrpc(Some(jwt), "com.atproto.repo.createRecord", json!({"repo": did, "collection": "app.bsky.feed.post", "record": record})).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replies_on_a_full_bluesky_network_are_harvested_and_shortlisted() {
    let smtp = crate::email::Smtp::start().await;
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.pdf")).unwrap();
    let cvs = crate::sourcing::harvest::CvServer::start(vec![("/cv-lea.pdf", "application/pdf", pdf.clone())]);
    let cv_host = format!("cv.example.com:{}", cvs.port);
    let mut net = Network::start().await;
    let (pds, plc, smtp_url) = (net.pds.clone(), net.plc.clone(), smtp.url());
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.fetch_allow_hosts = vec![cv_host.clone()];
        s.broadcast.bluesky_resolver_url = pds;
        s.broadcast.plc_url = plc;
        s.broadcast.smtp_url = Some(smtp_url);
    })
    .await;
    app.add_user("admin@acme.fr", Role::Admin);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let admin = app.signed_in("admin@acme.fr").await;
    let rita = app.signed_in("rita@acme.fr").await;
    let res = admin
        .post(app.url("/app/channels/new"))
        .form(&[("network", "bluesky"), ("handle", net.handle.as_str()), ("app_password", net.password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    let account = app.db(|c| channels::list(c, false).unwrap()).remove(0);
    let opening = crate::outbox::draft_opening(&app, "Développeuse ou développeur Rust");
    let res = rita.post(app.url(&format!("/app/openings/{opening}/broadcast"))).form(&[("accounts", account.id.as_str()), ("when", "now")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let ctx = ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone());
    assert_eq!(Worker::new(ctx.clone()).run_once().await.unwrap(), 1);
    let post = app.db(|c| hirecast::store::deliveries::list_for_opening(c, &opening).unwrap()).remove(0).delivery;
    let uri = post.remote_id.clone().expect("published");
    let (repo, rest) = uri.trim_start_matches("at://").split_once('/').unwrap();
    let rkey = rest.rsplit('/').next().unwrap();
    let got: Value = reqwest::Client::new()
        .get(format!("{}/xrpc/com.atproto.repo.getRecord", net.pds))
        .query(&[("repo", repo), ("collection", "app.bsky.feed.post"), ("rkey", rkey)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = got["cid"].as_str().unwrap().to_string();

    let (lea, lea_jwt) = net.candidate("lea.test", "Léa Martin", "Développeuse backend Rust et PostgreSQL à Lyon · lea.martin@example.fr").await;
    let (bob, bob_jwt) = net.candidate("bob.test", "Bob", "Photographe").await;
    let full = format!("http://{cv_host}/cv-lea.pdf");
    let shown = "cv.example.com/cv-lea…";
    net.reply(&lea, &lea_jwt, (&uri, &cid), &format!("Intéressée ! Mon CV : {shown}"), Some((shown, &full))).await;
    net.reply(&bob, &bob_jwt, (&uri, &cid), "Bonne chance pour le recrutement !", None).await;
    net.process().await;

    let sourcing = super::sourcing_for(&app, cvs.port);
    let harvester = Harvester::new(ctx, sourcing);
    assert_eq!(harvester.run_once().await.unwrap(), 2);
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].candidate.name, "Léa Martin");
    assert_eq!(entries[0].candidate.email.as_deref(), Some("lea.martin@example.fr"), "read from the profile");
    assert!(entries[0].score > entries[1].score);
    let lea_cvs = app.db(|c| shortlist::cvs_of(c, &entries[0].candidate.id).unwrap());
    assert_eq!(lea_cvs.len(), 1, "the CV behind the shortened link was fetched and read");
    // On PostgreSQL the file is in the database too, for every instance.
    assert_eq!(app.db(|c| hirecast::store::blobs::shared(c, &lea_cvs[0].0).unwrap()), Some(pdf));
    let x: Value = serde_json::from_str(&entries[0].explanation).unwrap();
    assert!(x["matched"].as_array().unwrap().iter().any(|m| m["label_en"] == "Rust" && m["source"]["kind"] != "reply"), "Rust seen in the profile or the CV: {x}");
    let sources = app.db(|c| shortlist::sources_of(c, &entries[0].candidate.id).unwrap());
    assert!(sources.iter().any(|s| s.0 == "reply" && s.2.as_deref().is_some_and(|u| u.starts_with("https://bsky.app/profile/lea.test/post/"))));

    // Léa sent a CV and has an email: one acknowledgement by email. Bob sent none.
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].to().contains("lea.martin@example.fr"));
    assert!(mails[0].text.contains("Développeuse ou développeur Rust"));
    assert!(!mails[0].html.is_empty());

    // Harvesting again reads nothing new.
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1, "sent once");

    // A saved search over Bluesky's public posts: the hashtag and every keyword must be there.
    let res = rita
        .post(app.url(&format!("/app/openings/{opening}/searches")))
        .form(&[("account", account.id.as_str()), ("hashtag", "#OpenToWork"), ("keywords", "rust")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "a Bluesky account can run a search");
    let (zoe, zoe_jwt) = net.candidate("zoe.test", "Zoé Bernard", "Ingénieure logiciel").await;
    let (max, max_jwt) = net.candidate("max.test", "Max", "").await;
    net.post(&zoe, &zoe_jwt, "#OpenToWork Développeuse Rust et Kubernetes, 6 ans d'expérience. Contact : zoe.bernard@example.fr").await;
    net.post(&max, &max_jwt, "#OpenToWork designer produit, Figma").await;
    net.post(&max, &max_jwt, "J'apprends Rust, sans hashtag").await;
    net.process().await;
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 1, "only the post with the hashtag and the keyword");
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    let zoe_entry = entries.iter().find(|e| e.candidate.name == "Zoé Bernard").expect("Zoé was sourced");
    assert_eq!(zoe_entry.origin, "sourced", "found by a search, not an applicant");
    assert!(!entries.iter().any(|e| e.candidate.name == "Max"));
    let sources = app.db(|c| shortlist::sources_of(c, &zoe_entry.candidate.id).unwrap());
    assert!(sources.iter().any(|s| s.0 == "sourcing_search" && s.1 == "bluesky"), "{sources:?}");
    // The information notice goes by email, once, since Bluesky has no private message here.
    let mails = smtp.wait_for(2).await;
    let notice = mails.iter().find(|m| m.to().contains("zoe.bernard@example.fr")).expect("the notice was emailed");
    assert!(notice.text.contains("Acme"), "{}", notice.text);
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 0, "a post is read once");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 2);
}
