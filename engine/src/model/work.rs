//! Work items: a template put to work for a client, with dates, a recipient per group and the
//! state of each client task.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{ContactId, DocumentRef, KeyInstant, PluginRef, Record, TemplateId, UserId, WorkId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkItem {
    pub id: WorkId,
    pub template_id: TemplateId,
    /// The firm's own title, e.g. "Smith & Co — 2026 tax return".
    pub title: String,
    /// What the client sees on the portal and in emails.
    pub external_name: String,
    pub start_date: NaiveDate,
    pub assignee: Option<UserId>,
    pub status: WorkStatus,
    /// A firm-defined refinement of `status`, e.g. "over reminder limit" under waiting on client.
    #[serde(default)]
    pub sub_status: Option<String>,
    pub groups: Vec<ClientTaskGroup>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while staff pause this work's reminders until a date (the contact's own pause, if
    /// any, holds them too: the later of the two wins). Boxed: most work is never paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<Box<super::ReminderPause>>,
    /// Set while this work repeats: the scheduler makes the next work item like it on each
    /// occurrence. Boxed: most work does not repeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Box<super::Repeat>>,
    /// The work item whose repeat made this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated_from: Option<WorkId>,
}

impl Record for WorkItem {
    const KIND: &'static str = "work item";
    const VERSION: u16 = 1;
}

impl WorkItem {
    /// Every contact this work asks something of, without repeats.
    pub fn recipients(&self) -> Vec<ContactId> {
        let mut ids: Vec<_> = self.groups.iter().map(|g| g.recipient).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Where a work item stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WorkStatus {
    /// Created, nothing sent yet.
    Planned,
    /// Sent to the client; waiting on them.
    WaitingOnClient,
    /// The client's part is done; staff are working.
    InProgress,
    /// Finished; the portal is locked.
    Completed,
}

impl WorkStatus {
    pub const ALL: [WorkStatus; 4] = [
        WorkStatus::Planned,
        WorkStatus::WaitingOnClient,
        WorkStatus::InProgress,
        WorkStatus::Completed,
    ];

    /// The status in the words pages and the timeline use.
    pub fn label(self) -> &'static str {
        match self {
            WorkStatus::Planned => "Planned",
            WorkStatus::WaitingOnClient => "Waiting on the client",
            WorkStatus::InProgress => "In progress",
            WorkStatus::Completed => "Completed",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WorkStatus::Planned => "planned",
            WorkStatus::WaitingOnClient => "waiting_on_client",
            WorkStatus::InProgress => "in_progress",
            WorkStatus::Completed => "completed",
        }
    }
}

impl std::str::FromStr for WorkStatus {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorkStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| {
                crate::Error::invalid(format!(
                    "`{s}` is not a work status; use planned, waiting_on_client, in_progress or completed"
                ))
            })
    }
}

/// A group of client tasks within a work item, addressed to one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientTaskGroup {
    pub name: String,
    pub recipient: ContactId,
    pub sending: PluginRef,
    pub reminders: PluginRef,
    /// The staff member this group's emails come from, when its sending settings name one;
    /// otherwise the assignee (automatic sends) or whoever pressed Send.
    #[serde(default)]
    pub sender: Option<UserId>,
    /// When the group was last emailed to the recipient; `None` until sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// Who the group was last sent as: a staff member, or `None` for the firm itself.
    #[serde(default)]
    pub sent_by: Option<UserId>,
    /// How many times the group was sent (the first send is 1, each resend adds one).
    #[serde(default)]
    pub sends: u32,
    /// Reminders sent since the group was last sent.
    #[serde(default)]
    pub reminders_sent: u32,
    /// When the last reminder went out, since the group was last sent.
    #[serde(default)]
    pub last_reminder_at: Option<DateTime<Utc>>,
    /// What the scheduler does next for this group, mirrored in the schedule index.
    #[serde(default)]
    pub next: Option<Fire>,
    /// When the group was given its current recipient, if it changed after the work was made:
    /// staff comments from before are not shown to them.
    #[serde(default)]
    pub recipient_since: Option<DateTime<Utc>>,
    /// Set while a plugin cannot plan the group's next send or reminder: the group waits,
    /// retried with backoff, and staff are shown why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stuck: Option<Stuck>,
    pub tasks: Vec<ClientTask>,
}

/// Why a group's next send or reminder cannot be planned: the plugin that fails, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stuck {
    /// The sending rule or reminder policy that fails.
    pub plugin: String,
    /// Its version when it last failed (empty when it is not installed).
    pub version: String,
    /// What went wrong, as the plugin host words it.
    pub reason: String,
    /// When it first failed for this group.
    pub since: DateTime<Utc>,
    /// How many times in a row it failed; each retry waits twice as long, up to an hour.
    pub attempts: u32,
}

impl ClientTaskGroup {
    pub fn all_done(&self) -> bool {
        self.tasks.iter().all(|t| t.done_at.is_some())
    }
}

