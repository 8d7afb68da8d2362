//! Candidates and their applications. One candidate per email address.
use anyhow::Context;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{ApplicationRow, CandidateRow};
use super::schema::{applications, candidates, opening_managers, openings, privacy_notices};
use super::{new_id, DbConn};
use crate::domain::candidate::ApplicantDetails;
use crate::i18n::Lang;

/// The privacy notice shown on the apply form. Changing the text means a new version:
/// each application keeps the version the person agreed to.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-11-22.1";
pub const PRIVACY_NOTICE_EN: &str = "Your application (name, contact details, CV and message) is processed by the hiring company to assess it for this job and, unless you object, for similar openings. It is kept for at most 3 months after the recruitment ends, or 2 years if you agree to join our talent pool. You may access, correct, export or erase your data, or object to its processing, at any time by writing to the recruiter named on this page.";
pub const PRIVACY_NOTICE_FR: &str = "Votre candidature (nom, coordonnées, CV et message) est traitée par l'entreprise qui recrute afin de l'évaluer pour ce poste et, sauf opposition de votre part, pour des postes similaires. Elle est conservée au plus 3 mois après la fin du recrutement, ou 2 ans si vous acceptez de rejoindre notre vivier de talents. Vous pouvez à tout moment accéder à vos données, les rectifier, les exporter, les effacer ou vous opposer à leur traitement en écrivant au recruteur indiqué sur cette page.";

pub fn privacy_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::En => PRIVACY_NOTICE_EN,
        Lang::Fr => PRIVACY_NOTICE_FR,
    }
}

