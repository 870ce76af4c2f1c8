//! Signing in and out of the admin, and the member's own account page with the password
//! change. The sign-in form has no session yet, so it carries a token of its own, also set in a
//! short-lived cookie and compared in constant time (with the same-origin check): a page on
//! another site cannot sign a browser in.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Error;
use docket_engine::docket::{
    MIN_PASSWORD_LEN, PasswordChange, STAFF_SESSION_LIFETIME, StaffSignIn, new_secret,
    wait_in_words,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{
    SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE, StaffForm, StaffSession, safe_next, session_cookie,
};
use crate::admin::page_query::AdminQuery;
use crate::admin::sentence;
use crate::admin::{Layout, error_page, local_time, render};
use crate::browser::{
    client_address, cookie, cookie_header, cookie_name, same_origin, serves_https, user_agent,
};

/// The sign-in form's own token cookie, named like the others.
const FORM_COOKIE_SECURE: &str = "__Host-docket_sign_in";
const FORM_COOKIE_PLAIN: &str = "docket_sign_in";
/// How long a sign-in form stays good.
const FORM_COOKIE_MAX_AGE: u64 = 2 * 3600;

/// `GET /`: the admin, for a browser that opens the server's address.
pub(in crate::admin) async fn root(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if signed_in(&state, &headers).await {
        Redirect::to("/admin").into_response()
    } else {
        Redirect::to("/admin/sign-in").into_response()
    }
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(cookie) = session_cookie(headers) else {
        return false;
    };
    matches!(
        state.call(move |d| d.staff_session(&cookie)).await,
        Ok(Some(_))
    )
}

#[derive(Deserialize, Default)]
pub(in crate::admin) struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    notice: String,
}

#[derive(Serialize, Default)]
struct SignInPage {
    email: String,
    next: String,
    form_token: String,
    error: Option<String>,
    notice: Option<&'static str>,
    /// Which field the error is about, for `aria-describedby`: `email`, `password` or none.
    error_field: Option<&'static str>,
}

/// `GET /admin/sign-in`.
pub(in crate::admin) async fn sign_in_form(
    State(state): State<AppState>,
    AdminQuery(query): AdminQuery<SignInQuery>,
    headers: HeaderMap,
) -> Response {
    let next = safe_next(&query.next).to_string();
    if signed_in(&state, &headers).await {
        return Redirect::to(&next).into_response();
    }
    let notice = match query.notice.as_str() {
        "signed-out" => Some("You are signed out."),
        "session-ended" => Some("Your session ended; please sign in again."),
        _ => None,
    };
    sign_in_page(
        &state,
        &headers,
        StatusCode::OK,
        SignInPage {
            next,
            notice,
            ..SignInPage::default()
        },
    )
}

/// The form, with its token: the browser's own while it is well formed, else a fresh one.
fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    mut page: SignInPage,
) -> Response {
    let token = form_cookie(headers)
        .filter(|t| t.len() == 43)
        .unwrap_or_else(new_secret);
    page.form_token = token.clone();
    let mut response = render(
        status,
        "admin/sign_in.html",
        Layout::signed_out(state),
        &page,
    );
    let name = cookie_name(state, FORM_COOKIE_SECURE, FORM_COOKIE_PLAIN);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(name, &token, FORM_COOKIE_MAX_AGE, serves_https(state)),
    );
    response
}

fn form_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, FORM_COOKIE_SECURE, FORM_COOKIE_PLAIN)
}

#[derive(Deserialize)]
pub(in crate::admin) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    next: String,
}

/// `POST /admin/sign-in`.
pub(in crate::admin) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: axum::body::Bytes,
) -> Response {
    let form: SignInForm = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(e) => {
            let page = SignInPage {
                error: Some(format!("The form was not filled in as expected: {e}.")),
                ..SignInPage::default()
            };
            return sign_in_page(&state, &headers, StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let page = |error: String, error_field: Option<&'static str>| SignInPage {
        email: form.email.clone(),
        next: safe_next(&form.next).to_string(),
        error: Some(error),
        error_field,
        ..SignInPage::default()
    };
    let token_matches = form_cookie(&headers)
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(form.form_token.as_bytes())));
    if !same_origin(&state, &headers) || !token_matches {
        let why =
            "This sign-in form had expired or did not come from this site. Please sign in again.";
        return sign_in_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            page(why.into(), None),
        );
    }
    if form.email.trim().is_empty() {
        let why = "Enter your email address.";
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return sign_in_page(&state, &headers, status, page(why.into(), Some("email")));
    }
    if form.password.is_empty() {
        let why = "Enter your password.";
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return sign_in_page(&state, &headers, status, page(why.into(), Some("password")));
    }
    let address = client_address(&state, &headers, &extensions);
    let device = user_agent(&headers);
    let (email, password) = (form.email.clone(), form.password.clone());
    let answer = state
        .call(move |d| d.staff_sign_in(&email, &password, &address, &device))
        .await;
    match answer {
        Ok(StaffSignIn::SignedIn { cookie, .. }) => {
            let https = serves_https(&state);
            let mut response = Redirect::to(safe_next(&form.next)).into_response();
            let session_name = cookie_name(&state, SESSION_COOKIE_SECURE, SESSION_COOKIE_PLAIN);
            let lifetime = STAFF_SESSION_LIFETIME.num_seconds().unsigned_abs();
            let form_name = cookie_name(&state, FORM_COOKIE_SECURE, FORM_COOKIE_PLAIN);
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                cookie_header(session_name, &cookie, lifetime, https),
            );
            headers.append(header::SET_COOKIE, cookie_header(form_name, "", 0, https));
            response
        }
        Ok(StaffSignIn::Refused) => {
            metrics::counter!("docket_sign_in_refusals_total", "reason" => "wrong").increment(1);
            sign_in_page(
                &state,
                &headers,
                StatusCode::FORBIDDEN,
                page(
                    "That email address and password do not match an account here.".into(),
                    None,
                ),
            )
        }
        Ok(StaffSignIn::Wait(wait)) => {
            metrics::counter!("docket_sign_in_refusals_total", "reason" => "throttled")
                .increment(1);
            let why = format!(
                "Too many failed sign-ins from here or for this account. Wait {} and try again.",
                wait_in_words(wait)
            );
            let mut response = sign_in_page(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                page(why, None),
            );
            let seconds = wait.num_seconds().max(0) + 1;
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&seconds.to_string()).expect("digits"),
            );
            response
        }
        Err(e) => error_page(e, Layout::signed_out(&state)),
    }
}

