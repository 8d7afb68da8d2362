//! Plain-text extraction from uploaded CVs (PDF, DOCX, HTML, JSON Resume).
//!
//! Every input is untrusted. The readers never panic out of [`read_cv`] and keep
//! memory and time bounded:
//!
//! * the input size is checked against [`ReadLimits::max_input_bytes`];
//! * DOCX: `word/document.xml` (and headers/footers) are decompressed through
//!   `Read::take`, never trusting the sizes declared in the archive (zip bomb guard);
//! * PDF: before `lopdf` decompresses anything, every stream is measured with bounded
//!   decoders (a "PDF bomb" is refused with [`CvReadError::TooLarge`]); images and
//!   embedded files are dropped unread; page trees are flattened so that inherited
//!   attributes cannot recurse; Form XObject nesting, fan-out and content size are
//!   bounded before `pdf-extract` walks a page; the extraction runs on a worker thread
//!   with a large stack, inside `catch_unwind`, with a timeout, and with a cap on
//!   the text a page may produce;
//! * HTML is parsed by the html5ever tokenizer, JSON by `serde_json` (recursion-limited).
//!
//! Errors carry a short static reason and never any part of the file.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Formats recognised by [`sniff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvFormat {
    Pdf,
    Docx,
    Html,
    JsonResume,
}

/// Text of a CV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvText {
    pub format: CvFormat,
    /// PDF: one entry per page (pages beyond the limits are dropped); others: one entry.
    pub pages: Vec<String>,
    /// True when text or pages were cut by [`ReadLimits`].
    pub truncated: bool,
}

impl CvText {
    /// All pages joined by a blank line.
    pub fn full_text(&self) -> String {
        self.pages.join("\n\n")
    }
}

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum CvReadError {
    /// Not a CV format we read, or a damaged / hostile file. The reason is a short
    /// static string, never file contents.
    #[error("unreadable CV: {0}")]
    Unreadable(&'static str),
    /// Password-protected document.
    #[error("the CV is encrypted")]
    Encrypted,
    /// The file, or what it decompresses to, is over the limits.
    #[error("the CV is too large")]
    TooLarge,
}

/// Bounds for [`read_cv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Larger inputs are refused with [`CvReadError::TooLarge`]. Default 10 MiB.
    pub max_input_bytes: usize,
    /// Text beyond this many characters (after normalisation) is cut. Default 200 000.
    pub max_text_chars: usize,
    /// PDF pages beyond this count are not read. Default 50.
    pub max_pages: usize,
    /// Largest uncompressed size accepted for `word/document.xml` (and, in total, for
    /// the headers and footers). Default 20 MiB.
    pub max_zip_entry_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_input_bytes: 10 * 1024 * 1024,
            max_text_chars: 200_000,
            max_pages: 50,
            max_zip_entry_bytes: 20 * 1024 * 1024,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sniffing
// ---------------------------------------------------------------------------------------

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Recognises a CV format from the content alone (the file name is not trusted).
pub fn sniff(bytes: &[u8]) -> Option<CvFormat> {
    catch_unwind(|| sniff_inner(bytes)).unwrap_or(None)
}

fn sniff_inner(bytes: &[u8]) -> Option<CvFormat> {
    if crate::domain::candidate::is_pdf(bytes) {
        return Some(CvFormat::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_has_document(bytes).then_some(CvFormat::Docx);
    }
    let text = skip_bom_ws(bytes);
    if text.first() == Some(&b'{') {
        return json_resume_keys(text).then_some(CvFormat::JsonResume);
    }
    if looks_like_html(text) {
        return Some(CvFormat::Html);
    }
    None
}

fn skip_bom_ws(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    &b[start..]
}

fn zip_has_document(bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive.index_for_name(DOCX_MAIN).is_some(),
        Err(_) => false,
    }
}

/// A JSON object whose top level has a `basics` or `work` key. Values are skipped
/// without being built, and the whole input must be one well-formed JSON value.
fn json_resume_keys(text: &[u8]) -> bool {
    use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut hit = false;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == "basics" || key == "work" {
                    hit = true;
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(hit)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    match (&mut de).deserialize_map(Keys) {
        Ok(hit) => hit && de.end().is_ok(),
        Err(_) => false,
    }
}

fn looks_like_html(text: &[u8]) -> bool {
    let mut t = text;
    // Tolerate an XML declaration and comments before the first tag (XHTML exports).
    for _ in 0..16 {
        if t.starts_with(b"<?") {
            match find(&t[..t.len().min(4096)], b"?>") {
                Some(end) => t = skip_bom_ws(&t[end + 2..]),
                None => return false,
            }
        } else if t.starts_with(b"<!--") {
            match find(&t[..t.len().min(65536)], b"-->") {
                Some(end) => t = skip_bom_ws(&t[end + 3..]),
                None => return false,
            }
        } else {
            break;
        }
    }
    let starts_tag = |tag: &[u8]| -> bool {
        t.len() > tag.len()
            && t[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(t[tag.len()], b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'>' | b'/')
    };
    starts_tag(b"<!doctype html") || starts_tag(b"<html") || starts_tag(b"<head") || starts_tag(b"<body")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        match hay[i..hay.len() - needle.len() + 1].iter().position(|&b| b == first) {
            None => return None,
            Some(p) => {
                i += p;
                if &hay[i..i + needle.len()] == needle {
                    return Some(i);
                }
                i += 1;
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

/// Sniffs the format and extracts normalised text. Never panics.
/// The readable text of an HTML fragment (a Mastodon status or profile note): tags dropped,
/// blocks and `<br>` as new lines, entities decoded.
pub fn html_to_text(html: &str) -> String {
    normalize(&read_html(html.as_bytes()))
}

pub fn read_cv(bytes: &[u8], limits: &ReadLimits) -> Result<CvText, CvReadError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(CvReadError::TooLarge);
    }
    let format = sniff(bytes).ok_or(CvReadError::Unreadable("unrecognised format"))?;
    let raw = catch_unwind(AssertUnwindSafe(|| match format {
        CvFormat::Pdf => pdf::read(bytes, limits),
        CvFormat::Docx => read_docx(bytes, limits).map(|t| (vec![t], false)),
        CvFormat::Html => Ok((vec![read_html(bytes)], false)),
        CvFormat::JsonResume => read_json_resume(bytes).map(|t| (vec![t], false)),
    }))
    .unwrap_or(Err(CvReadError::Unreadable("internal reader error")))?;
    let (pages, cut_pages) = raw;
    let (pages, cut_text) = normalize_and_cap(pages, limits.max_text_chars);
    Ok(CvText { format, pages, truncated: cut_pages || cut_text })
}

// ---------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------

/// Collapses runs of horizontal white space (to a tab if the run had one, else to a
/// space), trims every line, keeps at most one blank line in a row, drops control and
/// invisible characters, and trims the whole text.
fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(1 << 20));
    let mut pending_ws: Option<char> = None;
    let mut pending_newlines = 0usize;
    let mut line_has_text = false;
    let mut prev_cr = false;
    for c in raw.chars() {
        let was_cr = prev_cr;
        prev_cr = c == '\r';
        match c {
            '\n' if was_cr => {}
            '\n' | '\r' | '\x0b' | '\x0c' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                pending_ws = None;
                line_has_text = false;
                pending_newlines += 1;
            }
            '\t' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}'
            | '\u{3000}' => {
                if line_has_text {
                    pending_ws = Some(if c == '\t' || pending_ws == Some('\t') { '\t' } else { ' ' });
                }
            }
            '\u{ad}' | '\u{200b}' | '\u{2060}' | '\u{feff}' => {}
            c if c.is_control() => {}
            c => {
                if !out.is_empty() && pending_newlines > 0 {
                    out.push('\n');
                    if pending_newlines > 1 {
                        out.push('\n');
                    }
                    pending_ws = None;
                }
                pending_newlines = 0;
                if let Some(w) = pending_ws.take() {
                    out.push(w);
                }
                out.push(c);
                line_has_text = true;
            }
        }
    }
    out
}

fn normalize_and_cap(pages: Vec<String>, max_chars: usize) -> (Vec<String>, bool) {
    let mut out = Vec::with_capacity(pages.len());
    let mut used = 0usize;
    let mut truncated = false;
    for page in pages {
        let text = normalize(&page);
        drop(page);
        let remaining = max_chars - used;
        if remaining == 0 && !text.is_empty() {
            truncated = true;
            break;
        }
        match text.char_indices().nth(remaining) {
            None => {
                used += text.chars().count();
                out.push(text);
            }
            Some((cut, _)) => {
                out.push(text[..cut].trim_end().to_string());
                truncated = true;
                break;
            }
        }
    }
    (out, truncated)
}

// ---------------------------------------------------------------------------------------
// DOCX
// ---------------------------------------------------------------------------------------

const DOCX_MAIN: &str = "word/document.xml";
const DOCX_MAX_HEADER_PARTS: usize = 6;

fn read_docx(bytes: &[u8], limits: &ReadLimits) -> Result<String, CvReadError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| CvReadError::Unreadable("damaged docx archive"))?;
    let limit = limits.max_zip_entry_bytes;

    let body = read_zip_entry(&mut archive, DOCX_MAIN, limit)?;
    let body = docx_xml_text(&body).map_err(|_| CvReadError::Unreadable("damaged docx xml"))?;

    // Headers and footers: optional, best effort, sharing one budget of `limit` bytes.
    let mut names: Vec<String> = archive
        .file_names()
        .filter(|n| {
            (n.starts_with("word/header") || n.starts_with("word/footer"))
                && n.ends_with(".xml")
                && n.matches('/').count() == 1
        })
        .map(str::to_owned)
        .collect();
    names.sort();
    let mut budget = limit;
    let mut headers: Vec<String> = Vec::new();
    let mut footers: Vec<String> = Vec::new();
    for name in names {
        let is_header = name.starts_with("word/header");
        let list = if is_header { &mut headers } else { &mut footers };
        if list.len() >= DOCX_MAX_HEADER_PARTS {
            continue;
        }
        let xml = match read_zip_entry(&mut archive, &name, budget) {
            Ok(x) => x,
            Err(CvReadError::TooLarge) => return Err(CvReadError::TooLarge),
            Err(_) => continue,
        };
        budget -= xml.len() as u64;
        if let Ok(text) = docx_xml_text(&xml) {
            let text = text.trim().to_string();
            if !text.is_empty() && !list.contains(&text) {
                list.push(text);
            }
        }
    }
    let mut out = String::with_capacity(body.len() + 256);
    for h in &headers {
        out.push_str(h);
        out.push_str("\n\n");
    }
    out.push_str(&body);
    for f in &footers {
        out.push_str("\n\n");
        out.push_str(f);
    }
    Ok(out)
}

