//! What the team is told by email, queued in the outbox (`store::notifications`) by the worker's
//! passes: hiring managers hear of new shortlisted candidates of their openings (at once, or
//! in a daily digest at 8:00 in their time zone, or not at all: their choice); recruiters hear
//! of answers whose acknowledgement is still not sent when 80% of the opening's response
//! target has gone by. Each is queued in the transaction that records it as told, so nobody is
//! told twice.
use chrono::{NaiveDateTime, TimeZone};
use diesel::prelude::*;

use crate::i18n::Lang;
use crate::store::notifications::{self as outbox, NewNotification, ShortlistNotice};
use crate::store::schema::{candidate_messages, candidates, opening_managers, openings, shortlist_entries, shortlist_notices, users};
use crate::store::{write_transaction, DbConn};

/// The local hour of the daily digest.
pub const DIGEST_HOUR: u32 = 8;

/// A new shortlisted candidate a manager has not been told of.
#[derive(Debug, Clone)]
struct Fresh {
    opening_id: String,
    title: String,
    candidate_id: String,
    name: String,
    score: i64,
}

/// Whether the daily digest is due: 8:00 local has passed since the last one.
pub fn digest_due(now: NaiveDateTime, tz: chrono_tz::Tz, last: Option<NaiveDateTime>) -> bool {
    let local = tz.from_utc_datetime(&now);
    let today_8 = local.date_naive().and_hms_opt(DIGEST_HOUR, 0, 0).and_then(|t| tz.from_local_datetime(&t).earliest()).map(|t| t.naive_utc());
    let Some(today_8) = today_8 else { return false };
    now >= today_8 && last.is_none_or(|l| l < today_8)
}

/// When the next digest goes out: today's 8:00 local if it has not passed, else tomorrow's.
pub fn next_digest_at(now: NaiveDateTime, tz: chrono_tz::Tz) -> NaiveDateTime {
    let local = tz.from_utc_datetime(&now).date_naive();
    for day in [local, local + chrono::Duration::days(1), local + chrono::Duration::days(2)] {
        if let Some(t) = day.and_hms_opt(DIGEST_HOUR, 0, 0).and_then(|t| tz.from_local_datetime(&t).earliest()).map(|t| t.naive_utc()) {
            if t > now {
                return t;
            }
        }
    }
    now + chrono::Duration::days(1)
}

