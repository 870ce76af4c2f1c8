//! Checklist pages as last rendered, served again while nothing in the store has changed. A
//! client who reloads their checklist, or comes back to it, gets it without the reads and the
//! rendering it took. A page is dropped at the first write anywhere in the store (its
//! generation moves on), when the device's access ends, and on a new day in the client's zone
//! (overdue marks). Only device sessions are kept, keyed by the device secret's hash.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use docket_engine::model::WorkId;

/// Pages kept at most; past it the cache starts again empty.
const MAX_PAGES: usize = 4096;

/// One device's view of one group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub work: WorkId,
    pub group: usize,
    /// SHA-256 of the device secret.
    pub device: String,
}

/// A rendered page and what it is valid for.
pub(crate) struct Cached {
    /// The store's generation before the page's reads began.
    pub generation: u64,
    /// The device's access ends here.
    pub until: DateTime<Utc>,
    /// The client's zone and the day in it the page was rendered on.
    pub tz: Tz,
    pub day: NaiveDate,
    pub html: Bytes,
    /// The page's language, for its `Content-Language`.
    pub locale: &'static str,
}

#[derive(Default)]
pub(crate) struct PageCache {
    pages: Mutex<HashMap<Key, Cached>>,
}

impl PageCache {
    /// The page for `key` and its language, if it is still what rendering it now would give.
    pub fn get(
        &self,
        key: &Key,
        generation: u64,
        now: DateTime<Utc>,
    ) -> Option<(Bytes, &'static str)> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let page = pages.get(key)?;
        (page.generation == generation
            && now < page.until
            && now.with_timezone(&page.tz).date_naive() == page.day)
            .then(|| (page.html.clone(), page.locale))
    }

    pub fn put(&self, key: Key, page: Cached) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page);
    }
}
