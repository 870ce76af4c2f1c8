//! The first start's setup page, `/admin/setup/{secret}`: the address `docket serve` prints on a
//! folder with no staff. It asks the firm's name, timezone and send time and the first admin's
//! name, email and password; bad input is shown by its field with what was typed kept (never the
//! password), and nothing changes until all is good. No session exists yet: the address's
//! secret admits the page, after the same-origin check on the post.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use docket_engine::docket::{FirstSetup, MIN_PASSWORD_LEN, SetupRefusal};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::{Layout, Message, error_page, render, sentence};

/// What the form carries (the password's two fields are never sent back).
#[derive(Deserialize, Serialize, Default, Clone)]
pub(in crate::admin) struct SetupForm {
    #[serde(default)]
    firm_name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    send_time: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, skip_serializing)]
    confirm_password: String,
}

#[derive(Serialize)]
struct SetupPage<'a> {
    values: &'a SetupForm,
    min_password: usize,
    /// A message by the field it is about.
    errors: BTreeMap<&'static str, String>,
}

fn page(
    state: &AppState,
    status: StatusCode,
    values: &SetupForm,
    errors: BTreeMap<&'static str, String>,
) -> Response {
    let page = SetupPage {
        values,
        min_password: MIN_PASSWORD_LEN,
        errors,
    };
    render(status, "admin/setup.html", Layout::signed_out(state), &page)
}

/// The page for an address that opens nothing: set up already, or used, replaced or expired.
fn refused(state: &AppState, why: SetupRefusal) -> Response {
    let message = match why {
        SetupRefusal::Done => Message::new(
            "Docket is set up",
            "The firm has its staff already. Sign in; an admin invites new members from Staff.",
        ),
        SetupRefusal::Expired => Message::new(
            "This setup address no longer works",
            "It was used, replaced by a later start of the server, or is past its hour. Restart `docket serve`: while the firm has no staff it prints a new one.",
        ),
    };
    message
        .back("/admin/sign-in", "Sign in")
        .render(StatusCode::GONE, Layout::signed_out(state))
}

/// `GET /admin/setup/{secret}`: the form, with the firm's current settings as its values.
pub(in crate::admin) async fn setup_form(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Response {
    let answer = state
        .call(move |d| Ok((d.check_setup_link(&secret)?, d.firm_settings()?)))
        .await;
    match answer {
        Ok((Ok(()), firm)) => {
            let values = SetupForm {
                firm_name: firm.name,
                timezone: firm.timezone.name().to_string(),
                send_time: firm.send_time.format("%H:%M").to_string(),
                ..SetupForm::default()
            };
            page(&state, StatusCode::OK, &values, BTreeMap::new())
        }
        Ok((Err(why), _)) => refused(&state, why),
        Err(e) => error_page(e, Layout::signed_out(&state)),
    }
}

/// `POST /admin/setup/{secret}`: sets the firm up, or shows the form again by field.
pub(in crate::admin) async fn complete_setup(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SetupForm>,
) -> Response {
    if !crate::browser::same_origin(&state, &headers) {
        return Message::new(
            "This form could not be accepted",
            "This form did not come from this site, so nothing was changed. Open the setup address again.",
        )
        .render(StatusCode::FORBIDDEN, Layout::signed_out(&state));
    }
    let setup = FirstSetup {
        firm_name: form.firm_name.clone(),
        timezone: form.timezone.clone(),
        send_time: form.send_time.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
    };
    // Every bad field at once, before anything is tried.
    let checked = setup.clone();
    match state.call(move |d| d.setup_problems(&checked)).await {
        Ok(problems) => {
            let mut errors = BTreeMap::new();
            for (field, message) in problems {
                errors.entry(field).or_insert_with(|| sentence(&message));
            }
            if form.password != form.confirm_password {
                errors.insert(
                    "confirm_password",
                    "This does not match the password.".to_string(),
                );
            }
            if !errors.is_empty() {
                return page(&state, StatusCode::UNPROCESSABLE_ENTITY, &form, errors);
            }
        }
        Err(e) => return error_page(e, Layout::signed_out(&state)),
    }
    let again = secret.clone();
    match state.run(move |d| d.complete_setup(&secret, &setup)).await {
        Ok(admin) => Message::new(
            "Docket is set up",
            format!(
                "Sign in as {} with the password you just chose, then add your templates and contacts, and invite your colleagues from Staff.",
                admin.email
            ),
        )
        .back("/admin/sign-in", "Sign in")
        .render(StatusCode::OK, Layout::signed_out(&state)),
        Err(Engine(e)) if e.is_invalid() => {
            let field = match e.field() {
                Some("firm_name") => "firm_name",
                Some("timezone") => "timezone",
                Some("send_time") => "send_time",
                Some("email") => "email",
                Some("password") => "password",
                _ => "name",
            };
            let errors = BTreeMap::from([(field, sentence(&e.to_string()))]);
            page(&state, StatusCode::UNPROCESSABLE_ENTITY, &form, errors)
        }
        Err(Engine(docket_engine::Error::Gone(_))) => {
            // Set up meanwhile, or the address ended: the page says which.
            let why = state
                .call(move |d| d.check_setup_link(&again))
                .await
                .ok()
                .and_then(Result::err)
                .unwrap_or(SetupRefusal::Expired);
            refused(&state, why)
        }
        Err(e) => error_page(e, Layout::signed_out(&state)),
    }
}
