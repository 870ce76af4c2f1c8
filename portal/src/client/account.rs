//! The client account's pages: the sign-in form, the emailed sign-in link (a button; only its
//! `POST` spends it), the list of the contact's requests, and sign-out.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{
    ACCOUNT_SESSION_LIFETIME, AccountItem, SignInLinkState, SignInRequest,
};
use minijinja::context;
use serde::Deserialize;

use super::guard::same_origin;
use super::language::{visitor, with_contact};
use super::pages::{Firm, Message, render, say, trouble};
use super::{ACCOUNT_COOKIE_PLAIN, ACCOUNT_COOKIE_SECURE, checklist_path, serde_urlencoded_form};
use crate::AppState;
use crate::browser::{cookie, cookie_header, serves_https, user_agent};

/// `GET /account/sign-in`: the form; the firm may link to it from its website.
pub(super) async fn sign_in_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let firm = visitor(&state, &headers);
    render(
        &firm,
        StatusCode::OK,
        "sign_in.html",
        context! {
            language_action => "/language",
            language_back => "/account/sign-in",
        },
    )
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
}

/// `POST /account/sign-in`: emails a sign-in link to the address if it is a contact's. The
/// answer is the same either way.
pub(super) async fn request_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let firm = visitor(&state, &headers);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let email = serde_urlencoded_form::<SignInForm>(&body)
        .map(|f| f.email)
        .unwrap_or_default();
    match state.call(move |d| d.request_sign_in(&email)).await {
        Ok(SignInRequest::Accepted) => Message {
            status: StatusCode::OK,
            heading: "page-check-email",
            lines: vec![say(&firm, "page-sign-in-sent")],
            action: None,
            back: None,
        }
        .render(&firm),
        Ok(SignInRequest::Limited) => Message {
            status: StatusCode::TOO_MANY_REQUESTS,
            heading: "page-wait",
            lines: vec![say(&firm, "page-sign-in-limited")],
            action: None,
            back: None,
        }
        .render(&firm),
        Err(e) => trouble(&firm, &e),
    }
}

/// The firm as a page answering a request with sign-in link `token` shows it: in the language
/// of the contact it was sent to, else the visitor's.
pub(super) async fn for_sign_in(state: &AppState, headers: &HeaderMap, token: &str) -> Firm {
    let firm = visitor(state, headers);
    let lookup = token.to_string();
    match state.call(move |d| d.sign_in_locale(&lookup)).await {
        Ok(contact_locale) => with_contact(firm, contact_locale),
        Err(_) => firm,
    }
}

pub(super) fn invalid_sign_in(firm: &Firm) -> Response {
    Message {
        status: StatusCode::NOT_FOUND,
        heading: "page-sign-in-invalid",
        lines: vec![say(firm, "page-sign-in-invalid-why")],
        action: None,
        back: Some(("/account/sign-in".into(), "page-sign-in-again")),
    }
    .render(firm)
}

/// `GET /account/s/TOKEN`: a button; opening the link spends nothing.
pub(super) async fn sign_in_landing(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let firm = for_sign_in(&state, &headers, &token).await;
    let lookup = token.clone();
    match state.call(move |d| d.sign_in_link(&lookup)).await {
        Ok(SignInLinkState::Valid) => {
            // The choice is kept on the link's contact, whose language this page is in.
            let language_action = format!("/account/s/{token}/language");
            render(
                &firm,
                StatusCode::OK,
                "sign_in_link.html",
                context! { token, language_action },
            )
        }
        Ok(SignInLinkState::Invalid) => invalid_sign_in(&firm),
        Err(e) => trouble(&firm, &e),
    }
}

/// `POST /account/s/TOKEN`: signs in, spending the link.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let firm = for_sign_in(&state, &headers, &token).await;
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    let device = user_agent(&headers);
    match state.call(move |d| d.sign_in(&token, &device)).await {
        Ok(Some(secret)) => {
            let https = serves_https(&state);
            let name = if https {
                ACCOUNT_COOKIE_SECURE
            } else {
                ACCOUNT_COOKIE_PLAIN
            };
            let max_age = ACCOUNT_SESSION_LIFETIME.num_seconds().unsigned_abs();
            let mut response = Redirect::to("/account").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                cookie_header(name, &secret, max_age, https),
            );
            response
        }
        Ok(None) => invalid_sign_in(&firm),
        Err(e) => trouble(&firm, &e),
    }
}

/// `GET /account`: the contact's requests, open and completed.
pub(super) async fn account(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let firm = visitor(&state, &headers);
    let secret = cookie(&headers, ACCOUNT_COOKIE_SECURE, ACCOUNT_COOKIE_PLAIN);
    let found = state
        .call(move |d| match d.account_contact(secret.as_deref())? {
            Some(contact) => {
                let locale = d.locale_of(&d.contact(contact)?)?;
                d.account(contact).map(|a| Some((a, locale)))
            }
            None => Ok(None),
        })
        .await;
    let (account, locale) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return Redirect::to("/account/sign-in").into_response(),
        Err(e) => return trouble(&firm, &e),
    };
    let items = |items: &[AccountItem]| -> Vec<minijinja::Value> {
        items
            .iter()
            .map(|w| {
                let groups: Vec<minijinja::Value> = w
                    .groups
                    .iter()
                    .map(|(g, name, open)| {
                        context! {
                            path => checklist_path(w.work, *g),
                            name,
                            open_tasks => open,
                        }
                    })
                    .collect();
                context! { name => w.work_name, groups }
            })
            .collect()
    };
    let firm = Firm {
        locale,
        negotiated: false,
        ..firm
    };
    render(
        &firm,
        StatusCode::OK,
        "account.html",
        context! {
            language_action => "/language",
            language_back => "/account",
            contact_name => account.contact_name,
            email => account.email,
            open => items(&account.open),
            completed => items(&account.completed),
        },
    )
}

/// `POST /account/sign-out`.
pub(super) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let firm = visitor(&state, &headers);
    if let Err(refused) = same_origin(&state, &headers, &firm) {
        return refused;
    }
    if let Some(secret) = cookie(&headers, ACCOUNT_COOKIE_SECURE, ACCOUNT_COOKIE_PLAIN)
        && let Err(e) = state.call(move |d| d.sign_out(&secret)).await
    {
        return trouble(&firm, &e);
    }
    let https = serves_https(&state);
    let name = if https {
        ACCOUNT_COOKIE_SECURE
    } else {
        ACCOUNT_COOKIE_PLAIN
    };
    let mut response = Redirect::to("/account/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie_header(name, "", 0, https));
    response
}
