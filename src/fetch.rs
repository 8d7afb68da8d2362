//! The one safe fetcher for URLs an attacker chose (the CV links candidates post in replies).
//!
//! Every hop of a fetch goes through the same gate: the URL is parsed the WHATWG way
//! ([`url::Url`], which also canonicalises every IPv4 spelling such as `2130706433`,
//! `0x7f.1` or `0177.0.0.1`), only `http`/`https` without credentials pass, the host is
//! resolved once through a [`Resolver`], and every answer must be globally routable
//! ([`classify_ip`]). The HTTP client is then built for that one hop with a DNS resolver that
//! can only answer the addresses just checked, so reqwest never looks the name up a second
//! time (no DNS rebinding), uses no proxy and follows no redirect by itself: redirects are
//! followed here, each target checked from scratch. One total timeout covers the whole
//! fetch (every hop and the body); the body is counted after decompression and cut at
//! [`FetchPolicy::max_bytes`]; its kind is recognised by its content and must agree with the
//! declared content type.
//!
//! Errors never carry the URL (a share link is a secret) nor anything the server sent.
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use url::{Host, Url};

pub const USER_AGENT: &str = concat!(
    "hirecast/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/hirecast/hirecast)"
);

/// How much of the start of a body is enough to rule a kind out before reading the rest.
const SNIFF_LEN: usize = 1024;

/// The kinds of documents a fetch may return, recognised by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// `%PDF-` within the first 1024 bytes.
    Pdf,
    /// A ZIP whose central directory names `word/document.xml`.
    Docx,
    /// An HTML start (`<!doctype html`, `<html`, `<head`, ...) after an optional BOM and
    /// whitespace, any case.
    Html,
    /// A JSON object (a JSON Resume): `{` after an optional BOM and whitespace.
    Json,
}

impl BodyKind {
    pub const ALL: &'static [BodyKind] = &[
        BodyKind::Pdf,
        BodyKind::Docx,
        BodyKind::Html,
        BodyKind::Json,
    ];

    /// The content types a server may declare for this kind (essence only, lowercase).
    pub fn content_types(self) -> &'static [&'static str] {
        match self {
            BodyKind::Pdf => &[
                "application/pdf",
                "application/x-pdf",
                "application/octet-stream",
            ],
            BodyKind::Docx => &[
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/zip",
                "application/x-zip-compressed",
                "application/octet-stream",
            ],
            BodyKind::Html => &["text/html", "application/xhtml+xml"],
            BodyKind::Json => &["application/json", "text/json", "text/plain"],
        }
    }
}

/// What a fetch may do. `Default` gives the production values.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// For resolving the host and opening the connection, per hop.
    pub connect_timeout: Duration,
    /// For the whole fetch: every hop, every redirect and the body.
    pub total_timeout: Duration,
    /// The most body bytes accepted, counted after decompression.
    pub max_bytes: usize,
    pub max_redirects: u8,
    pub allowed_kinds: &'static [BodyKind],
    /// Exceptions to the address check, for tests against local servers only: each entry is
    /// an exact `host:port` (`127.0.0.1:8080`, `[::1]:8080`, `cv.test:8080`) whose addresses
    /// are not checked. Explicit configuration only; empty by default.
    pub allow_hosts: Vec<String>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(20),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 3,
            allowed_kinds: BodyKind::ALL,
            allow_hosts: Vec::new(),
        }
    }
}

/// A fetched document.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL the body came from, after redirects, without fragment.
    pub final_url: String,
    pub kind: BodyKind,
    /// The content type the server declared, as sent.
    pub content_type: Option<String>,
    /// The body, decompressed.
    pub bytes: Vec<u8>,
    /// How many redirects were followed.
    pub redirects: u8,
}

/// Why a fetch failed. The messages never contain the URL or anything the server sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the link is not a valid URL: {0}")]
    BadUrl(String),
    #[error("only http and https links can be fetched")]
    Scheme,
    #[error("refused to connect to {addr}: {reason}")]
    Forbidden { addr: String, reason: &'static str },
    #[error("the host name could not be resolved")]
    Dns,
    #[error("could not connect to the server")]
    Connect,
    #[error("the server did not answer in time")]
    Timeout,
    #[error("the link redirects too many times")]
    TooManyRedirects,
    #[error("the document is larger than the size limit")]
    TooLarge,
    #[error("the server answered with HTTP status {0}")]
    Status(u16),
    #[error("the document is not of an accepted type")]
    Kind,
    #[error("the HTTP exchange failed: {0}")]
    Http(String),
}

/// The future a [`Resolver`] returns.
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'a>>;

/// Turns a host name into addresses. The fetcher asks once per hop and connects only to
/// the answers, after checking every one of them.
pub trait Resolver: Send + Sync {
    fn resolve<'a>(&'a self, host: &'a str) -> ResolveFuture<'a>;
}

/// The system resolver, through `tokio::net::lookup_host`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host, 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// Fixed answers, for tests: a name not listed does not resolve.
#[derive(Debug, Default, Clone)]
pub struct StaticResolver {
    answers: Vec<(String, Vec<IpAddr>)>,
}

impl StaticResolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `ips` for `host` (compared without case).
    pub fn with(mut self, host: &str, ips: &[IpAddr]) -> Self {
        self.answers.push((host.to_ascii_lowercase(), ips.to_vec()));
        self
    }
}

