//! The JSON API under `/api`, grouped by the engine's nouns: `templates.rs`, `contacts.rs`,
//! `work/` (work items, their comments and files, and what staff do to them), `staff/` (members,
//! their inboxes, API tokens), `settings/` (the firm's settings, logo and test email, plugins),
//! `pauses.rs` (reminders paused until a date), `repeats.rs` (work that repeats), `sending.rs` (the outbox) and `backup.rs` (a live backup). Here: what they share — paging,
//! files received as a request body — and `refusals.rs`, the refusals the document lists. Every
//! route but the OpenAPI document needs an API token.

mod backup;
mod contacts;
mod pauses;
pub(crate) mod refusals;
mod repeats;
mod replies;
mod sending;
mod settings;
mod staff;
mod templates;
mod work;

use axum::Json;
use axum::body::Body;
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use docket_engine::model::StoredFile;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState};

/// Largest page a list call returns.
const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 100;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(backup::backup))
        .merge(sending::routes())
        .merge(staff::routes())
        .merge(settings::routes())
        .merge(templates::routes())
        .merge(contacts::routes())
        .merge(work::routes())
        .merge(pauses::routes())
        .merge(repeats::routes())
        .merge(replies::routes())
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Paging of list calls: `?after=ID&limit=N`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Page {
    /// The id of the last item of the page before (a ULID).
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")]
    after: Option<String>,
    /// How many items at most: 1 to 500 (more reads as 500); 100 when not given.
    #[param(minimum = 1)]
    limit: Option<usize>,
}

/// A timeline's length: `?limit=N`, the newest N events.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Newest {
    /// How many events at most, newest first: 1 to 500 (more reads as 500); 100 when not given.
    #[param(minimum = 1)]
    limit: Option<usize>,
}

impl Newest {
    fn limit(&self) -> Result<usize, ApiError> {
        page_limit(self.limit, DEFAULT_PAGE)
    }
}

/// A page's length as asked (`default` when not): 0 is refused, more than `MAX_PAGE` is cut.
pub(crate) fn page_limit(limit: Option<usize>, default: usize) -> Result<usize, ApiError> {
    match limit {
        Some(0) => Err(ApiError::from(docket_engine::Error::invalid(format!(
            "limit is how many items a page lists, from 1 to {MAX_PAGE}; 0 lists nothing"
        )))),
        limit => Ok(limit.unwrap_or(default).min(MAX_PAGE)),
    }
}

impl Page {
    fn limit(&self) -> Result<usize, ApiError> {
        page_limit(self.limit, DEFAULT_PAGE)
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
                "the file is larger than {}; files may be at most that size",
                docket_engine::text::size(cap)
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
