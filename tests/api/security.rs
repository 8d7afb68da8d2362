//! Issue 7, the web surface and secrets: sessions (rotation, idle and absolute timeouts,
//! sign-out), sign-in throttling, the password policy, the admins' TOTP second factor, body
//! size limits, security headers, and `hirecast rotate-key`.
use std::io::{Read, Write};

use chrono::Duration;
use diesel::prelude::*;
use hirecast::broadcast::{AccountConfig, Credentials, SecretKey, WebhookFlavour};
use hirecast::domain::email::Email;
use hirecast::domain::user::Role;
use hirecast::store::channels::{self, NewAccount};
use hirecast::store::{schema, second_factor, users};

use crate::helpers::*;

/// A browser that keeps no cookies by itself: each test says which cookie it sends.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The value of the session cookie a response sets, if any.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    set_cookie(res, "hirecast_session")
}

fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (k, val) = pair.split_once('=')?;
        (k.trim() == name && !val.is_empty()).then(|| val.to_string())
    })
}

async fn sign_in(app: &TestApp, email: &str, password: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = bare_client().post(app.url("/login")).form(&[("email", email), ("password", password), ("next", "/app")]);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("hirecast_session={c}"));
    }
    req.send().await.unwrap()
}

/// GET /app with a session cookie: 200 when signed in, 303 to /login otherwise.
async fn app_status(app: &TestApp, session: &str) -> u16 {
    bare_client().get(app.url("/app")).header("cookie", format!("hirecast_session={session}")).send().await.unwrap().status().as_u16()
}

fn sessions_of(app: &TestApp, user_id: &str) -> i64 {
    let uid = user_id.to_string();
    app.db(|c| schema::sessions::table.filter(schema::sessions::user_id.eq(uid)).count().get_result(c).unwrap())
}

async fn session_rotates_at_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let u = app.add_user("ana@acme.fr", Role::Recruiter);
    let first = sign_in(&app, "ana@acme.fr", PASSWORD, None).await;
    assert_eq!(first.status().as_u16(), 303);
    let a = session_cookie(&first).expect("a session cookie");
    assert_eq!(app_status(&app, &a).await, 200);

    // Signing in again from a browser that still carries A: A is deleted, B is new.
    let second = sign_in(&app, "ana@acme.fr", PASSWORD, Some(&a)).await;
    assert_eq!(second.status().as_u16(), 303);
    let b = session_cookie(&second).expect("a new session cookie");
    assert_ne!(a, b, "a new token at every sign-in");
    assert_eq!(app_status(&app, &a).await, 303, "the old cookie no longer signs in");
    assert_eq!(app_status(&app, &b).await, 200);
    assert_eq!(sessions_of(&app, &u.id), 1, "the old session row is gone");

    // A token planted by someone else (fixation) is dropped the same way.
    app.add_user("eve@acme.fr", Role::Recruiter);
    let planted = session_cookie(&sign_in(&app, "eve@acme.fr", PASSWORD, None).await).unwrap();
    let c = session_cookie(&sign_in(&app, "ana@acme.fr", PASSWORD, Some(&planted)).await).unwrap();
    assert_eq!(app_status(&app, &planted).await, 303);
    assert_eq!(app_status(&app, &c).await, 200);
}

async fn idle_timeout_ends_an_unused_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let u = app.add_user("ana@acme.fr", Role::Recruiter);
    let s = session_cookie(&sign_in(&app, "ana@acme.fr", PASSWORD, None).await).unwrap();
    // Used every 25 minutes, it lives on (the idle end slides)...
    for _ in 0..4 {
        app.state.clock.advance(Duration::minutes(25));
        assert_eq!(app_status(&app, &s).await, 200, "used within 30 minutes");
    }
    // ...unused for 30 minutes, it is over, server-side.
    app.state.clock.advance(Duration::minutes(30));
    assert_eq!(app_status(&app, &s).await, 303, "idle for 30 minutes");
    assert_eq!(sessions_of(&app, &u.id), 0, "the expired session is deleted");
    // Even if the clock went back, the row is gone.
    assert_eq!(app_status(&app, &s).await, 303);
}

async fn idle_timeout_is_configurable(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.session_idle_minutes = 5).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let s = session_cookie(&sign_in(&app, "ana@acme.fr", PASSWORD, None).await).unwrap();
    app.state.clock.advance(Duration::minutes(4));
    assert_eq!(app_status(&app, &s).await, 200);
    app.state.clock.advance(Duration::minutes(5));
    assert_eq!(app_status(&app, &s).await, 303);
}

