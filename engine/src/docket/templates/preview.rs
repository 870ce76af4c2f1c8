//! The reminder calendar of one group as the scheduler would send it: the policy's answers held
//! to the firm's send schedule and past its holidays (joining what the policy would have sent
//! meanwhile), the five-reminder cap, and tasks done along the way, followed until the policy
//! answers none — or to where it stops, saying why. The template editor's live preview and
//! `docket plugin simulate` show this; nothing is sent.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::docket::Docket;
use crate::docket::sending::plan::{HeldReminder, calendar, held_reminder};
use crate::due::{due_date, local_instant};
use crate::plugin::Step;
use crate::plugin::{
    FirmCalendar, GroupState, MAX_PREVIEW, MAX_REMINDERS_PER_TASK, Params, PluginError, PreviewEnd,
    ReminderSession, SendRequest, TaskState,
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
    /// The day reminders are paused until in this preview, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<NaiveDate>,
    pub groups: Vec<GroupPreview>,
    /// When a repeat was asked for (`every`): the start dates of the next work items (up to
    /// three) it would make, as it would plan them today. Each one's emails are previewed by
    /// asking again with its start date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<NaiveDate>,
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
    /// Where and why the reminders end (`None` for a group that is never sent): every task
    /// capped, the policy answering none, the safety bound, or a failure.
    pub end: Option<PreviewEnd>,
    /// `end` in words, instants in the firm's timezone.
    pub ends: Option<String>,
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
    /// The client's reminders are paused until then: the reminders asked for meanwhile go
    /// as one when the pause ends.
    Paused,
}

impl Docket {
    /// The emails the scheduler would send for work made now from template `name_or_id` with
    /// start date `start`: each group's first email and every reminder after it, until the
    /// policy answers none (the five-reminder cap ends every calendar), each group saying
    /// where its reminders end and why.
    pub fn preview_template(&self, name_or_id: &str, start: NaiveDate) -> Result<TemplatePreview> {
        self.preview_template_paused(name_or_id, start, None)
    }

    /// Refuses (naming `paused_until`) a day a preview cannot pause a client until: today or
    /// before (in the firm's zone), as a pause itself refuses it, or further than a start date
    /// may be.
    pub fn check_paused_until(&self, day: NaiveDate) -> Result<()> {
        let tz = self.firm_settings()?.timezone;
        let today = self.now().with_timezone(&tz).date_naive();
        if day <= today {
            return Err(Error::invalid_field(
                "paused_until",
                format!(
                    "paused_until: {day} is not after today ({today}); a client's reminders can be paused only until a later day"
                ),
            ));
        }
        let most = crate::docket::sending::away::MAX_PAUSE_DAYS;
        if (day - today).num_days() > most {
            return Err(Error::invalid_field(
                "paused_until",
                format!(
                    "paused_until: a pause may last {most} days at most; {day} is {} days away (check the year)",
                    (day - today).num_days()
                ),
            ));
        }
        self.check_start_date(day)
            .map_err(|e| e.on_field("paused_until"))
    }

    /// [`Docket::preview_template`] for a client whose reminders are paused until `paused`
    /// (the start of that day in the firm's zone): the reminders the policy asks for before
    /// then are held to the first send slot from then, joined into one, as the scheduler
    /// holds them; such a reminder says it was held by the pause.
    pub fn preview_template_paused(
        &self,
        name_or_id: &str,
        start: NaiveDate,
        paused: Option<NaiveDate>,
    ) -> Result<TemplatePreview> {
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
        if let Some(day) = paused {
            self.check_paused_until(day)?;
        }
        let paused_at = paused.map(|day| local_instant(day, NaiveTime::MIN, tz));
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
                end: None,
                ends: None,
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
                    Ok(mut session) => preview_calendar_paused(
                        &mut session,
                        &calendar,
                        &group.reminders.texts(),
                        &schedule,
                        &firm.holidays,
                        state,
                        &[],
                        None,
                        paused_at,
                    ),
                    Err(e) => CalendarPreview::failed(Vec::new(), e),
                };
                out.end = Some(preview.end);
                out.ends = Some(preview.end.describe(tz));
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
                        let why = if paused_at.is_some_and(|p| r.asked < p && r.at >= p) {
                            HoldReason::Paused
                        } else if firm.holidays.contains(&day) {
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
        Ok(TemplatePreview {
            start,
            tz,
            paused_until: paused,
            groups,
            repeats: Vec::new(),
        })
    }
}

/// A previewed calendar: the reminders in order, where it ends, and the error that ended it
/// early, if one did (then `end` is [`PreviewEnd::Failed`]).
#[derive(Debug)]
pub struct CalendarPreview {
    pub reminders: Vec<HeldReminder>,
    pub end: PreviewEnd,
    pub error: Option<PluginError>,
}