/// Reads one entry, decompressing at most `limit` bytes whatever the archive declares.
fn read_zip_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<String, CvReadError> {
    use zip::result::ZipError;
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED)) | Err(ZipError::InvalidPassword) => {
            return Err(CvReadError::Encrypted)
        }
        Err(ZipError::FileNotFound) => return Err(CvReadError::Unreadable("docx without word/document.xml")),
        Err(_) => return Err(CvReadError::Unreadable("damaged docx archive")),
    };
    if file.encrypted() {
        return Err(CvReadError::Encrypted);
    }
    let mut buf = Vec::with_capacity(file.size().min(limit).min(1 << 20) as usize);
    let read = file.take(limit.saturating_add(1)).read_to_end(&mut buf);
    if buf.len() as u64 > limit {
        return Err(CvReadError::TooLarge);
    }
    read.map_err(|_| CvReadError::Unreadable("damaged docx archive"))?;
    let buf = match buf.strip_prefix(UTF8_BOM) {
        Some(rest) => rest.to_vec(),
        None => buf,
    };
    Ok(match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Text of a WordprocessingML part: `w:p` are lines, `w:t` is text, `w:tab` a tab,
/// `w:br`/`w:cr` a newline; table cells are separated by tabs, rows by newlines.
/// `mc:Fallback` (a duplicate of `mc:Choice`) and deleted text are skipped.
fn docx_xml_text(xml: &str) -> Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        cfg.allow_dangling_amp = true;
        cfg.check_comments = false;
    }
    let mut out = String::new();
    let mut in_t = 0usize;
    let mut in_run = 0usize;
    let mut skip = 0usize;
    let mut in_p = 0usize;
    loop {
        let ev = reader.read_event()?;
        if skip > 0 {
            match ev {
                Event::Start(_) => skip += 1,
                Event::End(_) => skip -= 1,
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        match ev {
            Event::Start(e) => match e.name().0 {
                "w:p" => {
                    // A paragraph nested in another one (text box): start it on its own line.
                    if in_p > 0 && !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    in_p += 1;
                }
                "w:r" => in_run += 1,
                "w:t" => in_t += 1,
                "mc:Fallback" | "w:del" | "w:instrText" | "w:delText" => skip = 1,
                "w:tab" if in_run > 0 => out.push('\t'),
                "w:br" | "w:cr" if in_run > 0 => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.name().0 {
                "w:p" => out.push('\n'),
                "w:tab" if in_run > 0 => out.push('\t'),
                "w:br" | "w:cr" if in_run > 0 => out.push('\n'),
                "w:noBreakHyphen" if in_run > 0 => out.push('-'),
                _ => {}
            },
            Event::End(e) => match e.name().0 {
                "w:p" => {
                    in_p = in_p.saturating_sub(1);
                    out.push('\n');
                }
                "w:r" => in_run = in_run.saturating_sub(1),
                "w:t" => in_t = in_t.saturating_sub(1),
                "w:tc" => {
                    while out.ends_with('\n') {
                        out.pop();
                    }
                    out.push('\t');
                }
                "w:tr" => {
                    while out.ends_with('\t') || out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('\n');
                }
                _ => {}
            },
            Event::Text(t) if in_t > 0 => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_t > 0 => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t > 0 => {
                if r.is_char_ref() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        out.push(c);
                    }
                } else {
                    match &*r {
                        "amp" => out.push('&'),
                        "lt" => out.push('<'),
                        "gt" => out.push('>'),
                        "quot" => out.push('"'),
                        "apos" => out.push('\''),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------

fn decode_html_bytes(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    // Legacy pages: honour a `charset=` found early in the document, else windows-1252.
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let encoding = find(&lower, b"charset=")
        .and_then(|p| {
            let rest = &lower[p + 8..];
            let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
            let end = rest
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.')))
                .unwrap_or(rest.len());
            encoding_rs::Encoding::for_label(&rest[..end])
        })
        .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE)
        .unwrap_or(encoding_rs::WINDOWS_1252);
    let (text, _, _) = encoding.decode(bytes);
    text
}

/// Ends the current line unless it is already ended (blank lines do not pile up).
fn block_break(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn is_html_block(name: &str) -> bool {
    matches!(
        name,
        "address" | "article" | "aside" | "blockquote" | "caption" | "center" | "dd" | "details" | "dialog"
            | "div" | "dl" | "dt" | "fieldset" | "figcaption" | "figure" | "footer" | "form" | "h1" | "h2"
            | "h3" | "h4" | "h5" | "h6" | "header" | "hgroup" | "hr" | "legend" | "li" | "main" | "menu"
            | "nav" | "ol" | "p" | "pre" | "section" | "summary" | "table" | "tbody" | "thead" | "tfoot"
            | "tr" | "ul" | "body" | "html" | "listing" | "textarea" | "plaintext" | "option"
    )
}

/// Elements whose content is not shown, with the tokenizer state their content needs
/// (as html5ever's tree builder would set it; scripting is assumed enabled).
fn html_skipped(name: &str) -> Option<Option<html5ever::tokenizer::states::RawKind>> {
    use html5ever::tokenizer::states::RawKind;
    Some(match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "noscript" | "iframe" | "noembed" | "noframes" | "xmp" => Some(RawKind::Rawtext),
        "title" => Some(RawKind::Rcdata),
        "template" | "object" | "canvas" | "audio" | "video" => None,
        _ => return None,
    })
}

/// Elements whose end tag may be omitted: a `hidden` one cannot be skipped by tag
/// matching, so its content is kept.
fn html_end_optional(name: &str) -> bool {
    matches!(
        name,
        "p" | "li" | "dt" | "dd" | "option" | "optgroup" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot"
            | "colgroup" | "caption" | "rb" | "rt" | "rp" | "rtc" | "html" | "head" | "body"
    )
}

fn html_void(name: &str) -> bool {
    matches!(
        name,
        "area" | "base" | "br" | "col" | "embed" | "hr" | "img" | "input" | "link" | "meta" | "source" | "track"
            | "wbr" | "param" | "keygen" | "frame" | "basefont" | "bgsound"
    )
}

#[derive(Default)]
struct HtmlText {
    out: String,
    /// Skipping the content of this element until its end tag (nesting counted).
    skip: Option<(html5ever::LocalName, usize)>,
    pre_depth: usize,
    /// Drop one newline right after `<pre>` / `<listing>` / `<textarea>`.
    eat_newline: bool,
}

struct HtmlSink(std::cell::RefCell<HtmlText>);

impl html5ever::tokenizer::TokenSink for HtmlSink {
    type Handle = ();

    fn process_token(&self, token: html5ever::tokenizer::Token, _line: u64) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};
        let mut st = self.0.borrow_mut();
        let st = &mut *st;
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if let Some((skip_name, depth)) = &mut st.skip {
                    if *skip_name == tag.name {
                        match tag.kind {
                            TagKind::StartTag if !tag.self_closing => *depth += 1,
                            TagKind::EndTag => {
                                *depth -= 1;
                                if *depth == 0 {
                                    st.skip = None;
                                }
                            }
                            _ => {}
                        }
                    }
                    return TokenSinkResult::Continue;
                }
                match tag.kind {
                    TagKind::StartTag => {
                        if let Some(raw) = html_skipped(name) {
                            if tag.self_closing && raw.is_none() {
                                return TokenSinkResult::Continue;
                            }
                            st.skip = Some((tag.name.clone(), 1));
                            return match raw {
                                Some(kind) => TokenSinkResult::RawData(kind),
                                None => TokenSinkResult::Continue,
                            };
                        }
                        let hidden = tag.attrs.iter().any(|a| &*a.name.local == "hidden");
                        if hidden && !tag.self_closing && !html_void(name) && !html_end_optional(name) {
                            st.skip = Some((tag.name.clone(), 1));
                            return TokenSinkResult::Continue;
                        }
                        match name {
                            "br" => st.out.push('\n'),
                            "td" | "th" if !st.out.is_empty() && !st.out.ends_with('\n') => st.out.push('\t'),
                            _ if is_html_block(name) => block_break(&mut st.out),
                            _ => {}
                        }
                        match name {
                            "pre" | "listing" | "textarea" => {
                                st.pre_depth += 1;
                                st.eat_newline = true;
                            }
                            "plaintext" => {
                                st.pre_depth += 1;
                                return TokenSinkResult::Plaintext;
                            }
                            _ => {}
                        }
                        if name == "textarea" {
                            return TokenSinkResult::RawData(html5ever::tokenizer::states::RawKind::Rcdata);
                        }
                    }
                    TagKind::EndTag => {
                        match name {
                            "br" => st.out.push('\n'),
                            "pre" | "listing" | "textarea" => st.pre_depth = st.pre_depth.saturating_sub(1),
                            _ => {}
                        }
                        if is_html_block(name) {
                            block_break(&mut st.out);
                        }
                    }
                }
            }
            Token::CharacterTokens(text) if st.skip.is_none() => {
                let mut text: &str = &text;
                if std::mem::take(&mut st.eat_newline) {
                    text = text.strip_prefix('\n').unwrap_or(text);
                }
                if st.pre_depth > 0 {
                    st.out.push_str(text);
                } else {
                    st.out.extend(text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t' | '\x0c') { ' ' } else { c }));
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Readable text of an HTML page, from html5ever's tokenizer (linear time: no tree is
/// built, so deeply nested or mis-nested input cannot trigger the tree builder's
/// quadratic paths). Script, style, noscript, template, title and `hidden` content is
/// dropped, block elements are put on their own lines, table cells are separated by
/// tabs, character references are decoded by the tokenizer.
fn read_html(bytes: &[u8]) -> String {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer};
    let source = decode_html_bytes(bytes);
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&source));
    drop(source);
    let tok = Tokenizer::new(HtmlSink(std::cell::RefCell::new(HtmlText::default())), Default::default());
    // The sink never asks for a script pause, so one feed consumes the whole input.
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.into_inner().out
}

// ---------------------------------------------------------------------------------------
// JSON Resume
// ---------------------------------------------------------------------------------------

use serde_json::Value;

/// A scalar as text: strings, numbers and booleans; anything else is ignored.
fn jstr(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn jfield(obj: &Value, key: &str) -> Option<String> {
    jstr(obj.get(key))
}

/// A list field: an array, or a lone value treated as a one-element list.
fn jlist<'a>(obj: &'a Value, key: &str) -> Vec<&'a Value> {
    match obj.get(key) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(v) => vec![v],
    }
}

fn jstrings(obj: &Value, key: &str) -> Vec<String> {
    jlist(obj, key).into_iter().filter_map(|v| jstr(Some(v))).collect()
}

fn join_nonempty(parts: &[Option<String>], sep: &str) -> Option<String> {
    let v: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
    (!v.is_empty()).then(|| v.join(sep))
}

fn dates(item: &Value, start_key: &str, end_key: &str) -> Option<String> {
    match (jfield(item, start_key), jfield(item, end_key)) {
        (Some(s), Some(e)) => Some(format!("{s} – {e}")),
        (Some(s), None) => Some(format!("{s} –")),
        (None, Some(e)) => Some(e),
        (None, None) => None,
    }
}

struct Sections {
    out: String,
}

impl Sections {
    fn heading(&mut self, title: &str) {
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.out.push_str(title);
        self.out.push('\n');
    }
    fn line(&mut self, s: Option<String>) {
        if let Some(s) = s {
            self.out.push_str(&s);
            self.out.push('\n');
        }
    }
    fn bullets(&mut self, items: Vec<String>) {
        for i in items {
            self.out.push_str("- ");
            self.out.push_str(&i);
            self.out.push('\n');
        }
    }
    /// One titled section built from the items of a list field.
    fn list(&mut self, resume: &Value, key: &str, title: &str, mut item: impl FnMut(&mut Self, &Value)) {
        let items: Vec<&Value> = jlist(resume, key).into_iter().filter(|v| v.is_object() || v.is_string()).collect();
        if items.is_empty() {
            return;
        }
        self.heading(title);
        for (i, v) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            if v.is_string() {
                self.line(jstr(Some(v)));
            } else {
                item(self, v);
            }
        }
    }
}

/// JSON Resume (https://jsonresume.org/schema) to readable text. Unknown fields are
/// ignored and wrongly typed ones skipped.
fn read_json_resume(bytes: &[u8]) -> Result<String, CvReadError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let resume: Value = serde_json::from_slice(bytes).map_err(|_| CvReadError::Unreadable("invalid json"))?;
    if !resume.is_object() {
        return Err(CvReadError::Unreadable("json is not a resume"));
    }
    let mut s = Sections { out: String::new() };

    if let Some(b) = resume.get("basics").filter(|b| b.is_object()) {
        s.line(jfield(b, "name"));
        s.line(jfield(b, "label"));
        if let Some(loc) = b.get("location").filter(|l| l.is_object()) {
            s.line(join_nonempty(&[jfield(loc, "city"), jfield(loc, "region"), jfield(loc, "countryCode")], ", "));
        }
        if let Some(summary) = jfield(b, "summary") {
            s.out.push('\n');
            s.line(Some(summary));
        }
    }
    s.list(&resume, "work", "Work", |s, w| {
        let title = join_nonempty(&[jfield(w, "position"), jfield(w, "name").or_else(|| jfield(w, "company"))], " — ");
        s.line(join_nonempty(&[title, dates(w, "startDate", "endDate").map(|d| format!("({d})"))], " "));
        s.line(jfield(w, "location"));
        s.line(jfield(w, "summary").or_else(|| jfield(w, "description")));
        s.bullets(jstrings(w, "highlights"));
    });
    s.list(&resume, "volunteer", "Volunteer", |s, w| {
        let title = join_nonempty(&[jfield(w, "position"), jfield(w, "organization")], " — ");
        s.line(join_nonempty(&[title, dates(w, "startDate", "endDate").map(|d| format!("({d})"))], " "));
        s.line(jfield(w, "summary"));
        s.bullets(jstrings(w, "highlights"));
    });
    s.list(&resume, "education", "Education", |s, e| {
        let degree = join_nonempty(&[jfield(e, "studyType"), jfield(e, "area")], ", ");
        let title = join_nonempty(&[degree, jfield(e, "institution")], " — ");
        s.line(join_nonempty(&[title, dates(e, "startDate", "endDate").map(|d| format!("({d})"))], " "));
        s.line(jfield(e, "score"));
        s.bullets(jstrings(e, "courses"));
    });
    s.list(&resume, "skills", "Skills", |s, k| {
        let head = join_nonempty(&[jfield(k, "name"), jfield(k, "level").map(|l| format!("({l})"))], " ");
        let keywords = jstrings(k, "keywords");
        let kw = (!keywords.is_empty()).then(|| keywords.join(", "));
        s.line(match (head, kw) {
            (Some(h), Some(k)) => Some(format!("{h}: {k}")),
            (h, k) => h.or(k),
        });
    });
    s.list(&resume, "languages", "Languages", |s, l| {
        s.line(join_nonempty(&[jfield(l, "language"), jfield(l, "fluency")], ": "));
    });
    s.list(&resume, "projects", "Projects", |s, p| {
        s.line(join_nonempty(&[jfield(p, "name"), dates(p, "startDate", "endDate").map(|d| format!("({d})"))], " "));
        s.line(jfield(p, "description"));
        s.bullets(jstrings(p, "highlights"));
        let keywords = jstrings(p, "keywords");
        if !keywords.is_empty() {
            s.line(Some(keywords.join(", ")));
        }
    });
    s.list(&resume, "certificates", "Certificates", |s, c| {
        s.line(join_nonempty(&[jfield(c, "name"), jfield(c, "issuer"), jfield(c, "date")], " — "));
    });
    s.list(&resume, "awards", "Awards", |s, a| {
        s.line(join_nonempty(&[jfield(a, "title"), jfield(a, "awarder"), jfield(a, "date")], " — "));
        s.line(jfield(a, "summary"));
    });
    s.list(&resume, "publications", "Publications", |s, p| {
        s.line(join_nonempty(&[jfield(p, "name"), jfield(p, "publisher"), jfield(p, "releaseDate")], " — "));
        s.line(jfield(p, "summary"));
    });
    s.list(&resume, "interests", "Interests", |s, i| {
        let keywords = jstrings(i, "keywords");
        let kw = (!keywords.is_empty()).then(|| keywords.join(", "));
        s.line(join_nonempty(&[jfield(i, "name"), kw], ": "));
    });
    Ok(s.out)
}

