//! Headers on every response, refusal of cross-site form posts, and the embedded static files.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

/// Cross-origin protection for state-changing requests, as browsers make possible:
/// `Sec-Fetch-Site` first, then `Origin` against `Host`. Requests with neither header
/// (curl, API clients with a token) are not from a browser form and pass.
pub fn is_cross_site(req: &ServiceRequest) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if is_one_click_unsubscribe(req.method(), req.path()) {
        return false;
    }
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some("null") => true,
        Some(origin) => {
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            !origin_host.eq_ignore_ascii_case(host)
        }
    }
}

/// RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` to the
/// link of a job alert's `List-Unsubscribe` header from wherever they run. The route only
/// removes the subscriber its unguessable token names, so it is the one POST exempted.
pub fn is_one_click_unsubscribe(method: &Method, path: &str) -> bool {
    if *method != Method::POST {
        return false;
    }
    match path.strip_prefix("/alerts/unsubscribe/") {
        Some(token) => !token.is_empty() && token.len() <= 100 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        None => false,
    }
}

/// No body this large is read by any route, whatever its own limit (forms and JSON: the
/// payload limit; the apply form: the CV limit and its fields): refused before routing.
pub const MAX_ANY_BODY: u64 = 32 * 1024 * 1024;

pub async fn middleware(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_ANY_BODY) {
        let res = HttpResponse::PayloadTooLarge().content_type("text/plain; charset=utf-8").body("The request body is too large.");
        return Ok(req.into_response(res).map_into_right_body());
    }
    if is_cross_site(&req) {
        let res = HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("Cross-site request refused: submit the form from this site.");
        return Ok(req.into_response(res).map_into_right_body());
    }
    // Served over HTTPS: the request says so, or the public address does (behind a proxy
    // that terminates TLS, which is how an https:// HIRECAST_BASE_URL is deployed).
    let https = req.connection_info().scheme() == "https"
        || req.app_data::<actix_web::web::Data<crate::web::AppState>>().is_some_and(|s| s.settings.secure_cookies());
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    let set = |h: &mut header::HeaderMap, k: &'static str, v: &'static str| {
        if !h.contains_key(k) {
            h.insert(header::HeaderName::from_static(k), header::HeaderValue::from_static(v));
        }
    };
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "strict-origin-when-cross-origin");
    set(h, "x-frame-options", "DENY");
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=()");
    if https {
        set(h, "strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    Ok(res.map_into_left_body())
}

static APP_CSS: &str = include_str!("../../static/app.css");
static APP_JS: &str = include_str!("../../static/app.js");
static SITE_CSS: &str = include_str!("../../static/site.css");

pub async fn static_file(path: web::Path<String>) -> HttpResponse {
    let (body, ct) = match path.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "site.css" => (SITE_CSS, "text/css; charset=utf-8"),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok().content_type(ct).insert_header((header::CACHE_CONTROL, "public, max-age=3600")).body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_unsubscribe_post_is_exempted() {
        assert!(is_one_click_unsubscribe(&Method::POST, "/alerts/unsubscribe/abcDEF123_-"));
        assert!(!is_one_click_unsubscribe(&Method::POST, "/alerts/unsubscribe/"));
        assert!(!is_one_click_unsubscribe(&Method::POST, "/alerts/unsubscribe/a/b"));
        assert!(!is_one_click_unsubscribe(&Method::POST, "/alerts"));
        assert!(!is_one_click_unsubscribe(&Method::POST, "/app/alerts/unsubscribe/abc"));
        assert!(!is_one_click_unsubscribe(&Method::DELETE, "/alerts/unsubscribe/abc"));
    }
}
