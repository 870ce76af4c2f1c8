//! The adapter that still serves components built against `docket:plugin@0.1.0`
//! (`engine/wit/0.1.0/`): their bindings, and each call's arguments and answer converted to and
//! from the current contract's types, so the rest of the host speaks 0.2.0 only.
//!
//! A 0.1.0 reminder policy exports two decision functions, `next-reminder` (one group) and
//! `next-reminders` (a batch). The host calls only `next-reminders`, for a single group as a
//! batch of one, exactly as it calls a 0.2.0 policy; `next-reminder` is never called, so the
//! two can never disagree in what Docket does. Sending rules and hooks are the same functions
//! in both versions.

use super::{wit_hook, wit_reminder, wit_sending, wit_types};

pub(crate) mod reminder_world {
    wasmtime::component::bindgen!({
        world: "reminder-policy",
        path: "wit/0.1.0",
    });
}

pub(crate) mod sending_world {
    wasmtime::component::bindgen!({
        world: "sending-rule",
        path: "wit/0.1.0",
        with: { "docket:plugin/types": super::reminder_world::docket::plugin::types },
    });
}

pub(crate) mod hook_world {
    wasmtime::component::bindgen!({
        world: "notification-hook",
        path: "wit/0.1.0",
        with: { "docket:plugin/types": super::reminder_world::docket::plugin::types },
    });
}

pub(crate) use hook_world::{NotificationHook, NotificationHookPre};
pub(crate) use reminder_world::{ReminderPolicy, ReminderPolicyPre};
pub(crate) use sending_world::{SendingRule, SendingRulePre};

use hook_world::exports::docket::plugin::hook as old_hook;
use reminder_world::docket::plugin::types as old_types;
use reminder_world::exports::docket::plugin::reminder as old_reminder;
use sending_world::exports::docket::plugin::sending as old_sending;

fn moment(m: &wit_types::Moment) -> old_types::Moment {
    old_types::Moment {
        at: m.at,
        day: m.day,
        minute: m.minute,
    }
}

pub(crate) fn calendar(c: &wit_types::Calendar) -> old_types::Calendar {
    old_types::Calendar {
        timezone: c.timezone.clone(),
        send_time: c.send_time,
        now: moment(&c.now),
        holidays: c.holidays.clone(),
    }
}

pub(crate) fn params(params: &[wit_types::Param]) -> Vec<old_types::Param> {
    params
        .iter()
        .map(|p| old_types::Param {
            name: p.name.clone(),
            value: p.value.clone(),
        })
        .collect()
}

/// A batch's columns as 0.1.0 spells them (the same columns, copied: only 0.1.0 policies pay
/// for the copy).
pub(crate) fn batch(
    groups: &wit_reminder::GroupColumns,
    tasks: &wit_reminder::TaskColumns,
) -> (old_reminder::GroupColumns, old_reminder::TaskColumns) {
    (
        old_reminder::GroupColumns {
            sent_at: groups.sent_at.clone(),
            sent_day: groups.sent_day.clone(),
            sent_minute: groups.sent_minute.clone(),
            reminded: groups.reminded.clone(),
            last_reminder_at: groups.last_reminder_at.clone(),
            last_reminder_day: groups.last_reminder_day.clone(),
            last_reminder_minute: groups.last_reminder_minute.clone(),
            task_count: groups.task_count.clone(),
        },
        old_reminder::TaskColumns {
            due: tasks.due.clone(),
            done: tasks.done.clone(),
            reminders_sent: tasks.reminders_sent.clone(),
        },
    )
}

pub(crate) fn decision(d: old_reminder::BatchDecision) -> wit_reminder::BatchDecision {
    wit_reminder::BatchDecision {
        covered_count: d.covered_count,
        day: d.day,
        minute: d.minute,
        covered: d.covered,
    }
}

pub(crate) fn error(e: old_types::PluginError) -> wit_types::PluginError {
    match e {
        old_types::PluginError::BadParam(why) => wit_types::PluginError::BadParam(why),
        old_types::PluginError::BadInput(why) => wit_types::PluginError::BadInput(why),
    }
}

pub(crate) fn send_request(r: &wit_sending::SendRequest) -> old_sending::SendRequest {
    old_sending::SendRequest {
        start: r.start,
        first_due: r.first_due,
        task_count: r.task_count,
    }
}

pub(crate) fn send_answer(at: Option<old_types::LocalTime>) -> Option<wit_types::LocalTime> {
    at.map(|at| wit_types::LocalTime {
        day: at.day,
        minute: at.minute,
    })
}

pub(crate) fn event(e: &wit_hook::Event) -> old_hook::Event {
    use old_hook::EventKind as Old;
    use wit_hook::EventKind as New;
    let kind = match &e.kind {
        New::TaskCompleted(title) => Old::TaskCompleted(title.clone()),
        New::AllTasksCompleted => Old::AllTasksCompleted,
        New::UploadReceived(name) => Old::UploadReceived(name.clone()),
        New::CommentAdded(text) => Old::CommentAdded(text.clone()),
        New::ReminderLimitReached(title) => Old::ReminderLimitReached(title.clone()),
        New::SendFailed(reason) => Old::SendFailed(reason.clone()),
    };
    old_hook::Event {
        kind,
        at: e.at,
        work_id: e.work_id.clone(),
        work_title: e.work_title.clone(),
        group_name: e.group_name.clone(),
        contact_email: e.contact_email.clone(),
        staff_emails: e.staff_emails.clone(),
    }
}
