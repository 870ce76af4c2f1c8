//! Docket's stock reminder policy as a WebAssembly component: the `preset` parameter picks the
//! gentle, urgent or custom calendar of `docket-reminder-core`, capped at five reminders a task.

use docket_plugin_sdk::calendar::{self, Policy};
use docket_plugin_sdk::reminder_policy::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, Group, GroupSlice, Guest, Reminder, SliceDecision, TaskColumns,
};
use docket_plugin_sdk::reminder_policy::{columns, param_pairs};

struct StockReminder;

fn policy(params: &[Param]) -> Result<Policy, PluginError> {
    Policy::from_params(param_pairs(params)).map_err(PluginError::BadParam)
}

impl Guest for StockReminder {
    fn next_reminder(
        calendar: Calendar,
        params: Vec<Param>,
        group: Group,
    ) -> Result<Option<Reminder>, PluginError> {
        let policy = policy(&params)?;
        let tasks: Vec<calendar::Task> = group.tasks.iter().map(Into::into).collect();
        let mut covered = Vec::new();
        let day = policy.next(
            calendar.send_time,
            group.sent.into(),
            group.last_reminder.map(Into::into),
            tasks.as_slice(),
            &mut covered,
        );
        Ok(day.map(|day| Reminder {
            at: LocalTime {
                day,
                minute: calendar.send_time,
            },
            tasks: covered,
        }))
    }

    fn next_reminders(
        calendar: Calendar,
        params: Vec<Param>,
        groups: Vec<GroupSlice>,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        let policy = policy(&params)?;
        let tasks = columns(&tasks).map_err(PluginError::BadInput)?;
        let slices: Vec<calendar::GroupSlice> = groups
            .into_iter()
            .map(|g| calendar::GroupSlice {
                sent: g.sent.into(),
                last_reminder: g.last_reminder.map(Into::into),
                first_task: g.first_task,
                task_count: g.task_count,
            })
            .collect();
        let mut decisions = Vec::with_capacity(slices.len());
        let mut covered = Vec::with_capacity(calendar::Tasks::count(&tasks));
        calendar::next_batch(
            &policy,
            calendar.send_time,
            &slices,
            &tasks,
            &mut decisions,
            &mut covered,
        )
        .map_err(PluginError::BadInput)?;
        let minute = calendar.send_time;
        Ok(BatchDecision {
            decisions: decisions
                .into_iter()
                .map(|d| SliceDecision {
                    at: d.day.map(|day| LocalTime { day, minute }),
                    first_covered: d.first_covered,
                    covered_count: d.covered_count,
                })
                .collect(),
            covered,
        })
    }
}

docket_plugin_sdk::export_reminder_policy!(StockReminder);
