//! Each candidate's stage in an opening's process: moved through the API and the opening's
//! page by recruiters and the opening's own hiring managers, every change recorded with who,
//! when and why; refusals named by field; other openings' managers see nothing.
use hirecast::domain::opening::OpeningDraft;
use hirecast::domain::user::Role;
use hirecast::store::sourcing as shortlist;
use serde_json::{json, Value};

use super::merges::{file, found};
use crate::helpers::*;

async fn candidates_move_through_the_stages_recorded_with_who_and_why(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let token = app.api_token("api@acme.fr", Role::Recruiter);
    let assigned = app.add_user("hm@acme.fr", Role::HiringManager);
    let assigned_token = app.db(|c| hirecast::store::users::create_api_token(c, &assigned.id, "tests").unwrap().1);
    let other_manager = app.api_token("other.hm@acme.fr", Role::HiringManager);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    // The opening's hiring manager.
    app.db(|c| {
        let mut o = hirecast::store::openings::find(c, &opening).unwrap().unwrap();
        o.draft.hiring_manager_ids = vec![assigned.id.clone()];
        let d: OpeningDraft = o.draft.clone();
        hirecast::store::openings::update(c, &opening, &d).unwrap();
    });
    let a = file(&app, found(&app, &opening, "Sam Petit", Some("mastodon:sam@a.social"), &["sam@example.fr"], "1", 80)).candidate_id;
    let b = file(&app, found(&app, &opening, "Léa Martin", Some("mastodon:lea@a.social"), &["lea@example.fr"], "2", 40)).candidate_id;
    let api = reqwest::Client::new();
    let url = |p: &str| app.url(&format!("/api/v1/openings/{opening}/candidates{p}"));

    // The list, best first, with stages from the score: shortlisted at 80, the inbox at 40.
    let list: Value = api.get(url("")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let rows: Vec<(&str, &str, i64)> =
        list["items"].as_array().unwrap().iter().map(|e| (e["candidate_id"].as_str().unwrap(), e["stage"].as_str().unwrap(), e["score"].as_i64().unwrap())).collect();
    assert_eq!(rows, vec![(a.as_str(), "shortlisted", 80), (b.as_str(), "new", 40)]);
    let inbox: Value = api.get(url("?stage=new")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1);
    assert_eq!(inbox["items"][0]["candidate_id"].as_str(), Some(b.as_str()));
    for (q, field) in [("?stage=moon", "stage"), ("?stgae=new", "stgae")] {
        let r = api.get(url(q)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422, "{q}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    }

    // A recruiter moves Sam to interview, with a note; the history says who and why.
    let r = api.post(url(&format!("/{a}/stage"))).bearer_auth(&token).json(&json!({"stage": "interview", "note": "Visio jeudi 10 h"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["stage"], "interview");
    let h = d["history"].as_array().unwrap();
    assert_eq!(h.len(), 2, "{d}");
    assert_eq!((h[0]["from"].as_str(), h[0]["to"].as_str(), h[0]["by"].as_str()), (None, Some("shortlisted"), None), "filed by hirecast");
    assert_eq!((h[1]["from"].as_str(), h[1]["to"].as_str(), h[1]["by"].as_str(), h[1]["note"].as_str()), (Some("shortlisted"), Some("interview"), Some("Test User"), Some("Visio jeudi 10 h")));
    // The same stage again changes nothing.
    let r = api.post(url(&format!("/{a}/stage"))).bearer_auth(&token).json(&json!({"stage": "interview"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let d: Value = api.get(url(&format!("/{a}"))).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["history"].as_array().unwrap().len(), 2);

    // Refusals, named by field; nothing changes.
    for (body, status, field) in [
        (json!({"stage": "moon"}), 422, Some("stage")),
        (json!({"stage": "offer", "note": "x".repeat(2001)}), 422, Some("note")),
        (json!({"stage": "offer", "why": "x"}), 400, None),
        (json!({"note": "x"}), 400, None),
        (json!({"stage": "rejected"}), 422, Some("reason")),
        (json!({"stage": "rejected", "reason": "vibes"}), 422, Some("reason")),
        (json!({"stage": "offer", "reason": "skills"}), 422, Some("reason")),
    ] {
        let r = api.post(url(&format!("/{a}/stage"))).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{body}");
        if let Some(field) = field {
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
        }
    }
    let r = api.post(url("/nobody/stage")).bearer_auth(&token).json(&json!({"stage": "offer"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(app.db(|c| shortlist::entry(c, &opening, &a).unwrap()).unwrap().stage, shortlist::Stage::Interview);

    // The opening's hiring manager decides; another manager sees nothing, by URL guessing either.
    let r = api.post(url(&format!("/{b}/stage"))).bearer_auth(&assigned_token).json(&json!({"stage": "rejected", "reason": "skills", "note": "Pas de Rust"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    for r in [
        api.get(url("")).bearer_auth(&other_manager).send().await.unwrap(),
        api.get(url(&format!("/{b}"))).bearer_auth(&other_manager).send().await.unwrap(),
        api.post(url(&format!("/{b}/stage"))).bearer_auth(&other_manager).json(&json!({"stage": "offer"})).send().await.unwrap(),
    ] {
        assert_eq!(r.status().as_u16(), 404);
    }
    assert_eq!(app.db(|c| shortlist::entry(c, &opening, &b).unwrap()).unwrap().stage, shortlist::Stage::Rejected);
    let r = api.get(url("")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // The page: the decision form, a refusal re-shown with its message, then the move, shown
    // with who made it.
    let page = rita.get(app.url(&format!("/app/openings/{opening}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!(r#"action="/app/openings/{opening}/candidates/{b}/stage""#)), "a decision form per candidate");
    assert!(page.contains("by Test User on"), "the latest change says who");
    let form = app.url(&format!("/app/openings/{opening}/candidates/{b}/stage"));
    let r = rita.post(&form).form(&[("stage", "moon"), ("note", "")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Choose one of the stages listed."));
    let r = rita.post(&form).form(&[("stage", "shortlisted"), ("note", "Reconsidérée : Rust en perso")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let h = app.db(|c| shortlist::history(c, &opening, &b).unwrap());
    let last = h.last().unwrap();
    assert_eq!((last.from.as_deref(), last.to.as_str(), last.note.as_deref()), (Some("rejected"), "shortlisted", Some("Reconsidérée : Rust en perso")));
    assert_eq!(h.len(), 3);
    let r = rita.post(app.url(&format!("/app/openings/{opening}/candidates/nobody/stage"))).form(&[("stage", "offer")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // A candidate merged into another is moved through the one kept.
    let m = app.db(|c| hirecast::store::merges::merge(c, &a, &b, "manual", None, app.state.clock.now()).unwrap());
    assert!(!m.is_empty());
    let r = api.post(url(&format!("/{b}/stage"))).bearer_auth(&token).json(&json!({"stage": "offer"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

crate::on_both_backends!(candidates_move_through_the_stages_recorded_with_who_and_why, each_opening_sets_its_shortlist_threshold_and_response_target);

/// The threshold and response target are set per opening (API and editor), refused with the
/// field named when out of range, and the pipeline files by the opening's own threshold.
async fn each_opening_sets_its_shortlist_threshold_and_response_target(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let rita = app.signed_in("rita@acme.fr").await;
    let token = app.api_token("api@acme.fr", Role::Recruiter);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let api = reqwest::Client::new();
    let o: Value = api.get(app.url(&format!("/api/v1/openings/{opening}"))).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!((o["shortlist_threshold"].as_i64(), o["response_target_minutes"].as_i64()), (Some(60), Some(30)), "the defaults");

    for (body, field) in [
        (json!({"shortlist_threshold": 101}), "shortlist_threshold"),
        (json!({"shortlist_threshold": -1}), "shortlist_threshold"),
        (json!({"response_target_minutes": 0}), "response_target_minutes"),
        (json!({"response_target_minutes": 10081}), "response_target_minutes"),
    ] {
        let r = api.patch(app.url(&format!("/api/v1/openings/{opening}"))).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    }
    let r = api.patch(app.url(&format!("/api/v1/openings/{opening}"))).bearer_auth(&token).json(&json!({"shortlist_threshold": 0, "response_target_minutes": 15})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let o: Value = r.json().await.unwrap();
    assert_eq!((o["shortlist_threshold"].as_i64(), o["response_target_minutes"].as_i64()), (Some(0), Some(15)));
    assert_eq!(app.db(|c| hirecast::store::harvest::opening_targets(c, &opening).unwrap()), (0, 15));

    // The editor shows them, re-shows a wrong one with its message, and saves a right one.
    let edit = rita.get(app.url(&format!("/app/openings/{opening}/edit"))).send().await.unwrap().text().await.unwrap();
    assert!(edit.contains(r#"name="shortlist_threshold""#) && edit.contains(r#"value="15""#), "the editor has both fields");
    let fields = |threshold: &str| {
        vec![
            ("title", "Développeur Rust".to_string()),
            ("company", "Acme".into()),
            ("country", "FR".into()),
            ("city", "Lyon".into()),
            ("remote_policy", "hybrid".into()),
            ("employment_type", "permanent".into()),
            ("language", "fr".into()),
            ("required_skills", "Rust\nPostgreSQL".into()),
            ("shortlist_threshold", threshold.to_string()),
            ("response_target_minutes", "45".into()),
        ]
    };
    let r = rita.post(app.url(&format!("/app/openings/{opening}"))).form(&fields("150")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("must be a score from 0 to 100, not 150"), "the message is shown");
    assert!(html.contains(r#"value="150""#), "the value typed comes back");
    assert_eq!(app.db(|c| hirecast::store::harvest::opening_targets(c, &opening).unwrap()), (0, 15), "nothing saved");
    let r = rita.post(app.url(&format!("/app/openings/{opening}"))).form(&fields("0")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.db(|c| hirecast::store::harvest::opening_targets(c, &opening).unwrap()), (0, 45));

    // An application naming no skill scores low: at the default threshold it would wait in
    // the inbox; at this opening's 0 it is shortlisted.
    let today = app.state.clock.today();
    let slug = app.db(|c| hirecast::store::openings::set_status(c, &opening, hirecast::domain::opening::OpeningStatus::Open, today).unwrap().slug);
    let form = reqwest::multipart::Form::new()
        .text("submission_key", "d".repeat(32))
        .text("name", "Noé Bernard")
        .text("email", "noe@example.org")
        .text("phone", "")
        .text("message", "Bonjour, le poste m'intéresse.")
        .text("consent", "yes")
        .text("cv_url", "https://www.linkedin.com/in/noe-bernard");
    let r = app.client.post(app.url(&format!("/jobs/{slug}/apply"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let ctx = hirecast::broadcast::ChannelContext::new(app.state.pool.clone(), app.state.settings.clone(), app.state.clock.clone(), app.state.key.clone());
    let harvester = hirecast::sourcing::harvest::Harvester::new(ctx, super::sourcing_for(&app, 9));
    assert_eq!(harvester.run_once().await.unwrap(), 1);
    let entries = app.db(|c| shortlist::entries_for_opening(c, &opening).unwrap());
    assert_eq!(entries.len(), 1);
    assert!(entries[0].score < 60, "scored {}: below the default threshold", entries[0].score);
    assert_eq!(entries[0].stage, shortlist::Stage::Shortlisted);
}
