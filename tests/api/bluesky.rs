//! A real Bluesky PDS (tests/peers/bluesky, `@atproto/dev-env`) proves the limits and the
//! facets the composer relies on. The PDS enforces the real lexicon: 300 graphemes and
//! 3000 UTF-8 bytes for a post's text.
//!
//! The test command (scripts/test.sh) installs Node 22 and the PDS and sets
//! HIRECAST_TEST_NODE22 and HIRECAST_TEST_BLUESKY; without them these tests fail, never skip.
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use unicode_segmentation::UnicodeSegmentation;

/// A running PDS with one account; the process is killed when this is dropped.
pub struct Pds {
    pub url: String,
    pub handle: String,
    pub password: String,
    pub did: String,
    /// The PLC directory the PDS registers its accounts in.
    pub plc: String,
    /// An access token of the account signed by this PDS but already expired.
    pub expired_access_jwt: String,
    child: tokio::process::Child,
}

impl Pds {
    pub async fn start() -> Pds {
        let env = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!(
                    "{name} is not set: the Bluesky tests need a real PDS. Run scripts/test.sh, which installs Node 22 \
                     and tests/peers/bluesky and sets HIRECAST_TEST_NODE22 (the node 22 binary) and \
                     HIRECAST_TEST_BLUESKY (tests/peers/bluesky/start.mjs)"
                )
            })
        };
        let (node, script) = (env("HIRECAST_TEST_NODE22"), env("HIRECAST_TEST_BLUESKY"));
        let mut child = tokio::process::Command::new(&node)
            .arg(&script)
            // The script stops when its stdin closes: kept open (piped) while this value lives.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the PDS with HIRECAST_TEST_NODE22={node} HIRECAST_TEST_BLUESKY={script}: {e}"));
        // Keep the last of stderr for the failure message; reading it also keeps the pipe from filling.
        let errors = Arc::new(Mutex::new(Vec::<u8>::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = errors.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                let mut all = sink.lock().unwrap();
                all.extend_from_slice(&buf[..n]);
                let excess = all.len().saturating_sub(16 * 1024);
                all.drain(..excess);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.ok().flatten() {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if v.get("pds").is_some() {
                        return Some(v);
                    }
                }
            }
            None
        })
        .await;
        let stderr_tail = || String::from_utf8_lossy(&errors.lock().unwrap()).into_owned();
        let info = match first {
            Ok(Some(v)) => v,
            Ok(None) => panic!("the PDS ({script}) exited without printing its JSON line; its stderr:\n{}", stderr_tail()),
            Err(_) => panic!("the PDS ({script}) printed no JSON line within 60 s; its stderr:\n{}", stderr_tail()),
        };
        // Drain the rest of stdout so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let s = |k: &str| info[k].as_str().unwrap_or_else(|| panic!("PDS JSON line lacks {k}: {info}")).to_string();
        Pds {
            url: s("pds"),
            handle: s("handle"),
            password: s("password"),
            did: s("did"),
            plc: s("plc"),
            expired_access_jwt: s("expired_access_jwt"),
            child,
        }
    }

    /// A signed-in XRPC client for the account.
    pub async fn session(&self) -> Xrpc {
        let http = reqwest::Client::new();
        let res = http
            .post(format!("{}/xrpc/com.atproto.server.createSession", self.url))
            .json(&json!({"identifier": self.handle, "password": self.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "createSession");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["did"], self.did.as_str());
        Xrpc { http, base: self.url.clone(), jwt: body["accessJwt"].as_str().unwrap().to_string(), did: self.did.clone() }
    }
}

