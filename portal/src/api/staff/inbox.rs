//! A member's inbox in the JSON API, for admin tokens only (a staff token could otherwise read
//! and clear any member's inbox): notifications listed newest first a page at a time, counted,
//! marked read one by one or all at once.

use axum::Json;
use axum::extract::State;
use docket_engine::docket::INBOX_PAGE;
use docket_engine::model::StaffNotification;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::refusals::{AdminRecordQueryRefusals, AdminRecordRefusals};
use crate::api::{ApiResult, page_limit};
use crate::auth::AdminCaller;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notifications))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
}

/// `?before=ID` (older than that notification), `?limit=N`, `?unread=true`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct InboxQuery {
    before: Option<String>,
    #[param(minimum = 1)]
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
    let limit = page_limit(query.limit, INBOX_PAGE)?;
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
