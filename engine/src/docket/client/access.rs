//! Who may see a group's checklist: the device the group is bound to (its secret, hashed, matches
//! the group's access, which has not expired, and the contact is not archived), or else the
//! contact signed in to their account. Only these make a `ClientSession`, which every client read
//! and write takes, so a client never names a group that is not theirs.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::docket::Docket;
use crate::model::{ContactId, GroupAccess, WorkId, WorkStatus};
use crate::{Error, Result};

/// A device's right to one group's checklist, checked just now.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSession {
    pub work: WorkId,
    pub group: usize,
    pub contact: ContactId,
    /// The work is completed: the checklist is shown locked and every write is refused.
    pub locked: bool,
    /// When a device's session ends unless the store changes first (its access expires);
    /// none for a signed-in account's.
    pub device_until: Option<DateTime<Utc>>,
    /// Who holds the session, for its limits: the device's secret hash, or the account's
    /// contact.
    pub holder: String,
}

/// Why a device may not see a checklist. `NotHere` and `Gone` are answered alike, so that a
/// guessed address learns nothing; the others are told only to a device that holds the group.
#[derive(Debug, Clone, PartialEq)]
pub enum NoSession {
    /// Never bound here (no cookie, another one, a tampered one).
    NotHere,
    /// This device had the checklist before it moved to another: it may ask for a fresh link.
    MovedAway,
    /// This device has the checklist and its access expired: it may ask for a fresh link.
    Expired,
    /// This device had the checklist for a contact who is no longer the group's recipient.
    Reassigned,
    /// No such group, no access, or its contact archived.
    Gone,
}

/// A group's access lasts this long after it is sent or resent...
pub const ACCESS_AFTER_SEND: Duration = Duration::days(30);
/// ...and at least this long after each reminder.
pub const ACCESS_AFTER_REMINDER: Duration = Duration::days(60);

impl Docket {
    /// When a group's access ends: 30 days after it was last sent or resent (the record's
    /// `expires_at`), or 60 days after its latest reminder since, whichever is later. The
    /// reminder's part is read from the work item, which a reminder rewrites anyway, so a
    /// scheduler tick need not rewrite the access record too.
    pub(crate) fn access_expiry(&self, access: &GroupAccess) -> Result<DateTime<Utc>> {
        let reminded = match self.work(access.work) {
            Ok(work) => work
                .groups
                .get(access.group)
                .and_then(|g| g.last_reminder_at),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        Ok(reminded.map_or(access.expires_at, |at| {
            access.expires_at.max(at + ACCESS_AFTER_REMINDER)
        }))
    }

    /// The session of a browser on group `group` of `work`: the device's, when the group is bound
    /// to its secret; else, when it is signed in to the contact's account (`account_secret`),
    /// the account's, for any sent group of theirs. Refused as the device's session is.
    pub fn checklist_session(
        &self,
        work: WorkId,
        group: usize,
        device_secret: Option<&str>,
        account_secret: Option<&str>,
    ) -> Result<std::result::Result<ClientSession, NoSession>> {
        let by_device = self.client_session(work, group, device_secret)?;
        if by_device.is_err()
            && let Some(contact) = self.account_contact(account_secret)?
            && let Some(session) = self.account_session(contact, work, group)?
        {
            return Ok(Ok(session));
        }
        Ok(by_device)
    }

    /// The session of a device on group `group` of `work`, if it may see it.
    pub fn client_session(
        &self,
        work: WorkId,
        group: usize,
        device_secret: Option<&str>,
    ) -> Result<std::result::Result<ClientSession, NoSession>> {
        let Some(access) = self.access(work, group)? else {
            return Ok(Err(NoSession::Gone));
        };
        let item = match self.work(work) {
            Ok(item) if group < item.groups.len() => item,
            Ok(_) | Err(Error::NotFound { .. }) => return Ok(Err(NoSession::Gone)),
            Err(e) => return Err(e),
        };
        let presented = device_secret.filter(|s| valid_secret(s)).map(secret_hash);
        let former = presented
            .as_ref()
            .and_then(|hash| access.former_devices.iter().find(|d| &d.hash == hash));
        if former.is_some_and(|d| d.contact != access.contact) {
            return Ok(Err(NoSession::Reassigned));
        }
        if item.groups[group].recipient != access.contact
            || self.live_contact(access.contact)?.is_none()
        {
            return Ok(Err(NoSession::Gone));
        }
        if presented.is_none() || presented != access.device_hash {
            return Ok(Err(if former.is_some() {
                NoSession::MovedAway
            } else {
                NoSession::NotHere
            }));
        }
        let expiry = self.access_expiry(&access)?;
        if self.now() >= expiry {
            return Ok(Err(NoSession::Expired));
        }
        Ok(Ok(ClientSession {
            work,
            group,
            contact: access.contact,
            locked: item.status == WorkStatus::Completed,
            device_until: Some(expiry),
            holder: format!("device/{}", presented.unwrap_or_default()),
        }))
    }

    /// The contact, unless archived or gone.
    pub(crate) fn live_contact(&self, id: ContactId) -> Result<Option<crate::model::Contact>> {
        match self.contact(id) {
            Ok(c) if c.archived_at.is_none() => Ok(Some(c)),
            Ok(_) | Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A fresh device secret: 256 bits from the OS, base64url.
pub fn new_secret() -> String {
    use base64::Engine as _;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// What is stored of a device secret.
pub fn secret_hash(secret: &str) -> String {
    crate::text::hex(&Sha256::digest(secret.as_bytes()))
}

/// A secret is 43 base64url characters; anything else is not worth hashing.
pub(crate) fn valid_secret(secret: &str) -> bool {
    secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
