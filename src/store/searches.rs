//! Saved sourcing searches: a hashtag and keywords over a network's public timeline, for one
//! opening; the posts already read, and when to look again.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::sourcing_searches;
use super::{new_id, write_transaction, DbConn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sourcing_searches)]
pub struct SearchRow {
    pub id: String,
    pub opening_id: String,
    pub account_id: String,
    /// Without '#'.
    pub hashtag: String,
    /// Words that must all appear, space-separated (may be empty).
    pub keywords: String,
    pub active: bool,
    pub seen: String,
    pub found: i64,
    pub next_run_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl SearchRow {
    pub fn seen_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.seen).unwrap_or_default()
    }
}

pub fn create(conn: &mut DbConn, opening_id: &str, account_id: &str, hashtag: &str, keywords: &str, by: Option<&str>, now: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    write_transaction(conn, |c| {
        diesel::insert_into(sourcing_searches::table)
            .values((
                sourcing_searches::id.eq(&id),
                sourcing_searches::opening_id.eq(opening_id),
                sourcing_searches::account_id.eq(account_id),
                sourcing_searches::hashtag.eq(hashtag),
                sourcing_searches::keywords.eq(keywords),
                sourcing_searches::active.eq(true),
                sourcing_searches::seen.eq("[]"),
                sourcing_searches::found.eq(0i64),
                sourcing_searches::next_run_at.eq(now),
                sourcing_searches::created_by.eq(by),
                sourcing_searches::created_at.eq(now),
            ))
            .execute(c)
    })?;
    Ok(id)
}

pub fn list_for_opening(conn: &mut DbConn, opening_id: &str) -> QueryResult<Vec<SearchRow>> {
    sourcing_searches::table
        .filter(sourcing_searches::opening_id.eq(opening_id))
        .order(sourcing_searches::created_at.asc())
        .select(SearchRow::as_select())
        .load(conn)
}

/// Active searches of open openings due at `now`.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<SearchRow>> {
    use super::schema::openings;
    sourcing_searches::table
        .inner_join(openings::table)
        .filter(openings::status.eq("open"))
        .filter(sourcing_searches::active.eq(true))
        .filter(sourcing_searches::next_run_at.le(now))
        .order(sourcing_searches::next_run_at.asc())
        .limit(limit)
        .select(SearchRow::as_select())
        .load(conn)
}

/// Takes a due search for one harvester until `lease_until` (compare-and-set on the due time
/// it was read with): of several workers, one runs it.
pub fn claim(conn: &mut DbConn, search: &SearchRow, lease_until: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(sourcing_searches::table.find(&search.id).filter(sourcing_searches::next_run_at.eq(search.next_run_at)))
        .set(sourcing_searches::next_run_at.eq(lease_until))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn save_run(conn: &mut DbConn, id: &str, seen: &[String], found_more: i64, next_run_at: NaiveDateTime, error: Option<&str>) -> QueryResult<()> {
    write_transaction(conn, |c| {
        let found: i64 = sourcing_searches::table.find(id).select(sourcing_searches::found).first(c)?;
        diesel::update(sourcing_searches::table.find(id))
            .set((
                sourcing_searches::seen.eq(serde_json::to_string(seen).unwrap_or_else(|_| "[]".into())),
                sourcing_searches::found.eq(found + found_more),
                sourcing_searches::next_run_at.eq(next_run_at),
                sourcing_searches::last_error.eq(error),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// Stops a search (`false`: not one of this opening's).
pub fn stop(conn: &mut DbConn, opening_id: &str, id: &str) -> QueryResult<bool> {
    let n = diesel::update(sourcing_searches::table.find(id).filter(sourcing_searches::opening_id.eq(opening_id)))
        .set(sourcing_searches::active.eq(false))
        .execute(conn)?;
    Ok(n == 1)
}
