//! The reminder calendar of one group as the scheduler would send it: the policy's answers held
//! to the firm's send schedule and past its holidays (joining what the policy would have sent
//! meanwhile), the five-reminder cap, and tasks done along the way. The template editor's live
//! preview and `docket plugin simulate` show this; nothing is sent.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::Docket;
use super::scheduler::{HeldReminder, calendar, held_reminder};
use crate::due::{due_date, local_instant};
use crate::plugin::{
    FirmCalendar, GroupState, MAX_REMINDERS_PER_TASK, Params, PluginError, ReminderSession,
    SendRequest, TaskState,
};
use crate::schedule::SendSchedule;
use crate::{Error, Result};

/// What work made now from a template, starting on a sample date, would be sent: per group,
/// the first email and the reminders after it, as the scheduler would send them with the
/// firm's stored send schedule, holidays and timezone (no task done along the way).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TemplatePreview {
    pub start: NaiveDate,
    /// The firm's timezone, which the instants are shown in.
    #[schema(value_type = String, example = "Europe/London")]
    pub tz: Tz,
    pub groups: Vec<GroupPreview>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupPreview {
    pub name: String,
    /// The tasks' due dates, in the group's order.
    pub due: Vec<NaiveDate>,
    /// When the group's first email goes out (`None`: its sending rule never sends it).
    pub sent_at: Option<DateTime<Utc>>,
    /// Whether `sent_at` is the sending rule's (an automatic send) or, for a group sent by
    /// staff, the first send slot on or after the start date, as if they sent it then.
    pub automatic: bool,
    pub reminders: Vec<PreviewReminder>,
    /// Tasks (from 0) that got the most reminders a task gets without a resend.
    pub capped: Vec<usize>,
    /// Why the preview stopped early: a plugin failed or refused.
    pub error: Option<String>,
}

/// One reminder email of a preview.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PreviewReminder {
    pub at: DateTime<Utc>,
    /// The tasks it covers (from 0).
    pub tasks: Vec<usize>,
    /// When the policy asked for it and why it was held to `at`, when it was.
    pub held: Option<Hold>,
}

/// Why a reminder goes out later than its policy asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Hold {
    /// The policy's instant.
    pub asked: DateTime<Utc>,
    pub reason: HoldReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The policy's day is one of the firm's holidays.
    Holiday,
    /// The policy's instant is outside the firm's send schedule (a weekend, another hour).
    OutsideSchedule,
}