impl Resolver for StaticResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> ResolveFuture<'a> {
        let found = self
            .answers
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map(|(_, ips)| ips.clone());
        Box::pin(async move {
            found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such host"))
        })
    }
}

/// The resolver handed to reqwest for one hop: it can only answer the addresses already
/// checked, whatever name it is asked, so the connection goes to exactly those.
struct Pinned(Vec<SocketAddr>);

impl reqwest::dns::Resolve for Pinned {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addrs = self.0.clone();
        Box::pin(async move { Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs) })
    }
}

/// The safe fetcher. Cheap to share: it holds the policy and the resolver; clients are built
/// per hop.
#[derive(Clone)]
pub struct SafeFetcher {
    policy: FetchPolicy,
    resolver: Arc<dyn Resolver>,
}

impl std::fmt::Debug for SafeFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeFetcher")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl SafeFetcher {
    pub fn new(policy: FetchPolicy) -> Self {
        Self::with_resolver(policy, Arc::new(SystemResolver))
    }

    pub fn with_resolver(policy: FetchPolicy, resolver: Arc<dyn Resolver>) -> Self {
        SafeFetcher { policy, resolver }
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Fetches `url` under the policy (see the module documentation).
    pub async fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        match tokio::time::timeout(self.policy.total_timeout, self.fetch_inner(url)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout),
        }
    }

    async fn fetch_inner(&self, input: &str) -> Result<Fetched, FetchError> {
        let mut url = checked_url(input, None)?;
        let mut redirects: u8 = 0;
        loop {
            let addrs = self.checked_addrs(&url).await?;
            let client = self.client_for(addrs)?;
            let resp = client
                .get(url.clone())
                .send()
                .await
                .map_err(|e| send_error(&e))?;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                    return Err(FetchError::Status(status));
                }
                let location = resp
                    .headers()
                    .get(LOCATION)
                    .ok_or(FetchError::Status(status))?;
                let location = location
                    .to_str()
                    .map_err(|_| FetchError::BadUrl("the redirect location is not text".into()))?;
                if redirects >= self.policy.max_redirects {
                    return Err(FetchError::TooManyRedirects);
                }
                url = checked_url(location, Some(&url))?;
                redirects += 1;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(FetchError::Status(status));
            }
            let content_type = match resp.headers().get(CONTENT_TYPE) {
                None => None,
                Some(v) => Some(v.to_str().map_err(|_| FetchError::Kind)?.to_string()),
            };
            let candidates = self.kinds_for(content_type.as_deref());
            if candidates.is_empty() {
                return Err(FetchError::Kind);
            }
            let declared = resp
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared
                .into_iter()
                .chain(resp.content_length())
                .any(|n| n > self.policy.max_bytes as u64)
            {
                return Err(FetchError::TooLarge);
            }
            let bytes = self.read_body(resp, &candidates).await?;
            let kind = candidates
                .iter()
                .copied()
                .find(|&k| is_kind(k, &bytes, content_type.as_deref()))
                .ok_or(FetchError::Kind)?;
            return Ok(Fetched {
                final_url: url.to_string(),
                kind,
                content_type,
                bytes,
                redirects,
            });
        }
    }

    /// The allowed kinds the declared content type is consistent with (all of them when none
    /// is declared: the content decides).
    fn kinds_for(&self, content_type: Option<&str>) -> Vec<BodyKind> {
        let essence = content_type.map(mime_essence);
        self.policy
            .allowed_kinds
            .iter()
            .copied()
            .filter(|k| {
                essence
                    .as_deref()
                    .is_none_or(|e| k.content_types().contains(&e))
            })
            .collect()
    }

    async fn read_body(
        &self,
        resp: reqwest::Response,
        candidates: &[BodyKind],
    ) -> Result<Vec<u8>, FetchError> {
        let max = self.policy.max_bytes;
        let hint = resp.content_length().unwrap_or(0).min(max as u64) as usize;
        let mut buf: Vec<u8> = Vec::with_capacity(hint.min(1024 * 1024));
        let mut sniffed = false;
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| body_error(&e))?;
            if chunk.len() > max.saturating_sub(buf.len()) {
                return Err(FetchError::TooLarge);
            }
            buf.extend_from_slice(&chunk);
            if !sniffed && buf.len() >= SNIFF_LEN {
                if !candidates.iter().any(|&k| could_be(k, &buf)) {
                    return Err(FetchError::Kind);
                }
                sniffed = true;
            }
        }
        Ok(buf)
    }

    fn is_allowed_host(&self, url: &Url, port: u16) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let here = format!("{host}:{port}");
        self.policy
            .allow_hosts
            .iter()
            .any(|a| a.trim().eq_ignore_ascii_case(&here))
    }

    /// Resolves the host of `url` once and checks every answer; the addresses to connect to.
    async fn checked_addrs(&self, url: &Url) -> Result<Vec<SocketAddr>, FetchError> {
        let port = url
            .port_or_known_default()
            .ok_or_else(|| FetchError::BadUrl("no port".into()))?;
        let ips: Vec<IpAddr> = match url.host() {
            None => return Err(FetchError::BadUrl("no host".into())),
            Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
            Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
            Some(Host::Domain(name)) => {
                let lookup = self.resolver.resolve(name);
                match tokio::time::timeout(self.policy.connect_timeout, lookup).await {
                    Err(_) => return Err(FetchError::Timeout),
                    Ok(Err(_)) => return Err(FetchError::Dns),
                    Ok(Ok(ips)) => ips,
                }
            }
        };
        if ips.is_empty() {
            return Err(FetchError::Dns);
        }
        if !self.is_allowed_host(url, port) {
            for &ip in &ips {
                classify_ip(ip).map_err(|reason| FetchError::Forbidden {
                    addr: ip.to_string(),
                    reason,
                })?;
            }
        }
        let mut addrs: Vec<SocketAddr> = Vec::with_capacity(ips.len());
        for ip in ips {
            let a = SocketAddr::new(ip, port);
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
        Ok(addrs)
    }

    /// A client for one hop: it can only reach `addrs`, uses no proxy, follows no redirect,
    /// keeps no cookie and no idle connection.
    fn client_for(&self, addrs: Vec<SocketAddr>) -> Result<reqwest::Client, FetchError> {
        reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .dns_resolver(Arc::new(Pinned(addrs)))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(self.policy.connect_timeout)
            .timeout(self.policy.total_timeout)
            .pool_max_idle_per_host(0)
            .http1_only()
            .build()
            .map_err(|_| FetchError::Http("the HTTP client could not be built".into()))
    }
}

