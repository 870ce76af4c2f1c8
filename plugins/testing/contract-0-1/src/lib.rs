//! A component built against the old contract, `docket:plugin@0.1.0` (`engine/wit/0.1.0/`), for
//! the tests of the host's adapter: a reminder policy and a sending rule in one component.
//! Its two reminder functions disagree on purpose: `next-reminders` (the batch) reminds every
//! three days, `next-reminder` (one group) every day. Docket calls only the batch, so every
//! calendar the tools and the scheduler show must be the three-day one. The sending rule sends
//! two days before the work's start. Never installed; the tests copy it into place.

wit_bindgen::generate!({
    inline: "
        package docket:contract-test;

        world policy-and-rule {
            export docket:plugin/reminder@0.1.0;
            export docket:plugin/sending@0.1.0;
        }
    ",
    path: "../../../engine/wit/0.1.0",
    world: "docket:contract-test/policy-and-rule",
    generate_all,
});

use docket::plugin::types::{Calendar, LocalTime, Param, PluginError};
use exports::docket::plugin::reminder::{
    BatchDecision, Group, GroupColumns, Reminder, TaskColumns,
};
use exports::docket::plugin::sending::SendRequest;

struct Old;

/// Reminders a task gets at most: the host refuses a reminder covering one that had them.
const CAP: u8 = 5;

fn no_params(params: &[Param]) -> Result<(), PluginError> {
    match params.first() {
        Some(p) => Err(PluginError::BadParam(format!(
            "unknown parameter `{}`: this plugin takes none",
            p.name
        ))),
        None => Ok(()),
    }
}

impl exports::docket::plugin::reminder::Guest for Old {
    /// One group: a reminder every day. The host must never use this answer.
    fn next_reminder(
        calendar: Calendar,
        params: Vec<Param>,
        group: Group,
    ) -> Result<Option<Reminder>, PluginError> {
        no_params(&params)?;
        let tasks: Vec<u32> = (0..group.tasks.len())
            .filter(|&i| !group.tasks[i].done && group.tasks[i].reminders_sent < CAP)
            .map(|i| i as u32)
            .collect();
        if tasks.is_empty() {
            return Ok(None);
        }
        let from = group.last_reminder.map_or(group.sent.day, |l| l.day);
        Ok(Some(Reminder {
            at: LocalTime {
                day: from.max(group.sent.day) + 1,
                minute: calendar.send_time,
            },
            tasks,
        }))
    }

    /// A batch: a reminder every three days after the sending or the last reminder, covering
    /// the open tasks under the cap.
    fn next_reminders(
        calendar: Calendar,
        params: Vec<Param>,
        groups: GroupColumns,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        no_params(&params)?;
        let mut answer = BatchDecision {
            covered_count: Vec::new(),
            day: Vec::new(),
            minute: Vec::new(),
            covered: Vec::new(),
        };
        let mut first = 0usize;
        for (g, &count) in groups.task_count.iter().enumerate() {
            let rows = first..first + count as usize;
            first += count as usize;
            let open: Vec<u32> = rows
                .clone()
                .filter(|&i| tasks.done[i] == 0 && tasks.reminders_sent[i] < CAP)
                .map(|i| (i - rows.start) as u32)
                .collect();
            let from = groups.last_reminder_day[g].max(groups.sent_day[g]);
            answer.covered_count.push(open.len() as u32);
            answer.day.push(from + 3);
            answer.minute.push(calendar.send_time);
            answer.covered.extend(open);
        }
        Ok(answer)
    }
}

impl exports::docket::plugin::sending::Guest for Old {
    fn send_at(
        calendar: Calendar,
        params: Vec<Param>,
        request: SendRequest,
    ) -> Result<Option<LocalTime>, PluginError> {
        no_params(&params)?;
        Ok(Some(LocalTime {
            day: request.start - 2,
            minute: calendar.send_time,
        }))
    }
}

export!(Old);
