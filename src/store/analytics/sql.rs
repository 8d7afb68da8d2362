//! The figures of [`super::Report`] counted by the database: each section is one or two
//! `GROUP BY` queries whose rows are per opening, channel, day or minute, never per person, so
//! the memory and the time do not grow with the rows behind them. [`super::aggregate`] is the
//! reference model these queries are tested against (`tests/api/analytics.rs`).
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamp};

use super::{finish, ActivityRow, ChannelRow, FunnelRow, OpeningRef, Range, Report, ResponseRow, ResponseStatus, ResponseSummary};
use crate::store::DbConn;

/// Which openings the figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every opening (admins and recruiters).
    All,
    /// The openings a hiring manager is assigned to.
    Managed(&'a str),
    /// One opening.
    One(&'a str),
}

enum Bind {
    Text(String),
    Ts(NaiveDateTime),
    Day(NaiveDate),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn of(conn: &DbConn) -> Self {
        match conn {
            DbConn::Sqlite(_) => Dialect::Sqlite,
            DbConn::Postgres(_) => Dialect::Postgres,
        }
    }
    /// The day of a timestamp or date column, as `YYYY-MM-DD` text.
    fn day(self, col: &str) -> String {
        match self {
            Dialect::Sqlite => format!("substr({col}, 1, 10)"),
            Dialect::Postgres => format!("to_char({col}, 'YYYY-MM-DD')"),
        }
    }
    /// Whole minutes from `earlier` to `later` (truncated, as chrono's `num_minutes`), never negative.
    fn minutes(self, later: &str, earlier: &str) -> String {
        let m = match self {
            Dialect::Sqlite => format!("(CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400000.0) AS INTEGER) / 60000)"),
            Dialect::Postgres => format!("CAST(TRUNC(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60) AS BIGINT)"),
        };
        format!("(CASE WHEN {m} < 0 THEN 0 ELSE {m} END)")
    }
    /// A bound timestamp as an expression (PostgreSQL needs its type in a select list).
    fn ts(self) -> &'static str {
        match self {
            Dialect::Sqlite => "?",
            Dialect::Postgres => "CAST(? AS TIMESTAMP)",
        }
    }
    /// Ends a subquery the planner must not fold into the query around it: folded, each use
    /// of a column computed by a correlated subquery runs that subquery again.
    fn fence(self) -> &'static str {
        match self {
            Dialect::Sqlite => "LIMIT -1 OFFSET 0",
            Dialect::Postgres => "OFFSET 0",
        }
    }
}

/// `?` placeholders numbered for PostgreSQL (`$1`, `$2`…); the SQL here holds no other `?`.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

fn fetch<T>(conn: &mut DbConn, sql: &str, binds: &[Bind]) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    macro_rules! bound {
        ($q:expr) => {{
            let mut q = $q;
            for b in binds {
                q = match b {
                    Bind::Text(s) => q.bind::<Text, _>(s.clone()),
                    Bind::Ts(t) => q.bind::<Timestamp, _>(*t),
                    Bind::Day(d) => q.bind::<Date, _>(*d),
                };
            }
            q
        }};
    }
    match conn {
        DbConn::Sqlite(c) => bound!(diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>()).load(c),
        DbConn::Postgres(c) => bound!(diesel::sql_query(numbered(sql)).into_boxed::<diesel::pg::Pg>()).load(c),
    }
}

/// The condition on an opening column for the scope, with its binds.
fn scope_sql(scope: Scope<'_>, col: &str) -> (String, Vec<Bind>) {
    match scope {
        Scope::All => (format!("{col} IS NOT NULL"), Vec::new()),
        Scope::Managed(user) => (format!("{col} IN (SELECT opening_id FROM opening_managers WHERE user_id = ?)"), vec![Bind::Text(user.to_string())]),
        Scope::One(id) => (format!("{col} = ?"), vec![Bind::Text(id.to_string())]),
    }
}

/// The people merged into another: left out by subquery on a partial index
/// (`candidates_merged_away`), not by a join reading each entry's person.
const MERGED: &str = "SELECT id FROM candidates WHERE merged_into IS NOT NULL";

/// The stage's rank (see [`super::stage_rank`]) in SQL.
fn rank(col: &str) -> String {
    format!("(CASE {col} WHEN 'shortlisted' THEN 1 WHEN 'interview' THEN 2 WHEN 'offer' THEN 3 WHEN 'hired' THEN 4 ELSE 0 END)")
}

