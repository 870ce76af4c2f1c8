//! Calling plugins: reminder decisions (one group, a batch, or a reusable sweep session),
//! send instants and hook events, each under the runtime's limits, with every answer checked.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use wasmtime::Store;

use super::effects::HookCtx;
use super::error::PluginError;
use super::host::{Loaded, PluginHost, Pre};
use super::manifest::World;
use super::model::{
    BatchAnswer, BatchColumns, FirmCalendar, GroupState, HookEffects, HookEvent, NextReminder,
    Params, SendRequest,
};
use super::runtime::CallState;
use super::wit::{self, ReminderPolicy, ReminderPolicyPre, wit_types};

/// The product's cap, enforced on every policy, stock or installed: a task gets at most this
/// many reminders until its group is resent.
pub const MAX_REMINDERS_PER_TASK: u8 = 5;

/// A plugin's manifest defaults overridden by the caller's parameters.
fn merged(loaded: &Loaded, params: &Params) -> Params {
    let mut all = loaded.info.params.clone();
    all.extend(params.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

impl PluginHost {
    /// The next reminder of one group under `policy`, or `None` when none is due any more.
    pub fn next_reminder(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        now: DateTime<Utc>,
        group: &GroupState,
    ) -> Result<Option<NextReminder>, PluginError> {
        self.reminder_session(policy)?
            .next_reminder(calendar, params, now, group)
    }

    /// The next reminder of each group, in one call into the plugin.
    pub fn next_reminders(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        now: DateTime<Utc>,
        groups: &[GroupState],
    ) -> Result<Vec<Option<NextReminder>>, PluginError> {
        self.reminder_session(policy)?
            .next_reminders(calendar, params, now, groups)
    }

    /// A session that keeps one instance of `policy` for many calls (a sweep), so the
    /// instantiation is paid once. After a failed call the instance is dropped (a trapped
    /// instance cannot be entered again) and the next call starts a fresh one.
    pub fn reminder_session(&self, policy: &str) -> Result<ReminderSession<'_>, PluginError> {
        let loaded = self.get(policy, World::ReminderPolicy)?;
        let Pre::Reminder(pre) = &loaded.pre else {
            unreachable!("get checked the world");
        };
        Ok(ReminderSession {
            host: self,
            pre: pre.clone(),
            loaded,
            live: None,
        })
    }

    /// Previews a group's reminder calendar: asks `policy` for the next reminder, pretends it
    /// went out (counting it on the tasks it covers), and repeats until the policy has no more
    /// or the next one falls after `until`. The decisions are the plugin's; nothing is sent.
    /// A failure ends the preview with an error; [`PluginHost::preview_with`] keeps the
    /// reminders before it.
    pub fn preview(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        group: GroupState,
        until: DateTime<Utc>,
    ) -> Result<Vec<NextReminder>, PluginError> {
        let preview = self.preview_with(policy, calendar, params, group, &[], until);
        match preview.error {
            Some(e) => Err(e),
            None => Ok(preview.reminders),
        }
    }

    /// [`PluginHost::preview`] where tasks get done along the way: `done` holds `(task index,
    /// instant)`. At each instant the task is marked done and the policy asked again from
    /// then on, as the server re-plans a group when a client ticks a task off.
    pub fn preview_with(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        mut group: GroupState,
        done: &[(usize, DateTime<Utc>)],
        until: DateTime<Utc>,
    ) -> Preview {
        // A policy that never stops (an urgent calendar without a cap) still ends here.
        const MAX_PREVIEW: usize = 1000;
        let mut out = Preview::default();
        let mut session = match self.reminder_session(policy) {
            Ok(session) => session,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        };
        if let Some(&(index, _)) = done.iter().find(|(i, _)| *i >= group.tasks.len()) {
            out.error = Some(PluginError::BadInput(format!(
                "task {} is done but the group has {} tasks",
                index + 1,
                group.tasks.len()
            )));
            return out;
        }
        let mut now = group.sent_at;
        let mut asks = 0;
        while out.reminders.len() < MAX_PREVIEW && asks < 2 * MAX_PREVIEW {
            asks += 1;
            for &(index, at) in done {
                if at <= now {
                    group.tasks[index].done = true;
                }
            }
            let next = match session.next_reminder(calendar, params, now, &group) {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(e) => {
                    out.error = Some(e);
                    break;
                }
            };
            // A task done before this reminder changes the group: ask again from then.
            let done_before = done
                .iter()
                .filter(|(i, at)| !group.tasks[*i].done && *at < next.at)
                .map(|(_, at)| *at)
                .min();
            if let Some(at) = done_before {
                if at > until {
                    break;
                }
                now = at;
                continue;
            }
            if next.at > until {
                break;
            }
            for &index in &next.tasks {
                let task = &mut group.tasks[index];
                task.reminders_sent = task.reminders_sent.saturating_add(1);
            }
            group.last_reminder_at = Some(next.at);
            now = next.at;
            out.reminders.push(next);
        }
        out
    }

    /// When the group goes out automatically under `rule`, or `None` for manual sending.
    pub fn send_at(
        &self,
        rule: &str,
        calendar: &FirmCalendar,
        params: &Params,
        now: DateTime<Utc>,
        request: &SendRequest,
    ) -> Result<Option<DateTime<Utc>>, PluginError> {
        let loaded = self.get(rule, World::SendingRule)?;
        let Pre::Sending(pre) = &loaded.pre else {
            unreachable!("get checked the world");
        };
        let name = loaded.info.name.as_str();
        let runtime = &self.runtime;
        let mut store = runtime.store(loaded.info.limits, None);
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| runtime.call_error(name, &store, e))?;
        let answer = instance
            .docket_plugin_sending()
            .call_send_at(
                &mut store,
                &wit::calendar(calendar, now),
                &wit::params(&merged(&loaded, params)),
                wit::send_request(request),
            )
            .map_err(|e| runtime.call_error(name, &store, e))?
            .map_err(|e| wit::refused(name, e))?;
        answer
            .map(|at| {
                wit::local_time(calendar.tz, at, DateTime::<Utc>::MIN_UTC)
                    .map_err(|reason| bad_output(name, reason))
            })
            .transpose()
    }

    /// Delivers `event` to `hook`. Effects it asked for and was granted are handed to `effects`
    /// once it returns successfully; if it fails, none are. Returns how many were applied.
    pub fn deliver(
        &self,
        hook: &str,
        params: &Params,
        event: &HookEvent,
        effects: &mut dyn HookEffects,
    ) -> Result<usize, PluginError> {
        let loaded = self.get(hook, World::NotificationHook)?;
        let Pre::Hook(pre) = &loaded.pre else {
            unreachable!("get checked the world");
        };
        let name = loaded.info.name.as_str();
        let runtime = &self.runtime;
        let ctx = HookCtx::new(name, &event.work_id, loaded.info.capabilities.clone());
        let mut store = runtime.store(loaded.info.limits, Some(ctx));
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| runtime.call_error(name, &store, e))?;
        instance
            .docket_plugin_hook()
            .call_on_event(
                &mut store,
                &wit::params(&merged(&loaded, params)),
                &wit::event(event),
            )
            .map_err(|e| runtime.call_error(name, &store, e))?
            .map_err(|e| wit::refused(name, e))?;
        let queued = store
            .data_mut()
            .hook
            .take()
            .map(|h| h.queued)
            .unwrap_or_default();
        let count = queued.len();
        for effect in queued {
            effects.apply(name, effect);
        }
        Ok(count)
    }
}

