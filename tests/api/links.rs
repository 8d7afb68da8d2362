//! Tracked links `/r/{code}`: one per (opening, channel), UTM redirect, clicks per channel and
//! day, preview bots and HEAD not counted, nothing about the visitor stored.
use diesel::prelude::*;
use diesel::sql_types::Text;
use hirecast::domain::opening::{Opening, OpeningDraft, OpeningInput, OpeningStatus};
use hirecast::domain::user::Role;
use hirecast::store::links::{self, TrackedLink};
use hirecast::store::DbConn;
use scraper::{Html, Selector};

use crate::helpers::*;

fn open_opening(app: &TestApp, title: &str) -> Opening {
    let input = OpeningInput {
        title: title.into(),
        company: "Acme Logistique".into(),
        city: Some("Lyon".into()),
        country: "FR".into(),
        remote_policy: "hybrid".into(),
        employment_type: "permanent".into(),
        language: "fr".into(),
        description: "Du **Rust**.".into(),
        ..Default::default()
    };
    let today = app.state.clock.today();
    let draft = OpeningDraft::parse(&input, today).expect("valid test opening");
    app.db(|c| {
        let o = hirecast::store::openings::create(c, &draft, None).unwrap();
        hirecast::store::openings::set_status(c, &o.id, OpeningStatus::Open, today).unwrap()
    })
}

fn link(app: &TestApp, opening_id: &str, channel: &str) -> TrackedLink {
    app.db(|c| links::link_for(c, opening_id, channel).unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn click(app: &TestApp, code: &str, user_agent: &str) -> reqwest::Response {
    new_client().get(app.url(&format!("/r/{code}"))).header("user-agent", user_agent).send().await.unwrap()
}

fn totals(app: &TestApp, opening_id: &str) -> Vec<(String, i64)> {
    app.db(|c| links::clicks_by_channel(c, opening_id).unwrap())
}

async fn link_for_is_stable_per_opening_and_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = open_opening(&app, "Développeur Rust (H/F)");
    let b = open_opening(&app, "Data engineer");
    let x = link(&app, &a.id, "x");
    assert_eq!(x.code.len(), 8);
    assert_eq!((x.opening_id.as_str(), x.channel.as_str()), (a.id.as_str(), "x"));
    assert_eq!(link(&app, &a.id, "x"), x, "the same (opening, channel) gets the same link");
    let bsky = link(&app, &a.id, "bluesky");
    let bx = link(&app, &b.id, "x");
    assert_ne!(bsky.code, x.code, "another channel gets another code");
    assert_ne!(bx.code, x.code, "another opening gets another code");
    let n: i64 = app.db(|c| hirecast::store::schema::tracked_links::table.count().get_result(c).unwrap());
    assert_eq!(n, 3);
    // Bad input is refused, nothing written.
    app.db(|c| {
        assert!(matches!(links::link_for(c, "no-such-opening", "x"), Err(links::LinkError::OpeningNotFound)));
        assert!(matches!(links::link_for(c, &a.id, ""), Err(links::LinkError::BadChannel(_))));
        assert!(matches!(links::link_for(c, &a.id, "X/../y"), Err(links::LinkError::BadChannel(_))));
    });
    let n: i64 = app.db(|c| hirecast::store::schema::tracked_links::table.count().get_result(c).unwrap());
    assert_eq!(n, 3);
}

/// Eight threads ask for the same (opening, channel) at once: one row, everyone gets it.
async fn concurrent_link_for_makes_one_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (pool, id, barrier) = (app.state.pool.clone(), o.id.clone(), barrier.clone());
            std::thread::spawn(move || {
                // The pool holds 4 connections: wait together first, then race for them.
                barrier.wait();
                let mut conn = pool.get().unwrap();
                links::link_for(&mut conn, &id, "mastodon")
            })
        })
        .collect();
    let got: Vec<TrackedLink> = threads.into_iter().map(|t| t.join().unwrap().expect("every caller gets the link")).collect();
    assert!(got.iter().all(|l| *l == got[0]), "all callers got the same link: {got:?}");
    let rows: Vec<String> = app.db(|c| {
        hirecast::store::schema::tracked_links::table.select(hirecast::store::schema::tracked_links::code).load(c).unwrap()
    });
    assert_eq!(rows, vec![got[0].code.clone()]);
}

