//! What reacts to events: the queue of events waiting for notification hooks, webhook posts
//! waiting for delivery, and staff notifications for the in-app inbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Record, UserId, WorkId};

/// An event written in the same batch as the change that caused it, delivered to the hooks
/// after commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueuedEvent {
    pub id: ulid::Ulid,
    pub at: DateTime<Utc>,
    pub work: WorkId,
    pub group: Option<usize>,
    pub kind: HookEventKind,
    /// The client did it (ticked a task, uploaded, commented).
    #[serde(default)]
    pub by_client: bool,
}

impl Record for QueuedEvent {
    const KIND: &'static str = "queued event";
    const VERSION: u16 = 1;
}

/// A webhook POST a hook asked for, delivered with retries to its granted host only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: ulid::Ulid,
    pub plugin: String,
    pub work: WorkId,
    pub url: String,
    pub content_type: String,
    pub body: String,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

impl Record for WebhookDelivery {
    const KIND: &'static str = "webhook delivery";
    const VERSION: u16 = 1;
}

/// A line in a staff member's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffNotification {
    pub id: ulid::Ulid,
    pub user: UserId,
    pub at: DateTime<Utc>,
    pub work: WorkId,
    pub message: String,
    /// What raised it: `docket` for the engine's own, else the hook plugin's name.
    pub source: String,
    /// The event it is about (`task-completed`, `upload-received`, `comment-added`,
    /// `reminder-limit-reached`, `send-failed`, ...); empty in notifications written before
    /// it was recorded.
    #[serde(default)]
    pub kind: String,
    pub read: bool,
}

impl Record for StaffNotification {
    const KIND: &'static str = "staff notification";
    const VERSION: u16 = 1;
}

/// What happened, for notification hooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum HookEventKind {
    TaskCompleted { title: String },
    AllTasksCompleted,
    UploadReceived { file_name: String },
    CommentAdded { text: String },
    ReminderLimitReached { title: String },
    SendFailed { reason: String },
}

impl HookEventKind {
    /// Names of the event kinds, as hook subscriptions in the configuration write them.
    pub const NAMES: [&'static str; 6] = [
        "task-completed",
        "all-tasks-completed",
        "upload-received",
        "comment-added",
        "reminder-limit-reached",
        "send-failed",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            HookEventKind::TaskCompleted { .. } => "task-completed",
            HookEventKind::AllTasksCompleted => "all-tasks-completed",
            HookEventKind::UploadReceived { .. } => "upload-received",
            HookEventKind::CommentAdded { .. } => "comment-added",
            HookEventKind::ReminderLimitReached { .. } => "reminder-limit-reached",
            HookEventKind::SendFailed { .. } => "send-failed",
        }
    }

    /// A sentence for staff, e.g. in the inbox.
    pub fn describe(&self) -> String {
        match self {
            HookEventKind::TaskCompleted { title } => format!("Task “{title}” completed"),
            HookEventKind::AllTasksCompleted => "Every task completed".into(),
            HookEventKind::UploadReceived { file_name } => format!("File uploaded: {file_name}"),
            HookEventKind::CommentAdded { text } => {
                format!("Comment: {}", text.chars().take(80).collect::<String>())
            }
            HookEventKind::ReminderLimitReached { title } => {
                format!("Task “{title}” reached the reminder limit")
            }
            HookEventKind::SendFailed { reason } => format!("An email could not be sent: {reason}"),
        }
    }
}
