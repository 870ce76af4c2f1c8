//! Groups a plugin cannot plan. When a sending rule or reminder policy fails (it traps, loops,
//! runs out of memory, answers nonsense, or is not installed), the scheduler marks the group
//! `stuck` and asks again with backoff (`plan::retry_wait`). Staff hear of it once: a
//! timeline line naming the plugin, its version and the reason, and one inbox notification to
//! the group's sender and the work's assignee; they hear once more when it recovers. The work
//! is listed under "needs attention" (`work_needs_attention`) while any group is stuck. A new
//! version of the plugin, or another policy for the group, is tried at once.

use crate::Result;
use crate::docket::Docket;
use crate::docket::work::list::needs_attention;
use crate::model::{Actor, EventKind, StaffNotification, Stuck, WorkId, WorkItem, new_id};
use crate::store::{Batch, Tree, decode};

/// The inbox notification's kind for a stuck group.
pub const STUCK_KIND: &str = "plugin-failed";

impl Docket {
    /// Adds to `batch` what staff should hear of the groups of `new` that became stuck or
    /// recovered since `old`: a timeline line each, and a notification for a newly stuck one.
    /// Called by `write_work`, so every writer of a work item says it the same way, once.
    pub(crate) fn record_stuck_changes(
        &self,
        batch: &mut Batch,
        old: Option<&WorkItem>,
        new: &WorkItem,
    ) {
        for (g, group) in new.groups.iter().enumerate() {
            let before = old
                .and_then(|o| o.groups.get(g))
                .and_then(|g| g.stuck.as_ref());
            match (before, &group.stuck) {
                (None, Some(stuck)) => {
                    let what = stuck_sentence(&group.name, stuck);
                    self.record_event(
                        batch,
                        Some(new.id),
                        None,
                        Actor::System,
                        EventKind::GroupStuck,
                        format!(
                            "{what} Docket asks the plugin again in a minute, then less often, and says here when it recovers."
                        ),
                    );
                    if let Err(e) = self.notify_stuck(batch, new, g, &what) {
                        tracing::error!(work = %new.id, error = %e, "cannot notify staff of a stuck group");
                    }
                }
                (Some(stuck), None) => {
                    let since = stuck.since.format("%Y-%m-%d %H:%M UTC");
                    let summary = if group.sending.plugin == stuck.plugin
                        || group.reminders.plugin == stuck.plugin
                    {
                        format!(
                            "“{}” is planned again: plugin “{}” answers (it had failed since {since}).",
                            group.name, stuck.plugin
                        )
                    } else {
                        format!(
                            "“{}” is planned again, by plugin “{}”: plugin “{}”, which had failed since {since}, no longer decides for it.",
                            group.name,
                            if group.sent_at.is_some() {
                                &group.reminders.plugin
                            } else {
                                &group.sending.plugin
                            },
                            stuck.plugin
                        )
                    };
                    self.record_event(
                        batch,
                        Some(new.id),
                        None,
                        Actor::System,
                        EventKind::GroupRecovered,
                        summary,
                    )
                }
                _ => {}
            }
        }
    }

    fn notify_stuck(&self, batch: &mut Batch, work: &WorkItem, g: usize, what: &str) -> Result<()> {
        let now = self.now();
        for (user, _) in self.work_staff(work, Some(g))? {
            let note = StaffNotification {
                id: new_id(now),
                user,
                at: now,
                work: work.id,
                message: format!("{}: {what}", work.title),
                source: "docket".into(),
                kind: STUCK_KIND.into(),
                read: false,
            };
            crate::docket::staff::inbox::add_notification(batch, &note);
        }
        Ok(())
    }

    /// Asks again, now, the plugins of every stuck group that names `plugin` (a new version was
    /// installed, or it appeared): the groups it can plan recover at once. Answers how many work
    /// items were re-planned.
    pub fn retry_stuck_on(&self, plugin: &str) -> Result<usize> {
        let now = self.now();
        let mut retried = 0;
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page =
                self.store
                    .scan(Tree::WorkNeedsAttention, b"", after.as_deref(), 256, false)?;
            for (key, _) in &page {
                let Some(before) = self.store.get(Tree::Work, key)? else {
                    continue;
                };
                let old: WorkItem = decode(&before)?;
                if !old
                    .groups
                    .iter()
                    .any(|g| g.stuck.as_ref().is_some_and(|s| s.plugin == plugin))
                {
                    continue;
                }
                if self.replan_now(old, before, now)? {
                    retried += 1;
                }
            }
            if page.len() < 256 {
                break;
            }
            after = page.last().map(|(k, _)| k.clone());
        }
        if retried > 0 {
            tracing::info!(
                plugin,
                work_items = retried,
                "asked a changed plugin again for the groups it could not plan"
            );
        }
        Ok(retried)
    }

    /// The work items that need staff's attention, newest first, up to `limit`.
    pub fn work_needing_attention(&self, limit: usize) -> Result<Vec<WorkItem>> {
        let keys = self
            .store
            .scan(Tree::WorkNeedsAttention, b"", None, limit, true)?;
        let mut out = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let Ok(id) = std::str::from_utf8(&key)
                .unwrap_or_default()
                .parse::<WorkId>()
            else {
                continue;
            };
            match self.work(id) {
                Ok(work) if needs_attention(&work) => out.push(work),
                Ok(_) | Err(crate::Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Re-plans `old` (read as `before`) from `now` and writes it; false when it changed
    /// meanwhile (its writer planned it).
    pub(in crate::docket) fn replan_now(
        &self,
        old: WorkItem,
        before: Vec<u8>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        let mut works = vec![old.clone()];
        self.replan(&mut works, now)?;
        let mut work = works.pop().expect("one work item");
        work.updated_at = now;
        let mut batch = Batch::default();
        batch.expect(Tree::Work, old.id.key(), Some(before));
        self.write_work(&mut batch, Some(&old), &work)?;
        match self.store.commit(batch) {
            Ok(()) => Ok(true),
            Err(crate::Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// "Reminders for “Documents” are stuck: plugin “x” 0.2.0 failed: REASON."
fn stuck_sentence(group: &str, stuck: &Stuck) -> String {
    let version = if stuck.version.is_empty() {
        String::new()
    } else {
        format!(" {}", stuck.version)
    };
    format!(
        "Sending and reminders for “{group}” are stuck: plugin “{}”{version} failed: {}.",
        stuck.plugin,
        stuck.reason.trim_end_matches('.')
    )
}

#[cfg(test)]
#[path = "stuck_tests.rs"]
mod tests;
