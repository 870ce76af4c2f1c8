//! Groups a plugin cannot plan. When a sending rule or reminder policy fails (it traps, loops,
//! runs out of memory, answers nonsense, or is not installed), the scheduler marks the group
//! `stuck` and asks again with backoff (`scheduler::retry_wait`). Staff hear of it once: a
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
        self.write_work(&mut batch, Some(&old), &work);
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
mod tests {
    use chrono::Duration;

    use crate::config::FirmConfig;
    use crate::docket::test_firm::{Firm, utc};
    use crate::docket::{NewUser, WorkDetails};
    use crate::model::{Actor, EventKind, PluginRef, Role};
    use crate::store::{Batch, Tree, encode};

    /// Sets the work's reminder policy behind the engine's back (it refuses bad ones).
    fn set_policy(firm: &Firm, id: crate::model::WorkId, policy: PluginRef) {
        let mut work = firm.docket.work(id).unwrap();
        work.groups[0].reminders = policy;
        let mut batch = Batch::default();
        batch.put(Tree::Work, id.key(), encode(&work));
        firm.docket.store().commit(batch).unwrap();
    }

    #[test]
    fn a_stuck_group_is_shown_once_listed_for_attention_and_recovers() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        let member = firm
            .docket
            .add_user(NewUser {
                email: "sam@smith.example".into(),
                name: "Sam".into(),
                role: Role::Staff,
                password: "correct horse battery".into(),
            })
            .unwrap();
        let id = firm.work("2026-03-02");
        firm.docket
            .update_work_details(
                id,
                WorkDetails {
                    assignee: Some("sam@smith.example".into()),
                    ..Default::default()
                },
                Actor::System,
            )
            .unwrap();
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        firm.deliver();
        set_policy(
            &firm,
            id,
            PluginRef {
                plugin: "misbehave".into(),
                params: [("mode".to_string(), "trap".into())].into(),
            },
        );
        assert!(firm.docket.work_needing_attention(10).unwrap().is_empty());

        // Ten failures in a row over a day and a half: said once on the timeline, once in the
        // inbox.
        firm.run_until(utc("2026-03-10T20:00:00Z"));
        let stuck = firm.docket.work(id).unwrap().groups[0]
            .stuck
            .clone()
            .unwrap();
        assert!(stuck.attempts >= 10, "{stuck:?}");
        assert!(stuck.reason.contains("misbehave"), "{stuck:?}");
        assert_eq!(stuck.version, "0.1.0");
        let timeline = firm.docket.work_timeline(id, 100).unwrap();
        let said: Vec<_> = timeline
            .iter()
            .filter(|e| e.kind == EventKind::GroupStuck)
            .collect();
        assert_eq!(said.len(), 1, "{timeline:#?}");
        assert!(
            said[0].summary.contains("plugin “misbehave” 0.1.0 failed"),
            "{}",
            said[0].summary
        );
        let notes = firm.docket.notifications(member.id, 100).unwrap();
        let stuck_notes: Vec<_> = notes
            .iter()
            .filter(|n| n.kind == crate::docket::STUCK_KIND)
            .collect();
        assert_eq!(stuck_notes.len(), 1, "{notes:#?}");
        assert!(
            stuck_notes[0].message.contains("Documents"),
            "{}",
            stuck_notes[0].message
        );
        let attention = firm.docket.work_needing_attention(10).unwrap();
        assert_eq!(attention.iter().map(|w| w.id).collect::<Vec<_>>(), vec![id]);
        assert!(firm.docket.check(false).unwrap().is_empty());
        // The waits doubled to an hour: no more than an hour between two tries.
        let next = firm.next_fire(id);
        assert!(
            next.at.get() - firm.docket.now() <= Duration::hours(1),
            "{next:?}"
        );

        // The plugin is mended (as a new version of it would be: here its parameter, behind the
        // engine's back); installing a version asks its stuck groups again at once.
        set_policy(
            &firm,
            id,
            PluginRef {
                plugin: "misbehave".into(),
                params: [("mode".to_string(), "ok".into())].into(),
            },
        );
        assert_eq!(
            firm.docket.retry_stuck_on("gentle").unwrap(),
            0,
            "not its plugin"
        );
        assert_eq!(firm.docket.retry_stuck_on("misbehave").unwrap(), 1);
        let work = firm.docket.work(id).unwrap();
        assert_eq!(work.groups[0].stuck, None);
        assert_eq!(work.groups[0].next, None, "mode ok answers no reminder");
        let recovered = firm
            .docket
            .work_timeline(id, 100)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == EventKind::GroupRecovered)
            .count();
        assert_eq!(recovered, 1);
        assert!(firm.docket.work_needing_attention(10).unwrap().is_empty());
        assert!(firm.docket.check(false).unwrap().is_empty());
    }

    #[test]
    fn a_removed_plugin_is_noticed_at_once_and_another_policy_recovers_the_group() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        let id = firm.work("2026-03-02");
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        firm.deliver();
        // The group's policy is removed from the folder (here: named as one that is gone).
        set_policy(
            &firm,
            id,
            PluginRef {
                plugin: "gone".into(),
                params: Default::default(),
            },
        );
        assert_eq!(firm.docket.replan_work_naming("gone").unwrap(), 1);
        let stuck = firm.docket.work(id).unwrap().groups[0]
            .stuck
            .clone()
            .unwrap();
        assert_eq!(stuck.plugin, "gone");
        assert_eq!(stuck.version, "", "not installed");
        firm.docket
            .update_group_settings(
                id,
                0,
                crate::docket::GroupSettings {
                    reminders: Some(PluginRef::gentle()),
                    ..Default::default()
                },
                Actor::System,
            )
            .unwrap();
        let said: Vec<String> = firm
            .docket
            .work_timeline(id, 50)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == EventKind::GroupRecovered)
            .map(|e| e.summary)
            .collect();
        assert_eq!(said.len(), 1);
        assert!(
            said[0].contains("by plugin “gentle”: plugin “gone”")
                && said[0].contains("no longer decides"),
            "{}",
            said[0]
        );
    }
}
