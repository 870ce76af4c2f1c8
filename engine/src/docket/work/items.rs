//! Work items: finding them and moving their state on (made in `create.rs`).

use crate::docket::Docket;
use crate::model::{Actor, ContactId, EventKind, WorkId, WorkItem, WorkStatus};
use crate::plugin::HookEventKind;
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

impl Docket {
    /// A work item's start date (or a preview's sample one) is within ten years of today: a
    /// typo in the year would email the client due dates a century away.
    pub fn check_start_date(&self, start_date: chrono::NaiveDate) -> Result<()> {
        let today = self.now().date_naive();
        if (start_date - today).num_days().abs() > 3660 {
            return Err(Error::invalid_field(
                "start_date",
                format!(
                    "the start date {start_date} is more than ten years from today ({today}); check the year (YYYY-MM-DD)"
                ),
            ));
        }
        Ok(())
    }

    pub fn work(&self, id: WorkId) -> Result<WorkItem> {
        self.store
            .get(Tree::Work, &id.key())?
            .map(|v| decode(&v))
            .transpose()?
            .ok_or_else(|| Error::not_found("work item", id))
    }

    /// Sets the work's status (and firm sub-status, if any). Completing it stops every send and
    /// reminder; reopening plans them again.
    pub fn set_work_status(
        &self,
        id: WorkId,
        status: WorkStatus,
        sub_status: Option<String>,
        actor: Actor,
    ) -> Result<WorkItem> {
        let by = match &actor {
            Actor::Hook(plugin) => format!(" (by hook {plugin})"),
            _ => String::new(),
        };
        self.update_work(id, actor, |work, _| {
            if work.status == status && work.sub_status == sub_status {
                return Ok(None);
            }
            let name = |status: WorkStatus, sub: &Option<String>| match sub {
                Some(sub) => format!("{} — {sub}", status.label()),
                None => status.label().to_string(),
            };
            // Work completed with tasks the client never did says so: they are left behind.
            let open = work
                .groups
                .iter()
                .flat_map(|g| &g.tasks)
                .filter(|t| t.done_at.is_none())
                .count();
            let left = match open {
                _ if status != WorkStatus::Completed => String::new(),
                0 => String::new(),
                1 => ", with 1 client task still open".to_string(),
                n => format!(", with {n} client tasks still open"),
            };
            let summary = format!(
                "Status changed from {} to {}{left}{by}",
                name(work.status, &work.sub_status),
                name(status, &sub_status)
            );
            work.status = status;
            work.sub_status = sub_status.clone();
            Ok(Some((EventKind::StatusChanged, summary)))
        })
    }

    /// Completes the work: every send and reminder stops and the portal is locked.
    pub fn complete_work(&self, id: WorkId, actor: Actor) -> Result<WorkItem> {
        let work = self.work(id)?;
        if work.status == WorkStatus::Completed {
            return Err(Error::invalid("the work is already completed"));
        }
        self.set_work_status(id, WorkStatus::Completed, None, actor)
    }

    /// Reopens completed work where it stood: waiting on the client while a task is open
    /// and something was sent, in progress when the client's part is done, planned when nothing was sent.
    pub fn reopen_work(&self, id: WorkId, actor: Actor) -> Result<WorkItem> {
        let work = self.work(id)?;
        if work.status != WorkStatus::Completed {
            return Err(Error::invalid(format!(
                "the work is “{}”, not completed; only completed work can be reopened",
                work.status.label()
            )));
        }
        self.set_work_status(id, reopened_status(&work), None, actor)
    }

