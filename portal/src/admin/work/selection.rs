//! `POST /admin/work/selection`: one action on the work items ticked in a list — send the groups not
//! sent yet, send again, assign to a member (or nobody), or complete — then a page saying what
//! was done and what was refused and why, item by item. Completing work with tasks still open
//! first shows a confirmation page (a form, no script) listing them. The summary is kept a while
//! in this server's memory (`Kept`) and the post redirects to it (`GET
//! /admin/work/selection/{key}`), so reloading the page shows it again and acts on nothing.

use std::collections::VecDeque;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Docket;
use docket_engine::docket::WorkDetails;
use docket_engine::model::{Actor, UserId, WorkId, WorkStatus};
use serde::Serialize;

use crate::AppState;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::{Layout, Message, render, sentence};

/// Most work items one bulk action takes.
pub(in crate::admin) const BULK_LIMIT: usize = 200;

/// What to do with the selection.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Send,
    Resend,
    Assign,
    Complete,
}

impl Action {
    fn parse(text: &str) -> Option<Action> {
        match text {
            "send" => Some(Action::Send),
            "resend" => Some(Action::Resend),
            "assign" => Some(Action::Assign),
            "complete" => Some(Action::Complete),
            _ => None,
        }
    }
}

/// One outcome: the work (and group) it is about and what happened.
#[derive(Serialize, Clone)]
struct Outcome {
    href: String,
    title: String,
    said: String,
}

#[derive(Serialize, Clone)]
struct Summary {
    heading: &'static str,
    /// "2 of 3 work items: …", counted in words.
    counted: String,
    done: Vec<Outcome>,
    /// Items already as asked (assigned to the one chosen): nothing done, nothing refused.
    unchanged: Vec<Outcome>,
    refused: Vec<Outcome>,
}

/// Where an item's line goes in a summary.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Done,
    Unchanged,
    Refused,
}

#[derive(Serialize)]
struct Confirm {
    open: Vec<Outcome>,
    works: Vec<String>,
    /// "Of the 3 work items selected, these", or "The work item selected" for one.
    intro: String,
    /// "Complete 3 work items".
    button: String,
    /// The selection form's one-time id, carried to the confirmed sending.
    once: String,
}

/// `n` work items, in words: "1 work item", "3 work items".
pub(in crate::admin) fn work_items(n: usize) -> String {
    match n {
        1 => "1 work item".into(),
        n => format!("{n} work items"),
    }
}

/// How long a summary is kept for its page to be shown again, and how many are kept at most.
const KEPT_FOR: Duration = Duration::from_secs(30 * 60);
const KEPT_MOST: usize = 500;

/// The summaries of the last actions on a selection: key, member, when, summary.
type Kept = Mutex<VecDeque<(String, UserId, Instant, Summary)>>;
static KEPT: LazyLock<Kept> = LazyLock::new(|| Mutex::new(VecDeque::new()));

/// Keeps `summary` for `member`, the oldest dropped past `KEPT_MOST` or `KEPT_FOR`; its key.
fn keep(member: UserId, summary: Summary) -> String {
    let key = ulid::Ulid::new().to_string().to_lowercase();
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.retain(|(_, _, at, _)| at.elapsed() < KEPT_FOR);
    while kept.len() >= KEPT_MOST {
        kept.pop_front();
    }
    kept.push_back((key.clone(), member, Instant::now(), summary));
    key
}

/// `GET /admin/work/selection/{key}`: the summary of an action on a selection, again.
pub(in crate::admin) async fn summary(
    State(state): State<AppState>,
    session: StaffSession,
    Path(key): Path<String>,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "work");
    let found = KEPT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(k, member, at, _)| {
            *k == key && *member == session.member.staff.id && at.elapsed() < KEPT_FOR
        })
        .map(|(.., summary)| summary.clone());
    match found {
        Some(summary) => render(StatusCode::OK, "admin/selection.html", layout, &summary),
        None => Message::new(
            "No such summary",
            "This summary of an action on selected work is no longer kept (they are kept for 30 minutes, on the server that did the action). Nothing was done again; the work list shows each item as it is now.",
        )
        .back("/admin/work", "Back to the work list")
        .render(StatusCode::NOT_FOUND, layout),
    }
}

