//! The client portal: server-rendered pages a client reaches from an emailed link. `GET /c/TOKEN`
//! shows a landing page and changes nothing; its button (`POST`) binds the group's checklist to
//! the device with a cookie; `/p/WORK/GROUP` is the checklist, authorised by that cookie alone
//! (or by the contact's signed-in account). Every page works without JavaScript. Every `POST`
//! passes the same-origin check first. Here: the routes, the cookies and the paths; `guard.rs`
//! admits a request to a checklist (`ClientSignIn`), `pages.rs` renders, `checklist.rs` is the
//! checklist and what a client does on it, `uploads.rs` files in and out, `link.rs` the magic
//! link, `account.rs` the client account, `cache.rs` checklist pages as last rendered,
//! `language.rs` the language a page is in, `switch.rs` the footer's language switch.

// A refusal here is the page to answer with, built once per request: its size is no cost.
#![allow(clippy::result_large_err)]

mod account;
pub(crate) mod cache;
mod checklist;
mod guard;
mod language;
mod link;
mod pages;
mod switch;
mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use docket_engine::model::WorkId;

use crate::AppState;
use crate::browser::{cookie, cookie_header};

pub(crate) use checklist::preview_page;
pub use uploads::sniff;

/// The device cookie's name: `__Host-` prefixed (and `Secure`) when the portal is served over
/// https, which browsers refuse on plain http.
const DEVICE_COOKIE_SECURE: &str = "__Host-docket_device";
const DEVICE_COOKIE_PLAIN: &str = "docket_device";

/// The client account's session cookie, named the same way.
const ACCOUNT_COOKIE_SECURE: &str = "__Host-docket_account";
const ACCOUNT_COOKIE_PLAIN: &str = "docket_account";

/// How long a browser keeps the device cookie (400 days, the most browsers allow).
const DEVICE_COOKIE_MAX_AGE: u64 = 400 * 24 * 3600;

/// A multipart form around a file adds headers and boundaries; a body larger than the cap by
/// more than this is refused before any of it is read.
const FORM_OVERHEAD: u64 = 64 * 1024;

const CSS: &str = include_str!("../../assets/portal.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/portal.css", get(css))
        .route("/c/{token}", get(link::landing).post(link::open_link))
        .route("/c/{token}/new-link", post(link::new_link_from_token))
        .route("/c/{token}/language", post(switch::choose_on_link))
        .route("/language", post(switch::choose))
        .route("/p/{work}/{group}", get(checklist::checklist))
        .route("/p/{work}/{group}/new-link", post(link::new_link_from_page))
        .route("/p/{work}/{group}/language", post(checklist::language))
        .route(
            "/p/{work}/{group}/tasks/{task}/done",
            post(checklist::task_done),
        )
        .route(
            "/p/{work}/{group}/tasks/{task}/comment",
            post(checklist::task_comment),
        )
        .route(
            "/p/{work}/{group}/tasks/{task}/upload",
            // The upload cap is enforced while the file streams in, not by axum's limit.
            post(uploads::task_upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/p/{work}/{group}/documents/{file}", get(uploads::document))
        .route("/account", get(account::account))
        .route(
            "/account/sign-in",
            get(account::sign_in_form).post(account::request_sign_in),
        )
        .route(
            "/account/s/{token}",
            get(account::sign_in_landing).post(account::sign_in),
        )
        .route(
            "/account/s/{token}/language",
            post(switch::choose_on_sign_in),
        )
        .route("/account/sign-out", post(account::sign_out))
        .layer(axum::middleware::map_response(
            crate::browser::security_headers,
        ))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

fn serde_urlencoded_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_urlencoded::from_bytes(body).ok()
}

fn checklist_path(work: WorkId, group: usize) -> String {
    format!("/p/{work}/{}", group + 1)
}

/// A work id and a 1-based group number from the path.
fn parse_group(work: &str, group: &str) -> Option<(WorkId, usize)> {
    let work: WorkId = work.parse().ok()?;
    let group = group.parse::<usize>().ok().filter(|&g| g >= 1)? - 1;
    Some((work, group))
}

/// The device secret from the request's cookies, under either name.
fn device_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, DEVICE_COOKIE_SECURE, DEVICE_COOKIE_PLAIN)
}

fn device_cookie_header(secret: &str, https: bool) -> HeaderValue {
    let name = if https {
        DEVICE_COOKIE_SECURE
    } else {
        DEVICE_COOKIE_PLAIN
    };
    cookie_header(name, secret, DEVICE_COOKIE_MAX_AGE, https)
}

/// A request path with any link token hidden, for logs.
pub fn redact_path(path: &str) -> String {
    for prefix in ["/c/", "/account/s/", "/admin/invite/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return match rest.split_once('/') {
                Some((_, tail)) => format!("{prefix}…/{tail}"),
                None => format!("{prefix}…"),
            };
        }
    }
    path.to_string()
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
