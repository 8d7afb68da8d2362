//! The careers site: list, job pages (SEO and JSON-LD), feeds, sitemap and applying.
use diesel::prelude::*;
use hirecast::domain::opening::{Opening, OpeningDraft, OpeningInput, OpeningStatus, SalaryInput};
use hirecast::store::{openings, schema};
use reqwest::multipart::{Form, Part};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::helpers::*;

const XSS: &str = "</script><script>alert(1)</script>";

pub(crate) fn input(title: &str) -> OpeningInput {
    OpeningInput {
        title: title.into(),
        company: "Acme Logistique".into(),
        city: Some("Lyon".into()),
        country: "FR".into(),
        remote_policy: "hybrid".into(),
        employment_type: "permanent".into(),
        language: "fr".into(),
        description: "We build **things**.\n\nJoin us.".into(),
        ..Default::default()
    }
}

/// Creates an opening from `input`, then moves it through `path` (e.g. [Open, Paused]).
pub(crate) fn create(app: &TestApp, input: OpeningInput, path: &[OpeningStatus]) -> Opening {
    let today = app.state.clock.today();
    let draft = OpeningDraft::parse(&input, today).expect("valid test opening");
    app.db(|c| {
        let mut o = openings::create(c, &draft, None).unwrap();
        for s in path {
            o = openings::set_status(c, &o.id, *s, today).unwrap();
        }
        o
    })
}

pub(crate) fn open(app: &TestApp, input: OpeningInput) -> Opening {
    create(app, input, &[OpeningStatus::Open])
}

/// Makes an open opening's last day yesterday, as if time had passed.
fn expire(app: &TestApp, o: &Opening) {
    let yesterday = app.state.clock.today() - chrono::Duration::days(1);
    app.db(|c| {
        diesel::update(schema::openings::table.find(&o.id)).set(schema::openings::valid_through.eq(Some(yesterday))).execute(c).unwrap()
    });
    // A write by hand, outside the store: the careers cache is told, as the store tells it.
    openings::changed();
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

async fn page(app: &TestApp, path: &str) -> String {
    let r = get(app, path).await;
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r.text().await.unwrap()
}

fn json_ld(html: &str) -> Value {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
    let scripts: Vec<_> = doc.select(&sel).collect();
    assert_eq!(scripts.len(), 1, "one JSON-LD block");
    let text: String = scripts[0].text().collect();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {text}"))
}

pub(crate) fn attr(html: &str, selector: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr(name)).map(str::to_string)
}

fn count_applications(app: &TestApp) -> i64 {
    app.db(|c| schema::applications::table.count().get_result(c).unwrap())
}

fn count_candidates(app: &TestApp) -> i64 {
    app.db(|c| schema::candidates::table.count().get_result(c).unwrap())
}

