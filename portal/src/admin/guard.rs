//! What admits a request to the admin, as extractor types: `StaffSession` (a signed-in member
//! of staff, with their unread count for the layout), `AdminSession` (one who is an admin),
//! `StaffForm<T>` (a form post that passed the same-origin check and carries the session's form
//! token), and `StaffUpload` (the same for a form with a file: a document, the firm's logo or a template file).
//! A handler that changes anything
//! takes a session guard and a `StaffForm` (or `StaffUpload`); either refuses to be read
//! without a guard before it, so a forgotten guard fails closed.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::Member;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Layout, Message};
use crate::AppState;
use crate::browser::{cookie, same_origin};

/// The session cookie: `__Host-` prefixed (and `Secure`) over https, plain on http; distinct
/// from the client portal's device and account cookies.
pub(super) const SESSION_COOKIE_SECURE: &str = "__Host-docket_staff";
pub(super) const SESSION_COOKIE_PLAIN: &str = "docket_staff";

/// A signed-in member of staff.
pub struct StaffSession {
    pub member: Member,
    /// Their unread notifications, for the layout.
    pub unread: usize,
    /// The session cookie's value, for the calls that act on the session itself.
    pub(super) cookie: String,
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(cookie) = session_cookie(&parts.headers) else {
            return Err(to_sign_in(parts, false));
        };
        let lookup = cookie.clone();
        let found = state
            .call(move |d| match d.staff_session(&lookup)? {
                Some(member) => {
                    let unread = d.unread_count(member.staff.id)?;
                    Ok(Some((member, unread)))
                }
                None => Ok(None),
            })
            .await;
        match found {
            Ok(Some((member, unread))) => {
                // For `StaffForm`, which checks the form's token against this session's.
                parts.extensions.insert(member.clone());
                Ok(StaffSession {
                    member,
                    unread,
                    cookie,
                })
            }
            Ok(None) => Err(to_sign_in(parts, true)),
            Err(e) => Err(super::error_page(e, Layout::signed_out(state))),
        }
    }
}

/// A signed-in member of staff who is an admin; anyone else is refused with a page saying so.
pub struct AdminSession(pub StaffSession);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        match session.member.require_admin("open this page") {
            Ok(()) => Ok(AdminSession(session)),
            Err(refused) => Err(Message::new(
                "Only admins can open this page",
                refused.to_string(),
            )
            .back("/admin", "Back to the overview")
            .render(
                StatusCode::FORBIDDEN,
                Layout::signed_in(state, &session, ""),
            )),
        }
    }
}

/// A form post from a signed-in member's page: same-origin, carrying the session's form token
/// (checked in constant time), and its fields read as `T`.
pub struct StaffForm<T>(pub T);

#[derive(Deserialize)]
struct FormToken {
    #[serde(default)]
    form_token: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !same_origin(state, req.headers()) {
            return Err(refused_form(
                state,
                "This form did not come from this site, so nothing was changed. Open the page again and try once more.",
            ));
        }
        let Some(member) = req.extensions().get::<Member>().cloned() else {
            tracing::error!(path = %req.uri().path(), "an admin form was read without a session guard before it; refused");
            return Err(super::error_page(
                crate::ApiError::internal("an admin form without a session guard"),
                Layout::signed_out(state),
            ));
        };
        let body = match Bytes::from_request(req, state).await {
            Ok(body) => body,
            Err(rejection) => {
                return Err(
                    Message::new("That could not be done", rejection.body_text())
                        .back("/admin", "Back to the overview")
                        .render(rejection.status(), Layout::signed_out(state)),
                );
            }
        };
        let token = serde_urlencoded::from_bytes::<FormToken>(&body)
            .map(|t| t.form_token)
            .unwrap_or_default();
        if !member.form_token_matches(&token) {
            return Err(refused_form(
                state,
                "This form belongs to an earlier sign-in, so nothing was changed. Open the page again and try once more.",
            ));
        }
        serde_urlencoded::from_bytes::<T>(&body)
            .map(StaffForm)
            .map_err(|e| {
                Message::new(
                    "That could not be done",
                    format!("The form was not filled in as expected: {e}."),
                )
                .back("/admin", "Back to the overview")
                .render(StatusCode::UNPROCESSABLE_ENTITY, Layout::signed_out(state))
            })
    }
}

