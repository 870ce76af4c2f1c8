//! Docket's stock notification hooks as one WebAssembly component; the `action` parameter picks
//! what it does: `email-staff` (mail each staff member), `webhook` (POST the event as JSON to
//! `url`) or `set-status` (set the work's status to `status`). `on` lists the events that
//! trigger it (comma-separated event names; default: all).

use docket_plugin_sdk::notification_hook::docket::plugin::effects::{self, EffectError};
use docket_plugin_sdk::notification_hook::docket::plugin::types::{Param, PluginError};
use docket_plugin_sdk::notification_hook::exports::docket::plugin::hook::{
    Event, EventKind, Guest,
};
use docket_plugin_sdk::notification_hook::param_pairs;

struct StockHooks;

/// The event's name as written in the `on` parameter, and a one-line description for people.
fn describe(kind: &EventKind) -> (&'static str, String) {
    match kind {
        EventKind::TaskCompleted(title) => ("task-completed", format!("task completed: {title}")),
        EventKind::AllTasksCompleted => ("all-tasks-completed", "all tasks completed".into()),
        EventKind::UploadReceived(name) => ("upload-received", format!("file uploaded: {name}")),
        EventKind::CommentAdded(text) => ("comment-added", format!("new comment: {text}")),
        EventKind::ReminderLimitReached(title) => (
            "reminder-limit-reached",
            format!("reminder limit reached for task: {title}"),
        ),
        EventKind::SendFailed(reason) => ("send-failed", format!("email not delivered: {reason}")),
    }
}

fn effect(result: Result<(), EffectError>) -> Result<(), PluginError> {
    result.map_err(|e| match e {
        EffectError::Denied(why) => PluginError::BadInput(format!("denied: {why}")),
        EffectError::Failed(why) => PluginError::BadInput(format!("failed: {why}")),
    })
}

/// Escapes text for a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Guest for StockHooks {
    fn on_event(params: Vec<Param>, event: Event) -> Result<(), PluginError> {
        let (mut action, mut url, mut status, mut on) = ("", "", "", "");
        for (name, value) in param_pairs(&params) {
            match name {
                "action" => action = value,
                "url" => url = value,
                "status" => status = value,
                "on" => on = value,
                other => {
                    return Err(PluginError::BadParam(format!(
                        "unknown parameter `{other}`: use action, url, status or on"
                    )));
                }
            }
        }
        let (event_name, summary) = describe(&event.kind);
        if !on.is_empty() && !on.split(',').any(|name| name.trim() == event_name) {
            return Ok(());
        }
        match action {
            "email-staff" => {
                let subject = format!("{}: {summary}", event.work_title);
                let body = format!(
                    "{summary}\n\nWork: {}\nGroup: {}\nClient: {}\n",
                    event.work_title, event.group_name, event.contact_email
                );
                for to in &event.staff_emails {
                    effect(effects::send_email(to, &subject, &body))?;
                }
                Ok(())
            }
            "webhook" if url.is_empty() => Err(PluginError::BadParam(
                "webhook needs a url parameter, e.g. url=https://example.com/hook".into(),
            )),
            "webhook" => {
                let body = format!(
                    "{{\"event\":{},\"summary\":{},\"at\":{},\"work_id\":{},\"work_title\":{},\"group\":{},\"contact\":{}}}",
                    json_string(event_name),
                    json_string(&summary),
                    event.at,
                    json_string(&event.work_id),
                    json_string(&event.work_title),
                    json_string(&event.group_name),
                    json_string(&event.contact_email),
                );
                effect(effects::http_post(url, "application/json", &body))
            }
            "set-status" if status.is_empty() => Err(PluginError::BadParam(
                "set-status needs a status parameter: a work status (planned, waiting-on-client, in-progress, completed) or one of the firm's sub-statuses".into(),
            )),
            "set-status" => effect(effects::set_work_status(status)),
            "" => Err(PluginError::BadParam(
                "missing parameter action: use email-staff, webhook or set-status".into(),
            )),
            other => Err(PluginError::BadParam(format!(
                "unknown action `{other}`: use email-staff, webhook or set-status"
            ))),
        }
    }
}

docket_plugin_sdk::export_notification_hook!(StockHooks);
