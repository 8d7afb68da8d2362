//! Settings from the environment (and `.env`). A bad value stops start-up with a message
//! naming the variable. Secrets are never printed (see `Settings::describe`).
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::broadcast::SecretKey;
use crate::store::DatabaseUrl;

#[derive(Debug, Clone)]
pub struct Settings {
    /// HIRECAST_BIND
    pub bind: SocketAddr,
    /// HIRECAST_BASE_URL: public address used in links, feeds and JSON-LD.
    pub base_url: String,
    /// DATABASE_URL
    pub database_url: DatabaseUrl,
    /// HIRECAST_DATA_DIR: CV files and other blobs.
    pub data_dir: PathBuf,
    /// HIRECAST_DB_POOL_SIZE
    pub db_pool_size: u32,
    /// HIRECAST_WORKERS: HTTP worker threads.
    pub workers: usize,
    /// HIRECAST_SESSION_HOURS: absolute lifetime of a sign-in, however active (default 12).
    pub session_hours: i64,
    /// HIRECAST_SESSION_IDLE_MINUTES: a sign-in unused this long ends (default 30).
    pub session_idle_minutes: i64,
    /// HIRECAST_MAX_JSON_BYTES
    pub max_json_bytes: usize,
    /// HIRECAST_COMPANY_NAME: shown on the careers site.
    pub company_name: String,
    /// HIRECAST_LOG_FORMAT: "pretty" or "json".
    pub log_json: bool,
    /// Channel accounts, workers, mail.
    pub broadcast: BroadcastSettings,
    /// HIRECAST_FETCH_ALLOW_HOSTS: `host:port` entries the safe fetcher lets through although
    /// they are internal addresses. For tests against local servers only; empty by default.
    pub fetch_allow_hosts: Vec<String>,
    /// HIRECAST_RETENTION_UNSUCCESSFUL_DAYS (90) and HIRECAST_RETENTION_POOL_DAYS (730): how
    /// long candidate data is kept (see `store::privacy`).
    pub retention: crate::store::privacy::Retention,
}

/// Settings of the broadcast engine. `Debug` hides every secret.
#[derive(Clone)]
pub struct BroadcastSettings {
    /// HIRECAST_SECRET_KEY: 32 bytes in base64, encrypts channel credentials at rest. When
    /// unset, a key is created once in `<data dir>/secret.key` (readable by the owner only).
    pub secret_key: Option<SecretKey>,
    /// HIRECAST_RUN_WORKERS: run the delivery workers inside `serve` (default true).
    pub run_workers: bool,
    /// HIRECAST_WORKER_CONCURRENCY: deliveries sent, and applications read, at once per process
    /// (messages to candidates go 32 at once, over the mailer's connections).
    pub worker_concurrency: usize,
    /// HIRECAST_SEND_TIMEOUT_SECS: a whole call to a network, after which its outcome is unknown.
    pub send_timeout_secs: u64,
    /// HIRECAST_LEASE_SECS: how long a worker holds a delivery; more than twice the send timeout.
    pub lease_secs: u64,
    /// HIRECAST_WORKER_POLL_MS: how often idle workers look for due deliveries.
    pub poll_ms: u64,
    /// HIRECAST_MAX_ATTEMPTS: attempts before a retryable delivery fails for good.
    pub max_attempts: u32,
    /// HIRECAST_SMTP_URL: smtp://host:port (plain, tests), smtp://user:pass@host:587 (STARTTLS)
    /// or smtps://user:pass@host:465. Unset: no mail is sent (and email lists cannot be connected).
    pub smtp_url: Option<String>,
    /// HIRECAST_MAIL_FROM: the sender of every email.
    pub mail_from: String,
    /// HIRECAST_X_CLIENT_ID / HIRECAST_X_CLIENT_SECRET: the X app (OAuth 2.0 with PKCE).
    pub x_client_id: Option<String>,
    pub x_client_secret: Option<String>,
    /// HIRECAST_X_API_URL (https://api.x.com) and HIRECAST_X_AUTHORIZE_URL (https://x.com/i/oauth2/authorize).
    pub x_api_url: String,
    pub x_authorize_url: String,
    /// HIRECAST_LINKEDIN_CLIENT_ID / HIRECAST_LINKEDIN_CLIENT_SECRET: the LinkedIn app.
    pub linkedin_client_id: Option<String>,
    pub linkedin_client_secret: Option<String>,
    /// HIRECAST_LINKEDIN_API_URL (https://api.linkedin.com) and HIRECAST_LINKEDIN_AUTH_URL
    /// (https://www.linkedin.com/oauth/v2).
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    /// HIRECAST_LINKEDIN_VERSION: the `LinkedIn-Version` header (YYYYMM).
    pub linkedin_version: String,
    /// HIRECAST_BLUESKY_RESOLVER_URL: where handles are resolved (https://bsky.social).
    pub bluesky_resolver_url: String,
    /// HIRECAST_PLC_URL: the DID PLC directory (https://plc.directory).
    pub plc_url: String,
}

