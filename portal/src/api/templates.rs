//! Templates in the JSON API: list, create (from JSON or a TOML template file), read, replace whole, archive, restore, the
//! documents uploaded to their tasks, and the preview of the emails work made from one would
//! get. An edit changes only the work made from the template afterwards.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::NaiveDate;
use docket_engine::docket::TemplatePreview;
use docket_engine::model::{NewTemplate, Template};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{
    BodyRefusals, ListRefusals, PositionRefusals, PositionUploadRefusals, RecordQueryRefusals,
    RecordRefusals,
};
use super::{ApiResult, receive_file};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, update_template))
        .routes(routes!(archive_template))
        .routes(routes!(restore_template))
        .routes(routes!(preview_template))
        .routes(routes!(add_template_document))
        .routes(routes!(remove_template_document))
}

/// `?archived=true` lists archived templates too.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    archived: bool,
}

#[utoipa::path(
    get,
    path = "/templates",
    tag = "templates",
    params(ListQuery),
    responses((status = 200, description = "done", body = Vec<Template>), ListRefusals)
)]
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

/// A template's body: JSON, or a TOML template file (`Content-Type: application/toml`) read by the
/// rules of `docket template import`.
struct TemplateBody(NewTemplate);

impl<S: Send + Sync> FromRequest<S> for TemplateBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let toml = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/toml"));
        if !toml {
            return match ApiJson::<NewTemplate>::from_request(req, state).await {
                Ok(ApiJson(new)) => Ok(TemplateBody(new)),
                Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "send the template as JSON, with the header `Content-Type: application/json`, or as a TOML template file, with `Content-Type: application/toml`",
                )),
                Err(e) => Err(e),
            };
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::new(r.status(), r.body_text()))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the template file is not UTF-8 text",
            )
        })?;
        Ok(TemplateBody(NewTemplate::from_toml(text)?))
    }
}

/// `POST /api/templates`: a new template, as JSON or as a TOML template file (what `docket
/// template export` prints).
#[utoipa::path(
    post,
    path = "/templates",
    tag = "templates",
    request_body(
        description = "The template as JSON, or a TOML template file as `docket template import` reads it",
        content((NewTemplate = "application/json"), (String = "application/toml"))
    ),
    responses((status = 201, description = "created", body = Template), BodyRefusals)
)]
async fn create_template(
    _: ApiCaller,
    State(state): State<AppState>,
    TemplateBody(new): TemplateBody,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let name = new.name.clone();
    match state.call(move |d| d.create_template(new)).await {
        Ok(made) => Ok((StatusCode::CREATED, Json(made))),
        // The one conflict a new template meets: another has its name. Say how to replace it.
        Err(e) => {
            if e.status() != StatusCode::CONFLICT {
                return Err(e);
            }
            Err(ApiError::new(
                StatusCode::CONFLICT,
                format!(
                    "{}; to replace that template, send the same body with `PUT /api/templates/{}`",
                    e.message(),
                    urlencoding_path(&name)
                ),
            ))
        }
    }
}

/// A template's name as one segment of a path: the characters a path cannot hold escaped.
fn urlencoding_path(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[utoipa::path(
    get,
    path = "/templates/{name_or_id}",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id")),
    responses((status = 200, description = "done", body = Template), RecordRefusals)
)]
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
/// gives it, or a TOML template file (`Content-Type: application/toml`, as `docket template
/// import --replace` reads it); a document's uploaded `file` is kept when named by its id.
#[utoipa::path(
    put,
    path = "/templates/{name_or_id}",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id")),
    request_body(
        description = "The whole template as JSON, or a TOML template file as `docket template import --replace` reads it",
        content((NewTemplate = "application/json"), (String = "application/toml"))
    ),
    responses((status = 200, description = "done", body = Template), BodyRefusals)
)]
async fn update_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
    TemplateBody(new): TemplateBody,
) -> ApiResult<Template> {
    Ok(Json(
        state
            .call(move |d| d.update_template(&name_or_id, new))
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/templates/{name_or_id}/archive",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id")),
    responses((status = 200, description = "done", body = Template), RecordRefusals)
)]
async fn archive_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
) -> ApiResult<Template> {
    Ok(Json(
        state.call(move |d| d.archive_template(&name_or_id)).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/templates/{name_or_id}/restore",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id")),
    responses((status = 200, description = "done", body = Template), RecordRefusals)
)]
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
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PreviewQuery {
    #[serde(deserialize_with = "docket_engine::dates::date")]
    start: NaiveDate,
    /// Show the calendar of a client whose reminders are paused until this day (after today).
    #[serde(default, deserialize_with = "docket_engine::dates::some_date")]
    paused_until: Option<NaiveDate>,
    /// `month`, `quarter`, `year` or a cron expression: also give the start dates of the
    /// next work items such a repeat would make (`repeats`).
    every: Option<String>,
    /// The day of the month of that repeat (1–31); the start day when left out.
    day: Option<u32>,
}

/// `GET /api/templates/{name_or_id}/preview?start=YYYY-MM-DD[&paused_until=YYYY-MM-DD][&every=…]`: per
/// group, when its first email and each reminder would go out for work made now with that
/// start date (for a client paused until a day: held to it, as the scheduler holds them;
/// with `every`, the start dates of the next work a repeat would make).
#[utoipa::path(
    get,
    path = "/templates/{name_or_id}/preview",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id"), PreviewQuery),
    responses((status = 200, description = "done", body = TemplatePreview), RecordQueryRefusals)
)]
async fn preview_template(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(name_or_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> ApiResult<TemplatePreview> {
    Ok(Json(
        state
            .call(move |d| {
                let mut preview =
                    d.preview_template_paused(&name_or_id, q.start, q.paused_until)?;
                if let Some(every) = q.every.as_deref() {
                    preview.repeats = d.repeat_dates(q.start, every, q.day)?;
                }
                Ok(preview)
            })
            .await?,
    ))
}

/// `?name=` of a document uploaded to a template's task.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DocumentQuery {
    name: String,
}

/// `POST /api/templates/{template}/groups/{group}/tasks/{task}/documents?name=NAME`: the body
/// is a document for the client (a form, an engagement letter); work made from the template
/// from now on carries it on that task, downloadable from the client's checklist.
#[utoipa::path(
    post,
    path = "/templates/{name_or_id}/groups/{group}/tasks/{task}/documents",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id"), ("group" = usize, Path, description = "the group's position in the work item, from 0"), ("task" = usize, Path, description = "the task's position in its group, from 0"), DocumentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes, streamed"),
    responses((status = 201, description = "created", body = Template), PositionUploadRefusals)
)]
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
#[utoipa::path(
    delete,
    path = "/templates/{name_or_id}/groups/{group}/tasks/{task}/documents/{n}",
    tag = "templates",
    params(("name_or_id" = String, Path, description = "the template's name or id"), ("group" = usize, Path, description = "the group's position in the work item, from 0"), ("task" = usize, Path, description = "the task's position in its group, from 0"), ("n" = usize, Path, description = "the document's position on the task, from 0")),
    responses((status = 200, description = "done", body = Template), PositionRefusals)
)]
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
