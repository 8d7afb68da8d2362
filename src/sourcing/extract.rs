//! Extraction of everything a recruiter needs from a candidate's reply or
//! public profile text (French or English, emoji, any Unicode).
//!
//! One call, [`extract`] (or [`extract_into`] to reuse the buffers), returns
//! the URLs, CV links, e-mails, phone numbers (E.164), hashtags, mentions,
//! spoken languages, years of experience and stated location.
//!
//! # Agreement with twitter-text
//!
//! URLs, hashtags and mentions are found by a hand-written port of the
//! scanner of the `twitter-text` crate (0.3, its default `Nom` backend),
//! including its TLD list, its trailing-punctuation and parenthesis rules,
//! its protocol-less URL rules and its known quirks (for instance it reports
//! `ello.fr` for `hello.fr`, because a word starting with `h` is only tried
//! as `http://…`). What is reported is exactly what twitter-text's
//! `Extractor::extract` reports when it is asked for URLs *with and without*
//! protocol, hashtags, usernames, lists and federated (`@user@domain`)
//! mentions. Note that twitter-text's own `extract_entities_with_indices`
//! silently drops protocol-less URLs and federated mentions; the entities it
//! does report are exactly ours restricted to URLs with a scheme, hashtags,
//! and plain/list mentions (both facts are checked by the tests). Spans are
//! UTF-8 byte offsets (twitter-text reports UTF-16 code units).
//!
//! The port keeps twitter-text's results but not its cost: words containing
//! none of `. @ # $ ＠ ＃` cannot hold an entity and are skipped by a byte
//! pre-scan, and the per-position retries twitter-text performs inside a
//! word are memoised, so the scan is linear in the input size.
//!
//! # CV links
//!
//! See [`classify_cv_link`]. The CV link URL is normalised as the `url` crate
//! serialises it (scheme and host lower-cased, default port dropped, `/` for
//! an empty path, non-ASCII path bytes percent-encoded, IDN hosts in
//! punycode, `https://` added to protocol-less URLs); simple ASCII URLs are
//! serialised by hand (a test checks it matches `url::Url`), others go
//! through `url::Url`. Where twitter-text's `h` quirk cut the first letter
//! of a protocol-less URL (`hirecast.fr` reported as `irecast.fr` in
//! [`Extracted::urls`]), the CV link is built from the repaired text.
//!
//! # Cost
//!
//! A reply is first summarised by one branch-free byte pass; each extractor
//! only runs when its trigger bytes are present (`. @ # $` for entities,
//! digits and `+` for phones, `@` for e-mails), using 8-bytes-at-a-time
//! (SWAR) searches. Keywords (languages, experience, location, obfuscated
//! e-mails) are found by one pass over the words, each looked up in a
//! constant table keyed by its first two letters and length; only the few
//! hits run small hand-written matchers. No regex runs on the text (one is
//! used to classify single non-Latin characters of hashtags by Unicode
//! category). Nothing is allocated unless something is found. Every step is
//! linear in the input (twitter-text's own per-position retries inside a
//! word are memoised, look-backs are bounded).
//!
//! # Phones
//!
//! E.164 output; a national number without country code is taken as French
//! only in the usual French groupings of `0[1-9]` + 8 digits; `+CC`/`00CC`
//! numbers are checked against the national length of common country codes.
//! Numbers after "n°", "commande", "réf", "SIRET"… or before "€", "$", "%"
//! are not phones.

use std::sync::LazyLock;


// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// A UTF-8 byte range `start..end` into the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The spanned text (empty if the span does not fit `text`).
    pub fn as_str<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A URL found in the text, exactly as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlHit {
    pub url: String,
    pub span: Span,
}

/// What a CV link points to. See [`classify_cv_link`] for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvLinkKind {
    Pdf,
    Docx,
    GoogleDrive,
    GoogleDocs,
    Dropbox,
    OneDrive,
    GitHub,
    LinkedIn,
    JsonResume,
    PersonalSite,
}

impl CvLinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CvLinkKind::Pdf => "pdf",
            CvLinkKind::Docx => "docx",
            CvLinkKind::GoogleDrive => "google_drive",
            CvLinkKind::GoogleDocs => "google_docs",
            CvLinkKind::Dropbox => "dropbox",
            CvLinkKind::OneDrive => "onedrive",
            CvLinkKind::GitHub => "github",
            CvLinkKind::LinkedIn => "linkedin",
            CvLinkKind::JsonResume => "json_resume",
            CvLinkKind::PersonalSite => "personal_site",
        }
    }
}

/// A link to a CV, a profile or a personal site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvLink {
    /// Normalised absolute `http(s)://` URL.
    pub url: String,
    pub kind: CvLinkKind,
}

/// Everything extracted from one text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    /// Every URL, in document order, as twitter-text reports them.
    pub urls: Vec<UrlHit>,
    /// CV links, deduplicated by normalised URL, in document order.
    pub cv_links: Vec<CvLink>,
    /// E-mail addresses (also de-obfuscated), lower-cased, deduplicated.
    pub emails: Vec<String>,
    /// Phone numbers in E.164 (`+33612345678`), deduplicated.
    pub phones: Vec<String>,
    /// Hashtags without `#`, as written, every occurrence in order.
    pub hashtags: Vec<String>,
    /// Mentions without the leading `@`, every occurrence in order;
    /// Mastodon `@user@domain` is kept as `user@domain`.
    pub mentions: Vec<String>,
    /// ISO 639-1 codes of the spoken languages stated, deduplicated.
    pub languages: Vec<&'static str>,
    /// Largest stated number of years of experience (≤ 50).
    pub years_experience: Option<u8>,
    /// The first stated place ("basée à Lyon", "based in Berlin"), as written.
    pub location: Option<String>,
}

impl Extracted {
    /// Empties every field, keeping the vectors' capacity.
    pub fn clear(&mut self) {
        self.urls.clear();
        self.cv_links.clear();
        self.emails.clear();
        self.phones.clear();
        self.hashtags.clear();
        self.mentions.clear();
        self.languages.clear();
        self.years_experience = None;
        self.location = None;
    }
}

/// Kind of a twitter-text entity, see [`scan_entities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Url,
    Hashtag,
    /// `@user`
    Mention,
    /// `@user/list`: the value is the user name
    ListMention,
    /// `@user@domain`: the value is `user@domain`
    FederatedMention,
    /// `$TICKER` (not reported in [`Extracted`])
    Cashtag,
}

/// A twitter-text entity: `span` covers the whole entity (with its `#`/`@`),
/// `value` the reported text (without the prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub span: Span,
    pub value: Span,
}

/// The twitter-text entities of `text` (URLs with or without protocol,
/// hashtags, mentions, lists, federated mentions, cashtags) in document order.
pub fn scan_entities(text: &str) -> Vec<Entity> {
    let mut v = Vec::new();
    tt::scan(text, &mut |e| v.push(e));
    v
}

/// Extracts everything from `text`.
pub fn extract(text: &str) -> Extracted {
    let mut out = Extracted::default();
    extract_into(text, &mut out);
    out
}

/// Which trigger classes occur in `b` (branch-free, vectorisable).
fn presence(b: &[u8]) -> u8 {
    let (mut ent, mut ph, mut at) = (false, false, false);
    let mut chunks = b.chunks_exact(32);
    for c in &mut chunks {
        let (mut e, mut p, mut a) = (false, false, false);
        for &x in c {
            e |= (x == b'.') | (x == b'#') | (x == b'$') | (x == 0xEF);
            a |= x == b'@';
            p |= (x.wrapping_sub(b'0') < 10) | (x == b'+');
        }
        ent |= e;
        ph |= p;
        at |= a;
    }
    for &x in chunks.remainder() {
        let c = CLASS[x as usize];
        ent |= c & C_ENT != 0;
        ph |= c & C_PHONE != 0;
        at |= c & C_AT != 0;
    }
    (if ent || at { C_ENT } else { 0 }) | (if ph { C_PHONE } else { 0 }) | (if at { C_AT } else { 0 })
}

// Byte classes of the pre-scan.
const C_ENT: u8 = 1; // . @ # $ and 0xEF (lead byte of ＃ ＠)
const C_PHONE: u8 = 2; // digits and '+'
const C_AT: u8 = 4; // '@'

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'.' as usize] = C_ENT;
    t[b'#' as usize] = C_ENT;
    t[b'$' as usize] = C_ENT;
    t[0xEF] = C_ENT;
    t[b'@' as usize] = C_ENT | C_AT;
    t[b'+' as usize] = C_PHONE;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = C_PHONE;
        d += 1;
    }
    t
};

/// Extracts everything from `text` into `out`, which is cleared first; the
/// vectors of `out` keep their capacity from one call to the next.
pub fn extract_into(text: &str, out: &mut Extracted) {
    out.clear();
    if text.is_empty() {
        return;
    }
    let m = presence(text.as_bytes());
    if m & C_ENT != 0 {
        tt::scan(text, &mut |e: Entity| match e.kind {
            EntityKind::Url => out.urls.push(UrlHit {
                url: e.span.as_str(text).to_string(),
                span: e.span,
            }),
            EntityKind::Hashtag => out.hashtags.push(e.value.as_str(text).to_string()),
            EntityKind::Mention | EntityKind::ListMention | EntityKind::FederatedMention => {
                out.mentions.push(e.value.as_str(text).to_string())
            }
            EntityKind::Cashtag => {}
        });
        if !out.urls.is_empty() {
            cv::collect(text, &out.urls, &mut out.cv_links);
        }
    }
    if m & C_AT != 0 {
        emails::scan_plain(text, &mut out.emails);
    }
    kw::scan(text, m & C_AT != 0, out);
    if m & C_PHONE != 0 {
        phones::scan(text, &out.urls, &mut out.phones);
    }
}

// ---------------------------------------------------------------------------
// SWAR byte scanning (8 bytes at a time, no unsafe)
// ---------------------------------------------------------------------------

mod swar {
    pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
    pub(super) const HIGH: u64 = 0x8080_8080_8080_8080;

    #[inline(always)]
    pub(super) fn load(b: &[u8], i: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(a)
    }

    /// High bit set in each byte of `v` equal to `c` (exact).
    #[inline(always)]
    pub(super) fn eq(v: u64, c: u8) -> u64 {
        let x = v ^ (ONES * c as u64);
        !(((x & !HIGH) + !HIGH) | x) & HIGH
    }

    /// High bit set in each byte of `v` in `lo..=hi` (exact, for `hi < 0x80`).
    #[inline(always)]
    pub(super) fn in_range(v: u64, lo: u8, hi: u8) -> u64 {
        let low7 = v & !HIGH;
        let ge = (low7 + ONES * (0x80 - lo as u64)) & HIGH;
        let gt = (low7 + ONES * (0x7f - hi as u64)) & HIGH;
        ge & !gt & !(v & HIGH)
    }

    /// Index (0..8) of the lowest flagged byte of a mask.
    #[inline(always)]
    pub(super) fn first(m: u64) -> usize {
        (m.trailing_zeros() / 8) as usize
    }

    /// Flags (high bits) to an 8-bit mask, bit k = byte k.
    #[inline(always)]
    pub(super) fn to_bits(m: u64) -> u32 {
        (((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
    }

    /// First position `>= from` whose byte is flagged by `f` (SWAR) / `g` (scalar tail).
    #[inline(always)]
    pub(super) fn find(b: &[u8], mut i: usize, f: impl Fn(u64) -> u64, g: impl Fn(u8) -> bool) -> Option<usize> {
        while i + 8 <= b.len() {
            let m = f(load(b, i));
            if m != 0 {
                return Some(i + first(m));
            }
            i += 8;
        }
        while i < b.len() {
            if g(b[i]) {
                return Some(i);
            }
            i += 1;
        }
        None
    }
}

// ---------------------------------------------------------------------------
// twitter-text compatible entity scanner
// ---------------------------------------------------------------------------

/// A port of twitter-text 0.3's nom scanner (`nom_parser::parse_tweet`) and of
/// its URL validation (`validate_url_nom`), over byte positions.
mod tt {
    use super::{is_valid_tld, Entity, EntityKind, Span};

    #[inline]
    pub(super) fn is_space(c: char) -> bool {
        matches!(c,
            '\u{20}' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2028}' | '\u{2029}'
            | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{9}'..='\u{d}' | '\u{2000}'..='\u{200a}')
    }

    #[inline]
    fn is_invalid_char(c: char) -> bool {
        matches!(c, '\u{fffe}' | '\u{feff}' | '\u{ffff}')
    }

    #[inline]
    pub(super) fn is_latin_accent(c: char) -> bool {
        matches!(c,
            '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}' | '\u{f8}'..='\u{ff}' | '\u{100}'..='\u{24f}'
            | '\u{253}'..='\u{254}' | '\u{256}'..='\u{257}' | '\u{259}' | '\u{25b}' | '\u{263}'
            | '\u{268}' | '\u{26f}' | '\u{272}' | '\u{289}' | '\u{28b}' | '\u{2bb}'
            | '\u{300}'..='\u{36f}' | '\u{1e00}'..='\u{1eff}')
    }

    #[inline]
    fn is_emoji_start(c: char) -> bool {
        matches!(c, '\u{a9}' | '\u{ae}' | '\u{203c}'..='\u{3299}' | '\u{1f000}'..='\u{1faff}' | '#' | '*' | '0'..='9')
    }

    #[inline]
    fn is_emoji_modifier(c: char) -> bool {
        matches!(c, '\u{1f3fb}'..='\u{1f3ff}' | '\u{fe0e}' | '\u{fe0f}' | '\u{20e3}' | '\u{1f1e0}'..='\u{1f1ff}' | '\u{e0000}'..='\u{e007f}')
    }

    #[inline]
    fn is_cyrillic(c: char) -> bool {
        matches!(c, '\u{400}'..='\u{4ff}')
    }

    #[inline]
    fn is_domain_char(c: char) -> bool {
        !is_space(c) && !c.is_ascii_punctuation() && !is_invalid_char(c)
    }

    #[inline]
    fn is_uwp_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || is_latin_accent(c)
    }

    #[inline]
    fn is_invalid_tld_suffix(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == '@' || c == '\u{ff20}' || c == '-'
    }

    fn is_url_delimiter(c: char) -> bool {
        matches!(c,
            '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{309f}' | '\u{30a0}'..='\u{30ff}'
            | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}' | '\u{ff00}'..='\u{ffef}')
    }

    #[inline]
    fn is_userinfo_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || "-._~:".contains(c) || is_cyrillic(c) || "!$&'()*+,;=".contains(c)
    }

    #[inline]
    fn is_url_path_end(c: char) -> bool {
        c.is_ascii_alphanumeric() || "=_-+".contains(c) || is_cyrillic(c) || is_latin_accent(c)
    }

    #[inline]
    fn is_path_punctuation(c: char) -> bool {
        "!*';:,.$%[]~|&@\u{2013}".contains(c)
    }

    #[inline]
    fn is_path_char(c: char) -> bool {
        c != '(' && c != ')' && (is_url_path_end(c) || is_path_punctuation(c) || c == '/')
    }

    #[inline]
    fn is_ascii_path_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric()
            || matches!(b, b'=' | b'_' | b'-' | b'+' | b'/' | b'!' | b'*' | b'\'' | b';' | b':'
                | b',' | b'.' | b'$' | b'%' | b'[' | b']' | b'~' | b'|' | b'&' | b'@')
    }

