//! Privacy (GDPR): what hirecast holds about a person, for how long, and their rights.
//!
//! - A person is a candidate and every candidate merged into them ([`parts_of`]).
//! - **Export** and **erasure** find the person's rows by introspection: every table with a
//!   `candidate_id` column (plus the merge records, which name `survivor_id` and
//!   `absorbed_id`), so a table added later is exported and erased without a change here.
//! - **Objection** to sourcing keeps only salted SHA-256 hashes of the person's identifiers
//!   (the salt lives in `install_settings`, not in the secret key, so rotating the key keeps
//!   objections working), then erases the person.
//! - **Retention**: an unsuccessful candidate is removed [`Retention::unsuccessful`] after the
//!   last of their openings closed, unless they joined the talent pool; talent-pool (and hired)
//!   candidates [`Retention::pool`] after their last own action; a person found by sourcing
//!   who could not be informed within [`NOTICE_DAYS`] is removed then.
//! - Every purge is recorded as counts per table ([`purge_runs`]), never content.
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::{Digest, Sha256};

use super::schema::{
    applications, audit_log, candidate_cvs, candidate_identities, candidate_signals, candidates, install_settings, privacy_links, privacy_requests,
    purge_runs, sourcing_objections,
};
use super::{new_id, write_transaction, DbConn};

/// Days the information notice may wait (GDPR article 14(3)(a): one month at the latest).
pub const NOTICE_DAYS: i64 = 30;
/// Days to answer a request (GDPR article 12(3): one month).
pub const REQUEST_DAYS: i64 = 30;

/// How long data is kept. The defaults follow the French regulator's recruitment guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// After the last of an unsuccessful candidate's openings closed.
    pub unsuccessful: Duration,
    /// After a talent-pool (or hired) candidate's last own action.
    pub pool: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self { unsuccessful: Duration::days(90), pool: Duration::days(730) }
    }
}

