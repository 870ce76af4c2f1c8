//! Replies by email that matched no client's work (`/admin/replies`): each with who sent it,
//! why it matched nothing and its text, and two actions: attach it to a work item's group (its
//! text a comment there, its attachments uploads) or discard it. Attaching opens a choice of
//! open work (`/admin/replies/ID/attach`): the sender's own first, then the work its reply
//! address named, then open work found by client or title, one radio per group; completed work
//! is neither offered nor accepted. The page also says when replies by email are not set up or
//! the reply mailbox cannot be read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{RepliesByEmail, ReplyChoices, WorkChoice};
use docket_engine::model::{UnmatchedReply, WorkId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, Message, error_page, local_time, render, sentence, status_text};

#[derive(Deserialize, Default)]
pub(super) struct RepliesQuery {
    #[serde(default)]
    done: String,
    /// With `done=already`: the reply a second click named, to say what became of it.
    #[serde(default)]
    reply: String,
}

#[derive(Serialize)]
struct RepliesPage {
    /// The mailbox cannot be read: since when and why.
    failing: Option<String>,
    last_read: Option<String>,
    /// Replies by email are not set up, or not read: what to configure.
    setup: Option<String>,
    replies: Vec<Line>,
    notice: Option<String>,
}

#[derive(Serialize)]
struct Line {
    id: String,
    at: String,
    from: String,
    subject: String,
    text: String,
    attachments: Vec<String>,
    reason: String,
}

/// `GET /admin/replies`.
pub(super) async fn replies(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<RepliesQuery>,
) -> Response {
    let reply = query.reply.clone();
    let found = state
        .call(move |d| {
            Ok((
                d.inbound_status()?,
                d.unmatched_replies()?,
                d.unmatched_reply_fate(&reply)?,
            ))
        })
        .await;
    let (status, replies, fate) = match found {
        Ok(found) => found,
        Err(e) => return error_page(e, Layout::signed_in(&state, &session, "replies")),
    };
    let view = RepliesPage {
        failing: status.as_ref().and_then(|s| {
            s.failing_since.map(|since| {
                format!(
                    "The reply mailbox cannot be read since {}. {} Docket keeps trying; replies wait in the mailbox meanwhile.",
                    local_time(&state, since),
                    sentence(s.error.as_deref().unwrap_or("it did not answer"))
                )
            })
        }),
        last_read: status
            .and_then(|s| s.last_read_at)
            .map(|at| local_time(&state, at)),
        setup: setup_notice(
            state.docket.replies_by_email(),
            state.docket.reply_address().as_deref(),
        ),
        replies: replies.iter().map(|r| line(&state, r)).collect(),
        notice: match (query.done.as_str(), fate) {
            ("attached", _) => Some("The reply was attached to the work.".into()),
            ("discarded", _) => Some("The reply was discarded.".into()),
            ("already", Some(fate)) => Some(format!("This reply was {}.", fate.already())),
            _ => None,
        },
    };
    render(
        StatusCode::OK,
        "admin/replies.html",
        Layout::signed_in(&state, &session, "replies"),
        &view,
    )
}

/// After a refusal about reply `id`: back to the list saying what became of it, when it was
/// attached or discarded already (a second click, or someone else first); else `None`.
async fn already_handled(state: &AppState, id: &str) -> Option<Response> {
    let reply = id.to_string();
    let fate = state.call(move |d| d.unmatched_reply_fate(&reply)).await;
    matches!(fate, Ok(Some(_))).then(|| {
        let query =
            serde_urlencoded::to_string([("done", "already"), ("reply", id)]).unwrap_or_default();
        Redirect::to(&format!("/admin/replies?{query}")).into_response()
    })
}

