//! No personal data in logs: the real binary at the most verbose level (`HIRECAST_LOG=trace`),
//! driven through HTTP for a whole run (first admin through the setup link, sign-in, an API
//! token, an opening created and published, an application with an email, a phone and a CV,
//! the review, a review link followed, an invitation, API calls), then everything it logged is
//! read and searched for each email, phone, CV phrase, password, session cookie, token and link
//! secret used. stdout is the CLI's own output (the first-admin link it prints by design); the
//! logs are stderr.
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::helpers::new_client;

const PASSWORD: &str = "Zebra-Quokka-Passphrase-9931";
const ADMIN_EMAIL: &str = "ada.secret@acme-logs.fr";
const APPLICANT_EMAIL: &str = "zoe.private@candidate-logs.fr";
const APPLICANT_PHONE: &str = "+33 6 48 21 97 35";
const CV_PHRASE: &str = "Wolframite Pangolin Orchestration";
const GUEST_EMAIL: &str = "guest.hidden@partner-logs.fr";
const INVITEE_EMAIL: &str = "new.colleague@acme-logs.fr";

/// A one-page PDF whose text layer holds `CV_PHRASE`.
fn cv_pdf() -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({CV_PHRASE} in Rust and PostgreSQL) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    pdf
}

fn attr(body: &str, marker: &str) -> Option<String> {
    let i = body.find(marker)? + marker.len();
    Some(body[i..].split(['"', '<', ' ', '&']).next()?.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_logs_no_personal_data_nor_secrets() {
    let dir = std::env::temp_dir().join(format!("hirecast-logs-{}", hirecast::auth::short_code(10)));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let log_path = dir.join("stderr.log");
    // A real SMTP server: mail is sent (and its sending logged at trace level too).
    let smtp = crate::email::Smtp::start().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hirecast"))
        .arg("serve")
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HIRECAST_BIND", format!("127.0.0.1:{port}"))
        .env("HIRECAST_BASE_URL", &base)
        .env("DATABASE_URL", format!("sqlite://{}/hirecast.db", dir.display()))
        .env("HIRECAST_DATA_DIR", dir.join("data"))
        .env("HIRECAST_SMTP_URL", smtp.url())
        .env("HIRECAST_WORKER_POLL_MS", "50")
        .env("HIRECAST_LOG", "trace")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("start hirecast serve");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let mut child = Kill(child);
    // The first-admin link, printed on stdout.
    let setup_link = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(i) = line.find("/setup/") {
                return line[i..].trim().to_string();
            }
        }
        panic!("no setup link printed");
    })
    .await
    .unwrap();
    let setup_token = setup_link.trim_start_matches("/setup/").to_string();
    let client = new_client();
    let form = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();

    let res = client
        .post(format!("{base}{setup_link}"))
        .form(&form(&[("email", ADMIN_EMAIL), ("name", "Ada Admin"), ("password", PASSWORD), ("password_confirm", PASSWORD)]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "first admin: {}", res.text().await.unwrap());

    let res = client.post(format!("{base}/login")).form(&form(&[("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "/app")])).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hirecast_session=").map(|v| v.split(';').next().unwrap().to_string()))
        .expect("a session cookie");
    // A wrong password is logged as a failure, without the address or the password tried.
    let res = client.post(format!("{base}/login")).form(&form(&[("email", ADMIN_EMAIL), ("password", "Wrong-Password-7731"), ("next", "/app")])).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);

    let scopes: Vec<(&str, &str)> = hirecast::domain::user::Scope::ALL.iter().map(|s| ("scope", s.as_str())).collect();
    let mut token_form = vec![("name", "log test")];
    token_form.extend(scopes);
    let body = client.post(format!("{base}/app/settings/tokens")).form(&form(&token_form)).send().await.unwrap().text().await.unwrap();
    let api_token = attr(&body, "id=\"token-secret\" value=\"").expect("the new token is shown");
    assert!(api_token.starts_with("hc_"));
    let api = |m: reqwest::Method, path: &str| client.request(m, format!("{base}/api/v1{path}")).bearer_auth(&api_token);

    let res = api(reqwest::Method::POST, "/openings")
        .json(&json!({
            "title": "Ingénieur·e Rust", "company": "Acme", "city": "Lyon", "country": "FR",
            "remote_policy": "hybrid", "employment_type": "permanent", "required_skills": ["Rust"], "language": "fr",
            "description": "Le poste."
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap());
    let opening: serde_json::Value = res.json().await.unwrap();
    let (oid, slug) = (opening["id"].as_str().unwrap().to_string(), opening["slug"].as_str().unwrap().to_string());
    let res = client.post(format!("{base}/app/openings/{oid}/status")).form(&form(&[("action", "publish")])).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);

    // The application, from a visitor without a session.
    let visitor = new_client();
    let page = visitor.get(format!("{base}/jobs/{slug}")).send().await.unwrap().text().await.unwrap();
    let key = attr(&page, "name=\"submission_key\" value=\"").unwrap_or_default();
    let multipart = reqwest::multipart::Form::new()
        .text("name", "Zoé Confidentielle")
        .text("email", APPLICANT_EMAIL)
        .text("phone", APPLICANT_PHONE)
        .text("message", format!("Bonjour, {CV_PHRASE}."))
        .text("consent", "yes")
        .text("submission_key", key)
        .part("cv", reqwest::multipart::Part::bytes(cv_pdf()).file_name("zoe-cv.pdf").mime_str("application/pdf").unwrap());
    let res = visitor.post(format!("{base}/jobs/{slug}/apply")).multipart(multipart).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "apply: {}", res.text().await.unwrap());

    // The review, in the app and through the API.
    let apps: serde_json::Value = api(reqwest::Method::GET, &format!("/openings/{oid}/applications")).send().await.unwrap().json().await.unwrap();
    let app_id = apps["items"][0]["id"].as_str().or_else(|| apps["applications"][0]["id"].as_str()).map(str::to_string);
    if let Some(a) = &app_id {
        assert_eq!(client.get(format!("{base}/app/applications/{a}")).send().await.unwrap().status().as_u16(), 200);
        assert_eq!(client.get(format!("{base}/app/applications/{a}/cv")).send().await.unwrap().status().as_u16(), 200);
    }
    assert!(app_id.is_some(), "the application is listed: {apps}");
    assert_eq!(client.get(format!("{base}/app/openings/{oid}/review")).send().await.unwrap().status().as_u16(), 200);
    for path in ["/me", "/openings", &format!("/openings/{oid}"), &format!("/openings/{oid}/candidates")] {
        assert_eq!(api(reqwest::Method::GET, path).send().await.unwrap().status().as_u16(), 200, "{path}");
    }
    // A request with a wrong token, and one with a token in the query string.
    let res = client.get(format!("{base}/api/v1/me")).bearer_auth("hc_NotARealTokenButSecretLooking123456789").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let _ = client.get(format!("{base}/app/openings?q={APPLICANT_EMAIL}")).send().await.unwrap();

    // A review link, followed by its guest.
    let res = client
        .post(format!("{base}/app/openings/{oid}/review/links"))
        .form(&form(&[("name", "Gaël Invité"), ("email", GUEST_EMAIL), ("days", "7"), ("language", "fr")]))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "review link: {}", res.status());
    let mut review_link = None;
    for _ in 0..200 {
        if let Some(m) = smtp.messages().into_iter().find(|m| m.text.contains("/review/")) {
            review_link = Some(m.link(&format!("{base}/review/")));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let review_link = review_link.expect("the review link is mailed to the guest");
    let review_token = review_link.rsplit('/').next().unwrap().to_string();
    assert!(review_token.len() >= 40, "{review_link}");
    let guest = new_client();
    assert_eq!(guest.get(format!("{base}/review/{review_token}")).send().await.unwrap().status().as_u16(), 200);

    // An invitation: the page shows the one-time link.
    let body = client
        .post(format!("{base}/app/team"))
        .form(&form(&[("email", INVITEE_EMAIL), ("name", "Nouvelle Collègue"), ("role", "recruiter")]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let invite_token = attr(&body, "/setup/").expect("the invitation link is shown");
    assert!(invite_token.len() >= 40, "{invite_token}");
    assert_eq!(new_client().get(format!("{base}/setup/{invite_token}")).send().await.unwrap().status().as_u16(), 200);

    // Let the workers send what is left (and log it), then stop.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _ = child.0.kill();
    let _ = child.0.wait();
    let mut logs = String::new();
    std::fs::File::open(&log_path).unwrap().read_to_string(&mut logs).unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    // The capture works: trace-level lines and the redacted request lines are there.
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "the most verbose level was on");
    assert!(logs.contains("/setup/[token]"), "request lines are logged, with the secret replaced");
    assert!(logs.contains("/api/v1/openings"), "API requests are logged");
    assert!(logs.contains("application filed"), "the application is logged (by its id)");
    assert!(logs.len() > 50_000, "a trace-level run logs plenty: {} bytes", logs.len());

    let phone_digits: String = APPLICANT_PHONE.chars().filter(|c| c.is_ascii_digit()).collect();
    let secrets: Vec<(&str, String)> = vec![
        ("the admin's email", ADMIN_EMAIL.into()),
        ("the applicant's email", APPLICANT_EMAIL.into()),
        ("the applicant's email, url-encoded", APPLICANT_EMAIL.replace('@', "%40")),
        ("the guest's email", GUEST_EMAIL.into()),
        ("the invitee's email", INVITEE_EMAIL.into()),
        ("the applicant's phone", APPLICANT_PHONE.into()),
        ("the applicant's phone digits", phone_digits[2..].to_string()),
        ("the applicant's name", "Confidentielle".into()),
        ("the CV text", CV_PHRASE.into()),
        ("the CV text (a word)", "Pangolin".into()),
        ("the password", PASSWORD.into()),
        ("the wrong password", "Wrong-Password-7731".into()),
        ("the session cookie", session.clone()),
        ("the API token", api_token.clone()),
        ("the API token's secret part", api_token.trim_start_matches("hc_").to_string()),
        ("the wrong API token", "NotARealTokenButSecretLooking".into()),
        ("the first-admin setup token", setup_token.clone()),
        ("the invitation token", invite_token.clone()),
        ("the review-link token", review_token.clone()),
    ];
    let leaks: Vec<String> = secrets
        .iter()
        .filter(|(_, s)| logs.contains(s.as_str()))
        .map(|(what, s)| {
            let line = logs.lines().find(|l| l.contains(s.as_str())).unwrap_or("");
            format!("{what} ({s}) is in the logs: {}", line.chars().take(300).collect::<String>())
        })
        .collect();
    assert!(leaks.is_empty(), "{} leaks in {} bytes of logs:\n{}", leaks.len(), logs.len(), leaks.join("\n"));
}
