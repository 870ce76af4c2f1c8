//! Fresh links asked for from the portal ("Send me a new access link"). Only a request that
//! proves it holds a link of the group may ask: a link's token (any generation, expired or not),
//! or the device cookie of a device the group is or was bound to. Knowing a work id proves
//! nothing. Limits count per proof (one link, one device), per requesting address, per group and
//! per contact, so nobody spends the client's allowance without holding one of their links; only
//! a request within every limit counts. Completed work and a group given to someone else send
//! nothing. The timeline says what asked (a device holding an expired link, a replaced one, …),
//! never that the contact did: whoever holds a forwarded email can ask too.

use chrono::{DateTime, Duration, Utc};

use crate::docket::Docket;
use crate::docket::client::ACCESS_AFTER_SEND;
use crate::docket::client::access::{secret_hash, valid_secret};
use crate::docket::sending::{access_key, token_hash};
use crate::model::{
    Actor, ContactId, EventKind, GroupAccess, LinkPurpose, MagicLink, MessageKind, WorkId,
    WorkStatus,
};
use crate::store::{Batch, Tree, decode, get_record};
use crate::{Error, Result};

/// Fresh links one link or one device may ask for per hour (fewer than a group's, so a stale
/// link in someone else's hands cannot spend the group's whole allowance)...
pub const NEW_LINKS_PER_PROOF_PER_HOUR: usize = 2;
/// ...one address may ask for per hour, across every group...
pub const NEW_LINKS_PER_ADDRESS_PER_HOUR: usize = 10;
/// ...a group's recipient may be sent per hour...
pub const NEW_LINKS_PER_GROUP_PER_HOUR: usize = 3;
/// ...and per day across all their groups.
pub const NEW_LINKS_PER_CONTACT_PER_DAY: usize = 10;

/// What shows that a request for a fresh link holds a link of the group.
#[derive(Debug, Clone, Copy)]
pub enum LinkProof<'a> {
    /// A link's token: the replaced or expired link's page carries it in its address.
    Token(&'a str),
    /// A device's secret (its cookie), for the group of `work` it is or was bound to.
    Device {
        work: WorkId,
        group: usize,
        secret: &'a str,
    },
}

/// Who asks: the device's description (its browser) and the address the request came from.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub device: &'a str,
    pub address: &'a str,
}

/// What asking for a fresh link did.
#[derive(Debug, Clone, PartialEq)]
pub enum NewLink {
    /// Emailed to the address on file.
    Sent,
    /// A limit was reached; nothing was sent or counted.
    Limited,
    /// The work is completed: nothing more is needed, so nothing was sent.
    Complete,
    /// The group was given to another recipient: nothing was sent to anyone.
    Reassigned,
    /// Nothing proves a link of the group is held (an unknown token, a device never bound there),
    /// or its contact is archived: nothing was sent. Answered like a group that does not exist.
    Refused,
}

/// A proof that held up: the group, whom it was for, what it is (for the timeline) and the key
/// its own limit counts under.
struct Proven {
    work: WorkId,
    group: usize,
    contact: ContactId,
    what: &'static str,
    key: String,
}

