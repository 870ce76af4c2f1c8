//! The client portal: server-rendered pages a client reaches from an emailed link. `GET /c/TOKEN`
//! shows a landing page and changes nothing; its button (`POST`) binds the group's checklist to
//! the device with a cookie; `/p/WORK/GROUP` is the checklist, authorised by that cookie alone.
//! Every page works without JavaScript. Every `POST` passes the same-origin check first.

// A refusal here is the page to answer with, built once per request: its size is no cost.
#![allow(clippy::result_large_err)]

use std::sync::LazyLock;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use docket_engine::docket::{
    ACCOUNT_SESSION_LIFETIME, AccountItem, Checklist, ClientSession, LandingState, NoSession,
    Opened, SignInLinkState, SignInRequest, secret_hash,
};
use docket_engine::model::{UploadedFile, WorkId};
use minijinja::{Environment, context};
use serde::Deserialize;

use crate::AppState;
use crate::browser::{cookie, cookie_header, serves_https, user_agent};

mod account;
pub(crate) mod cache;
mod link;
mod uploads;

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

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Templates ending in .html escape everything they print.
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("landing.html", include_str!("../../templates/landing.html")),
        ("message.html", include_str!("../../templates/message.html")),
        (
            "checklist.html",
            include_str!("../../templates/checklist.html"),
        ),
        ("sign_in.html", include_str!("../../templates/sign_in.html")),
        (
            "sign_in_link.html",
            include_str!("../../templates/sign_in_link.html"),
        ),
        ("account.html", include_str!("../../templates/account.html")),
    ] {
        env.add_template(name, source)
            .expect("the portal's templates parse");
    }
    env
});

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/portal.css", get(css))
        .route("/c/{token}", get(link::landing).post(link::open_link))
        .route("/c/{token}/new-link", post(link::new_link_from_token))
        .route("/p/{work}/{group}", get(checklist))
        .route("/p/{work}/{group}/new-link", post(link::new_link_from_page))
        .route("/p/{work}/{group}/tasks/{task}/done", post(task_done))
        .route("/p/{work}/{group}/tasks/{task}/comment", post(task_comment))
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

// --- pages ---------------------------------------------------------------------------------

/// A rendered page with its status.
struct Page(StatusCode, String);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        (self.0, Html(self.1)).into_response()
    }
}

fn render(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    match render_html(name, ctx) {
        Ok(html) => Page(status, html).into_response(),
        Err(failed) => failed,
    }
}

/// A page's HTML, or the answer to give when it cannot be rendered.
fn render_html(name: &str, ctx: minijinja::Value) -> std::result::Result<String, Response> {
    PAGES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| {
            tracing::error!(template = name, error = %e, "cannot render a portal page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; please try again in a minute.",
            )
                .into_response()
        })
}

/// What a message page says, and the one action it may offer.
struct Message<'a> {
    status: StatusCode,
    heading: &'a str,
    lines: Vec<String>,
    action: Option<(String, &'a str)>,
    back: Option<(String, &'a str)>,
}

impl Message<'_> {
    fn render(self, firm: &Firm) -> Response {
        render(
            self.status,
            "message.html",
            context! {
                firm_name => firm.name,
                firm_logo_url => firm.logo_url,
                heading => self.heading,
                lines => self.lines,
                action => self.action.as_ref().map(|a| a.0.clone()),
                button => self.action.as_ref().map(|a| a.1),
                back => self.back.as_ref().map(|b| b.0.clone()),
                back_label => self.back.as_ref().map(|b| b.1),
            },
        )
    }
}

/// The firm as every page shows it.
struct Firm {
    name: String,
    logo_url: Option<String>,
}

/// The firm's name and logo; its settings are cached in memory, so this needs no blocking hop.
fn firm(state: &AppState) -> Firm {
    match state.docket.firm_settings() {
        Ok(f) => Firm {
            name: f.name,
            logo_url: f.logo_url,
        },
        Err(_) => Firm {
            name: "Docket".into(),
            logo_url: None,
        },
    }
}

fn invalid_link(firm: &Firm) -> Response {
    Message {
        status: StatusCode::NOT_FOUND,
        heading: "This link is not valid",
        lines: vec![
            "Check that you opened the whole link from your email. If it still does not work, reply to that email and ask for a new one.".into(),
        ],
        action: None,
        back: None,
    }
    .render(firm)
}

fn trouble(firm: &Firm, e: &crate::ApiError) -> Response {
    tracing::error!(error = %e.message(), "portal request failed");
    Message {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        heading: "Something went wrong",
        lines: vec!["We could not do that just now. Please try again in a minute.".into()],
        action: None,
        back: None,
    }
    .render(firm)
}

// --- the checklist ---------------------------------------------------------------------------

/// Why a request reached no checklist, as the page to show.
fn session(
    state: &AppState,
    headers: &HeaderMap,
    work: &str,
    group: &str,
    firm: &Firm,
) -> Result<ClientSession, Response> {
    with_session(state, headers, work, group, firm, |_, _| Ok(())).map(|(session, ())| session)
}

