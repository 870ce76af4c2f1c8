//! The footer's language switch: `POST /language` (from a page with no known contact, kept in
//! the `docket_lang` cookie; with a signed-in account, on the contact as well),
//! `POST /c/TOKEN/language` (a live link's landing page: kept on the link's contact) and
//! `POST /account/s/TOKEN/language` (a sign-in link's page: kept on its contact). Each
//! answers with a redirect back, to a page now in that language.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::i18n;
use serde::Deserialize;

use super::guard::same_origin;
use super::language::{LANGUAGE_COOKIE, visitor};
use super::pages::{invalid_link, trouble};
use super::{ACCOUNT_COOKIE_PLAIN, ACCOUNT_COOKIE_SECURE, serde_urlencoded_form};
use crate::AppState;
use crate::browser::{cookie, cookie_header, serves_https};

/// How long a browser keeps the choice (400 days, the most browsers allow).
const LANGUAGE_COOKIE_MAX_AGE: u64 = 400 * 24 * 3600;

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
    let firm = super::link::for_link(&state, &headers, &token).await;
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

/// `POST /account/s/TOKEN/language`: the footer's switch on a sign-in link's page, kept on the
/// link's contact; back to that page, now in that language. A link that signs no one in is
/// answered as one.
pub(super) async fn choose_on_sign_in(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let firm = super::account::for_sign_in(&state, &headers, &token).await;
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let back = format!("/account/s/{token}");
    let Some(code) =
        serde_urlencoded_form::<Choice>(&body).and_then(|f| i18n::check_language(&f.locale).ok())
    else {
        return Redirect::to(&back).into_response();
    };
    match state
        .call(move |d| d.sign_in_link_set_locale(&token, code))
        .await
    {
        Ok(true) => Redirect::to(&back).into_response(),
        Ok(false) => super::account::invalid_sign_in(&firm),
        Err(e) => trouble(&firm, &e),
    }
}

#[cfg(test)]
#[path = "switch_tests.rs"]
mod tests;
