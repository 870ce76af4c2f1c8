//! Magic links as a client meets them: a link's landing (which changes nothing), opening it on a
//! device (binding the group's access to it, or moving it for a link asked for since), and fresh
//! links asked for from the portal, within their limits.

use chrono::{DateTime, Duration, Utc};

use crate::docket::Docket;
use crate::docket::client::ACCESS_AFTER_SEND;
use crate::docket::client::access::{new_secret, secret_hash, valid_secret};
use crate::docket::sending::{access_key, token_hash};
use crate::model::{
    Actor, EventKind, GroupAccess, LinkPurpose, LinkStatus, MagicLink, MessageKind, WorkId,
    WorkItem,
};
use crate::store::{Batch, Tree, decode, get_record};
use crate::{Error, Result};

/// Fresh links a group's recipient may ask for per hour...
pub const NEW_LINKS_PER_GROUP_PER_HOUR: usize = 3;
/// ...and per day across all their groups.
pub const NEW_LINKS_PER_CONTACT_PER_DAY: usize = 10;

/// What a link's page shows before anything is bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Landing {
    pub firm_name: String,
    pub firm_logo_url: Option<String>,
    pub state: LandingState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LandingState {
    /// A live link: the work's external name and the group's name.
    Valid {
        work_name: String,
        group_name: String,
    },
    /// The group was resent or the access expired: a fresh link can be sent to the address
    /// on file.
    Replaced,
    Expired,
    /// Forged, mistyped or deleted: nothing is revealed.
    Unknown,
}

/// What opening a link (the landing page's button) did.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The checklist is open on this device. `new_secret` is set when the device had no
    /// device secret yet: the portal stores it in the device cookie.
    Checklist {
        work: WorkId,
        group: usize,
        new_secret: Option<String>,
    },
    /// The group's checklist is bound to another device.
    OtherDevice {
        work: WorkId,
        group: usize,
    },
    Replaced {
        work: WorkId,
        group: usize,
    },
    Expired {
        work: WorkId,
        group: usize,
    },
    Unknown,
}

impl Docket {
    /// What `GET /c/{token}` shows. Reads only: scanners that open links change nothing.
    pub fn link_landing(&self, token: &str) -> Result<Landing> {
        let firm = self.firm_settings()?;
        let state = match self.resolve_link(token)? {
            LinkStatus::Valid { access, .. } if self.live_contact(access.contact)?.is_none() => {
                LandingState::Unknown
            }
            LinkStatus::Valid { link, .. } => match self.work(link.work) {
                Ok(work) if link.group < work.groups.len() => LandingState::Valid {
                    group_name: work.groups[link.group].name.clone(),
                    work_name: work.external_name,
                },
                Ok(_) | Err(Error::NotFound { .. }) => LandingState::Unknown,
                Err(e) => return Err(e),
            },
            LinkStatus::Replaced { .. } => LandingState::Replaced,
            LinkStatus::Expired { .. } => LandingState::Expired,
            LinkStatus::Unknown => LandingState::Unknown,
        };
        Ok(Landing {
            firm_name: firm.name,
            firm_logo_url: firm.logo_url,
            state,
        })
    }

