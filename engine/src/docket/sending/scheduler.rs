//! The scheduler: every group's next automatic send or reminder is kept on the group and in the
//! `Schedule` index keyed by instant, written in the batch of the change that moves it. A tick
//! reads only what is due, acts on it, asks the plugins (batched per policy) for each group's
//! next fire, and commits one batch per work item with a single flush at the end; the due work
//! items are prepared on two threads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::docket::Docket;
use crate::docket::sending::outbox::{instant_key, parse_instant_key};
use crate::model::{Actor, EventKind, FireAction, KeyInstant, WorkId, WorkItem};
use crate::store::{Batch, Tree, decode, encode};
use crate::{Error, Result};

/// Most due entries one tick takes; the rest wait for the next tick.
pub const TICK_LIMIT: usize = 20_000;
/// Schedule entries read at a time.
const SCAN_PAGE: usize = 64;
/// Threads that prepare a tick's due work items.
const PREPARE_THREADS: usize = 2;

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub sends: usize,
    pub reminders: usize,
    pub digests: usize,
    /// Work items made by repeats.
    pub repeats: usize,
    /// Work items whose change lost to a concurrent writer; they are retried next tick.
    pub conflicts: usize,
}

/// A due schedule entry of a work item: when, and which group (`None`: the comment digest).
type DueEntry = (KeyInstant, Option<usize>);

impl Docket {
    /// Adds `new` to `batch` with the index entries that changed since `old` (status, each
    /// group's place in the schedule, the work list's and search's entries); it reads the
    /// template and contacts when the work's searchable fields change.
    pub(crate) fn write_work(
        &self,
        batch: &mut Batch,
        old: Option<&WorkItem>,
        new: &WorkItem,
    ) -> Result<()> {
        batch.put(Tree::Work, new.id.key(), encode(new));
        crate::docket::work::list::write_work_list_keys(batch, old, new);
        crate::docket::work::repeat_rule::write_repeat_keys(batch, old, new);
        self.write_work_search(batch, old, new)?;
        self.record_stuck_changes(batch, old, new);
        if old.is_none() {
            for contact in new.recipients() {
                batch.put(
                    Tree::WorkByContact,
                    crate::docket::work::contact_key(contact, Some(new.id)),
                    Vec::new(),
                );
            }
        }
        if old.map(|o| o.status) != Some(new.status) {
            if let Some(old) = old {
                batch.remove(
                    Tree::WorkByStatus,
                    crate::docket::work::status_key(old.status, old.id),
                );
            }
            batch.put(
                Tree::WorkByStatus,
                crate::docket::work::status_key(new.status, new.id),
                Vec::new(),
            );
        }
        let groups = new.groups.len().max(old.map_or(0, |o| o.groups.len()));
        for g in 0..groups {
            let before = old
                .and_then(|o| o.groups.get(g))
                .and_then(|g| g.next.as_ref());
            let after = new.groups.get(g).and_then(|g| g.next.as_ref());
            if before.map(|f| f.at) == after.map(|f| f.at) {
                continue;
            }
            if let Some(fire) = before {
                batch.remove(Tree::Schedule, schedule_key(fire.at, new.id, Some(g)));
            }
            if let Some(fire) = after {
                batch.put(
                    Tree::Schedule,
                    schedule_key(fire.at, new.id, Some(g)),
                    Vec::new(),
                );
            }
        }
        Ok(())
    }