async fn absolute_timeout_ends_even_an_active_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let s = session_cookie(&sign_in(&app, "ana@acme.fr", PASSWORD, None).await).unwrap();
    // Busy all day long: a request every 20 minutes for 11 h 40.
    for i in 0..35 {
        app.state.clock.advance(Duration::minutes(20));
        assert_eq!(app_status(&app, &s).await, 200, "request {i}");
    }
    app.state.clock.advance(Duration::minutes(20));
    assert_eq!(app_status(&app, &s).await, 303, "12 hours after sign-in");
}

async fn sign_out_invalidates_the_session_server_side(backend: Backend) {
    let app = spawn_app(backend).await;
    let u = app.add_user("ana@acme.fr", Role::Recruiter);
    let s = session_cookie(&sign_in(&app, "ana@acme.fr", PASSWORD, None).await).unwrap();
    assert_eq!(app_status(&app, &s).await, 200);
    let out = bare_client().post(app.url("/logout")).header("cookie", format!("hirecast_session={s}")).send().await.unwrap();
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(sessions_of(&app, &u.id), 0);
    // Replaying the cookie (copied before sign-out) fails, on pages and on the API.
    assert_eq!(app_status(&app, &s).await, 303);
    let api = bare_client().get(app.url("/api/v1/openings")).header("cookie", format!("hirecast_session={s}")).send().await.unwrap();
    assert_eq!(api.status().as_u16(), 401);
}

async fn the_eleventh_failure_within_a_minute_answers_429(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    for i in 0..10 {
        let r = sign_in(&app, "ana@acme.fr", "wrong password 123", None).await;
        assert_eq!(r.status().as_u16(), 401, "failure {i}");
    }
    // The right password does not get through now.
    let r = sign_in(&app, "ana@acme.fr", PASSWORD, None).await;
    assert_eq!(r.status().as_u16(), 429);
    let wait: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(session_cookie(&r).is_none(), "no session while throttled");
    let html = r.text().await.unwrap();
    assert!(html.contains("Too many failed sign-ins"), "{html}");
    // Also in French.
    let r = bare_client()
        .post(app.url("/login"))
        .header("accept-language", "fr")
        .form(&[("email", "ana@acme.fr"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let html = r.text().await.unwrap();
    assert!(html.contains("Trop d&#39;échecs de connexion") || html.contains("Trop d&#x27;échecs de connexion"), "{html}");
    // A minute later it works again.
    app.state.clock.advance(Duration::seconds(61));
    let r = sign_in(&app, "ana@acme.fr", PASSWORD, None).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(session_cookie(&r).is_some());
}

async fn throttling_also_counts_per_client_address(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    // Ten failures on ten different (unknown) accounts from one address.
    for i in 0..10 {
        let r = sign_in(&app, &format!("nobody{i}@acme.fr"), "wrong password 123", None).await;
        assert_eq!(r.status().as_u16(), 401);
    }
    let r = sign_in(&app, "ana@acme.fr", PASSWORD, None).await;
    assert_eq!(r.status().as_u16(), 429, "the address is throttled, whatever the account");
    app.state.clock.advance(Duration::seconds(61));
    assert_eq!(sign_in(&app, "ana@acme.fr", PASSWORD, None).await.status().as_u16(), 303);
}

/// Two web processes on one database count the same failures: five on each make ten, and
/// both then refuse the right password (each process counting its own would let 20 through).
async fn two_web_processes_share_the_sign_in_count(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let other = crate::crash::ServeProcess::start(&app).await;
    let post = |url: String, password: &'static str| async move {
        bare_client().post(url).form(&[("email", "ana@acme.fr"), ("password", password), ("next", "/app")]).send().await.unwrap()
    };
    for i in 0..10 {
        let url = if i % 2 == 0 { app.url("/login") } else { other.url("/login") };
        assert_eq!(post(url, "wrong password 123").await.status().as_u16(), 401, "failure {i}");
    }
    for url in [app.url("/login"), other.url("/login")] {
        let r = post(url.clone(), PASSWORD).await;
        assert_eq!(r.status().as_u16(), 429, "{url}: the eleventh attempt, on either process");
        assert!(r.headers().contains_key("retry-after"));
    }
    // Kept in the database under hashes: neither the email nor the address is stored.
    let keys: Vec<String> = app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::sign_in_failures::dsl::*;
        sign_in_failures.select(key_hash).load(c).unwrap()
    });
    assert_eq!(keys.len(), 20, "one row per failure and key");
    assert!(keys.iter().all(|k| k.len() == 64 && !k.contains('@') && !k.contains("127.0.0.1")), "{keys:?}");
}