impl std::fmt::Debug for BroadcastSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BroadcastSettings")
            .field("secret_key", &self.secret_key.as_ref().map(|_| "(set)"))
            .field("run_workers", &self.run_workers)
            .field("worker_concurrency", &self.worker_concurrency)
            .field("send_timeout_secs", &self.send_timeout_secs)
            .field("lease_secs", &self.lease_secs)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "(set)"))
            .field("mail_from", &self.mail_from)
            .field("x_client_id", &self.x_client_id)
            .field("x_api_url", &self.x_api_url)
            .field("linkedin_client_id", &self.linkedin_client_id)
            .field("linkedin_api_url", &self.linkedin_api_url)
            .finish_non_exhaustive()
    }
}

impl BroadcastSettings {
    fn from_env() -> Result<Self, ConfigError> {
        let secret_key = match get("HIRECAST_SECRET_KEY") {
            None => None,
            Some(raw) => Some(SecretKey::parse(&raw).map_err(|e| ConfigError {
                var: "HIRECAST_SECRET_KEY",
                reason: e.to_string(),
                shown: "the value set".into(),
            })?),
        };
        let run_workers = match get("HIRECAST_RUN_WORKERS").as_deref().map(str::trim) {
            None | Some("true") | Some("1") | Some("yes") => true,
            Some("false") | Some("0") | Some("no") => false,
            Some(other) => {
                return Err(ConfigError { var: "HIRECAST_RUN_WORKERS", reason: "must be true or false".into(), shown: format!("'{other}'") })
            }
        };
        let send_timeout_secs = parse_num("HIRECAST_SEND_TIMEOUT_SECS", 30, |v| (1..=300).contains(v), "a whole number of seconds from 1 to 300")?;
        let lease_secs = parse_num("HIRECAST_LEASE_SECS", 120u64, |v| (2..=3600).contains(v), "a whole number of seconds from 2 to 3600")?;
        if lease_secs <= 2 * send_timeout_secs {
            return Err(ConfigError {
                var: "HIRECAST_LEASE_SECS",
                reason: format!("must be more than twice HIRECAST_SEND_TIMEOUT_SECS ({send_timeout_secs})"),
                shown: format!("'{lease_secs}'"),
            });
        }
        let smtp_url = get("HIRECAST_SMTP_URL");
        if let Some(raw) = &smtp_url {
            let ok = url::Url::parse(raw.trim()).ok().filter(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host().is_some());
            if ok.is_none() {
                return Err(ConfigError {
                    var: "HIRECAST_SMTP_URL",
                    reason: "must look like smtp://host:port or smtps://user:password@host:465".into(),
                    shown: "the value set".into(),
                });
            }
        }
        let url_setting = |var: &'static str, default: &str| -> Result<String, ConfigError> {
            let raw = get(var).unwrap_or_else(|| default.to_string());
            match url::Url::parse(raw.trim()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(raw.trim().trim_end_matches('/').to_string()),
                _ => Err(ConfigError { var, reason: "must be an http(s) address".into(), shown: format!("'{raw}'") }),
            }
        };
        Ok(Self {
            secret_key,
            run_workers,
            worker_concurrency: parse_num("HIRECAST_WORKER_CONCURRENCY", 4, |v| (1..=64).contains(v), "a whole number from 1 to 64")?,
            send_timeout_secs,
            lease_secs,
            poll_ms: parse_num("HIRECAST_WORKER_POLL_MS", 1000, |v| (10..=60_000).contains(v), "a number of milliseconds from 10 to 60000")?,
            max_attempts: parse_num("HIRECAST_MAX_ATTEMPTS", 8, |v| (1..=50).contains(v), "a whole number from 1 to 50")?,
            smtp_url,
            mail_from: get("HIRECAST_MAIL_FROM").unwrap_or_else(|| "Hirecast <no-reply@localhost>".into()),
            x_client_id: get("HIRECAST_X_CLIENT_ID"),
            x_client_secret: get("HIRECAST_X_CLIENT_SECRET"),
            x_api_url: url_setting("HIRECAST_X_API_URL", "https://api.x.com")?,
            x_authorize_url: url_setting("HIRECAST_X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")?,
            linkedin_client_id: get("HIRECAST_LINKEDIN_CLIENT_ID"),
            linkedin_client_secret: get("HIRECAST_LINKEDIN_CLIENT_SECRET"),
            linkedin_api_url: url_setting("HIRECAST_LINKEDIN_API_URL", "https://api.linkedin.com")?,
            linkedin_auth_url: url_setting("HIRECAST_LINKEDIN_AUTH_URL", "https://www.linkedin.com/oauth/v2")?,
            linkedin_version: get("HIRECAST_LINKEDIN_VERSION").unwrap_or_else(|| "202511".into()),
            bluesky_resolver_url: url_setting("HIRECAST_BLUESKY_RESOLVER_URL", "https://bsky.social")?,
            plc_url: url_setting("HIRECAST_PLC_URL", "https://plc.directory")?,
        })
    }

    /// Defaults for tests: workers off (tests drive them), short timeouts, a random key.
    pub fn for_tests() -> Self {
        Self {
            secret_key: Some(SecretKey::random()),
            run_workers: false,
            worker_concurrency: 4,
            send_timeout_secs: 5,
            lease_secs: 11,
            poll_ms: 50,
            max_attempts: 5,
            smtp_url: None,
            mail_from: "Hirecast <no-reply@hirecast.test>".into(),
            x_client_id: None,
            x_client_secret: None,
            x_api_url: "https://api.x.com".into(),
            x_authorize_url: "https://x.com/i/oauth2/authorize".into(),
            linkedin_client_id: None,
            linkedin_client_secret: None,
            linkedin_api_url: "https://api.linkedin.com".into(),
            linkedin_auth_url: "https://www.linkedin.com/oauth/v2".into(),
            linkedin_version: "202511".into(),
            bluesky_resolver_url: "https://bsky.social".into(),
            plc_url: "https://plc.directory".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {reason} (got {shown})")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
    pub shown: String,
}

fn get(var: &'static str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// `host:port, host:port`: each with a port, nothing else.
fn fetch_allow_hosts(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for entry in raw.unwrap_or_default().split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let ok = entry.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
        if !ok {
            return Err(ConfigError {
                var: "HIRECAST_FETCH_ALLOW_HOSTS",
                reason: "must be host:port entries separated by commas (e.g. 127.0.0.1:8081)".into(),
                shown: format!("'{}'", entry.chars().take(60).collect::<String>()),
            });
        }
        out.push(entry.to_ascii_lowercase());
    }
    Ok(out)
}

fn parse_num<T: std::str::FromStr>(var: &'static str, default: T, ok: impl Fn(&T) -> bool, what: &str) -> Result<T, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if ok(&v) => Ok(v),
            _ => Err(ConfigError { var, reason: format!("must be {what}"), shown: format!("'{raw}'") }),
        },
    }
}

