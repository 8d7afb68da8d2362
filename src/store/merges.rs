//! Merging two candidates who are one person, recorded so that it can be undone.
//!
//! A merge moves what the absorbed candidate had (identities, sources, CV files, applications,
//! messages, shortlist entries with their history) to the candidate kept, fills the kept one's
//! unknown contact fields, and hides the absorbed one (`merged_into`). The merge record lists
//! exactly what moved, so undoing it moves that back. Where both were in the same opening's
//! shortlist store, the kept candidate's entry stays and the absorbed one's stays with it,
//! hidden, until an undo shows it again. An undone merge keeps the two apart: hirecast will
//! not merge them again by itself (a recruiter still can).
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::models::CandidateRow;
use super::schema::{
    applications, candidate_cvs, candidate_identities, candidate_merges, candidate_messages, candidate_sources, candidates, shortlist_entries,
    shortlist_events, users,
};
use super::{new_id, write_transaction, DbConn};

/// Why two candidates became one: the kind of identity they shared, or a person's decision.
pub const REASONS: &[&str] = &["email", "phone", "handle", "cv", "manual"];

#[derive(Debug)]
pub enum MergeError {
    /// A candidate is unknown, or already merged into another one.
    NotFound,
    /// A candidate cannot be merged with itself.
    Same,
    /// This merge was already undone.
    AlreadyUndone,
    /// The kept candidate was merged into another one since: undo that merge first.
    LaterMerge,
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for MergeError {
    fn from(e: diesel::result::Error) -> Self {
        MergeError::Db(e)
    }
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MergeError::NotFound => f.write_str("candidate not found (or already merged into another one)"),
            MergeError::Same => f.write_str("a candidate cannot be merged with itself"),
            MergeError::AlreadyUndone => f.write_str("this merge was already undone"),
            MergeError::LaterMerge => f.write_str("the candidate kept was merged into another one since: undo that merge first"),
            MergeError::Db(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for MergeError {}

/// The kept candidate's fields before the merge filled them in.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Fields {
    phone: Option<String>,
    headline: Option<String>,
    location: Option<String>,
    languages: String,
    years_experience: Option<i64>,
}

/// What a merge moved from the absorbed candidate to the kept one.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Moved {
    identities: Vec<(String, String)>,
    sources: Vec<String>,
    cvs: Vec<String>,
    applications: Vec<String>,
    messages: Vec<String>,
    /// Openings whose shortlist entry moved (the kept candidate had none there).
    entries: Vec<String>,
    /// Openings where both had an entry: the absorbed one's stayed with it, hidden.
    kept_apart_entries: Vec<String>,
    survivor_before: Fields,
    /// The absorbed candidate's email, given to the kept one that had none.
    moved_email: Option<String>,
}

fn live(conn: &mut DbConn, id: &str) -> QueryResult<Option<CandidateRow>> {
    candidates::table.find(id).filter(candidates::merged_into.is_null()).select(CandidateRow::as_select()).first(conn).optional()
}

/// Merges `absorbed` into `survivor` in one transaction; returns the merge's id.
pub fn merge(conn: &mut DbConn, survivor: &str, absorbed: &str, reason: &str, actor: Option<&str>, at: NaiveDateTime) -> Result<String, MergeError> {
    write_transaction::<_, MergeError, _>(conn, |conn| merge_tx(conn, survivor, absorbed, reason, actor, at))
}

/// The merge itself, inside the caller's transaction.
pub(super) fn merge_tx(conn: &mut DbConn, survivor: &str, absorbed: &str, reason: &str, actor: Option<&str>, at: NaiveDateTime) -> Result<String, MergeError> {
    if survivor == absorbed {
        return Err(MergeError::Same);
    }
    let s = live(conn, survivor)?.ok_or(MergeError::NotFound)?;
    let a = live(conn, absorbed)?.ok_or(MergeError::NotFound)?;
    let mut m = Moved::default();

    m.identities = candidate_identities::table
        .filter(candidate_identities::candidate_id.eq(absorbed))
        .select((candidate_identities::kind, candidate_identities::value))
        .load(conn)?;
    m.sources = candidate_sources::table.filter(candidate_sources::candidate_id.eq(absorbed)).select(candidate_sources::id).load(conn)?;
    let survivor_cvs: Vec<String> = candidate_cvs::table.filter(candidate_cvs::candidate_id.eq(survivor)).select(candidate_cvs::sha256).load(conn)?;
    m.cvs = candidate_cvs::table
        .filter(candidate_cvs::candidate_id.eq(absorbed))
        .filter(candidate_cvs::sha256.ne_all(&survivor_cvs))
        .select(candidate_cvs::sha256)
        .load(conn)?;
    m.applications = applications::table.filter(applications::candidate_id.eq(absorbed)).select(applications::id).load(conn)?;
    m.messages = candidate_messages::table.filter(candidate_messages::candidate_id.eq(absorbed)).select(candidate_messages::id).load(conn)?;
    let survivor_openings: Vec<String> =
        shortlist_entries::table.filter(shortlist_entries::candidate_id.eq(survivor)).select(shortlist_entries::opening_id).load(conn)?;
    let absorbed_openings: Vec<String> =
        shortlist_entries::table.filter(shortlist_entries::candidate_id.eq(absorbed)).select(shortlist_entries::opening_id).load(conn)?;
    let (both, only): (Vec<String>, Vec<String>) = absorbed_openings.into_iter().partition(|o| survivor_openings.contains(o));
    m.entries = only;
    m.kept_apart_entries = both;
    move_listed(conn, absorbed, survivor, &m)?;

    m.survivor_before =
        Fields { phone: s.phone.clone(), headline: s.headline.clone(), location: s.location.clone(), languages: s.languages.clone(), years_experience: s.years_experience };
    // Emails are unique among candidates: the absorbed one gives its email up first.
    if s.email.is_none() && a.email.is_some() {
        m.moved_email = a.email.clone();
        diesel::update(candidates::table.find(absorbed)).set(candidates::email.eq(None::<String>)).execute(conn)?;
    }
    let languages = {
        let mut v: Vec<String> = serde_json::from_str(&s.languages).unwrap_or_default();
        for l in serde_json::from_str::<Vec<String>>(&a.languages).unwrap_or_default() {
            if !v.contains(&l) {
                v.push(l);
            }
        }
        serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())
    };
    diesel::update(candidates::table.find(survivor))
        .set((
            candidates::email.eq(s.email.clone().or(m.moved_email.clone())),
            candidates::phone.eq(s.phone.clone().or(a.phone.clone())),
            candidates::headline.eq(s.headline.clone().or(a.headline.clone())),
            candidates::location.eq(s.location.clone().or(a.location.clone())),
            candidates::languages.eq(languages),
            candidates::years_experience.eq(s.years_experience.max(a.years_experience)),
            candidates::updated_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(candidates::table.find(absorbed)).set((candidates::merged_into.eq(Some(survivor)), candidates::updated_at.eq(at))).execute(conn)?;

    let id = new_id();
    diesel::insert_into(candidate_merges::table)
        .values((
            candidate_merges::id.eq(&id),
            candidate_merges::survivor_id.eq(survivor),
            candidate_merges::absorbed_id.eq(absorbed),
            candidate_merges::reason.eq(reason),
            candidate_merges::moved.eq(serde_json::to_string(&m).unwrap_or_else(|_| "{}".into())),
            candidate_merges::actor_id.eq(actor),
            candidate_merges::merged_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Moves what `m` lists from one candidate to the other: forwards when merging, backwards
/// when undoing. The entries listed are of openings where only one of the two was, so the
/// entry and its whole history (changes made since the merge included) move together.
fn move_listed(conn: &mut DbConn, from: &str, to: &str, m: &Moved) -> QueryResult<()> {
    for (kind, value) in &m.identities {
        diesel::update(
            candidate_identities::table
                .filter(candidate_identities::kind.eq(kind))
                .filter(candidate_identities::value.eq(value))
                .filter(candidate_identities::candidate_id.eq(from)),
        )
        .set(candidate_identities::candidate_id.eq(to))
        .execute(conn)?;
    }
    diesel::update(candidate_sources::table.filter(candidate_sources::candidate_id.eq(from)).filter(candidate_sources::id.eq_any(&m.sources)))
        .set(candidate_sources::candidate_id.eq(to))
        .execute(conn)?;
    diesel::update(candidate_cvs::table.filter(candidate_cvs::candidate_id.eq(from)).filter(candidate_cvs::sha256.eq_any(&m.cvs)))
        .set(candidate_cvs::candidate_id.eq(to))
        .execute(conn)?;
    diesel::update(applications::table.filter(applications::candidate_id.eq(from)).filter(applications::id.eq_any(&m.applications)))
        .set(applications::candidate_id.eq(to))
        .execute(conn)?;
    diesel::update(candidate_messages::table.filter(candidate_messages::candidate_id.eq(from)).filter(candidate_messages::id.eq_any(&m.messages)))
        .set(candidate_messages::candidate_id.eq(to))
        .execute(conn)?;
    diesel::update(shortlist_events::table.filter(shortlist_events::candidate_id.eq(from)).filter(shortlist_events::opening_id.eq_any(&m.entries)))
        .set(shortlist_events::candidate_id.eq(to))
        .execute(conn)?;
    diesel::update(shortlist_entries::table.filter(shortlist_entries::candidate_id.eq(from)).filter(shortlist_entries::opening_id.eq_any(&m.entries)))
        .set(shortlist_entries::candidate_id.eq(to))
        .execute(conn)?;
    Ok(())
}

/// Undoes a merge in one transaction: what it moved goes back to the absorbed candidate, the
/// fields it filled in are emptied again, and the absorbed candidate shows again.
pub fn undo(conn: &mut DbConn, merge_id: &str, actor: &str, at: NaiveDateTime) -> Result<(), MergeError> {
    write_transaction::<_, MergeError, _>(conn, |conn| {
        let r: Option<(String, String, String, Option<NaiveDateTime>)> = candidate_merges::table
            .find(merge_id)
            .select((candidate_merges::survivor_id, candidate_merges::absorbed_id, candidate_merges::moved, candidate_merges::undone_at))
            .first(conn)
            .optional()?;
        let Some((survivor, absorbed, moved, undone_at)) = r else { return Err(MergeError::NotFound) };
        if undone_at.is_some() {
            return Err(MergeError::AlreadyUndone);
        }
        let Some(s) = live(conn, &survivor)? else { return Err(MergeError::LaterMerge) };
        let m: Moved = serde_json::from_str(&moved).map_err(|e| MergeError::Db(diesel::result::Error::DeserializationError(Box::new(e))))?;

        move_listed(conn, &survivor, &absorbed, &m)?;

        let b = &m.survivor_before;
        let email_back = m.moved_email.is_some() && s.email == m.moved_email;
        diesel::update(candidates::table.find(&survivor))
            .set((
                candidates::email.eq(if email_back { None } else { s.email.clone() }),
                candidates::phone.eq(b.phone.clone()),
                candidates::headline.eq(b.headline.clone()),
                candidates::location.eq(b.location.clone()),
                candidates::languages.eq(&b.languages),
                candidates::years_experience.eq(b.years_experience),
                candidates::updated_at.eq(at),
            ))
            .execute(conn)?;
        diesel::update(candidates::table.find(&absorbed))
            .set((
                candidates::merged_into.eq(None::<String>),
                candidates::updated_at.eq(at),
            ))
            .execute(conn)?;
        if email_back {
            diesel::update(candidates::table.find(&absorbed)).set(candidates::email.eq(&m.moved_email)).execute(conn)?;
        }
        diesel::update(candidate_merges::table.find(merge_id))
            .set((candidate_merges::undone_at.eq(Some(at)), candidate_merges::undone_by.eq(Some(actor))))
            .execute(conn)?;
        Ok(())
    })
}

/// Whether a merge of these two was undone: hirecast then keeps them apart.
pub fn kept_apart(conn: &mut DbConn, a: &str, b: &str) -> QueryResult<bool> {
    let n: i64 = candidate_merges::table
        .filter(candidate_merges::undone_at.is_not_null())
        .filter(
            (candidate_merges::survivor_id.eq(a).and(candidate_merges::absorbed_id.eq(b)))
                .or(candidate_merges::survivor_id.eq(b).and(candidate_merges::absorbed_id.eq(a))),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// One recorded merge as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct MergeView {
    pub id: String,
    pub survivor_id: String,
    pub survivor_name: String,
    pub absorbed_id: String,
    pub absorbed_name: String,
    pub reason: String,
    /// Who merged them; `None`: hirecast, because one answer named both.
    pub actor: Option<String>,
    pub merged_at: NaiveDateTime,
    pub undone_at: Option<NaiveDateTime>,
    pub undone_by: Option<String>,
}

type MergeRecord = (String, String, String, String, Option<String>, NaiveDateTime, Option<NaiveDateTime>, Option<String>);

fn views(conn: &mut DbConn, rows: Vec<MergeRecord>) -> QueryResult<Vec<MergeView>> {
    let mut out = Vec::with_capacity(rows.len());
    for (id, survivor_id, absorbed_id, reason, actor, merged_at, undone_at, undone_by) in rows {
        let name = |conn: &mut DbConn, id: &str| -> QueryResult<String> {
            Ok(candidates::table.find(id).select(candidates::name).first(conn).optional()?.unwrap_or_default())
        };
        let user = |conn: &mut DbConn, id: &Option<String>| -> QueryResult<Option<String>> {
            match id {
                Some(id) => users::table.find(id).select(users::name).first(conn).optional(),
                None => Ok(None),
            }
        };
        out.push(MergeView {
            survivor_name: name(conn, &survivor_id)?,
            absorbed_name: name(conn, &absorbed_id)?,
            actor: user(conn, &actor)?,
            undone_by: user(conn, &undone_by)?,
            id,
            survivor_id,
            absorbed_id,
            reason,
            merged_at,
            undone_at,
        })
    }
    Ok(out)
}

fn record_columns() -> (
    candidate_merges::id,
    candidate_merges::survivor_id,
    candidate_merges::absorbed_id,
    candidate_merges::reason,
    candidate_merges::actor_id,
    candidate_merges::merged_at,
    candidate_merges::undone_at,
    candidate_merges::undone_by,
) {
    (
        candidate_merges::id,
        candidate_merges::survivor_id,
        candidate_merges::absorbed_id,
        candidate_merges::reason,
        candidate_merges::actor_id,
        candidate_merges::merged_at,
        candidate_merges::undone_at,
        candidate_merges::undone_by,
    )
}

/// The merges that concern a candidate (kept or absorbed), newest first.
pub fn of_candidate(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<MergeView>> {
    let rows = candidate_merges::table
        .filter(candidate_merges::survivor_id.eq(candidate_id).or(candidate_merges::absorbed_id.eq(candidate_id)))
        .order(candidate_merges::merged_at.desc())
        .select(record_columns())
        .load(conn)?;
    views(conn, rows)
}

/// The merges of the candidates in an opening's shortlist store, newest first.
pub fn for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<MergeView>> {
    let ids: Vec<String> = shortlist_entries::table.filter(shortlist_entries::opening_id.eq(opening_id)).select(shortlist_entries::candidate_id).load(conn)?;
    let rows = candidate_merges::table
        .filter(candidate_merges::survivor_id.eq_any(&ids).or(candidate_merges::absorbed_id.eq_any(&ids)))
        .order(candidate_merges::merged_at.desc())
        .select(record_columns())
        .load(conn)?;
    views(conn, rows)
}

pub fn find(conn: &mut DbConn, merge_id: &str) -> QueryResult<Option<MergeView>> {
    let rows = candidate_merges::table.filter(candidate_merges::id.eq(merge_id)).select(record_columns()).load(conn)?;
    Ok(views(conn, rows)?.pop())
}
