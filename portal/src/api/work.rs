//! The JSON API's work actions beyond the basics in `mod.rs`: a work item's details (external
//! name, assignee), completing and reopening it, a group's recipient, its tasks on this work
//! only, and removing a file. Each answers with the work item (or the file removed) as it is now.

use axum::extract::State;
use axum::routing::{delete, patch, post, put};
use axum::{Json, Router};
use docket_engine::docket::{TaskChange, WorkDetails};
use docket_engine::model::{UploadedFile, WorkId, WorkItem};
use serde::Deserialize;

use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

type ApiResult<T> = Result<Json<T>, ApiError>;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/{id}", patch(update_details))
        .route("/work/{id}/complete", post(complete))
        .route("/work/{id}/reopen", post(reopen))
        .route("/work/{id}/groups/{group}/recipient", put(change_recipient))
        .route("/work/{id}/groups/{group}/tasks", post(add_task))
        .route("/work/{id}/groups/{group}/tasks/{task}", patch(edit_task))
        .route("/work/{id}/files/{file}", delete(remove_file))
}

/// `PATCH /api/work/ID` `{"external_name": "...", "assignee": "email or id, or empty"}`.
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

async fn complete(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(state.call(move |d| d.complete_work(id, actor)).await?))
}

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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRecipient {
    contact: String,
}

/// `PUT /api/work/ID/groups/G/recipient`: the group's links and device binding stop working.
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
