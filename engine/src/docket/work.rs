//! Work items: creating them from templates, finding them, and moving their state on.

use super::Docket;
use crate::due::due_date;
use crate::model::{
    Actor, ClientTask, ClientTaskGroup, ContactId, EventKind, NewWork, WorkId, WorkItem, WorkStatus,
};
use crate::store::{Batch, Tree, decode, encode, scan_records};
use crate::{Error, Result};

/// Which work items to list.
#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub status: Option<WorkStatus>,
    pub contact: Option<ContactId>,
}

impl Docket {
    pub fn create_work(&self, new: NewWork, actor: Actor) -> Result<WorkItem> {
        let template = self.find_template(&new.template)?;
        let start_date = new.start_date.ok_or_else(|| {
            Error::invalid(format!(
                "work from template `{}` needs a start date",
                template.name
            ))
        })?;
        let recipients =
            self.resolve_recipients(&new.contacts, template.groups.len(), &template.name)?;
        let assignee = match new
            .assignee
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(email) => Some(
                self.user_by_email(&crate::model::normalise_email(email)?)?
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "no staff user has email {email}; add them with `docket user add`"
                        ))
                    })?
                    .id,
            ),
            None => None,
        };
        let title = new
            .title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| template.name.clone());
        let external_name = new
            .external_name
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| title.clone());
        let mut groups = Vec::with_capacity(template.groups.len());
        for (group, recipient) in template.groups.iter().zip(&recipients) {
            let tasks = group
                .tasks
                .iter()
                .map(|task| {
                    Ok(ClientTask {
                        title: task.title.clone(),
                        description: task.description.clone(),
                        due_date: due_date(start_date, task.due_offset_days)?,
                        documents: task.documents.clone(),
                        done_at: None,
                        reminders_sent: 0,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            groups.push(ClientTaskGroup {
                name: group.name.clone(),
                recipient: *recipient,
                sending: group.sending.clone(),
                reminders: group.reminders.clone(),
                sent_at: None,
                tasks,
            });
        }
        let now = self.now();
        let work = WorkItem {
            id: WorkId::new(now),
            template_id: template.id,
            title,
            external_name,
            start_date,
            assignee,
            status: WorkStatus::Planned,
            groups,
            created_at: now,
            updated_at: now,
        };
        let mut batch = Batch::default();
        batch.put_record(Tree::Work, work.id.key(), &work);
        batch.put(
            Tree::WorkByStatus,
            status_key(work.status, work.id),
            Vec::new(),
        );
        for contact in work.recipients() {
            batch.put(
                Tree::WorkByContact,
                contact_key(contact, Some(work.id)),
                Vec::new(),
            );
            self.record_event(
                &mut batch,
                None,
                Some(contact),
                actor.clone(),
                EventKind::WorkCreated,
                format!("Work “{}” created", work.external_name),
            );
        }
        self.record_event(
            &mut batch,
            Some(work.id),
            None,
            actor,
            EventKind::WorkCreated,
            format!(
                "Created from template “{}”, starting {start_date}",
                template.name
            ),
        );
        self.store.commit(batch)?;
        Ok(work)
    }

    fn resolve_recipients(
        &self,
        emails: &[String],
        groups: usize,
        template: &str,
    ) -> Result<Vec<ContactId>> {
        let ids = emails
            .iter()
            .map(|email| {
                self.contact_by_email(email)?.map(|c| c.id).ok_or_else(|| {
                    Error::invalid(format!("unknown contact {email}; create the contact first"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        match ids.len() {
            0 => Err(Error::invalid(format!(
                "work from template `{template}` needs a recipient contact"
            ))),
            1 => Ok(vec![ids[0]; groups]),
            n if n == groups => Ok(ids),
            n => Err(Error::invalid(format!(
                "template `{template}` has {groups} groups but {n} contacts were given; give one contact, or one per group"
            ))),
        }
    }

    pub fn work(&self, id: WorkId) -> Result<WorkItem> {
        self.store
            .get(Tree::Work, &id.key())?
            .map(|v| decode(&v))
            .transpose()?
            .ok_or_else(|| Error::not_found("work item", id))
    }

    /// Work items newest first, `limit` at a time after (older than) `after`, through the status or
    /// contact index when the filter names one.
    pub fn list_work(
        &self,
        filter: &WorkFilter,
        after: Option<WorkId>,
        limit: usize,
    ) -> Result<Vec<WorkItem>> {
        let ids = match (filter.status, filter.contact) {
            (None, None) => {
                let after = after.map(|a| a.key());
                return scan_records(
                    self.store.as_ref(),
                    Tree::Work,
                    b"",
                    after.as_deref(),
                    limit,
                    true,
                );
            }
            (Some(status), contact) => self.index_ids(
                Tree::WorkByStatus,
                &status_key(status, None),
                after,
                limit,
                |w| contact.is_none_or(|c| w.recipients().contains(&c)),
            )?,
            (None, Some(contact)) => self.index_ids(
                Tree::WorkByContact,
                &contact_key(contact, None),
                after,
                limit,
                |_| true,
            )?,
        };
        Ok(ids)
    }

    fn index_ids(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<WorkId>,
        limit: usize,
        keep: impl Fn(&WorkItem) -> bool,
    ) -> Result<Vec<WorkItem>> {
        let mut out = Vec::new();
        let mut cursor = after.map(|a| [prefix, &a.key()].concat());
        while out.len() < limit {
            let page = self
                .store
                .scan(tree, prefix, cursor.as_deref(), limit, true)?;
            let Some((last, _)) = page.last() else { break };
            cursor = Some(last.clone());
            for (key, _) in &page {
                let id: WorkId = std::str::from_utf8(&key[prefix.len()..])
                    .map_err(|_| Error::Storage("corrupt work index key".into()))?
                    .parse()?;
                let work = self.work(id)?;
                if keep(&work) && out.len() < limit {
                    out.push(work);
                }
            }
        }
        Ok(out)
    }

    pub fn set_work_status(
        &self,
        id: WorkId,
        status: WorkStatus,
        actor: Actor,
    ) -> Result<WorkItem> {
        self.update_work(id, actor, |work| {
            if work.status == status {
                return Ok(None);
            }
            let summary = format!(
                "Status changed from {} to {}",
                work.status.as_str(),
                status.as_str()
            );
            work.status = status;
            Ok(Some((EventKind::StatusChanged, summary)))
        })
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
        self.update_work(id, actor, |work| {
            let task = work
                .groups
                .get_mut(group)
                .and_then(|g| g.tasks.get_mut(task))
                .ok_or_else(|| {
                    Error::invalid(format!("work item has no task {task} in group {group}"))
                })?;
            match (done, task.done_at) {
                (true, None) => {
                    task.done_at = Some(now);
                    Ok(Some((
                        EventKind::TaskCompleted,
                        format!("Task “{}” completed", task.title),
                    )))
                }
                (false, Some(_)) => {
                    task.done_at = None;
                    Ok(Some((
                        EventKind::TaskReopened,
                        format!("Task “{}” reopened", task.title),
                    )))
                }
                _ => Ok(None),
            }
        })
    }

    /// Records that a group was emailed to its recipient now, restarting its reminder counts.
    pub fn mark_group_sent(&self, id: WorkId, group: usize, actor: Actor) -> Result<WorkItem> {
        let now = self.now();
        self.update_work(id, actor, |work| {
            let g = work
                .groups
                .get_mut(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            g.sent_at = Some(now);
            g.tasks.iter_mut().for_each(|t| t.reminders_sent = 0);
            let summary = format!("“{}” sent", g.name);
            if work.status == WorkStatus::Planned {
                work.status = WorkStatus::WaitingOnClient;
            }
            Ok(Some((EventKind::GroupSent, summary)))
        })
    }

    /// Reads, changes and writes back one work item, keeping its indexes and timeline in the same
    /// batch and retrying if another writer changed it meanwhile. `change` returns the event to
    /// record, or `None` when nothing changed.
    fn update_work(
        &self,
        id: WorkId,
        actor: Actor,
        mut change: impl FnMut(&mut WorkItem) -> Result<Option<(EventKind, String)>>,
    ) -> Result<WorkItem> {
        self.retrying(|| {
            let before = self
                .store
                .get(Tree::Work, &id.key())?
                .ok_or_else(|| Error::not_found("work item", id))?;
            let mut work: WorkItem = decode(&before)?;
            let old_status = work.status;
            let Some((kind, summary)) = change(&mut work)? else {
                return Ok(work);
            };
            work.updated_at = self.now();
            let mut batch = Batch::default();
            batch.expect(Tree::Work, id.key(), Some(before));
            batch.put(Tree::Work, id.key(), encode(&work));
            if work.status != old_status {
                batch.remove(Tree::WorkByStatus, status_key(old_status, Some(id)));
                batch.put(
                    Tree::WorkByStatus,
                    status_key(work.status, Some(id)),
                    Vec::new(),
                );
            }
            self.record_event(&mut batch, Some(id), None, actor.clone(), kind, summary);
            self.store.commit(batch)?;
            Ok(work)
        })
    }
}

fn status_key(status: WorkStatus, work: impl Into<Option<WorkId>>) -> Vec<u8> {
    let mut key = format!("{}/", status.as_str()).into_bytes();
    if let Some(work) = work.into() {
        key.extend(work.key());
    }
    key
}

fn contact_key(contact: ContactId, work: Option<WorkId>) -> Vec<u8> {
    let mut key = format!("{contact}/").into_bytes();
    if let Some(work) = work {
        key.extend(work.key());
    }
    key
}

#[cfg(test)]
#[path = "work_tests.rs"]
mod tests;
