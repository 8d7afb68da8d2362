//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of drift either way. Pure: the caller passes the time and keeps the last
//! accepted step so a code cannot be used twice.
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const DIGITS: u32 = 6;
pub const STEP_SECS: i64 = 30;
/// Steps accepted either side of now (clock drift, a code typed as it changes).
pub const DRIFT_STEPS: i64 = 1;

/// A new 160-bit secret (the size RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut b = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// RFC 4226 HOTP value for `counter`, as `digits` decimal digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    format!("{:0width$}", bin % 10u32.pow(digits), width = digits as usize)
}

/// The time step of a Unix time.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The 6-digit code at a Unix time.
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    hotp(secret, step_at(unix_secs) as u64, DIGITS)
}

/// The step whose code `code` is, within the drift around `unix_secs` and after
/// `last_step` (a step already used is refused); None when it matches none.
pub fn verify(secret: &[u8], code: &str, unix_secs: i64, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_secs);
    let mut found = None;
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        if step < 0 || last_step.is_some_and(|l| step <= l) {
            continue;
        }
        // Compare every candidate (no early exit) so timing says nothing about which matched.
        if constant_time_eq(hotp(secret, step as u64, DIGITS).as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take it.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` URI an authenticator app reads (Key Uri Format).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_4226_hotp_vectors() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, i as u64, 6), *e, "counter {i}");
        }
    }

    #[test]
    fn rfc_6238_sha1_vectors() {
        // Appendix B, SHA-1 column (8 digits); the 6-digit code is its last six digits.
        let vectors = [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ];
        for (t, e) in vectors {
            assert_eq!(hotp(RFC_SECRET, step_at(t) as u64, 8), e, "T = {t}");
            assert_eq!(code_at(RFC_SECRET, t), e[2..], "T = {t}");
        }
    }

    #[test]
    fn codes_verify_within_one_step_and_once() {
        let t = 1_234_567_890;
        let code = code_at(RFC_SECRET, t);
        assert_eq!(verify(RFC_SECRET, &code, t, None), Some(step_at(t)));
        assert_eq!(verify(RFC_SECRET, &code, t + 30, None), Some(step_at(t)));
        assert_eq!(verify(RFC_SECRET, &code, t - 30, None), Some(step_at(t)));
        assert_eq!(verify(RFC_SECRET, &code, t + 60, None), None);
        // Replay: the step was used.
        assert_eq!(verify(RFC_SECRET, &code, t, Some(step_at(t))), None);
        assert_eq!(verify(RFC_SECRET, "000000", t, None).is_some(), code == "000000");
        assert_eq!(verify(RFC_SECRET, "12345", t, None), None);
        assert_eq!(verify(RFC_SECRET, "abcdef", t, None), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fo"), "MZXQ");
        assert_eq!(base32(b"foo"), "MZXW6");
        assert_eq!(base32(b"foob"), "MZXW6YQ");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn otpauth_uri_names_issuer_account_and_secret() {
        let uri = otpauth_uri("Hirecast", "lea@example.com", RFC_SECRET);
        assert_eq!(
            uri,
            "otpauth://totp/Hirecast:lea%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Hirecast&algorithm=SHA1&digits=6&period=30"
        );
    }
}
