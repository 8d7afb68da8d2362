//! The JSON API under /api/v1: authentication, openings' life cycle, bad input, per-object
//! authorization, applications, and the OpenAPI document.
use hirecast::domain::user::Role;
use hirecast::store;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn opening_body() -> Value {
    json!({
        "title": "Développeur·se Rust (H/F)",
        "company": "Acme Logistique",
        "department": "Plateforme",
        "city": "Lyon",
        "country": "FR",
        "remote_policy": "hybrid",
        "employment_type": "permanent",
        "salary": {"min": 45000, "max": 55000, "currency": "EUR", "period": "year"},
        "required_skills": ["Rust", "PostgreSQL"],
        "nice_to_have_skills": ["Kubernetes"],
        "language": "fr",
        "description": "## Le poste\n\nVous construisez **notre** plateforme."
    })
}

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Api<'a> {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.app.client.request(method, self.app.url(path)).bearer_auth(&self.token)
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.req(reqwest::Method::GET, path).send().await.unwrap()).await
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> (StatusCode, Value) {
        read(self.req(method, path).json(body).send().await.unwrap()).await
    }
    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
    async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        read(self.req(reqwest::Method::POST, path).send().await.unwrap()).await
    }
    async fn raw(&self, method: reqwest::Method, path: &str, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let mut r = self.req(method, path).body(body);
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        read(r.send().await.unwrap()).await
    }
}

/// Status and JSON body; every API answer must be JSON, errors included.
async fn read(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = r.text().await.unwrap();
    assert!(ct.starts_with("application/json"), "{status}: expected JSON, got {ct:?}: {text}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}")))
}

/// The field names of an error body.
fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"].as_array().map(|a| a.iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

fn count_openings(app: &TestApp) -> i64 {
    app.db(|c| store::openings::list(c, &store::openings::OpeningFilter { limit: 500, ..Default::default() }).unwrap().1)
}

fn recruiter(app: &TestApp) -> Api<'_> {
    Api { app, token: app.api_token("recruiter@acme.fr", Role::Recruiter) }
}

