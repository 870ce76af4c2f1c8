//! A reminder policy's answer checked against the contract before the host acts on it: a
//! batch's rows read by their counts, and each reminder later than its group's sending and last
//! reminder, covering open tasks under the cap, ascending, each once.

use chrono::{DateTime, Utc};

use super::error::PluginError;
use super::model::MAX_REMINDERS_PER_TASK;
use super::model::{BatchAnswer, FirmCalendar, GroupState, NextReminder};
use super::wit::{self, wit_types};

pub(crate) fn bad_output(plugin: &str, reason: String) -> PluginError {
    let err = PluginError::BadOutput {
        plugin: plugin.to_string(),
        reason,
    };
    tracing::warn!(plugin, error = %err, "plugin gave an invalid answer");
    err
}

/// Turns a batch's answer into reminders, checking each against its group.
pub(crate) fn decode_batch(
    plugin: &str,
    calendar: &FirmCalendar,
    groups: &[GroupState],
    answer: &BatchAnswer,
) -> Result<Vec<Option<NextReminder>>, PluginError> {
    let n = groups.len();
    let rows = [
        answer.covered_count.len(),
        answer.day.len(),
        answer.minute.len(),
    ];
    if rows.iter().any(|&r| r != n) {
        return Err(bad_output(
            plugin,
            format!(
                "{} covered counts, {} days and {} minutes for {n} groups",
                rows[0], rows[1], rows[2]
            ),
        ));
    }
    let mut out = Vec::with_capacity(n);
    let mut local = wit::LocalTimes::new(calendar.tz);
    let mut rest = answer.covered.as_slice();
    for (index, group) in groups.iter().enumerate() {
        let count = answer.covered_count[index] as usize;
        if count == 0 {
            out.push(None);
            continue;
        }
        let Some((covered, after)) = rest.split_at_checked(count) else {
            return Err(bad_output(
                plugin,
                format!(
                    "group {} of the batch: its covered tasks run past the end of the list",
                    index + 1
                ),
            ));
        };
        rest = after;
        let at = wit_types::LocalTime {
            day: answer.day[index],
            minute: answer.minute[index],
        };
        out.push(Some(check(
            plugin, calendar, &mut local, group, at, covered,
        )?));
    }
    if !rest.is_empty() {
        return Err(bad_output(
            plugin,
            format!(
                "{} covered tasks beyond those the groups' counts add up to",
                rest.len()
            ),
        ));
    }
    Ok(out)
}

/// Checks a reminder against the contract: later than the sending and the last reminder,
/// covering at least one task, only open tasks under the cap, each once.
pub(crate) fn check(
    name: &str,
    calendar: &FirmCalendar,
    local_times: &mut wit::LocalTimes,
    group: &GroupState,
    at: wit_types::LocalTime,
    covered: &[u32],
) -> Result<NextReminder, PluginError> {
    let after = group
        .last_reminder_at
        .map_or(group.sent_at, |l| l.max(group.sent_at));
    let at = local_times
        .instant(at, after)
        .map_err(|r| bad_output(name, r))?;
    // Plugins answer in local time and number tasks from 0 (WIT indices); people read
    // calendars in local time with tasks numbered from 1, so messages give both.
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&calendar.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    if at <= after {
        let what = if group.last_reminder_at.is_some_and(|l| l >= group.sent_at) {
            "the last reminder"
        } else {
            "the sending"
        };
        return Err(bad_output(
            name,
            format!(
                "reminder at {} is not after {what} at {}",
                local(at),
                local(after)
            ),
        ));
    }
    if covered.is_empty() {
        return Err(bad_output(
            name,
            format!("the reminder at {} covers no task", local(at)),
        ));
    }
    let mut tasks = Vec::with_capacity(covered.len());
    for &index in covered {
        let index = index as usize;
        // Only an error names the task, so its words are written only then.
        let task = || format!("covered index {index} (task {})", index + 1);
        match group.tasks.get(index) {
            None => {
                return Err(bad_output(
                    name,
                    format!(
                        "{} does not exist: the group has {}",
                        task(),
                        super::error::count(group.tasks.len(), "task")
                    ),
                ));
            }
            Some(t) if t.done => {
                return Err(bad_output(
                    name,
                    format!("{} is done, in the reminder at {}", task(), local(at)),
                ));
            }
            Some(t) if t.reminders_sent >= MAX_REMINDERS_PER_TASK => {
                return Err(bad_output(
                    name,
                    format!(
                        "{} already had {MAX_REMINDERS_PER_TASK} reminders, in the reminder at {}",
                        task(),
                        local(at)
                    ),
                ));
            }
            Some(_) if tasks.last().is_some_and(|last| *last >= index) => {
                return Err(bad_output(
                    name,
                    "covered tasks are not ascending or repeat one".into(),
                ));
            }
            Some(_) => tasks.push(index),
        }
    }
    Ok(NextReminder { at, tasks })
}

#[cfg(test)]
#[path = "answers_tests.rs"]
mod tests;