    /// One pass of the scheduler at the clock's now: the work repeats make (first, so its
    /// sends due now go in this tick), automatic sends, reminders and comment digests that
    /// are due. After downtime each group fires once (its one due entry), then
    /// its policy answers from now on, so missed days collapse into one reminder.
    ///
    /// The due work items are prepared on two threads (the plugins' calls and the records'
    /// encoding are CPU work), then committed together.
    pub fn tick(&self) -> Result<TickReport> {
        let now = self.now();
        let mut report = TickReport {
            repeats: self.make_due_repeats(now)?,
            ..TickReport::default()
        };
        let due: Vec<(WorkId, Vec<DueEntry>)> = self.due_entries(now)?.into_iter().collect();
        let mut digests = Vec::new();
        if !due.is_empty() {
            // The due work items are prepared (read, acted on, re-planned, encoded) on two
            // threads, half each; then every batch is committed at once. Committing while
            // preparing was tried and is slower: sled's reads and writes contend.
            let halves: Vec<&[(WorkId, Vec<DueEntry>)]> = due
                .chunks(due.len().div_ceil(PREPARE_THREADS).max(1))
                .collect();
            let prepared = std::thread::scope(|scope| {
                let workers: Vec<_> = halves
                    .into_iter()
                    .map(|half| {
                        scope.spawn(move || {
                            let mut report = TickReport::default();
                            let mut digests = Vec::new();
                            let batches = self.act_on_due(half, now, &mut report, &mut digests);
                            batches.map(|b| (b, report, digests))
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| {
                        w.join()
                            .map_err(|_| Error::Storage("a scheduler thread panicked".into()))?
                    })
                    .collect::<Result<Vec<_>>>()
            })?;
            let mut batches = Vec::new();
            for (b, part, d) in prepared {
                batches.extend(b);
                report.sends += part.sends;
                report.reminders += part.reminders;
                digests.extend(d);
            }
            let results = self.store.commit_each(batches);
            for result in results {
                match result {
                    Ok(()) => {}
                    // Another writer changed the work (or the same email was already queued):
                    // its entries stay due and the next tick looks again.
                    Err(Error::Conflict(m)) => {
                        tracing::debug!(reason = %m, "scheduled change deferred to the next tick");
                        report.conflicts += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        for (work, at) in digests {
            match self.fire_digest(work, at, now) {
                Ok(true) => report.digests += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(work = %work, error = %e, "cannot send a comment digest")
                }
            }
        }
        Ok(report)
    }

    /// The schedule entries due at `now`, by work item, read in small pages up to the first
    /// entry not due (a tick with nothing due costs one short read, however many groups are
    /// scheduled).
    fn due_entries(&self, now: DateTime<Utc>) -> Result<BTreeMap<WorkId, Vec<DueEntry>>> {
        let mut due: BTreeMap<WorkId, Vec<DueEntry>> = BTreeMap::new();
        let mut after: Option<Vec<u8>> = None;
        let mut taken = 0;
        'pages: while taken < TICK_LIMIT {
            let page = self.store.scan(
                Tree::Schedule,
                b"",
                after.as_deref(),
                SCAN_PAGE.min(TICK_LIMIT - taken),
                false,
            )?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            let full = page.len() == SCAN_PAGE;
            for (key, _) in page {
                let (at, work, group) = parse_schedule_key(&key)?;
                if at.get() > now {
                    break 'pages;
                }
                due.entry(work).or_default().push((at, group));
                taken += 1;
            }
            if !full {
                break;
            }
        }
        Ok(due)
    }

    /// Acts on the due entries of `chunk` in memory — sends, reminders, then the plugins'
    /// next fires for the whole chunk — and returns one batch per work item, plus one removing
    /// the chunk's stale entries (of vanished work items, or no longer what a group plans).
    /// Work items with a digest due are added to `digests`.
    fn act_on_due(
        &self,
        chunk: &[(WorkId, Vec<DueEntry>)],
        now: DateTime<Utc>,
        report: &mut TickReport,
        digests: &mut Vec<(WorkId, KeyInstant)>,
    ) -> Result<Vec<Batch>> {
        let mut stale = Batch::default();
        let mut loaded = Vec::new();
        for (id, fires) in chunk {
            let id = *id;
            digests.extend(
                fires
                    .iter()
                    .filter(|(_, g)| g.is_none())
                    .map(|(at, _)| (id, *at)),
            );
            let groups: Vec<(KeyInstant, usize)> = fires
                .iter()
                .filter_map(|(at, g)| g.map(|g| (*at, g)))
                .collect();
            if groups.is_empty() {
                continue;
            }
            let Some(before) = self.store.get(Tree::Work, &id.key())? else {
                for (at, g) in groups {
                    stale.remove(Tree::Schedule, schedule_key(at, id, Some(g)));
                }
                continue;
            };
            match decode::<WorkItem>(&before) {
                Ok(work) => loaded.push((before, work, groups)),
                Err(e) => tracing::error!(work = %id, error = %e, "cannot read a due work item"),
            }
        }
        // Act on each due group, in memory; the extra writes wait in one batch per work item.
        let mut olds = Vec::with_capacity(loaded.len());
        let mut works = Vec::with_capacity(loaded.len());
        let mut extras = Vec::with_capacity(loaded.len());
        for (before, mut work, groups) in loaded {
            let old = work.clone();
            let mut batch = Batch::default();
            let mut events = Vec::new();
            let (mut sends, mut reminders) = (0, 0);
            let acted = (|| -> Result<()> {
                for (at, g) in groups {
                    let Some(fire) = work.groups.get(g).and_then(|grp| grp.next.clone()) else {
                        stale.remove(Tree::Schedule, schedule_key(at, work.id, Some(g)));
                        continue;
                    };
                    if fire.at != at {
                        stale.remove(Tree::Schedule, schedule_key(at, work.id, Some(g)));
                        continue;
                    }
                    match fire.action {
                        FireAction::Send => {
                            let sender = work.groups[g].sender.or(work.assignee);
                            let summary = self.dispatch(&mut work, g, sender, &mut batch)?;
                            events.push((EventKind::GroupSent, summary));
                            sends += 1;
                        }
                        FireAction::Reminder { tasks } => {
                            // Planned before a pause that now holds it: planned again below.
                            if self.reminder_paused(&work, g, now) {
                                continue;
                            }
                            // The reminder's timeline line is written when it is delivered.
                            if self.remind(&mut work, g, &tasks, &mut batch)? {
                                reminders += 1;
                            }
                        }
                        FireAction::Retry { .. } => {}
                    }
                }
                Ok(())
            })();
            if let Err(e) = acted {
                // One work item that cannot be acted on (a contact gone, a damaged record) must
                // not hold up every other: it stays due and is looked at again next tick.
                tracing::error!(work = %old.id, error = %e, "cannot send or remind for this work item");
                continue;
            }
            report.sends += sends;
            report.reminders += reminders;
            olds.push((before, old));
            works.push(work);
            extras.push((batch, events));
        }
        self.replan(&mut works, now)?;
        let mut batches = Vec::with_capacity(works.len() + 1);
        for (((before, old), mut work), (extra, events)) in olds.into_iter().zip(works).zip(extras)
        {
            let mut batch = Batch::default();
            batch.expect(Tree::Work, work.id.key(), Some(before));
            work.updated_at = now;
            self.write_work(&mut batch, Some(&old), &work)?;
            batch.extend(extra);
            for (kind, summary) in events {
                self.record_event(
                    &mut batch,
                    Some(work.id),
                    None,
                    Actor::System,
                    kind,
                    summary,
                );
            }
            batches.push(batch);
        }
        if !stale.is_empty() {
            batches.push(stale);
        }
        Ok(batches)
    }

    /// When the next scheduled thing is due (a send, a reminder, a digest or a repeat's next
    /// work), if anything is.
    pub fn next_fire_due(&self) -> Result<Option<DateTime<Utc>>> {
        let first = self.store.scan(Tree::Schedule, b"", None, 1, false)?;
        let fire = first
            .first()
            .map(|(k, _)| parse_schedule_key(k).map(|(at, _, _)| at.get()))
            .transpose()?;
        Ok([fire, self.next_repeat_due()?].into_iter().flatten().min())
    }
}

/// `INSTANT/WORK/GROUP`, or `INSTANT/WORK/d` for the work's comment digest.
pub(crate) fn schedule_key(at: KeyInstant, work: WorkId, group: Option<usize>) -> Vec<u8> {
    match group {
        Some(g) => format!("{}/{work}/{g:03}", instant_key(at)),
        None => format!("{}/{work}/d", instant_key(at)),
    }
    .into_bytes()
}

pub(crate) fn parse_schedule_key(key: &[u8]) -> Result<(KeyInstant, WorkId, Option<usize>)> {
    let corrupt = || Error::Storage("corrupt schedule index key".into());
    let text = std::str::from_utf8(key).map_err(|_| corrupt())?;
    let mut parts = text.splitn(3, '/');
    let at = parse_instant_key(parts.next().ok_or_else(corrupt)?.as_bytes())?;
    let work: WorkId = parts.next().ok_or_else(corrupt)?.parse()?;
    let group = match parts.next().ok_or_else(corrupt)? {
        "d" => None,
        g => Some(g.parse().map_err(|_| corrupt())?),
    };
    Ok((at, work, group))
}

#[cfg(test)]
#[path = "precision_tests.rs"]
mod precision_tests;
