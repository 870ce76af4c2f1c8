//! What staff do from a work item's page, each a form posting to its own address and answering
//! with the page again (post/redirect/get): edit the details, mark a task done or reopen it, reply
//! about a task, send a group (after a step that shows the name the client will see and lets
//! staff change it) or send it again; and, read only, download a file and view a group's
//! checklist as its client sees it. Completing the work and removing a file, which end or lose
//! something, are asked first (`confirm.rs`).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Error;
use docket_engine::docket::{
    CommentReach, GroupSettings, TaskChange, WorkDetails, plugin_from_text,
};
use docket_engine::model::{Actor, WorkId};
use serde::{Deserialize, Serialize};

use super::bulk::one_time_id;
use super::item::{PageErrors, show_work};
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::sentence;
use crate::admin::{Layout, Message, error_page, render};
use crate::{ApiError, AppState, CallError};

pub(super) fn actor(session: &StaffSession) -> Actor {
    Actor::Staff(session.member.staff.id)
}

pub(super) fn back(id: WorkId, notice: &str) -> Response {
    Redirect::to(&format!("/admin/work/{id}?notice={notice}")).into_response()
}

pub(super) fn bad_address(state: &AppState, session: &StaffSession) -> Response {
    Message::new(
        "No such work item",
        "No work item has this address; it may be mistyped.",
    )
    .back("/admin", "Back to the overview")
    .render(
        StatusCode::NOT_FOUND,
        Layout::signed_in(state, session, "work"),
    )
}

/// The work and group (and task) an address names, when they are well formed.
pub(super) fn parse(id: &str, rest: &[&str]) -> Option<(WorkId, Vec<usize>)> {
    let id = id.parse().ok()?;
    let numbers = rest
        .iter()
        .map(|n| n.parse().ok())
        .collect::<Option<Vec<usize>>>()?;
    Some((id, numbers))
}

/// A form's change answered: back to the work's page, the page again with the message next to
/// form `form_id` when the input was refused, or what failed.
pub(super) async fn saved<T>(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    work: WorkId,
    form_id: String,
    answer: Result<T, CallError>,
) -> Response {
    match answer {
        Ok(_) => back(work, "saved"),
        Err(Engine(e)) if e.is_invalid() => refused(state, session, id, form_id, &e).await,
        Err(e) => failed(state, session, work, e),
    }
}

/// An action's failure: the work's page for what staff can act on, the log for the rest.
pub(super) fn failed(
    state: &AppState,
    session: &StaffSession,
    id: WorkId,
    e: impl Into<ApiError>,
) -> Response {
    let e = e.into();
    if e.status().is_server_error() {
        return error_page(e, Layout::signed_in(state, session, "work"));
    }
    // A group, task or file the address names that is not there: the 404 names it.
    let noun = match e.status() {
        StatusCode::NOT_FOUND => crate::admin::missing::noun(e.message()),
        StatusCode::UNPROCESSABLE_ENTITY => crate::admin::missing::part(e.message()),
        _ => None,
    };
    if let Some(noun) = noun {
        return crate::admin::missing::page(noun, Layout::signed_in(state, session, "work"));
    }
    Message::new("That could not be done", e.message())
        .back(format!("/admin/work/{id}"), "Back to the work")
        .render(e.status(), Layout::signed_in(state, session, "work"))
}

#[derive(Deserialize)]
pub(in crate::admin) struct DetailsForm {
    #[serde(default)]
    external_name: String,
    #[serde(default)]
    assignee: String,
}

/// `POST /admin/work/ID/details`: the name the client sees and the assignee.
pub(in crate::admin) async fn details(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<DetailsForm>,
) -> Response {
    let Some((work, _)) = parse(&id, &[]) else {
        return bad_address(&state, &session);
    };
    let typed = form.external_name.clone();
    let change = WorkDetails {
        external_name: Some(form.external_name),
        assignee: Some(form.assignee),
    };
    let by = actor(&session);
    match state
        .run(move |d| d.update_work_details(work, change, by))
        .await
    {
        Ok(_) => back(work, "saved"),
        // An assignee named by an id no member has is not found, and is the assignee's too.
        Err(Engine(e)) if e.is_invalid() || matches!(e, Error::NotFound { .. }) => {
            let message = sentence(&e.to_string());
            let errors = if e.field() == Some("external_name") {
                PageErrors {
                    external_name: Some(message),
                    ..PageErrors::default()
                }
            } else {
                PageErrors {
                    assignee: Some(message),
                    ..PageErrors::default()
                }
            };
            show_work(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
                Some(typed),
            )
            .await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}

/// `POST /admin/work/ID/groups/G/tasks/T/done` and `/reopen`.
pub(in crate::admin) async fn task(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, task, action)): Path<(String, String, String, String)>,
    StaffForm(_): StaffForm<serde::de::IgnoredAny>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group, &task]) else {
        return bad_address(&state, &session);
    };
    let done = match action.as_str() {
        "done" => true,
        "reopen" => false,
        _ => return bad_address(&state, &session),
    };
    let by = actor(&session);
    match state
        .call(move |d| d.set_task_done(work, n[0], n[1], done, by))
        .await
    {
        Ok(_) => back(work, if done { "done" } else { "reopened-task" }),
        Err(e) => failed(&state, &session, work, e),
    }
}

