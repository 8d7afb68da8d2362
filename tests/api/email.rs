//! Job alerts and recruiter mail against a real SMTP server: aiosmtpd (Python) delivering
//! into a Maildir that the tests read. Double opt-in through HTTP, the email-list channel
//! sending a composed post to the matching confirmed subscribers only, exactly once, with
//! RFC 8058 one-click unsubscribe; and the notices the workers send to recruiters.
//!
//! scripts/test.sh installs aiosmtpd; without it these tests fail, never skip.
//! HIRECAST_TEST_PYTHON names the interpreter (default `python3`).
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use diesel::prelude::*;
use hirecast::broadcast::connect::ConnectError;
use hirecast::broadcast::email_list;
use hirecast::broadcast::{open_channel, AccountConfig, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use hirecast::compose::{compose, ChannelProfile, Network};
use hirecast::domain::opening::{Opening, OpeningDraft, OpeningInput, OpeningStatus};
use hirecast::i18n::Lang;
use hirecast::notify::{self, Mailer};
use hirecast::store::{channels, openings, schema, subscribers};

use crate::helpers::*;
use crate::on_both_backends;

// ---- The SMTP peer ----

/// aiosmtpd on a free port, writing every accepted message into a Maildir. Killed on drop.
pub struct Smtp {
    pub port: u16,
    pub maildir: PathBuf,
    child: std::process::Child,
}

impl Smtp {
    pub async fn start() -> Smtp {
        let python = std::env::var("HIRECAST_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = std::env::temp_dir().join(format!("hirecast-maildir-{}", hirecast::auth::short_code(10)));
        let mut child = std::process::Command::new(&python)
            // tests/peers/smtp/hirecast_smtp.py: aiosmtpd's Mailbox, refusing "reject…" (550)
            // and "tempfail…" (451) recipients.
            .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smtp"))
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "hirecast_smtp.TestMailbox"])
            .arg(&maildir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}; the email tests need Python with aiosmtpd (scripts/test.sh installs it)"));
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Smtp { port, maildir, child };
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                child.stderr.take().unwrap().read_to_string(&mut err).ok();
                panic!("aiosmtpd exited ({status}): {err}\nThe email tests need aiosmtpd: pip install aiosmtpd (scripts/test.sh does it)");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on 127.0.0.1:{port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in rd.flatten() {
                    files.push((e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), e.path()));
                }
            }
        }
        files.sort();
        files.into_iter().map(|(_, p)| Received::parse(&std::fs::read(p).unwrap())).collect()
    }

    /// Waits (briefly) until at least `n` messages are there.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..100 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages in the Maildir, found {}", self.messages().len());
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// A message as stored: headers (unfolded, subject decoded) and the decoded text and HTML parts.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
}

