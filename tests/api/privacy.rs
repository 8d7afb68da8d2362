//! Privacy: retention enforced by the daily purge on the injectable clock, the export archive
//! (every table's rows and the CV files), erasure of a person and of every candidate merged
//! into them, objection kept as salted hashes only, self-service links in the emails to
//! candidates, requests and their dashboard, and the audit log of who viewed whom.
use std::io::Read;

use chrono::Duration;
use diesel::prelude::*;
use hirecast::broadcast::worker::Worker;
use hirecast::domain::user::Role;
use hirecast::store::privacy as sp;
use hirecast::store::sourcing::{self as shortlist, FoundCv};
use hirecast::store::DbConn;
use serde_json::Value;

use crate::helpers::*;
use crate::sourcing::merges::{file, found};

/// Every row of every table of the database, as text (to search for what must be gone).
fn dump(app: &TestApp) -> String {
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    app.db(|c| {
        let tables: Vec<String> = match c {
            DbConn::Sqlite(c) => diesel::sql_query("SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").load::<T>(c).unwrap(),
            DbConn::Postgres(c) => diesel::sql_query("SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema()").load::<T>(c).unwrap(),
        }
        .into_iter()
        .map(|t| t.t)
        .collect();
        let mut out = String::new();
        for table in tables {
            let rows: Vec<T> = match c {
                DbConn::Sqlite(c) => {
                    #[derive(QueryableByName)]
                    struct Col {
                        #[diesel(sql_type = diesel::sql_types::Text)]
                        name: String,
                        #[diesel(sql_type = diesel::sql_types::Text)]
                        ty: String,
                    }
                    let cols: Vec<Col> = diesel::sql_query(format!("SELECT name, type AS ty FROM pragma_table_info('{table}')")).load(c).unwrap();
                    let cols: Vec<String> = cols.into_iter().filter(|c| !c.ty.to_lowercase().contains("blob")).map(|c| format!("COALESCE(CAST(\"{}\" AS TEXT), '')", c.name)).collect();
                    if cols.is_empty() {
                        continue;
                    }
                    diesel::sql_query(format!("SELECT {} AS t FROM \"{table}\"", cols.join(" || '|' || "))).load(c).unwrap()
                }
                DbConn::Postgres(c) => diesel::sql_query(format!("SELECT row_to_json(x)::text AS t FROM \"{table}\" x")).load(c).unwrap(),
            };
            for r in rows {
                out.push_str(&table);
                out.push_str(": ");
                out.push_str(&r.t);
                out.push('\n');
            }
        }
        out
    })
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.insert(f.name().to_string(), b);
    }
    out
}

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A CV file in the blob store, its text read, for a found answer.
fn cv(app: &TestApp, text: &str) -> FoundCv {
    let bytes = format!("%PDF-1.4 {text}").into_bytes();
    let sha = app.state.blobs.put(&bytes).unwrap();
    FoundCv { sha256: sha, source_url: Some("https://files.example/cv.pdf".into()), format: "pdf".into(), size: bytes.len() as i64, pages: vec![text.into()] }
}

fn close_opening(app: &TestApp, opening: &str) {
    use hirecast::store::schema::openings;
    let now = app.state.clock.now();
    app.db(|c| diesel::update(openings::table.find(opening)).set((openings::status.eq("closed"), openings::closed_at.eq(Some(now)))).execute(c).unwrap());
    hirecast::store::openings::changed();
}