#[derive(QueryableByName)]
struct Keyed {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Keyed2 {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = Text)]
    k2: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Cohort {
    #[diesel(sql_type = Text)]
    opening_id: String,
    #[diesel(sql_type = Text)]
    network: String,
    #[diesel(sql_type = BigInt)]
    candidates: i64,
    #[diesel(sql_type = BigInt)]
    shortlisted: i64,
    #[diesel(sql_type = BigInt)]
    interviewed: i64,
    #[diesel(sql_type = BigInt)]
    hired: i64,
}

#[derive(QueryableByName)]
struct Histogram {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    mins: i64,
    #[diesel(sql_type = BigInt)]
    target: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Answer {
    #[diesel(sql_type = Text)]
    opening_id: String,
    #[diesel(sql_type = Text)]
    candidate_id: String,
    #[diesel(sql_type = Timestamp)]
    answered: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    sent: Option<NaiveDateTime>,
    #[diesel(sql_type = BigInt)]
    target: i64,
    #[diesel(sql_type = BigInt)]
    mins: i64,
    #[diesel(sql_type = Text)]
    status: String,
}

/// Each answer owed an acknowledgement within the range: the first `ack` message of an entry
/// whose person is not merged away, when it was sent (the first sent one), the opening's
/// target, the minutes it took (or has waited, as of `now`) and its status.
fn answers_sql(d: Dialect, scope: Scope<'_>, range: Range, now: NaiveDateTime) -> (String, Vec<Bind>) {
    let (cond, scope_binds) = scope_sql(scope, "m.opening_id");
    let waited = d.minutes("a.now_at", "a.answered");
    let took = d.minutes("a.sent", "a.answered");
    let sql = format!(
        "SELECT a.opening_id AS opening_id, a.candidate_id AS candidate_id, a.answered AS answered, a.sent AS sent, a.target AS target, \
         CASE WHEN a.sent IS NULL THEN {waited} ELSE {took} END AS mins, \
         CASE WHEN a.sent IS NOT NULL AND {took} <= a.target THEN 'within' WHEN a.sent IS NOT NULL THEN 'late' \
              WHEN {waited} > a.target THEN 'overdue' ELSE 'waiting' END AS status \
         FROM (SELECT m.opening_id AS opening_id, m.candidate_id AS candidate_id, m.created_at AS answered, o.response_target_minutes AS target, {now} AS now_at, \
                 (SELECT MIN(s.sent_at) FROM candidate_messages s WHERE s.opening_id = m.opening_id AND s.candidate_id = m.candidate_id AND s.kind = 'ack' AND s.state = 'sent') AS sent \
               FROM candidate_messages m \
               JOIN shortlist_entries e ON e.opening_id = m.opening_id AND e.candidate_id = m.candidate_id \
               JOIN openings o ON o.id = m.opening_id \
               WHERE m.kind = 'ack' AND m.created_at >= ? AND m.created_at < ? AND m.candidate_id NOT IN ({merged}) AND {cond} \
                 AND NOT EXISTS (SELECT 1 FROM candidate_messages p WHERE p.opening_id = m.opening_id AND p.candidate_id = m.candidate_id AND p.kind = 'ack' \
                                 AND (p.created_at < m.created_at OR (p.created_at = m.created_at AND p.id < m.id))) {fence}) a",
        now = d.ts(),
        fence = d.fence(),
        merged = MERGED,
    );
    let mut binds = vec![Bind::Ts(now), Bind::Ts(range.start()), Bind::Ts(range.end())];
    binds.extend(scope_binds);
    (sql, binds)
}

/// Every figure of the openings in `scope` over `range`, as of `now`. `openings` are those the
/// viewer may see (their titles and targets); the funnel lists those with something in the
/// range, and the one opening asked for even when it has nothing. `response.rows` is left
/// empty: [`answers_page`] gives them a page at a time.
pub fn report(conn: &mut DbConn, scope: Scope<'_>, openings: &[OpeningRef], range: Range, now: NaiveDateTime) -> QueryResult<Report> {
    let d = Dialect::of(conn);
    let within = |col: &str| format!("{col} >= ? AND {col} < ?");
    let in_range = || vec![Bind::Ts(range.start()), Bind::Ts(range.end())];
    let with_scope = |mut binds: Vec<Bind>, col: &str| {
        let (cond, more) = scope_sql(scope, col);
        binds.extend(more);
        (cond, binds)
    };

    let (cond, binds) = with_scope(in_range(), "opening_id");
    let posts: Vec<Keyed> = fetch(
        conn,
        &format!("SELECT opening_id AS k, COUNT(*) AS n FROM deliveries WHERE kind IN ('post', 'repost') AND state = 'published' AND {} AND {cond} GROUP BY opening_id", within("published_at")),
        &binds,
    )?;
    let (cond, binds) = with_scope(vec![Bind::Day(range.from), Bind::Day(range.to)], "t.opening_id");
    let clicks: Vec<Keyed2> = fetch(
        conn,
        &format!(
            "SELECT t.opening_id AS k, t.channel AS k2, CAST(SUM(l.clicks) AS BIGINT) AS n FROM link_clicks l JOIN tracked_links t ON t.code = l.code \
             WHERE {} AND {cond} GROUP BY t.opening_id, t.channel",
            within("l.day")
        ),
        &binds,
    )?;
    let (cond, binds) = with_scope(in_range(), "opening_id");
    let replies: Vec<Keyed> = fetch(
        conn,
        &format!("SELECT opening_id AS k, COUNT(*) AS n FROM candidate_sources WHERE kind = 'reply' AND {} AND {cond} GROUP BY opening_id", within("harvested_at")),
        &binds,
    )?;
    // The cohort: entries created in the range, the furthest stage each reached (its own or
    // one its events went to) and the network of its first touch.
    let (cond, binds) = with_scope(in_range(), "e.opening_id");
    let cohort: Vec<Cohort> = fetch(
        conn,
        &format!(
            "SELECT x.opening_id AS opening_id, x.network AS network, COUNT(*) AS candidates, \
               SUM(CASE WHEN x.r >= 1 THEN 1 ELSE 0 END) AS shortlisted, SUM(CASE WHEN x.r >= 2 THEN 1 ELSE 0 END) AS interviewed, \
               SUM(CASE WHEN x.r >= 4 THEN 1 ELSE 0 END) AS hired \
             FROM (SELECT y.opening_id AS opening_id, y.network AS network, CASE WHEN y.r1 > y.r2 THEN y.r1 ELSE y.r2 END AS r \
                   FROM (SELECT e.opening_id AS opening_id, {r1} AS r1, \
                           COALESCE((SELECT MAX({r2}) FROM shortlist_events v WHERE v.opening_id = e.opening_id AND v.candidate_id = e.candidate_id), 0) AS r2, \
                           COALESCE((SELECT s.network FROM candidate_sources s WHERE s.opening_id = e.opening_id AND s.candidate_id = e.candidate_id \
                                     ORDER BY COALESCE(s.posted_at, s.harvested_at), s.harvested_at, s.network LIMIT 1), 'unknown') AS network \
                         FROM shortlist_entries e \
                         WHERE e.candidate_id NOT IN ({merged}) AND {} AND {cond}) y) x \
             GROUP BY x.opening_id, x.network",
            within("e.created_at"),
            r1 = rank("e.state"),
            r2 = rank("v.to_state"),
            merged = MERGED,
        ),
        &binds,
    )?;
    let (sql, binds) = answers_sql(d, scope, range, now);
    let histogram: Vec<Histogram> = fetch(conn, &histogram_sql(&sql), &binds)?;

    // Activity per day (weeks are made of days below).
    let mut per_day: HashMap<String, ActivityRow> = HashMap::new();
    let (cond, binds) = with_scope(in_range(), "opening_id");
    for r in fetch::<Keyed>(conn, &format!("SELECT {day} AS k, COUNT(*) AS n FROM candidate_sources WHERE {} AND {cond} GROUP BY {day}", within("harvested_at"), day = d.day("harvested_at")), &binds)? {
        per_day.entry(r.k).or_default().answers += r.n;
    }
    let (cond, binds) = with_scope(in_range(), "e.opening_id");
    for r in fetch::<Keyed>(
        conn,
        &format!(
            "SELECT {day} AS k, COUNT(*) AS n FROM shortlist_entries e WHERE e.candidate_id NOT IN ({merged}) AND {} AND {cond} GROUP BY {day}",
            within("e.created_at"),
            day = d.day("e.created_at"),
            merged = MERGED,
        ),
        &binds,
    )? {
        per_day.entry(r.k).or_default().candidates += r.n;
    }
    let (cond, binds) = with_scope(in_range(), "v.opening_id");
    for r in fetch::<Keyed>(
        conn,
        &format!(
            "SELECT {day} AS k, COUNT(*) AS n FROM shortlist_events v \
             WHERE v.candidate_id NOT IN ({merged}) AND v.actor_id IS NOT NULL AND {} AND {cond} GROUP BY {day}",
            within("v.at"),
            day = d.day("v.at"),
            merged = MERGED,
        ),
        &binds,
    )? {
        per_day.entry(r.k).or_default().decisions += r.n;
    }
    let (cond, binds) = with_scope(vec![Bind::Day(range.from), Bind::Day(range.to)], "t.opening_id");
    for r in fetch::<Keyed>(
        conn,
        &format!(
            "SELECT {day} AS k, CAST(SUM(l.clicks) AS BIGINT) AS n FROM link_clicks l JOIN tracked_links t ON t.code = l.code WHERE {} AND {cond} GROUP BY {day}",
            within("l.day"),
            day = d.day("l.day")
        ),
        &binds,
    )? {
        per_day.entry(r.k).or_default().clicks += r.n;
    }

    // ---- assembled (rows per opening, channel and day) ----
    let title_of: HashMap<&str, &OpeningRef> = openings.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut funnel: BTreeMap<String, FunnelRow> = BTreeMap::new();
    fn row<'m>(funnel: &'m mut BTreeMap<String, FunnelRow>, title_of: &HashMap<&str, &OpeningRef>, id: &str) -> Option<&'m mut FunnelRow> {
        let o = title_of.get(id)?;
        Some(funnel.entry(id.to_string()).or_insert_with(|| FunnelRow { opening_id: o.id.clone(), title: o.title.clone(), ..Default::default() }))
    }
    fn channel<'m>(channels: &'m mut BTreeMap<String, ChannelRow>, name: &str) -> &'m mut ChannelRow {
        channels.entry(name.to_string()).or_insert_with(|| ChannelRow { channel: name.to_string(), ..Default::default() })
    }
    if let Scope::One(id) = scope {
        row(&mut funnel, &title_of, id);
    }
    let mut channels: BTreeMap<String, ChannelRow> = BTreeMap::new();
    for p in posts {
        if let Some(f) = row(&mut funnel, &title_of, &p.k) {
            f.posts += p.n;
        }
    }
    for c in clicks {
        if let Some(f) = row(&mut funnel, &title_of, &c.k) {
            f.clicks += c.n;
            channel(&mut channels, &c.k2).clicks += c.n;
        }
    }
    for r in replies {
        if let Some(f) = row(&mut funnel, &title_of, &r.k) {
            f.replies += r.n;
        }
    }
    for c in cohort {
        if let Some(f) = row(&mut funnel, &title_of, &c.opening_id) {
            f.candidates += c.candidates;
            f.shortlisted += c.shortlisted;
            f.interviewed += c.interviewed;
            f.hired += c.hired;
            let ch = channel(&mut channels, &c.network);
            ch.candidates += c.candidates;
            ch.shortlisted += c.shortlisted;
            ch.hired += c.hired;
        }
    }
    let (funnel, total, channels) = finish(funnel.into_values(), channels.into_values());
    let response = summarize(histogram);

    let mut activity = range.periods();
    for (k, v) in per_day {
        let Ok(day) = NaiveDate::parse_from_str(&k, "%Y-%m-%d") else { continue };
        if let (true, Some(a)) = (range.contains_day(day), activity.get_mut(&range.bucket(day))) {
            a.answers += v.answers;
            a.candidates += v.candidates;
            a.decisions += v.decisions;
            a.clicks += v.clicks;
        }
    }
    Ok(Report { funnel, total, channels, response, weekly: range.weekly(), activity: activity.into_values().collect() })
}

