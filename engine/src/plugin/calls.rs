//! Calling plugins: reminder decisions (one group, a batch, or a reusable sweep session),
//! send instants and hook events, each under the runtime's limits, with every answer checked.
//!
//! A reminder policy has one decision function, the batch `next-reminders`, and every question
//! goes through [`ReminderSession::next_reminders`]: the scheduler's sweeps, and a single
//! group (previews, `plugin test`, `plugin simulate`, the template import check) as a batch of
//! one. There is no other path, so no tool can see an answer production would not.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use wasmtime::Store;

use super::answers::{bad_output, decode_batch};
use super::effects::HookCtx;
use super::error::PluginError;
use super::host::{Loaded, PluginHost};
use super::manifest::World;
pub use super::model::MAX_REMINDERS_PER_TASK;
use super::model::{
    BatchAnswer, BatchColumns, FirmCalendar, GroupState, HookEffects, HookEvent, NextReminder,
    Params, SendRequest,
};
use super::runtime::CallState;
use super::wit::{self, Pre, ReminderInstance, ReminderPre};

/// A stock plugin's internal parameters, then its defaults, each overridden by the caller's.
fn merged(loaded: &Loaded, params: &Params) -> Params {
    let mut all = loaded.info.internal.clone();
    all.extend(
        loaded
            .info
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    all.extend(params.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

impl PluginHost {
    /// The next reminder of one group under `policy`, or `None` when none is due any more: the
    /// policy's batch call with a batch of one.
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
        count_call(name);
        let runtime = &self.runtime;
        let mut store = runtime.store(loaded.info.limits, None);
        let answer = pre
            .send_at(
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
        count_call(name);
        let runtime = &self.runtime;
        let ctx = HookCtx::new(name, &event.work_id, loaded.info.capabilities.clone());
        let mut store = runtime.store(loaded.info.limits, Some(ctx));
        pre.on_event(
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

/// Reminder calls that share one instance; see [`PluginHost::reminder_session`].
pub struct ReminderSession<'h> {
    host: &'h PluginHost,
    loaded: Arc<Loaded>,
    pre: ReminderPre,
    live: Option<(Store<CallState>, ReminderInstance)>,
}

impl ReminderSession<'_> {
    fn name(&self) -> &str {
        &self.loaded.info.name
    }

    /// Runs `call` on the live instance (instantiating one if needed) under a fresh budget.
    fn call<R>(
        &mut self,
        call: impl FnOnce(&ReminderInstance, &mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        count_call(&self.loaded.info.name);
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

    /// See [`PluginHost::next_reminder`]: [`ReminderSession::next_reminders`] with a batch of
    /// one, so a single group is decided by exactly the code a sweep runs.
    pub fn next_reminder(
        &mut self,
        calendar: &FirmCalendar,
        params: &Params,
        now: DateTime<Utc>,
        group: &GroupState,
    ) -> Result<Option<NextReminder>, PluginError> {
        let mut answers =
            self.next_reminders(calendar, params, now, std::slice::from_ref(group))?;
        // `decode_batch` answers exactly one row per group, or refuses the answer.
        Ok(answers.pop().flatten())
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
            .call(|i, store| i.next_reminders(store, &cal, &params, &columns, &tasks))?
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

/// One call of `plugin`, for `docket_plugin_calls_total` (failures are counted by kind where
/// they are told apart, `Runtime::call_error`).
fn count_call(plugin: &str) {
    metrics::counter!("docket_plugin_calls_total", "plugin" => plugin.to_string()).increment(1);
}