/// Whether any CV file was written to the blob store.
fn blobs_written(app: &TestApp) -> bool {
    fn any_file(dir: &std::path::Path) -> bool {
        std::fs::read_dir(dir)
            .map(|rd| rd.flatten().any(|e| if e.path().is_dir() { any_file(&e.path()) } else { true }))
            .unwrap_or(false)
    }
    any_file(&app.state.settings.data_dir.join("blobs"))
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// The apply form's fields, ready to change per test.
pub(crate) struct Application {
    fields: Vec<(&'static str, String)>,
    cv: Option<(Vec<u8>, &'static str, &'static str)>,
}

impl Application {
    pub(crate) fn new(email: &str, key: &str) -> Self {
        Self {
            fields: vec![
                ("submission_key", key.to_string()),
                ("name", "Camille Martin".into()),
                ("email", email.into()),
                ("phone", "+33 6 12 34 56 78".into()),
                ("message", "Hello".into()),
                ("consent", "yes".into()),
            ],
            cv: Some((pdf(), "../../my cv.pdf", "application/pdf")),
        }
    }
    pub(crate) fn set(mut self, name: &'static str, value: &str) -> Self {
        self.fields.retain(|(n, _)| *n != name);
        self.fields.push((name, value.into()));
        self
    }
    fn without(mut self, name: &'static str) -> Self {
        self.fields.retain(|(n, _)| *n != name);
        self
    }
    pub(crate) fn form(&self) -> Form {
        let mut f = Form::new();
        for (n, v) in &self.fields {
            f = f.text(*n, v.clone());
        }
        if let Some((bytes, filename, mime)) = &self.cv {
            f = f.part("cv", Part::bytes(bytes.clone()).file_name(*filename).mime_str(mime).unwrap());
        }
        f
    }
}

/// Opens the job page and returns the submission key its form carries.
pub(crate) async fn form_key(app: &TestApp, slug: &str) -> String {
    let html = page(app, &format!("/jobs/{slug}")).await;
    let key = attr(&html, r#"input[name="submission_key"]"#, "value").expect("the form has a submission key");
    assert!(key.len() >= 32, "{key}");
    key
}

pub(crate) async fn post_application(app: &TestApp, slug: &str, a: &Application) -> reqwest::Response {
    app.client.post(app.url(&format!("/jobs/{slug}/apply"))).multipart(a.form()).send().await.unwrap()
}

async fn root_redirects_to_jobs(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = get(&app, "/").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/jobs");
}

async fn list_shows_only_live_openings_and_filters_work(backend: Backend) {
    let app = spawn_app(backend).await;
    let rust = open(&app, input("Rust developer"));
    let data = open(&app, OpeningInput { city: None, remote_policy: "remote".into(), employment_type: "freelance".into(), ..input("Data engineer") });
    let intern = open(&app, OpeningInput { city: Some("Bruxelles".into()), country: "BE".into(), remote_policy: "on-site".into(), employment_type: "internship".into(), salary: Some(SalaryInput { min: Some(1200), max: Some(1400), currency: "EUR".into(), period: "month".into() }), ..input("Marketing intern") });
    create(&app, input("Draft opening"), &[]);
    create(&app, input("Paused opening"), &[OpeningStatus::Open, OpeningStatus::Paused]);
    create(&app, input("Closed opening"), &[OpeningStatus::Open, OpeningStatus::Closed]);
    let old = open(&app, input("Expired opening"));
    expire(&app, &old);

    let html = page(&app, "/jobs").await;
    for t in ["Rust developer", "Data engineer", "Marketing intern"] {
        assert!(html.contains(t), "{t} should be listed");
    }
    for t in ["Draft opening", "Paused opening", "Closed opening", "Expired opening"] {
        assert!(!html.contains(t), "{t} must not be listed");
    }
    assert!(html.contains(&format!("/jobs/{}", rust.slug)));
    assert!(html.contains("1,200 – 1,400 EUR per month"), "salary label shown");
    assert!(html.contains(&format!(r#"type="application/rss+xml" title="Hirecast – RSS" href="{}""#, app.state.url("/jobs/feed.rss"))));
    assert!(html.contains("application/atom+xml") && html.contains("application/feed+json"));
    // Newest first.
    let pos = |t: &str| html.find(t).unwrap();
    assert!(pos("Marketing intern") < pos("Data engineer") && pos("Data engineer") < pos("Rust developer"));

    let only = |html: &str, expected: &[&Opening]| {
        for o in [&rust, &data, &intern] {
            let listed = html.contains(&format!("/jobs/{}\"", o.slug));
            assert_eq!(listed, expected.iter().any(|e| e.id == o.id), "{} listed={listed}", o.draft.title);
        }
    };
    only(&page(&app, "/jobs?q=rust").await, &[&rust]);
    only(&page(&app, "/jobs?q=acme+data").await, &[&data]);
    only(&page(&app, "/jobs?location=lyon").await, &[&rust]);
    only(&page(&app, "/jobs?location=be").await, &[&intern]);
    only(&page(&app, "/jobs?remote=remote").await, &[&data]);
    only(&page(&app, "/jobs?type=internship").await, &[&intern]);
    only(&page(&app, "/jobs?type=internship&remote=hybrid").await, &[]);
    // Bad values are ignored and the filter is shown reset, never an error.
    let html = page(&app, "/jobs?remote=moon&type=%3Cscript%3E&page=abc").await;
    only(&html, &[&rust, &data, &intern]);
    assert!(!html.contains(" selected"), "no option is selected after an invalid value");
    assert!(!html.contains("<script>"));
    let html = page(&app, "/jobs?remote=remote").await;
    assert!(html.contains(r#"<option value="remote" selected>"#));
    let html = page(&app, "/jobs?q=nothing-matches-this").await;
    assert!(html.contains("No opening matches these filters."));
}

async fn list_paginates_by_twenty(backend: Backend) {
    let app = spawn_app(backend).await;
    let empty = page(&app, "/jobs").await;
    assert!(empty.contains("There are no open positions right now."));
    for i in 0..21 {
        open(&app, input(&format!("Opening number {i}")));
    }
    let cards = |html: &str| html.matches(r#"<li class="job-card">"#).count();
    let p1 = page(&app, "/jobs").await;
    assert_eq!(cards(&p1), 20);
    assert!(p1.contains(r#"href="/jobs?page=2""#));
    let p2 = page(&app, "/jobs?page=2").await;
    assert_eq!(cards(&p2), 1);
    assert!(p2.contains("Opening number 0"), "the oldest is on the last page");
    assert!(p2.contains(r#"rel="prev" href="/jobs""#));
    assert_eq!(cards(&page(&app, "/jobs?page=99").await), 0);
}

async fn job_page_has_meta_and_job_posting(backend: Backend) {
    let app = spawn_app(backend).await;
    let valid_through = app.state.clock.today() + chrono::Duration::days(30);
    let remote = open(
        &app,
        OpeningInput {
            city: None,
            remote_policy: "remote".into(),
            employment_type: "freelance".into(),
            language: "en".into(),
            salary: Some(SalaryInput { min: Some(400), max: Some(550), currency: "EUR".into(), period: "day".into() }),
            required_skills: vec!["Rust".into(), "SQL".into()],
            nice_to_have_skills: vec!["Kafka".into()],
            valid_through: Some(valid_through.to_string()),
            description: "## The job\n\nShip **reliable** software.".into(),
            ..input("Senior Rust engineer")
        },
    );
    let html = page(&app, &format!("/jobs/{}", remote.slug)).await;
    let url = app.state.url(&format!("/jobs/{}", remote.slug));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<strong>reliable</strong>"), "description rendered as HTML");
    assert_eq!(attr(&html, r#"link[rel="canonical"]"#, "href").as_deref(), Some(url.as_str()));
    assert_eq!(attr(&html, r#"meta[name="description"]"#, "content").as_deref(), Some("The job Ship reliable software."));
    for (sel, want) in [
        (r#"meta[property="og:type"]"#, "website"),
        (r#"meta[property="og:title"]"#, "Senior Rust engineer"),
        (r#"meta[property="og:description"]"#, "The job Ship reliable software."),
        (r#"meta[property="og:url"]"#, url.as_str()),
        (r#"meta[property="og:site_name"]"#, "Hirecast"),
        (r#"meta[property="og:locale"]"#, "en_US"),
        (r#"meta[name="twitter:card"]"#, "summary"),
        (r#"meta[name="twitter:title"]"#, "Senior Rust engineer"),
        (r#"meta[name="twitter:description"]"#, "The job Ship reliable software."),
    ] {
        assert_eq!(attr(&html, sel, "content").as_deref(), Some(want), "{sel}");
    }
    let ld = json_ld(&html);
    assert_eq!(ld["@context"], "https://schema.org/");
    assert_eq!(ld["@type"], "JobPosting");
    assert_eq!(ld["title"], "Senior Rust engineer");
    assert!(ld["description"].as_str().unwrap().contains("<strong>reliable</strong>"));
    assert_eq!(ld["datePosted"], remote.published_at.unwrap().date().to_string());
    assert_eq!(ld["validThrough"], format!("{valid_through}T23:59:59"));
    assert_eq!(ld["hiringOrganization"]["@type"], "Organization");
    assert_eq!(ld["hiringOrganization"]["name"], "Acme Logistique");
    assert_eq!(ld["hiringOrganization"]["sameAs"], app.state.settings.base_url);
    assert_eq!(ld["jobLocationType"], "TELECOMMUTE");
    assert_eq!(ld["applicantLocationRequirements"]["@type"], "Country");
    assert_eq!(ld["applicantLocationRequirements"]["name"], "FR");
    assert!(ld.get("jobLocation").is_none(), "no city, no place");
    assert_eq!(ld["employmentType"], "CONTRACTOR");
    assert_eq!(ld["baseSalary"]["@type"], "MonetaryAmount");
    assert_eq!(ld["baseSalary"]["currency"], "EUR");
    assert_eq!(ld["baseSalary"]["value"]["@type"], "QuantitativeValue");
    assert_eq!(ld["baseSalary"]["value"]["minValue"], 400);
    assert_eq!(ld["baseSalary"]["value"]["maxValue"], 550);
    assert_eq!(ld["baseSalary"]["value"]["unitText"], "DAY");
    assert_eq!(ld["identifier"]["@type"], "PropertyValue");
    assert_eq!(ld["identifier"]["name"], "Acme Logistique");
    assert_eq!(ld["identifier"]["value"], remote.id);
    assert_eq!(ld["directApply"], true);
    assert_eq!(ld["url"], url);
    assert_eq!(ld["skills"], "Rust, SQL");

    // On-site in a city: a Place, no TELECOMMUTE, no salary; French opening seen by a French visitor.
    let lyon = open(&app, input("Chef de quai"));
    let r = app.client.get(app.url(&format!("/jobs/{}", lyon.slug))).header("accept-language", "fr-FR,fr;q=0.9").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Postuler"), "chrome in French");
    assert_eq!(attr(&html, r#"meta[property="og:locale"]"#, "content").as_deref(), Some("fr_FR"));
    assert_eq!(attr(&html, "article.job header", "lang").as_deref(), Some("fr"));
    let ld = json_ld(&html);
    assert_eq!(ld["jobLocation"]["@type"], "Place");
    assert_eq!(ld["jobLocation"]["address"]["@type"], "PostalAddress");
    assert_eq!(ld["jobLocation"]["address"]["addressLocality"], "Lyon");
    assert_eq!(ld["jobLocation"]["address"]["addressCountry"], "FR");
    assert_eq!(ld["employmentType"], "FULL_TIME");
    for absent in ["jobLocationType", "applicantLocationRequirements", "baseSalary", "validThrough", "skills"] {
        assert!(ld.get(absent).is_none(), "{absent} should be absent");
    }
    // The footer's language switch posts to /lang with the current path.
    assert_eq!(attr(&html, r#"form.lang-switch input[name="next"]"#, "value"), Some(format!("/jobs/{}", lyon.slug)));
    assert_eq!(attr(&html, r#"form.lang-switch button[name="lang"]"#, "value").as_deref(), Some("en"));
}

async fn draft_and_unknown_are_404_closed_and_expired_are_410(backend: Backend) {
    let app = spawn_app(backend).await;
    let draft = create(&app, input("Draft"), &[]);
    let paused = create(&app, input("Paused"), &[OpeningStatus::Open, OpeningStatus::Paused]);
    let closed = create(&app, input("Closed"), &[OpeningStatus::Open, OpeningStatus::Closed]);
    let expired = open(&app, input("Expired"));
    expire(&app, &expired);
    let live_today = open(&app, OpeningInput { valid_through: Some(app.state.clock.today().to_string()), ..input("Last day") });

    assert_eq!(get(&app, &format!("/jobs/{}", draft.slug)).await.status().as_u16(), 404);
    assert_eq!(get(&app, "/jobs/no-such-opening").await.status().as_u16(), 404);
    assert_eq!(get(&app, &format!("/jobs/{}/applied", draft.slug)).await.status().as_u16(), 404);
    for o in [&paused, &closed, &expired] {
        let r = get(&app, &format!("/jobs/{}", o.slug)).await;
        assert_eq!(r.status().as_u16(), 410, "{}", o.draft.title);
        // Applying is refused the same way, and nothing is filed.
        let r = post_application(&app, &o.slug, &Application::new("late@example.org", &hirecast::auth::new_token())).await;
        assert_eq!(r.status().as_u16(), 410, "apply to {}", o.draft.title);
    }
    assert_eq!(count_applications(&app), 0);
    assert_eq!(get(&app, &format!("/jobs/{}", live_today.slug)).await.status().as_u16(), 200, "the last day is still open");

    // Time passing expires it too (the clock is shared with the app).
    app.state.clock.advance(chrono::Duration::days(2));
    assert_eq!(get(&app, &format!("/jobs/{}", live_today.slug)).await.status().as_u16(), 410);
}

async fn hostile_text_is_escaped_in_html_and_json_ld(backend: Backend) {
    let app = spawn_app(backend).await;
    let title = format!("Dev {XSS} \"q\" & co");
    let company = format!("Evil {XSS} \"Corp\"");
    let o = open(
        &app,
        OpeningInput {
            company: company.clone(),
            description: format!("Intro {XSS} \"quoted\" <img src=x onerror=alert(2)>\u{2028}end"),
            required_skills: vec![format!("{XSS}")],
            ..input(&title)
        },
    );
    let html = page(&app, &format!("/jobs/{}", o.slug)).await;
    for raw in ["<script>alert(1)", "</script><script>", "\"q\"", "\"Corp\"", "onerror=alert"] {
        assert!(!html.contains(raw), "{raw:?} appears raw in the page");
    }
    let start = html.find(r#"<script type="application/ld+json">"#).unwrap();
    let script = &html[start..start + html[start..].find("</script>").unwrap()];
    for raw in ["\u{2028}", "&", "<img", "\"q\""] {
        assert!(!script[1..].contains(raw), "{raw:?} appears raw in the JSON-LD");
    }
    // A quote in the description's text nodes is harmless; in attributes it must be escaped.
    let plain = hirecast::domain::markdown::to_plain_text(&o.draft.description_md, 160);
    assert!(plain.contains("\"quoted\""));
    assert_eq!(attr(&html, r#"meta[name="description"]"#, "content"), Some(plain.clone()));
    assert_eq!(attr(&html, r#"meta[property="og:description"]"#, "content"), Some(plain));
    assert!(!html.contains("content=\"Intro </script>"), "quote-free attribute values only");
    assert_eq!(html.matches("<script").count(), 1, "only the JSON-LD script element");
    let ld = json_ld(&html);
    assert_eq!(ld["title"].as_str(), Some(title.as_str()));
    assert_eq!(ld["hiringOrganization"]["name"].as_str(), Some(company.as_str()));
    assert_eq!(attr(&html, r#"meta[property="og:title"]"#, "content"), Some(title.clone()));
    let doc = Html::parse_document(&html);
    let h1: String = doc.select(&Selector::parse("h1").unwrap()).next().unwrap().text().collect();
    assert_eq!(h1, title);

    // The list and the feeds escape it too.
    let list = page(&app, "/jobs").await;
    assert!(!list.contains("<script>alert(1)") && !list.contains("\"q\" &"), "{list}");
    for feed in ["/jobs/feed.rss", "/jobs/feed.atom", "/sitemap.xml"] {
        let body = page(&app, feed).await;
        assert!(!body.contains("<script>alert(1)"), "{feed}");
        roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{feed} is not XML: {e}"));
    }
}

async fn feeds_parse_and_hold_live_openings_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = open(&app, OpeningInput { required_skills: vec!["Rust".into(), "C++ & <Go>".into()], ..input("Rust & <b>Go</b> developer") });
    let b = open(&app, input("Second opening"));
    create(&app, input("Closed opening"), &[OpeningStatus::Open, OpeningStatus::Closed]);
    create(&app, input("Draft opening"), &[]);
    let old = open(&app, input("Expired opening"));
    expire(&app, &old);
    let url_a = app.state.url(&format!("/jobs/{}", a.slug));
    let url_b = app.state.url(&format!("/jobs/{}", b.slug));

    // RSS 2.0
    let r = get(&app, "/jobs/feed.rss").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/rss+xml; charset=utf-8");
    let body = r.text().await.unwrap();
    assert!(!body.contains("<b>Go</b>"), "HTML in titles is escaped");
    let doc = roxmltree::Document::parse(&body).expect("RSS is XML");
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = rss.children().find(|n| n.has_tag_name("channel")).unwrap();
    let child = |n: roxmltree::Node, name: &str| n.children().find(|c| c.tag_name().name() == name).and_then(|c| c.text()).map(str::to_string);
    assert_eq!(child(channel, "link"), Some(app.state.url("/jobs")));
    assert_eq!(child(channel, "language").as_deref(), Some("en"));
    assert!(child(channel, "lastBuildDate").is_some());
    let self_link = channel.children().find(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("self")).unwrap();
    assert_eq!(self_link.attribute("href"), Some(app.state.url("/jobs/feed.rss").as_str()));
    let items: Vec<_> = channel.children().filter(|n| n.has_tag_name("item")).collect();
    assert_eq!(items.len(), 2, "live openings only");
    assert_eq!(child(items[0], "title").as_deref(), Some("Second opening"), "newest first");
    assert_eq!(child(items[1], "title").as_deref(), Some("Rust & <b>Go</b> developer"));
    assert_eq!(child(items[1], "link"), Some(url_a.clone()));
    let guid = items[1].children().find(|c| c.has_tag_name("guid")).unwrap();
    assert_eq!(guid.attribute("isPermaLink"), Some("true"));
    let pub_date = child(items[1], "pubDate").unwrap();
    chrono::DateTime::parse_from_rfc2822(&pub_date).unwrap_or_else(|e| panic!("pubDate {pub_date}: {e}"));
    let plain = hirecast::domain::markdown::to_plain_text(&a.draft.description_md, 500);
    assert_eq!(child(items[1], "description"), Some(plain.clone()));
    let cats: Vec<_> = items[1].children().filter(|c| c.has_tag_name("category")).filter_map(|c| c.text()).collect();
    assert_eq!(cats, vec!["Rust", "C++ & <Go>"]);

    // Atom 1.0
    let r = get(&app, "/jobs/feed.atom").await;
    assert_eq!(r.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let body = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).expect("Atom is XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
    assert!(child(feed, "id").is_some() && child(feed, "updated").is_some());
    let links: Vec<_> = feed.children().filter(|c| c.has_tag_name(("http://www.w3.org/2005/Atom", "link"))).collect();
    assert!(links.iter().any(|l| l.attribute("rel") == Some("self") && l.attribute("href") == Some(app.state.url("/jobs/feed.atom").as_str())));
    assert!(links.iter().any(|l| l.attribute("rel") == Some("alternate")));
    assert!(feed.children().any(|c| c.tag_name().name() == "author"));
    let entries: Vec<_> = feed.children().filter(|n| n.tag_name().name() == "entry").collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(child(entries[1], "title").as_deref(), Some("Rust & <b>Go</b> developer"));
    assert_eq!(child(entries[1], "id"), Some(url_a.clone()));
    for f in ["updated", "published"] {
        chrono::DateTime::parse_from_rfc3339(&child(entries[1], f).unwrap()).unwrap();
    }
    assert!(entries[1].children().any(|c| c.tag_name().name() == "category" && c.attribute("term") == Some("C++ & <Go>")));
    assert!(child(entries[1], "summary").is_some());

    // JSON Feed 1.1
    let r = get(&app, "/jobs/feed.json").await;
    assert_eq!(r.headers()["content-type"], "application/feed+json; charset=utf-8");
    let feed: Value = r.json().await.unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["home_page_url"], app.state.url("/jobs"));
    assert_eq!(feed["feed_url"], app.state.url("/jobs/feed.json"));
    assert_eq!(feed["language"], "en");
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["title"], "Rust & <b>Go</b> developer");
    assert_eq!(items[1]["id"], url_a);
    assert_eq!(items[1]["url"], url_a);
    assert!(items[1]["content_html"].as_str().unwrap().contains("<strong>things</strong>"));
    assert_eq!(items[1]["summary"], plain);
    chrono::DateTime::parse_from_rfc3339(items[1]["date_published"].as_str().unwrap()).unwrap();
    assert_eq!(items[1]["tags"], serde_json::json!(["Rust", "C++ & <Go>"]));

    // Sitemap and robots.txt
    let body = page(&app, "/sitemap.xml").await;
    let doc = roxmltree::Document::parse(&body).expect("sitemap is XML");
    assert_eq!(doc.root_element().tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    let locs: Vec<_> = doc.descendants().filter(|n| n.tag_name().name() == "loc").filter_map(|n| n.text()).collect();
    assert_eq!(locs, vec![app.state.url("/jobs"), url_b, url_a]);
    let lastmods: Vec<_> = doc.descendants().filter(|n| n.tag_name().name() == "lastmod").filter_map(|n| n.text()).collect();
    assert_eq!(lastmods[2], a.updated_at.date().to_string());
    let robots = page(&app, "/robots.txt").await;
    assert!(robots.contains("User-agent: *") && robots.contains("Allow: /"));
    assert!(robots.contains(&format!("Sitemap: {}", app.state.url("/sitemap.xml"))));
}

async fn applying_with_a_pdf_files_candidate_application_and_cv(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let key = form_key(&app, &o.slug).await;
    let html = page(&app, &format!("/jobs/{}", o.slug)).await;
    assert!(html.contains(hirecast::store::applications::PRIVACY_NOTICE_VERSION), "the notice version is shown");
    assert!(html.contains(r#"enctype="multipart/form-data""#));

    let r = post_application(&app, &o.slug, &Application::new("camille@example.org", &key)).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("/jobs/{}/applied", o.slug));

    let apps = app.db(|c| hirecast::store::applications::list_for_opening(c, &o.id).unwrap());
    assert_eq!(apps.len(), 1);
    let a = &apps[0];
    assert_eq!(a.candidate.email.as_deref(), Some("camille@example.org"));
    assert_eq!(a.candidate.name, "Camille Martin");
    assert_eq!(a.application.source, "apply_form");
    assert_eq!(a.application.submission_key, key);
    assert_eq!(a.application.consent_language, "en");
    assert_eq!(a.application.cv_filename.as_deref(), Some("my cv.pdf"), "only the base name is kept");
    assert_eq!(a.application.cv_content_type.as_deref(), Some("application/pdf"));
    assert_eq!(a.application.cv_size, Some(pdf().len() as i64));
    let sha = a.application.cv_sha256.clone().expect("cv stored");
    assert_eq!(app.state.blobs.get(&sha).unwrap().unwrap(), pdf());

    let r = app.client.get(app.url(&format!("/jobs/{}/applied", o.slug))).header("accept-language", "fr").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let thanks = r.text().await.unwrap();
    assert!(thanks.contains("Merci, votre candidature a bien été envoyée"));
    assert!(thanks.contains("Rust developer"));
}

/// The consent version and time are kept with the application; the talent pool is a separate,
/// optional choice (unticked: the 3-month rule; ticked: two years after the last contact).
async fn the_talent_pool_is_an_optional_choice_kept_with_the_consent(backend: Backend) {
    use diesel::prelude::*;
    use hirecast::store::schema::candidates;
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let html = page(&app, &format!("/jobs/{}", o.slug)).await;
    assert!(attr(&html, r#"input[name="talent_pool"]"#, "checked").is_none(), "not ticked by default");
    assert!(attr(&html, r#"input[name="talent_pool"]"#, "required").is_none(), "optional");
    let key = form_key(&app, &o.slug).await;
    assert_eq!(post_application(&app, &o.slug, &Application::new("no-pool@example.org", &key)).await.status().as_u16(), 303);
    let key = form_key(&app, &o.slug).await;
    assert_eq!(post_application(&app, &o.slug, &Application::new("pool@example.org", &key).set("talent_pool", "yes")).await.status().as_u16(), 303);
    let apps = app.db(|c| hirecast::store::applications::list_for_opening(c, &o.id).unwrap());
    assert_eq!(apps.len(), 2);
    for a in &apps {
        let pool = a.candidate.email.as_deref() == Some("pool@example.org");
        assert_eq!(a.application.talent_pool, pool);
        assert_eq!(a.application.consent_version, hirecast::store::applications::PRIVACY_NOTICE_VERSION);
        let (pool_at, last): (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>) =
            app.db(|c| candidates::table.find(&a.candidate.id).select((candidates::talent_pool_at, candidates::last_action_at)).first(c).unwrap());
        assert_eq!(pool_at.is_some(), pool);
        assert_eq!(last, Some(a.application.created_at), "applying is the person's own action");
    }
}

/// A real Word document is recognised by its content, whatever name and type the browser gave it.
async fn applying_with_a_docx_is_recognised_by_content(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let key = form_key(&app, &o.slug).await;
    let docx = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.docx")).unwrap();
    let mut a = Application::new("lou@example.org", &key);
    a.cv = Some((docx.clone(), "cv.bin", "application/octet-stream"));
    let r = post_application(&app, &o.slug, &a).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let apps = app.db(|c| hirecast::store::applications::list_for_opening(c, &o.id).unwrap());
    assert_eq!(apps[0].application.cv_content_type.as_deref(), Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
    assert_eq!(app.state.blobs.get(apps[0].application.cv_sha256.as_deref().unwrap()).unwrap().unwrap(), docx);
}

async fn same_email_on_two_openings_is_one_candidate(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = open(&app, input("First"));
    let b = open(&app, input("Second"));
    let key_a = form_key(&app, &a.slug).await;
    let key_b = form_key(&app, &b.slug).await;
    assert_ne!(key_a, key_b);
    let r = post_application(&app, &a.slug, &Application::new("sam@example.org", &key_a)).await;
    assert_eq!(r.status().as_u16(), 303);
    // The second time with a link only, no file.
    let mut second = Application::new("SAM@example.org", &key_b).set("cv_url", "https://example.org/sam-cv");
    second.cv = None;
    let r = post_application(&app, &b.slug, &second).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(count_candidates(&app), 1);
    assert_eq!(count_applications(&app), 2);
    let apps = app.db(|c| hirecast::store::applications::list_for_opening(c, &b.id).unwrap());
    assert_eq!(apps[0].application.cv_url.as_deref(), Some("https://example.org/sam-cv"));
    assert!(apps[0].application.cv_sha256.is_none());
}

async fn a_double_submission_files_one_application(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let key = form_key(&app, &o.slug).await;
    let form = Application::new("twice@example.org", &key);
    let (r1, r2) = tokio::join!(post_application(&app, &o.slug, &form), post_application(&app, &o.slug, &form));
    assert_eq!(r1.status().as_u16(), 303);
    assert_eq!(r2.status().as_u16(), 303);
    let r3 = post_application(&app, &o.slug, &form).await;
    assert_eq!(r3.status().as_u16(), 303);
    assert_eq!(r3.headers()["location"].to_str().unwrap(), format!("/jobs/{}/applied", o.slug));
    assert_eq!(count_applications(&app), 1);
    assert_eq!(count_candidates(&app), 1);
}

async fn files_that_are_not_a_cv_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let key = form_key(&app, &o.slug).await;
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend_from_slice(&[0u8; 200]);
    let fakes: Vec<Vec<u8>> = vec![b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode".to_vec(), zip, b"just some text, honest".to_vec()];
    for bytes in fakes {
        let mut a = Application::new("fake@example.org", &key).set("name", "Fake <b>Name</b>");
        a.cv = Some((bytes, "cv.pdf", "application/pdf"));
        let r = post_application(&app, &o.slug, &a).await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("is not a PDF or Word (.docx) file"), "the cv message is shown");
        assert!(html.contains(r#"id="a-cv-err""#));
        assert_eq!(attr(&html, r#"input[name="submission_key"]"#, "value").as_deref(), Some(key.as_str()), "same key");
        assert_eq!(attr(&html, r#"input[name="email"]"#, "value").as_deref(), Some("fake@example.org"), "values kept");
    }
    assert_eq!(count_applications(&app), 0);
    assert_eq!(count_candidates(&app), 0);
    assert!(!blobs_written(&app));
}

async fn a_body_over_ten_megabytes_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let key = form_key(&app, &o.slug).await;
    let limit = hirecast::domain::candidate::CV_MAX_BYTES;

    // Just over the CV limit: read as a stream and answered with the form and its message.
    let mut big = pdf();
    big.resize(limit + 1, b' ');
    let mut a = Application::new("big@example.org", &key);
    a.cv = Some((big, "cv.pdf", "application/pdf"));
    let r = post_application(&app, &o.slug, &a).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("larger than 10 MB"));
    assert_eq!(attr(&html, r#"input[name="name"]"#, "value").as_deref(), Some("Camille Martin"));

    // Far over: refused from its declared length, without reading it.
    let mut huge = pdf();
    huge.resize(limit * 2, b' ');
    a.cv = Some((huge, "cv.pdf", "application/pdf"));
    let r = app.client.post(app.url(&format!("/jobs/{}/apply", o.slug))).multipart(a.form()).send().await;
    match r {
        Ok(r) => {
            assert_eq!(r.status().as_u16(), 413);
            assert!(r.text().await.unwrap().contains("larger than 10 MB"));
        }
        // The server may close the connection before the client finished sending: still refused.
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    assert_eq!(count_applications(&app), 0);
    assert_eq!(count_candidates(&app), 0);
    assert!(!blobs_written(&app));
    // The app still answers.
    assert_eq!(get(&app, &format!("/jobs/{}", o.slug)).await.status().as_u16(), 200);
}

async fn missing_consent_or_cv_reshows_the_form_with_values_escaped(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = open(&app, input("Rust developer"));
    let key = form_key(&app, &o.slug).await;

    let a = Application::new("noconsent@example.org", &key).without("consent").set("name", "<b>Bob</b> \"the builder\"");
    let r = post_application(&app, &o.slug, &a).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("you must agree to the privacy notice to apply"));
    assert!(html.contains(r#"id="a-consent-err""#));
    assert!(!html.contains("<b>Bob</b>"), "HTML in the name is escaped");
    assert!(html.contains("&#60;b&#62;Bob&#60;/b&#62;"), "escaped by the template");
    assert_eq!(attr(&html, r#"input[name="name"]"#, "value").as_deref(), Some("<b>Bob</b> \"the builder\""));
    assert_eq!(attr(&html, r#"input[name="submission_key"]"#, "value").as_deref(), Some(key.as_str()));
    assert!(attr(&html, r#"input[name="consent"]"#, "checked").is_none());

    // No file and no link; a bad email; in French for a French visitor.
    let mut a = Application::new("not-an-email", &key);
    a.cv = None;
    let r = app
        .client
        .post(app.url(&format!("/jobs/{}/apply", o.slug)))
        .header("accept-language", "fr")
        .multipart(a.form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("envoyez un fichier CV ou un lien vers votre CV"), "cv message in French");
    assert!(html.contains(r#"id="a-email-err""#));
    assert!(attr(&html, r#"input[name="consent"]"#, "checked").is_some(), "consent kept");

    // Not multipart at all: a clear 400, not a 500.
    let r = app.client.post(app.url(&format!("/jobs/{}/apply", o.slug))).form(&[("name", "x")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(count_applications(&app), 0);
    assert_eq!(count_candidates(&app), 0);
    assert!(!blobs_written(&app));
}

/// Counts the statements a connection runs while `f` runs.
fn statements<T>(app: &TestApp, f: impl FnOnce(&mut hirecast::store::DbConn) -> T) -> (usize, T) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = std::sync::Arc::new(AtomicUsize::new(0));
    app.db(|c| {
        let counter = n.clone();
        c.set_instrumentation(move |e: InstrumentationEvent<'_>| {
            if matches!(e, InstrumentationEvent::StartQuery { .. }) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let out = f(c);
        c.set_instrumentation(|_: InstrumentationEvent<'_>| {});
        (n.load(Ordering::SeqCst), out)
    })
}

async fn descriptions_are_rendered_at_save_and_lists_read_managers_in_one_query(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut i = input("Développeuse Rust");
    i.description = format!("We build **things**. {XSS}\n\nJoin [us](https://acme.example).");
    let o = open(&app, i);
    let (html, text): (String, String) =
        app.db(|c| schema::openings::table.find(&o.id).select((schema::openings::description_html, schema::openings::description_text)).first(c).unwrap());
    assert!(html.contains("<strong>things</strong>") && !html.contains("<script"), "sanitized HTML saved with the row: {html}");
    assert!(text.starts_with("We build things.") && text.ends_with("Join us."), "plain text saved with the row: {text}");
    let body = page(&app, &format!("/jobs/{}", o.slug)).await;
    assert!(body.contains("<strong>things</strong>"), "the page shows the saved HTML");

    // A row saved before the column existed is rendered when the service starts.
    app.db(|c| diesel::update(schema::openings::table.find(&o.id)).set(schema::openings::description_html.eq("")).execute(c).unwrap());
    assert_eq!(app.db(|c| openings::render_missing(c).unwrap()), 1);
    let again: String = app.db(|c| schema::openings::table.find(&o.id).select(schema::openings::description_html).first(c).unwrap());
    assert_eq!(again, html);
    assert_eq!(app.db(|c| openings::render_missing(c).unwrap()), 0, "once");

    // Twenty listed openings, each with its own manager: three statements, whatever the count.
    let managers: Vec<String> = (0..20).map(|n| app.add_user(&format!("hm{n}@acme.fr"), hirecast::domain::user::Role::HiringManager).id).collect();
    for (n, m) in managers.iter().enumerate() {
        let mut i = input(&format!("Poste {n}"));
        i.hiring_manager_ids = vec![m.clone()];
        open(&app, i);
    }
    let filter = openings::OpeningFilter { live_on: Some(app.state.clock.today()), limit: 100, ..Default::default() };
    let (n, (listed, total)) = statements(&app, |c| openings::list(c, &filter).unwrap());
    assert_eq!((listed.len(), total), (21, 21));
    assert!(n <= 3, "count, page and managers: {n} statements");
    for l in &listed {
        let want: Vec<String> = app.db(|c| openings::find(c, &l.id).unwrap().unwrap().draft.hiring_manager_ids);
        assert_eq!(l.draft.hiring_manager_ids, want, "each opening keeps its own managers");
    }
}

async fn the_careers_cache_shows_a_change_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.api_token("api@acme.fr", hirecast::domain::user::Role::Recruiter);
    let o = open(&app, input("Développeuse Rust"));
    let path = format!("/jobs/{}", o.slug);
    let api = reqwest::Client::new();
    // Read twice (the second from the cache), then changed through the API: the next read shows it.
    for _ in 0..2 {
        assert!(page(&app, &path).await.contains("Développeuse Rust"));
        assert!(page(&app, "/jobs").await.contains("Développeuse Rust"));
        assert!(page(&app, "/jobs/feed.rss").await.contains("Développeuse Rust"));
    }
    // The page is rendered once, but each visitor's form gets its own submission key.
    let (k1, k2) = (form_key(&app, &o.slug).await, form_key(&app, &o.slug).await);
    assert_ne!(k1, k2, "one key per form shown");
    let r = api.patch(app.url(&format!("/api/v1/openings/{}", o.id))).bearer_auth(&token).json(&serde_json::json!({"title": "Développeuse Rust senior", "description": "Nouvelle *annonce*"})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
    let body = page(&app, &path).await;
    assert!(body.contains("Développeuse Rust senior") && body.contains("<em>annonce</em>"), "the page follows the change at once");
    assert!(page(&app, "/jobs").await.contains("Développeuse Rust senior"));
    assert!(page(&app, "/jobs/feed.json").await.contains("<em>annonce</em>"));
    assert!(page(&app, "/jobs/feed.rss").await.contains("Développeuse Rust senior"));

    // A new opening shows in the list and the sitemap; a paused one is gone from both at once.
    let other = open(&app, input("Chef de projet"));
    assert!(page(&app, "/jobs").await.contains("Chef de projet"));
    assert!(page(&app, "/sitemap.xml").await.contains(&other.slug));
    let r = api.post(app.url(&format!("/api/v1/openings/{}/pause", other.id))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
    assert!(!page(&app, "/jobs").await.contains("Chef de projet"));
    assert!(!page(&app, "/sitemap.xml").await.contains(&other.slug));
    assert_eq!(get(&app, &format!("/jobs/{}", other.slug)).await.status().as_u16(), 410);
    // Past its last day (the clock moves, nothing is written): gone, cache or not.
    let mut i = input("Stage été");
    i.valid_through = Some(app.state.clock.today().to_string());
    let summer = open(&app, i);
    assert_eq!(get(&app, &format!("/jobs/{}", summer.slug)).await.status().as_u16(), 200);
    assert!(page(&app, "/jobs").await.contains("Stage été"));
    assert!(page(&app, "/jobs/feed.atom").await.contains("Stage été"));
    app.state.clock.advance(chrono::Duration::days(1));
    assert_eq!(get(&app, &format!("/jobs/{}", summer.slug)).await.status().as_u16(), 410);
    assert!(!page(&app, "/jobs").await.contains("Stage été"));
    assert!(!page(&app, "/jobs/feed.atom").await.contains("Stage été"), "a feed is kept per day");
    // Each language has its own feed.
    let fr = app.client.get(app.url("/jobs/feed.rss")).header("accept-language", "fr").send().await.unwrap().text().await.unwrap();
    let en = app.client.get(app.url("/jobs/feed.rss")).header("accept-language", "en").send().await.unwrap().text().await.unwrap();
    assert!(fr.contains("<language>fr</language>") && en.contains("<language>en</language>"), "{fr}\n{en}");
}

crate::on_both_backends!(
    descriptions_are_rendered_at_save_and_lists_read_managers_in_one_query,
    the_careers_cache_shows_a_change_at_once,
    the_talent_pool_is_an_optional_choice_kept_with_the_consent,
    root_redirects_to_jobs,
    list_shows_only_live_openings_and_filters_work,
    list_paginates_by_twenty,
    job_page_has_meta_and_job_posting,
    draft_and_unknown_are_404_closed_and_expired_are_410,
    hostile_text_is_escaped_in_html_and_json_ld,
    feeds_parse_and_hold_live_openings_only,
    applying_with_a_pdf_files_candidate_application_and_cv,
    applying_with_a_docx_is_recognised_by_content,
    same_email_on_two_openings_is_one_candidate,
    a_double_submission_files_one_application,
    files_that_are_not_a_cv_are_refused,
    a_body_over_ten_megabytes_is_refused,
    missing_consent_or_cv_reshows_the_form_with_values_escaped,
);
