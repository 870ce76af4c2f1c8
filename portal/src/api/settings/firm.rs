//! The firm in the JSON API besides its settings' fields: `GET /api/firm`, the settings as any
//! token reads them; and for admin tokens `PUT /api/settings/logo` (the image itself as the body:
//! PNG, JPEG, GIF or WebP, at most 512 KiB; served at `/firm/logo` for emails and the portal) and
//! `POST /api/settings/test-email` (a test email to a member of staff through the configured
//! transport, shown in the outbox).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::MAX_LOGO_BYTES;
use docket_engine::model::{FirmSettings, OutboundMessage};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiResult;
use crate::api::refusals::{AdminBodyRefusals, LogoRefusals, TokenRefusals};
use crate::auth::{AdminCaller, ApiCaller};
use crate::extract::ApiJson;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(firm))
        .routes(routes!(upload_logo))
        .routes(routes!(test_email))
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

/// Replaces the firm's logo with the body's image.
#[utoipa::path(
    put,
    path = "/settings/logo",
    tag = "settings",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes, streamed"),
    responses((status = 200, description = "done", body = FirmSettings), LogoRefusals)
)]
async fn upload_logo(
    _: AdminCaller,
    State(state): State<AppState>,
    body: Body,
) -> ApiResult<FirmSettings> {
    // One byte past the cap is enough to know it is too large; the engine says by how much.
    let bytes = axum::body::to_bytes(body, MAX_LOGO_BYTES + 1)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the logo may be at most {} KiB; upload a smaller image",
                    MAX_LOGO_BYTES / 1024
                ),
            )
        })?;
    Ok(Json(state.call(move |d| d.set_firm_logo(&bytes)).await?))
}

/// Who a test email goes to.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TestEmail {
    /// A member of staff, by email or id.
    to: String,
}

/// Queues a test email to a member of staff; the answer is the message, whose state the
/// outbox follows.
#[utoipa::path(
    post,
    path = "/settings/test-email",
    tag = "settings",
    request_body = TestEmail,
    responses((status = 201, description = "created", body = OutboundMessage), AdminBodyRefusals)
)]
async fn test_email(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiJson(test): ApiJson<TestEmail>,
) -> Result<(StatusCode, Json<OutboundMessage>), ApiError> {
    let message = state
        .call(move |d| {
            let member = d.find_staff(&test.to)?;
            d.queue_test_email(member.id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(message)))
}
