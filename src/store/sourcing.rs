//! The shortlist store: candidates found in replies and profiles, the identities that make
//! one person of them across channels, what they wrote (sources), their CV files and the text
//! read from them, and their place in each opening's shortlist with every change recorded.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::models::CandidateRow;
use super::schema::{candidate_cvs, candidate_identities, candidate_signals, candidate_sources, candidates, cv_texts, shortlist_entries, shortlist_events};
use super::{new_id, write_transaction, DbConn};

/// How a person is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    Email,
    /// E.164.
    Phone,
    /// `network:handle` (`mastodon:lea@mastodon.social`, `bluesky:did:plc:…`).
    Handle,
    /// A CV file's SHA-256.
    Cv,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
            IdentityKind::Handle => "handle",
            IdentityKind::Cv => "cv",
        }
    }
}

pub fn candidate_by_identity(conn: &mut DbConn, kind: IdentityKind, value: &str) -> QueryResult<Option<String>> {
    candidate_identities::table
        .find((kind.as_str(), value))
        .select(candidate_identities::candidate_id)
        .first(conn)
        .optional()
}

/// Records that `value` identifies the candidate; a value already known stays with its owner.
pub fn add_identity(conn: &mut DbConn, kind: IdentityKind, value: &str, candidate_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    if candidate_by_identity(conn, kind, value)?.is_some() {
        return Ok(());
    }
    diesel::insert_into(candidate_identities::table)
        .values((
            candidate_identities::kind.eq(kind.as_str()),
            candidate_identities::value.eq(value),
            candidate_identities::candidate_id.eq(candidate_id),
            candidate_identities::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The most CV files kept for one candidate, all answers and channels together.
pub const MAX_CV_FILES_PER_CANDIDATE: i64 = 10;
/// The most bytes of CV files kept for one candidate.
pub const MAX_CV_BYTES_PER_CANDIDATE: i64 = 30 * 1024 * 1024;

/// What a candidate may still add in CV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CvBudget {
    pub files: i64,
    pub bytes: i64,
}

impl CvBudget {
    pub const FULL: CvBudget = CvBudget { files: MAX_CV_FILES_PER_CANDIDATE, bytes: MAX_CV_BYTES_PER_CANDIDATE };

    /// Takes one file of `size` bytes from the budget; `false` (and nothing taken) when it does not fit.
    pub fn take(&mut self, size: i64) -> bool {
        if self.files < 1 || size > self.bytes {
            return false;
        }
        self.files -= 1;
        self.bytes -= size;
        true
    }
}

fn budget_of(conn: &mut DbConn, candidate_id: &str) -> QueryResult<CvBudget> {
    let sizes: Vec<i64> = candidate_cvs::table.filter(candidate_cvs::candidate_id.eq(candidate_id)).select(candidate_cvs::size).load(conn)?;
    Ok(CvBudget { files: MAX_CV_FILES_PER_CANDIDATE - sizes.len() as i64, bytes: MAX_CV_BYTES_PER_CANDIDATE - sizes.iter().sum::<i64>() })
}

/// What the first known candidate among these identities may still add (a full budget for
/// a person not known yet).
pub fn cv_budget(conn: &mut DbConn, ids: &[(IdentityKind, String)]) -> QueryResult<CvBudget> {
    for (kind, value) in ids {
        if let Some(id) = candidate_by_identity(conn, *kind, value)? {
            return budget_of(conn, &id);
        }
    }
    Ok(CvBudget::FULL)
}

/// Where a person was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A reply to the opening's post.
    Reply,
    /// Their public profile.
    Profile,
    /// The careers site's apply form.
    ApplyForm,
    /// A saved sourcing search over public timelines.
    SourcingSearch,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Reply => "reply",
            SourceKind::Profile => "profile",
            SourceKind::ApplyForm => "apply_form",
            SourceKind::SourcingSearch => "sourcing_search",
        }
    }
}

/// A candidate's place in an opening's process. Nothing is ever rejected automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// In the opening's inbox, below the shortlist threshold.
    New,
    Shortlisted,
    Interview,
    Offer,
    Hired,
    Rejected,
    Withdrawn,
    /// Kept aside: neither advanced nor rejected yet.
    OnHold,
}

impl Stage {
    pub const ALL: &'static [Stage] = &[Stage::New, Stage::Shortlisted, Stage::Interview, Stage::Offer, Stage::Hired, Stage::Rejected, Stage::Withdrawn, Stage::OnHold];
    /// The process's forward path: "advance" moves one step along it.
    pub const PATH: &'static [Stage] = &[Stage::New, Stage::Shortlisted, Stage::Interview, Stage::Offer, Stage::Hired];
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Shortlisted => "shortlisted",
            Stage::Interview => "interview",
            Stage::Offer => "offer",
            Stage::Hired => "hired",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
            Stage::OnHold => "on_hold",
        }
    }
    /// The next stage of the forward path; a candidate on hold goes on from the shortlist.
    /// None: hired, rejected or withdrawn (nothing to advance to).
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::OnHold => Some(Stage::Interview),
            s => Self::PATH.iter().position(|&p| p == s).and_then(|i| Self::PATH.get(i + 1)).copied(),
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Why a candidate was rejected: a fixed list, so the reasons can be counted; a note says more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    Skills,
    Experience,
    Location,
    Salary,
    Language,
    PositionFilled,
    NoAnswer,
    Other,
}

