//! What staff do to a work item through the JSON API: set its status, change its details
//! (external name, assignee), complete and reopen it; a group's settings, its recipient, send or
//! resend it; add and edit a group's tasks on this work only, mark one done or reopen it, review
//! what the client sent for one (accept it, or send it back with a reason). Each answers with
//! the work item as it is now.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::{GroupSettings, TaskChange, WorkDetails};
use docket_engine::model::{Review, WorkId, WorkItem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::refusals::{BodyRefusals, PositionBodyRefusals, PositionRefusals, RecordRefusals};
use crate::api::{ApiResult, unknown_action};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_status))
        .routes(routes!(update_details))
        .routes(routes!(complete))
        .routes(routes!(reopen))
        .routes(routes!(update_group))
        .routes(routes!(group_action))
        .routes(routes!(change_recipient))
        .routes(routes!(add_task))
        .routes(routes!(edit_task))
        .routes(routes!(task_action))
        .routes(routes!(review_task))
}

/// `{"status": "completed"}`: a fixed status, or one of the firm's sub-statuses.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewStatus {
    status: String,
}

#[utoipa::path(
    post,
    path = "/work/{id}/status",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    request_body = NewStatus,
    responses((status = 200, description = "done", body = WorkItem), BodyRefusals)
)]
async fn set_status(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(new): ApiJson<NewStatus>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.set_work_status_named(id, &new.status, actor))
            .await?,
    ))
}

/// `PATCH /api/work/ID` `{"external_name": "...", "assignee": "email or id, or empty"}`.
#[utoipa::path(
    patch,
    path = "/work/{id}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    request_body = WorkDetails,
    responses((status = 200, description = "done", body = WorkItem), BodyRefusals)
)]
async fn update_details(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<WorkDetails>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.update_work_details(id, change, actor))
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/work/{id}/complete",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = WorkItem), RecordRefusals)
)]
async fn complete(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(state.call(move |d| d.complete_work(id, actor)).await?))
}

#[utoipa::path(
    post,
    path = "/work/{id}/reopen",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = WorkItem), RecordRefusals)
)]
async fn reopen(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(state.call(move |d| d.reopen_work(id, actor)).await?))
}

#[utoipa::path(
    patch,
    path = "/work/{id}/groups/{group}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0")),
    request_body = GroupSettings,
    responses((status = 200, description = "done", body = WorkItem), PositionBodyRefusals)
)]
async fn update_group(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group)): ApiPath<(String, usize)>,
    ApiJson(change): ApiJson<GroupSettings>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.update_group_settings(id, group, change, actor))
            .await?,
    ))
}

/// What a send may carry: the name the client will see, set in the same change.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SendBody {
    external_name: Option<String>,
}

/// `send` or `resend` a group; an optional body `{"external_name": "..."}` renames the work as
/// the client will see it first.
#[utoipa::path(
    post,
    path = "/work/{id}/groups/{group}/{action}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0"), ("action" = String, Path, description = "what to do: `send` or `resend`", pattern = "^(send|resend)$", example = "send")),
    responses((status = 200, description = "done", body = WorkItem), PositionRefusals)
)]
async fn group_action(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group, action)): ApiPath<(String, usize, String)>,
    body: axum::body::Bytes,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let resend = match action.as_str() {
        "send" => false,
        "resend" => true,
        other => return Err(unknown_action(other, "send or resend")),
    };
    let send: SendBody = if body.iter().all(u8::is_ascii_whitespace) {
        SendBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the body is `{{\"external_name\": \"...\"}}` or nothing: {e}"),
            )
        })?
    };
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.send_group_named(id, group, send.external_name, resend, actor))
            .await?,
    ))
}

/// `{"contact": "id or email"}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewRecipient {
    contact: String,
}

/// `PUT /api/work/ID/groups/G/recipient`: the group's links and device binding stop working.
#[utoipa::path(
    put,
    path = "/work/{id}/groups/{group}/recipient",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0")),
    request_body = NewRecipient,
    responses((status = 200, description = "done", body = WorkItem), PositionBodyRefusals)
)]
async fn change_recipient(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group)): ApiPath<(String, usize)>,
    ApiJson(new): ApiJson<NewRecipient>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.change_recipient(id, group, &new.contact, actor))
            .await?,
    ))
}

/// `POST /api/work/ID/groups/G/tasks` `{"title": "...", "due_date": "YYYY-MM-DD"}`.
#[utoipa::path(
    post,
    path = "/work/{id}/groups/{group}/tasks",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0")),
    request_body = TaskChange,
    responses(
        (status = 200, description = "the bytes, streamed", content_type = "application/octet-stream", body = Vec<u8>),
        PositionBodyRefusals
    )
)]
async fn add_task(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group)): ApiPath<(String, usize)>,
    ApiJson(task): ApiJson<TaskChange>,
) -> Result<(axum::http::StatusCode, Json<WorkItem>), ApiError> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok((
        axum::http::StatusCode::CREATED,
        Json(
            state
                .call(move |d| d.add_task(id, group, task, actor))
                .await?,
        ),
    ))
}

/// `PATCH /api/work/ID/groups/G/tasks/T` with any of `title`, `description`, `due_date`.
#[utoipa::path(
    patch,
    path = "/work/{id}/groups/{group}/tasks/{task}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0"), ("task" = usize, Path, description = "the task's position in its group, from 0")),
    request_body = TaskChange,
    responses((status = 200, description = "done", body = WorkItem), PositionBodyRefusals)
)]
async fn edit_task(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group, task)): ApiPath<(String, usize, usize)>,
    ApiJson(change): ApiJson<TaskChange>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.edit_task(id, group, task, change, actor))
            .await?,
    ))
}

/// Mark a task `done`, or `reopen` it.
#[utoipa::path(
    post,
    path = "/work/{id}/groups/{group}/tasks/{task}/{action}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0"), ("task" = usize, Path, description = "the task's position in its group, from 0"), ("action" = String, Path, description = "what to do: `done` or `reopen`", pattern = "^(done|reopen)$", example = "done")),
    responses((status = 200, description = "done", body = WorkItem), PositionRefusals)
)]
async fn task_action(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group, task, action)): ApiPath<(String, usize, usize, String)>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let done = match action.as_str() {
        "done" => true,
        "reopen" => false,
        other => return Err(unknown_action(other, "done or reopen")),
    };
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.set_task_done(id, group, task, done, actor))
            .await?,
    ))
}

/// Accept what the client sent for a task (`{"accept": true}`: it is done), or send it back to
/// them (`{"accept": false, "reason": "..."}`): it reopens, its reminders count afresh, and the
/// reason reaches the client on their checklist and in the comment email.
#[utoipa::path(
    post,
    path = "/work/{id}/groups/{group}/tasks/{task}/review",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0"), ("task" = usize, Path, description = "the task's position in its group, from 0")),
    request_body = Review,
    responses((status = 200, description = "done", body = WorkItem), PositionBodyRefusals)
)]
async fn review_task(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group, task)): ApiPath<(String, usize, usize)>,
    ApiJson(review): ApiJson<Review>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.review_task(id, group, task, review, actor))
            .await?,
    ))
}
