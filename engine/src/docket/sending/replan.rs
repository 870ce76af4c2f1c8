//! When the firm's calendar changes (timezone, send time, send schedule, holidays), every fire
//! already planned was planned on the old one. The settings change marks a re-plan in the same
//! batch (`meta/replan_cursor`), and the scheduler's loop works through the open work items a
//! page at a time, asking the plugins again from now, until none is left; a crash resumes where
//! it stopped. Fires already due are left for the tick (re-planning them from now could move a
//! send that is due into tomorrow).

use crate::docket::Docket;
use crate::docket::work::status_key;
use crate::model::{FirmSettings, WorkItem, WorkStatus};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

/// Where the re-plan has got to: the last `work_by_status` key done (empty: from the start).
const REPLAN_CURSOR_KEY: &[u8] = b"replan_cursor";

/// Whether a change from `old` to `new` moves fires already planned.
pub(crate) fn calendar_changed(old: &FirmSettings, new: &FirmSettings) -> bool {
    old.timezone != new.timezone
        || old.send_time != new.send_time
        || old.send_schedule != new.send_schedule
        || old.holidays != new.holidays
}

/// Adds to `batch` the mark that every open work item is re-planned from the start.
pub(crate) fn mark_replan(batch: &mut Batch) {
    batch.put(Tree::Meta, REPLAN_CURSOR_KEY, Vec::new());
}

impl Docket {
    /// Whether a re-plan after a calendar change is still to be done.
    pub fn replan_pending(&self) -> Result<bool> {
        Ok(self.store.get(Tree::Meta, REPLAN_CURSOR_KEY)?.is_some())
    }

    /// Re-plans up to `limit` more open work items after a change of the firm's calendar;
    /// answers how many were re-planned, `None` when nothing was pending. The last page clears
    /// the mark and logs the whole.
    pub fn replan_after_calendar_change(&self, limit: usize) -> Result<Option<usize>> {
        let Some(cursor) = self.store.get(Tree::Meta, REPLAN_CURSOR_KEY)? else {
            return Ok(None);
        };
        let after = (!cursor.is_empty()).then_some(cursor.clone());
        let page = self
            .store
            .scan(Tree::WorkByStatus, b"", after.as_deref(), limit, false)?;
        let done = status_key(WorkStatus::Completed, None);
        let now = self.now();
        let mut replanned = 0;
        for (key, _) in &page {
            if key.starts_with(&done) {
                continue;
            }
            let Some(id) = std::str::from_utf8(key)
                .ok()
                .and_then(|k| k.rsplit('/').next())
                .and_then(|id| id.parse().ok())
            else {
                continue;
            };
            match self.replan_future_fires(id, now) {
                Ok(true) => replanned += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(work = %id, error = %e, "cannot re-plan this work item on the firm's new calendar")
                }
            }
        }
        let mut batch = Batch::default();
        // Moved on only if no newer change restarted the re-plan meanwhile.
        batch.expect(Tree::Meta, REPLAN_CURSOR_KEY, Some(cursor));
        match page.last() {
            Some((last, _)) if page.len() == limit => {
                batch.put(Tree::Meta, REPLAN_CURSOR_KEY, last.clone())
            }
            _ => {
                batch.remove(Tree::Meta, REPLAN_CURSOR_KEY);
                tracing::info!("every open work item is planned on the firm's new calendar");
            }
        }
        match self.store.commit(batch) {
            Ok(()) => {}
            Err(Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => {}
            Err(e) => return Err(e),
        }
        Ok(Some(replanned))
    }

    /// Re-plans the groups of one work item whose next fire is still ahead; false when there
    /// was nothing to move or the work item changed meanwhile (its writer planned it on the
    /// new calendar already).
    fn replan_future_fires(
        &self,
        id: crate::model::WorkId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        let Some(before) = self.store.get(Tree::Work, &id.key())? else {
            return Ok(false);
        };
        let old: WorkItem = decode(&before)?;
        let mut works = vec![old.clone()];
        self.replan(&mut works, now)?;
        let mut work = works.pop().expect("one work item");
        for (group, was) in work.groups.iter_mut().zip(&old.groups) {
            if let Some(fire) = &was.next
                && fire.at.get() <= now
            {
                group.next = Some(fire.clone());
            }
        }
        if work
            .groups
            .iter()
            .map(|g| &g.next)
            .eq(old.groups.iter().map(|g| &g.next))
        {
            return Ok(false);
        }
        let mut batch = Batch::default();
        batch.expect(Tree::Work, id.key(), Some(before));
        self.write_work(&mut batch, Some(&old), &work)?;
        match self.store.commit(batch) {
            Ok(()) => Ok(true),
            Err(Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
#[path = "replan_tests.rs"]
mod tests;