/// A file posted from an admin page (`multipart/form-data`), with the same checks as
/// `StaffForm` — same origin, a session guard before it, the session's form token, which must
/// be the form's first field — before anything else is read; then its text fields and its one
/// file field: a document (`file`), streamed into the file store as it arrives and refused past
/// the upload cap, or the firm's logo (`logo`) or a TOML template file (`template_file`), read
/// whole into memory (the engine keeps it in
/// `meta`, never the file store) and refused past `IN_MEMORY_CAP`.
pub struct StaffUpload {
    pub fields: std::collections::HashMap<String, String>,
    /// The file: its name as the browser sent it, its type read from its first bytes, and its
    /// bytes in the file store; `None` when no file (or an empty one) was chosen.
    pub file: Option<(String, &'static str, docket_engine::model::StoredFile)>,
    /// The bytes of a small file read into memory rather than the file store, as sent (empty
    /// when none was chosen): the field `logo` (the firm's logo) or `template_file` (a TOML
    /// template file).
    pub small: Vec<u8>,
}

/// Most bytes a file read into memory may have: as much as axum lets a form be read whole. The
/// engine says what it accepts below that (a logo of at most `MAX_LOGO_BYTES`).
const IN_MEMORY_CAP: usize = 2 * 1024 * 1024;

impl FromRequest<AppState> for StaffUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !same_origin(state, req.headers()) {
            return Err(refused_form(
                state,
                "This form did not come from this site, so nothing was changed. Open the page again and try once more.",
            ));
        }
        let Some(member) = req.extensions().get::<Member>().cloned() else {
            tracing::error!(path = %req.uri().path(), "an admin upload was read without a session guard before it; refused");
            return Err(super::error_page(
                crate::ApiError::internal("an admin upload without a session guard"),
                Layout::signed_out(state),
            ));
        };
        let refused = |status: StatusCode, why: String| {
            Message::new("That could not be done", why)
                .back("/admin", "Back to the overview")
                .render(status, Layout::signed_out(state))
        };
        let boundary = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok());
        let Some(boundary) = boundary else {
            return Err(refused(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Choose a file with the upload form.".into(),
            ));
        };
        let mut form = multer::Multipart::new(req.into_body().into_data_stream(), boundary);
        let malformed = |e: multer::Error| {
            refused(
                StatusCode::BAD_REQUEST,
                format!("The upload was cut short or malformed: {e}."),
            )
        };
        let first = form.next_field().await.map_err(malformed)?;
        let token = match first {
            Some(field) if field.name() == Some("form_token") => {
                field.text().await.map_err(malformed)?
            }
            _ => String::new(),
        };
        if !member.form_token_matches(&token) {
            return Err(refused_form(
                state,
                "This form belongs to an earlier sign-in, so nothing was changed. Open the page again and try once more.",
            ));
        }
        let cap = state.docket.max_upload();
        let too_large = |cap: u64| {
            refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The file is too large: files may be at most {}.",
                    docket_engine::text::size(cap)
                ),
            )
        };
        let mut upload = StaffUpload {
            fields: std::collections::HashMap::new(),
            file: None,
            small: Vec::new(),
        };
        while let Some(mut field) = form.next_field().await.map_err(malformed)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "logo" || name == "template_file" {
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    if upload.small.len() + chunk.len() > IN_MEMORY_CAP {
                        return Err(too_large(IN_MEMORY_CAP as u64));
                    }
                    upload.small.extend_from_slice(&chunk);
                }
                continue;
            }
            if name != "file" {
                let text = field.text().await.map_err(malformed)?;
                upload
                    .fields
                    .insert(name, text.chars().take(1000).collect());
                continue;
            }
            let file_name = field.file_name().unwrap_or("document").to_string();
            let docket = state.docket.clone();
            let internal = |e: tokio::task::JoinError| {
                super::error_page(
                    crate::ApiError::internal(format!("upload task failed: {e}")),
                    Layout::signed_out(state),
                )
            };
            let engine = |e: docket_engine::Error| {
                super::error_page(crate::ApiError::from(e), Layout::signed_out(state))
            };
            let mut writer = tokio::task::spawn_blocking(move || docket.upload_writer())
                .await
                .map_err(internal)?
                .map_err(engine)?;
            let mut head: Vec<u8> = Vec::new();
            let mut seen = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                seen += chunk.len() as u64;
                if seen > cap {
                    // Dropping the writer removes the partial file; the rest is never read.
                    return Err(too_large(cap));
                }
                if head.len() < 512 {
                    let take = (512 - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                writer = tokio::task::spawn_blocking(move || {
                    writer.write_chunk(&chunk).map(|()| writer)
                })
                .await
                .map_err(internal)?
                .map_err(engine)?;
            }
            if seen > 0 {
                let stored = tokio::task::spawn_blocking(move || writer.finish())
                    .await
                    .map_err(internal)?
                    .map_err(engine)?;
                upload.file = Some((file_name, crate::client::sniff(&head), stored));
            }
        }
        Ok(upload)
    }
}

fn refused_form(state: &AppState, why: &str) -> Response {
    Message::new("This form could not be accepted", why)
        .back("/admin", "Back to the overview")
        .render(StatusCode::FORBIDDEN, Layout::signed_out(state))
}

pub(super) fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE_SECURE, SESSION_COOKIE_PLAIN)
}

/// Not signed in: a page is asked for again after signing in; a form post is not repeated. A
/// browser whose session ended is told so.
fn to_sign_in(parts: &Parts, ended: bool) -> Response {
    let mut query = Vec::new();
    if parts.method == Method::GET || parts.method == Method::HEAD {
        let wanted = parts.uri.path_and_query().map_or("/admin", |p| p.as_str());
        query.push(("next", wanted));
    }
    if ended {
        query.push(("notice", "session-ended"));
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    if query.is_empty() {
        Redirect::to("/admin/sign-in").into_response()
    } else {
        Redirect::to(&format!("/admin/sign-in?{query}")).into_response()
    }
}

/// Where to go after signing in: a page of the admin, never another site.
pub(super) fn safe_next(next: &str) -> &str {
    let inside = (next == "/admin" || next.starts_with("/admin/") || next.starts_with("/admin?"))
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if inside { next } else { "/admin" }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
