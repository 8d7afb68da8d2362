//! Review links: a hiring manager without an account reviews one opening's shortlist from a
//! signed link sent by email. The link's token is random (256 bits) and only its SHA-256 is
//! stored; it expires, can be revoked, and opens that one opening and nothing else. The
//! reviewer is a guest account (no password, inactive: it cannot sign in) so that their
//! decisions, notes and scorecards are recorded with their name like anyone's.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::UserRow;
use super::schema::{review_links, users};
use super::{new_id, write_transaction, DbConn};
use crate::domain::email::Email;
use crate::domain::user::Role;
use crate::i18n::Lang;

/// A link is valid 1 to 30 days (7 unless the recruiter says otherwise).
pub const MAX_DAYS: i64 = 30;
pub const DEFAULT_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum CreateLinkError {
    /// The email is a team member's: assign them to the opening instead.
    #[error("this email belongs to a member of the team")]
    TeamMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for CreateLinkError {
    fn from(e: diesel::result::Error) -> Self {
        CreateLinkError::Unexpected(e.into())
    }
}

/// A created link: its id, the token to put in the email (never stored), the guest's id.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub token: String,
    pub reviewer_id: String,
}

/// Creates a link for `email` (the guest account made or reused, named `name`, speaking `lang`).
/// Call it in the transaction that queues the email, so neither exists without the other.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut DbConn,
    opening_id: &str,
    name: &str,
    email: &Email,
    lang: Lang,
    created_by: &str,
    valid_for: Duration,
    now: NaiveDateTime,
) -> Result<Created, CreateLinkError> {
    write_transaction(conn, |conn| {
        let existing: Option<UserRow> = users::table.filter(users::email.eq(email.as_str())).select(UserRow::as_select()).first(conn).optional()?;
        let reviewer_id = match existing {
            // A guest from an earlier link: the same person, named as now.
            Some(u) if is_guest(&u) => {
                diesel::update(users::table.find(&u.id)).set((users::name.eq(name), users::locale.eq(Some(lang.code())))).execute(conn)?;
                u.id
            }
            Some(_) => return Err(CreateLinkError::TeamMember),
            None => {
                let row = UserRow {
                    id: new_id(),
                    email: email.as_str().into(),
                    name: name.into(),
                    role: Role::HiringManager.as_str().into(),
                    password_hash: None,
                    locale: Some(lang.code().into()),
                    active: false,
                    created_at: now,
                };
                diesel::insert_into(users::table).values(&row).execute(conn)?;
                row.id
            }
        };
        let (id, token) = (new_id(), crate::auth::new_token());
        diesel::insert_into(review_links::table)
            .values((
                review_links::id.eq(&id),
                review_links::opening_id.eq(opening_id),
                review_links::reviewer_id.eq(&reviewer_id),
                review_links::token_hash.eq(crate::auth::hash_token(&token)),
                review_links::created_by.eq(created_by),
                review_links::created_at.eq(now),
                review_links::expires_at.eq(now + valid_for),
            ))
            .execute(conn)?;
        Ok(Created { id, token, reviewer_id })
    })
}

/// A guest: made by a review link, never able to sign in.
pub fn is_guest(u: &UserRow) -> bool {
    u.password_hash.is_none() && !u.active && u.role == Role::HiringManager.as_str()
}

/// What a valid link opens.
#[derive(Debug, Clone)]
pub struct Access {
    pub link_id: String,
    pub opening_id: String,
    pub reviewer: crate::store::users::User,
    pub expires_at: NaiveDateTime,
}

/// The link a token names, if it is neither expired nor revoked; its use is recorded.
pub fn open(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> anyhow::Result<Option<Access>> {
    let row: Option<(String, String, String, NaiveDateTime)> = review_links::table
        .filter(review_links::token_hash.eq(crate::auth::hash_token(token)))
        .filter(review_links::revoked_at.is_null())
        .filter(review_links::expires_at.gt(now))
        .select((review_links::id, review_links::opening_id, review_links::reviewer_id, review_links::expires_at))
        .first(conn)
        .optional()?;
    let Some((link_id, opening_id, reviewer_id, expires_at)) = row else { return Ok(None) };
    let Some(reviewer) = crate::store::users::find(conn, &reviewer_id)? else { return Ok(None) };
    diesel::update(review_links::table.find(&link_id)).set(review_links::last_used_at.eq(now)).execute(conn)?;
    Ok(Some(Access { link_id, opening_id, reviewer, expires_at }))
}

/// A link as the opening's review page lists it.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

pub fn for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<LinkView>> {
    let rows: Vec<(String, String, String, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>)> = review_links::table
        .inner_join(users::table.on(users::id.eq(review_links::reviewer_id)))
        .filter(review_links::opening_id.eq(opening_id))
        .order(review_links::created_at.desc())
        .select((review_links::id, users::name, users::email, review_links::created_at, review_links::expires_at, review_links::revoked_at, review_links::last_used_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email, created_at, expires_at, revoked_at, last_used_at)| LinkView { id, name, email, created_at, expires_at, revoked_at, last_used_at })
        .collect())
}

/// Revokes a link of this opening; `Ok(false)`: no such link (or already revoked).
pub fn revoke(conn: &mut DbConn, opening_id: &str, link_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(review_links::table.find(link_id).filter(review_links::opening_id.eq(opening_id)).filter(review_links::revoked_at.is_null()))
        .set(review_links::revoked_at.eq(now))
        .execute(conn)?;
    Ok(n == 1)
}
