//! An example Docket reminder policy: the stock calendars (`preset` = gentle, urgent or custom,
//! with `before` and `every` for custom), except that a reminder falling on a Saturday, a Sunday
//! or a holiday moves to the next business day. Holidays come from the firm's calendar and from
//! the `holidays` parameter (comma-separated `YYYY-MM-DD`).

use docket_plugin_sdk::calendar::{self, Policy, Tasks};
use docket_plugin_sdk::date;
use docket_plugin_sdk::reminder_policy::batch;
use docket_plugin_sdk::reminder_policy::docket::plugin::types::{Calendar, Param, PluginError};
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, GroupColumns, Guest, TaskColumns,
};

struct BusinessDays;

/// The base calendar and the sorted holidays.
struct Setup {
    policy: Policy,
    holidays: Vec<i32>,
}

impl Setup {
    fn new(calendar: &Calendar, params: &[Param]) -> Result<Setup, PluginError> {
        let mut holidays = calendar.holidays.clone();
        let mut base = Vec::new();
        for p in params {
            if p.name == "holidays" {
                for text in p.value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let day = date::parse(text).ok_or_else(|| {
                        PluginError::BadParam(format!(
                            "holidays: `{text}` is not a YYYY-MM-DD date"
                        ))
                    })?;
                    holidays.push(day);
                }
            } else {
                base.push((p.name.as_str(), p.value.as_str()));
            }
        }
        holidays.sort_unstable();
        let policy = Policy::from_params(base).map_err(PluginError::BadParam)?;
        Ok(Setup { policy, holidays })
    }

    /// The first business day on or after `day`.
    fn business_day(&self, mut day: i32) -> i32 {
        while date::is_weekend(day) || self.holidays.binary_search(&day).is_ok() {
            day += 1;
        }
        day
    }

    /// The group's next reminder day and covered tasks (pushed onto `covered`).
    fn next<T: Tasks + ?Sized>(
        &self,
        send_time: u16,
        sent: calendar::Moment,
        last: Option<calendar::Moment>,
        tasks: &T,
        covered: &mut Vec<u32>,
    ) -> Option<i32> {
        let mut earliest = calendar::first_send_day_after(sent, send_time);
        if let Some(last) = last {
            earliest = earliest.max(calendar::first_send_day_after(last, send_time));
        }
        let day_of = |index: usize| {
            let task = tasks.task(index);
            if task.done || task.reminders_sent >= calendar::MAX_REMINDERS_PER_TASK {
                return None;
            }
            let day = self.policy.task_next_day(task.due, earliest)?;
            Some(self.business_day(day))
        };
        let day = (0..tasks.count()).filter_map(day_of).min()?;
        for index in 0..tasks.count() {
            if day_of(index) == Some(day) {
                covered.push(index as u32);
            }
        }
        Some(day)
    }
}

impl Guest for BusinessDays {
    fn next_reminders(
        calendar: Calendar,
        params: Vec<Param>,
        groups: GroupColumns,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        let setup = Setup::new(&calendar, &params)?;
        let batch = batch(&groups, &tasks).map_err(PluginError::BadInput)?;
        let mut answers = calendar::Answers::with_capacity(batch.len(), tasks.due.len());
        for group in batch.groups() {
            answers.push(|covered| {
                let day = setup.next(
                    calendar.send_time,
                    group.sent,
                    group.last_reminder,
                    &group.tasks,
                    covered,
                )?;
                Some((day, calendar.send_time))
            });
        }
        Ok(answers.into())
    }
}

docket_plugin_sdk::export_reminder_policy!(BusinessDays);
