//! Applications from the careers site join the sourcing pipeline: the uploaded CV file (or the
//! CV link given on the form, fetched safely) is read, the applicant scored against the opening
//! and filed in its shortlist store, and acknowledged by email once, on the real SMTP peer.
use hirecast::broadcast::ChannelContext;
use hirecast::domain::opening::OpeningStatus;
use hirecast::sourcing::harvest::Harvester;
use hirecast::store::sourcing as shortlist;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::*;

fn form(name: &str, email: &str, phone: &str, message: &str, key: &str) -> Form {
    Form::new()
        .text("submission_key", key.to_string())
        .text("name", name.to_string())
        .text("email", email.to_string())
        .text("phone", phone.to_string())
        .text("message", message.to_string())
        .text("consent", "yes")
}

async fn applications_are_read_scored_shortlisted_and_acknowledged_once(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let docx = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.docx")).unwrap();
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.pdf")).unwrap();
    let cvs = super::harvest::CvServer::start(vec![("/cv-ines.pdf", "application/pdf", pdf)]);
    let smtp_url = smtp.url();
    let app = spawn_app_with(backend, |s| s.broadcast.smtp_url = Some(smtp_url)).await;
    let opening = crate::outbox::draft_opening(&app, "Développeuse ou développeur Rust");
    let today = app.state.clock.today();
    let slug = app.db(|c| hirecast::store::openings::set_status(c, &opening, OpeningStatus::Open, today).unwrap().slug);

    // One applicant uploads a Word CV; another gives a link to her CV.
    let with_file = form("Camille Martin", "camille@example.org", "06 12 34 56 78", "Bonjour, je suis intéressée.", &"a".repeat(32))
        .part("cv", Part::bytes(docx).file_name("cv.docx").mime_str("application/vnd.openxmlformats-officedocument.wordprocessingml.document").unwrap());
    // Camille's browser asks for French, Inès's for English: each is answered in the form's language.
    let r = app.client.post(app.url(&format!("/jobs/{slug}/apply"))).header("accept-language", "fr-FR,fr;q=0.9").multipart(with_file).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let with_link = form("Inès Diallo", "ines@example.org", "+33 7 00 00 00 01", "Mon CV est en lien.", &"b".repeat(32))
        .text("cv_url", format!("http://cv.example.com:{}/cv-ines.pdf", cvs.port));
    let r = app.client.post(app.url(&format!("/jobs/{slug}/apply"))).header("accept-language", "en-GB,en;q=0.8").multipart(with_link).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());

    let ctx = ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone());
    let harvester = Harvester::new(ctx, super::sourcing_for(&app, cvs.port));
    assert_eq!(harvester.run_once().await.unwrap(), 2, "both applications went through the pipeline");
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 2);
    for e in &entries {
        assert_eq!(e.origin, "applied");
        let x: Value = serde_json::from_str(&e.explanation).unwrap();
        assert!(
            x["matched"].as_array().unwrap().iter().any(|m| m["label_en"] == "Rust" && m["source"]["kind"] == "cv"),
            "{}: Rust read in the CV: {x}",
            e.candidate.name
        );
        assert!(e.score >= 50, "{} scored {}", e.candidate.name, e.score);
        assert_eq!(app.db(|c| shortlist::cvs_of(c, &e.candidate.id).unwrap()).len(), 1, "{}'s CV is in the shortlist store", e.candidate.name);
        let sources = app.db(|c| shortlist::sources_of(c, &e.candidate.id).unwrap());
        assert!(sources.iter().any(|s| s.0 == "apply_form" && s.1 == "careers"), "{sources:?}");
    }
    // The phone as typed on the form is known in E.164 too.
    let camille = entries.iter().find(|e| e.candidate.name == "Camille Martin").unwrap();
    assert_eq!(app.db(|c| shortlist::signal_holders(c, shortlist::IdentityKind::Phone, "+33612345678").unwrap()), vec![camille.candidate.id.clone()]);
    assert_eq!(app.db(|c| shortlist::candidate_by_identity(c, shortlist::IdentityKind::Phone, "+33612345678").unwrap()), None, "a phone is a signal, not an identity");
    assert_eq!(cvs.hits.load(std::sync::atomic::Ordering::SeqCst), 1, "the CV link was fetched once");

    // Each applicant gets one acknowledgement, in the language of the form they filled in
    // (the opening is in French).
    let mails = smtp.wait_for(2).await;
    let mut to: Vec<String> = mails.iter().map(|m| m.to()).collect();
    to.sort();
    assert!(to[0].contains("camille@example.org") && to[1].contains("ines@example.org"), "{to:?}");
    let to_camille = mails.iter().find(|m| m.to().contains("camille@")).unwrap();
    let to_ines = mails.iter().find(|m| m.to().contains("ines@")).unwrap();
    assert!(to_camille.subject().starts_with("Votre candidature"), "{}", to_camille.subject());
    assert!(to_ines.subject().starts_with("Your application"), "{}", to_ines.subject());

    // Nothing is read twice; the time to first response has its two samples.
    app.state.clock.advance(chrono::Duration::seconds(hirecast::sourcing::harvest::HARVEST_EVERY_SECS));
    assert_eq!(harvester.run_once().await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 2, "acknowledged once");
    let today = app.state.clock.today();
    let month = hirecast::store::analytics::Range { from: today - chrono::Duration::days(29), to: today + chrono::Duration::days(1) };
    let (summary, _) = app.db(|c| hirecast::store::analytics::response_summary(c, hirecast::store::analytics::Scope::All, month, app.state.clock.now()).unwrap());
    assert_eq!((summary.answered, summary.within), (2, 2));

    // The same person applying again is the same candidate, not a second one.
    let again = form("Camille Martin", "Camille@Example.org", "06 12 34 56 78", "Je relance ma candidature.", &"c".repeat(32));
    let again = again.text("cv_url", "https://www.linkedin.com/in/camille-martin");
    let r = app.client.post(app.url(&format!("/jobs/{slug}/apply"))).multipart(again).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(harvester.run_once().await.unwrap(), 1);
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 2);
}