#[derive(Deserialize)]
pub(in crate::admin) struct Nothing {}

/// `POST /admin/sign-out`.
pub(in crate::admin) async fn sign_out(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(Nothing {}): StaffForm<Nothing>,
) -> Response {
    let cookie = session.cookie.clone();
    if let Err(e) = state.call(move |d| d.staff_sign_out(&cookie)).await {
        return error_page(e, Layout::signed_out(&state));
    }
    let mut response = Redirect::to("/admin/sign-in?notice=signed-out").into_response();
    let name = cookie_name(&state, SESSION_COOKIE_SECURE, SESSION_COOKIE_PLAIN);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(name, "", 0, serves_https(&state)),
    );
    response
}

#[derive(Deserialize, Default)]
pub(in crate::admin) struct AccountQuery {
    #[serde(default)]
    notice: String,
}

#[derive(Serialize, Default)]
struct AccountPage {
    name: String,
    email: String,
    role: &'static str,
    session_ends: String,
    min_password: usize,
    notice: Option<&'static str>,
    errors: PasswordErrors,
}

/// A message next to each field of the password form that needs one.
#[derive(Serialize, Default)]
struct PasswordErrors {
    current_password: Option<String>,
    new_password: Option<String>,
    confirm_password: Option<String>,
}

fn account_page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: PasswordErrors,
) -> Response {
    let staff = &session.member.staff;
    let page = AccountPage {
        name: staff.name.clone(),
        email: staff.email.clone(),
        role: if staff.is_admin() { "Admin" } else { "Staff" },
        session_ends: local_time(state, session.member.session_expires_at),
        min_password: MIN_PASSWORD_LEN,
        notice,
        errors,
    };
    render(
        status,
        "admin/account.html",
        Layout::signed_in(state, session, "account"),
        &page,
    )
}

/// `GET /admin/account`: who is signed in, and the password form.
pub(in crate::admin) async fn account(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<AccountQuery>,
) -> Response {
    let notice = match query.notice.as_str() {
        "password-changed" => Some(
            "Your password is changed. Every other browser signed in as you was signed out; this one goes on with a fresh session.",
        ),
        _ => None,
    };
    account_page(
        &state,
        &session,
        StatusCode::OK,
        notice,
        PasswordErrors::default(),
    )
}

#[derive(Deserialize)]
pub(in crate::admin) struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// `POST /admin/account`: changes the password, given the current one.
pub(in crate::admin) async fn change_password(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    StaffForm(form): StaffForm<PasswordForm>,
) -> Response {
    let refuse = |status, errors| account_page(&state, &session, status, None, errors);
    if form.current_password.is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordErrors {
                current_password: Some("Enter your current password.".into()),
                ..PasswordErrors::default()
            },
        );
    }
    if form.new_password != form.confirm_password {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordErrors {
                confirm_password: Some("This does not match the new password.".into()),
                ..PasswordErrors::default()
            },
        );
    }
    let address = client_address(&state, &headers, &extensions);
    let cookie = session.cookie.clone();
    let answer = state
        .run(move |d| {
            d.change_password(
                &cookie,
                &form.current_password,
                &form.new_password,
                &address,
            )
        })
        .await;
    match answer {
        // The session the request came with is over: the browser goes on with a fresh one.
        Ok(PasswordChange::Changed { cookie }) => {
            let mut response =
                Redirect::to("/admin/account?notice=password-changed").into_response();
            let name = cookie_name(&state, SESSION_COOKIE_SECURE, SESSION_COOKIE_PLAIN);
            let lifetime = STAFF_SESSION_LIFETIME.num_seconds().unsigned_abs();
            response.headers_mut().append(
                header::SET_COOKIE,
                cookie_header(name, &cookie, lifetime, serves_https(&state)),
            );
            response
        }
        Ok(PasswordChange::WrongPassword) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordErrors {
                current_password: Some("That is not your current password.".into()),
                ..PasswordErrors::default()
            },
        ),
        Ok(PasswordChange::Wait(wait)) => refuse(
            StatusCode::TOO_MANY_REQUESTS,
            PasswordErrors {
                current_password: Some(format!(
                    "Too many wrong passwords lately. Wait {} and try again.",
                    wait_in_words(wait)
                )),
                ..PasswordErrors::default()
            },
        ),
        Err(Engine(e)) if e.is_invalid() => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordErrors {
                new_password: Some(sentence(&e.to_string())),
                ..PasswordErrors::default()
            },
        ),
        // The session ended meanwhile.
        Err(Engine(Error::Forbidden(_))) => Redirect::to("/admin/sign-in").into_response(),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "account")),
    }
}