#[derive(Deserialize)]
pub(in crate::admin) struct CommentForm {
    #[serde(default)]
    body: String,
}

/// `POST /admin/work/ID/groups/G/tasks/T/comment`: a staff reply about a task, which the
/// group's client reads on the checklist and gets by email.
pub(in crate::admin) async fn comment(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, task)): Path<(String, String, String)>,
    StaffForm(form): StaffForm<CommentForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group, &task]) else {
        return bad_address(&state, &session);
    };
    let by = actor(&session);
    let (g, t) = (n[0], n[1]);
    match state
        .run(move |d| d.post_comment(work, Some((g, Some(t))), &form.body, by))
        .await
    {
        Ok(posted) => back(
            work,
            match posted.reaches_client {
                CommentReach::Email { .. } => "commented",
                CommentReach::ChecklistOnceSent => "commented-unsent",
                CommentReach::NotEmailedCompleted => "commented-completed",
                CommentReach::StaffOnly | CommentReach::FromClient => "commented-staff",
            },
        ),
        Err(Engine(e))
            if e.is_invalid() && crate::admin::missing::part(&e.to_string()).is_none() =>
        {
            let errors = PageErrors {
                comment: Some((format!("comment-{g}-{t}"), sentence(&e.to_string()))),
                ..PageErrors::default()
            };
            show_work(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
                None,
            )
            .await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}

#[derive(Serialize)]
struct SendPage {
    id: String,
    title: String,
    group: usize,
    group_name: String,
    recipient: String,
    resend: bool,
    external_name: String,
    error: Option<String>,
    /// The form's one-time id: a second sending of the same form sends nothing more.
    once: String,
}

/// `GET /admin/work/ID/groups/G/send` (and `/resend`): the confirm step, showing the name the
/// client will see, which staff may change first.
pub(in crate::admin) async fn send_form(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, action)): Path<(String, String, String)>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group]) else {
        return bad_address(&state, &session);
    };
    let resend = match action.as_str() {
        "send" => false,
        "resend" => true,
        _ => return bad_address(&state, &session),
    };
    send_page(
        &state,
        &session,
        work,
        n[0],
        resend,
        None,
        StatusCode::OK,
        None,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn send_page(
    state: &AppState,
    session: &StaffSession,
    work: WorkId,
    group: usize,
    resend: bool,
    typed: Option<String>,
    status: StatusCode,
    error: Option<String>,
    once: Option<String>,
) -> Response {
    let summary = match state.run(move |d| d.work_summary(work)).await {
        Ok(summary) => summary,
        Err(Engine(Error::NotFound { .. })) => return bad_address(state, session),
        Err(e) => return error_page(e, Layout::signed_in(state, session, "work")),
    };
    let (Some(g), Some(people)) = (summary.work.groups.get(group), summary.groups.get(group))
    else {
        return crate::admin::missing::page("group", Layout::signed_in(state, session, "work"));
    };
    let page = SendPage {
        id: work.to_string(),
        title: summary.work.title.clone(),
        group,
        group_name: g.name.clone(),
        recipient: format!("{} <{}>", people.recipient_name, people.recipient_email),
        resend,
        external_name: typed.unwrap_or_else(|| summary.work.external_name.clone()),
        error,
        // A refused form keeps its id (nothing was sent); a fresh one gets its own.
        once: once.unwrap_or_else(|| state.docket.new_bulk_form_id()),
    };
    render(
        status,
        "admin/work_send.html",
        Layout::signed_in(state, session, "work"),
        &page,
    )
}

#[derive(Deserialize)]
pub(in crate::admin) struct SendForm {
    #[serde(default)]
    external_name: String,
    #[serde(default)]
    once: String,
}

/// `POST /admin/work/ID/groups/G/send` (and `/resend`): sends under the confirmed name.
pub(in crate::admin) async fn send(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, action)): Path<(String, String, String)>,
    StaffForm(form): StaffForm<SendForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group]) else {
        return bad_address(&state, &session);
    };
    let resend = match action.as_str() {
        "send" => false,
        "resend" => true,
        _ => return bad_address(&state, &session),
    };
    let by = actor(&session);
    let name = form.external_name.clone();
    let g = n[0];
    let once = one_time_id(&form.once);
    let claimed = once.clone();
    let sent = state
        .run(move |d| {
            // A double click or a reload of the same form sends nothing more.
            if let Some(form) = &claimed
                && d.claim_form_once(form)?.is_some()
            {
                return Ok(false);
            }
            let result = d.send_group_named(work, g, Some(name), resend, by);
            if let (Err(_), Some(form)) = (&result, &claimed) {
                d.release_form_once(form)?;
            }
            result.map(|_| true)
        })
        .await;
    match sent {
        Ok(_) => back(work, if resend { "resent" } else { "sent" }),
        Err(Engine(e)) if e.is_invalid() => {
            send_page(
                &state,
                &session,
                work,
                n[0],
                resend,
                Some(form.external_name),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(sentence(&e.to_string())),
                once,
            )
            .await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}

/// `GET /admin/work/ID/files/FILE`: a file of the work, as an attachment.
pub(in crate::admin) async fn download(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let Some((work, _)) = parse(&id, &[]) else {
        return bad_address(&state, &session);
    };
    match state.call(move |d| d.download(work, &file)).await {
        Ok((file, reader)) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    crate::attachment(&docket_engine::filetype::download_name(&file)),
                ),
                (header::CONTENT_LENGTH, file.content.size.to_string()),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox".to_string(),
                ),
            ],
            crate::stream::reader_to_body(reader),
        )
            .into_response(),
        Err(e) => failed(&state, &session, work, e),
    }
}

