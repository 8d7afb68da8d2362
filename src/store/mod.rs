//! Storage: one connection type over SQLite (embedded default) and PostgreSQL,
//! chosen by the `DATABASE_URL` scheme; migrations for both embedded and run at start.
pub mod schema;
pub mod models;
pub mod users;
pub mod openings;
pub mod applications;
pub mod blobs;
pub mod channels;
pub mod deliveries;
pub mod post_templates;
pub mod links;
pub mod subscribers;
pub mod oauth_flows;
pub mod sourcing;
pub mod harvest;
pub mod searches;
pub mod skills;
pub mod merges;
pub mod review;
pub mod review_links;
pub mod notifications;
pub mod analytics;
pub mod candidate_emails;
pub mod privacy;
pub mod second_factor;
pub mod sign_in_failures;
pub mod sealed;

use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The one connection type: every query in `store/` is written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// Path of the SQLite file (or `:memory:`).
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://data/hirecast.db`, `sqlite:data/x.db`, `postgres://…` or `postgresql://…`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        if let Some(rest) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
            if rest.is_empty() {
                return Err("the SQLite path is empty (e.g. sqlite://data/hirecast.db)".into());
            }
            return Ok(Self::Sqlite(rest.to_string()));
        }
        Err("must start with sqlite:// or postgres:// (e.g. sqlite://data/hirecast.db)".into())
    }

    /// The URL form again (as `DATABASE_URL` takes it).
    pub fn as_url(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{path}"),
            Self::Postgres(url) => url.clone(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// r2d2 manager that opens the backend named by the URL (no trial-and-error establish),
/// and applies the SQLite pragmas on every new connection.
#[derive(Clone, Debug)]
pub struct Manager(DatabaseUrl);

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let mut conn = self.open()?;
        if let Some(threshold) = slow_query_threshold() {
            match &mut conn {
                DbConn::Postgres(c) => c.set_instrumentation(SlowQueryLog::new(threshold)),
                DbConn::Sqlite(c) => c.set_instrumentation(SlowQueryLog::new(threshold)),
            }
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        ping(conn).map_err(r2d2::Error::QueryError)
    }

    /// Checked when a connection goes back to the pool (not by a query on every checkout):
    /// one left in a broken transaction, or by a panicking thread, is dropped.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        DROP_ON_RETURN.with(|d| d.replace(false))
            || std::thread::panicking()
            || match conn {
                DbConn::Postgres(c) => c.is_broken(),
                DbConn::Sqlite(c) => c.is_broken(),
            }
    }
}

impl Manager {
    fn open(&self) -> Result<DbConn, r2d2::Error> {
        match &self.0 {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// `HIRECAST_SLOW_QUERY_MS` (500 by default; 0 turns it off): queries that take longer are
/// logged as warnings, with their SQL and time but never the values bound to them (names,
/// emails), so an operator sees which page needs an index without reading anyone's data.
fn slow_query_threshold() -> Option<Duration> {
    static THRESHOLD: std::sync::OnceLock<Option<Duration>> = std::sync::OnceLock::new();
    *THRESHOLD.get_or_init(|| {
        let ms = std::env::var("HIRECAST_SLOW_QUERY_MS").ok().and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(500);
        (ms > 0).then(|| Duration::from_millis(ms))
    })
}

/// Times each query of one connection (see [`slow_query_threshold`]).
struct SlowQueryLog {
    threshold: Duration,
    started: Option<std::time::Instant>,
}

impl SlowQueryLog {
    fn new(threshold: Duration) -> Self {
        Self { threshold, started: None }
    }
}

impl diesel::connection::Instrumentation for SlowQueryLog {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent as E;
        match event {
            E::StartQuery { .. } => self.started = Some(std::time::Instant::now()),
            E::FinishQuery { query, .. } => {
                let Some(took) = self.started.take().map(|t| t.elapsed()) else { return };
                if took >= self.threshold {
                    tracing::warn!(ms = took.as_millis() as u64, sql = %sql_only(&query.to_string()), "slow query");
                }
            }
            _ => {}
        }
    }
}

/// A query's SQL without diesel's ` -- binds: [...]` suffix (the values: personal data).
fn sql_only(shown: &str) -> &str {
    shown.split(" -- binds: ").next().unwrap_or_default().trim()
}

/// The cheapest query: does this connection still answer?
fn ping(conn: &mut DbConn) -> diesel::QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

thread_local! {
    /// Set by [`run`] on the thread that returns a connection found dead after an error
    /// (r2d2 calls `has_broken` on that same thread, as the connection is dropped).
    static DROP_ON_RETURN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens the pool; creates the SQLite file's folder when needed.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<Pool> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("Failed to create the database folder {}", dir.display()))?;
            }
        }
    }
    r2d2::Pool::builder()
        .max_size(max_size)
        // No `SELECT 1` before every checkout: a failed query is the test (has_broken drops
        // a connection left broken, and a lost server shows as that request's error).
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager(url.clone()))
        .with_context(|| format!("Failed to open the {} database", url.backend_name()))
}

