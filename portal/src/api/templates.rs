//! Templates in the JSON API: list, create, read, replace whole, archive, restore, the
//! documents uploaded to their tasks, and the preview of the emails work made from one would
//! get. An edit changes only the work made from the template afterwards.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use docket_engine::docket::TemplatePreview;
use docket_engine::model::{NewTemplate, Template};
use serde::Deserialize;

use super::{ApiResult, receive_file};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list_templates).post(create_template))
        .route(
            "/templates/{name_or_id}",
            get(get_template).put(update_template),
        )
        .route("/templates/{name_or_id}/archive", post(archive_template))
        .route("/templates/{name_or_id}/restore", post(restore_template))
        .route("/templates/{name_or_id}/preview", get(preview_template))
        .route(
            "/templates/{name_or_id}/groups/{group}/tasks/{task}/documents",
            post(add_template_document),
        )
        .route(
            "/templates/{name_or_id}/groups/{group}/tasks/{task}/documents/{n}",
            delete(remove_template_document),
        )
}

/// `?archived=true` lists archived templates too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    archived: bool,
}

async fn list_templates(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Vec<Template>> {
    let mut templates = state.call(|d| d.list_templates()).await?;
    if !q.archived {
        templates.retain(|t| t.archived_at.is_none());
    }
    Ok(Json(templates))
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

/// `PUT /api/templates/{name_or_id}`: the whole template (name, description, groups) as `GET`
/// gives it; a document's uploaded `file` is kept when named by its id.
async fn update_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
    ApiJson(new): ApiJson<NewTemplate>,
) -> ApiResult<Template> {
    Ok(Json(
        state
            .call(move |d| d.update_template(&name_or_id, new))
            .await?,
    ))
}

async fn archive_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
) -> ApiResult<Template> {
    Ok(Json(
        state.call(move |d| d.archive_template(&name_or_id)).await?,
    ))
}

async fn restore_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
) -> ApiResult<Template> {
    Ok(Json(
        state.call(move |d| d.restore_template(&name_or_id)).await?,
    ))
}

/// `?start=YYYY-MM-DD`: the sample start date of the preview.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewQuery {
    start: NaiveDate,
}

/// `GET /api/templates/{name_or_id}/preview?start=YYYY-MM-DD`: per group, when its first email
/// and each reminder would go out for work made now with that start date.
async fn preview_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> ApiResult<TemplatePreview> {
    Ok(Json(
        state
            .call(move |d| d.preview_template(&name_or_id, q.start))
            .await?,
    ))
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
