//! Work items in the JSON API, as the engine's `work/` has them: listed by the filters the
//! indexes serve, created from a template (one, or one per contact for many contacts at once),
//! read with their timeline (here); the comments and
//! files exchanged on them (`exchange.rs`); and what staff do to them — status, details,
//! completing and reopening, a group's settings, recipient and sending, its tasks
//! (`actions.rs`).

mod actions;
mod exchange;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::WorkListQuery;
use docket_engine::model::{NewBulkWork, NewWork, TimelineEvent, WorkId, WorkItem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{BodyRefusals, ListRefusals, RecordQueryRefusals, RecordRefusals};
use super::{ApiResult, Newest, Page};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_work, create_work))
        .routes(routes!(create_work_bulk))
        .routes(routes!(get_work))
        .routes(routes!(work_timeline))
        .merge(exchange::routes())
        .merge(actions::routes())
}

/// Filters of the work list — `?status=&sub_status=&assignee=EMAIL|ID|none&due_from=YYYY-MM-DD&
/// due_to=YYYY-MM-DD&waiting_on_client=true&contact=ID|EMAIL&needs_attention=true&sort=newest|oldest|due|client|status|assignee` — plus
/// paging.
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
    /// `newest` (the default), `oldest`, `due` (the soonest next due date first, leaving out
    /// work with no open task), `client` (the first group's contact, by name), `status`
    /// (planned, waiting on the client, in progress, completed) or `assignee` (by name,
    /// unassigned last); newest first within a client, status or assignee.
    sort: Option<String>,
    /// The id of the last item of the page before (a ULID).
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")]
    after: Option<String>,
    #[param(minimum = 1)]
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
        sort: q.sort,
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

/// The same work for many contacts in one step: one work item per contact, all made or none
/// (a refusal names every contact that cannot have it).
#[utoipa::path(
    post,
    path = "/work/bulk",
    tag = "work",
    request_body = NewBulkWork,
    responses((status = 201, description = "created, in the order the contacts were given", body = Vec<WorkItem>), BodyRefusals)
)]
async fn create_work_bulk(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewBulkWork>,
) -> Result<(StatusCode, Json<Vec<WorkItem>>), ApiError> {
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(state.call(move |d| d.create_work_bulk(new, actor)).await?),
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
    params(("id" = String, Path, description = "the work item's id"), Newest),
    responses((status = 200, description = "done", body = Vec<TimelineEvent>), RecordQueryRefusals)
)]
async fn work_timeline(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<Newest>,
) -> ApiResult<Vec<TimelineEvent>> {
    let id: WorkId = id.parse()?;
    let limit = page.limit()?;
    Ok(Json(state.call(move |d| d.work_timeline(id, limit)).await?))
}
