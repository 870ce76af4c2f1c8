//! Docket's stock reminder policy as a WebAssembly component: the `preset` parameter picks the
//! gentle, urgent or custom calendar of `docket-reminder-core`, capped at five reminders a task.

use docket_plugin_sdk::calendar::{self, Policy};
use docket_plugin_sdk::reminder_policy::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, Group, GroupColumns, Guest, Reminder, TaskColumns,
};
use docket_plugin_sdk::reminder_policy::{batch, param_pairs};

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
        groups: GroupColumns,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        let policy = policy(&params)?;
        // The columns are read where they arrived and the answer's columns handed back as
        // they are: nothing is copied on this side of the boundary.
        let batch = batch(&groups, &tasks).map_err(PluginError::BadInput)?;
        let mut answers = calendar::Answers::with_capacity(batch.len(), tasks.due.len());
        calendar::next_batch(&policy, calendar.send_time, &batch, &mut answers);
        Ok(answers.into())
    }
}

docket_plugin_sdk::export_reminder_policy!(StockReminder);
