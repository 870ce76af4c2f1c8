//! Work made from a template: one item (`create_work`), or the same work for many contacts in
//! one step (`create_work_bulk`: all of it in one batch, or nothing and every bad contact named),
//! and who may be given work — a recipient contact, an assignee.

use chrono::{DateTime, NaiveDate, Utc};

use crate::docket::Docket;
use crate::docket::work::repeat_rule::{check_pattern, fill_dated};
use crate::due::due_date;
use crate::model::{
    Actor, ClientTask, ClientTaskGroup, Contact, ContactId, EventKind, NewBulkWork, NewContact,
    NewWork, Template, UploadedFile, UserId, WorkId, WorkItem, WorkStatus, new_id,
};
use crate::store::{Batch, Tree};
use crate::{Error, Result};

/// Most contacts one bulk create takes.
pub const MAX_BULK_CONTACTS: usize = 1000;

/// A bulk create's title when none is given: `{contact}` is the contact's name, `{template}`
/// the template's.
pub const DEFAULT_BULK_TITLE: &str = "{contact} — {template}";

/// The name clients see of each item a bulk create makes, when none is given: the template and
/// the start date's month, so that two periods' requests read apart.
pub const DEFAULT_BULK_EXTERNAL_NAME: &str = "{template} ({month})";

