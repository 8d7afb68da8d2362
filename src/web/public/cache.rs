//! The careers site's small cache: the openings a job page, the list and the feeds read, kept
//! in memory so that a visitor's request needs no database round trip (nor a thread of the
//! blocking pool). An entry is dropped when this process changes an opening (the store's
//! [`generation`](crate::store::openings::generation) moved since it was read) and after
//! [`TTL`] in any case, which bounds how long another process's change takes to show.
//! Only what every visitor sees is kept: live-or-not is decided per request from the clock.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::opening::Opening;
use crate::store::openings::{self, OpeningFilter};
use crate::store::{self, Pool};

/// How long an entry may serve a change made by another process.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries per kind; past it, the stale ones go, then all (a crawler walking every query).
const MAX_ENTRIES: usize = 512;

struct Entry<T> {
    at: Instant,
    generation: u64,
    value: Arc<T>,
}

type Map<T> = Mutex<HashMap<String, Entry<T>>>;

#[derive(Default)]
pub struct CareersCache {
    by_slug: Map<Option<Opening>>,
    lists: Map<(Vec<Opening>, i64)>,
    /// Whole bodies that are the same for every visitor (feeds, sitemap), per language and day.
    bodies: Map<actix_web::web::Bytes>,
    /// Strings derived from one version of an opening (its job page), keyed by that version.
    derived: Map<String>,
}

fn get<T>(map: &Map<T>, key: &str) -> Option<Arc<T>> {
    let g = openings::generation();
    let m = map.lock().unwrap_or_else(|p| p.into_inner());
    m.get(key).filter(|e| e.generation == g && e.at.elapsed() < TTL).map(|e| e.value.clone())
}

fn put<T>(map: &Map<T>, key: String, generation: u64, at: Instant, value: Arc<T>) {
    let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
    if m.len() >= MAX_ENTRIES && !m.contains_key(&key) {
        let now = openings::generation();
        m.retain(|_, e| e.generation == now && e.at.elapsed() < TTL);
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
    }
    m.insert(key, Entry { at, generation, value });
}

impl CareersCache {
    /// A body kept under `key`, or made by `make` (which reads the database) and kept.
    pub async fn body<F>(&self, key: String, make: F) -> anyhow::Result<actix_web::web::Bytes>
    where
        F: std::future::Future<Output = anyhow::Result<String>>,
    {
        if let Some(hit) = get(&self.bodies, &key) {
            return Ok((*hit).clone());
        }
        let (generation, at) = (openings::generation(), Instant::now());
        let body = actix_web::web::Bytes::from(make.await?);
        put(&self.bodies, key, generation, at, Arc::new(body.clone()));
        Ok(body)
    }

    /// A string derived from one version of an opening (`key` names the version), made once
    /// (a failure is not kept).
    pub fn derived(&self, key: String, make: impl FnOnce() -> anyhow::Result<String>) -> anyhow::Result<Arc<String>> {
        if let Some(hit) = get(&self.derived, &key) {
            return Ok(hit);
        }
        let (generation, at) = (openings::generation(), Instant::now());
        let value = Arc::new(make()?);
        put(&self.derived, key, generation, at, value.clone());
        Ok(value)
    }

    /// The opening with this slug (any status), as stored.
    pub async fn by_slug(&self, pool: &Pool, slug: &str) -> anyhow::Result<Arc<Option<Opening>>> {
        if let Some(hit) = get(&self.by_slug, slug) {
            return Ok(hit);
        }
        // The generation is read before the database: a change committed meanwhile makes
        // this entry stale at once.
        let (generation, at) = (openings::generation(), Instant::now());
        let s = slug.to_string();
        let found = Arc::new(store::run(pool, move |c| openings::find_by_slug(c, &s)).await?);
        put(&self.by_slug, slug.to_string(), generation, at, found.clone());
        Ok(found)
    }

    /// A page of openings and the total, as [`openings::list`] gives them.
    pub async fn list(&self, pool: &Pool, filter: OpeningFilter) -> anyhow::Result<Arc<(Vec<Opening>, i64)>> {
        let key = format!("{filter:?}");
        if let Some(hit) = get(&self.lists, &key) {
            return Ok(hit);
        }
        let (generation, at) = (openings::generation(), Instant::now());
        let found = Arc::new(store::run(pool, move |c| openings::list(c, &filter)).await?);
        put(&self.lists, key, generation, at, found.clone());
        Ok(found)
    }
}
