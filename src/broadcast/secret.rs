//! Credentials at rest: XChaCha20-Poly1305 with a key from `HIRECAST_SECRET_KEY`.
//! A sealed value is base64(nonce ‖ ciphertext); the account id is the associated data, so a
//! secret copied onto another row does not open.
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("must be 32 bytes in base64 (try: openssl rand -base64 32)")]
    BadKey,
    #[error("the stored secret cannot be opened with this key (was HIRECAST_SECRET_KEY changed?)")]
    CannotOpen,
}

impl SecretKey {
    /// Parses the base64 form of 32 random bytes.
    pub fn parse(b64: &str) -> Result<Self, SecretError> {
        let bytes = B64.decode(b64.trim()).map_err(|_| SecretError::BadKey)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(Self(arr))
    }

    /// A new random key (tests, and the first run without a configured key).
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut k);
        Self(k)
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// Encrypts `plain`, bound to `context` (the row's id).
    pub fn seal(&self, context: &str, plain: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, SecretError> {
        let raw = B64.decode(sealed).map_err(|_| SecretError::CannotOpen)?;
        if raw.len() < 24 + 16 {
            return Err(SecretError::CannotOpen);
        }
        let (nonce, ct) = raw.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() })
            .map_err(|_| SecretError::CannotOpen)
    }
}

/// The key from `HIRECAST_SECRET_KEY`, else the one kept in `<data_dir>/secret.key`
/// (created on first use, readable by its owner only).
pub fn load_or_create(configured: Option<&SecretKey>, data_dir: &std::path::Path) -> anyhow::Result<SecretKey> {
    use anyhow::Context;
    if let Some(k) = configured {
        return Ok(k.clone());
    }
    let path = data_dir.join("secret.key");
    match std::fs::read_to_string(&path) {
        Ok(s) => SecretKey::parse(&s).with_context(|| format!("{} is not a valid key: {}", path.display(), SecretError::BadKey)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("Failed to create {}", data_dir.display()))?;
            let k = SecretKey::random();
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            use std::io::Write;
            let mut f = opts.open(&path).with_context(|| format!("Failed to create {}", path.display()))?;
            f.write_all(k.to_base64().as_bytes())?;
            tracing::warn!(path = %path.display(), "created a secret key for channel credentials; back it up, or set HIRECAST_SECRET_KEY");
            Ok(k)
        }
        Err(e) => Err(e).with_context(|| format!("Failed to read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_row() {
        let k = SecretKey::random();
        let sealed = k.seal("acct-1", b"token-123");
        assert!(!sealed.contains("token-123"));
        assert_eq!(k.open("acct-1", &sealed).unwrap(), b"token-123");
        assert_eq!(k.open("acct-2", &sealed), Err(SecretError::CannotOpen));
        assert_eq!(SecretKey::random().open("acct-1", &sealed), Err(SecretError::CannotOpen));
        // Two seals of the same value differ (random nonce).
        assert_ne!(k.seal("acct-1", b"token-123"), sealed);
    }

    #[test]
    fn a_key_is_created_once_in_the_data_folder() {
        let dir = std::env::temp_dir().join(format!("hirecast-key-{}", uuid::Uuid::new_v4()));
        let a = load_or_create(None, &dir).unwrap();
        let b = load_or_create(None, &dir).unwrap();
        assert_eq!(a.to_base64(), b.to_base64());
        let configured = SecretKey::random();
        assert_eq!(load_or_create(Some(&configured), &dir).unwrap().to_base64(), configured.to_base64());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn keys_parse_from_base64_of_32_bytes() {
        let k = SecretKey::random();
        assert!(SecretKey::parse(&k.to_base64()).is_ok());
        assert_eq!(SecretKey::parse("c2hvcnQ=").unwrap_err(), SecretError::BadKey);
        assert_eq!(SecretKey::parse("not base64!").unwrap_err(), SecretError::BadKey);
    }
}
