//! The work pages: the overview of open work by status (the admin's home), and one work item
//! with its groups, tasks, people and latest events — read only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::docket::{OPEN_WORK_PER_STATUS, WorkLine};
use docket_engine::model::{WorkId, WorkStatus};
use serde::Serialize;

use super::guard::StaffSession;
use super::{Layout, Message, error_page, local_time, render, status_text};
use crate::AppState;

#[derive(Serialize)]
struct HomePage {
    sections: Vec<Section>,
    per_status: usize,
}

#[derive(Serialize)]
struct Section {
    heading: &'static str,
    id: &'static str,
    lines: Vec<Row>,
    more: bool,
}

#[derive(Serialize)]
pub(super) struct Row {
    href: String,
    title: String,
    status: String,
    assignee: String,
    progress: String,
    start: String,
    next_due: String,
}

/// `GET /admin`: the open work, by status.
pub(super) async fn home(State(state): State<AppState>, session: StaffSession) -> Response {
    let open = match state.call(|d| d.open_work()).await {
        Ok(open) => open,
        Err(e) => return error_page(e, Layout::signed_in(&state, &session, "work")),
    };
    let sections = open
        .by_status
        .into_iter()
        .map(|(status, lines, more)| {
            let (heading, id) = match status {
                WorkStatus::WaitingOnClient => ("Waiting on the client", "waiting"),
                WorkStatus::InProgress => ("In progress", "in-progress"),
                WorkStatus::Planned => ("Planned", "planned"),
                WorkStatus::Completed => ("Completed", "completed"),
            };
            Section {
                heading,
                id,
                lines: lines.iter().map(row).collect(),
                more,
            }
        })
        .collect();
    render(
        StatusCode::OK,
        "admin/home.html",
        Layout::signed_in(&state, &session, "work"),
        &HomePage {
            sections,
            per_status: OPEN_WORK_PER_STATUS,
        },
    )
}

pub(super) fn row(line: &WorkLine) -> Row {
    Row {
        href: format!("/admin/work/{}", line.id),
        title: line.title.clone(),
        status: status_text(line.status, line.sub_status.as_deref()),
        assignee: line.assignee.clone().unwrap_or_else(|| "—".into()),
        progress: format!("{} of {} done", line.tasks_done, line.tasks_total),
        start: line.start_date.format("%-d %b %Y").to_string(),
        next_due: line
            .next_due
            .map_or_else(|| "—".into(), |d| d.format("%-d %b %Y").to_string()),
    }
}

#[derive(Serialize)]
struct WorkPage {
    title: String,
    external_name: String,
    status: String,
    assignee: String,
    start: String,
    groups: Vec<GroupView>,
    timeline: Vec<EventView>,
}

#[derive(Serialize)]
struct GroupView {
    name: String,
    recipient: String,
    sent: String,
    tasks: Vec<TaskView>,
}

#[derive(Serialize)]
struct TaskView {
    title: String,
    due: String,
    done: Option<String>,
    reminders: u32,
}

#[derive(Serialize)]
struct EventView {
    at: String,
    who: String,
    summary: String,
}

/// `GET /admin/work/ID`: one work item.
pub(super) async fn work_page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> Response {
    let layout = |s: &StaffSession| Layout::signed_in(&state, s, "work");
    let not_found = |s: &StaffSession| {
        Message::new(
            "No such work item",
            "No work item has this address; it may be mistyped.",
        )
        .back("/admin", "Back to the overview")
        .render(StatusCode::NOT_FOUND, layout(s))
    };
    let Ok(id) = id.parse::<WorkId>() else {
        return not_found(&session);
    };
    let summary = match state.call(move |d| d.work_summary(id)).await {
        Ok(summary) => summary,
        Err(e) if e.status() == StatusCode::NOT_FOUND => return not_found(&session),
        Err(e) => return error_page(e, layout(&session)),
    };
    let work = &summary.work;
    let groups = work
        .groups
        .iter()
        .zip(&summary.groups)
        .map(|(g, people)| GroupView {
            name: g.name.clone(),
            recipient: if people.recipient_email.is_empty() {
                people.recipient_name.clone()
            } else {
                format!("{} <{}>", people.recipient_name, people.recipient_email)
            },
            sent: match (people.sent_at, &people.sent_by) {
                (Some(at), Some(by)) => format!("Sent {} as {by}", local_time(&state, at)),
                (Some(at), None) => format!("Sent {}", local_time(&state, at)),
                (None, _) => "Not sent yet".into(),
            },
            tasks: g
                .tasks
                .iter()
                .map(|t| TaskView {
                    title: t.title.clone(),
                    due: t.due_date.format("%-d %b %Y").to_string(),
                    done: t.done_at.map(|at| local_time(&state, at)),
                    reminders: t.reminders_sent,
                })
                .collect(),
        })
        .collect();
    let page = WorkPage {
        title: work.title.clone(),
        external_name: work.external_name.clone(),
        status: status_text(work.status, work.sub_status.as_deref()),
        assignee: summary
            .assignee
            .as_ref()
            .map_or_else(|| "Nobody".into(), |a| a.name.clone()),
        start: work.start_date.format("%-d %b %Y").to_string(),
        groups,
        timeline: summary
            .timeline
            .iter()
            .map(|(event, who)| EventView {
                at: local_time(&state, event.at),
                who: who.clone(),
                summary: event.summary.clone(),
            })
            .collect(),
    };
    render(StatusCode::OK, "admin/work.html", layout(&session), &page)
}