    #[inline]
    fn is_query_end(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'&' | b'=' | b'/' | b'+')
    }

    #[inline]
    fn is_query_punct(b: u8) -> bool {
        matches!(b, b'!' | b'?' | b'*' | b'\'' | b'(' | b')' | b';' | b':' | b'$' | b'%' | b'['
            | b']' | b'.' | b'~' | b'|' | b'@' | b',')
    }

    #[inline]
    fn is_fragment_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'&' | b'=' | b'/' | b'+' | b'#' | b'!' | b'?' | b'*'
                | b'\'' | b'(' | b')' | b';' | b':' | b'$' | b'%' | b'[' | b']' | b'.' | b'~'
                | b'|' | b'@' | b',')
    }

    /// ASCII bytes the scanner steps over without trying an entity.
    static FAST_SKIP: [bool; 128] = {
        let mut t = [false; 128];
        let s = b" .,!?'\"-_\n\r\t()[]{}:;<>/\\|`~=&^%";
        let mut i = 0;
        while i < s.len() {
            t[s[i] as usize] = true;
            i += 1;
        }
        t
    };

    /// A word holding one of these bytes may hold an entity (`. @ # $`, and
    /// 0xEF which starts `＃` and `＠`); any other word cannot.
    #[inline]
    fn is_trigger(b: u8) -> bool {
        TRIGGER[b as usize]
    }

    #[inline(always)]
    fn trigger_mask(v: u64) -> u64 {
        use super::swar::eq;
        eq(v, b'.') | eq(v, b'@') | eq(v, b'#') | eq(v, b'$') | eq(v, 0xEF)
    }

    static TRIGGER: [bool; 256] = {
        let mut t = [false; 256];
        t[b'.' as usize] = true;
        t[b'@' as usize] = true;
        t[b'#' as usize] = true;
        t[b'$' as usize] = true;
        t[0xEF] = true;
        t
    };

    /// The separators that no entity, emoji or skip can contain.
    #[inline]
    fn is_sep(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\n' | b'\r')
    }

    // ---- hashtag character classes (Unicode general categories) ----

    static LETTER_OR_MARK: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\A[\p{L}\p{M}]\z").unwrap());
    static DECIMAL_DIGIT: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\A\p{Nd}\z").unwrap());

    /// Letter (L*) or mark (M*), with twitter-text's CJK/Hangul shortcuts.
    pub(super) fn is_hashtag_letter_or_mark(c: char) -> bool {
        let cp = c as u32;
        if cp < 128 {
            return c.is_ascii_alphabetic();
        }
        if cp >= 0x3040 {
            if cp <= 0x9fff {
                return cp <= 0x30ff || cp >= 0x4e00;
            }
            if (0xac00..=0xd7af).contains(&cp) {
                return true;
            }
        }
        match cp {
            0x80..=0xbf => matches!(cp, 0xaa | 0xb5 | 0xba),
            0xc0..=0x24f => cp != 0xd7 && cp != 0xf7,
            0x250..=0x2af => true,
            0x300..=0x36f => true,
            0x400..=0x52f => cp != 0x482,
            // punctuation, currency, symbols, arrows, shapes, dingbats, emoji, tags
            0x2000..=0x20cf | 0x2190..=0x2bff | 0x1f000..=0x1faff | 0xe0000..=0xe007f => false,
            // combining marks for symbols (20E3 keycap), variation selectors
            0x20d0..=0x20ff | 0xfe00..=0xfe0f => true,
            _ => {
                let mut buf = [0u8; 4];
                LETTER_OR_MARK.is_match(c.encode_utf8(&mut buf))
            }
        }
    }

    fn is_hashtag_special(c: char) -> bool {
        if c.is_ascii_digit() || c == '_' {
            return true;
        }
        if matches!(c, '\u{200c}' | '\u{200d}' | '\u{a67e}' | '\u{05be}' | '\u{05f3}' | '\u{05f4}'
            | '\u{ff5e}' | '\u{301c}' | '\u{309b}' | '\u{309c}' | '\u{30a0}' | '\u{30fb}'
            | '\u{3003}' | '\u{0f0b}' | '\u{0f0c}' | '\u{00b7}')
        {
            return true;
        }
        if (c as u32) < 128 || !c.is_numeric() {
            return false;
        }
        let mut buf = [0u8; 4];
        DECIMAL_DIGIT.is_match(c.encode_utf8(&mut buf))
    }

    fn valid_hashtag_predecessor(c: char) -> bool {
        if c == '\u{fe0e}' || c == '\u{fe0f}' {
            return true;
        }
        c != '&' && !is_hashtag_letter_or_mark(c)
    }

    // ---- IDNA / length validation (twitter-text's valid_punycode_str) ----

    fn dns_length_ok(d: &str) -> bool {
        if d.ends_with('.') || d.len() > 253 {
            return false;
        }
        let mut l = 0;
        for &x in d.as_bytes() {
            if x == b'.' {
                if l == 0 {
                    return false;
                }
                l = 0;
            } else {
                l += 1;
                if l > 63 {
                    return false;
                }
            }
        }
        l > 0
    }

    fn has_xn_label(d: &str) -> bool {
        let b = d.as_bytes();
        (0..b.len()).any(|i| (i == 0 || b[i - 1] == b'.') && b.len() - i >= 4 && b[i..i + 4].eq_ignore_ascii_case(b"xn--"))
    }

    /// ASCII domain with only letters, digits, '-' and '.': no label mixes scripts.
    fn plain_ascii_domain(d: &str) -> bool {
        d.bytes().all(|x| x.is_ascii_alphanumeric() || x == b'-' || x == b'.')
    }

    /// Code points that UTS #46 maps onto (or that are) ASCII code points
    /// forbidden in a URL host: controls, space and `#%/:<>?@[\\]^|`.
    fn maps_to_denied_ascii(c: char) -> bool {
        let a = match c as u32 {
            0xff01..=0xff5e => (c as u32 - 0xfee0) as u8,
            0xfe50..=0xfe6b => match c {
                '\u{fe5f}' => b'#',
                '\u{fe6a}' => b'%',
                '\u{fe6b}' => b'@',
                '\u{fe55}' => b':',
                '\u{fe56}' => b'?',
                '\u{fe64}' => b'<',
                '\u{fe65}' => b'>',
                '\u{fe68}' => b'\\',
                _ => return false,
            },
            0..=0x7f => c as u8,
            _ => return false,
        };
        a < 0x21 || a == 0x7f || b"#%/:<>?@[\\]^|".contains(&a)
    }

    fn valid_punycode(original: &str, domain: &str) -> bool {
        let ascii_len = if domain.is_ascii() && !has_xn_label(domain) {
            if !dns_length_ok(domain) {
                return false;
            }
            domain.len()
        } else {
            // twitter-text maps with UTS #46 and an empty ASCII deny list; the
            // url crate denies the URL-forbidden ASCII code points, so code
            // points that map onto them are replaced by a harmless letter.
            let subst;
            let domain_for_url = if domain.chars().any(maps_to_denied_ascii) {
                subst = domain.chars().map(|c| if maps_to_denied_ascii(c) { 'a' } else { c }).collect::<String>();
                subst.as_str()
            } else {
                domain
            };
            match url::Host::parse(domain_for_url) {
                Ok(url::Host::Domain(d)) => {
                    if !dns_length_ok(&d) {
                        return false;
                    }
                    d.len()
                }
                Ok(h) => h.to_string().len(),
                Err(_) => return false,
            }
        };
        let has_protocol = original.starts_with("http://") || original.starts_with("https://");
        let base = if has_protocol { 0 } else { 8 };
        base + original.len() - domain.len() + ascii_len < 4096
    }

    fn is_latin_char(c: char) -> bool {
        c.is_ascii_alphabetic() || ('\u{c0}'..='\u{24f}').contains(&c)
    }

    fn has_script_mixing(label: &str) -> bool {
        if label.starts_with("xn--") || label.starts_with("XN--") {
            return false;
        }
        let mut seen_latin = false;
        for c in label.chars() {
            if is_latin_char(c) {
                seen_latin = true;
            } else if c.is_ascii_digit() || c == '-' {
                continue;
            } else if seen_latin {
                return true;
            }
        }
        false
    }

    fn find_script_boundary(label: &str) -> usize {
        let mut last_valid = 0;
        let mut seen_latin = false;
        for (i, c) in label.char_indices() {
            if is_latin_char(c) || c.is_ascii_digit() || c == '-' {
                seen_latin = seen_latin || is_latin_char(c);
                last_valid = i + c.len_utf8();
            } else if seen_latin {
                break;
            } else {
                last_valid = i + c.len_utf8();
            }
        }
        last_valid
    }

    fn find_valid_domain_end(domain: &str) -> usize {
        if plain_ascii_domain(domain) {
            return domain.len();
        }
        let mut pos = domain.len();
        for label in domain.rsplit('.') {
            let label_start = pos - label.len();
            if has_script_mixing(label) {
                return label_start + find_script_boundary(label);
            }
            pos = label_start.saturating_sub(1);
        }
        domain.len()
    }

    fn segment_after(domain: &str, dot: usize) -> &str {
        let after = &domain[dot + 1..];
        &after[..after.find('.').unwrap_or(after.len())]
    }

    fn prev_segment_has_underscore(domain: &str, dot: usize) -> bool {
        domain.as_bytes()[..dot].iter().rev().take_while(|&&x| x != b'.').any(|&x| x == b'_')
    }

    fn find_valid_tld_boundary(domain: &str, requires_exact_tld: bool) -> Option<usize> {
        if plain_ascii_domain(domain) {
            // no script mixing, no underscore, ASCII labels: rightmost valid TLD
            let b = domain.as_bytes();
            let mut end = b.len();
            let mut k = b.len();
            while k > 0 {
                k -= 1;
                if b[k] == b'.' {
                    let seg = &domain[k + 1..end];
                    if is_valid_tld(seg) {
                        return Some(end);
                    }
                    if let Some(h) = seg.find('-') {
                        if is_valid_tld(&seg[..h]) {
                            return Some(k + 1 + h);
                        }
                    }
                    end = k;
                }
            }
            return None;
        }
        if domain.split('.').any(has_script_mixing) {
            for (dot, _) in domain.match_indices('.') {
                let seg = segment_after(domain, dot);
                if has_script_mixing(seg) {
                    let eff = &seg[..find_script_boundary(seg)];
                    if !eff.is_empty() && is_valid_tld(eff) {
                        return Some(dot + 1 + eff.len());
                    }
                }
            }
        }
        for (dot, _) in domain.rmatch_indices('.') {
            let seg = segment_after(domain, dot);
            if is_valid_tld(seg) {
                if prev_segment_has_underscore(domain, dot) {
                    continue;
                }
                return Some(dot + 1 + seg.len());
            }
            if let Some(h) = seg.find('-') {
                let bh = &seg[..h];
                if is_valid_tld(bh) {
                    if prev_segment_has_underscore(domain, dot) {
                        continue;
                    }
                    return Some(dot + 1 + bh.len());
                }
            }
            if requires_exact_tld && !seg.is_ascii() {
                for (ci, _) in seg.char_indices().skip(2) {
                    let pre = &seg[..ci];
                    if is_valid_tld(pre) {
                        return Some(dot + 1 + pre.len());
                    }
                }
            }
        }
        None
    }

    // ---- the scanner ----

    #[derive(Clone, Copy)]
    enum Tok {
        Url { hs: usize, he: usize, uwp: bool },
        Hashtag(usize),
        Username(usize),
        List(usize),
        Federated(usize),
        Cashtag,
    }

    /// Memo of one walk over a protocol-less domain: for every start position
    /// in `p0..sk` the outcome of `parse_url_without_protocol` is `outcome`,
    /// except in the last segment (`last_seg..sk`) where it is `None` unless
    /// a Unicode TLD follows (`dot_after_last`).
    #[derive(Clone, Copy)]
    struct Chain {
        p0: usize,
        sk: usize,
        last_seg: usize,
        dot_after_last: bool,
        outcome: Option<(usize, usize)>,
    }

    struct Scanner<'a> {
        s: &'a str,
        b: &'a [u8],
        chain: Option<Chain>,
        /// (p, last byte < p that is an ASCII space or non-ASCII)
        stop_cache: (usize, Option<usize>),
        /// (p, last '\x0b'/'\x0c' < p)
        vt_cache: (usize, Option<usize>),
        /// (from, first ':' >= from)
        colon_cache: Option<(usize, Option<usize>)>,
        global_colon: Option<Option<usize>>,
    }

    pub(super) fn scan(text: &str, sink: &mut dyn FnMut(Entity)) {
        let b = text.as_bytes();
        let n = b.len();
        let mut sc = Scanner {
            s: text,
            b,
            chain: None,
            stop_cache: (0, None),
            vt_cache: (0, None),
            colon_cache: None,
            global_colon: None,
        };
        let mut pos = 0usize; // everything before `pos` has been scanned
        let mut prev: Option<char> = None; // the char before `pos`, as the scanner saw it
        let mut i = 0usize;
        while i < n {
            // next trigger: @ # $ ＠ ＃, or a '.' that a domain label could follow
            let t = match super::swar::find(b, i, trigger_mask, is_trigger) {
                Some(t) => t,
                None => break,
            };
            let real = match b[t] {
                b'.' => b.get(t + 1).is_some_and(|&y| y.is_ascii_alphanumeric() || y >= 0x80),
                0xEF => b.get(t + 1) == Some(&0xBC) && matches!(b.get(t + 2), Some(0x83 | 0xA0)),
                _ => true,
            };
            if !real {
                i = t + 1;
                continue;
            }
            // its word
            let mut ws = t;
            while ws > pos && !is_sep(b[ws - 1]) {
                ws -= 1;
            }
            let mut we = t + 1;
            while we < n && !is_sep(b[we]) {
                we += 1;
            }
            if ws > pos {
                prev = if ws > 0 { Some(b[ws - 1] as char) } else { None };
                pos = ws;
            }
            let (np, npv) = sc.run(pos, we, prev, sink);
            pos = np;
            prev = npv;
            i = pos.max(we);
        }
    }

    impl<'a> Scanner<'a> {
        #[inline]
        fn ch(&self, i: usize) -> Option<char> {
            let x = *self.b.get(i)?;
            if x < 128 {
                Some(x as char)
            } else {
                self.s.get(i..)?.chars().next()
            }
        }

        #[inline]
        fn char_before(&self, i: usize) -> Option<char> {
            self.s.get(..i)?.chars().next_back()
        }

        #[inline]
        fn starts_with(&self, i: usize, pat: &[u8]) -> bool {
            self.b.get(i..).is_some_and(|r| r.starts_with(pat))
        }

        /// Runs the scanner from `pos` (with `prev` before it) until at
        /// least `end`; returns the new position and previous char.
        fn run(
            &mut self,
            mut pos: usize,
            end: usize,
            mut prev: Option<char>,
            sink: &mut dyn FnMut(Entity),
        ) -> (usize, Option<char>) {
            while pos < end {
                let x = self.b[pos];
                if x < 128 && FAST_SKIP[x as usize] {
                    prev = Some(x as char);
                    pos += 1;
                    continue;
                }
                if let Some((tok, e)) = self.try_entity(pos, prev) {
                    self.emit(pos, e, tok, sink);
                    prev = self.char_before(e);
                    pos = e;
                    continue;
                }
                // Inside a domain label whose protocol-less parse failed, every
                // later position fails the same way: jump to the next 'h'/'H'
                // (which may start "http://") or to the label's last char.
                if let Some(ch) = self.chain {
                    if ch.outcome.is_none() && ch.p0 <= pos && pos + 2 < ch.sk && (x.is_ascii_alphanumeric() && x != b'h' && x != b'H') {
                        let last = ch.sk - self.char_before(ch.sk).map_or(1, char::len_utf8);
                        let mut j = pos + 1;
                        while j < last && self.b[j] != b'h' && self.b[j] != b'H' {
                            j += 1;
                        }
                        // the skipped bytes are ASCII alnum, '-', '_' or Latin letters
                        prev = self.char_before(j);
                        pos = j;
                        continue;
                    }
                }
                if x == b'$' || x == b'@' {
                    let after = pos + 1;
                    let skip = if x == b'$' {
                        self.skip_invalid_cashtag_url(after)
                    } else {
                        self.skip_email_domain(after)
                    };
                    pos = after + skip;
                    prev = self.char_before(pos);
                } else if x < 128 {
                    // keycap emoji: [#*0-9] FE0F? 20E3
                    let mut e = pos + 1;
                    if matches!(x, b'#' | b'*' | b'0'..=b'9') {
                        if self.starts_with(e, "\u{fe0f}\u{20e3}".as_bytes()) {
                            e += 6;
                        } else if self.starts_with(e, "\u{20e3}".as_bytes()) {
                            e += 3;
                        }
                    }
                    prev = self.char_before(e);
                    pos = e;
                } else {
                    let c = self.ch(pos).unwrap_or('\u{fffd}');
                    let l = c.len_utf8();
                    if is_invalid_char(c) {
                        prev = Some(c);
                        pos += l;
                    } else if is_emoji_start(c) {
                        pos = self.emoji_end(pos + l);
                        prev = self.char_before(pos);
                    } else if c == '\u{ff20}' {
                        let skip = self.skip_email_domain(pos + l);
                        pos += l + skip;
                        prev = self.char_before(pos);
                    } else {
                        prev = Some(c);
                        pos += l;
                    }
                }
            }
            (pos, prev)
        }

        /// End of an emoji sequence whose first char ends at `e`
        /// (twitter-text's permissive `try_parse_emoji`).
        fn emoji_end(&self, mut e: usize) -> usize {
            while let Some(c) = self.ch(e) {
                if is_emoji_modifier(c) {
                    e += c.len_utf8();
                } else if c == '\u{200d}' {
                    match self.ch(e + 3) {
                        Some(n) if is_emoji_start(n) => e += 3 + n.len_utf8(),
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            e
        }

        fn emit(&self, start: usize, end: usize, tok: Tok, sink: &mut dyn FnMut(Entity)) {
            let span = Span { start, end };
            let plen = if self.b[start] < 128 { 1 } else { 3 };
            let val = |vs: usize, ve: usize| Span { start: vs, end: ve };
            match tok {
                Tok::Url { hs, he, uwp } => {
                    if let Some(ne) = self.validate(start, end, hs, he, uwp) {
                        let sp = Span { start, end: ne };
                        sink(Entity { kind: EntityKind::Url, span: sp, value: sp });
                    }
                }
                Tok::Hashtag(e) => sink(Entity { kind: EntityKind::Hashtag, span, value: val(start + plen, e) }),
                Tok::Username(e) => sink(Entity { kind: EntityKind::Mention, span, value: val(start + plen, e) }),
                Tok::List(slash) => sink(Entity { kind: EntityKind::ListMention, span, value: val(start + plen, slash) }),
                Tok::Federated(e) => sink(Entity { kind: EntityKind::FederatedMention, span, value: val(start + plen, e) }),
                Tok::Cashtag => sink(Entity { kind: EntityKind::Cashtag, span, value: val(start + 1, end) }),
            }
        }

        /// twitter-text's `validate_url_nom`: the (possibly trimmed) end, or
        /// `None` when the URL is not valid.
        fn validate(&self, start: usize, end: usize, hs: usize, he: usize, uwp: bool) -> Option<usize> {
            if he > end || hs > he {
                return None;
            }
            let original = self.s.get(start..end)?;
            let domain = self.s.get(hs..he)?;
            if domain == "t.co" {
                return valid_punycode(original, domain).then_some(end);
            }
            if uwp {
                let vde = find_valid_domain_end(domain);
                if vde < domain.len() {
                    let td = &domain[..vde];
                    if let Some(ld) = td.rfind('.') {
                        if is_valid_tld(&td[ld + 1..]) {
                            return Some(hs + vde);
                        }
                    }
                    return None;
                }
            }
            let l = find_valid_tld_boundary(domain, uwp)?;
            if l == domain.len() {
                valid_punycode(original, domain).then_some(end)
            } else {
                Some(hs + l)
            }
        }

        fn try_entity(&mut self, pos: usize, prev: Option<char>) -> Option<(Tok, usize)> {
            let c = self.ch(pos)?;
            match c {
                '@' | '\u{ff20}' => {
                    if let Some(pc) = prev {
                        let invalid = matches!(pc, '_' | '@' | '!' | '#' | '$' | '%' | '&' | '*' | '=' | '/' | '\u{ff20}')
                            || pc.is_ascii_alphanumeric();
                        if invalid && !self.is_rt_prefix_before(pos) {
                            return None;
                        }
                    }
                    if let Some(e) = self.federated(pos) {
                        return Some((Tok::Federated(e), e));
                    }
                    let (tok, e) = if let Some((e, slash)) = self.list(pos) {
                        (Tok::List(slash), e)
                    } else {
                        let e = self.username(pos)?;
                        (Tok::Username(e), e)
                    };
                    if let Some(nc) = self.ch(e) {
                        if nc == '@' || nc == '\u{ff20}' || nc == '-' || is_latin_accent(nc) || self.starts_with(e, b"://") {
                            return None;
                        }
                    }
                    Some((tok, e))
                }
                '#' | '\u{ff03}' => {
                    if let Some(pc) = prev {
                        if !valid_hashtag_predecessor(pc) {
                            return None;
                        }
                    }
                    let a = pos + c.len_utf8();
                    if self.starts_with(a, b"http://") || self.starts_with(a, b"https://")
                        || self.starts_with(a, b"HTTP://") || self.starts_with(a, b"HTTPS://")
                    {
                        return None;
                    }
                    let e = self.hashtag(pos)?;
                    Some((Tok::Hashtag(e), e))
                }
                '$' => {
                    if let Some(pc) = prev {
                        if !is_space(pc) {
                            return None;
                        }
                    }
                    let e = self.cashtag(pos)?;
                    Some((Tok::Cashtag, e))
                }
                'h' | 'H' => {
                    if matches!(prev, Some('@' | '#' | '$' | '\u{ff20}' | '\u{ff03}')) {
                        return None;
                    }
                    let (e, hs, he) = self.parse_url(pos)?;
                    Some((Tok::Url { hs, he, uwp: false }, e))
                }
                c if is_uwp_char(c) => {
                    if matches!(prev, Some('@' | '#' | '$' | '\u{ff20}' | '\u{ff03}')) {
                        return None;
                    }
                    let (e, he) = self.parse_uwp(pos)?;
                    if self.starts_with(e, b"@") || self.starts_with(e, "\u{ff20}".as_bytes())
                        || self.looks_like_email_continuation(e)
                    {
                        return None;
                    }
                    if pos >= 3 && self.in_failed_protocol_context(pos) {
                        return None;
                    }
                    Some((Tok::Url { hs: pos, he, uwp: true }, e))
                }
                _ => None,
            }
        }

        fn looks_like_email_continuation(&self, i: usize) -> bool {
            let r = &self.b[i.min(self.b.len())..];
            if r.is_empty() || !(r[0] == b'-' || r[0] == b'+') {
                return false;
            }
            for &x in r.iter().skip(1).take(64) {
                if x == b'@' || x == 0xff {
                    return true;
                }
                if x == b' ' || x == b'\t' || x == b'\n' || x == b'\r' {
                    return false;
                }
            }
            false
        }

        fn is_rt_prefix_before(&self, off: usize) -> bool {
            if off < 2 {
                return false;
            }
            let bb = &self.b[..off];
            let ws_before = |k: usize| self.char_before(k).is_none_or(|c| c.is_whitespace());
            if bb[off - 1] == b':' && off >= 3 && bb[off - 3..off - 1].eq_ignore_ascii_case(b"RT") && (off == 3 || ws_before(off - 3)) {
                return true;
            }
            if bb[off - 2..].eq_ignore_ascii_case(b"RT") && (off == 2 || ws_before(off - 2)) {
                return true;
            }
            false
        }

        /// twitter-text refuses a protocol-less URL right after a failed
        /// `scheme://` (looking back to the last delimiter).
        fn in_failed_protocol_context(&mut self, p: usize) -> bool {
            let b = self.b;
            // last ASCII space or non-ASCII byte before p (memoised, p grows)
            let (cp, cr) = self.stop_cache;
            let lo = if p >= cp { cp } else { 0 };
            let mut found = None;
            let mut j = p;
            while j > lo {
                j -= 1;
                let x = b[j];
                if x == b' ' || x == b'\n' || x == b'\r' || x == b'\t' || x >= 128 {
                    found = Some(j);
                    break;
                }
            }
            let stop = if found.is_some() { found } else if p >= cp { cr } else { None };
            self.stop_cache = (p, stop);
            let last_delim = match stop {
                None => 0,
                Some(j) if b[j] < 128 => j + 1,
                Some(j) => {
                    let mut start = j;
                    while start > 0 && (b[start] & 0xc0) == 0x80 {
                        start -= 1;
                    }
                    let (vp, vr) = self.vt_cache;
                    let vlo = if p >= vp { vp } else { 0 };
                    let mut vf = None;
                    let mut k = p;
                    while k > vlo {
                        k -= 1;
                        if b[k] == 0x0b || b[k] == 0x0c {
                            vf = Some(k);
                            break;
                        }
                    }
                    let vt = if vf.is_some() { vf } else if p >= vp { vr } else { None };
                    self.vt_cache = (p, vt);
                    match vt {
                        Some(v) if v > start => v + 1,
                        _ => match self.ch(start) {
                            Some(c) if is_space(c) || is_url_delimiter(c) => start + c.len_utf8(),
                            _ => 0,
                        },
                    }
                }
            };
            let colon = if last_delim == 0 {
                *self.global_colon.get_or_insert_with(|| b.iter().position(|&x| x == b':'))
            } else {
                match self.colon_cache {
                    Some((from, res)) if last_delim >= from && res.is_none_or(|c| c >= last_delim) => res,
                    _ => {
                        let res = b[last_delim..].iter().position(|&x| x == b':').map(|o| last_delim + o);
                        self.colon_cache = Some((last_delim, res));
                        res
                    }
                }
            };
            match colon {
                Some(c) if c < p => c + 3 <= p && b[c + 1] == b'/' && b[c + 2] == b'/',
                _ => false,
            }
        }

        fn skip_invalid_cashtag_url(&mut self, i: usize) -> usize {
            if let Some((e, _, _)) = self.parse_url(i) {
                return e - i;
            }
            if let Some((e, _)) = self.parse_uwp(i) {
                return e - i;
            }
            0
        }

        fn skip_email_domain(&mut self, i: usize) -> usize {
            match self.parse_uwp(i) {
                Some((e, _)) => e - i,
                None => 0,
            }
        }

        // ---- mentions, hashtags, cashtags ----

        fn at_prefix(&self, i: usize) -> usize {
            if self.b.get(i) == Some(&b'@') {
                1
            } else if self.starts_with(i, "\u{ff20}".as_bytes()) {
                3
            } else {
                0
            }
        }

        fn fed_segment(&self, i: usize) -> usize {
            let b = &self.b[i.min(self.b.len())..];
            let ch = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
            let sep = |x: u8| x == b'.' || x == b'-';
            if b.is_empty() || !ch(b[0]) {
                return 0;
            }
            let mut end = 1;
            let mut k = 1;
            while k < b.len() {
                let x = b[k];
                if ch(x) {
                    k += 1;
                    end = k;
                } else if sep(x) {
                    let mut se = k + 1;
                    while se < b.len() && sep(b[se]) {
                        se += 1;
                    }
                    if se < b.len() && ch(b[se]) {
                        k = se + 1;
                        end = k;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            end
        }

        fn federated(&self, i: usize) -> Option<usize> {
            let pl = self.at_prefix(i);
            if pl == 0 {
                return None;
            }
            let ul = self.fed_segment(i + pl);
            if ul == 0 {
                return None;
            }
            let at2 = i + pl + ul;
            if self.b.get(at2) != Some(&b'@') {
                return None;
            }
            let dl = self.fed_segment(at2 + 1);
            if dl == 0 {
                return None;
            }
            Some(at2 + 1 + dl)
        }

        fn username_len(&self, i: usize) -> usize {
            self.b[i.min(self.b.len())..]
                .iter()
                .take(20)
                .take_while(|&&x| x.is_ascii_alphanumeric() || x == b'_')
                .count()
        }

        fn list(&self, i: usize) -> Option<(usize, usize)> {
            let pl = self.at_prefix(i);
            if pl == 0 {
                return None;
            }
            let ul = self.username_len(i + pl);
            if ul == 0 {
                return None;
            }
            let slash = i + pl + ul;
            if self.b.get(slash) != Some(&b'/') {
                return None;
            }
            let ss = slash + 1;
            if !self.b.get(ss).is_some_and(|x| x.is_ascii_alphabetic()) {
                return None;
            }
            let more = self.b[ss + 1..]
                .iter()
                .take(24)
                .take_while(|&&x| x.is_ascii_alphanumeric() || x == b'_' || x == b'-')
                .count();
            Some((ss + 1 + more, slash))
        }

        fn username(&self, i: usize) -> Option<usize> {
            let pl = self.at_prefix(i);
            if pl == 0 {
                return None;
            }
            let ul = self.username_len(i + pl);
            (ul > 0).then_some(i + pl + ul)
        }

        fn hashtag(&self, i: usize) -> Option<usize> {
            let pl = if self.b.get(i) == Some(&b'#') {
                1
            } else if self.starts_with(i, "\u{ff03}".as_bytes()) {
                3
            } else {
                return None;
            };
            let a = i + pl;
            let rest = self.s.get(a..)?;
            if rest.starts_with('\u{fe0f}') || rest.starts_with('\u{20e3}') {
                return None;
            }
            let mut end = a;
            let mut has_letter = false;
            for c in rest.chars() {
                if is_hashtag_letter_or_mark(c) {
                    has_letter = true;
                } else if !is_hashtag_special(c) {
                    break;
                }
                end += c.len_utf8();
            }
            has_letter.then_some(end)
        }

        fn cashtag(&self, i: usize) -> Option<usize> {
            let b = self.b;
            if b.get(i) != Some(&b'$') {
                return None;
            }
            let mut p = i + 1;
            let mut sl = 0;
            while p < b.len() && sl < 6 && b[p].is_ascii_alphabetic() {
                sl += 1;
                p += 1;
            }
            if sl == 0 {
                return None;
            }
            if p < b.len() && (b[p] == b'.' || b[p] == b'_') {
                let sep = p;
                p += 1;
                let mut xl = 0;
                while p < b.len() && xl < 2 && b[p].is_ascii_alphabetic() {
                    xl += 1;
                    p += 1;
                }
                if xl == 0 {
                    p = sep;
                }
            }
            if b.get(p).is_some_and(|x| x.is_ascii_alphanumeric()) {
                return None;
            }
            Some(p)
        }

        // ---- URLs ----

        fn protocol(&self, i: usize) -> Option<usize> {
            let r = &self.b[i.min(self.b.len())..];
            if r.len() >= 8 && r[..8].eq_ignore_ascii_case(b"https://") {
                Some(i + 8)
            } else if r.len() >= 7 && r[..7].eq_ignore_ascii_case(b"http://") {
                Some(i + 7)
            } else {
                None
            }
        }

        fn parse_url(&self, i: usize) -> Option<(usize, usize, usize)> {
            self.tco_url(i).or_else(|| self.normal_url(i))
        }

        fn tco_url(&self, i: usize) -> Option<(usize, usize, usize)> {
            let hs = self.protocol(i)?;
            if !self.starts_with(hs, b"t.co") {
                return None;
            }
            let he = hs + 4;
            let mut r = he;
            if self.b.get(r) == Some(&b'/') {
                let pl = self.b[r + 1..].iter().take(41).take_while(|x| x.is_ascii_alphanumeric()).count();
                if pl > 40 {
                    return None;
                }
                r += 1 + pl;
            }
            if let Some(q) = self.query(r) {
                r = q;
                if let Some(f) = self.fragment(r) {
                    r = f;
                }
            }
            Some((r, hs, he))
        }

        fn normal_url(&self, i: usize) -> Option<(usize, usize, usize)> {
            let mut r = self.protocol(i)?;
            if let Some(u) = self.userinfo(r) {
                r = u;
            }
            let hs = r;
            r = self.host(r)?;
            let he = r;
            if let Some(c) = self.ch(r) {
                if is_invalid_tld_suffix(c) {
                    return None;
                }
            }
            if let Some(x) = self.port(r) {
                r = x;
            }
            if let Some(x) = self.path(r) {
                r = x;
            }
            if let Some(x) = self.query(r) {
                r = x;
            }
            if let Some(x) = self.fragment(r) {
                r = x;
            }
            Some((r, hs, he))
        }

        fn userinfo(&self, i: usize) -> Option<usize> {
            // fast exit: the first byte that is not a plain userinfo byte decides
            let b = self.b;
            let mut k = i;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b"-._~:!$&'()*+,;=".contains(&b[k])) {
                k += 1;
            }
            match b.get(k) {
                Some(b'@') => return Some(k + 1),
                Some(b'%') => {}
                Some(&x) if x >= 0x80 => {}
                _ => return None,
            }
            let mut it = self.s.get(i..)?.char_indices();
            while let Some((p, c)) = it.next() {
                if c == '@' {
                    return Some(i + p + 1);
                } else if c == '%' {
                    match (it.next(), it.next()) {
                        (Some((_, a)), Some((_, b))) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {}
                        _ => return None,
                    }
                } else if !is_userinfo_char(c) {
                    return None;
                }
            }
            None
        }

        fn host(&self, i: usize) -> Option<usize> {
            if self.starts_with(i, b"t.co") {
                return None;
            }
            if let Some(e) = self.ip_literal(i) {
                return Some(e);
            }
            if self.looks_like_ipv4(i) {
                return self.ipv4(i);
            }
            self.domain(i)
        }

        fn looks_like_ipv4(&self, i: usize) -> bool {
            let r = &self.b[i.min(self.b.len())..];
            if r.is_empty() || !r[0].is_ascii_digit() {
                return false;
            }
            let mut dots = 0;
            for &x in r {
                if x == b'.' {
                    dots += 1;
                } else if !x.is_ascii_digit() {
                    break;
                }
            }
            dots == 3
        }

        fn ipv4(&self, i: usize) -> Option<usize> {
            let b = self.b;
            let mut p = i;
            for k in 0..4 {
                if p >= b.len() || !b[p].is_ascii_digit() {
                    return None;
                }
                let st = p;
                while p < b.len() && b[p].is_ascii_digit() {
                    p += 1;
                }
                if p - st > 3 {
                    return None;
                }
                let v: u16 = self.s[st..p].parse().unwrap_or(256);
                if v > 255 {
                    return None;
                }
                if k < 3 {
                    if p >= b.len() || b[p] != b'.' {
                        return None;
                    }
                    p += 1;
                }
            }
            Some(p)
        }

        fn ip_literal(&self, i: usize) -> Option<usize> {
            let b = self.b;
            if b.get(i) != Some(&b'[') {
                return None;
            }
            let mut p = i + 1;
            while p < b.len() {
                let x = b[p];
                if x == b']' {
                    return if p == i + 1 { None } else { Some(p + 1) };
                } else if x.is_ascii_hexdigit() || x == b':' || x == b'.' {
                    p += 1;
                } else {
                    break;
                }
            }
            None
        }

        fn port(&self, i: usize) -> Option<usize> {
            let b = self.b;
            if b.get(i) != Some(&b':') || !b.get(i + 1).is_some_and(|x| (b'1'..=b'9').contains(x)) {
                return None;
            }
            let mut p = i + 2;
            while p < b.len() && b[p].is_ascii_digit() {
                p += 1;
            }
            Some(p)
        }

        fn path(&self, i: usize) -> Option<usize> {
            let b = self.b;
            if b.get(i) != Some(&b'/') {
                return None;
            }
            let mut end = i + 1;
            let mut depth: i32 = 0;
            let mut j = i + 1;
            let mut unicode = false;
            while j < b.len() {
                let x = b[j];
                if x >= 128 {
                    unicode = true;
                    break;
                }
                if x == b'(' {
                    depth += 1;
                } else if x == b')' {
                    if depth > 0 {
                        depth -= 1;
                    } else {
                        break;
                    }
                } else if !is_ascii_path_byte(x) {
                    break;
                }
                j += 1;
                end = j;
            }
            if unicode {
                for c in self.s[end..].chars() {
                    if c == '(' {
                        depth += 1;
                    } else if c == ')' {
                        if depth > 0 {
                            depth -= 1;
                        } else {
                            break;
                        }
                    } else if !is_path_char(c) {
                        break;
                    }
                    end += c.len_utf8();
                }
            }
            if depth > 0 {
                end = self.fixup_unbalanced_parens(i, end);
            }
            let t = self.s[i..end].trim_end_matches(|c: char| is_path_punctuation(c) && c != '/');
            Some(i + t.len())
        }

        fn fixup_unbalanced_parens(&self, i: usize, end: usize) -> usize {
            let rel_end = end - i;
            let mut depth: i32 = 0;
            let mut last = 1;
            for (p, c) in self.s[i + 1..].char_indices() {
                let abs = p + 1;
                if c == '(' {
                    depth += 1;
                } else if c == ')' {
                    depth -= 1;
                }
                if depth == 0 && (is_path_char(c) || c == ')') {
                    last = abs + c.len_utf8();
                }
                if abs + c.len_utf8() >= rel_end {
                    break;
                }
            }
            i + last
        }

        fn query(&self, i: usize) -> Option<usize> {
            let b = self.b;
            if b.get(i) != Some(&b'?') {
                return None;
            }
            let a = i + 1;
            if b.get(a) == Some(&b'#') {
                return Some(a);
            }
            let mut j = a;
            let mut last = a;
            while j < b.len() {
                let x = b[j];
                if is_query_end(x) {
                    j += 1;
                    last = j;
                } else if is_query_punct(x) {
                    j += 1;
                } else {
                    break;
                }
            }
            (last > a).then_some(last)
        }

        fn fragment(&self, i: usize) -> Option<usize> {
            let b = self.b;
            if b.get(i) != Some(&b'#') {
                return None;
            }
            let mut p = i + 1;
            while p < b.len() && is_fragment_byte(b[p]) {
                p += 1;
            }
            Some(p)
        }

        /// Continues a domain segment in Unicode mode from `start`.
        fn seg_continue_unicode(&self, start: usize, pred: fn(char) -> bool) -> usize {
            let mut end = start;
            let mut it = self.s[start..].chars();
            while let Some(c) = it.next() {
                if c == '-' || c == '_' {
                    if let Some(nx) = it.next() {
                        if pred(nx) {
                            end += c.len_utf8() + nx.len_utf8();
                            continue;
                        }
                    }
                    break;
                } else if pred(c) {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            end
        }

        /// A domain label: `pred` chars, with single `-`/`_` between them.
        fn segment(&self, i: usize, pred: fn(char) -> bool) -> Option<usize> {
            let b = self.b;
            let x = *b.get(i)?;
            if x < 128 {
                if !x.is_ascii_alphanumeric() {
                    return None;
                }
                let mut j = i + 1;
                while j < b.len() {
                    let y = b[j];
                    if y >= 128 {
                        return Some(self.seg_continue_unicode(j, pred));
                    }
                    if y == b'-' || y == b'_' {
                        if j + 1 < b.len() {
                            let z = b[j + 1];
                            if z >= 128 {
                                return Some(self.seg_continue_unicode(j, pred));
                            }
                            if z.is_ascii_alphanumeric() {
                                j += 2;
                                continue;
                            }
                        }
                        break;
                    } else if y.is_ascii_alphanumeric() {
                        j += 1;
                    } else {
                        break;
                    }
                }
                Some(j)
            } else {
                let c = self.ch(i)?;
                if !pred(c) {
                    return None;
                }
                Some(self.seg_continue_unicode(i + c.len_utf8(), pred))
            }
        }

        fn domain_segment(&self, i: usize) -> Option<usize> {
            let r = &self.b[i.min(self.b.len())..];
            if r.len() >= 5 && r[..4].eq_ignore_ascii_case(b"xn--") {
                let e = 4 + r[4..].iter().take_while(|x| x.is_ascii_alphanumeric() || **x == b'-').count();
                if e > 4 {
                    return Some(i + e);
                }
            }
            self.segment(i, is_domain_char)
        }

        fn domain(&self, i: usize) -> Option<usize> {
            let mut rem = i;
            let mut prev: Option<(usize, usize)> = None;
            let mut peeked: Option<usize> = None;
            loop {
                let se = match peeked.take() {
                    Some(e) => e,
                    None => self.domain_segment(rem)?,
                };
                if self.b.get(se) == Some(&b'.') {
                    let after = se + 1;
                    peeked = self.domain_segment(after);
                    if peeked.is_none() {
                        if let Some((ps, pe)) = prev {
                            if self.b[ps..pe].contains(&b'_') {
                                return None;
                            }
                        }
                        return Some(se);
                    }
                    prev = Some((rem, se));
                    rem = after;
                } else {
                    if let Some(c) = self.ch(se) {
                        if is_invalid_tld_suffix(c) {
                            return None;
                        }
                    }
                    let seg = &self.s[rem..se];
                    if let Some(h) = seg.find('-') {
                        if is_valid_tld(&seg[..h]) {
                            return None;
                        }
                    }
                    if let Some((ps, pe)) = prev {
                        if self.b[ps..pe].contains(&b'_') {
                            return None;
                        }
                    }
                    return Some(se);
                }
            }
        }

        fn unicode_tld_segment(&self, i: usize) -> Option<usize> {
            let mut end = i;
            for c in self.s.get(i..)?.chars() {
                if !c.is_ascii() && !is_space(c) && !is_invalid_char(c) {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            (end > i).then_some(end)
        }

        /// twitter-text's `parse_url_without_protocol` at `p`:
        /// `(end, host_end)`. Memoised per domain chain (see [`Chain`]).
        fn parse_uwp(&mut self, p: usize) -> Option<(usize, usize)> {
            if let Some(ch) = self.chain {
                if ch.p0 <= p && p < ch.sk && self.ch(p).is_some_and(is_uwp_char) {
                    return if p < ch.last_seg || ch.dot_after_last { ch.outcome } else { None };
                }
            }
            let s0 = self.segment(p, is_uwp_char)?;
            let mut last_seg = p;
            let mut cur = s0;
            let dot_after_last;
            let outcome;
            loop {
                if self.b.get(cur) == Some(&b'.') {
                    let after = cur + 1;
                    if let Some(e) = self.segment(after, is_uwp_char) {
                        last_seg = after;
                        cur = e;
                        continue;
                    }
                    dot_after_last = true;
                    outcome = match self.unicode_tld_segment(after) {
                        Some(e2) if !self.ch(e2).is_some_and(is_invalid_tld_suffix) => Some(self.finish_uwp(e2)),
                        _ => None,
                    };
                } else {
                    dot_after_last = false;
                    outcome = if self.ch(cur).is_some_and(is_invalid_tld_suffix) {
                        None
                    } else {
                        Some(self.finish_uwp(cur))
                    };
                }
                break;
            }
            let ch = Chain { p0: p, sk: cur, last_seg, dot_after_last, outcome };
            self.chain = Some(ch);
            if p < ch.last_seg || ch.dot_after_last {
                ch.outcome
            } else {
                None
            }
        }

        fn finish_uwp(&self, he: usize) -> (usize, usize) {
            let mut r = he;
            if let Some(x) = self.port(r) {
                r = x;
            }
            if let Some(x) = self.path(r) {
                r = x;
            }
            if let Some(x) = self.query(r) {
                r = x;
            }
            if let Some(x) = self.fragment(r) {
                r = x;
            }
            (r, he)
        }
    }
}

// ---------------------------------------------------------------------------
// TLDs (twitter-text's list)
// ---------------------------------------------------------------------------

#[inline]
fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for x in bytes {
        h = (h ^ x as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// (hash of the lower-case TLD, TLD), sorted by hash.
static TLD_HASHES: LazyLock<Vec<(u64, &'static str)>> = LazyLock::new(|| {
    let mut v: Vec<(u64, &'static str)> = TLDS.iter().map(|t| (fnv1a(t.bytes()), *t)).collect();
    v.sort_unstable();
    v
});

fn tld_lookup(h: u64, eq: impl Fn(&str) -> bool) -> bool {
    let v = &*TLD_HASHES;
    let mut k = v.partition_point(|x| x.0 < h);
    while k < v.len() && v[k].0 == h {
        if eq(v[k].1) {
            return true;
        }
        k += 1;
    }
    false
}

/// Case-insensitive membership in twitter-text's TLD list.
fn is_valid_tld(t: &str) -> bool {
    if t.is_empty() || t.len() > 64 {
        return false;
    }
    if t.is_ascii() {
        let h = fnv1a(t.bytes().map(|x| x.to_ascii_lowercase()));
        tld_lookup(h, |c| c.eq_ignore_ascii_case(t))
    } else {
        let low: String = t.chars().flat_map(char::to_lowercase).collect();
        tld_lookup(fnv1a(low.bytes()), |c| c == low)
    }
}

// ---------------------------------------------------------------------------
// CV links
// ---------------------------------------------------------------------------

mod cv {
    use super::{CvLink, CvLinkKind, UrlHit};

    /// Hosts (and their subdomains) that are platforms, not a person's own
    /// site: social networks, Mastodon instances, video, messaging, URL
    /// shorteners and link hubs, file shares, job boards, big portals.
    static NOT_PERSONAL: &[&str] = &[
        "1drv.ms", "about.me", "amazon.com", "amazon.fr", "angel.co", "apec.fr", "apple.com",
        "behance.net", "bit.ly", "bitbucket.org", "bsky.app", "bsky.social", "buff.ly",
        "calendly.com", "canva.com", "cutt.ly", "dailymotion.com", "discord.com", "discord.gg",
        "docs.google.com", "dribbble.com", "drive.google.com", "dropbox.com",
        "dropboxusercontent.com", "facebook.com", "fb.com", "fb.me", "forms.gle", "fosstodon.org",
        "framapiaf.org", "francetravail.fr", "g.co", "github.com", "gitlab.com", "glassdoor.com",
        "glassdoor.fr", "goo.gl", "google.com", "google.fr", "hachyderm.io", "hellowork.com",
        "indeed.com", "indeed.fr", "infosec.exchange", "instagram.com", "is.gd", "jsonresume.org",
        "linkedin.com", "linktr.ee", "lnkd.in", "malt.com", "malt.fr", "mamot.fr",
        "mastodon.online", "mastodon.social", "medium.com", "meet.google.com", "microsoft.com",
        "monster.fr", "mstdn.social", "notion.site", "notion.so", "onedrive.live.com", "ow.ly",
        "piaille.fr", "pinterest.com", "pole-emploi.fr", "rebrand.ly", "reddit.com",
        "sharepoint.com", "shorturl.at", "signal.me", "snapchat.com", "stackoverflow.com",
        "substack.com", "t.co", "t.me", "teams.microsoft.com", "telegram.me", "threads.net",
        "tiktok.com", "tinyurl.com", "twitch.tv", "twitter.com", "viadeo.com", "vimeo.com", "wa.me",
        "welcometothejungle.com", "wellfound.com", "whatsapp.com", "wikipedia.org", "x.com",
        "xing.com", "youtu.be", "youtube.com", "zoom.us",
    ];

    /// Sorted (binary search).
    static GITHUB_RESERVED: &[&str] = &[
        "about", "apps", "codespaces", "collections", "contact", "copilot", "customer-stories",
        "dashboard", "enterprise", "events", "explore", "features", "github", "home", "issues",
        "join", "login", "logout", "marketplace", "new", "notifications", "open-source",
        "organizations", "orgs", "password_reset", "pricing", "pulls", "readme", "resources",
        "search", "security", "sessions", "settings", "signup", "site", "solutions", "sponsors",
        "team", "topics", "trending",
    ];

    /// Hashes of `NOT_PERSONAL`, sorted.
    static NOT_PERSONAL_HASHES: super::LazyLock<Vec<u64>> = super::LazyLock::new(|| {
        let mut v: Vec<u64> = NOT_PERSONAL.iter().map(|d| super::fnv1a(d.bytes())).collect();
        v.sort_unstable();
        v
    });

    /// `host` or one of its parent domains is in `NOT_PERSONAL`.
    fn not_personal(host: &str) -> bool {
        let mut h = host;
        loop {
            if NOT_PERSONAL_HASHES.binary_search(&super::fnv1a(h.bytes())).is_ok() && NOT_PERSONAL.binary_search(&h).is_ok() {
                return true;
            }
            match h.find('.') {
                Some(k) => h = &h[k + 1..],
                None => return false,
            }
        }
    }

    fn host_is(host: &str, d: &str) -> bool {
        host == d || (host.len() > d.len() && host.ends_with(d) && host.as_bytes()[host.len() - d.len() - 1] == b'.')
    }

    /// Splits an optional `http(s)://` scheme off `url`.
    fn split_scheme(url: &str) -> Option<(&'static str, &str)> {
        let b = url.as_bytes();
        if b.len() >= 8 && b[..8].eq_ignore_ascii_case(b"https://") {
            Some(("https", &url[8..]))
        } else if b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"http://") {
            Some(("http", &url[7..]))
        } else if url.contains("://") {
            None
        } else {
            Some(("https", url))
        }
    }

    /// Bytes the `url` crate serialises unchanged in an http(s) URL.
    static PLAIN_URL: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0u8;
        while c < 128 {
            t[c as usize] = c.is_ascii_alphanumeric();
            c += 1;
        }
        let extra = b"-._~!$&()*+,;=:@/?#";
        let mut i = 0;
        while i < extra.len() {
            t[extra[i] as usize] = true;
            i += 1;
        }
        t
    };

    fn via_url_crate(raw: &str, has_scheme: bool) -> Option<(String, CvLinkKind)> {
        let u = if has_scheme { url::Url::parse(raw).ok()? } else { url::Url::parse(&format!("https://{raw}")).ok()? };
        if !(u.scheme() == "http" || u.scheme() == "https") {
            return None;
        }
        let host = match u.host()? {
            url::Host::Domain(d) => d,
            _ => return None, // IP addresses are nobody's CV
        };
        let kind = classify(host, u.path(), u.query())?;
        Some((String::from(u), kind))
    }

    /// The normalised URL and its kind. Simple ASCII URLs are normalised
    /// here exactly as the `url` crate would (lower-case scheme and host,
    /// `/` for an empty path); anything else goes through `url::Url`.
    pub(super) fn normalize_classify(raw: &str) -> Option<(String, CvLinkKind)> {
        let (scheme, rest) = split_scheme(raw)?;
        fast_path(scheme, rest).unwrap_or_else(|| via_url_crate(raw, raw.len() > rest.len()))
    }

    /// Serialises simple URLs exactly as the `url` crate would: lower-case
    /// scheme and host, default port dropped, `/` for an empty path,
    /// non-ASCII bytes of path, query and fragment percent-encoded (and `'`
    /// in the query). `None` means "ask the url crate".
    fn fast_path(scheme: &'static str, rest: &str) -> Option<Option<(String, CvLinkKind)>> {
        let rb = rest.as_bytes();
        let ae = rb.iter().position(|&x| x == b'/' || x == b'?' || x == b'#').unwrap_or(rb.len());
        let (auth, after) = rest.split_at(ae);
        let (host, port) = match auth.find(':') {
            Some(c) => (&auth[..c], Some(&auth[c + 1..])),
            None => (auth, None),
        };
        let hb = host.as_bytes();
        if hb.is_empty()
            || hb.len() > 253
            || hb[0] == b'.'
            || hb[hb.len() - 1] == b'.'
            || !hb.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-' || *x == b'.' || *x == b'_')
            || hb.windows(2).any(|w| w == b"..")
        {
            return None;
        }
        let last_label = &host[host.rfind('.').map_or(0, |d| d + 1)..];
        if last_label.bytes().all(|x| x.is_ascii_digit()) || host.split('.').any(|l| l.len() >= 4 && l.as_bytes()[..4].eq_ignore_ascii_case(b"xn--")) {
            return None;
        }
        let port = match port {
            None => None,
            Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|x| x.is_ascii_digit()) && !(p.len() > 1 && p.starts_with('0')) => {
                let v: u32 = p.parse().ok()?;
                if v > 65535 {
                    return None;
                }
                let default = if scheme == "https" { 443 } else { 80 };
                (v != default).then_some(p)
            }
            Some(_) => return None,
        };
        // path, query, fragment: plain bytes, '%' (not a dot escape), non-ASCII
        let ab = after.as_bytes();
        let pe = ab.iter().position(|&x| x == b'?' || x == b'#').unwrap_or(ab.len());
        let path = &after[..pe];
        if path.contains("/.") {
            return None;
        }
        let mut hashes = 0;
        let mut encode = false;
        for (k, &x) in ab.iter().enumerate() {
            if x >= 0x80 || x == b'\'' {
                encode = true;
            } else if x == b'%' {
                if ab.get(k + 1) == Some(&b'2') && matches!(ab.get(k + 2), Some(b'e' | b'E')) {
                    return None;
                }
            } else if !PLAIN_URL[x as usize] {
                return None;
            }
            hashes += (x == b'#') as u32;
        }
        if hashes > 1 {
            return None;
        }
        let mut host_buf = [0u8; 253];
        let hl = &mut host_buf[..hb.len()];
        hl.copy_from_slice(hb);
        hl.make_ascii_lowercase();
        let host_l = std::str::from_utf8(hl).ok()?;
        let query = after[pe..].strip_prefix('?').map(|q| q.split('#').next().unwrap_or(q));
        let Some(kind) = classify(host_l, if path.is_empty() { "/" } else { path }, query) else {
            return Some(None);
        };
        let mut out = String::with_capacity(rest.len() + 12);
        out.push_str(scheme);
        out.push_str("://");
        out.push_str(host_l);
        if let Some(p) = port {
            out.push(':');
            out.push_str(p);
        }
        if path.is_empty() {
            out.push('/');
        }
        if !encode {
            out.push_str(after);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            let qs = if pe < ab.len() && ab[pe] == b'?' { pe } else { usize::MAX };
            let fs = ab.iter().position(|&x| x == b'#').unwrap_or(usize::MAX);
            for (k, &x) in ab.iter().enumerate() {
                let in_query = k > qs && k < fs;
                if x >= 0x80 || (x == b'\'' && in_query) {
                    out.push('%');
                    out.push(HEX[(x >> 4) as usize] as char);
                    out.push(HEX[(x & 15) as usize] as char);
                } else {
                    out.push(x as char);
                }
            }
        }
        Some(Some((out, kind)))
    }

    /// The `url` crate's view, for tests.
    #[cfg(test)]
    pub(super) fn normalize_classify_slow(raw: &str) -> Option<(String, CvLinkKind)> {
        let (_, rest) = split_scheme(raw)?;
        via_url_crate(raw, raw.len() > rest.len())
    }

    pub(super) fn classify(host: &str, path: &str, query: Option<&str>) -> Option<CvLinkKind> {
        let host = host.trim_end_matches('.');
        if !host.contains('.') || host.bytes().all(|x| x.is_ascii_digit() || x == b'.') {
            return None;
        }
        let mut segs = path.split('/').filter(|s| !s.is_empty());
        let first = segs.next();
        let second = segs.next();
        let ends_ci = |suf: &str| path.len() >= suf.len() && path.as_bytes()[path.len() - suf.len()..].eq_ignore_ascii_case(suf.as_bytes());
        let contains_ci = |hay: &str, n: &str| hay.as_bytes().windows(n.len()).any(|w| w.eq_ignore_ascii_case(n.as_bytes()));
        if ends_ci(".pdf") {
            return Some(CvLinkKind::Pdf);
        }
        if ends_ci(".docx") || ends_ci(".doc") {
            return Some(CvLinkKind::Docx);
        }
        if ends_ci("resume.json")
            || (host == "registry.jsonresume.org" && first.is_some())
            || (host == "gist.github.com" && (contains_ci(path, "resume.json") || query.is_some_and(|q| contains_ci(q, "resume.json"))))
        {
            return Some(CvLinkKind::JsonResume);
        }
        let has_target = first.is_some() || query.is_some();
        if host == "drive.google.com" {
            return has_target.then_some(CvLinkKind::GoogleDrive);
        }
        if host == "docs.google.com" {
            return first.is_some().then_some(CvLinkKind::GoogleDocs);
        }
        if host_is(host, "dropbox.com") {
            return matches!(first, Some("s" | "scl" | "sh")).then_some(CvLinkKind::Dropbox);
        }
        if host_is(host, "dropboxusercontent.com") {
            return first.is_some().then_some(CvLinkKind::Dropbox);
        }
        if host == "onedrive.live.com" {
            return has_target.then_some(CvLinkKind::OneDrive);
        }
        if host == "1drv.ms" || host.ends_with(".sharepoint.com") {
            return first.is_some().then_some(CvLinkKind::OneDrive);
        }
        if host == "github.com" || host == "www.github.com" || host == "gist.github.com" {
            return match first {
                Some(f) if host == "gist.github.com" || GITHUB_RESERVED.binary_search(&f.to_ascii_lowercase().as_str()).is_err() => {
                    Some(CvLinkKind::GitHub)
                }
                _ => None,
            };
        }
        if host_is(host, "linkedin.com") {
            return (matches!(first, Some("in")) && second.is_some()).then_some(CvLinkKind::LinkedIn);
        }
        if host.ends_with(".github.io") {
            return Some(CvLinkKind::PersonalSite);
        }
        if not_personal(host) || first.is_some_and(|f| f.starts_with('@')) {
            return None;
        }
        Some(CvLinkKind::PersonalSite)
    }

    /// twitter-text reports `ello.fr` for `hello.fr` (a word starting with
    /// `h` is only tried as `http://`); give the CV link its `h` back.
    fn repaired<'a>(text: &'a str, hit: &UrlHit) -> &'a str {
        let s = hit.span.start;
        let b = text.as_bytes();
        let schemeless = !hit.url.contains("://");
        if schemeless && s >= 1 && (b[s - 1] == b'h' || b[s - 1] == b'H') {
            let ok_before = match text[..s - 1].chars().next_back() {
                None => true,
                Some(c) => !(c.is_alphanumeric() || matches!(c, '@' | '#' | '$' | '_' | '-' | '\u{ff20}' | '\u{ff03}')),
            };
            if ok_before {
                return &text[s - 1..hit.span.end];
            }
        }
        hit.span.as_str(text)
    }

    pub(super) fn collect(text: &str, urls: &[UrlHit], out: &mut Vec<CvLink>) {
        for h in urls {
            if let Some((url, kind)) = normalize_classify(repaired(text, h)) {
                if !out.iter().any(|c| c.url == url) {
                    out.push(CvLink { url, kind });
                }
            }
        }
    }
}

/// Classifies a CV link (with or without scheme). Rules, first match wins:
///
/// * path ending `.pdf` → `Pdf`; `.docx`/`.doc` → `Docx` (query ignored);
/// * path ending `resume.json`, `registry.jsonresume.org/<user>`, a gist
///   mentioning `resume.json` → `JsonResume`;
/// * `drive.google.com/…` → `GoogleDrive`, `docs.google.com/…` → `GoogleDocs`;
/// * `dropbox.com/s/…`, `/scl/…` (and `dl.dropboxusercontent.com`) → `Dropbox`;
/// * `onedrive.live.com/…`, `1drv.ms/…`, `*.sharepoint.com/…` → `OneDrive`;
/// * `github.com/<user>[/…]` (not GitHub's own pages), `gist.github.com/<user>` → `GitHub`;
/// * `*.linkedin.com/in/<x>` → `LinkedIn` (other LinkedIn pages: `None`);
/// * otherwise `PersonalSite` — any http(s) URL on a named host, `*.github.io`
///   included, except hosts of platforms that are not the person's own
///   domain (social networks such as x.com, twitter.com, bsky.app,
///   facebook, instagram, threads, tiktok, youtube; Mastodon instances and
///   any `/@user` path; URL shorteners such as t.co, bit.ly, lnkd.in,
///   linktr.ee; messaging, meeting and file-sharing hosts; job boards; big
///   portals and wikis; see `NOT_PERSONAL`), IP addresses and single-label
///   hosts, which give `None`.
pub fn classify_cv_link(url: &str) -> Option<CvLinkKind> {
    cv::normalize_classify(url.trim()).map(|x| x.1)
}

// ---------------------------------------------------------------------------
// E-mails
// ---------------------------------------------------------------------------

mod emails {
    use super::is_valid_tld;

    #[inline]
    fn is_local(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
    }

    /// `label(.label)+`, LDH labels, valid TLD.
    pub(super) fn valid_domain(d: &str) -> bool {
        if d.len() > 253 || !d.contains('.') {
            return false;
        }
        let mut last = "";
        for l in d.split('.') {
            let lb = l.as_bytes();
            if lb.is_empty() || lb.len() > 63 || lb[0] == b'-' || lb[lb.len() - 1] == b'-'
                || !lb.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
            {
                return false;
            }
            last = l;
        }
        (last.bytes().all(|x| x.is_ascii_alphabetic()) || last.starts_with("xn--")) && is_valid_tld(last)
    }

    pub(super) fn valid_local(l: &str) -> bool {
        !l.is_empty() && l.len() <= 64 && !l.starts_with('.') && !l.ends_with('.') && !l.contains("..")
            && l.bytes().all(is_local)
    }

    /// Plain `local@domain` addresses, pushed lower-cased and deduplicated.
    pub(super) fn scan_plain(s: &str, out: &mut Vec<String>) {
        for_each_plain(s, |_, e| push_unique(out, e));
    }

    pub(super) fn push_unique(out: &mut Vec<String>, e: String) {
        if !out.contains(&e) {
            out.push(e);
        }
    }

    pub(super) fn for_each_plain(s: &str, mut f: impl FnMut(usize, String)) {
        let b = s.as_bytes();
        let mut from = 0;
        while let Some(at) = super::swar::find(b, from, |v| super::swar::eq(v, b'@'), |x| x == b'@') {
            from = at + 1;
            let mut l = at;
            while l > 0 && at - l < 64 && is_local(b[l - 1]) {
                l -= 1;
            }
            while l < at && b[l] == b'.' {
                l += 1;
            }
            if l == at {
                continue;
            }
            if l > 0 {
                let pb = b[l - 1];
                // part of a longer token, a federated mention (@user@host) or a non-ASCII word
                if pb == b'@' || is_local(pb) || pb >= 0x80 || pb == b'/' {
                    continue;
                }
            }
            let mut r = at + 1;
            while r < b.len() && (b[r].is_ascii_alphanumeric() || b[r] == b'-' || b[r] == b'.') && r - at <= 254 {
                r += 1;
            }
            while r > at + 1 && (b[r - 1] == b'.' || b[r - 1] == b'-') {
                r -= 1;
            }
            if r < b.len() && (b[r] == b'@' || b[r] == b'_' || (b[r] >= 0x80 && s[r..].chars().next().is_some_and(char::is_alphabetic))) {
                continue;
            }
            let local = &s[l..at];
            let dom = &s[at + 1..r];
            if valid_local(local) && valid_domain(dom) {
                let mut e = String::with_capacity(local.len() + dom.len() + 1);
                e.push_str(local);
                e.push('@');
                e.push_str(dom);
                e.make_ascii_lowercase();
                f(l, e);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Phones
// ---------------------------------------------------------------------------

mod phones {
    use super::UrlHit;

    const MAX_GROUPS: usize = 12;

    struct Groups {
        n: usize,
        /// digits of each group
        len: [u8; MAX_GROUPS],
        /// group was written in parentheses
        paren: [bool; MAX_GROUPS],
        /// separator before the group was a plain space
        space_before: [bool; MAX_GROUPS],
        digits: [u8; 32],
        nd: usize,
    }

    /// Separator between two digit groups: space, '.', '-', NBSP, NNBSP, thin space.
    fn sep_len(b: &[u8], i: usize) -> usize {
        match b.get(i) {
            Some(b' ' | b'.' | b'-') => 1,
            Some(0xc2) if b.get(i + 1) == Some(&0xa0) => 2,
            Some(0xe2) if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xaf | 0x89)) => 3,
            _ => 0,
        }
    }

    fn two_digit_cc(x: u32) -> bool {
        matches!(x, 20 | 27 | 30..=34 | 36 | 39 | 40 | 41 | 43..=49 | 51..=58 | 60..=66 | 81 | 82 | 84 | 86 | 90..=95 | 98)
    }

    /// Country code length of `d` (digits after '+').
    fn cc_len(d: &[u8]) -> usize {
        let v = |k: usize| d[..k].iter().fold(0u32, |a, x| a * 10 + (x - b'0') as u32);
        if d.is_empty() || d[0] == b'0' {
            return 0;
        }
        if d[0] == b'1' || d[0] == b'7' {
            return 1;
        }
        if d.len() >= 2 && two_digit_cc(v(2)) {
            return 2;
        }
        3
    }

    fn national_ok(cc: &[u8], nat: &[u8]) -> bool {
        let l = nat.len();
        if l == 0 || cc.len() + l > 15 || cc.len() + l < 8 {
            return false;
        }
        match cc {
            b"33" => l == 9 && nat[0] != b'0',
            b"1" => l == 10 && (b'2'..=b'9').contains(&nat[0]),
            b"44" => (l == 10 || l == 9) && nat[0] != b'0',
            b"32" => (8..=9).contains(&l),
            b"41" | b"34" | b"31" | b"351" | b"212" => l == 9,
            b"49" => (6..=13).contains(&l),
            b"39" => (6..=11).contains(&l),
            b"216" => l == 8,
            b"213" => (8..=9).contains(&l),
            b"7" => l == 10,
            _ => (4..=12).contains(&l),
        }
    }

    fn read_groups(b: &[u8], start: usize) -> (usize, Groups) {
        let mut g = Groups { n: 0, len: [0; MAX_GROUPS], paren: [false; MAX_GROUPS], space_before: [false; MAX_GROUPS], digits: [0; 32], nd: 0 };
        let mut j = start;
        let mut end = start;
        let mut space = false;
        loop {
            if g.n == MAX_GROUPS {
                break;
            }
            let (ds, de, paren, after) = if b.get(j).is_some_and(u8::is_ascii_digit) {
                let mut k = j;
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                (j, k, false, k)
            } else if b.get(j) == Some(&b'(') {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_digit() && k - j <= 4 {
                    k += 1;
                }
                if k == j + 1 || b.get(k) != Some(&b')') {
                    break;
                }
                (j + 1, k, true, k + 1)
            } else {
                break;
            };
            if g.nd + (de - ds) > g.digits.len() {
                break;
            }
            g.digits[g.nd..g.nd + de - ds].copy_from_slice(&b[ds..de]);
            g.nd += de - ds;
            g.len[g.n] = (de - ds) as u8;
            g.paren[g.n] = paren;
            g.space_before[g.n] = space;
            g.n += 1;
            end = after;
            let sl = sep_len(b, after);
            let nx = after + sl;
            let next_starts = b.get(nx).is_some_and(|x| x.is_ascii_digit() || *x == b'(');
            if sl > 0 && next_starts {
                space = b[after] == b' ' || b[after] >= 0x80;
                j = nx;
            } else if sl == 0 && (b.get(after) == Some(&b'(') || (paren && b.get(after).is_some_and(u8::is_ascii_digit))) {
                space = false;
                j = after;
            } else {
                break;
            }
        }
        (end, g)
    }

    /// Cheap pre-check: at least 8 digits in groups joined by single separators or parentheses.
    fn has_8_digits(b: &[u8], mut j: usize) -> bool {
        let mut d = 0;
        while j < b.len() {
            let x = b[j];
            if x.is_ascii_digit() {
                d += 1;
                if d >= 8 {
                    return true;
                }
                j += 1;
            } else if x == b'(' || x == b')' {
                j += 1;
            } else {
                let l = sep_len(b, j);
                if l == 0 || !b.get(j + l).is_some_and(|y| y.is_ascii_digit() || *y == b'(') {
                    return false;
                }
                j += l;
            }
        }
        false
    }

    static NAT_SHAPES: &[&[u8]] = &[&[10], &[2, 2, 2, 2, 2], &[4, 2, 2, 2], &[2, 4, 4], &[4, 3, 3]];

    /// A phone in E.164 for the groups, trying the longest prefix of whole
    /// groups (dropping trailing groups only after a plain space).
    fn classify(g: &Groups, intl_plus: bool) -> Option<String> {
        let mut best = None;
        for k in (1..=g.n).rev() {
            if k < g.n && !g.space_before[k] {
                continue;
            }
            if let Some(p) = classify_prefix(g, k, intl_plus) {
                best = Some(p);
                break;
            }
        }
        best
    }

    fn classify_prefix(g: &Groups, k: usize, intl_plus: bool) -> Option<String> {
        let nd: usize = g.len[..k].iter().map(|&x| x as usize).sum();
        let d = &g.digits[..nd];
        let mut buf = [0u8; 32];
        let mut bl = 0;
        if intl_plus || (d.len() > 2 && d[0] == b'0' && d[1] == b'0' && g.len[0] > 2) {
            // international: drop a "(0)" trunk group after the first group
            let skip00 = if intl_plus { 0 } else { 2 };
            let mut off = 0;
            for gi in 0..k {
                let l = g.len[gi] as usize;
                let gd = &d[off..off + l];
                off += l;
                if gi > 0 && g.paren[gi] && gd == b"0" {
                    continue;
                }
                if gi == 0 && g.paren[0] {
                    return None;
                }
                let gd = if gi == 0 { &gd[skip00..] } else { gd };
                buf[bl..bl + gd.len()].copy_from_slice(gd);
                bl += gd.len();
            }
            let all = &buf[..bl];
            let ccl = cc_len(all);
            if ccl == 0 || all.len() <= ccl {
                return None;
            }
            let (cc, mut nat) = all.split_at(ccl);
            if nat[0] == b'0' && cc != b"39" {
                nat = &nat[1..];
            }
            if !national_ok(cc, nat) {
                return None;
            }
            let mut s = String::with_capacity(1 + cc.len() + nat.len());
            s.push('+');
            s.push_str(std::str::from_utf8(cc).ok()?);
            s.push_str(std::str::from_utf8(nat).ok()?);
            Some(s)
        } else {
            // national, default region FR: 0[1-9] + 8 digits, usual groupings
            if nd != 10 || d[0] != b'0' || d[1] == b'0' || g.paren[..k].iter().any(|&p| p) {
                return None;
            }
            if !NAT_SHAPES.iter().any(|sh| *sh == &g.len[..k]) {
                return None;
            }
            let mut s = String::with_capacity(12);
            s.push_str("+33");
            s.push_str(std::str::from_utf8(&d[1..]).ok()?);
            Some(s)
        }
    }

    fn ends_with_ci(h: &[u8], n: &str) -> bool {
        h.len() >= n.len() && h[h.len() - n.len()..].eq_ignore_ascii_case(n.as_bytes())
    }

    /// Words right before a number that make it an identifier, not a phone.
    fn bad_context_before(s: &str, start: usize) -> bool {
        let b = s.as_bytes();
        let mut w = &b[start.saturating_sub(24)..start];
        while let Some((&l, rest)) = w.split_last() {
            if l == b' ' || l == b'\t' || l == b':' || l == b'#' || l == b'.' {
                w = rest;
            } else if w.ends_with("°".as_bytes()) || w.ends_with("º".as_bytes()) || w.ends_with("\u{a0}".as_bytes()) {
                w = &w[..w.len() - 2];
            } else {
                break;
            }
        }
        if w.ends_with("€".as_bytes()) || w.ends_with(b"$") || w.ends_with("£".as_bytes()) {
            return true;
        }
        ["n", "no", "num", "commande", "order", "facture", "invoice", "ref", "réf", "reference", "référence", "siret", "siren", "iban", "tva", "vat", "id", "ticket", "dossier", "colis", "tracking", "suivi"]
            .iter()
            .any(|k| ends_with_ci(w, k) && (w.len() == k.len() || !w[w.len() - k.len() - 1].is_ascii_alphanumeric()))
    }

    fn bad_context_after(s: &str, end: usize) -> bool {
        let b = s.as_bytes();
        let w = &b[end..(end + 10).min(b.len())];
        let w = match w.iter().position(|&x| x != b' ') {
            Some(k) => &w[k..],
            None => return false,
        };
        let w = w.strip_prefix("\u{a0}".as_bytes()).unwrap_or(w);
        w.starts_with("€".as_bytes()) || w.starts_with(b"$") || w.starts_with("£".as_bytes()) || w.starts_with(b"%")
            || (w.len() >= 3 && (w[..3].eq_ignore_ascii_case(b"eur") || w[..3].eq_ignore_ascii_case(b"usd")))
            || w.starts_with("k€".as_bytes()) || w.starts_with("K€".as_bytes())
    }

    pub(super) fn scan(s: &str, urls: &[UrlHit], out: &mut Vec<String>) {
        let b = s.as_bytes();
        let n = b.len();
        let mut i = 0;
        while i < n {
            let Some(o) = super::swar::find(b, i, |v| super::swar::in_range(v, b'0', b'9') | super::swar::eq(v, b'+'), |x| x.is_ascii_digit() || x == b'+') else {
                break;
            };
            i = o;
            let x = b[i];
            let start = i;
            // skip to the end of this digit run whatever happens
            let mut run_end = i + 1;
            while run_end < n && b[run_end].is_ascii_digit() {
                run_end += 1;
            }
            i = run_end;
            let prev_ok = match s[..start].chars().next_back() {
                None => true,
                Some(c) => !(c.is_alphanumeric()
                    || matches!(c, '_' | '/' | '.' | ',' | '-' | '+' | '@' | '#' | '=' | '&' | '€' | '$' | '£' | '%')),
            };
            if !prev_ok {
                continue;
            }
            let intl_plus = x == b'+';
            let gstart = if intl_plus { start + 1 } else { start };
            if intl_plus && !b.get(gstart).is_some_and(u8::is_ascii_digit) {
                continue;
            }
            if !has_8_digits(b, gstart) {
                continue;
            }
            let (end, g) = read_groups(b, gstart);
            if g.nd < 8 {
                i = i.max(end);
                continue;
            }
            i = i.max(end);
            if let Some(nc) = s[end..].chars().next() {
                if nc.is_alphanumeric() || nc == '@' || nc == '_' {
                    continue;
                }
            }
            if urls.iter().any(|u| u.span.start <= start && start < u.span.end) {
                continue;
            }
            if bad_context_before(s, start) || bad_context_after(s, end) {
                continue;
            }
            if let Some(p) = classify(&g, intl_plus) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Keyword-driven extractors: languages, experience, location, obfuscated e-mails
// ---------------------------------------------------------------------------

/// One pass over the words of the text; a word is looked up in a table
/// bucketed by (first letter, length), and only the few keyword hits run
/// the small hand-written matchers below 
mod kw {
    use super::{emails, Extracted};

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Kw {
        /// ISO code, needs a capital letter (English "Polish" vs "polish")
        Lang(&'static str, bool),
        /// a word announcing spoken languages ("parle", "fluent", "langues")
        Cue,
        Xp,
        Loc(Prep),
        Obf,
    }

    /// What may follow a location cue before the place name.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Prep {
        /// à, a, sur, en, au, dans (+ in, at, near, près de, out of for "basé")
        Fr,
        FrEn,
        /// in, at, near, out of
        En,
        /// in
        In,
        /// à, a, en, in, sur, au
        Reside,
        /// de
        De,
        /// ':' (or '-')
        Colon,
        /// nothing: "from Nantes"
        None,
    }

    static KEYWORDS: &[(&str, Kw)] = &[
        ("anglais", Kw::Lang("en", false)),
        ("english", Kw::Lang("en", false)),
        ("français", Kw::Lang("fr", false)),
        ("francais", Kw::Lang("fr", false)),
        ("french", Kw::Lang("fr", false)),
        ("allemand", Kw::Lang("de", false)),
        ("german", Kw::Lang("de", false)),
        ("espagnol", Kw::Lang("es", false)),
        ("spanish", Kw::Lang("es", false)),
        ("castillan", Kw::Lang("es", false)),
        ("italien", Kw::Lang("it", false)),
        ("italian", Kw::Lang("it", false)),
        ("portugais", Kw::Lang("pt", false)),
        ("portuguese", Kw::Lang("pt", false)),
        ("néerlandais", Kw::Lang("nl", false)),
        ("neerlandais", Kw::Lang("nl", false)),
        ("hollandais", Kw::Lang("nl", false)),
        ("dutch", Kw::Lang("nl", false)),
        ("arabe", Kw::Lang("ar", false)),
        ("arabic", Kw::Lang("ar", false)),
        ("chinois", Kw::Lang("zh", false)),
        ("chinese", Kw::Lang("zh", false)),
        ("mandarin", Kw::Lang("zh", false)),
        ("cantonais", Kw::Lang("zh", false)),
        ("cantonese", Kw::Lang("zh", false)),
        ("japonais", Kw::Lang("ja", false)),
        ("japanese", Kw::Lang("ja", false)),
        ("russe", Kw::Lang("ru", false)),
        ("russian", Kw::Lang("ru", false)),
        ("polonais", Kw::Lang("pl", false)),
        ("polish", Kw::Lang("pl", true)),
        ("turc", Kw::Lang("tr", false)),
        ("turkish", Kw::Lang("tr", false)),
        ("coréen", Kw::Lang("ko", false)),
        ("coreen", Kw::Lang("ko", false)),
        ("korean", Kw::Lang("ko", false)),
        ("hindi", Kw::Lang("hi", false)),
        ("langue", Kw::Cue),
        ("langues", Kw::Cue),
        ("language", Kw::Cue),
        ("languages", Kw::Cue),
        ("natif", Kw::Cue),
        ("native", Kw::Cue),
        ("natives", Kw::Cue),
        ("maternelle", Kw::Cue),
        ("notion", Kw::Cue),
        ("notions", Kw::Cue),
        ("niveau", Kw::Cue),
        ("level", Kw::Cue),
        ("lu", Kw::Cue),
        ("ecrit", Kw::Cue),
        ("tongue", Kw::Cue),
        ("toeic", Kw::Cue),
        ("toefl", Kw::Cue),
        ("ielts", Kw::Cue),
        ("delf", Kw::Cue),
        ("dalf", Kw::Cue),
        ("dele", Kw::Cue),
        ("goethe", Kw::Cue),
        ("xp", Kw::Xp),
        ("exp", Kw::Xp),
        ("expérience", Kw::Xp),
        ("expériences", Kw::Xp),
        ("experience", Kw::Xp),
        ("experiences", Kw::Xp),
        ("expertise", Kw::Xp),
        ("basé", Kw::Loc(Prep::FrEn)),
        ("basée", Kw::Loc(Prep::FrEn)),
        ("basés", Kw::Loc(Prep::FrEn)),
        ("basées", Kw::Loc(Prep::FrEn)),
        ("basee", Kw::Loc(Prep::FrEn)),
        ("based", Kw::Loc(Prep::En)),
        ("located", Kw::Loc(Prep::En)),
        ("location", Kw::Loc(Prep::Colon)),
        ("localisation", Kw::Loc(Prep::Colon)),
        ("ville", Kw::Loc(Prep::Colon)),
        ("city", Kw::Loc(Prep::Colon)),
        ("localisé", Kw::Loc(Prep::Fr)),
        ("localisée", Kw::Loc(Prep::Fr)),
        ("situé", Kw::Loc(Prep::Fr)),
        ("située", Kw::Loc(Prep::Fr)),
        ("situe", Kw::Loc(Prep::Fr)),
        ("habite", Kw::Loc(Prep::Fr)),
        ("vis", Kw::Loc(Prep::Fr)),
        ("suis", Kw::Loc(Prep::Fr)),
        ("live", Kw::Loc(Prep::In)),
        ("lives", Kw::Loc(Prep::In)),
        ("living", Kw::Loc(Prep::In)),
        ("réside", Kw::Loc(Prep::Reside)),
        ("résidant", Kw::Loc(Prep::Reside)),
        ("reside", Kw::Loc(Prep::Reside)),
        ("residing", Kw::Loc(Prep::Reside)),
        ("resident", Kw::Loc(Prep::Reside)),
        ("résident", Kw::Loc(Prep::Reside)),
        ("installé", Kw::Loc(Prep::Reside)),
        ("installée", Kw::Loc(Prep::Reside)),
        ("installe", Kw::Loc(Prep::Reside)),
        ("viens", Kw::Loc(Prep::De)),
        ("originaire", Kw::Loc(Prep::De)),
        ("from", Kw::Loc(Prep::None)),
        ("at", Kw::Obf),
        ("arobase", Kw::Obf),
    ];

    /// Cue prefixes ("parle", "parlé", "speaking", "fluently", "couramment"…).
    static CUE_PREFIXES: &[&str] = &["parl", "speak", "spoke", "fluen", "courant", "bilingu", "trilingu", "multilingu", "polyglot", "maîtris", "maitris"];

    /// Words right after a language that state a level ("anglais courant", "English (C1)").
    static LEVEL_PREFIXES: &[&str] = &[
        "natif", "native", "maternel", "langue", "mother", "first", "courant", "fluent", "bilingu", "notion", "interm",
        "advanced", "avancé", "professionnel", "professional", "business", "niveau", "level", "parlé", "écrit", "ecrit",
        "speaker", "speaking", "débutant", "debutant", "beginner", "basic", "basique", "scolaire", "toeic", "toefl",
        "ielts", "conversation", "operational", "opérationnel", "lu",
    ];

    fn floor_boundary(s: &str, mut i: usize) -> usize {
        i = i.min(s.len());
        while i > 0 && !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    fn ceil_boundary(s: &str, mut i: usize) -> usize {
        i = i.min(s.len());
        while i < s.len() && !s.is_char_boundary(i) {
            i += 1;
        }
        i
    }

    fn is_word_char(c: char) -> bool {
        c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
    }

    const fn lower(x: u8) -> u8 {
        x | 0x20
    }

    /// Index of a word's second byte in `PAIR_LEN`: its letter, or 26 for a non-letter.
    const fn second(x: u8) -> usize {
        let l = x | 0x20;
        if l.is_ascii_lowercase() {
            (l - b'a') as usize
        } else {
            26
        }
    }

    /// For each (first, second) letter pair, the bit set of keyword byte
    /// lengths (prefix cues: their length and all longer ones).
    static PAIR_LEN: [u16; 26 * 27] = {
        let mut m = [0u16; 26 * 27];
        let mut i = 0;
        while i < KEYWORDS.len() {
            let k = KEYWORDS[i].0.as_bytes();
            m[(k[0] - b'a') as usize * 27 + second(k[1])] |= 1 << k.len();
            i += 1;
        }
        let mut j = 0;
        while j < CUE_PREFIXES.len() {
            let p = CUE_PREFIXES[j].as_bytes();
            let mut l = p.len();
            while l < 16 {
                m[(p[0] - b'a') as usize * 27 + second(p[1])] |= 1 << l;
                l += 1;
            }
            j += 1;
        }
        m
    };

    /// Up to 4 keyword indices per (first letter, byte length); 255 = none.
    static BUCKET_IDX: [[u8; 4]; 26 * 16] = {
        let mut t = [[255u8; 4]; 26 * 16];
        let mut i = 0;
        while i < KEYWORDS.len() {
            let k = KEYWORDS[i].0.as_bytes();
            let slot = (k[0] - b'a') as usize * 16 + k.len();
            let mut j = 0;
            while t[slot][j] != 255 {
                j += 1; // panics at compile time if a bucket overflows
            }
            t[slot][j] = i as u8;
            i += 1;
        }
        t
    };

    fn cue_prefix(f: u8, w: &[u8]) -> bool {
        let l: &[&str] = match f {
            b'p' => &["parl", "polyglot"],
            b's' => &["speak", "spoke"],
            b'f' => &["fluen"],
            b'c' => &["courant"],
            b'b' => &["bilingu"],
            b't' => &["trilingu"],
            b'm' => &["multilingu", "maîtris", "maitris"],
            _ => return false,
        };
        l.iter().any(|p| starts_with_ci(w, p))
    }

    fn starts_with_ci(w: &[u8], p: &str) -> bool {
        w.len() >= p.len() && w[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    }

    struct St {
        last_cue: Option<usize>,
        last_lang: Option<usize>,
        obf: Vec<(usize, String)>,
        years: Option<u8>,
    }

    pub(super) fn scan(s: &str, has_at: bool, out: &mut Extracted) {
        use super::swar::{eq, in_range, load, to_bits, HIGH, ONES};
        let b = s.as_bytes();
        let n = b.len();
        let mut st = St { last_cue: None, last_lang: None, obf: Vec::new(), years: None };
        // 64-byte blocks: a letter mask (ASCII letters, and 2-byte Latin
        // letters: lead byte C3..C5 plus its continuation byte), then every
        // word end is handled; its start is just after the last non-letter.
        let mut i = 0;
        let mut open: Option<usize> = None; // start of a word running into the block
        let mut lead_carry = 0u64; // a C3..C5 lead ended the previous chunk
        while i < n {
            let blk = (n - i).min(64);
            let mut l: u64 = 0;
            let mut c = 0;
            while c + 8 <= blk {
                let v = load(b, i + c);
                let ascii = in_range(v | (ONES * 0x20), b'a', b'z');
                let mut bits = ascii;
                if v & HIGH != 0 {
                    let lead = eq(v, 0xc3) | eq(v, 0xc4) | eq(v, 0xc5);
                    let cont = v & HIGH & !(v << 1);
                    bits |= lead | (cont & ((lead << 8) | lead_carry));
                    lead_carry = lead >> 56;
                } else {
                    lead_carry = 0;
                }
                l |= (to_bits(bits) as u64) << c;
                c += 8;
            }
            while c < blk {
                let x = b[i + c];
                let letter = x.is_ascii_alphabetic()
                    || (0xc3..=0xc5).contains(&x)
                    || (x & 0xc0 == 0x80 && (if c > 0 { l >> (c - 1) & 1 != 0 && (0xc3..=0xc5).contains(&b[i + c - 1]) } else { lead_carry != 0 }));
                if letter {
                    l |= 1 << c;
                }
                lead_carry = ((0xc3..=0xc5).contains(&x) as u64) << 7;
                c += 1;
            }
            let valid = if blk == 64 { u64::MAX } else { (1u64 << blk) - 1 };
            let prev = (l << 1) | open.is_some() as u64;
            let mut ends = !l & prev & valid;
            while ends != 0 {
                let k = ends.trailing_zeros();
                ends &= ends - 1;
                let gaps = !l & ((1u64 << k) - 1);
                let w0 = if gaps != 0 { i + (64 - gaps.leading_zeros()) as usize } else { open.unwrap_or(i) };
                let at = i + k as usize;
                if maybe_keyword(b, w0, at) {
                    on_word(s, w0, at, &mut st, out);
                }
            }
            // a word still open at the end of the block
            open = if l >> (blk - 1) & 1 != 0 {
                let gaps = !l & valid;
                Some(if gaps != 0 { i + (64 - gaps.leading_zeros()) as usize } else { open.unwrap_or(i) })
            } else {
                None
            };
            i += blk;
        }
        if let Some(w0) = open {
            if maybe_keyword(b, w0, n) {
                on_word(s, w0, n, &mut st, out);
            }
        }
        if has_at {
            // "jean [@] exemple [.] fr"
            let mut from = 0;
            while let Some(o) = b[from..].iter().position(|&x| x == b'@') {
                let at = from + o;
                from = at + 1;
                let prev = s[..at].trim_end().chars().next_back();
                if matches!(prev, Some('[' | '(' | '{')) {
                    obfuscated(s, at, true, &mut st.obf);
                }
            }
        }
        out.years_experience = st.years;
        if !st.obf.is_empty() {
            let mut all: Vec<(usize, String)> = Vec::with_capacity(st.obf.len() + out.emails.len());
            emails::for_each_plain(s, |p, e| all.push((p, e)));
            all.append(&mut st.obf);
            all.sort_by_key(|x| x.0);
            out.emails.clear();
            for (_, e) in all {
                emails::push_unique(&mut out.emails, e);
            }
        }
    }

    /// Length and first two bytes are those of some keyword.
    #[inline(always)]
    fn maybe_keyword(b: &[u8], start: usize, end: usize) -> bool {
        let len = end - start;
        let f = lower(b[start]);
        (2..=15).contains(&len) && f.is_ascii_lowercase() && PAIR_LEN[(f - b'a') as usize * 27 + second(b[start + 1])] & (1 << len) != 0
    }

    #[inline(never)]
    fn on_word(s: &str, start: usize, end: usize, st: &mut St, out: &mut Extracted) {
        let b = s.as_bytes();
        let len = end - start;
        let f = lower(b[start]);
        let w = &b[start..end];
        let mut kind = None;
        for &ix in &BUCKET_IDX[(f - b'a') as usize * 16 + len] {
            if ix == 255 {
                break;
            }
            let (k, kd) = KEYWORDS[ix as usize];
            if k.as_bytes().eq_ignore_ascii_case(w) {
                kind = Some(kd);
                break;
            }
        }
        let kind = match kind {
            Some(k) => k,
            None if len >= 4 && cue_prefix(f, w) => Kw::Cue,
            None => return,
        };
        match kind {
            Kw::Cue => st.last_cue = Some(end),
            Kw::Lang(code, cap) => {
                let boundary_ok = !s[..start].chars().next_back().is_some_and(is_word_char) && !s[end..].chars().next().is_some_and(is_word_char);
                let cap_ok = !cap || b[start].is_ascii_uppercase();
                if boundary_ok && cap_ok {
                    // a cue or a language shortly before, in the same clause
                    let near = |e: Option<usize>, max: usize| {
                        e.is_some_and(|e| e <= start && start - e <= max && !b[e..start].iter().any(|&x| matches!(x, b'.' | b'!' | b'?' | b';' | b'\n')))
                    };
                    if near(st.last_lang, 40) || near(st.last_cue, 100) || level_after(s, end) {
                        st.last_lang = Some(end);
                        if !out.languages.contains(&code) {
                            out.languages.push(code);
                        }
                    }
                }
            }
            Kw::Xp => {
                if let Some(y) = xp_years(s, start, end) {
                    st.years = Some(st.years.map_or(y, |v| v.max(y)));
                }
            }
            Kw::Loc(prep) => {
                // the byte after the blank must be able to start what follows
                let nx = b.get(end + 1).map_or(0, |x| x | 0x20);
                let plausible = b.get(end).is_some_and(|&x| x == b' ' || x == 0xc2 || x == 0xe2 || x == b':' || x == b'-')
                    && match prep {
                        Prep::Fr => matches!(nx, b'a' | b's' | b'e' | b'd' | 0xe3),
                        Prep::FrEn => matches!(nx, b'a' | b's' | b'e' | b'd' | b'i' | b'n' | b'o' | b'p' | 0xe3),
                        Prep::En => matches!(nx, b'i' | b'a' | b'n' | b'o'),
                        Prep::In => nx == b'i',
                        Prep::Reside => matches!(nx, b'a' | b'e' | b'i' | b's' | 0xe3),
                        Prep::De => nx == b'd',
                        Prep::Colon | Prep::None => true,
                    };
                if plausible && out.location.is_none() {
                    out.location = location(s, start, end, prep).map(str::to_string);
                }
            }
            Kw::Obf => {
                let prev = s[..start].trim_end().chars().next_back();
                let next = s[end..].trim_start().chars().next();
                let bracketed = matches!(prev, Some('[' | '(' | '{')) && matches!(next, Some(']' | ')' | '}'));
                let arobase = len == 7;
                let spaced = start > 0 && b[start - 1].is_ascii_whitespace() && b.get(end).is_some_and(u8::is_ascii_whitespace);
                if bracketed || arobase {
                    obfuscated(s, start, true, &mut st.obf);
                }
                if (spaced && spelled_dot_follows(s, end)) || (arobase && !bracketed) {
                    obfuscated(s, start, false, &mut st.obf);
                }
            }
        }
    }

    /// A spaced "dot"/"point" word within 100 bytes (for "jean at exemple dot fr").
    fn spelled_dot_follows(s: &str, end: usize) -> bool {
        let b = s.as_bytes();
        let hi = (end + 100).min(b.len());
        let mut k = end;
        while k + 4 < hi {
            if b[k] == b' ' {
                let w = &b[k + 1..];
                if (w.len() >= 4 && w[..3].eq_ignore_ascii_case(b"dot") && w[3] == b' ')
                    || (w.len() >= 6 && w[..5].eq_ignore_ascii_case(b"point") && w[5] == b' ')
                {
                    return true;
                }
            }
            k += 1;
        }
        false
    }

    // ---- tokens ----

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum T {
        Word,
        Num,
        Punct(char),
    }

    #[inline]
    fn is_blank(c: char) -> bool {
        c == ' ' || c == '\t' || c == '\u{a0}' || c == '\u{202f}'
    }

    /// The token ending at or before `pos` (blanks skipped), not before `lo`.
    fn tok_before(s: &str, pos: usize, lo: usize) -> Option<(usize, usize, T)> {
        let b = s.as_bytes();
        let mut end = pos;
        while end > lo && (b[end - 1] == b' ' || b[end - 1] == b'\t') {
            end -= 1;
        }
        if end >= lo + 2 && (b[end - 2..end] == [0xc2, 0xa0]) || end >= lo + 3 && b[end - 3..end] == [0xe2, 0x80, 0xaf] {
            return tok_before_slow(s, pos, lo);
        }
        if end <= lo {
            return None;
        }
        let x = b[end - 1];
        if x < 0x80 {
            if x.is_ascii_digit() {
                let mut st = end - 1;
                while st > lo && b[st - 1].is_ascii_digit() {
                    st -= 1;
                }
                return Some((st, end, T::Num));
            }
            if x.is_ascii_alphabetic() {
                let mut st = end - 1;
                while st > lo && b[st - 1].is_ascii_alphabetic() {
                    st -= 1;
                }
                if st == lo || b[st - 1] < 0x80 {
                    return Some((st, end, T::Word));
                }
                return tok_before_slow(s, pos, lo);
            }
            return Some((end - 1, end, T::Punct(x as char)));
        }
        tok_before_slow(s, pos, lo)
    }

    fn tok_before_slow(s: &str, pos: usize, lo: usize) -> Option<(usize, usize, T)> {
        let head = &s[lo..pos];
        let trimmed = head.trim_end_matches(is_blank);
        let end = lo + trimmed.len();
        let c = trimmed.chars().next_back()?;
        if c.is_ascii_digit() {
            let st = trimmed.len() - trimmed.bytes().rev().take_while(u8::is_ascii_digit).count();
            Some((lo + st, end, T::Num))
        } else if is_word_char(c) && !c.is_ascii_digit() {
            let st: usize = trimmed.char_indices().rev().take_while(|(_, c)| is_word_char(*c) && !c.is_ascii_digit()).last().map_or(trimmed.len(), |(i, _)| i);
            Some((lo + st, end, T::Word))
        } else {
            Some((end - c.len_utf8(), end, T::Punct(c)))
        }
    }

    /// The token starting at or after `pos` (blanks skipped), not after `hi`.
    fn tok_after(s: &str, pos: usize, hi: usize) -> Option<(usize, usize, T)> {
        let b = s.as_bytes();
        let mut st = pos;
        while st < hi && (b[st] == b' ' || b[st] == b'\t') {
            st += 1;
        }
        if st >= hi {
            return None;
        }
        let x = b[st];
        if x < 0x80 {
            if x.is_ascii_digit() {
                let mut e = st + 1;
                while e < hi && b[e].is_ascii_digit() {
                    e += 1;
                }
                return Some((st, e, T::Num));
            }
            if x.is_ascii_alphabetic() {
                let mut e = st + 1;
                while e < hi && b[e].is_ascii_alphabetic() {
                    e += 1;
                }
                if e == hi || b[e] < 0x80 {
                    return Some((st, e, T::Word));
                }
                return tok_after_slow(s, pos, hi);
            }
            return Some((st, st + 1, T::Punct(x as char)));
        }
        tok_after_slow(s, pos, hi)
    }

    fn tok_after_slow(s: &str, pos: usize, hi: usize) -> Option<(usize, usize, T)> {
        let tail = &s[pos..hi];
        let trimmed = tail.trim_start_matches(is_blank);
        let st = hi - trimmed.len();
        let c = trimmed.chars().next()?;
        if c.is_ascii_digit() {
            Some((st, st + trimmed.bytes().take_while(u8::is_ascii_digit).count(), T::Num))
        } else if is_word_char(c) {
            let l: usize = trimmed.chars().take_while(|c| is_word_char(*c) && !c.is_ascii_digit()).map(char::len_utf8).sum();
            Some((st, st + l, T::Word))
        } else {
            Some((st, st + c.len_utf8(), T::Punct(c)))
        }
    }

    fn word_in(s: &str, t: (usize, usize, T), words: &[&str]) -> bool {
        t.2 == T::Word && words.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(&s.as_bytes()[t.0..t.1]))
    }

    // ---- languages ----

    /// A level stated right after a language: "anglais courant", "English (C1)", "French: native".
    fn level_after(s: &str, end: usize) -> bool {
        let hi = ceil_boundary(s, end + 40);
        let mut p = end;
        for _ in 0..3 {
            let Some(t) = tok_after(s, p, hi) else { return false };
            match t.2 {
                T::Punct(':' | '(' | '-' | '–' | '—' | ',') => p = t.1,
                T::Word => {
                    let w = &s.as_bytes()[t.0..t.1];
                    // CEFR level: A1…C2
                    if w.len() == 1 && matches!(w[0] | 0x20, b'a' | b'b' | b'c') {
                        let nx = tok_after(s, t.1, hi);
                        return t.1 < hi && matches!(s.as_bytes().get(t.1), Some(b'1' | b'2')) && nx.is_some_and(|n| n.2 == T::Num && n.1 - n.0 == 1 && !s[n.1..].starts_with(|c: char| c.is_alphanumeric()));
                    }
                    return LEVEL_PREFIXES.iter().any(|p| starts_with_ci(w, p));
                }
                _ => return false,
            }
        }
        false
    }

    // ---- years of experience ----

    fn num_word(w: &str) -> Option<u8> {
        let mut buf = [0u8; 16];
        if w.len() > buf.len() {
            return None;
        }
        let l = &mut buf[..w.len()];
        l.copy_from_slice(w.as_bytes());
        l.make_ascii_lowercase();
        Some(match &*l {
            b"un" | b"une" | b"one" => 1,
            b"deux" | b"two" => 2,
            b"trois" | b"three" => 3,
            b"quatre" | b"four" => 4,
            b"cinq" | b"five" => 5,
            b"six" => 6,
            b"sept" | b"seven" => 7,
            b"huit" | b"eight" => 8,
            b"neuf" | b"nine" => 9,
            b"dix" | b"ten" | b"dizaine" => 10,
            b"onze" | b"eleven" => 11,
            b"douze" | b"twelve" | b"douzaine" => 12,
            b"treize" | b"thirteen" => 13,
            b"quatorze" | b"fourteen" => 14,
            b"quinze" | b"fifteen" | b"quinzaine" => 15,
            b"seize" | b"sixteen" => 16,
            b"seventeen" => 17,
            b"eighteen" => 18,
            b"nineteen" => 19,
            b"vingt" | b"twenty" | b"vingtaine" => 20,
            b"trente" | b"thirty" | b"trentaine" => 30,
            _ => return None,
        })
    }

    const UNITS: &[&str] = &["ans", "an", "années", "annees", "année", "annee", "years", "year", "yrs", "yr", "y"];

    /// `N [+] [d'] ans|years [+] [d'|de|of|in] [word]` right before the experience word.
    fn xp_before(s: &str, ws: usize) -> Option<u8> {
        // clause ends are punctuation tokens, which the pattern never accepts
        let lo = floor_boundary(s, ws.saturating_sub(80));
        let first = tok_before(s, ws, lo)?;
        // with and without one free word ("8 years of Rust experience")
        let mut starts = [Some(first), None];
        if first.2 == T::Word && !word_in(s, first, UNITS) {
            starts[1] = tok_before(s, first.0, lo);
        }
        for t0 in starts.into_iter().flatten() {
            if let Some(v) = xp_before_from(s, t0, lo) {
                return Some(v);
            }
        }
        None
    }

    fn xp_before_from(s: &str, mut t: (usize, usize, T), lo: usize) -> Option<u8> {
        let is_apos = |t: (usize, usize, T)| matches!(t.2, T::Punct('\'' | '’'));
        let d_apos = |t: (usize, usize, T)| -> Option<(usize, usize, T)> {
            // "d'" read backwards: apostrophe then "d"
            if is_apos(t) {
                let d = tok_before(s, t.0, lo)?;
                if d.2 == T::Word && s[d.0..d.1].eq_ignore_ascii_case("d") && d.1 == t.0 {
                    return Some(d);
                }
            }
            None
        };
        // [d'|de|of|in]
        if let Some(d) = d_apos(t) {
            t = tok_before(s, d.0, lo)?;
        } else if word_in(s, t, &["de", "of", "in"]) {
            t = tok_before(s, t.0, lo)?;
        }
        // [+|plus]
        if t.2 == T::Punct('+') || word_in(s, t, &["plus"]) {
            t = tok_before(s, t.0, lo)?;
        }
        if !word_in(s, t, UNITS) {
            return None;
        }
        t = tok_before(s, t.0, lo)?;
        // [d'] (une dizaine d'années)
        if let Some(d) = d_apos(t) {
            t = tok_before(s, d.0, lo)?;
        }
        if t.2 == T::Punct('+') || word_in(s, t, &["plus"]) {
            t = tok_before(s, t.0, lo)?;
        }
        let boundary_ok = !s[..t.0].chars().next_back().is_some_and(char::is_alphanumeric);
        if !boundary_ok {
            return None;
        }
        match t.2 {
            T::Num if t.1 - t.0 <= 2 => s[t.0..t.1].parse().ok(),
            T::Word => num_word(&s[t.0..t.1]),
            _ => None,
        }
    }

    /// `[professionnelle] [:|de|of|d'] [plus de|over|more than|environ|about|~|+] N [+] ans|years` after it.
    fn xp_after(s: &str, we: usize) -> Option<u8> {
        let hi = ceil_boundary(s, we + 60);
        let mut t = tok_after(s, we, hi)?;
        if word_in(s, t, &["professionnelle", "professional", "pro", "totale", "total", "globale", "cumulée"]) {
            t = tok_after(s, t.1, hi)?;
        }
        if matches!(t.2, T::Punct(':' | '-' | '–' | '=')) || word_in(s, t, &["de", "of"]) {
            t = tok_after(s, t.1, hi)?;
        } else if word_in(s, t, &["d"]) && matches!(tok_after(s, t.1, hi), Some((_, _, T::Punct('\'' | '’')))) {
            let a = tok_after(s, t.1, hi)?;
            t = tok_after(s, a.1, hi)?;
        }
        if word_in(s, t, &["plus"]) {
            let de = tok_after(s, t.1, hi)?;
            if !word_in(s, de, &["de"]) {
                return None;
            }
            t = tok_after(s, de.1, hi)?;
        } else if word_in(s, t, &["more"]) {
            let th = tok_after(s, t.1, hi)?;
            if !word_in(s, th, &["than"]) {
                return None;
            }
            t = tok_after(s, th.1, hi)?;
        } else if word_in(s, t, &["over", "environ", "about", "around"]) || matches!(t.2, T::Punct('~' | '+')) {
            t = tok_after(s, t.1, hi)?;
        }
        if t.2 != T::Num || t.1 - t.0 > 2 {
            return None;
        }
        let v: u8 = s[t.0..t.1].parse().ok()?;
        let mut u = tok_after(s, t.1, hi)?;
        if u.2 == T::Punct('+') {
            u = tok_after(s, u.1, hi)?;
        }
        word_in(s, u, &["ans", "an", "années", "annees", "years", "year", "yrs", "yr"]).then_some(v)
    }

    /// Years stated around an experience word `s[ws..we]` (≤ 50).
    fn xp_years(s: &str, ws: usize, we: usize) -> Option<u8> {
        let a = xp_before(s, ws);
        let b = xp_after(s, we);
        let best = match (a, b) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        best.filter(|&v| v <= 50)
    }

    // ---- location ----

    static MULTI_WORD_STARTERS: &[&str] = &[
        "Le", "La", "Les", "New", "San", "Santa", "Saint", "St", "Sainte", "Ste", "Los", "Las", "Rio",
        "Hong", "Buenos", "Mont", "Val", "Port", "Fort", "Kuala", "Tel", "Abu", "Cape", "El", "Al",
        "Den", "Ho", "Chi", "Sao", "São", "Salt", "Costa", "Puerto", "Porto", "Nouvelle",
    ];
    static HYPHEN_CONNECTORS: &[&str] = &["en", "sur", "le", "la", "les", "de", "du", "des", "lès", "lez", "aux", "au", "sous", "et", "l", "d"];
    /// Sorted (binary search).
    static NOT_PLACES: &[&str] = &[
        "A", "AWS", "Accenture", "Airbus", "Amazon", "Août", "Apple", "April", "Atos", "August",
        "Avril", "Azure", "Bac", "Bonjour", "Bootcamp", "Capgemini", "December", "Deloitte",
        "Dimanche", "Dispo", "Disposition", "Décembre", "Facebook", "February", "Friday", "Février",
        "GitHub", "Github", "Google", "Hello", "Home", "I", "IBM", "Indeed", "January", "Janvier",
        "Java", "JavaScript", "Je", "Jeudi", "Juillet", "Juin", "July", "June", "Licence",
        "LinkedIn", "Linkedin", "Lundi", "Mai", "March", "Mardi", "Mars", "Master", "May", "Merci",
        "Mercredi", "Meta", "Microsoft", "Monday", "November", "Novembre", "October", "Octobre",
        "Oracle", "Orange", "Python", "React", "Remote", "Rust", "SAP", "Samedi", "Saturday",
        "September", "Septembre", "Sopra", "Sunday", "Teletravail", "Thales", "Thanks", "The",
        "Thursday", "Tuesday", "Twitter", "Télétravail", "Vendredi", "Wednesday",
    ];

    fn word_end(s: &str, i: usize) -> usize {
        i + s[i..].chars().take_while(|&c| c.is_alphabetic() || ('\u{300}'..='\u{36f}').contains(&c)).map(char::len_utf8).sum::<usize>()
    }

    fn starts_upper(s: &str) -> bool {
        s.chars().next().is_some_and(char::is_uppercase)
    }

    fn apostrophe_len(s: &str) -> usize {
        if s.starts_with('\'') {
            1
        } else if s.starts_with('’') {
            3
        } else {
            0
        }
    }

    /// A place name: capitalised words joined by hyphens ("Aix-en-Provence",
    /// "Saint-Étienne", "Villeneuve-d'Ascq"), or after "Le", "New", "San"…
    /// by a space ("Le Mans", "New York").
    fn place(s: &str) -> Option<&str> {
        if !starts_upper(s) {
            return None;
        }
        let mut end = word_end(s, 0);
        let mut last = &s[..end];
        loop {
            let rest = &s[end..];
            if rest.starts_with('-') {
                let j = end + 1;
                if starts_upper(&s[j..]) {
                    end = word_end(s, j);
                    last = &s[j..end];
                    continue;
                }
                let e = word_end(s, j);
                let w = &s[j..e];
                if HYPHEN_CONNECTORS.contains(&w) {
                    if s[e..].starts_with('-') {
                        end = e;
                        continue;
                    }
                    let al = apostrophe_len(&s[e..]);
                    if al > 0 && (w == "d" || w == "l") && starts_upper(&s[e + al..]) {
                        end = word_end(s, e + al);
                        last = &s[e + al..end];
                        continue;
                    }
                }
                break;
            } else if (rest.starts_with(' ') || rest.starts_with('\u{a0}'))
                && starts_upper(&rest[rest.chars().next().map_or(1, char::len_utf8)..])
                && MULTI_WORD_STARTERS.contains(&last)
            {
                let j = end + rest.chars().next().map_or(1, char::len_utf8);
                end = word_end(s, j);
                last = &s[j..end];
            } else if matches!(last, "L" | "D") && apostrophe_len(rest) > 0 {
                let j = end + apostrophe_len(rest);
                if starts_upper(&s[j..]) {
                    end = word_end(s, j);
                    last = &s[j..end];
                    continue;
                }
                break;
            } else {
                break;
            }
        }
        let p = &s[..end];
        if p.chars().nth(1).is_none() || NOT_PLACES.binary_search(&p).is_ok() || p.len() <= 3 && p.chars().all(char::is_uppercase) {
            return None;
        }
        Some(p)
    }

    /// "from X" only reads as a location after "I'm", "originally", "hello",
    /// a comma, or a first name opening the line ("Julie from Nantes").
    fn from_context_ok(s: &str, start: usize) -> bool {
        let lo = floor_boundary(s, start.saturating_sub(80));
        let ls = s[lo..start].rfind('\n').map_or(lo, |k| lo + k + 1);
        let before = s[ls..start].trim_end();
        if before.is_empty() || before.ends_with(',') {
            return true;
        }
        let last = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
        if ["i'm", "i’m", "im", "am", "originally", "coming", "come", "comes", "hailing", "writing", "greetings", "hello", "hi", "hey", "here", "based", "live", "salutations"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(last))
        {
            return true;
        }
        // a lone capitalised first name at the start of the line
        !before.contains(char::is_whitespace) && starts_upper(before) && before.chars().all(char::is_alphabetic)
    }


    fn location(s: &str, start: usize, end: usize, prep: Prep) -> Option<&str> {
        if s[..start].chars().next_back().is_some_and(is_word_char) {
            return None;
        }
        let hi = ceil_boundary(s, end + 64);
        let mut p = end;
        let fr: &[&str] = &["à", "a", "sur", "en", "au", "dans"];
        let ok = match prep {
            Prep::None => from_context_ok(s, start),
            Prep::Colon => match tok_after(s, p, hi) {
                Some((_, e, T::Punct(':' | '-' | '–'))) => {
                    p = e;
                    true
                }
                _ => false,
            },
            _ => {
                let t = tok_after(s, p, hi)?;
                let w = |l: &[&str]| word_in(s, t, l);
                let two = |a: &str, b2: &str| -> Option<usize> {
                    if word_in(s, t, &[a]) {
                        let u = tok_after(s, t.1, hi)?;
                        if word_in(s, u, &[b2]) {
                            return Some(u.1);
                        }
                    }
                    None
                };
                let single = match prep {
                    Prep::Fr => w(fr),
                    Prep::FrEn => w(fr) || w(&["in", "at", "near"]),
                    Prep::En => w(&["in", "at", "near"]),
                    Prep::In => w(&["in"]),
                    Prep::Reside => w(&["à", "a", "en", "in", "sur", "au"]),
                    Prep::De => w(&["de"]),
                    _ => false,
                };
                if single {
                    p = t.1;
                    true
                } else if let Some(e) = two("out", "of").filter(|_| matches!(prep, Prep::En | Prep::FrEn)).or_else(|| two("près", "de").filter(|_| prep == Prep::FrEn)) {
                    p = e;
                    true
                } else {
                    false
                }
            }
        };
        if !ok {
            return None;
        }
        let mut q = p + s[p..].len() - s[p..].trim_start_matches(is_blank).len();
        if let Some(t) = tok_after(s, q, hi) {
            if word_in(s, t, &["the"]) {
                q = t.1 + s[t.1..].len() - s[t.1..].trim_start_matches(is_blank).len();
            }
        }
        if q == p && prep != Prep::Colon {
            return None; // the cue must be followed by a blank
        }
        place(&s[q..])
    }

    /// An obfuscated address whose at-token starts at `start`: the local
    /// part right before it, then `[at]`/`(at)`/`{at}`/`[@]`/`[arobase]`
    /// (or a spaced ` at `/` arobase `), then labels joined by `.`,
    /// `[dot]`, `(point)`, … or spaced ` dot `/` point `.
    fn obfuscated(s: &str, start: usize, bracket: bool, out: &mut Vec<(usize, String)>) {
        let b = s.as_bytes();
        let n = b.len();
        let local_byte = |x: u8| x.is_ascii_alphanumeric() || matches!(x, b'.' | b'_' | b'%' | b'+' | b'-');
        let blanks = |mut p: usize| {
            while p < n && (b[p] == b' ' || b[p] == b'\t') {
                p += 1;
            }
            p
        };
        let word = |p: usize, w: &str| {
            p + w.len() <= n && b[p..p + w.len()].eq_ignore_ascii_case(w.as_bytes()) && !b.get(p + w.len()).is_some_and(u8::is_ascii_alphanumeric)
        };
        let close_of = |x: u8| match x {
            b'[' => Some(b']'),
            b'(' => Some(b')'),
            b'{' => Some(b'}'),
            _ => None,
        };
        // local part
        let mut j = start;
        while j > 0 && matches!(b[j - 1], b' ' | b'\t' | b'[' | b'(' | b'{') {
            j -= 1;
        }
        let le = j;
        while j > 0 && le - j < 64 && local_byte(b[j - 1]) {
            j -= 1;
        }
        while j < le && !b[j].is_ascii_alphanumeric() {
            j += 1;
        }
        if j == le || s[..j].ends_with(['\'', '’']) || (j > 0 && local_byte(b[j - 1])) {
            return;
        }
        // at-token
        let mut p = blanks(le);
        let mut arobase = false;
        if bracket {
            let Some(close) = b.get(p).and_then(|&x| close_of(x)) else { return };
            let q = blanks(p + 1);
            let q2 = if b.get(q) == Some(&b'@') {
                q + 1
            } else if word(q, "at") {
                q + 2
            } else if word(q, "arobase") {
                q + 7
            } else {
                return;
            };
            let q3 = blanks(q2);
            if b.get(q3) != Some(&close) {
                return;
            }
            p = q3 + 1;
        } else {
            if p == le {
                return;
            }
            let l = if word(p, "at") {
                2
            } else if word(p, "arobase") {
                arobase = true;
                7
            } else {
                return;
            };
            let q = blanks(p + l);
            if q == p + l {
                return;
            }
            p = q;
        }
        if !(le <= start && start < p) {
            return;
        }
        if bracket {
            p = blanks(p);
        }
        // labels
        let label_end = |p: usize| {
            if p < n && b[p].is_ascii_alphanumeric() {
                let mut e = p + 1;
                while e < n && (b[e].is_ascii_alphanumeric() || b[e] == b'-') {
                    e += 1;
                }
                Some(e)
            } else {
                None
            }
        };
        let mut labels = [(0usize, 0usize); 5];
        let mut k = 0;
        while let Some(e) = label_end(p) {
            labels[k] = (p, e);
            k += 1;
            if k == labels.len() {
                break;
            }
            let q = blanks(e);
            // a full stop after a label, then a blank and a capital, ends the
            // sentence, not the domain ("x [at] exemple [dot] fr. Dispo")
            let stop = q == e && b.get(q) == Some(&b'.') && b.get(q + 1).is_some_and(|&x| x == b' ' || x == b'\t') && b.get(blanks(q + 1)).is_some_and(u8::is_ascii_uppercase);
            let next = if stop {
                None
            } else if b.get(q) == Some(&b'.') && (bracket || (arobase && q == e)) {
                Some(if bracket { blanks(q + 1) } else { q + 1 })
            } else if let (true, Some(close)) = (bracket, b.get(q).and_then(|&x| close_of(x))) {
                let r = blanks(q + 1);
                let r2 = if b.get(r) == Some(&b'.') {
                    r + 1
                } else if word(r, "dot") {
                    r + 3
                } else if word(r, "point") {
                    r + 5
                } else {
                    break;
                };
                let r3 = blanks(r2);
                if b.get(r3) != Some(&close) {
                    break;
                }
                Some(blanks(r3 + 1))
            } else if q > e && (word(q, "dot") || word(q, "point")) {
                let a = q + if word(q, "dot") { 3 } else { 5 };
                let r = blanks(a);
                (r > a).then_some(r)
            } else {
                None
            };
            match next {
                Some(r) if label_end(r).is_some() => p = r,
                _ => break,
            }
        }
        // the longest run of labels that makes a valid domain: a word after a
        // full stop ("… [dot] fr.merci") is the text going on, not a label
        let mut d = String::new();
        while k >= 2 {
            d.clear();
            for (idx, &(a, e)) in labels[..k].iter().enumerate() {
                if idx > 0 {
                    d.push('.');
                }
                d.push_str(&s[a..e]);
            }
            d.make_ascii_lowercase();
            if emails::valid_domain(&d) {
                break;
            }
            k -= 1;
        }
        if k < 2 {
            return;
        }
        let mut e = s[j..le].to_ascii_lowercase();
        if !emails::valid_local(&e) {
            return;
        }
        e.push('@');
        e.push_str(&d);
        if !out.iter().any(|x| x.1 == e) {
            out.push((j, e));
        }
    }
}

/// twitter-text 0.3.1 TLD list (from its tlds.rs), sorted by bytes for binary search.
static TLDS: &[&str] = &[
    "aaa", "aarp", "abarth", "abb", "abbott", "abbvie", "abc", "able", "abogado", "abudhabi", "ac",
    "academy", "accenture", "accountant", "accountants", "aco", "active", "actor", "ad", "adac",
    "ads", "adult", "ae", "aeg", "aero", "aetna", "af", "afamilycompany", "afl", "africa", "ag",
    "agakhan", "agency", "ai", "aig", "aigo", "airbus", "airforce", "airtel", "akdn", "al",
    "alfaromeo", "alibaba", "alipay", "allfinanz", "allstate", "ally", "alsace", "alstom", "am",
    "amazon", "americanexpress", "americanfamily", "amex", "amfam", "amica", "amsterdam", "an",
    "analytics", "android", "anquan", "anz", "ao", "aol", "apartments", "app", "apple", "aq",
    "aquarelle", "ar", "arab", "aramco", "archi", "army", "arpa", "art", "arte", "as", "asda",
    "asia", "associates", "at", "athleta", "attorney", "au", "auction", "audi", "audible", "audio",
    "auspost", "author", "auto", "autos", "avianca", "aw", "aws", "ax", "axa", "az", "azure", "ba",
    "baby", "baidu", "banamex", "bananarepublic", "band", "bank", "bar", "barcelona",
    "barclaycard", "barclays", "barefoot", "bargains", "baseball", "basketball", "bauhaus",
    "bayern", "bb", "bbc", "bbt", "bbva", "bcg", "bcn", "bd", "be", "beats", "beauty", "beer",
    "bentley", "berlin", "best", "bestbuy", "bet", "bf", "bg", "bh", "bharti", "bi", "bible",
    "bid", "bike", "bing", "bingo", "bio", "biz", "bj", "bl", "black", "blackfriday", "blanco",
    "blockbuster", "blog", "bloomberg", "blue", "bm", "bms", "bmw", "bn", "bnl", "bnpparibas",
    "bo", "boats", "boehringer", "bofa", "bom", "bond", "boo", "book", "booking", "boots", "bosch",
    "bostik", "boston", "bot", "boutique", "box", "bq", "br", "bradesco", "bridgestone",
    "broadway", "broker", "brother", "brussels", "bs", "bt", "budapest", "bugatti", "build",
    "builders", "business", "buy", "buzz", "bv", "bw", "by", "bz", "bzh", "ca", "cab", "cafe",
    "cal", "call", "calvinklein", "cam", "camera", "camp", "cancerresearch", "canon", "capetown",
    "capital", "capitalone", "car", "caravan", "cards", "care", "career", "careers", "cars",
    "cartier", "casa", "case", "caseih", "cash", "casino", "cat", "catering", "catholic", "cba",
    "cbn", "cbre", "cbs", "cc", "cd", "ceb", "center", "ceo", "cern", "cf", "cfa", "cfd", "cg",
    "ch", "chanel", "channel", "charity", "chase", "chat", "cheap", "chintai", "chloe",
    "christmas", "chrome", "chrysler", "church", "ci", "cipriani", "circle", "cisco", "citadel",
    "citi", "citic", "city", "cityeats", "ck", "cl", "claims", "cleaning", "click", "clinic",
    "clinique", "clothing", "cloud", "club", "clubmed", "cm", "cn", "co", "coach", "codes",
    "coffee", "college", "cologne", "com", "comcast", "commbank", "community", "company",
    "compare", "computer", "comsec", "condos", "construction", "consulting", "contact",
    "contractors", "cooking", "cookingchannel", "cool", "coop", "corsica", "country", "coupon",
    "coupons", "courses", "cpa", "cr", "credit", "creditcard", "creditunion", "cricket", "crown",
    "crs", "cruise", "cruises", "csc", "cu", "cuisinella", "cv", "cw", "cx", "cy", "cymru", "cyou",
    "cz", "dabur", "dad", "dance", "data", "date", "dating", "datsun", "day", "dclk", "dds", "de",
    "deal", "dealer", "deals", "degree", "delivery", "dell", "deloitte", "delta", "democrat",
    "dental", "dentist", "desi", "design", "dev", "dhl", "diamonds", "diet", "digital", "direct",
    "directory", "discount", "discover", "dish", "diy", "dj", "dk", "dm", "dnp", "do", "docs",
    "doctor", "dodge", "dog", "doha", "domains", "doosan", "dot", "download", "drive", "dtv",
    "dubai", "duck", "dunlop", "duns", "dupont", "durban", "dvag", "dvr", "dz", "earth", "eat",
    "ec", "eco", "edeka", "edu", "education", "ee", "eg", "eh", "email", "emerck", "energy",
    "engineer", "engineering", "enterprises", "epost", "epson", "equipment", "er", "ericsson",
    "erni", "es", "esq", "estate", "esurance", "et", "etisalat", "eu", "eurovision", "eus",
    "events", "everbank", "exchange", "expert", "exposed", "express", "extraspace", "fage", "fail",
    "fairwinds", "faith", "family", "fan", "fans", "farm", "farmers", "fashion", "fast", "fedex",
    "feedback", "ferrari", "ferrero", "fi", "fiat", "fidelity", "fido", "film", "final", "finance",
    "financial", "fire", "firestone", "firmdale", "fish", "fishing", "fit", "fitness", "fj", "fk",
    "flickr", "flights", "flir", "florist", "flowers", "flsmidth", "fly", "fm", "fo", "foo",
    "food", "foodnetwork", "football", "ford", "forex", "forsale", "forum", "foundation", "fox",
    "fr", "free", "fresenius", "frl", "frogans", "frontdoor", "frontier", "ftr", "fujitsu",
    "fujixerox", "fun", "fund", "furniture", "futbol", "fyi", "ga", "gal", "gallery", "gallo",
    "gallup", "game", "games", "gap", "garden", "gay", "gb", "gbiz", "gd", "gdn", "ge", "gea",
    "gent", "genting", "george", "gf", "gg", "ggee", "gh", "gi", "gift", "gifts", "gives",
    "giving", "gl", "glade", "glass", "gle", "global", "globo", "gm", "gmail", "gmbh", "gmo",
    "gmx", "gn", "godaddy", "gold", "goldpoint", "golf", "goo", "goodhands", "goodyear", "goog",
    "google", "gop", "got", "gov", "gp", "gq", "gr", "grainger", "graphics", "gratis", "green",
    "gripe", "grocery", "group", "gs", "gt", "gu", "guardian", "gucci", "guge", "guide", "guitars",
    "guru", "gw", "gy", "hair", "hamburg", "hangout", "haus", "hbo", "hdfc", "hdfcbank", "health",
    "healthcare", "help", "helsinki", "here", "hermes", "hgtv", "hiphop", "hisamitsu", "hitachi",
    "hiv", "hk", "hkt", "hm", "hn", "hockey", "holdings", "holiday", "homedepot", "homegoods",
    "homes", "homesense", "honda", "honeywell", "horse", "hospital", "host", "hosting", "hot",
    "hoteles", "hotels", "hotmail", "house", "how", "hr", "hsbc", "ht", "htc", "hu", "hughes",
    "hyatt", "hyundai", "ibm", "icbc", "ice", "icu", "id", "ie", "ieee", "ifm", "iinet", "ikano",
    "il", "im", "imamat", "imdb", "immo", "immobilien", "in", "inc", "industries", "infiniti",
    "info", "ing", "ink", "institute", "insurance", "insure", "int", "intel", "international",
    "intuit", "investments", "io", "ipiranga", "iq", "ir", "irish", "is", "iselect", "ismaili",
    "ist", "istanbul", "it", "itau", "itv", "iveco", "iwc", "jaguar", "java", "jcb", "jcp", "je",
    "jeep", "jetzt", "jewelry", "jio", "jlc", "jll", "jm", "jmp", "jnj", "jo", "jobs", "joburg",
    "jot", "joy", "jp", "jpmorgan", "jprs", "juegos", "juniper", "kaufen", "kddi", "ke",
    "kerryhotels", "kerrylogistics", "kerryproperties", "kfh", "kg", "kh", "ki", "kia", "kids",
    "kim", "kinder", "kindle", "kitchen", "kiwi", "km", "kn", "koeln", "komatsu", "kosher", "kp",
    "kpmg", "kpn", "kr", "krd", "kred", "kuokgroup", "kw", "ky", "kyoto", "kz", "la", "lacaixa",
    "ladbrokes", "lamborghini", "lamer", "lancaster", "lancia", "lancome", "land", "landrover",
    "lanxess", "lasalle", "lat", "latino", "latrobe", "law", "lawyer", "lb", "lc", "lds", "lease",
    "leclerc", "lefrak", "legal", "lego", "lexus", "lgbt", "li", "liaison", "lidl", "life",
    "lifeinsurance", "lifestyle", "lighting", "like", "lilly", "limited", "limo", "lincoln",
    "linde", "link", "lipsy", "live", "living", "lixil", "lk", "llc", "llp", "loan", "loans",
    "locker", "locus", "loft", "lol", "london", "lotte", "lotto", "love", "lpl", "lplfinancial",
    "lr", "ls", "lt", "ltd", "ltda", "lu", "lundbeck", "lupin", "luxe", "luxury", "lv", "ly", "ma",
    "macys", "madrid", "maif", "maison", "makeup", "man", "management", "mango", "map", "market",
    "marketing", "markets", "marriott", "marshalls", "maserati", "mattel", "mba", "mc", "mcd",
    "mcdonalds", "mckinsey", "md", "me", "med", "media", "meet", "melbourne", "meme", "memorial",
    "men", "menu", "meo", "merck", "merckmsd", "metlife", "mf", "mg", "mh", "miami", "microsoft",
    "mil", "mini", "mint", "mit", "mitsubishi", "mk", "ml", "mlb", "mls", "mm", "mma", "mn", "mo",
    "mobi", "mobile", "mobily", "moda", "moe", "moi", "mom", "monash", "money", "monster",
    "montblanc", "mopar", "mormon", "mortgage", "moscow", "moto", "motorcycles", "mov", "movie",
    "movistar", "mp", "mq", "mr", "ms", "msd", "mt", "mtn", "mtpc", "mtr", "mu", "museum", "music",
    "mutual", "mutuelle", "mv", "mw", "mx", "my", "mz", "na", "nab", "nadex", "nagoya", "name",
    "nationwide", "natura", "navy", "nba", "nc", "ne", "nec", "net", "netbank", "netflix",
    "network", "neustar", "new", "newholland", "news", "next", "nextdirect", "nexus", "nf", "nfl",
    "ng", "ngo", "nhk", "ni", "nico", "nike", "nikon", "ninja", "nissan", "nissay", "nl", "no",
    "nokia", "northwesternmutual", "norton", "now", "nowruz", "nowtv", "np", "nr", "nra", "nrw",
    "ntt", "nu", "nyc", "nz", "obi", "observer", "off", "office", "okinawa", "olayan",
    "olayangroup", "oldnavy", "ollo", "om", "omega", "one", "ong", "onion", "onl", "online",
    "onyourside", "ooo", "open", "oracle", "orange", "org", "organic", "orientexpress", "origins",
    "osaka", "otsuka", "ott", "ovh", "pa", "page", "pamperedchef", "panasonic", "panerai", "paris",
    "pars", "partners", "parts", "party", "passagens", "pay", "pccw", "pe", "pet", "pf", "pfizer",
    "pg", "ph", "pharmacy", "phd", "philips", "phone", "photo", "photography", "photos", "physio",
    "piaget", "pics", "pictet", "pictures", "pid", "pin", "ping", "pink", "pioneer", "pizza", "pk",
    "pl", "place", "play", "playstation", "plumbing", "plus", "pm", "pn", "pnc", "pohl", "poker",
    "politie", "porn", "post", "pr", "pramerica", "praxi", "press", "prime", "pro", "prod",
    "productions", "prof", "progressive", "promo", "properties", "property", "protection", "pru",
    "prudential", "ps", "pt", "pub", "pw", "pwc", "py", "qa", "qpon", "quebec", "quest", "qvc",
    "racing", "radio", "raid", "re", "read", "realestate", "realtor", "realty", "recipes", "red",
    "redstone", "redumbrella", "rehab", "reise", "reisen", "reit", "reliance", "ren", "rent",
    "rentals", "repair", "report", "republican", "rest", "restaurant", "review", "reviews",
    "rexroth", "rich", "richardli", "ricoh", "rightathome", "ril", "rio", "rip", "rmit", "ro",
    "rocher", "rocks", "rodeo", "rogers", "room", "rs", "rsvp", "ru", "rugby", "ruhr", "run", "rw",
    "rwe", "ryukyu", "sa", "saarland", "safe", "safety", "sakura", "sale", "salon", "samsclub",
    "samsung", "sandvik", "sandvikcoromant", "sanofi", "sap", "sapo", "sarl", "sas", "save",
    "saxo", "sb", "sbi", "sbs", "sc", "sca", "scb", "schaeffler", "schmidt", "scholarships",
    "school", "schule", "schwarz", "science", "scjohnson", "scor", "scot", "sd", "se", "search",
    "seat", "secure", "security", "seek", "select", "sener", "services", "ses", "seven", "sew",
    "sex", "sexy", "sfr", "sg", "sh", "shangrila", "sharp", "shaw", "shell", "shia", "shiksha",
    "shoes", "shop", "shopping", "shouji", "show", "showtime", "shriram", "si", "silk", "sina",
    "singles", "site", "sj", "sk", "ski", "skin", "sky", "skype", "sl", "sling", "sm", "smart",
    "smile", "sn", "sncf", "so", "soccer", "social", "softbank", "software", "sohu", "solar",
    "solutions", "song", "sony", "soy", "spa", "space", "spiegel", "sport", "spot",
    "spreadbetting", "sr", "srl", "srt", "ss", "st", "stada", "staples", "star", "starhub",
    "statebank", "statefarm", "statoil", "stc", "stcgroup", "stockholm", "storage", "store",
    "stream", "studio", "study", "style", "su", "sucks", "supplies", "supply", "support", "surf",
    "surgery", "suzuki", "sv", "swatch", "swiftcover", "swiss", "sx", "sy", "sydney", "symantec",
    "systems", "sz", "tab", "taipei", "talk", "taobao", "target", "tatamotors", "tatar", "tattoo",
    "tax", "taxi", "tc", "tci", "td", "tdk", "team", "tech", "technology", "tel", "telecity",
    "telefonica", "temasek", "tennis", "teva", "tf", "tg", "th", "thd", "theater", "theatre",
    "tiaa", "tickets", "tienda", "tiffany", "tips", "tires", "tirol", "tj", "tjmaxx", "tjx", "tk",
    "tkmaxx", "tl", "tm", "tmall", "tn", "to", "today", "tokyo", "tools", "top", "toray",
    "toshiba", "total", "tours", "town", "toyota", "toys", "tp", "tr", "trade", "trading",
    "training", "travel", "travelchannel", "travelers", "travelersinsurance", "trust", "trv", "tt",
    "tube", "tui", "tunes", "tushu", "tv", "tvs", "tw", "tz", "ua", "ubank", "ubs", "uconnect",
    "ug", "uk", "um", "unicom", "university", "uno", "uol", "ups", "us", "uy", "uz", "va",
    "vacations", "vana", "vanguard", "vc", "ve", "vegas", "ventures", "verisign",
    "vermögensberater", "vermögensberatung", "versicherung", "vet", "vg", "vi", "viajes", "video",
    "vig", "viking", "villas", "vin", "vip", "virgin", "visa", "vision", "vista", "vistaprint",
    "viva", "vivo", "vlaanderen", "vn", "vodka", "volkswagen", "volvo", "vote", "voting", "voto",
    "voyage", "vu", "vuelos", "wales", "walmart", "walter", "wang", "wanggou", "warman", "watch",
    "watches", "weather", "weatherchannel", "web", "webcam", "weber", "website", "wed", "wedding",
    "weibo", "weir", "wf", "whoswho", "wien", "wiki", "williamhill", "win", "windows", "wine",
    "winners", "wme", "wolterskluwer", "woodside", "work", "works", "world", "wow", "ws", "wtc",
    "wtf", "xbox", "xerox", "xfinity", "xihuan", "xin", "xn--11b4c3d", "xn--1ck2e1b",
    "xn--1qqw23a", "xn--2scrj9c", "xn--30rr7y", "xn--3bst00m", "xn--3ds443g", "xn--3e0b707e",
    "xn--3hcrj9c", "xn--3oq18vl8pn36a", "xn--3pxu8k", "xn--42c2d9a", "xn--45br5cyl", "xn--45brj9c",
    "xn--45q11c", "xn--4dbrk0ce", "xn--4gbrim", "xn--54b7fta0cc", "xn--55qw42g", "xn--55qx5d",
    "xn--5su34j936bgsg", "xn--5tzm5g", "xn--6frz82g", "xn--6qq986b3xl", "xn--80adxhks",
    "xn--80ao21a", "xn--80aqecdr1a", "xn--80asehdb", "xn--80aswg", "xn--8y0a063a", "xn--90a3ac",
    "xn--90ae", "xn--90ais", "xn--9dbq2a", "xn--9et52u", "xn--9krt00a", "xn--b4w605ferd",
    "xn--bck1b9a5dre4c", "xn--c1avg", "xn--c2br7g", "xn--cck2b3b", "xn--cckwcxetd", "xn--cg4bki",
    "xn--clchc0ea0b2g2a9gcd", "xn--czr694b", "xn--czrs0t", "xn--czru2d", "xn--d1acj3b",
    "xn--d1alf", "xn--e1a4c", "xn--eckvdtc9d", "xn--efvy88h", "xn--estv75g", "xn--fct429k",
    "xn--fhbei", "xn--fiq228c5hs", "xn--fiq64b", "xn--fiqs8s", "xn--fiqz9s", "xn--fjq720a",
    "xn--flw351e", "xn--fpcrj9c3d", "xn--fzc2c9e2c", "xn--fzys8d69uvgm", "xn--g2xx48c",
    "xn--gckr3f0f", "xn--gecrj9c", "xn--gk3at1e", "xn--h2breg3eve", "xn--h2brj9c", "xn--h2brj9c8c",
    "xn--hxt814e", "xn--i1b6b1a6a2e", "xn--imr513n", "xn--io0a7i", "xn--j1aef", "xn--j1amh",
    "xn--j6w193g", "xn--jlq480n2rg", "xn--jlq61u9w7b", "xn--jvr189m", "xn--kcrx77d1x4a",
    "xn--kprw13d", "xn--kpry57d", "xn--kpu716f", "xn--kput3i", "xn--l1acc", "xn--lgbbat1ad8j",
    "xn--mgb9awbf", "xn--mgba3a3ejt", "xn--mgba3a4f16a", "xn--mgba7c0bbn0a", "xn--mgbaakc7dvf",
    "xn--mgbaam7a8h", "xn--mgbab2bd", "xn--mgbah1a3hjkrd", "xn--mgbai9azgqp6j", "xn--mgbayh7gpa",
    "xn--mgbb9fbpob", "xn--mgbbh1a", "xn--mgbbh1a71e", "xn--mgbc0a9azcg", "xn--mgbca7dzdo",
    "xn--mgbcpq6gpa1a", "xn--mgberp4a5d4ar", "xn--mgbgu82a", "xn--mgbi4ecexp", "xn--mgbpl2fh",
    "xn--mgbt3dhd", "xn--mgbtx2b", "xn--mgbx4cd0ab", "xn--mix891f", "xn--mk1bu44c", "xn--mxtq1m",
    "xn--ngbc5azd", "xn--ngbe9e0a", "xn--ngbrx", "xn--node", "xn--nqv7f", "xn--nqv7fs00ema",
    "xn--nyqy26a", "xn--o3cw4h", "xn--ogbpf8fl", "xn--otu796d", "xn--p1acf", "xn--p1ai",
    "xn--pbt977c", "xn--pgbs0dh", "xn--pssy2u", "xn--q7ce6a", "xn--q9jyb4c", "xn--qcka1pmc",
    "xn--qxa6a", "xn--qxam", "xn--rhqv96g", "xn--rovu88b", "xn--rvc1e0am3e", "xn--s9brj9c",
    "xn--ses554g", "xn--t60b56a", "xn--tckwe", "xn--tiq49xqyj", "xn--unup4y",
    "xn--vermgensberater-ctb", "xn--vermgensberatung-pwb", "xn--vhquv", "xn--vuq861b",
    "xn--w4r85el8fhu5dnra", "xn--w4rs40l", "xn--wgbh1c", "xn--wgbl6a", "xn--xhq521b",
    "xn--xkc2al3hye2a", "xn--xkc2dl3a5ee0h", "xn--y9a3aq", "xn--yfro4i67o", "xn--ygbi2ammx",
    "xn--zfr164b", "xperia", "xxx", "xyz", "yachts", "yahoo", "yamaxun", "yandex", "ye",
    "yodobashi", "yoga", "yokohama", "you", "youtube", "yt", "yun", "za", "zappos", "zara", "zero",
    "zip", "zippo", "zm", "zone", "zuerich", "zw", "ελ", "ευ", "бг", "бел", "дети", "ею",
    "католик", "ком", "мкд", "мон", "москва", "онлайн", "орг", "рус", "рф", "сайт", "срб", "укр",
    "қаз", "հայ", "ישראל", "קום", "ابوظبي", "اتصالات", "ارامكو", "الاردن", "البحرين", "الجزائر",
    "السعودية", "العليان", "المغرب", "امارات", "ایران", "بارت", "بازار", "بيتك", "بھارت", "تونس",
    "سودان", "سورية", "شبكة", "عراق", "عرب", "عمان", "فلسطين", "قطر", "كاثوليك", "كوم", "مصر",
    "مليسيا", "موبايلي", "موريتانيا", "موقع", "همراه", "پاکستان", "ڀارت", "कॉम", "नेट", "भारत",
    "भारतम्", "भारोत", "संगठन", "বাংলা", "ভারত", "ভাৰত", "ਭਾਰਤ", "ભારત", "ଭାରତ", "இந்தியா",
    "இலங்கை", "சிங்கப்பூர்", "భారత్", "ಭಾರತ", "ഭാരതം", "ලංකා", "คอม", "ไทย", "ລາວ", "გე", "みんな",
    "アマゾン", "クラウド", "グーグル", "コム", "ストア", "セール", "ファッション", "ポイント", "世界", "中信", "中国", "中國", "中文网",
    "亚马逊", "企业", "佛山", "信息", "健康", "八卦", "公司", "公益", "台湾", "台灣", "商城", "商店", "商标", "嘉里", "嘉里大酒店",
    "在线", "大众汽车", "大拿", "天主教", "娱乐", "家電", "工行", "广东", "微博", "慈善", "我爱你", "手机", "手表", "招聘", "政务",
    "政府", "新加坡", "新闻", "时尚", "書籍", "机构", "淡马锡", "游戏", "澳門", "点看", "珠宝", "移动", "组织机构", "网址", "网店",
    "网站", "网络", "联通", "诺基亚", "谷歌", "购物", "通販", "集团", "電訊盈科", "飞利浦", "食品", "餐厅", "香格里拉", "香港", "닷넷",
    "닷컴", "삼성", "한국",
];

// ---------------------------------------------------------------------------
// Seeded corpus of realistic replies (tests and benchmark)
// ---------------------------------------------------------------------------

/// A deterministic generator of realistic candidate replies (French and
/// English phrasing, links with and without scheme, e-mails, phones, emoji,
/// hashtags, mentions...). Used by the agreement test and the benchmark.
#[doc(hidden)]
pub mod corpus {
    /// SplitMix64.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Rng(seed)
        }
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n.max(1) as u64) as usize
        }
        pub fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
            xs[self.below(xs.len())]
        }
        pub fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
    }

    const FIRST: &[&str] = &["Jean", "Marie", "Léa", "Chloé", "Hugo", "Inès", "Zoé", "Élodie", "Thomas", "Sarah", "Amine", "Yasmine", "Kevin", "Julie", "Nicolas", "Camille", "Benoît", "Noémie", "Alex", "Priya", "Olivia", "James"];
    const ASCII_FIRST: &[&str] = &["jean", "marie", "lea", "chloe", "hugo", "ines", "zoe", "thomas", "sarah", "amine", "julie", "nicolas", "camille", "olivia", "james"];
    const LAST: &[&str] = &["dupont", "martin", "durand", "moreau", "lefebvre", "garcia", "nguyen", "bernard", "petit", "roux", "smith", "johnson"];
    const USER: &[&str] = &["jdupont", "marie-dev", "hugo42", "lea_codes", "tmartin", "sarah.n", "alexdev", "camille-b", "kevin", "jnguyen", "olivia", "h4ck3r"];
    const CITY: &[&str] = &["Paris", "Lyon", "Marseille", "Nantes", "Bordeaux", "Lille", "Toulouse", "Montréal", "Aix-en-Provence", "Saint-Étienne", "Le Mans", "Clermont-Ferrand", "Berlin", "London", "New York", "San Francisco", "Bruxelles", "Genève", "Villeneuve-d'Ascq", "La Rochelle", "Rennes"];
    const TECH: &[&str] = &["Rust", "Python", "Java", "React", "Go", "Kotlin", "DevOps", "data", "C++", "TypeScript", "SQL"];
    const TAG: &[&str] = &["#développeur", "#Rust", "#rustlang", "#OpenToWork", "#remote", "#télétravail", "#2024", "#100DaysOfCode", "#c++", "#open_source", "#ÉcoleNumérique", "#DevOps", "#IA", "#Tech👩‍💻", "#job!", "##double", "#1erEmploi", "#日本語", "#café", "#data_science", "#node.js", "#Recrutement", "C#", "&#39;", "#️⃣", "#_", "#x_1", "#Été2024", "＃全角"];
    const MENTION: &[&str] = &["@jean_dupont", "@marie", "@hirecast", "@bob", "@_x_", "@a", "@verylongusernamethatexceeds20", "@dev-ops", "@léa", "@j0hn", "@alice@mastodon.social", "@bob@piaille.fr", "@dev@fosstodon.org", "@x@hachyderm.io", "@hirecast/recrutement", "@ bob", "RT @recruteur:", "@Marie_RH", "＠zenkaku", "@user.name"];
    const EMOJI: &[&str] = &["🙂", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🇫🇷", "❤️", "1️⃣", "🏳️‍🌈", "✨", "🚀", "😅", "🙏", "💼", "👋", "🤝", "©", "☕"];
    const HOST_PATH: &[&str] = &[
        "drive.google.com/file/d/1AbCdEfGhIjK/view?usp=sharing", "drive.google.com/open?id=1XyZ", "docs.google.com/document/d/1QwErTy/edit",
        "www.dropbox.com/s/a1b2c3/CV_{F}.pdf?dl=0", "dropbox.com/scl/fi/zz9/cv.docx?rlkey=abc&dl=0", "1drv.ms/b/s!AkLmN0p", "onedrive.live.com/?cid=ABC123&id=XYZ",
        "{u}-my.sharepoint.com/:b:/g/personal/{u}/EAbc", "github.com/{u}", "github.com/{u}/portfolio", "gist.github.com/{u}/8f3a9c", "gist.github.com/{u}/8f3a9c#file-resume-json",
        "linkedin.com/in/{u}", "fr.linkedin.com/in/{u}/", "www.linkedin.com/in/{u}?originalSubdomain=fr", "linkedin.com/company/hirecast", "registry.jsonresume.org/{u}",
        "{u}.github.io", "{u}.github.io/resume.json", "{u}.dev", "{u}.fr/cv.pdf", "www.{u}.com/portfolio", "{u}.me/#contact", "hirecast.fr/jobs/123", "hello.io",
        "en.wikipedia.org/wiki/Rust_(programming_language)", "fr.wikipedia.org/wiki/Lyon_(ville)", "x.com/{u}", "twitter.com/{u}/status/1789", "t.co/AbC123xyz",
        "bsky.app/profile/{u}.bsky.social", "mastodon.social/@{u}", "youtube.com/watch?v=dQw4w9WgXcQ", "youtu.be/dQw4w9", "example.co.uk/path/to/page.html",
        "café.fr", "exemple.org/a-propos#contact", "localhost:8080/test", "foo.notatld/x", "192.168.0.1/admin", "site.com:8443/x", "{u}.fr/cv.pdf?v=2",
        "calendly.com/{u}/30min", "bit.ly/3xYz", "{u}.notion.site/CV-3f2a", "jean.dev/blog/2024/01/hello-world", "www.exemple.com", "WWW.Exemple.COM/Path",
        "xn--caf-dma.fr", "mon-site.fr/CV.PDF", "portfolio.{u}.design", "{u}.io/projects?tag=rust&sort=new", "sub_domain.example.com", "example.com/path_(with)_parens",
        "example.com/a(b", "ex-ample.com-foo", "huggingface.co/{u}", "hub.docker.com/u/{u}", "gitlab.com/{u}", "medium.com/@{u}", "{u}.substack.com/p/hello",
        "stackoverflow.com/users/123/{u}", "kaggle.com/{u}", "behance.net/{u}", "t.co", "example.fr/cv.pdf", "drive.google.com/drive/folders/1Zz", "malt.fr/profile/{u}",
        "welcometothejungle.com/fr/companies/x", "exemple.fr/page?q=a+b&x=(1)", "exemple.fr/wiki/Foo_(bar)_(baz)", "docs.rs/regex/1.10.0/regex/", "crates.io/crates/{u}",
        "www.youtube.com/@{u}", "{u}.blogspot.com", "news.ycombinator.com/item?id=1", "my.site.com.au/x", "example.com/%20path", "exemple.fr/chemin/é", "müller.de",
    ];
    const SCHEME: &[&str] = &["", "", "", "", "https://", "https://", "https://", "http://", "HTTPS://", "Https://", "https://www."];
    const QUERY: &[&str] = &["", "", "", "", "?utm_source=linkedin&utm_medium=dm", "#cv", "?lang=fr", "/", "?ref=hirecast#top"];
    const OPEN: &[&str] = &["", "", "", "", "(", "[", "« ", "\"", "<", "→ ", ": ", "“"];
    const CLOSE: &[&str] = &["", "", "", "", ".", ",", "!", "?", ")", "…", "...", ":", ";", " »", "\"", ">", ").", "!!", "?!", "”", "'"];
    const MAIL_DOMAIN: &[&str] = &["gmail.com", "outlook.fr", "proton.me", "orange.fr", "free.fr", "exemple.fr", "hirecast.io", "yahoo.co.uk", "laposte.net"];
    const PHONE: &[&str] = &["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", "+44 20 7946 0958", "+1 (415) 555-2671", "07-81-23-45-67", "+33612345678", "01 23 45 67 89", "+41 79 123 45 67", "+49 30 1234567"];
    const NOISE: &[&str] = &["45 000 €", "45k€", "entre 40 et 45 K€", "12/03/2024", "2024-03-12", "depuis 2019", "75011 Paris", "commande n° 0612345678", "SIRET 123 456 789 00012", "v1.2.3", "3.5/5", "10h30", "$AAPL", "$10", "a@b", "foo@@bar.com", "x.y", "e.g.", "i.e.", "etc.", "N.B.", "3,5 ans", "25 ans", "2 x 3", "www.", "http://", "https:// example.com", "mailto:", "tel:+33612345678", "…", "—", "1/2", "100%", "™", "ça va ?", "J'ai 25 ans", "l'IA", "a.k.a.", "Node.js", "ASP.NET", "U.S.A."];
    const LANG_FR: &[&str] = &["anglais", "espagnol", "allemand", "italien", "portugais", "arabe", "chinois", "japonais", "russe", "néerlandais", "polonais", "turc", "coréen"];
    const LANG_EN: &[&str] = &["English", "Spanish", "German", "Italian", "Portuguese", "Arabic", "Chinese", "Japanese", "Russian", "Dutch", "Polish", "Turkish", "Korean"];
    const LEVEL: &[&str] = &["C1", "B2", "courant", "natif", "bilingue", "notions", "niveau B1", "native", "fluent", "intermediate"];

    fn fill(rng: &mut Rng, t: &str) -> String {
        let u = rng.pick(USER).to_string();
        let f = rng.pick(FIRST).to_string();
        t.replace("{u}", &u).replace("{F}", &f)
    }

    pub fn url(rng: &mut Rng) -> String {
        let t = rng_pick(rng, HOST_PATH);
        let hp = fill(rng, t);
        let mut sch = rng.pick(SCHEME);
        if sch.ends_with("www.") && hp.starts_with("www.") {
            sch = "https://";
        }
        let q = if hp.contains('?') || hp.contains('#') { "" } else { rng.pick(QUERY) };
        format!("{}{}{}", sch, hp, q)
    }

    fn rng_pick(rng: &mut Rng, xs: &'static [&'static str]) -> &'static str {
        xs[rng.below(xs.len())]
    }

    pub fn wrapped_url(rng: &mut Rng) -> String {
        let o = rng.pick(OPEN);
        let c = rng.pick(CLOSE);
        let u = url(rng);
        format!("{o}{u}{c}")
    }

    pub fn email(rng: &mut Rng) -> String {
        let f = rng.pick(ASCII_FIRST);
        let l = rng.pick(LAST);
        let d = rng.pick(MAIL_DOMAIN);
        let (base, tld) = d.rsplit_once('.').unwrap_or((d, "fr"));
        match rng.below(11) {
            0 => format!("{f}.{l}@{d}"),
            1 => format!("{l}{}@{d}", rng.below(100)),
            2 => format!("contact@{l}.fr"),
            3 => format!("{f}_{l}@{d}"),
            4 => format!("{f}+jobs@{d}"),
            5 => format!("{f} [at] {base} [dot] {tld}"),
            6 => format!("{f} (at) {base} (dot) {tld}"),
            7 => format!("{f} at {base} dot {tld}"),
            8 => format!("{f} [arobase] {base} [point] {tld}"),
            9 => format!("{f}[at]{d}"),
            _ => format!("{}.{l}@{d}", f.to_uppercase()),
        }
    }

    pub fn phone(rng: &mut Rng) -> String {
        if rng.chance(30) {
            // random French mobile
            let d: Vec<String> = (0..4).map(|_| format!("{:02}", rng.below(100))).collect();
            format!("0{} {}", 6 + rng.below(2), d.join(" "))
        } else {
            rng.pick(PHONE).to_string()
        }
    }

    fn sentence(rng: &mut Rng) -> String {
        let city = rng.pick(CITY);
        let n = 1 + rng.below(20);
        let tech = rng.pick(TECH);
        let lf = rng.pick(LANG_FR);
        let le = rng.pick(LANG_EN);
        let lvl = rng.pick(LEVEL);
        let tag = rng.pick(TAG);
        let emo = rng.pick(EMOJI);
        let men = rng.pick(MENTION);
        match rng.below(40) {
            0 => format!("Bonjour, voici mon CV : {}", wrapped_url(rng)),
            1 => format!("Mon portfolio : {} {emo}", wrapped_url(rng)),
            2 => format!("Vous pouvez me joindre au {} ou par mail ({}).", phone(rng), email(rng)),
            3 => format!("Je suis basée à {city} et je parle {lf} et {}.", rng.pick(LANG_FR)),
            4 => format!("J'ai {n} ans d'expérience en {tech} {tag}"),
            5 => format!("Dispo dès lundi\u{202f}! {emo}"),
            6 => format!("Mon GitHub : {}, mon LinkedIn ({}).", url(rng), url(rng)),
            7 => format!("Contact : {}", email(rng)),
            8 => format!("cc {men} {}", rng.pick(MENTION)),
            9 => format!("Langues : français, {lf} ({lvl})"),
            10 => format!("Je suis sur {city} depuis 2019."),
            11 => format!("Prétentions : {}.", rng.pick(NOISE)),
            12 => format!("RT {men} super offre {tag} {}", rng.pick(TAG)),
            13 => format!("Merci {men} pour le partage ! {emo}{}", rng.pick(EMOJI)),
            14 => format!("Mon numéro : {}. Mon site : {}", phone(rng), wrapped_url(rng)),
            15 => format!("Bilingue anglais, {n}+ ans d'XP {tag}"),
            16 => format!("Hi! Here is my resume: {}", wrapped_url(rng)),
            17 => format!("I'm based in {city}, fluent in {le}."),
            18 => format!("{n}+ years of experience in {tech}. Portfolio: {}", wrapped_url(rng)),
            19 => format!("Reach me at {} or {}", email(rng), phone(rng)),
            20 => format!("Located in {city} — happy to relocate {emo}"),
            21 => format!("{le} ({lvl}), French (native)"),
            22 => format!("Thanks {men}! {tag} {}", rng.pick(TAG)),
            23 => format!("My CV is on Drive ({}) and my code on {}.", url(rng), url(rng)),
            24 => format!("Cheers from {city} {emo}"),
            25 => format!("Salary expectations: {}", rng.pick(NOISE)),
            26 => format!("よろしくお願いします。{}", url(rng)),
            27 => format!("Merci\u{a0}: {}", wrapped_url(rng)),
            28 => format!("{} {} {}", rng.pick(NOISE), rng.pick(NOISE), rng.pick(NOISE)),
            29 => format!("(voir {}){}", url(rng), rng.pick(CLOSE)),
            30 => format!("{},{}", url(rng), url(rng)),
            31 => format!("{}{emo} {tag}{emo}", email(rng)),
            32 => format!("{n} years experience with {tech}, {} ans d'expérience au total.", n + 1),
            33 => format!("Une dizaine d'années d'expérience, je vis à {city} 🇫🇷"),
            34 => format!("Je parle {lf} couramment {emo} et un peu de {}.", rng.pick(LANG_FR)),
            35 => format!("{} — {}", rng.pick(FIRST), wrapped_url(rng)),
            36 => format!("Tel\u{a0}: {} / mail : {}", phone(rng), email(rng)),
            37 => format!("{men}{tag} {}{}", rng.pick(TAG), rng.pick(CLOSE)),
            38 => format!("Réf. {} — {}", rng.pick(NOISE), wrapped_url(rng)),
            _ => format!("{} from {city}, {n} yrs exp, {tag}", rng.pick(FIRST)),
        }
    }

    const PROSE: &[&str] = &[
        "Merci beaucoup pour votre message, le poste m'intéresse vraiment.",
        "Je suis actuellement en poste mais ouvert à de nouvelles opportunités.",
        "Je serais ravi d'échanger avec vous cette semaine si vous êtes disponible.",
        "Le projet a l'air passionnant et correspond bien à ce que je recherche.",
        "Pourriez-vous m'en dire plus sur l'équipe et la stack technique ?",
        "Je préfère un poste en télétravail partiel, deux jours sur site me conviennent.",
        "Je reste à votre disposition pour un premier appel.",
        "Mon préavis est de trois mois, négociable.",
        "J'ai bien reçu votre offre et je la trouve très intéressante !",
        "Je ne suis pas disponible avant la rentrée, désolée.",
        "Thanks a lot for reaching out, this role sounds really interesting.",
        "I'm currently employed but open to new opportunities.",
        "Happy to have a quick call this week if that works for you.",
        "Could you share more details about the team and the tech stack?",
        "I'm mostly looking for remote or hybrid positions.",
        "My notice period is one month.",
        "Looking forward to hearing from you!",
        "Not looking right now, but feel free to keep me in mind 🙂",
    ];

    /// One reply: an optional greeting, 1–3 sentences with entities mixed
    /// with 0–2 sentences of plain prose, an optional closing.
    pub fn reply(rng: &mut Rng) -> String {
        const HELLO: &[&str] = &["", "", "Bonjour,", "Salut !", "Hello,", "Hi,", "Bonjour Madame,", "Hey 👋", "Merci pour votre message.", "Thanks for reaching out."];
        const BYE: &[&str] = &["", "", "", "Cordialement,", "Bonne journée !", "Best,", "Merci !", "À bientôt 🙂", "Cheers"];
        let mut s = String::new();
        let h = rng.pick(HELLO);
        if !h.is_empty() {
            s.push_str(h);
            s.push(if rng.chance(30) { '\n' } else { ' ' });
        }
        // 1–2 sentences with entities and 0–2 of plain prose, in random order
        let mut kinds = [true, false, false, false];
        let k = 1 + rng.below(2);
        let p = rng.below(3);
        for slot in kinds.iter_mut().take(k) {
            *slot = true;
        }
        let total = k + p;
        for i in (1..total).rev() {
            kinds.swap(i, rng.below(i + 1));
        }
        for (i, &content) in kinds[..total].iter().enumerate() {
            if i > 0 {
                s.push(if rng.chance(25) { '\n' } else { ' ' });
            }
            if content {
                s.push_str(&sentence(rng));
            } else {
                s.push_str(rng.pick(PROSE));
            }
        }
        let b = rng.pick(BYE);
        if !b.is_empty() {
            s.push('\n');
            s.push_str(b);
            if rng.chance(50) {
                s.push(' ');
                s.push_str(rng.pick(FIRST));
            }
        }
        s
    }

    /// `n` replies from `seed`.
    pub fn replies(n: usize, seed: u64) -> Vec<String> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| reply(&mut rng)).collect()
    }

    /// Replies with no '.', '@', '#', ':' or digit (the cheapest case).
    pub fn plain_replies(n: usize, seed: u64) -> Vec<String> {
        const W: &[&str] = &["bonjour", "merci", "pour", "votre", "message", "je", "suis", "très", "intéressée", "par", "le", "poste", "et", "disponible", "rapidement", "hello", "thanks", "for", "the", "offer", "I", "would", "love", "to", "chat", "🙂", "!", ",", "à", "bientôt", "cordialement", "équipe", "super", "projet"];
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let k = 20 + rng.below(25);
                let v: Vec<&str> = (0..k).map(|_| rng.pick(W)).collect();
                v.join(" ")
            })
            .collect()
    }

    /// Random "soup" from a tricky alphabet (URL, mention and hashtag edge cases).
    pub fn soup(n: usize, seed: u64) -> Vec<String> {
        const A: &[&str] = &[
            "a", "b", "h", "x", "e", "é", "É", "ß", "0", "1", "9", ".", ".", ".", ",", ":", "/", "//", "://", "@", "@", "#", "#", "$", "-", "_", "(", ")", "[", "]",
            "?", "!", "&", "=", "+", "%", "~", "'", "\"", " ", " ", " ", "\n", "\u{a0}", "\u{3000}", "com", "fr", "co", "io", "dev", "org", "uk", "xn--", "t.co",
            "http://", "https://", "www.", "google", "ex", "ample", "日本", "みんな", "рф", "м", "🙂", "👩\u{200d}💻", "\u{fe0f}", "\u{20e3}", "\u{200d}", "–", "…",
            "RT", "rt", "＠", "＃", "\u{feff}", "\u{b}", "\t", "é1", "zé", "a-b", "a_b", "1.2.3.4", "[::1]", ":8080", "?q=", "#f", "%20", "%zz", "user:pw@",
        ];
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let k = 1 + rng.below(30);
                (0..k).map(|_| rng.pick(A)).collect::<String>()
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use twitter_text::entity::Type;
    use twitter_text::extractor::{Extract, Extractor};
    use twitter_text_parser::twitter_text::Rule;

    /// (type, value, byte start, byte end)
    type Row = (&'static str, String, usize, usize);

    fn quiet_twitter_text_panics() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let default = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let from_tt = info.location().is_some_and(|l| l.file().contains("twitter-text-0.3") || l.file().contains("twitter_text"));
                if !from_tt {
                    default(info);
                }
            }));
        });
    }

    fn utf16_to_byte(s: &str) -> Vec<usize> {
        let mut m = Vec::with_capacity(s.len() + 1);
        for (i, c) in s.char_indices() {
            for _ in 0..c.len_utf16() {
                m.push(i);
            }
        }
        m.push(s.len());
        m
    }

    fn tt_rows(s: &str, ents: &[twitter_text::entity::Entity]) -> Vec<Row> {
        let m = utf16_to_byte(s);
        ents.iter()
            .map(|e| {
                let t = match e.get_type() {
                    Type::URL => "url",
                    Type::HASHTAG => "hashtag",
                    Type::MENTION => "mention",
                    Type::CASHTAG => "cashtag",
                    Type::FEDERATEDMENTION => "federated",
                };
                let mut v = e.get_value().to_string();
                if t == "federated" {
                    v = v.chars().skip(1).collect();
                }
                (t, v, m[e.get_start() as usize], m[e.get_end() as usize])
            })
            .collect()
    }

    /// twitter-text with URLs with and without protocol, hashtags, cashtags,
    /// usernames, lists and federated mentions; `None` if it panics.
    fn oracle(s: &str) -> Option<Vec<Row>> {
        let r = std::panic::catch_unwind(|| {
            let ex = Extractor::new();
            let e = ex.extract(s, |r| {
                matches!(r, Rule::url | Rule::url_without_protocol | Rule::hashtag | Rule::cashtag | Rule::username | Rule::list | Rule::federated_mention)
            });
            tt_rows(s, &e)
        });
        r.ok()
    }

    /// twitter-text's own `extract_entities_with_indices`.
    fn plain_oracle(s: &str) -> Option<Vec<Row>> {
        std::panic::catch_unwind(|| tt_rows(s, &Extractor::new().extract_entities_with_indices(s))).ok()
    }

    fn ours(s: &str) -> Vec<Row> {
        scan_entities(s)
            .into_iter()
            .map(|e| {
                let t = match e.kind {
                    EntityKind::Url => "url",
                    EntityKind::Hashtag => "hashtag",
                    EntityKind::Mention | EntityKind::ListMention => "mention",
                    EntityKind::Cashtag => "cashtag",
                    EntityKind::FederatedMention => "federated",
                };
                (t, e.value.as_str(s).to_string(), e.span.start, e.span.end)
            })
            .collect()
    }

    /// Compares on every text; returns (compared, skipped because twitter-text panicked).
    fn check_agreement(texts: &[String]) -> (usize, usize) {
        quiet_twitter_text_panics();
        let mut bad = Vec::new();
        let mut skipped = 0;
        let mut n = 0;
        for s in texts {
            let Some(want) = oracle(s) else {
                skipped += 1;
                continue;
            };
            n += 1;
            let got = ours(s);
            if got != want {
                bad.push(format!("{s:?}\n  twitter-text: {want:?}\n  ours:         {got:?}"));
                continue;
            }
            // the public Extracted agrees too
            let x = extract(s);
            let urls: Vec<(String, usize, usize)> = want.iter().filter(|r| r.0 == "url").map(|r| (r.1.clone(), r.2, r.3)).collect();
            let xurls: Vec<(String, usize, usize)> = x.urls.iter().map(|u| (u.url.clone(), u.span.start, u.span.end)).collect();
            let tags: Vec<String> = want.iter().filter(|r| r.0 == "hashtag").map(|r| r.1.clone()).collect();
            let mens: Vec<String> = want.iter().filter(|r| r.0 == "mention" || r.0 == "federated").map(|r| r.1.clone()).collect();
            assert_eq!(xurls, urls, "{s:?}");
            assert_eq!(x.hashtags, tags, "{s:?}");
            assert_eq!(x.mentions, mens, "{s:?}");
            // and twitter-text's extract_entities_with_indices is ours minus
            // protocol-less URLs and federated mentions
            if let Some(plain) = plain_oracle(s) {
                let sub: Vec<Row> = got
                    .iter()
                    .filter(|r| {
                        let b = r.1.as_bytes();
                        let schemed = (b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"http://"))
                            || (b.len() >= 8 && b[..8].eq_ignore_ascii_case(b"https://"));
                        r.0 != "federated" && (r.0 != "url" || schemed)
                    })
                    .cloned()
                    .collect();
                if plain != sub {
                    bad.push(format!("[plain] {s:?}\n  twitter-text: {plain:?}\n  ours:         {sub:?}"));
                }
            }
        }
        assert!(bad.is_empty(), "{} disagreements of {n}:\n{}", bad.len(), bad[..bad.len().min(15)].join("\n"));
        (n, skipped)
    }

    #[test]
    fn agreement_with_twitter_text_on_generated_replies() {
        let texts = corpus::replies(20_000, 0x5eed_2024);
        let (n, skipped) = check_agreement(&texts);
        eprintln!("agreement: {n} replies compared, 0 disagreements, {skipped} skipped (twitter-text panicked)");
        assert!(n >= 19_000);
    }

    #[test]
    fn agreement_with_twitter_text_on_random_soup() {
        let texts = corpus::soup(20_000, 42);
        let (n, skipped) = check_agreement(&texts);
        eprintln!("soup agreement: {n} compared, 0 disagreements, {skipped} skipped (twitter-text panicked)");
    }

    /// A longer soup run: `cargo test --release -- --ignored big_soup`.
    #[test]
    #[ignore]
    fn agreement_big_soup() {
        for seed in 1..=10u64 {
            let texts = corpus::soup(100_000, seed * 7919);
            let (n, skipped) = check_agreement(&texts);
            eprintln!("seed {seed}: {n} compared, {skipped} skipped");
            let texts = corpus::replies(100_000, seed * 104_729);
            let (n, skipped) = check_agreement(&texts);
            eprintln!("seed {seed}: {n} replies compared, {skipped} skipped");
        }
    }

    #[test]
    fn agreement_on_handpicked_cases() {
        let cases: Vec<String> = [
            "Mon CV : drive.google.com/file/d/abc/view et example.fr/cv.pdf. Merci !",
            "Voir https://en.wikipedia.org/wiki/Rust_(programming_language)). ok",
            "Contact: jean.dupont@example.fr ou @jean_d et @alice@mastodon.social #développeur #2024 #c++ #rust_lang",
            "Mon site (https://jean.dev/portfolio?x=1&y=2), et www.exemple.com!",
            "Écrivez-moi à jean@gmail.com, ou sur @bob. 👩‍💻 #Tech👩‍💻 https://t.co/abc123",
            "hello.fr hi.com http.fr hxx.com Hello.com",
            "🙂example.fr puis https://x.com et 🙂example.fr",
            "http://t.com/x http://example.com:8080/a/b#frag? (voir example.org) $AAPL @user/list",
            "https://-foo.com example.comtest café.fr fr.linkedin.com/in/x… name.al+x@foo.com",
            "@abcdefghijklmnopqrstuvwxyz et @bob- et @bob_ et @é RT@bob rt:@al #tag.com C#dev",
            "example.com/a(b example.com/a(b)c) http://user:pw@example.com/x?q=1#f",
            "xn--caf-dma.fr http://xn--caf-dma.fr https://例え.テスト twitter.みんなです",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        check_agreement(&cases);
    }

    // ---- URLs and CV links ----

    fn cv(s: &str) -> Vec<(String, &'static str)> {
        extract(s).cv_links.into_iter().map(|c| (c.url, c.kind.as_str())).collect()
    }

    #[test]
    fn urls_trailing_punctuation_and_parens() {
        let x = extract("Mon CV (https://jean.dev/cv.pdf). Et https://en.wikipedia.org/wiki/Rust_(langage), ok ?");
        let u: Vec<&str> = x.urls.iter().map(|u| u.url.as_str()).collect();
        assert_eq!(u, ["https://jean.dev/cv.pdf", "https://en.wikipedia.org/wiki/Rust_(langage)"]);
        let s = "Voir example.fr/cv.pdf!";
        let x = extract(s);
        assert_eq!(x.urls[0].span.as_str(s), "example.fr/cv.pdf");
        assert_eq!(x.urls[0].span, Span { start: 5, end: 22 });
    }

    #[test]
    fn email_domain_is_not_a_url() {
        let x = extract("écrivez à jean.dupont@exemple.fr merci");
        assert!(x.urls.is_empty());
        assert_eq!(x.emails, ["jean.dupont@exemple.fr"]);
    }

    #[test]
    fn cv_link_kinds() {
        let cases = [
            ("https://jean.dev/CV-2024.PDF?dl=1", "pdf"),
            ("exemple.fr/cv.docx", "docx"),
            ("drive.google.com/file/d/1AbC/view?usp=sharing", "google_drive"),
            ("https://docs.google.com/document/d/1Qw/edit", "google_docs"),
            ("https://www.dropbox.com/s/a1b2/cv?dl=0", "dropbox"),
            ("dropbox.com/scl/fi/zz9/cv?rlkey=abc", "dropbox"),
            ("1drv.ms/b/s!AkLm", "onedrive"),
            ("https://onedrive.live.com/?cid=ABC&id=XYZ", "onedrive"),
            ("https://contoso-my.sharepoint.com/:b:/g/personal/jean/EAbc", "onedrive"),
            ("github.com/jdupont", "github"),
            ("https://github.com/jdupont/portfolio", "github"),
            ("linkedin.com/in/jean-dupont", "linkedin"),
            ("https://fr.linkedin.com/in/jean-dupont/", "linkedin"),
            ("registry.jsonresume.org/jdupont", "json_resume"),
            ("https://gist.github.com/jdupont/8f3a9c#file-resume-json", "github"),
            ("https://gist.github.com/jdupont/8f3a9c/raw/resume.json", "json_resume"),
            ("https://jdupont.github.io", "personal_site"),
            ("jean-dupont.fr", "personal_site"),
            ("https://www.marie.dev/portfolio", "personal_site"),
        ];
        for (u, k) in cases {
            assert_eq!(classify_cv_link(u).map(CvLinkKind::as_str), Some(k), "{u}");
        }
        for u in [
            "github.com", "https://github.com/features", "linkedin.com/company/hirecast", "https://x.com/jdupont",
            "twitter.com/jdupont", "https://t.co/abc", "bsky.app/profile/x.bsky.social", "https://mastodon.social/@jean",
            "https://piaille.fr/@jean", "https://exemple.social/@jean", "facebook.com/jean", "instagram.com/jean",
            "https://www.youtube.com/watch?v=x", "youtu.be/x", "bit.ly/3x", "http://192.168.0.1/admin", "drive.google.com",
            "https://www.dropbox.com/home", "ftp://example.com/cv.pdf",
        ] {
            assert_eq!(classify_cv_link(u), None, "{u}");
        }
    }

    /// The hand-written normalisation agrees with the url crate.
    #[test]
    fn cv_fast_path_matches_url_crate() {
        let mut n = 0;
        let mut texts = corpus::replies(5_000, 99);
        texts.extend(corpus::soup(5_000, 98));
        texts.extend([
            "https://example.com:443/a", "http://example.com:80", "https://ex.com:8443/x?y=1#z", "ex.com:0123/x",
            "https://ex.com/p%2e/x", "https://ex.com/%20a'b?q='x'#f'g", "https://ex.com/é?é=é#é", "HTTP://EX.COM/A?B#C",
            "https://ex.com:99999/", "https://ex..com/", "https://ex.com./x", "https://a_b.ex.com/x", "https://1.2.3.4/x",
        ].iter().map(|s| s.to_string()));
        for t in &texts {
            for e in scan_entities(t) {
                if e.kind != EntityKind::Url {
                    continue;
                }
                let u = e.span.as_str(t);
                assert_eq!(cv::normalize_classify(u), cv::normalize_classify_slow(u), "{u}");
                n += 1;
            }
            if t.starts_with("http") || t.contains(".com") {
                assert_eq!(cv::normalize_classify(t), cv::normalize_classify_slow(t), "{t}");
            }
        }
        assert!(n > 2_000);
    }

    #[test]
    fn cv_links_normalized_deduplicated_and_repaired() {
        let got = cv("CV : drive.google.com/file/d/1AbC/view, aussi https://drive.google.com/file/d/1AbC/view et HTTPS://GitHub.com/jdupont !");
        assert_eq!(
            got,
            [
                ("https://drive.google.com/file/d/1AbC/view".to_string(), "google_drive"),
                ("https://github.com/jdupont".to_string(), "github")
            ]
        );
        // twitter-text reports "irecast.fr" for "hirecast.fr"; the CV link is repaired
        let s = "Mon site : hirecast.fr/equipe";
        let x = extract(s);
        assert_eq!(x.urls[0].url, "irecast.fr/equipe");
        assert_eq!(x.cv_links[0].url, "https://hirecast.fr/equipe");
        assert_eq!(x.cv_links[0].kind, CvLinkKind::PersonalSite);
        assert_eq!(cv("mon CV: www.Exemple.COM/cv.pdf."), [("https://www.exemple.com/cv.pdf".to_string(), "pdf")]);
    }

    #[test]
    fn static_tables_are_sorted() {
        for w in TLDS.windows(2) {
            assert!(w[0] < w[1], "{w:?}");
        }
    }

    // ---- hashtags and mentions ----

    #[test]
    fn hashtags_and_mentions() {
        let x = extract("Merci @marie_rh ! #développeur #2024 #OpenToWork🚀 C#dev &#39; cc @alice@mastodon.social @hirecast/jobs jean@gmail.com");
        assert_eq!(x.hashtags, ["développeur", "OpenToWork"]);
        assert_eq!(x.mentions, ["marie_rh", "alice@mastodon.social", "hirecast"]);
    }

    // ---- e-mails ----

    #[test]
    fn emails_plain_and_obfuscated() {
        let x = extract("Mail : Jean.Dupont@Exemple.FR ou jean.dupont@exemple.fr, sinon marie [at] exemple [dot] fr");
        assert_eq!(x.emails, ["jean.dupont@exemple.fr", "marie@exemple.fr"]);
        assert_eq!(extract("jean (at) gmail (dot) com").emails, ["jean@gmail.com"]);
        assert_eq!(extract("Écrivez à jean at example dot fr svp").emails, ["jean@example.fr"]);
        assert_eq!(extract("lea [arobase] orange [point] fr").emails, ["lea@orange.fr"]);
        assert_eq!(extract("contact: hugo[at]proton.me").emails, ["hugo@proton.me"]);
        assert_eq!(extract("sam (arobase) free (point) fr").emails, ["sam@free.fr"]);
        // order of appearance is kept across plain and obfuscated forms
        assert_eq!(extract("a [at] b [dot] fr puis c@d.fr").emails, ["a@b.fr", "c@d.fr"]);
        // an address followed by a full stop, then the sentence going on
        assert_eq!(extract("x [at] example [dot] fr. Dispo de suite").emails, ["x@example.fr"]);
        assert_eq!(extract("x [at] example [dot] fr.Dispo de suite").emails, ["x@example.fr"]);
        assert_eq!(extract("Écrivez à x [at] example [dot] fr. Email sous 24 h").emails, ["x@example.fr"]);
        assert_eq!(extract("x (at) example (dot) co (dot) uk. Merci").emails, ["x@example.co.uk"]);
        assert_eq!(extract("x [at] mail [dot] example [dot] fr").emails, ["x@mail.example.fr"]);
        assert_eq!(extract("c@d.fr puis a [at] b [dot] fr").emails, ["c@d.fr", "a@b.fr"]);
    }

    #[test]
    fn emails_negatives() {
        for s in [
            "I'm at home dot", "meet me at Google", "I worked at example.com for 3 years", "follow @alice@mastodon.social",
            "foo@@bar.com", "a@b", "jean@localhost", "jean@exemple.notatld", "see you at the office dot party", "prix@3.5",
        ] {
            assert!(extract(s).emails.is_empty(), "{s}: {:?}", extract(s).emails);
        }
    }

    // ---- phones ----

    #[test]
    fn phones_e164() {
        let cases = [
            ("Appelez-moi au 06 12 34 56 78.", "+33612345678"),
            ("tel: 06.12.34.56.78", "+33612345678"),
            ("0612345678", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("0033 6 12 34 56 78", "+33612345678"),
            ("+44 20 7946 0958", "+442079460958"),
            ("call +1 (415) 555-2671 anytime", "+14155552671"),
            ("fixe\u{a0}: 01\u{a0}23\u{a0}45\u{a0}67\u{a0}89", "+33123456789"),
            ("07-81-23-45-67", "+33781234567"),
            ("au 06 12 34 56 78 2 fois", "+33612345678"),
        ];
        for (s, want) in cases {
            assert_eq!(extract(s).phones, [want], "{s}");
        }
        assert_eq!(extract("06 12 34 56 78 ou +33 6 12 34 56 78").phones, ["+33612345678"]);
    }

    #[test]
    fn phones_negatives() {
        for s in [
            "Prétentions : 45 000 €", "salaire 45000 euros", "le 12/03/2024 à 10h30", "2024-03-12", "depuis 2019",
            "75011 Paris", "commande n° 0612345678", "SIRET 123 456 789 00012", "v1.0612345678", "(415) 555-2671",
            "0012345678", "1234567890", "https://exemple.fr/0612345678", "réf: 0612345678", "IP 192.168.100.200",
            "entre 120 000 et 150 000 €", "0612345678€",
        ] {
            assert!(extract(s).phones.is_empty(), "{s}: {:?}", extract(s).phones);
        }
    }

    // ---- languages ----

    #[test]
    fn languages() {
        let cases: [(&str, &[&str]); 10] = [
            ("Je parle anglais et espagnol.", &["en", "es"]),
            ("Bilingue anglais, notions d'allemand", &["en", "de"]),
            ("I'm fluent in German and Spanish", &["de", "es"]),
            ("English (C1), French (native)", &["en", "fr"]),
            ("Langues : français, anglais, italien", &["fr", "en", "it"]),
            ("Anglais courant, japonais niveau B1", &["en", "ja"]),
            ("Native French speaker", &["fr"]),
            ("Français : langue maternelle", &["fr"]),
            ("I speak Dutch, Polish and a bit of Korean", &["nl", "pl", "ko"]),
            ("je parle le russe et le turc", &["ru", "tr"]),
        ];
        for (s, want) in cases {
            assert_eq!(extract(s).languages, want, "{s}");
        }
        for s in [
            "Je cherche une entreprise française", "French company, remote", "We polish our code", "Le Français est au bureau",
            "J'adore la cuisine italienne", "English breakfast", "Englishman in New York",
        ] {
            assert!(extract(s).languages.is_empty(), "{s}: {:?}", extract(s).languages);
        }
    }

    // ---- years of experience ----

    #[test]
    fn years_of_experience() {
        let cases = [
            ("J'ai 5 ans d'expérience en Rust", Some(5)),
            ("5+ years of experience", Some(5)),
            ("10 years experience with Python", Some(10)),
            ("3 ans d'XP", Some(3)),
            ("Une dizaine d'années d'expérience", Some(10)),
            ("Expérience : 7 ans", Some(7)),
            ("experience of 8 years in data", Some(8)),
            ("2 ans d'expérience en Java et 6 ans d'expérience en C", Some(6)),
            ("plus de 12 ans d’expérience", Some(12)),
            ("five years of professional experience", Some(5)),
            ("J'ai 25 ans, expérience en Java", None),
            ("J'ai 25 ans et je cherche un stage", None),
            ("99 ans d'expérience", None),
            ("Expert en XPath", None),
            ("depuis 2019, expérience variée", None),
        ];
        for (s, want) in cases {
            assert_eq!(extract(s).years_experience, want, "{s}");
        }
    }

    // ---- location ----

    #[test]
    fn location() {
        let cases = [
            ("Je suis basée à Lyon et dispo.", Some("Lyon")),
            ("je suis sur Paris depuis 2019", Some("Paris")),
            ("I'm based in Berlin, Germany", Some("Berlin")),
            ("Currently located in Montréal", Some("Montréal")),
            ("Julie from Nantes", Some("Nantes")),
            ("Hello from Aix-en-Provence 🙂", Some("Aix-en-Provence")),
            ("je vis à Saint-Étienne", Some("Saint-Étienne")),
            ("Basé à Le Mans, en Sarthe", Some("Le Mans")),
            ("J'habite à Villeneuve-d'Ascq", Some("Villeneuve-d'Ascq")),
            ("living in New York", Some("New York")),
            ("Localisation : Bordeaux", Some("Bordeaux")),
            ("je suis à l'écoute", None),
            ("An offer from Google", None),
            ("from 2019 to 2021", None),
            ("I graduated from Polytechnique", None),
            ("Je suis très motivée", None),
            ("dispo from Monday", None),
        ];
        for (s, want) in cases {
            assert_eq!(extract(s).location.as_deref(), want, "{s}");
        }
    }

    // ---- robustness ----

    #[test]
    fn extract_into_reuses_and_clears() {
        let mut x = Extracted::default();
        extract_into("Contact jean@exemple.fr #rust basée à Lyon, 06 12 34 56 78", &mut x);
        assert_eq!(x.emails.len(), 1);
        assert_eq!(x.location.as_deref(), Some("Lyon"));
        extract_into("rien du tout", &mut x);
        assert_eq!(x, Extracted::default());
        extract_into("", &mut x);
        assert_eq!(x, Extracted::default());
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let mut rng = corpus::Rng::new(7);
        let alphabet: Vec<char> = "a.@#$:/()[]?!&=+%-_ 0123456789éÉ日🙂\u{200d}\u{fe0f}\u{20e3}＠＃\u{feff}\u{b}\n\tht.cowx".chars().collect();
        for _ in 0..20_000 {
            let len = rng.below(60);
            let s: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            let _ = extract(&s);
            let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next_u64() as u8).collect();
            if let Ok(s) = std::str::from_utf8(&bytes) {
                let _ = extract(s);
            }
            let lossy = String::from_utf8_lossy(&bytes);
            let _ = extract(&lossy);
        }
    }

    #[test]
    fn linear_time_on_adversarial_100kb_inputs() {
        let n = 100_000;
        let inputs: Vec<String> = vec![
            "a".repeat(n - 1) + ".",
            "a.".repeat(n / 2),
            "@".repeat(n),
            "a@".repeat(n / 2) + ".com",
            "http://".repeat(n / 7),
            "https://a".repeat(n / 9) + ".com",
            "é".repeat(n / 4) + "a.fr",
            "#a".repeat(n / 2),
            "(".repeat(n / 2) + "http://a.com/" + &"(".repeat(n / 2),
            "http://a.com/".to_string() + &"(a".repeat(n / 2),
            "x.".repeat(n / 4) + &"é".repeat(n / 4),
            "0 ".repeat(n / 2),
            "06 12 34 56 78 ".repeat(n / 15),
            " at ".repeat(n / 4),
            "xp ".repeat(n / 3),
            "from ".repeat(n / 5),
            "anglais ".repeat(n / 8),
            "a:".repeat(n / 4) + &"é.a".repeat(n / 6),
            "user:pw".repeat(n / 7) + "@",
            "xn--a".repeat(n / 5) + ".com",
            "a-".repeat(n / 2) + ".com",
            "1.".repeat(n / 2),
            "$a.".repeat(n / 3),
        ];
        for s in &inputs {
            let t = std::time::Instant::now();
            let _ = extract(s);
            let el = t.elapsed();
            // generous for debug builds; quadratic behaviour would take minutes
            assert!(el < std::time::Duration::from_secs(3), "{:?}… took {el:?}", &s[..20.min(s.len())]);
        }
    }
}