fn split_head(raw: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    (headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn quoted_printable(s: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..(i + 3).min(b.len())]).unwrap_or(""), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_body(headers: &[(String, String)], body: &str) -> String {
    match header(headers, "Content-Transfer-Encoding").map(|v| v.to_ascii_lowercase()) {
        Some(e) if e == "base64" => {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(clean).unwrap()).into_owned()
        }
        Some(e) if e == "quoted-printable" => quoted_printable(body),
        _ => body.to_string(),
    }
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`), as lettre writes subjects.
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut prev_encoded = false;
    for word in v.split(' ') {
        let decoded = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")).and_then(|w| {
            let mut it = w.splitn(3, '?');
            let (_cs, enc, text) = (it.next()?, it.next()?, it.next()?);
            match enc.to_ascii_lowercase().as_str() {
                "b" => base64::engine::general_purpose::STANDARD.decode(text).ok().map(|b| String::from_utf8_lossy(&b).into_owned()),
                "q" => Some(quoted_printable(&text.replace('_', " "))),
                _ => None,
            }
        });
        match decoded {
            Some(d) => {
                if !prev_encoded && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&d);
                prev_encoded = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
                prev_encoded = false;
            }
        }
    }
    out
}

impl Received {
    fn parse(raw: &[u8]) -> Received {
        let raw = String::from_utf8_lossy(raw).replace("\r\n", "\n");
        let (headers, body) = split_head(&raw);
        let mut text = String::new();
        let mut html = String::new();
        let ct = header(&headers, "Content-Type").unwrap_or("").to_string();
        if let Some(b) = ct.split("boundary=").nth(1) {
            let boundary = format!("--{}", b.trim_matches(|c| c == '"' || c == ';' || c == ' ').split(';').next().unwrap().trim_matches('"'));
            for part in body.split(&boundary).skip(1) {
                let part = part.strip_prefix('\n').unwrap_or(part);
                if part.starts_with("--") {
                    break;
                }
                let (ph, pb) = split_head(part);
                let decoded = decode_body(&ph, pb.trim_end_matches('\n'));
                let pct = header(&ph, "Content-Type").unwrap_or("").to_ascii_lowercase();
                if pct.starts_with("text/plain") {
                    text = decoded;
                } else if pct.starts_with("text/html") {
                    html = decoded;
                }
            }
        } else {
            text = decode_body(&headers, &body);
        }
        Received { headers, text, html }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn subject(&self) -> String {
        decode_words(self.header("Subject").unwrap_or(""))
    }

    pub fn to(&self) -> String {
        self.header("X-RcptTo").or(self.header("To")).unwrap_or("").trim_matches(|c| c == '<' || c == '>').to_string()
    }

    /// The first link in the text part starting with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self.text.find(prefix).unwrap_or_else(|| panic!("no link {prefix} in:\n{}", self.text));
        self.text[start..].chars().take_while(|c| !c.is_whitespace() && *c != '>').collect()
    }
}

// ---- Arranging ----

async fn app_with_smtp(backend: Backend, smtp: &Smtp) -> TestApp {
    let url = smtp.url();
    spawn_app_with(backend, move |s| s.broadcast.smtp_url = Some(url)).await
}

async fn subscribe(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url("/alerts")).form(fields).send().await.unwrap()
}

/// Subscribes and follows the confirmation link of the mail it receives.
async fn subscribe_confirmed(app: &TestApp, smtp: &Smtp, fields: &[(&str, &str)]) {
    let before = smtp.messages().len();
    let res = subscribe(app, fields).await;
    assert_eq!(res.status().as_u16(), 303, "subscribing {fields:?}");
    let all = smtp.wait_for(before + 1).await;
    let email = fields.iter().find(|(k, _)| *k == "email").unwrap().1;
    let mail = all.iter().rev().find(|m| m.to() == email).expect("a confirmation mail");
    let link = mail.link(&app.url("/alerts/confirm/"));
    let res = app.client.get(&link).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "confirming {email}");
}

fn subscriber_rows(app: &TestApp, email: &str) -> i64 {
    let email = email.to_string();
    app.db(move |c| schema::alert_subscribers::table.filter(schema::alert_subscribers::email.eq(email)).count().get_result::<i64>(c).unwrap())
}

fn opening(app: &TestApp, title: &str) -> Opening {
    let input = OpeningInput {
        title: title.into(),
        company: "Acme & Fils".into(),
        city: Some("Lyon".into()),
        country: "FR".into(),
        remote_policy: "hybrid".into(),
        employment_type: "permanent".into(),
        required_skills: vec!["Rust".into()],
        nice_to_have_skills: vec!["PostgreSQL".into()],
        language: "fr".into(),
        description: "Nous construisons des choses.".into(),
        ..Default::default()
    };
    let today = app.state.clock.today();
    let draft = OpeningDraft::parse(&input, today).expect("valid test opening");
    app.db(|c| {
        let o = openings::create(c, &draft, None).unwrap();
        openings::set_status(c, &o.id, OpeningStatus::Open, today).unwrap()
    })
}

fn email_account(app: &TestApp) -> channels::ChannelAccount {
    let connected = email_list::connect(&app.state.settings, "Alertes emploi").unwrap();
    let key = app.state.key.clone();
    app.db(|c| {
        channels::create(
            c,
            &key,
            channels::NewAccount {
                name: &connected.name,
                config: &connected.config,
                credentials: &connected.credentials,
                token_expires_at: None,
                created_by: None,
            },
        )
        .unwrap()
    })
}

/// A delivery row (the outbox is the lead's; the alert records refer to it).
fn delivery(app: &TestApp, o: &Opening, account: &channels::ChannelAccount, kind: DeliveryKind, sequence: i64) -> String {
    use schema::deliveries as d;
    let id = uuid::Uuid::new_v4().to_string();
    let now = app.state.clock.now();
    let (id2, oid, aid) = (id.clone(), o.id.clone(), account.id.clone());
    app.db(move |c| {
        diesel::insert_into(d::table)
            .values((
                d::id.eq(&id2),
                d::opening_id.eq(oid),
                d::account_id.eq(aid),
                d::kind.eq(kind.as_str()),
                d::sequence.eq(sequence),
                d::state.eq("sending"),
                d::due_at.eq(now),
                d::idempotency_key.eq(uuid::Uuid::new_v4().to_string()),
                d::marker.eq("https://jobs.example/r/x"),
                d::created_at.eq(now),
                d::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap()
    });
    id
}

fn outgoing(app: &TestApp, o: &Opening, delivery_id: &str, kind: DeliveryKind) -> Outgoing {
    let job_url = app.url(&format!("/jobs/{}", o.slug));
    let composed = compose(o, &job_url, &ChannelProfile::new(Network::Email, Lang::Fr));
    Outgoing {
        delivery_id: delivery_id.into(),
        kind,
        idempotency_key: delivery_id.into(),
        posts: composed.posts,
        marker: job_url.clone(),
        since: app.state.clock.now(),
        parent: None,
        opening: o.clone(),
        job_url,
    }
}

fn context(app: &TestApp) -> ChannelContext {
    ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone())
}

/// `raw` appears in `html` only HTML-escaped.
fn escaped(html: &str, raw: &str) -> bool {
    let named = raw.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let numeric = raw.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;");
    !html.contains(raw) && (html.contains(&named) || html.contains(&numeric))
}

fn recipients(msgs: &[Received]) -> BTreeSet<String> {
    msgs.iter().map(|m| m.to()).collect()
}

// ---- Tests ----

async fn alerts_double_opt_in_send_once_and_one_click_unsubscribe(backend: Backend) {
    let smtp = Smtp::start().await;
    let app = app_with_smtp(backend, &smtp).await;

    let page = app.client.get(app.url("/alerts")).header("accept-language", "fr").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("Alertes emploi") && body.contains("name=\"email\""), "{body}");

    // Bad input: the form comes back with every reason, the values kept, nothing stored or sent.
    let res = subscribe(&app, &[("email", "not-an-email"), ("language", "de"), ("location", "Lyon")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    for reason in ["is not a valid email address", "choose French or English", "you must agree to receive job alerts"] {
        assert!(body.contains(reason), "missing {reason:?} in the re-shown form");
    }
    assert!(body.contains("value=\"not-an-email\"") && body.contains("value=\"Lyon\""));
    assert_eq!(smtp.messages().len(), 0);

    // A subscribes: a confirmation mail in French with a one-time link; nothing is sent before it is followed.
    let a = [("email", "a@example.org"), ("language", "fr"), ("location", "lyon"), ("skills", "rust, go"), ("consent", "yes")];
    let first = subscribe(&app, &a).await;
    assert_eq!(first.status().as_u16(), 303);
    let location = first.headers()["location"].to_str().unwrap().to_string();
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to(), "a@example.org");
    assert_eq!(mails[0].subject(), "Confirmez vos alertes emploi");
    let confirm_link = mails[0].link(&app.url("/alerts/confirm/"));

    // Subscribing again (with another letter case) answers the same as a new address and adds no row.
    let again = subscribe(&app, &[("email", "A@Example.org"), ("language", "fr"), ("consent", "yes")]).await;
    let fresh = subscribe(&app, &[("email", "fresh@example.org"), ("language", "fr"), ("consent", "yes")]).await;
    assert_eq!((again.status().as_u16(), again.headers()["location"].to_str().unwrap()), (303, location.as_str()));
    assert_eq!((fresh.status().as_u16(), fresh.headers()["location"].to_str().unwrap()), (303, location.as_str()));
    assert_eq!(again.text().await.unwrap(), fresh.text().await.unwrap());
    assert_eq!(subscriber_rows(&app, "a@example.org"), 1);

    let res = app.client.get(&confirm_link).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().to_lowercase().contains("confirm"));
    // The link works once.
    let res = app.client.get(&confirm_link).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);

    // Others: matching (B: no filters; G: country + nice-to-have skill), and not matching.
    subscribe_confirmed(&app, &smtp, &[("email", "b@example.org"), ("language", "fr"), ("consent", "yes")]).await;
    subscribe_confirmed(&app, &smtp, &[("email", "g@example.org"), ("language", "fr"), ("location", "fr"), ("skills", "PostgreSQL"), ("consent", "yes")]).await;
    subscribe_confirmed(&app, &smtp, &[("email", "c@example.org"), ("language", "en"), ("consent", "yes")]).await;
    subscribe_confirmed(&app, &smtp, &[("email", "d@example.org"), ("language", "fr"), ("location", "Paris"), ("consent", "yes")]).await;
    subscribe_confirmed(&app, &smtp, &[("email", "e@example.org"), ("language", "fr"), ("skills", "COBOL"), ("consent", "yes")]).await;
    let res = subscribe(&app, &[("email", "pending@example.org"), ("language", "fr"), ("consent", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303);
    // A's repeat within minutes sent no second mail: 8 in all.
    let before = smtp.wait_for(8).await.len();
    assert_eq!(before, 8);

    // The email-list channel sends a real composed post.
    let o = opening(&app, "Développeur Rust <senior> & co");
    let account = email_account(&app);
    let ctx = context(&app);
    let channel = open_channel(&account, CredentialsHandle::detached(Credentials::None), &ctx);
    let d1 = delivery(&app, &o, &account, DeliveryKind::Post, 0);
    let out = outgoing(&app, &o, &d1, DeliveryKind::Post);
    let subject = out.posts[0].subject.clone().expect("an email post has a subject");
    let sent = channel.send(&out).await.unwrap();
    assert_eq!(sent, RemotePost { id: d1.clone(), url: None, ids: vec![] });
    let all = smtp.messages();
    let alerts = &all[before..];
    assert_eq!(recipients(alerts), ["a@example.org", "b@example.org", "g@example.org"].map(String::from).into(), "only matching confirmed subscribers");
    for m in alerts {
        assert_eq!(m.subject(), subject);
        let lu = m.header("List-Unsubscribe").expect("List-Unsubscribe header");
        assert!(lu.contains(&app.url("/alerts/unsubscribe/")) && lu.contains("mailto:") && lu.contains("subject=unsubscribe"), "{lu}");
        assert_eq!(m.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        assert!(m.text.contains(out.posts[0].text.lines().next().unwrap()), "text part carries the post:\n{}", m.text);
        assert!(escaped(&m.html, "<senior>"), "the HTML part is escaped:\n{}", m.html);
        assert!(m.text.contains(&app.url("/alerts/unsubscribe/")));
    }
    let tally = app.db(|c| subscribers::tally(c, &d1).unwrap());
    assert_eq!(tally, subscribers::Tally { sent: 3, failed: 0, unconfirmed: 0 });

    // The same delivery again (a retry): nothing new.
    let count = smtp.messages().len();
    channel.send(&out).await.unwrap();
    assert_eq!(smtp.messages().len(), count, "a retry of the delivery mails nobody twice");

    // One-click unsubscribe as a mail provider does it: a cross-site POST with the RFC 8058 body.
    let a_alert = alerts.iter().find(|m| m.to() == "a@example.org").unwrap();
    let lu = a_alert.header("List-Unsubscribe").unwrap();
    let unsub = lu.split(['<', '>']).find(|p| p.starts_with("http")).unwrap().to_string();
    let res = new_client()
        .post(&unsub)
        .header("origin", "https://mail.example.net")
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(subscriber_rows(&app, "a@example.org"), 0, "unsubscribing deletes the address");
    // The exception is that one path: a cross-site subscribe is still refused.
    let res = new_client()
        .post(app.url("/alerts"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "x@example.org"), ("language", "fr"), ("consent", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    // The used link now shows a clear page.
    let res = app.client.get(&unsub).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    assert!(res.text().await.unwrap().contains("This link does not work"));

    // A re-post skips A; B was left "sending" by an earlier attempt (unknown outcome): not resent.
    let d2 = delivery(&app, &o, &account, DeliveryKind::Repost, 1);
    let b_id: String = app.db(|c| {
        schema::alert_subscribers::table
            .filter(schema::alert_subscribers::email.eq("b@example.org"))
            .select(schema::alert_subscribers::id)
            .first(c)
            .unwrap()
    });
    let now = app.state.clock.now();
    assert!(app.db(|c| subscribers::claim(c, &d2, &b_id, now).unwrap()));
    let count = smtp.messages().len();
    let out2 = outgoing(&app, &o, &d2, DeliveryKind::Repost);
    channel.send(&out2).await.unwrap();
    let new: Vec<Received> = smtp.messages().into_iter().skip(count).collect();
    assert_eq!(recipients(&new), ["g@example.org".to_string()].into());
    assert_eq!(app.db(|c| subscribers::tally(c, &d2).unwrap()), subscribers::Tally { sent: 1, failed: 0, unconfirmed: 1 });

    // Email cannot be recalled, nor read back.
    let filled = outgoing(&app, &o, &d2, DeliveryKind::FilledReply);
    assert!(matches!(channel.send(&filled).await, Err(SendError::Rejected { ref reason, .. }) if reason.contains("cannot be recalled")));
    let delete = outgoing(&app, &o, &d2, DeliveryKind::Delete);
    assert!(matches!(channel.send(&delete).await, Err(SendError::Rejected { .. })));
    assert_eq!(channel.find(&out).await, Err(SendError::Unsupported));
}

async fn wrong_and_expired_links_give_clear_pages(backend: Backend) {
    let smtp = Smtp::start().await;
    let app = app_with_smtp(backend, &smtp).await;
    let res = subscribe(&app, &[("email", "late@example.org"), ("language", "en"), ("consent", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].subject(), "Confirm your job alerts");
    let link = mails[0].link(&app.url("/alerts/confirm/"));

    app.state.clock.advance(chrono::Duration::hours(49));
    let res = app.client.get(&link).header("accept-language", "en").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 410);
    assert!(res.text().await.unwrap().contains("This link has expired"));

    let forty_three = "A".repeat(43);
    for path in [
        "/alerts/confirm/nope".to_string(),
        format!("/alerts/confirm/{forty_three}"),
        "/alerts/confirm/%3Cscript%3E".to_string(),
        format!("/alerts/unsubscribe/{forty_three}"),
        "/alerts/unsubscribe/%00%FF".to_string(),
    ] {
        let res = app.client.get(app.url(&path)).header("accept-language", "en").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "GET {path}");
        assert!(res.text().await.unwrap().contains("This link does not work"), "GET {path}");
    }
    let res = app.client.post(app.url("/alerts/unsubscribe/%3Cx%3E")).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    // After expiry, subscribing again sends a new link that works.
    let res = subscribe(&app, &[("email", "late@example.org"), ("language", "en"), ("consent", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let mails = smtp.wait_for(2).await;
    let link2 = mails[1].link(&app.url("/alerts/confirm/"));
    assert_ne!(link, link2);
    assert_eq!(app.client.get(&link2).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(subscriber_rows(&app, "late@example.org"), 1);
}

async fn smtp_down_is_a_retry_and_the_retry_sends_each_once(backend: Backend) {
    let smtp = Smtp::start().await;
    let app = app_with_smtp(backend, &smtp).await;
    subscribe_confirmed(&app, &smtp, &[("email", "one@example.org"), ("language", "fr"), ("consent", "yes")]).await;
    subscribe_confirmed(&app, &smtp, &[("email", "two@example.org"), ("language", "fr"), ("consent", "yes")]).await;
    let o = opening(&app, "Ingénieur données");
    let account = email_account(&app);
    let d = delivery(&app, &o, &account, DeliveryKind::Post, 0);
    let out = outgoing(&app, &o, &d, DeliveryKind::Post);

    let mut ctx = context(&app);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    ctx.settings.broadcast.smtp_url = Some(format!("smtp://127.0.0.1:{closed}"));
    let down = open_channel(&account, CredentialsHandle::detached(Credentials::None), &ctx);
    assert!(matches!(down.send(&out).await, Err(SendError::Retry { .. })), "no SMTP server: retry later");
    assert_eq!(app.db(|c| subscribers::tally(c, &d).unwrap()), subscribers::Tally::default(), "nothing recorded as sent");

    let count = smtp.messages().len();
    let up = open_channel(&account, CredentialsHandle::detached(Credentials::None), &context(&app));
    up.send(&out).await.unwrap();
    let new: Vec<Received> = smtp.messages().into_iter().skip(count).collect();
    assert_eq!(recipients(&new), ["one@example.org", "two@example.org"].map(String::from).into());
    up.send(&out).await.unwrap();
    assert_eq!(smtp.messages().len(), count + 2);
}

async fn recruiter_notices_arrive_with_the_reason(backend: Backend) {
    let smtp = Smtp::start().await;
    let app = app_with_smtp(backend, &smtp).await;
    let mailer = Mailer::from_settings(&app.state.settings.broadcast).unwrap();
    notify::delivery_failed(
        &mailer,
        "recruiter@example.org",
        Lang::Fr,
        "Développeur Rust (H/F)",
        "@jobs@mastodon.example",
        "Validation failed: Text character limit of 500 exceeded <b>",
        &app.url("/app/deliveries/d1"),
    )
    .await
    .unwrap();
    notify::reconnect_needed(&mailer, "admin@example.org", Lang::En, "@jobs.bsky.example", "Token has been revoked", &app.url("/app/channels/a1"))
        .await
        .unwrap();
    let mails = smtp.wait_for(2).await;
    let failed = mails.iter().find(|m| m.to() == "recruiter@example.org").unwrap();
    assert_eq!(failed.subject(), "Non publiée : Développeur Rust (H/F) sur @jobs@mastodon.example");
    assert!(failed.text.contains("Validation failed: Text character limit of 500 exceeded <b>"), "{}", failed.text);
    assert!(failed.text.contains(&app.url("/app/deliveries/d1")));
    assert!(escaped(&failed.html, "exceeded <b>"), "{}", failed.html);
    let reconnect = mails.iter().find(|m| m.to() == "admin@example.org").unwrap();
    assert_eq!(reconnect.subject(), "Reconnect @jobs.bsky.example");
    assert!(reconnect.text.contains("Token has been revoked") && reconnect.text.contains(&app.url("/app/channels/a1")));
    // Recruiter notices carry no unsubscribe header: they are not a list.
    assert!(failed.header("List-Unsubscribe").is_none());
}

/// A confirmed subscriber written through the store (for addresses the server refuses,
/// which could never receive their confirmation mail).
fn confirmed_directly(app: &TestApp, email: &str) -> String {
    let email = hirecast::domain::email::Email::parse("email", email).unwrap();
    let key = app.state.key.clone();
    let now = app.state.clock.now();
    app.db(|c| {
        let new = subscribers::NewSubscription { email: &email, language: Lang::Fr, location: None, skills: &[], at: now };
        let subscribers::Subscribed::ConfirmationNeeded { confirm_token, id } = subscribers::subscribe(c, &key, new).unwrap() else {
            panic!("a new address needs confirming")
        };
        assert_eq!(subscribers::confirm(c, &confirm_token, now).unwrap(), subscribers::Confirmation::Confirmed { id: id.clone() });
        id
    })
}

async fn refused_recipients_fail_alone_and_busy_ones_are_retried(backend: Backend) {
    let smtp = Smtp::start().await;
    let app = app_with_smtp(backend, &smtp).await;
    for e in ["ok1@example.org", "reject@example.org", "ok2@example.org"] {
        confirmed_directly(&app, e);
    }
    let o = opening(&app, "Ingénieur données");
    let account = email_account(&app);
    let channel = open_channel(&account, CredentialsHandle::detached(Credentials::None), &context(&app));
    let d = delivery(&app, &o, &account, DeliveryKind::Post, 0);
    let out = outgoing(&app, &o, &d, DeliveryKind::Post);
    // A 550 for one recipient: recorded as failed, the others still receive it.
    channel.send(&out).await.unwrap();
    assert_eq!(recipients(&smtp.messages()), ["ok1@example.org", "ok2@example.org"].map(String::from).into());
    assert_eq!(app.db(|c| subscribers::tally(c, &d).unwrap()), subscribers::Tally { sent: 2, failed: 1, unconfirmed: 0 });
    channel.send(&out).await.unwrap();
    assert_eq!(smtp.messages().len(), 2, "neither the sent nor the refused are tried again");

    // A 451: the delivery is retried later, and that recipient is not recorded (so the retry sends it).
    let busy = confirmed_directly(&app, "tempfail@example.org");
    let d2 = delivery(&app, &o, &account, DeliveryKind::Repost, 1);
    let out2 = outgoing(&app, &o, &d2, DeliveryKind::Repost);
    assert!(matches!(channel.send(&out2).await, Err(SendError::Retry { ref reason, .. }) if reason.contains("451")));
    let recorded = app.db(|c| subscribers::recorded(c, &d2).unwrap());
    assert!(!recorded.contains(&busy), "a certainly-refused send is not left as sending");
    assert_eq!(app.db(|c| subscribers::tally(c, &d2).unwrap()).unconfirmed, 0);
    let before = smtp.messages().len();
    let _ = channel.send(&out2).await;
    let _ = channel.send(&out2).await;
    let after = smtp.messages();
    let new: Vec<String> = after[before..].iter().map(|m| m.to()).collect();
    let mut unique = new.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(new.len(), unique.len(), "retries never mail anyone twice: {new:?}");
}

on_both_backends!(
    refused_recipients_fail_alone_and_busy_ones_are_retried,
    alerts_double_opt_in_send_once_and_one_click_unsubscribe,
    wrong_and_expired_links_give_clear_pages,
    smtp_down_is_a_retry_and_the_retry_sends_each_once,
    recruiter_notices_arrive_with_the_reason,
);

#[test]
fn connecting_an_email_list_checks_the_settings_and_the_name() {
    let mut s = hirecast::config::Settings::for_tests(hirecast::store::DatabaseUrl::Sqlite(":memory:".into()), std::env::temp_dir());
    assert!(matches!(email_list::connect(&s, "Jobs"), Err(ConnectError::NotConfigured(_))));
    s.broadcast.smtp_url = Some("smtp://127.0.0.1:2525".into());
    let c = email_list::connect(&s, "  Job alerts ").unwrap();
    assert_eq!(c.config, AccountConfig::Email { list_name: "Job alerts".into() });
    assert_eq!(c.name, "Job alerts");
    assert!(matches!(email_list::connect(&s, "  "), Err(ConnectError::Field { field: "list_name", .. })));
    assert!(matches!(email_list::connect(&s, &"x".repeat(81)), Err(ConnectError::Field { field: "list_name", .. })));
    assert!(email_list::connect(&s, &"é".repeat(80)).is_ok());
}