/// The response figures alone (the dashboard's): within, late, waiting, overdue, median and
/// 90th percentile over `range`, and the target most answers had.
pub fn response_summary(conn: &mut DbConn, scope: Scope<'_>, range: Range, now: NaiveDateTime) -> QueryResult<(ResponseSummary, Option<i64>)> {
    let (sql, binds) = answers_sql(Dialect::of(conn), scope, range, now);
    let histogram: Vec<Histogram> = fetch(conn, &histogram_sql(&sql), &binds)?;
    // The target most answers had (the smallest of equals).
    let mut targets: BTreeMap<i64, i64> = BTreeMap::new();
    for h in &histogram {
        *targets.entry(h.target).or_default() += h.n;
    }
    let target = targets.iter().max_by_key(|(t, n)| (**n, std::cmp::Reverse(**t))).map(|(t, _)| *t);
    Ok((summarize(histogram), target))
}

/// The answers counted by status, minutes taken (0 while waiting) and target: one pass.
fn histogram_sql(answers: &str) -> String {
    format!(
        "SELECT z.status AS status, CASE WHEN z.sent IS NULL THEN 0 ELSE z.mins END AS mins, z.target AS target, COUNT(*) AS n \
         FROM ({answers}) z GROUP BY z.status, CASE WHEN z.sent IS NULL THEN 0 ELSE z.mins END, z.target"
    )
}

