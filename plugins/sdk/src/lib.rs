//! The Docket plugin SDK: bindings of the `docket:plugin@0.1.0` worlds (one per cargo feature),
//! date helpers over the WIT `day` numbers, and the stock reminder calendars to build on.
//!
//! A reminder policy enables the `reminder-policy` feature, implements
//! [`reminder_policy::exports::docket::plugin::reminder::Guest`] and calls
//! `docket_plugin_sdk::export_reminder_policy!(MyPolicy);`. Build it with
//! `cargo build --release --target wasm32-wasip2`: the `.wasm` produced is already a component.

// The generated bindings name this crate by its external name, also from inside it.
extern crate self as docket_plugin_sdk;

pub mod date;

/// The stock reminder calendars (gentle, urgent, custom) and the five-reminder cap.
pub use docket_reminder_core as calendar;

/// The bindings runtime, re-exported so plugins need not depend on `wit-bindgen` themselves.
#[doc(hidden)]
pub use wit_bindgen;

#[cfg(feature = "notification-hook")]
pub use notification_hook::export_notification_hook;
#[cfg(feature = "reminder-policy")]
pub use reminder_policy::export_reminder_policy;
#[cfg(feature = "sending-rule")]
pub use sending_rule::export_sending_rule;

/// Bindings of the `reminder-policy` world: implement `exports::docket::plugin::reminder::Guest`.
#[cfg(feature = "reminder-policy")]
pub mod reminder_policy {
    wit_bindgen::generate!({
        world: "reminder-policy",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_reminder_policy",
        default_bindings_module: "docket_plugin_sdk::reminder_policy",
        runtime_path: "docket_plugin_sdk::wit_bindgen::rt",
    });

    use docket::plugin::types::{Moment, Param, PluginError};
    use exports::docket::plugin::reminder::{
        BatchDecision, Group, GroupColumns, Reminder, Task, TaskColumns,
    };

    impl From<&Task> for crate::calendar::Task {
        fn from(t: &Task) -> Self {
            crate::calendar::Task {
                due: t.due,
                done: t.done,
                reminders_sent: t.reminders_sent,
            }
        }
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

    /// Answers a batch group by group with `decide`, which gets each group as `next-reminder`
    /// would: for a policy that writes only the single call, as the contract lets the batch
    /// answer be derived from it. Stops at the first error. (A reminder covering no task, which
    /// the host refuses from `next-reminder`, is no reminder in a batch's columns.)
    pub fn each_group(
        groups: &GroupColumns,
        tasks: &TaskColumns,
        mut decide: impl FnMut(Group) -> Result<Option<Reminder>, PluginError>,
    ) -> Result<BatchDecision, PluginError> {
        let batch = batch(groups, tasks).map_err(PluginError::BadInput)?;
        let mut answers = crate::calendar::Answers::with_capacity(batch.len(), 0);
        for (g, group) in batch.groups().enumerate() {
            let moment = |at: &[i64], m: crate::calendar::Moment| Moment {
                at: at[g],
                day: m.day,
                minute: m.minute,
            };
            let tasks = (0..crate::calendar::Tasks::count(&group.tasks))
                .map(|i| {
                    let t = crate::calendar::Tasks::task(&group.tasks, i);
                    Task {
                        due: t.due,
                        done: t.done,
                        reminders_sent: t.reminders_sent,
                    }
                })
                .collect();
            let next = decide(Group {
                sent: moment(&groups.sent_at, group.sent),
                last_reminder: group
                    .last_reminder
                    .map(|last| moment(&groups.last_reminder_at, last)),
                tasks,
            })?;
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

/// Bindings of the `sending-rule` world: implement `exports::docket::plugin::sending::Guest`.
#[cfg(feature = "sending-rule")]
pub mod sending_rule {
    wit_bindgen::generate!({
        world: "sending-rule",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_sending_rule",
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
        export_macro_name: "export_notification_hook",
        default_bindings_module: "docket_plugin_sdk::notification_hook",
        runtime_path: "docket_plugin_sdk::wit_bindgen::rt",
    });

    use docket::plugin::types::Param;

    /// The parameters as `(name, value)` pairs.
    pub fn param_pairs(params: &[Param]) -> impl Iterator<Item = (&str, &str)> {
        params.iter().map(|p| (p.name.as_str(), p.value.as_str()))
    }
}
