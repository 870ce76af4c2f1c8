//! Templates: creating, importing, finding, editing, archiving and restoring them. An edit
//! changes the work made from the template from then on; work already made keeps its copy.

use crate::docket::Docket;
use crate::model::StoredFile;
use crate::model::{
    DocumentRef, NewTemplate, PluginRef, TaskTemplate, Template, TemplateFile, TemplateId, new_id,
    sanitise_file_name,
};
use crate::plugin::{FirmCalendar, GroupState, SendRequest, TaskState, World};
use crate::store::{Batch, Tree, decode, get_record, scan_records};
use crate::{Error, Result};

impl Docket {
    pub fn create_template(&self, new: NewTemplate) -> Result<Template> {
        super::fields::validated(&new, true)?;
        self.check_plugins(&new)?;
        let now = self.now();
        let template = Template {
            id: TemplateId::new(now),
            name: new.name.trim().to_string(),
            description: new.description,
            groups: new.groups,
            created_at: now,
            updated_at: None,
            archived_at: None,
        };
        let mut batch = Batch::default();
        batch.create(
            Tree::TemplatesByName,
            template.name.to_lowercase().into_bytes(),
            template.id.key(),
            format!("a template named `{}` already exists", template.name),
        );
        batch.put_record(Tree::Templates, template.id.key(), &template);
        self.store.commit(batch)?;
        Ok(template)
    }

    /// Checks that every plugin a template names exists, is of the right world, and accepts the
    /// parameters given: each is asked once for a decision on a sample group, so a parameter it
    /// refuses is caught at import, not on the day a reminder should have gone out.
    fn check_plugins(&self, template: &NewTemplate) -> Result<()> {
        for group in &template.groups {
            let offsets: Vec<i32> = group.tasks.iter().map(|t| t.due_offset_days).collect();
            self.check_group_plugins(&group.name, &group.sending, &group.reminders, &offsets)?;
        }
        Ok(())
    }

    /// The check of `check_plugins` for one group: its sending rule and reminder policy, with
    /// tasks due at `due_offsets` days from today.
    pub(crate) fn check_group_plugins(
        &self,
        group_name: &str,
        sending: &crate::model::PluginRef,
        reminders: &crate::model::PluginRef,
        due_offsets: &[i32],
    ) -> Result<()> {
        let Some(host) = &self.plugins else {
            return Ok(());
        };
        let settings = self.firm_settings()?;
        let calendar = FirmCalendar {
            tz: settings.timezone,
            send_time: settings.send_time,
            holidays: settings.holidays.clone(),
        };
        let now = self.now();
        let today = now.with_timezone(&settings.timezone).date_naive();
        for (plugin, world, role, field) in [
            (sending, World::SendingRule, "sending rule", "sending"),
            (
                reminders,
                World::ReminderPolicy,
                "reminder policy",
                "reminders",
            ),
        ] {
            match host.plugin(&plugin.plugin) {
                Some(info) if info.world == world => {}
                Some(info) => {
                    return Err(Error::invalid_field(
                        field,
                        format!(
                            "group `{group_name}`: plugin `{}` is a {}, not a {role}",
                            plugin.plugin, info.world
                        ),
                    ));
                }
                None => {
                    return Err(Error::invalid_field(
                        field,
                        format!(
                            "group `{group_name}`: {role} {}",
                            host.not_installed(&plugin.plugin, world)
                        ),
                    ));
                }
            }
        }
        let tasks: Vec<TaskState> = due_offsets
            .iter()
            .map(|offset| TaskState {
                due: today + chrono::Days::new(u64::from((*offset).clamp(0, 366) as u32)),
                done: false,
                reminders_sent: 0,
            })
            .collect();
        let sample = GroupState {
            sent_at: now,
            last_reminder_at: None,
            tasks,
        };
        // Only a plugin's own refusal is about the parameters; a breach of the contract, a
        // timeout or a crash is the plugin's fault and is said so.
        let refused = |field: &str, role: &str, name: &str, e: crate::plugin::PluginError| {
            let what = match e {
                crate::plugin::PluginError::Refused { .. } => "does not accept its parameters",
                _ => "failed on a sample group",
            };
            Error::invalid_field(
                field,
                format!("group `{group_name}`: {role} `{name}` {what}: {e}"),
            )
        };
        host.next_reminder(
            &reminders.plugin,
            &calendar,
            &reminders.texts(),
            now,
            &sample,
        )
        .map_err(|e| refused("reminders", "reminder policy", &reminders.plugin, e))?;
        let request = SendRequest {
            start: today,
            first_due: sample.tasks.iter().map(|t| t.due).min(),
            task_count: sample.tasks.len() as u32,
        };
        host.send_at(&sending.plugin, &calendar, &sending.texts(), now, &request)
            .map_err(|e| refused("sending", "sending rule", &sending.plugin, e))?;
        Ok(())
    }

