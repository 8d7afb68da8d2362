//! Sourcing end to end on the Mastodon mock server: an admin connects the account, a recruiter
//! publishes an opening, candidates reply with CV links served by a local server and profiles
//! that say what they do; hirecast harvests, fetches, reads, scores, shortlists and
//! acknowledges them, once.
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hirecast::broadcast::worker::Worker;
use hirecast::domain::user::Role;
use hirecast::sourcing::harvest::Harvester;
use hirecast::store::{channels, sourcing as shortlist};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::mastodon::{context, MastodonMock};

/// A loopback server for CV files: path → (content type, body); counts requests.
pub struct CvServer {
    pub port: u16,
    pub hits: Arc<AtomicUsize>,
}

impl CvServer {
    pub fn start(files: Vec<(&'static str, &'static str, Vec<u8>)>) -> CvServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                counter.fetch_add(1, Ordering::SeqCst);
                let req = String::from_utf8_lossy(&buf[..n]);
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                let found = files.iter().find(|(p, _, _)| *p == path);
                let (status, ct, body): (&str, &str, &[u8]) = match found {
                    Some((_, ct, body)) => ("200 OK", ct, body),
                    None => ("404 Not Found", "text/plain", b"no"),
                };
                let head = format!("HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = s.write_all(head.as_bytes());
                let _ = s.write_all(body);
            }
        });
        CvServer { port, hits }
    }
}

