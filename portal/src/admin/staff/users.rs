//! Staff users, for admins: the members with their role and state, buttons to change the role
//! and to disable or enable, and the invitation form. And the page an invitation's link opens,
//! where the invited member sets their password (no session yet: the link's secret admits them,
//! after the same-origin check).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::Error;
use docket_engine::docket::{INVITE_LIFETIME, MIN_PASSWORD_LEN, NewInvite};
use docket_engine::model::{Role, StaffMember};
use serde::{Deserialize, Serialize};

use crate::CallError::Engine;
use crate::admin::confirm::{ConfirmPage, Confirmed, ask};
use crate::admin::guard::{AdminSession, StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::sentence;
use crate::admin::{Layout, Message, error_page, render};
use crate::{AppState, CallError};

#[derive(Serialize)]
struct UsersPage {
    members: Vec<Line>,
    form: InviteForm,
    errors: InviteErrors,
    notice: Option<String>,
    refusal: Option<String>,
    invite_hours: i64,
}

#[derive(Serialize)]
struct Line {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    other_role: &'static str,
    state: String,
    toggle: &'static str,
    toggle_label: &'static str,
    /// The only active admin: neither made staff nor disabled (the firm keeps an admin).
    only_admin: bool,
}

#[derive(Serialize, Deserialize, Default)]
pub(in crate::admin) struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

#[derive(Serialize, Default)]
struct InviteErrors {
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
}

#[derive(Deserialize, Default)]
pub(in crate::admin) struct UsersQuery {
    #[serde(default)]
    notice: String,
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    form: InviteForm,
    errors: InviteErrors,
    notice: Option<String>,
    refusal: Option<String>,
) -> Response {
    let layout = Layout::signed_in(state, session, "settings");
    let members = match state.call(|d| d.list_staff()).await {
        Ok(m) => m,
        Err(e) => return error_page(e, layout),
    };
    let active_admin =
        |m: &StaffMember| m.is_admin() && m.disabled_at.is_none() && m.invited_until.is_none();
    let active_admins = members.iter().filter(|m| active_admin(m)).count();
    let line = |m: &StaffMember| Line {
        only_admin: active_admin(m) && active_admins == 1,
        id: m.id.to_string(),
        name: m.name.clone(),
        email: m.email.clone(),
        role: if m.is_admin() { "Admin" } else { "Staff" },
        other_role: if m.is_admin() { "staff" } else { "admin" },
        state: match (m.disabled_at, m.invited_until) {
            (Some(at), _) => format!("Disabled since {}", crate::admin::local_time(state, at)),
            (None, Some(until)) => {
                format!(
                    "Invited; the link works until {}",
                    crate::admin::local_time(state, until)
                )
            }
            (None, None) => "Active".into(),
        },
        toggle: if m.disabled_at.is_some() {
            "enable"
        } else {
            "disable"
        },
        toggle_label: if m.disabled_at.is_some() {
            "Enable"
        } else {
            "Disable"
        },
    };
    let page = UsersPage {
        members: members.iter().map(line).collect(),
        form,
        errors,
        notice,
        refusal,
        invite_hours: INVITE_LIFETIME.num_hours(),
    };
    render(status, "admin/users.html", layout, &page)
}

fn fresh_form() -> InviteForm {
    InviteForm {
        role: "staff".into(),
        ..InviteForm::default()
    }
}

/// `GET /admin/users`.
pub(in crate::admin) async fn users(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    AdminQuery(query): AdminQuery<UsersQuery>,
) -> Response {
    let notice = match query.notice.as_str() {
        "invited" => Some("The invitation is on its way.".to_string()),
        "changed" => Some("The member is changed.".to_string()),
        _ => None,
    };
    page(
        &state,
        &session,
        StatusCode::OK,
        fresh_form(),
        InviteErrors::default(),
        notice,
        None,
    )
    .await
}

/// `POST /admin/users`: invites a member.
pub(in crate::admin) async fn invite(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    StaffForm(form): StaffForm<InviteForm>,
) -> Response {
    let refuse = |form, errors| {
        page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
            None,
            None,
        )
    };
    // Every wrong field is said at once: the role here, the email and name by the engine's
    // own checks.
    let Ok(role) = form.role.parse::<Role>() else {
        let mut errors = invite_errors(&form);
        errors.role = Some("Choose admin or staff.".into());
        return refuse(form, errors).await;
    };
    let new = NewInvite {
        email: form.email.clone(),
        name: form.name.clone(),
        role,
    };
    let by = session.member.staff.name.clone();
    match state.run(move |d| d.invite_user(new, &by)).await {
        Ok(_) => Redirect::to("/admin/users?notice=invited").into_response(),
        Err(Engine(e @ Error::Invalid { .. })) => {
            let mut errors = invite_errors(&form);
            if errors.email.is_none() && errors.name.is_none() {
                let own = Some(sentence(&e.to_string()));
                if e.field() == Some("name") {
                    errors.name = own;
                } else {
                    errors.email = own;
                }
            }
            refuse(form, errors).await
        }
        // An email another member has is the email's conflict.
        Err(Engine(e @ Error::Conflict(_))) => {
            let errors = InviteErrors {
                email: Some(sentence(&e.to_string())),
                ..InviteErrors::default()
            };
            refuse(form, errors).await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

/// The invitation's email and name as the engine checks them, each by its field.
fn invite_errors(form: &InviteForm) -> InviteErrors {
    let mut errors = InviteErrors::default();
    for e in docket_engine::docket::invite_field_problems(&form.email, &form.name) {
        let message = Some(sentence(&e.to_string()));
        match e.field() {
            Some("name") => errors.name = message,
            _ => errors.email = message,
        }
    }
    errors
}

#[derive(Deserialize)]
pub(in crate::admin) struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /admin/users/{id}/role`.
pub(in crate::admin) async fn set_role(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<RoleForm>,
) -> Response {
    let role = match form.role.parse::<Role>() {
        Ok(role) => role,
        Err(e) => return error_page(e, Layout::signed_in(&state, &session, "settings")),
    };
    let answer = state.run(move |d| d.set_user_role(&id, role)).await;
    changed(&state, &session, answer).await
}

/// `POST /admin/users/{id}/disable` (asked first) and `.../enable`.
pub(in crate::admin) async fn toggle(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    Path((id, action)): Path<(String, String)>,
    StaffForm(form): StaffForm<Confirmed>,
) -> Response {
    if action == "disable" && !form.yes() {
        let wanted = id.clone();
        return match state.call(move |d| d.find_staff(&wanted)).await {
            Ok(m) => ask(
                &state,
                &session,
                "settings",
                ConfirmPage {
                    heading: format!("Disable {}?", m.name),
                    question: format!(
                        "{} is signed out at once and cannot sign in until enabled again. Their API tokens are revoked for good: enabling them later does not bring the tokens back.",
                        m.name
                    ),
                    action: format!("/admin/users/{id}/disable"),
                    fields: Vec::new(),
                    confirm: format!("Disable {}", m.name),
                    back: "/admin/users".into(),
                    back_text: format!("Back to the staff, keeping {} active", m.name),
                },
            ),
            Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
        };
    }
    let answer = match action.as_str() {
        "disable" => state.run(move |d| d.disable_user(&id)).await,
        "enable" => state.run(move |d| d.enable_user(&id)).await,
        _ => {
            return Message::new(
                "This page does not exist",
                "Use the buttons on the staff page.",
            )
            .back("/admin/users", "Back to the staff")
            .render(
                StatusCode::NOT_FOUND,
                Layout::signed_in(&state, &session, "settings"),
            );
        }
    };
    changed(&state, &session, answer).await
}

/// After a change: back to the list, or the list again with why it was refused.
async fn changed(
    state: &AppState,
    session: &StaffSession,
    answer: Result<StaffMember, CallError>,
) -> Response {
    match answer {
        Ok(_) => Redirect::to("/admin/users?notice=changed").into_response(),
        // The last active admin kept, or a change racing another admin's.
        Err(Engine(e @ Error::Conflict(_))) => {
            page(
                state,
                session,
                StatusCode::CONFLICT,
                fresh_form(),
                InviteErrors::default(),
                None,
                Some(sentence(&e.to_string())),
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(state, session, "settings")),
    }
}

#[derive(Serialize)]
struct InvitePage {
    name: String,
    email: String,
    min_password: usize,
    errors: PasswordErrors,
}

#[derive(Serialize, Default)]
struct PasswordErrors {
    new_password: Option<String>,
    confirm_password: Option<String>,
}

fn invite_page(
    state: &AppState,
    status: StatusCode,
    member: &StaffMember,
    errors: PasswordErrors,
) -> Response {
    let page = InvitePage {
        name: member.name.clone(),
        email: member.email.clone(),
        min_password: MIN_PASSWORD_LEN,
        errors,
    };
    render(
        status,
        "admin/invite.html",
        Layout::signed_out(state),
        &page,
    )
}

fn invite_gone(state: &AppState, e: impl Into<crate::ApiError>) -> Response {
    error_page(e, Layout::signed_out(state))
}

/// `GET /admin/invite/{secret}`: the password form of an open invitation.
pub(in crate::admin) async fn invite_form(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Response {
    match state.call(move |d| d.invited_user(&secret)).await {
        Ok(member) => invite_page(&state, StatusCode::OK, &member, PasswordErrors::default()),
        Err(e) => invite_gone(&state, e),
    }
}

#[derive(Deserialize)]
pub(in crate::admin) struct NewPasswordForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// `POST /admin/invite/{secret}`: sets the first password; the link then works no more.
pub(in crate::admin) async fn accept_invite(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<NewPasswordForm>,
) -> Response {
    if !crate::browser::same_origin(&state, &headers) {
        return Message::new(
            "This form could not be accepted",
            "This form did not come from this site, so nothing was changed. Open the link again and try once more.",
        )
        .render(StatusCode::FORBIDDEN, Layout::signed_out(&state));
    }
    let lookup = secret.clone();
    let member = match state.call(move |d| d.invited_user(&lookup)).await {
        Ok(member) => member,
        Err(e) => return invite_gone(&state, e),
    };
    if form.new_password != form.confirm_password {
        let errors = PasswordErrors {
            confirm_password: Some("This does not match the password.".into()),
            ..PasswordErrors::default()
        };
        return invite_page(&state, StatusCode::UNPROCESSABLE_ENTITY, &member, errors);
    }
    match state
        .run(move |d| d.accept_invite(&secret, &form.new_password))
        .await
    {
        Ok(_) => Message::new(
            "Your password is set",
            "Sign in with your email address and the password you just chose.",
        )
        .back("/admin/sign-in", "Sign in")
        .render(StatusCode::OK, Layout::signed_out(&state)),
        Err(Engine(e)) if e.is_invalid() => {
            let errors = PasswordErrors {
                new_password: Some(sentence(&e.to_string())),
                ..PasswordErrors::default()
            };
            invite_page(&state, StatusCode::UNPROCESSABLE_ENTITY, &member, errors)
        }
        Err(e) => invite_gone(&state, e),
    }
}
