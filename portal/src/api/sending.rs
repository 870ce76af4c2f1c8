//! What Docket sends, in the JSON API: the outbox, a page at a time newest first, and one
//! message with its state (admin tokens); whether sending is paused (a restored folder starts
//! so), and resuming it (admin tokens).

use axum::Json;
use axum::extract::State;
use docket_engine::model::{OutboundMessage, SendingPause};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{AdminListRefusals, AdminRecordRefusals, AdminRefusals, TokenRefusals};
use super::{ApiResult, Page};
use crate::auth::{AdminCaller, ApiCaller};
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_outbox))
        .routes(routes!(get_outbox))
        .routes(routes!(sending_state))
        .routes(routes!(pause_sending))
        .routes(routes!(resume_sending))
}

/// Whether Docket sends: `paused` says since when and why it does not.
#[derive(Serialize, utoipa::ToSchema)]
struct SendingState {
    /// Present while sending is paused: nothing is emailed or posted until an admin resumes.
    paused: Option<SendingPause>,
}

#[utoipa::path(
    get,
    path = "/sending",
    tag = "outbox",
    responses((status = 200, description = "done", body = SendingState), TokenRefusals)
)]
async fn sending_state(_: ApiCaller, State(state): State<AppState>) -> ApiResult<SendingState> {
    let paused = state.call(|d| d.sending_pause()).await?;
    Ok(Json(SendingState { paused }))
}

/// Pauses sending: Docket serves as usual but emails and posts nothing until resumed (what
/// falls due meanwhile waits). Pausing when paused keeps the first pause.
#[utoipa::path(
    post,
    path = "/sending/pause",
    tag = "outbox",
    responses((status = 200, description = "sending waits", body = SendingState), AdminRefusals)
)]
async fn pause_sending(
    caller: AdminCaller,
    State(state): State<AppState>,
) -> ApiResult<SendingState> {
    let why = format!("paused through the API by token {}", caller.0.0.name);
    let pause = state
        .call(move |d| match d.sending_pause()? {
            Some(pause) => Ok(pause),
            None => d.pause_sending(&why),
        })
        .await?;
    Ok(Json(SendingState {
        paused: Some(pause),
    }))
}

/// Lets Docket send again after a pause: the scheduler fires what is due (each group once) and
/// the outbox goes out. Resuming when not paused changes nothing.
#[utoipa::path(
    post,
    path = "/sending/resume",
    tag = "outbox",
    responses((status = 200, description = "sending goes on", body = SendingState), AdminRefusals)
)]
async fn resume_sending(
    caller: AdminCaller,
    State(state): State<AppState>,
) -> ApiResult<SendingState> {
    let by = format!("API token {}", caller.0.0.name);
    state.call(move |d| d.resume_sending(&by)).await?;
    Ok(Json(SendingState { paused: None }))
}

#[utoipa::path(
    get,
    path = "/outbox",
    tag = "outbox",
    params(Page),
    responses((status = 200, description = "done", body = Vec<OutboundMessage>), AdminListRefusals)
)]
async fn list_outbox(
    _: AdminCaller,
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
    let limit = page.limit()?;
    Ok(Json(state.call(move |d| d.outbox(after, limit)).await?))
}

#[utoipa::path(
    get,
    path = "/outbox/{id}",
    tag = "outbox",
    params(("id" = String, Path, description = "the message's id")),
    responses((status = 200, description = "done", body = OutboundMessage), AdminRecordRefusals)
)]
async fn get_outbox(
    _: AdminCaller,
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