async fn an_export_holds_every_table_and_erasing_a_merged_person_leaves_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let rita = app.add_user("rita@acme.fr", Role::Recruiter);
    let admin = app.api_token("ada@acme.fr", Role::Admin);
    let recruiter_token = app.api_token("rex@acme.fr", Role::Recruiter);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");

    // Zoé answered on Mastodon with a CV, then by email on another channel; a third answer
    // names both and makes them one person (the first kept).
    let mut f1 = found(&app, &opening, "Zoé Lefebvre", Some("mastodon:zoe@a.social"), &[], "11", 80);
    f1.cvs = vec![cv(&app, "Zoé Lefebvre, ingénieure Rust, zoe.cv.secret")];
    f1.phones = vec!["+33611223344".into()];
    let a = file(&app, f1).candidate_id;
    let b = file(&app, found(&app, &opening, "Zoé L.", Some("bluesky:did:plc:zoe"), &["zoe@example.fr"], "12", 60)).candidate_id;
    file(&app, found(&app, &opening, "Zoé", Some("mastodon:zoe@a.social"), &["zoe@example.fr"], "13", 82));
    assert_eq!(app.db(|c| sp::parts_of(c, &a).unwrap()), vec![a.clone(), b.clone()], "b is merged into a");
    let now = app.state.clock.now();
    app.db(|c| {
        hirecast::store::review::add_note(c, &opening, &a, &rita.id, "Zoé parle aussi Go", now).unwrap();
        hirecast::store::review::save_scorecard(c, &opening, &a, &rita.id, &[], "solide", now).unwrap();
        sp::audit(c, Some(&rita.id), "Rita", "view", &a, Some(&opening), now).unwrap();
    });
    let sha = app.db(|c| shortlist::cvs_of(c, &a).unwrap())[0].0.clone();
    assert!(app.state.blobs.get(&sha).unwrap().is_some());

    // The export of either part is the whole person: every table naming them, and the CV file.
    assert_eq!(app.client.get(app.url(&format!("/api/v1/candidates/{a}/export"))).bearer_auth(&recruiter_token).send().await.unwrap().status().as_u16(), 403);
    let r = app.client.get(app.url(&format!("/api/v1/candidates/{b}/export"))).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let files = unzip(&r.bytes().await.unwrap());
    assert!(files.contains_key("notice.txt"));
    assert_eq!(files[&format!("cv/{sha}")], app.state.blobs.get(&sha).unwrap().unwrap(), "the CV file itself");
    let data: Value = serde_json::from_slice(&files["data.json"]).unwrap();
    let tables = data["tables"].as_object().unwrap();
    let with_data = |t: &str| tables.get(t).and_then(Value::as_array).map(|v| v.len()).unwrap_or(0);
    for t in ["candidates", "candidate_identities", "candidate_sources", "candidate_cvs", "shortlist_entries", "shortlist_events", "candidate_merges", "candidate_notes", "scorecards", "audit_log", "cv_texts"] {
        assert!(with_data(t) > 0, "the export has {t}: {data}");
    }
    assert_eq!(with_data("candidates"), 2, "both parts");
    // Every table of the database that names a candidate is in the export.
    let catalogue: Vec<String> = app.db(|c| {
        #[derive(QueryableByName)]
        struct T {
            #[diesel(sql_type = diesel::sql_types::Text)]
            t: String,
        }
        match c {
            DbConn::Sqlite(c) => diesel::sql_query("SELECT m.name AS t FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'candidate_id'").load::<T>(c).unwrap(),
            DbConn::Postgres(c) => diesel::sql_query("SELECT table_name::text AS t FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'candidate_id'").load::<T>(c).unwrap(),
        }
        .into_iter()
        .map(|t| t.t)
        .collect()
    });
    assert!(catalogue.len() >= 10, "{catalogue:?}");
    for t in &catalogue {
        assert!(tables.contains_key(t), "the export covers {t}");
    }
    let text = String::from_utf8_lossy(&files["data.json"]).to_string();
    for needle in ["zoe@example.fr", "+33611223344", "mastodon:zoe@a.social", "Zoé parle aussi Go", "zoe.cv.secret"] {
        assert!(text.contains(needle), "the export holds {needle}");
    }

    // Erasure (of the absorbed part's id: the whole person goes) leaves nothing of them anywhere.
    let before = dump(&app);
    assert!(before.contains("zoe@example.fr") && before.contains("zoe.cv.secret"));
    let r = app.client.delete(app.url(&format!("/api/v1/candidates/{b}"))).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["people"], 1);
    assert_eq!(out["rows"]["candidates"], 2, "{out}");
    assert!(out["rows"]["candidate_sources"].as_i64().unwrap() >= 3, "{out}");
    let after = dump(&app);
    for needle in ["Zoé", "zoe@example.fr", "+33611223344", "zoe@a.social", "did:plc:zoe", "parle aussi Go", "zoe.cv.secret", "solide", &sha] {
        assert!(!after.contains(needle), "{needle} is gone from every table:\n{}", after.lines().filter(|l| l.contains(needle)).collect::<Vec<_>>().join("\n"));
    }
    assert!(app.state.blobs.get(&sha).unwrap().is_none(), "the CV file is gone from the data folder");
    // What was done is recorded as counts, and who did it.
    let runs = app.db(|c| sp::runs(c, 10).unwrap());
    assert_eq!(runs[0].reason, "erasure");
    assert!(runs[0].counts.contains("candidate_sources"));
    assert!(!runs[0].counts.contains("zoe"));
    let reqs = app.db(|c| sp::requests(c, false, 10).unwrap());
    assert_eq!((reqs[0].kind.as_str(), reqs[0].state.as_str(), reqs[0].candidate_id.as_deref()), ("erasure", "done", None));
    assert_eq!(app.client.delete(app.url(&format!("/api/v1/candidates/{a}"))).bearer_auth(&admin).send().await.unwrap().status().as_u16(), 404);
    assert_eq!(app.client.delete(app.url(&format!("/api/v1/candidates/{a}"))).bearer_auth(&recruiter_token).send().await.unwrap().status().as_u16(), 403);
}

