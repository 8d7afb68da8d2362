//! `hirecast demo --scale N`: an agency's worth of consistent rows, for benchmarks.
//!
//! The demo company is loaded first (its team, openings rendered and managed as the app does);
//! then its openings are copied into `N / 100` openings (one in ten open, most closed), and `N`
//! candidates are added with, per candidate on average, 1.5 applications, 0.5 replies harvested
//! from Mastodon, one profile found by a sourcing search and 3 shortlist entries. The first
//! opening gets `N / 20` candidates (50,000 at `--scale 1000000`). Rows are written by
//! `INSERT … SELECT` over a generated series, in chunks, one transaction per chunk: the
//! generator's memory does not grow with N. Applications are marked ingested, so the workers do
//! not start filing millions of them; timestamps spread over the last two years, so the
//! privacy schedule and the purge have work.
use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::store::{DbConn, Pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub openings: i64,
    pub candidates: i64,
    pub applications: i64,
    pub replies: i64,
    pub sourced: i64,
    pub big_opening: i64,
}

impl Sizes {
    /// `candidates` people; the rest in the proportions of an agency (1,000,000 candidates:
    /// 10,000 openings, 1,500,000 applications, 500,000 replies, 3,000,000 shortlist entries).
    pub fn of(candidates: i64) -> Sizes {
        let candidates = candidates.max(100);
        Sizes {
            openings: (candidates / 100).max(3),
            candidates,
            applications: candidates * 3 / 2,
            replies: candidates / 2,
            sourced: candidates,
            big_opening: candidates / 20,
        }
    }
}

pub struct ScaleSummary {
    pub sizes: Sizes,
    pub entries: i64,
    /// Entries of the first opening, counted.
    pub first: i64,
    pub seconds: f64,
}

impl std::fmt::Display for ScaleSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.sizes;
        write!(
            f,
            "Scale data loaded in {:.0} s: {} openings, {} candidates, {} applications, {} replies, {} sourced profiles, {} shortlist entries ({} in the first opening).",
            self.seconds, s.openings, s.candidates, s.applications, s.replies, s.sourced, self.entries, self.first
        )
    }
}

const CHUNK: i64 = 50_000;

/// SQL that differs between the backends.
struct Dialect {
    pg: bool,
    now: String,
}

impl Dialect {
    /// A UUID-shaped id: `prefix` (8 hex digits) then `n` on 12 hex digits.
    fn id(&self, prefix: &str, n: &str) -> String {
        if self.pg {
            format!("'{prefix}-0000-4000-8000-' || lpad(to_hex({n}), 12, '0')")
        } else {
            format!("'{prefix}-0000-4000-8000-' || printf('%012x', {n})")
        }
    }
    /// The timestamp `secs` seconds before the generator's start.
    fn ago(&self, secs: &str) -> String {
        if self.pg {
            format!(
                "(TIMESTAMP '{}' - make_interval(secs => ({secs})))",
                self.now
            )
        } else {
            format!("datetime('{}', '-' || ({secs}) || ' seconds')", self.now)
        }
    }
    /// Rows `i` from `lo` to `hi` inclusive.
    /// The larger of two numbers.
    fn at_least(&self, a: &str, b: &str) -> String {
        if self.pg {
            format!("GREATEST({a}, {b})")
        } else {
            format!("max({a}, {b})")
        }
    }
    fn series(&self, lo: i64, hi: i64) -> String {
        if self.pg {
            format!("generate_series({lo}, {hi}) AS s(i)")
        } else {
            format!("(WITH RECURSIVE r(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM r WHERE i < {hi}) SELECT i FROM r) AS s")
        }
    }
}

const DAY: i64 = 86_400;
/// Pseudo-random but fixed: (i × a large odd number) mod m.
fn spread(i: &str, m: i64) -> String {
    format!("(({i}) * 2654435761 % {m})")
}