impl Docket {
    /// Emails a fresh link to the group's recipient, at the address on file only (never one typed
    /// in), when `proof` holds and every limit allows. The link renews an expired access for 30
    /// days, and opening it moves the group's binding to the device that opens it.
    pub fn request_new_link(&self, proof: LinkProof<'_>, asker: Asker<'_>) -> Result<NewLink> {
        let now = self.now();
        let Some(proven) = self.proven(proof, now)? else {
            return Ok(NewLink::Refused);
        };
        let (work, group) = (proven.work, proven.group);
        let item = match self.work(work) {
            Ok(item) if group < item.groups.len() => item,
            Ok(_) | Err(Error::NotFound { .. }) => return Ok(NewLink::Refused),
            Err(e) => return Err(e),
        };
        let Some(before) = self.store.get(Tree::Access, &access_key(work, group))? else {
            return Ok(NewLink::Refused);
        };
        let access: GroupAccess = decode(&before)?;
        // A group given to another recipient is not theirs to ask for, nor the new one's until
        // staff send it.
        if proven.contact != access.contact
            || item.groups[group].recipient != access.contact
            || access.awaiting_send
        {
            return Ok(NewLink::Reassigned);
        }
        let Some(contact) = self.live_contact(access.contact)? else {
            return Ok(NewLink::Refused);
        };
        let mut batch = Batch::default();
        let limits = [
            (
                proven.key.clone(),
                NEW_LINKS_PER_PROOF_PER_HOUR,
                Duration::hours(1),
            ),
            (
                format!("link/address/{}", secret_hash(asker.address)),
                NEW_LINKS_PER_ADDRESS_PER_HOUR,
                Duration::hours(1),
            ),
            (
                format!("link/group/{work}/{group}"),
                NEW_LINKS_PER_GROUP_PER_HOUR,
                Duration::hours(1),
            ),
            (
                format!("link/contact/{}", contact.id),
                NEW_LINKS_PER_CONTACT_PER_DAY,
                Duration::days(1),
            ),
        ];
        let g = &item.groups[group];
        let who = format!(
            "{} ({}, from {})",
            proven.what,
            describe_device(asker.device),
            describe(asker.address)
        );
        for (key, limit, window) in limits {
            if !self.throttle(&mut batch, &key, limit, window)? {
                self.note_limited((work, group), contact.id, &g.name, &who)?;
                return Ok(NewLink::Limited);
            }
        }
        if item.status == WorkStatus::Completed {
            // Counted like a link sent, so these events stay few.
            self.record_event(
                &mut batch,
                Some(work),
                Some(contact.id),
                Actor::System,
                EventKind::LinkRequested,
                format!(
                    "A new access link to “{}” was asked for by {who}; the work is complete, so nothing was sent",
                    g.name
                ),
            );
            self.store.commit(batch)?;
            return Ok(NewLink::Complete);
        }
        batch.expect(Tree::Access, access_key(work, group), Some(before));
        let renewed = GroupAccess {
            expires_at: self.access_expiry(&access)?.max(now + ACCESS_AFTER_SEND),
            ..access
        };
        batch.put_record(Tree::Access, access_key(work, group), &renewed);
        let link = self.issue_link(&mut batch, &renewed, LinkPurpose::Requested, now)?;
        let sender = self.sender(g.sent_by)?;
        let tasks = g
            .tasks
            .iter()
            .filter(|t| t.done_at.is_none())
            .map(|t| self.task_line(t, &contact, now))
            .collect::<Result<Vec<_>>>()?;
        let message = self.group_email(
            crate::docket::sending::GroupEmail {
                work: &item,
                group,
                contact: &contact,
                sender: &sender,
                kind: MessageKind::AccessLink,
                key: format!("{work}/{group}/access/{}", crate::model::new_id(now)),
            },
            tasks,
            Vec::new(),
            link,
        )?;
        self.queue_message(&mut batch, &message);
        self.record_event(
            &mut batch,
            Some(work),
            Some(contact.id),
            Actor::System,
            EventKind::LinkRequested,
            format!(
                "A new access link to “{}” was asked for by {who} and sent to {}",
                g.name, contact.email
            ),
        );
        self.store.commit(batch)?;
        Ok(NewLink::Sent)
    }