impl RejectReason {
    pub const ALL: &'static [RejectReason] = &[
        RejectReason::Skills,
        RejectReason::Experience,
        RejectReason::Location,
        RejectReason::Salary,
        RejectReason::Language,
        RejectReason::PositionFilled,
        RejectReason::NoAnswer,
        RejectReason::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Skills => "skills",
            RejectReason::Experience => "experience",
            RejectReason::Location => "location",
            RejectReason::Salary => "salary",
            RejectReason::Language => "language",
            RejectReason::PositionFilled => "position_filled",
            RejectReason::NoAnswer => "no_answer",
            RejectReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<RejectReason> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Lang::*;
        match (self, lang) {
            (RejectReason::Skills, En) => "Skills do not match",
            (RejectReason::Skills, Fr) => "Compétences insuffisantes",
            (RejectReason::Experience, En) => "Not enough experience",
            (RejectReason::Experience, Fr) => "Expérience insuffisante",
            (RejectReason::Location, En) => "Location",
            (RejectReason::Location, Fr) => "Lieu de travail",
            (RejectReason::Salary, En) => "Salary expectations",
            (RejectReason::Salary, Fr) => "Prétentions salariales",
            (RejectReason::Language, En) => "Language",
            (RejectReason::Language, Fr) => "Langue",
            (RejectReason::PositionFilled, En) => "Position filled",
            (RejectReason::PositionFilled, Fr) => "Poste pourvu",
            (RejectReason::NoAnswer, En) => "No answer from the candidate",
            (RejectReason::NoAnswer, Fr) => "Pas de réponse du candidat",
            (RejectReason::Other, En) => "Other",
            (RejectReason::Other, Fr) => "Autre",
        }
    }
}

/// One thing a person wrote, as harvested.
#[derive(Debug, Clone)]
pub struct FoundSource {
    pub kind: SourceKind,
    pub network: String,
    /// The remote object's id (status id, AT URI, tweet id).
    pub remote_id: String,
    pub url: Option<String>,
    /// The author's handle as the network shows it.
    pub author: Option<String>,
    /// Plain text (HTML already reduced to text).
    pub text: String,
    pub posted_at: Option<NaiveDateTime>,
}

/// A CV file read for a candidate (the bytes are in the blob store).
#[derive(Debug, Clone)]
pub struct FoundCv {
    pub sha256: String,
    pub source_url: Option<String>,
    pub format: String,
    pub size: i64,
    pub pages: Vec<String>,
}

/// Everything harvesting learnt about one person for one opening.
#[derive(Debug, Clone)]
pub struct Found {
    pub opening_id: String,
    pub name: String,
    /// The replying account (`network:key`): an identity the person gave themselves.
    pub handle: Option<String>,
    /// The emails the person typed themselves (the apply form's): identities, which merge.
    pub given_emails: Vec<String>,
    /// Every email known for this answer, the given ones first, then those found in the texts
    /// and the CVs (found ones are weak signals: they only propose a merge).
    pub emails: Vec<String>,
    /// Phones, given or found: weak signals (a switchboard, a family phone), never a merge.
    pub phones: Vec<String>,
    pub headline: Option<String>,
    pub location: Option<String>,
    pub languages: Vec<String>,
    pub years_experience: Option<u8>,
    pub sources: Vec<FoundSource>,
    pub cvs: Vec<FoundCv>,
    /// Applied (replied to the post, the form) or sourced (found by a search).
    pub origin: &'static str,
    pub score: u8,
    /// The score's explanation, JSON.
    pub explanation: String,
    /// At or above it, the candidate is shortlisted; below, they wait in the inbox.
    pub threshold: u8,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub candidate_id: String,
    /// A person hirecast did not know before.
    pub new_candidate: bool,
    /// First time in this opening's shortlist store.
    pub new_entry: bool,
    pub stage: Stage,
}

/// Files a found person in one transaction: finds them by any identity (handle, email, phone,
/// CV file) or creates them, adds the identities, sources and CVs not yet known, and puts them
/// in the opening's shortlist store (shortlisted at or above the threshold, else the inbox)
/// with the score and its explanation; a person already there keeps their stage and gets the
/// new score. Harvesting the same reply again changes nothing.
pub fn file_found(conn: &mut DbConn, f: &Found) -> anyhow::Result<Filed> {
    Ok(write_transaction::<_, diesel::result::Error, _>(conn, |conn| file_found_tx(conn, f))?)
}