pub fn load(
    pool: &Pool,
    blobs: &crate::store::blobs::BlobStore,
    retention: &crate::store::privacy::Retention,
    candidates: i64,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<(crate::demo::DemoSummary, ScaleSummary)> {
    let started = std::time::Instant::now();
    {
        let mut conn = pool.get().context("Failed to get a database connection")?;
        let existing = crate::store::openings::list(
            &mut conn,
            &crate::store::openings::OpeningFilter {
                limit: 1,
                ..Default::default()
            },
        )?
        .1;
        if existing > 0 {
            return Err(crate::cli::Fix(format!("--scale fills an empty database; this one has {existing} opening(s) (use a new DATABASE_URL)")).into());
        }
    }
    let demo = crate::demo::load(pool, blobs, false, &mut |_, _, _| {})?;
    let sizes = Sizes::of(candidates);
    let mut conn = pool.get().context("Failed to get a database connection")?;
    let conn = &mut *conn;
    let d = Dialect {
        pg: matches!(conn, DbConn::Postgres(_)),
        now: crate::store::now().format("%Y-%m-%d %H:%M:%S").to_string(),
    };
    let (entries, first) = fill(conn, &d, sizes, progress)?;
    progress("the retention schedule (every person's removal date)");
    crate::store::privacy::refresh_schedule(conn, retention, None)?;
    Ok((
        demo,
        ScaleSummary {
            sizes,
            entries,
            first,
            seconds: started.elapsed().as_secs_f64(),
        },
    ))
}

fn exec(conn: &mut DbConn, sql: &str) -> anyhow::Result<()> {
    crate::store::write_transaction(conn, |conn| {
        conn.batch_execute(sql).map_err(anyhow::Error::from)
    })
    .with_context(|| {
        let head: String = sql.chars().take(120).collect();
        format!("scale data: {head}…")
    })
}

/// Runs `make(lo, hi)` over `1..=total` in chunks, each in its own transaction.
fn chunked(
    conn: &mut DbConn,
    what: &str,
    total: i64,
    progress: &mut dyn FnMut(&str),
    make: impl Fn(i64, i64) -> String,
) -> anyhow::Result<()> {
    let mut lo = 1;
    while lo <= total {
        let hi = (lo + CHUNK - 1).min(total);
        exec(conn, &make(lo, hi))?;
        progress(&format!("{what}: {hi}/{total}"));
        lo = hi + 1;
    }
    Ok(())
}

fn fill(
    conn: &mut DbConn,
    d: &Dialect,
    z: Sizes,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<(i64, i64)> {
    // The demo's openings, numbered: the templates the agency's openings are copied from.
    exec(
        conn,
        "DROP TABLE IF EXISTS scale_templates; \
         CREATE TABLE scale_templates (n BIGINT PRIMARY KEY NOT NULL, id TEXT NOT NULL); \
         INSERT INTO scale_templates (n, id) SELECT (SELECT COUNT(*) FROM openings o2 WHERE o2.id < o.id), o.id FROM openings o;",
    )?;
    let templates: i64 = diesel::sql_query("SELECT COUNT(*) AS n FROM scale_templates")
        .get_result::<Count>(conn)?
        .n;
    anyhow::ensure!(templates > 0, "the demo company has no openings to copy");

    let oid = |n: &str| d.id("5ca1e000", n);
    let cid = |n: &str| d.id("5ca1e001", n);
    // Opening of the i-th application, reply or sourced profile: the first `big_opening` go to
    // opening 1, the rest spread over the others.
    // (Drafts get none: a draft's number, k ≡ 2 mod 10, becomes k + 1, or k - 1 for the last;
    // never 1, which has exactly `big_opening`.)
    let opening_of = |i: &str, salt: i64| {
        let k = format!(
            "(2 + (({i}) + {salt}) * 2654435761 % {rest})",
            rest = z.openings - 1
        );
        format!(
            "CASE WHEN ({i}) <= {big} THEN 1 WHEN {k} % 10 = 2 AND {k} < {last} THEN {k} + 1 WHEN {k} % 10 = 2 THEN {k} - 1 ELSE {k} END",
            big = z.big_opening,
            last = z.openings
        )
    };

    let opening_age = |k: &str| {
        format!(
            "(CASE WHEN ({k}) = 1 THEN 20 * {DAY} WHEN ({k}) % 10 = 1 THEN 3600 + ({k}) * 7919 % (60 * {DAY}) ELSE ({o} - ({k}) + 1) * {step} + 60 * {DAY} END)",
            o = z.openings,
            step = 700 * DAY / z.openings.max(1) + 1
        )
    };
    // When the i-th application, reply or profile came: in the 40 days after its opening's
    // publication, never in the future.
    let came = |i: &str, k: &str| {
        d.ago(&d.at_least(
            &format!("{} - {}", opening_age(k), spread(i, 40 * DAY)),
            "60",
        ))
    };

    // Openings: one in ten open (the first always), one in ten a draft, the others closed.
    // Closed and draft openings were published 60 to 760 days ago, open ones in the last
    // 60 days, the first 20 days ago; applications come in the 40 days after publication.
    let status = "CASE WHEN s.i = 1 OR s.i % 10 = 1 THEN 'open' WHEN s.i % 10 = 2 THEN 'draft' ELSE 'closed' END";
    let created = d.ago(&opening_age("s.i"));
    let published = format!("CASE WHEN s.i % 10 = 2 AND s.i <> 1 THEN NULL ELSE {created} END");
    let closed = format!(
        "CASE WHEN s.i = 1 OR s.i % 10 IN (1, 2) THEN NULL ELSE {} END",
        d.ago(&d.at_least(&format!("{} - 45 * {DAY}", opening_age("s.i")), "0"))
    );
    chunked(conn, "openings", z.openings, progress, |lo, hi| {
        format!(
            "INSERT INTO openings (id, slug, title, company, department, city, country, remote_policy, employment_type, salary_min, salary_max, \
               salary_currency, salary_period, required_skills, nice_skills, language, description_md, status, valid_through, created_by, \
               created_at, updated_at, published_at, closed_at, response_target_minutes, shortlist_threshold, scorecard_criteria, \
               description_html, description_text) \
             SELECT {id}, t.slug || '-' || s.i, t.title || ' #' || s.i, t.company, t.department, t.city, t.country, t.remote_policy, \
               t.employment_type, t.salary_min, t.salary_max, t.salary_currency, t.salary_period, t.required_skills, t.nice_skills, \
               t.language, t.description_md, {status}, NULL, t.created_by, {created}, {created}, {published}, {closed}, \
               t.response_target_minutes, t.shortlist_threshold, t.scorecard_criteria, t.description_html, t.description_text \
             FROM {series} JOIN scale_templates st ON st.n = s.i % {templates} JOIN openings t ON t.id = st.id; \
             INSERT INTO opening_managers (opening_id, user_id) \
             SELECT {id}, m.user_id FROM {series} JOIN scale_templates st ON st.n = s.i % {templates} \
               JOIN opening_managers m ON m.opening_id = st.id;",
            id = oid("s.i"),
            series = d.series(lo, hi),
        )
    })?;

    // Candidates: a name from two lists, a unique email, a phone for two in three.
    let first = "CASE s.i % 12 WHEN 0 THEN 'Camille' WHEN 1 THEN 'Lucas' WHEN 2 THEN 'Léa' WHEN 3 THEN 'Hugo' WHEN 4 THEN 'Chloé' \
                 WHEN 5 THEN 'Nathan' WHEN 6 THEN 'Inès' WHEN 7 THEN 'Karim' WHEN 8 THEN 'Emma' WHEN 9 THEN 'Sofia' \
                 WHEN 10 THEN 'Thomas' ELSE 'Yasmine' END";
    let last = "CASE (s.i / 12) % 10 WHEN 0 THEN 'Martin' WHEN 1 THEN 'Bernard' WHEN 2 THEN 'Dubois' WHEN 3 THEN 'Moreau' \
                WHEN 4 THEN 'Laurent' WHEN 5 THEN 'Garcia' WHEN 6 THEN 'Nguyen' WHEN 7 THEN 'Haddad' WHEN 8 THEN 'Smith' ELSE 'Rossi' END";
    let cand_created = d.ago(&spread("s.i", 700 * DAY));
    chunked(conn, "candidates", z.candidates, progress, |lo, hi| {
        format!(
            "INSERT INTO candidates (id, email, name, phone, created_at, updated_at, headline, location, languages, years_experience, \
               merged_into, talent_pool_at, last_action_at, notice_sent_at) \
             SELECT {id}, 'person' || s.i || '@example.org', {first} || ' ' || {last}, \
               CASE WHEN s.i % 3 = 0 THEN NULL ELSE '+33 6 ' || (10000000 + s.i % 90000000) END, \
               {cand_created}, {cand_created}, CASE s.i % 4 WHEN 0 THEN 'Développeur Rust' WHEN 1 THEN 'Data engineer' \
               WHEN 2 THEN 'Chargée de recrutement' ELSE NULL END, CASE s.i % 3 WHEN 0 THEN 'Lyon' WHEN 1 THEN 'Paris' ELSE NULL END, \
               '[\"fr\"]', s.i % 15, NULL, CASE WHEN s.i % 5 = 0 THEN {cand_created} ELSE NULL END, {cand_created}, NULL \
             FROM {series}; \
             INSERT INTO candidate_identities (kind, value, candidate_id, created_at) \
             SELECT 'email', 'person' || s.i || '@example.org', {id}, {cand_created} FROM {series};",
            id = cid("s.i"),
            series = d.series(lo, hi),
        )
    })?;

    // Applications: the i-th goes from candidate ((i - 1) mod N) + 1, so everyone applied once
    // and half of them twice; each is filed (ingested) and in the opening's shortlist store.
    let app_cand = format!("((s.i - 1) % {} + 1)", z.candidates);
    let app_opening = opening_of("s.i", 0);
    let app_at = came("s.i", &app_opening);
    // Its acknowledgement went out 0 to 45 minutes later; a stage other than "new" was
    // reached by a recruiter's decision a day later.
    let app_secs = d.at_least(&format!("{} - {}", opening_age(&app_opening), spread("s.i", 40 * DAY)), "60");
    let ack_at = d.ago(&d.at_least(&format!("{app_secs} - (s.i * 13 % 2700)"), "0"));
    let decided_at = d.ago(&d.at_least(&format!("{app_secs} - {DAY}"), "0"));
    let stage = |salt: &str| {
        format!(
            "CASE ((s.i + {salt}) * 7) % 20 WHEN 0 THEN 'interview' WHEN 1 THEN 'offer' WHEN 2 THEN 'hired' WHEN 3 THEN 'rejected' \
             WHEN 4 THEN 'rejected' WHEN 5 THEN 'rejected' WHEN 6 THEN 'withdrawn' WHEN 7 THEN 'on_hold' WHEN 8 THEN 'shortlisted' \
             WHEN 9 THEN 'shortlisted' WHEN 10 THEN 'shortlisted' ELSE 'new' END"
        )
    };
    let explanation = r#"'{"total":0,"criteria":[],"matched":[],"missing":[]}'"#;
    // One in seven joined the talent pool (a comparison is a boolean on both backends).
    let pool_flag = "(s.i % 7 = 0)";
    chunked(conn, "applications", z.applications, progress, |lo, hi| {
        format!(
            "INSERT INTO applications (id, opening_id, candidate_id, submission_key, source, cv_url, cv_sha256, cv_filename, cv_content_type, \
               cv_size, message, consent_version, consent_language, consent_at, created_at, ingested_at, talent_pool, ingest_claimed_until) \
             SELECT {id}, {opening}, {cand}, 'scale-' || s.i, 'apply_form', NULL, NULL, NULL, NULL, NULL, \
               CASE WHEN s.i % 4 = 0 THEN 'Bonjour, je suis disponible dès le mois prochain.' ELSE NULL END, \
               '{notice}', 'fr', {at}, {at}, {at}, {pool_flag}, NULL \
             FROM {series}; \
             INSERT INTO shortlist_entries (opening_id, candidate_id, state, origin, score, explanation, created_at, updated_at) \
             SELECT {opening}, {cand}, {stage}, 'applied', {score}, {explanation}, {at}, {at} FROM {series} WHERE TRUE \
             ON CONFLICT DO NOTHING; \
             INSERT INTO candidate_messages (id, idempotency_key, candidate_id, opening_id, kind, channel, account_id, target, reply_to, state, \
               due_at, sent_at, remote_id, last_error, created_at, language) \
             SELECT {ack_id}, 'ack:scale-' || s.i, {cand}, {opening}, 'ack', 'email', NULL, 'person' || {cand_n} || '@example.test', NULL, 'sent', \
               {at}, {ack_at}, 'scale-' || s.i, NULL, {at}, 'fr' FROM {series}; \
             INSERT INTO shortlist_events (id, opening_id, candidate_id, from_state, to_state, actor_id, at, note, reason) \
             SELECT {event_id}, {opening}, {cand}, 'new', {stage}, (SELECT id FROM users ORDER BY created_at, id LIMIT 1), {decided_at}, NULL, NULL \
             FROM {series} WHERE {stage} <> 'new';",
            id = d.id("5ca1e002", "s.i"),
            ack_id = d.id("5ca1e005", "s.i"),
            event_id = d.id("5ca1e006", "s.i"),
            cand_n = app_cand,
            ack_at = ack_at,
            decided_at = decided_at,
            opening = oid(&app_opening),
            cand = cid(&app_cand),
            notice = crate::store::applications::PRIVACY_NOTICE_VERSION,
            at = app_at,
            stage = stage("0"),
            score = spread("s.i", 101),
            series = d.series(lo, hi),
        )
    })?;

    // Replies to the openings' posts on Mastodon, and profiles found by sourcing searches.
    for (what, kind, total, salt, origin, prefix) in [
        ("replies", "reply", z.replies, 17, "applied", "5ca1e003"),
        (
            "sourced profiles",
            "sourcing_search",
            z.sourced,
            31,
            "sourced",
            "5ca1e004",
        ),
    ] {
        let cand = format!("((s.i * {salt}) % {} + 1)", z.candidates);
        let k = opening_of(&format!("s.i + {}", z.big_opening), salt);
        let at = came(&format!("s.i + {salt}"), &k);
        chunked(conn, what, total, progress, |lo, hi| {
            format!(
                "INSERT INTO candidate_sources (id, candidate_id, opening_id, kind, network, remote_id, url, author, text, posted_at, harvested_at) \
                 SELECT {id}, {cand}, {opening}, '{kind}', 'mastodon', '{kind}-' || s.i, \
                   'https://mastodon.example/@person' || {cand_n} || '/' || s.i, '@person' || {cand_n} || '@mastodon.example', \
                   'Bonjour ! Intéressé·e par le poste, mon CV : https://cv.example/person' || {cand_n} || '.pdf #rust', {at}, {at} \
                 FROM {series}; \
                 INSERT INTO shortlist_entries (opening_id, candidate_id, state, origin, score, explanation, created_at, updated_at) \
                 SELECT {opening}, {cand}, {stage}, '{origin}', {score}, {explanation}, {at}, {at} FROM {series} WHERE TRUE \
                 ON CONFLICT DO NOTHING;",
                id = d.id(prefix, "s.i"),
                cand = cid(&cand),
                cand_n = cand,
                opening = oid(&k),
                stage = stage(&salt.to_string()),
                score = spread(&format!("s.i + {salt}"), 101),
                series = d.series(lo, hi),
            )
        })?;
    }
    exec(conn, "DROP TABLE scale_templates;")?;
    progress("analyzing the tables");
    conn.batch_execute(if d.pg {
        "ANALYZE;"
    } else {
        "ANALYZE; PRAGMA optimize;"
    })?;
    crate::store::openings::changed();
    let entries: i64 = diesel::sql_query("SELECT COUNT(*) AS n FROM shortlist_entries")
        .get_result::<Count>(conn)?
        .n;
    let first: i64 = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM shortlist_entries WHERE opening_id = {}", oid("1")))
        .get_result::<Count>(conn)?
        .n;
    Ok((entries, first))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