/// What the page says when replies by email are not set up, or set up but not read (a
/// mailbox that fails is said with its failure instead).
fn setup_notice(setup: RepliesByEmail, reply_address: Option<&str>) -> Option<String> {
    match setup {
        RepliesByEmail::NotSetUp => Some(
            "Replies by email are not set up: emails to clients ask them to answer the staff member who sent them, so their answers go to that person's mailbox. To take them here, configure [inbound] as the README's section “Replies by email” says.".into(),
        ),
        RepliesByEmail::NotRead => Some(format!(
            "Replies go to the mailbox of {}, but Docket does not read it: set imap_host (and imap_user) under [inbound] to have them here. See the README's section “Replies by email”.",
            reply_address.unwrap_or("the reply address")
        )),
        RepliesByEmail::Read | RepliesByEmail::Failing => None,
    }
}

fn line(state: &AppState, r: &UnmatchedReply) -> Line {
    Line {
        id: r.id.to_string(),
        at: local_time(state, r.received_at),
        from: r.from.clone(),
        subject: r.subject.clone(),
        text: r.text.clone(),
        attachments: r.attachments.clone(),
        reason: r.reason.clone(),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct PickQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct PickPage {
    id: String,
    from: String,
    at: String,
    subject: String,
    reason: String,
    text: String,
    attachments: Vec<String>,
    /// The sender's contact name, when the sender's address is a contact's.
    sender: Option<String>,
    query: String,
    sections: Vec<Section>,
    more: bool,
}

#[derive(Serialize)]
struct Section {
    heading: String,
    work: Vec<WorkPick>,
}

#[derive(Serialize)]
struct WorkPick {
    title: String,
    status: String,
    start: String,
    groups: Vec<GroupPickLine>,
}

#[derive(Serialize)]
struct GroupPickLine {
    /// The radio's id.
    key: String,
    /// `WORK/N`, the group from 1.
    value: String,
    name: String,
    recipient: String,
    sender: bool,
    /// Emailed to its recipient: "sent to", else "for …, not sent yet".
    sent: bool,
    checked: bool,
}

/// `GET /admin/replies/ID/attach?q=…`: where the reply may go. The sender's open work first
/// (their group chosen), then the work its reply address named, then open work found by client
/// or title; completed work is never offered.
pub(super) async fn pick(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    AdminQuery(query): AdminQuery<PickQuery>,
) -> Response {
    let q = query.q.clone();
    let asked = id.clone();
    let found = state.call(move |d| d.reply_choices(&asked, &q)).await;
    let choices = match found {
        Ok(choices) => choices,
        Err(e) => {
            if let Some(back) = already_handled(&state, &id).await {
                return back;
            }
            return error_page(e, Layout::signed_in(&state, &session, "replies"));
        }
    };
    let view = pick_page(&state, &choices);
    render(
        StatusCode::OK,
        "admin/reply_attach.html",
        Layout::signed_in(&state, &session, "replies"),
        &view,
    )
}

fn pick_page(state: &AppState, c: &ReplyChoices) -> PickPage {
    let first = c.first;
    let work = |w: &WorkChoice| WorkPick {
        title: w.title.clone(),
        status: status_text(w.status, None),
        start: w.start_date.format("%-d %b %Y").to_string(),
        groups: w
            .groups
            .iter()
            .map(|g| GroupPickLine {
                key: format!("choice-{}-{}", w.id, g.group + 1),
                value: format!("{}/{}", w.id, g.group + 1),
                name: g.name.clone(),
                recipient: if g.recipient_email.is_empty() {
                    g.recipient_name.clone()
                } else {
                    format!("{} ({})", g.recipient_name, g.recipient_email)
                },
                sender: g.sender,
                sent: g.sent,
                checked: first.is_some_and(|f| f.work == w.id && f.group == g.group),
            })
            .collect(),
    };
    let mut sections = Vec::new();
    if !c.sender_work.is_empty() {
        let name = c
            .sender
            .as_ref()
            .map(|s| s.name.as_str())
            .unwrap_or("the sender");
        sections.push(Section {
            heading: format!("Open work of {name}, the sender"),
            work: c.sender_work.iter().map(work).collect(),
        });
    }
    if let Some(named) = &c.named {
        sections.push(Section {
            heading: "The work its reply address named".into(),
            work: vec![work(named)],
        });
    }
    if !c.found.is_empty() {
        sections.push(Section {
            heading: format!("Open work matching “{}”", c.query),
            work: c.found.iter().map(work).collect(),
        });
    }
    let r = &c.reply;
    PickPage {
        id: r.id.to_string(),
        from: r.from.clone(),
        at: local_time(state, r.received_at),
        subject: r.subject.clone(),
        reason: r.reason.clone(),
        text: r.text.clone(),
        attachments: r.attachments.clone(),
        sender: c.sender.as_ref().map(|s| s.name.clone()),
        query: c.query.clone(),
        sections,
        more: c.more,
    }
}

#[derive(Deserialize)]
pub(super) struct AttachForm {
    /// `WORK/N` from the picker: a work item and its group, from 1 as the work page shows.
    #[serde(default)]
    choice: String,
    /// The search the picker showed, to go back to it.
    #[serde(default)]
    q: String,
}

/// `POST /admin/replies/ID/attach` `choice=WORK/N` (the group from 1, as the work page shows).
pub(super) async fn attach(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<AttachForm>,
) -> Response {
    let layout = |s: &StaffSession| Layout::signed_in(&state, s, "replies");
    let back = format!(
        "/admin/replies/{id}/attach{}",
        if form.q.trim().is_empty() {
            String::new()
        } else {
            format!(
                "?{}",
                serde_urlencoded::to_string([("q", form.q.trim())]).unwrap_or_default()
            )
        }
    );
    let refuse = |status: StatusCode, why: String| {
        Message::new("The reply was not attached", sentence(&why))
            .back(&back, "Back to the choice of work")
            .render(status, layout(&session))
    };
    let Some((work, group)) = form
        .choice
        .trim()
        .split_once('/')
        .and_then(|(w, g)| Some((w.parse::<WorkId>().ok()?, g.parse::<usize>().ok()?)))
        .filter(|(_, g)| *g >= 1)
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Work: choose a work item's group to attach the reply to".into(),
        );
    };
    let group = group - 1;
    let actor = docket_engine::model::Actor::Staff(session.member.staff.id);
    let asked = id.clone();
    match state
        .call(move |d| {
            let id = asked;
            // The form numbers groups from 1, as the work page shows them.
            let groups = d.work(work)?.groups.len();
            if group >= groups {
                return Err(docket_engine::Error::invalid_field(
                    "group",
                    format!(
                        "work item has no group {} (it has {groups}, numbered from 1)",
                        group + 1
                    ),
                ));
            }
            d.attach_unmatched_reply(&id, work, group, actor)
        })
        .await
    {
        Ok(_) => Redirect::to("/admin/replies?done=attached").into_response(),
        Err(error) => {
            if let Some(back) = already_handled(&state, &id).await {
                back
            } else if error.status().is_client_error() {
                refuse(error.status(), error.message().to_string())
            } else {
                error_page(error, layout(&session))
            }
        }
    }
}