fn ensure_notice(conn: &mut DbConn) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(privacy_notices::table.find(PRIVACY_NOTICE_VERSION))).get_result(conn)?;
    if !exists {
        // In a savepoint: on PostgreSQL a failed statement would otherwise abort the caller's transaction.
        let r = conn.transaction(|conn| {
            diesel::insert_into(privacy_notices::table)
                .values((
                    privacy_notices::version.eq(PRIVACY_NOTICE_VERSION),
                    privacy_notices::text_en.eq(PRIVACY_NOTICE_EN),
                    privacy_notices::text_fr.eq(PRIVACY_NOTICE_FR),
                    privacy_notices::created_at.eq(super::now()),
                ))
                .execute(conn)
        });
        // Another request may have inserted it meanwhile.
        if let Err(e) = r {
            if !super::is_unique_violation(&e) {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// A CV file already stored in the blob store.
#[derive(Debug, Clone)]
pub struct StoredCv {
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

pub struct NewApplication<'a> {
    pub opening_id: &'a str,
    pub details: &'a ApplicantDetails,
    pub cv: Option<StoredCv>,
    pub submission_key: &'a str,
    pub consent_language: Lang,
    pub source: &'a str,
    pub at: NaiveDateTime,
    /// The applicant ticked "keep me in the talent pool".
    pub talent_pool: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Filed {
    New { application_id: String, candidate_id: String },
    /// The same form was submitted again: nothing new was written.
    Duplicate { application_id: String },
}

/// Files an application: finds or creates the candidate by email and inserts the
/// application, in one transaction; a repeated submission key is a duplicate, not an error.
pub fn file(conn: &mut DbConn, a: NewApplication<'_>) -> anyhow::Result<Filed> {
    let existing = |conn: &mut DbConn| -> QueryResult<Option<String>> {
        applications::table.filter(applications::submission_key.eq(a.submission_key)).select(applications::id).first(conn).optional()
    };
    if let Some(id) = existing(conn)? {
        return Ok(Filed::Duplicate { application_id: id });
    }
    // A first application by a new email can race another one by the same email: the
    // loser's candidate insert fails on the unique email. Its retry finds the winner's row.
    let mut attempt = 0;
    loop {
        attempt += 1;
        match file_once(conn, &a) {
            Ok(f) => return Ok(f),
            Err(e) if super::is_unique_violation(&e) => {
                // Two identical submissions raced: the loser finds the winner's row.
                if let Some(id) = existing(conn)? {
                    return Ok(Filed::Duplicate { application_id: id });
                }
                if attempt >= 3 {
                    return Err(e).context("Failed to file the application");
                }
            }
            Err(e) => return Err(e).context("Failed to file the application"),
        }
    }
}

fn file_once(conn: &mut DbConn, a: &NewApplication<'_>) -> QueryResult<Filed> {
    super::write_transaction::<_, diesel::result::Error, _>(conn, |conn| {
        ensure_notice(conn)?;
        let email = a.details.email.as_str();
        // The same person may already be known by this email from a reply or a profile.
        let known = super::sourcing::candidate_by_identity(conn, super::sourcing::IdentityKind::Email, email)?;
        let mut guessed_by: Option<String> = None;
        let candidate: Option<CandidateRow> = match known {
            Some(id) => candidates::table.find(id).select(CandidateRow::as_select()).first(conn).optional()?,
            None => {
                // Another candidate may show this email only because it was found in their CV
                // or a text (an agency's address, a friend's): the person typing it on the
                // form owns it. The other keeps it as a signal, and a merge is only proposed.
                let guessed: Option<String> = candidates::table.filter(candidates::email.eq(email)).select(candidates::id).first(conn).optional()?;
                match guessed {
                    // A first application by this email committed since the look-up above
                    // (two submissions racing): it is the same person.
                    Some(_) if let Some(id) = super::sourcing::candidate_by_identity(conn, super::sourcing::IdentityKind::Email, email)? => {
                        candidates::table.find(id).select(CandidateRow::as_select()).first(conn).optional()?
                    }
                    Some(other) => {
                        super::sourcing::keep_as_signal(conn, &other, email, a.at)?;
                        guessed_by = Some(other);
                        None
                    }
                    None => None,
                }
            }
        };
        let candidate_id = match candidate {
            Some(c) => {
                // Keep the latest name and phone the person gave.
                diesel::update(candidates::table.find(&c.id))
                    .set((
                        candidates::name.eq(&a.details.name),
                        candidates::phone.eq(a.details.phone.as_ref().or(c.phone.as_ref())),
                        candidates::updated_at.eq(a.at),
                    ))
                    .execute(conn)?;
                c.id
            }
            None => {
                let id = new_id();
                diesel::insert_into(candidates::table)
                    .values(&CandidateRow {
                        id: id.clone(),
                        email: Some(email.into()),
                        name: a.details.name.clone(),
                        phone: a.details.phone.clone(),
                        created_at: a.at,
                        updated_at: a.at,
                        headline: None,
                        location: None,
                        languages: "[]".into(),
                        years_experience: None,
                    })
                    .execute(conn)?;
                super::sourcing::add_identity(conn, super::sourcing::IdentityKind::Email, email, &id, a.at)?;
                if let Some(other) = &guessed_by {
                    super::merges::propose_tx(conn, &id, other, "document_email", email, a.at)?;
                }
                id
            }
        };
        let application_id = new_id();
        diesel::insert_into(applications::table)
            .values(&ApplicationRow {
                id: application_id.clone(),
                opening_id: a.opening_id.into(),
                candidate_id: candidate_id.clone(),
                submission_key: a.submission_key.into(),
                source: a.source.into(),
                cv_url: a.details.cv_url.clone(),
                cv_sha256: a.cv.as_ref().map(|c| c.sha256.clone()),
                cv_filename: a.cv.as_ref().map(|c| c.filename.clone()),
                cv_content_type: a.cv.as_ref().map(|c| c.content_type.clone()),
                cv_size: a.cv.as_ref().map(|c| c.size),
                message: a.details.message.clone(),
                consent_version: PRIVACY_NOTICE_VERSION.into(),
                consent_language: a.consent_language.code().into(),
                consent_at: a.at,
                created_at: a.at,
                talent_pool: a.talent_pool,
            })
            .execute(conn)?;
        // Applying is the person's own action; ticking the box (again) joins the talent pool.
        super::privacy::touch(conn, &candidate_id, a.at)?;
        if a.talent_pool {
            diesel::update(candidates::table.find(&candidate_id)).set(candidates::talent_pool_at.eq(Some(a.at))).execute(conn)?;
        }
        Ok(Filed::New { application_id, candidate_id })
    })
}

/// An application with what lists and pages show of it.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub application: ApplicationRow,
    pub candidate: CandidateRow,
    pub opening_title: String,
}

pub fn list_for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<ApplicationView>> {
    let rows: Vec<(ApplicationRow, CandidateRow, String)> = applications::table
        .inner_join(candidates::table)
        .inner_join(openings::table)
        .filter(applications::opening_id.eq(opening_id))
        .order((applications::created_at.desc(), applications::id.desc()))
        .select((ApplicationRow::as_select(), CandidateRow::as_select(), openings::title))
        .load(conn)?;
    Ok(rows.into_iter().map(|(application, candidate, opening_title)| ApplicationView { application, candidate, opening_title }).collect())
}

/// The opening's latest `limit` applications, and how many it has in all.
pub fn latest_for_opening(conn: &mut DbConn, opening_id: &str, limit: i64) -> QueryResult<(Vec<ApplicationView>, i64)> {
    let total: i64 = applications::table.filter(applications::opening_id.eq(opening_id)).count().get_result(conn)?;
    let rows: Vec<(ApplicationRow, CandidateRow, String)> = applications::table
        .inner_join(candidates::table)
        .inner_join(openings::table)
        .filter(applications::opening_id.eq(opening_id))
        .order((applications::created_at.desc(), applications::id.desc()))
        .limit(limit)
        .select((ApplicationRow::as_select(), CandidateRow::as_select(), openings::title))
        .load(conn)?;
    Ok((rows.into_iter().map(|(application, candidate, opening_title)| ApplicationView { application, candidate, opening_title }).collect(), total))
}

/// Latest applications the user may see (all for recruiters and admins; assigned openings for hiring managers).
pub fn recent(conn: &mut DbConn, manager_id: Option<&str>, limit: i64) -> QueryResult<Vec<ApplicationView>> {
    let mut q = applications::table
        .inner_join(candidates::table)
        .inner_join(openings::table)
        .select((ApplicationRow::as_select(), CandidateRow::as_select(), openings::title))
        .order((applications::created_at.desc(), applications::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(m) = manager_id {
        q = q.filter(
            applications::opening_id
                .eq_any(opening_managers::table.filter(opening_managers::user_id.eq(m.to_string())).select(opening_managers::opening_id)),
        );
    }
    let rows: Vec<(ApplicationRow, CandidateRow, String)> = q.load(conn)?;
    Ok(rows.into_iter().map(|(application, candidate, opening_title)| ApplicationView { application, candidate, opening_title }).collect())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ApplicationView>> {
    let row: Option<(ApplicationRow, CandidateRow, String)> = applications::table
        .inner_join(candidates::table)
        .inner_join(openings::table)
        .filter(applications::id.eq(id))
        .select((ApplicationRow::as_select(), CandidateRow::as_select(), openings::title))
        .first(conn)
        .optional()?;
    Ok(row.map(|(application, candidate, opening_title)| ApplicationView { application, candidate, opening_title }))
}


/// Every application of one candidate, newest first (the application page lists the others).
pub fn list_for_candidate(conn: &mut DbConn, candidate_id: &str) -> QueryResult<Vec<ApplicationView>> {
    let rows: Vec<(ApplicationRow, CandidateRow, String)> = applications::table
        .inner_join(candidates::table)
        .inner_join(openings::table)
        .filter(applications::candidate_id.eq(candidate_id))
        .order((applications::created_at.desc(), applications::id.desc()))
        .select((ApplicationRow::as_select(), CandidateRow::as_select(), openings::title))
        .load(conn)?;
    Ok(rows.into_iter().map(|(application, candidate, opening_title)| ApplicationView { application, candidate, opening_title }).collect())
}

/// Applications not yet through the sourcing pipeline, oldest first, with their candidate
/// (the one kept, when that candidate was merged into another).
/// How long a claimed application is left to the worker that claimed it before another one
/// takes it over (the first one died, or its attempt failed).
pub const INGEST_LEASE_SECS: i64 = 120;

/// Claims up to `limit` applications waiting for the pipeline, oldest first, for the caller
/// until `lease_until`: other workers, in this process or another, skip them meanwhile. On
/// PostgreSQL the rows another claimer is taking are skipped, not waited for (`FOR UPDATE
/// SKIP LOCKED`); SQLite has one writer at a time. Returns them in order of arrival.
pub fn claim_pending(conn: &mut DbConn, limit: i64, now: NaiveDateTime, lease_until: NaiveDateTime) -> QueryResult<Vec<(ApplicationRow, CandidateRow)>> {
    let ids: Vec<String> = super::write_transaction::<_, diesel::result::Error, _>(conn, |c| {
        let free = applications::table
            .filter(applications::ingested_at.is_null())
            .filter(applications::ingest_claimed_until.is_null().or(applications::ingest_claimed_until.lt(now)))
            .order((applications::created_at.asc(), applications::id.asc()))
            .limit(limit)
            .select(applications::id);
        let ids: Vec<String> = match c {
            DbConn::Postgres(pg) => free.for_update().skip_locked().load(pg)?,
            _ => free.load(c)?,
        };
        if !ids.is_empty() {
            diesel::update(applications::table.filter(applications::id.eq_any(&ids)))
                .set(applications::ingest_claimed_until.eq(Some(lease_until)))
                .execute(c)?;
        }
        Ok(ids)
    })?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    applications::table
        .inner_join(candidates::table)
        .filter(applications::id.eq_any(&ids))
        .order((applications::created_at.asc(), applications::id.asc()))
        .select((ApplicationRow::as_select(), CandidateRow::as_select()))
        .load(conn)
}

/// The applications waiting for the pipeline: how many, and when the oldest arrived.
pub fn backlog(conn: &mut DbConn) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let n: i64 = applications::table.filter(applications::ingested_at.is_null()).count().get_result(conn)?;
    let oldest: Option<NaiveDateTime> =
        applications::table.filter(applications::ingested_at.is_null()).select(diesel::dsl::min(applications::created_at)).first(conn)?;
    Ok((n, oldest))
}

pub fn pending_ingest(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(ApplicationRow, CandidateRow)>> {
    applications::table
        .inner_join(candidates::table)
        .filter(applications::ingested_at.is_null())
        .order(applications::created_at.asc())
        .limit(limit)
        .select((ApplicationRow::as_select(), CandidateRow::as_select()))
        .load(conn)
}

/// Marks an application as through the pipeline: it is not read again.
pub fn mark_ingested(conn: &mut DbConn, application_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(applications::table.find(application_id)).set(applications::ingested_at.eq(Some(at))).execute(conn)?;
    Ok(())
}
