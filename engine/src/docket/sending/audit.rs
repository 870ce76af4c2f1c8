//! The schedule index against the records it mirrors. Every group's next fire and every pending
//! comment digest has exactly one `schedule` entry, and every entry belongs to one of them. A
//! record without its entry is an orphan: the scheduler would never look at it again (a lost
//! digest, a group that stops being reminded). `docket check` reports both directions; a
//! starting server re-plans orphans and drops entries nothing plans, and says so in the log.

use chrono::{DateTime, Utc};

use crate::docket::Docket;
use crate::docket::sending::scheduler::{parse_schedule_key, schedule_key};
use crate::model::{KeyInstant, PendingDigest, WorkId, WorkItem};
use crate::store::{Batch, EntryVisit, Store, Tree, decode, for_each_entry};
use crate::{Error, Result};

/// Records read at a time.
const PAGE: usize = 512;
/// `meta` key: the version of the docket that last audited the schedule at a server's start.
const AUDITED_BY: &[u8] = b"schedule_audited_by";
/// This docket's version, as the audit notes it.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What disagrees between the schedule index and the records.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScheduleAudit {
    /// Groups whose next fire has no schedule entry: work, group, the fire's instant.
    pub fires: Vec<(WorkId, usize, KeyInstant)>,
    /// Pending comment digests with no schedule entry: work, due instant.
    pub digests: Vec<(WorkId, KeyInstant)>,
    /// Schedule entries nothing plans, with what is wrong with each.
    pub stale: Vec<(Vec<u8>, String)>,
}

impl ScheduleAudit {
    pub fn is_empty(&self) -> bool {
        self.fires.is_empty() && self.digests.is_empty() && self.stale.is_empty()
    }

    /// One line per problem, in `docket check`'s manner (`tree: what`).
    pub fn lines(&self) -> Vec<String> {
        let fires = self.fires.iter().map(|(work, g, at)| {
            format!(
                "schedule: group {g} of work {work} plans its next fire at {} but has no schedule entry (the scheduler would never act on it; `docket serve` re-plans it)",
                at.get().to_rfc3339()
            )
        });
        let digests = self.digests.iter().map(|(work, at)| {
            format!(
                "schedule: the comment digest of work {work} is due at {} but has no schedule entry (it would never be emailed; `docket serve` re-plans it)",
                at.get().to_rfc3339()
            )
        });
        let stale = self.stale.iter().map(|(key, why)| {
            format!(
                "schedule: `{}` {why} (`docket serve` removes it)",
                String::from_utf8_lossy(key)
            )
        });
        fires.chain(digests).chain(stale).collect()
    }
}

/// Compares the schedule index with the work items and pending digests of `store`, a page at a
/// time (memory stays flat: entries are checked by point lookups).
pub fn audit_schedule(store: &dyn Store) -> Result<ScheduleAudit> {
    let mut audit = ScheduleAudit::default();
    each_value(store, Tree::Work, &mut |_, value| {
        let Ok(work) = decode::<WorkItem>(value) else {
            // `docket check` reports a record that cannot be read on its own.
            return Ok(());
        };
        for (g, group) in work.groups.iter().enumerate() {
            if let Some(fire) = &group.next
                && store
                    .get(Tree::Schedule, &schedule_key(fire.at, work.id, Some(g)))?
                    .is_none()
            {
                audit.fires.push((work.id, g, fire.at));
            }
        }
        Ok(())
    })?;
    each_value(store, Tree::Digests, &mut |key, value| {
        let (Ok(digest), Some(work)) = (
            decode::<PendingDigest>(value),
            std::str::from_utf8(key)
                .ok()
                .and_then(|k| k.parse::<WorkId>().ok()),
        ) else {
            return Ok(());
        };
        if store
            .get(Tree::Schedule, &schedule_key(digest.due_at, work, None))?
            .is_none()
        {
            audit.digests.push((work, digest.due_at));
        }
        Ok(())
    })?;
    each_value(store, Tree::Schedule, &mut |key, _| {
        if let Some(why) = stale_entry(store, key)? {
            audit.stale.push((key.to_vec(), why));
        }
        Ok(())
    })?;
    Ok(audit)
}

/// Why the schedule entry `key` is one nothing plans, or `None` when a record plans it.
fn stale_entry(store: &dyn Store, key: &[u8]) -> Result<Option<String>> {
    let Ok((at, work, group)) = parse_schedule_key(key) else {
        return Ok(Some("cannot be read".into()));
    };
    match group {
        Some(g) => {
            let Some(value) = store.get(Tree::Work, &work.key())? else {
                return Ok(Some("points at no work item".into()));
            };
            let Ok(item) = decode::<WorkItem>(&value) else {
                return Ok(None);
            };
            Ok(match item.groups.get(g).map(|grp| grp.next.as_ref()) {
                None => Some(format!(
                    "points at group {g}, which the work item does not have"
                )),
                Some(None) => Some(format!("is for group {g}, which plans nothing")),
                Some(Some(fire)) if fire.at != at => Some(format!(
                    "is for group {g}, which plans its next fire at {} instead",
                    fire.at.get().to_rfc3339()
                )),
                Some(Some(_)) => None,
            })
        }
        None => {
            let Some(value) = store.get(Tree::Digests, &work.key())? else {
                return Ok(Some("is a comment digest no longer pending".into()));
            };
            Ok(match decode::<PendingDigest>(&value) {
                Ok(digest) if digest.due_at != at => Some(format!(
                    "is a comment digest now due at {} instead",
                    digest.due_at.get().to_rfc3339()
                )),
                _ => None,
            })
        }
    }
}

