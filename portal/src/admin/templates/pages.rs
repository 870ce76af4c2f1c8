//! The template pages: a new template, and one template's page — its name and
//! description, groups (name, sending rule, reminder policy and their parameters), tasks
//! (title, description, due offset) and documents, each in a form that `edits.rs`
//! reads — with the preview of the emails work made from it would get for a sample start
//! date. A refused form re-shows the page (`show`) with the message next to the field and the
//! typed values kept.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Error;
use docket_engine::docket::{HoldReason, TemplatePreview, params_text};
use docket_engine::model::{GroupTemplate, NewTemplate, PluginRef, Template};
use docket_engine::plugin::World;
use serde::{Deserialize, Serialize};

use super::form::{
    EditForm, FieldError, Notice, PluginChoice, due_offset, far_due, notice, plugin_choices, task,
};
use crate::CallError::Engine;
use crate::admin::confirm::ask;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::sentence;
use crate::admin::{Layout, error_page, local_time, render};
use crate::{ApiError, AppState};

// --- a new template ----------------------------------------------------------------------------

#[derive(Serialize, Deserialize, Default)]
pub(in crate::admin) struct NewForm {
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
    /// `yes` when staff confirmed a due offset over a year.
    #[serde(default)]
    confirmed: String,
}

#[derive(Serialize)]
struct NewPage<'a> {
    values: &'a NewForm,
    error: Option<FieldError>,
}

