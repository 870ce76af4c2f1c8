//! Calling plugins: reminder decisions (one group, a batch, or a reusable sweep session),
//! send instants and hook events, each under the runtime's limits, with every answer checked.

use chrono::{DateTime, Utc};
use wasmtime::Store;

use super::effects::HookCtx;
use super::error::PluginError;
use super::host::{Loaded, PluginHost, Pre};
use super::manifest::World;
use super::model::{
    FirmCalendar, GroupState, HookEffects, HookEvent, NextReminder, Params, SendRequest,
};
use super::runtime::CallState;
use super::wit::{self, ReminderPolicy, ReminderPolicyPre, wit_reminder, wit_types};

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
            loaded,
            pre: pre.clone(),
            live: None,
        })
    }

    /// Previews a group's reminder calendar: asks `policy` for the next reminder, pretends it
    /// went out (counting it on the tasks it covers), and repeats until the policy has no more
    /// or the next one falls after `until`. The decisions are the plugin's; nothing is sent.
    pub fn preview(
        &self,
        policy: &str,
        calendar: &FirmCalendar,
        params: &Params,
        mut group: GroupState,
        until: DateTime<Utc>,
    ) -> Result<Vec<NextReminder>, PluginError> {
        // A policy that never stops (an urgent calendar without a cap) still ends here.
        const MAX_PREVIEW: usize = 1000;
        let mut session = self.reminder_session(policy)?;
        let mut out = Vec::new();
        let mut now = group.sent_at;
        while out.len() < MAX_PREVIEW {
            let Some(next) = session.next_reminder(calendar, params, now, &group)? else {
                break;
            };
            if next.at > until {
                break;
            }
            for &index in &next.tasks {
                let task = &mut group.tasks[index];
                task.reminders_sent = task.reminders_sent.saturating_add(1);
            }
            group.last_reminder_at = Some(next.at);
            now = next.at;
            out.push(next);
        }
        Ok(out)
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
        let mut store = runtime.store(None);
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| runtime.call_error(name, &store, e))?;
        let answer = instance
            .docket_plugin_sending()
            .call_send_at(
                &mut store,
                &wit::calendar(calendar, now),
                &wit::params(&merged(loaded, params)),
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
        let mut store = runtime.store(Some(ctx));
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| runtime.call_error(name, &store, e))?;
        instance
            .docket_plugin_hook()
            .call_on_event(
                &mut store,
                &wit::params(&merged(loaded, params)),
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

/// Reminder calls that share one instance; see [`PluginHost::reminder_session`].
pub struct ReminderSession<'h> {
    host: &'h PluginHost,
    loaded: &'h Loaded,
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
            let mut store = runtime.store(None);
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
        let params = wit::params(&merged(self.loaded, params));
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
        self.check(calendar, group, reminder.at, &reminder.tasks)
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
        let params = wit::params(&merged(self.loaded, params));
        let (slices, tasks) = wit::batch(calendar.tz, groups)?;
        let answer = self
            .call(|i, store| {
                i.docket_plugin_reminder()
                    .call_next_reminders(store, &cal, &params, &slices, &tasks)
            })?
            .map_err(|e| wit::refused(self.name(), e))?;
        if answer.decisions.len() != groups.len() {
            return Err(bad_output(
                self.name(),
                format!(
                    "{} decisions for {} groups",
                    answer.decisions.len(),
                    groups.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(groups.len());
        for (index, (decision, group)) in answer.decisions.iter().zip(groups).enumerate() {
            let wit_reminder::SliceDecision {
                at,
                first_covered,
                covered_count,
            } = *decision;
            let covered = (first_covered as usize)
                .checked_add(covered_count as usize)
                .and_then(|end| answer.covered.get(first_covered as usize..end))
                .ok_or_else(|| {
                    bad_output(
                        self.name(),
                        format!("group {index}: covered slice out of range"),
                    )
                })?;
            out.push(match at {
                None if covered.is_empty() => None,
                None => {
                    return Err(bad_output(
                        self.name(),
                        format!("group {index}: tasks covered but no time"),
                    ));
                }
                Some(at) => Some(self.check(calendar, group, at, covered)?),
            });
        }
        Ok(out)
    }

    /// Checks a reminder against the contract: later than the sending and the last reminder,
    /// covering at least one task, only open tasks under the cap, each once.
    fn check(
        &self,
        calendar: &FirmCalendar,
        group: &GroupState,
        at: wit_types::LocalTime,
        covered: &[u32],
    ) -> Result<NextReminder, PluginError> {
        let name = self.name();
        let after = group
            .last_reminder_at
            .map_or(group.sent_at, |l| l.max(group.sent_at));
        let at = wit::local_time(calendar.tz, at, after).map_err(|r| bad_output(name, r))?;
        if at <= after {
            return Err(bad_output(
                name,
                format!("reminder at {at} is not after {after}"),
            ));
        }
        if covered.is_empty() {
            return Err(bad_output(name, "a reminder covers no task".into()));
        }
        let mut tasks = Vec::with_capacity(covered.len());
        for &index in covered {
            let index = index as usize;
            match group.tasks.get(index) {
                None => return Err(bad_output(name, format!("task {index} does not exist"))),
                Some(task) if task.done => {
                    return Err(bad_output(name, format!("task {index} is done")));
                }
                Some(task) if task.reminders_sent >= MAX_REMINDERS_PER_TASK => {
                    return Err(bad_output(
                        name,
                        format!("task {index} already had {MAX_REMINDERS_PER_TASK} reminders"),
                    ));
                }
                Some(_) if tasks.last().is_some_and(|last| *last >= index) => {
                    return Err(bad_output(name, "covered tasks are not ascending".into()));
                }
                Some(_) => tasks.push(index),
            }
        }
        Ok(NextReminder { at, tasks })
    }
}
