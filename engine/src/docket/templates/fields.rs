//! Which input of a template a refusal of its rules is about. The rules are the model's
//! (`NewTemplate::validate`, with their messages); this walks a template in the order they are
//! checked and names the input of the first one it breaks, so that a refusal carries its field
//! and a page can say it next to that input.

use crate::model::NewTemplate;

/// The input of `template` the first rule of `NewTemplate::validate` it breaks is about:
/// `name`, `groups`, `group_name`, `tasks`, `title`, `document_name`, `url`, `due_offset_days`,
/// `sending`, `reminders` or `document` (a file named in a new template); `None` when it keeps
/// them all.
pub(crate) fn refused_field(template: &NewTemplate) -> Option<&'static str> {
    let long = |text: &str| text.trim().chars().count() > crate::model::MAX_NAME_CHARS;
    if template.name.trim().is_empty() || long(&template.name) {
        return Some("name");
    }
    if template.groups.is_empty() {
        return Some("groups");
    }
    let mut names = std::collections::HashSet::new();
    for group in &template.groups {
        if group.name.trim().is_empty()
            || long(&group.name)
            || !names.insert(group.name.to_lowercase())
        {
            return Some("group_name");
        }
        if group.tasks.is_empty() {
            return Some("tasks");
        }
        for task in &group.tasks {
            if task.title.trim().is_empty() || long(&task.title) {
                return Some("title");
            }
            for doc in &task.documents {
                if doc.name.trim().is_empty() {
                    return Some("document_name");
                }
                if let Some(url) = &doc.url {
                    let web = crate::model::url_host(&url.trim().to_ascii_lowercase()).is_some();
                    if !web || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                        return Some("url");
                    }
                }
            }
            if task.due_offset_days.abs() > 3660 {
                return Some("due_offset_days");
            }
        }
        if group.sending.plugin.trim().is_empty() {
            return Some("sending");
        }
        if group.reminders.plugin.trim().is_empty() {
            return Some("reminders");
        }
    }
    let named_file = template
        .groups
        .iter()
        .flat_map(|g| &g.tasks)
        .any(|t| t.documents.iter().any(|d| d.file.is_some()));
    named_file.then_some("document")
}

/// `NewTemplate::validate` (or `validate_edit`, for an edit: `new` false), its refusal naming
/// the input it is about.
pub(crate) fn validated(template: &NewTemplate, new: bool) -> crate::Result<()> {
    let checked = if new {
        template.validate()
    } else {
        template.validate_edit()
    };
    checked.map_err(|e| match refused_field(template) {
        Some(field) => e.on_field(field),
        None => e,
    })
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
