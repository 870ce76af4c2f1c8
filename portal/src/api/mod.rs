//! The JSON API under `/api`: templates, contacts and work items here, staff and their inboxes
//! in `staff.rs`. Every route needs an API token.

mod staff;
mod work;

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use docket_engine::docket::{GroupSettings, UploadDetails, WorkListQuery};
use docket_engine::model::{
    Comment, Contact, ContactId, FirmSettings, NewContact, NewTemplate, NewWork, OutboundMessage,
    Template, TimelineEvent, UploadedFile, WorkId, WorkItem,
};
use docket_engine::store::StoredFile;
use serde::Deserialize;

use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

/// Largest page a list call returns.
const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/firm", get(firm))
        .route("/backup", get(crate::backup::backup))
        .route("/templates", get(list_templates).post(create_template))
        .route("/templates/{name_or_id}", get(get_template))
        .route(
            "/templates/{name_or_id}/groups/{group}/tasks/{task}/documents",
            post(add_template_document),
        )
        .route(
            "/templates/{name_or_id}/groups/{group}/tasks/{task}/documents/{n}",
            delete(remove_template_document),
        )
        .route("/contacts", get(list_contacts).post(create_contact))
        .route("/contacts/{id}", get(get_contact))
        .route("/contacts/{id}/timeline", get(contact_timeline))
        .route("/contacts/{id}/{action}", post(contact_action))
        .route("/work", get(list_work).post(create_work))
        .route("/work/{id}", get(get_work))
        .route("/work/{id}/timeline", get(work_timeline))
        .route("/work/{id}/comments", get(list_comments).post(add_comment))
        .route("/work/{id}/files", get(list_files).post(upload_file))
        .route("/work/{id}/files/{file}", get(download_file))
        .route("/work/{id}/status", post(set_status))
        .route("/work/{id}/groups/{group}", patch(update_group))
        .route(
            "/work/{id}/groups/{group}/comments",
            post(add_group_comment),
        )
        .route("/work/{id}/groups/{group}/{action}", post(group_action))
        .route(
            "/work/{id}/groups/{group}/tasks/{task}/{action}",
            post(task_action),
        )
        .route("/outbox", get(list_outbox))
        .route("/outbox/{id}", get(get_outbox))
        .merge(staff::routes())
        .merge(work::routes())
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Paging of list calls: `?after=ID&limit=N`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    after: Option<String>,
    limit: Option<usize>,
}

impl Page {
    fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
    }

    fn after<T: std::str::FromStr<Err = docket_engine::Error>>(
        &self,
    ) -> Result<Option<T>, ApiError> {
        self.after
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(ApiError::from)
    }
}

async fn firm(_: ApiCaller, State(state): State<AppState>) -> ApiResult<FirmSettings> {
    Ok(Json(state.call(|d| d.firm_settings()).await?))
}

async fn list_templates(_: ApiCaller, State(state): State<AppState>) -> ApiResult<Vec<Template>> {
    Ok(Json(state.call(|d| d.list_templates()).await?))
}

async fn create_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewTemplate>,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.call(move |d| d.create_template(new)).await?),
    ))
}

async fn get_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
) -> ApiResult<Template> {
    Ok(Json(
        state.call(move |d| d.find_template(&name_or_id)).await?,
    ))
}

async fn list_contacts(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Vec<Contact>> {
    let after = page.after::<ContactId>()?;
    let limit = page.limit();
    Ok(Json(
        state.call(move |d| d.list_contacts(after, limit)).await?,
    ))
}

async fn create_contact(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewContact>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(state.call(move |d| d.create_contact(new, actor)).await?),
    ))
}

async fn get_contact(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Contact> {
    let id: ContactId = id.parse()?;
    Ok(Json(state.call(move |d| d.contact(id)).await?))
}

/// `archive` (ends the contact's portal access and sign-in) or `restore`.
async fn contact_action(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, action)): ApiPath<(String, String)>,
) -> ApiResult<Contact> {
    let id: ContactId = id.parse()?;
    let archive = match action.as_str() {
        "archive" => true,
        "restore" => false,
        other => return Err(unknown_action(other, "archive or restore")),
    };
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| {
                if archive {
                    d.archive_contact(id, actor)
                } else {
                    d.restore_contact(id, actor)
                }
            })
            .await?,
    ))
}

async fn contact_timeline(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Vec<TimelineEvent>> {
    let id: ContactId = id.parse()?;
    let limit = page.limit();
    Ok(Json(
        state.call(move |d| d.contact_timeline(id, limit)).await?,
    ))
}

/// Filters of the work list — `?status=&sub_status=&assignee=EMAIL|ID|none&due_from=YYYY-MM-DD&
/// due_to=YYYY-MM-DD&waiting_on_client=true&contact=ID|EMAIL` — plus paging.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkQuery {
    status: Option<String>,
    sub_status: Option<String>,
    assignee: Option<String>,
    due_from: Option<String>,
    due_to: Option<String>,
    waiting_on_client: Option<String>,
    contact: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

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
    };
    let page = Page {
        after: q.after,
        limit: q.limit,
    };
    let after = page.after::<WorkId>()?;
    let limit = page.limit();
    Ok(Json(
        state
            .call(move |d| d.find_work(&query, after, limit))
            .await?,
    ))
}

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

