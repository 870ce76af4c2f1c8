//! The same work for many contacts in one step (`create_work_bulk`): every item in one batch,
//! or nothing and every bad contact named; contacts pasted as `Name <email>` added with the
//! work when asked; and every wrong field of the form at once (`bulk_work_problems`).

use super::create::{DEFAULT_BULK_TITLE, build_work, given};
use crate::docket::Docket;
use crate::docket::work::repeat_rule::{check_pattern, fill_dated};
use crate::model::{Actor, Contact, ContactId, NewBulkWork, NewContact, WorkId, WorkItem};
use crate::store::{Batch, Tree};
use crate::{Error, Result};

/// Most contacts one bulk create takes.
pub const MAX_BULK_CONTACTS: usize = 1000;

/// The name clients see of each item a bulk create makes, when none is given: the template and
/// the start date's month, so that two periods' requests read apart.
pub const DEFAULT_BULK_EXTERNAL_NAME: &str = "{template} ({month})";

/// The placeholders a bulk create's title and client-facing name may use: the contact's name,
/// the template's, and the start date's month, quarter, year or date.
pub const BULK_PLACEHOLDERS: [&str; 6] =
    ["contact", "template", "month", "quarter", "year", "date"];

impl Docket {
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

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