/// Parses `input` (against `base` for a redirect) and lets through only http(s) URLs without
/// credentials; the fragment is dropped.
fn checked_url(input: &str, base: Option<&Url>) -> Result<Url, FetchError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(FetchError::BadUrl("empty".into()));
    }
    if input.contains('\\') {
        // WHATWG reads `\` as `/` for http(s), other parsers (and people) do not: refuse
        // anything that two readers could see as two different hosts.
        return Err(FetchError::BadUrl("backslash in URL".into()));
    }
    let parsed = match base {
        None => Url::parse(input),
        Some(b) => b.join(input),
    };
    let mut url = parsed.map_err(|e| FetchError::BadUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::BadUrl("credentials in URL".into()));
    }
    if url.host().is_none() {
        return Err(FetchError::BadUrl("no host".into()));
    }
    url.set_fragment(None);
    Ok(url)
}

fn send_error(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_connect() {
        FetchError::Connect
    } else if e.is_builder() {
        FetchError::BadUrl("the request could not be built".into())
    } else {
        FetchError::Http(root_cause(e))
    }
}

fn body_error(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_decode() {
        FetchError::Http("the compressed body could not be decoded".into())
    } else {
        FetchError::Http(format!("the body could not be read: {}", root_cause(e)))
    }
}

/// The innermost cause of a transport error (hyper's or the TLS library's own wording, which
/// names no URL and quotes nothing the server sent), clipped to printable ASCII.
fn root_cause(e: &reqwest::Error) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    if std::ptr::addr_eq(cur as *const _, e as *const _) {
        return "request failed".into();
    }
    cur.to_string()
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(160)
        .collect()
}

fn mime_essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The body after an optional UTF-8 BOM and ASCII whitespace.
fn text_start(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let skip = b
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C'))
        .count();
    &b[skip..]
}

fn starts_with_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

const HTML_STARTS: &[&[u8]] = &[
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<!--",
    b"<meta",
    b"<title",
    b"<?xml",
];

fn is_html(bytes: &[u8], content_type: Option<&str>) -> bool {
    let t = text_start(bytes);
    HTML_STARTS.iter().any(|s| {
        if !starts_with_ignore_case(t, s) {
            return false;
        }
        if *s == b"<?xml" {
            // An XML declaration starts XHTML only when the server says so.
            return content_type.map(mime_essence).as_deref() == Some("application/xhtml+xml");
        }
        // The name must end there: `<html>` or `<html lang=..>`, not `<htmlfoo`.
        *s == b"<!--"
            || matches!(
                t.get(s.len()),
                Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/')
            )
    })
}

fn is_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(SNIFF_LEN)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// Whether the whole body is a `kind` the declared content type allows.
fn is_kind(kind: BodyKind, bytes: &[u8], content_type: Option<&str>) -> bool {
    match kind {
        BodyKind::Pdf => is_pdf(bytes),
        BodyKind::Docx => is_docx(bytes),
        BodyKind::Html => is_html(bytes, content_type),
        BodyKind::Json => text_start(bytes).first() == Some(&b'{'),
    }
}

/// Whether a body starting with `prefix` (at least [`SNIFF_LEN`] bytes) can still be `kind`.
fn could_be(kind: BodyKind, prefix: &[u8]) -> bool {
    match kind {
        BodyKind::Pdf => is_pdf(prefix),
        BodyKind::Docx => prefix.starts_with(b"PK\x03\x04"),
        // Leading whitespace may be longer than the prefix: only rule out what is certain.
        BodyKind::Html => {
            let t = text_start(prefix);
            t.is_empty() || t[0] == b'<'
        }
        BodyKind::Json => {
            let t = text_start(prefix);
            t.is_empty() || t[0] == b'{'
        }
    }
}

fn le16(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]) as usize)
}