/// `GET /admin/work/ID/groups/G/as-client`: the group's checklist as its client sees it, locked
/// (nothing can be ticked, uploaded or written), binding nothing, recorded on the timeline.
pub(in crate::admin) async fn as_client(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group)): Path<(String, String)>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group]) else {
        return bad_address(&state, &session);
    };
    let by = actor(&session);
    match state.run(move |d| d.view_as_client(work, n[0], by)).await {
        Ok(list) => crate::client::preview_page(
            list,
            state.docket.max_upload(),
            &format!("/admin/work/{work}"),
        ),
        Err(e) => failed(&state, &session, work, e),
    }
}

/// The work's page again (422) with the refusal `e` next to the form `form_id`.
pub(super) async fn refused(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    form_id: String,
    e: &Error,
) -> Response {
    if let Some(noun) = crate::admin::missing::part(&e.to_string()) {
        return crate::admin::missing::page(noun, Layout::signed_in(state, session, "work"));
    }
    let errors = PageErrors {
        field: Some((form_id, sentence(&e.to_string()))),
        ..PageErrors::default()
    };
    show_work(
        state,
        session,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        errors,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub(in crate::admin) struct SettingsForm {
    #[serde(default)]
    sending: String,
    #[serde(default)]
    sending_params: String,
    #[serde(default)]
    reminders: String,
    #[serde(default)]
    reminders_params: String,
    #[serde(default)]
    sender: String,
}

/// `POST /admin/work/ID/groups/G/settings`: the group's sending rule, reminder policy (with
/// their parameters) and sender, on this work only.
pub(in crate::admin) async fn settings(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group)): Path<(String, String)>,
    StaffForm(form): StaffForm<SettingsForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group]) else {
        return bad_address(&state, &session);
    };
    let g = n[0];
    let by = actor(&session);
    let answer = state
        .run(move |d| {
            let sending = plugin_from_text("sending rule", &form.sending, &form.sending_params)?;
            let reminders =
                plugin_from_text("reminder policy", &form.reminders, &form.reminders_params)?;
            d.update_group_settings(
                work,
                g,
                GroupSettings {
                    sending: Some(sending),
                    reminders: Some(reminders),
                    sender: Some(form.sender),
                },
                by,
            )
        })
        .await;
    let form_id = format!("settings-{g}");
    saved(&state, &session, &id, work, form_id, answer).await
}

#[derive(Deserialize)]
pub(in crate::admin) struct TaskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_date: String,
}

/// `POST /admin/work/ID/groups/G/tasks`: a task added to this work only.
pub(in crate::admin) async fn add_task(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group)): Path<(String, String)>,
    StaffForm(form): StaffForm<TaskForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group]) else {
        return bad_address(&state, &session);
    };
    let g = n[0];
    let by = actor(&session);
    let task = TaskChange {
        title: Some(form.title),
        description: None,
        due_date: Some(form.due_date),
    };
    let answer = state.run(move |d| d.add_task(work, g, task, by)).await;
    let form_id = format!("newtask-{g}");
    saved(&state, &session, &id, work, form_id, answer).await
}

/// `POST /admin/work/ID/groups/G/tasks/T/edit`: a task's title and due date.
pub(in crate::admin) async fn edit_task(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, task)): Path<(String, String, String)>,
    StaffForm(form): StaffForm<TaskForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group, &task]) else {
        return bad_address(&state, &session);
    };
    let (g, t) = (n[0], n[1]);
    let by = actor(&session);
    let change = TaskChange {
        title: Some(form.title),
        description: None,
        due_date: Some(form.due_date),
    };
    let answer = state
        .run(move |d| d.edit_task(work, g, t, change, by))
        .await;
    let form_id = format!("task-{g}-{t}");
    saved(&state, &session, &id, work, form_id, answer).await
}
