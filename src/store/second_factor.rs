//! The admins' second factor: a TOTP secret per user, sealed with the secret key (context:
//! the user id), the last step accepted (no replay), and the sign-in challenges that wait for
//! a code once the password was right. Challenge tokens are stored as SHA-256 hashes only.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{sign_in_challenges, user_totp};
use super::{write_transaction, DbConn};
use crate::auth::{hash_token, new_token};
use crate::broadcast::SecretKey;

/// How long the code prompt waits after the password.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes one challenge takes before it is spent (the throttle limits the rest).
pub const CHALLENGE_MAX_FAILURES: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotpState {
    Off,
    /// A secret was shown, not yet confirmed with a code.
    Pending,
    On,
}

pub fn state(conn: &mut DbConn, user_id: &str) -> QueryResult<TotpState> {
    let row: Option<Option<NaiveDateTime>> =
        user_totp::table.find(user_id).select(user_totp::confirmed_at).first(conn).optional()?;
    Ok(match row {
        None => TotpState::Off,
        Some(None) => TotpState::Pending,
        Some(Some(_)) => TotpState::On,
    })
}

/// Starts (or restarts) enrolment: a new secret, kept sealed, not active until confirmed.
/// Refused (Ok(None)) when the factor is already on: disabling comes first.
pub fn begin_enrolment(conn: &mut DbConn, key: &SecretKey, user_id: &str, now: NaiveDateTime) -> anyhow::Result<Option<Vec<u8>>> {
    write_transaction(conn, |c| {
        if state(c, user_id)? == TotpState::On {
            return Ok(None);
        }
        let secret = crate::totp::new_secret();
        let sealed = key.seal(user_id, &secret);
        diesel::delete(user_totp::table.find(user_id)).execute(c)?;
        diesel::insert_into(user_totp::table)
            .values((
                user_totp::user_id.eq(user_id),
                user_totp::secret_sealed.eq(&sealed),
                user_totp::confirmed_at.eq(None::<NaiveDateTime>),
                user_totp::last_step.eq(None::<i64>),
                user_totp::created_at.eq(now),
            ))
            .execute(c)?;
        Ok(Some(secret))
    })
}

/// The pending or active secret, opened.
pub fn secret(conn: &mut DbConn, key: &SecretKey, user_id: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let sealed: Option<String> = user_totp::table.find(user_id).select(user_totp::secret_sealed).first(conn).optional()?;
    sealed.map(|s| key.open(user_id, &s).map_err(anyhow::Error::from)).transpose()
}

/// Checks a code against the user's secret and, when right, records its step in the same
/// conditional update (a code used once, or an older one, never passes again; of two
/// concurrent uses of one code only one wins). `confirm` also turns a pending factor on.
/// `require_on`: only an active factor counts (sign-in, disabling).
fn use_code(conn: &mut DbConn, key: &SecretKey, user_id: &str, code: &str, now: NaiveDateTime, confirm: bool) -> anyhow::Result<bool> {
    write_transaction(conn, |c| {
        let row: Option<(String, Option<NaiveDateTime>, Option<i64>)> = user_totp::table
            .find(user_id)
            .select((user_totp::secret_sealed, user_totp::confirmed_at, user_totp::last_step))
            .first(c)
            .optional()?;
        let Some((sealed, confirmed_at, last_step)) = row else { return Ok(false) };
        if confirm != confirmed_at.is_none() {
            return Ok(false);
        }
        let secret = key.open(user_id, &sealed)?;
        let Some(step) = crate::totp::verify(&secret, code, now.and_utc().timestamp(), last_step) else { return Ok(false) };
        let target = user_totp::table.find(user_id);
        let n = match last_step {
            Some(l) => diesel::update(target.filter(user_totp::last_step.eq(l))).set(user_totp::last_step.eq(step)).execute(c)?,
            None => diesel::update(target.filter(user_totp::last_step.is_null())).set(user_totp::last_step.eq(step)).execute(c)?,
        };
        if n != 1 {
            return Ok(false);
        }
        if confirm {
            diesel::update(user_totp::table.find(user_id)).set(user_totp::confirmed_at.eq(Some(now))).execute(c)?;
        }
        Ok(true)
    })
}

/// Confirms a pending enrolment with a first code. False when the code is wrong.
pub fn confirm(conn: &mut DbConn, key: &SecretKey, user_id: &str, code: &str, now: NaiveDateTime) -> anyhow::Result<bool> {
    use_code(conn, key, user_id, code, now, true)
}

/// A code for an active factor (sign-in). False when wrong or already used.
pub fn check(conn: &mut DbConn, key: &SecretKey, user_id: &str, code: &str, now: NaiveDateTime) -> anyhow::Result<bool> {
    use_code(conn, key, user_id, code, now, false)
}

/// Turns the factor off, only with a current code. False when the code is wrong.
pub fn disable(conn: &mut DbConn, key: &SecretKey, user_id: &str, code: &str, now: NaiveDateTime) -> anyhow::Result<bool> {
    write_transaction(conn, |c| {
        if !use_code(c, key, user_id, code, now, false)? {
            return Ok(false);
        }
        diesel::delete(user_totp::table.find(user_id)).execute(c)?;
        Ok(true)
    })
}

/// Whether sign-in asks this user for a code.
pub fn required(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    Ok(state(conn, user_id)? == TotpState::On)
}

// ---- sign-in challenges ----

/// After the right password: a token for the code prompt (the browser keeps it in a cookie).
pub fn create_challenge(conn: &mut DbConn, user_id: &str, next_path: &str, now: NaiveDateTime) -> QueryResult<String> {
    let token = new_token();
    write_transaction(conn, |c| {
        diesel::delete(sign_in_challenges::table.filter(sign_in_challenges::expires_at.le(now))).execute(c)?;
        diesel::insert_into(sign_in_challenges::table)
            .values((
                sign_in_challenges::token_hash.eq(hash_token(&token)),
                sign_in_challenges::user_id.eq(user_id),
                sign_in_challenges::next_path.eq(next_path),
                sign_in_challenges::failures.eq(0i64),
                sign_in_challenges::created_at.eq(now),
                sign_in_challenges::expires_at.eq(now + Duration::minutes(CHALLENGE_MINUTES)),
            ))
            .execute(c)
    })?;
    Ok(token)
}

/// The user and the page to go to, for a live challenge.
pub fn find_challenge(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<(String, String)>> {
    sign_in_challenges::table
        .find(hash_token(token))
        .filter(sign_in_challenges::expires_at.gt(now))
        .filter(sign_in_challenges::failures.lt(CHALLENGE_MAX_FAILURES))
        .select((sign_in_challenges::user_id, sign_in_challenges::next_path))
        .first(conn)
        .optional()
}

pub fn challenge_failed(conn: &mut DbConn, token: &str) -> QueryResult<usize> {
    diesel::update(sign_in_challenges::table.find(hash_token(token)))
        .set(sign_in_challenges::failures.eq(sign_in_challenges::failures + 1i64))
        .execute(conn)
}

/// Spends a challenge; false when another request spent it first.
pub fn take_challenge(conn: &mut DbConn, token: &str) -> QueryResult<bool> {
    Ok(diesel::delete(sign_in_challenges::table.find(hash_token(token))).execute(conn)? == 1)
}
