//! The plain Rust types the host's callers speak: firm calendar, groups and tasks, send
//! requests, hook events. They know nothing of WIT; `wit/` converts them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

pub use crate::model::HookEventKind;

/// The product's cap, enforced on every policy, stock or installed: a task gets at most this
/// many reminders until its group is resent.
pub const MAX_REMINDERS_PER_TASK: u8 = 5;

/// Parameters of a policy, rule or hook, e.g. `before` = `7,3,1`. They override the plugin's
/// manifest defaults one by one.
pub type Params = BTreeMap<String, String>;

/// The calendar reminders and sends follow: the zone (the firm's, or the contact's override),
/// the local send time and the firm's holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmCalendar {
    pub tz: Tz,
    pub send_time: NaiveTime,
    pub holidays: Vec<NaiveDate>,
}

impl FirmCalendar {
    /// A calendar from text, as the CLI and configuration give it: an IANA zone name and
    /// `HH:MM`.
    pub fn parse(
        tz: &str,
        send_time: &str,
        holidays: Vec<NaiveDate>,
    ) -> Result<FirmCalendar, String> {
        let tz: Tz = tz
            .parse()
            .map_err(|_| format!("`{tz}` is not an IANA timezone (e.g. Europe/London)"))?;
        let send_time = crate::config::parse_time_of_day(send_time).ok_or_else(|| {
            format!("`{send_time}` is not a time of day; write HH:MM, e.g. 09:00")
        })?;
        Ok(FirmCalendar {
            tz,
            send_time,
            holidays,
        })
    }
}

/// One client task as a reminder policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskState {
    pub due: NaiveDate,
    pub done: bool,
    /// Reminders that covered this task since the group was last sent.
    pub reminders_sent: u8,
}

/// One client-task group as a reminder policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupState {
    pub sent_at: DateTime<Utc>,
    pub last_reminder_at: Option<DateTime<Utc>>,
    pub tasks: Vec<TaskState>,
}

/// A group's next reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextReminder {
    pub at: DateTime<Utc>,
    /// Indices into the group's tasks, ascending, never empty.
    pub tasks: Vec<usize>,
}

/// A batch of groups as a reminder policy reads it (the WIT's `group-columns` and
/// `task-columns`), borrowed from the host's own encoding: what [`super::native_reminders`]
/// hands the native code the benchmark compares the WASM policy with.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct BatchColumns<'a> {
    /// The calendar's send time, in minutes after local midnight.
    pub send_time: u16,
    pub sent_at: &'a [i64],
    pub sent_day: &'a [i32],
    pub sent_minute: &'a [u16],
    pub reminded: &'a [u8],
    pub last_reminder_at: &'a [i64],
    pub last_reminder_day: &'a [i32],
    pub last_reminder_minute: &'a [u16],
    pub task_count: &'a [u32],
    pub due: &'a [i32],
    pub done: &'a [u8],
    pub reminders_sent: &'a [u8],
}

/// The answer to a batch as a reminder policy gives it (the WIT's `batch-decision`), before
/// the host checks it.
#[doc(hidden)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchAnswer {
    pub covered_count: Vec<u32>,
    pub day: Vec<i32>,
    pub minute: Vec<u16>,
    pub covered: Vec<u32>,
}

/// What a sending rule knows about the group to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRequest {
    /// The work item's start date.
    pub start: NaiveDate,
    /// The earliest due date among the group's tasks.
    pub first_due: Option<NaiveDate>,
    pub task_count: u32,
}

/// One event delivered to a notification hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookEvent {
    pub kind: HookEventKind,
    pub at: DateTime<Utc>,
    pub work_id: String,
    pub work_title: String,
    pub group_name: String,
    pub contact_email: String,
    /// The work's staff: sender and assignee.
    pub staff_emails: Vec<String>,
}

/// An effect a hook asked for and was allowed, to be carried out by the caller (queued in the
/// outbox). Effects are handed over only when the hook returns successfully, so a hook that
/// crashes halfway has no effect at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "effect", rename_all = "kebab-case")]
pub enum Effect {
    SendEmail {
        to: String,
        subject: String,
        body: String,
    },
    HttpPost {
        url: String,
        content_type: String,
        body: String,
    },
    SetWorkStatus {
        work_id: String,
        status: String,
    },
    NotifyStaff {
        work_id: String,
        message: String,
    },
}

/// Carries out the effects of a hook (a later issue implements it against the outbox).
pub trait HookEffects {
    /// Called once per allowed effect, in the order the hook asked for them, after the hook
    /// returned successfully.
    fn apply(&mut self, plugin: &str, effect: Effect);
}

/// Records effects instead of carrying them out: for tests and previews.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordedEffects {
    /// `(plugin, effect)` in the order applied.
    pub applied: Vec<(String, Effect)>,
}

impl HookEffects for RecordedEffects {
    fn apply(&mut self, plugin: &str, effect: Effect) {
        self.applied.push((plugin.to_string(), effect));
    }
}
