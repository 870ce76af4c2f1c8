//! What staff do to one work item from its page (and the API): edit its external name and
//! assignee, send a group under a name checked just before, and look at a group's checklist as
//! its client sees it — a preview that binds nothing and is recorded.

use crate::docket::Docket;
use crate::docket::client::{Checklist, ClientSession};
use crate::docket::sending::access_key;
use crate::docket::work::contact_key;
use crate::docket::work::exchange::child_key;
use crate::docket::work::list::parse_date;
use crate::model::{
    Actor, ClientTask, EventKind, GroupAccess, UploadedFile, WorkId, WorkItem, WorkStatus,
};
use crate::store::{Batch, Tree, decode, encode};
use crate::{Error, Result};

/// A plugin and its parameters as a form gives them: the plugin's name, and parameters written
/// `name=value`, separated by semicolons or new lines (a value may hold commas: `before=7,3`),
/// as the template page writes them too.
pub fn plugin_from_text(what: &str, plugin: &str, params: &str) -> Result<crate::model::PluginRef> {
    let plugin = plugin.trim();
    if plugin.is_empty() {
        return Err(Error::invalid(format!("name the {what} plugin")));
    }
    let mut out = std::collections::BTreeMap::new();
    for part in params
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((name, value)) = part.split_once('=') else {
            return Err(Error::invalid(format!(
                "write the {what} parameters as name=value, separated by semicolons, e.g. before=7,3; every=2 (not `{part}`)"
            )));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid(format!(
                "a {what} parameter has no name in `{part}`; write name=value"
            )));
        }
        out.insert(
            name.to_string(),
            crate::model::ParamValue::from_typed(value),
        );
    }
    Ok(crate::model::PluginRef {
        plugin: plugin.to_string(),
        params: out,
    })
}

