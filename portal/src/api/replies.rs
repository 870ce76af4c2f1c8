//! Replies by email that matched no client's work, through the JSON API: list them (with the
//! reply mailbox's state), attach one to a work item's group, or discard it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::Received;
use docket_engine::model::{InboundStatus, UnmatchedReply, WorkId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::refusals::{BodyRefusals, RecordRefusals, TokenRefusals};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_unmatched))
        .routes(routes!(discard_unmatched))
        .routes(routes!(attach_unmatched))
}

/// The unmatched replies, newest first (at most 200), and whether the mailbox answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct UnmatchedReplies {
    /// The reply mailbox as last seen; none before Docket first read it.
    mailbox: Option<InboundStatus>,
    replies: Vec<UnmatchedReply>,
}

/// Where staff attach a reply: a work item's group (from 0).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AttachReply {
    work: String,
    group: usize,
}

/// `GET /api/replies/unmatched`
#[utoipa::path(
    get,
    path = "/replies/unmatched",
    tag = "replies",
    responses((status = 200, description = "done", body = UnmatchedReplies), TokenRefusals)
)]
async fn list_unmatched(
    _: ApiCaller,
    State(state): State<AppState>,
) -> ApiResult<UnmatchedReplies> {
    Ok(Json(
        state
            .call(|d| {
                Ok(UnmatchedReplies {
                    mailbox: d.inbound_status()?,
                    replies: d.unmatched_replies()?,
                })
            })
            .await?,
    ))
}

/// `DELETE /api/replies/unmatched/{id}`: the reply and its stored message are thrown away.
#[utoipa::path(
    delete,
    path = "/replies/unmatched/{id}",
    tag = "replies",
    params(("id" = String, Path, description = "the unmatched reply's id")),
    responses((status = 204, description = "discarded"), RecordRefusals)
)]
async fn discard_unmatched(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.actor();
    state
        .call(move |d| d.discard_unmatched_reply(&id, actor))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/replies/unmatched/{id}/attach` `{"work": "ID", "group": 0}`: the reply's text
/// becomes a comment on the group, its attachments uploads on the group's first open task.
#[utoipa::path(
    post,
    path = "/replies/unmatched/{id}/attach",
    tag = "replies",
    params(("id" = String, Path, description = "the unmatched reply's id")),
    request_body = AttachReply,
    responses((status = 200, description = "done", body = Received), BodyRefusals)
)]
async fn attach_unmatched(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<AttachReply>,
) -> ApiResult<Received> {
    let work: WorkId = request.work.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.attach_unmatched_reply(&id, work, request.group, actor))
            .await?,
    ))
}