/// The session, and what `then` reads with it, in one trip to a blocking thread.
fn with_session<T>(
    state: &AppState,
    headers: &HeaderMap,
    work: &str,
    group: &str,
    firm: &Firm,
    then: impl FnOnce(&docket_engine::Docket, &ClientSession) -> docket_engine::Result<T>,
) -> Result<(ClientSession, T), Response> {
    let Some((work, group)) = parse_group(work, group) else {
        return Err(invalid_link(firm));
    };
    let secret = device_cookie(headers);
    let account = cookie(headers, ACCOUNT_COOKIE_SECURE, ACCOUNT_COOKIE_PLAIN);
    // Reads only, from sled's cache in a few tens of microseconds: done on this thread, since
    // a hop to a blocking thread would cost more than the reads.
    type Found<T> = std::result::Result<(ClientSession, T), NoSession>;
    let found = (move |d: &docket_engine::Docket| -> docket_engine::Result<Found<T>> {
        let mut found = d.client_session(work, group, secret.as_deref())?;
        if found.is_err()
            && let Some(contact) = d.account_contact(account.as_deref())?
            && let Some(session) = d.account_session(contact, work, group)?
        {
            // Signed in to the account, the contact opens any of their groups.
            found = Ok(session);
        }
        match found {
            Ok(session) => {
                let read = then(d, &session)?;
                Ok(Ok((session, read)))
            }
            Err(why) => Ok(Err(why)),
        }
    })(&state.docket)
    .map_err(crate::ApiError::from);
    match found {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(NoSession::OtherDevice)) => Err(link::other_device(firm, work, group)),
        Ok(Err(NoSession::Expired)) => Err(Message {
            status: StatusCode::GONE,
            heading: "Your access has expired",
            lines: vec!["We can email a fresh link to the address we have on file for you.".into()],
            action: Some((
                format!("{}/new-link", checklist_path(work, group)),
                "Send me a new access link",
            )),
            back: None,
        }
        .render(firm)),
        Ok(Err(NoSession::Gone)) => Err(invalid_link(firm)),
        Err(e) => Err(trouble(firm, &e)),
    }
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

/// `GET /p/WORK/GROUP`: the checklist, on the device it is bound to.
async fn checklist(
    State(state): State<AppState>,
    Path((work, group)): Path<(String, String)>,
    Query(notice): Query<Notice>,
    headers: HeaderMap,
) -> Response {
    // Read before anything else: a write from here on makes the page rendered below stale.
    let generation = state.docket.store().generation();
    let now = state.docket.now();
    let key = match (parse_group(&work, &group), device_cookie(&headers)) {
        (Some((work, group)), Some(secret)) if notice.notice.is_none() => Some(cache::Key {
            work,
            group,
            device: secret_hash(&secret),
        }),
        _ => None,
    };
    if let Some(html) = key
        .as_ref()
        .and_then(|key| state.pages.get(key, generation, now))
    {
        return Html(html).into_response();
    }
    let firm = firm(&state);
    let cap = state.docket.max_upload();
    match with_session(&state, &headers, &work, &group, &firm, |d, s| {
        d.checklist(s)
    }) {
        Ok((session, list)) => {
            let tz = list.timezone;
            let html = match checklist_page(list, notice.notice.as_deref(), cap) {
                Ok(html) => Bytes::from(html),
                Err(failed) => return failed,
            };
            // Kept only for a device's session (the key's cookie is what opened it).
            if let (Some(key), Some(until)) = (key, session.device_until) {
                let day = now.with_timezone(&tz).date_naive();
                state.pages.put(
                    key,
                    cache::Cached {
                        generation,
                        until,
                        tz,
                        day,
                        html: html.clone(),
                    },
                );
            }
            Html(html).into_response()
        }
        Err(page) => page,
    }
}

/// The checklist as its client sees it, for staff ("view as client", `admin/work_actions.rs`):
/// locked, with a banner saying it is a preview and a way back to `back`.
pub(crate) fn preview_page(list: Checklist, cap: u64, back: &str) -> Response {
    match checklist_html(list, None, cap, Some(back)) {
        Ok(html) => Html(html).into_response(),
        Err(failed) => failed,
    }
}

/// The checklist's HTML, or the answer to a page that could not be rendered.
fn checklist_page(
    list: Checklist,
    notice: Option<&str>,
    cap: u64,
) -> std::result::Result<String, Response> {
    checklist_html(list, notice, cap, None)
}

