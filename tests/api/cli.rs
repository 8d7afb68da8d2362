//! The command line, run as a new user would: the real binary, a fresh data folder.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

struct Workdir(std::path::PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workdir() -> Workdir {
    let d = std::env::temp_dir().join(format!("hirecast-cli-{}", hirecast::auth::short_code(10)));
    std::fs::create_dir_all(&d).unwrap();
    Workdir(d)
}

/// `hirecast` with a clean environment pointing at a SQLite file in `dir`.
fn hirecast(dir: &Workdir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hirecast"));
    c.current_dir(&dir.0)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}/db/hirecast.db", dir.0.display()))
        .env("HIRECAST_DATA_DIR", dir.0.join("data"))
        .env("HIRECAST_LOG", "warn");
    c
}

#[test]
fn help_is_there_for_every_command() {
    let d = workdir();
    for args in [vec!["--help"], vec!["serve", "--help"], vec!["migrate", "--help"], vec!["user", "add", "--help"], vec!["demo", "--help"]] {
        let out = hirecast(&d).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{args:?}");
    }
}

#[test]
fn migrate_creates_the_sqlite_database_and_is_idempotent() {
    let d = workdir();
    let out = hirecast(&d).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migration(s) applied"));
    assert!(d.0.join("db/hirecast.db").exists());
    let again = hirecast(&d).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));
}

#[test]
fn migrate_works_on_postgres() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let admin = std::env::var("HIRECAST_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("hirecast_cli_{}", hirecast::auth::short_code(8));
    let mut c = diesel::PgConnection::establish(&admin).expect("PostgreSQL is needed for this test");
    c.batch_execute(&format!("CREATE DATABASE \"{name}\"")).unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let d = workdir();
    let out = hirecast(&d).env("DATABASE_URL", &url).arg("migrate").output().unwrap();
    c.batch_execute(&format!("DROP DATABASE \"{name}\" WITH (FORCE)")).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migration(s) applied"));
}

#[test]
fn bad_settings_name_the_variable_and_exit_2() {
    let d = workdir();
    for (var, value) in [("DATABASE_URL", "mysql://x"), ("HIRECAST_BIND", "localhost"), ("HIRECAST_DB_POOL_SIZE", "lots"), ("HIRECAST_BASE_URL", "ftp://x"), ("HIRECAST_LOG", "hirecast=loud")] {
        let out = hirecast(&d).env(var, value).arg("migrate").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(var), "{var}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    // A PostgreSQL URL may hold a password: it is never echoed.
    let out = hirecast(&d).env("DATABASE_URL", "postgres:/secret-password@x").arg("migrate").output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("secret-password"));
}

