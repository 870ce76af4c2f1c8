//! {{name}}: a Docket reminder policy. As written it reminds every `every` days (default 7)
//! after the sending, at the firm's send time, covering each task that is not done and has had
//! fewer than five reminders. Change `next_reminder`; the batch call is derived from it.

use docket_plugin_sdk::calendar::MAX_REMINDERS_PER_TASK;
use docket_plugin_sdk::reminder_policy::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::reminder_policy::each_group;
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, Group, GroupColumns, Guest, Reminder, TaskColumns,
};

struct Policy;

/// The `every` parameter: days between reminders.
fn every(params: &[Param]) -> Result<i32, PluginError> {
    let mut every = 7;
    for p in params {
        match p.name.as_str() {
            "every" => {
                every = p.value.trim().parse().ok().filter(|d| (1..=366).contains(d)).ok_or_else(
                    || PluginError::BadParam(format!("every: `{}` is not a number of days from 1 to 366", p.value)),
                )?;
            }
            other => {
                return Err(PluginError::BadParam(format!("unknown parameter `{other}`: use every")));
            }
        }
    }
    Ok(every)
}

impl Guest for Policy {
    fn next_reminder(
        calendar: Calendar,
        params: Vec<Param>,
        group: Group,
    ) -> Result<Option<Reminder>, PluginError> {
        let every = every(&params)?;
        let tasks: Vec<u32> = (0..group.tasks.len())
            .filter(|&i| !group.tasks[i].done && group.tasks[i].reminders_sent < MAX_REMINDERS_PER_TASK)
            .map(|i| i as u32)
            .collect();
        if tasks.is_empty() {
            return Ok(None);
        }
        // `every` days after the last reminder, or after the sending for the first one.
        let from = match group.last_reminder {
            Some(last) if last.at > group.sent.at => last,
            _ => group.sent,
        };
        Ok(Some(Reminder {
            at: LocalTime { day: from.day + every, minute: calendar.send_time },
            tasks,
        }))
    }

    fn next_reminders(
        calendar: Calendar,
        params: Vec<Param>,
        groups: GroupColumns,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        // Each group of the batch answered as `next_reminder` answers it alone.
        each_group(&groups, &tasks, |group| {
            Self::next_reminder(calendar.clone(), params.clone(), group)
        })
    }
}

docket_plugin_sdk::export_reminder_policy!(Policy);