/// A candidate account on the mock: (id, token).
async fn candidate(mock: &MastodonMock, username: &str, display: &str, note: &str) -> (String, String) {
    let user: Value = mock.http.post(format!("{}/api/v1/_mock/dev_user", mock.url)).json(&json!({"username": username, "display_name": display})).send().await.unwrap().json().await.unwrap();
    let token = user["access_token"].as_str().unwrap().to_string();
    if !note.is_empty() {
        let r = mock.http.patch(format!("{}/api/v1/accounts/update_credentials", mock.url)).bearer_auth(&token).form(&[("note", note)]).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    (user["id"].as_str().unwrap().to_string(), token)
}

async fn reply(mock: &MastodonMock, token: &str, to: &str, text: &str) -> String {
    let r = mock.http.post(format!("{}/api/v1/statuses", mock.url)).bearer_auth(token).json(&json!({"status": text, "in_reply_to_id": to, "visibility": "public"})).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn replies_are_harvested_scored_shortlisted_and_acknowledged_once(backend: Backend) {
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.pdf")).unwrap();
    let html = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.html")).unwrap();
    let cvs = CvServer::start(vec![("/cv-lea.pdf", "application/pdf", pdf.clone()), ("/cv-sam.pdf", "application/pdf", b"MZ not a pdf".to_vec()), ("/bob", "text/html; charset=utf-8", html)]);
    // CV links name a host, as people's do; the test resolves it to the loopback server.
    let cv_host = format!("cv.example.com:{}", cvs.port);
    let app = spawn_app_with(backend, |s| s.fetch_allow_hosts = vec![cv_host.clone()]).await;
    let mock = MastodonMock::start().await;
    app.add_user("admin@acme.fr", Role::Admin);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let admin = app.signed_in("admin@acme.fr").await;
    let rita = app.signed_in("rita@acme.fr").await;
    let res = admin.post(app.url("/app/channels/new")).form(&[("network", "mastodon"), ("instance", mock.url.as_str()), ("access_token", mock.token.as_str())]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let account = app.db(|c| channels::list(c, false).unwrap()).remove(0);

    let opening = crate::outbox::draft_opening(&app, "Développeur·se Rust (H/F)");
    let res = rita.post(app.url(&format!("/app/openings/{opening}/broadcast"))).form(&[("accounts", account.id.as_str()), ("when", "now")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(Worker::new(context(&app)).run_once().await.unwrap(), 1);
    let post = app.db(|c| hirecast::store::deliveries::list_for_opening(c, &opening).unwrap()).remove(0).delivery;
    let post_id = post.remote_id.clone().expect("published");

    let base = format!("http://{cv_host}");
    let (_, lea) = candidate(&mock, "lea", "Léa Martin", "<p>Développeuse backend Rust et PostgreSQL, basée à Lyon. Je parle anglais.</p>").await;
    let (_, bob) = candidate(&mock, "bob", "Bob", "Designer").await;
    let (_, sam) = candidate(&mock, "sam", "Sam", "").await;
    let lea_reply = reply(&mock, &lea, &post_id, &format!("@jobs Bonjour, intéressée ! Mon CV : {base}/cv-lea.pdf (écrivez-moi : lea.martin [at] example [dot] fr)")).await;
    reply(&mock, &bob, &post_id, &format!("@jobs here's my resume: {base}/bob")).await;
    // A CV link that is not a CV, and one to an internal address: both refused, the person is still filed.
    reply(&mock, &sam, &post_id, &format!("@jobs {base}/cv-sam.pdf et http://10.0.0.1/cv.pdf")).await;
    // The recruiter's own answers are not candidates.
    reply(&mock, &mock.token, &post_id, "@lea merci !").await;

    let sourcing = super::sourcing_for(&app, cvs.port);
    let harvester = Harvester::new(context(&app), sourcing);
    // A second worker's harvester runs at the same moment: the post is read by one of them only.
    let other = Harvester::new(context(&app), super::sourcing_for(&app, cvs.port));
    let (a, b) = tokio::join!(harvester.run_once(), other.run_once());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 3, "three people answered, each filed once ({a} + {b})");
    assert!(a == 0 || b == 0, "one harvester took the post ({a} + {b})");
    assert_eq!(cvs.hits.load(Ordering::SeqCst), 3, "each CV link on the local server fetched once (Léa's, Bob's, and Sam's, refused by its content)");
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 3);
    let lea_entry = &entries[0];
    assert_eq!(lea_entry.candidate.name, "Léa Martin", "the best score first");
    assert_eq!(lea_entry.candidate.email.as_deref(), Some("lea.martin@example.fr"), "the obfuscated address is read");
    assert_eq!(lea_entry.origin, "applied");
    let explanation: Value = serde_json::from_str(&lea_entry.explanation).unwrap();
    let matched: Vec<&str> = explanation["matched"].as_array().unwrap().iter().map(|m| m["label_en"].as_str().unwrap()).collect();
    assert!(matched.contains(&"Rust") && matched.contains(&"PostgreSQL"), "{explanation}");
    assert!(explanation["matched"].as_array().unwrap().iter().all(|m| !m["snippet"].as_str().unwrap().is_empty()));
    assert!(entries.iter().all(|e| e.score <= 100));
    assert!(lea_entry.score > entries[2].score, "{} vs {}", lea_entry.score, entries[2].score);
    // Nobody is rejected automatically: they are shortlisted or wait in the inbox.
    assert!(entries.iter().all(|e| matches!(e.stage, shortlist::Stage::Shortlisted | shortlist::Stage::New)));

    // Léa's CV is stored once, content-addressed, with its text; her reply and profile are her sources.
    let lea_id = lea_entry.candidate.id.clone();
    let cvs_of = app.db(|c| shortlist::cvs_of(c, &lea_id).unwrap());
    assert_eq!(cvs_of.len(), 1);
    assert_eq!(cvs_of[0].1, "pdf");
    assert_eq!(app.state.blobs.get(&cvs_of[0].0).unwrap().unwrap(), pdf);
    let sources = app.db(|c| shortlist::sources_of(c, &lea_id).unwrap());
    let kinds: Vec<&str> = sources.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(kinds, vec!["reply", "profile"]);
    assert!(sources[1].3.contains("Développeuse backend Rust"), "the profile note as text: {:?}", sources[1].3);
    assert!(!sources[1].3.contains("<p>"));
    let sam_id = entries.iter().find(|e| e.candidate.name == "Sam").unwrap().candidate.id.clone();
    assert!(app.db(|c| shortlist::cvs_of(c, &sam_id).unwrap()).is_empty(), "neither refused link is stored");

    // One acknowledgement each to the two who sent a CV, privately, under their reply.
    let sent: Vec<(String, String, Option<String>, Option<String>)> = app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::candidate_messages as m;
        m::table.select((m::target, m::state, m::reply_to, m::remote_id)).order(m::target.asc()).load(c).unwrap()
    });
    let targets: Vec<&str> = sent.iter().map(|s| s.0.as_str()).collect();
    assert!(targets.iter().any(|t| t.starts_with("lea@")), "{sent:?}");
    assert!(sent.iter().all(|s| s.1 == "sent"), "{sent:?}");
    let lea_ack = sent.iter().find(|s| s.0.starts_with("lea@")).unwrap();
    assert_eq!(lea_ack.2.as_deref(), Some(lea_reply.as_str()));
    let dm: Value = mock.http.get(format!("{}/api/v1/statuses/{}", mock.url, lea_ack.3.as_deref().unwrap())).bearer_auth(&mock.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(dm["visibility"], "direct");
    assert!(dm["content"].as_str().unwrap().contains("merci pour votre candidature"), "{dm}");
    assert!(dm["content"].as_str().unwrap().contains("/privacy/"), "every message to a candidate carries their privacy link: {dm}");
    // Bob wrote in English to this French opening: he is answered in English.
    let bob_ack = sent.iter().find(|s| s.0.starts_with("bob@")).expect("Bob sent a CV: acknowledged");
    let dm: Value = mock.http.get(format!("{}/api/v1/statuses/{}", mock.url, bob_ack.3.as_deref().unwrap())).bearer_auth(&mock.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(dm["visibility"], "direct");
    assert!(dm["content"].as_str().unwrap().contains("thank you for applying"), "{dm}");

    // Again: nothing new is read, fetched, filed or sent.
    let hits = cvs.hits.load(Ordering::SeqCst);
    app.state.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(harvester.run_once().await.unwrap(), 0);
    assert_eq!(cvs.hits.load(Ordering::SeqCst), hits);
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 3);
    let count: i64 = app.db(|c| {
        use diesel::prelude::*;
        hirecast::store::schema::candidate_messages::table.count().get_result(c).unwrap()
    });
    assert_eq!(count as usize, sent.len());

    // A new reply by Léa later: the same candidate, a second source, no second acknowledgement.
    reply(&mock, &lea, &post_id, "Je suis aussi disponible pour un entretien mardi.").await;
    assert_eq!(harvester.run_once().await.unwrap(), 0, "not before the post's next harvest");
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 1);
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 3, "still three people");
    assert_eq!(app.db(|c| shortlist::sources_of(c, &lea_id).unwrap()).len(), 3);

    // The recruiter sees them on the opening's page, best first, escaped.
    let page = rita.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap().text().await.unwrap();
    let doc = scraper::Html::parse_document(&page);
    let sel = scraper::Selector::parse("#shortlist tbody tr .candidate-name").unwrap();
    let names: Vec<String> = doc.select(&sel).map(|e| e.text().collect::<String>().trim().to_string()).collect();
    assert_eq!(names.first().map(String::as_str), Some("Léa Martin"), "{names:?}");
    assert!(page.contains("PostgreSQL"));

    // The dashboard measures the time to first response against the opening's target.
    let dash = rita.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    let doc = scraper::Html::parse_document(&dash);
    let within = scraper::Selector::parse("#response-time [data-stat=within]").unwrap();
    let within: Vec<String> = doc.select(&within).map(|e| e.text().collect::<String>()).collect();
    assert_eq!(within, vec![format!("{} / {}", sent.len(), sent.len())], "acknowledged at once, within 30 minutes");
}

