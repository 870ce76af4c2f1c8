//! The one place that knows the WIT: `bindgen!` for the three worlds of `docket:plugin@0.2.0`
//! (`wit/`) and, through the adapter of `v0_1`, of `docket:plugin@0.1.0` (`engine/wit/0.1.0/`);
//! a component of either contract as one kind of plugin to the rest of the host; and the
//! conversions between WIT types and the host's plain Rust types (`convert`, `time`).

mod convert;
mod imports;
mod time;
pub(crate) mod v0_1;

use wasmtime::Store;
use wasmtime::component::{Component, InstancePre};

use super::manifest::{Contract, World};
use super::runtime::CallState;

pub(crate) use convert::{
    batch, batch_answer, batch_columns, calendar, event, params, refused, send_request,
};
#[cfg(test)]
pub(crate) use time::day;
pub(crate) use time::{LocalTimes, local_time};

pub(crate) mod reminder_world {
    wasmtime::component::bindgen!({
        world: "reminder-policy",
        path: "../wit",
    });
}

pub(crate) mod sending_world {
    wasmtime::component::bindgen!({
        world: "sending-rule",
        path: "../wit",
        with: { "docket:plugin/types": super::reminder_world::docket::plugin::types },
    });
}

pub(crate) mod hook_world {
    wasmtime::component::bindgen!({
        world: "notification-hook",
        path: "../wit",
        with: { "docket:plugin/types": super::reminder_world::docket::plugin::types },
    });
}

pub(crate) use reminder_world::docket::plugin::types as wit_types;
pub(crate) use reminder_world::exports::docket::plugin::reminder as wit_reminder;
pub(crate) use sending_world::exports::docket::plugin::sending as wit_sending;

use hook_world::exports::docket::plugin::hook as wit_hook;
use hook_world::{NotificationHook, NotificationHookPre};
use reminder_world::{ReminderPolicy, ReminderPolicyPre};
use sending_world::{SendingRule, SendingRulePre};

/// A plugin ready to instantiate: its world's pre-instantiated component, of either contract.
#[derive(Clone)]
pub(crate) enum Pre {
    Reminder(ReminderPre),
    Sending(SendingPre),
    Hook(HookPre),
}

impl Pre {
    /// Links `component` as `world`: its imports must be ones the world offers and its exports
    /// the world's, of the current contract or else of 0.1.0. When neither fits, the error is
    /// the current contract's (what a plugin should be rebuilt against).
    pub fn link(
        engine: &wasmtime::Engine,
        component: &Component,
        world: World,
    ) -> wasmtime::Result<Pre> {
        let linker = imports::linker(engine, world)?;
        let instance_pre: InstancePre<CallState> = linker.instantiate_pre(component)?;
        Ok(match world {
            World::ReminderPolicy => {
                Pre::Reminder(match ReminderPolicyPre::new(instance_pre.clone()) {
                    Ok(pre) => ReminderPre::Current(pre),
                    Err(e) => v0_1::ReminderPolicyPre::new(instance_pre)
                        .map(ReminderPre::V0_1)
                        .map_err(|_| e)?,
                })
            }
            World::SendingRule => Pre::Sending(match SendingRulePre::new(instance_pre.clone()) {
                Ok(pre) => SendingPre::Current(pre),
                Err(e) => v0_1::SendingRulePre::new(instance_pre)
                    .map(SendingPre::V0_1)
                    .map_err(|_| e)?,
            }),
            World::NotificationHook => {
                Pre::Hook(match NotificationHookPre::new(instance_pre.clone()) {
                    Ok(pre) => HookPre::Current(pre),
                    Err(e) => v0_1::NotificationHookPre::new(instance_pre)
                        .map(HookPre::V0_1)
                        .map_err(|_| e)?,
                })
            }
        })
    }

    /// The contract the component was built against.
    pub fn contract(&self) -> Contract {
        let old = matches!(
            self,
            Pre::Reminder(ReminderPre::V0_1(_))
                | Pre::Sending(SendingPre::V0_1(_))
                | Pre::Hook(HookPre::V0_1(_))
        );
        if old { Contract::V0_1 } else { Contract::V0_2 }
    }
}