/// `POST /admin/work/selection`.
pub(in crate::admin) async fn act_on_selection(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(fields): StaffForm<Vec<(String, String)>>,
) -> Response {
    let layout = || Layout::signed_in(&state, &session, "work");
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let refuse = |line: String| {
        Message::new("Nothing was done", line)
            .back("/admin/work", "Back to the work list")
            .render(StatusCode::UNPROCESSABLE_ENTITY, layout())
    };
    let mut works = Vec::new();
    for (_, id) in fields.iter().filter(|(k, _)| k == "work") {
        match id.trim().parse::<WorkId>() {
            Ok(id) if !works.contains(&id) => works.push(id),
            Ok(_) => {}
            Err(_) => return refuse(format!("“{}” is not a work item's id.", id.trim())),
        }
    }
    if works.is_empty() {
        return refuse("No work was selected: tick the work items to act on first.".into());
    }
    if works.len() > BULK_LIMIT {
        return refuse(format!(
            "{} work items were selected; act on at most {BULK_LIMIT} at a time.",
            works.len()
        ));
    }
    let action_text = field("action");
    let Some(action) = Action::parse(&action_text) else {
        return refuse(format!(
            "“{action_text}” is not an action: choose send, send again, assign or complete."
        ));
    };
    let assignee = field("assignee");
    let confirmed = field("confirm") == "yes";
    let actor = Actor::Staff(session.member.staff.id);
    if action == Action::Complete && !confirmed {
        let picked = works.clone();
        let open = match state.call(move |d| open_tasks(d, &picked)).await {
            Ok(open) => open,
            Err(e) => return crate::admin::error_page(e, layout()),
        };
        if !open.is_empty() {
            let intro = match works.len() {
                1 => "The work item selected still has tasks the client has not done:".into(),
                n => format!(
                    "Of the {} selected, these still have tasks the client has not done:",
                    work_items(n)
                ),
            };
            let view = Confirm {
                button: format!("Complete {}", work_items(works.len())),
                intro,
                works: works.iter().map(WorkId::to_string).collect(),
                open,
                once: field("once"),
            };
            return render(
                StatusCode::OK,
                "admin/selection_confirm.html",
                layout(),
                &view,
            );
        }
    }
    let once = crate::admin::work::bulk::one_time_id(&field("once"));
    let claimed = once.clone();
    let outcomes = state
        .call(move |d| {
            // A double click or a reload of the same form does nothing more: it is shown what
            // the first sending did.
            if let Some(form) = &claimed
                && let Some(first) = d.claim_form_once(form)?
            {
                return Ok(Err(first));
            }
            Ok(Ok(act(d, &works, action, &assignee, actor)))
        })
        .await;
    let (done, unchanged, refused) = match outcomes {
        Ok(Ok(outcomes)) => outcomes,
        Ok(Err(first)) if !first.is_empty() => {
            return Redirect::to(&format!("/admin/work/selection/{first}")).into_response();
        }
        Ok(Err(_)) => {
            return Message::new(
                "Already sent",
                "This form was already sent and is still being done; nothing was done again. The work list shows each item as it is now.",
            )
            .back("/admin/work", "Back to the work list")
            .render(StatusCode::CONFLICT, layout());
        }
        Err(e) => return crate::admin::error_page(e, layout()),
    };
    let heading = match action {
        Action::Send => "Sending the work selected",
        Action::Resend => "Sending the work selected again",
        Action::Assign => "Assigning the work selected",
        Action::Complete => "Completing the work selected",
    };
    let total = done.len() + unchanged.len() + refused.len();
    let counted = match (done.len(), unchanged.len(), refused.len()) {
        (_, 0, 0) => format!("Done for {}.", work_items_or_groups(total)),
        (0, 0, _) => format!("Refused for {}.", work_items_or_groups(total)),
        (0, _, 0) => format!("Nothing to do for {}.", work_items_or_groups(total)),
        (d, u, r) => {
            let mut parts = vec![format!("done for {d}")];
            if u > 0 {
                parts.push(format!("{u} already so"));
            }
            if r > 0 {
                parts.push(format!("{r} refused"));
            }
            format!("Of {}: {}.", work_items_or_groups(total), parts.join("; "))
        }
    };
    let summary = Summary {
        heading,
        counted,
        done,
        unchanged,
        refused,
    };
    let key = keep(session.member.staff.id, summary);
    if let Some(form) = once {
        let first = key.clone();
        if let Err(e) = state.call(move |d| d.record_form_once(&form, &first)).await {
            return crate::admin::error_page(e, layout());
        }
    }
    Redirect::to(&format!("/admin/work/selection/{key}")).into_response()
}

