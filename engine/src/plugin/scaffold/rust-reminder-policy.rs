//! {{name}}: a Docket reminder policy. As written it reminds every `every` days (default 7)
//! after the sending, at the firm's send time, covering each task that is not done and has had
//! fewer than five reminders. Docket asks one question, `next_reminders`, for a batch of groups
//! (one group is a batch of one); this policy answers it group by group: change `decide`.

use docket_plugin_sdk::calendar::MAX_REMINDERS_PER_TASK;
use docket_plugin_sdk::reminder_policy::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, GroupColumns, Guest, TaskColumns,
};
use docket_plugin_sdk::reminder_policy::{Group, Reminder, each_group};

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

/// The next reminder of one group, or none when no task is left to remind of.
fn decide(calendar: &Calendar, every: i32, group: Group) -> Option<Reminder> {
    let tasks: Vec<u32> = (0..group.tasks.len())
        .filter(|&i| !group.tasks[i].done && group.tasks[i].reminders_sent < MAX_REMINDERS_PER_TASK)
        .map(|i| i as u32)
        .collect();
    if tasks.is_empty() {
        return None;
    }
    // `every` days after the last reminder, or after the sending for the first one.
    let from = match group.last_reminder {
        Some(last) if last.at > group.sent.at => last,
        _ => group.sent,
    };
    Some(Reminder {
        at: LocalTime { day: from.day + every, minute: calendar.send_time },
        tasks,
    })
}

impl Guest for Policy {
    fn next_reminders(
        calendar: Calendar,
        params: Vec<Param>,
        groups: GroupColumns,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        let every = every(&params)?;
        each_group(&groups, &tasks, |group| Ok(decide(&calendar, every, group)))
    }
}

docket_plugin_sdk::export_reminder_policy!(Policy);
