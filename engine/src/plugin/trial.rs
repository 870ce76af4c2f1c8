//! One trial call of a plugin with its manifest's default parameters on a sample input, as
//! `docket plugin check` makes it: a reminder policy asked about a sample group (through its
//! batch call, as everything is), a sending rule about a sample request, a hook handed a sample
//! event with its effects only recorded. A plugin that fails there — a refused default, a
//! broken answer, an exception or a panic with its place — fails the check, before any firm
//! depends on it.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use super::error::{PluginError, count};
use super::host::PluginHost;
use super::manifest::World;
use super::model::{
    FirmCalendar, GroupState, HookEvent, HookEventKind, Params, RecordedEffects, SendRequest,
    TaskState,
};

/// The sample's fixed instant: a Monday morning, so no answer depends on when it runs.
fn sample_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
        .single()
        .expect("a valid instant")
}

fn sample_calendar() -> FirmCalendar {
    FirmCalendar {
        tz: chrono_tz::Europe::London,
        send_time: NaiveTime::from_hms_opt(9, 0, 0).expect("a valid time"),
        holidays: Vec::new(),
    }
}

impl PluginHost {
    /// Calls `plugin` once on a sample input with its default parameters and says what it
    /// answered, or how it failed.
    pub fn trial(&self, plugin: &str) -> Result<String, PluginError> {
        let info = self
            .plugin(plugin)
            .ok_or_else(|| PluginError::Unknown(plugin.to_string()))?;
        let calendar = sample_calendar();
        let now = sample_now();
        let day = |days: i64| (now + Duration::days(days)).date_naive();
        let none = Params::new();
        match info.world {
            World::ReminderPolicy => {
                let group = GroupState {
                    sent_at: now,
                    last_reminder_at: None,
                    tasks: [14, 21]
                        .map(|d| TaskState {
                            due: day(d),
                            done: false,
                            reminders_sent: 0,
                        })
                        .to_vec(),
                };
                let answer = self.next_reminder(plugin, &calendar, &none, now, &group)?;
                Ok(match answer {
                    Some(r) => format!(
                        "a group sent {} with tasks due {} and {}: first reminder {} covering {}",
                        local(&calendar, now),
                        day(14),
                        day(21),
                        local(&calendar, r.at),
                        count(r.tasks.len(), "task")
                    ),
                    None => format!(
                        "a group sent {} with tasks due {} and {}: no reminder",
                        local(&calendar, now),
                        day(14),
                        day(21)
                    ),
                })
            }
            World::SendingRule => {
                let request = SendRequest {
                    start: day(14),
                    first_due: Some(day(28)),
                    task_count: 2,
                };
                let answer = self.send_at(plugin, &calendar, &none, now, &request)?;
                Ok(match answer {
                    Some(at) => format!(
                        "work starting {}: sent {}",
                        request.start,
                        local(&calendar, at)
                    ),
                    None => format!("work starting {}: sent by staff", request.start),
                })
            }
            World::NotificationHook => {
                let event = HookEvent {
                    kind: HookEventKind::TaskCompleted {
                        title: "P60".into(),
                    },
                    at: now,
                    work_id: "01TRIALWORK".into(),
                    work_title: "Annual return".into(),
                    group_name: "Documents".into(),
                    contact_email: "ann@example.com".into(),
                    staff_emails: vec!["sam@firm.example".into()],
                };
                let mut effects = RecordedEffects::default();
                let allowed = self.deliver(plugin, &none, &event, &mut effects)?;
                Ok(format!(
                    "a sample task-completed event: {} asked for and allowed",
                    count(allowed, "effect")
                ))
            }
        }
    }
}

fn local(calendar: &FirmCalendar, at: DateTime<Utc>) -> String {
    at.with_timezone(&calendar.tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
#[path = "trial_tests.rs"]
mod tests;
