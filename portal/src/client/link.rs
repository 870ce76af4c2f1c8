//! The magic link: its landing page (which only reads), the button that opens the checklist on
//! this device (binding it), and a fresh link asked for from a stale link or a checklist page.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{LandingState, Opened};
use docket_engine::model::WorkId;
use minijinja::context;

use super::guard::same_origin;
use super::pages::{Firm, Message, firm, invalid_link, render, trouble};
use super::{checklist_path, device_cookie, device_cookie_header, parse_group};
use crate::AppState;
use crate::browser::{serves_https, user_agent};

/// `GET /c/TOKEN` (and `HEAD`): the landing page. Reads only, so a mail scanner that opens the
/// link binds, spends and changes nothing.
pub(super) async fn landing(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let lookup = token.clone();
    let landing = match state.call(move |d| d.link_landing(&lookup)).await {
        Ok(l) => l,
        Err(e) => return trouble(&firm(&state), &e),
    };
    let firm = Firm {
        name: landing.firm_name,
        logo_url: landing.firm_logo_url,
    };
    match landing.state {
        LandingState::Valid {
            work_name,
            group_name,
        } => render(
            StatusCode::OK,
            "landing.html",
            context! {
                firm_name => firm.name,
                firm_logo_url => firm.logo_url,
                work_name,
                group_name,
                token,
            },
        ),
        LandingState::Replaced => stale_link(&firm, &token, true),
        LandingState::Expired => stale_link(&firm, &token, false),
        LandingState::Unknown => invalid_link(&firm),
    }
}

fn stale_link(firm: &Firm, token: &str, replaced: bool) -> Response {
    let why = if replaced {
        "This link was replaced by a newer one we emailed you."
    } else {
        "This link has expired."
    };
    Message {
        status: StatusCode::GONE,
        heading: if replaced {
            "This link was replaced"
        } else {
            "This link has expired"
        },
        lines: vec![
            why.into(),
            "We can email a fresh link to the address we have on file for you.".into(),
        ],
        action: Some((format!("/c/{token}/new-link"), "Send me a new access link")),
        back: None,
    }
    .render(firm)
}

/// `POST /c/TOKEN`: "Open my checklist". Binds the group's checklist to this device (or opens
/// it, on the device it is bound to) and sends the browser to it.
pub(super) async fn open_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let firm = firm(&state);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let secret = device_cookie(&headers);
    let device = user_agent(&headers);
    let lookup = token.clone();
    let opened = match state
        .call(move |d| d.open_link(&lookup, secret.as_deref(), &device))
        .await
    {
        Ok(o) => o,
        Err(e) => return trouble(&firm, &e),
    };
    match opened {
        Opened::Checklist {
            work,
            group,
            new_secret,
        } => {
            let mut response = Redirect::to(&checklist_path(work, group)).into_response();
            if let Some(secret) = new_secret {
                response.headers_mut().insert(
                    header::SET_COOKIE,
                    device_cookie_header(&secret, serves_https(&state)),
                );
            }
            response
        }
        Opened::OtherDevice { work, group } => other_device(&firm, work, group),
        Opened::Replaced { .. } => stale_link(&firm, &token, true),
        Opened::Expired { .. } => stale_link(&firm, &token, false),
        Opened::Unknown => invalid_link(&firm),
    }
}

pub(super) fn other_device(firm: &Firm, work: WorkId, group: usize) -> Response {
    Message {
        status: StatusCode::FORBIDDEN,
        heading: "This checklist is open on another device",
        lines: vec![
            "For your security, a checklist opens on one device at a time.".into(),
            "We can email a new link to the address we have on file for you; opening it on this device moves your checklist here.".into(),
        ],
        action: Some((
            format!("{}/new-link", checklist_path(work, group)),
            "Send me a new access link",
        )),
        back: None,
    }
    .render(firm)
}

/// `POST /c/TOKEN/new-link`: a fresh link for a replaced or expired link (or a live one).
pub(super) async fn new_link_from_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let firm = firm(&state);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let found = match state.call(move |d| d.link_record(&token)).await {
        Ok(found) => found,
        Err(e) => return trouble(&firm, &e),
    };
    let Some(link) = found else {
        return invalid_link(&firm);
    };
    send_new_link(&state, &firm, link.work, link.group, &headers).await
}

/// `POST /p/WORK/GROUP/new-link`: a fresh link from the "another device" or expired page.
pub(super) async fn new_link_from_page(
    State(state): State<AppState>,
    Path((work, group)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let firm = firm(&state);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let Some((work, group)) = parse_group(&work, &group) else {
        return invalid_link(&firm);
    };
    send_new_link(&state, &firm, work, group, &headers).await
}

async fn send_new_link(
    state: &AppState,
    firm: &Firm,
    work: WorkId,
    group: usize,
    headers: &HeaderMap,
) -> Response {
    let device = user_agent(headers);
    match state
        .call(move |d| d.request_new_link(work, group, &device))
        .await
    {
        Ok(true) => Message {
            status: StatusCode::OK,
            heading: "Check your email",
            lines: vec![
                "We have emailed a new link to the address we have on file for you. It may take a minute to arrive.".into(),
                "Open it on the device you want to use.".into(),
            ],
            action: None,
            back: None,
        }
        .render(firm),
        Ok(false) => Message {
            status: StatusCode::TOO_MANY_REQUESTS,
            heading: "Please wait a little",
            lines: vec![
                "We have sent several new links recently. Please use the newest email, or try again later.".into(),
            ],
            action: None,
            back: None,
        }
        .render(firm),
        Err(e) if e.status() == StatusCode::NOT_FOUND => invalid_link(firm),
        Err(e) => trouble(firm, &e),
    }
}
