//! The recruiter web app, through HTTP like a browser without JavaScript.
use hirecast::domain::candidate::ApplicantDetails;
use hirecast::domain::user::Role;
use hirecast::i18n::Lang;
use hirecast::store::applications::{self, NewApplication, StoredCv};
use hirecast::store::openings::{self, OpeningFilter};
use hirecast::store::users;
use reqwest::Response;
use scraper::{Html, Selector};
use sha2::Digest;

use crate::helpers::*;

fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hirecast_session="))
        .map(|v| v.split(';').next().unwrap().trim_start_matches("hirecast_session=").to_string())
}

fn location(res: &Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

fn select_attr(html: &str, css: &str, attr: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr(attr)).map(str::to_string)
}

fn select_text(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>()).collect()
}

async fn login(app: &TestApp, client: &reqwest::Client, email: &str, password: &str, next: &str) -> Response {
    client.post(app.url("/login")).form(&[("email", email), ("password", password), ("next", next)]).send().await.unwrap()
}

/// A valid opening as the editor posts it.
fn opening_form(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_string()),
        ("company", "Acme Logistique".into()),
        ("department", "Tech".into()),
        ("city", "Lyon".into()),
        ("country", "FR".into()),
        ("remote_policy", "hybrid".into()),
        ("employment_type", "permanent".into()),
        ("salary_min", "45000".into()),
        ("salary_max", "55000".into()),
        ("salary_currency", "EUR".into()),
        ("salary_period", "year".into()),
        ("required_skills", "Rust, PostgreSQL\nSQL".into()),
        ("nice_to_have_skills", "".into()),
        ("language", "fr".into()),
        ("description", "## Le poste\nDu **Rust**.".into()),
        ("valid_through", "".into()),
    ]
}

