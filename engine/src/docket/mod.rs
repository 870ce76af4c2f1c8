//! `Docket`: the engine's front door. Every operation the web side or the CLI performs is a method
//! here; each reads what it needs, checks the rules, and commits its changes (records, indexes and
//! timeline events) in one atomic batch.

mod exchange;
mod people;
mod templates;
mod timeline;
mod work;

use std::sync::Arc;

use crate::config::FirmConfig;
use crate::model::FirmSettings;
use crate::plugin::PluginHost;
use crate::store::{Batch, Store, Tree, decode, encode};
use crate::{Clock, Error, Result};

pub use exchange::{MAX_COMMENT_CHARS, MAX_UPLOAD_BYTES, NewUpload};
pub use people::{MIN_PASSWORD_LEN, NewUser};
pub use work::WorkFilter;

const FIRM_SETTINGS_KEY: &[u8] = b"firm_settings";

/// How many times a read-modify-write is retried when another writer got there first.
const RETRIES: usize = 5;

/// A handle on one firm's data. Cheap to clone; share it between tasks.
#[derive(Clone)]
pub struct Docket {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// The plugins templates may name; without a host, plugin names go unchecked (unit tests).
    plugins: Option<Arc<PluginHost>>,
}

impl Docket {
    /// Opens the engine over `store`. On an empty store, the firm's settings are seeded from
    /// `firm` and `base_url`.
    pub fn open(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        firm: &FirmConfig,
        base_url: &str,
    ) -> Result<Self> {
        let docket = Self {
            store,
            clock,
            plugins: None,
        };
        if docket.store.get(Tree::Meta, FIRM_SETTINGS_KEY)?.is_none() {
            let settings = FirmSettings {
                name: firm.name.clone(),
                logo_url: firm.logo_url.clone(),
                timezone: firm.tz(),
                send_time: firm.send_time(),
                base_url: base_url.to_string(),
                holidays: firm.holidays(),
            };
            let mut batch = Batch::default();
            batch.create(
                Tree::Meta,
                FIRM_SETTINGS_KEY,
                encode(&settings),
                "firm settings already exist",
            );
            match docket.store.commit(batch) {
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(docket)
    }

    /// Gives the engine its plugin host, so templates are checked against the plugins that exist.
    pub fn with_plugins(mut self, plugins: Arc<PluginHost>) -> Self {
        self.plugins = Some(plugins);
        self
    }

    pub fn plugins(&self) -> Option<&Arc<PluginHost>> {
        self.plugins.as_ref()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn firm_settings(&self) -> Result<FirmSettings> {
        let bytes = self
            .store
            .get(Tree::Meta, FIRM_SETTINGS_KEY)?
            .ok_or_else(|| {
                Error::Storage("firm settings are missing from the data folder".into())
            })?;
        decode(&bytes)
    }

    pub fn update_firm_settings(&self, settings: &FirmSettings) -> Result<()> {
        if settings.name.trim().is_empty() {
            return Err(Error::invalid("the firm needs a name"));
        }
        let mut batch = Batch::default();
        batch.put(Tree::Meta, FIRM_SETTINGS_KEY, encode(settings));
        self.store.commit(batch)
    }

    /// Writes a consistent backup of the whole store to `out` while the firm keeps working;
    /// writes wait until the copy is done.
    pub fn backup(&self, out: &mut dyn std::io::Write) -> Result<u64> {
        crate::backup::export(self.store.as_ref(), self.now(), out, &mut |_, _| {})
    }

    /// True when no template, contact or work item exists yet (a fresh data folder).
    pub fn is_empty(&self) -> Result<bool> {
        for tree in [Tree::Templates, Tree::Contacts, Tree::Work, Tree::Users] {
            if self.store.len(tree)? > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Runs `attempt` again while it fails on a concurrent change.
    fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let mut tries = 0;
        loop {
            match attempt() {
                Err(Error::Conflict(m))
                    if m == crate::store::CHANGED_CONCURRENTLY && tries < RETRIES =>
                {
                    tries += 1
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use chrono::DateTime;

    use super::Docket;
    use crate::ManualClock;
    use crate::config::FirmConfig;
    use crate::store::MemoryStore;

    pub fn docket_at(now: &str) -> (Docket, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(
            DateTime::parse_from_rfc3339(now).unwrap().to_utc(),
        ));
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &FirmConfig::default(),
            "http://localhost:8080",
        )
        .unwrap();
        (docket, clock)
    }
}
