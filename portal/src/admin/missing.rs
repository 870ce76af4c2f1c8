//! The admin's 404 page, naming what an address names and is not there ("No such group", "No
//! such template" …), and the readers of the engine's refusals that say so.

use axum::http::StatusCode;
use axum::response::Response;

use super::{Layout, Message};

/// The 404 page for a `noun` ("work item", "group", "template" …) that an address names and
/// that is not there: the page names what is missing.
pub(super) fn page(noun: &str, layout: Layout) -> Response {
    Message::new(
        format!("No such {noun}"),
        format!("No {noun} has this address: it may be mistyped, or it was removed."),
    )
    .back("/admin", "Back to the overview")
    .render(StatusCode::NOT_FOUND, layout)
}

/// A group or task an address names that its work item does not have: the engine refuses it as
/// bad input ("work item has no group 7", "… has no task 9 in group 0"); the admin's 404 names it.
pub(super) fn part(message: &str) -> Option<&'static str> {
    if message.contains("has no task ") {
        Some("task")
    } else if message.contains("has no group ") {
        Some("group")
    } else {
        None
    }
}

/// What the engine's "KIND `KEY` not found" is about, in staff's words.
pub(super) fn noun(message: &str) -> Option<&'static str> {
    let kind = message.strip_suffix(" not found")?.split(" `").next()?;
    Some(match kind {
        "work item" => "work item",
        "group" => "group",
        "task" => "task",
        "file" => "file",
        "document" => "document",
        "contact" => "contact",
        "template" => "template",
        "api token" => "API token",
        "staff user" | "user" => "member of staff",
        "notification" => "notification",
        "outbox message" => "email",
        "unmatched reply" => "reply",
        "plugin" => "plugin",
        _ => return None,
    })
}
