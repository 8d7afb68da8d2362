//! Content-addressed file store (SHA-256) under the data folder: identical files are kept once.
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("blobs") }
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        // The name comes from our own hash, but check it anyway: it builds a path.
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores the bytes (atomically: temporary file then rename) and returns their SHA-256.
    pub fn put(&self, bytes: &[u8]) -> anyhow::Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path_of(&sha).expect("hex digest");
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().expect("has parent");
        std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
        let tmp = dir.join(format!(".{sha}.{}", crate::auth::short_code(8)));
        let mut f = std::fs::File::create(&tmp).context("Failed to create a blob file")?;
        f.write_all(bytes).context("Failed to write a blob file")?;
        f.sync_all().context("Failed to sync a blob file")?;
        std::fs::rename(&tmp, &path).context("Failed to move a blob file in place")?;
        Ok(sha)
    }

    /// Removes a file (erasure); a file already gone is fine.
    pub fn remove(&self, sha256: &str) -> anyhow::Result<()> {
        let Some(path) = self.path_of(sha256) else { return Ok(()) };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).context("Failed to remove a blob file"),
        }
    }

    pub fn get(&self, sha256: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(path) = self.path_of(sha256) else { return Ok(None) };
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).context("Failed to read a blob file"),
        }
    }
}

/// On PostgreSQL, also keeps the file in the database (`blob_files`) so that every instance
/// sharing it can read the file; on SQLite (one instance, one data folder) it does nothing.
pub fn share(conn: &mut super::DbConn, sha256: &str, bytes: &[u8]) -> diesel::QueryResult<()> {
    use super::schema::blob_files;
    use diesel::prelude::*;
    if !matches!(conn, super::DbConn::Postgres(_)) {
        return Ok(());
    }
    let known: i64 = blob_files::table.find(sha256).count().get_result(conn)?;
    if known > 0 {
        return Ok(());
    }
    let r = diesel::insert_into(blob_files::table)
        .values((
            blob_files::sha256.eq(sha256),
            blob_files::bytes.eq(bytes),
            blob_files::size.eq(bytes.len() as i64),
            blob_files::created_at.eq(super::now()),
        ))
        .execute(conn);
    match r {
        // Another instance stored the same file at the same moment.
        Err(e) if super::is_unique_violation(&e) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// A file from the database copy (PostgreSQL), when this instance's folder does not have it.
pub fn shared(conn: &mut super::DbConn, sha256: &str) -> diesel::QueryResult<Option<Vec<u8>>> {
    use super::schema::blob_files;
    use diesel::prelude::*;
    blob_files::table.find(sha256).select(blob_files::bytes).first(conn).optional()
}

/// A stored file: from this instance's folder, else from the database copy (PostgreSQL), so
/// every instance sharing the database can read a file another one stored.
pub async fn read(pool: &super::Pool, blobs: &BlobStore, sha256: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let local = {
        let (blobs, sha) = (blobs.clone(), sha256.to_string());
        actix_web::web::block(move || blobs.get(&sha)).await.context("Blocking task failed")??
    };
    if local.is_some() {
        return Ok(local);
    }
    let sha = sha256.to_string();
    super::run(pool, move |c| Ok(shared(c, &sha)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_by_content() {
        let dir = std::env::temp_dir().join(format!("hirecast-blob-{}", crate::auth::short_code(8)));
        let s = BlobStore::new(&dir);
        let a = s.put(b"%PDF-1.4 hello").unwrap();
        let b = s.put(b"%PDF-1.4 hello").unwrap();
        assert_eq!(a, b);
        assert_eq!(s.get(&a).unwrap().unwrap(), b"%PDF-1.4 hello");
        assert!(s.get("../../etc/passwd").unwrap().is_none());
        std::fs::remove_dir_all(dir).ok();
    }
}
