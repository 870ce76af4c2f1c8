//! How the portal answers with a page: its templates, loaded once into one minijinja
//! environment (autoescaped, embedded in the binary), a page rendered from a context, the message
//! page with its one action, the firm as every page shows it (with the language the page is in,
//! said in `Content-Language`),
//! and the pages for a link that is not valid and for trouble on our side. Every word a client
//! reads is a Fluent message (`docket_engine::i18n`): `t(...)` in the templates, `say` here.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, context};

use crate::AppState;

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_filter("own_image", crate::browser::own_image);
    env.add_filter("shorten", crate::browser::shorten);
    env.set_formatter(crate::browser::page_formatter);
    // `t(...)` and the languages the footer offers.
    docket_engine::i18n::register(&mut env);
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

/// A rendered page with its status.
struct Page(StatusCode, String);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        (self.0, Html(self.1)).into_response()
    }
}

/// Page `name` for `firm`'s visitor: the firm's name and logo and the page's language are
/// added to `ctx`, and the answer says its language (`language.rs`).
pub(super) fn render(
    firm: &Firm,
    status: StatusCode,
    name: &str,
    ctx: minijinja::Value,
) -> Response {
    let ctx = context! {
        firm_name => firm.name,
        firm_logo_url => firm.logo_url,
        locale => firm.locale,
        ..ctx
    };
    let page = match render_html(name, ctx) {
        Ok(html) => Page(status, html).into_response(),
        Err(failed) => failed,
    };
    in_language(firm, page)
}

/// A page's HTML, or the answer to give when it cannot be rendered.
pub(super) fn render_html(
    name: &str,
    ctx: minijinja::Value,
) -> std::result::Result<String, Response> {
    PAGES
        .get_template(name)
        .and_then(|t| t.render(&ctx))
        .map_err(|e| {
            tracing::error!(template = name, error = %e, "cannot render a portal page");
            let locale = ctx
                .get_attr("locale")
                .ok()
                .and_then(|l| {
                    l.as_str()
                        .map(|code| docket_engine::i18n::resolve(Some(code)))
                })
                .unwrap_or(docket_engine::i18n::DEFAULT);
            let why = docket_engine::i18n::translate(locale, "page-trouble-why", &[])
                .unwrap_or_else(|_| "Something went wrong; please try again in a minute.".into());
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(axum::http::header::CONTENT_LANGUAGE, locale)],
                why,
            )
                .into_response()
        })
}

/// What a message page says, and the one action it may offer: the heading and the labels are
/// message ids, the lines already written (`say`) in the page's language.
pub(super) struct Message<'a> {
    pub(super) status: StatusCode,
    pub(super) heading: &'a str,
    pub(super) lines: Vec<String>,
    pub(super) action: Option<(String, &'a str)>,
    pub(super) back: Option<(String, &'a str)>,
}

impl Message<'_> {
    pub(super) fn render(self, firm: &Firm) -> Response {
        self.render_switching(firm, None)
    }

    /// The page, with the footer's language switch (`POST /language`, kept in the visitor's
    /// cookie) coming back to `back` when given.
    pub(super) fn render_switching(self, firm: &Firm, back: Option<&str>) -> Response {
        render(
            firm,
            self.status,
            "message.html",
            context! {
                heading => say(firm, self.heading),
                lines => self.lines,
                action => self.action.as_ref().map(|a| a.0.clone()),
                button => self.action.as_ref().map(|a| say(firm, a.1)),
                back => self.back.as_ref().map(|b| b.0.clone()),
                back_label => self.back.as_ref().map(|b| say(firm, b.1)),
                language_action => back.map(|_| "/language"),
                language_back => back,
            },
        )
    }
}

/// `response` as a page in `firm.locale`: `Content-Language`, and `Vary` when the language
/// came from the request.
fn in_language(firm: &Firm, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(firm.locale),
    );
    if firm.negotiated {
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
    }
    response
}

/// Message `id` in the language of `firm`'s page.
pub(super) fn say(firm: &Firm, id: &str) -> String {
    say_with(firm, id, &[])
}

/// Message `id` with text values, in the language of `firm`'s page.
pub(super) fn say_with(firm: &Firm, id: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<_> = args
        .iter()
        .map(|(name, value)| (*name, docket_engine::i18n::Arg::Text(value.to_string())))
        .collect();
    docket_engine::i18n::translate(firm.locale, id, &args).unwrap_or_else(|e| {
        tracing::error!(message = id, error = %e, "a portal text is missing");
        id.to_string()
    })
}

/// The firm as every page shows it, and the language the page is in: the contact's when the
/// page knows them, else the visitor's (`language::visitor`), else the firm's.
pub(super) struct Firm {
    pub(super) name: String,
    pub(super) logo_url: Option<String>,
    pub(super) locale: &'static str,
    /// Whether `locale` came from the request (its cookie or `Accept-Language`).
    pub(super) negotiated: bool,
}

/// The firm's name, logo and language; its settings are cached in memory, so this needs no
/// blocking hop. A page for a visitor Docket does not know yet takes `language::visitor`.
pub(super) fn firm(state: &AppState) -> Firm {
    match state.docket.firm_settings() {
        Ok(f) => Firm {
            name: f.name,
            logo_url: f.logo_url,
            locale: docket_engine::i18n::resolve(Some(&f.locale)),
            negotiated: false,
        },
        Err(_) => Firm {
            name: "Docket".into(),
            logo_url: None,
            locale: docket_engine::i18n::DEFAULT,
            negotiated: false,
        },
    }
}

pub(super) fn invalid_link(firm: &Firm) -> Response {
    invalid_link_message(firm).render(firm)
}

/// The page for a link that opens nothing, at `path` (`/c/TOKEN`): no contact is known, so its
/// footer offers the language switch, coming back here.
pub(super) fn invalid_link_at(firm: &Firm, path: &str) -> Response {
    invalid_link_message(firm).render_switching(firm, Some(path))
}

fn invalid_link_message(firm: &Firm) -> Message<'static> {
    Message {
        status: StatusCode::NOT_FOUND,
        heading: "page-invalid-link",
        lines: vec![say(firm, "page-invalid-link-why")],
        action: None,
        back: None,
    }
}

/// A checklist address this browser cannot open: never bound here, or no such group. The two
/// are answered alike, so a guessed work id learns nothing.
pub(super) fn not_here(firm: &Firm) -> Response {
    Message {
        status: StatusCode::NOT_FOUND,
        heading: "page-not-here",
        lines: vec![
            say(firm, "page-not-here-why"),
            say(firm, "page-not-here-account"),
        ],
        action: None,
        back: Some(("/account/sign-in".into(), "page-sign-in-account")),
    }
    .render(firm)
}

/// The group was given to someone else: this link or device no longer opens it, and no fresh
/// link is offered (it would go to the new recipient).
pub(super) fn reassigned(firm: &Firm) -> Response {
    Message {
        status: StatusCode::GONE,
        heading: "page-reassigned",
        lines: vec![
            say_with(firm, "page-reassigned-why", &[("firm", &firm.name)]),
            say(firm, "page-reassigned-mistake"),
        ],
        action: None,
        back: None,
    }
    .render(firm)
}

pub(super) fn trouble(firm: &Firm, e: &crate::ApiError) -> Response {
    tracing::error!(error = %e.message(), "portal request failed");
    Message {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        heading: "page-trouble",
        lines: vec![say(firm, "page-trouble-why")],
        action: None,
        back: None,
    }
    .render(firm)
}
