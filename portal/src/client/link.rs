//! The magic link: its landing page (which only reads), the button that opens the checklist on
//! this device (binding it), and a fresh link asked for — only by a request that holds one of the
//! group's links (`/c/TOKEN/new-link`) or a device it is or was bound to (`/p/…/new-link` with the
//! device cookie). A request that holds neither is answered like an address that does not exist.

use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{Asker, LandingState, LinkProof, NewLink, Opened};
use minijinja::context;

use super::guard::same_origin;
use super::language::{visitor, visitor_on, with_contact};
use super::pages::{
    Firm, Message, invalid_link, invalid_link_at, not_here, reassigned, render, say, say_with,
    trouble,
};
use super::{checklist_path, device_cookie, device_cookie_header, parse_group};
use crate::AppState;
use crate::browser::{client_address, serves_https, user_agent};

/// `GET /c/TOKEN` (and `HEAD`): the landing page. Reads only, so a mail scanner that opens the
/// link binds, spends and changes nothing.
pub(super) async fn landing(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let firm = visitor(&state, &headers);
    let lookup = token.clone();
    let found = state
        .call(move |d| Ok((d.link_landing(&lookup)?, d.link_locale(&lookup)?)))
        .await;
    let (landing, contact_locale) = match found {
        Ok(found) => found,
        Err(e) => return trouble(&firm, &e),
    };
    // A link that still names its contact is answered in their language, stale or not; an
    // unknown one in its holder's.
    let firm = Firm {
        name: landing.firm_name,
        logo_url: landing.firm_logo_url,
        ..with_contact(firm, contact_locale)
    };
    match landing.state {
        LandingState::Valid {
            work_name,
            group_name,
            complete,
        } => {
            // A live link's page is its contact's, in their language.
            let firm = Firm {
                locale: landing.locale,
                negotiated: false,
                ..firm
            };
            let language_action = format!("/c/{token}/language");
            render(
                &firm,
                StatusCode::OK,
                "landing.html",
                context! { work_name, group_name, complete, token, language_action },
            )
        }
        LandingState::Replaced => stale_link(&firm, &token, true),
        LandingState::Expired => stale_link(&firm, &token, false),
        LandingState::Complete { work_name } => complete(&firm, Some(&work_name)),
        LandingState::Reassigned => reassigned(&firm),
        LandingState::Unknown => invalid_link_at(&firm, &format!("/c/{token}")),
    }
}

/// The firm as a page answering a request with link `token` shows it: in the language of the
/// contact the link was sent to, else the visitor's.
pub(super) async fn for_link(state: &AppState, headers: &HeaderMap, token: &str) -> Firm {
    let firm = visitor(state, headers);
    let lookup = token.to_string();
    match state.call(move |d| d.link_locale(&lookup)).await {
        Ok(contact_locale) => with_contact(firm, contact_locale),
        Err(_) => firm,
    }
}

fn stale_link(firm: &Firm, token: &str, replaced: bool) -> Response {
    let why = if replaced {
        "page-replaced-why"
    } else {
        "page-expired-why"
    };
    Message {
        status: StatusCode::GONE,
        heading: if replaced {
            "page-replaced"
        } else {
            "page-expired"
        },
        lines: vec![say(firm, why), say(firm, "page-fresh-link")],
        action: Some((format!("/c/{token}/new-link"), "page-send-new-link")),
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
    let firm = for_link(&state, &headers, &token).await;
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
        // The link proves the request holds it: the fresh link is asked for by it.
        Opened::OtherDevice { .. } => other_device(&firm, format!("/c/{token}/new-link")),
        Opened::Replaced { .. } => stale_link(&firm, &token, true),
        Opened::Expired { .. } => stale_link(&firm, &token, false),
        Opened::Reassigned => reassigned(&firm),
        Opened::Unknown => invalid_link_at(&firm, &format!("/c/{token}")),
    }
}