async fn retention_purges_on_the_clock_what_is_due_and_keeps_the_talent_pool(backend: Backend) {
    let app = spawn_app(backend).await;
    let rex = app.api_token("rex@acme.fr", Role::Recruiter);
    let hm = app.api_token("hugo@acme.fr", Role::HiringManager);
    let worker = Worker::new(crate::mastodon::context(&app));
    let opening = crate::outbox::draft_opening(&app, "Développeuse Go");
    let other = crate::outbox::draft_opening(&app, "Data engineer");

    // Ugo answered (unsuccessful); Pia answered and joined the talent pool; Sam was found by a
    // sourcing search and never informed; Olga is also in an opening still open.
    let ugo = file(&app, found(&app, &opening, "Ugo Unsuccessful", Some("mastodon:ugo@a.social"), &["ugo@example.fr"], "21", 40)).candidate_id;
    let pia = file(&app, found(&app, &opening, "Pia Pool", Some("mastodon:pia@a.social"), &["pia@example.fr"], "22", 50)).candidate_id;
    let mut s = found(&app, &opening, "Sam Sourced", Some("mastodon:sam@a.social"), &[], "23", 50);
    s.origin = "sourced";
    s.sources[0].kind = hirecast::store::sourcing::SourceKind::SourcingSearch;
    let sam = file(&app, s).candidate_id;
    let olga = file(&app, found(&app, &opening, "Olga Open", Some("mastodon:olga@a.social"), &[], "24", 50)).candidate_id;
    file(&app, found(&app, &other, "Olga Open", Some("mastodon:olga@a.social"), &[], "25", 50));
    let now = app.state.clock.now();
    app.db(|c| sp::set_talent_pool(c, &pia, true, now).unwrap());
    close_opening(&app, &opening);
    let closed_at = app.state.clock.now();

    // The schedule, for recruiters (not hiring managers).
    assert_eq!(app.client.get(app.url("/api/v1/privacy/due")).bearer_auth(&hm).send().await.unwrap().status().as_u16(), 403);
    let r = app.client.get(app.url("/api/v1/privacy/due")).bearer_auth(&rex).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let due: Value = r.json().await.unwrap();
    let of = |id: &str| due["items"].as_array().unwrap().iter().find(|d| d["candidate_id"] == id).cloned();
    assert_eq!(of(&sam).unwrap()["rule"], "not_informed");
    assert_eq!(of(&ugo).unwrap()["rule"], "unsuccessful");
    assert_eq!(of(&pia).unwrap()["rule"], "talent_pool");
    assert!(of(&olga).is_none(), "still in an open recruitment: not due");

    // The first pass records an empty run; the job runs once a day.
    assert_eq!(worker.retention().await.unwrap(), Some(0));
    assert_eq!(worker.retention().await.unwrap(), None, "not again the same day");

    // A month later the person never informed is removed, nobody else; and the sessions
    // nobody came back to are gone from the table (not only refused when used).
    app.add_user("sid@acme.fr", Role::Recruiter);
    let _sid = app.signed_in("sid@acme.fr").await;
    let sessions = || app.db(|c| hirecast::store::schema::sessions::table.count().get_result::<i64>(c).unwrap());
    assert!(sessions() >= 1);
    app.state.clock.advance(Duration::days(31));
    assert_eq!(worker.retention().await.unwrap(), Some(1));
    assert_eq!(sessions(), 0, "expired sessions deleted by the daily job");
    let alive = |id: &str| app.db(|c| sp::person_of(c, id).unwrap()).is_some();
    assert!(!alive(&sam) && alive(&ugo) && alive(&pia) && alive(&olga));

    // 89 days after the opening closed, Ugo is still there; after 90 days he is gone.
    let to = |days: i64| closed_at + Duration::days(days) - app.state.clock.now();
    app.state.clock.advance(to(89));
    assert_eq!(worker.retention().await.unwrap(), Some(0));
    assert!(alive(&ugo));
    app.state.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(worker.retention().await.unwrap(), Some(1));
    assert!(!alive(&ugo) && alive(&pia) && alive(&olga));
    let d = dump(&app);
    assert!(!d.contains("ugo@example.fr") && !d.contains("Ugo Unsuccessful") && !d.contains("Sam Sourced"), "nothing of them remains");
    let runs = app.db(|c| sp::runs(c, 10).unwrap());
    let last: Value = serde_json::from_str(&runs[0].counts).unwrap();
    assert_eq!(last["rules"]["unsuccessful"], 1, "{last}");
    assert!(last["tables"]["candidate_sources"].as_i64().unwrap() >= 1, "{last}");

    // Pia answers again a year later: her two years start again from then.
    app.state.clock.advance(Duration::days(365));
    file(&app, found(&app, &other, "Pia Pool", Some("mastodon:pia@a.social"), &["pia@example.fr"], "26", 50));
    app.state.clock.advance(Duration::days(700));
    worker.retention().await.unwrap();
    assert!(alive(&pia), "within two years of her last own action");
    app.state.clock.advance(Duration::days(31));
    worker.retention().await.unwrap();
    assert!(!alive(&pia), "two years after her last answer");
}

