//! `AdminQuery<T>`: an admin page's query string. One that cannot be read (a parameter given
//! twice, a value the page does not offer) answers with the admin's message page saying what is
//! wrong in plain words, inside the layout, never with axum's plain-text 400.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::guard::StaffSession;
use super::{Layout, Message};
use crate::AppState;

pub struct AdminQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for AdminQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let rejection = match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => return Ok(AdminQuery(value)),
            Err(rejection) => rejection,
        };
        let text = rejection.body_text();
        let why = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text);
        let path = parts.uri.path().to_string();
        let said = super::sentence(&crate::extract::plain("the address (after `?`)", why));
        let message = Message::new("This address could not be read", said)
            .back(path.clone(), "Open the page without them");
        // The layout of whoever asked: a member's bar, or none before signing in.
        let layout = match StaffSession::from_request_parts(parts, state).await {
            Ok(session) => Layout::signed_in(state, &session, section(&path)),
            Err(_) => Layout::signed_out(state),
        };
        Err(message.render(StatusCode::BAD_REQUEST, layout))
    }
}

/// The navigation entry of a page, from its path.
fn section(path: &str) -> &'static str {
    let rest = path.strip_prefix("/admin").unwrap_or(path);
    for (prefix, section) in [
        ("/templates", "templates"),
        ("/contacts", "contacts"),
        ("/inbox", "inbox"),
        ("/account", "account"),
        ("/settings", "settings"),
        ("/users", "settings"),
        ("/tokens", "settings"),
        ("/plugins", "settings"),
        ("/outbox", "settings"),
    ] {
        if rest.starts_with(prefix) {
            return section;
        }
    }
    "work"
}
