//! Reminders paused by staff until a date, through the JSON API: `PUT` a pause on a contact
//! (all their work) or on one work item, `DELETE` it to resume before its date. Each answers
//! with the contact or work item as it is now.

use axum::Json;
use axum::extract::State;
use docket_engine::model::{Contact, PauseRequest, WorkId, WorkItem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::refusals::{BodyRefusals, RecordRefusals};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pause_contact, resume_contact))
        .routes(routes!(pause_work, resume_work))
}

/// `PUT /api/contacts/{id}/pause` `{"until": "2027-01-10", "note": "away"}`: no reminder
/// reaches the contact, on any work, before that day; then at most one per group, and the
/// policy's rhythm after it.
#[utoipa::path(
    put,
    path = "/contacts/{id}/pause",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id or email")),
    request_body = PauseRequest,
    responses((status = 200, description = "done", body = Contact), BodyRefusals)
)]
async fn pause_contact(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<PauseRequest>,
) -> ApiResult<Contact> {
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| {
                let id = d.find_contact(&id)?.id;
                d.pause_contact_reminders(id, request, actor)
            })
            .await?,
    ))
}

/// `DELETE /api/contacts/{id}/pause`: the contact's reminders resume now.
#[utoipa::path(
    delete,
    path = "/contacts/{id}/pause",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id or email")),
    responses((status = 200, description = "done", body = Contact), RecordRefusals)
)]
async fn resume_contact(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Contact> {
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| {
                let id = d.find_contact(&id)?.id;
                d.resume_contact_reminders(id, actor)
            })
            .await?,
    ))
}

/// `PUT /api/work/{id}/pause` `{"until": "2027-01-10"}`: this work's reminders wait until
/// that day.
#[utoipa::path(
    put,
    path = "/work/{id}/pause",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    request_body = PauseRequest,
    responses((status = 200, description = "done", body = WorkItem), BodyRefusals)
)]
async fn pause_work(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<PauseRequest>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.pause_work_reminders(id, request, actor))
            .await?,
    ))
}

/// `DELETE /api/work/{id}/pause`: this work's reminders resume now.
#[utoipa::path(
    delete,
    path = "/work/{id}/pause",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = WorkItem), RecordRefusals)
)]
async fn resume_work(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.resume_work_reminders(id, actor))
            .await?,
    ))
}
