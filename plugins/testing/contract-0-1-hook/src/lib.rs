//! A notification hook built against the old contract, `docket:plugin@0.1.0`
//! (`engine/wit/0.1.0/`), for the tests of the host's adapter: it imports `effects@0.1.0` and
//! tells the work's staff what happened (capability `notify-staff`). Never installed; the tests
//! copy it into place.

wit_bindgen::generate!({
    world: "notification-hook",
    path: "../../../engine/wit/0.1.0",
});

use docket::plugin::effects;
use docket::plugin::types::{Param, PluginError};
use exports::docket::plugin::hook::{Event, EventKind};

struct OldHook;

impl exports::docket::plugin::hook::Guest for OldHook {
    fn on_event(_params: Vec<Param>, event: Event) -> Result<(), PluginError> {
        let what = match event.kind {
            EventKind::TaskCompleted(title) => format!("task completed: {title}"),
            EventKind::AllTasksCompleted => "all tasks completed".into(),
            EventKind::UploadReceived(name) => format!("upload received: {name}"),
            EventKind::CommentAdded(text) => format!("comment added: {text}"),
            EventKind::ReminderLimitReached(title) => format!("reminder limit reached: {title}"),
            EventKind::SendFailed(reason) => format!("send failed: {reason}"),
        };
        effects::notify_staff(&format!("0.1.0 hook on {}: {what}", event.work_title))
            .map_err(|e| PluginError::BadInput(format!("{e:?}")))
    }
}

export!(OldHook);
