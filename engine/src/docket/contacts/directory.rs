//! The contacts directory: contacts created (unique by email), found by id or email, listed in
//! creation order, archived (their portal access ends) and restored.

use crate::docket::Docket;
use crate::model::{Actor, Contact, ContactId, EventKind, NewContact, normalise_email};
use crate::store::{Batch, Tree, get_record, scan_records};
use crate::{Error, Result};

impl Docket {
    pub fn create_contact(&self, new: NewContact, actor: Actor) -> Result<Contact> {
        let mut batch = Batch::default();
        let contact = self.write_new_contact(&mut batch, new, actor)?;
        self.store.commit(batch)?;
        Ok(contact)
    }

    /// Adds a new contact to `batch` (create-only by email, so a contact made meanwhile with the
    /// same email refuses the whole batch), with its search entries and its event.
    pub(crate) fn write_new_contact(
        &self,
        batch: &mut Batch,
        new: NewContact,
        actor: Actor,
    ) -> Result<Contact> {
        let email = normalise_email(&new.email).map_err(|e| e.on_field("email"))?;
        let name = crate::docket::contacts::edits::contact_name(&new.name, &email)?;
        let timezone =
            crate::docket::contacts::edits::contact_zone(new.timezone.as_deref().unwrap_or(""))?;
        let locale =
            crate::docket::contacts::edits::contact_locale(new.locale.as_deref().unwrap_or(""))?;
        let now = self.now();
        let contact = Contact {
            id: ContactId::new(now),
            name,
            email,
            timezone,
            created_at: now,
            archived_at: None,
            paused: None,
            holidays: Vec::new(),
            locale,
        };
        batch.create(
            Tree::ContactsByEmail,
            contact.email.as_bytes(),
            contact.id.key(),
            // As typed: the address is found in any case, but the message echoes the input.
            format!("a contact with email {} already exists", new.email.trim()),
        );
        batch.put_record(Tree::Contacts, contact.id.key(), &contact);
        crate::docket::work::search::write_contact_search(batch, None, &contact);
        self.record_event(
            batch,
            None,
            Some(contact.id),
            actor,
            EventKind::ContactCreated,
            format!("Contact {} <{}> created", contact.name, contact.email),
        );
        Ok(contact)
    }

    /// Archives a contact (deleted from the firm's everyday view): their portal access and
    /// sign-in stop until they are restored. Their records stay.
    pub fn archive_contact(&self, id: ContactId, actor: Actor) -> Result<Contact> {
        self.set_contact_archived(id, true, actor)
    }

    /// Restores an archived contact: their links that have not expired work again.
    pub fn restore_contact(&self, id: ContactId, actor: Actor) -> Result<Contact> {
        self.set_contact_archived(id, false, actor)
    }

    fn set_contact_archived(&self, id: ContactId, archive: bool, actor: Actor) -> Result<Contact> {
        let Some(before) = self.store.get(Tree::Contacts, &id.key())? else {
            return Err(Error::not_found("contact", id));
        };
        let mut contact: Contact = crate::store::decode(&before)?;
        if contact.archived_at.is_some() == archive {
            return Ok(contact);
        }
        contact.archived_at = archive.then(|| self.now());
        let mut batch = Batch::default();
        batch.expect(Tree::Contacts, id.key(), Some(before));
        batch.put_record(Tree::Contacts, id.key(), &contact);
        let (kind, verb) = if archive {
            (EventKind::ContactArchived, "archived; portal access ended")
        } else {
            (EventKind::ContactRestored, "restored")
        };
        self.record_event(
            &mut batch,
            None,
            Some(id),
            actor,
            kind,
            format!("Contact {} <{}> {verb}", contact.name, contact.email),
        );
        self.store.commit(batch)?;
        Ok(contact)
    }

    pub fn contact(&self, id: ContactId) -> Result<Contact> {
        get_record(self.store.as_ref(), Tree::Contacts, &id.key())?
            .ok_or_else(|| Error::not_found("contact", id))
    }

    pub fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
        let email = normalise_email(email)?;
        let Some(id) = self.store.get(Tree::ContactsByEmail, email.as_bytes())? else {
            return Ok(None);
        };
        get_record(self.store.as_ref(), Tree::Contacts, &id)
    }

    /// Contacts in creation order, `limit` at a time after the contact `after`.
    pub fn list_contacts(&self, after: Option<ContactId>, limit: usize) -> Result<Vec<Contact>> {
        let after = after.map(|a| a.key());
        scan_records(
            self.store.as_ref(),
            Tree::Contacts,
            b"",
            after.as_deref(),
            limit,
            false,
        )
    }
}

#[cfg(test)]
#[path = "directory_tests.rs"]
mod tests;
