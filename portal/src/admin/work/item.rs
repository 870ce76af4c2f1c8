//! One work item's page: its groups, tasks, people, files, comments and latest events, with
//! the forms of what staff do to it (`actions.rs` reads them) and the messages of a refused one
//! next to their fields.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::Error;
use docket_engine::docket::{UploadReview, review_state, standing_decision, upload_review};
use docket_engine::model::{Actor, WorkId, WorkStatus};
use docket_engine::plugin::World;
use serde::Serialize;

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::StaffSession;
use crate::admin::templates::form::{PluginChoice, plugin_choices};
use crate::admin::{Layout, Message, error_page, local_time, render, status_text};

#[derive(Serialize)]
struct WorkPage {
    id: String,
    title: String,
    external_name: String,
    /// The contacts its groups go to, each once: their page and "Name <email>".
    clients: Vec<(String, String)>,
    status: String,
    completed: bool,
    assignee: String,
    assignees: Vec<Choice>,
    start: String,
    groups: Vec<GroupView>,
    /// Files on no task.
    other_files: Vec<FileView>,
    /// Comments no client sees (about no group, on work with several).
    staff_comments: Vec<CommentView>,
    timeline: Vec<super::timeline::EventView>,
    notice: Option<&'static str>,
    errors: PageErrors,
    /// What the details form holds (as typed, after a refusal).
    typed_external_name: String,
    /// "Reminders paused until …", while the work's own pause holds.
    paused: Option<String>,
    /// The pause form's values: the pause in force, to change it (empty with none).
    pause_until: String,
    pause_note: String,
    repeat: super::repeat_view::RepeatView,
    /// What a group's sending rule and reminder policy fields suggest.
    sending_rules: Vec<PluginChoice>,
    reminder_policies: Vec<PluginChoice>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// Messages next to the fields of the page's forms.
#[derive(Serialize, Default)]
pub(in crate::admin) struct PageErrors {
    pub external_name: Option<String>,
    pub assignee: Option<String>,
    /// The comment field (`comment-G-T`) and what is wrong with it.
    pub comment: Option<(String, String)>,
    /// Another form's field (`settings-G`, `recipient-G`, `newtask-G`, `task-G-T`) and what is
    /// wrong with it.
    pub field: Option<(String, String)>,
}

#[derive(Serialize)]
struct GroupView {
    number: usize,
    name: String,
    recipient: String,
    sent: String,
    progress: String,
    can_send: bool,
    can_resend: bool,
    as_client: String,
    index: usize,
    recipient_email: String,
    sending_plugin: String,
    sending_params: String,
    reminders_plugin: String,
    reminders_params: String,
    senders: Vec<Choice>,
    tasks: Vec<TaskView>,
    /// Comments about the group as a whole.
    comments: Vec<CommentView>,
    /// Why nothing is planned for the group, when a plugin cannot plan it.
    stuck: Option<String>,
    /// What the scheduler does next for the group, and a pause holding it.
    next: Option<String>,
}

#[derive(Serialize)]
struct TaskView {
    number: usize,
    index: usize,
    due_iso: String,
    field: String,
    title: String,
    due: String,
    done: Option<String>,
    reminders: u32,
    files: Vec<FileView>,
    comments: Vec<CommentView>,
    /// Staff's last word on the task: accepted, or sent back and why.
    review: Option<String>,
    /// The decisions offered on what the client sent (its group was sent): not the one that
    /// stands while the client has not answered it.
    offers: ReviewOffers,
}

#[derive(Serialize)]
struct ReviewOffers {
    accept: bool,
    send_back: bool,
}

#[derive(Serialize)]
struct FileView {
    name: String,
    href: String,
    remove: String,
    size: String,
    at: String,
    by: String,
    /// What the file really is, when its name says otherwise.
    warning: Option<String>,
    /// A client's upload: what staff made of it (waiting, accepted, sent back).
    review: Option<String>,
}

#[derive(Serialize)]
struct CommentView {
    who: String,
    at: String,
    body: String,
}

/// What a `?notice=` after an action says.
fn notice_text(notice: Option<&str>) -> Option<&'static str> {
    Some(match notice? {
        "sent" => "Sent. The email is on its way.",
        "resent" => "Sent again, with a fresh link.",
        "saved" => "Saved.",
        "done" => "Task marked done.",
        "reopened-task" => "Task reopened.",
        "completed" => "Work completed. Nothing more is sent and the portal is locked.",
        "reopened" => "Work reopened.",
        "commented" => {
            "Comment added. The client gets it by email in about ten minutes, with any other comments you add meanwhile."
        }
        "commented-unsent" => {
            "Comment added. It is not emailed: this group is not sent yet, and its client reads it on the checklist once it is."
        }
        "commented-completed" => {
            "Comment added, but not emailed: the work is completed and its portal locked. Reopen the work and resend the group to reach the client."
        }
        "commented-staff" => "Comment added, for staff only.",
        "removed" => "File removed.",
        "accepted" => "Accepted. The task is done. The client is told by email at once.",
        "sent-back" => {
            "Sent back. The task is open for the client again; they read why on their checklist, and by email at once."
        }
        "attached" => "Document attached. The client can download it from the checklist.",
        "paused" => "Reminders paused. They resume by themselves on the day given.",
        "resumed" => "Reminders resumed.",
        "repeat-set" => "Repeat set. Docket makes the next work on each date shown.",
        "repeat-stopped" => "Repeat stopped. The work it made stays.",
        "repeat-none" => "This work was not repeating; nothing changed.",
        _ => return None,
    })
}

