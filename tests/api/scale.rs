//! An agency's size (issue 18, point 4): `hirecast demo --scale` fills a database with
//! consistent rows, and every long list is cut by the database into pages.
use diesel::prelude::*;
use hirecast::domain::user::Role;
use hirecast::store::schema::{applications, candidates, openings, retention_dirty, retention_due, shortlist_entries};
use serde_json::Value;

use crate::helpers::*;

const BIG: &str = "5ca1e000-0000-4000-8000-000000000001";

fn scale(app: &TestApp, n: &str) -> std::process::Output {
    crate::crash::hirecast(app, "demo").args(["--scale", n]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).output().unwrap()
}

async fn the_generator_fills_consistent_rows_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let out = scale(&app, "2500");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Scale data loaded") && stdout.contains("2500 candidates"), "{stdout}");

    let count = |sql: &str| app.db(|c| diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql}")).get_result::<N>(c).unwrap().n);
    // The agency's own rows (the demo company's come first and have other ids).
    assert_eq!(count("openings WHERE id LIKE '5ca1e000-%'"), 25);
    assert_eq!(count("candidates WHERE id LIKE '5ca1e001-%'"), 2500);
    assert_eq!(count("applications WHERE id LIKE '5ca1e002-%'"), 3750);
    assert_eq!(count("candidate_sources WHERE id LIKE '5ca1e003-%'"), 1250);
    assert_eq!(count(&format!("shortlist_entries WHERE opening_id = '{BIG}'")), 125, "N/20 people in the first opening");
    let entries = count("shortlist_entries WHERE opening_id LIKE '5ca1e000-%'");
    assert!((7000..=7500).contains(&entries), "about 3 entries a person: {entries}");
    // Consistent: nobody applied to a draft or before the opening was published; every
    // application has its person's entry; every email is an identity of its person.
    assert_eq!(count("applications a JOIN openings o ON o.id = a.opening_id WHERE o.status = 'draft'"), 0);
    assert_eq!(count("applications a JOIN openings o ON o.id = a.opening_id WHERE a.id LIKE '5ca1e002-%' AND (o.published_at IS NULL OR a.created_at < o.published_at)"), 0);
    assert_eq!(
        count("applications a WHERE a.id LIKE '5ca1e002-%' AND NOT EXISTS (SELECT 1 FROM shortlist_entries e WHERE e.opening_id = a.opening_id AND e.candidate_id = a.candidate_id)"),
        0
    );
    assert_eq!(count("candidates c WHERE c.id LIKE '5ca1e001-%' AND NOT EXISTS (SELECT 1 FROM candidate_identities i WHERE i.kind = 'email' AND i.value = c.email AND i.candidate_id = c.id)"), 0);
    assert_eq!(count("applications WHERE id LIKE '5ca1e002-%' AND ingested_at IS NULL"), 0, "filed: the workers have nothing to redo");
    // Each application was acknowledged once, by its opening, after it came; each decision
    // moved an entry that exists, after it came.
    assert_eq!(count("candidate_messages WHERE id LIKE '5ca1e005-%' AND kind = 'ack' AND state = 'sent'"), 3750);
    assert_eq!(
        count("candidate_messages m JOIN applications a ON a.id = '5ca1e002' || substr(m.id, 9) WHERE m.id LIKE '5ca1e005-%' AND a.opening_id = m.opening_id AND a.candidate_id = m.candidate_id AND m.sent_at >= a.created_at"),
        3750
    );
    let decisions = count("shortlist_events WHERE id LIKE '5ca1e006-%' AND actor_id IS NOT NULL");
    assert!((1500..=2200).contains(&decisions), "about half the applications went past 'new': {decisions}");
    assert_eq!(count("shortlist_events v WHERE v.id LIKE '5ca1e006-%' AND NOT EXISTS (SELECT 1 FROM shortlist_entries e WHERE e.opening_id = v.opening_id AND e.candidate_id = v.candidate_id AND e.created_at <= v.at)"), 0);
    // The retention schedule is computed, nobody left marked.
    assert_eq!(app.db(|c| retention_dirty::table.count().get_result::<i64>(c).unwrap()), 0);
    assert!(app.db(|c| retention_due::table.count().get_result::<i64>(c).unwrap()) > 1000);

    // Only into an empty database; a scale too small is refused; each in one line, exit code 2.
    let again = scale(&app, "2500");
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("--scale fills an empty database"), "{err}");
    assert_eq!(app.db(|c| candidates::table.count().get_result::<i64>(c).unwrap()), count("candidates"), "nothing added");
    let small = scale(&app, "10");
    assert_eq!(small.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&small.stderr).contains("at least 100"));
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn ids_in(page: &str, attr: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(page);
    let sel = scraper::Selector::parse(&format!("[{attr}]")).unwrap();
    doc.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_string)).collect()
}

