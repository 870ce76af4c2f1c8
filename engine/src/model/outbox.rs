//! The outbox: every email Docket sends is first a record here, written in the same batch as the
//! change that causes it, then delivered by the sender with retries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ContactId, KeyInstant, Record, WorkId};

/// What an email is about; also names its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A group sent (or resent) to its recipient.
    Request,
    Reminder,
    /// Staff comments, batched.
    CommentDigest,
    /// A fresh link the client asked for from the portal.
    AccessLink,
    /// A link to sign in to the client account.
    SignIn,
    /// An email a notification hook asked for; its subject and body are the hook's.
    HookEmail,
}

impl MessageKind {
    pub const TEMPLATED: [MessageKind; 5] = [
        MessageKind::Request,
        MessageKind::Reminder,
        MessageKind::CommentDigest,
        MessageKind::AccessLink,
        MessageKind::SignIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Request => "request",
            MessageKind::Reminder => "reminder",
            MessageKind::CommentDigest => "comment_digest",
            MessageKind::AccessLink => "access_link",
            MessageKind::SignIn => "sign_in",
            MessageKind::HookEmail => "hook_email",
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting for its next attempt.
    Queued,
    /// Handed to the transport; if Docket stops now it may go twice (see ARCHITECTURE.md).
    InFlight,
    Sent,
    /// Refused for good (a 5xx answer, a bad address); the reason is in `last_error`.
    Failed,
    /// Not sent because it no longer applied (a reminder whose tasks were all done meanwhile).
    Dropped,
}

/// What the email templates see. Every field exists in every kind's context, so a template may
/// test any of them; optional ones are empty when they do not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailContext {
    pub firm_name: String,
    pub firm_logo_url: Option<String>,
    pub contact_name: String,
    /// The work's external name, as the client knows it.
    pub work_name: String,
    pub group_name: String,
    /// The staff member the email is from, when it is from one.
    pub sender_name: Option<String>,
    /// The tasks the email is about (all open tasks of a request, the covered ones of a
    /// reminder).
    pub tasks: Vec<TaskLine>,
    pub comments: Vec<CommentLine>,
    /// The magic link to the checklist. Dropped from the stored record once handed over.
    pub link: String,
    /// 1 for the first reminder since the group was sent, and so on; 0 for other kinds.
    pub reminder_number: u32,
    /// For a reminder: the group's other open tasks, which this reminder is not about.
    #[serde(default)]
    pub also_open: Vec<TaskLine>,
    /// The language the email is written in (`i18n`): the contact's, else the firm's. Empty
    /// (messages queued before languages) reads as English.
    #[serde(default)]
    pub locale: String,
    /// For a request sent again: the day the request it replaces was sent, in the client's
    /// words (its links no longer work); empty otherwise.
    #[serde(default)]
    pub replaces: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskLine {
    pub title: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// Human form, e.g. "Friday 3 April 2026".
    pub due_text: String,
    pub overdue: bool,
    pub done: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommentLine {
    pub author: String,
    pub at_text: String,
    pub body: String,
    /// What staff did that the line tells of, in the client's language: a task accepted or sent
    /// back ("Sent back: “P60”"); empty for a plain comment.
    #[serde(default)]
    pub about: String,
}

/// One email, from the moment a change queues it until it is sent or given up on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboundMessage {
    pub id: ulid::Ulid,
    /// Unique per send, reminder or digest (e.g. `WORK/0/reminder/1/3`); also the stem of the
    /// `Message-ID`, so a receiving server sees a resent duplicate as the same message.
    pub key: String,
    pub kind: MessageKind,
    pub created_at: DateTime<Utc>,
    pub work: Option<WorkId>,
    pub group: Option<usize>,
    pub contact: Option<ContactId>,
    pub to: String,
    pub to_name: Option<String>,
    /// Display name of the From header; the address is always the firm's `mail.from`.
    pub from_name: String,
    /// The sender's own address, when a staff member sends.
    pub reply_to: Option<String>,
    /// For a reminder: the tasks it covers, so delivery can drop it when all are done.
    #[serde(default)]
    pub covers: Vec<usize>,
    /// A reminder is queued by the scheduler with only what decides it (its work, group,
    /// covered tasks and number); its task lists, sender and fresh link are filled in when it
    /// is claimed for delivery, from the work as it is then. Until then this is true and
    /// `context` holds only `reminder_number`.
    #[serde(default)]
    pub compose_at_delivery: bool,
    pub context: MailContext,
    /// Subject and text body of a hook's email.
    #[serde(default)]
    pub custom: Option<(String, String)>,
    /// The idempotency key of the email this one answers (a reminder answers the group's
    /// request), for `In-Reply-To` and `References`.
    #[serde(default)]
    pub thread: Option<String>,
    pub state: MessageState,
    pub attempts: u32,
    /// Times the message was found in flight when Docket started again after a crash; each may
    /// have delivered it once more.
    #[serde(default)]
    pub recovered_in_flight: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub subject: Option<String>,
}

impl OutboundMessage {
    /// A new message queued for now: the fields every email needs, the rest empty, ready to be
    /// filled in with struct-update syntax.
    pub fn queued(
        key: String,
        kind: MessageKind,
        now: DateTime<Utc>,
        to: String,
        from_name: String,
    ) -> OutboundMessage {
        OutboundMessage {
            id: super::new_id(now),
            key,
            kind,
            created_at: now,
            work: None,
            group: None,
            contact: None,
            to,
            to_name: None,
            from_name,
            reply_to: None,
            covers: Vec::new(),
            compose_at_delivery: false,
            context: MailContext::default(),
            custom: None,
            thread: None,
            state: MessageState::Queued,
            attempts: 0,
            recovered_in_flight: 0,
            next_attempt_at: now,
            last_error: None,
            sent_at: None,
            subject: None,
        }
    }
}

impl Record for OutboundMessage {
    const KIND: &'static str = "outbound message";
    const VERSION: u16 = 1;
}

/// Staff comments waiting to reach the client in one email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PendingDigest {
    /// When the email goes: the digest delay after the latest staff comment, at the schedule
    /// index's precision.
    #[schema(value_type = DateTime<Utc>)]
    pub due_at: KeyInstant,
    /// The first comment of the burst.
    pub since: DateTime<Utc>,
    /// A task was accepted or sent back: the email goes at once and later comments do not
    /// put it off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prompt: bool,
}

impl Record for PendingDigest {
    const KIND: &'static str = "pending comment digest";
    const VERSION: u16 = 1;
}
