//! Failed sign-ins, counted in the database so that every web process sees the same count
//! (see `web::throttle`). Keys are hashes; rows older than the window are deleted as new
//! ones come.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::sign_in_failures;
use super::DbConn;

/// The times of the last `max` failures under `key_hash` since `since`, newest first.
pub fn recent(c: &mut DbConn, key_hash: &str, since: NaiveDateTime, max: i64) -> QueryResult<Vec<NaiveDateTime>> {
    sign_in_failures::table
        .filter(sign_in_failures::key_hash.eq(key_hash))
        .filter(sign_in_failures::failed_at.gt(since))
        .order(sign_in_failures::failed_at.desc())
        .limit(max)
        .select(sign_in_failures::failed_at)
        .load(c)
}

/// Records one failure under each key, and forgets every failure that left the window.
pub fn record(c: &mut DbConn, key_hashes: &[String], now: NaiveDateTime, window: Duration) -> QueryResult<()> {
    super::write_transaction(c, |c| {
        for k in key_hashes {
            diesel::insert_into(sign_in_failures::table)
                .values((
                    sign_in_failures::id.eq(crate::auth::new_token()),
                    sign_in_failures::key_hash.eq(k),
                    sign_in_failures::failed_at.eq(now),
                ))
                .execute(c)?;
        }
        diesel::delete(sign_in_failures::table.filter(sign_in_failures::failed_at.le(now - window))).execute(c)?;
        Ok(())
    })
}

/// Forgets the failures under `key_hash`.
pub fn forget(c: &mut DbConn, key_hash: &str) -> QueryResult<usize> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::key_hash.eq(key_hash))).execute(c)
}
