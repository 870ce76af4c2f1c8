//! The firm's settings in the JSON API, for admin tokens: `GET /api/settings` (with the keys the
//! configuration pins) and `PATCH /api/settings` (the keys given; a bad key is a 422 naming it,
//! and nothing is changed); and `GET /api/plugins`, the plugins served with their worlds and
//! the capabilities granted.

use axum::Json;
use axum::extract::State;
use docket_engine::docket::SettingsChange;
use docket_engine::model::FirmSettings;
use docket_engine::plugin::PluginInfo;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use crate::AppState;
use crate::auth::AdminCaller;
use crate::extract::ApiJson;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, change))
        .routes(routes!(plugins))
}

#[utoipa::path(
    get,
    path = "/plugins",
    tag = "plugins",
    responses(
        (status = 200, description = "done", body = Vec<PluginInfo>),
        (status = 401, description = "no valid API token", body = crate::error::ErrorBody),
        (status = 403, description = "an admin token is needed", body = crate::error::ErrorBody)
    ),
    security(("api_token" = []))
)]
async fn plugins(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<PluginInfo>> {
    Ok(Json(state.call(|d| Ok(d.installed_plugins())).await?))
}

/// The settings, and which of their keys the configuration sets.
#[derive(Serialize, utoipa::ToSchema)]
struct SettingsAnswer {
    settings: FirmSettings,
    /// Keys (`timezone`, ...) that `[firm]` in the configuration or `DOCKET_FIRM_*` sets: they
    /// are applied at every start, so a `PATCH` may not change them.
    pinned: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/settings",
    tag = "settings",
    responses(
        (status = 200, description = "done", body = SettingsAnswer),
        (status = 401, description = "no valid API token", body = crate::error::ErrorBody),
        (status = 403, description = "an admin token is needed", body = crate::error::ErrorBody)
    ),
    security(("api_token" = []))
)]
async fn show(_: AdminCaller, State(state): State<AppState>) -> ApiResult<SettingsAnswer> {
    let (settings, pinned) = state
        .call(|d| Ok((d.firm_settings()?, d.pinned_settings())))
        .await?;
    Ok(Json(SettingsAnswer { settings, pinned }))
}

#[utoipa::path(
    patch,
    path = "/settings",
    tag = "settings",
    request_body = SettingsChange,
    responses(
        (status = 200, description = "done", body = SettingsAnswer),
        (status = 401, description = "no valid API token", body = crate::error::ErrorBody),
        (status = 403, description = "an admin token is needed", body = crate::error::ErrorBody),
        (status = 400, description = "a body that is not JSON", body = crate::error::ErrorBody),
        (status = 404, description = "not found", body = crate::error::ErrorBody),
        (status = 422, description = "refused: the message says why", body = crate::error::ErrorBody)
    ),
    security(("api_token" = []))
)]
async fn change(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiJson(change): ApiJson<SettingsChange>,
) -> ApiResult<SettingsAnswer> {
    let (settings, pinned) = state
        .call(move |d| Ok((d.change_settings(&change)?, d.pinned_settings())))
        .await?;
    Ok(Json(SettingsAnswer { settings, pinned }))
}