/// A saved search (#OpenToWork with "rust") over the instance's public posts: the people it
/// finds are filed as sourced, get the information notice once, and the search stops on demand.
async fn sourcing_searches_find_people_in_public_posts(backend: Backend) {
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.pdf")).unwrap();
    let cvs = CvServer::start(vec![("/zoe.pdf", "application/pdf", pdf)]);
    let cv_host = format!("cv.example.com:{}", cvs.port);
    let app = spawn_app_with(backend, |s| s.fetch_allow_hosts = vec![cv_host.clone()]).await;
    let mock = MastodonMock::start().await;
    app.add_user("admin@acme.fr", Role::Admin);
    let admin = app.signed_in("admin@acme.fr").await;
    let res = admin.post(app.url("/app/channels/new")).form(&[("network", "mastodon"), ("instance", mock.url.as_str()), ("access_token", mock.token.as_str())]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let account = app.db(|c| channels::list(c, false).unwrap()).remove(0);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let res = admin.post(app.url(&format!("/app/openings/{opening}/status"))).form(&[("action", "publish")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);

    // A hashtag of digits only is refused with its message; nothing is saved.
    let res = admin.post(app.url(&format!("/app/openings/{opening}/searches"))).form(&[("account", account.id.as_str()), ("hashtag", "#2026"), ("keywords", "")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("not only digits"));
    assert!(app.db(|c| hirecast::store::searches::list_for_opening(c, &opening).unwrap()).is_empty());
    let res = admin.post(app.url(&format!("/app/openings/{opening}/searches"))).form(&[("account", account.id.as_str()), ("hashtag", "#OpenToWork"), ("keywords", "rust")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);

    let (_, zoe) = candidate(&mock, "zoe", "Zoé Petit", "Développeuse Rust, PostgreSQL").await;
    let (_, yann) = candidate(&mock, "yann", "Yann", "").await;
    let post = |token: String, text: String| {
        let (http, url) = (mock.http.clone(), mock.url.clone());
        async move {
            let r = http.post(format!("{url}/api/v1/statuses")).bearer_auth(token).json(&json!({"status": text, "visibility": "public"})).send().await.unwrap();
            assert!(r.status().is_success());
        }
    };
    post(zoe.clone(), format!("Je cherche un poste de dev Rust à Lyon #OpenToWork, CV : http://{cv_host}/zoe.pdf")).await;
    post(yann.clone(), "Comptable, dispo tout de suite #OpenToWork".into()).await;

    let sourcing = super::sourcing_for(&app, cvs.port);
    let harvester = Harvester::new(context(&app), sourcing);
    // Two workers at once: the search runs on one of them.
    let other = Harvester::new(context(&app), super::sourcing_for(&app, cvs.port));
    let (a, b) = tokio::join!(harvester.run_once(), other.run_once());
    assert_eq!(a.unwrap() + b.unwrap(), 1, "only the post with the keyword, found once");
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].candidate.name, "Zoé Petit");
    assert_eq!(entries[0].origin, "sourced", "found, not applied");
    let kinds: Vec<String> = app.db(|c| shortlist::sources_of(c, &entries[0].candidate.id).unwrap()).into_iter().map(|s| s.0).collect();
    assert_eq!(kinds, vec!["sourcing_search", "profile"]);
    let notices: Vec<(String, String, Option<String>)> = app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::candidate_messages as m;
        m::table.select((m::kind, m::state, m::remote_id)).load(c).unwrap()
    });
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!((notices[0].0.as_str(), notices[0].1.as_str()), ("privacy_notice", "sent"));
    let dm: Value = mock.http.get(format!("{}/api/v1/statuses/{}", mock.url, notices[0].2.as_deref().unwrap())).bearer_auth(&mock.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(dm["visibility"], "direct");
    assert!(dm["content"].as_str().unwrap().contains("vous opposer"), "{dm}");
    // It carries the person's privacy link (one that opens requests: a DM is not an email),
    // and the sending is recorded on the candidate.
    assert!(dm["content"].as_str().unwrap().contains("/privacy/"), "{dm}");
    let informed: Option<chrono::NaiveDateTime> = app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::candidates;
        candidates::table.find(&entries[0].candidate.id).select(candidates::notice_sent_at).first(c).unwrap()
    });
    assert!(informed.is_some(), "the notice's sending is recorded");

    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 0, "the same posts are not read twice");
    // Zoé objects (the admin records it): she is erased, and her next post is skipped.
    let zoe_id = entries[0].candidate.id.clone();
    let res = admin.post(app.url(&format!("/app/privacy/candidates/{zoe_id}/object"))).form(&[("confirm", "yes")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).is_empty());
    post(zoe.clone(), "Toujours dispo pour du Rust #OpenToWork".into()).await;
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 0, "a person who objected is never sourced again");
    assert!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).is_empty());
    // Of two workers that read the search as due, one claims it.
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    let now = app.state.clock.now();
    let due = app.db(|c| hirecast::store::searches::due(c, now, 20).unwrap());
    assert_eq!(due.len(), 1);
    let lease = now + chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_LEASE_SECS);
    assert!(app.db(|c| hirecast::store::searches::claim(c, &due[0], lease).unwrap()));
    assert!(!app.db(|c| hirecast::store::searches::claim(c, &due[0], lease).unwrap()), "already claimed");
    assert!(app.db(|c| hirecast::store::searches::due(c, now, 20).unwrap()).is_empty(), "leased");
    let page = admin.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("#OpenToWork") && page.contains("1 found"), "{page}");
    let search = app.db(|c| hirecast::store::searches::list_for_opening(c, &opening).unwrap()).remove(0);
    let res = admin.post(app.url(&format!("/app/openings/{opening}/searches/{}/stop", search.id))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(!app.db(|c| hirecast::store::searches::list_for_opening(c, &opening).unwrap())[0].active);
}

crate::on_both_backends!(replies_are_harvested_scored_shortlisted_and_acknowledged_once, sourcing_searches_find_people_in_public_posts);
