//! Work, as staff see it: the overview of open work by status (the admin's home, here), the
//! filtered list (`list.rs`) and what staff do to the work ticked in it (`selection.rs`), search and
//! what clients did lately (`find.rs`), work created from a template (`new.rs`), the same work for
//! many contacts at once (`bulk.rs`), one work item's page (`item.rs`) with its timeline
//! (`timeline.rs`), what staff do from it (`actions.rs`; completing it and removing a file asked
//! first, `confirm.rs`; pausing its reminders: `pause.rs`;
//! setting its repeat: `repeat.rs`, shown by `repeat_view.rs`), their review of what a client sent
//! for a task (`review.rs`) and the documents they attach to its tasks (`upload.rs`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::docket::{ActivityKind, OPEN_WORK_PER_STATUS, WorkLine, WorkListQuery};
use docket_engine::model::WorkStatus;
use serde::Serialize;

use super::guard::StaffSession;
use super::{Layout, error_page, render, status_text};
use crate::AppState;

pub(super) mod actions;
pub(super) mod bulk;
pub(super) mod confirm;
pub(super) mod find;
pub(super) mod item;
pub(super) mod list;
pub(super) mod new;
pub(super) mod pause;
pub(super) mod repeat;
pub(super) mod repeat_view;
pub(super) mod review;
pub(super) mod selection;
pub(super) mod timeline;
pub(super) mod upload;

#[derive(Serialize)]
struct HomePage {
    sections: Vec<Section>,
    per_status: usize,
    views: Vec<list::View>,
    /// The member's work with a task due this week.
    due_this_week: Vec<Row>,
    due_more: bool,
    /// Work waiting on the client with a task due before today.
    overdue: Vec<Row>,
    overdue_href: String,
    overdue_more: bool,
    /// What clients did since the member last looked (or, on a first look, lately).
    done: Vec<find::Line>,
    last_looked: Option<String>,
    /// The latest emails about work that failed.
    failed: Vec<find::Line>,
}

/// Lines of each list of the home page.
const HOME_LINES: usize = 20;

#[derive(Serialize)]
struct Section {
    heading: &'static str,
    id: &'static str,
    lines: Vec<Row>,
    more: bool,
    /// The work list of this status, where the rest are.
    href: String,
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
    /// Whether the next due date has passed, in the firm's zone.
    overdue: bool,
    /// Why staff should look, if they should.
    attention: Option<&'static str>,
    /// Its clients' names.
    clients: String,
    template: String,
    /// When its clients last ticked, commented or uploaded, in the firm's zone.
    last_activity: String,
    /// Its id, for a selection's checkbox.
    id: String,
    /// "Repeats: 5 Mar 2027, 5 Apr 2027, 5 May 2027", while it repeats.
    repeats: Option<String>,
    /// "Reminders paused until 28 Dec 2026 (waiting for accountant)", while they are.
    paused: Option<String>,
}

/// `GET /admin`: the signed-in member's desk — their work due this week, overdue client tasks,
/// what clients did since they last looked, emails that failed — then the open work, by status.
pub(super) async fn home(State(state): State<AppState>, session: StaffSession) -> Response {
    let zone = firm_zone(&state);
    let today = state.docket.now().with_timezone(&zone).date_naive();
    let week_end = today + chrono::Days::new(6);
    let yesterday = today.pred_opt().unwrap_or(today);
    let me = session.member.staff.id;
    let read = state
        .call(move |d| {
            let open = d.open_work()?;
            let mine = d.work_list_page(
                &WorkListQuery {
                    assignee: Some(me.to_string()),
                    due_from: Some(today.to_string()),
                    due_to: Some(week_end.to_string()),
                    ..WorkListQuery::default()
                },
                None,
                HOME_LINES,
            )?;
            let overdue = d.work_list_page(
                &WorkListQuery {
                    waiting_on_client: Some("true".into()),
                    due_to: Some(yesterday.to_string()),
                    ..WorkListQuery::default()
                },
                None,
                HOME_LINES,
            )?;
            let seen = d.home_seen(me)?;
            // On a first look, what clients did in the last week.
            let since = seen.unwrap_or_else(|| d.now() - chrono::Duration::days(7));
            let done = d.activity(ActivityKind::Client, Some(since), HOME_LINES)?;
            let failed = d.activity(ActivityKind::FailedEmail, None, HOME_LINES)?;
            Ok((open, mine, overdue, seen, done, failed))
        })
        .await;
    let (open, mine, overdue, seen, done, failed) = match read {
        Ok(read) => read,
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
                href: format!("/admin/work?status={}", status.as_str()),
                heading,
                id,
                lines: lines.iter().map(|l| row(l, zone, today)).collect(),
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
            views: list::views("/admin"),
            due_this_week: mine.lines.iter().map(|l| row(l, zone, today)).collect(),
            due_more: mine.next_after.is_some(),
            overdue: overdue.lines.iter().map(|l| row(l, zone, today)).collect(),
            overdue_href: format!("/admin/work?due_to={yesterday}&waiting_on_client=true&sort=due"),
            overdue_more: overdue.next_after.is_some(),
            done: done.iter().map(|l| find::line(l, zone, None)).collect(),
            last_looked: seen.map(|at| {
                at.with_timezone(&zone)
                    .format("%-d %b %Y, %H:%M")
                    .to_string()
            }),
            failed: failed.iter().map(|l| find::line(l, zone, None)).collect(),
        },
    )
}

/// The firm's time zone, in which pages show times.
pub(super) fn firm_zone(state: &AppState) -> chrono_tz::Tz {
    state
        .docket
        .firm_settings()
        .map(|f| f.timezone)
        .unwrap_or(chrono_tz::UTC)
}

pub(super) fn row(line: &WorkLine, zone: chrono_tz::Tz, today: chrono::NaiveDate) -> Row {
    Row {
        overdue: line.next_due.is_some_and(|d| d < today),
        id: line.id.to_string(),
        paused: line.paused.as_ref().map(|p| {
            let note = if p.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.note)
            };
            format!(
                "Reminders paused until {}{note}",
                p.until.format("%-d %b %Y")
            )
        }),
        repeats: (!line.repeats.is_empty()).then(|| {
            let dates: Vec<String> = line
                .repeats
                .iter()
                .map(|d| d.format("%-d %b %Y").to_string())
                .collect();
            format!("Repeats: {}", dates.join(", "))
        }),
        clients: if line.clients.is_empty() {
            "—".into()
        } else {
            line.clients.join(", ")
        },
        template: line.template.clone(),
        last_activity: line.last_client_activity.map_or_else(
            || "—".into(),
            |at| {
                at.with_timezone(&zone)
                    .format("%-d %b %Y, %H:%M")
                    .to_string()
            },
        ),
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
