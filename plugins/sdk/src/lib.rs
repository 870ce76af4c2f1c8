//! The Docket plugin SDK: bindings of the `docket:plugin@0.2.0` worlds (one per cargo feature),
//! date helpers over the WIT `day` numbers, and the stock reminder calendars to build on.
//!
//! A reminder policy enables the `reminder-policy` feature, implements
//! [`reminder_policy::exports::docket::plugin::reminder::Guest`] (its one function,
//! `next_reminders`, decides a batch of groups; [`reminder_policy::each_group`] lets a policy
//! decide them one at a time) and calls `docket_plugin_sdk::export_reminder_policy!(MyPolicy);`.
//! Build it with `cargo build --release --target wasm32-wasip2`: the `.wasm` produced is already
//! a component.
//!
//! The `export_*!` macros also report a panic in the plugin's code to Docket with its message
//! and `file:line` ([`panic`]), which `docket plugin check`, `test`, `simulate` and the server's
//! logs then show.

// The generated bindings name this crate by its external name, also from inside it.
extern crate self as docket_plugin_sdk;

pub mod date;
pub mod panic;

/// The stock reminder calendars (gentle, urgent, custom) and the five-reminder cap.
pub use docket_reminder_core as calendar;

/// The bindings runtime, re-exported so plugins need not depend on `wit-bindgen` themselves.
#[doc(hidden)]
pub use wit_bindgen;

/// Bindings of the `reminder-policy` world: implement `exports::docket::plugin::reminder::Guest`.
#[cfg(feature = "reminder-policy")]
pub mod reminder_policy {
    wit_bindgen::generate!({
        world: "reminder-policy",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_reminder_policy_bindings",
        default_bindings_module: "docket_plugin_sdk::reminder_policy",
        runtime_path: "docket_plugin_sdk::wit_bindgen::rt",
    });

    use docket::plugin::types::{LocalTime, Moment, Param, PluginError};
    use exports::docket::plugin::reminder::{BatchDecision, GroupColumns, TaskColumns};

    /// One task of a group, as [`each_group`] hands it over: its local due day, whether it is
    /// done, and how many reminders already covered it.
    pub use crate::calendar::Task;

    /// One group of a batch, read from its columns for a policy that decides group by group
    /// ([`each_group`]): when it was sent, its last reminder (if one went out since), its tasks.
    #[derive(Clone, Debug)]
    pub struct Group {
        pub sent: Moment,
        pub last_reminder: Option<Moment>,
        pub tasks: Vec<Task>,
    }

    /// A group's next reminder, as a per-group decision gives it: when, in local time, and the
    /// indices of the tasks it covers (from 0, ascending). A reminder covers at least one
    /// task: [`each_group`] refuses one covering none (answer `None` for no reminder).
    #[derive(Clone, Debug)]
    pub struct Reminder {
        pub at: LocalTime,
        pub tasks: Vec<u32>,
    }

