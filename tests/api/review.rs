//! The hiring-manager review through the web app: the shortlist review (order, chips, sources,
//! filters, sorting), decisions (advance, hold, reject with a reason, any stage), bulk actions
//! (all or nothing), the candidate page (contact, sources, evidence, the CV inline with its
//! text highlighted, history), private notes, scorecards, the comparison, and access: another
//! opening's manager gets 404 everywhere, by URL guessing too.
use hirecast::domain::opening::OpeningDraft;
use hirecast::domain::user::Role;
use hirecast::store::sourcing::{self as shortlist, FoundCv, Stage};
use serde_json::json;

use crate::helpers::*;
use crate::sourcing::merges::{file, found};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct Setup {
    app: TestApp,
    opening: String,
    /// Signed in: the recruiter, the opening's hiring manager, another opening's manager.
    rita: reqwest::Client,
    hm: reqwest::Client,
    other: reqwest::Client,
    /// Léa (85, a PDF CV, Rust matched), Sam (70), Noé (40, in the inbox).
    lea: String,
    sam: String,
    noe: String,
    cv_sha: String,
}

fn rust_explanation() -> String {
    json!({
        "total": 85,
        "criteria": [{"key": "required_skills", "points": 50, "max": 50, "reason_en": "1 of 1 required skills", "reason_fr": "1 compétence requise sur 1"}],
        "matched": [{"skill": "rust", "label_en": "Rust", "label_fr": "Rust", "required": true, "source": {"kind": "cv", "page": 0}, "snippet": "…5 years of Rust in production…"}],
        "missing": [{"skill": "kubernetes", "label_en": "Kubernetes", "label_fr": "Kubernetes"}],
    })
    .to_string()
}

async fn setup(backend: Backend) -> Setup {
    setup_with(backend, None).await
}

async fn setup_with(backend: Backend, smtp: Option<&crate::email::Smtp>) -> Setup {
    let url = smtp.map(|s| s.url());
    let app = spawn_app_with(backend, move |s| s.broadcast.smtp_url = url).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let manager = app.add_user("hm@acme.fr", Role::HiringManager);
    app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::users;
        diesel::update(users::table.find(&manager.id)).set(users::name.eq("Hana Manager")).execute(c).unwrap();
    });
    app.add_user("other.hm@acme.fr", Role::HiringManager);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    app.db(|c| {
        let mut o = hirecast::store::openings::find(c, &opening).unwrap().unwrap();
        o.draft.hiring_manager_ids = vec![manager.id.clone()];
        let d: OpeningDraft = o.draft.clone();
        hirecast::store::openings::update(c, &opening, &d).unwrap();
    });
    let cv_sha = app.state.blobs.put(PDF).unwrap();
    app.db(|c| hirecast::store::blobs::share(c, &cv_sha, PDF).unwrap());
    let mut f = found(&app, &opening, "Léa Martin", Some("mastodon:lea@a.social"), &["lea@example.fr"], "1", 85);
    f.explanation = rust_explanation();
    f.cvs = vec![FoundCv {
        sha256: cv_sha.clone(),
        source_url: Some("https://cv.example/lea.pdf".into()),
        format: "pdf".into(),
        size: PDF.len() as i64,
        pages: vec!["Léa Martin\nDéveloppeuse Rust, 5 ans de Rust et de PostgreSQL.".into()],
    }];
    let lea = file(&app, f).candidate_id;
    app.state.clock.advance(chrono::Duration::hours(3));
    let sam = file(&app, found(&app, &opening, "Sam Petit", Some("mastodon:sam@a.social"), &["sam@example.fr"], "2", 70)).candidate_id;
    let noe = file(&app, found(&app, &opening, "Noé Bernard", Some("mastodon:noe@a.social"), &["noe@example.fr"], "3", 40)).candidate_id;
    app.state.clock.advance(chrono::Duration::minutes(30));
    // Signed in after the clock moved on: a session unused for 30 minutes ends.
    let rita = app.signed_in("rita@acme.fr").await;
    let hm = app.signed_in("hm@acme.fr").await;
    let other = app.signed_in("other.hm@acme.fr").await;
    Setup { app, opening, rita, hm, other, lea, sam, noe, cv_sha }
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status().as_u16(), location, r.text().await.unwrap())
}

fn stage_of(s: &Setup, candidate: &str) -> Stage {
    s.app.db(|c| shortlist::entry(c, &s.opening, candidate).unwrap()).unwrap().stage
}

/// The names in the order the review lists them.
fn order(page: &str, names: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = names.iter().filter_map(|n| page.find(&format!(">{n}</a>")).map(|i| (i, n.to_string()))).collect();
    found.sort();
    found.into_iter().map(|x| x.1).collect()
}