/// The password field's error on a setup form, as the page shows it.
fn password_error(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("#password-error").unwrap();
    doc.select(&sel).next().map(|e| e.text().collect::<String>())
}

async fn post_setup(app: &TestApp, token: &str, fields: &[(&str, &str)], lang: &str) -> reqwest::Response {
    bare_client().post(app.url(&format!("/setup/{token}"))).header("accept-language", lang).form(fields).send().await.unwrap()
}

async fn the_password_policy_is_applied_where_a_password_is_set(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = Email::parse("email", "lea.martin@acme.fr").unwrap();
    let (_, token) = app.db(|c| users::add_with_invite(c, &email, "Léa", Role::Recruiter, Duration::days(7)).unwrap());
    let cases = [
        ("short pw", "must be at least 12 characters long", "doit contenir au moins 12 caractères"),
        ("Qwerty123456", "is one of the most common passwords", "fait partie des mots de passe les plus courants"),
        ("LEA.MARTIN@acme.fr", "must not be your email address", "ne doit pas être votre adresse e-mail"),
    ];
    for (pw, en, fr) in cases {
        for (lang, reason) in [("en", en), ("fr", fr)] {
            let r = post_setup(&app, &token, &[("password", pw), ("password_confirm", pw)], lang).await;
            assert_eq!(r.status().as_u16(), 422, "{pw}");
            let html = r.text().await.unwrap();
            let err = password_error(&html).unwrap_or_else(|| panic!("an error next to the password field for {pw}"));
            assert!(err.contains(reason), "{pw} ({lang}): {err}");
            assert!(html.contains(r##"href="#password""##), "the summary links to the field");
        }
    }
    // The invitation still works with a good password.
    let r = post_setup(&app, &token, &[("password", PASSWORD), ("password_confirm", PASSWORD)], "en").await;
    assert_eq!(r.status().as_u16(), 303);

    // The first admin's setup: the email typed in the same form counts.
    let first = app.db(|c| users::first_admin_link(c, Duration::hours(1)).unwrap());
    let fields = [("email", "boss@acme.fr"), ("name", "Boss"), ("password", "boss@acme.fr"), ("password_confirm", "boss@acme.fr")];
    let r = post_setup(&app, &first, &fields, "en").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(password_error(&r.text().await.unwrap()).unwrap().contains("must not be your email address"));
}

#[test]
fn the_cli_refuses_a_common_password() {
    let dir = std::env::temp_dir().join(format!("hirecast-sec-{}", hirecast::auth::short_code(10)));
    std::fs::create_dir_all(&dir).unwrap();
    for (pw, reason) in [("password1234", "most common passwords"), ("Ana.Martin@acme.fr", "must not be your email"), ("short", "at least 12")] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hirecast"))
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}/db.sqlite", dir.display()))
            .env("HIRECAST_DATA_DIR", dir.join("data"))
            .args(["user", "add", "--email", "ana.martin@acme.fr", "--role", "admin", "--password-stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{pw}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{pw}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("password:") && err.contains(reason), "{pw}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- TOTP ----

fn totp_now(app: &TestApp, user_id: &str) -> String {
    let (key, uid) = (app.state.key.clone(), user_id.to_string());
    let secret = app.db(|c| second_factor::secret(c, &key, &uid).unwrap().expect("a secret"));
    hirecast::totp::code_at(&secret, app.state.clock.now().and_utc().timestamp())
}

fn wrong_code(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// Signs in with the password; returns the challenge cookie (the code prompt comes next).
async fn password_step(app: &TestApp, email: &str) -> String {
    let r = sign_in(app, email, PASSWORD, None).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/login/code", "the code is asked for");
    assert!(session_cookie(&r).is_none(), "no session before the code");
    set_cookie(&r, "hirecast_sign_in").expect("a challenge cookie")
}

async fn code_step(app: &TestApp, challenge: &str, code: &str) -> reqwest::Response {
    bare_client().post(app.url("/login/code")).header("cookie", format!("hirecast_sign_in={challenge}")).form(&[("code", code)]).send().await.unwrap()
}

async fn an_admin_enrols_in_totp_and_signs_in_with_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.add_user("boss@acme.fr", Role::Admin);
    let client = app.signed_in("boss@acme.fr").await;
    let page = client.get(app.url("/app/settings/two-factor")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-state="off""#));

    // Enrol: the secret in base32 and the otpauth URI are shown.
    let r = client.post(app.url("/app/settings/two-factor/start")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    let (key, uid) = (app.state.key.clone(), admin.id.clone());
    let secret = app.db(|c| second_factor::secret(c, &key, &uid).unwrap().unwrap());
    let b32 = hirecast::totp::base32(&secret);
    assert!(page.contains(&format!(r#"<code id="tf-secret">{b32}</code>"#)), "{page}");
    assert!(page.contains(&format!("otpauth://totp/Hirecast:boss%40acme.fr?secret={b32}&#38;issuer=Hirecast")), "{page}");
    // Sealed at rest: the stored value is neither the secret nor its base32.
    let stored: String = app.db(|c| schema::user_totp::table.find(&admin.id).select(schema::user_totp::secret_sealed).first(c).unwrap());
    assert!(!stored.contains(&b32));
    assert!(SecretKey::random().open(&admin.id, &stored).is_err(), "another key cannot open it");
    // Pending: sign-in does not ask for a code yet.
    assert!(session_cookie(&sign_in(&app, "boss@acme.fr", PASSWORD, None).await).is_some());

    // A wrong code does not turn it on; the right one does.
    let code = totp_now(&app, &admin.id);
    let r = client.post(app.url("/app/settings/two-factor/confirm")).form(&[("code", wrong_code(&code).as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains(r#"id="code-error""#));
    let r = client.post(app.url("/app/settings/two-factor/confirm")).form(&[("code", code.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains(r#"data-state="on""#));

    // Sign-in now asks for the code after the password.
    app.state.clock.advance(Duration::seconds(30));
    let challenge = password_step(&app, "boss@acme.fr").await;
    let prompt = bare_client().get(app.url("/login/code")).header("cookie", format!("hirecast_sign_in={challenge}")).send().await.unwrap();
    assert_eq!(prompt.status().as_u16(), 200);
    assert!(prompt.text().await.unwrap().contains(r#"id="code-form""#));
    let code = totp_now(&app, &admin.id);
    let r = code_step(&app, &challenge, &wrong_code(&code)).await;
    assert_eq!(r.status().as_u16(), 401, "a wrong code");
    assert!(session_cookie(&r).is_none());
    let r = code_step(&app, &challenge, &code).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/app");
    let s = session_cookie(&r).expect("signed in after the code");
    assert_eq!(app_status(&app, &s).await, 200);
    // The challenge is spent.
    assert_eq!(code_step(&app, &challenge, &code).await.headers()["location"], "/login");

    // The same code cannot be used again, in another sign-in.
    let challenge = password_step(&app, "boss@acme.fr").await;
    let r = code_step(&app, &challenge, &code).await;
    assert_eq!(r.status().as_u16(), 401, "a replayed code");
    assert!(r.text().await.unwrap().contains("already used"));
    // The next step's code works.
    app.state.clock.advance(Duration::seconds(30));
    let r = code_step(&app, &challenge, &totp_now(&app, &admin.id)).await;
    assert_eq!(r.status().as_u16(), 303);

    // Turning it off needs a current code.
    app.state.clock.advance(Duration::seconds(30));
    let code = totp_now(&app, &admin.id);
    let r = client.post(app.url("/app/settings/two-factor/disable")).form(&[("code", wrong_code(&code).as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = client.post(app.url("/app/settings/two-factor/disable")).form(&[("code", code.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains(r#"data-state="off""#));
    assert!(session_cookie(&sign_in(&app, "boss@acme.fr", PASSWORD, None).await).is_some(), "password only again");
}

async fn totp_is_for_admins_and_its_prompt_needs_the_password_first(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    assert_eq!(client.get(app.url("/app/settings/two-factor")).send().await.unwrap().status().as_u16(), 403);
    assert_eq!(client.post(app.url("/app/settings/two-factor/start")).send().await.unwrap().status().as_u16(), 403);
    // No challenge cookie: back to the password.
    let r = bare_client().post(app.url("/login/code")).form(&[("code", "123456")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/login");
    let r = bare_client().post(app.url("/login/code")).header("cookie", "hirecast_sign_in=forged").form(&[("code", "123456")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
}

async fn guessing_codes_is_limited_per_challenge_and_throttled_across_sign_ins(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.add_user("boss@acme.fr", Role::Admin);
    let (key, now) = (app.state.key.clone(), app.state.clock.now());
    let secret = app.db(|c| second_factor::begin_enrolment(c, &key, &admin.id, now).unwrap().unwrap());
    let code = hirecast::totp::code_at(&secret, now.and_utc().timestamp());
    assert!(app.db(|c| second_factor::confirm(c, &key, &admin.id, &code, now).unwrap()));
    let wrong = wrong_code(&hirecast::totp::code_at(&secret, now.and_utc().timestamp() + 30));
    let wrong = if wrong == hirecast::totp::code_at(&secret, now.and_utc().timestamp() + 30) { "000000".to_string() } else { wrong };

    // Each round from another address (all of 127.0.0.0/8 is loopback), so only the
    // account's count can add up to ten.
    let from = |last: u8| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from([127, 0, 0, last]))
            .build()
            .unwrap()
    };
    let password_from = |client: reqwest::Client| {
        let url = app.url("/login");
        async move {
            let r = client.post(url).form(&[("email", "boss@acme.fr"), ("password", PASSWORD), ("next", "/app")]).send().await.unwrap();
            (r.status().as_u16(), set_cookie(&r, "hirecast_sign_in"))
        }
    };
    let code_from = |client: reqwest::Client, challenge: String, code: String| {
        let url = app.url("/login/code");
        async move {
            let r = client.post(url).header("cookie", format!("hirecast_sign_in={challenge}")).form(&[("code", code)]).send().await.unwrap();
            (r.status().as_u16(), r.headers().get("location").map(|v| v.to_str().unwrap().to_string()))
        }
    };

    // One challenge takes five wrong codes, then it is spent.
    let (status, challenge) = password_from(from(2)).await;
    assert_eq!(status, 303);
    let challenge = challenge.expect("a challenge");
    for i in 0..5 {
        assert_eq!(code_from(from(2), challenge.clone(), wrong.clone()).await.0, 401, "wrong code {i}");
    }
    assert_eq!(code_from(from(2), challenge.clone(), wrong.clone()).await, (303, Some("/login".to_string())), "the challenge is spent");
    // The right password again does not reset the account's count: five more wrong codes make ten.
    let (_, challenge) = password_from(from(3)).await;
    let challenge = challenge.expect("a challenge");
    for _ in 0..5 {
        assert_eq!(code_from(from(3), challenge.clone(), wrong.clone()).await.0, 401);
    }
    let (status, _) = password_from(from(4)).await;
    assert_eq!(status, 429, "the eleventh attempt on the account within a minute, from a fresh address");
}

// ---- body limits ----

/// Sends headers announcing `declared` bytes (and none of them), returns the status line.
fn raw_post(app: &TestApp, path: &str, content_type: &str, declared: usize, extra: &str) -> String {
    let addr = app.address.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    write!(s, "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {declared}\r\n{extra}Connection: close\r\n\r\n").unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string()
}

async fn oversize_bodies_answer_413(backend: Backend) {
    use hirecast::domain::opening::{OpeningDraft, OpeningInput, OpeningStatus};
    let app = spawn_app(backend).await;
    let token = app.api_token("ana@acme.fr", Role::Recruiter);
    app.add_user("rh@acme.fr", Role::Recruiter);
    let session = session_cookie(&sign_in(&app, "rh@acme.fr", PASSWORD, None).await).unwrap();
    let input = OpeningInput {
        title: "Rust developer".into(),
        company: "Acme".into(),
        country: "FR".into(),
        remote_policy: "remote".into(),
        employment_type: "permanent".into(),
        language: "en".into(),
        description: "Join us.".into(),
        ..Default::default()
    };
    let today = app.state.clock.today();
    let draft = OpeningDraft::parse(&input, today).unwrap();
    let slug = app.db(|c| {
        let o = hirecast::store::openings::create(c, &draft, None).unwrap();
        hirecast::store::openings::set_status(c, &o.id, OpeningStatus::Open, today).unwrap().slug
    });
    let form = "application/x-www-form-urlencoded";
    let big = 20 * 1024 * 1024;
    let auth = format!("Authorization: Bearer {token}\r\n");
    let cookie = format!("Cookie: hirecast_session={session}\r\n");
    let apply = format!("/jobs/{slug}/apply");
    // Forms (anonymous and signed-in), JSON, multipart: refused from their announced size,
    // each by its own limit (20 MiB is over all of them).
    for (path, ct, extra) in [
        ("/login", form, ""),
        ("/lang", form, ""),
        ("/setup/abc", form, ""),
        ("/alerts", form, ""),
        ("/app/openings", form, cookie.as_str()),
        ("/app/settings/tokens", form, cookie.as_str()),
        ("/api/v1/openings", "application/json", auth.as_str()),
        ("/api/v1/compose/preview", "application/json", auth.as_str()),
        (apply.as_str(), "multipart/form-data; boundary=x", ""),
    ] {
        let line = raw_post(&app, path, ct, big, extra);
        assert!(line.starts_with("HTTP/1.1 413"), "{path}: {line}");
    }
    // Over 32 MiB, refused before any route, even one that reads no body.
    for path in ["/healthz", "/logout", "/no-such-route"] {
        let line = raw_post(&app, path, form, 40 * 1024 * 1024, "");
        assert!(line.starts_with("HTTP/1.1 413"), "{path}: {line}");
    }
    // Read to the end: a form body over the form limit (256 KiB) is 413 too, not 500.
    let body = format!("email=a%40b.fr&password={}", "x".repeat(300 * 1024));
    let r = bare_client().post(app.url("/login")).header("content-type", form).body(body).send().await;
    if let Ok(r) = r {
        assert_eq!(r.status().as_u16(), 413);
    }
    let json = format!(r#"{{"title": "{}"}}"#, "x".repeat(300 * 1024));
    let r = bare_client().post(app.url("/api/v1/openings")).bearer_auth(&token).header("content-type", "application/json").body(json).send().await;
    if let Ok(r) = r {
        assert_eq!(r.status().as_u16(), 413);
    }
}

// ---- headers ----

async fn security_headers_are_on_every_page(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    for path in ["/login", "/app", "/jobs", "/api/v1/openings", "/no-such-page", "/static/app.css"] {
        let r = client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: no inline scripts ({csp})");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}: no HSTS over plain HTTP");
    }
    // Served for an https:// address (behind a TLS proxy): HSTS, and Secure cookies.
    let tls = spawn_app_with(backend, |s| s.base_url = "https://jobs.acme.example".into()).await;
    tls.add_user("ana@acme.fr", Role::Recruiter);
    let r = bare_client().get(tls.url("/login")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let r = sign_in(&tls, "ana@acme.fr", PASSWORD, None).await;
    let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.starts_with("hirecast_session=")).unwrap();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

// ---- rotate-key ----

fn hirecast_cmd(app: &TestApp) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hirecast"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.state.settings.database_url.as_url())
        .env("HIRECAST_DATA_DIR", &app.state.settings.data_dir)
        .env("HIRECAST_LOG", "warn");
    c
}

/// One value of every sealed kind: channel credentials, an unsubscribe token, a TOTP secret.
fn seal_one_of_each(app: &TestApp) -> (String, String, Vec<u8>, String) {
    let key = app.state.key.clone();
    let admin = app.add_user("boss@acme.fr", Role::Admin);
    let config = AccountConfig::Webhook { flavour: WebhookFlavour::Slack, host: "hooks.slack.com".into() };
    let creds = Credentials::Webhook { url: "https://hooks.slack.com/services/T/B/secret".into(), signing_secret: None };
    let account = app.db(|c| channels::create(c, &key, NewAccount { name: "Slack", config: &config, credentials: &creds, token_expires_at: None, created_by: None }).unwrap());
    let email = Email::parse("email", "sub@example.org").unwrap();
    let new = hirecast::store::subscribers::NewSubscription { email: &email, language: hirecast::i18n::Lang::En, location: None, skills: &[], at: app.state.clock.now() };
    let sub = match app.db(|c| hirecast::store::subscribers::subscribe(c, &key, new).unwrap()) {
        hirecast::store::subscribers::Subscribed::ConfirmationNeeded { id, .. } => id,
        other => panic!("{other:?}"),
    };
    let secret = app.db(|c| second_factor::begin_enrolment(c, &key, &admin.id, app.state.clock.now()).unwrap().unwrap());
    (account.id, admin.id, secret, sub)
}

fn sealed_values(app: &TestApp) -> Vec<String> {
    app.db(|c| {
        let mut v: Vec<String> = schema::channel_accounts::table.select(schema::channel_accounts::secret).load::<Option<String>>(c).unwrap().into_iter().flatten().collect();
        v.extend(schema::alert_subscribers::table.select(schema::alert_subscribers::unsubscribe_sealed).load::<String>(c).unwrap());
        v.extend(schema::user_totp::table.select(schema::user_totp::secret_sealed).load::<String>(c).unwrap());
        v
    })
}

fn assert_opens_with(app: &TestApp, key: &SecretKey, (account, admin, secret, sub): &(String, String, Vec<u8>, String)) {
    let creds = app.db(|c| channels::credentials(c, key, account).unwrap());
    assert!(matches!(creds, Credentials::Webhook { url, .. } if url.ends_with("/secret")));
    assert_eq!(app.db(|c| second_factor::secret(c, key, admin).unwrap().unwrap()), *secret);
    let subscriber = app.db(|c| hirecast::store::subscribers::find(c, sub).unwrap().unwrap());
    assert!(subscriber.unsubscribe_token(key).is_ok());
}

async fn rotate_key_reseals_every_secret_with_an_environment_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let sealed = seal_one_of_each(&app);
    let before = sealed_values(&app);
    assert_eq!(before.len(), 3);
    let old = app.state.key.clone();

    // A wrong current key: exit 2, one line saying what to fix, nothing changed.
    let out = hirecast_cmd(&app).env("HIRECAST_SECRET_KEY", SecretKey::random().to_base64()).arg("rotate-key").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("HIRECAST_SECRET_KEY") && err.contains("nothing was changed"), "{err}");
    assert_eq!(sealed_values(&app), before);

    // The right key and a given new one.
    let new = SecretKey::random();
    let out = hirecast_cmd(&app).env("HIRECAST_SECRET_KEY", old.to_base64()).args(["rotate-key", "--new-key", &new.to_base64()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Re-encrypted 3 secret(s)"), "{stdout}");
    assert!(stdout.contains(&format!("HIRECAST_SECRET_KEY={}", new.to_base64())), "the operator is told the new key: {stdout}");
    assert!(!app.state.settings.data_dir.join("secret.key").exists(), "no key file written for an environment key");
    let after = sealed_values(&app);
    assert!(after.iter().all(|v| !before.contains(v)), "every value re-sealed");
    assert_opens_with(&app, &new, &sealed);
    assert!(app.db(|c| channels::credentials(c, &old, &sealed.0)).is_err(), "the old key no longer opens them");
}

async fn rotate_key_replaces_the_key_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let sealed = seal_one_of_each(&app);
    let file = app.state.settings.data_dir.join("secret.key");
    std::fs::create_dir_all(&app.state.settings.data_dir).unwrap();
    // A key file that is not the key of the secrets: refused, file untouched.
    let wrong = SecretKey::random().to_base64();
    std::fs::write(&file, &wrong).unwrap();
    let out = hirecast_cmd(&app).arg("rotate-key").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("secret.key") && err.contains("nothing was changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), wrong);
    assert!(!file.with_extension("key.new").exists());

    std::fs::write(&file, app.state.key.to_base64()).unwrap();
    let out = hirecast_cmd(&app).arg("rotate-key").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new = SecretKey::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_ne!(new.to_base64(), app.state.key.to_base64(), "a new random key in the file");
    assert!(!file.with_extension("key.new").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_opens_with(&app, &new, &sealed);
}

crate::on_both_backends!(
    session_rotates_at_sign_in,
    idle_timeout_ends_an_unused_session,
    idle_timeout_is_configurable,
    absolute_timeout_ends_even_an_active_session,
    sign_out_invalidates_the_session_server_side,
    the_eleventh_failure_within_a_minute_answers_429,
    throttling_also_counts_per_client_address,
    two_web_processes_share_the_sign_in_count,
    the_password_policy_is_applied_where_a_password_is_set,
    an_admin_enrols_in_totp_and_signs_in_with_a_code,
    totp_is_for_admins_and_its_prompt_needs_the_password_first,
    guessing_codes_is_limited_per_challenge_and_throttled_across_sign_ins,
    oversize_bodies_answer_413,
    security_headers_are_on_every_page,
    rotate_key_reseals_every_secret_with_an_environment_key,
    rotate_key_replaces_the_key_file,
);
