//! The firm's settings and how the server runs, for admins only: the plugins it serves
//! (`plugins.rs`), the outbox (`outbox.rs`), and here the settings form — what the firm's emails
//! and reminders follow (name, timezone, send time and schedule, holidays, sub-statuses), with
//! each bad field's message next to it and nothing changed; keys the configuration sets are shown
//! read-only, naming the key — with the logo and the test email. Links lead to the other
//! admin-only pages (API tokens), and the staff are listed.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{SettingsChange, SettingsError, pinned_message};
use docket_engine::model::{FirmSettings, StaffMember, WorkStatus};
use serde::{Deserialize, Serialize};

use super::guard::{AdminSession, StaffForm, StaffSession, StaffUpload};
use super::page_query::AdminQuery;
use super::sentence;
use super::{Layout, error_page, local_time, render};
use crate::AppState;

pub(super) mod outbox;
pub(super) mod plugins;

#[derive(Serialize)]
struct SettingsPage {
    notice: Option<&'static str>,
    /// The values as shown in the form: stored, or as typed when the form is shown again.
    form: Fields,
    errors: Fields,
    /// Why a field cannot be changed here, when the configuration sets it.
    pinned: Fields,
    statuses: Vec<StatusField>,
    base_url: String,
    /// Where `base_url` comes from, as a phrase.
    base_url_from: &'static str,
    /// Where email goes (never with the SMTP password).
    transport: String,
    max_logo_kib: usize,
    /// The logo's public address, without its version.
    logo_address: String,
    /// The signed-in admin's address, where a test email goes.
    me: String,
    staff: Vec<Member>,
}

/// One text per field of the form.
#[derive(Serialize, Default)]
struct Fields {
    name: Option<String>,
    timezone: Option<String>,
    send_time: Option<String>,
    send_schedule: Option<String>,
    holidays: Option<String>,
    locale: Option<String>,
    sub_statuses: Option<String>,
    logo: Option<String>,
}

/// The sub-statuses of one work status, one a line.
#[derive(Serialize)]
struct StatusField {
    field: String,
    label: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct Member {
    name: String,
    email: String,
    role: &'static str,
    since: String,
}

/// The form as posted. A field the page shows read-only (set by the configuration) is not
/// posted, and stays as it is.
#[derive(Deserialize)]
pub(super) struct SettingsForm {
    name: Option<String>,
    timezone: Option<String>,
    send_time: Option<String>,
    send_schedule: Option<String>,
    holidays: Option<String>,
    locale: Option<String>,
    sub_planned: Option<String>,
    sub_waiting_on_client: Option<String>,
    sub_in_progress: Option<String>,
    sub_completed: Option<String>,
}

impl SettingsForm {
    fn change(&self) -> SettingsChange {
        let lines = |text: &str| -> Vec<String> {
            text.split(['\n', ','])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        };
        let subs: Vec<(String, Vec<String>)> = WorkStatus::ALL
            .into_iter()
            .filter_map(|status| {
                self.sub(status)
                    .map(|text| (status.as_str().to_string(), lines(text)))
            })
            .collect();
        SettingsChange {
            name: self.name.clone(),
            timezone: self.timezone.clone(),
            send_time: self.send_time.clone(),
            send_schedule: self.send_schedule.clone(),
            holidays: self.holidays.as_deref().map(lines),
            locale: self.locale.clone(),
            sub_statuses: (!subs.is_empty()).then(|| subs.into_iter().collect()),
        }
    }

