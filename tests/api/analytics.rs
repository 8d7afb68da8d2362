//! /app/analytics: the funnel, first-touch channels, response times against the target and
//! activity, with exact figures on the page and in the CSV downloads; hostile titles escaped
//! in the SVG and defused in the CSV; hiring managers see only their openings; bad filters
//! named; French for French users.
use chrono::{Datelike, Duration};
use hirecast::broadcast::RemotePost;
use hirecast::domain::opening::OpeningDraft;
use hirecast::domain::user::Role;
use hirecast::store::deliveries::{self, OnClose, Outcome, PublishPlan, Target};
use hirecast::store::harvest::{self, NewMessage};
use hirecast::store::sourcing::{self as shortlist, Found, FoundSource, SourceKind, Stage};

use crate::helpers::*;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A candidate found in one answer on `network` (a reply, or the apply form for `careers`),
/// filed by the real store function as the pipeline does.
fn filed(app: &TestApp, opening: &str, name: &str, network: &str, id: &str, score: u8) -> String {
    filed_at(app, opening, name, network, id, score, app.state.clock.now())
}

fn filed_at(app: &TestApp, opening: &str, name: &str, network: &str, id: &str, score: u8, at: chrono::NaiveDateTime) -> String {
    let handle = format!("{network}:{id}@example");
    let f = Found {
        opening_id: opening.into(),
        name: name.into(),
        handle: Some(handle.clone()),
        given_emails: vec![format!("{id}@example.fr")],
        emails: vec![format!("{id}@example.fr")],
        phones: Vec::new(),
        headline: None,
        location: None,
        languages: Vec::new(),
        years_experience: None,
        sources: vec![FoundSource {
            kind: if network == "careers" { SourceKind::ApplyForm } else { SourceKind::Reply },
            network: network.into(),
            remote_id: format!("{opening}-{id}"),
            url: None,
            author: Some(handle),
            text: format!("answer of {name}"),
            posted_at: None,
        }],
        cvs: Vec::new(),
        origin: "applied",
        score,
        explanation: serde_json::json!({"matched": [], "missing": [], "criteria": []}).to_string(),
        threshold: 60,
        at,
    };
    app.db(|c| shortlist::file_found(c, &f).unwrap()).candidate_id
}

/// Publishes the opening on one webhook account and records the post as published.
fn publish_one_post(app: &TestApp, opening: &str) {
    let account = crate::outbox::webhook_account(app, "hook");
    let plan = PublishPlan { targets: vec![Target { account_id: account, on_close: OnClose::Nothing }], at: None, repost_every_days: None };
    let (base, today, now) = (app.state.settings.base_url.clone(), app.state.clock.today(), app.state.clock.now());
    let rows = app.db(|c| deliveries::publish(c, opening, &plan, &base, today, now, None).unwrap());
    let id = rows[0].id.clone();
    let claimed = app.db(|c| deliveries::claim(c, "w", now, Duration::seconds(30), 5).unwrap());
    assert_eq!(claimed.len(), 1);
    let published = Outcome::Published(RemotePost { id: "1".into(), url: None, ids: vec!["1".into()] });
    app.db(|c| deliveries::record(c, &id, "w", &published, now).unwrap());
}