/// Whether the id is one of ours (a UUID): only such ids are written into SQL text.
fn is_id(s: &str) -> bool {
    s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The person: the candidate and every candidate merged into them, at any depth.
pub fn parts_of(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<String>> {
    let mut parts = vec![candidate_id.to_string()];
    let mut i = 0;
    while i < parts.len() {
        let absorbed: Vec<String> = candidates::table.filter(candidates::merged_into.eq(&parts[i])).select(candidates::id).load(conn)?;
        for a in absorbed {
            if !parts.contains(&a) {
                parts.push(a);
            }
        }
        i += 1;
    }
    Ok(parts)
}

/// The candidate a merged part belongs to now (itself when not merged).
pub fn person_of(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Option<String>> {
    let mut id = candidate_id.to_string();
    for _ in 0..32 {
        let merged: Option<Option<String>> = candidates::table.find(&id).select(candidates::merged_into).first(conn).optional()?;
        match merged {
            None => return Ok(None),
            Some(None) => return Ok(Some(id)),
            Some(Some(next)) => id = next,
        }
    }
    Ok(Some(id))
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Json {
    #[diesel(sql_type = Text)]
    j: String,
}

/// Tables with a column of that name, from the database's own catalogue.
fn tables_with_column(conn: &mut DbConn, column: &str) -> QueryResult<Vec<String>> {
    let mut names: Vec<String> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = ? AND m.name NOT LIKE '__diesel%'",
        )
        .bind::<Text, _>(column)
        .load::<Name>(c)?,
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = $1",
        )
        .bind::<Text, _>(column)
        .load::<Name>(c)?,
    }
    .into_iter()
    .map(|n| n.name)
    .filter(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    .collect();
    names.sort();
    Ok(names)
}

fn columns_of(conn: &mut DbConn, table: &str) -> QueryResult<Vec<(String, bool)>> {
    #[derive(QueryableByName)]
    struct Col {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        ty: String,
    }
    let cols = match conn {
        DbConn::Sqlite(c) => diesel::sql_query("SELECT name, type AS ty FROM pragma_table_info(?)").bind::<Text, _>(table).load::<Col>(c)?,
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS ty FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(table)
        .load::<Col>(c)?,
    };
    Ok(cols.into_iter().map(|c| (c.name, c.ty.to_ascii_lowercase().contains("blob") || c.ty.contains("bytea"))).collect())
}

/// Every row of `table` where one of `columns` names one of `ids`, as JSON objects.
fn rows_json(conn: &mut DbConn, table: &str, columns: &[&str], ids: &[String]) -> QueryResult<Vec<serde_json::Value>> {
    let list = ids.iter().filter(|i| is_id(i)).map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",");
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let filter = columns.iter().map(|c| format!("{c} IN ({list})")).collect::<Vec<_>>().join(" OR ");
    let rows = match conn {
        DbConn::Postgres(c) => diesel::sql_query(format!("SELECT row_to_json(t)::text AS j FROM {table} t WHERE {filter}")).load::<Json>(c)?,
        DbConn::Sqlite(_) => {
            let cols = columns_of(conn, table)?;
            let pairs = cols
                .iter()
                .filter(|(_, blob)| !blob)
                .map(|(n, _)| format!("'{n}', \"{n}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let DbConn::Sqlite(c) = conn else { unreachable!() };
            diesel::sql_query(format!("SELECT json_object({pairs}) AS j FROM {table} WHERE {filter}")).load::<Json>(c)?
        }
    };
    Ok(rows.into_iter().filter_map(|r| serde_json::from_str(&r.j).ok()).collect())
}

/// Tables read and erased per person, and the columns naming them.
fn person_tables(conn: &mut DbConn) -> QueryResult<Vec<(String, Vec<&'static str>)>> {
    let mut v: Vec<(String, Vec<&'static str>)> = vec![("candidates".into(), vec!["id"]), ("candidate_merges".into(), vec!["survivor_id", "absorbed_id"])];
    for t in tables_with_column(conn, "candidate_id")? {
        v.push((t, vec!["candidate_id"]));
    }
    Ok(v)
}

/// Everything held about a person: one entry per table with their rows, and the SHA-256 of
/// each of their CV files (whose bytes go into the archive beside the JSON). `None`: unknown.
pub struct Export {
    pub data: serde_json::Value,
    pub cv_files: Vec<(String, String)>,
}

pub fn export(conn: &mut DbConn, candidate_id: &str, now: NaiveDateTime) -> QueryResult<Option<Export>> {
    let Some(person) = person_of(conn, candidate_id)? else { return Ok(None) };
    let parts = parts_of(conn, &person)?;
    let mut tables = BTreeMap::new();
    for (t, cols) in person_tables(conn)? {
        let rows = rows_json(conn, &t, &cols, &parts)?;
        if t == "privacy_links" {
            // Token hashes say nothing to the person and would only help an attacker.
            tables.insert(t, serde_json::json!(rows.len()));
            continue;
        }
        tables.insert(t, serde_json::Value::Array(rows));
    }
    let mut shas: Vec<String> = candidate_cvs::table.filter(candidate_cvs::candidate_id.eq_any(&parts)).select(candidate_cvs::sha256).load(conn)?;
    let uploaded: Vec<Option<String>> = applications::table.filter(applications::candidate_id.eq_any(&parts)).select(applications::cv_sha256).load(conn)?;
    shas.extend(uploaded.into_iter().flatten());
    shas.sort();
    shas.dedup();
    // The text read from each CV.
    let texts = rows_json_by_sha(conn, "cv_texts", &shas)?;
    tables.insert("cv_texts".into(), serde_json::Value::Array(texts));
    let data = serde_json::json!({
        "exported_at": now.and_utc().to_rfc3339(),
        "person": person,
        "parts": parts,
        "retention": "see the privacy notice in notice.txt",
        "tables": tables,
    });
    let cv_files = shas.into_iter().map(|s| (s.clone(), format!("cv/{s}"))).collect();
    Ok(Some(Export { data, cv_files }))
}

fn rows_json_by_sha(conn: &mut DbConn, table: &str, shas: &[String]) -> QueryResult<Vec<serde_json::Value>> {
    let ok: Vec<&String> = shas.iter().filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())).collect();
    if ok.is_empty() {
        return Ok(Vec::new());
    }
    let list = ok.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(",");
    let rows = match conn {
        DbConn::Postgres(c) => diesel::sql_query(format!("SELECT row_to_json(t)::text AS j FROM {table} t WHERE sha256 IN ({list})")).load::<Json>(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(format!("SELECT json_object('sha256', sha256, 'format', format, 'pages', pages, 'created_at', created_at) AS j FROM {table} WHERE sha256 IN ({list})"))
            .load::<Json>(c)?,
    };
    Ok(rows.into_iter().filter_map(|r| serde_json::from_str(&r.j).ok()).collect())
}

/// What an erasure removed: rows per table, and the CV files no one else holds (their bytes
/// are removed from the data folder by the caller, after the commit).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    pub candidates: i64,
    pub counts: BTreeMap<String, i64>,
    #[serde(skip)]
    pub files: Vec<String>,
}

impl Erased {
    fn add(&mut self, other: Erased) {
        self.candidates += other.candidates;
        for (k, v) in other.counts {
            *self.counts.entry(k).or_default() += v;
        }
        self.files.extend(other.files);
    }
}

fn exec(conn: &mut DbConn, sql: &str) -> QueryResult<usize> {
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sql).execute(c),
        DbConn::Postgres(c) => diesel::sql_query(sql).execute(c),
    }
}

