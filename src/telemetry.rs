//! Structured logs. Request lines carry method, path (no query string: it may hold
//! personal data such as an email in a filter), status and duration; never bodies or cookies.
use actix_web::middleware::Logger;

/// Starts logging; a `HIRECAST_LOG` that is not a valid filter is an error that names it.
pub fn init(json: bool) -> Result<(), String> {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = match std::env::var("HIRECAST_LOG") {
        Ok(v) if !v.trim().is_empty() => EnvFilter::try_new(&v).map_err(|e| {
            format!("HIRECAST_LOG: {e} (a filter such as info or info,hirecast=debug)")
        })?,
        _ => EnvFilter::new("info,actix_server=warn"),
    };
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
    Ok(())
}

pub fn request_logger() -> Logger {
    Logger::new("%{r}xi %s %Dms")
        .custom_request_replace("r", |req| format!("{} {}", req.method(), loggable_path(req.path())))
        .log_target("hirecast::http")
}

/// Paths that carry a secret (setup links, review links, alert confirmations and
/// unsubscriptions) are logged with the secret replaced; what follows it is kept.
pub fn loggable_path(path: &str) -> String {
    for prefix in SECRET_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            let after = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}[token]{after}");
        }
    }
    path.to_string()
}

const SECRET_PATHS: [&str; 5] = ["/setup/", "/review/", "/alerts/confirm/", "/alerts/unsubscribe/", "/privacy/"];

#[cfg(test)]
mod tests {
    #[test]
    fn setup_tokens_are_not_logged() {
        assert_eq!(super::loggable_path("/setup/abcDEF123"), "/setup/[token]");
        assert_eq!(super::loggable_path("/jobs/rust-dev-ab12cd"), "/jobs/rust-dev-ab12cd");
        assert_eq!(super::loggable_path("/review/tok3n/candidates/c1"), "/review/[token]/candidates/c1");
        assert_eq!(super::loggable_path("/alerts/unsubscribe/abc"), "/alerts/unsubscribe/[token]");
        assert_eq!(super::loggable_path("/privacy/s3cret/export"), "/privacy/[token]/export");
        assert_eq!(super::loggable_path("/app/openings/o1/review"), "/app/openings/o1/review");
    }
}