impl CalendarPreview {
    /// A calendar that ended with `error`, after `reminders`.
    pub fn failed(reminders: Vec<HeldReminder>, error: PluginError) -> CalendarPreview {
        CalendarPreview {
            reminders,
            end: PreviewEnd::Failed,
            error: Some(error),
        }
    }
}

/// The reminders the scheduler would send for `group` (sent at `group.sent_at`), asking
/// `session`'s policy as the scheduler does: from the sending, then after each reminder at the
/// instant it went out, and again whenever a task of `done` (`(task index, instant)`) is
/// ticked off. Each answer goes through the scheduler's own holding onto `schedule` and off
/// `holidays` (the calendar's zone is the recipient's). It follows the calendar until the
/// policy answers none, or with `until` to the first reminder after it, or for
/// [`MAX_PREVIEW`] reminders, and says which ended it ([`CalendarPreview::end`]). A plugin
/// failure ends the preview; the reminders before it are kept.
#[allow(clippy::too_many_arguments)]
pub fn preview_calendar(
    session: &mut ReminderSession<'_>,
    calendar: &FirmCalendar,
    params: &Params,
    schedule: &SendSchedule,
    holidays: &[NaiveDate],
    group: GroupState,
    done: &[(usize, DateTime<Utc>)],
    until: Option<DateTime<Utc>>,
) -> CalendarPreview {
    preview_calendar_paused(
        session, calendar, params, schedule, holidays, group, done, until, None,
    )
}

/// [`preview_calendar`] for a group whose reminders are paused until `paused_until`: what the
/// policy asks for before it is held to the first send slot from then, as the scheduler holds
/// a paused group's reminders.
#[allow(clippy::too_many_arguments)]
pub fn preview_calendar_paused(
    session: &mut ReminderSession<'_>,
    calendar: &FirmCalendar,
    params: &Params,
    schedule: &SendSchedule,
    holidays: &[NaiveDate],
    mut group: GroupState,
    done: &[(usize, DateTime<Utc>)],
    until: Option<DateTime<Utc>>,
    paused_until: Option<DateTime<Utc>>,
) -> CalendarPreview {
    let mut reminders: Vec<HeldReminder> = Vec::new();
    if let Some(&(index, _)) = done.iter().find(|(i, _)| *i >= group.tasks.len()) {
        let e = PluginError::BadInput(format!(
            "task {} is done but the group has {}",
            index + 1,
            crate::plugin::count(group.tasks.len(), "task")
        ));
        return CalendarPreview::failed(reminders, e);
    }
    let mut holidays = holidays.to_vec();
    holidays.sort_unstable();
    holidays.dedup();
    let mut now = group.sent_at;
    let mut asks = 0;
    let end = loop {
        if reminders.len() >= MAX_PREVIEW || asks >= 2 * MAX_PREVIEW {
            break PreviewEnd::Bound {
                reminders: reminders.len(),
            };
        }
        asks += 1;
        for &(index, at) in done {
            if at <= now {
                group.tasks[index].done = true;
            }
        }
        // The scheduler asks nothing of a group whose tasks are all done.
        if group.tasks.iter().all(|t| t.done) {
            break PreviewEnd::AllDone;
        }
        let first = match session.next_reminder(calendar, params, now, &group) {
            Ok(Some(first)) => first,
            Ok(None) => break PreviewEnd::when_none(&group),
            Err(e) => return CalendarPreview::failed(reminders, e),
        };
        let asked = first.at;
        let not_before = paused_until.filter(|p| *p > now);
        let held = held_reminder(
            session, calendar, params, now, schedule, &holidays, &group, first, not_before,
        );
        let mut held = match held {
            Ok(Some(held)) => held,
            Ok(None) => break PreviewEnd::NoSlot { asked },
            Err(e) => return CalendarPreview::failed(reminders, e),
        };
        // A task done before this reminder goes out re-plans the group from then.
        match crate::plugin::next_step(done, &group, until, held.at) {
            Step::AskFrom(at) => {
                now = at;
                continue;
            }
            Step::End(end) => break end,
            Step::Show => {}
        }
        // As the scheduler's `remind`: only open tasks under the cap are reminded of.
        held.tasks.retain(|&i| {
            group
                .tasks
                .get(i)
                .is_some_and(|t| !t.done && t.reminders_sent < MAX_REMINDERS_PER_TASK)
        });
        if held.tasks.is_empty() {
            break PreviewEnd::when_none(&group);
        }
        for &index in &held.tasks {
            let task = &mut group.tasks[index];
            task.reminders_sent = task.reminders_sent.saturating_add(1);
        }
        group.last_reminder_at = Some(held.at);
        now = held.at;
        reminders.push(held);
    };
    CalendarPreview {
        reminders,
        end,
        error: None,
    }
}

#[cfg(test)]
#[path = "preview_tests.rs"]
mod tests;
