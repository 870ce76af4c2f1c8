//! Work that repeats, through the JSON API: `PUT /api/work/{id}/repeat` sets or changes a work
//! item's repeat, `DELETE` stops it. Each answers with the work item as it is now: its
//! `repeat` shows the rule and the next occurrences (`next`, up to three), which
//! `GET /api/work/{id}` shows too.

use axum::Json;
use axum::extract::State;
use docket_engine::model::{RepeatRequest, WorkId, WorkItem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::refusals::{BodyRefusals, RecordRefusals};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(set_repeat, stop_repeat))
}

/// `PUT /api/work/{id}/repeat` `{"every": "quarter", "day": 7, "until": "2028-12-31"}`: the
/// scheduler makes the next work item like this one (same template, contacts and assignee) on
/// each occurrence's start date, exactly once. `every` is `month`, `quarter`, `year` or a
/// five-field cron expression in the firm's zone firing at most once a day; a refusal names its field (`every`, `day`,
/// `until`, `title`).
#[utoipa::path(
    put,
    path = "/work/{id}/repeat",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    request_body = RepeatRequest,
    responses((status = 200, description = "done", body = WorkItem), BodyRefusals)
)]
async fn set_repeat(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<RepeatRequest>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.set_repeat(id, request, actor))
            .await?,
    ))
}

/// `DELETE /api/work/{id}/repeat`: the work stops repeating; what it made stays.
#[utoipa::path(
    delete,
    path = "/work/{id}/repeat",
    tag = "work",
    params(("id" = String, Path, description = "the work item's id")),
    responses((status = 200, description = "done", body = WorkItem), RecordRefusals)
)]
async fn stop_repeat(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<WorkItem> {
    let id: WorkId = id.parse()?;
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| d.stop_repeat(id, actor).map(|(work, _)| work))
            .await?,
    ))
}
