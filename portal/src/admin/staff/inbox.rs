//! The signed-in member's inbox: their notifications newest first, a page at a time, each
//! linking to its work item, with mark-read for one or all.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::INBOX_PAGE;
use docket_engine::model::StaffNotification;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, Message, error_page, local_time, render};

#[derive(Deserialize, Default)]
pub(in crate::admin) struct InboxQuery {
    #[serde(default)]
    before: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    marked: Option<usize>,
}

#[derive(Serialize)]
struct InboxPage {
    notifications: Vec<Line>,
    unread: usize,
    unread_only: bool,
    /// This page's own address, for the mark-read forms to come back to.
    here: String,
    older: Option<String>,
    newest: Option<String>,
    notice: Option<String>,
}

#[derive(Serialize)]
struct Line {
    id: String,
    at: String,
    what: String,
    message: String,
    work_href: String,
    read: bool,
}

/// `GET /admin/inbox`: `?show=unread` for the unread only, `?before=ID` for older ones.
pub(in crate::admin) async fn inbox(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<InboxQuery>,
) -> Response {
    let before = match query.before.as_str() {
        "" => None,
        text => match ulid::Ulid::from_string(text) {
            Ok(id) => Some(id),
            Err(_) => {
                return Message::new(
                    "This inbox page does not exist",
                    format!("`{text}` is not a notification id."),
                )
                .back("/admin/inbox", "Back to the inbox")
                .render(
                    StatusCode::NOT_FOUND,
                    Layout::signed_in(&state, &session, "inbox"),
                );
            }
        },
    };
    let unread_only = query.show == "unread";
    let user = session.member.staff.id;
    let page = match state
        .call(move |d| d.inbox(user, before, unread_only, INBOX_PAGE))
        .await
    {
        Ok(page) => page,
        Err(e) => return error_page(e, Layout::signed_in(&state, &session, "inbox")),
    };
    let show = if unread_only { "&show=unread" } else { "" };
    let here = match before {
        Some(id) => format!("/admin/inbox?before={id}{show}"),
        None if unread_only => "/admin/inbox?show=unread".into(),
        None => "/admin/inbox".into(),
    };
    let view = InboxPage {
        notifications: page.notifications.iter().map(|n| line(&state, n)).collect(),
        unread: page.unread,
        unread_only,
        older: page
            .older
            .map(|id| format!("/admin/inbox?before={id}{show}")),
        newest: before.map(|_| {
            if unread_only {
                "/admin/inbox?show=unread".to_string()
            } else {
                "/admin/inbox".to_string()
            }
        }),
        here,
        notice: query.marked.map(|n| match n {
            0 => "There was nothing unread.".to_string(),
            1 => "Marked 1 notification read.".to_string(),
            n => format!("Marked {n} notifications read."),
        }),
    };
    // The layout's count is the one just read with the page.
    let session = StaffSession {
        unread: page.unread,
        ..session
    };
    render(
        StatusCode::OK,
        "admin/inbox.html",
        Layout::signed_in(&state, &session, "inbox"),
        &view,
    )
}

fn line(state: &AppState, n: &StaffNotification) -> Line {
    let what = match (n.source.as_str(), n.kind.as_str()) {
        ("docket", "task-completed") => "Task completed".to_string(),
        ("docket", "all-tasks-completed") => "All tasks completed".to_string(),
        ("docket", "upload-received") => "File uploaded".to_string(),
        ("docket", "comment-added") => "Comment".to_string(),
        ("docket", "reminder-limit-reached") => "Reminder limit reached".to_string(),
        ("docket", "send-failed") => "Email failed".to_string(),
        ("docket", docket_engine::docket::STUCK_KIND) => "Plugin failing".to_string(),
        ("docket", _) => "Notice".to_string(),
        (plugin, _) => format!("From hook “{plugin}”"),
    };
    Line {
        id: n.id.to_string(),
        at: local_time(state, n.at),
        what,
        message: n.message.clone(),
        work_href: format!("/admin/work/{}", n.work),
        read: n.read,
    }
}

#[derive(Deserialize)]
pub(in crate::admin) struct BackTo {
    #[serde(default)]
    back: String,
}

/// Where a mark-read form goes back to: the inbox page it was on.
fn back_to(back: &str) -> &str {
    let inside = (back == "/admin/inbox" || back.starts_with("/admin/inbox?"))
        && !back.contains("//")
        && !back.chars().any(char::is_control);
    if inside { back } else { "/admin/inbox" }
}

/// `POST /admin/inbox/ID/read`.
pub(in crate::admin) async fn read_one(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<BackTo>,
) -> Response {
    let layout = |s: &StaffSession| Layout::signed_in(&state, s, "inbox");
    let Ok(id) = ulid::Ulid::from_string(&id) else {
        return Message::new(
            "No such notification",
            format!("`{id}` is not a notification id."),
        )
        .back("/admin/inbox", "Back to the inbox")
        .render(StatusCode::NOT_FOUND, layout(&session));
    };
    let user = session.member.staff.id;
    match state.run(move |d| d.mark_notification_read(user, id)).await {
        Ok(_) => Redirect::to(back_to(&form.back)).into_response(),
        Err(Engine(docket_engine::Error::NotFound { .. })) => Message::new(
            "No such notification",
            "It is not one of your notifications; nothing was changed.",
        )
        .back("/admin/inbox", "Back to the inbox")
        .render(StatusCode::NOT_FOUND, layout(&session)),
        Err(e) => error_page(e, layout(&session)),
    }
}

/// `POST /admin/inbox/read-all`.
pub(in crate::admin) async fn read_all(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(BackTo { .. }): StaffForm<BackTo>,
) -> Response {
    let user = session.member.staff.id;
    match state
        .call(move |d| d.mark_all_notifications_read(user))
        .await
    {
        Ok(marked) => Redirect::to(&format!("/admin/inbox?marked={marked}")).into_response(),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "inbox")),
    }
}

#[cfg(test)]
#[path = "inbox_tests.rs"]
mod tests;