/// What the person gave themselves: the replying account, the form's email. Only these merge.
pub fn identities_of(f: &Found) -> Vec<(IdentityKind, String)> {
    let mut ids = Vec::new();
    if let Some(h) = &f.handle {
        ids.push((IdentityKind::Handle, h.clone()));
    }
    for e in &f.given_emails {
        let e = e.to_lowercase();
        if !ids.iter().any(|(_, v)| *v == e) {
            ids.push((IdentityKind::Email, e));
        }
    }
    ids
}

/// The weak signals of an answer: emails found in its texts or CVs, phones, CV files.
fn signals_of(f: &Found) -> Vec<(IdentityKind, String)> {
    let given: Vec<String> = f.given_emails.iter().map(|e| e.to_lowercase()).collect();
    let mut v: Vec<(IdentityKind, String)> = Vec::new();
    for e in &f.emails {
        let e = e.to_lowercase();
        if !given.contains(&e) && !v.iter().any(|(k, x)| *k == IdentityKind::Email && *x == e) {
            v.push((IdentityKind::Email, e));
        }
    }
    for p in &f.phones {
        if !v.iter().any(|(k, x)| *k == IdentityKind::Phone && x == p) {
            v.push((IdentityKind::Phone, p.clone()));
        }
    }
    v.extend(f.cvs.iter().map(|c| (IdentityKind::Cv, c.sha256.clone())));
    v
}

/// A signal held by more people than this (an agency's address in many CVs, a switchboard)
/// says nothing about who is who: it proposes no merge.
pub const SHARED_SIGNAL: usize = 2;

