//! Work made from a template: one item (`create_work`; many at once are in `bulk.rs`), what
//! every new item is built from (template, start date, assignee), and who may be given work —
//! a recipient contact, an assignee.

use chrono::{DateTime, NaiveDate, Utc};

use crate::docket::Docket;
use crate::docket::work::repeat_rule::fill_dated;
use crate::due::due_date;
use crate::model::{
    Actor, ClientTask, ClientTaskGroup, Contact, ContactId, EventKind, NewWork, Template,
    UploadedFile, UserId, WorkId, WorkItem, WorkStatus, new_id,
};
use crate::store::{Batch, Tree};
use crate::{Error, Result};

/// The title of new work when none is given (one item or a bulk create's): `{contact}` is the contact's name, `{template}`
/// the template's.
pub const DEFAULT_BULK_TITLE: &str = "{contact} — {template}";

impl Docket {
    pub fn create_work(&self, new: NewWork, actor: Actor) -> Result<WorkItem> {
        let (template, start_date, assignee) =
            self.work_basis(&new.template, new.start_date, new.assignee.as_deref())?;
        let recipients = self
            .resolve_recipients(&new.contacts, template.groups.len(), &template.name)
            .map_err(|e| e.on_field("contacts"))?;
        // Untitled, it is named as a bulk create names its items — for the first group's
        // contact — so that two clients' work reads apart. The client sees the title staff
        // typed, else the template's name.
        let typed = given(new.title);
        let external_name = given(new.external_name)
            .or_else(|| typed.clone())
            .unwrap_or_else(|| template.name.clone());
        let title = match typed {
            Some(title) => title,
            None => {
                let contact = self.contact(recipients[0])?;
                let locale = self.locale_of(&contact)?;
                fill_dated(
                    DEFAULT_BULK_TITLE,
                    &contact.name,
                    &template.name,
                    start_date,
                    locale,
                )
                .chars()
                .take(crate::model::MAX_NAME_CHARS)
                .collect()
            }
        };
        let now = self.now();
        let mut work = build_work(
            &template,
            start_date,
            assignee,
            title,
            external_name,
            &recipients,
            now,
        )?;
        self.replan(std::slice::from_mut(&mut work), now)?;
        let mut batch = Batch::default();
        self.write_new_work(&mut batch, &template, &work, &actor, now)?;
        self.store.commit(batch)?;
        Ok(work)
    }

    /// What every new work item checks first: its template (live), its start date and its
    /// assignee, if one is given.
    pub(super) fn work_basis(
        &self,
        template: &str,
        start_date: Option<NaiveDate>,
        assignee: Option<&str>,
    ) -> Result<(Template, NaiveDate, Option<UserId>)> {
        let template = self.live_template(template)?;
        let start_date = start_date.ok_or_else(|| {
            Error::invalid_field(
                "start_date",
                format!("work from template `{}` needs a start date", template.name),
            )
        })?;
        self.check_start_date(start_date)?;
        let assignee = self.given_assignee(assignee)?;
        Ok((template, start_date, assignee))
    }

    /// The template work is made from, by id or name: refused when it is archived.
    pub(super) fn live_template(&self, template: &str) -> Result<Template> {
        let template = self.find_template(template)?;
        if template.archived_at.is_some() {
            return Err(Error::invalid_field(
                "template",
                format!(
                    "template `{}` is archived; restore it (`docket template restore`, or POST /api/templates/ID/restore) to make work from it",
                    template.name
                ),
            ));
        }
        Ok(template)
    }

    /// The member work is assigned to, when one is given.
    pub(super) fn given_assignee(&self, assignee: Option<&str>) -> Result<Option<UserId>> {
        match assignee.map(str::trim).filter(|a| !a.is_empty()) {
            Some(given) => Ok(Some(
                self.assignee(given).map_err(|e| e.on_field("assignee"))?,
            )),
            None => Ok(None),
        }
    }

    /// Adds a new work item to `batch` with its indexes, the template's documents as its files
    /// and the timeline events of its creation (its own and each recipient's).
    pub(in crate::docket) fn write_new_work(
        &self,
        batch: &mut Batch,
        template: &Template,
        work: &WorkItem,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        batch.create(
            Tree::Work,
            work.id.key(),
            Vec::new(),
            "a work item with this id already exists",
        );
        self.write_work(batch, None, work)?;
        // Documents uploaded to the template's tasks become this work's files on the same tasks
        // (sharing the bytes), which the client downloads from the checklist.
        for (g, group) in template.groups.iter().enumerate() {
            for (t, task) in group.tasks.iter().enumerate() {
                for doc in &task.documents {
                    let Some(file) = &doc.file else { continue };
                    let record = UploadedFile {
                        id: new_id(now),
                        work: work.id,
                        at: now,
                        uploaded_by: actor.clone(),
                        name: doc.name.clone(),
                        content_type: file.content_type.clone(),
                        content: file.content.clone(),
                        task: Some((g, t)),
                        type_mismatch: crate::filetype::mismatch(&doc.name, &file.content_type),
                    };
                    batch.put_record(
                        Tree::Files,
                        crate::docket::work::exchange::child_key(work.id, record.id),
                        &record,
                    );
                    batch.put(Tree::FileRefs, record.ref_key(), Vec::new());
                }
            }
        }
        for contact in work.recipients() {
            self.record_contact_event(
                batch,
                contact,
                work.id,
                actor.clone(),
                EventKind::WorkCreated,
                format!("Work “{}” created", work.external_name),
            );
        }
        self.record_event(
            batch,
            Some(work.id),
            None,
            actor.clone(),
            EventKind::WorkCreated,
            format!(
                "Created from template “{}”, starting {}",
                template.name,
                work.start_date.format("%-d %b %Y")
            ),
        );
        Ok(())
    }