/// Runs the pending migrations of the connection's backend; returns their names.
pub fn migrate(pool: &Pool) -> anyhow::Result<Vec<String>> {
    let mut conn = pool.get().context("Failed to get a database connection")?;
    let applied = match &mut *conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.iter().map(|m| m.to_string()).collect()),
        DbConn::Postgres(c) => {
            c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.iter().map(|m| m.to_string()).collect())
        }
    };
    let applied = applied.map_err(|e| anyhow::anyhow!("Failed to run the database migrations: {e}"))?;
    openings::render_missing(&mut conn).context("Failed to render the openings' descriptions")?;
    Ok(applied)
}

/// Run blocking database work off the HTTP workers.
pub async fn run<T, F>(pool: &Pool, f: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut DbConn) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        // Connections are not tested at checkout. After a call failed on a connection that no
        // longer answers (the server restarted, the session was killed), that one is dropped,
        // and for a while every checkout is tested, so the pool's other dead ones go too
        // instead of failing one request each.
        let mut dropped = 0;
        let mut conn = loop {
            let mut conn = pool.get().context("Failed to get a database connection")?;
            if !suspect() || ping(&mut conn).is_ok() {
                break conn;
            }
            DROP_ON_RETURN.with(|d| d.set(true));
            drop(conn);
            dropped += 1;
            if dropped > pool.max_size() {
                anyhow::bail!("The database does not answer");
            }
        };
        let r = f(&mut conn);
        if r.is_err() && ping(&mut conn).is_err() {
            DROP_ON_RETURN.with(|d| d.set(true));
            SUSPECT_UNTIL.store(chrono::Utc::now().timestamp() + SUSPECT_SECS, std::sync::atomic::Ordering::Relaxed);
        }
        drop(conn);
        r
    })
    .await
    .context("Database task was cancelled")?
}

/// How long checkouts are tested after a dead connection was found.
const SUSPECT_SECS: i64 = 60;
static SUSPECT_UNTIL: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn suspect() -> bool {
    SUSPECT_UNTIL.load(std::sync::atomic::Ordering::Relaxed) > chrono::Utc::now().timestamp()
}

const SQLITE_WRITE_BEGIN: &str = "BEGIN IMMEDIATE";

/// A transaction that writes. On SQLite it takes the write lock at BEGIN (`BEGIN IMMEDIATE`):
/// two concurrent writers then wait on `busy_timeout` in turn, instead of one failing with
/// "database is locked" when it tries to upgrade its read lock. PostgreSQL uses a plain BEGIN.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Tm = <DbConn as Connection>::TransactionManager;
    // Inside another transaction: a savepoint (the outer one already holds the write lock).
    if in_transaction(conn) {
        return conn.transaction(f);
    }
    // SQLite has one writer at a time: the writers of this process queue on a mutex, woken as
    // soon as the one before commits, instead of sleeping in SQLite's busy handler (whose
    // back-off sleeps up to 100 ms and left the intake idle most of the time). Writers of
    // other processes still meet on busy_timeout. One mutex for the process: a process has
    // one database (tests, with several, only queue their short writes).
    static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _writer = match conn {
        DbConn::Sqlite(c) => {
            let guard = SQLITE_WRITER.lock().unwrap_or_else(|p| p.into_inner());
            AnsiTransactionManager::begin_transaction_sql(c, SQLITE_WRITE_BEGIN)?;
            Some(guard)
        }
        DbConn::Postgres(_) => {
            Tm::begin_transaction(conn)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => match Tm::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Tm::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Tm::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Whether a transaction is open on this connection.
pub fn in_transaction(conn: &mut DbConn) -> bool {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let depth = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
        DbConn::Postgres(c) => AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
    };
    matches!(depth, Ok(Some(_)))
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc().with_nanosecond_trunc()
}

trait TruncMicros {
    fn with_nanosecond_trunc(self) -> Self;
}
impl TruncMicros for chrono::NaiveDateTime {
    // PostgreSQL keeps microseconds; truncate so a value reads back equal on both backends.
    fn with_nanosecond_trunc(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(self.nanosecond() / 1000 * 1000).unwrap_or(self)
    }
}

pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slow_query_log_shows_the_sql_and_never_the_values_bound_to_it() {
        use schema::candidates;
        let q = candidates::table.filter(candidates::email.eq("ada.lovelace@example.org")).select(candidates::id);
        let shown = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&q).to_string();
        assert!(shown.contains("ada.lovelace@example.org"), "diesel shows the binds: {shown}");
        let logged = sql_only(&shown);
        assert!(logged.contains("`candidates`.`email` = ?"), "{logged}");
        assert!(!logged.contains("ada.lovelace") && !logged.contains("binds"), "{logged}");
    }
}
