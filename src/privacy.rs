//! The rights of the person, as the web app and the API exercise them: the export archive,
//! erasure and objection (database work in `store::privacy`, then the files in the data
//! folder), and the self-service link every email to a candidate carries.
use std::io::Write;

use chrono::NaiveDateTime;

use crate::i18n::Lang;
use crate::store::blobs::BlobStore;
use crate::store::privacy::{self as sp, Erased, LinkScope};
use crate::store::Pool;

/// One ZIP archive: `data.json` (every table's rows about the person), `notice.txt` (the
/// information notice, both languages) and `cv/<sha256>` for each CV file held.
pub async fn export_archive(pool: &Pool, blobs: &BlobStore, candidate_id: &str, now: NaiveDateTime) -> anyhow::Result<Option<Vec<u8>>> {
    let id = candidate_id.to_string();
    let Some(export) = crate::store::run(pool, move |c| Ok(sp::export(c, &id, now)?)).await? else { return Ok(None) };
    let mut files = Vec::new();
    for (sha, name) in &export.cv_files {
        if let Some(bytes) = crate::store::blobs::read(pool, blobs, sha).await? {
            files.push((name.clone(), bytes));
        }
    }
    let json = serde_json::to_vec_pretty(&export.data)?;
    let bytes = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("data.json", opts)?;
        zip.write_all(&json)?;
        zip.start_file("notice.txt", opts)?;
        let notice = format!(
            "{}\n\n{}\n",
            crate::store::applications::privacy_notice(Lang::En),
            crate::store::applications::privacy_notice(Lang::Fr)
        );
        zip.write_all(notice.as_bytes())?;
        for (name, bytes) in files {
            zip.start_file(name, opts)?;
            zip.write_all(&bytes)?;
        }
        Ok(zip.finish()?.into_inner())
    })
    .await??;
    Ok(Some(bytes))
}

/// Erases the person (every part, every table) and then their CV files.
pub async fn erase(pool: &Pool, blobs: &BlobStore, candidate_id: &str, actor: Option<(&str, &str)>, origin: &str, now: NaiveDateTime) -> anyhow::Result<Option<Erased>> {
    remove(pool, blobs, candidate_id, sp::RequestKind::Erasure, actor, origin, now).await
}

/// Records the objection (salted hashes only) and erases the person and their files.
pub async fn object(pool: &Pool, blobs: &BlobStore, candidate_id: &str, actor: Option<(&str, &str)>, origin: &str, now: NaiveDateTime) -> anyhow::Result<Option<Erased>> {
    remove(pool, blobs, candidate_id, sp::RequestKind::Objection, actor, origin, now).await
}

/// Erasure or objection: the database work in one go, recorded, then the files.
async fn remove(pool: &Pool, blobs: &BlobStore, candidate_id: &str, kind: sp::RequestKind, actor: Option<(&str, &str)>, origin: &str, now: NaiveDateTime) -> anyhow::Result<Option<Erased>> {
    let id = candidate_id.to_string();
    let actor = actor.map(|(i, n)| (i.to_string(), n.to_string()));
    let origin = origin.to_string();
    let erased = crate::store::run(pool, move |c| {
        let Some(person) = sp::person_of(c, &id)? else { return Ok(None) };
        let open = open_requests(c, &person)?;
        let e = if kind == sp::RequestKind::Objection { sp::object(c, &person, now)?.map(|(_, e)| e) } else { sp::erase(c, &person)? };
        let Some(e) = e else { return Ok(None) };
        record(c, &person, &open, kind, &origin, actor.as_ref(), &e, now)?;
        Ok(Some(e))
    })
    .await?;
    if let Some(e) = &erased {
        for f in &e.files {
            blobs.remove(f)?;
        }
    }
    Ok(erased)
}

fn open_requests(c: &mut crate::store::DbConn, person: &str) -> anyhow::Result<Vec<String>> {
    use crate::store::schema::privacy_requests as pr;
    use diesel::prelude::*;
    let parts = sp::parts_of(c, person)?;
    Ok(pr::table.filter(pr::candidate_id.eq_any(&parts)).filter(pr::state.eq("open")).select(pr::id).load(c)?)
}

/// After an erasure or objection: the person's open requests are answered (the erasure made
/// them anonymous), or a done request records it when none was open; the audit log and the
/// purge record say who did it (counts only).
#[allow(clippy::too_many_arguments)]
fn record(c: &mut crate::store::DbConn, person: &str, open: &[String], kind: sp::RequestKind, origin: &str, actor: Option<&(String, String)>, e: &Erased, now: NaiveDateTime) -> anyhow::Result<()> {
    use crate::store::schema::privacy_requests as pr;
    use diesel::prelude::*;
    let outcome = serde_json::to_string(&e.counts)?;
    let by = actor.map(|(i, _)| i.as_str());
    let closed = diesel::update(pr::table.filter(pr::id.eq_any(open)).filter(pr::state.eq("open")))
        .set((pr::state.eq("done"), pr::done_at.eq(Some(now)), pr::done_by.eq(by), pr::outcome.eq(Some(&outcome))))
        .execute(c)?;
    let asked: i64 = pr::table.filter(pr::id.eq_any(open)).filter(pr::kind.eq(kind.as_str())).count().get_result(c)?;
    if closed == 0 || asked == 0 {
        sp::record_done(c, None, kind, origin, by, &outcome, now)?;
    }
    let who = actor.map(|(_, n)| n.as_str()).unwrap_or("the person (self-service link)");
    sp::audit(c, by, who, if kind == sp::RequestKind::Objection { "object" } else { "erase" }, person, None, now)?;
    sp::record_run(c, kind.as_str(), e.candidates, &e.counts, &std::collections::BTreeMap::new(), now)?;
    Ok(())
}

/// The line every email to a candidate ends with: their self-service link.
pub fn footer(lang: Lang, url: &str) -> String {
    match lang {
        Lang::Fr => format!("Vos données : consultez-les, téléchargez-les, faites-les effacer ou opposez-vous à leur traitement ici : {url}"),
        Lang::En => format!("Your data: see it, download it, have it erased or object to its use here: {url}"),
    }
}

/// The short form for network messages, which count characters (a Mastodon DM: 500).
pub fn short_footer(lang: Lang, url: &str) -> String {
    match lang {
        Lang::Fr => format!("Vos données et vos droits : {url}"),
        Lang::En => format!("Your data and your rights: {url}"),
    }
}

/// A fresh self-service link for the person.
pub fn link(c: &mut crate::store::DbConn, base_url: &str, candidate_id: &str, scope: LinkScope, now: NaiveDateTime) -> anyhow::Result<String> {
    let token = sp::issue_link(c, candidate_id, scope, now)?;
    Ok(format!("{}/privacy/{token}", base_url.trim_end_matches('/')))
}
