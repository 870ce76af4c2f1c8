//! The contact pages: the list (paged, searched by part of a name or email) with a form to
//! add one, and one contact's page — their details to edit (an email change ends the old
//! address's links, devices and sign-ins), archive or restore, their work, their portal
//! state and their timeline. Bad input re-shows the form with the message next to the field,
//! the typed values kept and nothing changed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Error;
use docket_engine::docket::WorkFilter;
use docket_engine::model::{Actor, Contact, ContactId, ContactUpdate, NewContact, PauseRequest};
use serde::{Deserialize, Serialize};

use super::guard::{StaffForm, StaffSession};
use super::page_query::AdminQuery;
use super::sentence;
use super::{Layout, error_page, local_time, render, status_text};
use crate::AppState;
use crate::CallError::Engine;

/// Contacts a page of the list shows.
const PER_PAGE: usize = 50;

#[derive(Serialize)]
struct ListPage {
    q: String,
    contacts: Vec<Row>,
    /// The next page's address, when there may be one.
    next: Option<String>,
    values: ContactValues,
    /// Each wrong field's message, placed by its field.
    errors: Vec<FieldError>,
}

#[derive(Serialize)]
struct Row {
    href: String,
    name: String,
    email: String,
    archived: bool,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub(super) struct ContactValues {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    timezone: String,
    /// The contact's language code; empty: the firm's.
    #[serde(default)]
    locale: String,
    /// The contact's own quiet days, one `YYYY-MM-DD` a line (or separated by commas).
    #[serde(default)]
    holidays: String,
    /// A pause's day and note, as typed.
    #[serde(default)]
    until: String,
    #[serde(default)]
    note: String,
}

#[derive(Serialize)]
struct FieldError {
    field: &'static str,
    message: String,
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

/// `GET /admin/contacts?q=TEXT&after=ID`.
pub(super) async fn list(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<ListQuery>,
) -> Response {
    list_page(
        &state,
        &session,
        query,
        ContactValues::default(),
        Vec::new(),
    )
    .await
}

async fn list_page(
    state: &AppState,
    session: &StaffSession,
    query: ListQuery,
    values: ContactValues,
    errors: Vec<FieldError>,
) -> Response {
    let layout = Layout::signed_in(state, session, "contacts");
    let q = query.q.unwrap_or_default();
    let after = query.after.and_then(|a| a.parse::<ContactId>().ok());
    let text = q.clone();
    let found = match state
        .call(move |d| d.search_contacts(&text, after, PER_PAGE))
        .await
    {
        Ok(found) => found,
        Err(e) => return error_page(e, layout),
    };
    let next = (found.len() == PER_PAGE).then(|| {
        let last = found.last().map(|c| c.id.to_string()).unwrap_or_default();
        let query = serde_urlencoded::to_string([("q", q.as_str()), ("after", last.as_str())])
            .unwrap_or_default();
        format!("/admin/contacts?{query}")
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        q,
        contacts: found.iter().map(row).collect(),
        next,
        values,
        errors,
    };
    render(status, "admin/contacts.html", layout, &page)
}

fn row(c: &Contact) -> Row {
    Row {
        href: format!("/admin/contacts/{}", c.id),
        name: c.name.clone(),
        email: c.email.clone(),
        archived: c.archived_at.is_some(),
    }
}

/// `POST /admin/contacts`: a new contact, then their page.
pub(super) async fn create(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(form): StaffForm<ContactValues>,
) -> Response {
    let actor = Actor::Staff(session.member.staff.id);
    let new = NewContact {
        name: form.name.clone(),
        email: form.email.clone(),
        timezone: Some(form.timezone.clone()),
        locale: Some(form.locale.clone()),
    };
    match state.run(move |d| d.create_contact(new, actor)).await {
        Ok(c) => Redirect::to(&format!("/admin/contacts/{}", c.id)).into_response(),
        Err(Engine(e @ (Error::Invalid { .. } | Error::Conflict(_)))) => {
            let errors = field_errors(&e, &form, false);
            let query = ListQuery {
                q: None,
                after: None,
            };
            list_page(&state, &session, query, form, errors).await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "contacts")),
    }
}

/// An engine refusal by the field it is about: the email's, unless it names another (an email
/// another contact has is the email's conflict).
fn field_error(e: &Error) -> FieldError {
    let field = match e.field() {
        Some("timezone") => "timezone",
        Some("locale") => "locale",
        Some("name") => "name",
        Some("holidays") => "holidays",
        Some("until") => "until",
        Some("note") => "note",
        _ => "email",
    };
    FieldError {
        field,
        message: sentence(&e.to_string()),
    }
}

/// Every wrong field of the details form when the engine refused one of them (it stops at the
/// first), each by its field, so the form is mended in one go; with `holidays`, the quiet days
/// are checked too. The engine's own refusal stays when no field check finds it (a duplicate
/// email).
fn field_errors(e: &Error, values: &ContactValues, holidays: bool) -> Vec<FieldError> {
    let days = typed_days(&values.holidays);
    let found: Vec<Error> = if e.is_invalid() {
        docket_engine::docket::contact_field_problems(
            &values.name,
            &values.email,
            &values.timezone,
            &values.locale,
            holidays.then_some(days.as_slice()),
        )
    } else {
        Vec::new()
    };
    let mut errors: Vec<FieldError> = found.iter().map(field_error).collect();
    let own = field_error(e);
    if !errors.iter().any(|f| f.field == own.field) {
        errors.push(own);
    }
    // Beside its field, what was typed says what to do in the page's words.
    for error in &mut errors {
        match error.field {
            "name" if values.name.trim().is_empty() => error.message = "Enter a name.".into(),
            "timezone" if !values.timezone.trim().is_empty() => {
                error.message = format!(
                    "“{}” is not a time zone Docket knows; write one like Europe/London.",
                    values.timezone.trim()
                )
            }
            _ => {}
        }
    }
    errors
}

// --- a contact's page --------------------------------------------------------------------------

#[derive(Serialize)]
struct ContactPage {
    href: String,
    name: String,
    email: String,
    archived: bool,
    since: String,
    values: ContactValues,
    /// Each wrong field's message, placed by its field.
    errors: Vec<FieldError>,
    notice: Option<String>,
    /// "Reminders paused until …", while a pause holds.
    paused: Option<String>,
    work: Vec<WorkRow>,
    devices: Vec<DeviceRow>,
    signed_in: Option<String>,
    timeline: Vec<EventRow>,
}

#[derive(Serialize)]
struct WorkRow {
    href: String,
    title: String,
    status: String,
    groups: String,
}

#[derive(Serialize)]
struct DeviceRow {
    work: String,
    href: String,
    group: String,
    since: String,
    expired: bool,
}

#[derive(Serialize)]
struct EventRow {
    at: String,
    summary: String,
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    notice: Option<String>,
}

/// `GET /admin/contacts/{id}`.
pub(super) async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    AdminQuery(q): AdminQuery<PageQuery>,
) -> Response {
    let notice = match q.notice.as_deref() {
        Some("saved") => Some("Saved.".to_string()),
        Some("email") => Some(
            "Saved. The old address's links, bound devices and client-account sign-ins were ended; the next email goes to the new one.".to_string(),
        ),
        // What the pause form did, said with the day it holds until.
        Some("paused") => {
            let target = id.clone();
            match state.call(move |d| d.find_contact(&target)).await {
                Ok(c) => c
                    .paused
                    .map(|p| format!("Reminders paused until {}.", p.until.format("%-d %b %Y"))),
                Err(e) => return error_page(e, Layout::signed_in(&state, &session, "contacts")),
            }
        }
        Some("resumed") => Some("Reminders resumed.".to_string()),
        Some("not-paused") => Some("Nothing was paused: their reminders go as usual.".to_string()),
        _ => None,
    };
    show(&state, &session, &id, None, notice).await
}

async fn show(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    failed: Option<(Vec<FieldError>, ContactValues)>,
    notice: Option<String>,
) -> Response {
    let layout = Layout::signed_in(state, session, "contacts");
    let id = id.to_string();
    let found = state
        .call(move |d| {
            let contact = d.find_contact(&id)?;
            let filter = WorkFilter {
                contact: Some(contact.id),
                ..WorkFilter::default()
            };
            let work = d.list_work(&filter, None, 100)?;
            let portal = d.contact_portal(contact.id)?;
            let timeline = d.contact_timeline(contact.id, 50)?;
            let paused = d.pause_in_force(contact.paused.as_ref());
            Ok((contact, work, portal, timeline, paused))
        })
        .await;
    let (contact, work, portal, timeline, paused) = match found {
        Ok(found) => found,
        Err(e) => return error_page(e, layout),
    };
    let (errors, values) = match failed {
        Some((errors, values)) => (errors, values),
        None => (
            Vec::new(),
            ContactValues {
                name: contact.name.clone(),
                email: contact.email.clone(),
                timezone: contact
                    .timezone
                    .map(|z| z.name().to_string())
                    .unwrap_or_default(),
                locale: contact.locale.clone().unwrap_or_default(),
                holidays: contact
                    .holidays
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
                // The pause form starts from the pause in force, to change it.
                until: paused
                    .as_ref()
                    .map_or_else(String::new, |p| p.until.to_string()),
                note: paused.as_ref().map_or_else(String::new, |p| p.note.clone()),
            },
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ContactPage {
        href: format!("/admin/contacts/{}", contact.id),
        name: contact.name.clone(),
        email: contact.email.clone(),
        archived: contact.archived_at.is_some(),
        since: local_time(state, contact.created_at),
        values,
        errors,
        notice,
        paused: paused.map(|p| pause_text(&p)),
        work: work
            .iter()
            .map(|w| WorkRow {
                href: format!("/admin/work/{}", w.id),
                title: w.title.clone(),
                status: status_text(w.status, w.sub_status.as_deref()),
                groups: w
                    .groups
                    .iter()
                    .filter(|g| g.recipient == contact.id)
                    .map(|g| g.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        devices: portal
            .devices
            .iter()
            .map(|d| DeviceRow {
                work: d.work_title.clone(),
                href: format!("/admin/work/{}", d.work),
                group: d.group_name.clone(),
                since: d
                    .bound_at
                    .map(|at| local_time(state, at))
                    .unwrap_or_default(),
                expired: d.expired,
            })
            .collect(),
        signed_in: portal.signed_in_until.map(|until| {
            format!(
                "Signed in to the client account ({} session{}) until {}.",
                portal.sessions,
                if portal.sessions == 1 { "" } else { "s" },
                local_time(state, until)
            )
        }),
        timeline: timeline
            .iter()
            .map(|e| EventRow {
                at: local_time(state, e.at),
                summary: crate::admin::plain(&e.summary),
            })
            .collect(),
    };
    render(status, "admin/contact.html", layout, &page)
}

#[derive(Deserialize)]
pub(super) struct EditForm {
    action: String,
    #[serde(flatten)]
    values: ContactValues,
}

/// "Reminders paused until 10 January 2027 (away skiing)."
pub(in crate::admin) fn pause_text(p: &docket_engine::model::ReminderPause) -> String {
    let note = if p.note.is_empty() {
        String::new()
    } else {
        format!(" ({})", p.note)
    };
    format!(
        "Reminders paused until {}{note}: none goes before that day, then one at most per group and the usual rhythm.",
        p.until.format("%-d %B %Y")
    )
}

/// The quiet days typed in a form: one a line or separated by commas, blanks dropped.
pub(in crate::admin) fn typed_days(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /admin/contacts/{id}`: `save` (name, email, timezone, quiet days), `archive`,
/// `restore`, `pause` (until a day, with a note) or `resume`.
pub(super) async fn edit(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<EditForm>,
) -> Response {
    let actor = Actor::Staff(session.member.staff.id);
    let target = id.clone();
    let action = form.action.clone();
    let values = form.values.clone();
    let done = state
        .run(move |d| {
            let contact = d.find_contact(&target)?;
            match action.as_str() {
                "archive" => d.archive_contact(contact.id, actor).map(|c| (c, "saved")),
                "restore" => d.restore_contact(contact.id, actor).map(|c| (c, "saved")),
                "pause" => {
                    let request = PauseRequest {
                        until: values.until,
                        note: Some(values.note),
                    };
                    d.pause_contact_reminders(contact.id, request, actor)
                        .map(|c| (c, "paused"))
                }
                "resume" => {
                    let was = if d.pause_in_force(contact.paused.as_ref()).is_some() {
                        "resumed"
                    } else {
                        "not-paused"
                    };
                    d.resume_contact_reminders(contact.id, actor)
                        .map(|c| (c, was))
                }
                _ => {
                    let update = ContactUpdate {
                        name: Some(values.name),
                        email: Some(values.email),
                        timezone: Some(values.timezone),
                        holidays: Some(typed_days(&values.holidays)),
                        locale: Some(values.locale),
                    };
                    let moved = d.update_contact(contact.id, update, actor)?;
                    let notice = if moved.email != contact.email {
                        "email"
                    } else {
                        "saved"
                    };
                    Ok((moved, notice))
                }
            }
        })
        .await;
    match done {
        Ok((c, notice)) => {
            Redirect::to(&format!("/admin/contacts/{}?notice={notice}", c.id)).into_response()
        }
        Err(Engine(e @ (Error::Invalid { .. } | Error::Conflict(_)))) => {
            // The details form's fields are all checked; a pause's or an archive's refusal is
            // its own.
            let details = !matches!(
                form.action.as_str(),
                "archive" | "restore" | "pause" | "resume"
            );
            let errors = if details {
                field_errors(&e, &form.values, true)
            } else {
                vec![field_error(&e)]
            };
            show(&state, &session, &id, Some((errors, form.values)), None).await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "contacts")),
    }
}