    /// Opens a link on a device (the landing page's button): binds the group's access to the
    /// device when it is not bound yet, or moves it when the link was asked for after the
    /// binding; the device keeps `device_secret` when it has one. `device` describes the
    /// device for the timeline (e.g. its browser).
    pub fn open_link(
        &self,
        token: &str,
        device_secret: Option<&str>,
        device: &str,
    ) -> Result<Opened> {
        let (link, access) = match self.resolve_link(token)? {
            LinkStatus::Valid { link, access } => (link, access),
            LinkStatus::Replaced { link } => {
                return Ok(Opened::Replaced {
                    work: link.work,
                    group: link.group,
                });
            }
            LinkStatus::Expired { link } => {
                return Ok(Opened::Expired {
                    work: link.work,
                    group: link.group,
                });
            }
            LinkStatus::Unknown => return Ok(Opened::Unknown),
        };
        let (work, group) = (link.work, link.group);
        if self.live_contact(access.contact)?.is_none() {
            return Ok(Opened::Unknown);
        }
        let presented = device_secret.filter(|s| valid_secret(s)).map(secret_hash);
        if presented.is_some() && presented == access.device_hash {
            return Ok(Opened::Checklist {
                work,
                group,
                new_secret: None,
            });
        }
        // A bound checklist moves only for a link asked for after it was bound.
        let moves = access.device_hash.is_some();
        let asked_since = link.purpose == LinkPurpose::Requested
            && access.bound_at.is_some_and(|bound| link.issued_at > bound);
        if moves && !asked_since {
            return Ok(Opened::OtherDevice { work, group });
        }
        let (secret, new_secret) = match device_secret.filter(|s| valid_secret(s)) {
            Some(s) => (s.to_string(), None),
            None => {
                let s = new_secret();
                (s.clone(), Some(s))
            }
        };
        let now = self.now();
        let mut batch = Batch::default();
        let before = self
            .store
            .get(Tree::Access, &access_key(work, group))?
            .ok_or_else(|| Error::Storage("the group's access vanished".into()))?;
        let stored = GroupAccess {
            device_hash: Some(secret_hash(&secret)),
            bound_at: Some(now),
            ..decode::<GroupAccess>(&before)?
        };
        batch.expect(Tree::Access, access_key(work, group), Some(before));
        batch.put_record(Tree::Access, access_key(work, group), &stored);
        let group_name = self.group_name(work, group)?;
        let verb = if moves { "moved to" } else { "opened on" };
        self.record_event(
            &mut batch,
            Some(work),
            Some(access.contact),
            Actor::Contact(access.contact),
            EventKind::DeviceBound,
            format!(
                "Checklist “{group_name}” {verb} a device: {}",
                describe(device)
            ),
        );
        self.store.commit(batch)?;
        Ok(Opened::Checklist {
            work,
            group,
            new_secret,
        })
    }

    /// Emails a fresh link to group `group`'s recipient, at the address on file only (never
    /// one typed in): at most 3 per group per hour and 10 per contact per day. The link renews
    /// an expired access for 30 days, and opening it moves the group's binding to the device
    /// that opens it. Answers `Ok(false)` when the limit is reached (nothing sent).
    pub fn request_new_link(&self, work: WorkId, group: usize, device: &str) -> Result<bool> {
        let now = self.now();
        let item = self.work(work)?;
        let Some(access) = self.access(work, group)? else {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        };
        // A group given to another recipient is not theirs to ask for until staff send it.
        if group >= item.groups.len()
            || item.groups[group].recipient != access.contact
            || access.awaiting_send
        {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        }
        let Some(contact) = self.live_contact(access.contact)? else {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        };
        let mut batch = Batch::default();
        let group_key = format!("link/group/{work}/{group}");
        let contact_key = format!("link/contact/{}", contact.id);
        if !self.throttle(
            &mut batch,
            &group_key,
            NEW_LINKS_PER_GROUP_PER_HOUR,
            Duration::hours(1),
        )? || !self.throttle(
            &mut batch,
            &contact_key,
            NEW_LINKS_PER_CONTACT_PER_DAY,
            Duration::days(1),
        )? {
            return Ok(false);
        }
        let Some(before) = self.store.get(Tree::Access, &access_key(work, group))? else {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        };
        let access: GroupAccess = decode(&before)?;
        batch.expect(Tree::Access, access_key(work, group), Some(before));
        let renewed = GroupAccess {
            expires_at: self.access_expiry(&access)?.max(now + ACCESS_AFTER_SEND),
            ..access
        };
        batch.put_record(Tree::Access, access_key(work, group), &renewed);
        let link = self.issue_link(&mut batch, &renewed, LinkPurpose::Requested, now)?;
        let g = &item.groups[group];
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
            Actor::Contact(contact.id),
            EventKind::LinkRequested,
            format!(
                "A new access link to “{}” was asked for from a device ({}) and sent to {}",
                g.name,
                describe(device),
                contact.email
            ),
        );
        self.store.commit(batch)?;
        Ok(true)
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

    fn group_name(&self, work: WorkId, group: usize) -> Result<String> {
        let item: WorkItem = self.work(work)?;
        Ok(item
            .groups
            .get(group)
            .map(|g| g.name.clone())
            .unwrap_or_default())
    }

    /// A link record, for tests and tools.
    #[doc(hidden)]
    pub fn link_record(&self, token: &str) -> Result<Option<MagicLink>> {
        get_record(self.store.as_ref(), Tree::Links, &token_hash(token))
    }
}

/// A device's description for the timeline: printable, at most 120 characters.
fn describe(device: &str) -> String {
    let clean: String = device
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "an unknown browser".into()
    } else {
        clean
    }
}
