//! Contacts edited and searched, and what their portal access looks like: an email change
//! ends everything the old address could open — the contact's magic links (their groups'
//! access moves to a new generation), the devices bound to those groups, sign-in links not yet
//! used and client-account sessions — in the batch of the change, with an event on the
//! contact's timeline and on each work item whose access it ended.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::docket::Docket;
use crate::docket::client::account::{AccountSession, SignInLink};
use crate::docket::sending::access_key;
use crate::model::{
    Actor, Contact, ContactId, ContactUpdate, EventKind, GroupAccess, WorkId, normalise_email,
};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

/// A contact's client-portal state, as staff see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PortalState {
    /// The contact's sent groups whose checklist is bound to a device.
    pub devices: Vec<BoundDevice>,
    /// Client-account sessions not yet expired.
    pub sessions: usize,
    /// When the latest of them ends.
    pub signed_in_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct BoundDevice {
    pub work: WorkId,
    pub work_title: String,
    pub group: usize,
    pub group_name: String,
    pub bound_at: Option<DateTime<Utc>>,
    /// Whether the group's access has expired (the binding opens nothing then).
    pub expired: bool,
}

/// Most contacts a search answers with.
pub const CONTACT_SEARCH_LIMIT: usize = 500;

impl Docket {
    /// The language `contact` reads Docket in: their own, else the firm's.
    pub fn locale_of(&self, contact: &Contact) -> Result<&'static str> {
        Ok(match &contact.locale {
            Some(code) => crate::i18n::resolve(Some(code)),
            None => crate::i18n::resolve(Some(&self.firm_settings()?.locale)),
        })
    }

    /// Changes a contact's name, email, timezone or language (those given). A new email ends the old
    /// address's access: see the module's comment.
    pub fn update_contact(
        &self,
        id: ContactId,
        update: ContactUpdate,
        actor: Actor,
    ) -> Result<Contact> {
        let Some(before) = self.store.get(Tree::Contacts, &id.key())? else {
            return Err(Error::not_found("contact", id));
        };
        let old: Contact = decode(&before)?;
        let mut contact = old.clone();
        if let Some(email) = &update.email {
            contact.email = normalise_email(email).map_err(|e| e.on_field("email"))?;
        }
        if let Some(name) = &update.name {
            contact.name = contact_name(name, &contact.email)?;
        }
        if let Some(zone) = &update.timezone {
            contact.timezone = contact_zone(zone)?;
        }
        if let Some(locale) = &update.locale {
            contact.locale = contact_locale(locale)?;
        }
        if let Some(days) = &update.holidays {
            contact.holidays = crate::docket::sending::away::contact_holidays(days)?;
        }
        if contact == old {
            return Ok(contact);
        }
        let mut batch = Batch::default();
        batch.expect(Tree::Contacts, id.key(), Some(before));
        batch.put_record(Tree::Contacts, id.key(), &contact);
        self.write_contact_change_search(&mut batch, &old, &contact)?;
        let mut changes = Vec::new();
        if contact.name != old.name {
            changes.push(format!("name from {} to {}", old.name, contact.name));
        }
        if contact.timezone != old.timezone {
            let zone = |z: Option<Tz>| z.map_or("the firm's".to_string(), |z| z.name().to_string());
            changes.push(format!(
                "timezone from {} to {}",
                zone(old.timezone),
                zone(contact.timezone)
            ));
        }
        if contact.locale != old.locale {
            let language = |l: &Option<String>| l.clone().unwrap_or_else(|| "the firm's".into());
            changes.push(format!(
                "language from {} to {}",
                language(&old.locale),
                language(&contact.locale)
            ));
        }
        if contact.holidays != old.holidays {
            changes.push(if contact.holidays.is_empty() {
                "own quiet days cleared".to_string()
            } else {
                format!(
                    "own quiet days {}",
                    contact
                        .holidays
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        }
        if contact.email != old.email {
            batch.remove(Tree::ContactsByEmail, old.email.as_bytes().to_vec());
            batch.create(
                Tree::ContactsByEmail,
                contact.email.as_bytes().to_vec(),
                id.key(),
                format!(
                    "a contact with email {} already exists",
                    update.email.as_deref().unwrap_or(&contact.email).trim()
                ),
            );
            changes.push(format!(
                "email from {} to {}; links, devices and sign-ins of the old address ended",
                old.email, contact.email
            ));
            self.end_access(&mut batch, &contact, &old.email, actor.clone())?;
        }
        self.record_event(
            &mut batch,
            None,
            Some(id),
            actor,
            EventKind::ContactChanged,
            format!("Contact {} changed: {}", contact.name, changes.join("; ")),
        );
        self.store.commit(batch)?;
        if contact.holidays != old.holidays || contact.timezone != old.timezone {
            // Their reminders and automatic sends move off the new quiet days (or zone).
            self.replan_contact_work_quietly(id)?;
        }
        Ok(contact)
    }

    /// Adds to `batch` the end of every access the contact's old address had.
    fn end_access(
        &self,
        batch: &mut Batch,
        contact: &Contact,
        old_email: &str,
        actor: Actor,
    ) -> Result<()> {
        for work in self.contact_work_ids(contact.id)? {
            let work = match self.work(work) {
                Ok(w) => w,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            for (g, group) in work.groups.iter().enumerate() {
                if group.recipient != contact.id {
                    continue;
                }
                let key = access_key(work.id, g);
                let Some(bytes) = self.store.get(Tree::Access, &key)? else {
                    continue;
                };
                let mut access: GroupAccess = decode(&bytes)?;
                // A new generation: every link issued so far answers "replaced", and a fresh
                // one goes only to the address on file, the new one.
                access.generation += 1;
                access.device_hash = None;
                access.bound_at = None;
                batch.expect(Tree::Access, key.clone(), Some(bytes));
                batch.put_record(Tree::Access, key, &access);
                self.record_event(
                    batch,
                    Some(work.id),
                    None,
                    actor.clone(),
                    EventKind::ContactChanged,
                    format!(
                        "“{}”: the recipient's email changed from {old_email} to {}; the group's links and device binding were ended",
                        group.name, contact.email
                    ),
                );
            }
        }
        for (key, bytes) in
            self.store
                .scan(Tree::ClientSessions, b"session/", None, usize::MAX, false)?
        {
            let session: AccountSession = decode(&bytes)?;
            if session.contact == contact.id {
                batch.remove(Tree::ClientSessions, key);
            }
        }
        for (key, bytes) in
            self.store
                .scan(Tree::ClientSessions, b"link/", None, usize::MAX, false)?
        {
            let link: SignInLink = decode(&bytes)?;
            if link.contact == contact.id && link.used_at.is_none() {
                batch.remove(Tree::ClientSessions, key);
            }
        }
        Ok(())
    }

    /// The work items naming the contact, newest last.
    pub(crate) fn contact_work_ids(&self, contact: ContactId) -> Result<Vec<WorkId>> {
        let keys = self.store.scan(
            Tree::WorkByContact,
            &crate::docket::work::contact_key(contact, None),
            None,
            usize::MAX,
            false,
        )?;
        Ok(keys
            .iter()
            .filter_map(|(key, _)| {
                String::from_utf8_lossy(&key[key.len().saturating_sub(26)..])
                    .parse::<WorkId>()
                    .ok()
            })
            .collect())
    }

    /// The contact with this id or email address (any case).
    pub fn find_contact(&self, id_or_email: &str) -> Result<Contact> {
        let text = id_or_email.trim();
        if text.contains('@') {
            return self
                .contact_by_email(text)?
                .ok_or_else(|| Error::not_found("contact", text));
        }
        match text.parse::<ContactId>() {
            Ok(id) => self.contact(id),
            Err(_) => Err(Error::not_found("contact", text)),
        }
    }

    /// Contacts whose name or email holds `query` (any case), in creation order after
    /// `after`, at most `limit`; a whole email address is found through its index.
    pub fn search_contacts(
        &self,
        query: &str,
        after: Option<ContactId>,
        limit: usize,
    ) -> Result<Vec<Contact>> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return self.list_contacts(after, limit);
        }
        if let Ok(Some(found)) = self.contact_by_email(&query) {
            return Ok(vec![found]);
        }
        let mut found = Vec::new();
        let mut from = after;
        // A page at a time, so a firm's thousands of contacts are never all in memory.
        loop {
            let page = self.list_contacts(from, 500)?;
            let Some(last) = page.last() else {
                break;
            };
            from = Some(last.id);
            let full = page.len() == 500;
            for contact in page {
                if contact.name.to_lowercase().contains(&query) || contact.email.contains(&query) {
                    found.push(contact);
                    if found.len() == limit.min(CONTACT_SEARCH_LIMIT) {
                        return Ok(found);
                    }
                }
            }
            if !full {
                break;
            }
        }
        Ok(found)
    }

    /// The contact's portal state: the devices their groups are bound to, and their
    /// client-account sessions.
    pub fn contact_portal(&self, id: ContactId) -> Result<PortalState> {
        self.contact(id)?;
        let now = self.now();
        let mut devices = Vec::new();
        for work in self.contact_work_ids(id)? {
            let work = match self.work(work) {
                Ok(w) => w,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            for (g, group) in work.groups.iter().enumerate() {
                if group.recipient != id {
                    continue;
                }
                let Some(access) = crate::store::get_record::<GroupAccess>(
                    self.store.as_ref(),
                    Tree::Access,
                    &access_key(work.id, g),
                )?
                else {
                    continue;
                };
                if access.device_hash.is_some() {
                    devices.push(BoundDevice {
                        work: work.id,
                        work_title: work.title.clone(),
                        group: g,
                        group_name: group.name.clone(),
                        bound_at: access.bound_at,
                        expired: access.expires_at <= now,
                    });
                }
            }
        }
        let mut sessions = 0;
        let mut signed_in_until = None;
        for (_, bytes) in
            self.store
                .scan(Tree::ClientSessions, b"session/", None, usize::MAX, false)?
        {
            let session: AccountSession = decode(&bytes)?;
            if session.contact == id && session.expires_at > now {
                sessions += 1;
                signed_in_until = signed_in_until.max(Some(session.expires_at));
            }
        }
        Ok(PortalState {
            devices,
            sessions,
            signed_in_until,
        })
    }
}

/// Every field of a contact's details that is wrong, each as an invalid-input error naming its
/// field, so a form says all of them at once (as the new-work form does) rather than the first
/// the engine meets. `holidays` is checked when given. Empty when each field passes its own
/// check; what only saving finds (an email another contact has) is not among them.
pub fn contact_field_problems(
    name: &str,
    email: &str,
    timezone: &str,
    locale: &str,
    holidays: Option<&[String]>,
) -> Vec<Error> {
    let email = normalise_email(email).map_err(|e| e.on_field("email"));
    [
        // The form is of one contact: its name field needs no "contact X:" before it.
        checked_contact_name(name)
            .err()
            .map(|fault| Error::invalid_field("name", fault)),
        email.err(),
        contact_zone(timezone).err(),
        contact_locale(locale).err(),
        holidays.and_then(|days| crate::docket::sending::away::contact_holidays(days).err()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A contact's name, trimmed: not empty, on one line. The refusal names the contact by
/// `email`, for a file or a command of many contacts.
pub(in crate::docket) fn contact_name(name: &str, email: &str) -> Result<String> {
    checked_contact_name(name).map_err(|fault| {
        let message = match name.trim().is_empty() {
            true => format!("contact {email} needs a name"),
            false => format!("contact {email}: {fault}"),
        };
        Error::invalid_field("name", message)
    })
}

/// What is wrong with a contact's name, if anything, in words for beside its field on a form
/// of that one contact ("a name may be at most 200 characters").
fn checked_contact_name(name: &str) -> std::result::Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a contact needs a name".into());
    }
    if name.chars().count() > crate::model::MAX_NAME_CHARS {
        return Err(format!(
            "a name may be at most {} characters",
            crate::model::MAX_NAME_CHARS
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot contain line breaks, tabs or other control characters".into());
    }
    Ok(name.to_string())
}

/// A contact's language as typed; empty means none (the firm's applies). A refusal names the
/// field in its words too (`locale: …`), as `PATCH /api/settings` does, since an API answer
/// carries only the words.
pub(in crate::docket) fn contact_locale(typed: &str) -> Result<Option<String>> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    crate::i18n::check_language(typed)
        .map(|code| Some(code.to_string()))
        .map_err(|message| Error::invalid_field("locale", format!("locale: {message}")))
}

/// A contact's own timezone as typed; empty means none (the firm's applies).
pub(in crate::docket) fn contact_zone(zone: &str) -> Result<Option<Tz>> {
    let zone = zone.trim();
    if zone.is_empty() {
        return Ok(None);
    }
    zone.parse::<Tz>().map(Some).map_err(|_| {
        Error::invalid_field(
            "timezone",
            format!("`{zone}` is not an IANA timezone (e.g. Europe/London)"),
        )
    })
}

#[cfg(test)]
#[path = "edits_tests.rs"]
mod tests;