/// Queues the acknowledgement of `candidate`'s answer given `ago_minutes` ago; sent now when `sent`.
fn acknowledge(app: &TestApp, opening: &str, candidate: &str, ago_minutes: i64, sent: bool) {
    let now = app.state.clock.now();
    let key = format!("ack:{opening}:{candidate}");
    app.db(|c| {
        harvest::queue_message(
            c,
            NewMessage {
                key: &key,
                candidate_id: candidate,
                opening_id: opening,
                kind: "ack",
                channel: "email",
                account_id: None,
                target: "someone@example.fr",
                reply_to: None,
                at: now,
                answered_at: now - Duration::minutes(ago_minutes),
                language: None,
            },
        )
        .unwrap()
    });
    if sent {
        let due = app.db(|c| harvest::due_messages(c, now, 50).unwrap());
        let m = due.iter().find(|m| m.candidate_id == candidate).expect("queued");
        app.db(|c| harvest::message_outcome(c, &m.id, "sent", Some("r"), None, now, now).unwrap());
    }
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

fn funnel_row(opening: &str, title: &str, figures: [i64; 7]) -> String {
    let cells: String = figures.iter().map(|n| format!("<td>{n}</td>")).collect();
    format!(r#"<tr data-opening="{opening}"><th scope="row">{title}</th>{cells}</tr>"#)
}

async fn the_funnel_channels_and_response_times_are_counted_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let rita = app.add_user("rita@acme.fr", Role::Recruiter);
    let client = app.signed_in("rita@acme.fr").await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    publish_one_post(&app, &opening);

    // Clicks: twice through the Mastodon link, once through LinkedIn's.
    let mastodon = app.db(|c| hirecast::store::links::link_for(c, &opening, "mastodon").unwrap().code);
    let linkedin = app.db(|c| hirecast::store::links::link_for(c, &opening, "linkedin").unwrap().code);
    for code in [&mastodon, &mastodon, &linkedin] {
        let r = new_client().get(app.url(&format!("/r/{code}"))).header("user-agent", FIREFOX).send().await.unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
    }

    // Ana (Mastodon) shortlisted, interviewed, then rejected; Ben (Bluesky) hired from the
    // shortlist; Chloé (Mastodon) in the inbox; Dan applied on the careers site, shortlisted.
    let a = filed(&app, &opening, "Ana", "mastodon", "ana", 80);
    let b = filed(&app, &opening, "Ben", "bluesky", "ben", 80);
    let c = filed(&app, &opening, "Chloé", "mastodon", "chloe", 40);
    filed(&app, &opening, "Dan", "careers", "dan", 70);
    // Eve, shortlisted, turns out to be Chloé: merged away, she no longer counts (her reply
    // moved to Chloé's sources and still counts as a reply).
    let e = filed(&app, &opening, "Eve", "mastodon", "eve", 90);
    app.db(|conn| hirecast::store::merges::merge(conn, &c, &e, "manual", Some(&rita.id), app.state.clock.now()).unwrap());
    let now = app.state.clock.now();
    app.db(|conn| {
        assert!(shortlist::move_to(conn, &opening, &a, Stage::Interview, &rita.id, now, None).unwrap());
        assert!(shortlist::move_to(conn, &opening, &a, Stage::Rejected, &rita.id, now, Some("Non")).unwrap());
        assert!(shortlist::move_to(conn, &opening, &b, Stage::Hired, &rita.id, now, None).unwrap());
    });

    // Response target 30 minutes: Ana acknowledged after 10, Ben after 45, Chloé still waiting
    // after 60 (overdue); Dan is owed nothing.
    acknowledge(&app, &opening, &a, 10, true);
    acknowledge(&app, &opening, &b, 45, true);
    acknowledge(&app, &opening, &c, 60, false);

    let (status, html) = get(&client, &app, "/app/analytics").await;
    assert_eq!(status, 200, "{html}");
    // posts, clicks, replies, candidates, shortlisted, interviewed, hired
    assert!(html.contains(&funnel_row(&opening, "Développeur Rust", [1, 3, 4, 4, 3, 2, 1])), "{html}");
    assert!(html.contains(r#"<tr data-total="funnel"><th scope="row">Total</th><td>1</td><td>3</td><td>4</td><td>4</td><td>3</td><td>2</td><td>1</td></tr>"#));
    for row in [
        r#"<tr data-channel="mastodon"><th scope="row">Mastodon</th><td>2</td><td>1</td><td>0</td><td>2</td></tr>"#,
        r#"<tr data-channel="bluesky"><th scope="row">Bluesky</th><td>1</td><td>1</td><td>1</td><td>0</td></tr>"#,
        r#"<tr data-channel="careers"><th scope="row">Careers site</th><td>1</td><td>1</td><td>0</td><td>0</td></tr>"#,
        r#"<tr data-channel="linkedin"><th scope="row">LinkedIn</th><td>0</td><td>0</td><td>0</td><td>1</td></tr>"#,
    ] {
        assert!(html.contains(row), "{row} in {html}");
    }
    for (stat, value) in [("within", "1"), ("late", "1"), ("waiting", "1"), ("overdue", "1"), ("median", "10"), ("p90", "45")] {
        assert!(html.contains(&format!(r#"data-stat="{stat}">{value}<"#)), "{stat} = {value}");
    }
    let today = app.state.clock.today();
    // The default 90 days are counted per ISO week: all of it in this one.
    let week = format!("{}-W{:02}", today.iso_week().year(), today.iso_week().week());
    assert!(
        html.contains(&format!(r#"<tr data-period="{week}"><th scope="row">{week}</th><td>5</td><td>4</td><td>3</td><td>3</td></tr>"#)),
        "activity of this week: five answers, four candidates (Eve merged away), three decisions, three clicks"
    );
    // Four charts, each an image with its title; no script, no style attribute.
    assert_eq!(html.matches(r#"role="img""#).count(), 4);
    assert!(html.contains(r#"<title id="chart-funnel-title">Funnel of All openings</title>"#));
    assert!(!html.contains("style="));
    assert!(html.contains(r#"id="nav-analytics" aria-current="page">Analytics</a>"#));

    // The CSV downloads: same figures.
    let from = today - Duration::days(89);
    let to = today + Duration::days(1);
    let r = client.get(app.url("/app/analytics/funnel.csv")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(r.headers()["content-disposition"].to_str().unwrap(), format!(r#"attachment; filename="hirecast-funnel-{from}-{to}.csv""#));
    let body = r.text().await.unwrap();
    assert_eq!(
        body,
        format!("opening_id,opening,posts,link_clicks,replies,candidates,shortlisted,interviewed,hired\r\n{opening},Développeur Rust,1,3,4,4,3,2,1\r\n")
    );
    let (_, channels) = get(&client, &app, "/app/analytics/channels.csv").await;
    assert_eq!(
        channels,
        "channel,candidates,shortlisted,hired,link_clicks\r\nmastodon,2,1,0,2\r\nbluesky,1,1,1,0\r\ncareers,1,1,0,0\r\nlinkedin,0,0,0,1\r\n"
    );
    let (_, response) = get(&client, &app, &format!("/app/analytics/response.csv?opening={opening}")).await;
    let lines: Vec<&str> = response.lines().collect();
    assert_eq!(lines[0], "opening_id,opening,candidate_id,answered_at,acknowledged_at,minutes,target_minutes,status");
    assert_eq!(lines.len(), 4);
    let status_of = |cand: &str| lines.iter().find(|l| l.contains(cand)).map(|l| l.rsplit(',').next().unwrap().to_string()).unwrap();
    assert_eq!((status_of(&a), status_of(&b), status_of(&c)), ("within".into(), "late".into(), "overdue".into()));
    assert!(lines.iter().any(|l| l.contains(&a) && l.contains(",10,30,within")));
    // A week: per day.
    let week_ago = today - Duration::days(6);
    let (_, activity) = get(&client, &app, &format!("/app/analytics/activity.csv?from={week_ago}&to={to}")).await;
    assert!(activity.starts_with("period,new_answers,new_candidates,decisions,link_clicks\r\n"));
    assert!(activity.contains(&format!("\r\n{today},5,4,3,3\r\n")), "{activity}");
    assert!(activity.contains(&format!("\r\n{week_ago},0,0,0,0\r\n")), "{activity}");
    assert_eq!(activity.lines().count(), 8, "a header and 7 days");
    let (_, html) = get(&client, &app, &format!("/app/analytics?from={week_ago}&to={to}")).await;
    assert!(html.contains(&format!(r#"<tr data-period="{today}"><th scope="row">{today}</th><td>5</td><td>4</td><td>3</td><td>3</td></tr>"#)));

    // A range before all of it: zeros, and charts that say so.
    let (status, html) = get(&client, &app, "/app/analytics?from=2020-01-01&to=2020-02-01").await;
    assert_eq!(status, 200);
    assert!(!html.contains(&funnel_row(&opening, "Développeur Rust", [0; 7])), "all openings: only those with figures are listed");
    assert!(html.contains(r#"<p class="hint" id="funnel-unlisted">1 other opening had nothing in this period and is not listed.</p>"#), "{html}");
    assert!(html.contains("No data for this period."));
    let (_, html) = get(&client, &app, &format!("/app/analytics?opening={opening}&from=2020-01-01&to=2020-02-01")).await;
    assert!(html.contains(&funnel_row(&opening, "Développeur Rust", [0; 7])), "the opening asked for is listed with zeros");
    assert!(!html.contains("funnel-unlisted"));
    // Over 62 days: per ISO week.
    let (_, weekly) = get(&client, &app, "/app/analytics/activity.csv?from=2020-01-01&to=2020-06-01").await;
    assert!(weekly.contains("\r\n2020-W01,0,0,0,0\r\n"), "{weekly}");
}

async fn hostile_titles_are_escaped_in_the_charts_and_defused_in_the_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let client = app.signed_in("rita@acme.fr").await;
    let formula = crate::outbox::draft_opening(&app, r#"=HYPERLINK("x")"#);
    let script = crate::outbox::draft_opening(&app, "<script>alert(1)</script>");
    filed(&app, &script, "Ana", "mastodon", "ana", 80);

    let (status, html) = get(&client, &app, &format!("/app/analytics?opening={script}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert"), "never raw");
    assert!(html.contains(r#"<title id="chart-funnel-title">Funnel of &lt;script&gt;alert(1)&lt;/script&gt;</title>"#), "escaped in the SVG");
    assert!(html.contains("<svg "));

    let (status, csv) = get(&client, &app, "/app/analytics/funnel.csv").await;
    assert_eq!(status, 200);
    assert!(csv.contains(&format!(r#"{formula},"'=HYPERLINK(""x"")",0,0,0,0,0,0,0"#)), "{csv}");
    assert!(csv.contains(&format!("{script},<script>alert(1)</script>,0,0,1,1,1,0,0")), "{csv}");
}

async fn hiring_managers_see_only_their_openings_in_lists_and_totals(backend: Backend) {
    let app = spawn_app(backend).await;
    let hm = app.add_user("hm@acme.fr", Role::HiringManager);
    let client = app.signed_in("hm@acme.fr").await;
    let mine = crate::outbox::draft_opening(&app, "Mon poste");
    let other = crate::outbox::draft_opening(&app, "Poste caché");
    app.db(|c| {
        let mut o = hirecast::store::openings::find(c, &mine).unwrap().unwrap();
        o.draft.hiring_manager_ids = vec![hm.id.clone()];
        let d: OpeningDraft = o.draft.clone();
        hirecast::store::openings::update(c, &mine, &d).unwrap();
    });
    filed(&app, &mine, "Ana", "mastodon", "ana", 80);
    filed(&app, &other, "Ben", "bluesky", "ben", 80);
    filed(&app, &other, "Chloé", "x", "chloe", 80);

    let (status, html) = get(&client, &app, "/app/analytics").await;
    assert_eq!(status, 200);
    assert!(html.contains(&funnel_row(&mine, "Mon poste", [0, 0, 1, 1, 1, 0, 0])));
    assert!(!html.contains("Poste caché") && !html.contains(&other), "not listed");
    assert!(html.contains(r#"<tr data-total="funnel"><th scope="row">Total</th><td>0</td><td>0</td><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td></tr>"#));
    assert!(!html.contains(r#"data-channel="bluesky""#), "nor in the channels");
    let (_, csv) = get(&client, &app, "/app/analytics/channels.csv").await;
    assert_eq!(csv, "channel,candidates,shortlisted,hired,link_clicks\r\nmastodon,1,1,0,0\r\n");
    for path in [format!("/app/analytics?opening={other}"), format!("/app/analytics/funnel.csv?opening={other}")] {
        assert_eq!(get(&client, &app, &path).await.0, 404, "{path}");
    }
    assert_eq!(get(&client, &app, &format!("/app/analytics?opening={mine}")).await.0, 200);
    // Signed out: to the sign-in page.
    assert_eq!(new_client().get(app.url("/app/analytics")).send().await.unwrap().status().as_u16(), 303);
}

async fn bad_filters_are_named_and_unknown_tables_are_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rita@acme.fr", Role::Recruiter);
    let client = app.signed_in("rita@acme.fr").await;
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("from=yesterday&to=2026-01-01", "from"),
        ("to=01/02/2026", "to"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=2020-01-01&to=2026-01-01", "from"),
    ] {
        for path in ["/app/analytics", "/app/analytics/funnel.csv"] {
            let (status, html) = get(&client, &app, &format!("{path}?{query}")).await;
            assert_eq!(status, 422, "{path}?{query}");
            assert!(html.contains(&format!(r#"<li data-field="{field}">"#)), "{query}: {html}");
        }
    }
    let (_, html) = get(&client, &app, "/app/analytics?from=2026-13-01").await;
    assert!(html.contains("From: Enter a date as YYYY-MM-DD."), "the field and the fix");
    assert!(html.contains(r#"value="2026-13-01""#), "the value typed comes back");
    // An opening that does not exist answers like a hidden one: ids are not probed.
    for path in ["/app/analytics?opening=no-such-opening", "/app/analytics/funnel.csv?opening=no-such-opening"] {
        assert_eq!(get(&client, &app, path).await.0, 404, "{path}");
    }
    for path in ["/app/analytics/nope.csv", "/app/analytics/funnel", "/app/analytics/funnel.json", "/app/analytics/.csv"] {
        assert_eq!(get(&client, &app, path).await.0, 404, "{path}");
    }
}

async fn the_page_is_in_french_for_french_users(backend: Backend) {
    let app = spawn_app(backend).await;
    let u = app.add_user("rita@acme.fr", Role::Recruiter);
    app.db(|c| hirecast::store::users::set_locale(c, &u.id, hirecast::i18n::Lang::Fr).unwrap());
    let client = app.signed_in("rita@acme.fr").await;
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    filed(&app, &opening, "Ana", "careers", "ana", 80);
    let (status, html) = get(&client, &app, "/app/analytics").await;
    assert_eq!(status, 200);
    for text in ["Statistiques</a>", "Entonnoir", "Canaux", "Délai de première réponse", "Activité", "Télécharger en CSV", "Site carrières", "Présélectionnés"] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains(r#"<html lang="fr">"#));
    let (status, html) = get(&client, &app, "/app/analytics?to=demain").await;
    assert_eq!(status, 422);
    assert!(html.contains("Au (non compris) : Saisissez une date au format AAAA-MM-JJ."), "{html}");
}

/// A small pseudo-random generator, so the data set is the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The figures the database counts (`analytics::report`, `answers_page`) are those of the
/// reference model (every row loaded and counted in Rust by `analytics::aggregate`), for every
/// scope (all, a manager's, each opening) and for ranges by day and by week, over a data set of
/// candidates in several openings, several sources each, stage moves, merges, acknowledgements
/// sent late, early or not at all, clicks on several days and published posts.
async fn the_figures_counted_in_sql_are_those_of_the_reference_model(backend: Backend) {
    use hirecast::store::analytics::{self, OpeningRef, Range, Scope};
    let app = spawn_app(backend).await;
    let rita = app.add_user("rita@acme.fr", Role::Recruiter);
    let hm = app.add_user("hm@acme.fr", Role::HiringManager);
    let openings: Vec<String> = ["Développeur Rust", "data engineer", "Chef de projet"].iter().map(|t| crate::outbox::draft_opening(&app, t)).collect();
    app.db(|c| {
        let mut o = hirecast::store::openings::find(c, &openings[0]).unwrap().unwrap();
        o.draft.hiring_manager_ids = vec![hm.id.clone()];
        hirecast::store::openings::update(c, &openings[0], &o.draft.clone()).unwrap();
    });
    publish_one_post(&app, &openings[0]);
    publish_one_post(&app, &openings[1]);
    let now = app.state.clock.now();
    let mut rng = Lcg(7);
    let networks = ["mastodon", "bluesky", "x", "careers", "linkedin"];
    let stages = [Stage::Shortlisted, Stage::Interview, Stage::Offer, Stage::Hired, Stage::Rejected, Stage::OnHold, Stage::New];
    let mut people: Vec<(String, String, chrono::NaiveDateTime)> = Vec::new();
    for i in 0..45u64 {
        let opening = &openings[(i % 3) as usize];
        let at = now - Duration::days(rng.next(120) as i64) - Duration::minutes(rng.next(1440) as i64);
        let network = networks[rng.next(5) as usize];
        let id = format!("p{i}");
        let cid = filed_at(&app, opening, &format!("Person {i}"), network, &id, 30 + rng.next(70) as u8, at);
        people.push((opening.clone(), cid.clone(), at));
        // Some answer a second opening too, from another network, later or earlier.
        if i % 4 == 0 {
            let other = &openings[((i + 1) % 3) as usize];
            let at2 = at + Duration::hours(rng.next(200) as i64 - 100);
            filed_at(&app, other, &format!("Person {i}"), networks[rng.next(5) as usize], &id, 50, at2.min(now));
            people.push((other.clone(), cid.clone(), at2.min(now)));
        }
    }
    for (opening, cid, at) in people.clone() {
        let mut t = at;
        for _ in 0..rng.next(4) {
            t = (t + Duration::hours(1 + rng.next(72) as i64)).min(now);
            let stage = stages[rng.next(stages.len() as u64) as usize];
            app.db(|c| shortlist::move_to(c, &opening, &cid, stage, &rita.id, t, None).unwrap());
        }
        // Acknowledgements: none, queued, sent within or after the target, sometimes twice.
        for k in 0..rng.next(3) {
            let answered = at + Duration::minutes(rng.next(30) as i64);
            let key = format!("ack:{opening}:{cid}:{k}");
            app.db(|c| {
                harvest::queue_message(
                    c,
                    NewMessage { key: &key, candidate_id: &cid, opening_id: &opening, kind: "ack", channel: "email", account_id: None, target: "someone@example.fr", reply_to: None, at: answered, answered_at: answered, language: None },
                )
                .unwrap()
            });
            if rng.next(3) > 0 {
                let sent = answered + Duration::minutes(rng.next(120) as i64) + Duration::seconds(rng.next(59) as i64);
                let due = app.db(|c| harvest::due_messages(c, now, 500).unwrap());
                let m = due.iter().find(|m| m.candidate_id == cid && m.opening_id.as_deref() == Some(opening.as_str())).expect("queued");
                app.db(|c| harvest::message_outcome(c, &m.id, "sent", Some("r"), None, sent, sent.min(now)).unwrap());
            }
        }
    }
    // Two merges: the absorbed people no longer count.
    for (a, b) in [(1usize, 2usize), (10, 13)] {
        let (survivor, absorbed) = (people[a].1.clone(), people[b].1.clone());
        app.db(|c| hirecast::store::merges::merge(c, &survivor, &absorbed, "manual", Some(&rita.id), now).unwrap());
    }
    // Clicks on several days and channels.
    for (i, o) in openings.iter().enumerate() {
        for ch in ["mastodon", "linkedin", "x"] {
            let code = app.db(|c| hirecast::store::links::link_for(c, o, ch).unwrap().code);
            for _ in 0..(i as u64 + rng.next(6)) {
                let day = app.state.clock.today() - Duration::days(rng.next(100) as i64);
                app.db(|c| hirecast::store::links::record_click(c, &code, day).unwrap());
            }
        }
    }

    let all: Vec<OpeningRef> = app.db(|c| analytics::visible_openings(c, None).unwrap());
    let managed: Vec<OpeningRef> = app.db(|c| analytics::visible_openings(c, Some(&hm.id)).unwrap());
    assert_eq!(managed.len(), 1);
    let today = app.state.clock.today();
    let ranges = [
        Range { from: today - Duration::days(89), to: today + Duration::days(1) },
        Range { from: today - Duration::days(6), to: today + Duration::days(1) },
        Range { from: today - Duration::days(200), to: today + Duration::days(1) },
        Range { from: today - Duration::days(60), to: today - Duration::days(30) },
        Range { from: today - Duration::days(2000), to: today - Duration::days(1000) },
    ];
    let mut scopes: Vec<(Scope, Vec<OpeningRef>)> = vec![(Scope::All, all.clone()), (Scope::Managed(&hm.id), managed.clone())];
    for o in &all {
        scopes.push((Scope::One(&o.id), vec![o.clone()]));
    }
    let mut compared = 0;
    for range in ranges {
        for (scope, refs) in &scopes {
            let ids: Vec<String> = refs.iter().map(|o| o.id.clone()).collect();
            let mut want = app.db(|c| analytics::aggregate(refs, &analytics::load(c, &ids, range).unwrap(), range, now));
            let got = app.db(|c| analytics::report(c, *scope, refs, range, now).unwrap());
            let one = matches!(scope, Scope::One(_));
            // The funnel of several openings lists only those with figures.
            want.funnel.retain(|f| one || f.posts + f.clicks + f.replies + f.candidates > 0);
            let mut want_rows = std::mem::take(&mut want.response.rows);
            want_rows.sort_by(|a, b| (a.answered_at, &a.candidate_id, &a.opening_id).cmp(&(b.answered_at, &b.candidate_id, &b.opening_id)));
            assert_eq!(got, want, "{scope:?} {range:?}");
            // The answers, 4 a page, are the reference's rows in order.
            let mut rows = Vec::new();
            let mut after = None;
            loop {
                let page = app.db(|c| analytics::answers_page(c, *scope, refs, range, now, after.as_ref(), 4).unwrap());
                after = page.last().map(|x| (x.answered_at, x.candidate_id.clone(), x.opening_id.clone()));
                let n = page.len();
                rows.extend(page);
                if n < 4 {
                    break;
                }
            }
            assert_eq!(rows, want_rows, "{scope:?} {range:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 25);
    // The data set is not trivial: the widest range has every kind of figure.
    let wide = app.db(|c| analytics::report(c, Scope::All, &all, ranges[2], now).unwrap());
    let t = &wide.total;
    assert!(t.posts >= 2 && t.clicks > 10 && t.replies > 20 && t.candidates > 40 && t.shortlisted > 5 && t.interviewed > 3 && t.hired > 0, "{t:?}");
    let r = &wide.response;
    assert!(r.within > 3 && r.late > 3 && r.waiting > 0 && r.overdue > 0 && r.median.is_some(), "{r:?}");
    assert!(wide.channels.len() >= 5 && wide.weekly);
}

crate::on_both_backends!(
    the_figures_counted_in_sql_are_those_of_the_reference_model,
    the_funnel_channels_and_response_times_are_counted_exactly,
    hostile_titles_are_escaped_in_the_charts_and_defused_in_the_csv,
    hiring_managers_see_only_their_openings_in_lists_and_totals,
    bad_filters_are_named_and_unknown_tables_are_not_found,
    the_page_is_in_french_for_french_users,
);