async fn get_work(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    Ok(Json(state.call(move |d| d.work(id)).await?))
}

async fn work_timeline(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Vec<TimelineEvent>> {
    let id: WorkId = id.parse()?;
    let limit = page.limit();
    Ok(Json(state.call(move |d| d.work_timeline(id, limit)).await?))
}

/// A new comment: `{"body": "..."}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewComment {
    body: String,
}

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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGroupComment {
    body: String,
    #[serde(default)]
    task: Option<usize>,
}

async fn add_group_comment(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, group)): ApiPath<(String, usize)>,
    ApiJson(new): ApiJson<NewGroupComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .call(move |d| d.add_comment_on(id, Some((group, new.task)), &new.body, actor))
                .await?,
        ),
    ))
}

async fn add_comment(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(new): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .call(move |d| d.add_comment(id, &new.body, actor))
                .await?,
        ),
    ))
}

async fn list_files(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Vec<UploadedFile>> {
    let id: WorkId = id.parse()?;
    Ok(Json(state.call(move |d| d.files(id)).await?))
}

/// Where an upload goes: `?name=FILE` and optionally the task it answers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    name: String,
    group: Option<usize>,
    task: Option<usize>,
}

/// Uploads the request body as a file; its `Content-Type` is kept. The body is streamed to the
/// file store chunk by chunk, so memory stays flat whatever the size; past the cap it is
/// refused with 413. A multipart form is refused with 415 rather than stored as the file.
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

/// Takes a request body as a file into the file store, with its `Content-Type`: refused with
/// 413 as soon as it passes the cap (at once when its declared length does), and with 415 when
/// it is a multipart form rather than the file itself.
async fn receive_file(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(StoredFile, String), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    if content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/")
    {
        crate::stream::discard(body.into_data_stream()).await;
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the file itself as the request body (curl --data-binary @FILE -H 'Content-Type: application/pdf'), with its name in ?name=; multipart forms are not accepted",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let cap = state.docket.max_upload();
    if declared.is_some_and(|n| n > cap) {
        crate::stream::discard(body.into_data_stream()).await;
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the file is larger than {} MiB; files may be at most that size",
                cap / 1_048_576
            ),
        ));
    }
    let stored = crate::stream::body_to_file(state, body).await?;
    Ok((stored, content_type))
}

/// `?name=` of a document uploaded to a template's task.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentQuery {
    name: String,
}

/// `POST /api/templates/{template}/groups/{group}/tasks/{task}/documents?name=NAME`: the body
/// is a document for the client (a form, an engagement letter); work made from the template
/// from now on carries it on that task, downloadable from the client's checklist.
async fn add_template_document(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath((template, group, task)): ApiPath<(String, usize, usize)>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let (stored, content_type) = receive_file(&state, &headers, body).await?;
    let template = state
        .call(move |d| {
            d.attach_template_document(&template, (group, task), &q.name, content_type, stored)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(template)))
}

/// `DELETE /api/templates/{template}/groups/{group}/tasks/{task}/documents/{n}`.
async fn remove_template_document(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath((template, group, task, index)): ApiPath<(String, usize, usize, usize)>,
) -> ApiResult<Template> {
    Ok(Json(
        state
            .call(move |d| d.remove_template_document(&template, (group, task), index))
            .await?,
    ))
}

/// The bytes of an uploaded file, always as a download, never rendered in the browser; read
/// from the file store as they are sent.
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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewStatus {
    status: String,
}

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
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SendBody {
    external_name: Option<String>,
}

/// `send` or `resend` a group; an optional body `{"external_name": "..."}` renames the work as
/// the client will see it first.
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

fn unknown_action(action: &str, known: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("`{action}` is not an action here; use {known}"),
    )
}

async fn list_outbox(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Vec<OutboundMessage>> {
    let after = page
        .after
        .as_deref()
        .map(|a| {
            ulid::Ulid::from_string(a).map_err(|_| {
                ApiError::from(docket_engine::Error::invalid(format!(
                    "`{a}` is not a message id"
                )))
            })
        })
        .transpose()?;
    let limit = page.limit();
    Ok(Json(state.call(move |d| d.outbox(after, limit)).await?))
}

async fn get_outbox(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<OutboundMessage> {
    let id = ulid::Ulid::from_string(&id).map_err(|_| {
        ApiError::from(docket_engine::Error::invalid(format!(
            "`{id}` is not a message id"
        )))
    })?;
    Ok(Json(state.call(move |d| d.outbox_message(id)).await?))
}
