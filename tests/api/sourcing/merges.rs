//! One candidate per person across channels: an answer naming two known candidates merges
//! them, recorded; a recruiter merges by hand (web page and API) and undoes any merge, which
//! puts back exactly what moved and keeps the two apart from then on. A weak signal (a shared
//! phone, an email found in a CV, the same CV file) never merges: it proposes, and a person
//! confirms or dismisses. Also the limits on a candidate's CV files.
use hirecast::domain::user::Role;
use hirecast::store::merges;
use hirecast::store::sourcing::{self as shortlist, Found, FoundCv, FoundSource, SourceKind};
use serde_json::{json, Value};

use crate::helpers::*;

pub(crate) fn found(app: &TestApp, opening: &str, name: &str, handle: Option<&str>, emails: &[&str], remote_id: &str, score: u8) -> Found {
    Found {
        opening_id: opening.into(),
        name: name.into(),
        handle: handle.map(str::to_string),
        given_emails: emails.iter().map(|e| e.to_string()).collect(),
        emails: emails.iter().map(|e| e.to_string()).collect(),
        phones: Vec::new(),
        headline: None,
        location: None,
        languages: Vec::new(),
        years_experience: None,
        sources: vec![FoundSource {
            kind: SourceKind::Reply,
            network: "mastodon".into(),
            remote_id: remote_id.into(),
            url: Some(format!("https://mastodon.example/@x/{remote_id}")),
            author: handle.map(str::to_string),
            text: format!("answer {remote_id}"),
            posted_at: None,
        }],
        cvs: Vec::new(),
        origin: "applied",
        score,
        explanation: json!({"matched": [], "missing": [], "criteria": []}).to_string(),
        threshold: 60,
        at: app.state.clock.now(),
    }
}

pub(crate) fn file(app: &TestApp, f: Found) -> shortlist::Filed {
    app.db(|c| shortlist::file_found(c, &f).unwrap())
}

fn sources_of(app: &TestApp, candidate: &str) -> Vec<String> {
    let mut v: Vec<String> = app.db(|c| shortlist::sources_of(c, candidate).unwrap()).into_iter().map(|s| s.3).collect();
    v.sort();
    v
}

async fn page(client: &reqwest::Client, app: &TestApp, opening: &str) -> String {
    let r = client.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.unwrap()
}

