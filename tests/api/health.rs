use crate::helpers::*;

async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "ready");
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .client
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("email", "a@b.fr"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = app.client.post(app.url("/login")).header("sec-fetch-site", "cross-site").form(&[("email", "a@b.fr")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

/// Served over HTTPS (its base URL), the sign-in cookie is Secure, HttpOnly and SameSite=Lax,
/// and pages carry HSTS; over plain HTTP the cookie is not Secure (the browser would drop it).
async fn cookies_are_secure_over_https(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.base_url = "https://jobs.example.org".into()).await;
    app.add_user("ana@acme.fr", hirecast::domain::user::Role::Recruiter);
    let res = app.client.post(app.url("/login")).form(&[("email", "ana@acme.fr"), ("password", PASSWORD), ("next", "/app")]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| !c.contains("Max-Age=0") && c.contains("HttpOnly")).unwrap_or_else(|| panic!("{cookies:?}"));
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.split(';').any(|p| p.trim() == flag), "{flag} in {session}");
    }
    let page = app.client.get(app.url("/jobs")).send().await.unwrap();
    assert!(page.headers().get("strict-transport-security").is_some(), "HSTS over HTTPS");

    let plain = spawn_app(backend).await;
    plain.add_user("ana@acme.fr", hirecast::domain::user::Role::Recruiter);
    let res = plain.client.post(plain.url("/login")).form(&[("email", "ana@acme.fr"), ("password", PASSWORD), ("next", "/app")]).send().await.unwrap();
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().all(|c| !c.split(';').any(|p| p.trim() == "Secure")), "{cookies:?}");
    assert!(plain.client.get(plain.url("/jobs")).send().await.unwrap().headers().get("strict-transport-security").is_none());
}

/// /readyz answers 503 while the database refuses connections, and 200 again after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_while_the_database_is_unreachable() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let app = spawn_app(Backend::Postgres).await;
    let hirecast::store::DatabaseUrl::Postgres(url) = &app.state.settings.database_url else { unreachable!() };
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin_url = std::env::var("HIRECAST_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ))
        .unwrap();
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.text().await.unwrap(), "database unreachable");
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status().as_u16(), 200, "the process still answers");
    admin.batch_execute(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true")).unwrap();
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

crate::on_both_backends!(health_and_readiness, cross_site_posts_are_refused, cookies_are_secure_over_https);
