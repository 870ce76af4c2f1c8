//! The firm's settings and its staff, for admins only: what the firm's emails and reminders
//! follow, and who can sign in with which role. Read only here; the settings come from the
//! configuration (`[firm]`) and staff are added with `docket user add`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::guard::AdminSession;
use super::{Layout, error_page, local_time, render};
use crate::AppState;

#[derive(Serialize)]
struct SettingsPage {
    name: String,
    timezone: String,
    send_time: String,
    send_schedule: String,
    holidays: Vec<String>,
    base_url: String,
    sub_statuses: Vec<(String, String)>,
    staff: Vec<Member>,
}

#[derive(Serialize)]
struct Member {
    name: String,
    email: String,
    role: &'static str,
    since: String,
}

/// `GET /admin/settings`.
pub(super) async fn settings(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
) -> Response {
    let layout = |s| Layout::signed_in(&state, s, "settings");
    let (firm, staff) = match state
        .call(|d| Ok((d.firm_settings()?, d.list_staff()?)))
        .await
    {
        Ok(found) => found,
        Err(e) => return error_page(e, layout(&session)),
    };
    let page = SettingsPage {
        name: firm.name,
        timezone: firm.timezone.name().to_string(),
        send_time: firm.send_time.format("%H:%M").to_string(),
        send_schedule: firm
            .send_schedule
            .unwrap_or_else(|| "every day at the send time".into()),
        holidays: firm
            .holidays
            .iter()
            .map(|d| d.format("%-d %b %Y").to_string())
            .collect(),
        base_url: firm.base_url,
        sub_statuses: firm
            .sub_statuses
            .iter()
            .map(|(status, subs)| (status.replace('_', " "), subs.join(", ")))
            .collect(),
        staff: staff
            .iter()
            .map(|m| Member {
                name: m.name.clone(),
                email: m.email.clone(),
                role: if m.is_admin() { "Admin" } else { "Staff" },
                since: local_time(&state, m.created_at),
            })
            .collect(),
    };
    render(
        StatusCode::OK,
        "admin/settings.html",
        layout(&session),
        &page,
    )
}
