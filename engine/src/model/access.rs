//! Magic-link access: each sent group has one access record (its recipient, expiry and link
//! generation), and every email about the group carries its own link, a key to that access.
//! Only the SHA-256 of a link's token is stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ContactId, Record, WorkId};

/// A group's access: who may open it and until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupAccess {
    pub work: WorkId,
    pub group: usize,
    pub contact: ContactId,
    /// 30 days after the group was last sent or resent. Links stop working at this instant or
    /// 60 days after the group's latest reminder since, whichever is later (the reminder's
    /// instant is the group's `last_reminder_at`; see `Docket::resolve_link`).
    pub expires_at: DateTime<Utc>,
    /// Bumped by each resend: links of an older generation answer "replaced by a newer link".
    pub generation: u32,
    /// SHA-256 of the device secret the access is bound to (the portal sets it).
    #[serde(default)]
    pub device_hash: Option<String>,
    /// When the access was bound to its device; a link asked for later moves the binding.
    #[serde(default)]
    pub bound_at: Option<DateTime<Utc>>,
    /// The group was given another recipient and not sent to them yet: no link may be asked
    /// for until staff send it again.
    #[serde(default)]
    pub awaiting_send: bool,
    /// Devices the group was bound to before (newest last, at most `FORMER_DEVICES_KEPT`), and
    /// for whom: such a device may ask for a fresh link, or is told the request moved to
    /// someone else.
    #[serde(default)]
    pub former_devices: Vec<FormerDevice>,
}

/// How many former devices a group's access remembers.
pub const FORMER_DEVICES_KEPT: usize = 8;

/// A device a group's checklist was bound to before: its secret's SHA-256 and the contact it
/// was bound for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormerDevice {
    pub hash: String,
    pub contact: ContactId,
}

impl GroupAccess {
    /// Forgets the bound device, remembering it as a former one.
    pub fn unbind(&mut self) {
        if let Some(hash) = self.device_hash.take() {
            self.former_devices.retain(|d| d.hash != hash);
            self.former_devices.push(FormerDevice {
                hash,
                contact: self.contact,
            });
            let excess = self
                .former_devices
                .len()
                .saturating_sub(FORMER_DEVICES_KEPT);
            self.former_devices.drain(..excess);
        }
        self.bound_at = None;
    }
}

impl Record for GroupAccess {
    const KIND: &'static str = "group access";
    const VERSION: u16 = 1;
}

/// Why a link was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    Send,
    Reminder,
    CommentDigest,
    /// Asked for from the portal ("Send me a new access link"); opening it moves the group's
    /// binding to the device that opens it.
    Requested,
}

/// One link, stored under the SHA-256 of its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MagicLink {
    pub work: WorkId,
    pub group: usize,
    pub generation: u32,
    pub issued_at: DateTime<Utc>,
    pub purpose: LinkPurpose,
    /// Whom the link was sent to: once the group has another recipient, it opens nothing.
    /// (Links issued before it was recorded have none.)
    #[serde(default)]
    pub contact: Option<ContactId>,
}

impl Record for MagicLink {
    const KIND: &'static str = "magic link";
    const VERSION: u16 = 1;
}

/// What a presented token is worth.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkStatus {
    /// A live link to this access.
    Valid {
        link: MagicLink,
        access: GroupAccess,
    },
    /// The group was resent since; the newer email has a working link.
    Replaced { link: MagicLink },
    /// The access expired.
    Expired { link: MagicLink },
    /// Sent to a contact who is no longer the group's recipient: it opens nothing and asks for
    /// nothing, but its holder is told the request moved to someone else.
    Reassigned { link: MagicLink },
    /// No such link (mistyped, forged, or its work was deleted).
    Unknown,
}