/// Erases a person everywhere, in one transaction: every row naming them or a candidate merged
/// into them, their CV files and the text read from them unless another candidate holds the
/// same file, the emails about them, their audit entries. Requests keep their outcome but no
/// longer name them. `None`: unknown.
pub fn erase(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Option<Erased>> {
    write_transaction(conn, |conn| erase_tx(conn, candidate_id))
}

fn erase_tx(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Option<Erased>> {
    let Some(person) = person_of(conn, candidate_id)? else { return Ok(None) };
    let parts = parts_of(conn, &person)?;
    let list = parts.iter().filter(|i| is_id(i)).map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",");
    let mut out = Erased { candidates: 1, ..Default::default() };
    // Their files, before the rows naming them go.
    let mut shas: Vec<String> = candidate_cvs::table.filter(candidate_cvs::candidate_id.eq_any(&parts)).select(candidate_cvs::sha256).load(conn)?;
    let uploaded: Vec<Option<String>> = applications::table.filter(applications::candidate_id.eq_any(&parts)).select(applications::cv_sha256).load(conn)?;
    shas.extend(uploaded.into_iter().flatten());
    shas.sort();
    shas.dedup();
    // The requests stay as a record that they were answered.
    diesel::update(privacy_requests::table.filter(privacy_requests::candidate_id.eq_any(&parts)))
        .set(privacy_requests::candidate_id.eq(None::<String>))
        .execute(conn)?;
    // Emails about them whose row predates the candidate column carry the id in their key.
    for id in &parts {
        let n = diesel::delete(super::schema::notifications::table.filter(super::schema::notifications::idempotency_key.like(format!("%{id}%")))).execute(conn)?;
        if n > 0 {
            *out.counts.entry("notifications".into()).or_default() += n as i64;
        }
    }
    // Team emails already sent that name them (a digest lists several people).
    let contacts: Vec<(String, Option<String>)> = candidates::table.filter(candidates::id.eq_any(&parts)).select((candidates::name, candidates::email)).load(conn)?;
    for (name, email) in contacts {
        use super::schema::notifications as n;
        for needle in std::iter::once(name).chain(email).filter(|v| v.trim().chars().count() >= 3) {
            let pattern = format!("%{}%", needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            let k = diesel::delete(n::table.filter(n::state.ne("queued")).filter(n::body_text.like(&pattern).escape('\\'))).execute(conn)?;
            if k > 0 {
                *out.counts.entry("notifications".into()).or_default() += k as i64;
            }
        }
    }
    let tables = person_tables(conn)?;
    // Children first, the candidates last (foreign keys).
    for (t, cols) in tables.iter().filter(|(t, _)| t != "candidates" && t != "privacy_requests") {
        let filter = cols.iter().map(|c| format!("{c} IN ({list})")).collect::<Vec<_>>().join(" OR ");
        let n = exec(conn, &format!("DELETE FROM {t} WHERE {filter}"))?;
        if n > 0 {
            *out.counts.entry(t.clone()).or_default() += n as i64;
        }
    }
    // Absorbed parts first: each names its survivor.
    for id in parts.iter().rev() {
        let n = diesel::delete(candidates::table.find(id)).execute(conn)?;
        *out.counts.entry("candidates".into()).or_default() += n as i64;
    }
    for sha in shas {
        let held: i64 = candidate_cvs::table.filter(candidate_cvs::sha256.eq(&sha)).count().get_result(conn)?;
        let uploaded: i64 = applications::table.filter(applications::cv_sha256.eq(&sha)).count().get_result(conn)?;
        if held + uploaded > 0 {
            continue;
        }
        let n = diesel::delete(super::schema::cv_texts::table.find(&sha)).execute(conn)?;
        *out.counts.entry("cv_texts".into()).or_default() += n as i64;
        let n = diesel::delete(super::schema::blob_files::table.find(&sha)).execute(conn)?;
        if n > 0 {
            *out.counts.entry("blob_files".into()).or_default() += n as i64;
        }
        out.files.push(sha);
    }
    out.counts.retain(|_, v| *v > 0);
    Ok(Some(out))
}

/// The salt of identifier hashes, created once per installation.
fn salt(conn: &mut DbConn) -> QueryResult<String> {
    let found: Option<String> = install_settings::table.find("objection_salt").select(install_settings::value).first(conn).optional()?;
    if let Some(s) = found {
        return Ok(s);
    }
    let s = crate::auth::new_token();
    let r = conn.transaction(|c| {
        diesel::insert_into(install_settings::table).values((install_settings::name.eq("objection_salt"), install_settings::value.eq(&s))).execute(c)
    });
    match r {
        Ok(_) => Ok(s),
        Err(e) if super::is_unique_violation(&e) => install_settings::table.find("objection_salt").select(install_settings::value).first(conn),
        Err(e) => Err(e),
    }
}

fn identity_hash(salt: &str, kind: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b"\0");
    h.update(kind.as_bytes());
    h.update(b"\0");
    h.update(value.trim().to_lowercase().as_bytes());
    hex::encode(h.finalize())
}

/// Records the objection (hashes of every identifier of the person: handles, emails, phones,
/// CV files) and erases the person, in one transaction.
pub fn object(conn: &mut DbConn, candidate_id: &str, now: NaiveDateTime) -> QueryResult<Option<(usize, Erased)>> {
    write_transaction(conn, |conn| {
        let Some(person) = person_of(conn, candidate_id)? else { return Ok(None) };
        let parts = parts_of(conn, &person)?;
        let salt = salt(conn)?;
        let mut ids: Vec<(String, String)> =
            candidate_identities::table.filter(candidate_identities::candidate_id.eq_any(&parts)).select((candidate_identities::kind, candidate_identities::value)).load(conn)?;
        // Their phones and CV files too (weak signals, but theirs); not an email only found in
        // their CV, which may be an agency's that other people's CVs show.
        let signals: Vec<(String, String)> = candidate_signals::table
            .filter(candidate_signals::candidate_id.eq_any(&parts))
            .filter(candidate_signals::kind.eq_any(["phone", "cv"]))
            .select((candidate_signals::kind, candidate_signals::value))
            .load(conn)?;
        ids.extend(signals);
        let contacts: Vec<(Option<String>, Option<String>)> = candidates::table.filter(candidates::id.eq_any(&parts)).select((candidates::email, candidates::phone)).load(conn)?;
        for (e, p) in contacts {
            ids.extend(e.map(|e| ("email".to_string(), e)));
            ids.extend(p.map(|p| ("phone".to_string(), p)));
        }
        let mut hashes: Vec<String> = ids.iter().map(|(k, v)| identity_hash(&salt, k, v)).collect();
        hashes.sort();
        hashes.dedup();
        for h in &hashes {
            let known: i64 = sourcing_objections::table.find(h).count().get_result(conn)?;
            if known == 0 {
                diesel::insert_into(sourcing_objections::table).values((sourcing_objections::identity_hash.eq(h), sourcing_objections::created_at.eq(now))).execute(conn)?;
            }
        }
        let erased = erase_tx(conn, &person)?.unwrap_or_default();
        Ok(Some((hashes.len(), erased)))
    })
}

/// Whether any of these identifiers (kind, value: `handle`, `email`, `phone`, `cv`) belongs to
/// a person who objected to sourcing.
pub fn objected(conn: &mut DbConn, ids: &[(&str, String)]) -> QueryResult<bool> {
    if ids.is_empty() {
        return Ok(false);
    }
    let any: i64 = sourcing_objections::table.count().get_result(conn)?;
    if any == 0 {
        return Ok(false);
    }
    let salt = salt(conn)?;
    let hashes: Vec<String> = ids.iter().map(|(k, v)| identity_hash(&salt, k, v)).collect();
    let n: i64 = sourcing_objections::table.filter(sourcing_objections::identity_hash.eq_any(&hashes)).count().get_result(conn)?;
    Ok(n > 0)
}

// ---- Self-service links ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkScope {
    /// Sent privately (email): export, erasure and objection at once.
    Full,
    /// Sent where others may read it (a network message): opens requests the team answers.
    Request,
}

