//! Work, as staff see it: the overview of open work by status (the admin's home, here), the
//! filtered list (`list.rs`), work created from a template (`new.rs`), the same work for many
//! contacts at once (`bulk.rs`), one work item's page
//! (`item.rs`), what staff do from it (`actions.rs`; completing it and removing a file asked first,
//! `confirm.rs`), their review of what a client sent for a
//! task (`review.rs`) and the documents they attach to its tasks (`upload.rs`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::docket::{OPEN_WORK_PER_STATUS, WorkLine};
use docket_engine::model::WorkStatus;
use serde::Serialize;

use super::guard::StaffSession;
use super::{Layout, error_page, render, status_text};
use crate::AppState;

pub(super) mod actions;
pub(super) mod bulk;
pub(super) mod confirm;
pub(super) mod item;
pub(super) mod list;
pub(super) mod new;
pub(super) mod review;
pub(super) mod upload;

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
    /// Why staff should look, if they should.
    attention: Option<&'static str>,
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
        attention: line
            .needs_attention
            .then_some("Needs attention: a plugin cannot plan its sending or reminders"),
    }
}
