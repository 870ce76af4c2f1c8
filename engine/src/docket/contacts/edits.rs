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
    /// Changes a contact's name, email or timezone (those given). A new email ends the old
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
            contact.email = normalise_email(email)?;
        }
        if let Some(name) = &update.name {
            contact.name = contact_name(name, &contact.email)?;
        }
        if let Some(zone) = &update.timezone {
            contact.timezone = contact_zone(zone)?;
        }
        if contact == old {
            return Ok(contact);
        }
        let mut batch = Batch::default();
        batch.expect(Tree::Contacts, id.key(), Some(before));
        batch.put_record(Tree::Contacts, id.key(), &contact);
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
    fn contact_work_ids(&self, contact: ContactId) -> Result<Vec<WorkId>> {
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

/// A contact's name, trimmed: not empty, on one line.
pub(in crate::docket) fn contact_name(name: &str, email: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid(format!("contact {email} needs a name")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "contact {email}: a name cannot contain line breaks, tabs or other control characters"
        )));
    }
    Ok(name.to_string())
}

/// A contact's own timezone as typed; empty means none (the firm's applies).
pub(in crate::docket) fn contact_zone(zone: &str) -> Result<Option<Tz>> {
    let zone = zone.trim();
    if zone.is_empty() {
        return Ok(None);
    }
    zone.parse::<Tz>().map(Some).map_err(|_| {
        Error::invalid(format!(
            "`{zone}` is not an IANA timezone (e.g. Europe/London)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use crate::config::FirmConfig;
    use crate::docket::client::Opened;
    use crate::docket::test_firm::{Firm, token};
    use crate::model::{Actor, ContactUpdate, LinkStatus};

    fn sign_in_token(raw: &str) -> String {
        let start = raw.find("/account/s/").expect("a sign-in link") + "/account/s/".len();
        raw[start..start + 43].to_string()
    }

    #[test]
    fn an_email_change_ends_links_devices_and_sign_ins_of_the_old_address() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        let id = firm.work("2026-03-02");
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        firm.deliver();
        let link = Firm::link_of(&firm.sent()[0].1);
        let Opened::Checklist { new_secret, .. } = firm
            .docket
            .open_link(token(&link), None, "Firefox")
            .unwrap()
        else {
            panic!("the link opens the checklist");
        };
        let device = new_secret.unwrap();
        firm.docket.request_sign_in("ann@client.example").unwrap();
        firm.deliver();
        let signed_in = sign_in_token(&firm.sent().last().unwrap().1);
        let account = firm.docket.sign_in(&signed_in, "Firefox").unwrap().unwrap();
        firm.docket.request_sign_in("ann@client.example").unwrap();
        firm.deliver();
        let unused = sign_in_token(&firm.sent().last().unwrap().1);

        let ann = firm
            .docket
            .contact_by_email("ann@client.example")
            .unwrap()
            .unwrap();
        let portal = firm.docket.contact_portal(ann.id).unwrap();
        assert_eq!(portal.devices.len(), 1);
        assert_eq!(portal.sessions, 1);

        // A name change alone ends nothing.
        let renamed = firm
            .docket
            .update_contact(
                ann.id,
                ContactUpdate {
                    name: Some("Ann Archer-Bell".into()),
                    ..ContactUpdate::default()
                },
                Actor::System,
            )
            .unwrap();
        assert_eq!(renamed.name, "Ann Archer-Bell");
        assert!(
            firm.docket
                .client_session(id, 0, Some(&device))
                .unwrap()
                .is_ok()
        );

        // Bad input changes nothing.
        for (update, want) in [
            (
                ContactUpdate {
                    email: Some("not an address".into()),
                    ..ContactUpdate::default()
                },
                "email",
            ),
            (
                ContactUpdate {
                    timezone: Some("Mars/Olympus".into()),
                    ..ContactUpdate::default()
                },
                "IANA timezone",
            ),
            (
                ContactUpdate {
                    name: Some("  ".into()),
                    ..ContactUpdate::default()
                },
                "needs a name",
            ),
        ] {
            let err = firm
                .docket
                .update_contact(ann.id, update, Actor::System)
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{err}");
        }
        assert_eq!(firm.docket.contact(ann.id).unwrap(), renamed);

        let moved = firm
            .docket
            .update_contact(
                ann.id,
                ContactUpdate {
                    email: Some("Ann@New.example".into()),
                    ..ContactUpdate::default()
                },
                Actor::System,
            )
            .unwrap();
        assert_eq!(moved.email, "ann@new.example");
        assert_eq!(
            firm.docket
                .contact_by_email("ann@new.example")
                .unwrap()
                .unwrap()
                .id,
            ann.id
        );
        assert!(
            firm.docket
                .contact_by_email("ann@client.example")
                .unwrap()
                .is_none()
        );
        // The old link is replaced, the device no longer opens the checklist, the account is
        // signed out and the unused sign-in link is worthless.
        assert!(matches!(
            firm.docket.resolve_link(token(&link)).unwrap(),
            LinkStatus::Replaced { .. }
        ));
        assert!(
            firm.docket
                .client_session(id, 0, Some(&device))
                .unwrap()
                .is_err()
        );
        assert_eq!(firm.docket.account_contact(Some(&account)).unwrap(), None);
        assert_eq!(
            firm.docket.sign_in_link(&unused).unwrap(),
            crate::docket::SignInLinkState::Invalid
        );
        let portal = firm.docket.contact_portal(ann.id).unwrap();
        assert!(
            portal.devices.is_empty() && portal.sessions == 0,
            "{portal:?}"
        );
        // Said on the contact's and the work's timelines.
        let said = |events: Vec<crate::model::TimelineEvent>| {
            events.iter().any(|e| e.summary.contains("ann@new.example"))
        };
        assert!(said(firm.docket.contact_timeline(ann.id, 10).unwrap()));
        assert!(said(firm.docket.work_timeline(id, 50).unwrap()));

        // Another contact's address is taken.
        firm.contact("Bob", "bob@client.example");
        let err = firm
            .docket
            .update_contact(
                ann.id,
                ContactUpdate {
                    email: Some("bob@client.example".into()),
                    ..ContactUpdate::default()
                },
                Actor::System,
            )
            .unwrap_err();
        assert!(matches!(err, crate::Error::Conflict(_)), "{err}");
        assert_eq!(firm.docket.contact(ann.id).unwrap(), moved);
    }

    #[test]
    fn contacts_are_found_by_part_of_a_name_or_email() {
        let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
        firm.contact("Bob Baker", "bob@bakery.example");
        firm.contact("Carla Diaz", "carla@diaz.example");
        let names = |q: &str| -> Vec<String> {
            firm.docket
                .search_contacts(q, None, 10)
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(names("BAKER"), ["Bob Baker"]);
        assert_eq!(names("example"), ["Ann Archer", "Bob Baker", "Carla Diaz"]);
        assert_eq!(names("carla@diaz.example"), ["Carla Diaz"]);
        assert!(names("zed").is_empty());
        assert_eq!(names("").len(), 3);
    }
}