    fn resolve_recipients(
        &self,
        contacts: &[String],
        groups: usize,
        template: &str,
    ) -> Result<Vec<ContactId>> {
        let ids = contacts
            .iter()
            .map(|given| self.recipient(given))
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

    /// A staff member work can be assigned to, by email or id: known and not disabled.
    pub(crate) fn assignee(&self, given: &str) -> Result<UserId> {
        let member = self.assignable(given)?;
        if member.disabled_at.is_some() {
            return Err(Error::invalid(format!(
                "{} is disabled; assign the work to an active member of staff (or enable them first)",
                member.email
            )));
        }
        Ok(member.id)
    }

    fn assignable(&self, given: &str) -> Result<crate::model::StaffUser> {
        if let Ok(id) = given.trim().parse::<UserId>() {
            return self.user(id);
        }
        // Neither an id nor an email: said with what was typed, as typed.
        if crate::model::normalise_email(given).is_err() {
            return Err(Error::invalid(format!(
                "no staff member has the id or email `{}`; give a staff member's email or id",
                given.trim()
            )));
        }
        self.user_by_email(&crate::model::normalise_email(given)?)?
            .ok_or_else(|| {
                Error::invalid(format!(
                    "no staff member has the email {}; an admin adds them on the Staff page of the web admin (or with `docket user add`)",
                    given.trim()
                ))
            })
    }

    /// A contact who can be sent work, by id or email: known and not archived.
    pub(crate) fn recipient(&self, given: &str) -> Result<ContactId> {
        self.recipient_contact(given).map(|c| c.id)
    }

    pub(super) fn recipient_contact(&self, given: &str) -> Result<Contact> {
        let given = given.trim();
        let contact = match given.parse::<ContactId>() {
            Ok(id) => match self.contact(id) {
                Ok(c) => Some(c),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            Err(_) => self.contact_by_email(given)?,
        };
        match contact {
            Some(c) if c.archived_at.is_some() => Err(Error::invalid(format!(
                "contact {given} is archived; restore them first"
            ))),
            Some(c) => Ok(c),
            None => Err(Error::invalid(format!(
                "unknown contact {given}; create the contact first"
            ))),
        }
    }
}

/// A name given, trimmed, or `None` when left empty.
pub(super) fn given(name: Option<String>) -> Option<String> {
    name.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// A new work item from `template`, its groups going to `recipients` (one per group), planned
/// by nobody yet (`replan` sets each group's next fire).
pub(in crate::docket) fn build_work(
    template: &Template,
    start_date: NaiveDate,
    assignee: Option<UserId>,
    title: String,
    external_name: String,
    recipients: &[ContactId],
    now: DateTime<Utc>,
) -> Result<WorkItem> {
    for (field, text) in [("title", &title), ("external_name", &external_name)] {
        if text.chars().count() > crate::model::MAX_NAME_CHARS {
            return Err(Error::invalid_field(
                field,
                format!(
                    "a work item's {} may be at most {} characters",
                    if field == "title" {
                        "title"
                    } else {
                        "name the client sees"
                    },
                    crate::model::MAX_NAME_CHARS
                ),
            ));
        }
    }
    let mut groups = Vec::with_capacity(template.groups.len());
    for (group, recipient) in template.groups.iter().zip(recipients) {
        let tasks = group
            .tasks
            .iter()
            .map(|task| {
                Ok(ClientTask {
                    title: task.title.clone(),
                    description: task.description.clone(),
                    due_date: due_date(start_date, task.due_offset_days)?,
                    // Uploaded documents become the work's own files (`write_new_work`).
                    documents: task
                        .documents
                        .iter()
                        .filter(|d| d.file.is_none())
                        .cloned()
                        .collect(),
                    done_at: None,
                    done_by: None,
                    reminders_sent: 0,
                    reviews: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        groups.push(ClientTaskGroup {
            name: group.name.clone(),
            recipient: *recipient,
            sending: group.sending.clone(),
            reminders: group.reminders.clone(),
            sender: None,
            sent_at: None,
            sent_by: None,
            sends: 0,
            reminders_sent: 0,
            last_reminder_at: None,
            next: None,
            recipient_since: None,
            stuck: None,
            tasks,
        });
    }
    Ok(WorkItem {
        id: WorkId::new(now),
        template_id: template.id,
        title,
        external_name,
        start_date,
        assignee,
        status: WorkStatus::Planned,
        sub_status: None,
        groups,
        created_at: now,
        updated_at: now,
        paused: None,
        repeat: None,
        repeated_from: None,
    })
}