async fn auth_is_required(backend: Backend) {
    let app = spawn_app(backend).await;
    for (method, path) in [("GET", "/api/v1/openings"), ("GET", "/api/v1/me"), ("POST", "/api/v1/openings/x/publish")] {
        let r = app.client.request(method.parse().unwrap(), app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{method} {path}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let (_, body) = read(r).await;
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    // A bad body from an anonymous caller is still a 401: nothing is validated for them.
    let r = app.client.post(app.url("/api/v1/openings")).header("content-type", "application/json").body("{oops").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app.client.get(app.url("/api/v1/me")).bearer_auth("hc_not-a-real-token").send().await.unwrap();
    assert_eq!(r.status(), 401);

    let user = app.add_user("ana@acme.fr", Role::Recruiter);
    let (token_id, secret) = app.db(|c| store::users::create_api_token(c, &user.id, "ci").unwrap());
    let api = Api { app: &app, token: secret };
    let (s, me) = api.get("/api/v1/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["id"], user.id.as_str());
    assert_eq!(me["email"], "ana@acme.fr");
    assert_eq!(me["role"], "recruiter");
    let text = me.to_string().to_lowercase();
    assert!(!text.contains("hash") && !text.contains("password") && !text.contains("$argon2"), "{text}");

    assert!(app.db(|c| store::users::revoke_api_token(c, &user.id, &token_id).unwrap()));
    let r = api.req(reqwest::Method::GET, "/api/v1/me").send().await.unwrap();
    assert_eq!(r.status(), 401, "a revoked token must stop working");
    assert!(r.headers().contains_key("www-authenticate"));

    // A browser session works too.
    let session = app.db(|c| store::users::create_session(c, &user.id, chrono::Duration::hours(1)).unwrap());
    let r = new_client().get(app.url("/api/v1/me")).header("cookie", format!("hirecast_session={session}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

async fn opening_life_cycle(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = recruiter(&app);
    let manager = app.add_user("hm@acme.fr", Role::HiringManager);
    let mut body = opening_body();
    body["hiring_manager_ids"] = json!([manager.id]);

    let r = api.req(reqwest::Method::POST, "/api/v1/openings").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, created) = read(r).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/openings/{id}"));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["salary"], json!({"min": 45000, "max": 55000, "currency": "EUR", "period": "year"}));
    assert_eq!(created["hiring_manager_ids"], json!([manager.id]));
    assert_eq!(created["public_url"], app.url(&format!("/jobs/{}", created["slug"].as_str().unwrap())));
    assert!(created["description_html"].as_str().unwrap().contains("<strong>notre</strong>"));
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(chrono::DateTime::parse_from_rfc3339(created["created_at"].as_str().unwrap()).is_ok());
    assert_eq!(created["published_at"], Value::Null);

    let (s, got) = api.get(&location).await;
    assert_eq!(s, 200);
    assert_eq!(got, created);

    // A second and third opening, for filters and pages.
    let mut remote = opening_body();
    remote["title"] = json!("Data engineer");
    remote["remote_policy"] = json!("remote");
    remote["city"] = Value::Null;
    remote["language"] = json!("en");
    assert_eq!(api.post("/api/v1/openings", &remote).await.0, 201);
    let mut intern = opening_body();
    intern["title"] = json!("Stage comptabilité");
    intern["employment_type"] = json!("internship");
    intern["city"] = json!("Bordeaux");
    assert_eq!(api.post("/api/v1/openings", &intern).await.0, 201);

    let (s, all) = api.get("/api/v1/openings").await;
    assert_eq!(s, 200);
    assert_eq!((all["total"].as_i64(), all["page"].as_i64(), all["per_page"].as_i64()), (Some(3), Some(1), Some(25)));
    let titles = |v: &Value| v["items"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(titles(&api.get("/api/v1/openings?remote_policy=remote").await.1), ["Data engineer"]);
    assert_eq!(titles(&api.get("/api/v1/openings?language=en").await.1), ["Data engineer"]);
    assert_eq!(titles(&api.get("/api/v1/openings?employment_type=internship").await.1), ["Stage comptabilité"]);
    assert_eq!(titles(&api.get("/api/v1/openings?location=bordeaux").await.1), ["Stage comptabilité"]);
    assert_eq!(titles(&api.get("/api/v1/openings?q=rust").await.1), ["Développeur·se Rust (H/F)"]);
    assert_eq!(api.get("/api/v1/openings?status=open").await.1["total"], 0);
    let (_, p1) = api.get("/api/v1/openings?per_page=2&page=1").await;
    let (_, p2) = api.get("/api/v1/openings?per_page=2&page=2").await;
    assert_eq!((p1["items"].as_array().unwrap().len(), p2["items"].as_array().unwrap().len()), (2, 1));
    assert_eq!(p1["total"], 3);
    let mut seen: Vec<String> = titles(&p1);
    seen.extend(titles(&p2));
    seen.sort();
    assert_eq!(seen.len(), 3);
    seen.dedup();
    assert_eq!(seen.len(), 3, "pages must not overlap");

    // PUT replaces everything: the omitted department and salary are gone.
    let mut put = opening_body();
    put["title"] = json!("Développeur·se Rust senior");
    put.as_object_mut().unwrap().remove("salary");
    put.as_object_mut().unwrap().remove("department");
    let (s, replaced) = api.send(reqwest::Method::PUT, &location, &put).await;
    assert_eq!(s, 200, "{replaced}");
    assert_eq!(replaced["title"], "Développeur·se Rust senior");
    assert_eq!(replaced["salary"], Value::Null);
    assert_eq!(replaced["department"], Value::Null);
    assert_eq!(replaced["hiring_manager_ids"], json!([]));
    assert_eq!(replaced["slug"], created["slug"]);

    // PATCH (merge patch): change only the salary, then remove the department.
    let (s, _) = api.send(reqwest::Method::PATCH, &location, &json!({"department": "Plateforme", "hiring_manager_ids": [manager.id]})).await;
    assert_eq!(s, 200);
    let r = api
        .req(reqwest::Method::PATCH, &location)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"salary": {"min": 50000, "max": 60000, "currency": "EUR", "period": "year"}}).to_string())
        .send()
        .await
        .unwrap();
    let (s, patched) = read(r).await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["salary"]["min"], 50000);
    assert_eq!(patched["title"], "Développeur·se Rust senior");
    assert_eq!(patched["department"], "Plateforme");
    assert_eq!(patched["hiring_manager_ids"], json!([manager.id]));
    assert_eq!(patched["required_skills"], json!(["Rust", "PostgreSQL"]));
    let (s, patched) = api.send(reqwest::Method::PATCH, &location, &json!({"department": null, "salary": {"max": null}})).await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["department"], Value::Null);
    assert_eq!(patched["salary"], json!({"min": 50000, "max": null, "currency": "EUR", "period": "year"}));
    assert_eq!(api.get(&location).await.1["department"], Value::Null, "the removal is stored");

    // Life cycle.
    let (s, o) = api.post_empty(&format!("{location}/publish")).await;
    assert_eq!((s, o["status"].as_str()), (StatusCode::OK, Some("open")));
    assert!(o["published_at"].is_string());
    let (s, o) = api.post_empty(&format!("{location}/publish")).await;
    assert_eq!(s, 409, "publishing an open opening: {o}");
    assert_eq!(fields(&o), ["status"]);
    let (s, o) = api.post_empty(&format!("{location}/pause")).await;
    assert_eq!((s, o["status"].as_str()), (StatusCode::OK, Some("paused")));
    let (s, o) = api.post_empty(&format!("{location}/close")).await;
    assert_eq!((s, o["status"].as_str()), (StatusCode::OK, Some("closed")));
    assert!(o["closed_at"].is_string());
    let (s, o) = api.post_empty(&format!("{location}/publish")).await;
    assert_eq!((s, o["status"].as_str()), (StatusCode::OK, Some("open")), "a closed opening can be reopened");
    assert_eq!(o["closed_at"], Value::Null);
    assert_eq!(api.post_empty(&format!("{location}/close")).await.0, 200);
    let (s, o) = api.post_empty(&format!("{location}/pause")).await;
    assert_eq!(s, 409, "{o}");
    assert_eq!(o["error"]["code"], "conflict");
    assert_eq!(fields(&o), ["status"]);
    assert_eq!(api.get(&location).await.1["status"], "closed", "a refused move changes nothing");

    // An opening whose last day has passed cannot be published.
    let mut soon = opening_body();
    soon["valid_through"] = json!(app.state.clock.today().to_string());
    let (s, o) = api.post("/api/v1/openings", &soon).await;
    assert_eq!(s, 201);
    app.state.clock.advance(chrono::Duration::days(2));
    let (s, e) = api.post_empty(&format!("/api/v1/openings/{}/publish", o["id"].as_str().unwrap())).await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(fields(&e), ["valid_through"]);
}

async fn bad_input_is_refused_and_nothing_is_saved(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = recruiter(&app);
    let (_, existing) = api.post("/api/v1/openings", &opening_body()).await;
    let existing_path = format!("/api/v1/openings/{}", existing["id"].as_str().unwrap());
    let before = api.get(&existing_path).await.1;
    assert_eq!(count_openings(&app), 1);

    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = opening_body();
        f(&mut b);
        b.to_string()
    };
    let post = reqwest::Method::POST;
    let json = Some("application/json");
    let limit = app.state.settings.max_json_bytes;
    // (what, method, path, content type, body, status, field named)
    type Case<'a> = (&'a str, reqwest::Method, String, Option<&'a str>, String, u16, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("malformed JSON", post.clone(), "/api/v1/openings".into(), json, r#"{"title": "x", "#.into(), 400, None),
        ("wrong type", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["salary"]["min"] = json!("abc")), 400, Some("salary.min")),
        ("unknown field", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["salry"] = json!(1)), 400, Some("salry")),
        ("missing field", post.clone(), "/api/v1/openings".into(), json, with(&|b| { b.as_object_mut().unwrap().remove("title"); }), 400, Some("title")),
        ("no content type", post.clone(), "/api/v1/openings".into(), None, opening_body().to_string(), 415, None),
        ("form content type", post.clone(), "/api/v1/openings".into(), Some("application/x-www-form-urlencoded"), "title=x".into(), 415, None),
        ("body over the limit", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["description"] = json!("x".repeat(limit + 10))), 413, None),
        ("invalid date", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["valid_through"] = json!("2026-02-30")), 422, Some("valid_through")),
        ("salary min above max", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["salary"]["min"] = json!(90000)), 422, Some("salary.min")),
        ("10,000-character title", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["title"] = json!("t".repeat(10_000))), 422, Some("title")),
        ("unknown hiring manager", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["hiring_manager_ids"] = json!(["nobody"])), 422, Some("hiring_manager_ids")),
        ("bad enum", post.clone(), "/api/v1/openings".into(), json, with(&|b| b["employment_type"] = json!("cdi")), 422, Some("employment_type")),
        ("unknown opening", reqwest::Method::PUT, "/api/v1/openings/no-such-id".into(), json, opening_body().to_string(), 404, None),
        ("PUT wrong type", reqwest::Method::PUT, existing_path.clone(), json, with(&|b| b["required_skills"] = json!(["Rust", 3])), 400, Some("required_skills[1]")),
        ("PUT invalid", reqwest::Method::PUT, existing_path.clone(), json, with(&|b| b["title"] = json!("  ")), 422, Some("title")),
        ("PATCH unknown field", reqwest::Method::PATCH, existing_path.clone(), json, r#"{"titel": "x"}"#.into(), 400, Some("titel")),
        ("PATCH wrong type", reqwest::Method::PATCH, existing_path.clone(), json, r#"{"salary": {"min": "abc"}}"#.into(), 400, Some("salary.min")),
        ("PATCH removes a required field", reqwest::Method::PATCH, existing_path.clone(), json, r#"{"company": null}"#.into(), 400, Some("company")),
        ("PATCH bad date", reqwest::Method::PATCH, existing_path.clone(), Some("application/merge-patch+json"), r#"{"valid_through": "2026-02-30"}"#.into(), 422, Some("valid_through")),
        ("PATCH as text", reqwest::Method::PATCH, existing_path.clone(), Some("text/plain"), r#"{"title": "x"}"#.into(), 415, None),
        ("PATCH over the limit", reqwest::Method::PATCH, existing_path.clone(), json, format!(r#"{{"description": "{}"}}"#, "x".repeat(limit)), 413, None),
    ];
    for (what, method, path, ct, body, status, field) in cases {
        let (s, e) = api.raw(method, &path, ct, body).await;
        assert_eq!(s.as_u16(), status, "{what}: {e}");
        assert!(e["error"]["code"].is_string() && e["error"]["message"].is_string(), "{what}: {e}");
        match field {
            Some(f) => assert!(fields(&e).iter().any(|x| x == f), "{what}: expected field {f} in {e}"),
            None => assert!(fields(&e).is_empty() || status == 422, "{what}: {e}"),
        }
        assert_eq!(count_openings(&app), 1, "{what}: nothing new is stored");
        assert_eq!(api.get(&existing_path).await.1, before, "{what}: the opening is unchanged");
    }

    // The wrong-type reason says what was expected.
    let (_, e) = api.raw(reqwest::Method::POST, "/api/v1/openings", json, with(&|b| b["salary"]["min"] = json!("abc"))).await;
    assert_eq!(e["error"]["fields"][0]["reason"], r#"invalid type: string "abc", expected i64"#);
    // A 422 lists every bad field at once.
    let (s, e) = api
        .raw(reqwest::Method::POST, "/api/v1/openings", json, with(&|b| {
            b["title"] = json!("");
            b["country"] = json!("France");
            b["valid_through"] = json!("2026-02-30");
        }))
        .await;
    assert_eq!(s, 422);
    let mut f = fields(&e);
    f.sort();
    assert_eq!(f, ["country", "title", "valid_through"]);

    // Bad query parameters name the parameter.
    for (q, field) in [("status=live", "status"), ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=abc", "page"), ("remote_policy=moon", "remote_policy"), ("stauts=open", "stauts")] {
        let (s, e) = api.get(&format!("/api/v1/openings?{q}")).await;
        assert!(s == 400 || s == 422, "{q}: {s}");
        assert_eq!(fields(&e), [field], "{q}");
    }
    // Unknown routes and methods under /api answer JSON.
    let (s, e) = api.get("/api/v1/nothing-here").await;
    assert_eq!((s.as_u16(), e["error"]["code"].as_str()), (404, Some("not_found")));
    assert_eq!(api.get("/api/v2/openings").await.0, 404);
    assert_eq!(api.get("/api/v1/openings/no-such-id").await.0, 404);
    assert_eq!(api.post_empty("/api/v1/openings/no-such-id/publish").await.0, 404);
    assert_eq!(api.get("/api/v1/openings/no-such-id/applications").await.0, 404);
    let (s, e) = read(api.req(reqwest::Method::DELETE, &existing_path).send().await.unwrap()).await;
    assert_eq!(s, 405, "{e}");
}

/// A body sent in chunks with no Content-Length is cut off at the limit, not buffered whole.
async fn streamed_body_over_the_limit(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(backend).await;
    let token = app.api_token("recruiter@acme.fr", Role::Recruiter);
    let mut tcp = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "POST /api/v1/openings HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, "x".repeat(16 * 1024));
    let mut sent = 0;
    // Up to 4x the limit; the server may answer and stop reading before we finish.
    while sent < 4 * app.state.settings.max_json_bytes {
        if tcp.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
        sent += 16 * 1024;
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", answer.chars().take(300).collect::<String>());
    assert!(answer.contains("too_large"));
    assert_eq!(count_openings(&app), 0);
}

async fn markup_is_data_in_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = recruiter(&app);
    let s = "<script>alert(1)</script>";
    let body = json!({
        "title": format!("Dev {s}"),
        "company": format!("Acme {s}"),
        "department": format!("R&D {s}"),
        "city": format!("Lyon {s}"),
        "country": "FR",
        "remote_policy": "on-site",
        "employment_type": "permanent",
        "required_skills": [format!("Rust {s}")],
        "nice_to_have_skills": [format!("Go {s}")],
        "language": "en",
        "description": format!("Hello {s}\n\n<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>"),
    });
    let (st, o) = api.post("/api/v1/openings", &body).await;
    assert_eq!(st, 201, "{o}");
    for k in ["title", "company", "department", "city", "description"] {
        assert_eq!(o[k], body[k], "{k} comes back verbatim");
    }
    assert_eq!(o["required_skills"], body["required_skills"]);
    assert_eq!(o["nice_to_have_skills"], body["nice_to_have_skills"]);
    let html = o["description_html"].as_str().unwrap().to_lowercase();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(html.contains("hello"), "{html}");
}

async fn hiring_managers_see_only_their_openings(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = recruiter(&app);
    let hm = app.add_user("hm@acme.fr", Role::HiringManager);
    let hm_token = app.db(|c| store::users::create_api_token(c, &hm.id, "t").unwrap().1);
    let hm_api = Api { app: &app, token: hm_token };

    let mut mine = opening_body();
    mine["title"] = json!("Assigned opening");
    mine["hiring_manager_ids"] = json!([hm.id]);
    let (_, mine) = api.post("/api/v1/openings", &mine).await;
    let (_, other) = api.post("/api/v1/openings", &opening_body()).await;
    let mine_path = format!("/api/v1/openings/{}", mine["id"].as_str().unwrap());
    let other_path = format!("/api/v1/openings/{}", other["id"].as_str().unwrap());

    let (s, list) = hm_api.get("/api/v1/openings").await;
    assert_eq!(s, 200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], mine["id"]);
    assert_eq!(hm_api.get(&mine_path).await.0, 200);
    let (s, e) = hm_api.get(&other_path).await;
    assert_eq!((s.as_u16(), e["error"]["code"].as_str()), (404, Some("not_found")));

    // Writes: 403 on an assigned opening, 404 on another, before the body is even read.
    let n = count_openings(&app);
    assert_eq!(hm_api.post("/api/v1/openings", &opening_body()).await.0, 403);
    assert_eq!(hm_api.raw(reqwest::Method::POST, "/api/v1/openings", Some("application/json"), "{oops").await.0, 403);
    assert_eq!(count_openings(&app), n);
    assert_eq!(hm_api.send(reqwest::Method::PUT, &mine_path, &opening_body()).await.0, 403);
    assert_eq!(hm_api.send(reqwest::Method::PATCH, &mine_path, &json!({"title": "Mine now"})).await.0, 403);
    assert_eq!(hm_api.post_empty(&format!("{mine_path}/publish")).await.0, 403);
    assert_eq!(hm_api.post_empty(&format!("{mine_path}/close")).await.0, 403);
    assert_eq!(hm_api.send(reqwest::Method::PUT, &other_path, &opening_body()).await.0, 404);
    assert_eq!(hm_api.send(reqwest::Method::PATCH, &other_path, &json!({"title": "x"})).await.0, 404);
    assert_eq!(hm_api.post_empty(&format!("{other_path}/publish")).await.0, 404);
    assert_eq!(hm_api.get(&format!("{other_path}/applications")).await.0, 404);
    assert_eq!(hm_api.get(&format!("{mine_path}/applications")).await.0, 200);
    let (_, still) = api.get(&mine_path).await;
    assert_eq!((still["title"].as_str(), still["status"].as_str()), (Some("Assigned opening"), Some("draft")));
}

async fn applications_of_an_opening(backend: Backend) {
    use hirecast::domain::candidate::ApplicantDetails;
    use hirecast::store::applications::{file, NewApplication, StoredCv, PRIVACY_NOTICE_VERSION};
    let app = spawn_app(backend).await;
    let api = recruiter(&app);
    let hm = app.add_user("hm@acme.fr", Role::HiringManager);
    let hm_api = Api { app: &app, token: app.db(|c| store::users::create_api_token(c, &hm.id, "t").unwrap().1) };
    let mut body = opening_body();
    body["hiring_manager_ids"] = json!([hm.id]);
    let (_, o) = api.post("/api/v1/openings", &body).await;
    let id = o["id"].as_str().unwrap().to_string();

    let with_cv = ApplicantDetails::parse("Léa Martin", "lea@example.fr", "+33 6 12 34 56 78", "", "Bonjour").unwrap();
    let with_link = ApplicantDetails::parse("Sam Doe", "sam@example.com", "", "https://example.com/cv", "").unwrap();
    let now = app.state.clock.now();
    let (first, second) = app.db(|c| {
        let a = file(c, NewApplication {
            opening_id: &id,
            details: &with_cv,
            cv: Some(StoredCv { sha256: "ab".repeat(32), filename: "cv.pdf".into(), content_type: "application/pdf".into(), size: 1234 }),
            submission_key: "k1",
            consent_language: hirecast::i18n::Lang::Fr,
            source: "careers",
            at: now - chrono::Duration::minutes(5),
            talent_pool: false,
        })
        .unwrap();
        let b = file(c, NewApplication {
            opening_id: &id,
            details: &with_link,
            cv: None,
            submission_key: "k2",
            consent_language: hirecast::i18n::Lang::En,
            source: "careers",
            at: now,
            talent_pool: false,
        })
        .unwrap();
        (a, b)
    });
    let id_of = |f: store::applications::Filed| match f {
        store::applications::Filed::New { application_id, .. } => application_id,
        other => panic!("{other:?}"),
    };
    let (first, second) = (id_of(first), id_of(second));

    for who in [&api, &hm_api] {
        let (s, list) = who.get(&format!("/api/v1/openings/{id}/applications")).await;
        assert_eq!(s, 200, "{list}");
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["id"], second.as_str(), "newest first");
        assert_eq!(items[0]["candidate"]["email"], "sam@example.com");
        assert_eq!(items[0]["cv_url"], "https://example.com/cv");
        assert_eq!(items[0]["cv_attached"], false);
        assert_eq!(items[0]["cv_download_path"], Value::Null);
        assert_eq!(items[1]["id"], first.as_str());
        assert_eq!(items[1]["candidate"]["name"], "Léa Martin");
        assert!(items[1]["candidate"]["phone"].is_string());
        assert_eq!(items[1]["cv_attached"], true);
        assert_eq!(items[1]["cv_download_path"], format!("/app/applications/{first}/cv"));
        assert_eq!(items[1]["consent_version"], PRIVACY_NOTICE_VERSION);
        assert!(chrono::DateTime::parse_from_rfc3339(items[1]["consent_at"].as_str().unwrap()).is_ok());
        assert!(items[1]["created_at"].is_string());
        assert!(!list.to_string().contains(&"ab".repeat(32)), "the blob hash is internal");
    }
}

async fn openapi_document_covers_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    // No authentication needed.
    let r = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (_, doc) = read(r).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Hirecast API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let scheme = &doc["components"]["securitySchemes"]["bearer_token"];
    assert_eq!((scheme["type"].as_str(), scheme["scheme"].as_str()), (Some("http"), Some("bearer")));

    let expected = [
        ("get", "/api/v1/openings"),
        ("post", "/api/v1/openings"),
        ("get", "/api/v1/openings/{id}"),
        ("put", "/api/v1/openings/{id}"),
        ("patch", "/api/v1/openings/{id}"),
        ("post", "/api/v1/openings/{id}/publish"),
        ("post", "/api/v1/openings/{id}/pause"),
        ("post", "/api/v1/openings/{id}/close"),
        ("get", "/api/v1/openings/{id}/applications"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/openapi.json"),
        ("post", "/api/v1/compose/preview"),
        ("get", "/api/v1/openings/{id}/deliveries"),
        ("post", "/api/v1/deliveries/{id}/retry"),
        ("post", "/api/v1/deliveries/{id}/cancel"),
        ("post", "/api/v1/deliveries/{id}/confirm"),
        ("get", "/api/v1/channels"),
        ("post", "/api/v1/channels"),
        ("post", "/api/v1/channels/{id}/disconnect"),
        ("get", "/api/v1/candidates/{id}/merges"),
        ("post", "/api/v1/candidates/{id}/merges"),
        ("post", "/api/v1/merges/{id}/undo"),
        ("get", "/api/v1/candidates/{id}/merge-proposals"),
        ("post", "/api/v1/merge-proposals/{id}/confirm"),
        ("post", "/api/v1/merge-proposals/{id}/dismiss"),
        ("get", "/api/v1/openings/{id}/candidates"),
        ("get", "/api/v1/openings/{id}/candidates/{candidate}"),
        ("post", "/api/v1/openings/{id}/candidates/{candidate}/stage"),
        ("get", "/api/v1/candidates/{id}/export"),
        ("delete", "/api/v1/candidates/{id}"),
        ("post", "/api/v1/candidates/{id}/objection"),
        ("get", "/api/v1/privacy/requests"),
        ("get", "/api/v1/privacy/due"),
    ];
    let registered = hirecast::web::api::route_table();
    assert_eq!(registered.len(), expected.len(), "{registered:?}");
    let all = registered.iter().map(|(m, p)| (m.to_lowercase(), p.clone())).chain(expected.iter().map(|(m, p)| (m.to_string(), p.to_string())));
    for (method, path) in all {
        let op = &doc["paths"][&path][&method];
        assert!(op.is_object(), "{method} {path} is missing from the OpenAPI document");
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.contains_key("200") || responses.contains_key("201"), "{method} {path}");
        if path != "/api/v1/openapi.json" {
            assert!(responses.contains_key("401"), "{method} {path} documents 401");
            assert!(op["security"].to_string().contains("bearer_token"), "{method} {path} declares the bearer scheme");
            let err = &responses["401"]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(err, "#/components/schemas/ErrorBody", "{method} {path}");
        }
        // Every documented route answers something other than 404/405 from the router.
        let url = app.url(&path.replace("{id}", "x"));
        let s = app.client.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap().status();
        assert!(s != 405 && (s != 404 || path.contains("{id}")), "{method} {path} answers {s}");
    }
    for schema in ["OpeningOut", "OpeningInput", "ErrorBody", "OpeningList", "ApplicationOut", "MeOut"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema}");
    }
    // Every reference points at a declared schema.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all_refs = Vec::new();
    refs(&doc, &mut all_refs);
    assert!(!all_refs.is_empty());
    for r in all_refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "dangling $ref {r}");
    }
    let create = &doc["paths"]["/api/v1/openings"]["post"];
    assert_eq!(create["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/OpeningInput");
    for status in ["400", "403", "413", "415", "422"] {
        assert!(create["responses"][status].is_object(), "POST /openings documents {status}");
    }
    let params = doc["paths"]["/api/v1/openings"]["get"]["parameters"].to_string();
    for p in ["q", "status", "remote_policy", "employment_type", "language", "location", "page", "per_page"] {
        assert!(params.contains(&format!("\"name\":\"{p}\"")), "list documents {p}");
    }
}

crate::on_both_backends!(
    auth_is_required,
    opening_life_cycle,
    bad_input_is_refused_and_nothing_is_saved,
    streamed_body_over_the_limit,
    markup_is_data_in_json,
    hiring_managers_see_only_their_openings,
    applications_of_an_opening,
    openapi_document_covers_every_route,
);