/// A reminder policy ready to instantiate.
#[derive(Clone)]
pub(crate) enum ReminderPre {
    Current(ReminderPolicyPre<CallState>),
    V0_1(v0_1::ReminderPolicyPre<CallState>),
}

/// An instance of a reminder policy, which a sweep calls many times.
pub(crate) enum ReminderInstance {
    Current(ReminderPolicy),
    V0_1(v0_1::ReminderPolicy),
}

impl ReminderPre {
    pub fn instantiate(&self, store: &mut Store<CallState>) -> wasmtime::Result<ReminderInstance> {
        Ok(match self {
            ReminderPre::Current(pre) => ReminderInstance::Current(pre.instantiate(store)?),
            ReminderPre::V0_1(pre) => ReminderInstance::V0_1(pre.instantiate(store)?),
        })
    }
}

impl ReminderInstance {
    /// The policy's one decision: `next-reminders` (of a 0.1.0 policy too, never its
    /// `next-reminder`).
    pub fn next_reminders(
        &self,
        store: &mut Store<CallState>,
        calendar: &wit_types::Calendar,
        params: &[wit_types::Param],
        groups: &wit_reminder::GroupColumns,
        tasks: &wit_reminder::TaskColumns,
    ) -> wasmtime::Result<Result<wit_reminder::BatchDecision, wit_types::PluginError>> {
        match self {
            ReminderInstance::Current(i) => i
                .docket_plugin_reminder()
                .call_next_reminders(store, calendar, params, groups, tasks),
            ReminderInstance::V0_1(i) => {
                let (groups, tasks) = v0_1::batch(groups, tasks);
                let answer = i.docket_plugin_reminder().call_next_reminders(
                    store,
                    &v0_1::calendar(calendar),
                    &v0_1::params(params),
                    &groups,
                    &tasks,
                )?;
                Ok(answer.map(v0_1::decision).map_err(v0_1::error))
            }
        }
    }
}

/// A sending rule ready to instantiate.
#[derive(Clone)]
pub(crate) enum SendingPre {
    Current(SendingRulePre<CallState>),
    V0_1(v0_1::SendingRulePre<CallState>),
}

impl SendingPre {
    /// Instantiates the rule in `store` and asks it when to send.
    pub fn send_at(
        &self,
        store: &mut Store<CallState>,
        calendar: &wit_types::Calendar,
        params: &[wit_types::Param],
        request: wit_sending::SendRequest,
    ) -> wasmtime::Result<Result<Option<wit_types::LocalTime>, wit_types::PluginError>> {
        match self {
            SendingPre::Current(pre) => {
                let rule: SendingRule = pre.instantiate(&mut *store)?;
                rule.docket_plugin_sending()
                    .call_send_at(store, calendar, params, request)
            }
            SendingPre::V0_1(pre) => {
                let rule: v0_1::SendingRule = pre.instantiate(&mut *store)?;
                let answer = rule.docket_plugin_sending().call_send_at(
                    store,
                    &v0_1::calendar(calendar),
                    &v0_1::params(params),
                    v0_1::send_request(&request),
                )?;
                Ok(answer.map(v0_1::send_answer).map_err(v0_1::error))
            }
        }
    }
}

/// A notification hook ready to instantiate.
#[derive(Clone)]
pub(crate) enum HookPre {
    Current(NotificationHookPre<CallState>),
    V0_1(v0_1::NotificationHookPre<CallState>),
}

impl HookPre {
    /// Instantiates the hook in `store` and hands it the event.
    pub fn on_event(
        &self,
        store: &mut Store<CallState>,
        params: &[wit_types::Param],
        event: &wit_hook::Event,
    ) -> wasmtime::Result<Result<(), wit_types::PluginError>> {
        match self {
            HookPre::Current(pre) => {
                let hook: NotificationHook = pre.instantiate(&mut *store)?;
                hook.docket_plugin_hook()
                    .call_on_event(store, params, event)
            }
            HookPre::V0_1(pre) => {
                let hook: v0_1::NotificationHook = pre.instantiate(&mut *store)?;
                let answer = hook.docket_plugin_hook().call_on_event(
                    store,
                    &v0_1::params(params),
                    &v0_1::event(event),
                )?;
                Ok(answer.map_err(v0_1::error))
            }
        }
    }
}
