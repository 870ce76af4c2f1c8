//! Docket's stock plugins: three components built from `plugins/` by `engine/build.rs`,
//! embedded in the binary, and the named presets they back.

use super::manifest::{Capability, World};

/// One embedded component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum StockComponent {
    Reminder,
    Sending,
    Hooks,
}

impl StockComponent {
    pub const ALL: [StockComponent; 3] = [
        StockComponent::Reminder,
        StockComponent::Sending,
        StockComponent::Hooks,
    ];

    pub fn bytes(self) -> &'static [u8] {
        match self {
            StockComponent::Reminder => include_bytes!(env!("DOCKET_STOCK_REMINDER_WASM")),
            StockComponent::Sending => include_bytes!(env!("DOCKET_STOCK_SENDING_WASM")),
            StockComponent::Hooks => include_bytes!(env!("DOCKET_STOCK_HOOKS_WASM")),
        }
    }

    /// A pseudo file name for messages and the cache.
    pub fn file_name(self) -> &'static str {
        match self {
            StockComponent::Reminder => "stock:reminder.wasm",
            StockComponent::Sending => "stock:sending.wasm",
            StockComponent::Hooks => "stock:hooks.wasm",
        }
    }

    pub fn world(self) -> World {
        match self {
            StockComponent::Reminder => World::ReminderPolicy,
            StockComponent::Sending => World::SendingRule,
            StockComponent::Hooks => World::NotificationHook,
        }
    }
}

/// A stock plugin: a name firms pick in templates, backed by a component, the parameters that
/// make the component this plugin (`internal`: never shown, as no template needs to set them)
/// and its default parameters (`params`, shown and overridden by templates).
pub(crate) struct StockPlugin {
    pub name: &'static str,
    pub component: StockComponent,
    pub description: &'static str,
    pub internal: &'static [(&'static str, &'static str)],
    pub params: &'static [(&'static str, &'static str)],
    /// Capabilities the plugin uses. Stock hooks get `email`, `set-status` and `notify-staff`
    /// without a grant (they act only on the event's own work and staff); `http:*` needs the
    /// firm to grant hosts in `[plugins.grants]`.
    pub capabilities: fn() -> Vec<Capability>,
}

pub(crate) const STOCK: &[StockPlugin] = &[
    StockPlugin {
        name: "gentle",
        component: StockComponent::Reminder,
        description: "7 days before due, on the due date, then daily when overdue; at most 5 per task",
        internal: &[("preset", "gentle")],
        params: &[],
        capabilities: Vec::new,
    },
    StockPlugin {
        name: "urgent",
        component: StockComponent::Reminder,
        description: "daily from the send date until done; at most 5 per task",
        internal: &[("preset", "urgent")],
        params: &[],
        capabilities: Vec::new,
    },
    StockPlugin {
        name: "custom",
        component: StockComponent::Reminder,
        description: "`before` days before due (e.g. 7,3,1), then every `every` days when overdue; at most 5 per task",
        internal: &[("preset", "custom")],
        params: &[("before", "7,3,1"), ("every", "2")],
        capabilities: Vec::new,
    },
    StockPlugin {
        name: "manual",
        component: StockComponent::Sending,
        description: "never send automatically: only when staff press Send",
        internal: &[("days", "manual")],
        params: &[],
        capabilities: Vec::new,
    },
    StockPlugin {
        name: "relative",
        component: StockComponent::Sending,
        description: "send `days` days from the work's start date (negative: before), or manual",
        internal: &[],
        params: &[("days", "manual")],
        capabilities: Vec::new,
    },
    StockPlugin {
        name: "email-staff",
        component: StockComponent::Hooks,
        description: "email the work's staff about the event",
        internal: &[("action", "email-staff")],
        params: &[],
        capabilities: || vec![Capability::Email],
    },
    StockPlugin {
        name: "webhook",
        component: StockComponent::Hooks,
        description: "POST the event as JSON to `url` (its host must be granted as http:HOST)",
        internal: &[("action", "webhook")],
        params: &[],
        capabilities: || vec![Capability::Http("*".into())],
    },
    StockPlugin {
        name: "set-status",
        component: StockComponent::Hooks,
        description: "set the work's status to `status` on the events listed in `on`",
        internal: &[("action", "set-status")],
        params: &[("status", "in-progress"), ("on", "reminder-limit-reached")],
        capabilities: || vec![Capability::SetStatus],
    },
];

/// Whether a stock plugin gets `cap` without a grant.
pub(crate) fn implicitly_granted(cap: &Capability) -> bool {
    matches!(
        cap,
        Capability::Email | Capability::SetStatus | Capability::NotifyStaff
    )
}