/// The scheduler's next action for a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fire {
    /// When it happens: already moved onto the firm's send schedule and off its holidays, at
    /// the schedule index's precision.
    #[schema(value_type = DateTime<Utc>)]
    pub at: KeyInstant,
    #[serde(flatten)]
    pub action: FireAction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FireAction {
    /// The sending rule's automatic send.
    Send,
    /// A reminder covering these tasks (positions in the group).
    Reminder { tasks: Vec<usize> },
    /// A plugin failed when asked; ask again at the next tick.
    Retry { reason: String },
}

/// One thing the client must do, with an absolute due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientTask {
    pub title: String,
    pub description: String,
    /// The work's start date plus the template's offset, a date in the firm's calendar.
    pub due_date: NaiveDate,
    pub documents: Vec<DocumentRef>,
    /// When the client (or staff on their behalf) marked it done.
    pub done_at: Option<DateTime<Utc>>,
    /// Who marked it done; not known for tasks done before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<super::Actor>,
    /// Reminders sent for this task since the group was last sent (or the task sent back).
    pub reminders_sent: u32,
    /// Staff's reviews of what the client sent for it, oldest first: each accepted it, or sent
    /// the task back with a reason. `ClientTask::review` says which one stands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<TaskReview>,
}

impl ClientTask {
    /// Whether staff have something of the client's to review for it: an upload (`uploaded`),
    /// the client's tick, or what an earlier review was about (a task sent back may still be
    /// accepted after all).
    pub fn reviewable(&self, uploaded: bool) -> bool {
        uploaded || self.ticked_by_client() || !self.reviews.is_empty()
    }

    /// Whether the client ticked it: done, and not by staff (a task done before `done_by` was
    /// kept counts as the client's).
    pub fn ticked_by_client(&self) -> bool {
        self.done_at.is_some()
            && self
                .done_by
                .as_ref()
                .is_none_or(|by| matches!(by, super::Actor::Contact(_)))
    }

    /// The review that stands: the latest, while the task is as it left it — done since an
    /// acceptance, open since a send-back. Ticked again after being sent back (or reopened after
    /// being accepted), the task waits for a new review.
    pub fn review(&self) -> Option<&TaskReview> {
        let last = self.reviews.last()?;
        let stands = match self.done_at {
            Some(done) => last.accepted && done <= last.at,
            None => !last.accepted,
        };
        stands.then_some(last)
    }
}

/// Staff's review of a client task: what the client sent was accepted, or the task was sent
/// back to them with a reason (it reopens for them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskReview {
    pub accepted: bool,
    /// Why it was sent back; `None` when accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who reviewed it.
    pub by: super::Actor,
    pub at: DateTime<Utc>,
}

/// What staff say of a client task: `{"accept": true}`, or `{"accept": false, "reason": "..."}`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub accept: bool,
    /// Why it goes back to the client (needed when `accept` is false): they read it on their
    /// checklist and in the comment email.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What staff give to create a work item.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWork {
    /// The template's name or id.
    pub template: String,
    /// Defaults to "{contact} — {template}": the first group's contact's name and the
    /// template's, as a bulk create titles its items.
    #[serde(default)]
    pub title: Option<String>,
    /// Defaults to the title given, else the template's name.
    #[serde(default)]
    pub external_name: Option<String>,
    /// `YYYY-MM-DD`; a day that does not exist is refused naming it.
    #[serde(default, deserialize_with = "crate::dates::some_date")]
    pub start_date: Option<NaiveDate>,
    /// The assignee's email or id.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Recipient contacts (ids or emails), one per group in template order; a single one
    /// serves every group.
    pub contacts: Vec<String>,
}

/// What staff give to make the same work for many contacts at once: one work item per contact,
/// every group of it going to that contact.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBulkWork {
    /// The template's name or id.
    pub template: String,
    /// `YYYY-MM-DD`; a day that does not exist is refused naming it.
    #[serde(default, deserialize_with = "crate::dates::some_date")]
    pub start_date: Option<NaiveDate>,
    /// The contacts (ids, emails or `Name <email>`), one work item each; at most 1000.
    pub contacts: Vec<String>,
    /// The assignee's email or id, for every item.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Each item's title, `{contact}` standing for the contact's name, `{template}` for the
    /// template's, and `{month}`, `{quarter}`, `{year}`, `{date}` for the start date's
    /// ("April 2027", "Q2 2027", "2027", "1 April 2027"); `{contact} — {template}` when not given.
    #[serde(default)]
    #[schema(example = "{contact} — {template}")]
    pub title: Option<String>,
    /// The name each client sees (in their emails and on their checklist), with the same
    /// placeholders as `title`; `{template} ({month})` when not given, so two periods' requests
    /// read apart.
    #[serde(default)]
    #[schema(example = "{template} ({month})")]
    pub external_name: Option<String>,
    /// Adds the contacts given as `Name <email>` that are not contacts yet, in the same step:
    /// only when all the work can be made. A bare email that is not a contact is still refused.
    #[serde(default)]
    pub add_contacts: bool,
}
