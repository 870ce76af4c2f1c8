//! Staff and their inboxes in the JSON API: the firm's staff (never with a password hash) —
//! listed, invited, given a role, disabled and enabled, with admin tokens only — and each
//! member's notifications — listed newest first a page at a time, counted, marked read.
//! A member is named by id or email.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use docket_engine::docket::{INBOX_PAGE, NewInvite};
use docket_engine::model::{Role, StaffMember, StaffNotification};
use serde::{Deserialize, Serialize};

use super::{ApiResult, MAX_PAGE};
use crate::auth::{AdminCaller, ApiCaller};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(invite_user))
        .route("/users/{user}", get(get_user))
        .route("/users/{user}/role", post(set_role))
        .route("/users/{user}/disable", post(disable_user))
        .route("/users/{user}/enable", post(enable_user))
        .route("/users/{user}/notifications", get(notifications))
        .route("/users/{user}/notifications/read-all", post(read_all))
        .route("/users/{user}/notifications/{id}/read", post(read_one))
}

async fn list_users(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<StaffMember>> {
    Ok(Json(state.call(|d| d.list_staff()).await?))
}

async fn get_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.find_staff(&user)).await?))
}

/// `POST /api/users`: who to invite; they are emailed a link to set their password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    #[serde(default)]
    name: String,
    role: Role,
}

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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRole {
    role: Role,
}

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

async fn disable_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.disable_user(&user)).await?))
}

async fn enable_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.enable_user(&user)).await?))
}

/// `?before=ID` (older than that notification), `?limit=N`, `?unread=true`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InboxQuery {
    before: Option<String>,
    limit: Option<usize>,
    #[serde(default)]
    unread: bool,
}

/// A page of a member's inbox.
#[derive(Serialize)]
struct InboxAnswer {
    /// Unread notifications, counted up to 1000.
    unread: usize,
    /// Newest first.
    notifications: Vec<StaffNotification>,
    /// Pass as `before` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    older: Option<String>,
}

async fn notifications(
    _: ApiCaller,
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

async fn read_one(
    _: ApiCaller,
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

#[derive(Serialize)]
struct Marked {
    marked: usize,
}

async fn read_all(
    _: ApiCaller,
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
