//! What staff type into a template's forms, and how it is read: every form of a template's
//! page (`EditForm`), a message placed next to one field (`FieldError`), and the readers of typed
//! values (a task, a due offset, a plugin with its parameters). `pages.rs` and `edits.rs` both
//! use them; neither needs the other for them.

use std::collections::BTreeMap;

use docket_engine::model::{ParamValue, PluginRef, TaskTemplate};
use serde::{Deserialize, Serialize};

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
    text.trim().parse::<i32>().map_err(|_| {
        format!(
            "“{}” is not a number of days; write a whole number, e.g. 14 (or -3 for three days before the start).",
            text.trim()
        )
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

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