/// The placeholders a bulk create's title and client-facing name may use: the contact's name,
/// the template's, and the start date's month, quarter, year or date.
pub const BULK_PLACEHOLDERS: [&str; 6] =
    ["contact", "template", "month", "quarter", "year", "date"];

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

    /// Makes the same work from one template for each contact given — every group of each
    /// item goes to its contact — in one batch: all of it, or nothing, refused with every
    /// contact that cannot have it named.
    pub fn create_work_bulk(&self, new: NewBulkWork, actor: Actor) -> Result<Vec<WorkItem>> {
        let (batch, works) = self.bulk_batch(new, &actor)?;
        self.store.commit(batch)?;
        Ok(works)
    }

    /// The batch that makes a bulk create's work, and the work it makes (not yet committed).
    pub(in crate::docket) fn bulk_batch(
        &self,
        new: NewBulkWork,
        actor: &Actor,
    ) -> Result<(Batch, Vec<WorkItem>)> {
        let (template, start_date, assignee) =
            self.work_basis(&new.template, new.start_date, new.assignee.as_deref())?;
        let wanted = self.bulk_contacts(&new.contacts, new.add_contacts)?;
        let title_pattern = given(new.title).unwrap_or_else(|| DEFAULT_BULK_TITLE.into());
        check_pattern("title", "title", &title_pattern, &BULK_PLACEHOLDERS)?;
        let external_pattern =
            given(new.external_name).unwrap_or_else(|| DEFAULT_BULK_EXTERNAL_NAME.into());
        check_pattern(
            "external_name",
            "name clients see",
            &external_pattern,
            &BULK_PLACEHOLDERS,
        )?;
        // Contacts pasted that are new are made in the same batch as the work: both, or neither.
        let mut batch = Batch::default();
        let mut contacts = Vec::with_capacity(wanted.len());
        for one in wanted {
            contacts.push(match one {
                BulkContact::Known(c) => c,
                BulkContact::New(n) => self.write_new_contact(&mut batch, n, actor.clone())?,
            });
        }
        let now = self.now();
        let mut works = Vec::with_capacity(contacts.len());
        for contact in &contacts {
            let locale = self.locale_of(contact)?;
            let title = fill_dated(
                &title_pattern,
                &contact.name,
                &template.name,
                start_date,
                locale,
            );
            let external_name = fill_dated(
                &external_pattern,
                &contact.name,
                &template.name,
                start_date,
                locale,
            );
            let recipients = vec![contact.id; template.groups.len()];
            works.push(build_work(
                &template,
                start_date,
                assignee,
                title,
                external_name,
                &recipients,
                now,
            )?);
        }
        self.replan(&mut works, now)?;
        for work in &works {
            self.write_new_work(&mut batch, &template, work, actor, now)?;
        }
        Ok((batch, works))
    }

    /// The work items one bulk create made, for its summary: `first` (the first item made) and
    /// the others made in the same batch — the same template at the same instant, their ids
    /// following it — at most `count` in all, in the order made.
    pub fn work_made_with(&self, first: WorkId, count: usize) -> Result<Vec<WorkItem>> {
        let head = self.work(first)?;
        let key = first.key();
        // Ids made in one batch share their first ten characters (the instant, to the ms).
        let prefix = &key[..10.min(key.len())];
        let mut made = vec![head.clone()];
        let mut after = key.clone();
        while made.len() < count {
            let page: Vec<WorkItem> = crate::store::scan_records(
                self.store.as_ref(),
                Tree::Work,
                prefix,
                Some(&after),
                500,
                false,
            )?;
            let Some(last) = page.last() else { break };
            after = last.id.key();
            let full = page.len() == 500;
            made.extend(
                page.into_iter().filter(|w| {
                    w.created_at == head.created_at && w.template_id == head.template_id
                }),
            );
            if !full {
                break;
            }
        }
        made.truncate(count);
        Ok(made)
    }

    /// What every new work item checks first: its template (live), its start date and its
    /// assignee, if one is given.
    fn work_basis(
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

    /// The contacts of a bulk create, each found once (one given twice, by id and by email, say,
    /// is taken once): refused with every one that cannot have the work named. With `add`, one
    /// given as `Name <email>` that is not a contact yet is to be made.
    fn bulk_contacts(&self, given: &[String], add: bool) -> Result<Vec<BulkContact>> {
        let wanted: Vec<&str> = given
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if wanted.is_empty() {
            return Err(Error::invalid_field(
                "contacts",
                "choose at least one contact (their emails or ids) to make the work for",
            ));
        }
        if wanted.len() > MAX_BULK_CONTACTS {
            return Err(Error::invalid_field(
                "contacts",
                format!(
                    "{} contacts were given; at most {MAX_BULK_CONTACTS} can be given at once, so split the list",
                    wanted.len()
                ),
            ));
        }
        let mut contacts: Vec<BulkContact> = Vec::with_capacity(wanted.len());
        let mut bad: Vec<String> = Vec::new();
        for typed in &wanted {
            let (name, email) = named_email(typed);
            match self.recipient_contact(email) {
                // Ticked and pasted, or pasted twice: one work item for them all the same.
                Ok(c) if contacts.iter().any(|known| known.is(&c.email)) => {}
                Ok(c) => contacts.push(BulkContact::Known(c)),
                Err(e) if e.is_invalid() && add && self.is_unknown_email(email)? => {
                    match self.bulk_new_contact(name, email) {
                        Ok(n) if contacts.iter().any(|known| known.is(&n.email)) => {}
                        Ok(n) => contacts.push(BulkContact::New(n)),
                        Err(why) => bad.push(why),
                    }
                }
                Err(e) if e.is_invalid() => bad.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        if !bad.is_empty() {
            return Err(Error::invalid_field(
                "contacts",
                format!(
                    "nothing was made: {} of the {} contacts cannot have this work — {}",
                    bad.len(),
                    wanted.len(),
                    bad.join("; ")
                ),
            ));
        }
        Ok(contacts)
    }

    /// `email` is an address no contact has (not an id, not an archived contact's).
    fn is_unknown_email(&self, email: &str) -> Result<bool> {
        Ok(email.parse::<ContactId>().is_err() && self.contact_by_email(email)?.is_none())
    }

    /// The contact a bulk create adds for an unknown `email`: it needs a name, given as
    /// `Name <email>`; refused with why in words.
    fn bulk_new_contact(
        &self,
        name: Option<&str>,
        email: &str,
    ) -> std::result::Result<NewContact, String> {
        let Some(name) = name else {
            return Err(format!(
                "{email} is not a contact yet; give it as Name <{email}> to add it"
            ));
        };
        let normal = crate::model::normalise_email(email).map_err(|e| e.to_string())?;
        crate::docket::contacts::edits::contact_name(name, &normal).map_err(|e| e.to_string())?;
        Ok(NewContact {
            name: name.to_string(),
            email: normal,
            timezone: None,
            locale: None,
        })
    }

    /// The template work is made from, by id or name: refused when it is archived.
    fn live_template(&self, template: &str) -> Result<Template> {
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
    fn given_assignee(&self, assignee: Option<&str>) -> Result<Option<UserId>> {
        match assignee.map(str::trim).filter(|a| !a.is_empty()) {
            Some(given) => Ok(Some(
                self.assignee(given).map_err(|e| e.on_field("assignee"))?,
            )),
            None => Ok(None),
        }
    }

    /// Every field of a bulk create that is wrong — template, start date, assignee, contacts,
    /// title, name clients see — each as an invalid-input error naming its field, so a form
    /// says all of them at once (as the new-work form does) rather than the first
    /// `create_work_bulk` meets. Empty when each passes its own check.
    pub fn bulk_work_problems(&self, new: &NewBulkWork) -> Result<Vec<Error>> {
        let mut found = vec![
            match self.live_template(&new.template) {
                Err(Error::NotFound { .. }) => Err(Error::invalid_field(
                    "template",
                    format!("no template is called `{}`", new.template.trim()),
                )),
                other => other.map(drop),
            },
            match new.start_date {
                Some(date) => self.check_start_date(date),
                None => Err(Error::invalid_field("start_date", "enter a start date")),
            },
            self.given_assignee(new.assignee.as_deref()).map(drop),
            self.bulk_contacts(&new.contacts, new.add_contacts)
                .map(drop),
        ];
        for (field, words, pattern) in [
            ("title", "title", &new.title),
            ("external_name", "name clients see", &new.external_name),
        ] {
            if let Some(pattern) = pattern.as_deref().filter(|p| !p.trim().is_empty()) {
                found.push(check_pattern(field, words, pattern, &BULK_PLACEHOLDERS));
            }
        }
        let mut problems = Vec::new();
        for outcome in found {
            match outcome {
                Ok(()) => {}
                Err(e) if e.is_invalid() => problems.push(e),
                Err(e) => return Err(e),
            }
        }
        Ok(problems)
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

    fn recipient_contact(&self, given: &str) -> Result<Contact> {
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

/// A contact of a bulk create: one in the directory, or one to add with the work.
pub(in crate::docket) enum BulkContact {
    Known(Contact),
    New(NewContact),
}

impl BulkContact {
    /// Whether this is the contact with `email` (already normalised).
    fn is(&self, email: &str) -> bool {
        match self {
            BulkContact::Known(c) => c.email == email,
            BulkContact::New(n) => n.email == email,
        }
    }
}

/// `Name <email>` split into its name and its email; anything else is all email.
fn named_email(typed: &str) -> (Option<&str>, &str) {
    match typed.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
        Some((name, email)) => {
            let name = name.trim().trim_matches('"').trim();
            ((!name.is_empty()).then_some(name), email.trim())
        }
        None => (None, typed),
    }
}

/// A name given, trimmed, or `None` when left empty.
fn given(name: Option<String>) -> Option<String> {
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

#[cfg(test)]
#[path = "create_tests.rs"]
mod tests;