#[test]
fn user_add_prints_a_one_time_link_and_refuses_duplicates() {
    let d = workdir();
    let out = hirecast(&d).args(["user", "add", "--email", "Lea@Example.fr", "--role", "recruiter"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("/setup/"), "{stdout}");
    assert!(stdout.contains("lea@example.fr"));
    let dup = hirecast(&d).args(["user", "add", "--email", "lea@example.fr", "--role", "admin"]).output().unwrap();
    assert_eq!(dup.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already has an account"));
    let bad = hirecast(&d).args(["user", "add", "--email", "not-an-email", "--role", "admin"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--email"));
    let bad = hirecast(&d).args(["user", "add", "--email", "x@example.fr", "--role", "boss"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--role"));
    let list = hirecast(&d).args(["user", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("lea@example.fr\trecruiter\tinvited"), "{list}");
}

#[test]
fn demo_loads_with_progress_and_refuses_to_load_twice() {
    let d = workdir();
    let out = hirecast(&d).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[1/"), "progress shown: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("9 openings"), "{stdout}");
    assert!(stdout.contains("recruteuse@demo.hirecast.test"));
    let again = hirecast(&d).arg("demo").output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

#[test]
fn serve_prints_the_first_admin_link_and_stops_gracefully_on_sigterm() {
    let d = workdir();
    let mut child = hirecast(&d)
        .env("HIRECAST_BIND", "127.0.0.1:0")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut link = None;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        if let Some(i) = line.find("http://127.0.0.1:") {
            if line.contains("/setup/") {
                link = Some(line[i..].trim().to_string());
                break;
            }
        }
    }
    let link = link.expect("serve prints a setup link on an empty database");
    let base = link.split("/setup/").next().unwrap().to_string();
    let health = reqwest::blocking_get(&format!("{base}/healthz"));
    assert_eq!(health, 200);
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "graceful exit, got {code:?}");
}

mod reqwest {
    /// A tiny GET on a blocking thread (the test is not async).
    pub fn blocking_get(url: &str) -> u16 {
        let url = url.to_string();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async { ::reqwest::get(&url).await.map(|r| r.status().as_u16()).unwrap_or(0) })
        })
        .join()
        .unwrap()
    }
}

/// Serves `body` as `content_type` to every connection on a loopback port; returns the port.
fn serve_once_per_connection(body: Vec<u8>, content_type: &'static str) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    port
}

#[test]
fn fetch_cv_prints_what_would_be_stored_or_why_it_refuses() {
    use sha2::Digest;
    let d = workdir();
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.pdf")).unwrap();
    let port = serve_once_per_connection(pdf.clone(), "application/pdf");
    let url = format!("http://127.0.0.1:{port}/cv.pdf");
    // Allowed only by explicit configuration: a loopback address is internal.
    let out = hirecast(&d).env("HIRECAST_FETCH_ALLOW_HOSTS", format!("127.0.0.1:{port}")).args(["fetch-cv", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "pdf");
    assert_eq!(v["bytes"], pdf.len());
    assert_eq!(v["sha256"].as_str().unwrap(), hex::encode(sha2::Sha256::digest(&pdf)));
    assert_eq!(v["text"]["pages"], 2);
    assert!(v["text"]["preview"].as_str().unwrap().contains("Développeuse"), "{v}");

    let out = hirecast(&d).args(["fetch-cv", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("refused:") && err.contains("127.0.0.1"), "{err}");
    assert!(out.stdout.is_empty());
    for bad in ["not a url", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"] {
        let out = hirecast(&d).args(["fetch-cv", bad]).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{bad}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim().lines().count(), 1, "{bad}: one line");
    }
    let out = hirecast(&d).env("HIRECAST_FETCH_ALLOW_HOSTS", "localhost").args(["fetch-cv", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HIRECAST_FETCH_ALLOW_HOSTS"));
}

#[test]
fn scan_answers_every_line_in_order_and_reports_bad_lines() {
    use std::io::Write;
    let d = workdir();
    let openings = d.0.join("openings.json");
    std::fs::write(
        &openings,
        serde_json::json!([
            {"id": "rust-lyon", "title": "Développeur Rust", "required_skills": ["Rust", "PostgreSQL"], "nice_to_have_skills": ["Kubernetes"], "language": "fr", "location": "Lyon", "remote": "hybrid"},
            {"id": "compta", "title": "Comptable", "required_skills": ["Comptabilité", "SAP"], "nice_to_have_skills": [], "language": "fr"}
        ])
        .to_string(),
    )
    .unwrap();
    let input = [
        r#"{"id": 1, "text": "Bonjour ! Dev Rust + Postgres, mon CV : https://example.fr/cv.pdf, jean [at] example [dot] fr, 06 12 34 56 78 #OpenToWork @lea@mastodon.social"}"#,
        r#"{"id": "oops""#,
        r#"{"id": "c", "text": "Comptable confirmée, 10 ans d'expérience sur SAP"}"#,
        r#"{"id": "d", "text": "Mon mail : x [at] example [dot] fr. Dispo de suite"}"#,
    ]
    .join("\n");
    let mut child = hirecast(&d)
        .args(["scan", "--openings", openings.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "the bad line is skipped");
    assert_eq!(lines[2]["emails"], serde_json::json!(["x@example.fr"]), "an obfuscated address followed by a full stop");
    let first = &lines[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["urls"], serde_json::json!(["https://example.fr/cv.pdf"]));
    assert_eq!(first["cv_links"][0]["kind"], "pdf");
    assert_eq!(first["emails"], serde_json::json!(["jean@example.fr"]));
    assert_eq!(first["phones"], serde_json::json!(["+33612345678"]));
    assert_eq!(first["hashtags"], serde_json::json!(["OpenToWork"]));
    assert_eq!(first["mentions"], serde_json::json!(["lea@mastodon.social"]));
    assert_eq!(first["matches"][0]["opening"], "rust-lyon");
    assert_eq!(lines[1]["id"], "c");
    assert_eq!(lines[1]["matches"][0]["opening"], "compta");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2:"), "{err}");
    // A broken openings file is one line saying what to fix.
    std::fs::write(&openings, "[{\"id\": 1}]").unwrap();
    let out = hirecast(&d).args(["scan", "--openings", openings.to_str().unwrap()]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--openings"));
}

#[test]
fn scan_matches_the_open_openings_of_the_database() {
    use std::io::Write;
    let d = workdir();
    let demo = hirecast(&d).arg("demo").output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let mut child = hirecast(&d).arg("scan").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(br#"{"id": "r", "text": "Developer with Rust, PostgreSQL and Kubernetes"}"#).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(!v["matches"].as_array().unwrap().is_empty(), "{v}");
}