    /// The batch's task columns, checked to be of equal length.
    pub fn columns(tasks: &TaskColumns) -> Result<crate::calendar::Columns<'_>, String> {
        crate::calendar::Columns::new(&tasks.due, &tasks.done, &tasks.reminders_sent)
    }

    /// The batch's groups and tasks read in place, checked to fit together: iterate
    /// [`crate::calendar::Batch::groups`] and answer each in a [`crate::calendar::Answers`].
    pub fn batch<'a>(
        groups: &'a GroupColumns,
        tasks: &'a TaskColumns,
    ) -> Result<crate::calendar::Batch<'a>, String> {
        let rows = crate::calendar::GroupColumns {
            sent_day: &groups.sent_day,
            sent_minute: &groups.sent_minute,
            reminded: &groups.reminded,
            last_day: &groups.last_reminder_day,
            last_minute: &groups.last_reminder_minute,
            task_count: &groups.task_count,
        };
        let len = groups.sent_day.len();
        if groups.sent_at.len() != len || groups.last_reminder_at.len() != len {
            return Err("group columns differ in length".into());
        }
        crate::calendar::Batch::new(rows, columns(tasks)?)
    }

    impl From<crate::calendar::Answers> for BatchDecision {
        fn from(a: crate::calendar::Answers) -> Self {
            BatchDecision {
                covered_count: a.covered_count,
                day: a.day,
                minute: a.minute,
                covered: a.covered,
            }
        }
    }

    /// Answers a batch group by group with `decide`, for a policy that decides one group at a
    /// time: each group is read from the columns into a [`Group`], and `decide`'s answer
    /// written back into the batch's columns (`None` is no reminder). A group's answer must not
    /// depend on its batch: Docket asks about a single group with a batch of one. Stops at the
    /// first error. A reminder covering no task breaks the contract, as the host would say if
    /// the batch's columns could carry one (they cannot: a count of 0 is "no reminder"), so it
    /// fails the call as an invalid answer, at the place `each_group` is called.
    #[track_caller]
    pub fn each_group(
        groups: &GroupColumns,
        tasks: &TaskColumns,
        mut decide: impl FnMut(Group) -> Result<Option<Reminder>, PluginError>,
    ) -> Result<BatchDecision, PluginError> {
        let called = ::std::panic::Location::caller();
        let batch = batch(groups, tasks).map_err(PluginError::BadInput)?;
        let mut answers = crate::calendar::Answers::with_capacity(batch.len(), 0);
        for (g, group) in batch.groups().enumerate() {
            let moment = |at: &[i64], m: crate::calendar::Moment| Moment {
                at: at[g],
                day: m.day,
                minute: m.minute,
            };
            let tasks = (0..crate::calendar::Tasks::count(&group.tasks))
                .map(|i| crate::calendar::Tasks::task(&group.tasks, i))
                .collect();
            let next = decide(Group {
                sent: moment(&groups.sent_at, group.sent),
                last_reminder: group
                    .last_reminder
                    .map(|last| moment(&groups.last_reminder_at, last)),
                tasks,
            })?;
            if let Some(empty) = next.as_ref().filter(|n| n.tasks.is_empty()) {
                return Err(PluginError::Crashed(docket::plugin::types::Failure {
                    kind: "invalid answer".into(),
                    message: format!(
                        "the reminder on {} at {:02}:{:02} covers no task; a reminder covers at least one task (answer None for no reminder)",
                        crate::date::format(empty.at.day),
                        empty.at.minute / 60,
                        empty.at.minute % 60
                    ),
                    location: format!("{}:{}", called.file(), called.line()),
                }));
            }
            answers.push(|covered| {
                let next = next?;
                covered.extend(next.tasks);
                Some((next.at.day, next.at.minute))
            });
        }
        Ok(answers.into())
    }

    impl From<Moment> for crate::calendar::Moment {
        fn from(m: Moment) -> Self {
            crate::calendar::Moment {
                day: m.day,
                minute: m.minute,
            }
        }
    }

    /// The parameters as `(name, value)` pairs.
    pub fn param_pairs(params: &[Param]) -> impl Iterator<Item = (&str, &str)> {
        params.iter().map(|p| (p.name.as_str(), p.value.as_str()))
    }
}

/// Exports `$ty`, which implements
/// `reminder_policy::exports::docket::plugin::reminder::Guest`, as the plugin's reminder
/// policy, reporting a panic in it to Docket ([`panic`]).
#[cfg(feature = "reminder-policy")]
#[macro_export]
macro_rules! export_reminder_policy {
    ($ty:ty) => {
        const _: () = {
            use $crate::reminder_policy::docket::plugin::types::{Calendar, Param, PluginError};
            use $crate::reminder_policy::exports::docket::plugin::reminder::{
                BatchDecision, GroupColumns, Guest, TaskColumns,
            };

            struct DocketPluginCaught;

            impl Guest for DocketPluginCaught {
                fn next_reminders(
                    calendar: Calendar,
                    params: ::std::vec::Vec<Param>,
                    groups: GroupColumns,
                    tasks: TaskColumns,
                ) -> ::std::result::Result<BatchDecision, PluginError> {
                    $crate::panic::reported(|| {
                        <$ty as Guest>::next_reminders(calendar, params, groups, tasks)
                    })
                }
            }

            $crate::reminder_policy::export_reminder_policy_bindings!(
                DocketPluginCaught with_types_in $crate::reminder_policy
            );
        };
    };
}

