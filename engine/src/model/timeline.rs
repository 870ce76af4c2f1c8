//! The append-only timeline: everything that happened to a work item or a contact, in order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ContactId, EventId, Record, UserId, WorkId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEvent {
    pub id: EventId,
    pub at: DateTime<Utc>,
    pub work: Option<WorkId>,
    pub contact: Option<ContactId>,
    pub actor: Actor,
    pub kind: EventKind,
    /// A sentence for people reading the timeline.
    pub summary: String,
    /// The outbox message (its id) the event is about: an email sent or failed.
    #[serde(default)]
    pub email: Option<String>,
}

impl Record for TimelineEvent {
    const KIND: &'static str = "timeline event";
    /// 2: `email`, absent (none) in version 1.
    const VERSION: u16 = 2;

    fn upgrade(version: u16, value: serde_json::Value) -> Result<serde_json::Value, String> {
        match version {
            1 => Ok(value),
            _ => Err(format!(
                "no upgrade from timeline event format version {version}"
            )),
        }
    }
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Actor {
    /// Docket itself (a scheduled send, a reminder).
    System,
    Staff(UserId),
    Contact(ContactId),
    /// A tool using an API token, by token name.
    Api(String),
    /// A notification hook acting on an event, by plugin name.
    Hook(String),
    /// Someone at the server's shell, through the `docket` command (on a stopped folder or
    /// beside a running server through its admin socket).
    CommandLine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ContactCreated,
    WorkCreated,
    StatusChanged,
    /// Staff changed the work's external name or assignee.
    WorkEdited,
    /// Staff looked at a group's checklist as its client sees it.
    ViewedAsClient,
    /// Staff removed a file from the work.
    FileRemoved,
    GroupSent,
    ReminderSent,
    TaskCompleted,
    TaskReopened,
    CommentAdded,
    FileUploaded,
    LinkOpened,
    EmailSent,
    EmailFailed,
    /// A group's sending settings, reminder policy or recipient were changed on the work.
    GroupSettingsChanged,
    /// A hook's webhook could not be delivered.
    WebhookFailed,
    /// A group's checklist was bound to a device (or moved to another).
    DeviceBound,
    /// A client asked for a fresh access link.
    LinkRequested,
    /// A contact signed in to their client account.
    SignedIn,
    ContactArchived,
    ContactRestored,
    /// A contact's name, email or timezone was changed (an email change ends their access).
    ContactChanged,
    /// A plugin that a group names was replaced by a new version in the plugins folder.
    PluginReplaced,
    /// A group's plugin failed: its next send or reminder waits, retried with backoff.
    GroupStuck,
    /// A stuck group's plugin answered again: its next send or reminder is planned.
    GroupRecovered,
    /// Staff paused reminders (to a contact, or on one work item) until a date.
    RemindersPaused,
    /// Staff ended a pause of reminders before its date.
    RemindersResumed,
    /// Staff accepted what a client sent for a task, or sent the task back with a reason.
    TaskReviewed,
    /// Staff set or changed the work's repeat.
    RepeatSet,
    /// The work's repeat stopped: by staff, after its last date, or because what it makes
    /// from (the template, a contact) is gone.
    RepeatStopped,
    /// The repeat made a work item: on the repeating work, and on the one made.
    RepeatMade,
    /// A client's mail server answered an email automatically (out of office, a bounce): noted,
    /// never taken as the client's comment.
    AutoReply,
}
