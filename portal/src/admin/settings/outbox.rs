//! The outbox, for admins: every outbound email newest first with its state, and each one
//! viewable — subject, recipient, the text body — with its magic link replaced by a "view as
//! client" link to the work's preview (the link is the client's secret, and is not shown).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::mail::MailTemplates;
use docket_engine::model::{MessageKind, MessageState, OutboundMessage};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::admin::guard::AdminSession;
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, Message, error_page, local_time, render};

/// Emails a page shows.
const PAGE: usize = 50;
/// What stands in an email's text for the client's link.
const LINK_SHOWN_AS: &str = "[the client's link: use \u{201c}View as client\u{201d} above]";

#[derive(Deserialize, Default)]
pub(in crate::admin) struct OutboxQuery {
    #[serde(default)]
    after: String,
}

#[derive(Serialize)]
struct OutboxPage {
    transport: String,
    messages: Vec<Line>,
    older: Option<String>,
}

#[derive(Serialize)]
struct Line {
    id: String,
    subject: String,
    to: String,
    kind: &'static str,
    state: &'static str,
    created: String,
}

#[derive(Serialize)]
struct MessagePage {
    subject: String,
    to: String,
    kind: &'static str,
    state: &'static str,
    created: String,
    sent: Option<String>,
    last_error: Option<String>,
    work_href: Option<String>,
    as_client_href: Option<String>,
    body: String,
}

fn kind_text(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Request => "Request",
        MessageKind::Reminder => "Reminder",
        MessageKind::CommentDigest => "Comments",
        MessageKind::AccessLink => "Fresh link",
        MessageKind::SignIn => "Client sign-in",
        MessageKind::HookEmail => "Plain email",
    }
}

fn state_text(state: MessageState) -> &'static str {
    match state {
        MessageState::Queued => "Queued",
        MessageState::InFlight => "Being sent",
        MessageState::Sent => "Sent",
        MessageState::Failed => "Failed",
        MessageState::Dropped => "Dropped",
    }
}

fn subject_of(m: &OutboundMessage) -> String {
    m.subject
        .clone()
        .or_else(|| m.custom.as_ref().map(|(s, _)| s.clone()))
        .unwrap_or_else(|| format!("({} email, composed when sent)", kind_text(m.kind)))
}

/// Where mail goes, as the configuration says; the SMTP password is never part of it. Servers
/// sharing a database without an SMTP relay each write to a folder of their own, so the page
/// says which server's folder it names.
pub(in crate::admin) fn transport_text(state: &AppState) -> String {
    let Some(mailer) = state.mailer.as_ref() else {
        return "the transport the server was started with".into();
    };
    let described = mailer.transport().describe();
    if state.docket.store().shared() && mailer.transport().writes_to_folder() {
        format!(
            "{described}, this server's own (each server sharing the database writes the emails it sends to a folder of its own)"
        )
    } else {
        described
    }
}

/// `GET /admin/outbox`.
pub(in crate::admin) async fn outbox(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    AdminQuery(query): AdminQuery<OutboxQuery>,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "settings");
    let after = match query.after.as_str() {
        "" => None,
        text => match ulid::Ulid::from_string(text) {
            Ok(id) => Some(id),
            Err(_) => {
                return Message::new(
                    "This outbox page does not exist",
                    format!("`{text}` is not a message id."),
                )
                .back("/admin/outbox", "Back to the outbox")
                .render(StatusCode::NOT_FOUND, layout);
            }
        },
    };
    let messages = match state.call(move |d| d.outbox(after, PAGE + 1)).await {
        Ok(m) => m,
        Err(e) => return error_page(e, layout),
    };
    let older = (messages.len() > PAGE).then(|| messages[PAGE - 1].id.to_string());
    let page = OutboxPage {
        transport: transport_text(&state),
        messages: messages
            .iter()
            .take(PAGE)
            .map(|m| Line {
                id: m.id.to_string(),
                subject: subject_of(m),
                to: m.to.clone(),
                kind: kind_text(m.kind),
                state: state_text(m.state),
                created: local_time(&state, m.created_at),
            })
            .collect(),
        older,
    };
    render(StatusCode::OK, "admin/outbox.html", layout, &page)
}

/// `GET /admin/outbox/{id}`.
pub(in crate::admin) async fn message(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "settings");
    let Ok(id) = ulid::Ulid::from_string(&id) else {
        return Message::new(
            "This email does not exist",
            format!("`{id}` is not a message id."),
        )
        .back("/admin/outbox", "Back to the outbox")
        .render(StatusCode::NOT_FOUND, layout);
    };
    let m = match state.call(move |d| d.outbox_message(id)).await {
        Ok(m) => m,
        Err(e) => return error_page(e, layout),
    };
    let page = MessagePage {
        subject: subject_of(&m),
        to: match &m.to_name {
            Some(name) => format!("{name} <{}>", m.to),
            None => m.to.clone(),
        },
        kind: kind_text(m.kind),
        state: state_text(m.state),
        created: local_time(&state, m.created_at),
        sent: m.sent_at.map(|at| local_time(&state, at)),
        last_error: m.last_error.clone(),
        work_href: m.work.map(|w| format!("/admin/work/{w}")),
        as_client_href: m
            .work
            .zip(m.group)
            .map(|(w, g)| format!("/admin/work/{w}/groups/{g}/as-client")),
        body: body_text(&state, &m),
    };
    render(StatusCode::OK, "admin/outbox_message.html", layout, &page)
}

/// The email's text as it was (or will be) sent, with every link that admits someone cut out.
fn body_text(state: &AppState, m: &OutboundMessage) -> String {
    let rendered = match &state.mailer {
        Some(mailer) => mailer.render(m).map(|r| r.text),
        None => match &m.custom {
            Some((_, body)) => Ok(body.clone()),
            None => {
                MailTemplates::load(None).and_then(|t| t.render(m.kind, &m.context).map(|r| r.text))
            }
        },
    };
    let text = match rendered {
        Ok(text) if !m.compose_at_delivery || m.state == MessageState::Sent => text,
        Ok(_) => "This reminder is composed from the work as it is when it is sent.".into(),
        Err(e) => format!("This email cannot be shown: {e}"),
    };
    hide_links(&text, &m.context.link)
}

/// The client's magic link (or what the record keeps of it) and invitation links replaced.
fn hide_links(text: &str, link: &str) -> String {
    let mut text = if link.is_empty() {
        text.to_string()
    } else {
        text.replace(link, LINK_SHOWN_AS)
    };
    const INVITE: &str = "/admin/invite/";
    let mut shown = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find(INVITE) {
        shown.push_str(&rest[..start + INVITE.len()]);
        shown.push_str("[the member's one-time secret]");
        let after = &rest[start + INVITE.len()..];
        rest = &after[after.find(char::is_whitespace).unwrap_or(after.len())..];
    }
    shown.push_str(rest);
    text = shown;
    text
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