impl Docket {
    /// The emails the scheduler would send for work made now from template `name_or_id` with
    /// start date `start`, reminders up to 60 days after the last task's due date.
    pub fn preview_template(&self, name_or_id: &str, start: NaiveDate) -> Result<TemplatePreview> {
        let template = self.find_template(name_or_id)?;
        // A sample date is held to the rule of the work it previews.
        self.check_start_date(start)?;
        let Some(host) = self.plugins.clone() else {
            return Err(Error::invalid(
                "no plugins are loaded here, so there is no calendar to preview",
            ));
        };
        let firm = self.firm_settings()?;
        let schedule = self.send_schedule(&firm)?;
        let tz = firm.timezone;
        let calendar = calendar(&firm, tz);
        let now = self.now();
        let mut groups = Vec::with_capacity(template.groups.len());
        for group in &template.groups {
            let due = group
                .tasks
                .iter()
                .map(|t| due_date(start, t.due_offset_days))
                .collect::<Result<Vec<_>>>()?;
            let mut out = GroupPreview {
                name: group.name.clone(),
                due: due.clone(),
                sent_at: None,
                automatic: false,
                reminders: Vec::new(),
                capped: Vec::new(),
                error: None,
            };
            let request = SendRequest {
                start,
                first_due: due.iter().min().copied(),
                task_count: due.len() as u32,
            };
            // As `replan` does for an unsent group of work made now.
            match host.send_at(
                &group.sending.plugin,
                &calendar,
                &group.sending.texts(),
                now,
                &request,
            ) {
                Ok(Some(at)) => {
                    out.sent_at = schedule.slot(at.max(now), tz, &firm.holidays);
                    out.automatic = true;
                }
                Ok(None) => {
                    let start_of_day = local_instant(start, NaiveTime::MIN, tz);
                    out.sent_at = schedule.slot(start_of_day.max(now), tz, &firm.holidays);
                }
                Err(e) => out.error = Some(format!("sending rule `{}`: {e}", group.sending.plugin)),
            }
            if let Some(sent_at) = out.sent_at {
                let last_due = due.iter().max().copied().unwrap_or(start);
                let until = local_instant(last_due + chrono::Days::new(60), NaiveTime::MIN, tz)
                    .max(sent_at + chrono::Duration::days(60));
                let state = GroupState {
                    sent_at,
                    last_reminder_at: None,
                    tasks: due
                        .iter()
                        .map(|&due| TaskState {
                            due,
                            done: false,
                            reminders_sent: 0,
                        })
                        .collect(),
                };
                let preview = match host.reminder_session(&group.reminders.plugin) {
                    Ok(mut session) => preview_calendar(
                        &mut session,
                        &calendar,
                        &group.reminders.texts(),
                        &schedule,
                        &firm.holidays,
                        state,
                        &[],
                        until,
                    ),
                    Err(e) => CalendarPreview {
                        reminders: Vec::new(),
                        error: Some(e),
                    },
                };
                if let Some(e) = preview.error {
                    out.error = Some(format!("reminder policy `{}`: {e}", group.reminders.plugin));
                }
                let mut counts = vec![0usize; due.len()];
                for r in preview.reminders {
                    for &t in &r.tasks {
                        counts[t] += 1;
                    }
                    let held = r.was_held().then(|| {
                        let day = r.asked.with_timezone(&tz).date_naive();
                        let why = if firm.holidays.contains(&day) {
                            HoldReason::Holiday
                        } else {
                            HoldReason::OutsideSchedule
                        };
                        Hold {
                            asked: r.asked,
                            reason: why,
                        }
                    });
                    out.reminders.push(PreviewReminder {
                        at: r.at,
                        tasks: r.tasks,
                        held,
                    });
                }
                out.capped = (0..due.len())
                    .filter(|&t| counts[t] >= usize::from(MAX_REMINDERS_PER_TASK))
                    .collect();
            }
            groups.push(out);
        }
        Ok(TemplatePreview { start, tz, groups })
    }
}

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

    /// A template's preview — first emails and reminders of every group — is what the scheduler
    /// sends, under a manual clock, for work made from the template with the same start date:
    /// weekdays-only send schedule and holidays included.
    #[test]
    fn the_template_preview_is_what_the_scheduler_sends_for_its_work() {
        use std::collections::BTreeMap;

        // Monday 9 and Thursday 19 March 2026 are holidays; sends go out weekdays at 09:00.
        let firm = Firm::weekdays("2026-03-02T08:00:00Z", &["2026-03-09", "2026-03-19"]);
        firm.docket
            .import_template(
                r#"
name = "Quarter"
[[groups]]
name = "Records"
sending = { plugin = "relative", params = { days = -2 } }
reminders = { plugin = "custom", params = { before = "3,1", every = "2" } }
[[groups.tasks]]
title = "Bank statements"
due = 4
[[groups.tasks]]
title = "Receipts"
due = 11
[[groups]]
name = "Sign-off"
sending = { plugin = "relative", params = { days = 5 } }
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Approve"
due = 13
"#,
            )
            .unwrap();
        let start: chrono::NaiveDate = "2026-03-09".parse().unwrap();
        let preview = firm.docket.preview_template("quarter", start).unwrap();
        let id = firm.work_for("Quarter", "2026-03-09", "ann@client.example");

        let until = utc("2026-06-30T00:00:00Z");
        while let Some(at) = firm.docket.next_fire_due().unwrap() {
            if at > until {
                break;
            }
            firm.clock.set(at.max(firm.docket.now()));
            firm.docket.tick().unwrap();
        }
        // Per group: the request's instant, then each reminder's instant and tasks.
        type Sent = (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, Vec<usize>)>);
        let mut sent: BTreeMap<usize, Sent> = BTreeMap::new();
        for m in firm.docket.outbox(None, 1000).unwrap() {
            if m.work != Some(id) {
                continue;
            }
            let entry = sent.entry(m.group.unwrap()).or_default();
            match m.kind {
                MessageKind::Request => entry.0 = Some(m.created_at),
                MessageKind::Reminder => entry.1.push((m.created_at, m.covers)),
                _ => {}
            }
        }
        for entry in sent.values_mut() {
            entry.1.sort();
        }
        let previewed: BTreeMap<usize, Sent> = preview
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                assert!(group.automatic && group.error.is_none(), "{group:?}");
                let reminders = group
                    .reminders
                    .iter()
                    .map(|r| (r.at, r.tasks.clone()))
                    .collect();
                (g, (group.sent_at, reminders))
            })
            .collect();
        assert_eq!(previewed, sent);
        // The holidays and the weekend held something, and the preview says why.
        let reasons: Vec<_> = preview
            .groups
            .iter()
            .flat_map(|g| &g.reminders)
            .filter_map(|r| r.held.map(|h| h.reason))
            .collect();
        assert!(reasons.contains(&super::HoldReason::Holiday), "{preview:?}");
        assert!(
            reasons.contains(&super::HoldReason::OutsideSchedule),
            "{preview:?}"
        );
        // The first group's "2 days before the start" is Saturday 7th, held past the Monday
        // holiday to Tuesday 10 March at 09:00.
        assert_eq!(preview.groups[0].sent_at, Some(utc("2026-03-10T09:00:00Z")));
    }

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
            &group.reminders.texts(),
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
