//! Staff and their inboxes in the JSON API, for admin tokens only (a staff token could
//! otherwise read and clear any member's inbox): the firm's staff (never with a password
//! hash) — listed, invited, given a role, disabled and enabled — and each member's
//! notifications — listed newest first a page at a time, counted, marked read. A member is
//! named by id or email.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::{INBOX_PAGE, NewInvite};
use docket_engine::model::{Role, StaffMember, StaffNotification};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{
    AdminBodyRefusals, AdminRecordQueryRefusals, AdminRecordRefusals, AdminRefusals,
};
use super::{ApiResult, MAX_PAGE};
use crate::auth::AdminCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, invite_user))
        .routes(routes!(get_user))
        .routes(routes!(set_role))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(notifications))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
}

#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    responses((status = 200, description = "done", body = Vec<StaffMember>), AdminRefusals)
)]
async fn list_users(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<StaffMember>> {
    Ok(Json(state.call(|d| d.list_staff()).await?))
}

#[utoipa::path(
    get,
    path = "/users/{user}",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = StaffMember), AdminRecordRefusals)
)]
async fn get_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.find_staff(&user)).await?))
}

/// `POST /api/users`: who to invite; they are emailed a link to set their password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    #[serde(default)]
    name: String,
    role: Role,
}

#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    request_body = Invite,
    responses((status = 201, description = "created", body = StaffMember), AdminBodyRefusals)
)]
async fn invite_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiJson(invite): ApiJson<Invite>,
) -> Result<(StatusCode, Json<StaffMember>), ApiError> {
    let new = NewInvite {
        email: invite.email,
        name: invite.name,
        role: invite.role,
    };
    let member = state.call(move |d| d.invite_user(new, "An admin")).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// `POST /api/users/{user}/role`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewRole {
    role: Role,
}

#[utoipa::path(
    post,
    path = "/users/{user}/role",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    request_body = NewRole,
    responses((status = 200, description = "done", body = StaffMember), AdminBodyRefusals)
)]
async fn set_role(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
    ApiJson(body): ApiJson<NewRole>,
) -> ApiResult<StaffMember> {
    Ok(Json(
        state
            .call(move |d| d.set_user_role(&user, body.role))
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/users/{user}/disable",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = StaffMember), AdminRecordRefusals)
)]
async fn disable_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.disable_user(&user)).await?))
}

#[utoipa::path(
    post,
    path = "/users/{user}/enable",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = StaffMember), AdminRecordRefusals)
)]
async fn enable_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.enable_user(&user)).await?))
}

/// `?before=ID` (older than that notification), `?limit=N`, `?unread=true`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct InboxQuery {
    before: Option<String>,
    limit: Option<usize>,
    #[serde(default)]
    unread: bool,
}

/// A page of a member's inbox.
#[derive(Serialize, utoipa::ToSchema)]
struct InboxAnswer {
    /// Unread notifications, counted up to 1000.
    unread: usize,
    /// Newest first.
    notifications: Vec<StaffNotification>,
    /// Pass as `before` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    older: Option<String>,
}

#[utoipa::path(
    get,
    path = "/users/{user}/notifications",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email"), InboxQuery),
    responses((status = 200, description = "done", body = InboxAnswer), AdminRecordQueryRefusals)
)]
async fn notifications(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> ApiResult<InboxAnswer> {
    let before = query.before.as_deref().map(notification_id).transpose()?;
    let limit = query.limit.unwrap_or(INBOX_PAGE).clamp(1, MAX_PAGE);
    let inbox = state
        .call(move |d| {
            let member = d.find_staff(&user)?;
            d.inbox(member.id, before, query.unread, limit)
        })
        .await?;
    Ok(Json(InboxAnswer {
        unread: inbox.unread,
        notifications: inbox.notifications,
        older: inbox.older.map(|id| id.to_string()),
    }))
}

#[utoipa::path(
    post,
    path = "/users/{user}/notifications/{id}/read",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email"), ("id" = String, Path, description = "the notification's id")),
    responses((status = 200, description = "done", body = StaffNotification), AdminRecordRefusals)
)]
async fn read_one(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath((user, id)): ApiPath<(String, String)>,
) -> ApiResult<StaffNotification> {
    let id = notification_id(&id)?;
    Ok(Json(
        state
            .call(move |d| {
                let member = d.find_staff(&user)?;
                d.mark_notification_read(member.id, id)
            })
            .await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Marked {
    marked: usize,
}

#[utoipa::path(
    post,
    path = "/users/{user}/notifications/read-all",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = Marked), AdminRecordRefusals)
)]
async fn read_all(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<Marked> {
    let marked = state
        .call(move |d| {
            let member = d.find_staff(&user)?;
            d.mark_all_notifications_read(member.id)
        })
        .await?;
    Ok(Json(Marked { marked }))
}

fn notification_id(text: &str) -> Result<ulid::Ulid, ApiError> {
    ulid::Ulid::from_string(text).map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            format!("`{text}` is not a notification id"),
        )
    })
}
