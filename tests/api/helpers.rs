#![allow(dead_code)]
//! spawn_app(): the real app on a random port with a fresh database (SQLite file or a new
//! PostgreSQL database), and helpers to sign in and call it.
use std::net::TcpListener;
use std::path::PathBuf;

use diesel::Connection;
use hirecast::clock::Clock;
use hirecast::config::Settings;
use hirecast::domain::email::Email;
use hirecast::domain::user::{NewPassword, Role};
use hirecast::startup::Application;
use hirecast::store::{self, blobs::BlobStore, DatabaseUrl, DbConn};
use hirecast::web::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` as two tests: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name($crate::helpers::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name($crate::helpers::Backend::Postgres).await }
        }
    )*};
}

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// Follows no redirects and keeps cookies: a browser without JavaScript.
    pub client: reqwest::Client,
    _db: DbGuard,
}

enum DbGuard {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self {
            DbGuard::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            DbGuard::Postgres { admin_url, name } => {
                if let Ok(mut c) = diesel::PgConnection::establish(admin_url) {
                    use diesel::connection::SimpleConnection;
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
        }
    }
}

/// Where the PostgreSQL tests create their databases. The test command sets it; tests fail, never skip, without it.
fn postgres_admin_url() -> String {
    std::env::var("HIRECAST_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn new_client() -> reqwest::Client {
    // An idle connection is not reused after 1 s, well before the server's keep-alive (5 s)
    // closes it: on a loaded machine, reusing one the server is closing fails the request.
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .pool_idle_timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap()
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed before start (an SMTP server, API base URLs).
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let tag = hirecast::auth::short_code(10);
    let dir = std::env::temp_dir().join(format!("hirecast-test-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (url, guard) = match backend {
        Backend::Sqlite => (DatabaseUrl::Sqlite(dir.join("test.db").display().to_string()), DbGuard::Sqlite(dir.clone())),
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let name = format!("hirecast_test_{tag}");
            let mut c = diesel::PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("PostgreSQL tests need a server at HIRECAST_TEST_POSTGRES ({admin_url}): {e}"));
            use diesel::connection::SimpleConnection;
            c.batch_execute(&format!("CREATE DATABASE \"{name}\"")).expect("create test database");
            let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
            (DatabaseUrl::Postgres(format!("{base}/{name}")), DbGuard::Postgres { admin_url, name })
        }
    };
    let mut settings = Settings::for_tests(url, dir.join("data"));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    settings.base_url = format!("http://127.0.0.1:{port}");
    configure(&mut settings);
    let pool = store::connect(&settings.database_url, settings.db_pool_size).unwrap();
    store::migrate(&pool).unwrap();
    let key = settings.broadcast.secret_key.clone().expect("test settings carry a key");
    let state = AppState { blobs: BlobStore::new(&settings.data_dir), pool, settings, clock: Clock::system(), key, careers: Default::default() };
    let app = Application::on_listener(listener, state.clone()).unwrap();
    tokio::spawn(app.run_until_stopped());
    TestApp { address: format!("http://127.0.0.1:{port}"), state, client: new_client(), _db: guard }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Runs blocking database code (for arranging and checking state).
    pub fn db<T>(&self, f: impl FnOnce(&mut DbConn) -> T) -> T {
        let mut c = self.state.pool.get().unwrap();
        f(&mut c)
    }

    /// Creates an active user with [`PASSWORD`].
    pub fn add_user(&self, email: &str, role: Role) -> hirecast::store::users::User {
        let hash = hirecast::auth::hash_password(&NewPassword::parse(PASSWORD).unwrap()).unwrap();
        let email = Email::parse("email", email).unwrap();
        self.db(|c| hirecast::store::users::add_with_password(c, &email, "Test User", role, &hash).unwrap())
    }

    /// A client signed in through the real sign-in form.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = new_client();
        let res = client
            .post(self.url("/login"))
            .form(&[("email", email), ("password", PASSWORD), ("next", "/app")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "sign-in of {email} should redirect");
        client
    }

    /// A personal API token for a new user of `role`.
    pub fn api_token(&self, email: &str, role: Role) -> String {
        let u = self.add_user(email, role);
        self.db(|c| hirecast::store::users::create_api_token(c, &u.id, "tests").unwrap().1)
    }
}