/// Exports `$ty`, which implements `sending_rule::exports::docket::plugin::sending::Guest`, as
/// the plugin's sending rule, reporting a panic in it to Docket ([`panic`]).
#[cfg(feature = "sending-rule")]
#[macro_export]
macro_rules! export_sending_rule {
    ($ty:ty) => {
        const _: () = {
            use $crate::sending_rule::docket::plugin::types::{
                Calendar, LocalTime, Param, PluginError,
            };
            use $crate::sending_rule::exports::docket::plugin::sending::{Guest, SendRequest};

            struct DocketPluginCaught;

            impl Guest for DocketPluginCaught {
                fn send_at(
                    calendar: Calendar,
                    params: ::std::vec::Vec<Param>,
                    request: SendRequest,
                ) -> ::std::result::Result<::std::option::Option<LocalTime>, PluginError> {
                    $crate::panic::reported(|| <$ty as Guest>::send_at(calendar, params, request))
                }
            }

            $crate::sending_rule::export_sending_rule_bindings!(
                DocketPluginCaught with_types_in $crate::sending_rule
            );
        };
    };
}

/// Exports `$ty`, which implements `notification_hook::exports::docket::plugin::hook::Guest`,
/// as the plugin's notification hook, reporting a panic in it to Docket ([`panic`]).
#[cfg(feature = "notification-hook")]
#[macro_export]
macro_rules! export_notification_hook {
    ($ty:ty) => {
        const _: () = {
            use $crate::notification_hook::docket::plugin::types::{Param, PluginError};
            use $crate::notification_hook::exports::docket::plugin::hook::{Event, Guest};

            struct DocketPluginCaught;

            impl Guest for DocketPluginCaught {
                fn on_event(
                    params: ::std::vec::Vec<Param>,
                    event: Event,
                ) -> ::std::result::Result<(), PluginError> {
                    $crate::panic::reported(|| <$ty as Guest>::on_event(params, event))
                }
            }

            $crate::notification_hook::export_notification_hook_bindings!(
                DocketPluginCaught with_types_in $crate::notification_hook
            );
        };
    };
}

/// Bindings of the `sending-rule` world: implement `exports::docket::plugin::sending::Guest`.
#[cfg(feature = "sending-rule")]
pub mod sending_rule {
    wit_bindgen::generate!({
        world: "sending-rule",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_sending_rule_bindings",
        default_bindings_module: "docket_plugin_sdk::sending_rule",
        runtime_path: "docket_plugin_sdk::wit_bindgen::rt",
    });

    use docket::plugin::types::Param;

    /// The parameters as `(name, value)` pairs.
    pub fn param_pairs(params: &[Param]) -> impl Iterator<Item = (&str, &str)> {
        params.iter().map(|p| (p.name.as_str(), p.value.as_str()))
    }
}

/// Bindings of the `notification-hook` world: implement `exports::docket::plugin::hook::Guest`
/// and call the host through `docket::plugin::effects`.
#[cfg(feature = "notification-hook")]
pub mod notification_hook {
    wit_bindgen::generate!({
        world: "notification-hook",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_notification_hook_bindings",
        default_bindings_module: "docket_plugin_sdk::notification_hook",
        runtime_path: "docket_plugin_sdk::wit_bindgen::rt",
    });

    use docket::plugin::types::Param;

    /// The parameters as `(name, value)` pairs.
    pub fn param_pairs(params: &[Param]) -> impl Iterator<Item = (&str, &str)> {
        params.iter().map(|p| (p.name.as_str(), p.value.as_str()))
    }
}