/// `POST /admin/replies/ID/discard`.
pub(super) async fn discard(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(_): StaffForm<serde::de::IgnoredAny>,
) -> Response {
    let actor = docket_engine::model::Actor::Staff(session.member.staff.id);
    let asked = id.clone();
    match state
        .call(move |d| d.discard_unmatched_reply(&asked, actor))
        .await
    {
        Ok(()) => Redirect::to("/admin/replies?done=discarded").into_response(),
        Err(e) => match already_handled(&state, &id).await {
            Some(back) => back,
            None => error_page(e, Layout::signed_in(&state, &session, "replies")),
        },
    }
}

#[cfg(test)]
mod tests {
    use docket_engine::docket::RepliesByEmail;

    use super::setup_notice;

    #[test]
    fn a_reply_address_nothing_reads_is_said_without_contradiction() {
        let said = setup_notice(RepliesByEmail::NotRead, Some("replies@firm.example")).unwrap();
        assert!(
            said.starts_with(
                "Replies go to the mailbox of replies@firm.example, but Docket does not read it: set imap_host"
            ),
            "{said}"
        );
        assert!(!said.contains("no mailbox is configured"), "{said}");
        assert_eq!(
            setup_notice(RepliesByEmail::Failing, Some("r@f.example")),
            None
        );
    }
}