async fn an_answer_naming_two_candidates_merges_them_and_an_undo_keeps_them_apart(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");

    // Léa replied on Mastodon (no email), then on another channel with her email.
    let a = file(&app, found(&app, &opening, "Léa", Some("mastodon:lea@a.social"), &[], "1", 70)).candidate_id;
    app.state.clock.advance(chrono::Duration::minutes(5));
    let b = file(&app, found(&app, &opening, "Léa Martin", Some("bluesky:did:plc:lea"), &["lea@example.fr"], "2", 50)).candidate_id;
    assert_ne!(a, b);
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 2);

    // A third answer names both: her Mastodon handle and her email. They become one, the oldest kept.
    app.state.clock.advance(chrono::Duration::minutes(5));
    let filed = file(&app, found(&app, &opening, "Léa", Some("mastodon:lea@a.social"), &["lea@example.fr"], "3", 75));
    assert_eq!(filed.candidate_id, a);
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 1, "one person, one candidate");
    assert_eq!(entries[0].candidate.id, a);
    assert_eq!(entries[0].candidate.email.as_deref(), Some("lea@example.fr"), "the email moved to the candidate kept");
    assert_eq!(sources_of(&app, &a), vec!["answer 1", "answer 2", "answer 3"], "every source kept");
    let recorded = app.db(|c| merges::for_opening(c, &opening).unwrap());
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].survivor_id.as_str(), recorded[0].absorbed_id.as_str(), recorded[0].reason.as_str()), (a.as_str(), b.as_str(), "email"));
    assert!(recorded[0].actor.is_none(), "made by hirecast");
    let html = page(&rita, &app, &opening).await;
    assert!(html.contains(&format!(r#"data-merge-id="{}""#, recorded[0].id)), "the merge is listed");
    assert!(html.contains("same email"), "with its reason");

    // Undone from the page: both are back, each with what was theirs.
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merges/{}/undo", recorded[0].id))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers()["location"].to_str().unwrap().contains("done=unmerged"));
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 2);
    let lea_b = entries.iter().find(|e| e.candidate.id == b).expect("the absorbed candidate shows again");
    assert_eq!(lea_b.candidate.email.as_deref(), Some("lea@example.fr"), "her email went back");
    assert_eq!(lea_b.score, 50, "with her own entry");
    let lea_a = entries.iter().find(|e| e.candidate.id == a).unwrap();
    assert_eq!(lea_a.candidate.email, None);
    assert_eq!(sources_of(&app, &b), vec!["answer 2"]);
    assert_eq!(sources_of(&app, &a), vec!["answer 1", "answer 3"], "what came after the merge stays with the one kept");
    assert_eq!(app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Email, "lea@example.fr").unwrap()), Some(b.clone()));
    let html = page(&rita, &app, &opening).await;
    assert!(html.contains("undone by Test User"), "who undid it is shown");

    // The same pair named again: kept apart, since a person undid their merge.
    app.state.clock.advance(chrono::Duration::minutes(5));
    file(&app, found(&app, &opening, "Léa", Some("mastodon:lea@a.social"), &["lea@example.fr"], "4", 75));
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 2);
    assert_eq!(app.db(|c| merges::for_opening(c, &opening).unwrap()).len(), 1);

    // Undoing twice is refused with a message, not a 500.
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merges/{}/undo", recorded[0].id))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("already undone"));
    // A merge is only reached through an opening its candidates are in.
    let other = crate::outbox::draft_opening(&app, "Autre poste");
    let r = rita.post(app.url(&format!("/app/openings/{other}/merges/{}/undo", recorded[0].id))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

async fn recruiters_merge_by_hand_and_undo_on_the_page_and_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let token = app.api_token("api@acme.fr", Role::Recruiter);
    let manager = app.api_token("hm@acme.fr", Role::HiringManager);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let a = file(&app, found(&app, &opening, "Sam Petit", Some("mastodon:sam@a.social"), &["sam@example.fr"], "1", 80)).candidate_id;
    let b = file(&app, found(&app, &opening, "Samuel P.", Some("x:42"), &["samuel.petit@example.com"], "2", 40)).candidate_id;
    let html = page(&rita, &app, &opening).await;
    assert!(html.contains(r#"id="merge-form""#), "two candidates: the merge form shows");

    // The page refuses a candidate merged with itself, or one of another opening, with a message.
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merges"))).form(&[("keep", a.as_str()), ("merge", a.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Choose two different candidates."));
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merges"))).form(&[("keep", a.as_str()), ("merge", "no-such-candidate")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);

    // By hand on the page: both were in this opening; the one kept keeps its entry.
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merges"))).form(&[("keep", a.as_str()), ("merge", b.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].candidate.id.as_str(), entries[0].score), (a.as_str(), 80));
    let api = reqwest::Client::new();
    let list: Value = api.get(app.url(&format!("/api/v1/candidates/{a}/merges"))).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let m = &list["items"][0];
    assert_eq!((m["reason"].as_str(), m["merged_by"].as_str(), m["kept_id"].as_str()), (Some("manual"), Some("Test User"), Some(a.as_str())));
    let merge_id = m["id"].as_str().unwrap().to_string();

    // The API: undo, then merge again, with the refusals named by field.
    let r = api.post(app.url(&format!("/api/v1/merges/{merge_id}/undo"))).bearer_auth(&manager).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403, "hiring managers do not merge or unmerge");
    let r = api.post(app.url(&format!("/api/v1/merges/{merge_id}/undo"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let undone: Value = r.json().await.unwrap();
    assert!(undone["undone_at"].is_string());
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 2, "both entries again, the absorbed one's score intact");
    assert!(entries.iter().any(|e| e.candidate.id == b && e.score == 40));
    let r = api.post(app.url(&format!("/api/v1/merges/{merge_id}/undo"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let r = api.post(app.url("/api/v1/merges/nope/undo")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    let r = api.post(app.url(&format!("/api/v1/candidates/{a}/merges"))).bearer_auth(&token).json(&json!({"merge": a})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["fields"][0]["field"], "merge", "{e}");
    let r = api.post(app.url(&format!("/api/v1/candidates/{a}/merges"))).bearer_auth(&token).json(&json!({"merge": b, "extra": 1})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "unknown fields are refused");
    let r = api.post(app.url(&format!("/api/v1/candidates/{a}/merges"))).bearer_auth(&manager).json(&json!({"merge": b})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = api.post(app.url("/api/v1/candidates/nobody/merges")).bearer_auth(&token).json(&json!({"merge": b})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = api.post(app.url(&format!("/api/v1/candidates/{b}/merges"))).bearer_auth(&token).json(&json!({"merge": a})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201, "a person may merge a pair hirecast keeps apart");
    let m: Value = r.json().await.unwrap();
    assert_eq!((m["kept_id"].as_str(), m["absorbed_id"].as_str()), (Some(b.as_str()), Some(a.as_str())));
    let r = api.post(app.url(&format!("/api/v1/candidates/{b}/merges"))).bearer_auth(&token).json(&json!({"merge": a})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422, "already merged");
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].candidate.id, b);
    assert_eq!(entries[0].candidate.email.as_deref(), Some("samuel.petit@example.com"), "the one kept keeps its own email");
    // Both emails still find the person.
    assert_eq!(app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Email, "sam@example.fr").unwrap()), Some(b.clone()));
}

fn cv(n: usize, size: i64) -> FoundCv {
    FoundCv { sha256: format!("{n:064x}"), source_url: None, format: "pdf".into(), size, pages: vec![format!("page {n}")] }
}

async fn a_candidates_cv_files_are_limited_in_number_and_size(backend: Backend) {
    let app = spawn_app(backend).await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let mut f = found(&app, &opening, "Noé", Some("mastodon:noe@a.social"), &[], "1", 70);
    f.cvs = (0..12).map(|n| cv(n, 1000)).collect();
    let id = file(&app, f).candidate_id;
    assert_eq!(app.db(|c| shortlist::cvs_of(c, &id).unwrap()).len(), shortlist::MAX_CV_FILES_PER_CANDIDATE as usize);
    let budget = app.db(|c| shortlist::cv_budget(c, &[(shortlist::IdentityKind::Handle, "mastodon:noe@a.social".into())]).unwrap());
    assert_eq!(budget.files, 0, "nothing more for this person");
    // A file not kept is not one of the person's signals either.
    let by_file = |n: usize| app.db(|c| shortlist::signal_holders(c, shortlist::IdentityKind::Cv, &format!("{n:064x}")).unwrap());
    assert_eq!(by_file(9), vec![id.clone()]);
    assert!(by_file(10).is_empty() && by_file(11).is_empty(), "the files over the limit are not signals");
    assert_eq!(app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Cv, &format!("{:064x}", 9)).unwrap()), None, "a CV file is no identity");

    let mut f = found(&app, &opening, "Ada", Some("mastodon:ada@a.social"), &[], "2", 70);
    let big = shortlist::MAX_CV_BYTES_PER_CANDIDATE * 2 / 3;
    f.cvs = vec![cv(100, big), cv(101, big), cv(102, 1000)];
    let id = file(&app, f).candidate_id;
    let kept: Vec<i64> = app.db(|c| shortlist::cvs_of(c, &id).unwrap()).into_iter().map(|c| c.2).collect();
    assert_eq!(kept.len(), 2, "the second large file would exceed the total: {kept:?}");
    assert!(kept.iter().sum::<i64>() <= shortlist::MAX_CV_BYTES_PER_CANDIDATE);
    let budget = app.db(|c| shortlist::cv_budget(c, &[(shortlist::IdentityKind::Handle, "nobody".into())]).unwrap());
    assert_eq!(budget, shortlist::CvBudget::FULL, "a person not known yet has the whole budget");
}

async fn the_information_notice_is_owed_once_per_person_also_after_a_merge(backend: Backend) {
    use hirecast::store::harvest::{queue_message, NewMessage};
    let app = spawn_app(backend).await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let older = file(&app, found(&app, &opening, "Lou", Some("mastodon:lou@a.social"), &[], "1", 70)).candidate_id;
    let newer = file(&app, found(&app, &opening, "Lou B.", Some("bluesky:did:plc:lou"), &["lou@example.fr"], "2", 70)).candidate_id;
    let now = app.state.clock.now();
    fn notice<'a>(cid: &'a str, key: &'a str, opening: &'a str, now: chrono::NaiveDateTime) -> NewMessage<'a> {
        NewMessage { key, candidate_id: cid, opening_id: opening, kind: "privacy_notice", channel: "email", account_id: None, target: "lou@example.fr", reply_to: None, at: now, answered_at: now, language: None }
    }
    // The newer one, found by a sourcing search, was sent the notice.
    assert!(app.db(|c| queue_message(c, notice(&newer, &format!("notice:{newer}"), &opening, now)).unwrap()));
    let m = app.db(|c| merges::merge(c, &older, &newer, "email", None, now).unwrap());
    // Found again by a search, now as the kept candidate: the person already has the notice.
    assert!(!app.db(|c| queue_message(c, notice(&older, &format!("notice:{older}"), &opening, now)).unwrap()), "no second notice after the merge");
    // Other messages are still queued.
    let ack = NewMessage { kind: "acknowledgement", ..notice(&older, "ack:1", &opening, now) };
    assert!(app.db(|c| queue_message(c, ack).unwrap()));
    // Undone, the older one never had a notice of its own: it is owed one.
    let admin = app.add_user("boss@acme.fr", Role::Admin);
    app.db(|c| merges::undo(c, &m, &admin.id, now).unwrap());
    assert!(app.db(|c| queue_message(c, notice(&older, &format!("notice:{older}"), &opening, now)).unwrap()));
}