/// The checklist is on another device: `ask` is where this one asks for a fresh link (a path
/// that carries its proof, or that the device cookie proves).
pub(super) fn other_device(firm: &Firm, ask: String) -> Response {
    Message {
        status: StatusCode::FORBIDDEN,
        heading: "page-other-device",
        lines: vec![
            say(firm, "page-other-device-why"),
            say(firm, "page-other-device-new"),
        ],
        action: Some((ask, "page-send-new-link")),
        back: None,
    }
    .render(firm)
}

/// The work is complete: said before anything else, and no fresh link is offered.
fn complete(firm: &Firm, work_name: Option<&str>) -> Response {
    let mut lines = Vec::new();
    if let Some(name) = work_name {
        lines.push(say_with(firm, "page-complete-name", &[("work", name)]));
    }
    lines.push(say(firm, "page-complete-why"));
    Message {
        status: StatusCode::GONE,
        heading: "page-complete",
        lines,
        action: None,
        back: None,
    }
    .render(firm)
}

/// `POST /c/TOKEN/new-link`: a fresh link asked for by whoever holds this link (replaced,
/// expired, or live but open on another device).
pub(super) async fn new_link_from_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let firm = for_link(&state, &headers, &token).await;
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let asker = asker(&state, &headers, &extensions);
    let asked = state
        .call(move |d| d.request_new_link(LinkProof::Token(&token), asker.as_asker()))
        .await;
    answer(&firm, asked, invalid_link)
}

/// `POST /p/WORK/GROUP/new-link`: a fresh link asked for by a device the group is or was bound
/// to (its cookie), from the "moved" or "expired" page. Without such a cookie it is answered as a
/// checklist address that is not open here, whether the group exists or not.
pub(super) async fn new_link_from_page(
    State(state): State<AppState>,
    Path((work, group)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let firm = visitor_on(&state, &headers, work.parse().ok());
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let (Some((work, group)), Some(secret)) = (parse_group(&work, &group), device_cookie(&headers))
    else {
        return not_here(&firm);
    };
    let asker = asker(&state, &headers, &extensions);
    let asked = state
        .call(move |d| {
            d.request_new_link(
                LinkProof::Device {
                    work,
                    group,
                    secret: &secret,
                },
                asker.as_asker(),
            )
        })
        .await;
    answer(&firm, asked, not_here)
}

/// Who asks, owned, to cross to the engine's thread.
struct Asking {
    device: String,
    address: String,
}

impl Asking {
    fn as_asker(&self) -> Asker<'_> {
        Asker {
            device: &self.device,
            address: &self.address,
        }
    }
}

fn asker(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> Asking {
    Asking {
        device: user_agent(headers),
        address: client_address(state, headers, extensions),
    }
}

/// The page for what asking did; `refused` is the page a request without proof gets, the same
/// as for an address that does not exist.
fn answer(
    firm: &Firm,
    asked: Result<NewLink, crate::ApiError>,
    refused: fn(&Firm) -> Response,
) -> Response {
    let asked = match asked {
        Ok(asked) => asked,
        Err(e) => return trouble(firm, &e),
    };
    if asked != NewLink::Sent {
        tracing::info!(outcome = ?asked, "a fresh access link was asked for and not sent");
    }
    match asked {
        NewLink::Sent => Message {
            status: StatusCode::OK,
            heading: "page-check-email",
            lines: vec![
                say(firm, "page-new-link-sent"),
                say(firm, "page-new-link-use"),
            ],
            action: None,
            back: None,
        }
        .render(firm),
        NewLink::Limited => Message {
            status: StatusCode::TOO_MANY_REQUESTS,
            heading: "page-wait",
            lines: vec![say(firm, "page-new-link-limited")],
            action: None,
            back: None,
        }
        .render(firm),
        NewLink::Complete => complete(firm, None),
        NewLink::Reassigned => reassigned(firm),
        NewLink::Refused => refused(firm),
    }
}
