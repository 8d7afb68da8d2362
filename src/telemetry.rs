//! Structured logs. Request lines carry method, path (no query string: it may hold
//! personal data such as an email in a filter), status and duration; never bodies or cookies.
use actix_web::middleware::Logger;

pub fn init(json: bool) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_env("HIRECAST_LOG").unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

pub fn request_logger() -> Logger {
    Logger::new("%{r}xi %s %Dms")
        .custom_request_replace("r", |req| format!("{} {}", req.method(), loggable_path(req.path())))
        .log_target("hirecast::http")
}

/// Paths that carry a secret (one-time setup links) are logged without it.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/setup/") {
        Some(_) => "/setup/[token]".to_string(),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn setup_tokens_are_not_logged() {
        assert_eq!(super::loggable_path("/setup/abcDEF123"), "/setup/[token]");
        assert_eq!(super::loggable_path("/jobs/rust-dev-ab12cd"), "/jobs/rust-dev-ab12cd");
    }
}