fn each_value(store: &dyn Store, tree: Tree, each: EntryVisit) -> Result<()> {
    for_each_entry(store, tree, PAGE, each)
}

/// What [`Docket::repair_schedule`] mended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScheduleRepair {
    /// Groups re-planned, with their new entry.
    pub fires: usize,
    /// Pending digests given their entry back (one already due goes at the next tick).
    pub digests: usize,
    /// Entries nothing planned, removed.
    pub stale: usize,
}

impl ScheduleRepair {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Docket {
    /// Finds orphans of the schedule index and mends them: a group whose next fire has no
    /// entry is re-planned from now (its plugins are asked again), a pending digest gets its
    /// entry back, and an entry nothing plans is removed. Each change is guarded against the
    /// record changing meanwhile (a running scheduler wins; it leaves no orphan). Each orphan
    /// is logged once.
    pub fn repair_schedule(&self) -> Result<ScheduleRepair> {
        let audit = audit_schedule(self.store.as_ref())?;
        let mut repaired = ScheduleRepair::default();
        if audit.is_empty() {
            return Ok(repaired);
        }
        let now = self.now();
        for line in audit.lines() {
            tracing::warn!("{line}");
        }
        let mut works: Vec<WorkId> = audit.fires.iter().map(|(w, _, _)| *w).collect();
        works.dedup();
        for work in works {
            match self.replan_orphan(work, now) {
                Ok(true) => repaired.fires += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(work = %work, error = %e, "cannot re-plan this work item's schedule")
                }
            }
        }
        for (work, at) in &audit.digests {
            let mut batch = Batch::default();
            let Some(raw) = self.store.get(Tree::Digests, &work.key())? else {
                continue;
            };
            batch.expect(Tree::Digests, work.key(), Some(raw));
            batch.put(Tree::Schedule, schedule_key(*at, *work, None), Vec::new());
            if self.commit_guarded(batch)? {
                repaired.digests += 1;
            }
        }
        for (key, _) in &audit.stale {
            // Removed only while it is still stale (the record it names may have moved onto it).
            let mut batch = Batch::default();
            if let Ok((_, work, group)) = parse_schedule_key(key) {
                let (tree, record) = match group {
                    Some(_) => (Tree::Work, work.key()),
                    None => (Tree::Digests, work.key()),
                };
                batch.expect(tree, record.clone(), self.store.get(tree, &record)?);
                if stale_entry(self.store.as_ref(), key)?.is_none() {
                    continue;
                }
            }
            batch.remove(Tree::Schedule, key.clone());
            if self.commit_guarded(batch)? {
                repaired.stale += 1;
            }
        }
        tracing::info!(
            fires = repaired.fires,
            digests = repaired.digests,
            stale = repaired.stale,
            "repaired the schedule: orphaned group fires re-planned, comment digests rescheduled, stale entries removed"
        );
        Ok(repaired)
    }

    /// `repair_schedule` at a server's start, once per version of docket: orphans come from an
    /// older binary's bug (a batch is atomic, so a crash leaves none), and the audit reads every
    /// work item, which would keep a large firm's records in memory from every start on.
    /// `None` when this version has audited the folder already; `docket check` audits it always.
    pub fn repair_schedule_at_start(&self) -> Result<Option<ScheduleRepair>> {
        if self.store.get(Tree::Meta, AUDITED_BY)?.as_deref() == Some(VERSION.as_bytes()) {
            return Ok(None);
        }
        let repaired = self.repair_schedule()?;
        if repaired.is_empty() {
            tracing::info!(
                "checked the schedule against every work item, as the first start of docket {VERSION} on this firm does: nothing to repair"
            );
        }
        let mut batch = Batch::default();
        batch.put(Tree::Meta, AUDITED_BY, VERSION.as_bytes());
        self.store.commit(batch)?;
        Ok(Some(repaired))
    }

    /// Re-plans every group of `work` from `now` and writes its schedule entries whole; false
    /// when the work item changed meanwhile (its writer planned it).
    fn replan_orphan(&self, id: WorkId, now: DateTime<Utc>) -> Result<bool> {
        let Some(before) = self.store.get(Tree::Work, &id.key())? else {
            return Ok(false);
        };
        let old: WorkItem = decode(&before)?;
        let mut works = vec![old.clone()];
        self.replan(&mut works, now)?;
        let work = works.pop().expect("one work item");
        let mut batch = Batch::default();
        batch.expect(Tree::Work, id.key(), Some(before));
        // Entries of the old plan that exist are removed and the new plan's written, whether or
        // not the instants moved: the orphan's entry is the one missing.
        for (g, group) in old.groups.iter().enumerate() {
            if let Some(fire) = &group.next {
                batch.remove(Tree::Schedule, schedule_key(fire.at, id, Some(g)));
            }
        }
        let mut unplanned = old;
        for group in &mut unplanned.groups {
            group.next = None;
        }
        self.write_work(&mut batch, Some(&unplanned), &work)?;
        self.commit_guarded(batch)
    }

    /// Commits `batch`; false when a guard found the record changed.
    fn commit_guarded(&self, batch: Batch) -> Result<bool> {
        match self.store.commit(batch) {
            Ok(()) => Ok(true),
            Err(Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
