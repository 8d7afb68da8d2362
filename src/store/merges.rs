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
    applications, candidate_cvs, candidate_identities, candidate_merges, candidate_messages, candidate_signals, candidate_sources, candidates,
    merge_proposals, shortlist_entries, shortlist_events, users,
};
use super::{new_id, write_transaction, DbConn};

/// Why two candidates became one: the kind of identity they shared, or a person's decision.
/// `email` and `handle` are identities the person gave (merged by hirecast); `phone`, `cv` and
/// `document_email` (an email found inside a CV or a text) are weak signals, merged only when
/// a person confirmed hirecast's proposal; `manual`: a person's own merge.
pub const REASONS: &[&str] = &["email", "phone", "handle", "cv", "document_email", "manual"];

#[derive(Debug)]
pub enum MergeError {
    /// A candidate is unknown, or already merged into another one.
    NotFound,
    /// A candidate cannot be merged with itself.
    Same,
    /// This merge was already undone.
    AlreadyUndone,
    /// This proposal was already confirmed or dismissed.
    Decided,
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
            MergeError::Decided => f.write_str("this proposal was already confirmed or dismissed"),
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
    /// Weak signals of the absorbed candidate copied to the kept one (it had none of them).
    #[serde(default)]
    signals_added: Vec<(String, String)>,
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
    // The absorbed candidate keeps its signals (for an undo); the kept one gets copies.
    let theirs: Vec<(String, String)> =
        candidate_signals::table.filter(candidate_signals::candidate_id.eq(absorbed)).select((candidate_signals::kind, candidate_signals::value)).load(conn)?;
    let ours: Vec<(String, String)> =
        candidate_signals::table.filter(candidate_signals::candidate_id.eq(survivor)).select((candidate_signals::kind, candidate_signals::value)).load(conn)?;
    for (kind, value) in theirs {
        if !ours.contains(&(kind.clone(), value.clone())) {
            diesel::insert_into(candidate_signals::table)
                .values((
                    candidate_signals::kind.eq(&kind),
                    candidate_signals::value.eq(&value),
                    candidate_signals::candidate_id.eq(survivor),
                    candidate_signals::created_at.eq(at),
                ))
                .execute(conn)?;
            m.signals_added.push((kind, value));
        }
    }

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
    // A proposal for this pair is answered by the merge, whoever made it.
    let (lo, hi) = if survivor < absorbed { (survivor, absorbed) } else { (absorbed, survivor) };
    diesel::update(
        merge_proposals::table.filter(merge_proposals::candidate_a.eq(lo)).filter(merge_proposals::candidate_b.eq(hi)).filter(merge_proposals::decided_at.is_null()),
    )
    .set((
        merge_proposals::decision.eq(Some("merged")),
        merge_proposals::decided_by.eq(actor),
        merge_proposals::decided_at.eq(Some(at)),
        merge_proposals::merge_id.eq(Some(&id)),
    ))
    .execute(conn)?;
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
        for (kind, value) in &m.signals_added {
            diesel::delete(candidate_signals::table.find((kind, value, &survivor))).execute(conn)?;
        }

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
    if n > 0 {
        return Ok(true);
    }
    // A person who dismissed hirecast's proposal said they are two people.
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let dismissed: i64 = merge_proposals::table
        .filter(merge_proposals::candidate_a.eq(lo))
        .filter(merge_proposals::candidate_b.eq(hi))
        .filter(merge_proposals::decision.eq("dismissed"))
        .count()
        .get_result(conn)?;
    Ok(dismissed > 0)
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
    // Each merge looks up its two people in the opening (by the entries' primary key): merges
    // are few, an opening may hold 50,000 people (a list of them took 70 ms with no merge).
    let in_opening = || shortlist_entries::table.filter(shortlist_entries::opening_id.eq(opening_id.to_string()));
    let rows = candidate_merges::table
        .filter(
            diesel::dsl::exists(in_opening().filter(shortlist_entries::candidate_id.eq(candidate_merges::survivor_id)))
                .or(diesel::dsl::exists(in_opening().filter(shortlist_entries::candidate_id.eq(candidate_merges::absorbed_id)))),
        )
        .order(candidate_merges::merged_at.desc())
        .limit(200)
        .select(record_columns())
        .load(conn)?;
    views(conn, rows)
}

