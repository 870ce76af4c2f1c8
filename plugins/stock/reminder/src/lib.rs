//! Docket's stock reminder policy as a WebAssembly component: the `preset` parameter picks the
//! gentle, urgent or custom calendar of `docket-reminder-core`, capped at five reminders a task.

use docket_plugin_sdk::calendar::{self, Policy};
use docket_plugin_sdk::reminder_policy::docket::plugin::types::{Calendar, Param, PluginError};
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, GroupColumns, Guest, TaskColumns,
};
use docket_plugin_sdk::reminder_policy::{batch, param_pairs};

struct StockReminder;

fn policy(params: &[Param]) -> Result<Policy, PluginError> {
    Policy::from_params(param_pairs(params)).map_err(PluginError::BadParam)
}

impl Guest for StockReminder {
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
