//! Planning each group's next fire: the sending rule or reminder policy asked (in batches per
//! policy), its answer held to the firm's send schedule and past its holidays (`held_reminder`,
//! which the calendar preview shares), and a plugin that fails marked stuck and asked again
//! with backoff (`retry_wait`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::docket::Docket;
use crate::docket::sending::away::{paused_until, quiet_days};
use crate::model::{
    ContactId, Fire, FireAction, FirmSettings, ReminderPause, Stuck, WorkId, WorkItem, WorkStatus,
};
use crate::plugin::{FirmCalendar, GroupState, Params, SendRequest, TaskState};
use crate::schedule::SendSchedule;
use crate::{Error, Result};

/// One group waiting for a reminder decision.
struct Ask {
    work: usize,
    group: usize,
    state: GroupState,
    /// When its pause ends, while it is paused.
    paused_until: Option<DateTime<Utc>>,
}

/// What planning needs of a recipient: their zone, pause and quiet days (with the firm's).
struct Recipient {
    tz: Tz,
    paused: Option<ReminderPause>,
    holidays: Vec<chrono::NaiveDate>,
}

impl Docket {
    /// Sets `next` on every group of `works`, asking the sending rule (groups not yet sent) or
    /// the reminder policy (sent groups with open tasks), in batches per policy, and moving each
    /// answer onto the send schedule. A plugin that fails leaves its groups to be retried at
    /// the next tick.
    pub(crate) fn replan(&self, works: &mut [WorkItem], now: DateTime<Utc>) -> Result<()> {
        let Some(host) = self.plugins.clone() else {
            for group in works.iter_mut().flat_map(|w| w.groups.iter_mut()) {
                group.next = None;
            }
            return Ok(());
        };
        let firm = self.firm_settings()?;
        let schedule = self.send_schedule(&firm)?;
        let mut recipients: HashMap<ContactId, Recipient> = HashMap::new();
        // Policies are asked in batches of one calendar: zone and quiet days.
        let mut asks: BTreeMap<(String, Params, String, Vec<chrono::NaiveDate>), Vec<Ask>> =
            BTreeMap::new();
        // Each group is stuck afterwards only if its plugin fails now; how long it has been
        // failing is carried over to time the next retry.
        let mut failing = Failing {
            docket: self,
            host: &host,
            now,
            before: HashMap::new(),
        };
        for (w, work) in works.iter_mut().enumerate() {
            for (g, group) in work.groups.iter_mut().enumerate() {
                group.next = None;
                if let Some(stuck) = group.stuck.take() {
                    failing.before.insert((work.id, g), stuck);
                }
                if work.status == WorkStatus::Completed {
                    continue;
                }
                let recipient = recipients.entry(group.recipient).or_insert_with(|| {
                    let contact = self.contact(group.recipient).ok();
                    Recipient {
                        tz: contact
                            .as_ref()
                            .and_then(|c| c.timezone)
                            .unwrap_or(firm.timezone),
                        holidays: quiet_days(
                            &firm.holidays,
                            contact.as_ref().map_or(&[][..], |c| &c.holidays),
                        ),
                        paused: contact.and_then(|c| c.paused),
                    }
                });
                let tz = recipient.tz;
                let holidays = recipient.holidays.clone();
                match group.sent_at {
                    None => {
                        let calendar = calendar_with(&firm, tz, &holidays);
                        let request = SendRequest {
                            start: work.start_date,
                            first_due: group.tasks.iter().map(|t| t.due_date).min(),
                            task_count: group.tasks.len() as u32,
                        };
                        group.next = match host.send_at(
                            &group.sending.plugin,
                            &calendar,
                            &group.sending.texts(),
                            now,
                            &request,
                        ) {
                            Ok(Some(at)) => {
                                schedule.slot(at.max(now), tz, &holidays).map(|at| Fire {
                                    at: at.into(),
                                    action: FireAction::Send,
                                })
                            }
                            Ok(None) => None,
                            Err(e) => Some(failing.retry(work.id, g, group, true, &e)),
                        };
                    }
                    Some(sent_at) if !group.all_done() => {
                        let state = GroupState {
                            sent_at,
                            last_reminder_at: group.last_reminder_at,
                            tasks: group
                                .tasks
                                .iter()
                                .map(|t| TaskState {
                                    due: t.due_date,
                                    done: t.done_at.is_some(),
                                    reminders_sent: t.reminders_sent.min(255) as u8,
                                })
                                .collect(),
                        };
                        let paused_until = paused_until(
                            work.paused.as_deref(),
                            recipient.paused.as_ref(),
                            tz,
                            now,
                        );
                        asks.entry((
                            group.reminders.plugin.clone(),
                            group.reminders.texts(),
                            tz.name().to_string(),
                            holidays,
                        ))
                        .or_default()
                        .push(Ask {
                            work: w,
                            group: g,
                            state,
                            paused_until,
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        let mut sessions = HashMap::new();
        for ((policy, params, tz, holidays), batch) in asks {
            let tz: Tz = tz.parse().expect("zone names round-trip");
            let calendar = calendar_with(&firm, tz, &holidays);
            let session = match sessions.entry(policy.clone()) {
                std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    host.reminder_session(&policy).map(|s| e.insert(s))
                }
            };
            let session = match session {
                Ok(session) => session,
                Err(e) => {
                    for ask in &batch {
                        failing.fail(&mut works[ask.work], ask.group, &e);
                    }
                    continue;
                }
            };
            let states: Vec<GroupState> = batch.iter().map(|a| a.state.clone()).collect();
            let answers = session.next_reminders(&calendar, &params, now, &states);
            match answers {
                Ok(answers) => {
                    for (ask, answer) in batch.iter().zip(answers) {
                        let next = match answer {
                            None => Ok(None),
                            Some(r) => held_reminder(
                                session,
                                &calendar,
                                &params,
                                now,
                                &schedule,
                                &holidays,
                                &ask.state,
                                r,
                                ask.paused_until,
                            )
                            .map(|held| held.map(HeldReminder::into_fire)),
                        };
                        match next {
                            Ok(fire) => works[ask.work].groups[ask.group].next = fire,
                            Err(e) => failing.fail(&mut works[ask.work], ask.group, &e),
                        }
                    }
                }
                Err(e) => {
                    for ask in &batch {
                        failing.fail(&mut works[ask.work], ask.group, &e);
                    }
                }
            }
        }
        Ok(())
    }

    /// The firm's send schedule, parsed once per expression.
    pub(crate) fn send_schedule(&self, firm: &FirmSettings) -> Result<SendSchedule> {
        let text = firm
            .send_schedule
            .clone()
            .unwrap_or_else(|| format!("daily at {}", firm.send_time));
        let mut cache = self
            .sending
            .schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((cached, schedule)) = cache.as_ref()
            && *cached == text
        {
            return Ok(schedule.clone());
        }
        let schedule = match &firm.send_schedule {
            Some(expr) => SendSchedule::parse(expr)
                .map_err(|e| Error::invalid(format!("the firm's send schedule: {e}")))?,
            None => SendSchedule::daily_at(firm.send_time),
        };
        *cache = Some((text, schedule.clone()));
        Ok(schedule)
    }
}

/// A reminder as the scheduler sends it: the policy's answer moved onto the send schedule
/// (and off the holidays), with the tasks of what the policy would have sent meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReminder {
    /// When it goes out: a slot of the send schedule.
    pub at: DateTime<Utc>,
    /// The tasks it covers (indices from 0), ascending.
    pub tasks: Vec<usize>,
    /// When the policy asked for it; earlier than `at` when the schedule held it.
    pub asked: DateTime<Utc>,
}

impl HeldReminder {
    /// Whether the send schedule or a holiday moved it from the policy's instant.
    pub fn was_held(&self) -> bool {
        self.at != self.asked
    }

    fn into_fire(self) -> Fire {
        Fire {
            at: self.at.into(),
            action: FireAction::Reminder { tasks: self.tasks },
        }
    }
}

/// The reminder for a policy's answer `first`: at the first slot of the send schedule at or
/// after it. When the schedule holds the reminder (a weekend, a holiday), the policy is asked
/// what it would have sent meanwhile, and those tasks join the held reminder, so none is
/// skipped. A group paused until `not_before` is held to the first slot from then, the same
/// way. The scheduler and the calendar preview both go through here.
#[allow(clippy::too_many_arguments)]
pub(in crate::docket) fn held_reminder(
    session: &mut crate::plugin::ReminderSession<'_>,
    calendar: &FirmCalendar,
    params: &Params,
    now: DateTime<Utc>,
    schedule: &SendSchedule,
    holidays: &[chrono::NaiveDate],
    state: &GroupState,
    first: crate::plugin::NextReminder,
    not_before: Option<DateTime<Utc>>,
) -> std::result::Result<Option<HeldReminder>, crate::plugin::PluginError> {
    let asked = first.at;
    let from = first.at.max(now).max(not_before.unwrap_or(first.at));
    let Some(at) = schedule.slot(from, calendar.tz, holidays) else {
        return Ok(None);
    };
    let mut tasks = first.tasks;
    let mut state = state.clone();
    let mut last = first.at;
    // A month of held days at most: the schedule never holds longer in practice.
    for _ in 0..31 {
        if last >= at {
            break;
        }
        state.last_reminder_at = Some(last);
        match session.next_reminder(calendar, params, now, &state)? {
            Some(next) if next.at < at => {
                tasks.extend(next.tasks);
                last = next.at;
            }
            _ => break,
        }
    }
    tasks.sort_unstable();
    tasks.dedup();
    Ok(Some(HeldReminder { at, tasks, asked }))
}

pub(in crate::docket) fn calendar(firm: &FirmSettings, tz: Tz) -> FirmCalendar {
    calendar_with(firm, tz, &firm.holidays)
}

/// The calendar a group's policy is given: the recipient's zone, and quiet days that are the
/// firm's holidays merged with the recipient's own.
pub(in crate::docket) fn calendar_with(
    firm: &FirmSettings,
    tz: Tz,
    holidays: &[chrono::NaiveDate],
) -> FirmCalendar {
    FirmCalendar {
        tz,
        send_time: firm.send_time,
        holidays: holidays.to_vec(),
    }
}

/// How long a group waits before its plugin is asked again, after `attempts` failures in a
/// row: the first wait, doubling, up to the longest.
pub(crate) fn retry_wait(
    attempts: u32,
    first: chrono::Duration,
    longest: chrono::Duration,
) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).min(20);
    (first * 2i32.pow(doublings)).min(longest)
}

/// The groups a plugin failed for during one re-plan.
struct Failing<'a> {
    docket: &'a Docket,
    host: &'a crate::plugin::PluginHost,
    now: DateTime<Utc>,
    /// What each group was stuck on before this re-plan.
    before: HashMap<(WorkId, usize), Stuck>,
}

impl Failing<'_> {
    /// Marks group `g` of `work` stuck on its reminder policy.
    fn fail(&mut self, work: &mut WorkItem, g: usize, error: &dyn std::fmt::Display) {
        let id = work.id;
        let group = &mut work.groups[g];
        group.next = Some(self.retry(id, g, group, false, error));
    }

