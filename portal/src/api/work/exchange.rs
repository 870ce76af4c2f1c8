//! What staff and clients exchange on a work item, in the JSON API: comments (on the work, or
//! on a group and one of its tasks, which that group's contact sees) and files — listed,
//! uploaded (streamed into the file store), downloaded (streamed out) and removed.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use docket_engine::docket::{PostedComment, UploadDetails};
use docket_engine::model::{Comment, UploadedFile, WorkId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::refusals::{BodyRefusals, PositionBodyRefusals, RecordRefusals, UploadRefusals};
use crate::api::{ApiResult, receive_file};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(add_group_comment))
        .routes(routes!(list_files, upload_file))
        .routes(routes!(download_file, remove_file))
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
            (
                header::CONTENT_DISPOSITION,
                crate::attachment(&docket_engine::filetype::download_name(&file)),
            ),
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
