//! Crash safety, with real processes: `hirecast worker` is killed with SIGKILL at random
//! moments while it broadcasts, restarted, killed again; in the end every post exists exactly
//! once on each peer, counted on the peer. And two worker processes sharing one PostgreSQL
//! database never send a delivery twice.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hirecast::broadcast::DeliveryState;
use hirecast::store::deliveries;

use crate::helpers::*;

/// `hirecast <subcommand>` on the test app's database, key, base URL and data folder, logging
/// warnings to the test's stderr.
pub(crate) fn hirecast(app: &TestApp, subcommand: &str) -> Command {
    let s = &app.state.settings;
    let mut c = Command::new(env!("CARGO_BIN_EXE_hirecast"));
    c.arg(subcommand)
        .env("DATABASE_URL", s.database_url.as_url())
        .env("HIRECAST_SECRET_KEY", app.state.key.to_base64())
        .env("HIRECAST_BASE_URL", &s.base_url)
        .env("HIRECAST_DATA_DIR", &s.data_dir)
        .env("HIRECAST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    c
}

/// A `hirecast worker` process on the test app's database, with short timeouts so a killed
/// worker's leases end quickly.
pub struct WorkerProcess(Child);

impl WorkerProcess {
    pub fn start(app: &TestApp) -> WorkerProcess {
        Self::start_with(app, &[])
    }

    /// With more variables (an SMTP URL, say).
    pub fn start_with(app: &TestApp, extra: &[(&str, &str)]) -> WorkerProcess {
        let s = &app.state.settings;
        let child = hirecast(app, "worker")
            .env("HIRECAST_BLUESKY_RESOLVER_URL", &s.broadcast.bluesky_resolver_url)
            .env("HIRECAST_PLC_URL", &s.broadcast.plc_url)
            .env("HIRECAST_SEND_TIMEOUT_SECS", "2")
            .env("HIRECAST_LEASE_SECS", "5")
            .env("HIRECAST_WORKER_POLL_MS", "20")
            .env("HIRECAST_WORKER_CONCURRENCY", "4")
            .envs(extra.iter().copied())
            .spawn()
            .expect("start hirecast worker");
        WorkerProcess(child)
    }

    /// SIGKILL: no cleanup, no chance to record anything.
    pub fn kill9(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A second `hirecast serve` process on the test app's database (its own pool, caches and
/// everything a process keeps in memory), answering on its own port.
pub struct ServeProcess {
    child: Child,
    pub address: String,
}

impl ServeProcess {
    pub async fn start(app: &TestApp) -> ServeProcess {
        Self::start_with(app, &[]).await
    }

    /// With more variables (`HIRECAST_RUN_WORKERS=false`, say).
    pub async fn start_with(app: &TestApp, extra: &[(&str, &str)]) -> ServeProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = hirecast(app, "serve")
            .env("HIRECAST_BIND", format!("127.0.0.1:{port}"))
            .envs(extra.iter().copied())
            .spawn()
            .expect("start hirecast serve");
        let p = ServeProcess { child, address: format!("http://127.0.0.1:{port}") };
        let start = Instant::now();
        while new_client().get(p.url("/readyz")).send().await.ok().map(|r| r.status().as_u16()) != Some(200) {
            assert!(start.elapsed() < Duration::from_secs(30), "the second serve process did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        p
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deliveries per state.
pub fn states(app: &TestApp) -> Vec<(String, i64)> {
    app.db(|c| deliveries::count_by_state(c).unwrap())
}

/// Waits until every delivery is published (or the time is up); returns the states seen last.
pub async fn wait_all_published(app: &TestApp, total: i64, limit: Duration) -> Vec<(String, i64)> {
    let start = Instant::now();
    loop {
        let s = states(app);
        let published = s.iter().find(|(k, _)| k == DeliveryState::Published.as_str()).map_or(0, |(_, n)| *n);
        if published == total || start.elapsed() > limit {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A pseudo-random duration in [lo, hi) ms, from the clock (no extra crate needed).
pub fn random_ms(lo: u64, hi: u64) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    Duration::from_millis(lo + nanos % (hi - lo))
}

/// Three channels on real peers: two accounts on a mastodon-mock, one on a Bluesky PDS.
struct Peers {
    mastodon: crate::mastodon::MastodonMock,
    /// Token and account id of the mock's second account.
    second: (String, String),
    pds: crate::bluesky::Pds,
    accounts: Vec<String>,
}

async fn peers(app: &TestApp) -> Peers {
    use hirecast::broadcast::{bluesky, mastodon};
    use hirecast::store::channels::{self, NewAccount};
    let mastodon = crate::mastodon::MastodonMock::start().await;
    let user: serde_json::Value = mastodon
        .http
        .post(format!("{}/api/v1/_mock/dev_user", mastodon.url))
        .json(&serde_json::json!({"username": "jobs2", "display_name": "Jobs 2"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second = (user["access_token"].as_str().unwrap().to_string(), user["id"].as_str().unwrap().to_string());
    let pds = crate::bluesky::Pds::start().await;
    let mut settings = app.state.settings.clone();
    settings.broadcast.bluesky_resolver_url = pds.url.clone();
    settings.broadcast.plc_url = pds.plc.clone();
    let ctx = hirecast::broadcast::ChannelContext::new(app.state.pool.clone(), settings, app.state.clock.clone(), app.state.key.clone());
    let connected = vec![
        mastodon::connect_token(&ctx, &mastodon.url, &mastodon.token).await.expect("first Mastodon account"),
        mastodon::connect_token(&ctx, &mastodon.url, &second.0).await.expect("second Mastodon account"),
        bluesky::connect(&ctx, &pds.handle, &pds.password).await.expect("Bluesky account"),
    ];
    let accounts = connected
        .iter()
        .map(|k| {
            app.db(|c| {
                let a = channels::create(
                    c,
                    &app.state.key,
                    NewAccount { name: &k.name, config: &k.config, credentials: &k.credentials, token_expires_at: None, created_by: None },
                )
                .unwrap();
                channels::set_min_interval(c, &a.id, 0).unwrap();
                a.id
            })
        })
        .collect();
    Peers { mastodon, second, pds, accounts }
}

/// Every status of a Mastodon account, all pages.
async fn all_statuses(mock: &crate::mastodon::MastodonMock, token: &str, account_id: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut max_id: Option<String> = None;
    loop {
        let mut req = mock.http.get(format!("{}/api/v1/accounts/{account_id}/statuses", mock.url)).bearer_auth(token).query(&[("limit", "40")]);
        if let Some(m) = &max_id {
            req = req.query(&[("max_id", m)]);
        }
        let page: Vec<serde_json::Value> = req.send().await.unwrap().json().await.unwrap();
        if page.is_empty() {
            return all;
        }
        max_id = page.last().and_then(|s| s["id"].as_str()).map(String::from);
        all.extend(page);
    }
}

/// Every post record of the Bluesky account, all pages.
async fn all_records(pds: &crate::bluesky::Pds) -> Vec<serde_json::Value> {
    let http = reqwest::Client::new();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = vec![("repo", pds.did.clone()), ("collection", "app.bsky.feed.post".into()), ("limit", "100".into())];
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let page: serde_json::Value =
            http.get(format!("{}/xrpc/com.atproto.repo.listRecords", pds.url)).query(&q).send().await.unwrap().json().await.unwrap();
        let records = page["records"].as_array().cloned().unwrap_or_default();
        if records.is_empty() {
            return all;
        }
        all.extend(records);
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return all,
        }
    }
}

/// How many posts on each peer carry each delivery's marker; every count must be exactly 1.
async fn count_on_peers(app: &TestApp, p: &Peers) -> Vec<(String, String, usize)> {
    use hirecast::store::schema::deliveries::dsl as d;
    use diesel::prelude::*;
    let rows: Vec<(String, String)> = app.db(|c| d::deliveries.select((d::account_id, d::marker)).load(c).unwrap());
    let first = all_statuses(&p.mastodon, &p.mastodon.token, &p.mastodon.account_id).await;
    let second = all_statuses(&p.mastodon, &p.second.0, &p.second.1).await;
    let records = all_records(&p.pds).await;
    rows.into_iter()
        .map(|(account, marker)| {
            let n = if account == p.accounts[0] || account == p.accounts[1] {
                let statuses = if account == p.accounts[0] { &first } else { &second };
                statuses.iter().filter(|s| s["content"].as_str().unwrap_or("").contains(&marker)).count()
            } else {
                // Bluesky shows links shortened: the full URL is in the link facet.
                records.iter().filter(|r| r["value"]["facets"].to_string().contains(&marker)).count()
            };
            (account, marker, n)
        })
        .collect()
}

fn publish_all(app: &TestApp, openings: usize, accounts: &[String]) -> i64 {
    use hirecast::store::deliveries::{OnClose, PublishPlan, Target};
    let plan = PublishPlan {
        targets: accounts.iter().map(|a| Target { account_id: a.clone(), on_close: OnClose::Nothing }).collect(),
        at: None,
        repost_every_days: None,
    };
    let (base, today) = (app.state.settings.base_url.clone(), app.state.clock.today());
    for i in 0..openings {
        let o = crate::outbox::draft_opening(app, &format!("Développeur Rust n°{i} (H/F)"));
        app.db(|c| deliveries::publish(c, &o, &plan, &base, today, app.state.clock.now(), None).unwrap());
    }
    (openings * accounts.len()) as i64
}

fn assert_exactly_once(counts: &[(String, String, usize)], total: i64) {
    assert_eq!(counts.len() as i64, total);
    let wrong: Vec<_> = counts.iter().filter(|(_, _, n)| *n != 1).collect();
    assert!(wrong.is_empty(), "{} of {total} deliveries are not exactly once on their peer: {:?}", wrong.len(), &wrong[..wrong.len().min(10)]);
}

/// kill -9 at random moments while 200 openings go to three channels; restart; repeat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_nothing_and_post_nothing_twice() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = peers(&app).await;
    let total = publish_all(&app, 200, &p.accounts);
    let mut kills = 0;
    for _ in 0..5 {
        let w = WorkerProcess::start(&app);
        tokio::time::sleep(random_ms(400, 2500)).await;
        w.kill9();
        kills += 1;
    }
    let w = WorkerProcess::start(&app);
    let s = wait_all_published(&app, total, Duration::from_secs(240)).await;
    w.kill9();
    eprintln!("after {kills} kills: {s:?}");
    let counts = count_on_peers(&app, &p).await;
    assert_exactly_once(&counts, total);
    assert_eq!(s, vec![("published".to_string(), total)], "every delivery is published");
}

/// Two worker processes on one PostgreSQL database, the same queue: no delivery sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_never_send_twice() {
    let app = spawn_app(Backend::Postgres).await;
    let p = peers(&app).await;
    let total = publish_all(&app, 60, &p.accounts);
    let (a, b) = (WorkerProcess::start(&app), WorkerProcess::start(&app));
    let s = wait_all_published(&app, total, Duration::from_secs(180)).await;
    a.kill9();
    b.kill9();
    let counts = count_on_peers(&app, &p).await;
    assert_exactly_once(&counts, total);
    assert_eq!(s, vec![("published".to_string(), total)]);
    // Both processes took part (each lease names its owner in the events).
    let owners: Vec<String> = app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::delivery_events::dsl as e;
        e::delivery_events.filter(e::state.eq("sending")).select(e::detail).load::<Option<String>>(c).unwrap().into_iter().flatten().collect()
    });
    let mut distinct: Vec<String> = owners.iter().filter_map(|d| d.strip_prefix("claimed by ")).map(String::from).collect();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() >= 2, "both processes claimed deliveries: {distinct:?}");
}

/// Two `serve` and two `worker` processes on one PostgreSQL database, all at once: openings
/// published to three channels, 40 people applying through both web processes, and replies
/// to the posts harvested. Nothing lost, nothing posted, filed or acknowledged twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_web_and_two_worker_processes_lose_nothing_and_do_nothing_twice() {
    use diesel::prelude::*;
    use hirecast::store::schema::{applications as ap, candidate_messages as m, harvest_cursors as hc};
    let smtp = crate::email::Smtp::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app(Backend::Postgres).await;
    let p = peers(&app).await;
    let total = publish_all(&app, 10, &p.accounts);
    let opening = app.db(|c| hirecast::store::openings::list(c, &Default::default()).unwrap()).0.remove(0);
    let no_workers = [("HIRECAST_RUN_WORKERS", "false"), ("HIRECAST_SMTP_URL", smtp_url.as_str())];
    let (web_a, web_b) = (ServeProcess::start_with(&app, &no_workers).await, ServeProcess::start_with(&app, &no_workers).await);
    let with_smtp = [("HIRECAST_SMTP_URL", smtp_url.as_str())];
    let (_w1, _w2) = (WorkerProcess::start_with(&app, &with_smtp), WorkerProcess::start_with(&app, &with_smtp));

    // 40 applications, half through each web process, four at a time, while the workers publish.
    let apply = |i: usize| {
        let base = if i % 2 == 0 { web_a.address.clone() } else { web_b.address.clone() };
        let slug = opening.slug.clone();
        async move {
            let client = new_client();
            let html = client.get(format!("{base}/jobs/{slug}")).send().await.unwrap().text().await.unwrap();
            let key = crate::public::attr(&html, r#"input[name="submission_key"]"#, "value").expect("a form key");
            let form = crate::public::Application::new(&format!("applicant{i}@example.org"), &key).set("name", &format!("Applicant {i}")).set("phone", &format!("+33 6 00 00 {:02} {:02}", i / 100, i % 100));
            let r = client.post(format!("{base}/jobs/{slug}/apply")).multipart(form.form()).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 303, "application {i} through {base}");
        }
    };
    for chunk in (0..40).collect::<Vec<_>>().chunks(4) {
        futures_util::future::join_all(chunk.iter().map(|&i| apply(i))).await;
    }
    let s = wait_all_published(&app, total, Duration::from_secs(180)).await;
    assert_eq!(s, vec![("published".to_string(), total)], "every delivery is published");
    assert_exactly_once(&count_on_peers(&app, &p).await, total);

    // Six people answer the opening's Mastodon post; the post is made due again, and one of
    // the workers harvests it.
    let post = app.db(|c| hirecast::store::deliveries::list_for_opening(c, &opening.id).unwrap())
        .into_iter()
        .find(|d| d.delivery.account_id == p.accounts[0])
        .unwrap()
        .delivery;
    let post_id = post.remote_id.clone().unwrap();
    for i in 0..6 {
        let user: serde_json::Value = p.mastodon.http.post(format!("{}/api/v1/_mock/dev_user", p.mastodon.url)).json(&serde_json::json!({"username": format!("dev{i}"), "display_name": format!("Dev {i}")})).send().await.unwrap().json().await.unwrap();
        let token = user["access_token"].as_str().unwrap();
        let r = p.mastodon.http.post(format!("{}/api/v1/statuses", p.mastodon.url)).bearer_auth(token).json(&serde_json::json!({"status": format!("@jobs intéressé, dev{i}@example.net"), "in_reply_to_id": post_id, "visibility": "public"})).send().await.unwrap();
        assert!(r.status().is_success());
    }
    let past = app.state.clock.now() - chrono::Duration::minutes(1);
    app.db(|c| {
        let n = diesel::update(hc::table.find(&post.id)).set(hc::next_run_at.eq(past)).execute(c).unwrap();
        if n == 0 {
            diesel::insert_into(hc::table)
                .values((hc::delivery_id.eq(&post.id), hc::seen.eq("[]"), hc::next_run_at.eq(past), hc::runs.eq(0i64), hc::fail_count.eq(0i64), hc::updated_at.eq(past)))
                .execute(c)
                .unwrap();
        }
    });

    // Everything filed and acknowledged: 40 applications, 6 replies.
    let start = Instant::now();
    let (mut filed, mut mails) = (0, 0);
    while start.elapsed() < Duration::from_secs(60) {
        filed = app.db(|c| hirecast::store::sourcing::entries_for_opening(c, &opening.id).unwrap()).len();
        mails = smtp.messages().len();
        if filed >= 46 && mails >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    eprintln!("filed {filed}, mailed {mails} after {:?}", start.elapsed());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let entries = app.db(|c| hirecast::store::sourcing::entries_for_opening(c, &opening.id).unwrap());
    assert_eq!(entries.len(), 46, "40 applicants and 6 who replied, each filed once (saw {filed})");
    let waiting: i64 = app.db(|c| ap::table.filter(ap::ingested_at.is_null()).count().get_result(c).unwrap());
    assert_eq!(waiting, 0);
    let received = smtp.messages();
    let mut to: Vec<String> = received.iter().map(|m| m.to()).collect();
    to.sort();
    let n = to.len();
    to.dedup();
    assert_eq!(n, to.len(), "no email sent twice (saw {mails} before the pause): {to:?}");
    assert_eq!(to.iter().filter(|t| t.starts_with("applicant")).count(), 40, "one acknowledgement per applicant");
    let sent: Vec<String> = app.db(|c| m::table.filter(m::state.eq("sent")).select(m::target).load(c).unwrap());
    let mut distinct = sent.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(sent.len(), distinct.len(), "no message sent twice: {sent:?}");
    // Still exactly once after all this.
    assert_exactly_once(&count_on_peers(&app, &p).await, total);
}
