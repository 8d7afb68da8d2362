//! Post previews: the API route and the editor's panel, with tracked links in the posts.
use hirecast::domain::user::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn opening_input(title: &str) -> Value {
    json!({
        "title": title,
        "company": "Acme Logistique",
        "city": "Lyon",
        "country": "FR",
        "remote_policy": "hybrid",
        "employment_type": "permanent",
        "salary": {"min": 45000, "max": 55000, "currency": "EUR", "period": "year"},
        "required_skills": ["Rust", "PostgreSQL", "C#", "Data Science"],
        "language": "fr",
        "description": "Vous construisez notre plateforme."
    })
}

async fn post(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let r = app.client.post(app.url("/api/v1/compose/preview")).bearer_auth(token).json(body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

fn x_weighted(text: &str) -> usize {
    twitter_text::parse(text, twitter_text_config::config_v3(), true).weighted_length as usize
}

async fn preview_of_a_saved_opening_uses_its_tracked_links(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.api_token("rec@example.org", Role::Recruiter);
    let r = app.client.post(app.url("/api/v1/openings")).bearer_auth(&token).json(&opening_input("Développeur·se Rust (H/F) 👩‍💻")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    let (status, body) = post(&app, &token, &json!({"opening_id": id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let previews = body["previews"].as_array().unwrap();
    let networks: Vec<&str> = previews.iter().map(|p| p["network"].as_str().unwrap()).collect();
    assert_eq!(networks, ["x", "mastodon", "bluesky", "linkedin"]);
    let mut links = Vec::new();
    for p in previews {
        let post = &p["posts"][0];
        let text = post["text"].as_str().unwrap();
        assert!(post["fits"].as_bool().unwrap(), "{p}");
        assert!(post["length"].as_u64().unwrap() <= post["limit"].as_u64().unwrap());
        let link = post["links"][0].as_str().unwrap().to_string();
        assert!(link.starts_with(&app.url("/r/")), "posts carry the tracked link: {link}");
        if p["network"] == "x" {
            assert_eq!(post["length"].as_u64().unwrap() as usize, x_weighted(text), "X counts as twitter-text does");
            assert_eq!(post["limit"], 280);
        }
        links.push(link);
    }
    links.sort();
    links.dedup();
    assert_eq!(links.len(), 4, "one tracked link per channel");
    // Stable: a second preview shows the same links, and each one redirects to the job page.
    let (_, again) = post(&app, &token, &json!({"opening_id": id})).await;
    assert_eq!(again["previews"][0]["posts"][0]["links"], body["previews"][0]["posts"][0]["links"]);
    let x_link = body["previews"][0]["posts"][0]["links"][0].as_str().unwrap();
    let r = app.client.get(x_link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert!(r.headers()["location"].to_str().unwrap().contains("utm_source=x"));
}

async fn preview_of_unsaved_values_and_custom_channels(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.api_token("rec@example.org", Role::Recruiter);
    let body = json!({
        "opening": opening_input("Rust developer"),
        "channels": [
            {"network": "x", "language": "en", "limit": 25000},
            {"network": "mastodon", "language": "fr", "limit": 1000, "url_reserve": 23},
            {"network": "linkedin", "language": "fr", "template": "{title} (H/F) — {link} {hashtags}"}
        ]
    });
    let (status, res) = post(&app, &token, &body).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_eq!(res["previews"][0]["posts"][0]["limit"], 25000);
    assert_eq!(res["previews"][1]["posts"][0]["limit"], 1000);
    let linkedin = res["previews"][2]["posts"][0]["text"].as_str().unwrap();
    assert!(linkedin.contains(r"\(H/F\)"), "LinkedIn's reserved characters are escaped: {linkedin}");
    // Unsaved: a stand-in link of a real link's length, and nothing written.
    assert!(res["previews"][0]["posts"][0]["links"][0].as_str().unwrap().ends_with("/r/xxxxxxxx"));
    let links: i64 = app.db(|c| {
        use diesel::prelude::*;
        hirecast::store::schema::tracked_links::table.count().get_result(c).unwrap()
    });
    assert_eq!(links, 0);
}

async fn preview_refuses_bad_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.api_token("rec@example.org", Role::Recruiter);
    let field = |v: &Value| v["error"]["fields"][0]["field"].as_str().unwrap_or_default().to_string();

    let r = app.client.post(app.url("/api/v1/compose/preview")).json(&json!({"opening_id": "x"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let (s, v) = post(&app, &token, &json!({})).await;
    assert_eq!((s, field(&v).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "opening"));
    let (s, v) = post(&app, &token, &json!({"opening_id": "nope", "opening": opening_input("x")})).await;
    assert_eq!((s, field(&v).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "opening"));
    let (s, _) = post(&app, &token, &json!({"opening_id": "no-such-opening"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut bad = opening_input("x");
    bad["salary"]["min"] = json!(90000);
    let (s, v) = post(&app, &token, &json!({"opening": bad})).await;
    assert_eq!((s, field(&v).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "salary.min"));
    let (s, v) = post(&app, &token, &json!({"opening": opening_input("x"), "channels": [{"network": "x", "language": "fr", "template": "{title} {nope}"}]})).await;
    assert_eq!((s, field(&v).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "channels[0].template"), "{v}");
    let (s, v) = post(&app, &token, &json!({"opening": opening_input("x"), "channels": [{"network": "x", "language": "fr", "limit": 0}]})).await;
    assert_eq!((s, field(&v).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "channels[0].limit"));
    let (s, v) = post(&app, &token, &json!({"opening": opening_input("x"), "channels": [{"network": "myspace", "language": "fr"}]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Hiring managers may preview what they can see, not compose unsaved openings.
    let hm = app.api_token("hm@example.org", Role::HiringManager);
    let (s, _) = post(&app, &hm, &json!({"opening": opening_input("x")})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn the_editor_shows_each_networks_post_with_its_counter(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.api_token("rec-api@example.org", Role::Recruiter);
    let r = app.client.post(app.url("/api/v1/openings")).bearer_auth(&token).json(&opening_input("Développeur Rust <b>senior</b>")).send().await.unwrap();
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    app.add_user("rec@example.org", Role::Recruiter);
    let client = app.signed_in("rec@example.org").await;
    let html = client.get(app.url(&format!("/app/openings/{id}/edit"))).send().await.unwrap().text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let cards: Vec<_> = doc.select(&sel("#post-preview .preview-card")).collect();
    assert_eq!(cards.len(), 4, "X, Mastodon, Bluesky, LinkedIn");
    let x = doc.select(&sel(r#".preview-card[data-network="x"]"#)).next().unwrap();
    let text: String = x.select(&sel(".post-text")).next().unwrap().text().collect();
    let counter: String = x.select(&sel(".post-count")).next().unwrap().text().collect();
    assert_eq!(counter, format!("{} / 280", x_weighted(&text)));
    assert!(text.contains("<b>senior</b>"), "the title as written, shown as text");
    assert!(!html.contains("<b>senior</b>"), "and escaped in the page");
    // The panel is also there (with its message) on a new, empty editor.
    let html = client.get(app.url("/app/openings/new")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"id="post-preview""#));
}

async fn organization_templates_are_edited_checked_and_used(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("rec@example.org", Role::Recruiter);
    let client = app.signed_in("rec@example.org").await;
    let page = client.get(app.url("/app/settings/posts")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"id="tpl-x-fr""#) && html.contains(r#"id="tpl-linkedin-en""#), "one form per network and language");

    // An unknown placeholder is refused with its reason, the text kept, nothing stored.
    let bad = "Nous recrutons {titel} {link}";
    let r = client.post(app.url("/app/settings/posts")).form(&[("network", "x"), ("language", "fr"), ("source", bad), ("action", "save")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("titel"), "the reason names the placeholder");
    assert!(html.contains("Nous recrutons {titel} {link}"), "the text is kept");
    let r = client.post(app.url("/app/settings/posts")).form(&[("network", "x"), ("language", "fr"), ("source", "Sans lien : {title}"), ("action", "save")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a template without {{link}} is refused");
    assert!(app.db(|c| hirecast::store::post_templates::overrides(c).unwrap()).is_empty());

    // A good one is saved and used by the preview.
    let good = "On recrute ! {title} [({salary})] {link} {hashtags}";
    let r = client.post(app.url("/app/settings/posts")).form(&[("network", "x"), ("language", "fr"), ("source", good), ("action", "save")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let token = app.api_token("api@example.org", Role::Recruiter);
    let (s, v) = post(&app, &token, &json!({"opening": opening_input("Développeur Rust")})).await;
    assert_eq!(s, StatusCode::OK);
    let x = v["previews"][0]["posts"][0]["text"].as_str().unwrap();
    assert!(x.starts_with("On recrute ! Développeur Rust ("), "{x}");
    let mastodon = v["previews"][1]["posts"][0]["text"].as_str().unwrap();
    assert!(!mastodon.starts_with("On recrute"), "only X's template changed: {mastodon}");

    // Back to the default.
    let r = client.post(app.url("/app/settings/posts")).form(&[("network", "x"), ("language", "fr"), ("source", ""), ("action", "reset")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, v) = post(&app, &token, &json!({"opening": opening_input("Développeur Rust")})).await;
    assert!(!v["previews"][0]["posts"][0]["text"].as_str().unwrap().starts_with("On recrute"));

    // Hiring managers do not write templates.
    app.add_user("hm@example.org", Role::HiringManager);
    let hm = app.signed_in("hm@example.org").await;
    assert_eq!(hm.get(app.url("/app/settings/posts")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = hm.post(app.url("/app/settings/posts")).form(&[("network", "x"), ("language", "fr"), ("source", good), ("action", "save")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

crate::on_both_backends!(
    organization_templates_are_edited_checked_and_used,
    preview_of_a_saved_opening_uses_its_tracked_links,
    preview_of_unsaved_values_and_custom_channels,
    preview_refuses_bad_input,
    the_editor_shows_each_networks_post_with_its_counter,
);
