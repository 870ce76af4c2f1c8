//! Templates: creating, importing and finding them.

use super::Docket;
use crate::model::{
    DocumentRef, NewTemplate, Template, TemplateFile, TemplateId, new_id, sanitise_file_name,
};
use crate::plugin::{FirmCalendar, GroupState, SendRequest, TaskState, World};
use crate::store::{Batch, StoredFile, Tree, decode, get_record, scan_records};
use crate::{Error, Result};

impl Docket {
    pub fn create_template(&self, new: NewTemplate) -> Result<Template> {
        new.validate()?;
        self.check_plugins(&new)?;
        let now = self.now();
        let template = Template {
            id: TemplateId::new(now),
            name: new.name.trim().to_string(),
            description: new.description,
            groups: new.groups,
            created_at: now,
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
        for (plugin, world, role) in [
            (sending, World::SendingRule, "sending rule"),
            (reminders, World::ReminderPolicy, "reminder policy"),
        ] {
            match host.plugin(&plugin.plugin) {
                Some(info) if info.world == world => {}
                Some(info) => {
                    return Err(Error::invalid(format!(
                        "group `{group_name}`: plugin `{}` is a {}, not a {role}",
                        plugin.plugin, info.world
                    )));
                }
                None => {
                    return Err(Error::invalid(format!(
                        "group `{group_name}`: {role} `{}` is not a plugin here; `docket plugin list` shows those there are",
                        plugin.plugin
                    )));
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
        let refused = |role: &str, name: &str, e: crate::plugin::PluginError| {
            let what = match e {
                crate::plugin::PluginError::Refused { .. } => "does not accept its parameters",
                _ => "failed on a sample group",
            };
            Error::invalid(format!("group `{group_name}`: {role} `{name}` {what}: {e}"))
        };
        host.next_reminder(
            &reminders.plugin,
            &calendar,
            &reminders.params,
            now,
            &sample,
        )
        .map_err(|e| refused("reminder policy", &reminders.plugin, e))?;
        let request = SendRequest {
            start: today,
            first_due: sample.tasks.iter().map(|t| t.due).min(),
            task_count: sample.tasks.len() as u32,
        };
        host.send_at(&sending.plugin, &calendar, &sending.params, now, &request)
            .map_err(|e| refused("sending rule", &sending.plugin, e))?;
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
        self.edit_template(name_or_id, (group, task), |template, documents, batch| {
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
        self.edit_template(name_or_id, (group, task), |template, documents, batch| {
            if index >= documents.len() {
                return Err(Error::invalid(format!(
                    "the task has no document {index} (documents are numbered from 0; it has {})",
                    documents.len()
                )));
            }
            if let Some(file) = documents.remove(index).file {
                batch.remove(Tree::FileRefs, file.ref_key(template));
            }
            Ok(())
        })
    }

    /// Changes the documents of one task of a template in one batch, guarded against a
    /// concurrent change.
    fn edit_template(
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
            return Err(Error::invalid(format!(
                "template `{name}` has no group {group} (groups are numbered from 0)"
            )));
        };
        let Some(documents) = tasks.get_mut(task).map(|t| &mut t.documents) else {
            return Err(Error::invalid(format!(
                "template `{name}` has no task {task} in group {group} (tasks are numbered from 0)"
            )));
        };
        let mut batch = Batch::default();
        edit(template.id, documents, &mut batch)?;
        batch.expect(Tree::Templates, template.id.key(), Some(before));
        batch.put_record(Tree::Templates, template.id.key(), &template);
        self.store.commit(batch)?;
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

#[cfg(test)]
mod tests {
    use crate::Error;
    use crate::demo::EXAMPLE_TEMPLATES;
    use crate::docket::test_support::docket_at;

    #[test]
    fn templates_import_once_by_name() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let t = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
        assert_eq!(docket.find_template(&t.name.to_uppercase()).unwrap(), t);
        assert_eq!(docket.find_template(&t.id.to_string()).unwrap(), t);
        let err = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        assert!(matches!(
            docket.find_template("nope"),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(docket.list_templates().unwrap().len(), 1);
    }

    #[test]
    fn documents_link_to_web_addresses_only_and_start_dates_are_sane() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        for url in [
            "javascript:alert(1)",
            "data:text/html,x",
            "https://a b.example",
        ] {
            let text = format!(
                "name = \"T\"\n[[groups]]\nname = \"G\"\n[[groups.tasks]]\ntitle = \"X\"\ndue = 1\ndocuments = [{{ name = \"Guide\", url = \"{url}\" }}]\n"
            );
            let err = docket.import_template(&text).unwrap_err().to_string();
            assert!(err.contains("give a web address"), "{url}: {err}");
        }
        assert!(docket.list_templates().unwrap().is_empty());
        docket.import_template(EXAMPLE_TEMPLATES[1]).unwrap();
        docket
            .create_contact(
                crate::model::NewContact {
                    name: "Bob".into(),
                    email: "bob@client.example".into(),
                    timezone: None,
                },
                crate::model::Actor::System,
            )
            .unwrap();
        for start in ["1900-01-01", "9999-12-31"] {
            let err = docket
                .create_work(
                    crate::model::NewWork {
                        template: "Monthly bookkeeping".into(),
                        start_date: Some(start.parse().unwrap()),
                        contacts: vec!["bob@client.example".into()],
                        ..Default::default()
                    },
                    crate::model::Actor::System,
                )
                .unwrap_err()
                .to_string();
            assert!(err.contains("more than ten years from today"), "{err}");
        }
    }
}