async fn short_link_redirects_with_utm_parameters(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Développeur Rust (H/F)");
    for (channel, medium) in [("x", "social"), ("bluesky", "social"), ("linkedin", "social"), ("email", "email"), ("rss", "feed"), ("slack", "webhook")] {
        let l = link(&app, &o.id, channel);
        let res = click(&app, &l.code, FIREFOX).await;
        assert_eq!(res.status().as_u16(), 302, "{channel}");
        assert_eq!(
            location(&res),
            format!("/jobs/{}?utm_source={channel}&utm_medium={medium}&utm_campaign={}", o.slug, o.slug),
            "{channel}"
        );
        assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
        assert_eq!(res.headers().get("referrer-policy").unwrap(), "strict-origin-when-cross-origin");
        // The target is the live job page.
        let page = new_client().get(app.url(&location(&res))).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
    }
    // Unknown codes, well-formed or not, are a 404 page.
    for code in ["abcdefgh", "zzzzzzzz", "short", "ABCDEFGH", "abcdefgh1"] {
        let res = click(&app, code, FIREFOX).await;
        assert_eq!(res.status().as_u16(), 404, "{code}");
        assert!(res.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html"));
    }
}

async fn clicks_are_counted_per_channel_and_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    let other = open_opening(&app, "Data engineer");
    let x = link(&app, &o.id, "x");
    let bsky = link(&app, &o.id, "bluesky");
    let _never = link(&app, &o.id, "linkedin");
    let other_x = link(&app, &other.id, "x");
    for _ in 0..3 {
        assert_eq!(click(&app, &x.code, FIREFOX).await.status().as_u16(), 302);
    }
    click(&app, &bsky.code, FIREFOX).await;
    click(&app, &other_x.code, FIREFOX).await;
    let day1 = app.state.clock.today();
    app.state.clock.advance(chrono::Duration::days(1));
    click(&app, &x.code, FIREFOX).await;
    let day2 = app.state.clock.today();

    assert_eq!(totals(&app, &o.id), vec![("bluesky".into(), 1), ("linkedin".into(), 0), ("x".into(), 4)]);
    assert_eq!(totals(&app, &other.id), vec![("x".into(), 1)]);
    assert_eq!(app.db(|c| links::clicks_by_day(c, &x.code).unwrap()), vec![(day1, 3), (day2, 1)]);
    assert_eq!(app.db(|c| links::clicks_by_day(c, &bsky.code).unwrap()), vec![(day1, 1)]);
}

/// Concurrent first clicks of the day race to create the day's bucket: none is lost.
async fn concurrent_clicks_are_all_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    let l = link(&app, &o.id, "x");
    let day = app.state.clock.today();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (pool, code, barrier) = (app.state.pool.clone(), l.code.clone(), barrier.clone());
            std::thread::spawn(move || {
                // The pool holds 4 connections: wait together first, then race for them.
                barrier.wait();
                let mut conn = pool.get().unwrap();
                links::record_click(&mut conn, &code, day)
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().expect("every click is recorded"), Some(o.slug.clone()));
    }
    assert_eq!(app.db(|c| links::clicks_by_day(c, &l.code).unwrap()), vec![(day, 8)]);
    assert_eq!(app.db(|c| links::record_click(c, "abcdefgh", day).unwrap()), None, "unknown code");
}

/// The day's bucket is created by another transaction between this click's UPDATE (no row
/// yet) and its INSERT: on PostgreSQL the INSERT then fails on the primary key, and the click
/// must be added to the winner's row instead of being lost or failing.
async fn click_racing_the_first_click_of_the_day_is_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    let l = link(&app, &o.id, "x");
    let day = app.state.clock.today();
    let (tx, rx) = std::sync::mpsc::channel();
    let (pool, code) = (app.state.pool.clone(), l.code.clone());
    let first = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        hirecast::store::write_transaction(&mut conn, |c| -> QueryResult<()> {
            use hirecast::store::schema::link_clicks::dsl as lc;
            diesel::insert_into(lc::link_clicks).values((lc::code.eq(&code), lc::day.eq(day), lc::clicks.eq(1i64))).execute(c)?;
            tx.send(()).unwrap();
            // Hold the uncommitted row while the other click runs into it.
            std::thread::sleep(std::time::Duration::from_millis(400));
            Ok(())
        })
    });
    rx.recv().unwrap();
    let slug = app.db(|c| links::record_click(c, &l.code, day)).expect("the racing click is recorded");
    first.join().unwrap().unwrap();
    assert_eq!(slug, Some(o.slug.clone()));
    assert_eq!(app.db(|c| links::clicks_by_day(c, &l.code).unwrap()), vec![(day, 2)]);
}

