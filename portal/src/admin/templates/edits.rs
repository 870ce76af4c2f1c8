//! The edits of a template's page: every form on it posts one change (details, a group, a
//! task, moved, added or removed, a document linked, uploaded or removed, archive, restore),
//! read here into an engine call (a due offset over a year asked about first: `form::far_due`;
//! removing a group or task asked first: `ask_remove`); bad input re-shows the page
//! (`pages::show`) with the message next to the field, the typed values kept and nothing
//! changed. Done, the page opens again with a notice ("Saved.", "Moved.", "Removed." …) by
//! the form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Error;
use docket_engine::docket::TemplateEdit;

use super::form::{EditForm, FieldError, due_offset, far_due, plugin, task};
use super::pages::show;
use crate::AppState;
use crate::CallError::Engine;
use crate::admin::confirm::{ConfirmPage, ask};
use crate::admin::guard::{StaffForm, StaffSession, StaffUpload};
use crate::admin::sentence;
use crate::admin::{Layout, error_page};

/// What a post asks of the engine.
enum Change {
    Edit(TemplateEdit),
    RemoveDocument(usize, usize, usize),
    Archive,
    Restore,
}

/// `POST /admin/templates/{id}`: one edit, then the page again (or the page with the message
/// next to the field, nothing changed).
pub(in crate::admin) async fn edit(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<EditForm>,
) -> Response {
    let (form_id, change) = match change(&form) {
        Ok(found) => found,
        Err(error) => {
            return show(
                &state,
                &session,
                &id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((error, &form)),
            )
            .await;
        }
    };
    if let Ok(due) = due_offset(&form.due)
        && matches!(form.action.as_str(), "add_group" | "add_task" | "task")
    {
        let href = format!("/admin/templates/{id}");
        let back = format!("{href}#{form_id}");
        if let Some(page) = far_due(due, &form.confirmed, &href, form.fields(), &back) {
            return ask(&state, &session, "templates", page);
        }
    }
    if matches!(form.action.as_str(), "remove_group" | "remove_task")
        && form.confirmed != "yes"
        && let Some(asked) = ask_remove(&state, &session, &id, &form).await
    {
        return asked;
    }
    let notice = notice_of(&form.action);
    let target = id.clone();
    let done = state
        .run(move |d| match change {
            Change::Edit(edit) => d.edit_template(&target, edit),
            Change::RemoveDocument(g, t, i) => d.remove_template_document(&target, (g, t), i),
            Change::Archive => d.archive_template(&target),
            Change::Restore => d.restore_template(&target),
        })
        .await;
    match done {
        Ok(t) => Redirect::to(&format!(
            "/admin/templates/{}?notice={notice}&at={form_id}#{form_id}",
            t.id
        ))
        .into_response(),
        // A name another template has is the name's conflict.
        Err(Engine(e @ (Error::Invalid { .. } | Error::Conflict(_)))) => {
            let message = sentence(&e.to_string());
            let field = field_of(&form.action, e.field());
            // A group or task that is not there (a page older than an edit, or a made-up
            // post) has no form on the page to show the message by: it is said at the top.
            let (g, t) = (form.group.unwrap_or(0) + 1, form.task.unwrap_or(0) + 1);
            let missing = match e.field() {
                Some("group") => Some(format!("This template has no group {g}")),
                Some("task") => Some(format!("Group {g} of this template has no task {t}")),
                _ => None,
            };
            let (form_id, field, message) = if let Some(missing) = missing {
                (
                    "groups".to_string(),
                    "action",
                    format!(
                        "{missing}: the page may be older than an edit. Nothing was changed; look again at the template below."
                    ),
                )
            } else {
                (form_id, field, message)
            };
            let error = FieldError {
                form: form_id,
                field,
                message,
            };
            show(
                &state,
                &session,
                &id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((error, &form)),
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}

/// `POST /admin/templates/{id}/documents`: a file (a form, an engagement letter) for task
/// `task` of group `group`; work made from the template from now on carries it.
pub(in crate::admin) async fn upload(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    upload: StaffUpload,
) -> Response {
    let number = |key: &str| {
        upload
            .fields
            .get(key)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0)
    };
    let (g, t) = (number("group"), number("task"));
    let form_id = format!("upload-{g}-{t}");
    let form = EditForm {
        action: "upload".into(),
        group: Some(g),
        task: Some(t),
        ..EditForm::default()
    };
    let refuse = |message: String| {
        let error = FieldError {
            form: form_id.clone(),
            field: "file",
            message,
        };
        (error, &form)
    };
    let Some((name, content_type, stored)) = upload.file else {
        let failed = refuse("Choose a file to upload; an empty file is not a document.".into());
        return show(
            &state,
            &session,
            &id,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(failed),
        )
        .await;
    };
    let target = id.clone();
    let done = state
        .run(move |d| {
            d.attach_template_document(&target, (g, t), &name, content_type.to_string(), stored)
        })
        .await;
    match done {
        Ok(t) => Redirect::to(&format!(
            "/admin/templates/{}?notice=uploaded&at={form_id}#{form_id}",
            t.id
        ))
        .into_response(),
        // A group or task that is not there (a page older than an edit) has no form to show
        // the message by: it is said at the top of the page.
        Err(Engine(e)) if e.is_invalid() => {
            let error = FieldError {
                form: "groups".into(),
                field: "action",
                message: sentence(&e.to_string()),
            };
            let failed = (error, &form);
            show(
                &state,
                &session,
                &id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(failed),
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}

/// The notice the page shows after `action` was done (`pages::notice_text` says it).
fn notice_of(action: &str) -> &'static str {
    match action {
        "add_group" | "add_task" | "add_link" => "added",
        "group_up" | "group_down" | "task_up" | "task_down" => "moved",
        "remove_group" | "remove_task" | "remove_document" => "removed",
        "archive" => "archived",
        "restore" => "restored",
        _ => "saved",
    }
}

/// The question before a group or task is removed: what it holds, and that work already made
/// keeps its copy. A group or task that is not there is said at the top of the page. `None`
/// when the engine refuses the removal anyway (the last group, a group's last task): nothing
/// to ask, the refusal is said by the form.
async fn ask_remove(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    form: &EditForm,
) -> Option<Response> {
    let target = id.to_string();
    let template = match state.run(move |d| d.find_template(&target)).await {
        Ok(t) => t,
        Err(e) => {
            return Some(error_page(
                e,
                Layout::signed_in(state, session, "templates"),
            ));
        }
    };
    let (g, t) = (form.group.unwrap_or(0), form.task.unwrap_or(0));
    let href = format!("/admin/templates/{}", template.id);
    let group = template.groups.get(g);
    let last = match (form.action.as_str(), group) {
        ("remove_group", Some(_)) => template.groups.len() == 1,
        ("remove_task", Some(group)) => group.tasks.len() == 1 && t == 0,
        _ => false,
    };
    if last {
        return None;
    }
    let (heading, question, confirm, back) = match (form.action.as_str(), group) {
        ("remove_group", Some(group)) => {
            let tasks = match group.tasks.len() {
                1 => "its 1 task".to_string(),
                n => format!("its {n} tasks"),
            };
            (
                format!("Remove the group “{}”?", group.name),
                format!(
                    "The group and {tasks} leave “{}”. Work made from it from now on does not have them; work already made keeps its own copy.",
                    template.name
                ),
                format!("Remove the group “{}”", group.name),
                format!("{href}#group-{g}"),
            )
        }
        ("remove_task", Some(group)) if t < group.tasks.len() => {
            let task = &group.tasks[t];
            (
                format!("Remove the task “{}”?", task.title),
                format!(
                    "The task leaves the group “{}” of “{}”, with its documents. Work made from it from now on does not have it; work already made keeps its own copy.",
                    group.name, template.name
                ),
                format!("Remove the task “{}”", task.title),
                format!("{href}#task-{g}-{t}"),
            )
        }
        _ => {
            let what = if form.action == "remove_group" {
                format!("This template has no group {}", g + 1)
            } else {
                format!("Group {} of this template has no task {}", g + 1, t + 1)
            };
            let error = FieldError {
                form: "groups".into(),
                field: "action",
                message: format!(
                    "{what}: the page may be older than an edit. Nothing was changed; look again at the template below."
                ),
            };
            return Some(
                show(
                    state,
                    session,
                    id,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((error, form)),
                )
                .await,
            );
        }
    };
    let page = ConfirmPage {
        heading,
        question,
        action: href,
        fields: form.fields(),
        confirm,
        back,
        back_text: "Go back without removing it".into(),
    };
    Some(ask(state, session, "templates", page))
}

/// The form's id on the page and the change it asks for; a field that cannot be read is an
/// error on that field.
fn change(form: &EditForm) -> Result<(String, Change), FieldError> {
    let g = form.group.unwrap_or(0);
    let t = form.task.unwrap_or(0);
    let group_form = format!("group-{g}");
    let task_form = format!("task-{g}-{t}");
    let error = |form: &str, field: &'static str, message: String| FieldError {
        form: form.to_string(),
        field,
        message,
    };
    let change = match form.action.as_str() {
        "details" => (
            "details".to_string(),
            Change::Edit(TemplateEdit::Details {
                name: form.name.clone(),
                description: form.description.trim().to_string(),
            }),
        ),
        "add_group" => {
            let due = due_offset(&form.due).map_err(|m| error("add-group", "due", m))?;
            (
                "add-group".to_string(),
                Change::Edit(TemplateEdit::AddGroup {
                    name: form.name.trim().to_string(),
                    task: task(&form.title, "", due),
                }),
            )
        }
        "group" => {
            let sending = plugin(&form.sending, &form.sending_params)
                .map_err(|m| error(&group_form, "sending_params", m))?;
            let reminders = plugin(&form.reminders, &form.reminders_params)
                .map_err(|m| error(&group_form, "reminders_params", m))?;
            (
                group_form,
                Change::Edit(TemplateEdit::Group {
                    group: g,
                    name: form.name.trim().to_string(),
                    sending,
                    reminders,
                }),
            )
        }
        "remove_group" => (
            "groups".to_string(),
            Change::Edit(TemplateEdit::RemoveGroup { group: g }),
        ),
        "group_up" | "group_down" => (
            "groups".to_string(),
            Change::Edit(TemplateEdit::MoveGroup {
                group: g,
                up: form.action == "group_up",
            }),
        ),
        "add_task" => {
            let form_id = format!("add-task-{g}");
            let due = due_offset(&form.due).map_err(|m| error(&form_id, "due", m))?;
            (
                form_id,
                Change::Edit(TemplateEdit::AddTask {
                    group: g,
                    task: task(&form.title, &form.description, due),
                }),
            )
        }
        "task" => {
            let due = due_offset(&form.due).map_err(|m| error(&task_form, "due", m))?;
            (
                task_form,
                Change::Edit(TemplateEdit::Task {
                    group: g,
                    task: t,
                    title: form.title.trim().to_string(),
                    description: form.description.trim().to_string(),
                    due_offset_days: due,
                }),
            )
        }
        "remove_task" => (
            group_form,
            Change::Edit(TemplateEdit::RemoveTask { group: g, task: t }),
        ),
        "task_up" | "task_down" => (
            group_form,
            Change::Edit(TemplateEdit::MoveTask {
                group: g,
                task: t,
                up: form.action == "task_up",
            }),
        ),
        "add_link" => (
            format!("add-link-{g}-{t}"),
            Change::Edit(TemplateEdit::AddLink {
                group: g,
                task: t,
                name: form.name.clone(),
                url: form.url.clone(),
            }),
        ),
        "remove_document" => (
            task_form,
            Change::RemoveDocument(g, t, form.document.unwrap_or(0)),
        ),
        "archive" => ("state".to_string(), Change::Archive),
        "restore" => ("state".to_string(), Change::Restore),
        other => {
            return Err(error(
                "state",
                "action",
                format!("“{other}” is not something this page does."),
            ));
        }
    };
    Ok(change)
}

/// The input of form `action` the engine's `field` is: where a refusal of it is said.
fn field_of(action: &str, field: Option<&str>) -> &'static str {
    match (action, field) {
        ("group", Some("sending")) => "sending",
        ("group", Some("reminders")) => "reminders",
        ("add_group" | "add_task" | "task", Some("due_offset_days")) => "due",
        ("add_group", Some("title")) => "title",
        ("add_task" | "task", _) => "title",
        ("add_link", Some("document_name")) => "name",
        ("add_link", _) => "url",
        ("details" | "add_group" | "group", _) => "name",
        _ => "action",
    }
}
