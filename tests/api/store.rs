//! Storage behaviour that must hold on both backends.
use crate::helpers::*;
use hirecast::domain::candidate::ApplicantDetails;
use hirecast::domain::opening::{OpeningDraft, OpeningInput, OpeningStatus};
use hirecast::i18n::Lang;
use hirecast::store::applications::{self, Filed, NewApplication};

fn opening(app: &TestApp) -> String {
    let input = OpeningInput {
        title: "Rust developer".into(),
        company: "Acme".into(),
        country: "FR".into(),
        remote_policy: "remote".into(),
        employment_type: "permanent".into(),
        language: "en".into(),
        ..Default::default()
    };
    let today = app.state.clock.today();
    let draft = OpeningDraft::parse(&input, today).unwrap();
    app.db(|c| {
        let o = hirecast::store::openings::create(c, &draft, None).unwrap();
        hirecast::store::openings::set_status(c, &o.id, OpeningStatus::Open, today).unwrap();
        o.id
    })
}

/// Concurrent read-then-write transactions: on SQLite a deferred BEGIN makes one of them
/// fail with "database is locked"; every writer must succeed instead.
async fn concurrent_writers_all_succeed(backend: Backend) {
    let app = spawn_app(backend).await;
    let pool = hirecast::store::connect(&app.state.settings.database_url, 8).unwrap();
    // Several rounds, each with a new shared email: the race on a first application is
    // narrow, and one round alone does not always hit it.
    for round in 0..6 {
        let opening_id = opening(&app);
        let mut threads = Vec::new();
        // All writers hold a connection and start together, so the first applications of the
        // shared email really race (on PostgreSQL the loser hits the unique email).
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        for i in 0..8 {
            let pool = pool.clone();
            let opening_id = opening_id.clone();
            let start = start.clone();
            threads.push(std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                start.wait();
                // Half of them are the same person: the candidate row is read, then written.
                let email = if i % 2 == 0 { format!("same{round}@example.org") } else { format!("p{round}-{i}@example.org") };
                let details = ApplicantDetails::parse("Sam", &email, "", "https://example.org/cv", "").unwrap();
                applications::file(
                    &mut conn,
                    NewApplication {
                        opening_id: &opening_id,
                        details: &details,
                        cv: None,
                        submission_key: &format!("key-{round}-{i}"),
                        consent_language: Lang::En,
                        source: "apply_form",
                        at: hirecast::store::now(),
                        talent_pool: false,
                    },
                )
            }));
        }
        for t in threads {
            let filed = t.join().unwrap().expect("every concurrent application is filed");
            assert!(matches!(filed, Filed::New { .. }));
        }
        let apps = app.db(|c| applications::list_for_opening(c, &opening_id).unwrap());
        assert_eq!(apps.len(), 8);
        let mut candidates: Vec<_> = apps.iter().map(|a| a.candidate.id.clone()).collect();
        candidates.sort();
        candidates.dedup();
        assert_eq!(candidates.len(), 5, "four distinct people plus one who applied four times");
    }
}

/// Two write transactions that both read before they write, forced to overlap: each waits
/// (up to a second) for the other to have read. With a deferred BEGIN on SQLite the second
/// writer fails ("database is locked"); `write_transaction` must let both commit.
async fn overlapping_read_then_write_transactions_both_commit(backend: Backend) {
    use diesel::prelude::*;
    use hirecast::store::schema::candidates;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let app = spawn_app(backend).await;
    let have_read = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..2)
        .map(|i| {
            let pool = app.state.pool.clone();
            let have_read = have_read.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                hirecast::store::write_transaction::<_, diesel::result::Error, _>(&mut conn, |c| {
                    let n: i64 = candidates::table.count().get_result(c)?;
                    have_read.fetch_add(1, Ordering::SeqCst);
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
                    while have_read.load(Ordering::SeqCst) < 2 && std::time::Instant::now() < deadline {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                    let now = hirecast::store::now();
                    diesel::insert_into(candidates::table)
                        .values((
                            candidates::id.eq(format!("c{i}")),
                            candidates::email.eq(format!("c{i}-{n}@example.org")),
                            candidates::name.eq("x"),
                            candidates::created_at.eq(now),
                            candidates::updated_at.eq(now),
                        ))
                        .execute(c)?;
                    Ok(())
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap().expect("both overlapping transactions commit");
    }
    let n: i64 = app.db(|c| candidates::table.count().get_result(c).unwrap());
    assert_eq!(n, 2);
}

crate::on_both_backends!(concurrent_writers_all_succeed, overlapping_read_then_write_transactions_both_commit);
