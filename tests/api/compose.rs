//! `hirecast count` and `hirecast compose` through the real binary.
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `hirecast` with an empty environment: `count` must need no setting at all.
fn bare() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hirecast"));
    c.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

fn run_with_stdin(mut c: Command, input: &[u8]) -> Output {
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // A command that refuses its arguments exits before reading: the pipe may then be closed.
    if let Err(e) = child.stdin.take().unwrap().write_all(input) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn count_prints_one_object_without_any_database_or_setting() {
    let mut c = bare();
    c.args(["count", "--network", "x"]);
    let out = run_with_stdin(c, "Développeur·se Rust 👩‍💻 https://example.com/a/very/long/path\n".as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = &json_lines(&out)[0];
    // 19 Latin-1 characters, space, emoji 2, space, URL 23: the trailing newline is not counted.
    assert_eq!(v["network"], "x");
    assert_eq!(v["length"], 19 + 1 + 2 + 1 + 23);
    assert_eq!(v["limit"], 280);
    assert_eq!(v["fits"], true);
}

#[test]
fn count_honours_limit_and_url_reserve() {
    let text = format!("{} https://example.com/{}", "a".repeat(480), "p".repeat(100));
    let mut c = bare();
    c.args(["count", "--network", "mastodon"]);
    let v = &json_lines(&run_with_stdin(c, text.as_bytes()))[0];
    assert_eq!(v["length"], 480 + 1 + 23);
    assert_eq!(v["fits"], false);
    let mut c = bare();
    c.args(["count", "--network", "mastodon", "--limit", "1000", "--url-reserve", "30"]);
    let v = &json_lines(&run_with_stdin(c, text.as_bytes()))[0];
    assert_eq!(v["length"], 480 + 1 + 30);
    assert_eq!(v["limit"], 1000);
    assert_eq!(v["fits"], true);
}

#[test]
fn count_jsonl_answers_every_line_in_order_and_reports_bad_lines_in_place() {
    let input = concat!(
        "{\"text\": \"👩‍💻🏳️‍🌈 e\\u0301\"}\n",
        "not json\n",
        "{\"text\": \"\"}\n",
        "{\"txt\": \"x\"}\n",
        "{\"text\": \"招聘\"}\n",
    );
    let mut c = bare();
    c.args(["count", "--network", "bluesky", "--jsonl"]);
    let out = run_with_stdin(c, input.as_bytes());
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["length"], 4);
    assert_eq!(lines[0]["fits"], true);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("JSON"));
    assert_eq!(lines[2]["fits"], false, "an empty post does not fit");
    assert_eq!(lines[3]["line"], 4);
    assert_eq!(lines[4]["length"], 2);
}

#[test]
fn count_refuses_an_unknown_network_with_the_accepted_ones() {
    let mut c = bare();
    c.args(["count", "--network", "myspace"]);
    let out = run_with_stdin(c, b"hi");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--network") && err.contains("bluesky"), "{err}");
}

#[test]
fn compose_prints_the_posts_of_an_opening() {
    let dir = std::env::temp_dir().join(format!("hirecast-compose-{}", hirecast::auth::short_code(10)));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/hirecast.db", dir.display());
    let cmd = |args: &[&str]| {
        let mut c = bare();
        c.args(args)
            .env("DATABASE_URL", &db)
            .env("HIRECAST_DATA_DIR", dir.join("data"))
            .env("HIRECAST_BASE_URL", "https://jobs.example.com")
            .env("HIRECAST_LOG", "warn");
        c.output().unwrap()
    };
    assert!(cmd(&["migrate"]).status.success());
    let pool = hirecast::store::connect(&hirecast::store::DatabaseUrl::parse(&db).unwrap(), 1).unwrap();
    let input = hirecast::domain::opening::OpeningInput {
        title: "Développeur·se Rust (H/F)".into(),
        company: "Acme Logistique".into(),
        city: Some("Lyon".into()),
        country: "FR".into(),
        remote_policy: "hybrid".into(),
        employment_type: "permanent".into(),
        required_skills: vec!["Rust".into(), "C#".into()],
        language: "fr".into(),
        ..Default::default()
    };
    let draft = hirecast::domain::opening::OpeningDraft::parse(&input, chrono::Utc::now().date_naive()).unwrap();
    let opening = hirecast::store::openings::create(&mut pool.get().unwrap(), &draft, None).unwrap();
    drop(pool);

    let out = cmd(&["compose", "--opening", &opening.id, "--network", "linkedin"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let post = &v[0]["posts"][0];
    assert_eq!(v[0]["network"], "linkedin");
    let text = post["text"].as_str().unwrap();
    assert!(text.contains(r"Développeur·se Rust \(H/F\)"), "{text}");
    assert!(text.contains(r"{hashtag|\#|csharp}"), "{text}");
    // The post carries the tracked link of (opening, linkedin), created on first use.
    let pool = hirecast::store::connect(&hirecast::store::DatabaseUrl::parse(&db).unwrap(), 1).unwrap();
    let link = hirecast::store::links::link_for(&mut pool.get().unwrap(), &opening.id, "linkedin").unwrap();
    drop(pool);
    assert_eq!(post["links"][0], format!("https://jobs.example.com/r/{}", link.code));
    assert_eq!(post["fits"], true);

    let all: serde_json::Value = serde_json::from_slice(&cmd(&["compose", "--opening", &opening.id]).stdout).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 9, "every network");

    let missing = cmd(&["compose", "--opening", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--opening"));
    let _ = std::fs::remove_dir_all(&dir);
}