/// Parameters as `plugin_from_text` reads them.
pub fn params_text(plugin: &crate::model::PluginRef) -> String {
    plugin
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A task added to a group of one work item, or a change to one; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskChange {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
}

/// Longest external name or title.
pub const MAX_WORK_NAME_CHARS: usize = crate::model::MAX_NAME_CHARS;

/// A task's title that is not too long, or why.
fn check_title(title: &str) -> Result<()> {
    if title.chars().count() > crate::model::MAX_NAME_CHARS {
        return Err(Error::invalid_field(
            "title",
            format!(
                "a task's title may be at most {} characters; put the rest in its description",
                crate::model::MAX_NAME_CHARS
            ),
        ));
    }
    Ok(())
}

/// The name the client sees, trimmed, or why it cannot be.
fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid_field(
            "external_name",
            "the name the client sees cannot be empty; give the work a name",
        ));
    }
    if name.chars().count() > MAX_WORK_NAME_CHARS {
        return Err(Error::invalid_field(
            "external_name",
            format!("the name the client sees may be at most {MAX_WORK_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_string())
}

/// A change of a work item's own details; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkDetails {
    /// What the client sees in emails and on the portal.
    #[serde(default)]
    pub external_name: Option<String>,
    /// A staff member's email or id; empty to leave the work unassigned.
    #[serde(default)]
    pub assignee: Option<String>,
}

impl Docket {
    /// Changes the work's external name and assignee, as one event on its timeline.
    pub fn update_work_details(
        &self,
        id: WorkId,
        details: WorkDetails,
        actor: Actor,
    ) -> Result<WorkItem> {
        let name = details
            .external_name
            .as_deref()
            .map(checked_name)
            .transpose()?;
        let assignee = match details.assignee.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(given) => Some(Some(
                self.assignee(given).map_err(|e| e.on_field("assignee"))?,
            )),
        };
        let name_of = |user: Option<crate::model::UserId>| match user {
            Some(id) => self
                .user(id)
                .map(|u| u.name)
                .unwrap_or_else(|_| id.to_string()),
            None => "nobody".to_string(),
        };
        self.update_work(id, actor, |work, _| {
            let mut changed = Vec::new();
            if let Some(name) = &name
                && *name != work.external_name
            {
                changed.push(format!(
                    "the name the client sees is now “{name}” (was “{}”)",
                    work.external_name
                ));
                work.external_name = name.clone();
            }
            if let Some(assignee) = assignee
                && assignee != work.assignee
            {
                let before = match work.assignee {
                    Some(_) => format!("was {}", name_of(work.assignee)),
                    None => "it had no assignee".to_string(),
                };
                changed.push(format!("assigned to {} ({before})", name_of(assignee)));
                work.assignee = assignee;
            }
            if changed.is_empty() {
                return Ok(None);
            }
            // Each change is a sentence starting with a capital, as other timeline lines do.
            let said: Vec<String> = changed
                .iter()
                .map(|part| {
                    let mut chars = part.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect())
                        .unwrap_or_default()
                })
                .collect();
            Ok(Some((EventKind::WorkEdited, said.join(". "))))
        })
    }

    /// Sends (or, when `resend`, sends again) a group after staff confirmed the name the client
    /// will see: a changed name is saved in the same batch as the send, and said on its event.
    pub fn send_group_named(
        &self,
        id: WorkId,
        group: usize,
        external_name: Option<String>,
        resend: bool,
        actor: Actor,
    ) -> Result<WorkItem> {
        let name = external_name.map(|n| checked_name(&n)).transpose()?;
        self.send_or_resend(id, group, actor, resend, name)
    }

    /// A group's checklist exactly as its recipient sees it, locked so nothing can be ticked,
    /// uploaded or written; nothing is bound, and the look is on the work's timeline under the
    /// member of staff's name.
    pub fn view_as_client(&self, id: WorkId, group: usize, actor: Actor) -> Result<Checklist> {
        let work = self.work(id)?;
        let g = work
            .groups
            .get(group)
            .ok_or_else(|| Error::not_found("group", format!("{id}/{group}")))?;
        let session = ClientSession {
            work: id,
            group,
            contact: g.recipient,
            locked: true,
            device_until: None,
            holder: "staff".into(),
        };
        let list = self.checklist(&session)?;
        let mut batch = Batch::default();
        self.record_event(
            &mut batch,
            Some(id),
            None,
            actor,
            EventKind::ViewedAsClient,
            // Who looked is the event's actor, shown beside it: the sentence does not repeat it.
            format!("Viewed “{}” as {} sees it", g.name, list.contact_name),
        );
        self.store.commit(batch)?;
        Ok(list)
    }

    /// Gives a group another recipient (a contact's id or email). The group's access moves to
    /// them: every link sent before stops working ("replaced") and the device binding is
    /// dropped, so the old recipient's browser no longer opens it; a sent group should then be
    /// sent again to reach the new one.
    pub fn change_recipient(
        &self,
        id: WorkId,
        group: usize,
        contact: &str,
        actor: Actor,
    ) -> Result<WorkItem> {
        let new = self.recipient(contact)?;
        let new_contact = self.contact(new)?;
        self.update_work(id, actor, |work, batch| {
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; reopen it to change a recipient",
                ));
            }
            let g = work
                .groups
                .get(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            let old = g.recipient;
            if old == new {
                return Ok(None);
            }
            let name = g.name.clone();
            let old_name = self
                .contact(old)
                .map(|c| c.email)
                .unwrap_or_else(|_| old.to_string());
            work.groups[group].recipient = new;
            // What staff said to the old recipient is not shown to the new one.
            work.groups[group].recipient_since = Some(self.now());
            if !work.groups.iter().any(|g| g.recipient == old) {
                batch.remove(Tree::WorkByContact, contact_key(old, Some(work.id)));
            }
            batch.put(Tree::WorkByContact, contact_key(new, Some(work.id)), Vec::new());
            // Read with the work item, guarded like it: a binding meanwhile is seen on retry.
            let before_access = self.store.get(Tree::Access, &access_key(id, group))?;
            let access: Option<GroupAccess> =
                before_access.as_deref().map(decode).transpose()?;
            batch.expect(Tree::Access, access_key(id, group), before_access);
            let mut revoked = String::new();
            if let Some(access) = &access {
                let mut moved = access.clone();
                // The old recipient's device is remembered, to be told the request moved.
                moved.unbind();
                let moved = GroupAccess {
                    contact: new,
                    generation: access.generation + 1,
                    awaiting_send: true,
                    ..moved
                };
                batch.put(Tree::Access, access_key(id, group), encode(&moved));
                revoked = "; the links sent before and the device binding no longer open it; send it again to reach them".into();
            }
            Ok(Some((
                EventKind::GroupSettingsChanged,
                format!(
                    "“{name}”: recipient {old_name} → {}{revoked}",
                    new_contact.email
                ),
            )))
        })
    }

    /// Adds a task to a group of this work only, due on the date given.
    pub fn add_task(
        &self,
        id: WorkId,
        group: usize,
        task: TaskChange,
        actor: Actor,
    ) -> Result<WorkItem> {
        let title = task
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::invalid_field("title", "a task needs a title"))?
            .to_string();
        check_title(&title)?;
        let due = task
            .due_date
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| Error::invalid("a task needs a due date; write dates as YYYY-MM-DD"))
            .and_then(|d| parse_date("due_date", d))
            .map_err(|e| e.on_field("due_date"))?;
        self.update_work(id, actor, |work, _| {
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; reopen it to change its tasks",
                ));
            }
            let g = work
                .groups
                .get_mut(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            g.tasks.push(ClientTask {
                title: title.clone(),
                description: task
                    .description
                    .clone()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                due_date: due,
                documents: Vec::new(),
                done_at: None,
                done_by: None,
                reminders_sent: 0,
                reviews: Vec::new(),
            });
            // A new open task: the client's part is not done any more.
            if work.status == WorkStatus::InProgress && g.sent_at.is_some() {
                work.status = WorkStatus::WaitingOnClient;
                work.sub_status = None;
            }
            Ok(Some((
                EventKind::GroupSettingsChanged,
                format!("“{}”: task “{title}” added, due {due}", g.name),
            )))
        })
    }

    /// Changes a task's title, description or due date on this work only.
    pub fn edit_task(
        &self,
        id: WorkId,
        group: usize,
        task: usize,
        change: TaskChange,
        actor: Actor,
    ) -> Result<WorkItem> {
        let title = match change.title.as_deref().map(str::trim) {
            Some("") => return Err(Error::invalid_field("title", "a task needs a title")),
            other => other.map(str::to_string),
        };
        if let Some(title) = &title {
            check_title(title)?;
        }
        let due = change
            .due_date
            .as_deref()
            .map(|d| parse_date("due_date", d))
            .transpose()
            .map_err(|e| e.on_field("due_date"))?;
        self.update_work(id, actor, |work, _| {
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; reopen it to change its tasks",
                ));
            }
            let g = work
                .groups
                .get_mut(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            let t = g.tasks.get_mut(task).ok_or_else(|| {
                Error::invalid(format!("work item has no task {task} in group {group}"))
            })?;
            let mut changed = Vec::new();
            if let Some(title) = &title
                && *title != t.title
            {
                changed.push(format!("renamed “{title}” (was “{}”)", t.title));
                t.title = title.clone();
            }
            if let Some(description) = &change.description
                && description.trim() != t.description
            {
                changed.push("description changed".to_string());
                t.description = description.trim().to_string();
            }
            if let Some(due) = due
                && due != t.due_date
            {
                changed.push(format!(
                    "due {} (was {})",
                    due.format("%-d %b %Y"),
                    t.due_date.format("%-d %b %Y")
                ));
                t.due_date = due;
            }
            if changed.is_empty() {
                return Ok(None);
            }
            Ok(Some((
                EventKind::GroupSettingsChanged,
                format!("“{}”: task “{}”: {}", g.name, t.title, changed.join("; ")),
            )))
        })
    }

    /// Removes a file from the work: its record goes (the client no longer sees it), and its
    /// bytes are collected later unless another record uses them.
    pub fn remove_file(&self, id: WorkId, file: &str, actor: Actor) -> Result<UploadedFile> {
        let file_id = ulid::Ulid::from_string(file)
            .map_err(|_| Error::invalid(format!("`{file}` is not a file id")))?;
        let key = child_key(id, file_id);
        let value = self
            .store
            .get(Tree::Files, &key)?
            .ok_or_else(|| Error::not_found("file", file))?;
        let record: UploadedFile = decode(&value)?;
        let mut batch = Batch::default();
        batch.expect(Tree::Files, key.clone(), Some(value));
        batch.remove(Tree::Files, key);
        batch.remove(Tree::FileRefs, record.ref_key());
        self.record_event(
            &mut batch,
            Some(id),
            None,
            actor,
            EventKind::FileRemoved,
            format!("File removed: {}", record.name),
        );
        self.store.commit(batch)?;
        Ok(record)
    }
}