/// One pass over the hiring managers: queues the emails that are due. Returns how many.
pub fn queue_shortlist_notices(conn: &mut DbConn, base_url: &str, now: NaiveDateTime) -> anyhow::Result<usize> {
    let managers: Vec<(String, String, String, Option<String>, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::id.eq_any(opening_managers::table.select(opening_managers::user_id)))
        .select((users::id, users::email, users::name, users::locale, users::time_zone))
        .load(conn)?;
    let mut queued = 0;
    for (user_id, email, _name, locale, tz) in managers {
        let settings = outbox::settings(conn, &user_id)?;
        if settings.shortlist == ShortlistNotice::Off {
            continue;
        }
        let tz: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
        let daily = settings.shortlist == ShortlistNotice::Daily;
        if daily && !digest_due(now, tz, settings.digest_sent_at) {
            continue;
        }
        let lang = locale.as_deref().and_then(Lang::parse).unwrap_or_default();
        let done = write_transaction::<_, anyhow::Error, _>(conn, |conn| {
            let fresh = fresh_for(conn, &user_id)?;
            if daily {
                let mut s = settings.clone();
                s.digest_sent_at = Some(now);
                outbox::save_settings(conn, &user_id, &s, now)?;
            }
            if fresh.is_empty() {
                return Ok(false);
            }
            for f in &fresh {
                diesel::insert_into(shortlist_notices::table)
                    .values((
                        shortlist_notices::user_id.eq(&user_id),
                        shortlist_notices::opening_id.eq(&f.opening_id),
                        shortlist_notices::candidate_id.eq(&f.candidate_id),
                        shortlist_notices::notified_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            let (subject, text, html) = shortlist_mail(lang, &fresh, base_url, daily)?;
            let key = if daily {
                format!("digest:{user_id}:{}", tz.from_utc_datetime(&now).date_naive())
            } else {
                format!("shortlist:{user_id}:{}", crate::store::new_id())
            };
            let kind = if daily { "shortlist_digest" } else { "shortlist" };
            outbox::queue(conn, &NewNotification { key: &key, kind, user_id: Some(&user_id), recipient: &email, subject: &subject, text: &text, html: &html, due_at: now }, now)?;
            if let [only] = fresh.as_slice() {
                crate::store::notifications::about_candidate(conn, &key, &only.candidate_id)?;
            }
            Ok(true)
        })?;
        if done {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Shortlisted candidates of the manager's openings (not closed) they were not told of.
fn fresh_for(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Fresh>> {
    let told: Vec<(String, String)> =
        shortlist_notices::table.filter(shortlist_notices::user_id.eq(user_id)).select((shortlist_notices::opening_id, shortlist_notices::candidate_id)).load(conn)?;
    let rows: Vec<(String, String, String, String, i64)> = shortlist_entries::table
        .inner_join(candidates::table)
        .inner_join(openings::table.on(openings::id.eq(shortlist_entries::opening_id)))
        .filter(shortlist_entries::opening_id.eq_any(opening_managers::table.filter(opening_managers::user_id.eq(user_id)).select(opening_managers::opening_id)))
        .filter(shortlist_entries::state.eq("shortlisted"))
        .filter(candidates::merged_into.is_null())
        .filter(openings::status.ne("closed"))
        .order((openings::title.asc(), shortlist_entries::score.desc()))
        .select((shortlist_entries::opening_id, openings::title, shortlist_entries::candidate_id, candidates::name, shortlist_entries::score))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(o, _, c, _, _)| !told.iter().any(|(to, tc)| to == o && tc == c))
        .map(|(opening_id, title, candidate_id, name, score)| Fresh { opening_id, title, candidate_id, name, score })
        .collect())
}

fn shortlist_mail(lang: Lang, fresh: &[Fresh], base_url: &str, daily: bool) -> anyhow::Result<(String, String, String)> {
    let t = crate::i18n::email::text(lang);
    let n = fresh.len().to_string();
    let subject = if daily { t.digest_subject.replace("{n}", &n) } else { t.shortlisted_subject.replace("{n}", &n) };
    let mut paragraphs = vec![if daily { t.digest_intro.to_string() } else { t.shortlisted_intro.to_string() }];
    let base = base_url.trim_end_matches('/');
    for f in fresh {
        paragraphs.push(t.shortlisted_line.replace("{name}", &f.name).replace("{score}", &f.score.to_string()).replace("{title}", &f.title).replace(
            "{link}",
            &format!("{base}/app/openings/{}/candidates/{}", f.opening_id, f.candidate_id),
        ));
    }
    let link = format!("{base}/app/openings/{}/review", fresh[0].opening_id);
    let (text, html) = super::notice(lang, &subject, &paragraphs, None, t.shortlisted_cta, Some(&link)).map_err(|e| anyhow::anyhow!(e))?;
    Ok((subject, text, html))
}

/// One pass over unanswered answers: when 80% of an opening's response target has gone by and
/// the acknowledgement is still not sent, the opening's recruiter (else every admin) is told,
/// once per answer. Returns how many emails were queued.
pub fn queue_response_warnings(conn: &mut DbConn, base_url: &str, now: NaiveDateTime) -> anyhow::Result<usize> {
    let pending: Vec<(String, String, NaiveDateTime, String, String, i64, Option<String>)> = candidate_messages::table
        .inner_join(openings::table.on(openings::id.nullable().eq(candidate_messages::opening_id)))
        .filter(candidate_messages::kind.eq("ack"))
        .filter(candidate_messages::state.ne("sent"))
        .select((
            candidate_messages::id,
            candidate_messages::candidate_id,
            candidate_messages::created_at,
            openings::id,
            openings::title,
            openings::response_target_minutes,
            openings::created_by,
        ))
        .load(conn)?;
    let mut queued = 0;
    for (message_id, _candidate, answered_at, opening_id, title, target, created_by) in pending {
        let warn_at = answered_at + chrono::Duration::seconds(target * 60 * 8 / 10);
        if now < warn_at {
            continue;
        }
        let key_base = format!("response_target:{message_id}");
        if outbox::find_by_key(conn, &format!("{key_base}:0"))?.is_some() {
            continue;
        }
        // The recruiter who wrote the opening; else every active admin and recruiter.
        let mut recipients: Vec<crate::store::users::User> = Vec::new();
        if let Some(u) = created_by.as_deref().map(|id| crate::store::users::find(conn, id)).transpose()?.flatten().filter(|u| u.active) {
            recipients.push(u);
        } else {
            for role in [crate::domain::user::Role::Admin, crate::domain::user::Role::Recruiter] {
                recipients.extend(crate::store::users::list_by_role(conn, role)?.into_iter().filter(|u| u.active));
            }
        }
        let deadline = answered_at + chrono::Duration::minutes(target);
        let link = format!("{}/app/openings/{opening_id}/review", base_url.trim_end_matches('/'));
        let n = write_transaction::<_, anyhow::Error, _>(conn, |conn| {
            let mut n = 0;
            for (i, u) in recipients.iter().enumerate() {
                if !outbox::settings(conn, &u.id)?.response_targets {
                    continue;
                }
                let lang = u.locale.unwrap_or_default();
                let t = crate::i18n::email::text(lang);
                let minutes = (((deadline - now).num_seconds() + 59) / 60).max(0).to_string();
                let subject = t.target_subject.replace("{title}", &title);
                let paragraphs = vec![t.target_body.replace("{title}", &title).replace("{minutes}", &minutes).replace("{target}", &target.to_string()), t.target_next.to_string()];
                let (text, html) = super::notice(lang, &subject, &paragraphs, None, t.shortlisted_cta, Some(&link)).map_err(|e| anyhow::anyhow!(e))?;
                // The first key marks the answer as warned about, whoever received it.
                let key = format!("{key_base}:{i}");
                if outbox::queue(conn, &NewNotification { key: &key, kind: "response_target", user_id: Some(&u.id), recipient: &u.email, subject: &subject, text: &text, html: &html, due_at: now }, now)? {
                    n += 1;
                }
            }
            if n == 0 {
                // Nobody wants it: remember the answer was seen, with a message that is never sent.
                outbox::queue(conn, &NewNotification { key: &format!("{key_base}:0"), kind: "response_target_muted", user_id: None, recipient: "", subject: "", text: "", html: "", due_at: now }, now)?;
                mark_muted(conn, &format!("{key_base}:0"))?;
            }
            Ok(n)
        })?;
        queued += n;
    }
    Ok(queued)
}

fn mark_muted(conn: &mut DbConn, key: &str) -> QueryResult<usize> {
    use crate::store::schema::notifications;
    diesel::update(notifications::table.filter(notifications::idempotency_key.eq(key))).set(notifications::state.eq("muted")).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_digest_is_due_once_a_day_after_eight_local_time() {
        let paris: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        // 8:00 in Paris in December is 7:00 UTC.
        assert!(!digest_due(at("2026-12-02 06:59"), paris, None));
        assert!(digest_due(at("2026-12-02 07:00"), paris, None));
        assert!(!digest_due(at("2026-12-02 15:00"), paris, Some(at("2026-12-02 07:05"))), "sent today already");
        assert!(digest_due(at("2026-12-02 15:00"), paris, Some(at("2026-12-01 07:05"))), "sent yesterday");
        assert!(digest_due(at("2026-12-02 08:00"), chrono_tz::UTC, Some(at("2026-12-02 07:59"))));
        assert_eq!(next_digest_at(at("2026-12-02 06:00"), paris), at("2026-12-02 07:00"));
        assert_eq!(next_digest_at(at("2026-12-02 07:00"), paris), at("2026-12-03 07:00"));
        assert_eq!(next_digest_at(at("2026-07-01 12:00"), paris), at("2026-07-02 06:00"), "summer time");
    }
}
