//! The host's plain Rust types as the WIT's and back: the calendar, parameters, a batch's
//! columns and its answer, a send request, a hook event, and a plugin's own error.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::time::{day, minute_of_day, moment};
use super::{wit_hook, wit_reminder, wit_sending, wit_types};
use crate::plugin::error::{Failure, PluginError, one_line};
use crate::plugin::model::{
    BatchAnswer, BatchColumns, FirmCalendar, GroupState, HookEvent, HookEventKind, Params,
    SendRequest,
};

pub(crate) fn calendar(cal: &FirmCalendar, now: DateTime<Utc>) -> wit_types::Calendar {
    let mut holidays: Vec<i32> = cal.holidays.iter().map(|d| day(*d)).collect();
    holidays.sort_unstable();
    wit_types::Calendar {
        timezone: cal.tz.name().to_string(),
        send_time: minute_of_day(cal.send_time),
        now: moment(cal.tz, now),
        holidays,
    }
}

pub(crate) fn params(params: &Params) -> Vec<wit_types::Param> {
    params
        .iter()
        .map(|(name, value)| wit_types::Param {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

/// Groups as the group and task columns of a batch call: one pass, one zone lookup per
/// instant, every column a list of numbers so that it crosses the boundary in one copy.
pub(crate) fn batch(
    tz: Tz,
    groups: &[GroupState],
) -> Result<(wit_reminder::GroupColumns, wit_reminder::TaskColumns), PluginError> {
    let total: usize = groups.iter().map(|g| g.tasks.len()).sum();
    if u32::try_from(total).is_err() {
        return Err(PluginError::BadInput(
            "a batch holds at most 4 billion tasks".into(),
        ));
    }
    let n = groups.len();
    let mut columns = wit_reminder::GroupColumns {
        sent_at: Vec::with_capacity(n),
        sent_day: Vec::with_capacity(n),
        sent_minute: Vec::with_capacity(n),
        reminded: Vec::with_capacity(n),
        last_reminder_at: Vec::with_capacity(n),
        last_reminder_day: Vec::with_capacity(n),
        last_reminder_minute: Vec::with_capacity(n),
        task_count: Vec::with_capacity(n),
    };
    let mut tasks = wit_reminder::TaskColumns {
        due: Vec::with_capacity(total),
        done: Vec::with_capacity(total),
        reminders_sent: Vec::with_capacity(total),
    };
    for g in groups {
        let sent = moment(tz, g.sent_at);
        // Without a last reminder the sending stands in for it, as the WIT says.
        let last = g.last_reminder_at.map_or(sent, |at| moment(tz, at));
        columns.sent_at.push(sent.at);
        columns.sent_day.push(sent.day);
        columns.sent_minute.push(sent.minute);
        columns
            .reminded
            .push(u8::from(g.last_reminder_at.is_some()));
        columns.last_reminder_at.push(last.at);
        columns.last_reminder_day.push(last.day);
        columns.last_reminder_minute.push(last.minute);
        columns.task_count.push(g.tasks.len() as u32);
        for t in &g.tasks {
            tasks.due.push(day(t.due));
            tasks.done.push(u8::from(t.done));
            tasks.reminders_sent.push(t.reminders_sent);
        }
    }
    Ok((columns, tasks))
}

/// A batch's columns as the plain slices native code reads (see `calls::native_reminders`).
pub(crate) fn batch_columns<'a>(
    send_time: u16,
    groups: &'a wit_reminder::GroupColumns,
    tasks: &'a wit_reminder::TaskColumns,
) -> BatchColumns<'a> {
    BatchColumns {
        send_time,
        sent_at: &groups.sent_at,
        sent_day: &groups.sent_day,
        sent_minute: &groups.sent_minute,
        reminded: &groups.reminded,
        last_reminder_at: &groups.last_reminder_at,
        last_reminder_day: &groups.last_reminder_day,
        last_reminder_minute: &groups.last_reminder_minute,
        task_count: &groups.task_count,
        due: &tasks.due,
        done: &tasks.done,
        reminders_sent: &tasks.reminders_sent,
    }
}

/// A plugin's answer to a batch as the host's plain columns; the vectors are moved, not copied.
pub(crate) fn batch_answer(d: wit_reminder::BatchDecision) -> BatchAnswer {
    BatchAnswer {
        covered_count: d.covered_count,
        day: d.day,
        minute: d.minute,
        covered: d.covered,
    }
}

pub(crate) fn send_request(r: &SendRequest) -> wit_sending::SendRequest {
    wit_sending::SendRequest {
        start: day(r.start),
        first_due: r.first_due.map(day),
        task_count: r.task_count,
    }
}

pub(crate) fn event(e: &HookEvent) -> wit_hook::Event {
    use wit_hook::EventKind as K;
    let kind = match &e.kind {
        HookEventKind::TaskCompleted { title } => K::TaskCompleted(title.clone()),
        HookEventKind::AllTasksCompleted => K::AllTasksCompleted,
        HookEventKind::UploadReceived { file_name } => K::UploadReceived(file_name.clone()),
        HookEventKind::CommentAdded { text } => K::CommentAdded(text.clone()),
        HookEventKind::ReminderLimitReached { title } => K::ReminderLimitReached(title.clone()),
        HookEventKind::SendFailed { reason } => K::SendFailed(reason.clone()),
    };
    wit_hook::Event {
        kind,
        at: e.at.timestamp(),
        work_id: e.work_id.clone(),
        work_title: e.work_title.clone(),
        group_name: e.group_name.clone(),
        contact_email: e.contact_email.clone(),
        staff_emails: e.staff_emails.clone(),
    }
}

/// A plugin's own error as the host's: a refusal of its input, or the failure the SDK caught
/// (an exception or panic with its kind, message and location).
pub(crate) fn refused(plugin: &str, error: wit_types::PluginError) -> PluginError {
    let err = match error {
        wit_types::PluginError::BadParam(why) => PluginError::Refused {
            plugin: plugin.to_string(),
            reason: format!("bad parameter: {}", one_line(why)),
        },
        wit_types::PluginError::BadInput(why) => PluginError::Refused {
            plugin: plugin.to_string(),
            reason: one_line(why),
        },
        wit_types::PluginError::Crashed(failure) => PluginError::Failed {
            plugin: plugin.to_string(),
            failure: Failure {
                kind: one_line(failure.kind),
                message: one_line(failure.message),
                location: one_line(failure.location),
            },
        },
    };
    tracing::warn!(plugin, error = %err, "plugin refused its input or failed");
    err
}
