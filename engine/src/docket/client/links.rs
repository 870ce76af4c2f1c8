//! Magic links as a client meets them: a link's landing (which changes nothing) and opening it
//! on a device (binding the group's access to it, or moving it for a link asked for since). Fresh
//! links asked for from the portal are `renew.rs`'s.

use crate::docket::Docket;
use crate::docket::client::access::{new_secret, secret_hash, valid_secret};
use crate::docket::client::renew::describe_device;
use crate::docket::sending::{access_key, token_hash};
use crate::model::{
    Actor, EventKind, GroupAccess, LinkPurpose, LinkStatus, MagicLink, WorkId, WorkItem, WorkStatus,
};
use crate::store::{Batch, Tree, decode, get_record};
use crate::{Error, Result};

/// What a link's page shows before anything is bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Landing {
    pub firm_name: String,
    pub firm_logo_url: Option<String>,
    /// The language of the link's contact (else the firm's).
    pub locale: &'static str,
    pub state: LandingState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LandingState {
    /// A live link: the work's external name and the group's name, and whether the work is
    /// complete (the page says so before its button).
    Valid {
        work_name: String,
        group_name: String,
        complete: bool,
    },
    /// The group was resent or the access expired: a fresh link can be sent to the address
    /// on file.
    Replaced,
    Expired,
    /// A stale link to completed work: nothing more is needed, no fresh link is offered.
    Complete {
        work_name: String,
    },
    /// The link was sent to a contact who is no longer the group's recipient: the request
    /// moved to someone else.
    Reassigned,
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
    /// The link was sent to the group's former recipient.
    Reassigned,
    Unknown,
}

impl Docket {
    /// What `GET /c/{token}` shows. Reads only: scanners that open links change nothing.
    pub fn link_landing(&self, token: &str) -> Result<Landing> {
        let firm = self.firm_settings()?;
        let status = self.resolve_link(token)?;
        let contact = match &status {
            LinkStatus::Valid { access, .. } => Some(access.contact),
            LinkStatus::Replaced { link }
            | LinkStatus::Expired { link }
            | LinkStatus::Reassigned { link } => link.contact,
            LinkStatus::Unknown => None,
        };
        let locale = match contact.map(|c| self.contact(c)) {
            Some(Ok(contact)) => self.locale_of(&contact)?,
            _ => crate::i18n::resolve(Some(&firm.locale)),
        };
        let state = match status {
            LinkStatus::Valid { access, .. } if self.live_contact(access.contact)?.is_none() => {
                LandingState::Unknown
            }
            LinkStatus::Valid { link, .. } => match self.work(link.work) {
                Ok(work) if link.group < work.groups.len() => LandingState::Valid {
                    group_name: work.groups[link.group].name.clone(),
                    complete: work.status == WorkStatus::Completed,
                    work_name: work.external_name,
                },
                Ok(_) | Err(Error::NotFound { .. }) => LandingState::Unknown,
                Err(e) => return Err(e),
            },
            LinkStatus::Replaced { link } | LinkStatus::Expired { link }
                if self.completed(link.work)? =>
            {
                LandingState::Complete {
                    work_name: self.work(link.work)?.external_name,
                }
            }
            LinkStatus::Replaced { .. } => LandingState::Replaced,
            LinkStatus::Expired { .. } => LandingState::Expired,
            LinkStatus::Reassigned { .. } => LandingState::Reassigned,
            LinkStatus::Unknown => LandingState::Unknown,
        };
        Ok(Landing {
            firm_name: firm.name,
            firm_logo_url: firm.logo_url,
            locale,
            state,
        })
    }

    /// The holder of a live link chose `locale` on its landing page: kept on the link's
    /// contact. False (and nothing kept) when the link opens nothing.
    pub fn link_set_locale(&self, token: &str, locale: &str) -> Result<bool> {
        let LinkStatus::Valid { access, .. } = self.resolve_link(token)? else {
            return Ok(false);
        };
        if self.live_contact(access.contact)?.is_none() {
            return Ok(false);
        }
        self.contact_chooses_locale(access.contact, locale)?;
        Ok(true)
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
            LinkStatus::Reassigned { .. } => return Ok(Opened::Reassigned),
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
        let mut stored = decode::<GroupAccess>(&before)?;
        // The device it moves from may still ask for a fresh link, as its holder.
        stored.unbind();
        let hash = secret_hash(&secret);
        stored.former_devices.retain(|d| d.hash != hash);
        stored.device_hash = Some(hash);
        stored.bound_at = Some(now);
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
                describe_device(device)
            ),
        );
        self.store.commit(batch)?;
        Ok(Opened::Checklist {
            work,
            group,
            new_secret,
        })
    }

    /// Whether work `work` exists and is completed.
    fn completed(&self, work: WorkId) -> Result<bool> {
        match self.work(work) {
            Ok(item) => Ok(item.status == WorkStatus::Completed),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
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
