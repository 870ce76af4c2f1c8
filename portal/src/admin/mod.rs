//! The staff admin: server-rendered pages under `/admin` for signed-in members of staff. A
//! browser opening `/` lands on the sign-in page (or the overview, when signed in). Every page
//! shares one layout (`admin/base.html`): navigation to the pages that exist, the member's name,
//! the unread count of their inbox and sign-out. No page needs JavaScript (one small script turns confirmations into a dialog); every form posts to
//! the page it came from with the session's form token, and passes the same-origin check first.
//!
//! Folders by noun, as the engine's: `work/` (the overview, the list, new work, a work item's
//! page, its actions and uploads), `templates/`, `contacts/`, `staff/` (sign-in, the account,
//! the inbox, users and tokens) and `settings/` (the firm's settings, plugins, the outbox). Here:
//! the routes, the layout and rendering; `assets.rs` the stylesheet and the script; `guard.rs` the extractors that admit a request (a
//! signed-in member, an admin, a checked form or upload), `page_query.rs` a page's query string,
//! `missing.rs` the 404 page that names what an address names and is not there, `words.rs` the
//! engine's words as a page says them.

// A refusal here is the page to answer with, built once per request: its size is no cost.
#![allow(clippy::result_large_err)]

use std::sync::LazyLock;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::AppState;

mod assets;
mod confirm;
mod contacts;
mod guard;
mod missing;
mod page_query;
mod replies;
mod settings;
mod staff;
mod templates;
mod words;
mod work;

pub use guard::{AdminSession, StaffForm, StaffSession, StaffUpload};
pub(crate) use words::{plain, sentence};

/// The admin's page templates, parsed once; `routes` forces them, so a template that does not
/// parse stops the server at start, never a request.
static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("own_image", crate::browser::own_image);
    env.add_filter("shorten", crate::browser::shorten);
    // The clients' languages, `(code, own name)`, for a contact's language field.
    env.add_function("languages", docket_engine::i18n::languages);
    env.set_formatter(crate::browser::page_formatter);
    // Templates ending in .html escape everything they print.
    for (name, source) in [
        (
            "admin/base.html",
            include_str!("../../templates/admin/base.html"),
        ),
        (
            "admin/sign_in.html",
            include_str!("../../templates/admin/sign_in.html"),
        ),
        (
            "admin/message.html",
            include_str!("../../templates/admin/message.html"),
        ),
        (
            "admin/home.html",
            include_str!("../../templates/admin/home.html"),
        ),
        (
            "admin/work.html",
            include_str!("../../templates/admin/work.html"),
        ),
        (
            "admin/work_list.html",
            include_str!("../../templates/admin/work_list.html"),
        ),
        (
            "admin/work_new.html",
            include_str!("../../templates/admin/work_new.html"),
        ),
        (
            "admin/confirm.html",
            include_str!("../../templates/admin/confirm.html"),
        ),
        (
            "admin/work_bulk.html",
            include_str!("../../templates/admin/work_bulk.html"),
        ),
        (
            "admin/work_send.html",
            include_str!("../../templates/admin/work_send.html"),
        ),
        (
            "admin/inbox.html",
            include_str!("../../templates/admin/inbox.html"),
        ),
        (
            "admin/replies.html",
            include_str!("../../templates/admin/replies.html"),
        ),
        (
            "admin/reply_attach.html",
            include_str!("../../templates/admin/reply_attach.html"),
        ),
        (
            "admin/account.html",
            include_str!("../../templates/admin/account.html"),
        ),
        (
            "admin/settings.html",
            include_str!("../../templates/admin/settings.html"),
        ),
        (
            "admin/tokens.html",
            include_str!("../../templates/admin/tokens.html"),
        ),
        (
            "admin/templates.html",
            include_str!("../../templates/admin/templates.html"),
        ),
        (
            "admin/template_new.html",
            include_str!("../../templates/admin/template_new.html"),
        ),
        (
            "admin/template.html",
            include_str!("../../templates/admin/template.html"),
        ),
        (
            "admin/contacts.html",
            include_str!("../../templates/admin/contacts.html"),
        ),
        (
            "admin/contact.html",
            include_str!("../../templates/admin/contact.html"),
        ),
        (
            "admin/users.html",
            include_str!("../../templates/admin/users.html"),
        ),
        (
            "admin/invite.html",
            include_str!("../../templates/admin/invite.html"),
        ),
        (
            "admin/setup.html",
            include_str!("../../templates/admin/setup.html"),
        ),
        (
            "admin/plugins.html",
            include_str!("../../templates/admin/plugins.html"),
        ),
        (
            "admin/outbox.html",
            include_str!("../../templates/admin/outbox.html"),
        ),
        (
            "admin/outbox_message.html",
            include_str!("../../templates/admin/outbox_message.html"),
        ),
        (
            "admin/views.html",
            include_str!("../../templates/admin/views.html"),
        ),
        (
            "admin/work_table.html",
            include_str!("../../templates/admin/work_table.html"),
        ),
        (
            "admin/search.html",
            include_str!("../../templates/admin/search.html"),
        ),
        (
            "admin/activity.html",
            include_str!("../../templates/admin/activity.html"),
        ),
        (
            "admin/selection.html",
            include_str!("../../templates/admin/selection.html"),
        ),
        (
            "admin/selection_confirm.html",
            include_str!("../../templates/admin/selection_confirm.html"),
        ),
    ] {
        if let Err(e) = env.add_template(name, source) {
            panic!("the admin template {name} does not parse: {e:#}");
        }
    }
    env
});