    /// Marks a task done (or not done again), by group and task position.
    pub fn set_task_done(
        &self,
        id: WorkId,
        group: usize,
        task: usize,
        done: bool,
        actor: Actor,
    ) -> Result<WorkItem> {
        let now = self.now();
        let by_client = matches!(actor, Actor::Contact(_));
        let actor_done = actor.clone();
        self.update_work(id, actor, |work, batch| {
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; reopen it to change its tasks",
                ));
            }
            let work_id = work.id;
            let g = work
                .groups
                .get_mut(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            let t = g.tasks.get_mut(task).ok_or_else(|| {
                Error::invalid(format!("work item has no task {task} in group {group}"))
            })?;
            let changed: Option<(EventKind, String)> = match (done, t.done_at) {
                (true, None) => {
                    t.done_at = Some(now);
                    t.done_by = Some(actor_done.clone());
                    let title = t.title.clone();
                    self.queue_event(
                        batch,
                        work_id,
                        Some(group),
                        HookEventKind::TaskCompleted {
                            title: title.clone(),
                        },
                        by_client,
                    );
                    if g.all_done() {
                        self.queue_event(
                            batch,
                            work_id,
                            Some(group),
                            HookEventKind::AllTasksCompleted,
                            by_client,
                        );
                    }
                    Some((
                        EventKind::TaskCompleted,
                        format!("Task “{title}” completed"),
                    ))
                }
                (false, Some(_)) => {
                    t.done_at = None;
                    t.done_by = None;
                    Some((
                        EventKind::TaskReopened,
                        format!("Task “{}” reopened", t.title),
                    ))
                }
                _ => None,
            };
            let Some((kind, summary)) = changed else {
                return Ok(None);
            };
            Ok(Some(match self.follow_client_part(work) {
                Some(status) => (
                    kind,
                    format!("{summary}; the work is now “{}”", status.label()),
                ),
                None => (kind, summary),
            }))
        })
    }

    /// The client's part done: the work moves on to staff; a task reopened moves it back. The
    /// status it moved to, if it moved.
    pub(super) fn follow_client_part(&self, work: &mut WorkItem) -> Option<WorkStatus> {
        let client_done = work.groups.iter().all(|g| g.all_done());
        let moved = match (work.status, client_done) {
            (WorkStatus::WaitingOnClient, true) => Some(WorkStatus::InProgress),
            (WorkStatus::InProgress, false) => Some(WorkStatus::WaitingOnClient),
            _ => None,
        }?;
        work.status = moved;
        work.sub_status = None;
        Some(moved)
    }

    /// Changes a group's sending settings on this work only: its sending rule, reminder policy
    /// and sender. The schedule follows at once.
    pub fn update_group_settings(
        &self,
        id: WorkId,
        group: usize,
        change: GroupSettings,
        actor: Actor,
    ) -> Result<WorkItem> {
        let sender = match change.sender.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(email) => Some(Some(
                self.user_by_email(&crate::model::normalise_email(email)?)?
                    .ok_or_else(|| Error::invalid(format!("no staff user has email {email}")))?
                    .id,
            )),
        };
        if change.sending.is_some() || change.reminders.is_some() {
            let work = self.work(id)?;
            let g = work
                .groups
                .get(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            let offsets: Vec<i32> = g
                .tasks
                .iter()
                .map(|t| (t.due_date - work.start_date).num_days() as i32)
                .collect();
            self.check_group_plugins(
                &g.name,
                change.sending.as_ref().unwrap_or(&g.sending),
                change.reminders.as_ref().unwrap_or(&g.reminders),
                &offsets,
            )?;
        }
        self.update_work(id, actor, |work, _| {
            let g = work
                .groups
                .get_mut(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            let mut changed = Vec::new();
            let described = |p: &crate::model::PluginRef| {
                let params: Vec<String> =
                    p.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if params.is_empty() {
                    p.plugin.clone()
                } else {
                    format!("{} ({})", p.plugin, params.join(", "))
                }
            };
            if let Some(sending) = &change.sending
                && *sending != g.sending
            {
                changed.push(format!(
                    "sending rule {} → {}",
                    described(&g.sending),
                    described(sending)
                ));
                g.sending = sending.clone();
            }
            if let Some(reminders) = &change.reminders
                && *reminders != g.reminders
            {
                changed.push(format!(
                    "reminder policy {} → {}",
                    described(&g.reminders),
                    described(reminders)
                ));
                g.reminders = reminders.clone();
            }
            if let Some(sender) = sender
                && sender != g.sender
            {
                let name = |id: Option<crate::model::UserId>| match id {
                    Some(id) => self
                        .user(id)
                        .map(|u| u.email)
                        .unwrap_or_else(|_| id.to_string()),
                    None => "none".into(),
                };
                changed.push(format!("sender {} → {}", name(g.sender), name(sender)));
                g.sender = sender;
            }
            if changed.is_empty() {
                return Ok(None);
            }
            Ok(Some((
                EventKind::GroupSettingsChanged,
                format!("“{}”: {}", g.name, changed.join("; ")),
            )))
        })
    }

    /// Reads, changes and writes back one work item, keeping its indexes, its groups' place in
    /// the schedule and its timeline in the same batch, and retrying if another writer changed
    /// it meanwhile. `change` may add writes of its own to the batch, and returns the event to
    /// record, or `None` when nothing changed.
    pub(crate) fn update_work(
        &self,
        id: WorkId,
        actor: Actor,
        mut change: impl FnMut(&mut WorkItem, &mut Batch) -> Result<Option<(EventKind, String)>>,
    ) -> Result<WorkItem> {
        self.retrying(|| {
            let before = self
                .store
                .get(Tree::Work, &id.key())?
                .ok_or_else(|| Error::not_found("work item", id))?;
            let old: WorkItem = decode(&before)?;
            let mut work = old.clone();
            let mut extra = Batch::default();
            let Some((kind, summary)) = change(&mut work, &mut extra)? else {
                return Ok(work);
            };
            let now = self.now();
            work.updated_at = now;
            self.replan(std::slice::from_mut(&mut work), now)?;
            let mut batch = Batch::default();
            batch.expect(Tree::Work, id.key(), Some(before));
            self.write_work(&mut batch, Some(&old), &work)?;
            batch.extend(extra);
            self.record_event(&mut batch, Some(id), None, actor.clone(), kind, summary);
            self.store.commit(batch)?;
            Ok(work)
        })
    }
}

/// A change to a group's sending settings on one work item; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSettings {
    pub sending: Option<crate::model::PluginRef>,
    pub reminders: Option<crate::model::PluginRef>,
    /// A staff member's email; empty or `null` to clear (the group then goes from the work's
    /// assignee, or the firm).
    #[serde(default, deserialize_with = "null_clears")]
    pub sender: Option<String>,
}

/// A field given as `null` means "clear it" (an empty value); a field left out means "leave it".
fn null_clears<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize as _;
    Ok(Some(Option::<String>::deserialize(d)?.unwrap_or_default()))
}

/// Where completed work stands when reopened.
fn reopened_status(work: &WorkItem) -> WorkStatus {
    if work.groups.iter().all(|g| g.sent_at.is_none()) {
        WorkStatus::Planned
    } else if work.groups.iter().all(|g| g.all_done()) {
        WorkStatus::InProgress
    } else {
        WorkStatus::WaitingOnClient
    }
}

pub(crate) fn status_key(status: WorkStatus, work: impl Into<Option<WorkId>>) -> Vec<u8> {
    let mut key = format!("{}/", status.as_str()).into_bytes();
    if let Some(work) = work.into() {
        key.extend(work.key());
    }
    key
}

pub(crate) fn contact_key(contact: ContactId, work: Option<WorkId>) -> Vec<u8> {
    let mut key = format!("{contact}/").into_bytes();
    if let Some(work) = work {
        key.extend(work.key());
    }
    key
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