    /// Marks `group` stuck on its sending rule (`sending`) or reminder policy, and answers the
    /// retry: after a minute the first time, then twice as long each time up to an hour. Each
    /// step is logged once.
    fn retry(
        &mut self,
        work: WorkId,
        g: usize,
        group: &mut crate::model::ClientTaskGroup,
        sending: bool,
        error: &dyn std::fmt::Display,
    ) -> Fire {
        let plugin = if sending {
            &group.sending.plugin
        } else {
            &group.reminders.plugin
        };
        let reason = error.to_string();
        let before = self.before.remove(&(work, g));
        let attempts = before.as_ref().map_or(0, |s| s.attempts) + 1;
        let version = self
            .host
            .plugin(plugin)
            .map(|info| info.version)
            .unwrap_or_default();
        let wait = retry_wait(
            attempts,
            self.docket.sending.retry_first,
            self.docket.sending.retry_longest,
        );
        tracing::warn!(
            work = %work,
            group = g,
            plugin = %plugin,
            version = %version,
            reason = %reason,
            attempt = attempts,
            retry_in_seconds = wait.num_seconds(),
            "a plugin cannot plan this group; asking it again later"
        );
        group.stuck = Some(Stuck {
            plugin: plugin.clone(),
            version,
            reason: reason.clone(),
            since: before.map_or(self.now, |s| s.since),
            attempts,
        });
        Fire {
            at: (self.now + wait).into(),
            action: FireAction::Retry { reason },
        }
    }
}
