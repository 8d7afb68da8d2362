//! Started OAuth authorizations, kept between the redirect to the network and its callback.
//! Stored under the hash of their `state` (never the state itself), sealed with the secret
//! key like channel credentials, for ten minutes; taken once, by the user who started them.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::oauth_flows;
use super::{write_transaction, DbConn};
use crate::broadcast::connect::{state_hash, PendingOAuth};
use crate::broadcast::SecretKey;

/// How long an admin has to approve on the network's side.
pub const LIFETIME_MINUTES: i64 = 10;

/// Keeps a started flow under its `state`. Expired flows are removed on the way.
pub fn save(conn: &mut DbConn, key: &SecretKey, state: &str, user_id: &str, pending: &PendingOAuth, now: NaiveDateTime) -> anyhow::Result<()> {
    let hash = state_hash(state);
    let sealed = key.seal(&hash, &serde_json::to_vec(pending)?);
    // Only what helps someone reading the table; the secret part is in `secret`.
    let config = serde_json::json!({
        "instance": pending.instance,
        "redirect_uri": pending.redirect_uri,
        "account_id": pending.account_id,
    })
    .to_string();
    write_transaction(conn, |c| {
        diesel::delete(oauth_flows::table.filter(oauth_flows::expires_at.lt(now))).execute(c)?;
        diesel::insert_into(oauth_flows::table)
            .values((
                oauth_flows::state_hash.eq(&hash),
                oauth_flows::network.eq(pending.network.as_str()),
                oauth_flows::user_id.eq(user_id),
                oauth_flows::secret.eq(&sealed),
                oauth_flows::config.eq(&config),
                oauth_flows::created_at.eq(now),
                oauth_flows::expires_at.eq(now + Duration::minutes(LIFETIME_MINUTES)),
            ))
            .execute(c)
            .map(|_| ())
    })?;
    Ok(())
}

/// The flow started with `state` by `user_id`, once: it is deleted as it is read. None when
/// unknown, expired (then deleted too), or started by someone else (then left alone, so a
/// stranger cannot spend another admin's flow).
pub fn take(conn: &mut DbConn, key: &SecretKey, state: &str, user_id: &str, now: NaiveDateTime) -> anyhow::Result<Option<PendingOAuth>> {
    let hash = state_hash(state);
    let row: Option<(String, NaiveDateTime)> = write_transaction(conn, |c| {
        let row: Option<(String, NaiveDateTime)> = oauth_flows::table
            .find(&hash)
            .filter(oauth_flows::user_id.eq(user_id))
            .select((oauth_flows::secret, oauth_flows::expires_at))
            .first(c)
            .optional()?;
        if row.is_some() {
            // Deleting conditionally: of two callbacks racing with the same state, one wins.
            let n = diesel::delete(oauth_flows::table.find(&hash).filter(oauth_flows::user_id.eq(user_id))).execute(c)?;
            if n == 0 {
                return Ok::<_, diesel::result::Error>(None);
            }
        }
        Ok(row)
    })?;
    let Some((sealed, expires_at)) = row else { return Ok(None) };
    if expires_at < now {
        return Ok(None);
    }
    let plain = key.open(&hash, &sealed)?;
    Ok(Some(serde_json::from_slice(&plain)?))
}