/// Files `n` applications to the opening through the store's own function (the apply form's).
fn file_applications(app: &TestApp, opening: &str, n: usize, tag: &str) -> Vec<String> {
    use hirecast::store::applications::{self, Filed, NewApplication};
    (0..n)
        .map(|i| {
            let details = hirecast::domain::candidate::ApplicantDetails::parse(&format!("Person {tag}{i}"), &format!("p{tag}{i}@example.org"), "", "", "Rust, PostgreSQL").unwrap();
            let at = app.state.clock.now() + chrono::Duration::milliseconds(i as i64);
            let filed = app.db(|c| {
                applications::file(
                    c,
                    NewApplication {
                        opening_id: opening,
                        details: &details,
                        cv: None,
                        submission_key: &format!("key-{tag}-{i}"),
                        consent_language: hirecast::i18n::Lang::En,
                        source: "apply_form",
                        at,
                        talent_pool: false,
                    },
                )
                .unwrap()
            });
            match filed {
                Filed::New { application_id, .. } => application_id,
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

async fn the_intake_queue_is_claimed_once_across_workers_and_nothing_is_sent_twice(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(backend, |s| {
        s.broadcast.smtp_url = Some(smtp_url);
        s.broadcast.worker_concurrency = 4;
    })
    .await;
    app.add_user("rita@acme.fr", hirecast::domain::user::Role::Recruiter);
    let opening = crate::outbox::draft_opening(&app, "Développeuse Rust");
    let today = app.state.clock.today();
    app.db(|c| hirecast::store::openings::set_status(c, &opening, OpeningStatus::Open, today).unwrap());
    let ids = file_applications(&app, &opening, 40, "a");

    // The dashboard shows the queue and its age.
    app.state.clock.advance(chrono::Duration::minutes(45));
    let rita = app.signed_in("rita@acme.fr").await;
    let html = rita.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-stat="applications-waiting">40<"#), "{html}");
    assert!(html.contains(r#"data-stat="oldest-waiting">45<"#));
    assert!(html.contains(r#"class="stat warning"><span class="stat-number" data-stat="oldest-waiting""#), "past the 30-minute target: shown as late");

    // Claims come oldest first and are not handed out twice while held.
    let now = app.state.clock.now();
    let lease = now + chrono::Duration::seconds(hirecast::store::applications::INGEST_LEASE_SECS);
    let first: Vec<String> = app.db(|c| hirecast::store::applications::claim_pending(c, 5, now, lease).unwrap()).into_iter().map(|(a, _)| a.id).collect();
    assert_eq!(first, ids[..5].to_vec(), "in order of arrival");
    let second: Vec<String> = app.db(|c| hirecast::store::applications::claim_pending(c, 5, now, lease).unwrap()).into_iter().map(|(a, _)| a.id).collect();
    assert_eq!(second, ids[5..10].to_vec(), "the claimed ones are skipped");
    // Their claim ends (the worker that took them died): another worker takes them over.
    app.state.clock.advance(chrono::Duration::seconds(hirecast::store::applications::INGEST_LEASE_SECS + 1));

    // Two workers (as two processes would) drain the queue at once.
    let worker = || {
        let ctx = ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone());
        Harvester::new(ctx, super::sourcing_for(&app, 1))
    };
    let (a, b) = (worker(), worker());
    let (ra, rb) = tokio::join!(a.run_once(), b.run_once());
    assert_eq!(ra.unwrap() + rb.unwrap(), 40, "each application filed once, by one of them");
    assert_eq!(app.db(|c| hirecast::store::applications::backlog(c).unwrap()).0, 0);
    assert_eq!(app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap()).len(), 40);
    // Waiting 45 minutes did not cost the acknowledgement: each of the 40 got one, once.
    let mails = smtp.wait_for(40).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 40, "nothing sent twice");
    let mut to: Vec<String> = mails.iter().map(|m| m.to()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 40, "one each");
    let (ra, rb) = tokio::join!(a.run_once(), b.run_once());
    assert_eq!(ra.unwrap() + rb.unwrap(), 0);
    let html = rita.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-stat="applications-waiting">0<"#) && html.contains(r#"data-stat="messages-due">0<"#));
}

async fn an_application_read_after_a_day_is_still_acknowledged(backend: Backend) {
    let smtp = crate::email::Smtp::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(backend, |s| s.broadcast.smtp_url = Some(smtp_url)).await;
    let opening = crate::outbox::draft_opening(&app, "Développeuse Rust");
    let today = app.state.clock.today();
    app.db(|c| hirecast::store::openings::set_status(c, &opening, OpeningStatus::Open, today).unwrap());
    file_applications(&app, &opening, 1, "late");
    // The workers were down for two days (a long backlog): the acknowledgement still goes out.
    app.state.clock.advance(chrono::Duration::days(2));
    let ctx = ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone());
    let harvester = Harvester::new(ctx, super::sourcing_for(&app, 1));
    assert_eq!(harvester.run_once().await.unwrap(), 1);
    let mails = smtp.wait_for(1).await;
    assert!(mails[0].to().contains("plate0@example.org"), "{}", mails[0].to());
}

crate::on_both_backends!(
    applications_are_read_scored_shortlisted_and_acknowledged_once,
    the_intake_queue_is_claimed_once_across_workers_and_nothing_is_sent_twice,
    an_application_read_after_a_day_is_still_acknowledged
);