// ---------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------

mod pdf {
    use super::{find, CvReadError, ReadLimits};
    use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};
    use std::cell::{Cell, RefCell};
    use std::collections::HashSet;
    use std::io::Read;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    /// Wall-clock bound for one PDF. On expiry the caller gets `Unreadable("pdf timeout")`;
    /// the worker thread cannot be killed and finishes (or not) on its own, holding one of
    /// the `MAX_WORKERS` slots until then.
    const TIMEOUT: Duration = Duration::from_secs(20);
    const MAX_WORKERS: usize = 8;
    const WORKER_STACK: usize = 64 << 20;

    /// Raw pre-scan: total bytes all stream candidates may inflate to, over up to
    /// `PRESCAN_LAYERS` nested filters.
    const PRESCAN_BUDGET: usize = 256 << 20;
    const PRESCAN_LAYERS: usize = 4;
    /// Exact per-stream check, mirroring lopdf's own decoding.
    const STREAM_CAP: usize = 64 << 20;
    const STREAMS_BUDGET: usize = 256 << 20;
    /// What a page may make pdf-extract interpret: content bytes (page and Form XObjects
    /// counted at each use), Form XObject nesting and `Do` count.
    const PAGE_CONTENT_BUDGET: usize = 16 << 20;
    const MAX_FORM_DEPTH: usize = 12;
    const MAX_DO_PER_PAGE: usize = 4096;
    const PAGE_TREE_DEPTH: usize = 64;

    static WORKERS: AtomicUsize = AtomicUsize::new(0);

    struct Slot;
    impl Drop for Slot {
        fn drop(&mut self) {
            WORKERS.fetch_sub(1, Ordering::SeqCst);
        }
    }

    pub(super) fn read(bytes: &[u8], limits: &ReadLimits) -> Result<(Vec<String>, bool), CvReadError> {
        let names = scan_names(bytes);
        if names.encrypt {
            return Err(CvReadError::Encrypted);
        }
        if WORKERS.fetch_add(1, Ordering::SeqCst) >= MAX_WORKERS {
            WORKERS.fetch_sub(1, Ordering::SeqCst);
            return Err(CvReadError::Unreadable("pdf reader busy"));
        }
        let slot = Slot;
        let data: Arc<[u8]> = Arc::from(bytes);
        let limits = *limits;
        let (tx, rx) = mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new().name("cv-pdf".into()).stack_size(WORKER_STACK).spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| extract(&data, &limits, names.lzw)))
                .unwrap_or(Err(CvReadError::Unreadable("damaged pdf")));
            // Free the slot before answering, so that a caller reading PDFs one after the
            // other never finds the slots taken by workers that are just exiting.
            drop(slot);
            let _ = tx.send(result);
        });
        if spawned.is_err() {
            return Err(CvReadError::Unreadable("pdf reader unavailable"));
        }
        match rx.recv_timeout(TIMEOUT) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(CvReadError::Unreadable("pdf timeout")),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(CvReadError::Unreadable("damaged pdf")),
        }
    }

    // --- lexical scan of names (with #xx escapes decoded, as lopdf does) -------------

    #[derive(Clone, Copy, Default)]
    struct Names {
        encrypt: bool,
        lzw: bool,
    }

    fn is_pdf_regular(c: u8) -> bool {
        !matches!(
            c,
            b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}'
                | b'/' | b'%'
        )
    }

    fn hex(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }

    fn scan_names(data: &[u8]) -> Names {
        let mut names = Names::default();
        let mut i = 0;
        while let Some(p) = data[i..].iter().position(|&c| c == b'/') {
            let mut j = i + p + 1;
            let mut name = [0u8; 12];
            let mut len = 0usize;
            while j < data.len() && is_pdf_regular(data[j]) {
                let mut c = data[j];
                j += 1;
                if c == b'#' && j + 1 < data.len() {
                    if let (Some(h), Some(l)) = (hex(data[j]), hex(data[j + 1])) {
                        c = h << 4 | l;
                        j += 2;
                    }
                }
                if len < name.len() {
                    name[len] = c;
                }
                len += 1;
            }
            match &name[..len.min(name.len())] {
                b"Encrypt" if len == 7 => names.encrypt = true,
                b"LZWDecode" if len == 9 => names.lzw = true,
                _ => {}
            }
            i = j.max(i + p + 1);
        }
        names
    }

    // --- bounded decoders ------------------------------------------------------------

    /// Decodes into a buffer of at most `cap` bytes; `Err(())` when `cap` is exceeded.
    /// Decoder errors keep the partial output, as lopdf does.
    fn read_capped(mut r: impl Read, cap: usize) -> Result<(Vec<u8>, bool), ()> {
        let mut out = Vec::new();
        let ok = (&mut r).take(cap as u64 + 1).read_to_end(&mut out).is_ok();
        if out.len() > cap {
            return Err(());
        }
        Ok((out, ok))
    }

    /// lopdf's FlateDecode: zlib, and raw deflate after the 2-byte header when zlib gave nothing.
    fn flate(input: &[u8], cap: usize) -> Result<Vec<u8>, ()> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let (out, ok) = read_capped(flate2::read::ZlibDecoder::new(input), cap)?;
        if !ok && out.is_empty() && input.len() > 2 {
            return Ok(read_capped(flate2::read::DeflateDecoder::new(&input[2..]), cap)?.0);
        }
        Ok(out)
    }

    struct CappedSink {
        buf: Vec<u8>,
        cap: usize,
        exceeded: bool,
    }
    impl std::io::Write for CappedSink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if self.buf.len() + b.len() > self.cap {
                self.exceeded = true;
                return Err(std::io::Error::other("cap"));
            }
            self.buf.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lzw(input: &[u8], early_change: bool, cap: usize) -> Result<Vec<u8>, ()> {
        use weezl::{decode::Decoder, BitOrder};
        let mut dec = if early_change {
            Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
        } else {
            Decoder::new(BitOrder::Msb, 8)
        };
        let mut sink = CappedSink { buf: Vec::new(), cap, exceeded: false };
        let _ = dec.into_stream(&mut sink).decode_all(input);
        if sink.exceeded {
            return Err(());
        }
        Ok(sink.buf)
    }

    fn ascii85(input: &[u8], cap: usize) -> Result<Vec<u8>, ()> {
        // Upper bound of lopdf's decoder: 'z' gives 4 bytes, five digits give 4 bytes.
        let bound = input.iter().map(|&c| if c == b'z' { 4 } else { 1 }).sum::<usize>();
        if bound > cap {
            return Err(());
        }
        let mut out = Vec::with_capacity(input.len());
        let (mut acc, mut n) = (0u64, 0);
        for &c in input {
            match c {
                b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
                b'!'..=b'u' => {
                    acc = acc * 85 + u64::from(c - b'!');
                    n += 1;
                    if n == 5 {
                        out.extend_from_slice(&(acc as u32).to_be_bytes());
                        acc = 0;
                        n = 0;
                    }
                }
                c if c.is_ascii_whitespace() => {}
                _ => break,
            }
        }
        Ok(out)
    }

    fn looks_ascii85(input: &[u8]) -> bool {
        let body: Vec<u8> = input.iter().copied().filter(|c| !c.is_ascii_whitespace()).take(64).collect();
        body.len() >= 5 && body.iter().all(|&c| (b'!'..=b'u').contains(&c) || c == b'z' || c == b'~')
    }

    // --- 1. raw pre-scan of every `stream` keyword, before lopdf sees the file ---------

    /// Streams lopdf decodes while loading (xref streams) are never seen by the load
    /// filter, so every `stream` keyword is probed here with all decoders lopdf has,
    /// over a few filter layers, against one global budget.
    fn prescan(data: &[u8], lzw_possible: bool) -> Result<(), CvReadError> {
        let mut budget = PRESCAN_BUDGET;
        let mut from = 0;
        while let Some(p) = find(&data[from..], b"stream") {
            let kw = from + p;
            from = kw + 6;
            if kw >= 3 && &data[kw - 3..kw] == b"end" {
                continue;
            }
            let mut j = kw + 6;
            while j < data.len() && matches!(data[j], b' ' | b'\t') {
                j += 1;
            }
            match data.get(j) {
                Some(b'\r') => {
                    j += 1;
                    if data.get(j) == Some(&b'\n') {
                        j += 1;
                    }
                }
                Some(b'\n') => j += 1,
                _ => continue,
            }
            probe(&data[j..], &mut budget, lzw_possible, PRESCAN_LAYERS)?;
        }
        Ok(())
    }

    fn probe(input: &[u8], budget: &mut usize, lzw_possible: bool, layers: usize) -> Result<(), CvReadError> {
        if layers == 0 || input.is_empty() {
            return Ok(());
        }
        let mut outputs: Vec<Vec<u8>> = Vec::new();
        let mut take = |r: Result<Vec<u8>, ()>, budget: &mut usize| -> Result<(), CvReadError> {
            let v = r.map_err(|_| CvReadError::TooLarge)?;
            *budget = budget.checked_sub(v.len()).ok_or(CvReadError::TooLarge)?;
            if !v.is_empty() {
                outputs.push(v);
            }
            Ok(())
        };
        take(flate(input, *budget), budget)?;
        if looks_ascii85(input) {
            take(ascii85(input, *budget), budget)?;
        }
        if lzw_possible {
            take(lzw(input, true, *budget), budget)?;
            take(lzw(input, false, *budget), budget)?;
        }
        for out in outputs {
            probe(&out, budget, lzw_possible, layers - 1)?;
        }
        Ok(())
    }

    // --- 2. exact check of every stream as lopdf will decode it ------------------------

    thread_local! {
        static STREAMS_LEFT: Cell<usize> = const { Cell::new(STREAMS_BUDGET) };
        static BOMB: Cell<bool> = const { Cell::new(false) };
        static CHECKED: RefCell<HashSet<ObjectId>> = RefCell::new(HashSet::new());
    }

    fn is_unread_payload(dict: &Dictionary) -> bool {
        let name = |k: &[u8]| dict.get(k).ok().and_then(|o| o.as_name().ok());
        name(b"Subtype") == Some(b"Image")
            || name(b"Type") == Some(b"EmbeddedFile")
            || name(b"Subtype") == Some(b"PS")
            || dict.get(b"Thumb").is_ok()
    }

    /// Size of what `Stream::decompressed_content` would produce, or `Err` past the caps.
    fn decoded_size(stream: &Stream) -> Result<usize, ()> {
        let filters = match stream.filters() {
            Ok(f) => f,
            Err(_) => return Ok(stream.content.len()),
        };
        let params = stream.dict.get(b"DecodeParms").and_then(Object::as_dict).ok();
        let early = params
            .and_then(|p| p.get(b"EarlyChange").ok())
            .and_then(|p| p.as_i64().ok())
            .map(|v| v != 0)
            .unwrap_or(true);
        let cap = STREAM_CAP.min(STREAMS_LEFT.with(Cell::get));
        let mut cur: std::borrow::Cow<[u8]> = std::borrow::Cow::Borrowed(&stream.content);
        for f in filters {
            let next = match f {
                b"FlateDecode" => flate(&cur, cap)?,
                b"LZWDecode" => lzw(&cur, early, cap)?,
                b"ASCII85Decode" => ascii85(&cur, cap)?,
                _ => return Ok(cur.len()), // lopdf stops (error) and callers use the raw bytes
            };
            cur = std::borrow::Cow::Owned(next);
        }
        Ok(cur.len())
    }

    fn neutralize(stream: &mut Stream) {
        stream.dict.remove(b"Filter");
        stream.dict.remove(b"DecodeParms");
        stream.set_content(Vec::new());
    }

    fn check_stream(id: ObjectId, stream: &mut Stream) {
        if is_unread_payload(&stream.dict) {
            neutralize(stream);
            return;
        }
        if stream.content.is_empty() {
            return; // content loaded later (indirect /Length): checked after loading
        }
        CHECKED.with(|c| c.borrow_mut().insert(id));
        match decoded_size(stream) {
            Ok(n) => STREAMS_LEFT.with(|l| l.set(l.get().saturating_sub(n))),
            Err(()) => {
                BOMB.with(|b| b.set(true));
                neutralize(stream);
            }
        }
    }

    /// lopdf load filter: runs on each top-level object before object streams are expanded.
    fn load_filter(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
        if let Object::Stream(stream) = obj {
            check_stream(id, stream);
            // For top-level objects lopdf keeps `obj` and ignores the returned value.
            return Some((id, Object::Null));
        }
        Some((id, obj.clone()))
    }

    // --- 3. pages --------------------------------------------------------------------

    fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
        match o {
            Object::Reference(r) => doc.get_object(*r).ok(),
            o => Some(o),
        }
    }

    fn number(o: &Object) -> Option<f64> {
        match o {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(f64::from(*r)).filter(|f| f.is_finite()),
            _ => None,
        }
    }

    /// First value of `key` up the /Parent chain accepted by `accept` (bounded, cycle-safe).
    fn inherited<T>(doc: &Document, page: ObjectId, key: &[u8], accept: impl Fn(&Object) -> Option<T>) -> Option<T> {
        let mut seen = HashSet::new();
        let mut id = page;
        for _ in 0..PAGE_TREE_DEPTH {
            if !seen.insert(id) {
                return None;
            }
            let dict = doc.get_object(id).ok()?.as_dict().ok()?;
            if let Some(v) = dict.get(key).ok().and_then(&accept) {
                return Some(v);
            }
            id = dict.get(b"Parent").ok()?.as_reference().ok()?;
        }
        None
    }

    /// Puts inherited /Resources and a valid /MediaBox on each page and removes /Parent,
    /// so that pdf-extract's recursive attribute lookup cannot loop.
    fn flatten_pages(doc: &mut Document, pages: &[ObjectId]) {
        for &id in pages {
            let resources = inherited(doc, id, b"Resources", |o| {
                deref(doc, o).filter(|d| d.as_dict().is_ok()).map(|_| o.clone())
            });
            let media_box = inherited(doc, id, b"MediaBox", |o| {
                let a = deref(doc, o)?.as_array().ok()?;
                let v: Vec<f64> = a.iter().filter_map(|x| deref(doc, x).and_then(number)).collect();
                (a.len() >= 4 && v.len() == a.len()).then(|| [v[0], v[1], v[2], v[3]])
            })
            .unwrap_or([0.0, 0.0, 612.0, 792.0]);
            if let Ok(Object::Dictionary(dict)) = doc.get_object_mut(id) {
                match resources {
                    Some(r) => dict.set("Resources", r),
                    None => {
                        dict.remove(b"Resources");
                    }
                }
                dict.set("MediaBox", media_box.iter().map(|&f| Object::Real(f as f32)).collect::<Vec<Object>>());
                dict.remove(b"Parent");
            }
        }
    }

    fn stream_contents(s: &Stream) -> Vec<u8> {
        // Same as pdf-extract's `get_contents`.
        if s.filters().is_ok() {
            s.decompressed_content().unwrap_or_else(|_| s.content.clone())
        } else {
            s.content.clone()
        }
    }

    struct PageBudget {
        bytes: usize,
        calls: usize,
    }

    /// Replays the `Do` recursion of pdf-extract's `process_stream` (same lookups) with
    /// bounds, so that the real walk cannot recurse forever or blow up.
    fn walk_forms(
        doc: &Document,
        content: &[u8],
        resources: Option<&Dictionary>,
        depth: usize,
        budget: &mut PageBudget,
    ) -> Result<(), ()> {
        budget.bytes = budget.bytes.checked_sub(content.len()).ok_or(())?;
        let ops = match pdf_extract::content::Content::decode(content) {
            Ok(c) => c.operations,
            Err(_) => return Ok(()),
        };
        for op in ops.iter().filter(|op| op.operator == "Do") {
            budget.calls = budget.calls.checked_sub(1).ok_or(())?;
            if depth >= MAX_FORM_DEPTH {
                return Err(());
            }
            let Some(res) = resources else { continue };
            let Some(xobjects) = res.get(b"XObject").ok().and_then(|o| deref(doc, o)).and_then(|o| o.as_dict().ok())
            else {
                continue;
            };
            let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else { continue };
            let Some(xf) = xobjects.get(name).ok().and_then(|o| deref(doc, o)).and_then(|o| o.as_stream().ok()) else {
                continue;
            };
            let inner = xf
                .dict
                .get(b"Resources")
                .ok()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok())
                .or(resources);
            let contents = stream_contents(xf);
            walk_forms(doc, &contents, inner, depth + 1, budget)?;
        }
        Ok(())
    }

    fn check_page(doc: &Document, page: ObjectId) -> Result<(), ()> {
        let dict = match doc.get_object(page).and_then(Object::as_dict) {
            Ok(d) => d,
            Err(_) => return Ok(()),
        };
        let resources = dict.get(b"Resources").ok().and_then(|o| deref(doc, o)).and_then(|o| o.as_dict().ok());
        let content = doc.get_page_content(page).map_err(|_| ())?;
        let mut budget = PageBudget { bytes: PAGE_CONTENT_BUDGET, calls: MAX_DO_PER_PAGE };
        walk_forms(doc, &content, resources, 0, &mut budget)
    }

    /// `fmt::Write` target for pdf-extract's plain-text output that refuses to grow past `cap`.
    struct CappedText<'a> {
        buf: &'a mut String,
        cap: usize,
        hit: &'a mut bool,
    }
    impl std::fmt::Write for CappedText<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if self.buf.len() + s.len() > self.cap {
                *self.hit = true;
                return Err(std::fmt::Error);
            }
            self.buf.push_str(s);
            Ok(())
        }
    }
    impl<'a> pdf_extract::ConvertToFmt for CappedText<'a> {
        type Writer = CappedText<'a>;
        fn convert(self) -> Self::Writer {
            self
        }
    }

    fn map_load_error(e: &pdf_extract::Error) -> CvReadError {
        match e {
            pdf_extract::Error::Decryption(_)
            | pdf_extract::Error::InvalidPassword
            | pdf_extract::Error::AlreadyEncrypted => CvReadError::Encrypted,
            _ => CvReadError::Unreadable("damaged pdf"),
        }
    }

    /// Loads the document with every stream measured (load filter, then a pass over the
    /// streams whose content lopdf read afterwards), images and attachments dropped.
    pub(super) fn load_checked(data: &[u8]) -> Result<Document, CvReadError> {
        STREAMS_LEFT.with(|l| l.set(STREAMS_BUDGET));
        BOMB.with(|b| b.set(false));
        CHECKED.with(|c| c.borrow_mut().clear());
        let options = pdf_extract::LoadOptions::with_filter(load_filter);
        let mut doc = Document::load_mem_with_options(data, options).map_err(|e| map_load_error(&e))?;
        if doc.trailer.get(b"Encrypt").is_ok() || doc.was_encrypted() {
            return Err(CvReadError::Encrypted);
        }
        check_loaded_streams(&mut doc)?;
        Ok(doc)
    }

    /// Checks the streams the load filter did not see (content read later by lopdf, e.g.
    /// with an indirect /Length), and reports any stream over the caps.
    pub(super) fn check_loaded_streams(doc: &mut Document) -> Result<(), CvReadError> {
        let checked = CHECKED.with(|c| std::mem::take(&mut *c.borrow_mut()));
        for (id, obj) in doc.objects.iter_mut() {
            if let Object::Stream(s) = obj {
                if !checked.contains(id) || is_unread_payload(&s.dict) {
                    check_stream(*id, s);
                }
            }
        }
        if BOMB.with(Cell::get) || STREAMS_LEFT.with(Cell::get) == 0 {
            return Err(CvReadError::TooLarge);
        }
        Ok(())
    }

    fn extract(data: &[u8], limits: &ReadLimits, lzw_possible: bool) -> Result<(Vec<String>, bool), CvReadError> {
        prescan(data, lzw_possible)?;
        let mut doc = load_checked(data)?;

        let mut page_ids: Vec<ObjectId> = doc.page_iter().take(limits.max_pages.saturating_add(1)).collect();
        if page_ids.is_empty() {
            return Err(CvReadError::Unreadable("pdf without pages"));
        }
        let mut truncated = false;
        if page_ids.len() > limits.max_pages {
            page_ids.truncate(limits.max_pages);
            truncated = true;
        }
        flatten_pages(&mut doc, &page_ids);
        for &id in &page_ids {
            check_page(&doc, id).map_err(|_| CvReadError::Unreadable("pdf too complex"))?;
        }

        // Raw text per page before normalisation: generous, but bounded.
        let page_cap = limits.max_text_chars.saturating_mul(8).saturating_add(64 * 1024);
        let mut pages = Vec::with_capacity(page_ids.len());
        let mut good = 0usize;
        for n in 1..=page_ids.len() {
            let mut text = String::new();
            let mut hit = false;
            let result = catch_unwind(AssertUnwindSafe(|| {
                let mut out = pdf_extract::PlainTextOutput::new(CappedText { buf: &mut text, cap: page_cap, hit: &mut hit });
                pdf_extract::output_doc_page(&doc, &mut out, n as u32)
            }));
            match result {
                Ok(Ok(())) => good += 1,
                Ok(Err(_)) if hit => {
                    good += 1;
                    truncated = true;
                }
                _ => {}
            }
            pages.push(text);
        }
        if good == 0 && pages.iter().all(|p| p.trim().is_empty()) {
            return Err(CvReadError::Unreadable("damaged pdf"));
        }
        Ok((pages, truncated))
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{}", env!("CARGO_MANIFEST_DIR"), name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(bytes: &[u8]) -> Result<CvText, CvReadError> {
        read_cv(bytes, &ReadLimits::default())
    }

    // --- tiny zip writer for hand-made archives (stored or pre-deflated entries) -----

    fn crc32(data: &[u8]) -> u32 {
        let mut table = [0u32; 256];
        for (i, t) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *t = c;
        }
        let mut crc = !0u32;
        for &b in data {
            crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
        }
        !crc
    }

    /// (name, method 0|8, data as stored, crc, declared uncompressed size)
    struct Entry<'a> {
        name: &'a str,
        method: u16,
        data: &'a [u8],
        crc: u32,
        size: u32,
    }

    fn stored<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
        Entry { name, method: 0, data, crc: crc32(data), size: data.len() as u32 }
    }

    fn build_zip(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for e in entries {
            let offset = out.len() as u32;
            let mut local = Vec::new();
            local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            local.extend_from_slice(&20u16.to_le_bytes());
            local.extend_from_slice(&0u16.to_le_bytes());
            local.extend_from_slice(&e.method.to_le_bytes());
            local.extend_from_slice(&0u16.to_le_bytes());
            local.extend_from_slice(&0x21u16.to_le_bytes());
            local.extend_from_slice(&e.crc.to_le_bytes());
            local.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            local.extend_from_slice(&e.size.to_le_bytes());
            local.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            local.extend_from_slice(&0u16.to_le_bytes());
            local.extend_from_slice(e.name.as_bytes());
            out.extend_from_slice(&local);
            out.extend_from_slice(e.data);

            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&local[4..30]);
            central.extend_from_slice(&0u16.to_le_bytes()); // comment
            central.extend_from_slice(&0u16.to_le_bytes()); // disk
            central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
            central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(e.name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    /// Raw deflate stream (fixed Huffman) expanding to `prefix` followed by `unit`
    /// repeated until about `total` bytes, built directly so the test stays fast.
    fn deflate_bomb(prefix: &[u8], unit: &[u8], total: usize) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u64,
            n: u32,
        }
        impl Bits {
            fn put(&mut self, value: u32, bits: u32) {
                self.acc |= (value as u64) << self.n;
                self.n += bits;
                while self.n >= 8 {
                    self.out.push(self.acc as u8);
                    self.acc >>= 8;
                    self.n -= 8;
                }
            }
            fn huff(&mut self, code: u32, bits: u32) {
                let mut rev = 0;
                for i in 0..bits {
                    rev |= ((code >> i) & 1) << (bits - 1 - i);
                }
                self.put(rev, bits);
            }
            fn lit(&mut self, sym: u32) {
                match sym {
                    0..=143 => self.huff(0x30 + sym, 8),
                    144..=255 => self.huff(0x190 + sym - 144, 9),
                    256..=279 => self.huff(sym - 256, 7),
                    _ => self.huff(0xC0 + sym - 280, 8),
                }
            }
        }
        const DIST_BASE: [u32; 30] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
            4097, 6145, 8193, 12289, 16385, 24577,
        ];
        let mut b = Bits { out: Vec::new(), acc: 0, n: 0 };
        b.put(1, 1); // BFINAL
        b.put(1, 2); // fixed Huffman
        for &c in prefix.iter().chain(unit) {
            b.lit(c as u32);
        }
        let d = unit.len() as u32;
        let code = DIST_BASE.iter().rposition(|&base| base <= d).unwrap() as u32;
        let extra_bits = if code < 4 { 0 } else { code / 2 - 1 };
        let mut produced = prefix.len() + unit.len();
        while produced + 258 <= total {
            b.lit(285); // length 258
            b.huff(code, 5);
            b.put(d - DIST_BASE[code as usize], extra_bits);
            produced += 258;
        }
        b.lit(256);
        b.put(0, 7);
        b.out
    }

    const DOC_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#;
    const DOC_END: &str = "</w:body></w:document>";

    fn docx_with(document_xml: &str) -> Vec<u8> {
        build_zip(&[
            stored("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>"),
            stored("word/document.xml", document_xml.as_bytes()),
        ])
    }

    // --- sniffing ------------------------------------------------------------------

    #[test]
    fn sniff_fixtures() {
        assert_eq!(sniff(&fixture("cv.pdf")), Some(CvFormat::Pdf));
        assert_eq!(sniff(&fixture("cv.docx")), Some(CvFormat::Docx));
        assert_eq!(sniff(&fixture("cv.html")), Some(CvFormat::Html));
        assert_eq!(sniff(&fixture("cv.resume.json")), Some(CvFormat::JsonResume));
    }

    #[test]
    fn sniff_refuses_non_cv() {
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
        exe.extend_from_slice(&[0u8; 48]);
        exe.extend_from_slice(b"This program cannot be run in DOS mode.\r\r\n$");
        exe.extend_from_slice(b"PE\0\0");
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde";
        let plain_zip = build_zip(&[stored("readme.txt", b"hello")]);
        for (what, bytes) in [
            ("exe", &exe[..]),
            ("png", &png[..]),
            ("zip", &plain_zip[..]),
            ("empty", b""),
            ("text", b"Curriculum vitae\nRust"),
            ("json array", br#"[{"basics": {}}]"#),
            ("json other", br#"{"name": "x"}"#),
            ("json trailing", br#"{"basics": {}} garbage"#),
            ("xml", b"<?xml version=\"1.0\"?><note/>"),
            ("htmlish", b"<htmlfoo>"),
        ] {
            assert_eq!(sniff(bytes), None, "{what}");
            assert_eq!(read(bytes), Err(CvReadError::Unreadable("unrecognised format")), "{what}");
        }
    }

    #[test]
    fn sniff_variants() {
        assert_eq!(sniff(b"\xEF\xBB\xBF \n<!DOCTYPE html><p>x"), Some(CvFormat::Html));
        assert_eq!(sniff(b"<HTML lang=fr>"), Some(CvFormat::Html));
        assert_eq!(sniff(b"  <body>hi</body>"), Some(CvFormat::Html));
        assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<!-- x --><html xmlns=\"http://www.w3.org/1999/xhtml\">"), Some(CvFormat::Html));
        assert_eq!(sniff(b"\xEF\xBB\xBF{\"work\": []}"), Some(CvFormat::JsonResume));
        assert_eq!(sniff(b"{\"meta\": 1, \"basics\": {\"name\": \"A\"}}"), Some(CvFormat::JsonResume));
        let mut junk = vec![b' '; 1000];
        junk.extend_from_slice(b"%PDF-1.7");
        assert_eq!(sniff(&junk), Some(CvFormat::Pdf));
        let mut far = vec![b' '; 1020];
        far.extend_from_slice(b"%PDF-1.7");
        assert_eq!(sniff(&far), None);
        // Bytes before the marker that make the file something else: not a PDF.
        assert_eq!(sniff(b"<html><body>%PDF-1.7 <script>x</script>"), Some(CvFormat::Html));
        assert_eq!(sniff(b"#!/bin/sh\n%PDF-1.7"), None);
    }

    // --- PDF -------------------------------------------------------------------------

    #[test]
    fn pdf_two_pages_with_accents() {
        let cv = read(&fixture("cv.pdf")).expect("pdf reads");
        assert_eq!(cv.format, CvFormat::Pdf);
        assert_eq!(cv.pages.len(), 2, "{:?}", cv.pages);
        assert!(!cv.truncated);
        let (p1, p2) = (&cv.pages[0], &cv.pages[1]);
        for w in ["Élodie Lefèvre", "Développeuse backend Rust", "Expérience professionnelle", "PostgreSQL", "Société"] {
            assert!(p1.contains(w), "page 1 lacks {w:?}: {p1}");
        }
        for w in ["Compétences", "Rust", "PostgreSQL", "École Centrale", "Français", "débutant"] {
            assert!(p2.contains(w), "page 2 lacks {w:?}: {p2}");
        }
        assert!(!p1.contains("Compétences"));
        assert!(!p2.contains("Expérience professionnelle"));
        assert!(!p1.contains("  "), "spaces collapsed");
        let full = cv.full_text();
        assert!(full.contains("Lefèvre") && full.contains("débutant"));
    }

    #[test]
    fn pdf_max_pages_and_text_cap() {
        let bytes = fixture("cv.pdf");
        let one = read_cv(&bytes, &ReadLimits { max_pages: 1, ..ReadLimits::default() }).unwrap();
        assert_eq!(one.pages.len(), 1);
        assert!(one.truncated);
        assert!(one.pages[0].contains("Élodie"));

        let short = read_cv(&bytes, &ReadLimits { max_text_chars: 40, ..ReadLimits::default() }).unwrap();
        assert!(short.truncated);
        assert_eq!(short.pages.len(), 1);
        assert!(short.full_text().chars().count() <= 40);
        assert!(short.pages[0].starts_with("Élodie Lefèvre"));
    }

    #[test]
    fn pdf_encrypted() {
        assert_eq!(read(&fixture("cv_encrypted.pdf")), Err(CvReadError::Encrypted));
        // Encrypted with an empty user password (owner password only): still refused.
        assert_eq!(read(&fixture("cv_owner_only.pdf")), Err(CvReadError::Encrypted));
    }

    #[test]
    fn pdf_damaged_inputs_are_unreadable() {
        let bytes = fixture("cv.pdf");
        for cut in [bytes.len() / 2, bytes.len() / 3, 2000, 9] {
            let r = read(&bytes[..cut]);
            assert_eq!(r, Err(CvReadError::Unreadable("damaged pdf")), "cut at {cut}");
        }
        let mut rng = Rng(0x1234_5678);
        for len in [0usize, 10, 1000, 100_000] {
            let mut junk = b"%PDF-".to_vec();
            junk.extend((0..len).map(|_| rng.next() as u8));
            assert!(matches!(read(&junk), Err(CvReadError::Unreadable(_))), "len {len}");
        }
        let mut lying = b"%PDF-1.4\n".to_vec();
        lying.extend_from_slice(b"trailer\n<< /Root 1 0 R /Size 999999999 >>\nstartxref\n999999\n%%EOF\n");
        assert!(matches!(read(&lying), Err(CvReadError::Unreadable(_))));
    }

    /// Builds a small PDF (uncompressed, classic xref) from object bodies 1..=n.
    fn make_pdf(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
                .as_bytes(),
        );
        out
    }

    fn stream_obj(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        v.extend_from_slice(data);
        v.extend_from_slice(b"\nendstream");
        v
    }

    fn simple_pdf(content: &[u8], resources: &str, extra: &[Vec<u8>]) -> Vec<u8> {
        let mut objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources {resources} >>").into_bytes(),
            stream_obj("", content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        ];
        objs.extend_from_slice(extra);
        make_pdf(&objs, "")
    }

    #[test]
    fn pdf_handmade_winansi() {
        let pdf = simple_pdf(
            b"BT /F1 12 Tf 72 700 Td (D\xe9veloppeuse Rust) Tj 0 -20 Td (Comp\xe9tences : PostgreSQL) Tj ET",
            "<< /Font << /F1 5 0 R >> >>",
            &[],
        );
        let cv = read(&pdf).expect("reads");
        assert_eq!(cv.pages.len(), 1);
        assert!(cv.pages[0].contains("Développeuse Rust"), "{:?}", cv.pages);
        assert!(cv.pages[0].contains("Compétences : PostgreSQL"), "{:?}", cv.pages);
    }

    #[test]
    fn pdf_self_referencing_form_is_refused_not_overflowing() {
        // Form XObject 6 draws itself: pdf-extract alone would recurse until the stack overflows.
        let form = stream_obj(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X 6 0 R >> /Font << /F1 5 0 R >> >>",
            b"BT /F1 12 Tf (loop) Tj ET /X Do",
        );
        let pdf = simple_pdf(b"/X Do", "<< /XObject << /X 6 0 R >> /Font << /F1 5 0 R >> >>", &[form]);
        assert_eq!(read(&pdf), Err(CvReadError::Unreadable("pdf too complex")));
    }

    #[test]
    fn pdf_form_fanout_is_refused() {
        // Each form draws the next one 16 times: 16^6 draws.
        let mut extra = Vec::new();
        for level in 0..6 {
            let next = 6 + level + 1;
            let body: Vec<u8> = if level == 5 {
                b"BT /F1 12 Tf (leaf) Tj ET".to_vec()
            } else {
                b"/N Do ".repeat(16)
            };
            extra.push(stream_obj(
                &format!("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /N {next} 0 R >> /Font << /F1 5 0 R >> >>"),
                &body,
            ));
        }
        let pdf = simple_pdf(&b"/N Do ".repeat(16), "<< /XObject << /N 6 0 R >> >>", &extra);
        assert_eq!(read(&pdf), Err(CvReadError::Unreadable("pdf too complex")));
    }

    #[test]
    fn pdf_parent_cycle_does_not_recurse() {
        // Page 3 has no MediaBox and a /Parent cycle (3 -> 6 -> 3): pdf-extract's inherited
        // attribute lookup would recurse until the stack overflows (an abort, not a panic).
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 6 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
            stream_obj("", b"BT /F1 12 Tf 72 700 Td (Cycle) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            b"<< /Type /Pages /Parent 3 0 R >>".to_vec(),
        ];
        let cv = read(&make_pdf(&objs, "")).expect("reads");
        assert_eq!(cv.pages, vec!["Cycle".to_string()]);
    }

    #[test]
    fn pdf_flate_bomb_is_refused() {
        // 300 MB of spaces in one content stream (zlib-wrapped raw deflate).
        let mut z = vec![0x78, 0x01];
        z.extend_from_slice(&deflate_bomb(b"BT (a) Tj ET", b" ", 300 << 20));
        z.extend_from_slice(&[0, 0, 0, 0]); // bad adler: lopdf keeps the output anyway
        let pdf_bomb = {
            let mut objs = vec![
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>".to_vec(),
                b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>".to_vec(),
            ];
            objs.push(stream_obj("/Filter /FlateDecode", &z));
            make_pdf(&objs, "")
        };
        let t = Instant::now();
        assert_eq!(read(&pdf_bomb), Err(CvReadError::TooLarge));
        assert!(t.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn pdf_bomb_behind_ascii85_flate_chain() {
        // Inner: 300 MB, deflated; outer: deflate of that again, inside ASCII85.
        let inner = {
            let mut z = vec![0x78, 0x01];
            z.extend_from_slice(&deflate_bomb(b"", b"0 ", 300 << 20));
            z
        };
        let mut a85 = Vec::new();
        for chunk in inner.chunks(4) {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            let mut v = u32::from_be_bytes(w) as u64;
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = (v % 85) as u8 + b'!';
                v /= 85;
            }
            a85.extend_from_slice(&digits[..chunk.len() + 1]);
        }
        a85.extend_from_slice(b"~>");
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>".to_vec(),
            stream_obj("/Filter [/ASCII85Decode /FlateDecode]", &a85),
        ];
        assert_eq!(read(&make_pdf(&objs, "")), Err(CvReadError::TooLarge));
    }

    #[test]
    fn pdf_object_stream_bomb_is_caught_by_the_load_filter() {
        // Object stream (expanded by lopdf while loading) whose content inflates to 300 MB.
        // Checked without the raw pre-scan, to exercise the load filter on its own.
        let mut z = vec![0x78, 0x01];
        z.extend_from_slice(&deflate_bomb(b"4 0 ", b"<< >> ", 300 << 20));
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R >>".to_vec(),
            stream_obj("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &z),
        ];
        let pdf = make_pdf(&objs, "");
        assert!(matches!(pdf::load_checked(&pdf), Err(CvReadError::TooLarge)));
        assert_eq!(read(&pdf), Err(CvReadError::TooLarge));
    }

    #[test]
    fn pdf_late_loaded_stream_bomb_is_caught() {
        // A stream lopdf would only fill after the load filter ran (as with an indirect
        // /Length that resolves late): the post-load pass measures it.
        let mut doc = pdf_extract::Document::with_version("1.5");
        let mut z = vec![0x78, 0x01];
        z.extend_from_slice(&deflate_bomb(b"", b"q Q ", 100 << 20));
        let mut dict = pdf_extract::Dictionary::new();
        dict.set("Filter", pdf_extract::Object::Name(b"FlateDecode".to_vec()));
        doc.add_object(pdf_extract::Stream::new(dict, z));
        assert_eq!(pdf::check_loaded_streams(&mut doc), Err(CvReadError::TooLarge));
    }

    #[test]
    fn pdf_workers_are_released() {
        // Sequential reads never find the worker slots taken by their predecessors.
        let bytes = fixture("cv.pdf");
        for _ in 0..3 * 8 {
            assert!(read(&bytes).is_ok());
        }
    }

    // --- DOCX ------------------------------------------------------------------------

    #[test]
    fn docx_fixture() {
        let cv = read(&fixture("cv.docx")).expect("docx reads");
        assert_eq!(cv.format, CvFormat::Docx);
        assert_eq!(cv.pages.len(), 1);
        let t = &cv.pages[0];
        for w in [
            "Hélène Dubois",
            "Développeuse full-stack Rust & TypeScript",
            "Expérience",
            "Compétences",
            "PostgreSQL",
            "Bases de données\tPostgreSQL, Redis",
            "Téléphone :\t+33 6 12 34 56 78\nVille :\tBordeaux",
            "Curriculum vitæ",
            "Pied de page",
        ] {
            assert!(t.contains(w), "lacks {w:?}: {t}");
        }
        assert!(t.starts_with("Curriculum vitæ"), "header first: {t}");
        assert!(t.ends_with("hélène@example.org"), "footer last: {t}");
    }

    #[test]
    fn docx_markup() {
        let xml = format!(
            "{DOC_START}<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>\
             <w:r><w:t xml:space=\"preserve\">Nom :  </w:t></w:r><w:r><w:tab/><w:t>Zo&amp;&#233;</w:t></w:r></w:p>\
             <w:p><w:r><w:t>ligne 1</w:t><w:br/><w:t><![CDATA[ligne 2]]></w:t></w:r></w:p>\
             <w:p><w:del><w:r><w:delText>supprimé</w:delText></w:r></w:del><w:r><w:t>gardé</w:t></w:r></w:p>\
             <w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>boîte</w:t></w:r></w:p></w:txbxContent></mc:Choice>\
             <mc:Fallback><w:txbxContent><w:p><w:r><w:t>boîte</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>\
             <w:p/><w:p/><w:p/><w:p><w:r><w:t>fin</w:t></w:r></w:p>{DOC_END}"
        );
        let cv = read(&docx_with(&xml)).unwrap();
        assert_eq!(cv.pages[0], "Nom :\tZo&é\nligne 1\nligne 2\ngardé\nboîte\n\nfin");
    }

    #[test]
    fn docx_zip_bomb_is_cut() {
        // 100 MB document.xml of repeated paragraphs, deflated to ~0.6 MB (built in memory).
        let unit = b"<w:p><w:r><w:t>bombe</w:t></w:r></w:p>";
        let data = deflate_bomb(DOC_START.as_bytes(), unit, 100 << 20);
        assert!(data.len() < 1 << 20);
        for declared in [100u32 << 20, 1000] {
            // Honest size, then a lying (tiny) declared size.
            let zip = build_zip(&[Entry { name: "word/document.xml", method: 8, data: &data, crc: 0, size: declared }]);
            assert_eq!(sniff(&zip), Some(CvFormat::Docx));
            let t = Instant::now();
            assert_eq!(read(&zip), Err(CvReadError::TooLarge));
            let small = ReadLimits { max_zip_entry_bytes: 64 * 1024, ..ReadLimits::default() };
            assert_eq!(read_cv(&zip, &small), Err(CvReadError::TooLarge));
            assert!(t.elapsed() < Duration::from_secs(30));
        }
    }

    #[test]
    fn docx_damaged() {
        let bytes = fixture("cv.docx");
        let r = read(&bytes[..bytes.len() / 2]);
        assert!(matches!(r, Err(CvReadError::Unreadable(_))), "{r:?}");
        let bad_xml = docx_with(&format!("{DOC_START}<w:p><w:r><w:t>a</w:t></w:r></w:p><w:p a=\"{DOC_END}"));
        assert!(matches!(read(&bad_xml), Err(CvReadError::Unreadable(_))));
        // ZipCrypto flag set on the entry.
        let mut enc = docx_with(&format!("{DOC_START}<w:p><w:r><w:t>secret</w:t></w:r></w:p>{DOC_END}"));
        let lfh = find(&enc, b"word/document.xml").unwrap() - 30;
        enc[lfh + 6] |= 1;
        let cdh = find(&enc, b"PK\x01\x02").unwrap();
        let cdh = cdh + find(&enc[cdh..], b"word/document.xml").unwrap() - 46;
        enc[cdh + 8] |= 1;
        assert_eq!(read(&enc), Err(CvReadError::Encrypted));
    }

    // --- HTML ------------------------------------------------------------------------

    #[test]
    fn html_fixture() {
        let cv = read(&fixture("cv.html")).expect("html reads");
        assert_eq!(cv.format, CvFormat::Html);
        let t = &cv.pages[0];
        for w in [
            "Amélie Garçon",
            "Développeuse Rust & Go — Nantes",
            "Expérience",
            "2022–2024 : Ingénieure chez OuestData <SAS>",
            "Développeuse backend, API en PostgreSQL",
            "Compétences",
            "Langages\tRust, Go, SQL",
            "Docker\nKubernetes",
            "Dernière mise à jour : 2024",
            "SVG text",
        ] {
            assert!(t.contains(w), "lacks {w:?}: {t}");
        }
        for leak in ["LEAK", "console.log", "font-family", "document.write", "CV —"] {
            assert!(!t.contains(leak), "contains {leak:?}: {t}");
        }
    }

    #[test]
    fn html_edge_cases() {
        let deep = format!("<html><body>{}fond{}</body></html>", "<div>".repeat(200_000), "</div>".repeat(200_000));
        let cv = read(deep.as_bytes()).unwrap();
        assert_eq!(cv.pages[0], "fond");
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Comp\xe9tences</p><pre>a\n  b</pre></body></html>";
        assert_eq!(read(latin1).unwrap().pages[0], "Compétences\na\nb");
        let unclosed = b"<!doctype html><body><p>Rust<script>alert('LEAK')";
        assert_eq!(read(unclosed).unwrap().pages[0], "Rust");
    }

    // --- JSON Resume -------------------------------------------------------------------

    #[test]
    fn json_resume_fixture() {
        let cv = read(&fixture("cv.resume.json")).expect("json reads");
        assert_eq!(cv.format, CvFormat::JsonResume);
        let t = &cv.pages[0];
        for w in [
            "Léa Rousseau\nDéveloppeuse Rust senior\nParis, Île-de-France, FR",
            "Dix ans d'expérience en systèmes distribués.\nPassionnée par la fiabilité.",
            "Work\nIngénieure principale — Société Exemple (2019-03 – 2024-06)",
            "- Migration vers PostgreSQL 16",
            "- 42",
            "Développeuse — Startup Étoile (2015-09 –)\n- not-an-array",
            "Master, Informatique — Université de Bordeaux (2010 – 2015)",
            "Compétences backend (Expert): Rust, PostgreSQL, Kafka",
            "Front: TypeScript",
            "bare-string-skill",
            "Languages\nFrançais: Langue maternelle\n\nAnglais: Courant",
            "hirecast-cli (2023 –)\nOutil de tri de CV\n- Écrit en Rust",
            "Certified Kubernetes Administrator — CNCF — 2021-11",
            "Organisatrice — Rust Paris",
            "Escalade: bloc",
        ] {
            assert!(t.contains(w), "lacks {w:?}:\n{t}");
        }
        for absent in ["learousseau", "Jean Dupont", "deep", "v1.0.0", "75002"] {
            assert!(!t.contains(absent), "contains {absent:?}:\n{t}");
        }
    }

    #[test]
    fn json_resume_wrong_types_and_depth() {
        let odd = br#"{"basics": "nope", "work": {"position": "Seule", "name": 7, "highlights": [[1], {"a": 1}, "ok"]}, "skills": 3, "languages": [null, 5, {"language": ["x"], "fluency": "C1"}]}"#;
        let t = read(odd).unwrap().pages[0].clone();
        assert_eq!(t, "Work\nSeule — 7\n- ok\n\nLanguages\nC1");
        let deep = format!("{{\"work\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(read(deep.as_bytes()), Err(CvReadError::Unreadable("invalid json")));
        assert_eq!(read(br#"{"basics": {"name": "A"}, "x": [1,]}"#), Err(CvReadError::Unreadable("unrecognised format")));
    }

    // --- limits & normalisation ---------------------------------------------------

    #[test]
    fn input_size_limit() {
        let limits = ReadLimits { max_input_bytes: 100, ..ReadLimits::default() };
        assert_eq!(read_cv(&[b' '; 101], &limits), Err(CvReadError::TooLarge));
        assert_eq!(read_cv(&fixture("cv.pdf"), &limits), Err(CvReadError::TooLarge));
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize("  a  \t b \r\n\r\n\r\n\n c\u{a0}\u{a0}d \u{feff}e\u{0}  \n"), "a\tb\n\nc d e");
        assert_eq!(normalize("\n\n x \n y"), "x\ny");
        assert_eq!(normalize("a\rb"), "a\nb");
        let (pages, cut) = normalize_and_cap(vec!["héhé".into(), "second".into()], 3);
        assert_eq!(pages, vec!["héh".to_string()]);
        assert!(cut);
        let (pages, cut) = normalize_and_cap(vec!["ab".into(), "".into(), "cd".into()], 4);
        assert_eq!(pages, vec!["ab".to_string(), "".into(), "cd".into()]);
        assert!(!cut);
        let (pages, cut) = normalize_and_cap(vec!["abc".into(), "d".into()], 3);
        assert_eq!(pages, vec!["abc".to_string()]);
        assert!(cut);
    }

    #[test]
    fn errors_are_short() {
        assert_eq!(CvReadError::Unreadable("damaged pdf").to_string(), "unreadable CV: damaged pdf");
        assert_eq!(CvReadError::TooLarge.to_string(), "the CV is too large");
    }

    // --- smoke fuzz ----------------------------------------------------------------------

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                (self.next() % n as u64) as usize
            }
        }
    }

    fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
        let mut v = input.to_vec();
        for _ in 0..1 + rng.below(8) {
            let len = v.len();
            match rng.below(9) {
                0 if len > 0 => {
                    let i = rng.below(len);
                    v[i] ^= 1 << rng.below(8);
                }
                1 if len > 0 => {
                    let i = rng.below(len);
                    v[i] = rng.next() as u8;
                }
                2 => {
                    let i = rng.below(len + 1);
                    let n = 1 + rng.below(16);
                    let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                    v.splice(i..i, bytes);
                }
                3 if len > 0 => {
                    let i = rng.below(len);
                    let n = 1 + rng.below((len - i).min(512));
                    v.drain(i..i + n);
                }
                4 if len > 0 => {
                    let i = rng.below(len);
                    let n = 1 + rng.below((len - i).min(256));
                    let chunk = v[i..i + n].to_vec();
                    let at = rng.below(len + 1);
                    v.splice(at..at, chunk);
                }
                5 if len > 0 => v.truncate(rng.below(len)),
                6 => {
                    let o = &others[rng.below(others.len())];
                    if !o.is_empty() {
                        let i = rng.below(o.len());
                        let n = 1 + rng.below((o.len() - i).min(256));
                        let at = rng.below(len + 1);
                        v.splice(at..at, o[i..i + n].iter().copied());
                    }
                }
                7 => {
                    // Interesting tokens.
                    const TOKENS: &[&[u8]] = &[
                        b"<<", b">>", b" 0 R", b"/Filter /FlateDecode", b"stream\n", b"endstream", b"/Parent 3 0 R",
                        b"/XObject", b" Do ", b"/Encrypt", b"<w:p>", b"</w:t>", b"&amp;", b"<script>", b"\"work\":",
                        b"[", b"]", b"{", b"}", b"99999999", b"-1", b"(", b")", b"\\", b"%", b"#",
                    ];
                    let t = TOKENS[rng.below(TOKENS.len())];
                    let at = rng.below(len + 1);
                    v.splice(at..at, t.iter().copied());
                }
                _ if len > 1 => {
                    let i = rng.below(len);
                    let j = rng.below(len);
                    v.swap(i, j);
                }
                _ => {}
            }
        }
        v
    }

    fn docx_document_xml(bytes: &[u8]) -> String {
        let mut a = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        a.by_name(DOCX_MAIN).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// `cargo test --release -- --ignored fuzz_smoke --nocapture`
    /// (env: FUZZ_ITERS, default 20000; FUZZ_SECS, default 60; FUZZ_SEED).
    #[test]
    #[ignore]
    fn fuzz_smoke() {
        let iters: usize = std::env::var("FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
        let secs: u64 = std::env::var("FUZZ_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
        let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x9E37_79B9_7F4A_7C15);
        let docx = fixture("cv.docx");
        let xml = docx_document_xml(&docx);
        let seeds: Vec<Vec<u8>> = vec![
            fixture("cv.pdf"),
            fixture("cv_uncompressed.pdf"),
            docx,
            fixture("cv.html"),
            fixture("cv.resume.json"),
            fixture("cv_encrypted.pdf"),
            simple_pdf(
                b"q 1 0 0 1 0 0 cm BT /F1 12 Tf 72 700 Td (Comp\xe9tences) Tj ET Q /X Do",
                "<< /Font << /F1 5 0 R >> /XObject << /X 6 0 R >> >>",
                &[stream_obj("/Type /XObject /Subtype /Form /BBox [0 0 1 1]", b"BT /F1 9 Tf (Rust) Tj ET")],
            ),
        ];
        let limits = ReadLimits::default();
        let start = Instant::now();
        let mut rng = Rng(seed | 1);
        let (mut ok, mut err, mut slowest, mut n) = (0usize, std::collections::BTreeMap::new(), Duration::ZERO, 0usize);
        while n < iters && start.elapsed() < Duration::from_secs(secs) {
            let pick = rng.below(seeds.len() + 1);
            let input = if pick == seeds.len() {
                // Structure-aware: mutate document.xml and re-zip it (stored).
                let m = mutate(&mut rng, xml.as_bytes(), &seeds);
                build_zip(&[stored("word/document.xml", &m)])
            } else {
                mutate(&mut rng, &seeds[pick], &seeds)
            };
            let t = Instant::now();
            let r = std::panic::catch_unwind(|| read_cv(&input, &limits));
            let dt = t.elapsed();
            slowest = slowest.max(dt);
            match r {
                Err(_) => panic!("panic escaped read_cv (iteration {n}, seed {seed})"),
                Ok(Ok(cv)) => {
                    assert!(cv.full_text().chars().count() <= limits.max_text_chars + 2 * cv.pages.len());
                    ok += 1
                }
                Ok(Err(e)) => *err.entry(e.to_string()).or_insert(0usize) += 1,
            }
            n += 1;
        }
        eprintln!("fuzz_smoke: {n} inputs in {:?}, ok {ok}, slowest {slowest:?}, errors {err:#?}", start.elapsed());
        assert!(!err.contains_key("unreadable CV: pdf reader busy"), "PDF workers leaked (timeouts)");
    }
}
