//! What Docket sends, in the JSON API, for admin tokens: the outbox, a page at a time newest
//! first, and one message with its state.

use axum::Json;
use axum::extract::State;
use docket_engine::model::OutboundMessage;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{AdminListRefusals, AdminRecordRefusals};
use super::{ApiResult, Page};
use crate::auth::AdminCaller;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_outbox))
        .routes(routes!(get_outbox))
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
