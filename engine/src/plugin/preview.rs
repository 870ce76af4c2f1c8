//! A reminder policy's calendar for one group, asked as the server asks it (a batch of one, from
//! the sending, then after each reminder and whenever a task is done), and where and why it
//! ends: every task done, every open task at the cap, the policy answering none, the end of
//! the period asked for, a safety bound, or an error. A preview never stops without saying so.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::error::PluginError;
use super::host::PluginHost;
use super::model::MAX_REMINDERS_PER_TASK;
use super::model::{FirmCalendar, GroupState, NextReminder, Params};

/// Most reminders a preview follows. Each reminder covers at least one task under the cap of
/// five, so a group of up to 200 tasks always ends before this; the bound is for safety only.
pub const MAX_PREVIEW: usize = 1000;

/// Why a previewed calendar ends where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PreviewEnd {
    /// Every task is done: nothing is left to remind of.
    AllDone,
    /// Every task still open has had the most reminders a task gets until its group is resent.
    AllCapped,
    /// The policy answers no further reminder, though tasks are open and under the cap.
    PolicyDone,
    /// The next reminder falls after the period previewed, which ends at `until`.
    Period {
        until: DateTime<Utc>,
        /// When the next reminder would go out.
        next: DateTime<Utc>,
    },
    /// The policy asked for a reminder the send schedule has no slot for, from `asked` on.
    NoSlot { asked: DateTime<Utc> },
    /// The preview followed this many reminders (its safety bound) and stopped there.
    Bound { reminders: usize },
    /// The plugin failed or gave an answer the host refused; the preview's error says which.
    Failed,
}

impl PreviewEnd {
    /// How a calendar ends when the policy answers no further reminder for `group`.
    pub fn when_none(group: &GroupState) -> PreviewEnd {
        if group.tasks.iter().all(|t| t.done) {
            PreviewEnd::AllDone
        } else if group
            .tasks
            .iter()
            .all(|t| t.done || t.reminders_sent >= MAX_REMINDERS_PER_TASK)
        {
            PreviewEnd::AllCapped
        } else {
            PreviewEnd::PolicyDone
        }
    }

    /// Whether the calendar is complete: every reminder the policy would send is in it.
    pub fn is_complete(&self) -> bool {
        matches!(
            self,
            PreviewEnd::AllDone | PreviewEnd::AllCapped | PreviewEnd::PolicyDone
        )
    }

    /// A sentence saying where the calendar stops and why, instants in `tz`.
    pub fn describe(&self, tz: Tz) -> String {
        let local = |at: &DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z");
        match self {
            PreviewEnd::AllDone => "no more reminders: every task is done".into(),
            PreviewEnd::AllCapped => format!(
                "no more reminders: every open task has had {MAX_REMINDERS_PER_TASK}, the most until the group is resent"
            ),
            PreviewEnd::PolicyDone => {
                "no more reminders: the policy answers none for the tasks still open".into()
            }
            PreviewEnd::Period { until, next } => format!(
                "stops at the end of the period previewed ({}); the next reminder would go out {}",
                local(until),
                local(next)
            ),
            PreviewEnd::NoSlot { asked } => format!(
                "stops: the policy asks for a reminder at {}, and the send schedule has no slot from then on",
                local(asked)
            ),
            PreviewEnd::Bound { reminders } => format!(
                "stops after {reminders} reminders, the most a preview follows; the policy would send more"
            ),
            PreviewEnd::Failed => "stops: the plugin failed (see the error)".into(),
        }
    }
}

/// A previewed calendar: the reminders in order, where it ends, and the error that ended it
/// early, if one did (then `end` is [`PreviewEnd::Failed`]).
#[derive(Debug)]
pub struct Preview {
    pub reminders: Vec<NextReminder>,
    pub end: PreviewEnd,
    pub error: Option<PluginError>,
}

impl Preview {
    fn failed(reminders: Vec<NextReminder>, error: PluginError) -> Preview {
        Preview {
            reminders,
            end: PreviewEnd::Failed,
            error: Some(error),
        }
    }
}

impl PluginHost {
    /// Previews a group's reminder calendar: asks `policy` for the next reminder, pretends it
    /// went out (counting it on the tasks it covers), and repeats until the policy has no more
    /// or, with `until`, the next one falls after it. The decisions are the plugin's; nothing
    /// is sent. A failure ends the preview with an error; [`PluginHost::preview_with`] keeps
    /// the reminders before it.
    pub fn preview(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        group: GroupState,
        until: DateTime<Utc>,
    ) -> Result<Vec<NextReminder>, PluginError> {
        let preview = self.preview_with(policy, calendar, params, group, &[], Some(until));
        match preview.error {
            Some(e) => Err(e),
            None => Ok(preview.reminders),
        }
    }

    /// [`PluginHost::preview`] where tasks get done along the way: `done` holds `(task index,
    /// instant)`. At each instant the task is marked done and the policy asked again from
    /// then on, as the server re-plans a group when a client ticks a task off. Without
    /// `until`, the calendar is followed to its end (or [`MAX_PREVIEW`] reminders).
    pub fn preview_with(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        mut group: GroupState,
        done: &[(usize, DateTime<Utc>)],
        until: Option<DateTime<Utc>>,
    ) -> Preview {
        let mut reminders = Vec::new();
        let mut session = match self.reminder_session(policy) {
            Ok(session) => session,
            Err(e) => return Preview::failed(reminders, e),
        };
        if let Some(&(index, _)) = done.iter().find(|(i, _)| *i >= group.tasks.len()) {
            let e = PluginError::BadInput(format!(
                "task {} is done but the group has {}",
                index + 1,
                super::error::count(group.tasks.len(), "task")
            ));
            return Preview::failed(reminders, e);
        }
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
            let next = match session.next_reminder(calendar, params, now, &group) {
                Ok(Some(next)) => next,
                Ok(None) => break PreviewEnd::when_none(&group),
                Err(e) => return Preview::failed(reminders, e),
            };
            match next_step(done, &group, until, next.at) {
                Step::AskFrom(at) => {
                    now = at;
                    continue;
                }
                Step::End(end) => break end,
                Step::Show => {}
            }
            for &index in &next.tasks {
                let task = &mut group.tasks[index];
                task.reminders_sent = task.reminders_sent.saturating_add(1);
            }
            group.last_reminder_at = Some(next.at);
            now = next.at;
            reminders.push(next);
        };
        Preview {
            reminders,
            end,
            error: None,
        }
    }
}

/// What a preview does with a reminder the policy answered for `at`.
pub(crate) enum Step {
    /// A task still open is done before it: the group changes, so ask again from then.
    AskFrom(DateTime<Utc>),
    /// Past the period asked for: the preview ends there.
    End(PreviewEnd),
    /// It goes out: show it.
    Show,
}

/// The one rule both previews follow (the host's own and a template's, held to the send
/// schedule) for a reminder answered for `at`, given the tasks `done` at their instants.
pub(crate) fn next_step(
    done: &[(usize, DateTime<Utc>)],
    group: &GroupState,
    until: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Step {
    let period_ends = |when: DateTime<Utc>| {
        until
            .filter(|u| when > *u)
            .map(|until| Step::End(PreviewEnd::Period { until, next: at }))
    };
    let done_before = done
        .iter()
        .filter(|(i, when)| !group.tasks[*i].done && *when < at)
        .map(|(_, when)| *when)
        .min();
    match done_before {
        Some(when) => period_ends(when).unwrap_or(Step::AskFrom(when)),
        None => period_ends(at).unwrap_or(Step::Show),
    }
}