    fn sub(&self, status: WorkStatus) -> Option<&str> {
        match status {
            WorkStatus::Planned => self.sub_planned.as_deref(),
            WorkStatus::WaitingOnClient => self.sub_waiting_on_client.as_deref(),
            WorkStatus::InProgress => self.sub_in_progress.as_deref(),
            WorkStatus::Completed => self.sub_completed.as_deref(),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct SettingsQuery {
    #[serde(default)]
    notice: String,
}

fn status_label(status: WorkStatus) -> &'static str {
    match status {
        WorkStatus::Planned => "Sub-statuses of Planned",
        WorkStatus::WaitingOnClient => "Sub-statuses of Waiting on the client",
        WorkStatus::InProgress => "Sub-statuses of In progress",
        WorkStatus::Completed => "Sub-statuses of Completed",
    }
}

/// The page for `firm`, with `typed` (the posted form) shown instead where given.
fn settings_page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    (firm, pinned, staff): (FirmSettings, Vec<String>, Vec<StaffMember>),
    typed: Option<&SettingsForm>,
    errors: &[SettingsError],
    notice: Option<&'static str>,
) -> Response {
    let error = |key: &str| {
        errors
            .iter()
            .find(|e| e.key == key)
            .map(|e| sentence(&e.message))
    };
    let pin = |key: &str| {
        pinned
            .iter()
            .any(|p| p == key)
            .then(|| crate::admin::plain(&pinned_message(key)))
    };
    let stored = Fields {
        name: Some(firm.name.clone()),
        timezone: Some(firm.timezone.name().to_string()),
        send_time: Some(firm.send_time.format("%H:%M").to_string()),
        send_schedule: Some(firm.send_schedule.clone().unwrap_or_default()),
        holidays: Some(
            firm.holidays
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        locale: Some(firm.locale.clone()),
        sub_statuses: None,
        logo: firm.logo_url.clone(),
    };
    let form = match typed {
        Some(t) => Fields {
            name: t.name.clone().or(stored.name),
            timezone: t.timezone.clone().or(stored.timezone),
            send_time: t.send_time.clone().or(stored.send_time),
            send_schedule: t.send_schedule.clone().or(stored.send_schedule),
            holidays: t.holidays.clone().or(stored.holidays),
            locale: t.locale.clone().or(stored.locale),
            sub_statuses: None,
            logo: stored.logo,
        },
        None => stored,
    };
    let statuses = WorkStatus::ALL
        .into_iter()
        .map(|s| StatusField {
            field: format!("sub_{}", s.as_str()),
            label: status_label(s),
            value: typed
                .and_then(|t| t.sub(s))
                .map(String::from)
                .unwrap_or_else(|| {
                    firm.sub_statuses
                        .get(s.as_str())
                        .map(|names| names.join("\n"))
                        .unwrap_or_default()
                }),
            error: error(&format!("sub_statuses.{}", s.as_str())),
        })
        .collect();
    let page = SettingsPage {
        notice,
        form,
        errors: Fields {
            name: error("name"),
            timezone: error("timezone"),
            send_time: error("send_time"),
            send_schedule: error("send_schedule"),
            holidays: error("holidays"),
            locale: error("locale"),
            sub_statuses: error("sub_statuses"),
            logo: error("logo"),
        },
        pinned: Fields {
            name: pin("name"),
            timezone: pin("timezone"),
            send_time: pin("send_time"),
            send_schedule: pin("send_schedule"),
            holidays: pin("holidays"),
            locale: pin("locale"),
            sub_statuses: pin("sub_statuses"),
            logo: pin("logo_url"),
        },
        statuses,
        base_url: firm.base_url.clone(),
        base_url_from: if state.base_url_from_listen {
            "the address the server listens on (--listen or server.listen), as server.base_url is not configured"
        } else {
            "server.base_url in the configuration"
        },
        transport: outbox::transport_text(state),
        max_logo_kib: docket_engine::docket::MAX_LOGO_BYTES / 1024,
        logo_address: format!("{}/firm/logo", firm.base_url.trim_end_matches('/')),
        me: session.member.staff.email.clone(),
        staff: staff
            .iter()
            .map(|m| Member {
                name: m.name.clone(),
                email: m.email.clone(),
                role: if m.is_admin() { "Admin" } else { "Staff" },
                since: local_time(state, m.created_at),
            })
            .collect(),
    };
    render(
        status,
        "admin/settings.html",
        Layout::signed_in(state, session, "settings"),
        &page,
    )
}

/// `GET /admin/settings`.
pub(super) async fn settings(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    AdminQuery(query): AdminQuery<SettingsQuery>,
) -> Response {
    let notice = match query.notice.as_str() {
        "saved" => Some("The settings are saved."),
        "resumed" => Some("Sending is resumed: what is due goes out now, each group once."),
        "logo" => Some("The logo is saved; emails and the client portal show it."),
        "test-queued" => Some(
            "A test email to you is queued; the outbox shows when it is sent, or why it failed.",
        ),
        _ => None,
    };
    match state
        .call(|d| Ok((d.firm_settings()?, d.pinned_settings(), d.list_staff()?)))
        .await
    {
        Ok(found) => settings_page(&state, &session, StatusCode::OK, found, None, &[], notice),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

/// `POST /admin/settings`: saves the form, or shows it again with each bad field's message and
/// nothing changed.
pub(super) async fn save(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    StaffForm(form): StaffForm<SettingsForm>,
) -> Response {
    let change = form.change();
    let answer = state
        .call(move |d| {
            let outcome = d.try_change_settings(&change)?;
            Ok((
                outcome,
                d.firm_settings()?,
                d.pinned_settings(),
                d.list_staff()?,
            ))
        })
        .await;
    match answer {
        Ok((Ok(_), ..)) => Redirect::to("/admin/settings?notice=saved").into_response(),
        Ok((Err(errors), firm, pinned, staff)) => settings_page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            (firm, pinned, staff),
            Some(&form),
            &errors,
            None,
        ),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

#[derive(Deserialize)]
pub(super) struct Nothing {}

/// `POST /admin/settings/test-email`: queues a test email to the signed-in admin.
pub(super) async fn test_email(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    StaffForm(_): StaffForm<Nothing>,
) -> Response {
    let me = session.member.staff.id;
    match state.call(move |d| d.queue_test_email(me)).await {
        Ok(_) => Redirect::to("/admin/settings?notice=test-queued").into_response(),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

/// `POST /admin/settings/resume-sending`: ends a pause of sending (a restored folder starts
/// paused); the banner every page shows while paused carries the button.
pub(super) async fn resume_sending(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    StaffForm(_): StaffForm<Nothing>,
) -> Response {
    let by = session.member.staff.email.clone();
    match state.call(move |d| d.resume_sending(&by)).await {
        Ok(_) => Redirect::to("/admin/settings?notice=resumed").into_response(),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

/// `POST /admin/settings/logo`: a multipart form with the image, read by `StaffUpload` like
/// every admin upload (same origin, then the session's form token, before the image is read);
/// the image is kept in `meta`, not the file store.
pub(super) async fn upload_logo(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    upload: StaffUpload,
) -> Response {
    let image = upload.small;
    let answer = state
        .run(move |d| {
            let outcome = d.set_firm_logo(&image);
            Ok((
                outcome,
                d.firm_settings()?,
                d.pinned_settings(),
                d.list_staff()?,
            ))
        })
        .await;
    match answer {
        Ok((Ok(_), ..)) => Redirect::to("/admin/settings?notice=logo").into_response(),
        Ok((Err(e), firm, pinned, staff)) if e.is_invalid() => {
            let errors = [SettingsError {
                key: "logo".into(),
                message: e.to_string(),
                agree_with: None,
            }];
            settings_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                (firm, pinned, staff),
                None,
                &errors,
                None,
            )
        }
        Ok((Err(e), ..)) => error_page(e, Layout::signed_in(&state, &session, "settings")),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

/// `GET /firm/logo`: the firm's logo, public (emails and the client portal show it).
pub(super) async fn logo(State(state): State<AppState>) -> Response {
    match state.call(|d| d.firm_logo()).await {
        Ok(Some((content_type, bytes))) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=300".to_string()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "This firm has no logo.").into_response(),
        Err(e) => e.into_response(),
    }
}