/// Records a weak signal of the candidate (several candidates may hold the same one).
fn add_signal(conn: &mut DbConn, kind: IdentityKind, value: &str, candidate_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    let known: i64 = candidate_signals::table.find((kind.as_str(), value, candidate_id)).count().get_result(conn)?;
    if known == 0 {
        diesel::insert_into(candidate_signals::table)
            .values((
                candidate_signals::kind.eq(kind.as_str()),
                candidate_signals::value.eq(value),
                candidate_signals::candidate_id.eq(candidate_id),
                candidate_signals::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Gives up the contact email a candidate was shown with (found, not given: another person
/// gave it on the form); it stays one of their signals.
pub fn keep_as_signal(conn: &mut DbConn, candidate_id: &str, email: &str, at: NaiveDateTime) -> QueryResult<()> {
    add_signal(conn, IdentityKind::Email, email, candidate_id, at)?;
    diesel::update(candidates::table.find(candidate_id)).set(candidates::email.eq(None::<String>)).execute(conn)?;
    Ok(())
}

/// The other live candidates who hold this value: as a weak signal, or as an identity they
/// gave (an email found in this CV that another person typed on the form).
fn holders(conn: &mut DbConn, kind: IdentityKind, value: &str, except: &str) -> QueryResult<Vec<String>> {
    let mut ids: Vec<String> = candidate_signals::table
        .inner_join(candidates::table.on(candidates::id.eq(candidate_signals::candidate_id)))
        .filter(candidate_signals::kind.eq(kind.as_str()))
        .filter(candidate_signals::value.eq(value))
        .filter(candidate_signals::candidate_id.ne(except))
        .filter(candidates::merged_into.is_null())
        .select(candidate_signals::candidate_id)
        .limit(SHARED_SIGNAL as i64 + 2)
        .load(conn)?;
    if let Some(owner) = candidate_by_identity(conn, kind, value)? {
        let live: i64 = candidates::table.find(&owner).filter(candidates::merged_into.is_null()).count().get_result(conn)?;
        if owner != except && live > 0 && !ids.contains(&owner) {
            ids.push(owner);
        }
    }
    Ok(ids)
}

/// The candidates who hold this weak signal (a phone, an email found in a document, a CV
/// file), merged ones included.
pub fn signal_holders(conn: &mut DbConn, kind: IdentityKind, value: &str) -> QueryResult<Vec<String>> {
    candidate_signals::table
        .filter(candidate_signals::kind.eq(kind.as_str()))
        .filter(candidate_signals::value.eq(value))
        .order(candidate_signals::candidate_id.asc())
        .select(candidate_signals::candidate_id)
        .load(conn)
}

/// Proposes merging the candidate with everyone who shares one of these values, unless the
/// value is shared by many (then it says nothing) or a person already kept the pair apart.
fn propose_for(conn: &mut DbConn, candidate_id: &str, values: &[(IdentityKind, String)], at: NaiveDateTime) -> QueryResult<()> {
    for (kind, value) in values {
        let others = holders(conn, *kind, value, candidate_id)?;
        if others.len() > SHARED_SIGNAL {
            continue;
        }
        let reason = match kind {
            IdentityKind::Email => "document_email",
            IdentityKind::Phone => "phone",
            IdentityKind::Cv => "cv",
            IdentityKind::Handle => "handle",
        };
        for other in others {
            super::merges::propose_tx(conn, candidate_id, &other, reason, value, at)?;
        }
    }
    Ok(())
}

fn file_found_tx(conn: &mut DbConn, f: &Found) -> QueryResult<Filed> {
    let ids = identities_of(f);
    // Every candidate this answer names, with the kind of identity that names them first.
    let mut named: Vec<(String, IdentityKind)> = Vec::new();
    for (kind, value) in &ids {
        if let Some(id) = candidate_by_identity(conn, *kind, value)? {
            if !named.iter().any(|(n, _)| *n == id) {
                named.push((id, *kind));
            }
        }
    }
    // One person across channels: an answer naming two candidates by what the person gave
    // (the handle of one, the form's email of another) makes them one, the oldest kept,
    // unless a person undid that merge or said they are two.
    if named.len() > 1 {
        let mut oldest = 0;
        let mut oldest_at = None;
        for (i, (id, _)) in named.iter().enumerate() {
            let created: NaiveDateTime = candidates::table.find(id).select(candidates::created_at).first(conn)?;
            if oldest_at.is_none_or(|t| created < t) {
                (oldest, oldest_at) = (i, Some(created));
            }
        }
        let keep = named[oldest].0.clone();
        for (i, (other, kind)) in named.iter().enumerate() {
            if i == oldest || super::merges::kept_apart(conn, &keep, other)? {
                continue;
            }
            match super::merges::merge_tx(conn, &keep, other, kind.as_str(), None, f.at) {
                Ok(_) => {}
                Err(super::merges::MergeError::Db(e)) => return Err(e),
                Err(_) => {}
            }
        }
        named.swap(0, oldest);
    }
    let existing = named.into_iter().next().map(|(id, _)| id);
    // The contact email shown: the one the person gave, else the first one found (if no
    // other candidate shows it).
    let email = f.given_emails.first().or(f.emails.first()).map(|e| e.to_lowercase());
    let (candidate_id, new_candidate) = match existing {
        Some(id) => {
            let c: CandidateRow = candidates::table.find(&id).select(CandidateRow::as_select()).first(conn)?;
            // Fill in what was unknown; never overwrite what the person gave on the form.
            let email_free = match (&c.email, &email) {
                (None, Some(e)) => candidates::table.filter(candidates::email.eq(e)).count().get_result::<i64>(conn)? == 0,
                _ => false,
            };
            diesel::update(candidates::table.find(&id))
                .set((
                    candidates::email.eq(if email_free { email.clone() } else { c.email.clone() }),
                    candidates::phone.eq(c.phone.clone().or_else(|| f.phones.first().cloned())),
                    candidates::headline.eq(c.headline.clone().or_else(|| f.headline.clone())),
                    candidates::location.eq(c.location.clone().or_else(|| f.location.clone())),
                    candidates::years_experience.eq(c.years_experience.or(f.years_experience.map(i64::from))),
                    candidates::languages.eq(merge_languages(&c.languages, &f.languages)),
                    candidates::updated_at.eq(f.at),
                ))
                .execute(conn)?;
            (id, false)
        }
        None => {
            let id = new_id();
            // An email another candidate already holds stays an identity only of that one.
            let email = match &email {
                Some(e) if candidates::table.filter(candidates::email.eq(e)).count().get_result::<i64>(conn)? == 0 => Some(e.clone()),
                _ => None,
            };
            diesel::insert_into(candidates::table)
                .values(&CandidateRow {
                    id: id.clone(),
                    email,
                    name: f.name.clone(),
                    phone: f.phones.first().cloned(),
                    created_at: f.at,
                    updated_at: f.at,
                    headline: f.headline.clone(),
                    location: f.location.clone(),
                    languages: serde_json::to_string(&f.languages).unwrap_or_else(|_| "[]".into()),
                    years_experience: f.years_experience.map(i64::from),
                })
                .execute(conn)?;
            (id, true)
        }
    };
    // An answer to a post is the person's own action (the talent-pool period starts again).
    if f.origin != "sourced" {
        super::privacy::touch(conn, &candidate_id, f.at)?;
    }
    // The limits hold whatever raced: a file over them is not kept for this candidate, nor
    // does it become one of their identities.
    let mut budget = budget_of(conn, &candidate_id)?;
    let mut kept = Vec::with_capacity(f.cvs.len());
    for cv in &f.cvs {
        let known: i64 = candidate_cvs::table.find((&candidate_id, &cv.sha256)).count().get_result(conn)?;
        if known > 0 || budget.take(cv.size) {
            kept.push((cv, known > 0));
        }
    }
    for (kind, value) in &ids {
        add_identity(conn, *kind, value, &candidate_id, f.at)?;
    }
    let signals: Vec<(IdentityKind, String)> =
        signals_of(f).into_iter().filter(|(kind, value)| *kind != IdentityKind::Cv || kept.iter().any(|(cv, _)| &cv.sha256 == value)).collect();
    for (kind, value) in &signals {
        add_signal(conn, *kind, value, &candidate_id, f.at)?;
    }
    // A weak signal shared with someone else, or a given email found in another's document:
    // a merge proposed for a person to confirm, never made.
    let mut probe = signals;
    probe.extend(ids.iter().filter(|(k, _)| *k == IdentityKind::Email).cloned());
    propose_for(conn, &candidate_id, &probe, f.at)?;
    for s in &f.sources {
        let known: i64 = candidate_sources::table
            .filter(candidate_sources::network.eq(&s.network))
            .filter(candidate_sources::kind.eq(s.kind.as_str()))
            .filter(candidate_sources::remote_id.eq(&s.remote_id))
            .count()
            .get_result(conn)?;
        if known > 0 {
            continue;
        }
        diesel::insert_into(candidate_sources::table)
            .values((
                candidate_sources::id.eq(new_id()),
                candidate_sources::candidate_id.eq(&candidate_id),
                candidate_sources::opening_id.eq(Some(&f.opening_id)),
                candidate_sources::kind.eq(s.kind.as_str()),
                candidate_sources::network.eq(&s.network),
                candidate_sources::remote_id.eq(&s.remote_id),
                candidate_sources::url.eq(&s.url),
                candidate_sources::author.eq(&s.author),
                candidate_sources::text.eq(&s.text),
                candidate_sources::posted_at.eq(s.posted_at),
                candidate_sources::harvested_at.eq(f.at),
            ))
            .execute(conn)?;
    }
    for (cv, known) in kept {
        if !known {
            diesel::insert_into(candidate_cvs::table)
                .values((
                    candidate_cvs::candidate_id.eq(&candidate_id),
                    candidate_cvs::sha256.eq(&cv.sha256),
                    candidate_cvs::source_url.eq(&cv.source_url),
                    candidate_cvs::format.eq(&cv.format),
                    candidate_cvs::size.eq(cv.size),
                    candidate_cvs::fetched_at.eq(f.at),
                ))
                .execute(conn)?;
        }
        let has_text: i64 = cv_texts::table.find(&cv.sha256).count().get_result(conn)?;
        if has_text == 0 {
            // The same file filed by two workers at once (several people sent one CV): the
            // text is kept once, the second insert does nothing (not a failed transaction).
            let pages = serde_json::to_string(&cv.pages).unwrap_or_else(|_| "[]".into());
            let values = (
                cv_texts::sha256.eq(&cv.sha256),
                cv_texts::format.eq(&cv.format),
                cv_texts::pages.eq(&pages),
                cv_texts::created_at.eq(f.at),
            );
            match conn {
                DbConn::Postgres(pg) => diesel::insert_into(cv_texts::table).values(values).on_conflict_do_nothing().execute(pg)?,
                DbConn::Sqlite(lite) => diesel::insert_or_ignore_into(cv_texts::table).values(values).execute(lite)?,
            };
        }
    }
    let entry: Option<String> = shortlist_entries::table
        .find((&f.opening_id, &candidate_id))
        .select(shortlist_entries::state)
        .first(conn)
        .optional()?;
    let (stage, new_entry) = match entry {
        Some(state) => {
            let mut stage = Stage::parse(&state).unwrap_or(Stage::New);
            // A better score may lift a person out of the inbox; a person's decision is never undone.
            if stage == Stage::New && f.score >= f.threshold {
                stage = Stage::Shortlisted;
                record_event(conn, &f.opening_id, &candidate_id, Some(Stage::New), stage, None, f.at, Some("score at or above the threshold"), None)?;
            }
            diesel::update(shortlist_entries::table.find((&f.opening_id, &candidate_id)))
                .set((
                    shortlist_entries::state.eq(stage.as_str()),
                    shortlist_entries::score.eq(i64::from(f.score)),
                    shortlist_entries::explanation.eq(&f.explanation),
                    shortlist_entries::updated_at.eq(f.at),
                ))
                .execute(conn)?;
            (stage, false)
        }
        None => {
            let stage = if f.score >= f.threshold { Stage::Shortlisted } else { Stage::New };
            diesel::insert_into(shortlist_entries::table)
                .values((
                    shortlist_entries::opening_id.eq(&f.opening_id),
                    shortlist_entries::candidate_id.eq(&candidate_id),
                    shortlist_entries::state.eq(stage.as_str()),
                    shortlist_entries::origin.eq(f.origin),
                    shortlist_entries::score.eq(i64::from(f.score)),
                    shortlist_entries::explanation.eq(&f.explanation),
                    shortlist_entries::created_at.eq(f.at),
                    shortlist_entries::updated_at.eq(f.at),
                ))
                .execute(conn)?;
            let note = if stage == Stage::Shortlisted { "score at or above the threshold" } else { "score below the threshold" };
            record_event(conn, &f.opening_id, &candidate_id, None, stage, None, f.at, Some(note), None)?;
            (stage, true)
        }
    };
    Ok(Filed { candidate_id, new_candidate, new_entry, stage })
}

fn merge_languages(stored: &str, more: &[String]) -> String {
    let mut v: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    for l in more {
        if !v.contains(l) {
            v.push(l.clone());
        }
    }
    serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())
}

#[allow(clippy::too_many_arguments)]
fn record_event(
    conn: &mut DbConn,
    opening_id: &str,
    candidate_id: &str,
    from: Option<Stage>,
    to: Stage,
    actor: Option<&str>,
    at: NaiveDateTime,
    note: Option<&str>,
    reason: Option<RejectReason>,
) -> QueryResult<()> {
    diesel::insert_into(shortlist_events::table)
        .values((
            shortlist_events::id.eq(new_id()),
            shortlist_events::opening_id.eq(opening_id),
            shortlist_events::candidate_id.eq(candidate_id),
            shortlist_events::from_state.eq(from.map(Stage::as_str)),
            shortlist_events::to_state.eq(to.as_str()),
            shortlist_events::actor_id.eq(actor),
            shortlist_events::at.eq(at),
            shortlist_events::note.eq(note),
            shortlist_events::reason.eq(reason.map(RejectReason::as_str)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a candidate to another stage of an opening's process, recorded with who and when.
/// `Ok(false)`: not in this opening's store.
pub fn move_to(conn: &mut DbConn, opening_id: &str, candidate_id: &str, to: Stage, actor: &str, at: NaiveDateTime, note: Option<&str>) -> anyhow::Result<bool> {
    decide(conn, opening_id, candidate_id, &Decision { to, note, reason: None }, actor, at)
}

/// A reviewer's decision: the stage, an optional note, and for a rejection its reason.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub to: Stage,
    pub note: Option<&'a str>,
    pub reason: Option<RejectReason>,
}

/// [`move_to`] with a rejection's reason.
pub fn decide(conn: &mut DbConn, opening_id: &str, candidate_id: &str, d: &Decision, actor: &str, at: NaiveDateTime) -> anyhow::Result<bool> {
    let Decision { to, note, reason } = *d;
    Ok(write_transaction::<_, diesel::result::Error, _>(conn, |conn| {
        let state: Option<String> =
            shortlist_entries::table.find((opening_id, candidate_id)).select(shortlist_entries::state).first(conn).optional()?;
        let Some(state) = state else { return Ok(false) };
        // A candidate merged into another is moved through the one kept.
        let merged: Option<Option<String>> = candidates::table.find(candidate_id).select(candidates::merged_into).first(conn).optional()?;
        if !matches!(merged, Some(None)) {
            return Ok(false);
        }
        let from = Stage::parse(&state);
        if from == Some(to) {
            return Ok(true);
        }
        diesel::update(shortlist_entries::table.find((opening_id, candidate_id)))
            .set((shortlist_entries::state.eq(to.as_str()), shortlist_entries::updated_at.eq(at)))
            .execute(conn)?;
        record_event(conn, opening_id, candidate_id, from, to, Some(actor), at, note, reason)?;
        Ok(true)
    })?)
}

/// One row of an opening's shortlist store, best score first.
#[derive(Debug, Clone)]
pub struct EntryView {
    pub candidate: CandidateRow,
    pub stage: Stage,
    pub origin: String,
    pub score: i64,
    pub explanation: String,
    pub created_at: NaiveDateTime,
}

/// Which of an opening's entries a list shows, in which order, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct EntryQuery {
    /// Only these stages (empty: any).
    pub stages: Vec<Stage>,
    /// None of these stages.
    pub not_stages: Vec<Stage>,
    pub min_score: i64,
    /// Only people with a source of this kind for this opening (or for none).
    pub source: Option<&'static str>,
    /// Part of the name, any case.
    pub name: String,
    pub sort: EntrySort,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntrySort {
    /// Best score first, then the earliest.
    #[default]
    Score,
    Newest,
    Oldest,
    Name,
}

/// One page of an opening's shortlist store as `q` asks, and how many entries match in all:
/// filtered, sorted and cut by the database, so an opening with 50,000 people costs a page.
pub fn entries_page(conn: &mut DbConn, opening_id: &str, q: &EntryQuery) -> QueryResult<(Vec<EntryView>, i64)> {
    let total: i64 = if q.name.is_empty() { entry_count_query(opening_id, q).count().get_result(conn)? } else { entry_query(opening_id, q).count().get_result(conn)? };
    let mut query = entry_query(opening_id, q);
    query = match q.sort {
        EntrySort::Score => query.order((shortlist_entries::score.desc(), shortlist_entries::created_at.asc(), shortlist_entries::candidate_id.asc())),
        // Each order is one of an index's (see the scale_indexes migration), read forwards or
        // backwards, so a page of an opening of 50,000 is read without sorting them all.
        EntrySort::Newest => query.order((shortlist_entries::created_at.desc(), shortlist_entries::candidate_id.desc())),
        EntrySort::Oldest => query.order((shortlist_entries::created_at.asc(), shortlist_entries::candidate_id.asc())),
        EntrySort::Name => query.order((super::openings::lower(candidates::name).asc(), shortlist_entries::candidate_id.asc())),
    };
    let rows: Vec<(CandidateRow, String, String, i64, String, NaiveDateTime)> = query
        .offset(q.offset.max(0))
        .limit(q.limit.clamp(1, 1000))
        .select((
            CandidateRow::as_select(),
            shortlist_entries::state,
            shortlist_entries::origin,
            shortlist_entries::score,
            shortlist_entries::explanation,
            shortlist_entries::created_at,
        ))
        .load(conn)?;
    Ok((rows.into_iter().map(entry_view).collect(), total))
}

type EntryQueryOf<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Filter<diesel::dsl::Filter<diesel::dsl::InnerJoin<shortlist_entries::table, candidates::table>, diesel::dsl::Eq<shortlist_entries::opening_id, String>>, diesel::dsl::IsNull<candidates::merged_into>>,
    <DbConn as diesel::Connection>::Backend,
>;

/// The filters of `q` other than the name, on a boxed query over `shortlist_entries` (with or
/// without its candidates joined): one list of them for the page and for its count.
macro_rules! entry_filters {
    ($query:ident, $opening_id:expr, $q:expr) => {{
        let mut query = $query;
        if !$q.stages.is_empty() {
            query = query.filter(shortlist_entries::state.eq_any($q.stages.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        }
        if !$q.not_stages.is_empty() {
            query = query.filter(shortlist_entries::state.ne_all($q.not_stages.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        }
        if $q.min_score > 0 {
            query = query.filter(shortlist_entries::score.ge($q.min_score));
        }
        if let Some(kind) = $q.source {
            query = query.filter(diesel::dsl::exists(
                candidate_sources::table
                    .filter(candidate_sources::candidate_id.eq(shortlist_entries::candidate_id))
                    .filter(candidate_sources::kind.eq(kind))
                    .filter(candidate_sources::opening_id.eq($opening_id.to_string()).or(candidate_sources::opening_id.is_null())),
            ));
        }
        query
    }};
}

fn entry_query<'a>(opening_id: &str, q: &EntryQuery) -> EntryQueryOf<'a> {
    let query = shortlist_entries::table
        .inner_join(candidates::table)
        .filter(shortlist_entries::opening_id.eq(opening_id.to_string()))
        .filter(candidates::merged_into.is_null())
        .into_boxed();
    let mut query = entry_filters!(query, opening_id, q);
    if !q.name.is_empty() {
        let pattern = format!("%{}%", q.name.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(super::openings::lower(candidates::name).like(pattern).escape('\\'));
    }
    query
}

/// The entries [`entry_query`] finds, for counting without reading each person's row: the
/// few merged candidates are left out by subquery (`candidates_merged` index), not by a join
/// (50,000 lookups). Not for a name filter, which needs the names.
fn entry_count_query<'a>(opening_id: &str, q: &EntryQuery) -> diesel::dsl::IntoBoxed<'a, shortlist_entries::table, <DbConn as diesel::Connection>::Backend> {
    let merged = candidates::table.filter(candidates::merged_into.is_not_null()).select(candidates::id);
    let query = shortlist_entries::table
        .filter(shortlist_entries::opening_id.eq(opening_id.to_string()))
        .filter(shortlist_entries::candidate_id.ne_all(merged))
        .into_boxed();
    entry_filters!(query, opening_id, q)
}

fn entry_view((candidate, state, origin, score, explanation, created_at): (CandidateRow, String, String, i64, String, NaiveDateTime)) -> EntryView {
    EntryView { candidate, stage: Stage::parse(&state).unwrap_or(Stage::New), origin, score, explanation, created_at }
}

pub fn entries_for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<EntryView>> {
    entries(conn, opening_id, None)
}

/// One candidate's entry in one opening's shortlist store (hidden when merged into another).
pub fn entry(conn: &mut DbConn, opening_id: &str, candidate_id: &str) -> QueryResult<Option<EntryView>> {
    Ok(entries(conn, opening_id, Some(candidate_id))?.pop())
}

fn entries(conn: &mut DbConn, opening_id: &str, candidate_id: Option<&str>) -> QueryResult<Vec<EntryView>> {
    let mut q = shortlist_entries::table
        .inner_join(candidates::table)
        .filter(shortlist_entries::opening_id.eq(opening_id))
        // A candidate merged into another is hidden; an undo shows them again.
        .filter(candidates::merged_into.is_null())
        .into_boxed();
    if let Some(cid) = candidate_id {
        q = q.filter(shortlist_entries::candidate_id.eq(cid.to_string()));
    }
    let rows: Vec<(CandidateRow, String, String, i64, String, NaiveDateTime)> = q
        .order((shortlist_entries::score.desc(), shortlist_entries::created_at.asc()))
        .select((
            CandidateRow::as_select(),
            shortlist_entries::state,
            shortlist_entries::origin,
            shortlist_entries::score,
            shortlist_entries::explanation,
            shortlist_entries::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(candidate, state, origin, score, explanation, created_at)| EntryView {
            candidate,
            stage: Stage::parse(&state).unwrap_or(Stage::New),
            origin,
            score,
            explanation,
            created_at,
        })
        .collect())
}

/// A recorded change of stage: `from` is absent when the candidate entered the store.
#[derive(Debug, Clone)]
pub struct StageEvent {
    pub from: Option<String>,
    pub to: String,
    /// Who changed it (a user's name); absent when hirecast filed the candidate.
    pub actor: Option<String>,
    pub at: NaiveDateTime,
    pub note: Option<String>,
    /// A rejection's reason (`RejectReason::as_str`).
    pub reason: Option<String>,
}

/// The stages a candidate went through in an opening, oldest first.
pub fn history(conn: &mut DbConn, opening_id: &str, candidate_id: &str) -> QueryResult<Vec<StageEvent>> {
    Ok(events(conn, opening_id, Some(candidate_id))?.into_iter().map(|x| x.1).collect())
}

/// Each candidate's latest change of stage in an opening, by candidate id.
pub fn last_changes(conn: &mut DbConn, opening_id: &str) -> QueryResult<std::collections::HashMap<String, StageEvent>> {
    // Oldest first: each candidate's last insert is its latest change.
    Ok(events(conn, opening_id, None)?.into_iter().collect())
}

/// The last change of stage of each of these candidates in the opening.
pub fn last_changes_of(conn: &mut DbConn, opening_id: &str, candidate_ids: &[String]) -> QueryResult<std::collections::HashMap<String, StageEvent>> {
    let mut out = std::collections::HashMap::new();
    for chunk in candidate_ids.chunks(500) {
        out.extend(events_among(conn, opening_id, None, Some(chunk))?);
    }
    Ok(out)
}

fn events(conn: &mut DbConn, opening_id: &str, candidate_id: Option<&str>) -> QueryResult<Vec<(String, StageEvent)>> {
    events_among(conn, opening_id, candidate_id, None)
}

fn events_among(conn: &mut DbConn, opening_id: &str, candidate_id: Option<&str>, among: Option<&[String]>) -> QueryResult<Vec<(String, StageEvent)>> {
    use super::schema::users;
    let mut q = shortlist_events::table
        .left_join(users::table.on(users::id.nullable().eq(shortlist_events::actor_id)))
        .filter(shortlist_events::opening_id.eq(opening_id))
        .into_boxed();
    if let Some(cid) = candidate_id {
        q = q.filter(shortlist_events::candidate_id.eq(cid.to_string()));
    }
    if let Some(ids) = among {
        q = q.filter(shortlist_events::candidate_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(String, Option<String>, String, Option<String>, NaiveDateTime, Option<String>, Option<String>)> = q
        // Each candidate's events together, so that same-instant ones are ordered within them.
        .order((shortlist_events::candidate_id.asc(), shortlist_events::at.asc(), shortlist_events::id.asc()))
        .select((
            shortlist_events::candidate_id,
            shortlist_events::from_state,
            shortlist_events::to_state,
            users::name.nullable(),
            shortlist_events::at,
            shortlist_events::note,
            shortlist_events::reason,
        ))
        .load(conn)?;
    let mut out: Vec<(String, StageEvent)> = Vec::with_capacity(rows.len());
    for (cid, from, to, actor, at, note, reason) in rows {
        out.push((cid, StageEvent { from, to, actor, at, note, reason }));
    }
    chain_same_instant(&mut out);
    Ok(out)
}

/// Ids are not ordered, so changes of one candidate recorded at the same instant are put in
/// the order that chains them: each one's `from` is the stage the one before it led to.
/// `evs` holds each candidate's events together, oldest first.
fn chain_same_instant(evs: &mut [(String, StageEvent)]) {
    for i in 0..evs.len() {
        let prev_to = (i > 0 && evs[i - 1].0 == evs[i].0).then(|| evs[i - 1].1.to.clone());
        let run = (i..evs.len()).take_while(|&j| evs[j].0 == evs[i].0 && evs[j].1.at == evs[i].1.at).count();
        if let Some(k) = (i..i + run).find(|&j| evs[j].1.from == prev_to) {
            evs[i..=k].rotate_right(1);
        }
    }
}

/// (kind, network, url, text) of what a candidate wrote, oldest first.
pub fn sources_of(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<(String, String, Option<String>, String)>> {
    candidate_sources::table
        .filter(candidate_sources::candidate_id.eq(candidate_id))
        .order(candidate_sources::harvested_at.asc())
        .select((candidate_sources::kind, candidate_sources::network, candidate_sources::url, candidate_sources::text))
        .load(conn)
}

/// (sha256, format, size) of a candidate's CV files.
pub fn cvs_of(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<(String, String, i64)>> {
    candidate_cvs::table
        .filter(candidate_cvs::candidate_id.eq(candidate_id))
        .order(candidate_cvs::fetched_at.asc())
        .select((candidate_cvs::sha256, candidate_cvs::format, candidate_cvs::size))
        .load(conn)
}

/// Whether a candidate (not merged into another) is in an opening's shortlist store.
pub fn in_opening(conn: &mut DbConn, opening_id: &str, candidate_id: &str) -> QueryResult<bool> {
    let n: i64 = shortlist_entries::table
        .inner_join(candidates::table)
        .filter(shortlist_entries::opening_id.eq(opening_id))
        .filter(shortlist_entries::candidate_id.eq(candidate_id))
        .filter(candidates::merged_into.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
