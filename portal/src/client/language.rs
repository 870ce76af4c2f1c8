//! The language of a portal page. A page for a known contact (a live link's landing page, the
//! checklist, the account) is in the contact's language, else the firm's. A page shown before
//! Docket knows who is asking (a broken or expired link, the sign-in pages, a refused form) is
//! in the visitor's choice from a footer (the `docket_lang` cookie), else the best match of the
//! browser's `Accept-Language` among the languages Docket has, else the firm's `firm.locale`;
//! such a page says `Vary: Accept-Language, Cookie`. Every page says `Content-Language`.
//!
//! The footer's switch posts here: `POST /language` (from a page with no known contact; with a
//! signed-in account it is kept on the contact as well) and `POST /c/TOKEN/language` (a live
//! link's landing page: kept on the link's contact). Each answers with a redirect back.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::i18n;
use serde::Deserialize;

use super::guard::same_origin;
use super::pages::{Firm, firm, invalid_link, trouble};
use super::{ACCOUNT_COOKIE_PLAIN, ACCOUNT_COOKIE_SECURE, serde_urlencoded_form};
use crate::AppState;
use crate::browser::{cookie, cookie_header, serves_https};

/// The cookie that keeps a visitor's choice; not a secret, so the same name on http and https.
const LANGUAGE_COOKIE: &str = "docket_lang";

/// How long a browser keeps the choice (400 days, the most browsers allow).
const LANGUAGE_COOKIE_MAX_AGE: u64 = 400 * 24 * 3600;

/// The firm as a page for a visitor Docket does not know yet shows it, in their language.
pub(super) fn visitor(state: &AppState, headers: &HeaderMap) -> Firm {
    let firm = firm(state);
    let locale = chosen(headers)
        .or_else(|| accepted(headers))
        .unwrap_or(firm.locale);
    Firm {
        locale,
        negotiated: true,
        ..firm
    }
}

/// The language the visitor chose from a footer, if it is one Docket has.
fn chosen(headers: &HeaderMap) -> Option<&'static str> {
    let code = cookie(headers, LANGUAGE_COOKIE, LANGUAGE_COOKIE)?;
    i18n::check_language(&code).ok()
}

/// The best match of the request's `Accept-Language` among Docket's languages: the tag with
/// the highest weight (the first of equal ones) whose language Docket has; `fr-CH` matches
/// `fr`. None when it names none of them.
pub(crate) fn accepted(headers: &HeaderMap) -> Option<&'static str> {
    let mut offered: Vec<(u16, &'static str)> = Vec::new();
    for value in headers.get_all(header::ACCEPT_LANGUAGE) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), weight);
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            if let (Some(weight), Ok(code)) = (weight, i18n::check_language(primary))
                && weight > 0
            {
                offered.push((weight, code));
            }
        }
    }
    // A stable sort keeps the header's order among equal weights.
    offered.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
    offered.first().map(|(_, code)| *code)
}

/// A `q=` weight in thousandths ("0.8" → 800); None when it is not one.
fn weight(q: &str) -> Option<u16> {
    let q: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

/// `response` as a page in `firm.locale`: `Content-Language`, and `Vary` when the language
/// came from the request.
pub(super) fn in_language(firm: &Firm, mut response: Response) -> Response {
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

#[derive(Deserialize)]
struct Choice {
    locale: String,
    back: Option<String>,
}

/// `POST /language`: the footer's switch on a page for a visitor Docket does not know (the
/// sign-in pages) or a signed-in account's. Kept in a cookie, and on the contact when an
/// account is signed in; back to `back` (a page of the portal), now in that language.
pub(super) async fn choose(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let firm = visitor(&state, &headers);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let form = serde_urlencoded_form::<Choice>(&body);
    let back = form
        .as_ref()
        .and_then(|f| f.back.as_deref())
        .filter(|back| portal_page(back))
        .unwrap_or("/account/sign-in")
        .to_string();
    let Some(code) = form.and_then(|f| i18n::check_language(&f.locale).ok()) else {
        return Redirect::to(&back).into_response();
    };
    let secret = cookie(&headers, ACCOUNT_COOKIE_SECURE, ACCOUNT_COOKIE_PLAIN);
    if let Err(e) = state
        .call(move |d| d.account_set_locale(secret.as_deref(), code))
        .await
    {
        return trouble(&firm, &e);
    }
    let mut response = Redirect::to(&back).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie_header(
            LANGUAGE_COOKIE,
            code,
            LANGUAGE_COOKIE_MAX_AGE,
            serves_https(&state),
        ),
    );
    response
}

/// Whether `path` is a page of the portal a footer may send the browser back to: a path of
/// this site (never `//host` or a full address), under `/account` or `/c/`.
fn portal_page(path: &str) -> bool {
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    local
        && (path == "/account" || path.starts_with("/account/") || path.starts_with("/c/"))
        && path.chars().all(|c| c.is_ascii_graphic())
}

/// `POST /c/TOKEN/language`: the footer's switch on a live link's landing page, kept on the
/// link's contact; back to the landing page, now in that language. A link that opens nothing
/// is answered as one.
pub(super) async fn choose_on_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let firm = visitor(&state, &headers);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let back = format!("/c/{token}");
    let Some(code) =
        serde_urlencoded_form::<Choice>(&body).and_then(|f| i18n::check_language(&f.locale).ok())
    else {
        return Redirect::to(&back).into_response();
    };
    match state.call(move |d| d.link_set_locale(&token, code)).await {
        Ok(true) => Redirect::to(&back).into_response(),
        Ok(false) => invalid_link(&firm),
        Err(e) => trouble(&firm, &e),
    }
}

#[cfg(test)]
#[path = "language_tests.rs"]
mod tests;
