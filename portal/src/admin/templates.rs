//! The template pages: the list, a new template, and one template's page with everything staff
//! edit on it — name and description, groups (name, sending rule, reminder policy and their
//! parameters), tasks (title, description, due offset), moving groups and tasks up and down,
//! removing them and their documents, archiving and restoring — and the preview of the emails
//! work made from it would get for a sample start date. Every form posts back and answers with
//! a redirect; bad input re-shows the page with the message next to the field, the typed
//! values kept and nothing changed.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use docket_engine::docket::{HoldReason, TemplateEdit, TemplatePreview};
use docket_engine::model::{GroupTemplate, NewTemplate, PluginRef, TaskTemplate, Template};
use serde::{Deserialize, Serialize};

use super::guard::{StaffForm, StaffSession};
use super::page_query::AdminQuery;
use super::{Layout, error_page, local_time, render};
use crate::{ApiError, AppState};

// --- the list ----------------------------------------------------------------------------------

#[derive(Serialize)]
struct ListPage {
    templates: Vec<ListRow>,
}

#[derive(Serialize)]
struct ListRow {
    href: String,
    name: String,
    groups: usize,
    tasks: usize,
    archived: bool,
    changed: String,
}

/// `GET /admin/templates`.
pub(super) async fn list(State(state): State<AppState>, session: StaffSession) -> Response {
    let layout = Layout::signed_in(&state, &session, "templates");
    let templates = match state.call(|d| d.list_templates()).await {
        Ok(t) => t,
        Err(e) => return error_page(e, layout),
    };
    let templates = templates
        .iter()
        .map(|t| ListRow {
            href: format!("/admin/templates/{}", t.id),
            name: t.name.clone(),
            groups: t.groups.len(),
            tasks: t.groups.iter().map(|g| g.tasks.len()).sum(),
            archived: t.archived_at.is_some(),
            changed: local_time(&state, t.updated_at.unwrap_or(t.created_at)),
        })
        .collect();
    render(
        StatusCode::OK,
        "admin/templates.html",
        layout,
        &ListPage { templates },
    )
}

// --- a new template ----------------------------------------------------------------------------

#[derive(Serialize, Deserialize, Default)]
pub(super) struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due: String,
}

#[derive(Serialize)]
struct NewPage<'a> {
    values: &'a NewForm,
    error: Option<FieldError>,
}

/// A message for one field of one form of a page.
#[derive(Serialize, Clone, Debug)]
struct FieldError {
    form: String,
    field: &'static str,
    message: String,
}

/// `GET /admin/templates/new`.
pub(super) async fn new_form(State(state): State<AppState>, session: StaffSession) -> Response {
    let values = NewForm {
        group: "Documents we need from you".into(),
        due: "14".into(),
        ..NewForm::default()
    };
    render(
        StatusCode::OK,
        "admin/template_new.html",
        Layout::signed_in(&state, &session, "templates"),
        &NewPage {
            values: &values,
            error: None,
        },
    )
}