    /// Creates a template from the text of a template TOML file.
    pub fn import_template(&self, toml_text: &str) -> Result<Template> {
        self.create_template(NewTemplate::from_toml(toml_text)?)
    }

    pub fn template(&self, id: TemplateId) -> Result<Template> {
        get_record(self.store.as_ref(), Tree::Templates, &id.key())?
            .ok_or_else(|| Error::not_found("template", id))
    }

    /// The template with this name (any case) or id.
    pub fn find_template(&self, name_or_id: &str) -> Result<Template> {
        let by_name = self.store.get(
            Tree::TemplatesByName,
            name_or_id.trim().to_lowercase().as_bytes(),
        )?;
        if let Some(id) = by_name {
            return get_record(self.store.as_ref(), Tree::Templates, &id)?.ok_or_else(|| {
                Error::Storage(format!(
                    "template index points at a missing template `{name_or_id}`"
                ))
            });
        }
        match name_or_id.parse::<TemplateId>() {
            Ok(id) => self.template(id),
            Err(_) => Err(Error::not_found("template", name_or_id)),
        }
    }

    /// Adds a document whose bytes are already in the file store (from `upload_writer`) to task
    /// `task` of group `group` (both from 0) of a template. Work made from the template from
    /// now on gets it on that task for the client to download; work made before does not.
    pub fn attach_template_document(
        &self,
        name_or_id: &str,
        (group, task): (usize, usize),
        name: &str,
        content_type: String,
        stored: StoredFile,
    ) -> Result<Template> {
        self.check_stored(&stored)?;
        let name = sanitise_file_name(name);
        self.edit_documents(name_or_id, (group, task), |template, documents, batch| {
            let file = TemplateFile {
                id: new_id(self.now()),
                content_type,
                content: stored,
            };
            batch.put(Tree::FileRefs, file.ref_key(template), Vec::new());
            documents.push(DocumentRef {
                name,
                url: None,
                file: Some(file),
            });
            Ok(())
        })
    }

    /// Removes document `index` (from 0) of a template's task. Work already made keeps its copy.
    pub fn remove_template_document(
        &self,
        name_or_id: &str,
        (group, task): (usize, usize),
        index: usize,
    ) -> Result<Template> {
        self.edit_documents(name_or_id, (group, task), |template, documents, batch| {
            if index >= documents.len() {
                return Err(Error::invalid_field(
                    "document",
                    format!(
                        "the task has no document {index} (documents are numbered from 0; it has {})",
                        documents.len()
                    ),
                ));
            }
            if let Some(file) = documents.remove(index).file {
                batch.remove(Tree::FileRefs, file.ref_key(template));
            }
            Ok(())
        })
    }

    /// Changes the documents of one task of a template in one batch, guarded against a
    /// concurrent change.
    fn edit_documents(
        &self,
        name_or_id: &str,
        (group, task): (usize, usize),
        edit: impl FnOnce(TemplateId, &mut Vec<DocumentRef>, &mut Batch) -> Result<()>,
    ) -> Result<Template> {
        let id = self.find_template(name_or_id)?.id;
        let before = self
            .store
            .get(Tree::Templates, &id.key())?
            .ok_or_else(|| Error::not_found("template", id))?;
        let mut template: Template = decode(&before)?;
        let name = template.name.clone();
        let Some(tasks) = template.groups.get_mut(group).map(|g| &mut g.tasks) else {
            return Err(Error::invalid_field(
                "group",
                format!("template `{name}` has no group {group} (groups are numbered from 0)"),
            ));
        };
        let Some(documents) = tasks.get_mut(task).map(|t| &mut t.documents) else {
            return Err(Error::invalid_field(
                "task",
                format!(
                    "template `{name}` has no task {task} in group {group} (tasks are numbered from 0)"
                ),
            ));
        };
        let mut batch = Batch::default();
        edit(template.id, documents, &mut batch)?;
        template.updated_at = Some(self.now());
        batch.expect(Tree::Templates, template.id.key(), Some(before));
        batch.put_record(Tree::Templates, template.id.key(), &template);
        self.store.commit(batch)?;
        Ok(template)
    }

    /// Replaces a template's name, description, groups and tasks with `new` (the whole
    /// template, as `GET` gives it), checked as creation checks them, plugins included. A
    /// document's uploaded file is kept when `new` names it by id (as the template gave it);
    /// files it no longer names are removed from the template. Work already made from the
    /// template keeps its own copy; only work made from now on follows the edit.
    pub fn update_template(&self, name_or_id: &str, new: NewTemplate) -> Result<Template> {
        let (before, current) = self.template_for_edit(name_or_id)?;
        self.replace_template(before, current, new)
    }