pub fn routes() -> Router<AppState> {
    LazyLock::force(&PAGES);
    Router::new()
        .route("/", get(staff::sign_in::root))
        .route(assets::CSS_PATH.as_str(), get(assets::css))
        .route(assets::JS_PATH.as_str(), get(assets::js))
        .route(
            "/admin/sign-in",
            get(staff::sign_in::sign_in_form).post(staff::sign_in::sign_in),
        )
        .route("/admin/sign-out", post(staff::sign_in::sign_out))
        .route(
            "/admin/account",
            get(staff::sign_in::account).post(staff::sign_in::change_password),
        )
        .route("/admin", get(work::home))
        // The address with a slash leads to the same place.
        .route(
            "/admin/",
            get(|| async { axum::response::Redirect::permanent("/admin") }),
        )
        .route("/admin/work", get(work::list::work_list))
        .route(
            "/admin/work/selection",
            post(work::selection::act_on_selection),
        )
        .route("/admin/work/selection/{key}", get(work::selection::summary))
        .route("/admin/search", get(work::find::search))
        .route("/admin/activity", get(work::find::active_clients))
        .route("/admin/activity/failed", get(work::find::failed_emails))
        .route(
            "/admin/work/new",
            get(work::new::new_work_form).post(work::new::create_work),
        )
        .route(
            "/admin/work/bulk",
            get(work::bulk::bulk_form).post(work::bulk::create_bulk),
        )
        .route("/admin/work/{id}", get(work::item::work_page))
        .route("/admin/work/{id}/details", post(work::actions::details))
        .route("/admin/work/{id}/pause", post(work::pause::pause))
        .route("/admin/work/{id}/repeat", post(work::repeat::repeat))
        .route(
            "/admin/work/{id}/{action}",
            post(work::confirm::work_status),
        )
        .route(
            "/admin/work/{id}/files/{file}",
            get(work::actions::download),
        )
        .route(
            "/admin/work/{id}/files/{file}/remove",
            post(work::confirm::remove_file),
        )
        .route(
            "/admin/work/{id}/groups/{group}/settings",
            post(work::actions::settings),
        )
        .route(
            "/admin/work/{id}/groups/{group}/recipient",
            post(work::confirm::recipient),
        )
        .route(
            "/admin/work/{id}/groups/{group}/tasks",
            post(work::actions::add_task),
        )
        .route(
            "/admin/work/{id}/groups/{group}/tasks/{task}/edit",
            post(work::actions::edit_task),
        )
        .route(
            "/admin/work/{id}/groups/{group}/tasks/{task}/attach",
            post(work::upload::attach),
        )
        .route(
            "/admin/work/{id}/groups/{group}/as-client",
            get(work::actions::as_client),
        )
        .route(
            "/admin/work/{id}/groups/{group}/{action}",
            get(work::actions::send_form).post(work::actions::send),
        )
        .route(
            "/admin/work/{id}/groups/{group}/tasks/{task}/comment",
            post(work::actions::comment),
        )
        .route(
            "/admin/work/{id}/groups/{group}/tasks/{task}/review",
            post(work::review::review),
        )
        .route(
            "/admin/work/{id}/groups/{group}/tasks/{task}/{action}",
            post(work::actions::task),
        )
        .route("/admin/inbox", get(staff::inbox::inbox))
        .route("/admin/inbox/read-all", post(staff::inbox::read_all))
        .route("/admin/inbox/{id}/read", post(staff::inbox::read_one))
        .route("/admin/replies", get(replies::replies))
        .route(
            "/admin/replies/{id}/attach",
            get(replies::pick).post(replies::attach),
        )
        .route("/admin/replies/{id}/discard", post(replies::discard))
        .route(
            "/admin/settings",
            get(settings::settings).post(settings::save),
        )
        .route("/admin/settings/test-email", post(settings::test_email))
        .route(
            "/admin/settings/resume-sending",
            post(settings::resume_sending),
        )
        .route("/admin/settings/logo", post(settings::upload_logo))
        .route("/firm/logo", get(settings::logo))
        .route(
            "/admin/tokens",
            get(staff::tokens::tokens).post(staff::tokens::create),
        )
        .route("/admin/tokens/{id}/revoke", post(staff::tokens::revoke))
        .route("/admin/templates", get(templates::list::list))
        .route("/admin/templates/import", post(templates::list::import))
        .route(
            "/admin/templates/import/replace",
            post(templates::list::import_replace),
        )
        .route(
            "/admin/templates/new",
            get(templates::pages::new_form).post(templates::pages::create),
        )
        .route(
            "/admin/templates/{id}",
            get(templates::pages::page).post(templates::edits::edit),
        )
        .route(
            "/admin/templates/{id}/documents",
            post(templates::edits::upload),
        )
        .route("/admin/templates/{id}/export", get(templates::list::export))
        .route(
            "/admin/contacts",
            get(contacts::list).post(contacts::create),
        )
        .route(
            "/admin/contacts/{id}",
            get(contacts::page).post(contacts::edit),
        )
        .route(
            "/admin/users",
            get(staff::users::users).post(staff::users::invite),
        )
        .route("/admin/users/{id}/role", post(staff::users::set_role))
        .route("/admin/users/{id}/{action}", post(staff::users::toggle))
        .route("/admin/plugins", get(settings::plugins::plugins))
        .route(
            "/admin/plugins/{name}/grants",
            post(settings::plugins::grant),
        )
        .route("/admin/outbox", get(settings::outbox::outbox))
        .route("/admin/outbox/{id}", get(settings::outbox::message))
        .route(
            "/admin/invite/{secret}",
            get(staff::users::invite_form).post(staff::users::accept_invite),
        )
        .route(
            "/admin/setup/{secret}",
            get(staff::setup::setup_form).post(staff::setup::complete_setup),
        )
        .layer(axum::middleware::map_response(
            crate::browser::security_headers,
        ))
}

