//! The page that asks before an action that ends or loses something, and needs no JavaScript:
//! the form staff used posts without `confirmed`, this page says what will be lost and posts the
//! same fields again with `confirmed=yes`. Used for work (`work/confirm.rs`), API tokens and staff
//! members (`staff/`).

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::guard::StaffSession;
use super::{Layout, render};
use crate::AppState;

/// The `confirmed` field of a form that is asked first.
#[derive(Deserialize, Default)]
pub(in crate::admin) struct Confirmed {
    #[serde(default)]
    confirmed: String,
}

impl Confirmed {
    pub(in crate::admin) fn yes(&self) -> bool {
        self.confirmed == "yes"
    }
}

/// What the confirm page says and posts again.
#[derive(Serialize)]
pub(in crate::admin) struct ConfirmPage {
    pub heading: String,
    pub question: String,
    /// Where the confirmed form posts.
    pub action: String,
    /// The fields of the first form, posted again as they were.
    pub fields: Vec<(&'static str, String)>,
    pub confirm: String,
    pub back: String,
    pub back_text: String,
}

/// The confirm page, in `section` of the admin's navigation.
pub(in crate::admin) fn ask(
    state: &AppState,
    session: &StaffSession,
    section: &'static str,
    page: ConfirmPage,
) -> Response {
    render(
        StatusCode::OK,
        "admin/confirm.html",
        Layout::signed_in(state, session, section),
        &page,
    )
}