    /// One edit of a template as the admin's forms make them (a group renamed, a task moved
    /// up, ...), applied to the template as it is now and checked as `update_template` checks.
    pub fn edit_template(&self, name_or_id: &str, edit: TemplateEdit) -> Result<Template> {
        let (before, current) = self.template_for_edit(name_or_id)?;
        let mut new = NewTemplate::from_template(&current);
        edit.apply(&mut new)?;
        self.replace_template(before, current, new)
    }

    /// Archives a template: it makes no new work until it is restored; work already made from
    /// it goes on. Archiving an archived template changes nothing.
    pub fn archive_template(&self, name_or_id: &str) -> Result<Template> {
        self.set_template_archived(name_or_id, true)
    }

    /// Restores an archived template, so work can be made from it again.
    pub fn restore_template(&self, name_or_id: &str) -> Result<Template> {
        self.set_template_archived(name_or_id, false)
    }

    fn set_template_archived(&self, name_or_id: &str, archive: bool) -> Result<Template> {
        let (before, mut template) = self.template_for_edit(name_or_id)?;
        if template.archived_at.is_some() == archive {
            return Ok(template);
        }
        template.archived_at = archive.then(|| self.now());
        let mut batch = Batch::default();
        batch.expect(Tree::Templates, template.id.key(), Some(before));
        batch.put_record(Tree::Templates, template.id.key(), &template);
        self.store.commit(batch)?;
        Ok(template)
    }

    /// The template's stored bytes (for the batch's guard) and the template.
    fn template_for_edit(&self, name_or_id: &str) -> Result<(Vec<u8>, Template)> {
        let id = self.find_template(name_or_id)?.id;
        let before = self
            .store
            .get(Tree::Templates, &id.key())?
            .ok_or_else(|| Error::not_found("template", id))?;
        let template = decode(&before)?;
        Ok((before, template))
    }

    fn replace_template(
        &self,
        before: Vec<u8>,
        current: Template,
        mut new: NewTemplate,
    ) -> Result<Template> {
        super::fields::validated(&new, false)?;
        // Uploaded files: only those of this template, as stored (never as the caller says).
        let mut files: std::collections::HashMap<ulid::Ulid, TemplateFile> = current
            .groups
            .iter()
            .flat_map(|g| &g.tasks)
            .flat_map(|t| &t.documents)
            .filter_map(|d| d.file.clone())
            .map(|f| (f.id, f))
            .collect();
        for doc in new
            .groups
            .iter_mut()
            .flat_map(|g| &mut g.tasks)
            .flat_map(|t| &mut t.documents)
        {
            if let Some(file) = &mut doc.file {
                let Some(kept) = files.remove(&file.id) else {
                    return Err(Error::invalid(format!(
                        "document `{}` names the file {}, which is not one of this template's; upload a file to a task (POST /api/templates/ID/groups/G/tasks/T/documents) rather than naming it",
                        doc.name, file.id
                    )));
                };
                *file = kept;
            }
        }
        self.check_plugins(&new)?;
        let name = new.name.trim().to_string();
        let mut batch = Batch::default();
        if name.to_lowercase() != current.name.to_lowercase() {
            batch.remove(
                Tree::TemplatesByName,
                current.name.to_lowercase().into_bytes(),
            );
            batch.create(
                Tree::TemplatesByName,
                name.to_lowercase().into_bytes(),
                current.id.key(),
                format!("a template named `{name}` already exists"),
            );
        }
        // What `files` still holds is no longer named: its bytes may be collected.
        for file in files.values() {
            batch.remove(Tree::FileRefs, file.ref_key(current.id));
        }
        let old_name = current.name.clone();
        let template = Template {
            name,
            description: new.description,
            groups: new.groups,
            updated_at: Some(self.now()),
            ..current
        };
        batch.expect(Tree::Templates, template.id.key(), Some(before));
        batch.put_record(Tree::Templates, template.id.key(), &template);
        self.store.commit(batch)?;
        // Search finds its work by the new name, not the old.
        self.reindex_template_work(&template, &old_name)?;
        Ok(template)
    }

    pub fn list_templates(&self) -> Result<Vec<Template>> {
        scan_records(
            self.store.as_ref(),
            Tree::Templates,
            b"",
            None,
            usize::MAX,
            false,
        )
    }
}

