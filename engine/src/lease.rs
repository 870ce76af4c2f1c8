//! Leases: of several servers sharing one store, the one holding a loop's lease runs it (the
//! scheduler's tick, the hook worker, the webhook poster). A lease is a `Meta` entry
//! `lease/NAME` saying who holds it until when (real time); its holder renews it every round,
//! and a server that dies is replaced once its lease runs out. Taking and renewing are batches
//! guarded on the entry as it was read, so two servers never both take it. A store only one
//! server uses (`Store::shared` false) needs none: every lease is held at once, without a write.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Result;
use crate::store::{Batch, Store, Tree};

/// How long a lease lasts unless renewed: a server that stops is replaced within this.
pub const LEASE_TTL: Duration = Duration::from_secs(30);

/// One loop's lease, as one server sees it.
#[derive(Debug)]
pub struct Lease {
    /// The loop's name, for the log.
    name: String,
    key: Vec<u8>,
    /// This server's name in the lease (unique per process).
    holder: String,
    ttl: Duration,
    /// Until when this server last took or renewed it: renewed only once a third of it is
    /// used, so holding it costs a write every `ttl / 3`, not every round.
    held_until: std::sync::Mutex<Option<SystemTime>>,
    /// Whether the last look found this server holding it: a change is logged once, so an
    /// operator sees which server runs the loop and when another took over.
    holding: std::sync::atomic::AtomicBool,
}

impl Lease {
    /// The lease of loop `name` for this process.
    pub fn new(name: &str, ttl: Duration) -> Self {
        Self {
            name: name.to_string(),
            key: format!("lease/{name}").into_bytes(),
            holder: format!(
                "{}/{}",
                std::process::id(),
                ulid::Ulid::new().to_string().to_lowercase()
            ),
            ttl,
            held_until: std::sync::Mutex::new(None),
            holding: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Takes the lease, or renews it when this server holds it; `false` while another server
    /// holds it unexpired. On a shared store, taking it and losing it are logged once each.
    pub fn hold(&self, store: &dyn Store) -> Result<bool> {
        if !store.shared() {
            return Ok(true);
        }
        let held = self.take_or_renew(store)?;
        let before = self
            .holding
            .swap(held, std::sync::atomic::Ordering::Relaxed);
        match (before, held) {
            (false, true) => {
                tracing::info!(lease = %self.name, "this server now runs the {} for every server on the database", self.name)
            }
            (true, false) => {
                tracing::info!(lease = %self.name, "another server runs the {} now", self.name)
            }
            _ => {}
        }
        Ok(held)
    }

    fn take_or_renew(&self, store: &dyn Store) -> Result<bool> {
        let now = SystemTime::now();
        let mut held = self.held_until.lock().unwrap_or_else(|e| e.into_inner());
        if held.is_some_and(|until| until > now + self.ttl * 2 / 3) {
            return Ok(true);
        }
        *held = None;
        let current = store.get(Tree::Meta, &self.key)?;
        if let Some((holder, until)) = current.as_deref().and_then(parse)
            && holder != self.holder
            && until > now
        {
            return Ok(false);
        }
        let until = now + self.ttl;
        let mut batch = Batch::default();
        batch.expect(Tree::Meta, self.key.clone(), current);
        batch.put(Tree::Meta, self.key.clone(), self.value(until));
        match store.commit(batch) {
            Ok(()) => {
                *held = Some(until);
                Ok(true)
            }
            Err(crate::Error::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Gives the lease up (a server stopping), so another takes it at once.
    pub fn release(&self, store: &dyn Store) -> Result<()> {
        if !store.shared() {
            return Ok(());
        }
        *self.held_until.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let current = store.get(Tree::Meta, &self.key)?;
        if current.as_deref().and_then(parse).map(|(h, _)| h) != Some(self.holder.as_str()) {
            return Ok(());
        }
        let mut batch = Batch::default();
        batch.expect(Tree::Meta, self.key.clone(), current);
        batch.remove(Tree::Meta, self.key.clone());
        match store.commit(batch) {
            Err(crate::Error::Conflict(_)) => Ok(()),
            other => other,
        }
    }

    fn value(&self, until: SystemTime) -> Vec<u8> {
        let ms = until
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        format!("{} {ms}", self.holder).into_bytes()
    }
}

/// Holder and expiry of a stored lease.
fn parse(value: &[u8]) -> Option<(&str, SystemTime)> {
    let text = std::str::from_utf8(value).ok()?;
    let (holder, ms) = text.rsplit_once(' ')?;
    Some((holder, UNIX_EPOCH + Duration::from_millis(ms.parse().ok()?)))
}

#[cfg(test)]
#[path = "lease_tests.rs"]
mod tests;
