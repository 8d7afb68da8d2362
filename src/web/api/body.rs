//! Reading JSON request bodies: content type, size limit, and errors that name the field.
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::web::error::ApiError;
use crate::web::AppState;

pub const JSON: &str = "application/json";
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// The body of an API request, read only when the handler asks for it.
///
/// Reading is deferred on purpose: a handler first checks who is calling and whether they may
/// touch the object, so an anonymous or unauthorized caller gets 401/403/404, never a
/// validation message about a body they had no right to send.
pub struct JsonBody {
    req: HttpRequest,
    payload: Payload,
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Ok(JsonBody { req: req.clone(), payload: payload.take() }))
    }
}

impl JsonBody {
    /// Reads an `application/json` body into `T`; unknown fields are refused where `T` says so.
    pub async fn read<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        let bytes = self.bytes(&[JSON]).await?;
        from_slice(&bytes)
    }

    /// Reads a JSON Merge Patch (RFC 7396), sent as `application/merge-patch+json` or `application/json`.
    pub async fn read_merge_patch(self) -> Result<serde_json::Value, ApiError> {
        let bytes = self.bytes(&[MERGE_PATCH, JSON]).await?;
        from_slice(&bytes)
    }

    async fn bytes(mut self, accepted: &[&'static str]) -> Result<web::BytesMut, ApiError> {
        let essence = self
            .req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        if !essence.as_deref().is_some_and(|e| accepted.contains(&e)) {
            return Err(ApiError::UnsupportedMediaType { expected: accepted[0] });
        }
        let limit = self.req.app_data::<web::Data<AppState>>().map(|s| s.settings.max_json_bytes).unwrap_or(256 * 1024);
        // Refuse at once when the client announces too much; otherwise stop reading at the limit.
        let announced = self
            .req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::TooLarge { limit });
        }
        let mut buf = web::BytesMut::with_capacity(announced.map(|n| n as usize).unwrap_or(1024).min(limit));
        while let Some(chunk) = self.payload.next().await {
            let chunk = chunk.map_err(|e| match e {
                actix_web::error::PayloadError::Overflow => ApiError::TooLarge { limit },
                other => ApiError::Malformed { field: None, reason: format!("the request body could not be read: {other}") },
            })?;
            if buf.len() + chunk.len() > limit {
                return Err(ApiError::TooLarge { limit });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    }
}

/// Deserializes JSON text, naming the field path of the first problem (`salary.min`).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        malformed(path, e.into_inner())
    })?;
    de.end().map_err(|e| malformed(".".into(), e))?;
    Ok(value)
}

/// Deserializes an already parsed JSON value (a merged patch), naming the field path.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        malformed(path, e.into_inner())
    })
}

fn malformed(path: String, e: serde_json::Error) -> ApiError {
    let mut reason = e.to_string();
    // serde_json appends the position; the field path says more to an API user.
    if e.line() > 0 {
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        if e.is_syntax() || e.is_eof() {
            reason = reason.replace(&suffix, &format!(" (line {}, column {})", e.line(), e.column()));
        } else if let Some(r) = reason.strip_suffix(&suffix) {
            reason = r.to_string();
        }
    }
    let base = if path == "." { None } else { Some(path) };
    // A missing or unknown field is reported by serde on its parent; name the field itself.
    let named = quoted_name(&reason, "missing field `").or_else(|| quoted_name(&reason, "unknown field `"));
    let field = match (base, named) {
        (Some(b), Some(n)) if b != n && !b.ends_with(&format!(".{n}")) => Some(format!("{b}.{n}")),
        (None, Some(n)) => Some(n),
        (b, _) => b,
    };
    if e.is_syntax() || e.is_eof() {
        return ApiError::Malformed { field: None, reason: format!("the body is not valid JSON: {reason}") };
    }
    ApiError::Malformed { field, reason }
}

fn quoted_name(reason: &str, prefix: &str) -> Option<String> {
    let rest = reason.strip_prefix(prefix)?;
    rest.split_once('`').map(|(name, _)| name.chars().take(60).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::opening::OpeningInput;

    fn err(json: &str) -> (Option<String>, String) {
        match from_slice::<OpeningInput>(json.as_bytes()) {
            Err(ApiError::Malformed { field, reason }) => (field, reason),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    const BASE: &str = r#""title":"t","company":"c","country":"FR","remote_policy":"remote","employment_type":"permanent","language":"fr""#;

    #[test]
    fn names_the_field_of_a_wrong_type() {
        let (f, r) = err(&format!(r#"{{{BASE},"salary":{{"min":"abc","currency":"EUR","period":"year"}}}}"#));
        assert_eq!(f.as_deref(), Some("salary.min"));
        assert_eq!(r, r#"invalid type: string "abc", expected i64"#);
    }

    #[test]
    fn names_unknown_and_missing_fields() {
        let (f, _) = err(&format!(r#"{{{BASE},"salry":1}}"#));
        assert_eq!(f.as_deref(), Some("salry"));
        let (f, _) = err(r#"{"company":"c"}"#);
        assert_eq!(f.as_deref(), Some("title"));
        let (f, _) = err(&format!(r#"{{{BASE},"salary":{{"min":1,"period":"year"}}}}"#));
        assert_eq!(f.as_deref(), Some("salary.currency"));
        let (f, _) = err(&format!(r#"{{{BASE},"required_skills":["a", 3]}}"#));
        assert_eq!(f.as_deref(), Some("required_skills[1]"));
    }

    #[test]
    fn syntax_errors_have_no_field() {
        let (f, r) = err(r#"{"title": "#);
        assert_eq!(f, None);
        assert!(r.starts_with("the body is not valid JSON"), "{r}");
        let (f, _) = err(&format!(r#"{{{BASE}}} trailing"#));
        assert_eq!(f, None);
    }
}
