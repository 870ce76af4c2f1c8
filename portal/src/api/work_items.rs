//! Work items in the JSON API: listed by the filters the indexes serve, created from a
//! template, read with their timeline, comments and files (uploads streamed into the file
//! store, downloads streamed out), their status set, a group's settings changed, a group sent
//! or resent, a task done or reopened. (Edits of a work item's details, recipients, tasks and
//! files are in `work.rs`.)

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use docket_engine::docket::{GroupSettings, PostedComment, UploadDetails, WorkListQuery};
use docket_engine::model::{Comment, NewWork, TimelineEvent, UploadedFile, WorkId, WorkItem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{
    BodyRefusals, ListRefusals, PositionBodyRefusals, PositionRefusals, RecordQueryRefusals,
    RecordRefusals, UploadRefusals,
};
use super::{ApiResult, Page, receive_file, unknown_action};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_work, create_work))
        .routes(routes!(get_work))
        .routes(routes!(work_timeline))
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(list_files, upload_file))
        .routes(routes!(download_file))
        .routes(routes!(set_status))
        .routes(routes!(update_group))
        .routes(routes!(add_group_comment))
        .routes(routes!(group_action))
        .routes(routes!(task_action))
}

/// Filters of the work list — `?status=&sub_status=&assignee=EMAIL|ID|none&due_from=YYYY-MM-DD&
/// due_to=YYYY-MM-DD&waiting_on_client=true&contact=ID|EMAIL&needs_attention=true` — plus paging.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct WorkQuery {
    status: Option<String>,
    sub_status: Option<String>,
    assignee: Option<String>,
    due_from: Option<String>,
    due_to: Option<String>,
    waiting_on_client: Option<String>,
    contact: Option<String>,
    /// `true`: only work that needs staff's attention (a group whose plugin fails).
    needs_attention: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/work",
    tag = "work",
    params(WorkQuery),
    responses((status = 200, description = "done", body = Vec<WorkItem>), ListRefusals)
)]
async fn list_work(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WorkQuery>,
) -> ApiResult<Vec<WorkItem>> {
    let query = WorkListQuery {
        status: q.status,
        sub_status: q.sub_status,
        assignee: q.assignee,
        due_from: q.due_from,
        due_to: q.due_to,
        waiting_on_client: q.waiting_on_client,
        contact: q.contact,
        needs_attention: q.needs_attention,
    };
    let page = Page {
        after: q.after,
        limit: q.limit,
    };
    let after = page.after::<WorkId>()?;
    let limit = page.limit()?;
    Ok(Json(
        state
            .call(move |d| d.find_work(&query, after, limit))
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/work",
    tag = "work",
    request_body = NewWork,
    responses((status = 201, description = "created", body = WorkItem), BodyRefusals)
)]
async fn create_work(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewWork>,
) -> Result<(StatusCode, Json<WorkItem>), ApiError> {
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(state.call(move |d| d.create_work(new, actor)).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/work/{id}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = WorkItem), RecordRefusals)
)]
async fn get_work(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    Ok(Json(state.call(move |d| d.work(id)).await?))
}

#[utoipa::path(
    get,
    path = "/work/{id}/timeline",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), Page),
    responses((status = 200, description = "done", body = Vec<TimelineEvent>), RecordQueryRefusals)
)]
async fn work_timeline(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Vec<TimelineEvent>> {
    let id: WorkId = id.parse()?;
    let limit = page.limit()?;
    Ok(Json(state.call(move |d| d.work_timeline(id, limit)).await?))
}

/// A new comment: `{"body": "..."}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewComment {
    body: String,
}

#[utoipa::path(
    get,
    path = "/work/{id}/comments",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = Vec<Comment>), RecordRefusals)
)]
async fn list_comments(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Vec<Comment>> {
    let id: WorkId = id.parse()?;
    Ok(Json(state.call(move |d| d.comments(id)).await?))
}

/// `{"body": "...", "task": 1}`: a comment about a group (and one of its tasks), which that
/// group's contact sees in the portal.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewGroupComment {
    body: String,
    #[serde(default)]
    task: Option<usize>,
}

#[utoipa::path(
    post,
    path = "/work/{id}/groups/{group}/comments",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("group" = usize, Path, description = "the group's position in the work item, from 0")),
    request_body = NewGroupComment,
    responses(
        (status = 201, description = "created, with how it reaches the client", body = PostedComment),
        PositionBodyRefusals
    )
)]
async fn add_group_comment(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group)): ApiPath<(String, usize)>,
    ApiJson(new): ApiJson<NewGroupComment>,
) -> Result<(StatusCode, Json<PostedComment>), ApiError> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .call(move |d| d.post_comment(id, Some((group, new.task)), &new.body, actor))
                .await?,
        ),
    ))
}

#[utoipa::path(
    post,
    path = "/work/{id}/comments",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    request_body = NewComment,
    responses(
        (status = 201, description = "created, with how it reaches the client", body = PostedComment),
        BodyRefusals
    )
)]
async fn add_comment(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(new): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<PostedComment>), ApiError> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .call(move |d| d.post_comment(id, None, &new.body, actor))
                .await?,
        ),
    ))
}

#[utoipa::path(
    get,
    path = "/work/{id}/files",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = Vec<UploadedFile>), RecordRefusals)
)]
async fn list_files(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Vec<UploadedFile>> {
    let id: WorkId = id.parse()?;
    Ok(Json(state.call(move |d| d.files(id)).await?))
}

/// Where an upload goes: `?name=FILE` and optionally the task it answers.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    name: String,
    group: Option<usize>,
    task: Option<usize>,
}

/// Uploads the request body as a file; its `Content-Type` is kept. The body is streamed to the
/// file store chunk by chunk, so memory stays flat whatever the size; past the cap it is
/// refused with 413. A multipart form is refused with 415 rather than stored as the file.
#[utoipa::path(
    post,
    path = "/work/{id}/files",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes, streamed"),
    responses((status = 201, description = "created", body = UploadedFile), UploadRefusals)
)]
async fn upload_file(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<UploadedFile>), ApiError> {
    let id: WorkId = id.parse()?;
    if q.group.is_some() != q.task.is_some() {
        crate::stream::discard(body.into_data_stream()).await;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "give both `group` and `task` (numbered from 0) to attach the file to a task, or neither",
        ));
    }
    let (stored, content_type) = receive_file(&state, &headers, body).await?;
    let details = UploadDetails {
        name: q.name,
        content_type,
        task: q.group.zip(q.task),
    };
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .call(move |d| d.attach_file(id, details, stored, actor))
                .await?,
        ),
    ))
}

/// The bytes of an uploaded file, always as a download, never rendered in the browser; read
/// from the file store as they are sent.
#[utoipa::path(
    get,
    path = "/work/{id}/files/{file}",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id"), ("file" = String, Path, description = "the file's id")),
    responses(
        (status = 200, description = "the bytes, streamed", content_type = "application/octet-stream", body = Vec<u8>),
        RecordRefusals
    )
)]
async fn download_file(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, file)): ApiPath<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let id: WorkId = id.parse()?;
    let (file, reader) = state.call(move |d| d.download(id, &file)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, crate::attachment(&file.name)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_LENGTH, file.content.size.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        crate::stream::reader_to_body(reader),
    ))
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