pub fn find(conn: &mut DbConn, merge_id: &str) -> QueryResult<Option<MergeView>> {
    let rows = candidate_merges::table.filter(candidate_merges::id.eq(merge_id)).select(record_columns()).load(conn)?;
    Ok(views(conn, rows)?.pop())
}

// ---- Proposals: two candidates who may be one person ----

/// Proposes merging two candidates who share a weak signal (`reason`: `phone`, `cv`,
/// `document_email`; `value`: what they share), inside the caller's transaction. Nothing new
/// when the pair was proposed before (open, confirmed or dismissed), merged, or kept apart.
pub(super) fn propose_tx(conn: &mut DbConn, a: &str, b: &str, reason: &str, value: &str, at: NaiveDateTime) -> QueryResult<bool> {
    if a == b {
        return Ok(false);
    }
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let known: i64 = merge_proposals::table.filter(merge_proposals::candidate_a.eq(lo)).filter(merge_proposals::candidate_b.eq(hi)).count().get_result(conn)?;
    if known > 0 || kept_apart(conn, lo, hi)? {
        return Ok(false);
    }
    diesel::insert_into(merge_proposals::table)
        .values((
            merge_proposals::id.eq(new_id()),
            merge_proposals::candidate_a.eq(lo),
            merge_proposals::candidate_b.eq(hi),
            merge_proposals::reason.eq(reason),
            merge_proposals::value.eq(value),
            merge_proposals::proposed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// One proposal as the pages and the API show it: `keep` is the older candidate (kept if
/// confirmed), `merge` the newer one.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    pub id: String,
    pub keep_id: String,
    pub keep_name: String,
    pub merge_id: String,
    pub merge_name: String,
    /// `phone`, `cv` or `document_email`.
    pub reason: String,
    /// What they share: the phone number, the email, the CV file's SHA-256.
    pub value: String,
    pub proposed_at: NaiveDateTime,
    /// `merged` or `dismissed`, once a person answered.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
}

type ProposalRecord = (String, String, String, String, String, NaiveDateTime, Option<String>, Option<String>, Option<NaiveDateTime>);

fn proposal_columns() -> (
    merge_proposals::id,
    merge_proposals::candidate_a,
    merge_proposals::candidate_b,
    merge_proposals::reason,
    merge_proposals::value,
    merge_proposals::proposed_at,
    merge_proposals::decision,
    merge_proposals::decided_by,
    merge_proposals::decided_at,
) {
    (
        merge_proposals::id,
        merge_proposals::candidate_a,
        merge_proposals::candidate_b,
        merge_proposals::reason,
        merge_proposals::value,
        merge_proposals::proposed_at,
        merge_proposals::decision,
        merge_proposals::decided_by,
        merge_proposals::decided_at,
    )
}

fn proposal_views(conn: &mut DbConn, rows: Vec<ProposalRecord>) -> QueryResult<Vec<ProposalView>> {
    let mut ids: Vec<&String> = rows.iter().flat_map(|r| [&r.1, &r.2]).collect();
    ids.sort();
    ids.dedup();
    let people: Vec<(String, String, NaiveDateTime)> =
        candidates::table.filter(candidates::id.eq_any(ids)).select((candidates::id, candidates::name, candidates::created_at)).load(conn)?;
    let mut deciders: Vec<&String> = rows.iter().filter_map(|r| r.7.as_ref()).collect();
    deciders.dedup();
    let users: Vec<(String, String)> = users::table.filter(users::id.eq_any(deciders)).select((users::id, users::name)).load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, a, b, reason, value, proposed_at, decision, decided_by, decided_at) in rows {
        let (Some(pa), Some(pb)) = (people.iter().find(|p| p.0 == a), people.iter().find(|p| p.0 == b)) else { continue };
        let (keep, merge) = if (pb.2, &pb.0) < (pa.2, &pa.0) { (pb, pa) } else { (pa, pb) };
        out.push(ProposalView {
            id,
            keep_id: keep.0.clone(),
            keep_name: keep.1.clone(),
            merge_id: merge.0.clone(),
            merge_name: merge.1.clone(),
            reason,
            value,
            proposed_at,
            decision,
            decided_by: decided_by.and_then(|u| users.iter().find(|x| x.0 == u).map(|x| x.1.clone())),
            decided_at,
        });
    }
    Ok(out)
}

/// Of these proposals, those whose two candidates are both still live.
fn live_proposals(conn: &mut DbConn, rows: Vec<ProposalRecord>) -> QueryResult<Vec<ProposalView>> {
    // Both must still be live: a proposal about a merged candidate waits for an undo.
    let mut other: Vec<&String> = rows.iter().flat_map(|r| [&r.1, &r.2]).collect();
    other.dedup();
    let alive: Vec<String> = candidates::table.filter(candidates::id.eq_any(other)).filter(candidates::merged_into.is_null()).select(candidates::id).load(conn)?;
    let rows = rows.into_iter().filter(|r| alive.contains(&r.1) && alive.contains(&r.2)).collect();
    proposal_views(conn, rows)
}

/// The open proposals about candidates of an opening's shortlist store.
pub fn open_for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<ProposalView>> {
    let in_opening = || shortlist_entries::table.filter(shortlist_entries::opening_id.eq(opening_id.to_string())).select(shortlist_entries::candidate_id);
    let rows: Vec<ProposalRecord> = merge_proposals::table
        .filter(merge_proposals::decided_at.is_null())
        .filter(merge_proposals::candidate_a.eq_any(in_opening()).or(merge_proposals::candidate_b.eq_any(in_opening())))
        .order((merge_proposals::proposed_at.asc(), merge_proposals::id.asc()))
        .select(proposal_columns())
        .load(conn)?;
    live_proposals(conn, rows)
}

/// Every proposal about a candidate (open, confirmed, dismissed), newest first.
pub fn proposals_of(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<ProposalView>> {
    let rows = merge_proposals::table
        .filter(merge_proposals::candidate_a.eq(candidate_id).or(merge_proposals::candidate_b.eq(candidate_id)))
        .order((merge_proposals::proposed_at.desc(), merge_proposals::id.asc()))
        .select(proposal_columns())
        .load(conn)?;
    proposal_views(conn, rows)
}

pub fn find_proposal(conn: &mut DbConn, id: &str) -> QueryResult<Option<ProposalView>> {
    let rows = merge_proposals::table.filter(merge_proposals::id.eq(id)).select(proposal_columns()).load(conn)?;
    Ok(proposal_views(conn, rows)?.pop())
}

/// A person confirms a proposal: the newer candidate is merged into the older one, recorded
/// with the signal they shared as its reason and the person who confirmed. Returns the merge.
pub fn confirm(conn: &mut DbConn, proposal_id: &str, actor: &str, at: NaiveDateTime) -> Result<String, MergeError> {
    write_transaction::<_, MergeError, _>(conn, |conn| {
        let p = find_proposal(conn, proposal_id)?.ok_or(MergeError::NotFound)?;
        if p.decided_at.is_some() {
            return Err(MergeError::Decided);
        }
        merge_tx(conn, &p.keep_id, &p.merge_id, &p.reason, Some(actor), at)
    })
}

/// A person says the two are different people: the proposal is closed and hirecast will not
/// merge or propose them again.
pub fn dismiss(conn: &mut DbConn, proposal_id: &str, actor: &str, at: NaiveDateTime) -> Result<(), MergeError> {
    write_transaction::<_, MergeError, _>(conn, |conn| {
        let n = diesel::update(merge_proposals::table.find(proposal_id).filter(merge_proposals::decided_at.is_null()))
            .set((merge_proposals::decision.eq(Some("dismissed")), merge_proposals::decided_by.eq(Some(actor)), merge_proposals::decided_at.eq(Some(at))))
            .execute(conn)?;
        if n == 0 {
            let known: i64 = merge_proposals::table.find(proposal_id).count().get_result(conn)?;
            return Err(if known > 0 { MergeError::Decided } else { MergeError::NotFound });
        }
        Ok(())
    })
}