/// One change to a template, as the admin's forms make them. Groups and tasks are numbered
/// from 0, in the template's order.
#[derive(Debug, Clone)]
pub enum TemplateEdit {
    /// The template's name and description.
    Details {
        name: String,
        description: String,
    },
    /// A new group at the end, with its first task (a group has at least one).
    AddGroup {
        name: String,
        task: TaskTemplate,
    },
    /// A group's name, sending rule and reminder policy with their parameters.
    Group {
        group: usize,
        name: String,
        sending: PluginRef,
        reminders: PluginRef,
    },
    RemoveGroup {
        group: usize,
    },
    /// Moves a group one place up (towards the first) or down.
    MoveGroup {
        group: usize,
        up: bool,
    },
    /// A new task at the end of a group.
    AddTask {
        group: usize,
        task: TaskTemplate,
    },
    /// A task's title, description and due offset; its documents stay.
    Task {
        group: usize,
        task: usize,
        title: String,
        description: String,
        due_offset_days: i32,
    },
    RemoveTask {
        group: usize,
        task: usize,
    },
    /// A document the client fetches from a web address, added to a task.
    AddLink {
        group: usize,
        task: usize,
        name: String,
        url: String,
    },
    /// Moves a task one place up or down within its group.
    MoveTask {
        group: usize,
        task: usize,
        up: bool,
    },
}

impl TemplateEdit {
    fn apply(self, t: &mut NewTemplate) -> Result<()> {
        fn group(t: &mut NewTemplate, g: usize) -> Result<&mut crate::model::GroupTemplate> {
            let name = t.name.clone();
            t.groups.get_mut(g).ok_or_else(|| {
                Error::invalid_field(
                    "group",
                    format!("template `{name}` has no group {g} (groups are numbered from 0)"),
                )
            })
        }
        fn task_index(group: &crate::model::GroupTemplate, task: usize) -> Result<usize> {
            if task < group.tasks.len() {
                Ok(task)
            } else {
                Err(Error::invalid_field(
                    "task",
                    format!(
                        "group `{}` has no task {task} (tasks are numbered from 0)",
                        group.name
                    ),
                ))
            }
        }
        /// The place `i` moves to, or `None` at the end it moves towards.
        fn moved(i: usize, up: bool, len: usize) -> Option<usize> {
            if up {
                i.checked_sub(1)
            } else {
                Some(i + 1).filter(|j| *j < len)
            }
        }
        match self {
            TemplateEdit::Details { name, description } => {
                t.name = name;
                t.description = description;
            }
            TemplateEdit::AddGroup { name, task } => {
                t.groups.push(crate::model::GroupTemplate {
                    name,
                    sending: PluginRef::manual(),
                    reminders: PluginRef::gentle(),
                    tasks: vec![task],
                });
            }
            TemplateEdit::Group {
                group: g,
                name,
                sending,
                reminders,
            } => {
                let group = group(t, g)?;
                group.name = name;
                group.sending = sending;
                group.reminders = reminders;
            }
            TemplateEdit::RemoveGroup { group: g } => {
                group(t, g)?;
                if t.groups.len() == 1 {
                    return Err(Error::invalid(
                        "a template keeps at least one group; add another before removing this one",
                    ));
                }
                t.groups.remove(g);
            }
            TemplateEdit::MoveGroup { group: g, up } => {
                group(t, g)?;
                if let Some(to) = moved(g, up, t.groups.len()) {
                    t.groups.swap(g, to);
                }
            }
            TemplateEdit::AddTask { group: g, task } => group(t, g)?.tasks.push(task),
            TemplateEdit::Task {
                group: g,
                task,
                title,
                description,
                due_offset_days,
            } => {
                let group = group(t, g)?;
                let index = task_index(group, task)?;
                let task = &mut group.tasks[index];
                task.title = title;
                task.description = description;
                task.due_offset_days = due_offset_days;
            }
            TemplateEdit::RemoveTask { group: g, task } => {
                let group = group(t, g)?;
                let index = task_index(group, task)?;
                if group.tasks.len() == 1 {
                    return Err(Error::invalid(
                        "a group keeps at least one task; add another before removing this one",
                    ));
                }
                group.tasks.remove(index);
            }
            TemplateEdit::AddLink {
                group: g,
                task,
                name,
                url,
            } => {
                let group = group(t, g)?;
                let index = task_index(group, task)?;
                group.tasks[index]
                    .documents
                    .push(crate::model::DocumentRef {
                        name: name.trim().to_string(),
                        url: Some(url.trim().to_string()),
                        file: None,
                    });
            }
            TemplateEdit::MoveTask { group: g, task, up } => {
                let group = group(t, g)?;
                let task = task_index(group, task)?;
                if let Some(to) = moved(task, up, group.tasks.len()) {
                    group.tasks.swap(task, to);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