/// `POST /admin/templates/new`: the template with its first group and task (manual sending,
/// gentle reminders), then its page to go on from.
pub(super) async fn create(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(form): StaffForm<NewForm>,
) -> Response {
    let refuse = |field: &'static str, message: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/template_new.html",
            Layout::signed_in(&state, &session, "templates"),
            &NewPage {
                values: &form,
                error: Some(FieldError {
                    form: "new".into(),
                    field,
                    message,
                }),
            },
        )
    };
    let due = match due_offset(&form.due) {
        Ok(due) => due,
        Err(message) => return refuse("due", message),
    };
    let new = NewTemplate {
        name: form.name.clone(),
        description: form.description.trim().to_string(),
        groups: vec![GroupTemplate {
            name: form.group.trim().to_string(),
            sending: PluginRef::manual(),
            reminders: PluginRef::gentle(),
            tasks: vec![task(&form.title, "", due)],
        }],
    };
    match state.call(move |d| d.create_template(new)).await {
        Ok(t) => Redirect::to(&format!("/admin/templates/{}", t.id)).into_response(),
        Err(e)
            if e.status() == StatusCode::UNPROCESSABLE_ENTITY
                || e.status() == StatusCode::CONFLICT =>
        {
            let message = sentence(e.message());
            let field = if message.contains("group") && message.contains("without a name") {
                "group"
            } else if message.contains("task") {
                if message.contains("due offset") {
                    "due"
                } else {
                    "title"
                }
            } else {
                "name"
            };
            refuse(field, message)
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}

// --- a template's page -------------------------------------------------------------------------

#[derive(Serialize)]
struct TemplatePage {
    id: String,
    href: String,
    name: String,
    description: String,
    archived: bool,
    changed: String,
    groups: Vec<GroupView>,
    /// The values of the "add a group" form.
    new_group: NewGroupValues,
    error: Option<FieldError>,
    /// The sample start date of the preview, as typed.
    start: String,
    start_error: Option<String>,
    preview: Option<PreviewView>,
    preview_error: Option<String>,
}

#[derive(Serialize, Default)]
struct NewGroupValues {
    name: String,
    title: String,
    due: String,
}

#[derive(Serialize)]
struct GroupView {
    index: usize,
    number: usize,
    name: String,
    sending: String,
    sending_params: String,
    reminders: String,
    reminders_params: String,
    first: bool,
    last: bool,
    tasks: Vec<TaskView>,
    new_task: TaskValues,
}

#[derive(Serialize, Default)]
struct TaskValues {
    title: String,
    description: String,
    due: String,
}

#[derive(Serialize)]
struct TaskView {
    index: usize,
    number: usize,
    title: String,
    description: String,
    due: String,
    first: bool,
    last: bool,
    documents: Vec<DocumentView>,
}

#[derive(Serialize)]
struct DocumentView {
    index: usize,
    name: String,
    url: Option<String>,
    size: Option<String>,
}

#[derive(Serialize)]
struct PreviewView {
    start: String,
    timezone: String,
    groups: Vec<GroupPreviewView>,
}

#[derive(Serialize)]
struct GroupPreviewView {
    name: String,
    /// "Sent automatically on …", "If staff send it on …", or that it never goes out.
    sent: String,
    reminders: Vec<ReminderView>,
    capped: Vec<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct ReminderView {
    at: String,
    tasks: Vec<String>,
    held: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct PreviewQuery {
    start: Option<String>,
}

/// `GET /admin/templates/{id}?start=YYYY-MM-DD`.
pub(super) async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    AdminQuery(q): AdminQuery<PreviewQuery>,
) -> Response {
    show(&state, &session, &id, q.start, StatusCode::OK, None).await
}

/// The template's page, with `failed` — a form's error and typed values — over it when a post
/// was refused.
async fn show(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    start: Option<String>,
    status: StatusCode,
    failed: Option<(FieldError, &EditForm)>,
) -> Response {
    let layout = || Layout::signed_in(state, session, "templates");
    let today = {
        let zone = state
            .docket
            .firm_settings()
            .map(|f| f.timezone)
            .unwrap_or(chrono_tz::UTC);
        state.docket.now().with_timezone(&zone).date_naive()
    };
    let typed = start.unwrap_or_default();
    let (sample, start_error) = if typed.trim().is_empty() {
        (Some(today), None)
    } else {
        match typed.trim().parse::<NaiveDate>() {
            Ok(date) => (Some(date), None),
            Err(_) => (
                None,
                Some(format!("“{typed}” is not a date; write YYYY-MM-DD.")),
            ),
        }
    };
    let id_owned = id.to_string();
    let found = state
        .call(move |d| {
            let template = d.find_template(&id_owned)?;
            let preview = sample.map(|s| d.preview_template(&id_owned, s));
            Ok((template, preview))
        })
        .await;
    let (template, preview) = match found {
        Ok(found) => found,
        Err(e) => return error_page(e, layout()),
    };
    let (preview, preview_error) = match preview {
        Some(Ok(p)) => (Some(preview_view(&template, &p)), None),
        Some(Err(e)) => (None, Some(sentence(ApiError::from(e).message()))),
        None => (None, None),
    };
    let mut page = template_page(state, &template);
    page.start = if typed.trim().is_empty() {
        today.to_string()
    } else {
        typed
    };
    page.start_error = start_error.clone();
    page.preview = preview;
    page.preview_error = preview_error;
    if let Some((error, form)) = failed {
        keep_typed(&mut page, &error, form);
        page.error = Some(error);
    }
    let status = if start_error.is_some() && status == StatusCode::OK {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    render(status, "admin/template.html", layout(), &page)
}

/// The template's page with `message` next to `field` of form `form` (a refused upload).
pub(super) async fn show_refused(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    status: StatusCode,
    (form, field): (String, &'static str),
    message: &str,
) -> Response {
    let error = FieldError {
        form,
        field,
        message: sentence(message),
    };
    let none = EditForm::default();
    show(state, session, id, None, status, Some((error, &none))).await
}

fn template_page(state: &AppState, t: &Template) -> TemplatePage {
    let groups = t
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupView {
            index: g,
            number: g + 1,
            name: group.name.clone(),
            sending: group.sending.plugin.clone(),
            sending_params: params_text(&group.sending),
            reminders: group.reminders.plugin.clone(),
            reminders_params: params_text(&group.reminders),
            first: g == 0,
            last: g + 1 == t.groups.len(),
            new_task: TaskValues::default(),
            tasks: group
                .tasks
                .iter()
                .enumerate()
                .map(|(n, task)| TaskView {
                    index: n,
                    number: n + 1,
                    title: task.title.clone(),
                    description: task.description.clone(),
                    due: task.due_offset_days.to_string(),
                    first: n == 0,
                    last: n + 1 == group.tasks.len(),
                    documents: task
                        .documents
                        .iter()
                        .enumerate()
                        .map(|(i, doc)| DocumentView {
                            index: i,
                            name: doc.name.clone(),
                            url: doc.url.clone(),
                            size: doc.file.as_ref().map(|f| size_text(f.content.size)),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    TemplatePage {
        id: t.id.to_string(),
        href: format!("/admin/templates/{}", t.id),
        name: t.name.clone(),
        description: t.description.clone(),
        archived: t.archived_at.is_some(),
        changed: local_time(state, t.updated_at.unwrap_or(t.created_at)),
        groups,
        new_group: NewGroupValues::default(),
        error: None,
        start: String::new(),
        start_error: None,
        preview: None,
        preview_error: None,
    }
}

/// The refused form's values, as typed, in place of the template's.
fn keep_typed(page: &mut TemplatePage, error: &FieldError, form: &EditForm) {
    let (g, t) = (form.group.unwrap_or(0), form.task.unwrap_or(0));
    match form.action.as_str() {
        "details" => {
            page.name = form.name.clone();
            page.description = form.description.clone();
        }
        "add_group" => {
            page.new_group = NewGroupValues {
                name: form.name.clone(),
                title: form.title.clone(),
                due: form.due.clone(),
            }
        }
        "group" => {
            if let Some(group) = page.groups.get_mut(g) {
                group.name = form.name.clone();
                group.sending = form.sending.clone();
                group.sending_params = form.sending_params.clone();
                group.reminders = form.reminders.clone();
                group.reminders_params = form.reminders_params.clone();
            }
        }
        "add_task" => {
            if let Some(group) = page.groups.get_mut(g) {
                group.new_task = TaskValues {
                    title: form.title.clone(),
                    description: form.description.clone(),
                    due: form.due.clone(),
                }
            }
        }
        "task" => {
            if let Some(task) = page
                .groups
                .get_mut(g)
                .and_then(|group| group.tasks.get_mut(t))
            {
                task.title = form.title.clone();
                task.description = form.description.clone();
                task.due = form.due.clone();
            }
        }
        _ => {}
    }
    let _ = error;
}

fn preview_view(t: &Template, p: &TemplatePreview) -> PreviewView {
    let when = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&p.tz)
            .format("%a %-d %b %Y, %H:%M")
            .to_string()
    };
    let groups = p
        .groups
        .iter()
        .zip(&t.groups)
        .map(|(g, group)| {
            let title = |i: &usize| {
                group
                    .tasks
                    .get(*i)
                    .map_or_else(|| format!("task {}", i + 1), |t| t.title.clone())
            };
            let sent = match (g.sent_at, g.automatic) {
                (Some(at), true) => format!("Sent automatically on {}.", when(at)),
                (Some(at), false) => format!(
                    "Sent when staff press Send; shown as if sent on {}.",
                    when(at)
                ),
                (None, _) => "Its sending rule never sends it by itself.".into(),
            };
            GroupPreviewView {
                name: g.name.clone(),
                sent,
                reminders: g
                    .reminders
                    .iter()
                    .map(|r| ReminderView {
                        at: when(r.at),
                        tasks: r.tasks.iter().map(title).collect(),
                        held: r.held.map(|h| {
                            let why = match h.reason {
                                HoldReason::Holiday => "a firm holiday",
                                HoldReason::OutsideSchedule => "outside the send schedule",
                            };
                            format!("Held from {}: {why}.", when(h.asked))
                        }),
                    })
                    .collect(),
                capped: g.capped.iter().map(title).collect(),
                error: g.error.clone(),
            }
        })
        .collect();
    PreviewView {
        start: p.start.format("%a %-d %b %Y").to_string(),
        timezone: p.tz.name().to_string(),
        groups,
    }
}

// --- the edits ---------------------------------------------------------------------------------

/// Every form of a template's page: `action` says which, the other fields are its own.
#[derive(Deserialize, Default)]
pub(super) struct EditForm {
    action: String,
    #[serde(default)]
    group: Option<usize>,
    #[serde(default)]
    task: Option<usize>,
    #[serde(default)]
    document: Option<usize>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    sending: String,
    #[serde(default)]
    sending_params: String,
    #[serde(default)]
    reminders: String,
    #[serde(default)]
    reminders_params: String,
}

/// What a post asks of the engine.
enum Change {
    Edit(TemplateEdit),
    RemoveDocument(usize, usize, usize),
    Archive,
    Restore,
}

/// `POST /admin/templates/{id}`: one edit, then the page again (or the page with the message
/// next to the field, nothing changed).
pub(super) async fn edit(
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
    let target = id.clone();
    let done = state
        .call(move |d| match change {
            Change::Edit(edit) => d.edit_template(&target, edit),
            Change::RemoveDocument(g, t, i) => d.remove_template_document(&target, (g, t), i),
            Change::Archive => d.archive_template(&target),
            Change::Restore => d.restore_template(&target),
        })
        .await;
    match done {
        Ok(t) => Redirect::to(&format!("/admin/templates/{}#{form_id}", t.id)).into_response(),
        Err(e)
            if e.status() == StatusCode::UNPROCESSABLE_ENTITY
                || e.status() == StatusCode::CONFLICT =>
        {
            let message = sentence(e.message());
            let field = field_of(&form.action, &message);
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

/// Which field of a form an engine refusal is about.
fn field_of(action: &str, message: &str) -> &'static str {
    match action {
        "group" if message.contains("sending rule") => "sending",
        "group" if message.contains("reminder policy") => "reminders",
        "add_group" | "add_task" | "task" if message.contains("due offset") => "due",
        "add_group" if message.contains("task") => "title",
        "add_task" | "task" => "title",
        "details" | "add_group" | "group" => "name",
        _ => "action",
    }
}

fn task(title: &str, description: &str, due: i32) -> TaskTemplate {
    TaskTemplate {
        title: title.trim().to_string(),
        description: description.trim().to_string(),
        due_offset_days: due,
        documents: Vec::new(),
    }
}

/// A due offset as typed: a whole number of days.
fn due_offset(text: &str) -> Result<i32, String> {
    text.trim().parse::<i32>().map_err(|_| {
        format!(
            "“{}” is not a number of days; write a whole number, e.g. 14 (or -3 for three days before the start).",
            text.trim()
        )
    })
}

/// A plugin and its parameters as typed: `name=value; name=value`.
fn plugin(name: &str, params: &str) -> Result<PluginRef, String> {
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
        map.insert(key.to_string(), value.trim().to_string());
    }
    Ok(PluginRef {
        plugin: name.trim().to_string(),
        params: map,
    })
}

/// The parameters as the form shows them.
fn params_text(plugin: &PluginRef) -> String {
    plugin
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1_048_576 => format!("{:.1} MB", b as f64 / 1_048_576.0),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// An engine message as a sentence: capitalised, with a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_read_as_typed() {
        let p = plugin(" custom ", "before=7,3; every = 2;").unwrap();
        assert_eq!(p.plugin, "custom");
        assert_eq!(p.params["before"], "7,3");
        assert_eq!(p.params["every"], "2");
        assert_eq!(params_text(&p), "before=7,3; every=2");
        assert!(
            plugin("custom", "every")
                .unwrap_err()
                .contains("name=value")
        );
        assert!(plugin("custom", "=2").unwrap_err().contains("has no name"));
        assert!(
            due_offset("two weeks")
                .unwrap_err()
                .contains("whole number")
        );
        assert_eq!(due_offset(" -3 ").unwrap(), -3);
    }
}