#[derive(serde::Deserialize, Default)]
pub(in crate::admin) struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /admin/work/ID`: one work item, with what staff can do to it.
pub(in crate::admin) async fn work_page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    crate::admin::page_query::AdminQuery(q): crate::admin::page_query::AdminQuery<NoticeQuery>,
) -> Response {
    // While sending is paused, an email just queued waits: the notice must not say it is on
    // its way.
    let held = matches!(q.notice.as_deref(), Some("sent" | "resent" | "commented"))
        && state.docket.sending_paused();
    let notice = if held {
        Some(
            "Queued. Sending is paused, so the email waits in the outbox until an admin resumes sending.",
        )
    } else {
        notice_text(q.notice.as_deref())
    };
    show_work(
        &state,
        &session,
        &id,
        StatusCode::OK,
        notice,
        PageErrors::default(),
        None,
    )
    .await
}

/// The work's page, with `errors` next to their fields and `typed_name` in the details form.
pub(in crate::admin) async fn show_work(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: PageErrors,
    typed_name: Option<String>,
) -> Response {
    show_work_typed(state, session, id, status, notice, errors, typed_name, None).await
}

/// The work's page as `show_work` shows it, the repeat form holding `typed_repeat` (what staff
/// typed, after a refusal) rather than the stored repeat.
#[allow(clippy::too_many_arguments)]
pub(in crate::admin) async fn show_work_typed(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: PageErrors,
    typed_name: Option<String>,
    typed_repeat: Option<super::repeat_view::RepeatTyped>,
) -> Response {
    let layout = |s: &StaffSession| Layout::signed_in(state, s, "work");
    let not_found = |s: &StaffSession| {
        Message::new(
            "No such work item",
            "No work item has this address; it may be mistyped.",
        )
        .back("/admin", "Back to the overview")
        .render(StatusCode::NOT_FOUND, layout(s))
    };
    let Ok(id) = id.parse::<WorkId>() else {
        return not_found(session);
    };
    let summary = match state
        .run(move |d| {
            let summary = d.work_summary(id)?;
            // The pause holding each group, the work's own or its recipient's.
            let own = d.pause_in_force(summary.work.paused.as_deref());
            let pauses: Vec<_> = summary
                .work
                .groups
                .iter()
                .map(|g| {
                    let theirs = d
                        .contact(g.recipient)
                        .ok()
                        .and_then(|c| d.pause_in_force(c.paused.as_ref()));
                    match (&own, theirs) {
                        (Some(o), Some(t)) if t.until > o.until => Some((t, true)),
                        (Some(o), _) => Some((o.clone(), false)),
                        (None, Some(t)) => Some((t, true)),
                        (None, None) => None,
                    }
                })
                .collect();
            let repeat = super::repeat_view::repeat_view(d, &summary.work)?;
            Ok((summary, d.list_users()?, own, pauses, repeat))
        })
        .await
    {
        Ok(summary) => summary,
        Err(Engine(Error::NotFound { .. })) => return not_found(session),
        Err(e) => return error_page(e, layout(session)),
    };
    let (summary, users, own_pause, pauses, mut repeat) = summary;
    if let Some(typed) = typed_repeat {
        repeat.keep(typed);
    }
    let work = &summary.work;
    let base = format!("/admin/work/{id}");
    let file_view = |(f, by): &(docket_engine::model::UploadedFile, String)| {
        FileView {
        name: f.name.clone(),
        href: format!("{base}/files/{}", f.id),
        remove: format!("{base}/files/{}/remove", f.id),
        size: docket_engine::text::size(f.content.size),
        at: local_time(state, f.at),
        by: by.clone(),
        warning: f.type_mismatch.as_ref().map(|m| {
            format!(
                "Not what its name says: its name says {}, its content is {}. Check it before opening it; it downloads as {}.",
                m.name_says,
                m.content_is,
                docket_engine::filetype::download_name(f)
            )
        }),
        review: None,
    }
    };
    let comment_view =
        |(c, who, _): &(docket_engine::model::Comment, String, Option<usize>)| CommentView {
            who: who.clone(),
            at: local_time(state, c.at),
            body: c.body.clone(),
        };
    let completed = work.status == WorkStatus::Completed;
    let mut staff: Vec<_> = users
        .into_iter()
        .map(docket_engine::model::StaffMember::from)
        .collect();
    staff.sort_by_key(|m| m.name.to_lowercase());
    let groups = work
        .groups
        .iter()
        .zip(&summary.groups)
        .enumerate()
        .map(|(g, (group, people))| GroupView {
            number: g + 1,
            name: group.name.clone(),
            recipient: if people.recipient_email.is_empty() {
                people.recipient_name.clone()
            } else {
                format!("{} <{}>", people.recipient_name, people.recipient_email)
            },
            sent: match (people.sent_at, &people.sent_by) {
                (Some(at), Some(by)) => format!("Sent {} as {by}", local_time(state, at)),
                (Some(at), None) => format!("Sent {}", local_time(state, at)),
                (None, _) => "Not sent yet".into(),
            },
            progress: format!(
                "{} of {} done",
                group.tasks.iter().filter(|t| t.done_at.is_some()).count(),
                group.tasks.len()
            ),
            stuck: group.stuck.as_ref().map(|stuck| {
                let version = if stuck.version.is_empty() {
                    String::new()
                } else {
                    format!(" {}", stuck.version)
                };
                format!(
                    "Nothing is sent for this group: plugin “{}”{version} fails ({}). It has failed {} time{} since {}; Docket asks it again later, and at once when a new version is installed or the group's plugin is changed below.",
                    stuck.plugin,
                    stuck.reason.trim_end_matches('.'),
                    stuck.attempts,
                    if stuck.attempts == 1 { "" } else { "s" },
                    local_time(state, stuck.since)
                )
            }),
            next: next_text(state, group, pauses[g].as_ref()),
            can_send: !completed && group.sent_at.is_none(),
            can_resend: !completed && group.sent_at.is_some(),
            as_client: format!("{base}/groups/{g}/as-client"),
            index: g,
            recipient_email: people.recipient_email.clone(),
            sending_plugin: group.sending.plugin.clone(),
            sending_params: docket_engine::docket::params_text(&group.sending),
            reminders_plugin: group.reminders.plugin.clone(),
            reminders_params: docket_engine::docket::params_text(&group.reminders),
            senders: std::iter::once(Choice {
                value: String::new(),
                label: "The assignee, or whoever sends".into(),
                selected: group.sender.is_none(),
            })
            .chain(staff.iter().map(|m| Choice {
                value: m.email.clone(),
                label: m.name.clone(),
                selected: group.sender == Some(m.id),
            }))
            .collect(),
            tasks: group
                .tasks
                .iter()
                .enumerate()
                .map(|(t, task)| TaskView {
                    number: t + 1,
                    index: t,
                    due_iso: task.due_date.to_string(),
                    field: format!("comment-{g}-{t}"),
                    title: task.title.clone(),
                    due: task.due_date.format("%-d %b %Y").to_string(),
                    done: task.done_at.map(|at| local_time(state, at)),
                    reminders: task.reminders_sent,
                    files: summary
                        .files
                        .iter()
                        .filter(|(f, _)| f.task == Some((g, t)))
                        .map(|pair| FileView {
                            review: matches!(pair.0.uploaded_by, Actor::Contact(_))
                                .then(|| review_text(&upload_review(task, &pair.0))),
                            ..file_view(pair)
                        })
                        .collect(),
                    review: task.review().map(|r| match review_state(r) {
                        UploadReview::SentBack(reason) => {
                            format!("Sent back on {}: {reason}", local_time(state, r.at))
                        }
                        _ => format!("Accepted on {}.", local_time(state, r.at)),
                    }),
                    // Only what the client sent is reviewed: a tick of theirs, or an upload; and
                    // a decision the client has not answered yet is shown, not asked again.
                    offers: {
                        let last_upload = summary
                            .files
                            .iter()
                            .filter(|(f, _)| {
                                f.task == Some((g, t))
                                    && matches!(f.uploaded_by, Actor::Contact(_))
                            })
                            .map(|(f, _)| f.at)
                            .max();
                        let open = group.sent_at.is_some() && task.reviewable(last_upload.is_some());
                        let standing = standing_decision(task, last_upload).map(|r| r.accepted);
                        ReviewOffers {
                            accept: open && standing != Some(true),
                            send_back: open && standing != Some(false),
                        }
                    },
                    comments: summary
                        .comments
                        .iter()
                        .filter(|(c, _, seen)| *seen == Some(g) && c.task == Some(t))
                        .map(comment_view)
                        .collect(),
                })
                .collect(),
            comments: summary
                .comments
                .iter()
                .filter(|(c, _, seen)| {
                    *seen == Some(g) && c.task.is_none_or(|t| t >= group.tasks.len())
                })
                .map(comment_view)
                .collect(),
        })
        .collect();
    let mut assignees = vec![Choice {
        value: String::new(),
        label: "Nobody".into(),
        selected: work.assignee.is_none(),
    }];
    // A disabled member is offered only where they are the assignee already.
    assignees.extend(
        staff
            .iter()
            .filter(|m| m.disabled_at.is_none() || work.assignee == Some(m.id))
            .map(|m| Choice {
                value: m.id.to_string(),
                label: m.name.clone(),
                selected: work.assignee == Some(m.id),
            }),
    );
    let mut clients: Vec<(String, String)> = Vec::new();
    for (group, people) in work.groups.iter().zip(&summary.groups) {
        let href = format!("/admin/contacts/{}", group.recipient);
        if clients.iter().any(|(known, _)| *known == href) {
            continue;
        }
        let label = if people.recipient_email.is_empty() {
            people.recipient_name.clone()
        } else {
            format!("{} <{}>", people.recipient_name, people.recipient_email)
        };
        clients.push((href, label));
    }
    let page = WorkPage {
        sending_rules: plugin_choices(state, World::SendingRule),
        reminder_policies: plugin_choices(state, World::ReminderPolicy),
        id: id.to_string(),
        title: work.title.clone(),
        external_name: work.external_name.clone(),
        clients,
        status: status_text(work.status, work.sub_status.as_deref()),
        completed,
        assignee: summary
            .assignee
            .as_ref()
            .map_or_else(|| "Nobody".into(), |a| a.name.clone()),
        assignees,
        start: work.start_date.format("%-d %b %Y").to_string(),
        groups,
        other_files: summary
            .files
            .iter()
            .filter(|(f, _)| f.task.is_none())
            .map(file_view)
            .collect(),
        staff_comments: summary
            .comments
            .iter()
            .filter(|(_, _, seen)| seen.is_none())
            .map(comment_view)
            .collect(),
        timeline: super::timeline::timeline_views(
            &summary.timeline,
            super::firm_zone(state),
            session.member.is_admin(),
        ),
        notice,
        errors,
        typed_external_name: typed_name.unwrap_or_else(|| work.external_name.clone()),
        paused: own_pause.as_ref().map(crate::admin::contacts::pause_text),
        pause_until: own_pause
            .as_ref()
            .map_or_else(String::new, |p| p.until.to_string()),
        pause_note: own_pause
            .as_ref()
            .map_or_else(String::new, |p| p.note.clone()),
        repeat,
    };
    render(status, "admin/work.html", layout(session), &page)
}

/// What the scheduler does next for `group`, in words, saying when a pause (`pause`, and
/// whether it is the recipient's) holds it.
fn next_text(
    state: &AppState,
    group: &docket_engine::model::ClientTaskGroup,
    pause: Option<&(docket_engine::model::ReminderPause, bool)>,
) -> Option<String> {
    use docket_engine::model::FireAction;
    let fire = group.next.as_ref()?;
    let at = local_time(state, fire.at.get());
    let held = match pause {
        Some((p, theirs)) => format!(
            " — held by the pause of {} until {}",
            if *theirs {
                "the recipient's reminders"
            } else {
                "this work's reminders"
            },
            p.until.format("%-d %B %Y")
        ),
        None => String::new(),
    };
    match &fire.action {
        FireAction::Send => {
            let zone = super::firm_zone(state);
            let when = fire.at.get().with_timezone(&zone);
            Some(format!(
                "Will be sent automatically on {} at {}.",
                when.format("%-d %b %Y"),
                when.format("%H:%M")
            ))
        }
        FireAction::Reminder { .. } => Some(format!("Next reminder {at}{held}.")),
        FireAction::Retry { .. } => None,
    }
}

/// A review as the work page says it.
fn review_text(review: &UploadReview) -> String {
    match review {
        UploadReview::Waiting => "Waiting for review.".into(),
        UploadReview::Accepted => "Accepted.".into(),
        UploadReview::SentBack(reason) => format!("Sent back: {reason}"),
    }
}
