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
        self.write_work(&mut batch, Some(&old), &work);
        match self.store.commit(batch) {
            Ok(()) => Ok(true),
            Err(Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::FirmConfig;
    use crate::docket::SettingsChange;
    use crate::docket::test_firm::{Firm, utc};
    use crate::model::Actor;

    fn change(firm: &Firm, change: SettingsChange) {
        firm.docket.change_settings(&change).unwrap();
        assert!(firm.docket.replan_pending().unwrap());
    }

    fn drain(firm: &Firm, page: usize) {
        while firm
            .docket
            .replan_after_calendar_change(page)
            .unwrap()
            .is_some()
        {}
        assert!(!firm.docket.replan_pending().unwrap());
    }

    #[test]
    fn a_new_calendar_moves_every_fire_already_planned() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        let ids: Vec<_> = (0..5).map(|_| firm.work("2026-03-02")).collect();
        for id in &ids {
            firm.docket.send_group(*id, 0, Actor::System).unwrap();
        }
        firm.deliver();
        let at =
            |firm: &Firm| -> Vec<_> { ids.iter().map(|id| firm.next_fire(*id).at.get()).collect() };
        assert_eq!(at(&firm), vec![utc("2026-03-09T09:00:00Z"); 5]);

        change(
            &firm,
            SettingsChange {
                send_time: Some("10:00".into()),
                ..Default::default()
            },
        );
        // Nothing moves until the re-plan runs (the scheduler's loop runs it between ticks),
        // a page at a time.
        assert_eq!(at(&firm), vec![utc("2026-03-09T09:00:00Z"); 5]);
        drain(&firm, 2);
        assert_eq!(at(&firm), vec![utc("2026-03-09T10:00:00Z"); 5]);

        change(
            &firm,
            SettingsChange {
                timezone: Some("Europe/Paris".into()),
                ..Default::default()
            },
        );
        drain(&firm, 2);
        assert_eq!(at(&firm), vec![utc("2026-03-09T09:00:00Z"); 5]);

        change(
            &firm,
            SettingsChange {
                holidays: Some(vec!["2026-03-09".into()]),
                ..Default::default()
            },
        );
        drain(&firm, 2);
        assert_eq!(at(&firm), vec![utc("2026-03-10T09:00:00Z"); 5]);

        change(
            &firm,
            SettingsChange {
                send_schedule: Some("0 10 * * MON,WED".into()),
                ..Default::default()
            },
        );
        drain(&firm, 100);
        assert_eq!(at(&firm), vec![utc("2026-03-11T09:00:00Z"); 5]);
        assert!(firm.docket.check(false).unwrap().is_empty());
    }

    #[test]
    fn a_fire_already_due_is_left_for_the_tick() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        let id = firm.work("2026-03-02");
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        firm.deliver();
        firm.clock.set(utc("2026-03-09T09:00:00.500Z"));
        change(
            &firm,
            SettingsChange {
                send_time: Some("10:00".into()),
                ..Default::default()
            },
        );
        drain(&firm, 10);
        assert_eq!(firm.next_fire(id).at.get(), utc("2026-03-09T09:00:00Z"));
        firm.run_until(utc("2026-03-09T09:01:00Z"));
        assert_eq!(
            firm.reminders().len(),
            1,
            "it went at nine, as planned before"
        );
        // The next one follows the new send time.
        assert_eq!(firm.next_fire(id).at.get(), utc("2026-03-16T10:00:00Z"));
    }

    #[test]
    fn a_change_that_leaves_the_calendar_alone_plans_nothing_again() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        firm.docket
            .change_settings(&SettingsChange {
                name: Some("Other & Co".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(!firm.docket.replan_pending().unwrap());
    }
}