/// `GET /admin/templates/new`.
pub(in crate::admin) async fn new_form(
    State(state): State<AppState>,
    session: StaffSession,
) -> Response {
    let values = NewForm::default();
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
pub(in crate::admin) async fn create(
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
    let fields = vec![
        ("name", form.name.clone()),
        ("description", form.description.clone()),
        ("group", form.group.clone()),
        ("title", form.title.clone()),
        ("due", form.due.clone()),
    ];
    let href = "/admin/templates/new";
    if let Some(page) = far_due(due, &form.confirmed, href, fields, href) {
        return ask(&state, &session, "templates", page);
    }
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
    match state.run(move |d| d.create_template(new)).await {
        Ok(t) => Redirect::to(&format!("/admin/templates/{}", t.id)).into_response(),
        // A name another template has is the name's conflict.
        Err(Engine(e @ (Error::Invalid { .. } | Error::Conflict(_)))) => {
            refuse(new_form_field(e.field()), sentence(&e.to_string()))
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}

/// The input of the new-template form the engine's `field` is: the template's name unless the
/// refusal is about its one group or task.
fn new_form_field(field: Option<&str>) -> &'static str {
    match field {
        Some("due_offset_days") => "due",
        Some("title") => "title",
        Some("group_name") => "group",
        _ => "name",
    }
}

// --- a template's page -------------------------------------------------------------------------

#[derive(Serialize)]
struct TemplatePage {
    id: String,
    href: String,
    /// The template's stored name, for the heading: a rename that is refused does not show.
    heading: String,
    /// The name in the details form (as typed, when the form is shown again).
    name: String,
    description: String,
    archived: bool,
    changed: String,
    groups: Vec<GroupView>,
    /// The sending rules and reminder policies this server has, suggested by the group forms'
    /// fields (which still take any name, for one installed later).
    sending_rules: Vec<PluginChoice>,
    reminder_policies: Vec<PluginChoice>,
    /// The values of the "add a group" form.
    new_group: NewGroupValues,
    error: Option<FieldError>,
    /// The sample start date of the preview, as typed.
    start: String,
    start_error: Option<String>,
    /// The day a previewed client is paused until, as typed.
    paused_until: String,
    paused_error: Option<String>,
    preview: Option<PreviewView>,
    preview_error: Option<String>,
    /// What the last edit did ("Saved.", "Moved." …), and where it is said (`form::notice`).
    notice: Option<&'static str>,
    notice_at: String,
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
    /// The values of its "add a link" form.
    new_link: LinkValues,
    index: usize,
    number: usize,
    title: String,
    description: String,
    due: String,
    first: bool,
    last: bool,
    documents: Vec<DocumentView>,
}

#[derive(Serialize, Default)]
struct LinkValues {
    name: String,
    url: String,
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
    /// "Reminders paused until …", when the preview is of a paused client.
    paused: Option<String>,
    groups: Vec<GroupPreviewView>,
}

#[derive(Serialize)]
struct GroupPreviewView {
    name: String,
    /// "Sent automatically on …", "If staff send it on …", or that it never goes out.
    sent: String,
    reminders: Vec<ReminderView>,
    capped: Vec<String>,
    /// Where and why the reminders end, as a sentence.
    ends: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct ReminderView {
    at: String,
    tasks: Vec<String>,
    held: Option<String>,
}

#[derive(Deserialize)]
pub(in crate::admin) struct PreviewQuery {
    start: Option<String>,
    /// Preview a client whose reminders are paused until this day.
    paused_until: Option<String>,
    /// What the last edit did, and the id of its form.
    notice: Option<String>,
    at: Option<String>,
}

/// `GET /admin/templates/{id}?start=YYYY-MM-DD`.
pub(in crate::admin) async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    AdminQuery(q): AdminQuery<PreviewQuery>,
) -> Response {
    let paused = q.paused_until.filter(|p| !p.trim().is_empty());
    let notice = notice(q.notice.as_deref(), q.at.as_deref());
    let view = (q.start, paused, notice);
    show_paused(&state, &session, &id, view, StatusCode::OK, None).await
}

/// The template's page, with `failed` — a form's error and typed values — over it when a post
/// was refused.
pub(in crate::admin) async fn show(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    start: Option<String>,
    status: StatusCode,
    failed: Option<(FieldError, &EditForm)>,
) -> Response {
    show_paused(state, session, id, (start, None, None), status, failed).await
}

/// [`show`] with the preview of a client paused until the day typed in `paused`.
async fn show_paused(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    (start, paused, notice): (Option<String>, Option<String>, Option<Notice>),
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
        match docket_engine::dates::date_or_why(&typed) {
            Ok(date) => match state.docket.check_start_date(date) {
                Ok(()) => (Some(date), None),
                Err(e) => (None, Some(sentence(&e.to_string()))),
            },
            Err(why) => (None, Some(format!("Sample start date: {why}."))),
        }
    };
    let (paused_day, paused_error) = match paused.as_deref().map(str::trim) {
        None => (None, None),
        Some(text) => match docket_engine::dates::date_or_why(text) {
            Ok(day) => match state.docket.check_paused_until(day) {
                Ok(()) => (Some(day), None),
                Err(e) => (None, Some(sentence(&e.to_string()))),
            },
            Err(why) => (None, Some(format!("Client away until: {why}."))),
        },
    };
    let id_owned = id.to_string();
    let paused_refused = paused_error.is_some();
    let found = state
        .call(move |d| {
            let template = d.find_template(&id_owned)?;
            let preview = sample
                .filter(|_| !paused_refused)
                .map(|s| d.preview_template_paused(&id_owned, s, paused_day));
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
    page.paused_until = paused.unwrap_or_default();
    page.paused_error = paused_error;
    page.preview = preview;
    page.preview_error = preview_error;
    if let Some((text, at)) = notice {
        page.notice = Some(text);
        page.notice_at = at;
    }
    if let Some((error, form)) = failed {
        keep_typed(&mut page, form);
        page.error = Some(FieldError {
            message: crate::admin::plain(&error.message),
            ..error
        });
    }
    let refused = start_error.is_some() || page.paused_error.is_some();
    let status = if refused && status == StatusCode::OK {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    render(status, "admin/template.html", layout(), &page)
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
                    new_link: LinkValues::default(),
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
                            size: doc
                                .file
                                .as_ref()
                                .map(|f| docket_engine::text::size(f.content.size)),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    TemplatePage {
        id: t.id.to_string(),
        href: format!("/admin/templates/{}", t.id),
        heading: t.name.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        archived: t.archived_at.is_some(),
        changed: local_time(state, t.updated_at.unwrap_or(t.created_at)),
        groups,
        sending_rules: plugin_choices(state, World::SendingRule),
        reminder_policies: plugin_choices(state, World::ReminderPolicy),
        new_group: NewGroupValues::default(),
        error: None,
        start: String::new(),
        start_error: None,
        paused_until: String::new(),
        paused_error: None,
        preview: None,
        preview_error: None,
        notice: None,
        notice_at: String::new(),
    }
}

/// The refused form's values, as typed, in place of the template's.
fn keep_typed(page: &mut TemplatePage, form: &EditForm) {
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
        "add_link" => {
            if let Some(task) = page
                .groups
                .get_mut(g)
                .and_then(|group| group.tasks.get_mut(t))
            {
                task.new_link = LinkValues {
                    name: form.name.clone(),
                    url: form.url.clone(),
                };
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
                                HoldReason::Paused => "reminders paused",
                            };
                            format!("Held from {}: {why}.", when(h.asked))
                        }),
                    })
                    .collect(),
                capped: g.capped.iter().map(title).collect(),
                // A failure says itself why the calendar stops, and the cap sentence above names
                // the tasks when the cap is what stops it.
                ends: g
                    .ends
                    .as_deref()
                    .filter(|_| g.error.is_none())
                    .filter(|_| {
                        g.capped.is_empty()
                            || !matches!(g.end, Some(docket_engine::plugin::PreviewEnd::AllCapped))
                    })
                    .map(sentence),
                error: g.error.clone(),
            }
        })
        .collect();
    PreviewView {
        start: p.start.format("%a %-d %b %Y").to_string(),
        timezone: p.tz.name().to_string(),
        paused: p
            .paused_until
            .map(|d| format!("Reminders paused until {}.", d.format("%a %-d %b %Y"))),
        groups,
    }
}
