//! The one clock. Tests can shift it to check expiry without sleeping.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> NaiveDateTime {
        crate::store::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_secs.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