// --- the layout --------------------------------------------------------------------------------

/// What the layout needs on every page: the firm, the stylesheet, and — once signed in — the
/// member's bar.
#[derive(Serialize)]
struct Layout {
    firm_name: String,
    css: &'static str,
    /// The script's address (`assets.rs`).
    js: &'static str,
    shell: Option<Shell>,
}

/// The signed-in member's bar: navigation, name, unread count, sign-out.
#[derive(Serialize)]
struct Shell {
    member_name: String,
    is_admin: bool,
    /// The unread count as shown: "3", or "99+".
    unread: Option<String>,
    form_token: String,
    /// Which navigation entry is this page's: `work`, `inbox`, `replies`, `templates`,
    /// `contacts`, `settings` or `account`.
    section: &'static str,
    /// While sending is paused (a restored folder), the sentence that says so on every page.
    paused: Option<String>,
    /// What the header's search box holds: the search of the search page.
    searched: String,
}

impl Layout {
    fn signed_out(state: &AppState) -> Layout {
        Layout {
            firm_name: firm_name(state),
            css: assets::CSS_PATH.as_str(),
            js: assets::JS_PATH.as_str(),
            shell: None,
        }
    }

    fn signed_in(state: &AppState, session: &StaffSession, section: &'static str) -> Layout {
        let unread = match session.unread {
            0 => None,
            n if n > 99 => Some("99+".to_string()),
            n => Some(n.to_string()),
        };
        Layout {
            firm_name: firm_name(state),
            css: assets::CSS_PATH.as_str(),
            js: assets::JS_PATH.as_str(),
            shell: Some(Shell {
                member_name: session.member.staff.name.clone(),
                is_admin: session.member.is_admin(),
                unread,
                form_token: session.member.form_token.clone(),
                section,
                paused: paused_text(state),
                searched: String::new(),
            }),
        }
    }