impl Settings {
    /// Reads `.env` (if present) then the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_current_env()
    }

    pub fn from_current_env() -> Result<Self, ConfigError> {
        let bind_raw = get("HIRECAST_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.parse().map_err(|_| ConfigError {
            var: "HIRECAST_BIND",
            reason: "must be an address and port such as 127.0.0.1:8080".into(),
            shown: format!("'{bind_raw}'"),
        })?;
        let base_url = match get("HIRECAST_BASE_URL") {
            None => format!("http://{bind}"),
            Some(raw) => {
                let u = url::Url::parse(raw.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
                match u {
                    Some(_) => raw.trim().trim_end_matches('/').to_string(),
                    None => {
                        return Err(ConfigError {
                            var: "HIRECAST_BASE_URL",
                            reason: "must be an http(s) address such as https://jobs.example.com".into(),
                            shown: format!("'{raw}'"),
                        })
                    }
                }
            }
        };
        let db_raw = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/hirecast.db".into());
        let database_url = DatabaseUrl::parse(&db_raw).map_err(|reason| ConfigError {
            var: "DATABASE_URL",
            reason,
            // Never echo a PostgreSQL URL: it may hold a password.
            shown: "the value set".into(),
        })?;
        let data_dir = PathBuf::from(get("HIRECAST_DATA_DIR").unwrap_or_else(|| "data".into()));
        let log_format = get("HIRECAST_LOG_FORMAT").unwrap_or_else(|| "pretty".into());
        let log_json = match log_format.as_str() {
            "json" => true,
            "pretty" => false,
            other => {
                return Err(ConfigError { var: "HIRECAST_LOG_FORMAT", reason: "must be pretty or json".into(), shown: format!("'{other}'") })
            }
        };
        Ok(Self {
            bind,
            base_url,
            database_url,
            data_dir,
            db_pool_size: parse_num("HIRECAST_DB_POOL_SIZE", 8, |v| (1..=200).contains(v), "a whole number from 1 to 200")?,
            workers: parse_num("HIRECAST_WORKERS", 2, |v| (1..=64).contains(v), "a whole number from 1 to 64")?,
            session_hours: parse_num("HIRECAST_SESSION_HOURS", 12, |v| (1..=720).contains(v), "a whole number of hours from 1 to 720")?,
            session_idle_minutes: parse_num("HIRECAST_SESSION_IDLE_MINUTES", 30, |v| (1..=43_200).contains(v), "a whole number of minutes from 1 to 43200")?,
            max_json_bytes: parse_num("HIRECAST_MAX_JSON_BYTES", 256 * 1024, |v| (1024..=16 * 1024 * 1024).contains(v), "a size in bytes from 1024 to 16777216")?,
            company_name: get("HIRECAST_COMPANY_NAME").unwrap_or_else(|| "Hirecast".into()),
            log_json,
            broadcast: BroadcastSettings::from_env()?,
            fetch_allow_hosts: fetch_allow_hosts(get("HIRECAST_FETCH_ALLOW_HOSTS").as_deref())?,
            retention: crate::store::privacy::Retention {
                unsuccessful: chrono::Duration::days(parse_num("HIRECAST_RETENTION_UNSUCCESSFUL_DAYS", 90i64, |v| (1..=3650).contains(v), "a whole number of days from 1 to 3650")?),
                pool: chrono::Duration::days(parse_num("HIRECAST_RETENTION_POOL_DAYS", 730i64, |v| (1..=3650).contains(v), "a whole number of days from 1 to 3650")?),
            },
        })
    }

    /// Settings for tests and embedding: everything default but the database and data folder.
    pub fn for_tests(database_url: DatabaseUrl, data_dir: PathBuf) -> Self {
        Self {
            bind: "127.0.0.1:0".parse().expect("static address"),
            base_url: "http://127.0.0.1:0".into(),
            database_url,
            data_dir,
            db_pool_size: 4,
            workers: 1,
            session_hours: 12,
            session_idle_minutes: 30,
            max_json_bytes: 256 * 1024,
            company_name: "Hirecast".into(),
            log_json: false,
            broadcast: BroadcastSettings::for_tests(),
            fetch_allow_hosts: Vec::new(),
            retention: Default::default(),
        }
    }

    pub fn session_limits(&self) -> crate::store::users::SessionLimits {
        crate::store::users::SessionLimits {
            idle: chrono::Duration::minutes(self.session_idle_minutes),
            absolute: chrono::Duration::hours(self.session_hours),
        }
    }

    /// Cookies get `Secure` when the public address is HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}