fn set(form: &mut Vec<(&'static str, String)>, key: &'static str, value: &str) {
    form.retain(|(k, _)| *k != key);
    form.push((key, value.to_string()));
}

/// Creates an opening through the form; returns its id.
async fn create_opening(app: &TestApp, client: &reqwest::Client, form: &[(&'static str, String)]) -> String {
    let res = client.post(app.url("/app/openings")).form(form).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "creating an opening should redirect: {}", res.text().await.unwrap());
    let loc = location(&res);
    assert!(loc.ends_with("?done=created"), "{loc}");
    loc.trim_start_matches("/app/openings/").split('?').next().unwrap().to_string()
}

fn file_application(app: &TestApp, opening_id: &str, email: &str, cv: Option<StoredCv>) -> String {
    let details = ApplicantDetails::parse("Zoé Martin", email, "+33 6 12 34 56 78", "", "Bonjour").unwrap();
    let key = hirecast::auth::short_code(12);
    let filed = app.db(|c| {
        applications::file(
            c,
            NewApplication {
                opening_id,
                details: &details,
                cv,
                submission_key: &key,
                consent_language: Lang::Fr,
                source: "careers",
                at: hirecast::store::now(),
                talent_pool: false,
            },
        )
        .unwrap()
    });
    match filed {
        applications::Filed::New { application_id, .. } => application_id,
        other => panic!("expected a new application, got {other:?}"),
    }
}

fn opening_count(app: &TestApp) -> i64 {
    app.db(|c| openings::list(c, &OpeningFilter { limit: 10, ..Default::default() }).unwrap().1)
}

async fn sign_in_refuses_wrong_passwords_and_open_redirects(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);

    let res = login(&app, &app.client, "ana@acme.fr", "not the password!", "/app").await;
    assert_eq!(res.status().as_u16(), 401);
    assert!(session_cookie(&res).is_none(), "a failed sign-in must not set a session");
    let body = res.text().await.unwrap();
    assert!(body.contains("The email or password is wrong."));
    assert_eq!(select_attr(&body, "#email", "value").as_deref(), Some("ana@acme.fr"), "the email is kept");

    let res = login(&app, &app.client, "nobody@acme.fr", PASSWORD, "/app").await;
    assert_eq!(res.status().as_u16(), 401, "an unknown email fails the same way");

    for evil in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let client = new_client();
        let res = login(&app, &client, "ana@acme.fr", PASSWORD, evil).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(location(&res), "/app", "next={evil} must not be followed");
        assert!(session_cookie(&res).is_some());
    }
    let client = new_client();
    let res = login(&app, &client, "ana@acme.fr", PASSWORD, "/app/openings?status=open").await;
    assert_eq!(location(&res), "/app/openings?status=open", "a local next is kept");
    let res = client.get(app.url("/app")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

async fn anonymous_visitors_are_sent_to_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.client.get(app.url("/app/openings?q=rust")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/login?next=%2Fapp%2Fopenings%3Fq%3Drust");
    let res = app.client.get(app.url("/login?next=%2Fapp%2Fopenings")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    assert_eq!(select_attr(&body, "#login-form input[name=next]", "value").as_deref(), Some("/app/openings"));
}

async fn sign_out_ends_the_session_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let res = login(&app, &app.client, "ana@acme.fr", PASSWORD, "/app").await;
    let token = session_cookie(&res).expect("session cookie");
    let res = app.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/login");
    // Replaying the old cookie value must not open the app any more.
    let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = replay.get(app.url("/app")).header("cookie", format!("hirecast_session={token}")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(location(&res).starts_with("/login"));
}

async fn first_admin_link_works_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.db(|c| users::first_admin_link(c, chrono::Duration::days(1)).unwrap());
    let path = format!("/setup/{token}");
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    assert!(select_attr(&body, "#setup-form #email", "name").is_some(), "the first admin types an email");

    let client = new_client();
    let res = client
        .post(app.url(&path))
        .form(&[("email", "boss@acme.fr"), ("name", "Camille"), ("password", PASSWORD), ("password_confirm", "something else!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("the two passwords are different"));
    assert_eq!(select_attr(&body, "#email", "value").as_deref(), Some("boss@acme.fr"));
    assert_eq!(app.db(|c| users::count(c).unwrap()), 0, "nothing written");

    let res = client
        .post(app.url(&path))
        .form(&[("email", "boss@acme.fr"), ("name", "Camille"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/app");
    let res = client.get(app.url("/app/team")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "the new admin is signed in");

    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 410, "the link works once");
    assert!(res.text().await.unwrap().contains("Ask an administrator for a new link"));
    let res = app
        .client
        .post(app.url(&path))
        .form(&[("email", "other@acme.fr"), ("name", "X"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 410);

    let late = app.db(|c| users::first_admin_link(c, chrono::Duration::days(1)).unwrap());
    let res = app.client.get(app.url(&format!("/setup/{late}"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 410, "no first-admin link once an admin exists");
    assert_eq!(app.db(|c| users::count(c).unwrap()), 1);
}

async fn invited_user_sets_a_password_and_signs_in(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("boss@acme.fr", Role::Admin);
    let admin = app.signed_in("boss@acme.fr").await;
    let res = admin
        .post(app.url("/app/team"))
        .form(&[("email", "Hugo@Acme.fr"), ("name", "Hugo"), ("role", "hiring_manager")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    let link = select_attr(&body, "#invite-link", "value").expect("the one-time link is shown");
    assert!(link.starts_with(&format!("{}/setup/", app.address)), "{link}");
    let path = link.trim_start_matches(&app.address).to_string();

    let res = admin.get(app.url("/app/team")).send().await.unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains("data-state=\"invited\""));

    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#invited-email"), vec!["hugo@acme.fr"]);
    assert!(select_attr(&body, "#setup-form #email", "name").is_none(), "an invited user does not retype the email");
    let res = app.client.post(app.url(&path)).form(&[("password", "short"), ("password_confirm", "short")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("at least 12 characters"));
    let res = app.client.post(app.url(&path)).form(&[("password", PASSWORD), ("password_confirm", PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);

    let hugo = app.signed_in("hugo@acme.fr").await;
    let res = hugo.get(app.url("/app")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("Hiring manager"));
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 410);

    // The same email again is a field message, not an error page.
    let res = admin.post(app.url("/app/team")).form(&[("email", "hugo@acme.fr"), ("name", "Hugo"), ("role", "recruiter")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#email-error"), vec!["a user with this email already exists"]);
}

async fn opening_form_refuses_bad_input_and_keeps_values(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let mut form = opening_form(&"x".repeat(10_000));
    set(&mut form, "salary_min", "60000");
    set(&mut form, "salary_max", "40000");
    set(&mut form, "valid_through", "2026-02-30");
    set(&mut form, "remote_policy", "on-site");
    set(&mut form, "city", "");
    set(&mut form, "company", "Acme <b>Logistique</b>");
    let res = client.post(app.url("/app/openings")).form(&form).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#title-error"), vec!["is 10000 characters long; at most 150 are allowed"]);
    assert_eq!(select_text(&body, "#salary_min-error"), vec!["the minimum (60000) is above the maximum (40000)"]);
    assert_eq!(select_text(&body, "#valid_through-error"), vec!["must be a date written YYYY-MM-DD, such as 2026-12-31"]);
    assert_eq!(select_text(&body, "#city-error"), vec!["is required for on-site and hybrid openings"]);
    assert_eq!(select_text(&body, "#error-summary li").len(), 4, "{:?}", select_text(&body, "#error-summary li"));
    assert_eq!(select_attr(&body, "#company", "value").as_deref(), Some("Acme <b>Logistique</b>"), "values are kept");
    assert_eq!(select_attr(&body, "#salary_max", "value").as_deref(), Some("40000"));
    assert_eq!(select_attr(&body, "#valid_through", "value").as_deref(), Some("2026-02-30"));
    assert_eq!(select_attr(&body, "#remote_policy option[selected]", "value").as_deref(), Some("on-site"));
    assert_eq!(opening_count(&app), 0, "nothing written");

    // A non-numeric amount is a field message, not a 400.
    let mut form = opening_form("Développeur Rust");
    set(&mut form, "salary_min", "beaucoup");
    let res = client.post(app.url("/app/openings")).form(&form).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#salary_min-error"), vec!["must be a whole number, such as 45000"]);
    assert_eq!(opening_count(&app), 0);

    // An unknown hiring manager id (a tampered form) is a field message too.
    let mut form = opening_form("Développeur Rust");
    form.push(("hiring_manager_ids", "no-such-user".into()));
    let res = client.post(app.url("/app/openings")).form(&form).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(select_text(&res.text().await.unwrap(), "#hiring_manager_ids-error")[0].contains("not an active hiring manager"));
    assert_eq!(opening_count(&app), 0);

    // French messages for a French user.
    app.db(|c| {
        let id = users::list(c).unwrap()[0].id.clone();
        users::set_locale(c, &id, Lang::Fr).unwrap()
    });
    let mut form = opening_form("");
    set(&mut form, "remote_policy", "hybrid");
    let res = client.post(app.url("/app/openings")).form(&form).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#title-error"), vec!["est obligatoire"]);
}

async fn titles_are_stored_raw_and_shown_escaped(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let title = "<script>alert(1)</script> Dev";
    let id = create_opening(&app, &client, &opening_form(title)).await;
    let stored = app.db(|c| openings::find(c, &id).unwrap().unwrap());
    assert_eq!(stored.draft.title, title);
    assert_eq!(stored.draft.required_skills, vec!["Rust", "PostgreSQL", "SQL"]);
    assert_eq!(stored.draft.salary.as_ref().unwrap().min, Some(45000));
    for path in ["/app/openings".to_string(), format!("/app/openings/{id}"), format!("/app/openings/{id}/edit")] {
        let body = client.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(!body.contains("<script>alert(1)"), "{path} shows the title unescaped");
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt; Dev") || body.contains("&#60;script&#62;"), "{path}");
    }
    let body = client.get(app.url(&format!("/app/openings/{id}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#opening-title"), vec![title]);
    assert!(body.contains("<strong>Rust</strong>"), "the description is rendered from Markdown");

    // Editing keeps the values and saves the change.
    let mut form = opening_form("Développeur Rust senior");
    set(&mut form, "remote_policy", "remote");
    set(&mut form, "city", "");
    let res = client.post(app.url(&format!("/app/openings/{id}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), format!("/app/openings/{id}?done=updated"));
    let stored = app.db(|c| openings::find(c, &id).unwrap().unwrap());
    assert_eq!(stored.draft.title, "Développeur Rust senior");
    assert_eq!(stored.draft.city, None);
}

async fn status_moves_through_the_opening_page(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let id = create_opening(&app, &client, &opening_form("Développeur Rust")).await;
    let page = format!("/app/openings/{id}");
    let body = client.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#publish-opening"), vec!["Publish"]);
    assert!(select_text(&body, "#pause-opening").is_empty(), "a draft cannot be paused");
    assert!(select_text(&body, "#public-link").is_empty(), "no public link for a draft");

    for (action, done, status) in [("publish", "published", "open"), ("pause", "paused", "paused"), ("close", "closed", "closed")] {
        let res = client.post(app.url(&format!("{page}/status"))).form(&[("action", action)]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "{action}");
        assert_eq!(location(&res), format!("{page}?done={done}"));
        let body = client.get(app.url(&location(&res))).send().await.unwrap().text().await.unwrap();
        assert_eq!(select_attr(&body, "#opening-status", "data-status").as_deref(), Some(status));
        assert_eq!(select_text(&body, "#notice").len(), 1);
        if status == "open" {
            let link = select_attr(&body, "#public-link", "href").expect("public link when live");
            let slug = app.db(|c| openings::find(c, &id).unwrap().unwrap().slug);
            assert_eq!(link, format!("{}/jobs/{slug}", app.address));
        }
    }
    // A refused move shows its reason, not an error page.
    let res = client.post(app.url(&format!("{page}/status"))).form(&[("action", "pause")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 409);
    let body = res.text().await.unwrap();
    assert_eq!(select_text(&body, "#notice"), vec!["This change is not possible for an opening with the status “Closed”."]);
    assert_eq!(app.db(|c| openings::find(c, &id).unwrap().unwrap().status.as_str()), "closed");

    // Publishing an opening whose last day has passed is refused with the date.
    let mut form = opening_form("Stage RH");
    let today = app.state.clock.today();
    set(&mut form, "valid_through", &today.to_string());
    let id = create_opening(&app, &client, &form).await;
    app.state.clock.advance(chrono::Duration::days(2));
    // Two days later the session has ended (idle timeout): sign in again.
    let client = app.signed_in("ana@acme.fr").await;
    let res = client.post(app.url(&format!("/app/openings/{id}/status"))).form(&[("action", "publish")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 409);
    let body = res.text().await.unwrap();
    assert!(select_text(&body, "#notice")[0].contains(&format!("expired on {today}")));
    assert_eq!(app.db(|c| openings::find(c, &id).unwrap().unwrap().status.as_str()), "draft");

    let res = client.post(app.url(&format!("/app/openings/{id}/status"))).form(&[("action", "delete")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
}

async fn hiring_managers_see_only_their_openings(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let hugo = app.add_user("hugo@acme.fr", Role::HiringManager);
    let recruiter = app.signed_in("ana@acme.fr").await;
    let mut form = opening_form("Assigned opening");
    form.push(("hiring_manager_ids", hugo.id.clone()));
    let assigned = create_opening(&app, &recruiter, &form).await;
    let other = create_opening(&app, &recruiter, &opening_form("Hidden opening")).await;
    let sha = app.state.blobs.put(b"%PDF-1.4 secret").unwrap();
    let cv = || Some(StoredCv { sha256: sha.clone(), filename: "cv.pdf".into(), content_type: "application/pdf".into(), size: 15 });
    let hidden_app = file_application(&app, &other, "zoe@example.fr", cv());
    let visible_app = file_application(&app, &assigned, "zoe@example.fr", cv());

    let hm = app.signed_in("hugo@acme.fr").await;
    let body = hm.get(app.url("/app/openings")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#openings-table .opening-title"), vec!["Assigned opening"]);
    let body = hm.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "[data-status=draft]"), vec!["1"], "dashboard counts only assigned openings");

    let status = |path: String| {
        let hm = hm.clone();
        let url = app.url(&path);
        async move { hm.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("/app/openings/{assigned}")).await, 200);
    assert_eq!(status(format!("/app/applications/{visible_app}")).await, 200);
    assert_eq!(status(format!("/app/applications/{visible_app}/cv")).await, 200);
    assert_eq!(status(format!("/app/openings/{other}")).await, 404);
    assert_eq!(status(format!("/app/openings/{other}/edit")).await, 404);
    assert_eq!(status(format!("/app/applications/{hidden_app}")).await, 404);
    assert_eq!(status(format!("/app/applications/{hidden_app}/cv")).await, 404);
    assert_eq!(status(format!("/app/openings/{assigned}/edit")).await, 403);
    assert_eq!(status("/app/openings/new".into()).await, 403);

    let body = hm.get(app.url(&format!("/app/applications/{visible_app}"))).send().await.unwrap().text().await.unwrap();
    assert!(select_text(&body, "#other-applications li").is_empty(), "the other application is on a hidden opening");
    let body = recruiter.get(app.url(&format!("/app/applications/{visible_app}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#other-applications li").len(), 1, "a recruiter sees the candidate's other application");

    let res = hm.post(app.url(&format!("/app/openings/{assigned}/status"))).form(&[("action", "publish")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = hm.post(app.url(&format!("/app/openings/{assigned}"))).form(&opening_form("Changed")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = hm.post(app.url("/app/openings")).form(&opening_form("New")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = hm.post(app.url(&format!("/app/openings/{other}/status"))).form(&[("action", "publish")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let o = app.db(|c| openings::find(c, &assigned).unwrap().unwrap());
    assert_eq!((o.draft.title.as_str(), o.status.as_str()), ("Assigned opening", "draft"));
    assert_eq!(opening_count(&app), 2);
}

async fn cv_downloads_are_attachments_with_safe_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let id = create_opening(&app, &client, &opening_form("Développeur Rust")).await;
    let bytes = b"%PDF-1.4 Zoe's CV".to_vec();
    let sha = app.state.blobs.put(&bytes).unwrap();
    let cv = StoredCv { sha256: sha, filename: "CV Zoé \"final\".pdf".into(), content_type: "application/pdf".into(), size: bytes.len() as i64 };
    let application = file_application(&app, &id, "zoe@example.fr", Some(cv));
    let no_cv = file_application(&app, &id, "leo@example.fr", None);

    let body = client.get(app.url(&format!("/app/openings/{id}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#applications-table .application-link").len(), 2);
    assert_eq!(
        select_attr(&body, &format!("tr[data-application-id=\"{application}\"] .cv-download"), "href"),
        Some(format!("/app/applications/{application}/cv"))
    );

    let res = client.get(app.url(&format!("/app/applications/{application}/cv"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-disposition"], "attachment; filename=\"CV_Zo___final_.pdf\"; filename*=UTF-8''CV%20Zo%C3%A9%20%22final%22.pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-security-policy"], "sandbox");
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    let res = client.get(app.url(&format!("/app/applications/{no_cv}/cv"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);

    // A file another instance stored: not in this instance's folder. On PostgreSQL the
    // database copy serves it; on SQLite (one instance) it is simply not found, never a 500.
    let other = b"%PDF-1.4 stored by another instance".to_vec();
    let other_sha = hex::encode(sha2::Sha256::digest(&other));
    app.db(|c| hirecast::store::blobs::share(c, &other_sha, &other).unwrap());
    let cv = StoredCv { sha256: other_sha, filename: "cv.pdf".into(), content_type: "application/pdf".into(), size: other.len() as i64 };
    let elsewhere = file_application(&app, &id, "ines@example.fr", Some(cv));
    let res = client.get(app.url(&format!("/app/applications/{elsewhere}/cv"))).send().await.unwrap();
    if backend == Backend::Postgres {
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.bytes().await.unwrap().to_vec(), other);
    } else {
        assert_eq!(res.status().as_u16(), 404);
    }
}

async fn team_is_for_admins_and_keeps_an_admin(backend: Backend) {
    let app = spawn_app(backend).await;
    let boss = app.add_user("boss@acme.fr", Role::Admin);
    let ana = app.add_user("ana@acme.fr", Role::Recruiter);
    let recruiter = app.signed_in("ana@acme.fr").await;
    assert_eq!(recruiter.get(app.url("/app/team")).send().await.unwrap().status().as_u16(), 403);
    let res = recruiter.post(app.url("/app/team")).form(&[("email", "x@acme.fr"), ("name", "X"), ("role", "admin")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let body = recruiter.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(!body.contains("href=\"/app/team\""), "no Team link for non-admins");

    let admin = app.signed_in("boss@acme.fr").await;
    let body = admin.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("href=\"/app/team\""));
    for (role, active) in [("recruiter", "true"), ("admin", "false")] {
        let res = admin.post(app.url(&format!("/app/team/{}", boss.id))).form(&[("role", role), ("active", active)]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 409);
        let body = res.text().await.unwrap();
        assert_eq!(select_text(&body, "#notice"), vec!["You cannot change your own role or deactivate yourself."]);
    }
    let me = app.db(|c| users::find(c, &boss.id).unwrap().unwrap());
    assert!(me.role == Role::Admin && me.active, "the last admin is untouched");

    // Promote Ana, then the admins may change each other.
    let res = admin.post(app.url(&format!("/app/team/{}", ana.id))).form(&[("role", "admin"), ("active", "true")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let res = admin.post(app.url(&format!("/app/team/{}", ana.id))).form(&[("role", "admin"), ("active", "false")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let ana_now = app.db(|c| users::find(c, &ana.id).unwrap().unwrap());
    assert!(ana_now.role == Role::Admin && !ana_now.active);
    assert_eq!(recruiter.get(app.url("/app")).send().await.unwrap().status().as_u16(), 303, "a deactivated user is signed out");
    let body = admin.get(app.url("/app/team")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, &format!("tr[data-user-id=\"{}\"]", ana.id), "data-state").as_deref(), Some("deactivated"));
}

async fn api_tokens_are_shown_once_and_can_be_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.add_user("ana@acme.fr", Role::Recruiter);
    let other = app.add_user("leo@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let res = client.post(app.url("/app/settings/tokens")).form(&[("name", "")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);

    // A token without any scope could do nothing: refused.
    let res = client.post(app.url("/app/settings/tokens")).form(&[("name", "CI script")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("Choose at least one scope."));

    let res = client
        .post(app.url("/app/settings/tokens"))
        .form(&[("name", "CI script"), ("scope", "openings:read"), ("scope", "candidates:write"), ("scope", "bogus")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    let secret = select_attr(&body, "#token-secret", "value").expect("the secret is shown");
    assert!(secret.starts_with("hc_"));
    assert!(body.contains("stores only a hash"));
    let (user, scopes) = app.db(|c| users::user_for_api_token(c, &secret).unwrap()).expect("the token works");
    assert_eq!(user.id, ana.id);
    use hirecast::domain::user::Scope;
    assert_eq!(scopes, vec![Scope::OpeningsRead, Scope::CandidatesWrite], "the chosen scopes, unknown ones dropped");
    assert!(
        body.contains(r#"<td class="token-scopes"><code>openings:read</code> <code>candidates:write</code></td>"#),
        "the token list shows the scopes"
    );

    let body = client.get(app.url("/app/settings")).send().await.unwrap().text().await.unwrap();
    assert!(!body.contains(&secret), "the secret is shown once");
    let token_id = select_attr(&body, "#tokens-table tr[data-token-id]", "data-token-id").unwrap();

    // Someone else cannot revoke it.
    let leo = app.signed_in("leo@acme.fr").await;
    let res = leo.post(app.url(&format!("/app/settings/tokens/{token_id}/revoke"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    assert!(app.db(|c| users::user_for_api_token(c, &secret).unwrap()).is_some());
    let _ = other;

    let res = client.post(app.url(&format!("/app/settings/tokens/{token_id}/revoke"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(app.db(|c| users::user_for_api_token(c, &secret).unwrap()).is_none(), "a revoked token no longer works");
    let body = client.get(app.url("/app/settings?done=revoked")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("Token revoked."));
}

async fn pages_follow_the_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.client.get(app.url("/login")).header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5").send().await.unwrap();
    let body = res.text().await.unwrap();
    assert_eq!(select_attr(&body, "html", "lang").as_deref(), Some("fr"));
    assert_eq!(select_text(&body, "#sign-in"), vec!["Se connecter"]);

    let client = new_client();
    let body = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "html", "lang").as_deref(), Some("en"));
    let res = client.post(app.url("/lang")).form(&[("lang", "fr"), ("next", "/login")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/login");
    let body = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#sign-in"), vec!["Se connecter"], "the language cookie switches the page");
    let res = client.post(app.url("/lang")).form(&[("lang", "en"), ("next", "//evil.example")]).send().await.unwrap();
    assert_eq!(location(&res), "/app");

    // A signed-in user's saved preference beats the browser's language.
    let ana = app.add_user("ana@acme.fr", Role::Recruiter);
    app.db(|c| users::set_locale(c, &ana.id, Lang::Fr).unwrap());
    let ana_client = app.signed_in("ana@acme.fr").await;
    let body = ana_client.get(app.url("/app")).header("accept-language", "en").send().await.unwrap().text().await.unwrap();
    assert_eq!(select_attr(&body, "html", "lang").as_deref(), Some("fr"));
    assert_eq!(select_text(&body, "h1"), vec!["Tableau de bord"]);
    assert!(body.contains("Recruteur"));
    let res = ana_client.post(app.url("/lang")).form(&[("lang", "en"), ("next", "/app")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(app.db(|c| users::find(c, &ana.id).unwrap().unwrap().locale), Some(Lang::En), "the switch is saved for the user");
    let body = ana_client.get(app.url("/app")).header("accept-language", "fr").send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "h1"), vec!["Dashboard"]);

    let res = ana_client.post(app.url("/app/settings/language")).form(&[("lang", "fr")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let body = ana_client.get(app.url("/app/settings?done=language")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("Langue enregistrée."));
}

async fn dashboard_shows_counts_recent_applications_and_first_run(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let body = client.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("hirecast demo"), "first-run hint");
    let id = create_opening(&app, &client, &opening_form("Développeur Rust")).await;
    let application = file_application(&app, &id, "zoe@example.fr", None);
    client.post(app.url(&format!("/app/openings/{id}/status"))).form(&[("action", "publish")]).send().await.unwrap();
    let body = client.get(app.url("/app")).send().await.unwrap().text().await.unwrap();
    assert!(!body.contains("id=\"first-run\""));
    assert_eq!(select_text(&body, "[data-status=open]"), vec!["1"]);
    assert_eq!(select_text(&body, "[data-status=draft]"), vec!["0"]);
    assert_eq!(
        select_attr(&body, "#recent-applications a", "href"),
        Some(format!("/app/applications/{application}"))
    );
    // The list filters and counts applications.
    let body = client.get(app.url("/app/openings?status=open&q=rust")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#openings-table td.num"), vec!["1"]);
    let body = client.get(app.url("/app/openings?status=closed")).send().await.unwrap().text().await.unwrap();
    assert_eq!(select_text(&body, "#no-openings").len(), 1);
}

/// Every filter of the openings list narrows it: remote policy, contract, language, status and words.
async fn openings_list_filters_by_remote_contract_and_language(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("ana@acme.fr", Role::Recruiter);
    let client = app.signed_in("ana@acme.fr").await;
    let mut remote_en = opening_form("Remote Rust engineer");
    set(&mut remote_en, "remote_policy", "remote");
    set(&mut remote_en, "employment_type", "freelance");
    set(&mut remote_en, "language", "en");
    create_opening(&app, &client, &remote_en).await;
    create_opening(&app, &client, &opening_form("Développeur Java")).await;
    let titles = |q: &'static str| {
        let client = client.clone();
        let url = app.url(&format!("/app/openings?{q}"));
        async move {
            let body = client.get(url).send().await.unwrap().text().await.unwrap();
            let mut t = select_text(&body, "#openings-table a.opening-title");
            t.sort();
            t
        }
    };
    assert_eq!(titles("").await, vec!["Développeur Java", "Remote Rust engineer"]);
    assert_eq!(titles("remote=remote").await, vec!["Remote Rust engineer"]);
    assert_eq!(titles("remote=hybrid").await, vec!["Développeur Java"]);
    assert_eq!(titles("type=freelance").await, vec!["Remote Rust engineer"]);
    assert_eq!(titles("type=permanent").await, vec!["Développeur Java"]);
    assert_eq!(titles("language=fr").await, vec!["Développeur Java"]);
    assert_eq!(titles("language=en&remote=remote&type=freelance&status=draft&q=rust").await, vec!["Remote Rust engineer"]);
    assert!(titles("language=en&remote=hybrid").await.is_empty());
    // Unknown values from old links are ignored, not refused.
    assert_eq!(titles("remote=moon&type=%3Cscript%3E").await.len(), 2);
}

crate::on_both_backends!(
    openings_list_filters_by_remote_contract_and_language,
    sign_in_refuses_wrong_passwords_and_open_redirects,
    anonymous_visitors_are_sent_to_sign_in,
    sign_out_ends_the_session_on_the_server,
    first_admin_link_works_once,
    invited_user_sets_a_password_and_signs_in,
    opening_form_refuses_bad_input_and_keeps_values,
    titles_are_stored_raw_and_shown_escaped,
    status_moves_through_the_opening_page,
    hiring_managers_see_only_their_openings,
    cv_downloads_are_attachments_with_safe_headers,
    team_is_for_admins_and_keeps_an_admin,
    api_tokens_are_shown_once_and_can_be_revoked,
    pages_follow_the_language,
    dashboard_shows_counts_recent_applications_and_first_run,
);