impl LinkScope {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkScope::Full => "full",
            LinkScope::Request => "request",
        }
    }
}

/// A new self-service link token for the person (only its SHA-256 is kept).
pub fn issue_link(conn: &mut DbConn, candidate_id: &str, scope: LinkScope, now: NaiveDateTime) -> QueryResult<String> {
    let token = crate::auth::new_token();
    diesel::insert_into(privacy_links::table)
        .values((
            privacy_links::token_hash.eq(crate::auth::hash_token(&token)),
            privacy_links::candidate_id.eq(candidate_id),
            privacy_links::scope.eq(scope.as_str()),
            privacy_links::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The person a link names now (following merges), and its scope; records the visit as the
/// person's own action.
pub fn open_link(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<(String, LinkScope)>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let hash = crate::auth::hash_token(token);
    let found: Option<(String, String)> = privacy_links::table.find(&hash).select((privacy_links::candidate_id, privacy_links::scope)).first(conn).optional()?;
    let Some((cid, scope)) = found else { return Ok(None) };
    let Some(person) = person_of(conn, &cid)? else { return Ok(None) };
    diesel::update(privacy_links::table.find(&hash)).set(privacy_links::used_at.eq(Some(now))).execute(conn)?;
    diesel::update(candidates::table.find(&person)).set(candidates::last_action_at.eq(Some(now))).execute(conn)?;
    Ok(Some((person, if scope == "full" { LinkScope::Full } else { LinkScope::Request })))
}

/// Joins or leaves the talent pool (the person's own choice).
pub fn set_talent_pool(conn: &mut DbConn, candidate_id: &str, join: bool, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(candidates::table.find(candidate_id))
        .set((candidates::talent_pool_at.eq(join.then_some(now)), candidates::last_action_at.eq(Some(now))))
        .execute(conn)
}

/// The person acted (replied, applied): the talent-pool period starts again.
pub fn touch(conn: &mut DbConn, candidate_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(candidates::table.find(candidate_id)).set(candidates::last_action_at.eq(Some(at))).execute(conn)
}

/// The information notice reached the person.
pub fn noticed(conn: &mut DbConn, candidate_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(candidates::table.find(candidate_id).filter(candidates::notice_sent_at.is_null())).set(candidates::notice_sent_at.eq(Some(at))).execute(conn)
}

// ---- Requests ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Export,
    Erasure,
    Objection,
}

impl RequestKind {
    pub const ALL: [RequestKind; 3] = [RequestKind::Export, RequestKind::Erasure, RequestKind::Objection];
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Export => "export",
            RequestKind::Erasure => "erasure",
            RequestKind::Objection => "objection",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = privacy_requests)]
pub struct Request {
    pub id: String,
    /// Cleared when the person is erased.
    pub candidate_id: Option<String>,
    /// `export`, `erasure` or `objection`.
    pub kind: String,
    /// `link` (the person's self-service link), `team` (recorded by the team).
    pub origin: String,
    /// `open`, `done` or `refused`.
    pub state: String,
    pub message: Option<String>,
    pub requested_at: NaiveDateTime,
    /// One month after the request.
    pub due_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<String>,
    /// What was done, as counts (never content).
    pub outcome: Option<String>,
}

/// Opens a request unless the same one is already open for the person (returns its id).
pub fn open_request(conn: &mut DbConn, candidate_id: &str, kind: RequestKind, origin: &str, message: Option<&str>, now: NaiveDateTime) -> QueryResult<String> {
    write_transaction(conn, |conn| {
        let open: Option<String> = privacy_requests::table
            .filter(privacy_requests::candidate_id.eq(candidate_id))
            .filter(privacy_requests::kind.eq(kind.as_str()))
            .filter(privacy_requests::state.eq("open"))
            .select(privacy_requests::id)
            .first(conn)
            .optional()?;
        if let Some(id) = open {
            return Ok(id);
        }
        let id = new_id();
        diesel::insert_into(privacy_requests::table)
            .values((
                privacy_requests::id.eq(&id),
                privacy_requests::candidate_id.eq(Some(candidate_id)),
                privacy_requests::kind.eq(kind.as_str()),
                privacy_requests::origin.eq(origin),
                privacy_requests::state.eq("open"),
                privacy_requests::message.eq(message.map(|m| m.chars().take(2000).collect::<String>())),
                privacy_requests::requested_at.eq(now),
                privacy_requests::due_at.eq(now + Duration::days(REQUEST_DAYS)),
            ))
            .execute(conn)?;
        Ok(id)
    })
}

/// Records a request answered at once (self-service, or by the team without a prior request).
pub fn record_done(conn: &mut DbConn, candidate_id: Option<&str>, kind: RequestKind, origin: &str, by: Option<&str>, outcome: &str, now: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(privacy_requests::table)
        .values((
            privacy_requests::id.eq(&id),
            privacy_requests::candidate_id.eq(candidate_id),
            privacy_requests::kind.eq(kind.as_str()),
            privacy_requests::origin.eq(origin),
            privacy_requests::state.eq("done"),
            privacy_requests::requested_at.eq(now),
            privacy_requests::due_at.eq(now + Duration::days(REQUEST_DAYS)),
            privacy_requests::done_at.eq(Some(now)),
            privacy_requests::done_by.eq(by),
            privacy_requests::outcome.eq(Some(outcome)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Closes the open requests of that kind for the person (after the right was exercised).
pub fn close_requests(conn: &mut DbConn, candidate_id: &str, kind: RequestKind, by: Option<&str>, outcome: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        privacy_requests::table
            .filter(privacy_requests::candidate_id.eq(candidate_id))
            .filter(privacy_requests::kind.eq(kind.as_str()))
            .filter(privacy_requests::state.eq("open")),
    )
    .set((
        privacy_requests::state.eq("done"),
        privacy_requests::done_at.eq(Some(now)),
        privacy_requests::done_by.eq(by),
        privacy_requests::outcome.eq(Some(outcome)),
    ))
    .execute(conn)
}

/// An export handed over: audited, and answers the person's open export requests; with none
/// open (the team exported on its own, or the person used the link unasked), it is recorded
/// as done, so the register lists it once. One transaction.
pub fn exported(conn: &mut DbConn, person: &str, origin: &str, by: Option<(&str, &str)>, outcome: &str, now: NaiveDateTime) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let (by_id, by_name) = by.map_or((None, "the person (self-service link)"), |(id, name)| (Some(id), name));
        audit(conn, by_id, by_name, "export", person, None, now)?;
        if close_requests(conn, person, RequestKind::Export, by_id, outcome, now)? == 0 {
            record_done(conn, Some(person), RequestKind::Export, origin, by_id, outcome, now)?;
        }
        Ok(())
    })
}

pub fn find_request(conn: &mut DbConn, id: &str) -> QueryResult<Option<Request>> {
    privacy_requests::table.find(id).select(Request::as_select()).first(conn).optional()
}

/// Refuses an open request (e.g. the person could not be identified), with the reason.
pub fn refuse_request(conn: &mut DbConn, id: &str, by: &str, reason: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(privacy_requests::table.find(id).filter(privacy_requests::state.eq("open")))
        .set((
            privacy_requests::state.eq("refused"),
            privacy_requests::done_at.eq(Some(now)),
            privacy_requests::done_by.eq(Some(by)),
            privacy_requests::outcome.eq(Some(reason.chars().take(500).collect::<String>())),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Open requests, the oldest due first, then the latest answered.
pub fn requests(conn: &mut DbConn, open_only: bool, limit: i64) -> QueryResult<Vec<Request>> {
    let mut q = privacy_requests::table.select(Request::as_select()).into_boxed();
    if open_only {
        q = q.filter(privacy_requests::state.eq("open")).order(privacy_requests::due_at.asc());
    } else {
        q = q.order(privacy_requests::requested_at.desc());
    }
    q.limit(limit).load(conn)
}

// ---- Audit log ----

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    /// The actor's name when it happened (kept after the account is gone).
    pub actor: String,
    /// `view`, `cv`, `export`, `erase`, `object`.
    pub action: String,
    pub candidate_id: Option<String>,
    pub opening_id: Option<String>,
}

/// Records who did what to which candidate. A page viewed again within a minute by the same
/// person is one entry.
pub fn audit(conn: &mut DbConn, actor_id: Option<&str>, actor: &str, action: &str, candidate_id: &str, opening_id: Option<&str>, now: NaiveDateTime) -> QueryResult<()> {
    if action == "view" {
        let recent: i64 = audit_log::table
            .filter(audit_log::actor_id.eq(actor_id))
            .filter(audit_log::action.eq(action))
            .filter(audit_log::candidate_id.eq(candidate_id))
            .filter(audit_log::at.gt(now - Duration::minutes(1)))
            .count()
            .get_result(conn)?;
        if recent > 0 {
            return Ok(());
        }
    }
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::at.eq(now),
            audit_log::actor_id.eq(actor_id),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::candidate_id.eq(Some(candidate_id)),
            audit_log::opening_id.eq(opening_id),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn audit_of(conn: &mut DbConn, candidate_id: &str, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table.filter(audit_log::candidate_id.eq(candidate_id)).order(audit_log::at.desc()).limit(limit).select(AuditEntry::as_select()).load(conn)
}

pub fn audit_recent(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table.order(audit_log::at.desc()).limit(limit).select(AuditEntry::as_select()).load(conn)
}

// ---- Retention ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Not retained after the recruitment: removed after the last opening closed.
    Unsuccessful,
    /// Talent pool or hired: removed after the last own action.
    TalentPool,
    /// Found by sourcing and never informed within a month.
    NotInformed,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Unsuccessful => "unsuccessful",
            Rule::TalentPool => "talent_pool",
            Rule::NotInformed => "not_informed",
        }
    }
    pub fn parse(s: &str) -> Option<Rule> {
        [Rule::Unsuccessful, Rule::TalentPool, Rule::NotInformed].into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Due {
    pub candidate_id: String,
    pub name: String,
    pub rule: Rule,
    pub due_at: NaiveDateTime,
}

/// When each person's data is due for removal (people still in an open recruitment are not
/// due), soonest first: every marked person recomputed first, then the whole schedule.
pub fn due(conn: &mut DbConn, r: &Retention) -> QueryResult<Vec<Due>> {
    refresh_schedule(conn, r, None)?;
    Ok(schedule(conn, None, 0, None)?.0)
}

/// Recomputes the removal dates of the people marked since (by the database's triggers: see
/// the `retention_schedule` migration), `max` of them at most (all when `None`), in chunks of
/// one transaction each; returns how many are still marked. When the retention settings
/// changed since the schedule was computed, everyone is marked first.
pub fn refresh_schedule(conn: &mut DbConn, r: &Retention, max: Option<usize>) -> QueryResult<i64> {
    use super::schema::retention_dirty as dirty;
    let key = format!("{}:{}", r.unsuccessful.num_days(), r.pool.num_days());
    let known: Option<String> = install_settings::table.find("retention_schedule").select(install_settings::value).first(conn).optional()?;
    if known.as_deref() != Some(key.as_str()) {
        write_transaction(conn, |c| {
            diesel::sql_query("INSERT INTO retention_dirty (person_id) SELECT id FROM candidates WHERE TRUE ON CONFLICT DO NOTHING").execute(c)?;
            diesel::delete(install_settings::table.find("retention_schedule")).execute(c)?;
            diesel::insert_into(install_settings::table).values((install_settings::name.eq("retention_schedule"), install_settings::value.eq(&key))).execute(c)?;
            Ok::<_, diesel::result::Error>(())
        })?;
    }
    const CHUNK: usize = 1_000;
    let mut done = 0usize;
    loop {
        let room = max.map(|m| m.saturating_sub(done)).unwrap_or(usize::MAX).min(CHUNK);
        if room == 0 {
            break;
        }
        let n = write_transaction(conn, |c| {
            let ids: Vec<String> = dirty::table.select(dirty::person_id).order(dirty::person_id).limit(room as i64).load(c)?;
            if ids.is_empty() {
                return Ok::<_, diesel::result::Error>(0);
            }
            // Unmarked before they are read: a change committed meanwhile marks them again.
            diesel::delete(dirty::table.filter(dirty::person_id.eq_any(&ids))).execute(c)?;
            write_schedule(c, r, &ids)?;
            Ok(ids.len())
        })?;
        if n == 0 {
            break;
        }
        done += n;
    }
    dirty::table.count().get_result(conn)
}

/// Computes and stores the dates of these people (removing those not due, merged or gone).
fn write_schedule(conn: &mut DbConn, r: &Retention, ids: &[String]) -> QueryResult<()> {
    use super::schema::retention_due as rd;
    diesel::delete(rd::table.filter(rd::person_id.eq_any(ids))).execute(conn)?;
    let list = ids.iter().filter(|i| is_id(i)).map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",");
    if list.is_empty() {
        return Ok(());
    }
    let rows: Vec<(String, String, &'static str, NaiveDateTime)> = facts(conn, &format!("AND c.id IN ({list})"), ids.len() as i64)?
        .into_iter()
        .filter_map(|f| f.due(r).map(|(rule, at)| (f.id, f.name, rule.as_str(), at)))
        .collect();
    for (id, name, rule, at) in &rows {
        diesel::insert_into(rd::table).values((rd::person_id.eq(id), rd::name.eq(name), rd::rule.eq(*rule), rd::due_at.eq(*at))).execute(conn)?;
    }
    Ok(())
}

/// The stored schedule, soonest first (due by `until` when given): one page of it (all when
/// `limit` is `None`) and how many people it holds in all. Call [`refresh_schedule`] first.
pub fn schedule(conn: &mut DbConn, until: Option<NaiveDateTime>, offset: i64, limit: Option<i64>) -> QueryResult<(Vec<Due>, i64)> {
    use super::schema::retention_due as rd;
    let base = || {
        let mut q = rd::table.into_boxed();
        if let Some(u) = until {
            q = q.filter(rd::due_at.le(u));
        }
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let mut q = base().order((rd::due_at.asc(), rd::person_id.asc())).select((rd::person_id, rd::name, rd::rule, rd::due_at));
    if offset > 0 || limit.is_some() {
        q = q.offset(offset.max(0)).limit(limit.unwrap_or(i32::MAX as i64).max(0));
    }
    let rows: Vec<(String, String, String, NaiveDateTime)> = q.load(conn)?;
    let items = rows
        .into_iter()
        .map(|(candidate_id, name, rule, due_at)| Due { candidate_id, name, rule: Rule::parse(&rule).unwrap_or(Rule::Unsuccessful), due_at })
        .collect();
    Ok((items, total))
}

/// When one person's data is due for removal (`None`: not due while a recruitment is open),
/// computed now from their rows.
pub fn due_of(conn: &mut DbConn, r: &Retention, candidate_id: &str) -> QueryResult<Option<Due>> {
    if !is_id(candidate_id) {
        return Ok(None);
    }
    let Some(f) = facts(conn, &format!("AND c.id = '{candidate_id}'"), 1)?.into_iter().next() else { return Ok(None) };
    Ok(f.due(r).map(|(rule, due_at)| Due { candidate_id: f.id, name: f.name, rule, due_at }))
}

/// What the retention rules need to know of a candidate, counted by the database.
#[derive(QueryableByName)]
struct Facts {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    talent_pool_at: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    last_action_at: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    notice_sent_at: Option<NaiveDateTime>,
    /// Entries and applications in openings not closed (open, paused or draft).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    not_closed: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    closed_entries: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    closed_applications: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    hired: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    sourced: bool,
    /// Came to us: an entry not from sourcing (a reply, the form), or an application.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    came: bool,
}

impl Facts {
    fn due(&self, r: &Retention) -> Option<(Rule, NaiveDateTime)> {
        let created = self.created_at;
        let last = self.last_action_at.unwrap_or(created).max(created);
        let mut due: Vec<(Rule, NaiveDateTime)> = Vec::new();
        if self.sourced && !self.came && self.notice_sent_at.is_none() && last <= created {
            due.push((Rule::NotInformed, created + Duration::days(NOTICE_DAYS)));
        }
        if self.talent_pool_at.is_some() || self.hired {
            due.push((Rule::TalentPool, last + r.pool));
        } else if self.not_closed == 0 {
            let ended = self.closed_entries.max(self.closed_applications).unwrap_or(created).max(created);
            due.push((Rule::Unsuccessful, ended + r.unsuccessful));
        }
        due.into_iter().min_by_key(|(_, at)| *at)
    }
}

/// The facts of up to `limit` unmerged candidates matching `cond` (SQL text made of our ids
/// only), by id: each counted by subqueries on indexed columns.
fn facts(conn: &mut DbConn, cond: &str, limit: i64) -> QueryResult<Vec<Facts>> {
    let sql = format!(
        "SELECT c.id, c.name, c.created_at, c.talent_pool_at, c.last_action_at, c.notice_sent_at, \
           (SELECT COUNT(*) FROM shortlist_entries e JOIN openings o ON o.id = e.opening_id WHERE e.candidate_id = c.id AND o.closed_at IS NULL) \
           + (SELECT COUNT(*) FROM applications a JOIN openings o ON o.id = a.opening_id WHERE a.candidate_id = c.id AND o.closed_at IS NULL) AS not_closed, \
           (SELECT MAX(o.closed_at) FROM shortlist_entries e JOIN openings o ON o.id = e.opening_id WHERE e.candidate_id = c.id) AS closed_entries, \
           (SELECT MAX(o.closed_at) FROM applications a JOIN openings o ON o.id = a.opening_id WHERE a.candidate_id = c.id) AS closed_applications, \
           EXISTS (SELECT 1 FROM shortlist_entries e WHERE e.candidate_id = c.id AND e.state = 'hired') AS hired, \
           EXISTS (SELECT 1 FROM shortlist_entries e WHERE e.candidate_id = c.id AND e.origin = 'sourced') AS sourced, \
           (EXISTS (SELECT 1 FROM shortlist_entries e WHERE e.candidate_id = c.id AND e.origin <> 'sourced') \
             OR EXISTS (SELECT 1 FROM applications a WHERE a.candidate_id = c.id)) AS came \
         FROM candidates c WHERE c.merged_into IS NULL {cond} ORDER BY c.id LIMIT {limit}"
    );
    diesel::sql_query(sql).load::<Facts>(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = purge_runs)]
pub struct PurgeRun {
    pub id: String,
    pub ran_at: NaiveDateTime,
    pub reason: String,
    pub candidates: i64,
    /// JSON: rows removed per table.
    pub counts: String,
}

/// Removes everyone due by `now` (each person in their own transaction) and records the run
/// (counts only). Returns the run and the CV files to remove from the data folder.
pub fn purge(conn: &mut DbConn, r: &Retention, now: NaiveDateTime) -> QueryResult<(PurgeRun, Vec<String>)> {
    // The stored schedule, brought up to date, says who; each is checked again before erasure.
    refresh_schedule(conn, r, None)?;
    let due: Vec<Due> = schedule(conn, Some(now), 0, None)?
        .0
        .into_iter()
        .filter_map(|d| match due_of(conn, r, &d.candidate_id) {
            Ok(Some(exact)) if exact.due_at <= now => Some(Ok(exact)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<QueryResult<_>>()?;
    let mut total = Erased::default();
    let mut by_rule: BTreeMap<&str, i64> = BTreeMap::new();
    for d in &due {
        if let Some(e) = erase(conn, &d.candidate_id)? {
            *by_rule.entry(d.rule.as_str()).or_default() += 1;
            total.add(e);
        }
    }
    // Team emails sent more than a month ago: their text named people.
    {
        use super::schema::notifications as n;
        let k = diesel::delete(n::table.filter(n::state.ne("queued")).filter(n::created_at.lt(now - Duration::days(NOTICE_DAYS)))).execute(conn)?;
        if k > 0 {
            *total.counts.entry("notifications".into()).or_default() += k as i64;
        }
    }
    let run = record_run(conn, "retention", total.candidates, &total.counts, &by_rule, now)?;
    Ok((run, total.files))
}

/// Records a purge or an erasure: counts per table, never content.
pub fn record_run(conn: &mut DbConn, reason: &str, n: i64, counts: &BTreeMap<String, i64>, by_rule: &BTreeMap<&str, i64>, now: NaiveDateTime) -> QueryResult<PurgeRun> {
    let run = PurgeRun {
        id: new_id(),
        ran_at: now,
        reason: reason.to_string(),
        candidates: n,
        counts: serde_json::json!({ "tables": counts, "rules": by_rule }).to_string(),
    };
    diesel::insert_into(purge_runs::table)
        .values((
            purge_runs::id.eq(&run.id),
            purge_runs::ran_at.eq(run.ran_at),
            purge_runs::reason.eq(&run.reason),
            purge_runs::candidates.eq(run.candidates),
            purge_runs::counts.eq(&run.counts),
        ))
        .execute(conn)?;
    Ok(run)
}

/// The last retention run, to run the daily job once a day.
pub fn last_retention_run(conn: &mut DbConn) -> QueryResult<Option<NaiveDateTime>> {
    purge_runs::table.filter(purge_runs::reason.eq("retention")).select(diesel::dsl::max(purge_runs::ran_at)).first(conn)
}

pub fn runs(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<PurgeRun>> {
    purge_runs::table.order(purge_runs::ran_at.desc()).limit(limit).select(PurgeRun::as_select()).load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_hashes_are_salted_and_normalized() {
        assert_eq!(identity_hash("s", "email", "A@B.fr "), identity_hash("s", "email", "a@b.fr"));
        assert_ne!(identity_hash("s", "email", "a@b.fr"), identity_hash("t", "email", "a@b.fr"));
        assert_ne!(identity_hash("s", "email", "a@b.fr"), identity_hash("s", "phone", "a@b.fr"));
        assert!(!identity_hash("s", "email", "a@b.fr").contains("a@b"));
    }

    #[test]
    fn only_our_ids_reach_sql_text() {
        assert!(is_id("0190a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b"));
        assert!(!is_id("x' OR '1'='1"));
        assert!(!is_id("0190a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5'"));
    }
}