async fn preview_bots_and_head_requests_are_not_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    let l = link(&app, &o.id, "x");
    let bots = [
        "Twitterbot/1.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)",
        "TWITTERBOT/1.0",
    ];
    for ua in bots {
        let res = click(&app, &l.code, ua).await;
        assert_eq!(res.status().as_u16(), 302, "bots are redirected like anyone: {ua}");
        assert!(location(&res).starts_with(&format!("/jobs/{}?", o.slug)));
    }
    let head = new_client().head(app.url(&format!("/r/{}", l.code))).header("user-agent", FIREFOX).send().await.unwrap();
    assert_eq!(head.status().as_u16(), 302);
    assert_eq!(totals(&app, &o.id), vec![("x".into(), 0)], "neither bots nor HEAD are clicks");
    // A person's click (no user agent at all counts too) does.
    click(&app, &l.code, FIREFOX).await;
    new_client().get(app.url(&format!("/r/{}", l.code))).send().await.unwrap();
    assert_eq!(totals(&app, &o.id), vec![("x".into(), 2)]);
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

fn columns(conn: &mut DbConn, table: &str) -> Vec<String> {
    let mut names: Vec<String> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query("SELECT name FROM pragma_table_info(?)").bind::<Text, _>(table).load::<Column>(c),
        DbConn::Postgres(c) => diesel::sql_query("SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = $1")
            .bind::<Text, _>(table)
            .load::<Column>(c),
    }
    .unwrap()
    .into_iter()
    .map(|c| c.name)
    .collect();
    names.sort();
    names
}

/// Clicking stores a count, not a visitor: the tables have no column for an address, an
/// agent or a referrer, and what a click wrote is exactly (code, day, count).
async fn nothing_about_the_visitor_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    let l = link(&app, &o.id, "x");
    let res = new_client()
        .get(app.url(&format!("/r/{}", l.code)))
        .header("user-agent", "Mozilla/5.0 visitor-agent-marker")
        .header("referer", "https://example.org/visitor-referer-marker")
        .header("x-forwarded-for", "203.0.113.77")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 302);
    assert_eq!(app.db(|c| columns(c, "tracked_links")), ["channel", "code", "created_at", "opening_id"]);
    assert_eq!(app.db(|c| columns(c, "link_clicks")), ["clicks", "code", "day"]);
    use hirecast::store::schema::link_clicks::dsl as lc;
    let rows: Vec<(String, chrono::NaiveDate, i64)> = app.db(|c| lc::link_clicks.select((lc::code, lc::day, lc::clicks)).load(c).unwrap());
    assert_eq!(rows, vec![(l.code.clone(), app.state.clock.today(), 1)]);
}

async fn opening_page_shows_clicks_per_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open_opening(&app, "Rust developer");
    app.add_user("recruiter@example.org", Role::Recruiter);
    let client = app.signed_in("recruiter@example.org").await;
    let page = client.get(app.url(&format!("/app/openings/{}", o.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Link clicks by channel"));
    assert!(page.contains("id=\"no-link-clicks\""), "no links yet");

    let x = link(&app, &o.id, "x");
    let bsky = link(&app, &o.id, "bluesky");
    for _ in 0..2 {
        click(&app, &x.code, FIREFOX).await;
    }
    click(&app, &bsky.code, "Twitterbot/1.0").await;
    let page = client.get(app.url(&format!("/app/openings/{}", o.id))).send().await.unwrap().text().await.unwrap();
    let doc = Html::parse_document(&page);
    let rows = Selector::parse("#link-clicks-table tbody tr").unwrap();
    let td = Selector::parse("td").unwrap();
    let got: Vec<Vec<String>> = doc.select(&rows).map(|r| r.select(&td).map(|c| c.text().collect::<String>().trim().to_string()).collect()).collect();
    assert_eq!(
        got,
        vec![
            vec!["bluesky".to_string(), app.url(&format!("/r/{}", bsky.code)), "0".into()],
            vec!["x".to_string(), app.url(&format!("/r/{}", x.code)), "2".into()],
        ]
    );

    // In French (the user has no saved language: the browser's is used).
    let fr = client
        .get(app.url(&format!("/app/openings/{}", o.id)))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = Html::parse_document(&fr);
    let heading = Selector::parse("#link-clicks-title").unwrap();
    assert_eq!(doc.select(&heading).next().unwrap().text().collect::<String>(), "Clics par canal");
    assert!(fr.contains("<th scope=\"col\">Canal</th>"));
}

crate::on_both_backends!(
    link_for_is_stable_per_opening_and_channel,
    concurrent_link_for_makes_one_row,
    short_link_redirects_with_utm_parameters,
    clicks_are_counted_per_channel_and_day,
    concurrent_clicks_are_all_counted,
    click_racing_the_first_click_of_the_day_is_counted,
    preview_bots_and_head_requests_are_not_counted,
    nothing_about_the_visitor_is_stored,
    opening_page_shows_clicks_per_channel,
);