fn summarize(histogram: Vec<Histogram>) -> ResponseSummary {
    let mut response = ResponseSummary::default();
    let mut took: Vec<(i64, i64)> = Vec::new();
    for h in histogram {
        match h.status.as_str() {
            "within" => response.within += h.n,
            "late" => response.late += h.n,
            "overdue" => {
                response.waiting += h.n;
                response.overdue += h.n
            }
            _ => response.waiting += h.n,
        }
        if h.status == "within" || h.status == "late" {
            took.push((h.mins, h.n));
        }
    }
    response.answered = response.within + response.late;
    took.sort_unstable();
    response.median = nearest_rank(&took, 0.5);
    response.p90 = nearest_rank(&took, 0.9);
    response
}

/// The nearest-rank percentile of a sorted histogram of (value, count).
fn nearest_rank(sorted: &[(i64, i64)], p: f64) -> Option<i64> {
    let n: i64 = sorted.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let rank = ((p * n as f64).ceil() as i64).clamp(1, n);
    let mut seen = 0;
    for (v, c) in sorted {
        seen += c;
        if seen >= rank {
            return Some(*v);
        }
    }
    sorted.last().map(|(v, _)| *v)
}

/// Where a page of answers ends: the next page starts after it.
pub type AnswerCursor = (NaiveDateTime, String, String);