async fn a_hiring_manager_reviews_the_shortlist_and_decides(backend: Backend) {
    let s = setup(backend).await;
    let (app, o) = (&s.app, s.opening.clone());
    let names = ["Léa Martin", "Sam Petit", "Noé Bernard"];
    let review = format!("/app/openings/{o}/review");

    // Best score first, with the chips, the source and the age; the opening's page links here.
    let (status, page) = get(&s.hm, app, &review).await;
    assert_eq!(status, 200);
    assert_eq!(order(&page, &names), names);
    assert!(page.contains(r#"<span class="chip matched">Rust</span>"#));
    assert!(page.contains(r#"<span class="chip missing">Kubernetes</span>"#));
    assert!(page.contains("reply · mastodon"));
    assert!(page.contains(">3 h</td>"), "Léa answered 3 h 30 ago");
    assert!(page.contains(">30 min</td>"));
    assert!(page.contains("data-review-list"), "the keyboard hooks");
    assert!(page.contains("Advance to Interview") && page.contains("Advance to Shortlisted"));
    let (_, opening_page) = get(&s.hm, app, &format!("/app/openings/{o}")).await;
    assert!(opening_page.contains(&format!(r#"href="/app/openings/{o}/review""#)));

    // Filters and sorting; a bad filter is named and the page still shows.
    let (_, page) = get(&s.hm, app, &format!("{review}?min=60")).await;
    assert_eq!(order(&page, &names), ["Léa Martin", "Sam Petit"]);
    let (_, page) = get(&s.hm, app, &format!("{review}?sort=name")).await;
    assert_eq!(order(&page, &names), ["Léa Martin", "Noé Bernard", "Sam Petit"]);
    let (_, page) = get(&s.hm, app, &format!("{review}?sort=newest")).await;
    assert_eq!(order(&page, &names), ["Noé Bernard", "Sam Petit", "Léa Martin"]);
    let (_, page) = get(&s.hm, app, &format!("{review}?stage=new")).await;
    assert_eq!(order(&page, &names), ["Noé Bernard"]);
    let (_, page) = get(&s.hm, app, &format!("{review}?q=sam")).await;
    assert_eq!(order(&page, &names), ["Sam Petit"]);
    let (_, page) = get(&s.hm, app, &format!("{review}?source=apply_form")).await;
    assert!(order(&page, &names).is_empty());
    assert!(page.contains("No candidate matches these filters."));
    let (status, page) = get(&s.hm, app, &format!("{review}?stage=moon&min=300")).await;
    assert_eq!(status, 422);
    assert!(page.contains("Stage: choose one of the list.") && page.contains("Minimum score: a whole number from 0 to 100."));
    assert_eq!(order(&page, &names), names, "the defaults in place of the bad filters");

    // Advance: Noé leaves the inbox; back to the review with its filters and the cursor's row.
    let decision = |c: &str| format!("/app/openings/{o}/candidates/{c}/decision");
    let (status, location, _) = post(&s.hm, app, &decision(&s.noe), &[("action", "advance"), ("filters", "min=10&sort=name"), ("cursor", "2")]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{review}?stage=active&min=10&sort=name&done=moved&cursor=2"));
    assert_eq!(stage_of(&s, &s.noe), Stage::Shortlisted);
    let (_, page) = get(&s.hm, app, &location).await;
    assert!(page.contains(r#"data-cursor="2""#));
    assert!(page.contains("by Hana Manager on"));

    // Reject: a reason is required; with one, recorded with the note.
    let (status, _, page) = post(&s.hm, app, &decision(&s.noe), &[("action", "reject"), ("reason", ""), ("note", "x")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Reason: choose why the candidate is rejected."));
    assert_eq!(stage_of(&s, &s.noe), Stage::Shortlisted);
    let (status, _, _) = post(&s.hm, app, &decision(&s.noe), &[("action", "reject"), ("reason", "made_up"), ("note", "")]).await;
    assert_eq!(status, 422);
    let (status, _, _) = post(&s.hm, app, &decision(&s.noe), &[("action", "reject"), ("reason", "skills"), ("note", "Pas de Rust en production")]).await;
    assert_eq!(status, 303);
    let last = app.db(|c| shortlist::history(c, &o, &s.noe).unwrap()).pop().unwrap();
    assert_eq!((last.to.as_str(), last.reason.as_deref(), last.note.as_deref(), last.actor.as_deref()), ("rejected", Some("skills"), Some("Pas de Rust en production"), Some("Hana Manager")));
    // Rejected: out of the "in progress" view, in the "all" one.
    let (_, page) = get(&s.hm, app, &review).await;
    assert_eq!(order(&page, &names), ["Léa Martin", "Sam Petit"]);
    let (_, page) = get(&s.hm, app, &format!("{review}?stage=all")).await;
    assert_eq!(order(&page, &names), names);
    // A note over 2000 characters is refused.
    let long = "x".repeat(2001);
    let (status, _, _) = post(&s.hm, app, &decision(&s.sam), &[("action", "hold"), ("note", &long)]).await;
    assert_eq!(status, 422);
    // Hold, then hold again (no new event), then a hired candidate has nothing to advance to.
    let (status, _, _) = post(&s.hm, app, &decision(&s.sam), &[("action", "hold")]).await;
    assert_eq!(status, 303);
    assert_eq!(stage_of(&s, &s.sam), Stage::OnHold);
    let (status, _, _) = post(&s.hm, app, &decision(&s.sam), &[("action", "stage"), ("stage", "hired")]).await;
    assert_eq!(status, 303);
    let (status, _, page) = post(&s.hm, app, &decision(&s.sam), &[("action", "advance")]).await;
    assert_eq!(status, 409);
    assert!(page.contains("Sam Petit has no next stage."));
    let (status, _, _) = post(&s.hm, app, &decision(&s.sam), &[("action", "stage"), ("stage", "on_hold")]).await;
    assert_eq!(status, 303);

    // Bulk: all or nothing.
    let bulk = format!("/app/openings/{o}/review/bulk");
    let (status, _, page) = post(&s.hm, app, &bulk, &[("action", "advance")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Select at least one candidate."));
    let (status, _, page) = post(&s.hm, app, &bulk, &[("action", "reject"), ("c", &s.lea)]).await;
    assert_eq!(status, 422, "a rejection needs its reason in bulk too");
    assert!(page.contains("Reason: choose why"));
    let (status, _, page) = post(&s.hm, app, &bulk, &[("action", "advance"), ("c", &s.lea), ("c", "nobody")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("nothing was changed"));
    assert_eq!(stage_of(&s, &s.lea), Stage::Shortlisted, "Léa's move was undone with the refusal");
    let (status, location, _) = post(&s.hm, app, &bulk, &[("action", "advance"), ("c", &s.lea), ("c", &s.sam), ("filters", "stage=all")]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{review}?stage=all&sort=score&done=bulk&n=2"));
    assert_eq!((stage_of(&s, &s.lea), stage_of(&s, &s.sam)), (Stage::Interview, Stage::Interview), "on hold goes on to the interview");
    let (_, page) = get(&s.hm, app, &location).await;
    assert!(page.contains("2 candidates updated."));
    let (status, _, _) = post(&s.hm, app, &bulk, &[("action", "reject"), ("reason", "position_filled"), ("c", &s.lea), ("c", &s.sam)]).await;
    assert_eq!(status, 303);
    assert_eq!((stage_of(&s, &s.lea), stage_of(&s, &s.sam)), (Stage::Rejected, Stage::Rejected));

    // Another opening's manager: 404 on every page and action, and nothing changes.
    let lea = s.lea.clone();
    for path in [review.clone(), format!("/app/openings/{o}/candidates/{lea}"), format!("/app/openings/{o}/candidates/{lea}/cv/{}", s.cv_sha), format!("/app/openings/{o}/review/compare?c={lea}&c={}", s.sam)] {
        assert_eq!(get(&s.other, app, &path).await.0, 404, "{path}");
    }
    for (path, form) in [
        (decision(&lea), vec![("action", "advance")]),
        (bulk.clone(), vec![("action", "advance"), ("c", lea.as_str())]),
        (format!("/app/openings/{o}/candidates/{lea}/notes"), vec![("body", "hello")]),
        (format!("/app/openings/{o}/candidates/{lea}/scorecard"), vec![("rating-0", "5")]),
        (format!("/app/openings/{o}/review/criteria"), vec![("criteria", "X")]),
    ] {
        assert_eq!(post(&s.other, app, &path, &form).await.0, 404, "{path}");
    }
    assert_eq!(stage_of(&s, &s.lea), Stage::Rejected);
    // Signed out: to the sign-in page.
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(anonymous.get(app.url(&review)).send().await.unwrap().status().as_u16(), 303);
}

async fn the_candidate_page_shows_the_cv_inline_and_keeps_notes_and_scorecards(backend: Backend) {
    let s = setup(backend).await;
    let (app, o, lea) = (&s.app, s.opening.clone(), s.lea.clone());
    let page_path = format!("/app/openings/{o}/candidates/{lea}");
    let cv_path = format!("/app/openings/{o}/candidates/{lea}/cv/{}", s.cv_sha);

    let (status, page) = get(&s.hm, app, &page_path).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"href="mailto:lea@example.fr""#), "contact details");
    assert!(page.contains(r#"href="https://mastodon.example/@x/1""#), "the original answer");
    assert!(page.contains("…5 years of Rust in production…"), "the evidence");
    assert!(page.contains("1 of 1 required skills"));
    assert!(page.contains(&format!(r#"<iframe class="cv-viewer" src="{cv_path}""#)), "the PDF inline");
    assert!(page.contains("Développeuse <mark>Rust</mark>, 5 ans de <mark>Rust</mark> et de PostgreSQL."), "matched skills highlighted, others not: {page}");
    assert!(page.contains("Entered as Shortlisted"));

    // The PDF: inline, typed as a PDF, framed only by hirecast, never sniffed.
    let r = s.hm.get(app.url(&cv_path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert!(h["content-disposition"].to_str().unwrap().starts_with("inline;"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "SAMEORIGIN");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'self'"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    // A file that is not a PDF (an HTML page posing as a CV) is only ever a sandboxed download.
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let html_sha = app.state.blobs.put(&html).unwrap();
    app.db(|c| hirecast::store::blobs::share(c, &html_sha, &html).unwrap());
    let mut f = found(app, &o, "Eve Trap", Some("mastodon:eve@a.social"), &[], "9", 30);
    f.cvs = vec![FoundCv { sha256: html_sha.clone(), source_url: None, format: "html".into(), size: html.len() as i64, pages: vec![] }];
    let eve = file(app, f).candidate_id;
    let r = s.hm.get(app.url(&format!("/app/openings/{o}/candidates/{eve}/cv/{html_sha}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert!(r.headers()["content-security-policy"].to_str().unwrap().starts_with("sandbox"));
    let (_, eve_page) = get(&s.hm, app, &format!("/app/openings/{o}/candidates/{eve}")).await;
    assert!(!eve_page.contains("<iframe"), "no frame for a file that is not a PDF");
    // Another candidate's file under Léa's address, or a file of nobody: 404.
    assert_eq!(get(&s.hm, app, &format!("/app/openings/{o}/candidates/{lea}/cv/{html_sha}")).await.0, 404);
    assert_eq!(get(&s.hm, app, &format!("/app/openings/{o}/candidates/{lea}/cv/{}", "0".repeat(64))).await.0, 404);
    assert_eq!(get(&s.hm, app, &format!("/app/openings/{o}/candidates/nobody")).await.0, 404);
    // A candidate of another opening, under this opening's address: 404.
    let elsewhere = crate::outbox::draft_opening(app, "Data engineer");
    let zoe = file(app, found(app, &elsewhere, "Zoé Autre", Some("mastodon:zoe@a.social"), &[], "8", 90)).candidate_id;
    assert_eq!(get(&s.rita, app, &format!("/app/openings/{o}/candidates/{zoe}")).await.0, 404);

    // Private notes: an empty one re-shown with its message; the text escaped.
    let notes = format!("{page_path}/notes");
    let (status, _, page) = post(&s.hm, app, &notes, &[("body", "   ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Note: write something first."));
    let (status, location, _) = post(&s.hm, app, &notes, &[("body", "Très bon échange <b>à revoir</b>")]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{page_path}?done=note#notes"));
    let (_, page) = get(&s.rita, app, &page_path).await;
    assert!(page.contains("Très bon échange &#60;b&#62;à revoir&#60;/b&#62;") || page.contains("Très bon échange &lt;b&gt;à revoir&lt;/b&gt;"), "escaped");
    assert!(page.contains("Hana Manager, "), "the note's author");

    // Scorecards: the default criteria in the opening's language; ratings 1-5; one per reviewer.
    let card = format!("{page_path}/scorecard");
    let (status, _, page) = post(&s.hm, app, &card, &[("rating-0", "9")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("a rating from 1 to 5."), "{page}");
    let (status, _, page) = post(&s.hm, app, &card, &[("comment", "rien")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Rate at least one criterion."));
    let (status, _, _) = post(&s.hm, app, &card, &[("rating-0", "4"), ("rating-1", "5"), ("comment", "Solide")]).await;
    assert_eq!(status, 303);
    let (status, _, _) = post(&s.hm, app, &card, &[("rating-0", "5"), ("rating-1", "5"), ("comment", "Très solide")]).await;
    assert_eq!(status, 303, "saving again replaces the scorecard");
    let (status, _, _) = post(&s.rita, app, &card, &[("rating-0", "2"), ("comment", "Peu d'expérience")]).await;
    assert_eq!(status, 303);
    let cards = app.db(|c| hirecast::store::review::scorecards_of(c, &o, &lea).unwrap());
    assert_eq!(cards.len(), 2);
    let (_, page) = get(&s.hm, app, &page_path).await;
    assert!(page.contains("Très solide") && !page.contains(">Solide<"));
    assert!(page.contains(r#"<td class="num">3.5</td>"#), "the first criterion's mean over both reviewers: {page}");
    assert!(page.contains(r#"name="rating-0" value="5" checked"#), "my own ratings pre-filled");

    // The recruiter sets the opening's criteria; a hiring manager may not.
    let criteria = format!("/app/openings/{o}/review/criteria");
    assert_eq!(post(&s.hm, app, &criteria, &[("criteria", "Rust\nAnglais")]).await.0, 403);
    let (status, _, page) = post(&s.rita, app, &criteria, &[("criteria", " \n ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Criteria: at least one."));
    assert_eq!(post(&s.rita, app, &criteria, &[("criteria", "Rust\nAnglais\nrust")]).await.0, 303);
    let (_, page) = get(&s.hm, app, &page_path).await;
    assert!(page.contains("<legend>Rust</legend>") && page.contains("<legend>Anglais</legend>"));

    // Comparison of two to four candidates.
    let compare = format!("/app/openings/{o}/review/compare");
    let (status, page) = get(&s.hm, app, &format!("{compare}?c={lea}&c={}", s.sam)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Léa Martin") && page.contains("Sam Petit") && !page.contains("Noé Bernard"));
    assert!(page.contains(r#"<td class="num score">85</td>"#) && page.contains(r#"<td class="num score">70</td>"#));
    assert_eq!(get(&s.hm, app, &format!("{compare}?c={lea}")).await.0, 422);
    assert_eq!(get(&s.hm, app, &format!("{compare}?c={lea}&c={lea}")).await.0, 422, "the same candidate twice is one");
    let five: String = [&lea, &s.sam, &s.noe, &eve, &zoe].iter().map(|c| format!("c={c}&")).collect();
    assert_eq!(get(&s.hm, app, &format!("{compare}?{five}")).await.0, 422);
    assert_eq!(get(&s.hm, app, &format!("{compare}?c={lea}&c={zoe}")).await.0, 404, "a candidate of another opening");

    // In French for a French-speaking manager.
    let hm_id = app.db(|c| hirecast::store::users::find_by_email(c, &hirecast::domain::email::Email::parse("email", "hm@acme.fr").unwrap()).unwrap().unwrap().0.id);
    app.db(|c| hirecast::store::users::set_locale(c, &hm_id, hirecast::i18n::Lang::Fr).unwrap());
    let (_, page) = get(&s.hm, app, &page_path).await;
    assert!(page.contains("Grille d'évaluation") || page.contains("Grille d&#39;évaluation") || page.contains("Grille d&#x27;évaluation"), "{page}");
    assert!(page.contains("Notes privées"));
    let (_, page) = get(&s.hm, app, &format!("/app/openings/{o}/review")).await;
    assert!(page.contains("Revue : Développeur Rust"));
    assert!(page.contains("Refuser"));
}

async fn drain(app: &TestApp) -> usize {
    hirecast::notify::outbox::send_due(&app.state.pool, &app.state.settings.broadcast, &app.state.clock).await.unwrap()
}

async fn a_review_link_by_email_opens_one_shortlist_until_it_expires_or_is_revoked(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let s = setup_with(backend, Some(&smtp)).await;
    let (app, o) = (&s.app, s.opening.clone());
    let links = format!("/app/openings/{o}/review/links");

    // Refusals, named; a team member's address is refused (assign them instead).
    for (form, message) in [
        (vec![("name", "Paul"), ("email", "not-an-email"), ("language", "fr"), ("days", "7")], "Email: a valid address."),
        (vec![("name", "Paul"), ("email", "paul@partner.fr"), ("language", "fr"), ("days", "31")], "Valid for: a whole number of days from 1 to 30."),
        (vec![("name", ""), ("email", "paul@partner.fr"), ("language", "de"), ("days", "7")], "Name: 1 to 100 characters."),
        (vec![("name", "Hana"), ("email", "hm@acme.fr"), ("language", "fr"), ("days", "7")], "this person has an account"),
    ] {
        let (status, _, page) = post(&s.rita, app, &links, &form).await;
        assert_eq!(status, 422, "{form:?}");
        assert!(page.contains(message), "{message}: {page}");
    }
    // A hiring manager may not send links.
    assert_eq!(post(&s.hm, app, &links, &[("name", "Paul"), ("email", "paul@partner.fr"), ("language", "fr"), ("days", "7")]).await.0, 403);

    let (status, location, _) = post(&s.rita, app, &links, &[("name", "Paul Externe"), ("email", "paul@partner.fr"), ("language", "fr"), ("days", "7")]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/app/openings/{o}/review?done=link#links"));
    assert_eq!(drain(app).await, 1);
    assert_eq!(drain(app).await, 0, "sent once");
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to(), "paul@partner.fr");
    assert_eq!(mail.subject(), "Présélection à revoir : Développeur Rust");
    let link = mail.link(&app.url("/review/"));
    assert!(mail.html.contains(&link), "the HTML part carries the same link");
    assert!(mail.text.contains("Test User vous demande de revoir"), "{}", mail.text);
    let path = link.strip_prefix(&app.address).unwrap().to_string();
    let token = path.strip_prefix("/review/").unwrap().to_string();
    assert!(token.len() >= 40, "an unguessable token");
    let stored = app.db(|c| {
        use diesel::prelude::*;
        hirecast::store::schema::review_links::table.select(hirecast::store::schema::review_links::token_hash).load::<String>(c).unwrap()
    });
    assert!(!stored.contains(&token) && stored.contains(&hirecast::auth::hash_token(&token)), "only the hash is kept");

    // The guest, without an account: that shortlist, in French, with review rights.
    let guest = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (status, page) = get(&guest, app, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Revue par Paul Externe"), "{page}");
    assert_eq!(order(&page, &["Léa Martin", "Sam Petit", "Noé Bernard"]), ["Léa Martin", "Sam Petit", "Noé Bernard"]);
    assert!(!page.contains("id=\"sign-out\"") && !page.contains("/app/openings/"), "no app navigation, no app address");
    assert!(!page.contains("id=\"link-form\""), "a guest sends no links");
    let (status, page) = get(&guest, app, &format!("{path}/candidates/{}", s.lea)).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!(r#"src="{path}/candidates/{}/cv/{}""#, s.lea, s.cv_sha)));
    let r = guest.get(app.url(&format!("{path}/candidates/{}/cv/{}", s.lea, s.cv_sha))).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (200, "application/pdf"));
    // Decisions, scorecards and notes, recorded with the guest's name.
    let (status, location, _) = post(&guest, app, &format!("{path}/candidates/{}/decision", s.noe), &[("action", "advance"), ("cursor", "2")]).await;
    assert_eq!(status, 303);
    assert!(location.starts_with(&format!("{path}?")), "{location}");
    let last = app.db(|c| shortlist::history(c, &o, &s.noe).unwrap()).pop().unwrap();
    assert_eq!((last.to.as_str(), last.actor.as_deref()), ("shortlisted", Some("Paul Externe")));
    assert_eq!(post(&guest, app, &format!("{path}/candidates/{}/scorecard", s.lea), &[("rating-0", "4")]).await.0, 303);
    assert_eq!(post(&guest, app, &format!("{path}/candidates/{}/notes", s.lea), &[("body", "Vu en visio")]).await.0, 303);
    let (status, location, _) = post(&guest, app, &format!("{path}/bulk"), &[("action", "hold"), ("c", &s.sam)]).await;
    assert_eq!(status, 303, "{location}");
    assert_eq!(stage_of(&s, &s.sam), Stage::OnHold);
    // Nothing else: another opening's candidate, the app, the criteria.
    let elsewhere = crate::outbox::draft_opening(app, "Data engineer");
    let zoe = file(app, found(app, &elsewhere, "Zoé Autre", Some("mastodon:zoe@a.social"), &[], "8", 90)).candidate_id;
    assert_eq!(get(&guest, app, &format!("{path}/candidates/{zoe}")).await.0, 404);
    assert_eq!(post(&guest, app, &format!("{path}/candidates/{zoe}/decision"), &[("action", "advance")]).await.0, 404);
    assert_eq!(get(&guest, app, &format!("/app/openings/{o}/review")).await.0, 303, "the app wants a sign-in");
    assert_eq!(post(&guest, app, &format!("{path}/criteria"), &[("criteria", "X")]).await.0, 404);
    // The guest account cannot sign in.
    let r = guest.post(app.url("/login")).form(&[("email", "paul@partner.fr"), ("password", "")]).send().await.unwrap();
    assert_ne!(r.status().as_u16(), 303, "no session for a guest");
    // A wrong token: 404, saying the link expired or was revoked.
    let (status, page) = get(&guest, app, "/review/not-a-token").await;
    assert_eq!(status, 404);
    assert!(page.contains("expired or was revoked"));

    // The recruiter sees the link, when it was opened, and revokes it.
    let (_, page) = get(&s.rita, app, &format!("/app/openings/{o}/review")).await;
    assert!(page.contains("Paul Externe &lt;paul@partner.fr&gt;") || page.contains("Paul Externe &#60;paul@partner.fr&#62;") || page.contains("Paul Externe &lt;paul@partner.fr&gt;"), "{page}");
    assert!(page.contains("last opened"));
    let link_id = app.db(|c| hirecast::store::review_links::for_opening(c, &o).unwrap()).remove(0).id;
    assert_eq!(post(&s.other, app, &format!("/app/openings/{o}/review/links/{link_id}/revoke"), &[]).await.0, 404);
    assert_eq!(post(&s.rita, app, &format!("/app/openings/{o}/review/links/{link_id}/revoke"), &[]).await.0, 303);
    assert_eq!(get(&guest, app, &path).await.0, 404, "revoked");
    assert_eq!(post(&guest, app, &format!("{path}/candidates/{}/decision", s.lea), &[("action", "hold")]).await.0, 404);

    // A new link for the same person reuses the guest; it expires after its days.
    assert_eq!(post(&s.rita, app, &links, &[("name", "Paul Externe"), ("email", "paul@partner.fr"), ("language", "en"), ("days", "1")]).await.0, 303);
    assert_eq!(drain(app).await, 1);
    let mails = smtp.wait_for(2).await;
    let second = mails.iter().find(|m| m.subject() == "Review the shortlist: Développeur Rust").expect("the English email");
    let path2 = second.link(&app.url("/review/")).strip_prefix(&app.address).unwrap().to_string();
    assert_eq!(get(&guest, app, &path2).await.0, 200);
    app.state.clock.advance(chrono::Duration::hours(25));
    assert_eq!(get(&guest, app, &path2).await.0, 404, "expired");
    let guests = app.db(|c| hirecast::store::users::list(c).unwrap()).into_iter().filter(|u| u.email == "paul@partner.fr").count();
    assert_eq!(guests, 1);
}

async fn managers_hear_of_new_shortlisted_candidates_at_once_or_in_a_daily_digest(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let s = setup_with(backend, Some(&smtp)).await;
    let (app, o) = (&s.app, s.opening.clone());
    let base = app.state.settings.base_url.clone();
    let queue = |app: &TestApp| {
        let (base, now) = (base.clone(), app.state.clock.now());
        app.db(|c| hirecast::notify::team::queue_shortlist_notices(c, &base, now).unwrap())
    };

    // At once (the default): one email for Léa and Sam (shortlisted), not Noé (the inbox).
    assert_eq!(queue(app), 1);
    assert_eq!(queue(app), 0, "told once");
    assert_eq!(drain(app).await, 1);
    let mails = smtp.wait_for(1).await;
    let m = &mails[0];
    assert_eq!(m.to(), "hm@acme.fr");
    assert_eq!(m.subject(), "New shortlisted candidates: 2");
    assert!(m.text.contains(&format!("Léa Martin (score 85) for Développeur Rust: {base}/app/openings/{o}/candidates/{}", s.lea)), "{}", m.text);
    assert!(m.text.contains("Sam Petit (score 70)") && !m.text.contains("Noé"));
    assert!(m.html.contains("Léa Martin") && m.html.contains(&format!("{base}/app/openings/{o}/review")), "{}", m.html);

    // The manager chooses a daily digest on the settings page; a bad choice is named.
    let (status, _, page) = post(&s.hm, app, "/app/settings/notifications", &[("shortlist", "hourly")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose when to be told of new shortlisted candidates."), "{page}");
    assert_eq!(post(&s.hm, app, "/app/settings/notifications", &[("shortlist", "daily"), ("failures", "on")]).await.0, 303);
    let (_, page) = get(&s.hm, app, "/app/settings").await;
    assert!(page.contains(r#"<option value="daily" selected>"#));
    // The digest goes out after 8:00 in the manager's time zone (Europe/Paris), once a day.
    let now = app.state.clock.now();
    let next = hirecast::notify::team::next_digest_at(now, chrono_tz::Europe::Paris);
    app.state.clock.advance(next - now - chrono::Duration::minutes(10));
    file(app, found(app, &o, "Inès Roux", Some("mastodon:ines@a.social"), &["ines@example.fr"], "4", 90));
    assert_eq!(queue(app), 0, "not before 8:00");
    app.state.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(queue(app), 1);
    assert_eq!(queue(app), 0, "one digest a day");
    file(app, found(app, &o, "Jules Blanc", Some("mastodon:jules@a.social"), &["jules@example.fr"], "5", 75));
    app.state.clock.advance(chrono::Duration::hours(3));
    assert_eq!(queue(app), 0, "the next one tomorrow");
    assert_eq!(drain(app).await, 1);
    let mails = smtp.wait_for(2).await;
    let digest = mails.iter().find(|m| m.subject().starts_with("Daily shortlist")).unwrap();
    assert_eq!(digest.subject(), "Daily shortlist: 1 new");
    assert!(digest.text.contains("Inès Roux") && !digest.text.contains("Léa Martin"), "{}", digest.text);
    app.state.clock.advance(chrono::Duration::hours(21));
    assert_eq!(queue(app), 1, "tomorrow's digest, with Jules");

    // Off: nothing more (signed in again: a day has passed).
    let hm = app.signed_in("hm@acme.fr").await;
    assert_eq!(post(&hm, app, "/app/settings/notifications", &[("shortlist", "off")]).await.0, 303);
    file(app, found(app, &o, "Lou Petit", Some("mastodon:lou@a.social"), &["lou@example.fr"], "6", 95));
    app.state.clock.advance(chrono::Duration::days(1));
    assert_eq!(queue(app), 0);
}

async fn recruiters_hear_of_response_targets_about_to_be_missed(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let s = setup_with(backend, Some(&smtp)).await;
    let app = &s.app;
    let base = app.state.settings.base_url.clone();
    let warn = |app: &TestApp| {
        let (base, now) = (base.clone(), app.state.clock.now());
        app.db(|c| hirecast::notify::team::queue_response_warnings(c, &base, now).unwrap())
    };
    // An acknowledgement that could not be sent yet (its channel is down), queued now.
    let now = app.state.clock.now();
    app.db(|c| {
        use diesel::prelude::*;
        use hirecast::store::schema::candidate_messages as m;
        diesel::insert_into(m::table)
            .values((
                m::id.eq("msg-1"),
                m::idempotency_key.eq("ack:test"),
                m::candidate_id.eq(&s.lea),
                m::opening_id.eq(Some(s.opening.as_str())),
                m::kind.eq("ack"),
                m::channel.eq("mastodon"),
                m::target.eq("@lea@a.social"),
                m::state.eq("queued"),
                m::due_at.eq(now),
                m::created_at.eq(now),
            ))
            .execute(c)
            .unwrap();
    });
    // The opening's target is 30 minutes: warned from 24 minutes on, once.
    app.state.clock.advance(chrono::Duration::minutes(23));
    assert_eq!(warn(app), 0);
    app.state.clock.advance(chrono::Duration::minutes(2));
    let n = warn(app);
    assert!(n >= 1, "the opening's recruiter, else the admins");
    assert_eq!(warn(app), 0, "once per answer");
    assert!(drain(app).await >= 1);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].subject(), "Response target about to be missed: Développeur Rust");
    assert!(mails[0].text.contains("5 minutes are left of the 30-minute response target"), "{}", mails[0].text);
    assert!(!mails[0].html.is_empty());
}

/// The form's hidden field `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page.find(&format!(r#"name="{name}" value=""#)).unwrap_or_else(|| panic!("no {name} in {page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn candidate_emails_come_from_editable_templates_and_are_previewed_then_sent_once(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let s = setup_with(backend, Some(&smtp)).await;
    let (app, o, noe) = (&s.app, s.opening.clone(), s.noe.clone());
    let email = format!("/app/openings/{o}/candidates/{noe}/email");

    // The recruiter edits the French rejection; a subject on two lines is refused, named.
    let tpl = "/app/settings/candidate-emails";
    let (status, page) = get(&s.rita, app, tpl).await;
    assert_eq!(status, 200);
    assert!(page.contains("Votre candidature : {title}"), "the defaults, per language");
    assert_eq!(get(&s.hm, app, tpl).await.0, 403, "hiring managers do not edit the templates");
    let (status, _, page) = post(&s.rita, app, tpl, &[("kind", "rejection"), ("language", "fr"), ("subject", ""), ("body", "x"), ("action", "save")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Subject: 1 to 200 characters on one line."));
    let body = "Bonjour {name},\n\nNous ne retenons pas votre candidature au poste {title}, faute d'expérience en <Rust>.\n\n{company}";
    assert_eq!(post(&s.rita, app, tpl, &[("kind", "rejection"), ("language", "fr"), ("subject", "Votre candidature chez {company}"), ("body", body), ("action", "save")]).await.0, 303);

    // The candidate page offers it (a rejection for a rejected candidate); the preview fills it in.
    assert_eq!(post(&s.hm, app, &format!("/app/openings/{o}/candidates/{noe}/decision"), &[("action", "reject"), ("reason", "experience"), ("back", "candidate")]).await.0, 303);
    let (_, page) = get(&s.hm, app, &format!("/app/openings/{o}/candidates/{noe}")).await;
    assert!(page.contains(r#"<option value="rejection" selected>"#), "{page}");
    let (status, page) = get(&s.hm, app, &format!("{email}?kind=rejection&language=fr")).await;
    assert_eq!(status, 200);
    let company = app.db(|c| hirecast::store::openings::find(c, &o).unwrap().unwrap().draft.company);
    assert!(page.contains(&format!(r#"value="Votre candidature chez {company}""#)), "{page}");
    assert!(page.contains("Bonjour Noé Bernard,"), "{page}");
    assert!(page.contains("&lt;Rust&gt;") || page.contains("&#60;Rust&#62;"), "the text is escaped in the page: {page}");
    let key = hidden(&page, "form_key");
    assert_eq!(get(&s.hm, app, &format!("{email}?kind=poem&language=fr")).await.0, 400);

    // Edited, previewed again, then sent; sending the same form twice sends once.
    let edited = "Bonjour Noé,\n\nMerci pour cet échange. Nous ne retenons pas votre candidature.\n\nAcme";
    let form = |action: &'static str| vec![("kind", "rejection"), ("language", "fr"), ("form_key", key.as_str()), ("subject", "Votre candidature"), ("body", edited), ("action", action)];
    let (status, _, page) = post(&s.hm, app, &email, &form("preview")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Merci pour cet échange."));
    let (status, location, _) = post(&s.hm, app, &email, &form("send")).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/app/openings/{o}/candidates/{noe}?done=emailed#emails"));
    assert_eq!(post(&s.hm, app, &email, &form("send")).await.0, 303);
    assert_eq!(drain(app).await, 1);
    assert_eq!(drain(app).await, 0);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1, "one email for two submissions");
    assert_eq!(mails[0].to(), "noe@example.fr");
    assert_eq!(mails[0].subject(), "Votre candidature");
    assert!(mails[0].text.contains("Merci pour cet échange."), "{}", mails[0].text);
    assert!(mails[0].html.contains("Merci pour cet échange."), "{}", mails[0].html);
    let (_, page) = get(&s.hm, app, &format!("/app/openings/{o}/candidates/{noe}")).await;
    assert!(page.contains("Votre candidature · <span class=\"badge\">sent</span>"), "the email is listed: {page}");

    // Refusals: a stale form key, an empty message; another opening's manager, and a guest link, get nothing.
    let mut bad = form("send");
    bad[2] = ("form_key", "x");
    assert_eq!(post(&s.hm, app, &email, &bad).await.0, 422);
    let mut empty = form("send");
    empty[4] = ("body", "  ");
    assert_eq!(post(&s.hm, app, &email, &empty).await.0, 422);
    assert_eq!(get(&s.other, app, &format!("{email}?kind=rejection&language=fr")).await.0, 404);
    assert_eq!(post(&s.other, app, &email, &form("send")).await.0, 404);
    assert_eq!(drain(app).await, 0);
}

crate::on_both_backends!(
    candidate_emails_come_from_editable_templates_and_are_previewed_then_sent_once,
    a_hiring_manager_reviews_the_shortlist_and_decides,
    the_candidate_page_shows_the_cv_inline_and_keeps_notes_and_scorecards,
    a_review_link_by_email_opens_one_shortlist_until_it_expires_or_is_revoked,
    managers_hear_of_new_shortlisted_candidates_at_once_or_in_a_daily_digest,
    recruiters_hear_of_response_targets_about_to_be_missed,
);
