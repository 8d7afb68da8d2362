use super::error::{optional_text, text};
use super::{email::Email, FieldError, Invalid};

/// A phone number as typed: digits with the usual separators, 6 to 20 digits.
pub fn phone(raw: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = optional_text("phone", raw, 40)? else { return Ok(None) };
    let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = v.chars().all(|c| c.is_ascii_digit() || " +().-/".contains(c));
    if !allowed || !(6..=20).contains(&digits) {
        return Err(FieldError::new(
            "phone",
            "invalid_phone",
            "is not a phone number (digits, spaces, + ( ) - only)",
            "n'est pas un numéro de téléphone (chiffres, espaces, + ( ) - uniquement)",
        ));
    }
    Ok(Some(v))
}

/// An http(s) link to a CV.
pub fn cv_url(raw: &str) -> Result<Option<String>, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            "cv_url",
            "invalid_url",
            "must be a web address starting with http:// or https://",
            "doit être une adresse web commençant par http:// ou https://",
        )
    };
    if v.len() > 2000 {
        return Err(bad());
    }
    let u = url::Url::parse(v).map_err(|_| bad())?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(|h| h.is_empty()) {
        return Err(bad());
    }
    Ok(Some(u.to_string()))
}

/// What a person gives on the careers site's apply form (the CV file is checked apart).
#[derive(Debug, Clone)]
pub struct ApplicantDetails {
    pub name: String,
    pub email: Email,
    pub phone: Option<String>,
    pub cv_url: Option<String>,
    pub message: Option<String>,
}

impl ApplicantDetails {
    pub fn parse(name: &str, email: &str, phone_raw: &str, cv_url_raw: &str, message: &str) -> Result<Self, Invalid> {
        let mut inv = Invalid::default();
        let name = inv.take(text("name", name, 200));
        let email = inv.take(Email::parse("email", email));
        let phone = inv.take(phone(phone_raw));
        let cv_url = inv.take(cv_url(cv_url_raw));
        let msg = message.trim();
        if msg.chars().count() > 5000 {
            inv.push(FieldError::new("message", "too_long", "is longer than 5000 characters", "dépasse 5000 caractères"));
        }
        if !inv.is_empty() {
            return Err(inv);
        }
        Ok(Self {
            name: name.unwrap_or_default(),
            email: email.expect("checked above"),
            phone: phone.flatten(),
            cv_url: cv_url.flatten(),
            message: (!msg.is_empty()).then(|| msg.to_string()),
        })
    }
}

/// The kinds of CV file accepted, recognized by content, never by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvKind {
    Pdf,
    Docx,
}

impl CvKind {
    pub fn content_type(self) -> &'static str {
        match self {
            CvKind::Pdf => "application/pdf",
            CvKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            CvKind::Pdf => "pdf",
            CvKind::Docx => "docx",
        }
    }

    /// PDF: see [`is_pdf`]. DOCX: a ZIP holding `[Content_Types].xml` and
    /// `word/document.xml`.
    pub fn sniff(bytes: &[u8]) -> Option<CvKind> {
        if is_pdf(bytes) {
            return Some(CvKind::Pdf);
        }
        if bytes.starts_with(b"PK\x03\x04") {
            let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            let names: Vec<&str> = archive.file_names().collect();
            if names.contains(&"[Content_Types].xml") && names.contains(&"word/document.xml") {
                return Some(CvKind::Docx);
            }
        }
        None
    }
}

/// A PDF starts with `%PDF-` within its first kilobyte, after at most a UTF-8 byte order mark
/// and whitespace. Readers also accept other bytes before the marker, but those can make the
/// file something else as well (an HTML page, a script): such a file is not a CV.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &b[..b.len().min(1024)];
    let start = head.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(head.len());
    head[start..].starts_with(b"%PDF-")
}

pub const CV_MAX_BYTES: usize = 10 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(CvKind::sniff(b"%PDF-1.7\n..."), Some(CvKind::Pdf));
        assert_eq!(CvKind::sniff(b"MZ\x90\x00 this is an exe renamed cv.pdf"), None);
        assert_eq!(CvKind::sniff(b"PK\x03\x04 not really a zip"), None);
        assert_eq!(CvKind::sniff(b"\xEF\xBB\xBF\r\n%PDF-1.4"), Some(CvKind::Pdf));
        // The marker later in the file: a page that also reads as PDF is refused.
        assert_eq!(CvKind::sniff(b"<html><script>alert(1)</script>%PDF-1.4"), None);
        assert_eq!(CvKind::sniff(b"GIF89a %PDF-1.4"), None);
    }

    #[test]
    fn phones() {
        assert_eq!(phone("+33 (0)6 12 34 56 78").unwrap().as_deref(), Some("+33 (0)6 12 34 56 78"));
        assert!(phone("call me maybe").is_err());
        assert_eq!(phone("  ").unwrap(), None);
    }

    #[test]
    fn cv_urls() {
        assert!(cv_url("javascript:alert(1)").is_err());
        assert!(cv_url("https://example.org/cv.pdf").unwrap().is_some());
    }
}