fn with_phone(mut f: Found, phone: &str) -> Found {
    f.phones = vec![phone.to_string()];
    f
}

fn email_of(app: &TestApp, id: &str) -> (String, Option<String>) {
    use diesel::prelude::*;
    use hirecast::store::schema::candidates;
    app.db(|c| candidates::table.find(id).select((candidates::name, candidates::email)).first(c).unwrap())
}

async fn a_shared_phone_only_proposes_and_a_person_confirms_or_dismisses(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let token = app.api_token("api@acme.fr", Role::Recruiter);
    let manager = app.api_token("hm@acme.fr", Role::HiringManager);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let phone = "+33 6 12 34 56 78";

    // Two people, their own names and emails, one phone (a family phone, a switchboard).
    let lea = file(&app, with_phone(found(&app, &opening, "Léa Martin", None, &["lea@example.fr"], "1", 70), phone)).candidate_id;
    app.state.clock.advance(chrono::Duration::minutes(1));
    let paul = file(&app, with_phone(found(&app, &opening, "Paul Durand", None, &["paul@example.fr"], "2", 60), phone)).candidate_id;
    assert_ne!(lea, paul, "a phone alone never merges");
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 2);
    assert!(app.db(|c| merges::for_opening(c, &opening).unwrap()).is_empty(), "no merge recorded");
    assert_eq!(email_of(&app, &lea), ("Léa Martin".into(), Some("lea@example.fr".into())));
    assert_eq!(email_of(&app, &paul), ("Paul Durand".into(), Some("paul@example.fr".into())));
    let open = app.db(|c| merges::open_for_opening(c, &opening).unwrap());
    assert_eq!(open.len(), 1, "one proposal for the pair");
    assert_eq!((open[0].keep_id.as_str(), open[0].merge_id.as_str(), open[0].reason.as_str(), open[0].value.as_str()), (lea.as_str(), paul.as_str(), "phone", phone));
    let first = open[0].id.clone();
    let html = page(&rita, &app, &opening).await;
    assert!(html.contains(&format!(r#"data-proposal-id="{first}""#)), "the page lists the proposal");

    // The API lists it on both candidates; a hiring manager may not answer it.
    let list: Value = reqwest::Client::new().get(app.url(&format!("/api/v1/candidates/{paul}/merge-proposals"))).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["id"], first.as_str(), "{list}");
    assert_eq!(list["items"][0]["reason"], "phone");
    let api = reqwest::Client::new();
    let r = api.post(app.url(&format!("/api/v1/merge-proposals/{first}/confirm"))).bearer_auth(&manager).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = api.post(app.url("/api/v1/merge-proposals/nope/dismiss")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Dismissed on the page: two people, never proposed again, not even by a new answer.
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merge-proposals/{first}/dismiss"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers()["location"].to_str().unwrap().contains("done=kept-apart"));
    assert!(app.db(|c| merges::open_for_opening(c, &opening).unwrap()).is_empty());
    file(&app, with_phone(found(&app, &opening, "Paul Durand", None, &["paul@example.fr"], "3", 60), phone));
    assert!(app.db(|c| merges::open_for_opening(c, &opening).unwrap()).is_empty(), "dismissed stays dismissed");
    let r = rita.post(app.url(&format!("/app/openings/{opening}/merge-proposals/{first}/dismiss"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409, "a second answer is refused with a message");
    assert!(r.text().await.unwrap().contains("already"));
    let r = api.post(app.url(&format!("/api/v1/merge-proposals/{first}/confirm"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let other = crate::outbox::draft_opening(&app, "Autre poste");
    let r = rita.post(app.url(&format!("/app/openings/{other}/merge-proposals/{first}/confirm"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404, "reached only through an opening of the pair");

    // Léa answers again from a new address with the same phone: proposed, and she confirms
    // it is her (through the API). The merge records the real reason and who confirmed.
    app.state.clock.advance(chrono::Duration::minutes(1));
    let lea2 = file(&app, with_phone(found(&app, &opening, "Léa M.", None, &["lea.martin@work.fr"], "4", 80), phone)).candidate_id;
    let open = app.db(|c| merges::open_for_opening(c, &opening).unwrap());
    assert_eq!(open.len(), 2, "one per pair: with Léa and with Paul");
    let with_lea = open.iter().find(|p| p.keep_id == lea && p.merge_id == lea2).expect("proposed with Léa");
    let r = api.post(app.url(&format!("/api/v1/merge-proposals/{}/confirm", with_lea.id))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let m: Value = r.json().await.unwrap();
    assert_eq!((m["kept_id"].as_str(), m["absorbed_id"].as_str(), m["reason"].as_str()), (Some(lea.as_str()), Some(lea2.as_str()), Some("phone")));
    assert_eq!(m["merged_by"], "Test User");
    assert!(app.db(|c| merges::open_for_opening(c, &opening).unwrap()).is_empty(), "the pair with Paul waits: its candidate was merged");
    assert_eq!(email_of(&app, &lea), ("Léa Martin".into(), Some("lea@example.fr".into())), "the one kept keeps her own details");
    assert_eq!(email_of(&app, &paul), ("Paul Durand".into(), Some("paul@example.fr".into())));
    let proposals = app.db(|c| merges::proposals_of(c, &lea2).unwrap());
    assert!(proposals.iter().any(|p| p.keep_id == lea && p.decision.as_deref() == Some("merged")), "{proposals:?}");

    // Undone: both back, and the pair is kept apart.
    let merge_id = m["id"].as_str().unwrap().to_string();
    let r = api.post(app.url(&format!("/api/v1/merges/{merge_id}/undo"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 3);
    assert_eq!(app.db(|c| shortlist::signal_holders(c, shortlist::IdentityKind::Phone, phone).unwrap()).len(), 3, "the copies made by the merge went back");
}

async fn an_agencys_email_in_many_cvs_merges_nobody(backend: Backend) {
    let app = spawn_app(backend).await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let agency = "jobs@agence-talents.fr";
    let mut ids = Vec::new();
    for (n, name) in ["Ana Roy", "Bao Tran", "Chloé Petit", "Driss Amrani", "Eva Klein"].iter().enumerate() {
        let own = format!("p{n}@example.fr");
        let mut f = found(&app, &opening, name, Some(&format!("mastodon:p{n}@a.social")), &[&own], &n.to_string(), 60);
        f.emails.push(agency.into());
        ids.push(file(&app, f).candidate_id);
        app.state.clock.advance(chrono::Duration::minutes(1));
    }
    // One more sent by the agency only: a reply with no email of its own, the agency's in its CV.
    let mut f = found(&app, &opening, "Farid Benali", Some("mastodon:farid@a.social"), &[], "9", 60);
    f.emails = vec![agency.into()];
    let farid = file(&app, f).candidate_id;
    ids.push(farid.clone());
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "six people, six candidates");
    assert!(app.db(|c| merges::for_opening(c, &opening).unwrap()).is_empty(), "nobody merged");
    for (n, name) in ["Ana Roy", "Bao Tran", "Chloé Petit", "Driss Amrani", "Eva Klein"].iter().enumerate() {
        let id = app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Email, &format!("p{n}@example.fr")).unwrap()).unwrap();
        assert_eq!(email_of(&app, &id), (name.to_string(), Some(format!("p{n}@example.fr"))), "each keeps the email they gave");
    }
    assert_eq!(app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Email, agency).unwrap()), None, "an email found in CVs is nobody's identity");
    // Shared by more than two, it says nothing: the later ones are not proposed at all.
    let open = app.db(|c| merges::open_for_opening(c, &opening).unwrap());
    assert!(open.len() <= 3, "{open:?}");
    assert!(!open.iter().any(|p| p.merge_id == farid || p.keep_id == farid), "the sixth holder is proposed with nobody");
    assert_eq!(app.db(|c| shortlist::signal_holders(c, shortlist::IdentityKind::Email, agency).unwrap()).len(), 6);
}

async fn the_same_cv_sent_by_two_people_only_proposes(backend: Backend) {
    let app = spawn_app(backend).await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let mut a = found(&app, &opening, "Inès Faure", Some("mastodon:ines@a.social"), &["ines@example.fr"], "1", 70);
    a.cvs = vec![cv(7, 1000)];
    let ines = file(&app, a).candidate_id;
    // A friend forwards the same file from their own account.
    let mut b = found(&app, &opening, "Hugo Blanc", Some("x:77"), &["hugo@example.fr"], "2", 50);
    b.cvs = vec![cv(7, 1000)];
    let hugo = file(&app, b).candidate_id;
    assert_ne!(ines, hugo);
    assert!(app.db(|c| merges::for_opening(c, &opening).unwrap()).is_empty());
    assert_eq!(email_of(&app, &hugo), ("Hugo Blanc".into(), Some("hugo@example.fr".into())));
    let open = app.db(|c| merges::open_for_opening(c, &opening).unwrap());
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].reason.as_str(), open[0].value.as_str()), ("cv", format!("{:064x}", 7).as_str()));
    assert_eq!(app.db(|c| shortlist::cvs_of(c, &hugo).unwrap()).len(), 1, "each keeps the file they sent");
}

async fn an_email_found_in_a_cv_does_not_merge_the_person_who_gives_it_on_the_form(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let o = crate::public::open(&app, crate::public::input("Développeuse Rust"));
    // Marc replied; his CV names Zoé (a referee) with her email: shown as his contact for now.
    let mut f = found(&app, &o.id, "Marc Lenoir", Some("mastodon:marc@a.social"), &[], "1", 70);
    f.emails = vec!["zoe@example.fr".into()];
    let marc = file(&app, f).candidate_id;
    assert_eq!(email_of(&app, &marc).1.as_deref(), Some("zoe@example.fr"));

    // Zoé applies on the careers site with that email: she is herself, not Marc.
    let key = crate::public::form_key(&app, &o.slug).await;
    let form = crate::public::Application::new("zoe@example.fr", &key).set("name", "Zoé Garnier").set("phone", "+33 6 98 76 54 32");
    let r = crate::public::post_application(&app, &o.slug, &form).await;
    assert_eq!(r.status().as_u16(), 303, "{:?}", r.text().await);
    let zoe = app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Email, "zoe@example.fr").unwrap()).expect("the applicant owns her email");
    assert_ne!(zoe, marc, "not merged into Marc");
    assert_eq!(email_of(&app, &zoe), ("Zoé Garnier".into(), Some("zoe@example.fr".into())));
    assert_eq!(email_of(&app, &marc), ("Marc Lenoir".into(), None), "Marc keeps his name; her email is no longer shown as his");
    assert!(app.db(|c| merges::for_opening(c, &o.id).unwrap()).is_empty());
    let proposals = app.db(|c| merges::proposals_of(c, &marc).unwrap());
    assert_eq!(proposals.len(), 1, "proposed, for a person to judge");
    assert_eq!((proposals[0].reason.as_str(), proposals[0].keep_id.as_str()), ("document_email", marc.as_str()));

    // The same again from a reply's text: an answer naming Zoé's email only proposes too.
    let mut f = found(&app, &o.id, "M. Lenoir", Some("mastodon:marc@a.social"), &[], "2", 70);
    f.emails = vec!["zoe@example.fr".into()];
    assert_eq!(file(&app, f).candidate_id, marc, "his own account names him");
    assert_eq!(email_of(&app, &zoe).0, "Zoé Garnier", "her name is not overwritten");
    assert_eq!(email_of(&app, &marc).1, None, "nor is her email shown as his again");
    assert!(app.db(|c| merges::for_opening(c, &o.id).unwrap()).is_empty());
    let html = page(&rita, &app, &o.id).await;
    assert!(html.contains("Zoé Garnier") && html.contains("Marc Lenoir"));
}

crate::on_both_backends!(
    the_information_notice_is_owed_once_per_person_also_after_a_merge,
    an_answer_naming_two_candidates_merges_them_and_an_undo_keeps_them_apart,
    recruiters_merge_by_hand_and_undo_on_the_page_and_the_api,
    a_candidates_cv_files_are_limited_in_number_and_size,
    a_shared_phone_only_proposes_and_a_person_confirms_or_dismisses,
    an_agencys_email_in_many_cvs_merges_nobody,
    the_same_cv_sent_by_two_people_only_proposes,
    an_email_found_in_a_cv_does_not_merge_the_person_who_gives_it_on_the_form
);
