//! Users, invitations (one-time links), sessions and API tokens. Tokens are stored as SHA-256 hashes only.
use anyhow::Context;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::*;
use super::schema::{api_tokens, invites, opening_managers, sessions, users};
use super::{new_id, DbConn};
use crate::auth::{hash_token, new_token};
use crate::domain::email::Email;
use crate::domain::user::{Role, Scope};

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub locale: Option<crate::i18n::Lang>,
    pub active: bool,
    pub has_password: bool,
    pub created_at: NaiveDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = anyhow::Error;
    fn try_from(r: UserRow) -> anyhow::Result<Self> {
        Ok(User {
            role: Role::parse(&r.role).map_err(|_| anyhow::anyhow!("Unknown role stored for user {}", r.id))?,
            locale: r.locale.as_deref().and_then(crate::i18n::Lang::parse),
            has_password: r.password_hash.is_some(),
            id: r.id,
            email: r.email,
            name: r.name,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn admin_exists(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(Role::Admin.as_str())).filter(users::password_hash.is_not_null()),
    ))
    .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> anyhow::Result<Option<User>> {
    let row = users::table.find(id).select(UserRow::as_select()).first(conn).optional()?;
    row.map(User::try_from).transpose()
}

pub fn find_by_email(conn: &mut DbConn, email: &Email) -> anyhow::Result<Option<(User, Option<String>)>> {
    let row = users::table.filter(users::email.eq(email.as_str())).select(UserRow::as_select()).first(conn).optional()?;
    row.map(|r| {
        let hash = r.password_hash.clone();
        User::try_from(r).map(|u| (u, hash))
    })
    .transpose()
}

pub fn list(conn: &mut DbConn) -> anyhow::Result<Vec<User>> {
    users::table.order(users::email.asc()).select(UserRow::as_select()).load(conn)?.into_iter().map(User::try_from).collect()
}

pub fn list_by_role(conn: &mut DbConn, role: Role) -> anyhow::Result<Vec<User>> {
    users::table
        .filter(users::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .order(users::name.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

fn email_taken(conn: &mut DbConn, email: &Email) -> anyhow::Result<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::email.eq(email.as_str()))))
        .get_result(conn)
        .context("Failed to check the email")
}

#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    #[error("a user with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for AddUserError {
    fn from(e: diesel::result::Error) -> Self {
        AddUserError::Unexpected(e.into())
    }
}

impl From<diesel::result::Error> for AcceptInviteError {
    fn from(e: diesel::result::Error) -> Self {
        AcceptInviteError::Unexpected(e.into())
    }
}

/// Creates a user without a password and returns it with a one-time link token
/// (valid `valid_for`) with which they choose their password.
pub fn add_with_invite(
    conn: &mut DbConn,
    email: &Email,
    name: &str,
    role: Role,
    valid_for: Duration,
) -> Result<(User, String), AddUserError> {
    super::write_transaction(conn, |conn| {
        if email_taken(conn, email)? {
            return Err(AddUserError::EmailTaken);
        }
        let now = super::now();
        let row = UserRow {
            id: new_id(),
            email: email.as_str().into(),
            name: name.into(),
            role: role.as_str().into(),
            password_hash: None,
            locale: None,
            active: true,
            created_at: now,
        };
        diesel::insert_into(users::table).values(&row).execute(conn).context("Failed to insert the user")?;
        let token = new_token();
        diesel::insert_into(invites::table)
            .values(&InviteRow {
                token_hash: hash_token(&token),
                user_id: Some(row.id.clone()),
                role: role.as_str().into(),
                created_at: now,
                expires_at: now + valid_for,
                used_at: None,
            })
            .execute(conn)
            .context("Failed to insert the invitation")?;
        Ok((User::try_from(row)?, token))
    })
}

/// A one-time link for creating the first admin on an empty database. Older unused
/// first-admin links stop working.
pub fn first_admin_link(conn: &mut DbConn, valid_for: Duration) -> anyhow::Result<String> {
    super::write_transaction(conn, |conn| {
        diesel::delete(invites::table.filter(invites::user_id.is_null()).filter(invites::used_at.is_null())).execute(conn)?;
        let token = new_token();
        let now = super::now();
        diesel::insert_into(invites::table)
            .values(&InviteRow {
                token_hash: hash_token(&token),
                user_id: None,
                role: Role::Admin.as_str().into(),
                created_at: now,
                expires_at: now + valid_for,
                used_at: None,
            })
            .execute(conn)?;
        Ok(token)
    })
}

