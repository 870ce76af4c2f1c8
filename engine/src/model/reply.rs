//! Replies by email: a reply Docket could not match to a client's work, kept for staff to
//! attach or discard, and the state of the inbound mailbox as staff see it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Record, StoredFile, WorkId};

/// An email that reached the reply mailbox but no client's work: from someone who is not the
/// group's contact, with an unknown or revoked reply address, or failing the upload checks. The
/// whole message is kept in the file store (`raw`) so staff can attach it to work later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnmatchedReply {
    pub id: ulid::Ulid,
    pub received_at: DateTime<Utc>,
    /// The `From` address, as the message says (not proven).
    pub from: String,
    pub subject: String,
    /// The reply's new text, quoted history and signature removed.
    pub text: String,
    /// Names of its attachments.
    pub attachments: Vec<String>,
    /// Why it matched no work, in a sentence for staff.
    pub reason: String,
    /// The work and group its reply address named, when it named one.
    pub work: Option<WorkId>,
    pub group: Option<usize>,
    /// The message as received.
    pub raw: StoredFile,
}

impl UnmatchedReply {
    /// Its entry in `file_refs`, so the file collector keeps its bytes.
    pub fn ref_key(&self) -> Vec<u8> {
        format!("{}/reply/{}", self.raw.sha256, self.id).into_bytes()
    }
}

impl Record for UnmatchedReply {
    const KIND: &'static str = "unmatched reply";
    const VERSION: u16 = 1;
}

/// Whether the reply mailbox can be read, as staff see it: a failure is raised once, when it
/// starts, and cleared when the mailbox answers again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InboundStatus {
    /// When the current failure began; none while the mailbox answers.
    pub failing_since: Option<DateTime<Utc>>,
    /// What went wrong last, for staff.
    pub error: Option<String>,
    /// When the mailbox last answered.
    pub last_read_at: Option<DateTime<Utc>>,
}

impl Record for InboundStatus {
    const KIND: &'static str = "inbound status";
    const VERSION: u16 = 1;
}

/// What became of an unmatched reply once it left the list, kept (in `meta`, by the reply's
/// id) so a second click on the same reply says what happened to it instead of "not found".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyFate {
    /// Attached to a group of this work item, titled so then.
    Attached {
        work: WorkId,
        title: String,
    },
    Discarded,
}

impl ReplyFate {
    /// "already attached to “Ann — Year end”", for a sentence about the reply.
    pub fn already(&self) -> String {
        match self {
            ReplyFate::Attached { title, .. } => format!("already attached to “{title}”"),
            ReplyFate::Discarded => "already discarded".into(),
        }
    }
}

impl Record for ReplyFate {
    const KIND: &'static str = "reply fate";
    const VERSION: u16 = 1;
}