    /// A request refused by a limit, on the work's timeline at most once an hour per group.
    fn note_limited(
        &self,
        (work, group): (WorkId, usize),
        contact: ContactId,
        group_name: &str,
        who: &str,
    ) -> Result<()> {
        let mut batch = Batch::default();
        if !self.throttle(
            &mut batch,
            &format!("link/limited/{work}/{group}"),
            1,
            Duration::hours(1),
        )? {
            return Ok(());
        }
        tracing::warn!(%work, group = group_name, "a fresh access link was asked for past its limits");
        self.record_event(
            &mut batch,
            Some(work),
            Some(contact),
            Actor::System,
            EventKind::LinkRequested,
            format!(
                "A new access link to “{group_name}” was asked for by {who} and not sent: too many were asked for recently (noted once an hour)"
            ),
        );
        match self.store.commit(batch) {
            Ok(()) | Err(Error::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// What `proof` shows, if anything: the group it is for and whom.
    fn proven(&self, proof: LinkProof<'_>, now: DateTime<Utc>) -> Result<Option<Proven>> {
        match proof {
            LinkProof::Token(token) => {
                if !valid_secret(token) {
                    return Ok(None);
                }
                let hash = token_hash(token);
                let Some(link) = get_record::<MagicLink>(self.store.as_ref(), Tree::Links, &hash)?
                else {
                    return Ok(None);
                };
                let Some(access) = self.access(link.work, link.group)? else {
                    return Ok(None);
                };
                let what = if link.contact.is_some_and(|c| c != access.contact) {
                    "a device holding a link sent to the former recipient"
                } else if link.generation != access.generation {
                    "a device holding a replaced link"
                } else if now >= self.access_expiry(&access)? {
                    "a device holding an expired link"
                } else {
                    "a device holding a current link"
                };
                Ok(Some(Proven {
                    work: link.work,
                    group: link.group,
                    contact: link.contact.unwrap_or(access.contact),
                    what,
                    key: format!("link/token/{}", String::from_utf8_lossy(&hash)),
                }))
            }
            LinkProof::Device {
                work,
                group,
                secret,
            } => {
                if !valid_secret(secret) {
                    return Ok(None);
                }
                let Some(access) = self.access(work, group)? else {
                    return Ok(None);
                };
                let hash = secret_hash(secret);
                let (contact, what) = if access.device_hash.as_deref() == Some(hash.as_str()) {
                    let what = if now >= self.access_expiry(&access)? {
                        "the device the checklist is open on, after its access expired"
                    } else {
                        "the device the checklist is open on"
                    };
                    (access.contact, what)
                } else if let Some(former) = access.former_devices.iter().find(|d| d.hash == hash) {
                    (
                        former.contact,
                        "a device the checklist was open on before it moved",
                    )
                } else {
                    return Ok(None);
                };
                Ok(Some(Proven {
                    work,
                    group,
                    contact,
                    what,
                    key: format!("link/device/{hash}"),
                }))
            }
        }
    }

    /// Counts one more occurrence of `key` in `batch` if fewer than `limit` happened within
    /// `window`; false (and nothing written) when the limit is reached.
    pub(crate) fn throttle(
        &self,
        batch: &mut Batch,
        key: &str,
        limit: usize,
        window: Duration,
    ) -> Result<bool> {
        let now = self.now();
        let before = self.store.get(Tree::Throttle, key.as_bytes())?;
        let mut recent: Vec<DateTime<Utc>> = match &before {
            Some(bytes) => serde_json::from_slice(bytes).unwrap_or_default(),
            None => Vec::new(),
        };
        recent.retain(|at| now - *at < window);
        if recent.len() >= limit {
            return Ok(false);
        }
        recent.push(now);
        batch.expect(Tree::Throttle, key.as_bytes(), before);
        batch.put(
            Tree::Throttle,
            key.as_bytes(),
            serde_json::to_vec(&recent).expect("instants serialise"),
        );
        Ok(true)
    }
}

/// A device as the timeline names it: its browser as people say it ("Chrome on Android"), not
/// the whole user-agent string.
pub(super) fn describe_device(device: &str) -> String {
    crate::text::browser(&describe(device))
}

/// An address's description for the timeline: printable, at most 120 characters.
pub(super) fn describe(device: &str) -> String {
    let clean: String = device
        .chars()
        .filter(|c| !c.is_control() && !crate::text::is_bidi_control(*c))
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "an unknown browser".into()
    } else {
        clean
    }
}

#[cfg(test)]
#[path = "renew_tests.rs"]
mod tests;