fn bad_output(plugin: &str, reason: String) -> PluginError {
    let err = PluginError::BadOutput {
        plugin: plugin.to_string(),
        reason,
    };
    tracing::warn!(plugin, error = %err, "plugin gave an invalid answer");
    err
}

/// A previewed calendar: the reminders in order, and the error that ended it early, if any.
#[derive(Debug, Default)]
pub struct Preview {
    pub reminders: Vec<NextReminder>,
    pub error: Option<PluginError>,
}

/// Reminder calls that share one instance; see [`PluginHost::reminder_session`].
pub struct ReminderSession<'h> {
    host: &'h PluginHost,
    loaded: Arc<Loaded>,
    pre: ReminderPolicyPre<CallState>,
    live: Option<(Store<CallState>, ReminderPolicy)>,
}

impl ReminderSession<'_> {
    fn name(&self) -> &str {
        &self.loaded.info.name
    }

    /// Runs `call` on the live instance (instantiating one if needed) under a fresh budget.
    fn call<R>(
        &mut self,
        call: impl FnOnce(&ReminderPolicy, &mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let runtime = &self.host.runtime;
        if self.live.is_none() {
            let mut store = runtime.store(self.loaded.info.limits, None);
            let instance = self
                .pre
                .instantiate(&mut store)
                .map_err(|e| runtime.call_error(&self.loaded.info.name, &store, e))?;
            self.live = Some((store, instance));
        }
        let (store, instance) = self.live.as_mut().expect("instantiated above");
        runtime.arm(store);
        match call(instance, store) {
            Ok(answer) => Ok(answer),
            Err(e) => {
                let err = runtime.call_error(&self.loaded.info.name, store, e);
                self.live = None;
                Err(err)
            }
        }
    }

    /// See [`PluginHost::next_reminder`].
    pub fn next_reminder(
        &mut self,
        calendar: &FirmCalendar,
        params: &Params,
        now: DateTime<Utc>,
        group: &GroupState,
    ) -> Result<Option<NextReminder>, PluginError> {
        let cal = wit::calendar(calendar, now);
        let params = wit::params(&merged(&self.loaded, params));
        let wit_group = wit::group(calendar.tz, group);
        let answer = self
            .call(|i, store| {
                i.docket_plugin_reminder()
                    .call_next_reminder(store, &cal, &params, &wit_group)
            })?
            .map_err(|e| wit::refused(self.name(), e))?;
        let Some(reminder) = answer else {
            return Ok(None);
        };
        let mut local = wit::LocalTimes::new(calendar.tz);
        check(
            self.name(),
            calendar,
            &mut local,
            group,
            reminder.at,
            &reminder.tasks,
        )
        .map(Some)
    }

    /// See [`PluginHost::next_reminders`].
    pub fn next_reminders(
        &mut self,
        calendar: &FirmCalendar,
        params: &Params,
        now: DateTime<Utc>,
        groups: &[GroupState],
    ) -> Result<Vec<Option<NextReminder>>, PluginError> {
        let cal = wit::calendar(calendar, now);
        let params = wit::params(&merged(&self.loaded, params));
        let (columns, tasks) = wit::batch(calendar.tz, groups)?;
        let answer = self
            .call(|i, store| {
                i.docket_plugin_reminder()
                    .call_next_reminders(store, &cal, &params, &columns, &tasks)
            })?
            .map_err(|e| wit::refused(self.name(), e))?;
        decode_batch(self.name(), calendar, groups, &wit::batch_answer(answer))
    }
}