/// An unused, unexpired invitation and the user it is for (None: the first admin).
pub fn find_invite(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> anyhow::Result<Option<(InviteRow, Option<User>)>> {
    let inv = invites::table
        .find(hash_token(token))
        .filter(invites::used_at.is_null())
        .filter(invites::expires_at.gt(now))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?;
    let Some(inv) = inv else { return Ok(None) };
    let user = match &inv.user_id {
        Some(id) => match find(conn, id)? {
            Some(u) if u.active => Some(u),
            _ => return Ok(None),
        },
        None => {
            // A first-admin link is dead once an admin exists.
            if admin_exists(conn)? {
                return Ok(None);
            }
            None
        }
    };
    Ok(Some((inv, user)))
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptInviteError {
    #[error("this link is invalid, expired or already used")]
    Invalid,
    #[error("a user with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Uses an invitation: sets the password (and for the first admin, creates the user). Returns the user id.
pub fn accept_invite(
    conn: &mut DbConn,
    token: &str,
    first_admin: Option<(&Email, &str)>,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<String, AcceptInviteError> {
    super::write_transaction(conn, |conn| {
        let (inv, user) = find_invite(conn, token, now)?.ok_or(AcceptInviteError::Invalid)?;
        // Mark used first and check the row count, so two concurrent uses cannot both succeed.
        let n = diesel::update(invites::table.find(&inv.token_hash).filter(invites::used_at.is_null()))
            .set(invites::used_at.eq(Some(now)))
            .execute(conn)
            .context("Failed to use the invitation")?;
        if n != 1 {
            return Err(AcceptInviteError::Invalid);
        }
        let user_id = match (user, first_admin) {
            (Some(u), _) => {
                diesel::update(users::table.find(&u.id))
                    .set(users::password_hash.eq(Some(password_hash)))
                    .execute(conn)
                    .context("Failed to set the password")?;
                u.id
            }
            (None, Some((email, name))) => {
                if email_taken(conn, email)? {
                    return Err(AcceptInviteError::EmailTaken);
                }
                let id = new_id();
                diesel::insert_into(users::table)
                    .values(&UserRow {
                        id: id.clone(),
                        email: email.as_str().into(),
                        name: name.into(),
                        role: inv.role.clone(),
                        password_hash: Some(password_hash.into()),
                        locale: None,
                        active: true,
                        created_at: now,
                    })
                    .execute(conn)
                    .context("Failed to create the admin")?;
                id
            }
            (None, None) => return Err(AcceptInviteError::Invalid),
        };
        Ok(user_id)
    })
}

/// Creates a user with a password directly (CLI `user add --password-stdin`, demo data).
pub fn add_with_password(conn: &mut DbConn, email: &Email, name: &str, role: Role, password_hash: &str) -> Result<User, AddUserError> {
    super::write_transaction(conn, |conn| {
        if email_taken(conn, email)? {
            return Err(AddUserError::EmailTaken);
        }
        let row = UserRow {
            id: new_id(),
            email: email.as_str().into(),
            name: name.into(),
            role: role.as_str().into(),
            password_hash: Some(password_hash.into()),
            locale: None,
            active: true,
            created_at: super::now(),
        };
        diesel::insert_into(users::table).values(&row).execute(conn).context("Failed to insert the user")?;
        Ok(User::try_from(row)?)
    })
}

pub fn set_locale(conn: &mut DbConn, user_id: &str, lang: crate::i18n::Lang) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::locale.eq(Some(lang.code()))).execute(conn)
}

/// Changes role and active flag; deactivation signs the user out everywhere and
/// revokes their API tokens; a hiring manager who is no longer one loses assignments.
pub fn update_membership(conn: &mut DbConn, user_id: &str, role: Role, active: bool) -> anyhow::Result<()> {
    super::write_transaction(conn, |conn| {
        diesel::update(users::table.find(user_id)).set((users::role.eq(role.as_str()), users::active.eq(active))).execute(conn)?;
        if !active {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
            diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()))
                .set(api_tokens::revoked_at.eq(Some(super::now())))
                .execute(conn)?;
        }
        if role != Role::HiringManager {
            diesel::delete(opening_managers::table.filter(opening_managers::user_id.eq(user_id))).execute(conn)?;
        }
        Ok(())
    })
}

/// Active admins other than `user_id` (an admin may not remove the last admin).
pub fn other_active_admins(conn: &mut DbConn, user_id: &str) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(user_id))
        .count()
        .get_result(conn)
}

// ---- sessions ----

/// How long a sign-in lasts: `idle` without a request, `absolute` at most from sign-in.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
}

pub fn create_session(conn: &mut DbConn, user_id: &str, lifetime: Duration) -> QueryResult<String> {
    create_session_at(conn, user_id, super::now(), lifetime)
}

