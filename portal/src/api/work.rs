//! The JSON API's work actions beyond the basics in `mod.rs`: a work item's details (external
//! name, assignee), completing and reopening it, a group's recipient, its tasks on this work
//! only, and removing a file. Each answers with the work item (or the file removed) as it is now.

use axum::Json;
use axum::extract::State;
use docket_engine::docket::{TaskChange, WorkDetails};
use docket_engine::model::{UploadedFile, WorkId, WorkItem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{BodyRefusals, PositionBodyRefusals, RecordRefusals};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

type ApiResult<T> = Result<Json<T>, ApiError>;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_details))
        .routes(routes!(complete))
        .routes(routes!(reopen))
        .routes(routes!(change_recipient))
        .routes(routes!(add_task))
        .routes(routes!(edit_task))
        .routes(routes!(remove_file))
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

/// `DELETE /api/work/ID/files/FILE`: answers with the file record removed.
#[utoipa::path(
    delete,
    path = "/work/{id}/files/{file}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("file" = String, Path, description = "the file's id")),
    responses((status = 200, description = "done", body = UploadedFile), RecordRefusals)
)]
async fn remove_file(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, file)): ApiPath<(String, String)>,
) -> ApiResult<UploadedFile> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state.call(move |d| d.remove_file(id, &file, actor)).await?,
    ))
}
