//! What admits a request to a client's checklist, as an extractor type: `ClientSignIn`, the
//! session of the device the group is bound to, or else of the contact's signed-in account —
//! which of the two the engine decides (`Docket::checklist_session`) —, taken after the
//! same-origin check when the request is a `POST`, and refused with the page that says why. And
//! `same_origin`, the check every portal `POST` passes first.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use docket_engine::docket::{ClientSession, NoSession};

use super::language::{browser, visitor_on};
use super::pages::{Firm, Message, not_here, reassigned, say, trouble};
use super::{ACCOUNT_COOKIE_PLAIN, ACCOUNT_COOKIE_SECURE, checklist_path, device_cookie};
use super::{link, parse_group};
use crate::AppState;
use crate::browser::cookie;

/// A browser admitted to one group's checklist (`/p/{work}/{group}/...`), with the firm as its
/// pages show it.
pub(super) struct ClientSignIn {
    pub(super) session: ClientSession,
    pub(super) firm: Firm,
}

impl FromRequestParts<AppState> for ClientSignIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state).await.ok();
        let param = |name: &str| {
            params.as_ref().and_then(|params| {
                params
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            })
        };
        let (work, group) = (param("work"), param("group"));
        // A refusal is in the language of the contact this device holds the work for, else the
        // visitor's: looked up only when refusing (an admitted request is in its contact's).
        let work_id = work.as_deref().and_then(|w| w.parse().ok());
        let visitor = || visitor_on(state, &parts.headers, work_id);
        if parts.method == Method::POST && !crate::browser::same_origin(state, &parts.headers) {
            return Err(form_refused(&visitor()));
        }
        let (Some(work), Some(group)) = (work, group) else {
            return Err(not_here(&visitor()));
        };
        let session = Self::admit(state, &parts.headers, &work, &group, &visitor)?;
        let firm = browser(state, &parts.headers);
        // What this request is answered with is in the contact's language.
        let locale = match state.docket.contact(session.contact) {
            Ok(contact) => state.docket.locale_of(&contact).unwrap_or(firm.locale),
            Err(_) => firm.locale,
        };
        Ok(ClientSignIn {
            session,
            firm: Firm {
                locale,
                negotiated: false,
                ..firm
            },
        })
    }
}

impl ClientSignIn {
    /// The session of this request on group `group` (numbered from 1) of `work`, or the page
    /// saying why there is none. The checklist's own page asks this only when it has no page
    /// cached, so it calls this rather than taking the extractor.
    pub(super) fn admit(
        state: &AppState,
        headers: &HeaderMap,
        work: &str,
        group: &str,
        visitor: &dyn Fn() -> Firm,
    ) -> Result<ClientSession, Response> {
        let Some((work, group)) = parse_group(work, group) else {
            return Err(not_here(&visitor()));
        };
        let device = device_cookie(headers);
        let account = cookie(headers, ACCOUNT_COOKIE_SECURE, ACCOUNT_COOKIE_PLAIN);
        // Reads only, from sled's cache in a few tens of microseconds: done on this thread, since
        // a hop to a blocking thread would cost more than the reads.
        let found =
            state
                .docket
                .checklist_session(work, group, device.as_deref(), account.as_deref());
        let refused = match found {
            Ok(Ok(session)) => return Ok(session),
            Ok(Err(why)) => Ok(why),
            Err(e) => Err(e),
        };
        let firm = &visitor();
        match refused {
            // Never bound here and no such group answer alike: a guessed id learns nothing.
            Ok(NoSession::NotHere | NoSession::Gone) => Err(not_here(firm)),
            // The device cookie proves this device held the group: it may ask for a new link.
            Ok(NoSession::MovedAway) => Err(link::other_device(
                firm,
                format!("{}/new-link", checklist_path(work, group)),
            )),
            Ok(NoSession::Expired) => Err(Message {
                status: StatusCode::GONE,
                heading: "page-expired-access",
                lines: vec![say(firm, "page-fresh-link")],
                action: Some((
                    format!("{}/new-link", checklist_path(work, group)),
                    "page-send-new-link",
                )),
                back: None,
            }
            .render(firm)),
            Ok(NoSession::Reassigned) => Err(reassigned(firm)),
            Err(e) => Err(trouble(firm, &crate::ApiError::from(e))),
        }
    }
}

/// The CSRF check of every portal `POST` (see `browser::same_origin`), refused with a page.
pub(super) fn same_origin(
    state: &AppState,
    headers: &HeaderMap,
    firm: &Firm,
) -> Result<(), Response> {
    if crate::browser::same_origin(state, headers) {
        Ok(())
    } else {
        Err(form_refused(firm))
    }
}

/// The page refusing a form that did not come from this site.
fn form_refused(firm: &Firm) -> Response {
    Message {
        status: StatusCode::FORBIDDEN,
        heading: "page-form-refused",
        lines: vec![say(firm, "page-form-refused-why")],
        action: None,
        back: None,
    }
    .render(firm)
}
