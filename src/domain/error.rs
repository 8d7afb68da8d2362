use serde::Serialize;

/// One rejected field: which one, a stable code, and the reason in the user's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub reason: String,
    /// The same reason in French, for the UI.
    #[serde(skip)]
    pub reason_fr: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, reason: impl Into<String>, reason_fr: impl Into<String>) -> Self {
        Self { field: field.into(), code, reason: reason.into(), reason_fr: reason_fr.into() }
    }

    pub fn reason_in(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Fr => &self.reason_fr,
            crate::i18n::Lang::En => &self.reason,
        }
    }
}

/// Every field error of one input, so a form can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn one(e: FieldError) -> Self {
        Self(vec![e])
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
    /// Collects `r`'s error (if any) and returns its value.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.reason)).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// Checks a required single-line text: trimmed, not empty, at most `max` characters, no control characters.
pub fn text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "required", "is required", "est obligatoire"));
    }
    optional_text(field, v, max).map(|o| o.unwrap_or_default())
}

/// Like [`text`] but empty means absent.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let n = v.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("is {n} characters long; at most {max} are allowed"),
            format!("fait {n} caractères ; {max} au maximum"),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            "control_characters",
            "must be one line without control characters",
            "doit tenir sur une ligne, sans caractères de contrôle",
        ));
    }
    Ok(Some(v.to_string()))
}