fn le32(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// A ZIP (local header at offset 0) whose central directory names `word/document.xml`.
/// Only the directory is read (no decompression); ZIP64 archives are not recognised.
fn is_docx(bytes: &[u8]) -> bool {
    zip_names(bytes).is_some_and(|names| names.iter().any(|n| *n == b"word/document.xml"))
}

/// The entry names of a ZIP's central directory, or `None` when it is not a well-formed one.
fn zip_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    if !bytes.starts_with(b"PK\x03\x04") || bytes.len() < 22 {
        return None;
    }
    // The end-of-central-directory record is in the last 22 + 65535 bytes.
    let lowest = bytes.len().saturating_sub(22 + 0xFFFF);
    let eocd = (lowest..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let count = le16(bytes, eocd + 10)?;
    let size = le32(bytes, eocd + 12)?;
    let offset = le32(bytes, eocd + 16)?;
    if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        return None;
    }
    let end = offset.checked_add(size)?;
    if end > eocd {
        return None;
    }
    let mut names = Vec::with_capacity(count.min(4096));
    let mut at = offset;
    for _ in 0..count {
        if bytes.get(at..at + 4)? != b"PK\x01\x02" {
            return None;
        }
        let name_len = le16(bytes, at + 28)?;
        let extra_len = le16(bytes, at + 30)?;
        let comment_len = le16(bytes, at + 32)?;
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        names.push(name);
        at = at.checked_add(46 + name_len + extra_len + comment_len)?;
        if at > end {
            return None;
        }
    }
    Some(names)
}

/// Why `ip` must not be connected to, or `Ok` when it is globally routable. Addresses that
/// embed an IPv4 address (IPv4-mapped and -compatible, NAT64, 6to4) are judged by it first.
pub fn classify_ip(ip: IpAddr) -> Result<(), &'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], len: u32) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn classify_v4(ip: Ipv4Addr) -> Result<(), &'static str> {
    const RANGES: &[([u8; 4], u32, &str)] = &[
        ([255, 255, 255, 255], 32, "broadcast address"),
        (
            [0, 0, 0, 0],
            8,
            "unspecified or 'this network' address (0.0.0.0/8)",
        ),
        ([10, 0, 0, 0], 8, "private address (10.0.0.0/8)"),
        (
            [100, 64, 0, 0],
            10,
            "shared carrier-grade NAT address (100.64.0.0/10)",
        ),
        ([127, 0, 0, 0], 8, "loopback address"),
        ([169, 254, 0, 0], 16, "link-local address (169.254.0.0/16)"),
        ([172, 16, 0, 0], 12, "private address (172.16.0.0/12)"),
        (
            [192, 0, 0, 0],
            24,
            "IETF protocol assignment (192.0.0.0/24)",
        ),
        ([192, 0, 2, 0], 24, "documentation address (192.0.2.0/24)"),
        (
            [192, 88, 99, 0],
            24,
            "deprecated 6to4 relay anycast (192.88.99.0/24)",
        ),
        ([192, 168, 0, 0], 16, "private address (192.168.0.0/16)"),
        ([198, 18, 0, 0], 15, "benchmarking address (198.18.0.0/15)"),
        (
            [198, 51, 100, 0],
            24,
            "documentation address (198.51.100.0/24)",
        ),
        (
            [203, 0, 113, 0],
            24,
            "documentation address (203.0.113.0/24)",
        ),
        ([224, 0, 0, 0], 4, "multicast address"),
        ([240, 0, 0, 0], 4, "reserved address (240.0.0.0/4)"),
    ];
    match RANGES.iter().find(|(net, len, _)| in_v4(ip, *net, *len)) {
        Some((_, _, why)) => Err(why),
        None => Ok(()),
    }
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], len: u32) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    (u128::from(ip) & mask) == (u128::from(Ipv6Addr::from(net)) & mask)
}

fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from((u128::from(ip) & 0xFFFF_FFFF) as u32)
}