/// The batch call of [`ReminderSession::next_reminders`] with native code in the plugin's
/// place: the groups are encoded by the same code into the same columns, handed to `decide`
/// as plain slices, and its answer is checked and turned into instants by the same code. Only
/// the call differs, so the benchmark's WASM/native ratio measures the boundary and nothing
/// else.
#[doc(hidden)]
pub fn native_reminders(
    calendar: &FirmCalendar,
    now: DateTime<Utc>,
    groups: &[GroupState],
    decide: impl FnOnce(BatchColumns<'_>) -> BatchAnswer,
) -> Result<Vec<Option<NextReminder>>, PluginError> {
    let cal = wit::calendar(calendar, now);
    let (columns, tasks) = wit::batch(calendar.tz, groups)?;
    let answer = decide(wit::batch_columns(cal.send_time, &columns, &tasks));
    decode_batch("native", calendar, groups, &answer)
}

/// Turns a batch's answer into reminders, checking each against its group.
fn decode_batch(
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
fn check(
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
                        "{} does not exist: the group has {} tasks",
                        task(),
                        group.tasks.len()
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
mod tests {
    use chrono::{NaiveDate, NaiveTime, TimeZone};

    use super::*;
    use crate::plugin::model::TaskState;

    fn groups() -> Vec<GroupState> {
        let task = |due: &str, done| TaskState {
            due: due.parse().unwrap(),
            done,
            reminders_sent: 0,
        };
        let sent_at = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
        vec![
            GroupState {
                sent_at,
                last_reminder_at: None,
                tasks: vec![task("2026-03-10", false), task("2026-03-11", true)],
            },
            GroupState {
                sent_at,
                last_reminder_at: None,
                tasks: vec![task("2026-03-12", false)],
            },
        ]
    }

    /// The reminders a batch answer decodes to, or the reason it is refused.
    type Expected = Result<Vec<Option<NextReminder>>, &'static str>;

    #[test]
    fn a_batch_answer_is_read_by_its_counts_and_checked() {
        let calendar = FirmCalendar {
            tz: chrono_tz::Europe::London,
            send_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            holidays: Vec::new(),
        };
        let day = wit::day(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
        let answer = |covered_count: &[u32], covered: &[u32]| BatchAnswer {
            covered_count: covered_count.to_vec(),
            day: vec![day; covered_count.len()],
            minute: vec![540; covered_count.len()],
            covered: covered.to_vec(),
        };
        let reminder = NextReminder {
            at: Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap(),
            tasks: vec![0],
        };
        let cases: [(BatchAnswer, Expected); 7] = [
            (
                answer(&[1, 0], &[0]),
                Ok(vec![Some(reminder.clone()), None]),
            ),
            (
                answer(&[0, 1], &[0]),
                Ok(vec![None, Some(reminder.clone())]),
            ),
            (
                answer(&[1], &[0]),
                Err("1 covered counts, 1 days and 1 minutes for 2 groups"),
            ),
            (
                answer(&[1, 1], &[0]),
                Err("group 2 of the batch: its covered tasks run past the end of the list"),
            ),
            (
                answer(&[1, 0], &[0, 0]),
                Err("1 covered tasks beyond those the groups' counts add up to"),
            ),
            (
                answer(&[1, 0], &[1]),
                Err("covered index 1 (task 2) is done, in the reminder at 2026-03-10 09:00 GMT"),
            ),
            (
                answer(&[2, 0], &[0, 0]),
                Err("covered tasks are not ascending or repeat one"),
            ),
        ];
        for (answer, expected) in cases {
            let got = native_reminders(&calendar, groups()[0].sent_at, &groups(), |columns| {
                assert_eq!(columns.task_count, [2, 1]);
                assert_eq!(columns.done, [0, 1, 0]);
                answer.clone()
            });
            match (got, expected) {
                (Ok(got), Ok(expected)) => assert_eq!(got, expected),
                (Err(e), Err(text)) => assert!(
                    matches!(&e, PluginError::BadOutput { plugin, reason }
                        if plugin == "native" && reason == text),
                    "{answer:?}: {e}"
                ),
                (got, expected) => panic!("{answer:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }
}