async fn self_service_links_export_erase_object_and_open_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    app.add_user("ada@acme.fr", Role::Admin);
    app.add_user("hugo@acme.fr", Role::HiringManager);
    let rita = app.signed_in("rita@acme.fr").await;
    let ada = app.signed_in("ada@acme.fr").await;
    let hugo = app.signed_in("hugo@acme.fr").await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let noe = file(&app, found(&app, &opening, "Noé Bernard", Some("mastodon:noe@a.social"), &["noe@example.fr"], "31", 70)).candidate_id;

    // The email a recruiter sends the candidate ends with their self-service link.
    let email = format!("/app/openings/{opening}/candidates/{noe}/email");
    let form = [("kind", "acknowledgement"), ("language", "fr"), ("form_key", "k0123456789abcdefghij"), ("subject", "Votre candidature"), ("body", "Bonjour Noé,\n\nMerci."), ("action", "send")];
    assert_eq!(rita.post(app.url(&email)).form(&form).send().await.unwrap().status().as_u16(), 303);
    let (body, about) = app.db(|c| {
        use hirecast::store::schema::notifications as n;
        n::table.filter(n::kind.eq("candidate_email_acknowledgement")).select((n::body_text, n::candidate_id)).first::<(String, Option<String>)>(c).unwrap()
    });
    assert_eq!(about.as_deref(), Some(noe.as_str()));
    let link = body.split_whitespace().find(|w| w.contains("/privacy/")).expect("a privacy link in the email").to_string();
    let path = link.trim_start_matches(&app.address).to_string();
    assert!(path.starts_with("/privacy/") && path.len() > 40, "{path}");

    // The page says what is held; the visit is the person's own action.
    let visitor = new_client();
    let (status, page) = get(&visitor, &app, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Noé Bernard") && page.contains("noe@example.fr"), "{page}");
    assert!(app.db(|c| hirecast::store::schema::candidates::table.find(&noe).select(hirecast::store::schema::candidates::last_action_at).first::<Option<chrono::NaiveDateTime>>(c).unwrap()).is_some());
    // Joining the talent pool.
    assert_eq!(post(&visitor, &app, &format!("{path}/pool"), &[("join", "yes")]).await.0, 200);
    let due = app.db(|c| sp::due(c, &Default::default()).unwrap());
    assert_eq!(due.iter().find(|d| d.candidate_id == noe).unwrap().rule, sp::Rule::TalentPool);
    // The archive, after asking for it: the download answers that request, one line in the register.
    assert_eq!(post(&visitor, &app, &format!("{path}/request"), &[("kind", "export")]).await.0, 200);
    let r = visitor.post(app.url(&format!("{path}/export"))).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let files = unzip(&r.bytes().await.unwrap());
    assert!(String::from_utf8_lossy(&files["data.json"]).contains("noe@example.fr"));
    let exports: Vec<String> = app.db(|c| sp::requests(c, false, 20).unwrap()).into_iter().filter(|r| r.kind == "export" && r.candidate_id.as_deref() == Some(noe.as_str())).map(|r| r.state).collect();
    assert_eq!(exports, ["done"], "the request answered, not a second line beside it");
    // A cross-site post is refused.
    let r = visitor.post(app.url(&format!("{path}/erase"))).header("Sec-Fetch-Site", "cross-site").form(&[("confirm", "yes")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Erasure needs the box ticked, then erases at once; the link then opens nothing.
    let (status, page) = post(&visitor, &app, &format!("{path}/erase"), &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Cochez la case") || page.contains("Tick the box"), "{page}");
    assert_eq!(post(&visitor, &app, &format!("{path}/erase"), &[("confirm", "yes")]).await.0, 200);
    assert!(app.db(|c| sp::person_of(c, &noe).unwrap()).is_none());
    assert_eq!(get(&visitor, &app, &path).await.0, 404);
    assert!(!dump(&app).contains("noe@example.fr"));

    // Objection: only salted hashes stay, and a sourcing search would skip them.
    let obj = file(&app, found(&app, &opening, "Olivier Objecteur", Some("mastodon:olivier@b.social"), &["olivier@example.fr"], "32", 70)).candidate_id;
    let full = app.db(|c| hirecast::privacy::link(c, &app.state.settings.base_url, &obj, sp::LinkScope::Full, app.state.clock.now()).unwrap());
    let opath = full.trim_start_matches(&app.address).to_string();
    assert_eq!(post(&visitor, &app, &format!("{opath}/object"), &[]).await.0, 200);
    let d = dump(&app);
    assert!(!d.contains("olivier"), "no identifier kept in clear");
    assert!(app.db(|c| sp::objected(c, &[("handle", "mastodon:olivier@b.social".into())]).unwrap()));
    assert!(app.db(|c| sp::objected(c, &[("email", "Olivier@Example.fr".into())]).unwrap()));
    assert!(!app.db(|c| sp::objected(c, &[("handle", "mastodon:someone@b.social".into())]).unwrap()));

    // A link sent where others may read it opens a request the team answers within a month.
    let pat = file(&app, found(&app, &opening, "Patrice Public", Some("mastodon:pat@b.social"), &["pat@example.fr"], "33", 70)).candidate_id;
    let public = app.db(|c| hirecast::privacy::link(c, &app.state.settings.base_url, &pat, sp::LinkScope::Request, app.state.clock.now()).unwrap());
    let ppath = public.trim_start_matches(&app.address).to_string();
    let (_, page) = get(&visitor, &app, &ppath).await;
    assert!(!page.contains("/export\""), "no archive from a public link: {page}");
    assert_eq!(post(&visitor, &app, &format!("{ppath}/export"), &[]).await.0, 200, "asking for it opens a request");
    assert!(app.db(|c| sp::person_of(c, &pat).unwrap()).is_some(), "nothing erased or handed over yet");
    assert_eq!(post(&visitor, &app, &format!("{ppath}/request"), &[("kind", "poem")]).await.0, 422);
    assert_eq!(post(&visitor, &app, &format!("{ppath}/request"), &[("kind", "erasure"), ("message", "écrivez-moi à pat@example.fr")]).await.0, 200);
    let open = app.db(|c| sp::requests(c, true, 10).unwrap());
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|r| r.due_at == r.requested_at + Duration::days(30)));

    // The dashboard: recruiters and admins see it, hiring managers do not; only admins act.
    let (status, page) = get(&ada, &app, "/app/privacy").await;
    assert_eq!(status, 200);
    assert!(page.contains("Patrice Public"), "{page}");
    assert_eq!(get(&rita, &app, "/app/privacy").await.0, 200);
    assert_eq!(get(&hugo, &app, "/app/privacy").await.0, 404);
    assert_eq!(post(&rita, &app, &format!("/app/privacy/candidates/{pat}/erase"), &[("confirm", "yes")]).await.0, 403);
    let r = ada.post(app.url(&format!("/app/privacy/candidates/{pat}/export"))).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.db(|c| sp::requests(c, true, 10).unwrap()).len(), 1, "the export request is answered");
    assert_eq!(post(&ada, &app, &format!("/app/privacy/candidates/{pat}/erase"), &[]).await.0, 422);
    let r = ada.post(app.url(&format!("/app/privacy/candidates/{pat}/erase"))).form(&[("confirm", "yes")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(app.db(|c| sp::requests(c, true, 10).unwrap()).is_empty(), "the erasure request is answered");
    let all = app.db(|c| sp::requests(c, false, 20).unwrap());
    assert!(all.iter().any(|r| r.kind == "erasure" && r.origin == "link" && r.state == "done" && r.done_by.is_some()));
}

async fn the_audit_log_says_who_viewed_and_downloaded_a_candidate(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let mut f = found(&app, &opening, "Inès Audit", Some("mastodon:ines@a.social"), &["ines@example.fr"], "41", 70);
    f.cvs = vec![cv(&app, "Inès Audit CV")];
    let ines = file(&app, f).candidate_id;
    let sha = app.db(|c| shortlist::cvs_of(c, &ines).unwrap())[0].0.clone();
    assert_eq!(get(&rita, &app, &format!("/app/openings/{opening}/candidates/{ines}")).await.0, 200);
    assert_eq!(get(&rita, &app, &format!("/app/openings/{opening}/candidates/{ines}")).await.0, 200);
    assert_eq!(rita.get(app.url(&format!("/app/openings/{opening}/candidates/{ines}/cv/{sha}"))).send().await.unwrap().status().as_u16(), 200);
    let log = app.db(|c| sp::audit_of(c, &ines, 10).unwrap());
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["cv", "view"], "a page seen twice within a minute is one entry");
    assert!(log.iter().all(|e| e.actor == "Test User" && e.opening_id.as_deref() == Some(opening.as_str())));
    let (status, page) = get(&rita, &app, &format!("/app/privacy/candidates/{ines}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Test User") && page.contains(">cv<"), "{page}");
    assert!(!page.contains(r#"id="erase""#), "recruiters see, admins act");
}

crate::on_both_backends!(
    an_export_holds_every_table_and_erasing_a_merged_person_leaves_nothing,
    retention_purges_on_the_clock_what_is_due_and_keeps_the_talent_pool,
    self_service_links_export_erase_object_and_open_requests,
    the_audit_log_says_who_viewed_and_downloaded_a_candidate,
);
