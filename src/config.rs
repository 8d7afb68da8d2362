//! Settings from the environment (and `.env`). A bad value stops start-up with a message
//! naming the variable. Secrets are never printed (see `Settings::describe`).
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// HIRECAST_SESSION_HOURS: idle lifetime of a sign-in.
    pub session_hours: i64,
    /// HIRECAST_MAX_JSON_BYTES
    pub max_json_bytes: usize,
    /// HIRECAST_COMPANY_NAME: shown on the careers site.
    pub company_name: String,
    /// HIRECAST_LOG_FORMAT: "pretty" or "json".
    pub log_json: bool,
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
            max_json_bytes: parse_num("HIRECAST_MAX_JSON_BYTES", 256 * 1024, |v| (1024..=16 * 1024 * 1024).contains(v), "a size in bytes from 1024 to 16777216")?,
            company_name: get("HIRECAST_COMPANY_NAME").unwrap_or_else(|| "Hirecast".into()),
            log_json,
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
            max_json_bytes: 256 * 1024,
            company_name: "Hirecast".into(),
            log_json: false,
        }
    }

    /// Cookies get `Secure` when the public address is HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}
