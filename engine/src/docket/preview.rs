//! The reminder calendar of one group as the scheduler would send it: the policy's answers held
//! to the firm's send schedule and past its holidays (joining what the policy would have sent
//! meanwhile), the five-reminder cap, and tasks done along the way. The template editor's live
//! preview and `docket plugin simulate` show this; nothing is sent.

use chrono::{DateTime, NaiveDate, Utc};

use super::scheduler::{HeldReminder, held_reminder};
use crate::plugin::{
    FirmCalendar, GroupState, MAX_REMINDERS_PER_TASK, Params, PluginError, ReminderSession,
};
use crate::schedule::SendSchedule;

/// A previewed calendar: the reminders in order, and the error that ended it early, if any.
#[derive(Debug, Default)]
pub struct CalendarPreview {
    pub reminders: Vec<HeldReminder>,
    pub error: Option<PluginError>,
}

/// The reminders the scheduler would send for `group` (sent at `group.sent_at`) up to `until`,
/// asking `session`'s policy as the scheduler does: from the sending, then after each reminder
/// at the instant it went out, and again whenever a task of `done` (`(task index, instant)`) is
/// ticked off. Each answer goes through the scheduler's own holding onto `schedule` and off
/// `holidays` (the calendar's zone is the recipient's). A plugin failure ends the preview; the
/// reminders before it are kept.
#[allow(clippy::too_many_arguments)]
pub fn preview_calendar(
    session: &mut ReminderSession<'_>,
    calendar: &FirmCalendar,
    params: &Params,
    schedule: &SendSchedule,
    holidays: &[NaiveDate],
    mut group: GroupState,
    done: &[(usize, DateTime<Utc>)],
    until: DateTime<Utc>,
) -> CalendarPreview {
    // A policy that never stops (an urgent calendar without a cap) still ends here.
    const MAX_PREVIEW: usize = 1000;
    let mut out = CalendarPreview::default();
    if let Some(&(index, _)) = done.iter().find(|(i, _)| *i >= group.tasks.len()) {
        out.error = Some(PluginError::BadInput(format!(
            "task {} is done but the group has {} tasks",
            index + 1,
            group.tasks.len()
        )));
        return out;
    }
    let mut holidays = holidays.to_vec();
    holidays.sort_unstable();
    holidays.dedup();
    let mut now = group.sent_at;
    let mut asks = 0;
    while out.reminders.len() < MAX_PREVIEW && asks < 2 * MAX_PREVIEW {
        asks += 1;
        for &(index, at) in done {
            if at <= now {
                group.tasks[index].done = true;
            }
        }
        // The scheduler asks nothing of a group whose tasks are all done.
        if group.tasks.iter().all(|t| t.done) {
            break;
        }
        let held = session
            .next_reminder(calendar, params, now, &group)
            .and_then(|first| match first {
                Some(first) => held_reminder(
                    session, calendar, params, now, schedule, &holidays, &group, first,
                ),
                None => Ok(None),
            });
        let mut held = match held {
            Ok(Some(held)) => held,
            Ok(None) => break,
            Err(e) => {
                out.error = Some(e);
                break;
            }
        };
        // A task done before this reminder goes out re-plans the group from then.
        let done_before = done
            .iter()
            .filter(|(i, at)| !group.tasks[*i].done && *at < held.at)
            .map(|(_, at)| *at)
            .min();
        if let Some(at) = done_before {
            if at > until {
                break;
            }
            now = at;
            continue;
        }
        if held.at > until {
            break;
        }
        // As the scheduler's `remind`: only open tasks under the cap are reminded of.
        held.tasks.retain(|&i| {
            group
                .tasks
                .get(i)
                .is_some_and(|t| !t.done && t.reminders_sent < MAX_REMINDERS_PER_TASK)
        });
        if held.tasks.is_empty() {
            break;
        }
        for &index in &held.tasks {
            let task = &mut group.tasks[index];
            task.reminders_sent = task.reminders_sent.saturating_add(1);
        }
        group.last_reminder_at = Some(held.at);
        now = held.at;
        out.reminders.push(held);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::preview_calendar;
    use crate::docket::test_firm::{Firm, host, utc};
    use crate::model::{Actor, MessageKind};
    use crate::plugin::{GroupState, TaskState};

    /// The preview of a group's calendar is what the scheduler, run under a manual clock,
    /// queues for that group: same instants, same tasks.
    #[test]
    fn the_calendar_preview_is_what_the_scheduler_sends() {
        // Weekdays at 09:00 only; Monday 9 March 2026 is a holiday. Task 1 is due Tuesday
        // 10 March: "3 days before" is Saturday 7th and "1 day before" the holiday, both held
        // to Tuesday 10th (one reminder); its overdue reminder of Saturday 14th is held to
        // Monday 16th, and task 3's "1 day before" (Sunday 15th) joins it there. Task 2 is due
        // Friday 20 March; its overdue Sunday 22nd is held to Monday 23rd with task 3's.
        let firm = Firm::weekdays("2026-03-02T08:00:00Z", &["2026-03-09"]);
        firm.docket
            .import_template(
                r#"
name = "Held"
[[groups]]
name = "Docs"
reminders = { plugin = "custom", params = { before = "3,1", every = "2" } }
[[groups.tasks]]
title = "P60"
due = 8
[[groups.tasks]]
title = "Bank statements"
due = 18
[[groups.tasks]]
title = "Receipts"
due = 14
"#,
            )
            .unwrap();
        let id = firm.work_for("Held", "2026-03-02", "ann@client.example");
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        let until = utc("2026-03-31T23:00:00Z");
        while let Some(at) = firm.docket.next_fire_due().unwrap() {
            if at > until {
                break;
            }
            firm.clock.set(at.max(firm.docket.now()));
            firm.docket.tick().unwrap();
        }
        let mut sent: Vec<(DateTime<Utc>, Vec<usize>)> = firm
            .docket
            .outbox(None, 1000)
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == MessageKind::Reminder && m.work == Some(id))
            .map(|m| (m.created_at, m.covers))
            .collect();
        sent.sort();

        let work = firm.docket.work(id).unwrap();
        let group = &work.groups[0];
        let firm_settings = firm.docket.firm_settings().unwrap();
        let schedule = firm.docket.send_schedule(&firm_settings).unwrap();
        let calendar = super::super::scheduler::calendar(&firm_settings, firm_settings.timezone);
        let state = GroupState {
            sent_at: group.sent_at.unwrap(),
            last_reminder_at: None,
            tasks: group
                .tasks
                .iter()
                .map(|t| TaskState {
                    due: t.due_date,
                    done: false,
                    reminders_sent: 0,
                })
                .collect(),
        };
        let host = host();
        let mut session = host.reminder_session(&group.reminders.plugin).unwrap();
        let preview = preview_calendar(
            &mut session,
            &calendar,
            &group.reminders.params,
            &schedule,
            &firm_settings.holidays,
            state,
            &[],
            until,
        );
        assert!(preview.error.is_none(), "{:?}", preview.error);
        let previewed: Vec<(DateTime<Utc>, Vec<usize>)> = preview
            .reminders
            .iter()
            .map(|r| (r.at, r.tasks.clone()))
            .collect();
        assert_eq!(previewed, sent);

        let local = |at: &DateTime<Utc>| {
            at.with_timezone(&calendar.tz)
                .format("%a %m-%d %H:%M")
                .to_string()
        };
        let shown: Vec<(String, Vec<usize>, Option<String>)> = preview
            .reminders
            .iter()
            .map(|r| {
                (
                    local(&r.at),
                    r.tasks.clone(),
                    r.was_held().then(|| local(&r.asked)),
                )
            })
            .collect();
        let held = |s: &str| Some(s.to_string());
        assert_eq!(
            shown,
            [
                ("Tue 03-10 09:00".into(), vec![0], held("Sat 03-07 09:00")),
                ("Thu 03-12 09:00".into(), vec![0], None),
                ("Fri 03-13 09:00".into(), vec![2], None),
                (
                    "Mon 03-16 09:00".into(),
                    vec![0, 2],
                    held("Sat 03-14 09:00")
                ),
                ("Tue 03-17 09:00".into(), vec![1], None),
                ("Wed 03-18 09:00".into(), vec![0, 2], None),
                ("Thu 03-19 09:00".into(), vec![1], None),
                ("Fri 03-20 09:00".into(), vec![0, 2], None),
                (
                    "Mon 03-23 09:00".into(),
                    vec![1, 2],
                    held("Sun 03-22 09:00")
                ),
                ("Tue 03-24 09:00".into(), vec![1], None),
                ("Thu 03-26 09:00".into(), vec![1], None),
            ]
        );
    }
}
