//! Replies by email that matched no client's work (`/admin/replies`): each with who sent it,
//! why it matched nothing and its text, and two actions: attach it to a work item's group (its
//! text a comment there, its attachments uploads) or discard it. The page also says when the
//! reply mailbox cannot be read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::RepliesByEmail;
use docket_engine::model::{UnmatchedReply, WorkId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, Message, error_page, local_time, render};

#[derive(Deserialize, Default)]
pub(super) struct RepliesQuery {
    #[serde(default)]
    done: String,
}

#[derive(Serialize)]
struct RepliesPage {
    /// The mailbox cannot be read: since when and why.
    failing: Option<String>,
    last_read: Option<String>,
    /// Replies by email are not set up, or not read: what to configure.
    setup: Option<&'static str>,
    replies: Vec<Line>,
    notice: Option<&'static str>,
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
    /// The work its reply address named, to attach it there.
    work: String,
    group: usize,
}

/// `GET /admin/replies`.
pub(super) async fn replies(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<RepliesQuery>,
) -> Response {
    let found = state
        .call(|d| Ok((d.inbound_status()?, d.unmatched_replies()?)))
        .await;
    let (status, replies) = match found {
        Ok(found) => found,
        Err(e) => return error_page(e, Layout::signed_in(&state, &session, "replies")),
    };
    let view = RepliesPage {
        failing: status.as_ref().and_then(|s| {
            s.failing_since.map(|since| {
                format!(
                    "The reply mailbox cannot be read since {}: {}. Docket keeps trying; replies wait in the mailbox meanwhile.",
                    local_time(&state, since),
                    s.error.as_deref().unwrap_or("no answer")
                )
            })
        }),
        last_read: status
            .and_then(|s| s.last_read_at)
            .map(|at| local_time(&state, at)),
        setup: setup_notice(state.docket.replies_by_email()),
        replies: replies.iter().map(|r| line(&state, r)).collect(),
        notice: match query.done.as_str() {
            "attached" => Some("The reply was attached to the work."),
            "discarded" => Some("The reply was discarded."),
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

/// What the page says when replies by email are not set up, or set up but not read.
fn setup_notice(setup: RepliesByEmail) -> Option<&'static str> {
    match setup {
        RepliesByEmail::NotSetUp => Some(
            "Replies by email are not set up: emails to clients carry no reply address, so their answers go to the sender's mailbox. To take them here, configure [inbound] as the README's section “Replies by email” says.",
        ),
        RepliesByEmail::NotRead => Some(
            "Replies are not read: emails to clients carry a reply address, but no mailbox is configured ([inbound] imap_host), so their answers wait in that mailbox unread. See the README's section “Replies by email”.",
        ),
        RepliesByEmail::Read => None,
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
        work: r.work.map(|w| w.to_string()).unwrap_or_default(),
        group: r.group.map_or(1, |g| g + 1),
    }
}

#[derive(Deserialize)]
pub(super) struct AttachForm {
    #[serde(default)]
    work: String,
    #[serde(default)]
    group: String,
}

/// `POST /admin/replies/ID/attach` `work=ID&group=N` (groups from 1, as the work page shows).
pub(super) async fn attach(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<AttachForm>,
) -> Response {
    let layout = |s: &StaffSession| Layout::signed_in(&state, s, "replies");
    let refuse = |why: String| {
        Message::new("The reply was not attached", why)
            .back("/admin/replies", "Back to the replies")
            .render(StatusCode::BAD_REQUEST, layout(&session))
    };
    let Ok(work) = form.work.trim().parse::<WorkId>() else {
        return refuse(format!(
            "Work: `{}` is not a work item's id; copy it from the work page's address.",
            form.work.trim()
        ));
    };
    let group = match form.group.trim().parse::<usize>() {
        Ok(n) if n >= 1 => n - 1,
        _ => return refuse("Group: give the group's number, from 1.".into()),
    };
    let actor = docket_engine::model::Actor::Staff(session.member.staff.id);
    match state
        .call(move |d| {
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
        Err(e) => error_page(e, layout(&session)),
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
    match state
        .call(move |d| d.discard_unmatched_reply(&id, actor))
        .await
    {
        Ok(()) => Redirect::to("/admin/replies?done=discarded").into_response(),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "replies")),
    }
}
