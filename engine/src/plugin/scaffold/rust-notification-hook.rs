//! {{name}}: a Docket notification hook. As written it tells the work's staff in their inbox
//! when a client completes a task. It needs the `notify-staff` capability: declare it in
//! {{name}}.toml and have the firm grant it in docket.toml (`[plugins.grants]`); without it
//! the effect is denied and the hook does nothing.

use docket_plugin_sdk::notification_hook::docket::plugin::effects::{self, EffectError};
use docket_plugin_sdk::notification_hook::docket::plugin::types::{Param, PluginError};
use docket_plugin_sdk::notification_hook::exports::docket::plugin::hook::{Event, EventKind, Guest};

struct Hook;

impl Guest for Hook {
    fn on_event(params: Vec<Param>, event: Event) -> Result<(), PluginError> {
        if let Some(p) = params.first() {
            return Err(PluginError::BadParam(format!("unknown parameter `{}`: this hook takes none", p.name)));
        }
        if let EventKind::TaskCompleted(title) = &event.kind {
            let message = format!("{} completed “{title}” on {}", event.contact_email, event.work_title);
            match effects::notify_staff(&message) {
                Ok(()) | Err(EffectError::Denied(_)) => {}
                Err(EffectError::Failed(why)) => return Err(PluginError::BadInput(why)),
            }
        }
        Ok(())
    }
}

docket_plugin_sdk::export_notification_hook!(Hook);
