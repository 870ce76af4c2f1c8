//! What staff type into a template's forms, and how it is read: every form of a template's
//! page (`EditForm`), a message placed next to one field (`FieldError`), and the readers of typed
//! values (a task, a due offset, a plugin with its parameters), and the question asked before a
//! due offset over a year is saved (`far_due`), and the notice a page shows after an edit
//! (`notice`). `pages.rs` and `edits.rs` both use them; neither needs the other for them.

use std::collections::BTreeMap;

use docket_engine::model::{MAX_DUE_OFFSET_DAYS, ParamValue, PluginRef, TaskTemplate};
use serde::{Deserialize, Serialize};

use crate::admin::confirm::ConfirmPage;

/// Every form of a template's page: `action` says which, the other fields are its own.
#[derive(Deserialize, Default)]
pub(in crate::admin) struct EditForm {
    pub(in crate::admin) action: String,
    #[serde(default)]
    pub(in crate::admin) group: Option<usize>,
    #[serde(default)]
    pub(in crate::admin) task: Option<usize>,
    #[serde(default)]
    pub(in crate::admin) document: Option<usize>,
    #[serde(default)]
    pub(in crate::admin) name: String,
    #[serde(default)]
    pub(in crate::admin) description: String,
    #[serde(default)]
    pub(in crate::admin) title: String,
    #[serde(default)]
    pub(in crate::admin) due: String,
    #[serde(default)]
    pub(in crate::admin) sending: String,
    #[serde(default)]
    pub(in crate::admin) sending_params: String,
    #[serde(default)]
    pub(in crate::admin) reminders: String,
    #[serde(default)]
    pub(in crate::admin) reminders_params: String,
    #[serde(default)]
    pub(in crate::admin) url: String,
    /// `yes` when staff confirmed a due offset over a year.
    #[serde(default)]
    pub(in crate::admin) confirmed: String,
}

impl EditForm {
    /// The fields a due offset's form posted, to post again once confirmed.
    pub(in crate::admin) fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![("action", self.action.clone())];
        fields.extend(self.group.map(|g| ("group", g.to_string())));
        fields.extend(self.task.map(|t| ("task", t.to_string())));
        fields.extend([
            ("name", self.name.clone()),
            ("title", self.title.clone()),
            ("description", self.description.clone()),
            ("due", self.due.clone()),
        ]);
        fields
    }
}

/// A message for one field of one form of a page.
#[derive(Serialize, Clone, Debug)]
pub(in crate::admin) struct FieldError {
    pub(in crate::admin) form: String,
    pub(in crate::admin) field: &'static str,
    pub(in crate::admin) message: String,
}

pub(in crate::admin) fn task(title: &str, description: &str, due: i32) -> TaskTemplate {
    TaskTemplate {
        title: title.trim().to_string(),
        description: description.trim().to_string(),
        due_offset_days: due,
        documents: Vec::new(),
    }
}

/// A due offset as typed: a whole number of days.
pub(in crate::admin) fn due_offset(text: &str) -> Result<i32, String> {
    if text.trim().is_empty() {
        return Err(
            "Enter a number of days, e.g. 14 (or -3 for three days before the start).".into(),
        );
    }
    let text = text.trim();
    text.parse::<i32>().map_err(|_| {
        // A whole number too large to hold is past the engine's ten years anyway: say so, not
        // that it is no number.
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return format!(
                "{text} days is more than ten years from the start; a task may be due at most {MAX_DUE_OFFSET_DAYS} days before or after it."
            );
        }
        format!(
            "“{}” is not a number of days; write a whole number, e.g. 14 (or -3 for three days before the start).",
            text
        )
    })
}

/// The most days a due offset is from the start before the admin asks whether it is meant.
pub(in crate::admin) const YEAR_DAYS: i32 = 365;

/// The question asked before a task due `due` days from the start is saved, when that is over a
/// year either way (a slip for 14 or 40 is likelier than a task due next year): the same fields,
/// posted to `href` again with `confirmed=yes`. `None` when no question is needed. The API saves
/// such offsets without asking: a program's value is deliberate.
pub(in crate::admin) fn far_due(
    due: i32,
    confirmed: &str,
    href: &str,
    fields: Vec<(&'static str, String)>,
    back: &str,
) -> Option<ConfirmPage> {
    // Past ten years the engine refuses it, next to the field: nothing to ask.
    if due.abs() <= YEAR_DAYS || due.abs() > MAX_DUE_OFFSET_DAYS || confirmed == "yes" {
        return None;
    }
    let side = if due < 0 { "before" } else { "after" };
    Some(ConfirmPage {
        heading: "Due more than a year from the start?".into(),
        question: format!(
            "The task would be due {} days {side} the work's start, more than a year. Work made from this template would show that date to the client.",
            due.abs()
        ),
        action: href.to_string(),
        fields,
        confirm: format!("Save it, due {} days {side} the start", due.abs()),
        back: back.to_string(),
        back_text: "Go back without saving".into(),
    })
}

/// A plugin and its parameters as typed: `name=value; name=value`.
pub(in crate::admin) fn plugin(name: &str, params: &str) -> Result<PluginRef, String> {
    let mut map = BTreeMap::new();
    for pair in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "“{pair}” has no value; write parameters as name=value, separated by semicolons, e.g. before=7,3; every=2."
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("“{pair}” has no name; write name=value."));
        }
        map.insert(key.to_string(), ParamValue::from_typed(value));
    }
    Ok(PluginRef {
        plugin: name.trim().to_string(),
        params: map,
    })
}

/// A notice after an edit: its sentence, and where on the page it is said — `top`, `groups`,
/// `add-group`, or `group-N` for anything of group N (the group, its tasks, links, uploads).
pub(in crate::admin) type Notice = (&'static str, String);

/// The notice `?notice=WHAT&at=FORM` asks for (what `edits.rs` redirects with); `None` for a
/// word it does not know.
pub(in crate::admin) fn notice(what: Option<&str>, at: Option<&str>) -> Option<Notice> {
    let text = match what? {
        "saved" => "Saved.",
        "added" => "Added.",
        "moved" => "Moved.",
        "removed" => "Removed.",
        "uploaded" => "Uploaded.",
        "archived" => "Archived: no new work is made from it until it is restored.",
        "restored" => "Restored: new work can be made from it again.",
        "replaced" => {
            "Replaced by the imported file. Work made from it from now on follows the file; work already made keeps its own copy."
        }
        _ => return None,
    };
    let at = at.unwrap_or("");
    let group = ["group-", "task-", "add-task-", "add-link-", "upload-"]
        .iter()
        .find_map(|p| at.strip_prefix(p))
        .and_then(|rest| rest.split('-').next())
        .and_then(|n| n.parse::<usize>().ok());
    let place = match (group, at) {
        (Some(g), _) => format!("group-{g}"),
        (None, "groups" | "add-group") => at.to_string(),
        _ => "top".to_string(),
    };
    Some((text, place))
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;

/// A plugin a group's sending or reminder field suggests: its name and what it does.
#[derive(serde::Serialize)]
pub(in crate::admin) struct PluginChoice {
    name: String,
    description: String,
}

/// The plugins of `world` this server runs, as a group's field suggests them (the template's
/// groups, and a work item's).
pub(in crate::admin) fn plugin_choices(
    state: &crate::AppState,
    world: docket_engine::plugin::World,
) -> Vec<PluginChoice> {
    state
        .docket
        .installed_plugins()
        .into_iter()
        .filter(|p| p.world == world)
        .map(|p| PluginChoice {
            name: p.name,
            description: p.description,
        })
        .collect()
}