/// The lines of a summary counted: one per work item, or per group for sending.
fn work_items_or_groups(n: usize) -> String {
    match n {
        1 => "1 item".into(),
        n => format!("{n} items"),
    }
}

/// The works among `ids` that still have open tasks, with how many.
fn open_tasks(d: &Docket, ids: &[WorkId]) -> docket_engine::Result<Vec<Outcome>> {
    let mut open = Vec::new();
    for id in ids {
        let work = match d.work(*id) {
            Ok(work) => work,
            Err(docket_engine::Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let count = work
            .groups
            .iter()
            .flat_map(|g| &g.tasks)
            .filter(|t| t.done_at.is_none())
            .count();
        if count > 0 && work.status != WorkStatus::Completed {
            open.push(Outcome {
                href: format!("/admin/work/{id}"),
                title: work.title,
                said: match count {
                    1 => "1 task still open".into(),
                    n => format!("{n} tasks still open"),
                },
            });
        }
    }
    Ok(open)
}

/// Does `action` to each work item, item by item (one failing refuses only itself), and says
/// what was done, what was already so and what was refused.
fn act(
    d: &Docket,
    ids: &[WorkId],
    action: Action,
    assignee: &str,
    actor: Actor,
) -> (Vec<Outcome>, Vec<Outcome>, Vec<Outcome>) {
    let mut done = Vec::new();
    let mut unchanged = Vec::new();
    let mut refused = Vec::new();
    for id in ids {
        let href = format!("/admin/work/{id}");
        let work = match d.work(*id) {
            Ok(work) => work,
            Err(e) => {
                refused.push(Outcome {
                    href: String::new(),
                    title: id.to_string(),
                    said: sentence(&e.to_string()),
                });
                continue;
            }
        };
        let mut said = |fate: Fate, title: String, text: String| {
            let line = Outcome {
                href: href.clone(),
                title,
                said: sentence(&text),
            };
            match fate {
                Fate::Done => done.push(line),
                Fate::Unchanged => unchanged.push(line),
                Fate::Refused => refused.push(line),
            }
        };
        match action {
            // Completed work is not sent, whichever its groups are: said once, first.
            Action::Send | Action::Resend if work.status == WorkStatus::Completed => said(
                Fate::Refused,
                work.title.clone(),
                "the work is completed; reopen it before sending".into(),
            ),
            Action::Send | Action::Resend => {
                let resend = action == Action::Resend;
                let mut any = false;
                for (g, group) in work.groups.iter().enumerate() {
                    if group.sent_at.is_some() != resend {
                        continue;
                    }
                    any = true;
                    let title = format!("{} — {}", work.title, group.name);
                    let result = if resend {
                        d.resend_group(*id, g, actor.clone())
                    } else {
                        d.send_group(*id, g, actor.clone())
                    };
                    match result {
                        Ok(_) if resend => {
                            said(Fate::Done, title, "sent again with a new link".into())
                        }
                        Ok(_) => said(Fate::Done, title, "sent".into()),
                        Err(e) => said(Fate::Refused, title, e.to_string()),
                    }
                }
                if !any {
                    let why = if resend {
                        "nothing was sent yet; choose Send instead"
                    } else {
                        "every group was sent already; choose Send again for new links"
                    };
                    said(Fate::Refused, work.title.clone(), why.into());
                }
            }
            Action::Assign => {
                let details = WorkDetails {
                    external_name: None,
                    assignee: Some(assignee.to_string()),
                };
                match d.update_work_details(*id, details, actor.clone()) {
                    Ok(after) => {
                        let (fate, now) = if after.assignee == work.assignee {
                            (Fate::Unchanged, "already")
                        } else {
                            (Fate::Done, "now")
                        };
                        let name = match after.assignee {
                            None => "nobody".to_string(),
                            Some(u) => d.user(u).map_or_else(|_| assignee.to_string(), |u| u.name),
                        };
                        said(
                            fate,
                            work.title.clone(),
                            format!("{now} assigned to {name}"),
                        )
                    }
                    Err(e) => said(Fate::Refused, work.title.clone(), e.to_string()),
                }
            }
            Action::Complete => match d.complete_work(*id, actor.clone()) {
                Ok(_) => said(Fate::Done, work.title.clone(), "completed".into()),
                Err(e) => said(Fate::Refused, work.title.clone(), e.to_string()),
            },
        }
    }
    (done, unchanged, refused)
}