fn checklist_html(
    list: Checklist,
    notice: Option<&str>,
    cap: u64,
    preview: Option<&str>,
) -> std::result::Result<String, Response> {
    let tz = list.timezone;
    let comment_view = |c: &docket_engine::docket::ChecklistComment| {
        context! {
            author => c.author,
            at => c.at.with_timezone(&tz).format("%-d %B %Y, %H:%M").to_string(),
            body => c.body,
            by_client => c.by_client,
        }
    };
    let base = checklist_path(list.work, list.group);
    let done = list.tasks.iter().filter(|t| t.done).count();
    let total = list.tasks.len();
    let tasks: Vec<minijinja::Value> = list
        .tasks
        .iter()
        .map(|t| {
            context! {
                number => t.index + 1,
                title => t.title,
                description => t.description,
                due_text => t.due_date.format("%A %-d %B %Y").to_string(),
                done => t.done,
                overdue => t.overdue,
                documents => t.documents.iter().map(file_view(tz)).collect::<Vec<_>>(),
                links => t.links.iter().map(|(name, url)| context! { name, url }).collect::<Vec<_>>(),
                uploads => t.uploads.iter().map(file_view(tz)).collect::<Vec<_>>(),
                comments => t.comments.iter().map(comment_view).collect::<Vec<_>>(),
            }
        })
        .collect();
    let notice = match notice {
        Some("done") => Some("Marked done. Thank you!"),
        Some("uploaded") => Some("File uploaded. Thank you!"),
        Some("commented") => Some("Comment sent."),
        _ => None,
    };
    render_html(
        "checklist.html",
        context! {
            firm_name => list.firm_name,
            firm_logo_url => list.firm_logo_url,
            c => context! {
                work_name => list.work_name,
                group_name => list.group_name,
                contact_name => list.contact_name,
                locked => list.locked,
            },
            tasks,
            general => list.general.iter().map(comment_view).collect::<Vec<_>>(),
            // Staff previewing download through the admin: the client's route needs the client.
            documents => match preview {
                Some(_) => format!("/admin/work/{}/files", list.work),
                None => format!("{base}/documents"),
            },
            base,
            done,
            total,
            notice,
            max_upload => docket_engine::text::size(cap),
            preview,
        },
    )
}

fn file_view(tz: chrono_tz::Tz) -> impl Fn(&UploadedFile) -> minijinja::Value {
    move |f| {
        context! {
            id => f.id.to_string(),
            name => f.name,
            size => docket_engine::text::size(f.content.size),
            at => f.at.with_timezone(&tz).format("%-d %B %Y").to_string(),
        }
    }
}

/// Answers a client write: back to the task with a notice, or a page saying why not.
fn after_write(
    firm: &Firm,
    session: &ClientSession,
    task: usize,
    notice: &str,
    result: Result<(), crate::ApiError>,
) -> Response {
    let back = checklist_path(session.work, session.group);
    match result {
        Ok(()) => {
            Redirect::to(&format!("{back}?notice={notice}#task-{}", task + 1)).into_response()
        }
        Err(e) => {
            let status = e.status();
            if status.is_server_error() {
                return trouble(firm, &e);
            }
            Message {
                status,
                heading: "That could not be done",
                lines: vec![e.message().to_string()],
                action: None,
                back: Some((format!("{back}#task-{}", task + 1), "Back to my checklist")),
            }
            .render(firm)
        }
    }
}

/// A 1-based task number from the path, as a position.
fn task_index(raw: &str) -> Option<usize> {
    raw.parse::<usize>().ok().filter(|&n| n >= 1).map(|n| n - 1)
}

/// `POST /p/WORK/GROUP/tasks/N/done`.
async fn task_done(
    State(state): State<AppState>,
    Path((work, group, task)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let firm = firm(&state);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let session = match session(&state, &headers, &work, &group, &firm) {
        Ok(s) => s,
        Err(page) => return page,
    };
    let Some(task) = task_index(&task) else {
        return invalid_link(&firm);
    };
    let s = session.clone();
    let result = state.call(move |d| d.client_complete_task(&s, task)).await;
    after_write(&firm, &session, task, "done", result)
}

#[derive(Deserialize)]
struct CommentForm {
    body: String,
}

/// `POST /p/WORK/GROUP/tasks/N/comment`.
async fn task_comment(
    State(state): State<AppState>,
    Path((work, group, task)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let firm = firm(&state);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let session = match session(&state, &headers, &work, &group, &firm) {
        Ok(s) => s,
        Err(page) => return page,
    };
    let Some(task) = task_index(&task) else {
        return invalid_link(&firm);
    };
    let result = match serde_urlencoded_form::<CommentForm>(&body) {
        Some(form) => {
            let s = session.clone();
            state
                .call(move |d| d.client_comment(&s, task, &form.body))
                .await
        }
        None => Err(crate::ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the comment form was not filled in",
        )),
    };
    after_write(&firm, &session, task, "commented", result)
}

fn serde_urlencoded_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_urlencoded::from_bytes(body).ok()
}

// --- helpers ---------------------------------------------------------------------------------

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

/// The CSRF check of every portal `POST` (see `browser::same_origin`), refused with a page.
fn same_origin(state: &AppState, headers: &HeaderMap, firm: &Firm) -> Result<(), Response> {
    if crate::browser::same_origin(state, headers) {
        Ok(())
    } else {
        Err(Message {
            status: StatusCode::FORBIDDEN,
            heading: "This form could not be accepted",
            lines: vec![
                "It did not come from this site. Open the page again from your email and try once more.".into(),
            ],
            action: None,
            back: None,
        }
        .render(firm))
    }
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