fn classify_v6(ip: Ipv6Addr) -> Result<(), &'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Err("unspecified address (::)");
    }
    if ip.is_loopback() {
        return Err("loopback address");
    }
    // ::ffff:a.b.c.d is the IPv4 address itself on a dual-stack socket.
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) {
        return classify_v4(low_v4(ip));
    }
    // ::a.b.c.d (deprecated IPv4-compatible): never routed, whatever it embeds.
    if in_v6(ip, [0; 8], 96) {
        classify_v4(low_v4(ip))?;
        return Err("deprecated IPv4-compatible address (::/96)");
    }
    // ::ffff:0:a.b.c.d (SIIT IPv4-translated).
    if in_v6(ip, [0, 0, 0, 0, 0xffff, 0, 0, 0], 96) {
        classify_v4(low_v4(ip))?;
        return Err("IPv4-translated address (::ffff:0:0:0/96)");
    }
    // The well-known NAT64 prefix reaches the embedded IPv4 address.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return classify_v4(low_v4(ip));
    }
    if in_v6(ip, [0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48) {
        classify_v4(low_v4(ip))?;
        return Err("local-use NAT64 address (64:ff9b:1::/48)");
    }
    if in_v6(ip, [0x100, 0, 0, 0, 0, 0, 0, 0], 64) {
        return Err("discard-only address (100::/64)");
    }
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        classify_v4(Ipv4Addr::from(((s[1] as u32) << 16) | s[2] as u32))?;
        return Err("deprecated 6to4 address (2002::/16)");
    }
    if in_v6(ip, [0x2001, 0, 0, 0, 0, 0, 0, 0], 32) {
        return Err("Teredo address (2001::/32)");
    }
    if in_v6(ip, [0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48) {
        return Err("benchmarking address (2001:2::/48)");
    }
    if in_v6(ip, [0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28) {
        return Err("deprecated ORCHID address (2001:10::/28)");
    }
    if in_v6(ip, [0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28) {
        return Err("ORCHIDv2 address (2001:20::/28)");
    }
    if in_v6(ip, [0x2001, 0, 0, 0, 0, 0, 0, 0], 23) {
        return Err("IETF protocol assignment (2001::/23)");
    }
    if in_v6(ip, [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32) {
        return Err("documentation address (2001:db8::/32)");
    }
    if in_v6(ip, [0x3fff, 0, 0, 0, 0, 0, 0, 0], 20) {
        return Err("documentation address (3fff::/20)");
    }
    if in_v6(ip, [0x5f00, 0, 0, 0, 0, 0, 0, 0], 16) {
        return Err("segment routing address (5f00::/16)");
    }
    if in_v6(ip, [0xfc00, 0, 0, 0, 0, 0, 0, 0], 7) {
        return Err("unique local address (fc00::/7)");
    }
    if in_v6(ip, [0xfe80, 0, 0, 0, 0, 0, 0, 0], 10) {
        return Err("link-local address (fe80::/10)");
    }
    if in_v6(ip, [0xfec0, 0, 0, 0, 0, 0, 0, 0], 10) {
        return Err("deprecated site-local address (fec0::/10)");
    }
    if in_v6(ip, [0xff00, 0, 0, 0, 0, 0, 0, 0], 8) {
        return Err("multicast address");
    }
    // Everything else outside 2000::/3 is unassigned or reserved.
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return Err("reserved address (outside 2000::/3)");
    }
    Ok(())
}

/// A share link's direct-download form, for the hosts candidates use; `None` for any other
/// link. The result is always https and applying it again changes nothing.
///
/// - Google Drive `drive.google.com/file/d/<id>/view` (also `/edit`, `/preview`, `/u/0/…`),
///   `open?id=<id>` and `uc?id=<id>` → `https://drive.google.com/uc?export=download&id=<id>`
///   (a `resourcekey` is kept).
/// - Google Docs `docs.google.com/document/d/<id>/…` → `…/document/d/<id>/export?format=docx`
///   (DOCX rather than PDF: it keeps the text and its structure for parsing).
/// - Dropbox `www.dropbox.com/s/…` and `/scl/fi/…` → the same link with `dl=1` (replacing
///   `dl=0` or `raw=1`; `rlkey` and the other parameters are kept).
/// - OneDrive: `onedrive.live.com/redir?…` and `/embed?…` → `/download?…` (the "redir" →
///   "download" rewrite, query kept); a `1drv.ms` short link or any other
///   `onedrive.live.com` link → the OneDrive API's documented shared-item form
///   `https://api.onedrive.com/v1.0/shares/u!<base64url(link)>/root/content`; SharePoint /
///   OneDrive for Business (`*.sharepoint.com/:x:/…`) → the link with `download=1`.
pub fn direct_download_url(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    match host.as_str() {
        "drive.google.com" => {
            let id = match segs.as_slice() {
                ["file", "d", id, ..] | ["file", "u", _, "d", id, ..] => Some(id.to_string()),
                ["open"] | ["uc"] => query("id"),
                _ => None,
            }
            .filter(|id| is_google_id(id))?;
            let mut out = Url::parse("https://drive.google.com/uc").ok()?;
            out.query_pairs_mut()
                .append_pair("export", "download")
                .append_pair("id", &id);
            if let Some(key) = query("resourcekey").filter(|k| is_google_id(k)) {
                out.query_pairs_mut().append_pair("resourcekey", &key);
            }
            Some(out)
        }
        "docs.google.com" => {
            let id = match segs.as_slice() {
                ["document", "d", id, ..] | ["document", "u", _, "d", id, ..] => Some(*id),
                _ => None,
            }
            .filter(|id| is_google_id(id))?;
            Url::parse(&format!(
                "https://docs.google.com/document/d/{id}/export?format=docx"
            ))
            .ok()
        }
        "dropbox.com" | "www.dropbox.com" => {
            let shared = matches!(segs.as_slice(), ["s", _, ..] | ["scl", "fi", _, ..]);
            if !shared {
                return None;
            }
            Some(with_param(
                url,
                "www.dropbox.com",
                &["dl", "raw"],
                ("dl", "1"),
            ))
        }
        "onedrive.live.com" if matches!(segs.as_slice(), ["redir"] | ["embed"] | ["download"]) => {
            let mut out = url.clone();
            out.set_scheme("https").ok()?;
            out.set_path("/download");
            out.set_fragment(None);
            Some(out)
        }
        "1drv.ms" | "onedrive.live.com" => {
            if segs.is_empty() && url.query().is_none() {
                return None;
            }
            let mut link = url.clone();
            link.set_fragment(None);
            let mut out = Url::parse("https://api.onedrive.com/v1.0/shares/").ok()?;
            out.set_path(&format!(
                "/v1.0/shares/u!{}/root/content",
                base64url(link.as_str().as_bytes())
            ));
            Some(out)
        }
        h if h.ends_with(".sharepoint.com") && segs.first().is_some_and(|s| s.starts_with(':')) => {
            Some(with_param(url, h, &["download"], ("download", "1")))
        }
        _ => None,
    }
}

fn is_google_id(id: &str) -> bool {
    (10..=200).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `url` on https and `host`, without fragment, with the `drop` parameters replaced by `set`.
fn with_param(url: &Url, host: &str, drop: &[&str], set: (&str, &str)) -> Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !drop.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    let _ = out.set_scheme("https");
    let _ = out.set_host(Some(host));
    let _ = out.set_port(None);
    out.set_fragment(None);
    out.set_query(None);
    {
        let mut q = out.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair(set.0, set.1);
    }
    out
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as the OneDrive API wants.
fn base64url(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 0x3F) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> IpAddr {
        IpAddr::V4(s.parse().unwrap())
    }

    fn v6(s: &str) -> IpAddr {
        IpAddr::V6(s.parse().unwrap())
    }

    #[test]
    fn every_internal_ipv4_range_is_refused() {
        let refused = [
            ("0.0.0.0", "unspecified"),
            ("0.255.255.255", "unspecified"),
            ("10.0.0.1", "private"),
            ("10.255.255.255", "private"),
            ("100.64.0.1", "carrier-grade"),
            ("100.127.255.254", "carrier-grade"),
            ("127.0.0.1", "loopback"),
            ("127.255.255.254", "loopback"),
            ("169.254.169.254", "link-local"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.0.0.1", "IETF"),
            ("192.0.0.170", "IETF"),
            ("192.0.2.1", "documentation"),
            ("192.88.99.1", "6to4"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.9", "documentation"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("254.1.2.3", "reserved"),
            ("255.255.255.255", "broadcast"),
        ];
        for (ip, why) in refused {
            let got = classify_ip(v4(ip));
            assert!(matches!(got, Err(r) if r.contains(why)), "{ip}: {got:?}");
        }
    }

    #[test]
    fn public_ipv4_passes_including_range_edges() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
        ] {
            assert_eq!(classify_ip(v4(ip)), Ok(()), "{ip}");
        }
    }

    #[test]
    fn every_internal_ipv6_range_is_refused() {
        let refused = [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.1.2.3", "private"),
            ("::ffff:169.254.169.254", "link-local"),
            ("::127.0.0.1", "loopback"),
            ("::8.8.8.8", "IPv4-compatible"),
            ("::ffff:0:127.0.0.1", "loopback"),
            ("::ffff:0:8.8.8.8", "IPv4-translated"),
            ("64:ff9b::7f00:1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("64:ff9b:1::7f00:1", "loopback"),
            ("64:ff9b:1::808:808", "local-use NAT64"),
            ("100::1", "discard"),
            ("2001::1", "Teredo"),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
            ("2001:2::1", "benchmarking"),
            ("2001:10::1", "ORCHID"),
            ("2001:20::1", "ORCHIDv2"),
            ("2001:1::1", "IETF"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("2002:7f00:1::", "loopback"),
            ("2002:a00:1::1", "private"),
            ("2002:808:808::1", "6to4"),
            ("5f00::1", "segment routing"),
            ("fc00::1", "unique local"),
            ("fd00::1", "unique local"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("ff05::2", "multicast"),
            ("1000::1", "reserved"),
            ("4000::1", "reserved"),
            ("::2", "unspecified"), // ::0.0.0.2 embeds 0.0.0.2, 'this network'
        ];
        for (ip, why) in refused {
            let got = classify_ip(v6(ip));
            assert!(matches!(got, Err(r) if r.contains(why)), "{ip}: {got:?}");
        }
    }

    #[test]
    fn public_ipv6_passes_and_mapped_public_v4_too() {
        for ip in [
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "2001:200::1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2003::1",
            "3ffe::1",
        ] {
            assert_eq!(classify_ip(v6(ip)), Ok(()), "{ip}");
        }
    }

    #[test]
    fn url_gate_refuses_schemes_credentials_and_backslashes() {
        for s in [
            "file:///etc/passwd",
            "ftp://example.com/cv.pdf",
            "gopher://example.com/",
            "data:text/html,<html>",
            "javascript:alert(1)",
            "mailto:a@b.c",
            "ws://example.com/",
        ] {
            assert_eq!(checked_url(s, None).unwrap_err(), FetchError::Scheme, "{s}");
        }
        assert!(matches!(
            checked_url("http://user:pw@example.com/", None),
            Err(FetchError::BadUrl(_))
        ));
        assert!(matches!(
            checked_url("http://example.com@127.0.0.1/", None),
            Err(FetchError::BadUrl(_))
        ));
        assert!(matches!(
            checked_url("http://example.com\\@127.0.0.1/", None),
            Err(FetchError::BadUrl(_))
        ));
        assert!(matches!(checked_url("", None), Err(FetchError::BadUrl(_))));
        assert!(matches!(
            checked_url("not a url", None),
            Err(FetchError::BadUrl(_))
        ));
        let u = checked_url("http://127.0.0.1#@example.com/", None).unwrap();
        assert_eq!(u.host_str(), Some("127.0.0.1"));
        assert_eq!(u.fragment(), None);
        let base = Url::parse("https://cv.example.com/a/b").unwrap();
        assert_eq!(
            checked_url("../c?x=1", Some(&base)).unwrap().as_str(),
            "https://cv.example.com/c?x=1"
        );
        assert_eq!(
            checked_url("//other.example/x", Some(&base))
                .unwrap()
                .as_str(),
            "https://other.example/x"
        );
        assert_eq!(
            checked_url("file:///etc/passwd", Some(&base)).unwrap_err(),
            FetchError::Scheme
        );
    }

    #[test]
    fn the_url_parser_canonicalises_every_ipv4_spelling() {
        for s in [
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0x7f.1/",
            "http://127.0.0.1./",
            "http://%31%32%37.0.0.1/",
            "http://\u{ff11}\u{ff12}\u{ff17}.0.0.1/",
        ] {
            let u = checked_url(s, None).unwrap();
            assert_eq!(u.host(), Some(Host::Ipv4(Ipv4Addr::LOCALHOST)), "{s}");
        }
        let u = checked_url("http://[::ffff:127.0.0.1]/", None).unwrap();
        assert_eq!(u.host_str(), Some("[::ffff:7f00:1]"));
    }

    fn zip(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for name in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]); // crc, sizes: empty entry
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn magic_numbers() {
        assert!(is_kind(BodyKind::Pdf, b"%PDF-1.7\n...", None));
        assert!(is_kind(
            BodyKind::Pdf,
            &[&[b' '; 1000][..], b"%PDF-1.4"].concat(),
            None
        ));
        assert!(!is_kind(
            BodyKind::Pdf,
            &[&[b' '; 1020][..], b"%PDF-1.4"].concat(),
            None
        ));
        assert!(!is_kind(BodyKind::Pdf, b"MZ\x90\0\x03\0\0\0", None));
        assert!(is_kind(
            BodyKind::Docx,
            &zip(&["[Content_Types].xml", "word/document.xml"]),
            None
        ));
        assert!(!is_kind(BodyKind::Docx, &zip(&["xl/workbook.xml"]), None));
        assert!(!is_kind(
            BodyKind::Docx,
            b"PK\x03\x04 word/document.xml",
            None
        ));
        let mut truncated = zip(&["word/document.xml"]);
        truncated.truncate(truncated.len() - 30);
        assert!(!is_kind(BodyKind::Docx, &truncated, None));
        for html in [
            "<!DOCTYPE html><p>",
            "\u{feff}  \n<HTML lang=en>",
            "<head>",
            "<!-- c --><html>",
            "<html>",
        ] {
            assert!(
                is_kind(BodyKind::Html, html.as_bytes(), Some("text/html")),
                "{html}"
            );
        }
        assert!(!is_kind(BodyKind::Html, b"<htmlx>", None));
        assert!(!is_kind(BodyKind::Html, b"hello <html>", None));
        assert!(!is_kind(
            BodyKind::Html,
            b"<?xml version='1.0'?><html>",
            Some("text/html")
        ));
        assert!(is_kind(
            BodyKind::Html,
            b"<?xml version='1.0'?><html>",
            Some("application/xhtml+xml; charset=utf-8")
        ));
        assert!(is_kind(BodyKind::Json, b" \n{\"basics\":{}}", None));
        assert!(!is_kind(BodyKind::Json, b"[1,2]", None));
        assert!(!could_be(BodyKind::Pdf, &[b'x'; 1024]));
        assert!(could_be(BodyKind::Html, &[b' '; 1024]));
        assert!(!could_be(BodyKind::Json, b"MZ"));
    }

    #[test]
    fn declared_types_narrow_the_kinds() {
        let f = SafeFetcher::new(FetchPolicy::default());
        assert_eq!(f.kinds_for(Some("application/pdf")), vec![BodyKind::Pdf]);
        assert_eq!(
            f.kinds_for(Some("Application/Octet-Stream")),
            vec![BodyKind::Pdf, BodyKind::Docx]
        );
        assert_eq!(
            f.kinds_for(Some("text/html; charset=utf-8")),
            vec![BodyKind::Html]
        );
        assert_eq!(f.kinds_for(Some("text/plain")), vec![BodyKind::Json]);
        assert_eq!(f.kinds_for(None), BodyKind::ALL.to_vec());
        assert!(f.kinds_for(Some("application/x-msdownload")).is_empty());
        let only_pdf = SafeFetcher::new(FetchPolicy {
            allowed_kinds: &[BodyKind::Pdf],
            ..FetchPolicy::default()
        });
        assert!(only_pdf.kinds_for(Some("text/html")).is_empty());
    }

    #[test]
    fn allow_hosts_match_exact_host_and_port_only() {
        let f = SafeFetcher::new(FetchPolicy {
            allow_hosts: vec![
                "127.0.0.1:8080".into(),
                "[::1]:9000".into(),
                "CV.test:81".into(),
            ],
            ..FetchPolicy::default()
        });
        let ok = |s: &str| {
            let u = Url::parse(s).unwrap();
            f.is_allowed_host(&u, u.port_or_known_default().unwrap())
        };
        assert!(ok("http://127.0.0.1:8080/x"));
        assert!(ok("http://[::1]:9000/"));
        assert!(ok("http://cv.test:81/"));
        assert!(!ok("http://127.0.0.1:8081/"));
        assert!(!ok("http://127.0.0.1/"));
        assert!(!ok("http://127.0.0.2:8080/"));
        assert!(!ok("http://localhost:8080/"));
        assert!(!ok("http://[::1]:8080/"));
        assert!(!SafeFetcher::new(FetchPolicy::default())
            .is_allowed_host(&Url::parse("http://127.0.0.1:80/").unwrap(), 80));
    }

    #[test]
    fn messages_are_one_line_and_name_no_url() {
        let all = [
            FetchError::BadUrl("credentials in URL".into()),
            FetchError::Scheme,
            FetchError::Forbidden {
                addr: "127.0.0.1".into(),
                reason: "loopback address",
            },
            FetchError::Dns,
            FetchError::Connect,
            FetchError::Timeout,
            FetchError::TooManyRedirects,
            FetchError::TooLarge,
            FetchError::Status(404),
            FetchError::Kind,
            FetchError::Http("x".into()),
        ];
        for e in all {
            let m = e.to_string();
            assert!(
                !m.contains('\n') && !m.is_empty() && !m.contains("http://"),
                "{m}"
            );
        }
    }

    fn direct(s: &str) -> Option<String> {
        direct_download_url(&Url::parse(s).unwrap()).map(|u| u.to_string())
    }

    #[test]
    fn google_share_links_become_downloads() {
        let id = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123-";
        let want = format!("https://drive.google.com/uc?export=download&id={id}");
        assert_eq!(
            direct(&format!(
                "https://drive.google.com/file/d/{id}/view?usp=sharing"
            )),
            Some(want.clone())
        );
        assert_eq!(
            direct(&format!("https://drive.google.com/file/d/{id}/edit")),
            Some(want.clone())
        );
        assert_eq!(
            direct(&format!("https://drive.google.com/file/d/{id}")),
            Some(want.clone())
        );
        assert_eq!(
            direct(&format!("https://drive.google.com/file/u/0/d/{id}/view")),
            Some(want.clone())
        );
        assert_eq!(
            direct(&format!("https://drive.google.com/open?id={id}")),
            Some(want.clone())
        );
        assert_eq!(direct(&want), Some(want.clone()));
        assert_eq!(
            direct(&format!(
                "https://drive.google.com/file/d/{id}/view?resourcekey=0-abcDEF123_xyz"
            )),
            Some(format!("{want}&resourcekey=0-abcDEF123_xyz"))
        );
        assert_eq!(
            direct(&format!(
                "https://docs.google.com/document/d/{id}/edit?usp=sharing"
            )),
            Some(format!(
                "https://docs.google.com/document/d/{id}/export?format=docx"
            ))
        );
        assert_eq!(
            direct(&format!("https://docs.google.com/document/u/1/d/{id}/view")),
            Some(format!(
                "https://docs.google.com/document/d/{id}/export?format=docx"
            ))
        );
        assert_eq!(direct("https://drive.google.com/file/d/short/view"), None);
        assert_eq!(
            direct("https://drive.google.com/file/d/bad%2Fid%2F..%2F..%2Fx/view"),
            None
        );
        assert_eq!(
            direct("https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOpQrSt"),
            None
        );
        assert_eq!(
            direct(&format!("https://docs.google.com/spreadsheets/d/{id}/edit")),
            None
        );
    }

    #[test]
    fn dropbox_and_onedrive_links_become_downloads() {
        assert_eq!(
            direct("https://www.dropbox.com/s/abc123/cv.pdf?dl=0"),
            Some("https://www.dropbox.com/s/abc123/cv.pdf?dl=1".into())
        );
        assert_eq!(
            direct("https://dropbox.com/s/abc123/cv.pdf"),
            Some("https://www.dropbox.com/s/abc123/cv.pdf?dl=1".into())
        );
        assert_eq!(
            direct("https://www.dropbox.com/scl/fi/x1y2/cv.pdf?rlkey=k3y&dl=0#frag"),
            Some("https://www.dropbox.com/scl/fi/x1y2/cv.pdf?rlkey=k3y&dl=1".into())
        );
        assert_eq!(
            direct("https://www.dropbox.com/scl/fi/x1y2/cv.pdf?rlkey=k3y&raw=1"),
            Some("https://www.dropbox.com/scl/fi/x1y2/cv.pdf?rlkey=k3y&dl=1".into())
        );
        let once = direct("https://www.dropbox.com/s/abc123/cv.pdf?dl=0").unwrap();
        assert_eq!(direct(&once), Some(once.clone()));
        assert_eq!(direct("https://www.dropbox.com/home"), None);
        assert_eq!(
            direct("https://onedrive.live.com/redir?resid=ABC!123&authkey=!XYZ"),
            Some("https://onedrive.live.com/download?resid=ABC!123&authkey=!XYZ".into())
        );
        assert_eq!(
            direct("https://onedrive.live.com/embed?cid=C&resid=C!1&authkey=K"),
            Some("https://onedrive.live.com/download?cid=C&resid=C!1&authkey=K".into())
        );
        // u! + base64url of the whole link, unpadded (the OneDrive API's "encoding a sharing URL").
        assert_eq!(direct("https://1drv.ms/u/s!abc"), Some("https://api.onedrive.com/v1.0/shares/u!aHR0cHM6Ly8xZHJ2Lm1zL3UvcyFhYmM/root/content".into()));
        assert_eq!(direct("https://1drv.ms/"), None);
        assert_eq!(
            direct("https://contoso-my.sharepoint.com/:b:/g/personal/a_b/EabC?e=x1"),
            Some(
                "https://contoso-my.sharepoint.com/:b:/g/personal/a_b/EabC?e=x1&download=1".into()
            )
        );
        assert_eq!(direct("https://example.com/cv.pdf"), None);
        assert_eq!(direct("ftp://www.dropbox.com/s/abc/cv.pdf"), None);
    }

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(i.as_bytes()), o);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