/// A page of the answers behind the response figures, by time of answer then person, after
/// `after`; the titles from `openings`.
pub fn answers_page(conn: &mut DbConn, scope: Scope<'_>, openings: &[OpeningRef], range: Range, now: NaiveDateTime, after: Option<&AnswerCursor>, limit: i64) -> QueryResult<Vec<ResponseRow>> {
    let d = Dialect::of(conn);
    let (sql, mut binds) = answers_sql(d, scope, range, now);
    let mut sql = format!("SELECT * FROM ({sql}) z");
    if let Some((at, candidate, opening)) = after {
        sql.push_str(" WHERE (z.answered > ? OR (z.answered = ? AND (z.candidate_id > ? OR (z.candidate_id = ? AND z.opening_id > ?))))");
        binds.extend([Bind::Ts(*at), Bind::Ts(*at), Bind::Text(candidate.clone()), Bind::Text(candidate.clone()), Bind::Text(opening.clone())]);
    }
    sql.push_str(&format!(" ORDER BY z.answered, z.candidate_id, z.opening_id LIMIT {}", limit.clamp(1, 10_000)));
    let title_of: HashMap<&str, &str> = openings.iter().map(|o| (o.id.as_str(), o.title.as_str())).collect();
    Ok(fetch::<Answer>(conn, &sql, &binds)?
        .into_iter()
        .map(|a| ResponseRow {
            title: title_of.get(a.opening_id.as_str()).map(|t| t.to_string()).unwrap_or_default(),
            opening_id: a.opening_id,
            candidate_id: a.candidate_id,
            answered_at: a.answered,
            acknowledged_at: a.sent,
            minutes: a.mins,
            target: a.target,
            status: match a.status.as_str() {
                "within" => ResponseStatus::Within,
                "late" => ResponseStatus::Late,
                "overdue" => ResponseStatus::Overdue,
                _ => ResponseStatus::Waiting,
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::analytics::percentile;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(numbered("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn percentiles_of_a_histogram_match_those_of_the_values() {
        let values = [1, 1, 2, 3, 3, 3, 7, 9, 9, 40];
        let mut h: BTreeMap<i64, i64> = BTreeMap::new();
        for v in values {
            *h.entry(v).or_default() += 1;
        }
        let h: Vec<(i64, i64)> = h.into_iter().collect();
        for p in [0.0, 0.1, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(nearest_rank(&h, p), percentile(&values, p), "{p}");
        }
        assert_eq!(nearest_rank(&[], 0.5), None);
    }
}