    /// The layout with the header's search box holding `q`.
    fn searched(mut self, q: &str) -> Layout {
        if let Some(shell) = &mut self.shell {
            shell.searched = q.trim().to_string();
        }
        self
    }
}

/// The sentence about a pause of sending, when there is one: one small read of `meta`.
fn paused_text(state: &AppState) -> Option<String> {
    let pause = match state.docket.sending_pause() {
        Ok(pause) => pause?,
        Err(e) => {
            tracing::error!(error = %e, "cannot read whether sending is paused");
            return None;
        }
    };
    let zone = state
        .docket
        .firm_settings()
        .map(|f| f.timezone)
        .unwrap_or(chrono_tz::UTC);
    Some(docket_engine::docket::pause_text(&pause, zone))
}

/// The firm's name; its settings are cached in memory, so this needs no blocking hop.
fn firm_name(state: &AppState) -> String {
    state
        .docket
        .firm_settings()
        .map(|f| f.name)
        .unwrap_or_else(|_| "Docket".into())
}

/// A page: the layout's fields and the page's own, side by side for the template.
#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    #[serde(flatten)]
    layout: Layout,
    #[serde(flatten)]
    page: &'a T,
}

fn render<T: Serialize>(status: StatusCode, name: &str, layout: Layout, page: &T) -> Response {
    match PAGES
        .get_template(name)
        .and_then(|t| t.render(Page { layout, page }))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %format!("{e:#}"), "cannot render an admin page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; the server log has the details.",
            )
                .into_response()
        }
    }
}

/// A page that says one thing, with a way back.
#[derive(Serialize)]
struct Message {
    heading: String,
    lines: Vec<String>,
    back: Option<(String, String)>,
}

impl Message {
    fn new(heading: impl Into<String>, line: impl Into<String>) -> Message {
        Message {
            heading: heading.into(),
            lines: vec![plain(&line.into())],
            back: None,
        }
    }

    fn back(mut self, href: impl Into<String>, label: impl Into<String>) -> Message {
        self.back = Some((href.into(), label.into()));
        self
    }

    fn render(&self, status: StatusCode, layout: Layout) -> Response {
        render(status, "admin/message.html", layout, self)
    }
}

/// An engine error as a page: a message for what staff can act on, the log for the rest.
fn error_page(error: impl Into<crate::ApiError>, layout: Layout) -> Response {
    let error = error.into();
    let status = error.status();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        return Message::new(
            "The database does not answer",
            "Docket cannot reach its database just now, so nothing was changed. Try again in a minute; if it lasts, the server log says why.",
        )
        .back("/admin", "Back to the overview")
        .render(status, layout);
    }
    if status.is_server_error() {
        return Message::new(
            "Something went wrong",
            "We could not do that just now. Please try again in a minute; the server log has the details.",
        )
        .back("/admin", "Back to the overview")
        .render(status, layout);
    }
    if status == StatusCode::NOT_FOUND
        && let Some(noun) = missing::noun(error.message())
    {
        return missing::page(noun, layout);
    }
    Message::new("That could not be done", error.message())
        .back("/admin", "Back to the overview")
        .render(status, layout)
}

/// A date and time in the firm's zone, as pages show them.
fn local_time(state: &AppState, at: chrono::DateTime<chrono::Utc>) -> String {
    let zone = state
        .docket
        .firm_settings()
        .map(|f| f.timezone)
        .unwrap_or(chrono_tz::UTC);
    at.with_timezone(&zone)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

/// A status as staff read it.
fn status_text(status: docket_engine::model::WorkStatus, sub: Option<&str>) -> String {
    let text = status.label();
    match sub {
        Some(sub) => format!("{text} — {sub}"),
        None => text.to_string(),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