async fn long_lists_come_in_pages_cut_by_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(scale(&app, "2500").status.success());
    app.add_user("rex@acme.fr", Role::Recruiter);
    let rex = app.signed_in("rex@acme.fr").await;
    let get = |path: String| {
        let rex = rex.clone();
        let url = app.url(&path);
        async move {
            let r = rex.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let all_stages = app.db(|c| shortlist_entries::table.filter(shortlist_entries::opening_id.eq(BIG)).count().get_result::<i64>(c).unwrap());
    assert_eq!(all_stages, 125);

    // The review: 100 a page, the count of all, links to the other page, the filters kept.
    let (status, p1) = get(format!("/app/openings/{BIG}/review?stage=all")).await;
    assert_eq!(status, 200);
    let rows1 = ids_in(&p1, "data-candidate");
    assert_eq!(rows1.len(), 100, "one page");
    assert!(p1.contains("125"), "the count of all");
    assert!(p1.contains("id=\"page-next\"") && p1.contains("page=2") && !p1.contains("id=\"page-prev\""));
    let (_, p2) = get(format!("/app/openings/{BIG}/review?stage=all&page=2")).await;
    let rows2 = ids_in(&p2, "data-candidate");
    assert_eq!(rows2.len(), 25);
    assert!(rows1.iter().all(|id| !rows2.contains(id)), "no one on both pages");
    assert!(p2.contains("id=\"page-prev\"") && !p2.contains("id=\"page-next\""));
    // Sorted by the database: best score first over both pages.
    let score_of = |id: &String| app.db(|c| shortlist_entries::table.find((BIG, id)).select(shortlist_entries::score).first::<i64>(c).unwrap());
    let scores: Vec<i64> = rows1.iter().chain(rows2.iter()).map(score_of).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // Filters in SQL: a name, a minimum score, a stage.
    let (_, named) = get(format!("/app/openings/{BIG}/review?stage=all&q=MARTIN&min=40")).await;
    let named_ids = ids_in(&named, "data-candidate");
    assert!(!named_ids.is_empty());
    for id in &named_ids {
        let name = app.db(|c| candidates::table.find(id).select(candidates::name).first::<String>(c).unwrap());
        assert!(name.contains("Martin"), "{name}");
        assert!(score_of(id) >= 40);
    }
    let (_, rejected) = get(format!("/app/openings/{BIG}/review?stage=rejected")).await;
    for id in ids_in(&rejected, "data-candidate") {
        let st = app.db(|c| shortlist_entries::table.find((BIG, &id)).select(shortlist_entries::state).first::<String>(c).unwrap());
        assert_eq!(st, "rejected");
    }
    let (_, bad) = get(format!("/app/openings/{BIG}/review?page=0")).await;
    assert!(bad.contains("Page: a whole number from 1."), "a bad page is said");

    // The opening's page lists the latest 50 applications and the 50 best, and says so.
    let (status, page) = get(format!("/app/openings/{BIG}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"shortlist-best\"") && page.contains("The 50 best scores of 125"), "the opening page says it lists part");
    assert!(page.contains("(125)"));

    // The API: page, per_page, total; bad values are named.
    let token = app.api_token("ada@acme.fr", Role::Admin);
    let api = |q: &str| {
        let url = app.url(&format!("/api/v1/openings/{BIG}/candidates{q}"));
        let token = token.clone();
        let client = app.client.clone();
        async move {
            let r = client.get(url).bearer_auth(token).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = api("?per_page=50&page=3").await;
    assert_eq!(status, 200);
    assert_eq!((body["total"].as_i64(), body["page"].as_i64(), body["per_page"].as_i64()), (Some(125), Some(3), Some(50)));
    assert_eq!(body["items"].as_array().unwrap().len(), 25);
    let (_, first) = api("").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 25, "25 a page by default");
    let (status, body) = api("?per_page=0").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("per_page"));
    let (status, _) = api("?per_page=500").await;
    assert_eq!(status, 422);

    // The retention schedule: soonest first, in pages.
    let r = app.client.get(app.url("/api/v1/privacy/due?per_page=10")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let due: Value = r.json().await.unwrap();
    let items = due["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert!(due["total"].as_i64().unwrap() > 1000);
    assert_eq!(due["pending"].as_i64(), Some(0));
    let dates: Vec<&str> = items.iter().map(|i| i["due_at"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    let r = app.client.get(app.url("/api/v1/privacy/due?per_page=501")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let (status, page) = get("/app/privacy".into()).await;
    assert_eq!(status, 200);
    assert_eq!(ids_in(&page, "data-candidate").len() <= 500, true);

    // Closing the big opening moves its people's dates without any code asking: the trigger
    // marks them, the next read recomputes them.
    let before = app.db(|c| retention_due::table.filter(retention_due::person_id.eq("5ca1e001-0000-4000-8000-000000000001")).select(retention_due::rule).first::<String>(c).optional().unwrap());
    let now = app.state.clock.now();
    app.db(|c| diesel::update(openings::table.find(BIG)).set((openings::status.eq("closed"), openings::closed_at.eq(Some(now)))).execute(c).unwrap());
    let marked = app.db(|c| retention_dirty::table.count().get_result::<i64>(c).unwrap());
    assert!(marked >= 125, "everyone in it marked: {marked}");
    let r = app.client.get(app.url("/api/v1/privacy/due?per_page=1")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["pending"].as_i64(), Some(0));
    let after = app.db(|c| {
        let _ = applications::table.count().get_result::<i64>(c);
        retention_due::table.filter(retention_due::person_id.eq("5ca1e001-0000-4000-8000-000000000001")).select(retention_due::due_at).first::<chrono::NaiveDateTime>(c).optional().unwrap()
    });
    let exact = app.db(|c| hirecast::store::privacy::due_of(c, &app.state.settings.retention, "5ca1e001-0000-4000-8000-000000000001").unwrap()).map(|d| d.due_at);
    assert_eq!(after, exact, "the stored date is the one computed from the rows (was {before:?})");
}

crate::on_both_backends!(the_generator_fills_consistent_rows_once, long_lists_come_in_pages_cut_by_the_database);
