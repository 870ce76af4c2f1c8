//! Replies by email that matched no client's work, through the JSON API: list them (with how far
//! replies by email are set up, the reply address and the reply mailbox's state), the open work
//! one may be attached to (the sender's first), attach one to a work item's group (open work
//! only: completed work is refused with 409), or discard it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::{Received, RepliesByEmail, ReplyChoices};
use docket_engine::model::{InboundStatus, UnmatchedReply, WorkId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::refusals::{BodyRefusals, RecordQueryStateRefusals, RecordRefusals, TokenRefusals};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_unmatched))
        .routes(routes!(discard_unmatched))
        .routes(routes!(attach_unmatched))
        .routes(routes!(reply_choices))
}

/// The unmatched replies, newest first (at most 200), how far replies by email are set up, and
/// whether the mailbox answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct UnmatchedReplies {
    /// `not_set_up`: no `[inbound]`, so emails to clients carry no reply address of Docket's
    /// and their answers go to the sender's mailbox; `not_read`: emails carry the reply address but no
    /// mailbox is read (`[inbound] imap_host` is not set); `read`: the mailbox is read;
    /// `failing`: Docket cannot read it now (`mailbox.error` says why) and keeps trying.
    setup: RepliesByEmail,
    /// The firm's reply address (`[inbound] reply_address`); none when not set up.
    reply_address: Option<String>,
    /// The reply mailbox as last seen (`error` and `failing_since` while it cannot be read);
    /// none before Docket first read it.
    mailbox: Option<InboundStatus>,
    replies: Vec<UnmatchedReply>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ChoicesQuery {
    /// Part of a client's name or email, or of a work item's title: open work it finds is
    /// listed under `found`.
    q: Option<String>,
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
                    setup: d.replies_by_email(),
                    reply_address: d.reply_address(),
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

/// `GET /api/replies/unmatched/{id}/choices?q=…`: the open work the reply may be attached to —
/// the sender's (when the sender's address is a contact's), the work its reply address named,
/// and open work `q` finds by client or title — each with its groups (from 0); `first` is the
/// likeliest. Completed work is never listed.
#[utoipa::path(
    get,
    path = "/replies/unmatched/{id}/choices",
    tag = "replies",
    params(("id" = String, Path, description = "the unmatched reply's id"), ChoicesQuery),
    responses(
        (status = 200, description = "done", body = ReplyChoices),
        RecordQueryStateRefusals
    )
)]
async fn reply_choices(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChoicesQuery>,
) -> ApiResult<ReplyChoices> {
    let q = query.q.unwrap_or_default();
    Ok(Json(state.call(move |d| d.reply_choices(&id, &q)).await?))
}

/// `POST /api/replies/unmatched/{id}/attach` `{"work": "ID", "group": 0}`: the reply's text
/// becomes a comment on the group, its attachments uploads on the group's first open task.
/// Completed work is refused (409): reopen it first.
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
