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

    use docket::plugin::types::{Moment, Param};
    use exports::docket::plugin::reminder::{Task, TaskColumns};

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
