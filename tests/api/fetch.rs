//! The safe fetcher against real TCP listeners on 127.0.0.1: internal addresses in every
//! spelling are refused without a single connection; allow-listed test servers exercise
//! timeouts, size caps, redirects and content checks.
use std::io::Write;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hirecast::fetch::{
    classify_ip, BodyKind, FetchError, FetchPolicy, SafeFetcher, StaticResolver,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::{Host, Url};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

enum Reply {
    /// Sent at once, then the connection is closed.
    Now(Vec<u8>),
    /// The head at once, then the body one byte every `gap`.
    Trickle {
        head: Vec<u8>,
        body: Vec<u8>,
        gap: Duration,
    },
    /// The head, then nothing (the connection stays open).
    HeadThenHang(Vec<u8>),
    /// Nothing at all.
    Hang,
}

type Route = Arc<dyn Fn(&str, u16) -> Reply + Send + Sync>;

struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

async fn serve(route: Route) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let route = route.clone();
            tokio::spawn(async move { answer(stream, route, port).await });
        }
    });
    Server { port, hits }
}

async fn answer(mut stream: TcpStream, route: Route, port: u16) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    match route(&path, port) {
        Reply::Now(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Trickle { head, body, gap } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            for b in body {
                tokio::time::sleep(gap).await;
                if stream.write_all(&[b]).await.is_err() {
                    return;
                }
            }
        }
        Reply::HeadThenHang(head) => {
            let _ = stream.write_all(&head).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Reply::Hang => tokio::time::sleep(Duration::from_secs(30)).await,
    }
}

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn ok(content_type: &str, body: &[u8]) -> Reply {
    Reply::Now(response(200, &[("Content-Type", content_type)], body))
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::Now(response(status, &[("Location", location)], b""))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A real (stored) ZIP with the entries of a minimal DOCX.
fn docx() -> Vec<u8> {
    let entries: [(&str, &[u8]); 2] = [
        ("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>"),
        (
            "word/document.xml",
            b"<?xml version=\"1.0\"?><w:document><w:body><w:p>Ada</w:p></w:body></w:document>",
        ),
    ];
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]); // flags, method stored, time, date
            v.extend_from_slice(&crc.sum().to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04\x14\x00");
        common(&mut out);
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00");
        common(&mut central);
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal, external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0\x02\0\x02\0");
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The test server: documents, misbehaviours and redirects. `/to/<port>/...` redirects to
/// another local port (the counting listener).
fn routes(counting: u16) -> Route {
    Arc::new(move |path: &str, port: u16| -> Reply {
        match path {
            "/cv.pdf" => ok("application/pdf", PDF),
            "/cv-octet.pdf" => ok("application/octet-stream", PDF),
            "/cv-untyped.pdf" => Reply::Now(response(200, &[], PDF)),
            "/cv-gzip.pdf" => Reply::Now(response(200, &[("Content-Type", "application/pdf"), ("Content-Encoding", "gzip")], &gzip(PDF))),
            "/cv.docx" => ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &docx()),
            "/cv.html" => ok("text/html; charset=utf-8", b"\xEF\xBB\xBF\n<!DOCTYPE html><html><body>Ada Lovelace</body></html>"),
            "/cv.json" => ok("text/plain; charset=utf-8", b"{\"basics\":{\"name\":\"Ada\"}}"),
            "/html-as-pdf" => ok("application/pdf", b"<html><body>not a pdf</body></html>"),
            "/exe" => ok("application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode"),
            "/exe-as-pdf" => ok("application/pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
            "/pdf-as-html" => ok("text/html", PDF),
            "/docx-as-pdf" => ok("application/pdf", &docx()),
            "/zip-not-docx" => ok("application/zip", b"PK\x03\x04garbage that is no archive"),
            "/msdownload" => ok("application/x-msdownload", PDF),
            "/json-array" => ok("application/json", b"[1,2,3]"),
            "/big-exe" => ok("application/octet-stream", &[b'M'; 64 * 1024]),
            "/missing" => Reply::Now(response(404, &[("Content-Type", "text/html")], b"<html>secret-body-text</html>")),
            "/broken" => Reply::Now(response(500, &[], b"secret-body-text")),
            "/slow" => Reply::Trickle {
                head: b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 100\r\nConnection: close\r\n\r\n".to_vec(),
                body: [PDF, &[b' '; 100][..]].concat()[..100].to_vec(),
                gap: Duration::from_secs(1),
            },
            "/hang" => Reply::Hang,
            "/declared-huge" => Reply::HeadThenHang(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 104857600\r\n\r\n%PDF-1.4\n".to_vec()),
            "/undeclared-huge" => {
                let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nConnection: close\r\n\r\n".to_vec();
                out.extend_from_slice(PDF);
                out.extend_from_slice(&vec![b' '; 2 * 1024 * 1024]);
                Reply::Now(out)
            }
            "/bomb" => {
                let mut plain = PDF.to_vec();
                plain.resize(32 * 1024 * 1024, 0);
                Reply::Now(response(200, &[("Content-Type", "application/pdf"), ("Content-Encoding", "gzip")], &gzip(&plain)))
            }
            "/bad-gzip" => Reply::Now(response(200, &[("Content-Type", "application/pdf"), ("Content-Encoding", "gzip")], b"\x1f\x8b\x08\x00not really gzip at all")),
            "/to-private" => redirect(302, &format!("http://127.0.0.1:{counting}/cv.pdf")),
            "/to-decimal" => redirect(301, &format!("http://2130706433:{counting}/cv.pdf")),
            "/to-mapped" => redirect(307, &format!("http://[::ffff:127.0.0.1]:{counting}/cv.pdf")),
            "/to-localhost-same-port" => redirect(302, &format!("http://localhost:{port}/cv.pdf")),
            "/to-metadata" => redirect(302, "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
            "/to-file" => redirect(302, "file:///etc/passwd"),
            "/to-gopher" => redirect(302, &format!("gopher://127.0.0.1:{counting}/_")),
            "/to-userinfo" => redirect(302, &format!("http://x@127.0.0.1:{port}/cv.pdf")),
            "/to-nowhere" => Reply::Now(response(302, &[], b"")),
            "/multiple-choices" => redirect(300, "/cv.pdf"),
            p if p.starts_with("/r/") => {
                let n: u32 = p[3..].parse().unwrap_or(0);
                if n == 0 {
                    return ok("application/pdf", PDF);
                }
                let status = [301, 302, 303, 307, 308][n as usize % 5];
                // Alternate relative and absolute locations.
                if n.is_multiple_of(2) {
                    redirect(status, &format!("/r/{}", n - 1))
                } else {
                    redirect(status, &format!("http://127.0.0.1:{port}/r/{}", n - 1))
                }
            }
            _ => Reply::Now(response(404, &[], b"")),
        }
    })
}

/// A listener that must never be reached: it answers a valid PDF, so a fetch that got
/// through would succeed and the count would show it.
async fn counting() -> Server {
    serve(Arc::new(|_: &str, _: u16| ok("application/pdf", PDF))).await
}

fn quick_policy() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(3),
        ..FetchPolicy::default()
    }
}

/// Before a URL whose host is a non-loopback IP literal goes to the fetcher, make sure the
/// gate refuses it, so that no test ever sends a packet to a private or public network.
fn assert_literal_refused(u: &str) {
    let Ok(parsed) = Url::parse(u.trim()) else {
        return;
    };
    let ip: IpAddr = match parsed.host() {
        Some(Host::Ipv4(ip)) => ip.into(),
        Some(Host::Ipv6(ip)) => ip.into(),
        _ => return,
    };
    assert!(classify_ip(ip).is_err(), "{u} would be let through");
}

#[tokio::test]
async fn internal_addresses_in_every_form_are_refused_without_connecting() {
    let target = counting().await;
    let p = target.port;
    let resolver = StaticResolver::new()
        .with("cv.example.com", &["127.0.0.1".parse().unwrap()])
        .with("rebind.example.com", &["::ffff:127.0.0.1".parse().unwrap()])
        .with(
            "mixed.example.com",
            &[
                "93.184.215.14".parse().unwrap(),
                "127.0.0.1".parse().unwrap(),
            ],
        )
        .with(
            "mixed6.example.com",
            &[
                "2606:4700:4700::1111".parse().unwrap(),
                "::1".parse().unwrap(),
            ],
        )
        .with("private.example.com", &["10.0.0.1".parse().unwrap()]);
    let injected = SafeFetcher::with_resolver(quick_policy(), Arc::new(resolver));
    let system = SafeFetcher::new(quick_policy());

    // (URL, use the system resolver)
    let forbidden: Vec<(String, bool)> = [
        // IPv4 loopback in every spelling the WHATWG parser accepts
        format!("http://127.0.0.1:{p}/"),
        format!("https://127.0.0.1:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f000001:{p}/"),
        format!("http://0X7F000001:{p}/"),
        format!("http://0177.0.0.1:{p}/"),
        format!("http://0177.0000.0000.0001:{p}/"),
        format!("http://017700000001:{p}/"),
        format!("http://127.1:{p}/"),
        format!("http://127.0.1:{p}/"),
        format!("http://0x7f.1:{p}/"),
        format!("http://0x7f.0x0.0x0.0x1:{p}/"),
        format!("http://127.0.0.1.:{p}/"),
        format!("http://%31%32%37.0.0.1:{p}/"),
        format!("http://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}:{p}/"),
        format!("http://127.0.0.\t1:{p}/"),
        format!("  http://127.0.0.1:{p}/cv.pdf  "),
        format!("http://127.255.255.254:{p}/"),
        // unspecified
        format!("http://0:{p}/"),
        format!("http://0.0.0.0:{p}/"),
        format!("http://[::]:{p}/"),
        // IPv6 loopback and IPv4 embedded in IPv6
        format!("http://[::1]:{p}/"),
        format!("http://[0:0:0:0:0:0:0:1]:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://[::ffff:7f00:1]:{p}/"),
        format!("http://[0:0:0:0:0:ffff:127.0.0.1]:{p}/"),
        format!("http://[::127.0.0.1]:{p}/"),
        format!("http://[::ffff:0:127.0.0.1]:{p}/"),
        format!("http://[64:ff9b::7f00:1]:{p}/"),
        format!("http://[64:ff9b::127.0.0.1]:{p}/"),
        format!("http://[64:ff9b:1::7f00:1]:{p}/"),
        format!("http://[2002:7f00:1::]:{p}/"),
        format!("http://[2002:7f00:0001:0:0:0:0:1]:{p}/"),
        format!("http://[2001:0::1]:{p}/"),
        // Teredo with the obfuscated client 127.0.0.1 (~7f000001 = 80fffffe)
        format!("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{p}/"),
        // cloud metadata, private, shared, link-local, multicast, reserved, documentation
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[::ffff:169.254.169.254]/latest/meta-data/".into(),
        "http://[fd00:ec2::254]/latest/meta-data/".into(),
        "http://100.64.0.1/".into(),
        "http://10.0.0.1/".into(),
        "http://0x0a000001/".into(),
        "http://172.16.0.1/".into(),
        "http://172.31.255.254/".into(),
        "http://192.168.1.1/".into(),
        "http://3232235777/".into(),
        "http://[fd00::1]/".into(),
        "http://[fc00::1]/".into(),
        "http://[fe80::1]/".into(),
        "http://[fec0::1]/".into(),
        "http://224.0.0.1/".into(),
        "http://[ff02::1]/".into(),
        "http://255.255.255.255/".into(),
        "http://240.0.0.1/".into(),
        "http://198.18.0.1/".into(),
        "http://192.0.0.170/".into(),
        "http://192.0.2.1/".into(),
        "http://203.0.113.5/".into(),
        "http://[2001:db8::1]/".into(),
        "http://[100::1]/".into(),
        "http://[2001:10::1]/".into(),
        // names: injected answers
        format!("http://cv.example.com:{p}/"),
        format!("http://CV.Example.COM:{p}/"),
        format!("http://rebind.example.com:{p}/"),
        format!("http://mixed.example.com:{p}/"),
        format!("http://mixed6.example.com:{p}/"),
        "http://private.example.com/".into(),
    ]
    .into_iter()
    .map(|u| (u, false))
    .chain(
        [
            format!("http://localhost:{p}/"),
            format!("http://LOCALHOST:{p}/"),
        ]
        .into_iter()
        .map(|u| (u, true)),
    )
    .collect();
    assert!(forbidden.len() >= 40, "{}", forbidden.len());
    for (u, system_dns) in &forbidden {
        assert_literal_refused(u);
        let f = if *system_dns { &system } else { &injected };
        match f.fetch(u).await {
            Err(FetchError::Forbidden { addr, reason }) => {
                assert!(!addr.is_empty() && !reason.is_empty())
            }
            other => panic!("{u}: expected Forbidden, got {other:?}"),
        }
    }

    // credentials and backslash tricks: refused as bad URLs or as the internal host they name
    let tricks = [
        format!("http://example.com@127.0.0.1:{p}/"),
        format!("http://example.com:80@127.0.0.1:{p}/"),
        format!("http://user:secret-pass@cv.example.com:{p}/"),
        format!("http://a%40example.com@127.0.0.1:{p}/"),
        format!("http://127.0.0.1:{p}#@example.com/"),
        format!("http://127.0.0.1:{p}?@example.com/"),
        format!("http://127.0.0.1:{p}\\@example.com/"),
        format!("http://example.com\\@127.0.0.1:{p}/"),
        format!("http:\\\\127.0.0.1:{p}\\cv.pdf"),
        format!("http://localhost.:{p}/"),
    ];
    for u in &tricks {
        let f = if u.contains("localhost") {
            &system
        } else {
            &injected
        };
        match f.fetch(u).await {
            Err(e @ (FetchError::BadUrl(_) | FetchError::Forbidden { .. } | FetchError::Dns)) => {
                assert!(!e.to_string().contains("secret-pass"), "{e}");
            }
            other => panic!("{u}: expected a refusal, got {other:?}"),
        }
    }

    let schemes = [
        "file:///etc/passwd".to_string(),
        "file://127.0.0.1/etc/passwd".into(),
        format!("ftp://127.0.0.1:{p}/cv.pdf"),
        format!("gopher://127.0.0.1:{p}/_GET%20/"),
        "data:application/pdf;base64,JVBERi0xLjQK".into(),
        "javascript:alert(document.domain)".into(),
        format!("dict://127.0.0.1:{p}/info"),
        format!("ws://127.0.0.1:{p}/"),
        format!("ldap://127.0.0.1:{p}/"),
        "about:blank".into(),
    ];
    for u in &schemes {
        assert_eq!(
            injected.fetch(u).await.unwrap_err(),
            FetchError::Scheme,
            "{u}"
        );
    }

    assert_eq!(target.hits(), 0, "an internal address was connected to");
}

async fn fixture() -> (Server, Server, SafeFetcher) {
    let target = counting().await;
    let server = serve(routes(target.port)).await;
    let policy = FetchPolicy {
        allow_hosts: vec![server.host()],
        ..quick_policy()
    };
    (server, target, SafeFetcher::new(policy))
}

#[tokio::test]
async fn documents_of_each_kind_are_fetched_from_an_allow_listed_server() {
    let (server, target, f) = fixture().await;
    let got = f.fetch(&server.url("/cv.pdf")).await.unwrap();
    assert_eq!(got.kind, BodyKind::Pdf);
    assert_eq!(got.bytes, PDF);
    assert_eq!(got.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(got.redirects, 0);
    assert_eq!(got.final_url, server.url("/cv.pdf"));

    assert_eq!(
        f.fetch(&server.url("/cv-octet.pdf")).await.unwrap().kind,
        BodyKind::Pdf
    );
    let untyped = f.fetch(&server.url("/cv-untyped.pdf")).await.unwrap();
    assert_eq!((untyped.kind, untyped.content_type), (BodyKind::Pdf, None));
    let gz = f.fetch(&server.url("/cv-gzip.pdf")).await.unwrap();
    assert_eq!(gz.bytes, PDF, "the gzip body is decompressed");
    let d = f.fetch(&server.url("/cv.docx")).await.unwrap();
    assert_eq!((d.kind, d.bytes), (BodyKind::Docx, docx()));
    assert_eq!(
        f.fetch(&server.url("/cv.html")).await.unwrap().kind,
        BodyKind::Html
    );
    assert_eq!(
        f.fetch(&server.url("/cv.json")).await.unwrap().kind,
        BodyKind::Json
    );
    // The fragment is not sent and not kept.
    assert_eq!(
        f.fetch(&server.url("/cv.pdf#page=2"))
            .await
            .unwrap()
            .final_url,
        server.url("/cv.pdf")
    );
    assert_eq!(target.hits(), 0);
}

#[tokio::test]
async fn an_allow_listed_name_connects_to_the_injected_address_only() {
    let server = serve(routes(1)).await;
    let resolver = StaticResolver::new().with("cv.test", &["127.0.0.1".parse().unwrap()]);
    let policy = FetchPolicy {
        allow_hosts: vec![format!("cv.test:{}", server.port)],
        ..quick_policy()
    };
    let f = SafeFetcher::with_resolver(policy, Arc::new(resolver));
    // `cv.test` exists in no DNS: the body can only come through the pinned address.
    let got = f
        .fetch(&format!("http://cv.test:{}/cv.pdf", server.port))
        .await
        .unwrap();
    assert_eq!(got.kind, BodyKind::Pdf);
    assert_eq!(
        f.fetch(&format!("http://unknown.test:{}/cv.pdf", server.port))
            .await
            .unwrap_err(),
        FetchError::Dns
    );
}

#[tokio::test]
async fn allow_hosts_cover_only_the_exact_host_and_port() {
    let (server, target, f) = fixture().await;
    for u in [
        format!("http://127.0.0.1:{}/cv.pdf", target.port),
        format!("http://localhost:{}/cv.pdf", server.port),
        format!("http://127.0.0.2:{}/cv.pdf", server.port),
        format!("http://[::1]:{}/cv.pdf", server.port),
    ] {
        assert!(
            matches!(f.fetch(&u).await, Err(FetchError::Forbidden { .. })),
            "{u}"
        );
    }
    assert_eq!(target.hits(), 0);
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn redirects_to_internal_targets_are_refused() {
    let (server, target, f) = fixture().await;
    for path in [
        "/to-private",
        "/to-decimal",
        "/to-mapped",
        "/to-localhost-same-port",
        "/to-metadata",
    ] {
        assert!(
            matches!(
                f.fetch(&server.url(path)).await,
                Err(FetchError::Forbidden { .. })
            ),
            "{path}"
        );
    }
    assert_eq!(
        f.fetch(&server.url("/to-file")).await.unwrap_err(),
        FetchError::Scheme
    );
    assert_eq!(
        f.fetch(&server.url("/to-gopher")).await.unwrap_err(),
        FetchError::Scheme
    );
    assert!(matches!(
        f.fetch(&server.url("/to-userinfo")).await,
        Err(FetchError::BadUrl(_))
    ));
    assert_eq!(
        f.fetch(&server.url("/to-nowhere")).await.unwrap_err(),
        FetchError::Status(302)
    );
    assert_eq!(
        f.fetch(&server.url("/multiple-choices")).await.unwrap_err(),
        FetchError::Status(300)
    );
    assert_eq!(
        target.hits(),
        0,
        "the private redirect target was connected to"
    );
    // One connection per hop, none beyond the first refused hop.
    assert_eq!(server.hits(), 10);
}

#[tokio::test]
async fn three_redirects_are_followed_and_a_fourth_is_refused() {
    let (server, _target, f) = fixture().await;
    let got = f.fetch(&server.url("/r/3")).await.unwrap();
    assert_eq!(got.redirects, 3);
    assert_eq!(got.final_url, server.url("/r/0"));
    assert_eq!(got.bytes, PDF);
    let before = server.hits();
    assert_eq!(
        f.fetch(&server.url("/r/4")).await.unwrap_err(),
        FetchError::TooManyRedirects
    );
    assert_eq!(
        server.hits() - before,
        4,
        "the fourth location is never fetched"
    );
    assert_eq!(f.fetch(&server.url("/r/1")).await.unwrap().redirects, 1);

    let strict = SafeFetcher::new(FetchPolicy {
        max_redirects: 0,
        allow_hosts: vec![server.host()],
        ..quick_policy()
    });
    assert_eq!(
        strict.fetch(&server.url("/r/1")).await.unwrap_err(),
        FetchError::TooManyRedirects
    );
}

#[tokio::test]
async fn a_trickling_server_is_cut_at_the_total_timeout() {
    let (server, _target, _) = fixture().await;
    let f = SafeFetcher::new(FetchPolicy {
        total_timeout: Duration::from_secs(2),
        allow_hosts: vec![server.host()],
        ..FetchPolicy::default()
    });
    let start = Instant::now();
    assert_eq!(
        f.fetch(&server.url("/slow")).await.unwrap_err(),
        FetchError::Timeout
    );
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_millis(3500),
        "{took:?}"
    );

    let start = Instant::now();
    assert_eq!(
        f.fetch(&server.url("/hang")).await.unwrap_err(),
        FetchError::Timeout
    );
    assert!(start.elapsed() < Duration::from_millis(3500));
}

#[tokio::test]
async fn bodies_over_the_cap_are_cut() {
    let (server, _target, _) = fixture().await;
    let f = SafeFetcher::new(FetchPolicy {
        max_bytes: 1024 * 1024,
        allow_hosts: vec![server.host()],
        ..quick_policy()
    });
    // 32 MiB of zeros compressed to ~32 KiB: cut once 1 MiB is decompressed.
    assert_eq!(
        f.fetch(&server.url("/bomb")).await.unwrap_err(),
        FetchError::TooLarge
    );
    // No Content-Length, 2 MiB streamed.
    assert_eq!(
        f.fetch(&server.url("/undeclared-huge")).await.unwrap_err(),
        FetchError::TooLarge
    );
    // A declared length over the cap is refused before the body is read.
    let start = Instant::now();
    assert_eq!(
        f.fetch(&server.url("/declared-huge")).await.unwrap_err(),
        FetchError::TooLarge
    );
    assert!(start.elapsed() < Duration::from_secs(1));
    // Under the cap the same fetcher works.
    assert_eq!(
        f.fetch(&server.url("/cv-gzip.pdf")).await.unwrap().bytes,
        PDF
    );
    assert!(matches!(
        f.fetch(&server.url("/bad-gzip")).await,
        Err(FetchError::Http(_))
    ));
}

#[tokio::test]
async fn wrong_magic_numbers_and_types_are_refused() {
    let (server, _target, f) = fixture().await;
    for path in [
        "/html-as-pdf",
        "/exe",
        "/exe-as-pdf",
        "/pdf-as-html",
        "/docx-as-pdf",
        "/zip-not-docx",
        "/msdownload",
        "/json-array",
        "/big-exe",
    ] {
        assert_eq!(
            f.fetch(&server.url(path)).await.unwrap_err(),
            FetchError::Kind,
            "{path}"
        );
    }
    let only_pdf = SafeFetcher::new(FetchPolicy {
        allowed_kinds: &[BodyKind::Pdf],
        allow_hosts: vec![server.host()],
        ..quick_policy()
    });
    assert_eq!(
        only_pdf.fetch(&server.url("/cv.html")).await.unwrap_err(),
        FetchError::Kind
    );
    assert_eq!(
        only_pdf.fetch(&server.url("/cv.docx")).await.unwrap_err(),
        FetchError::Kind
    );
    assert_eq!(
        only_pdf.fetch(&server.url("/cv.pdf")).await.unwrap().kind,
        BodyKind::Pdf
    );
}

#[tokio::test]
async fn error_statuses_carry_no_body() {
    let (server, _target, f) = fixture().await;
    let e = f.fetch(&server.url("/missing")).await.unwrap_err();
    assert_eq!(e, FetchError::Status(404));
    assert!(!e.to_string().contains("secret-body-text"));
    let e = f.fetch(&server.url("/broken")).await.unwrap_err();
    assert_eq!(e, FetchError::Status(500));
    assert!(!e.to_string().contains("secret-body-text"));
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = SafeFetcher::new(FetchPolicy {
        allow_hosts: vec![format!("127.0.0.1:{port}")],
        ..quick_policy()
    });
    assert_eq!(
        f.fetch(&format!("http://127.0.0.1:{port}/cv.pdf"))
            .await
            .unwrap_err(),
        FetchError::Connect
    );
}

#[tokio::test]
async fn garbage_input_is_a_bad_url() {
    let f = SafeFetcher::new(quick_policy());
    for u in [
        "",
        "   ",
        "not a url",
        "http://",
        "http://[::1/",
        "http://exa mple.com/",
        "http://999.1.1.1/",
        "http://0x100000000/",
    ] {
        assert!(
            matches!(f.fetch(u).await, Err(FetchError::BadUrl(_))),
            "{u:?}"
        );
    }
}