/// A new session at `now`; `expires_at` is the absolute end (the idle end is `last_seen_at + idle`).
pub fn create_session_at(conn: &mut DbConn, user_id: &str, now: NaiveDateTime, absolute: Duration) -> QueryResult<String> {
    let token = new_token();
    diesel::insert_into(sessions::table)
        .values(&SessionRow {
            token_hash: hash_token(&token),
            user_id: user_id.into(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + absolute,
        })
        .execute(conn)?;
    Ok(token)
}

/// Signing in: the session the browser still carried (whoever's it was) is deleted and a
/// new token issued, so a token planted before sign-in is worth nothing after it.
pub fn rotate_session(conn: &mut DbConn, old_token: Option<&str>, user_id: &str, now: NaiveDateTime, absolute: Duration) -> QueryResult<String> {
    super::write_transaction(conn, |conn| {
        if let Some(old) = old_token {
            diesel::delete(sessions::table.find(hash_token(old))).execute(conn)?;
        }
        create_session_at(conn, user_id, now, absolute)
    })
}

/// The active user behind a session cookie at `now`, if the session has been used within
/// `limits.idle` and began within `limits.absolute`; slides the idle end (`last_seen_at` is
/// written at most once a minute, to spare writes). An expired session is deleted.
pub fn user_for_session(conn: &mut DbConn, token: &str, now: NaiveDateTime, limits: SessionLimits) -> anyhow::Result<Option<User>> {
    let hash = hash_token(token);
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(&hash))
        .filter(users::active.eq(true))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first::<(SessionRow, UserRow)>(conn)
        .optional()?;
    let Some((session, user)) = found else { return Ok(None) };
    let idle_end = session.last_seen_at + limits.idle;
    let absolute_end = session.expires_at.min(session.created_at + limits.absolute);
    if now >= idle_end || now >= absolute_end {
        diesel::delete(sessions::table.find(&hash)).execute(conn)?;
        return Ok(None);
    }
    if now - session.last_seen_at >= Duration::minutes(1) {
        diesel::update(sessions::table.find(&hash)).set(sessions::last_seen_at.eq(now)).execute(conn)?;
    }
    Ok(Some(User::try_from(user)?))
}

/// Deletes every session past its idle or absolute end (run by the daily retention job, so
/// a session nobody comes back to does not stay in the table). Returns how many.
pub fn delete_expired_sessions(conn: &mut DbConn, now: NaiveDateTime, limits: SessionLimits) -> QueryResult<usize> {
    diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at
                .le(now - limits.idle)
                .or(sessions::created_at.le(now - limits.absolute))
                .or(sessions::expires_at.le(now)),
        ),
    )
    .execute(conn)
}

pub fn delete_session(conn: &mut DbConn, token: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(hash_token(token))).execute(conn)
}

// ---- API tokens ----

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked: bool,
    pub scopes: Vec<Scope>,
}

/// A token with every scope; returns its id and its secret (shown once, stored hashed).
pub fn create_api_token(conn: &mut DbConn, user_id: &str, name: &str) -> QueryResult<(String, String)> {
    create_scoped_api_token(conn, user_id, name, Scope::ALL)
}

/// A token limited to `scopes`; returns its id and its secret (shown once, stored hashed).
pub fn create_scoped_api_token(conn: &mut DbConn, user_id: &str, name: &str, scopes: &[Scope]) -> QueryResult<(String, String)> {
    let secret = format!("hc_{}", new_token());
    let id = new_id();
    diesel::insert_into(api_tokens::table)
        .values(&ApiTokenRow {
            id: id.clone(),
            user_id: user_id.into(),
            name: name.into(),
            token_hash: hash_token(&secret),
            created_at: super::now(),
            last_used_at: None,
            revoked_at: None,
            scopes: Scope::join(scopes),
        })
        .execute(conn)?;
    Ok((id, secret))
}

pub fn list_api_tokens(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ApiToken>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.desc())
        .select(ApiTokenRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| ApiToken { id: r.id, name: r.name, created_at: r.created_at, last_used_at: r.last_used_at, revoked: r.revoked_at.is_some(), scopes: Scope::parse_list(&r.scopes) })
        .collect())
}

/// Revokes one of the user's own tokens; false when there is no such token.
pub fn revoke_api_token(conn: &mut DbConn, user_id: &str, token_id: &str) -> QueryResult<bool> {
    let n = diesel::update(
        api_tokens::table.filter(api_tokens::id.eq(token_id)).filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(super::now())))
    .execute(conn)?;
    Ok(n == 1)
}

/// The active user behind an API token, and the token's scopes.
pub fn user_for_api_token(conn: &mut DbConn, secret: &str) -> anyhow::Result<Option<(User, Vec<Scope>)>> {
    let hash = hash_token(secret);
    let found = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::active.eq(true))
        .select((ApiTokenRow::as_select(), UserRow::as_select()))
        .first::<(ApiTokenRow, UserRow)>(conn)
        .optional()?;
    let Some((tok, user)) = found else { return Ok(None) };
    let now = super::now();
    if tok.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(&tok.id)).set(api_tokens::last_used_at.eq(Some(now))).execute(conn)?;
    }
    Ok(Some((User::try_from(user)?, Scope::parse_list(&tok.scopes))))
}