impl Drop for Pds {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The few XRPC calls the tests need.
pub struct Xrpc {
    http: reqwest::Client,
    base: String,
    jwt: String,
    pub did: String,
}

/// What the PDS answered to createRecord.
pub struct Created {
    pub status: u16,
    pub body: Value,
}

impl Xrpc {
    /// `com.atproto.repo.createRecord` of an `app.bsky.feed.post`.
    pub async fn post(&self, text: &str, facets: &Value, langs: &[&str]) -> Created {
        let record = json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "facets": facets,
            "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "langs": langs,
        });
        let res = self
            .http
            .post(format!("{}/xrpc/com.atproto.repo.createRecord", self.base))
            .bearer_auth(&self.jwt)
            .json(&json!({"repo": self.did, "collection": "app.bsky.feed.post", "record": record}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        Created { status, body: res.json().await.unwrap_or(Value::Null) }
    }

    /// `com.atproto.repo.getRecord` by the `at://` URI createRecord returned; the record's value.
    pub async fn get(&self, uri: &str) -> Value {
        let (repo, rest) = uri.trim_start_matches("at://").split_once('/').unwrap();
        let (collection, rkey) = rest.split_once('/').unwrap();
        let res = self
            .http
            .get(format!("{}/xrpc/com.atproto.repo.getRecord", self.base))
            .query(&[("repo", repo), ("collection", collection), ("rkey", rkey)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "getRecord {uri}");
        res.json::<Value>().await.unwrap()["value"].clone()
    }

    /// Posts, asserts the PDS accepted it, reads it back and asserts text and facets are intact.
    pub async fn post_and_check(&self, text: &str, facets: &Value, langs: &[&str]) {
        let created = self.post(text, facets, langs).await;
        assert_eq!(created.status, 200, "the PDS refused a post: {}\n{text}", created.body);
        let uri = created.body["uri"].as_str().expect("createRecord answers a uri");
        let back = self.get(uri).await;
        assert_eq!(back["text"].as_str(), Some(text));
        assert_eq!(&back["facets"], facets, "facets come back byte-identical");
        check_facets_slice(text, facets);
    }
}

/// Every facet's byte range lies on character boundaries and slices the text it annotates:
/// the link's text for a link (or a shortened form of it), `#tag` for a tag.
pub fn check_facets_slice(text: &str, facets: &Value) {
    for f in facets.as_array().into_iter().flatten() {
        let (start, end) = (f["index"]["byteStart"].as_u64().unwrap() as usize, f["index"]["byteEnd"].as_u64().unwrap() as usize);
        let slice = text.get(start..end).unwrap_or_else(|| panic!("facet {start}..{end} is not a slice of the text: {f}"));
        for feature in f["features"].as_array().unwrap() {
            match feature["$type"].as_str().unwrap() {
                "app.bsky.richtext.facet#tag" => {
                    assert_eq!(slice, format!("#{}", feature["tag"].as_str().unwrap()), "tag facet {f}")
                }
                "app.bsky.richtext.facet#link" => {
                    let uri = feature["uri"].as_str().unwrap();
                    let shown = slice.trim_end_matches('…').trim_end_matches("...");
                    let bare = uri.trim_start_matches("https://").trim_start_matches("http://");
                    assert!(uri.starts_with(shown) || bare.starts_with(shown), "link facet shows {slice:?} for {uri}");
                }
                "app.bsky.richtext.facet#mention" => assert!(slice.starts_with('@'), "mention facet {f}"),
                other => panic!("unexpected facet feature {other}"),
            }
        }
    }
}

fn graphemes(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Byte-offset facets for every `https://…` link and `#tag` of `text` (split on spaces).
fn facets_of(text: &str) -> Value {
    let mut out = Vec::new();
    let mut offset = 0;
    for word in text.split(' ') {
        let (start, end) = (offset, offset + word.len());
        if word.starts_with("https://") {
            out.push(json!({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": word}]}));
        } else if let Some(tag) = word.strip_prefix('#') {
            out.push(json!({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}));
        }
        offset = end + 1;
    }
    Value::Array(out)
}

/// Exactly `n` graphemes: accents (precomposed and combining), CJK, ZWJ families and jobs,
/// flags, skin tones, a link and tags, padded with a mix of emoji; under 3000 bytes.
fn emoji_heavy(n: usize) -> String {
    let head = "Développeuse·eur Rust (H/F) à Lyon 🇫🇷 — équipe 👩‍💻👨‍👩‍👧‍👦🏳️‍🌈 中文岗位 東京 e\u{301}te\u{301} 👋🏽 \
                https://jobs.example.org/r/abcd2345?utm_source=bluesky #recrutement #Développeur #日本語 ";
    let pad = ["é", "漢", "🇯🇵", "👩‍🔬", "ñ", "👍🏿", "字", "🧑‍🤝‍🧑", "a\u{308}"];
    let mut s = head.to_string();
    let mut i = 0;
    while graphemes(&s) < n {
        s.push_str(pad[i % pad.len()]);
        i += 1;
    }
    assert_eq!(graphemes(&s), n);
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pds_accepts_300_emoji_heavy_graphemes_with_facets_intact() {
    let pds = Pds::start().await;
    let xrpc = pds.session().await;
    let text = emoji_heavy(300);
    assert!(text.len() <= 3000, "{} bytes", text.len());
    assert!(text.len() > 600, "emoji-heavy: many bytes per grapheme ({} bytes)", text.len());
    let facets = facets_of(&text);
    assert_eq!(facets.as_array().unwrap().len(), 4, "one link and three tags: {facets}");
    xrpc.post_and_check(&text, &facets, &["fr", "ja"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pds_refuses_301_graphemes_and_over_3000_bytes() {
    let pds = Pds::start().await;
    let xrpc = pds.session().await;

    let text = emoji_heavy(301);
    assert!(text.len() <= 3000);
    let created = xrpc.post(&text, &facets_of(&text), &["fr"]).await;
    assert_eq!(created.status, 400, "301 graphemes: {}", created.body);
    assert!(created.body.to_string().contains("grapheme"), "{}", created.body);

    // 125 families of four: 125 graphemes but 3125 bytes.
    let heavy = "👨‍👩‍👧‍👦".repeat(125);
    assert_eq!((graphemes(&heavy), heavy.len()), (125, 3125));
    let created = xrpc.post(&heavy, &json!([]), &["en"]).await;
    assert_eq!(created.status, 400, "3125 bytes: {}", created.body);
    assert!(created.body.to_string().contains("too big") || created.body.to_string().contains("too long"), "{}", created.body);

    // The limits are exact: 120 families (3000 bytes) pass.
    let at_limit = "👨‍👩‍👧‍👦".repeat(120);
    assert_eq!(at_limit.len(), 3000);
    xrpc.post_and_check(&at_limit, &json!([]), &["en"]).await;
}

// ---------- composed posts against the real PDS ----------

use hirecast::compose::{compose, ChannelProfile, FacetFeature, Network, Post};
use hirecast::domain::opening::{Opening, OpeningDraft, OpeningInput, OpeningStatus, SalaryInput};
use hirecast::i18n::Lang;

/// An open opening in memory, through the same validation as the editor.
pub fn parsed_opening(slug: &str, input: OpeningInput) -> Opening {
    let today = chrono::Utc::now().date_naive();
    let draft = OpeningDraft::parse(&input, today).unwrap_or_else(|e| panic!("test opening {slug} is valid: {e:?}"));
    let now = chrono::Utc::now().naive_utc();
    Opening {
        id: format!("id-{slug}"),
        slug: slug.into(),
        draft,
        status: OpeningStatus::Open,
        created_at: now,
        updated_at: now,
        published_at: Some(now),
        closed_at: None,
        rendered: Default::default(),
    }
}

fn input(title: &str, city: &str, country: &str, language: &str, skills: Vec<String>) -> OpeningInput {
    OpeningInput {
        title: title.into(),
        company: "Société Générale des Logiciels Éthiques & Associés".into(),
        city: Some(city.into()),
        country: country.into(),
        remote_policy: "hybrid".into(),
        employment_type: "permanent".into(),
        salary: Some(SalaryInput { min: Some(55_000), max: Some(72_000), currency: "EUR".into(), period: "year".into() }),
        required_skills: skills,
        language: language.into(),
        description: "Du **Rust**.".into(),
        ..Default::default()
    }
}

fn fifty_skills() -> Vec<String> {
    let named = [
        "Rust", "C++", "C#", "Node.js", "Data Science", "Machine Learning", "PostgreSQL", "Kafka", "Écoconception",
        "Sécurité réseau", "機械学習", "データ分析", "Go", "TypeScript", "React", "Vue.js", ".NET", "F#", "Objective-C",
        "Kubernetes", "Terraform", "AWS", "GCP", "Azure", "Linux", "Git", "CI/CD", "gRPC", "GraphQL", "REST",
        "Accessibilité (RGAA)", "Français", "Español", "Deutsch", "العربية", "Scala", "Elixir", "Haskell", "OCaml",
        "Zig", "WebAssembly", "Docker", "Redis", "Elasticsearch", "Spark", "Airflow", "dbt", "Power BI", "Excel", "SQL",
    ];
    assert_eq!(named.len(), 50);
    named.iter().map(|s| s.to_string()).collect()
}

pub fn test_openings() -> Vec<Opening> {
    let mut out = vec![
        parsed_opening(
            "developpeur-rust-h-f",
            input("Développeur·euse Rust senior (H/F) – Plateforme de données 🚀", "Lyon", "FR", "fr", fifty_skills()),
        ),
        parsed_opening(
            "tokyo-rust",
            input("シニアRustエンジニア（東京）👩‍💻🇯🇵 データ基盤チーム", "東京", "JP", "en", vec!["Rust".into(), "機械学習".into(), "C++".into()]),
        ),
        parsed_opening(
            "family-staff",
            input("👨‍👩‍👧‍👦 Staff Engineer 🏳️‍🌈🇫🇷🇨🇭 — Ça déménage à Genève ✨👍🏽", "Genève", "CH", "fr", vec!["Data Science".into(), "Node.js".into()]),
        ),
        parsed_opening(
            "long-title",
            input(
                &"Ingénieur·e d'études et développement Java/Kotlin confirmé·e — équipe paiements instantanés, été 2027 ".repeat(2)
                    .chars()
                    .take(150)
                    .collect::<String>(),
                "Saint-Étienne-du-Rouvray",
                "FR",
                "fr",
                fifty_skills().into_iter().rev().collect(),
            ),
        ),
        parsed_opening("rtl", input("مهندس برمجيات Rust (عن بعد) e\u{301}quipe", "Casablanca", "MA", "en", vec!["العربية".into(), "Rust".into()])),
    ];
    // Beyond what the editor accepts: the composer must still never produce a post the PDS refuses.
    let mut huge = out[0].clone();
    huge.slug = "huge-title".into();
    huge.draft.title = "Développeur 👩‍💻 Rust (H/F) 東京 ".repeat(400).chars().take(10_000).collect();
    out.push(huge);
    out
}

/// The AT Protocol shape of the composer's facets.
fn at_facets(post: &Post) -> Value {
    Value::Array(
        post.facets
            .iter()
            .map(|f| json!({"index": {"byteStart": f.byte_start, "byteEnd": f.byte_end}, "features": [serde_json::to_value(&f.feature).unwrap()]}))
            .collect(),
    )
}

/// The composer's Bluesky posts, every one that says it fits, sent to a real PDS: each is
/// accepted and its facets (byte ranges and features) come back intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pds_accepts_every_composed_bluesky_post_that_fits() {
    let pds = Pds::start().await;
    let xrpc = pds.session().await;
    let links = [
        "https://jobs.example.org/r/abcd2345".to_string(),
        format!(
            "https://careers.example-entreprise.fr/jobs/developpeur-rust-senior-h-f-plateforme-de-donnees-a1b2c3?{}",
            "utm_source=bluesky&utm_medium=social&utm_campaign=developpeur-rust-senior-h-f-plateforme-de-donnees"
        ),
    ];
    let (mut sent, mut with_link, mut with_tags) = (0, 0, 0);
    for opening in test_openings() {
        for link in &links {
            for lang in [Lang::Fr, Lang::En] {
                for allow_thread in [false, true] {
                    let profile = ChannelProfile { allow_thread, ..ChannelProfile::new(Network::Bluesky, lang) };
                    let composed = compose(&opening, link, &profile);
                    for post in composed.posts.iter().filter(|p| p.fits) {
                        assert!(post.length <= 300 && post.text.len() <= 3000, "fits means within both limits");
                        let facets = at_facets(post);
                        if post.facets.iter().any(|f| matches!(&f.feature, FacetFeature::Link { uri } if uri == link)) {
                            with_link += 1;
                        }
                        if post.facets.iter().any(|f| matches!(f.feature, FacetFeature::Tag { .. })) {
                            with_tags += 1;
                        }
                        xrpc.post_and_check(&post.text, &facets, &[lang.code()]).await;
                        sent += 1;
                    }
                    assert!(composed.posts.iter().any(|p| p.fits), "{}: no post fits ({:?})", opening.slug, composed.dropped);
                }
            }
        }
    }
    assert!(sent >= 48, "every combination sent at least one post ({sent})");
    assert!(with_link >= 48, "the first post of each composition links to the opening ({with_link})");
    assert!(with_tags > 0, "some posts carry hashtag facets");
}

// ---------- the Bluesky channel client against the real PDS ----------

use hirecast::broadcast::bluesky::{connect, facets_json, rkey_for};
use hirecast::broadcast::connect::{ConnectError, Connected};
use hirecast::broadcast::{
    open_channel, AccountConfig, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, SendError,
};
use hirecast::store::channels::{self as channel_store, ChannelAccount, NewAccount};

use crate::helpers::{spawn_app, Backend, TestApp};

/// A context whose handle resolver and PLC directory are the test network's.
fn bluesky_context(app: &TestApp, pds: &Pds) -> ChannelContext {
    let mut settings = app.state.settings.clone();
    settings.broadcast.bluesky_resolver_url = pds.url.clone();
    settings.broadcast.plc_url = pds.plc.clone();
    ChannelContext::new(app.state.pool.clone(), settings, app.state.clock.clone(), app.state.key.clone())
}

/// Stores a connected account (credentials sealed in the database) and opens its client.
fn stored(app: &TestApp, connected: &Connected, credentials: Credentials) -> (ChannelAccount, CredentialsHandle) {
    let key = app.state.key.clone();
    let account = app.db(|c| {
        channel_store::create(
            c,
            &key,
            NewAccount { name: &connected.name, config: &connected.config, credentials: &credentials, token_expires_at: None, created_by: None },
        )
        .unwrap()
    });
    let handle = CredentialsHandle::new(&account.id, credentials, app.state.pool.clone(), key);
    (account, handle)
}

/// The account's posts as the PDS holds them (`com.atproto.repo.listRecords`), newest first.
async fn list_posts(pds: &Pds) -> Vec<Value> {
    let res = reqwest::Client::new()
        .get(format!("{}/xrpc/com.atproto.repo.listRecords", pds.url))
        .query(&[("repo", pds.did.as_str()), ("collection", "app.bsky.feed.post"), ("limit", "100")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json::<Value>().await.unwrap()["records"].as_array().unwrap().clone()
}

/// A delivery of the long, emoji-heavy French opening, composed for Bluesky as a thread.
fn bluesky_outgoing(key: &str, marker: &str) -> Outgoing {
    let opening = test_openings().remove(0);
    // Ten hashtags of its fifty skills do not fit with the rest: the thread carries them.
    let profile = ChannelProfile { allow_thread: true, max_hashtags: Some(10), ..ChannelProfile::new(Network::Bluesky, Lang::Fr) };
    let posts = compose(&opening, marker, &profile).posts;
    assert!(posts.iter().all(|p| p.fits));
    // The composer threads what the first post leaves out (hashtags of the 50 skills).
    assert!(posts.len() >= 2, "a thread: {posts:?}");
    assert!(posts[1..].iter().any(|p| p.facets.iter().any(|f| matches!(f.feature, FacetFeature::Tag { .. }))));
    Outgoing {
        delivery_id: format!("d-{key}"),
        kind: DeliveryKind::Post,
        idempotency_key: key.into(),
        posts,
        marker: marker.into(),
        since: chrono::Utc::now().naive_utc() - chrono::Duration::minutes(5),
        parent: None,
        opening,
        job_url: "https://jobs.example.org/jobs/developpeur-rust-h-f".into(),
    }
}

/// Connecting by handle resolves the DID (resolveHandle), the PDS (the PLC document) and
/// opens a session there; a wrong app password or an unknown handle is a field error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_by_handle_finds_the_accounts_pds() {
    let app = spawn_app(Backend::Sqlite).await;
    let pds = Pds::start().await;
    let ctx = bluesky_context(&app, &pds);

    let connected = connect(&ctx, &format!("@{}", pds.handle), &pds.password).await.expect("connect by handle");
    assert_eq!(connected.name, format!("@{}", pds.handle));
    assert_eq!(connected.config, AccountConfig::Bluesky { handle: pds.handle.clone(), did: pds.did.clone(), pds: pds.url.clone() });
    assert!(matches!(&connected.credentials, Credentials::Bluesky { access_jwt, refresh_jwt } if !access_jwt.is_empty() && !refresh_jwt.is_empty()));

    let by_did = connect(&ctx, &pds.did, &pds.password).await.expect("connect by DID");
    assert_eq!(by_did.config, connected.config);

    match connect(&ctx, &pds.handle, "wrong-password").await {
        Err(ConnectError::Field { field: "app_password", reason }) => assert!(reason.contains("Invalid identifier or password"), "{reason}"),
        other => panic!("expected an app_password field error, got {other:?}"),
    }
    assert!(matches!(connect(&ctx, "nobody.test", &pds.password).await, Err(ConnectError::Field { field: "identifier", .. })));
    assert!(matches!(connect(&ctx, "not a handle", &pds.password).await, Err(ConnectError::Field { field: "identifier", .. })));
    assert!(matches!(connect(&ctx, &pds.handle, "  ").await, Err(ConnectError::Field { field: "app_password", .. })));
}

/// Mentions of handles become mention facets carrying the account's DID (resolved through the
/// PDS); a handle that does not resolve stays plain text and the post still lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_are_resolved_to_dids_and_unknown_handles_stay_text() {
    let app = spawn_app(Backend::Sqlite).await;
    let pds = Pds::start().await;
    let ctx = bluesky_context(&app, &pds);
    let connected = connect(&ctx, &pds.handle, &pds.password).await.unwrap();
    let (account, creds) = stored(&app, &connected, connected.credentials.clone());
    let ch = open_channel(&account, creds, &ctx);
    let marker = "https://jobs.example.org/r/ment2345";
    let mut out = bluesky_outgoing("delivery-mention", marker);
    let profile = ChannelProfile {
        template: Some(format!("{{title}} : écrivez à @{} ou @personne.test\n{{link}}", pds.handle)),
        ..ChannelProfile::new(Network::Bluesky, Lang::Fr)
    };
    out.posts = compose(&out.opening, marker, &profile).posts;
    let post = &out.posts[0];
    assert_eq!(post.facets.iter().filter(|f| matches!(f.feature, FacetFeature::Mention { .. })).count(), 2, "{post:?}");
    let posted = ch.send(&out).await.expect("send");
    let records = list_posts(&pds).await;
    let r = records.iter().find(|r| r["uri"].as_str() == Some(posted.id.as_str())).unwrap();
    let facets = r["value"]["facets"].as_array().unwrap();
    let mentions: Vec<&Value> = facets.iter().filter(|f| f["features"][0]["$type"] == "app.bsky.richtext.facet#mention").collect();
    assert_eq!(mentions.len(), 1, "only the handle that resolves: {facets:?}");
    assert_eq!(mentions[0]["features"][0]["did"].as_str(), Some(pds.did.as_str()));
    let (s, e) = (mentions[0]["index"]["byteStart"].as_u64().unwrap() as usize, mentions[0]["index"]["byteEnd"].as_u64().unwrap() as usize);
    assert_eq!(&post.text[s..e], format!("@{}", pds.handle));
    assert!(post.text.contains("@personne.test"), "the unknown handle is still in the text");
    check_facets_slice(&post.text, &r["value"]["facets"]);
}

/// A long, emoji-heavy French opening posted as a thread: every post lands in the repo with its
/// text, facets (link and tags) and language; the thread's replies point at root and parent;
/// the same delivery sent again creates nothing; find() returns it; the "filled" reply and the
/// deletion work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_land_once_with_their_facets_and_are_found_replied_to_and_deleted() {
    let app = spawn_app(Backend::Sqlite).await;
    let pds = Pds::start().await;
    let ctx = bluesky_context(&app, &pds);
    let connected = connect(&ctx, &pds.handle, &pds.password).await.unwrap();
    let (account, creds) = stored(&app, &connected, connected.credentials.clone());
    let ch = open_channel(&account, creds, &ctx);

    let marker = "https://jobs.example.org/r/bsky2345";
    let out = bluesky_outgoing("delivery-bsky", marker);
    assert!(out.posts.len() >= 2, "the 50-skill opening is a thread on Bluesky ({} posts)", out.posts.len());
    assert_eq!(ch.find(&out).await.unwrap(), None, "not posted yet");
    let posted = ch.send(&out).await.expect("send");
    let rkey = rkey_for("delivery-bsky", 0);
    assert_eq!(posted.id, format!("at://{}/app.bsky.feed.post/{rkey}", pds.did));
    assert_eq!(posted.url.as_deref(), Some(format!("https://bsky.app/profile/{}/post/{rkey}", pds.handle).as_str()));
    assert_eq!(posted.ids.len(), out.posts.len());

    let records = list_posts(&pds).await;
    assert_eq!(records.len(), out.posts.len(), "one record per post");
    let mut saw_link = false;
    let mut saw_tag = false;
    for (i, (uri, post)) in posted.ids.iter().zip(&out.posts).enumerate() {
        let r = records.iter().find(|r| r["uri"].as_str() == Some(uri.as_str())).unwrap_or_else(|| panic!("{uri} in the repo"));
        let v = &r["value"];
        assert_eq!(v["text"].as_str(), Some(post.text.as_str()));
        assert_eq!(v["langs"], json!(["fr"]));
        let facets = if post.facets.is_empty() { Value::Null } else { facets_json(post) };
        assert_eq!(v["facets"], facets, "facets intact");
        check_facets_slice(&post.text, &v["facets"]);
        saw_link |= v["facets"].to_string().contains(marker);
        saw_tag |= v["facets"].to_string().contains("app.bsky.richtext.facet#tag");
        if i > 0 {
            assert_eq!(v["reply"]["root"]["uri"].as_str(), Some(posted.ids[0].as_str()));
            assert_eq!(v["reply"]["parent"]["uri"].as_str(), Some(posted.ids[i - 1].as_str()));
        } else {
            assert!(v.get("reply").is_none());
        }
    }
    assert!(saw_link && saw_tag, "a link facet to the tracked link and tag facets");

    // Again (a retry after an unknown outcome): the same posts, nothing new in the repo.
    assert_eq!(ch.send(&out).await.expect("second send"), posted);
    assert_eq!(list_posts(&pds).await.len(), out.posts.len(), "no duplicate record");

    assert_eq!(ch.find(&out).await.unwrap(), Some(posted.clone()));
    assert_eq!(ch.find(&bluesky_outgoing("delivery-never", "https://jobs.example.org/r/nevr2345")).await.unwrap(), None);

    // "Position filled" under the original post.
    let mut filled = bluesky_outgoing("delivery-bsky-filled", marker);
    filled.kind = DeliveryKind::FilledReply;
    filled.posts.truncate(1);
    filled.posts[0].text = "Poste pourvu 🎉 merci à toutes et à tous !".into();
    filled.posts[0].facets.clear();
    filled.parent = Some(posted.clone());
    let reply = ch.send(&filled).await.expect("filled reply");
    assert_eq!(ch.send(&filled).await.unwrap(), reply, "once");
    let records = list_posts(&pds).await;
    let r = records.iter().find(|r| r["uri"].as_str() == Some(reply.id.as_str())).unwrap();
    assert_eq!(r["value"]["reply"]["root"]["uri"].as_str(), Some(posted.id.as_str()));
    assert_eq!(r["value"]["reply"]["parent"]["uri"].as_str(), Some(posted.id.as_str()));

    // Deleting the thread, twice.
    let mut delete = out.clone();
    delete.kind = DeliveryKind::Delete;
    delete.parent = Some(posted.clone());
    assert_eq!(ch.find(&delete).await.unwrap(), None, "still there");
    assert_eq!(ch.send(&delete).await.unwrap(), posted);
    assert_eq!(ch.send(&delete).await.unwrap(), posted);
    assert_eq!(ch.find(&delete).await.unwrap(), Some(posted.clone()));
    let left: Vec<Value> = list_posts(&pds).await;
    assert_eq!(left.len(), 1, "only the reply remains: {left:?}");
}

/// An expired access token: the client refreshes the session (refreshSession), persists the
/// new tokens sealed in the database, and sends. A refresh the PDS refuses asks for a
/// reconnection; no password is ever used again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refreshed_and_the_new_tokens_are_kept() {
    let app = spawn_app(Backend::Sqlite).await;
    let pds = Pds::start().await;
    let ctx = bluesky_context(&app, &pds);
    let connected = connect(&ctx, &pds.handle, &pds.password).await.unwrap();
    let Credentials::Bluesky { refresh_jwt, .. } = connected.credentials.clone() else { panic!() };
    let expired = Credentials::Bluesky { access_jwt: pds.expired_access_jwt.clone(), refresh_jwt: refresh_jwt.clone() };
    let (account, creds) = stored(&app, &connected, expired);

    // The PDS does refuse the expired token as such.
    let res = reqwest::Client::new()
        .get(format!("{}/xrpc/com.atproto.server.getSession", pds.url))
        .bearer_auth(&pds.expired_access_jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "ExpiredToken");

    let ch = open_channel(&account, creds.clone(), &ctx);
    let out = bluesky_outgoing("delivery-refresh", "https://jobs.example.org/r/rfsh2345");
    let posted = ch.send(&out).await.expect("sent after refreshing the session");
    assert_eq!(list_posts(&pds).await.len(), out.posts.len());
    assert!(posted.id.starts_with("at://"));

    let Credentials::Bluesky { access_jwt: new_access, refresh_jwt: new_refresh } = creds.get().await else { panic!() };
    assert_ne!(new_access, pds.expired_access_jwt, "a new access token");
    assert_ne!(new_refresh, refresh_jwt, "the refresh token rotated");
    let key = app.state.key.clone();
    let id = account.id.clone();
    let in_db = app.db(|c| channel_store::credentials(c, &key, &id).unwrap());
    assert_eq!(in_db, Credentials::Bluesky { access_jwt: new_access.clone(), refresh_jwt: new_refresh.clone() }, "persisted, sealed");
    ch.check().await.expect("the refreshed session works");

    // A refresh token the PDS no longer accepts (the old, rotated one): reconnect.
    let stale = Credentials::Bluesky { access_jwt: pds.expired_access_jwt.clone(), refresh_jwt: "not-a-refresh-token".into() };
    let (account2, creds2) = stored(&app, &connected, stale);
    let ch2 = open_channel(&account2, creds2, &ctx);
    match ch2.send(&bluesky_outgoing("delivery-stale", "https://jobs.example.org/r/stal2345")).await {
        Err(SendError::Reconnect { reason }) => assert!(reason.contains("session"), "{reason}"),
        other => panic!("expected Reconnect, got {other:?}"),
    }
    assert!(matches!(ch2.check().await, Err(SendError::Reconnect { .. })));
    assert_eq!(list_posts(&pds).await.len(), out.posts.len(), "nothing posted without a session");
}
