//! The JSON API under `/api`: the firm, backups and the outbox here; work items in `work_items.rs`
//! and `work.rs`, staff and their inboxes in `staff.rs`,
//! tokens in `tokens.rs`, settings and plugins in `settings.rs` and `firm_admin.rs`, templates in
//! `templates.rs`, contacts in `contacts.rs`. Every route but the OpenAPI document needs an API
//! token.

mod contacts;
mod firm_admin;
pub(crate) mod refusals;
mod settings;
mod staff;
mod templates;
mod tokens;
mod work;
mod work_items;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use docket_engine::model::{FirmSettings, OutboundMessage};
use docket_engine::store::StoredFile;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminCaller, ApiCaller};
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use refusals::{AdminListRefusals, AdminRecordRefusals, TokenRefusals};

/// Largest page a list call returns.
const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 100;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(firm))
        .routes(routes!(crate::backup::backup))
        .routes(routes!(list_outbox))
        .routes(routes!(get_outbox))
        .merge(staff::routes())
        .merge(tokens::routes())
        .merge(settings::routes())
        .merge(firm_admin::routes())
        .merge(templates::routes())
        .merge(contacts::routes())
        .merge(work::routes())
        .merge(work_items::routes())
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Paging of list calls: `?after=ID&limit=N`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Page {
    after: Option<String>,
    /// How many items at most: 1 to 500 (more reads as 500); 100 when not given.
    limit: Option<usize>,
}

impl Page {
    fn limit(&self) -> Result<usize, ApiError> {
        match self.limit {
            Some(0) => Err(ApiError::from(docket_engine::Error::invalid(format!(
                "limit is how many items a page lists, from 1 to {MAX_PAGE}; 0 lists nothing"
            )))),
            limit => Ok(limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE)),
        }
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

#[utoipa::path(
    get,
    path = "/firm",
    tag = "firm",
    responses((status = 200, description = "done", body = FirmSettings), TokenRefusals)
)]
async fn firm(_: ApiCaller, State(state): State<AppState>) -> ApiResult<FirmSettings> {
    Ok(Json(state.call(|d| d.firm_settings()).await?))
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

fn unknown_action(action: &str, known: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("`{action}` is not an action here; use {known}"),
    )
}
