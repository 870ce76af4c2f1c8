//! The firm's settings in the JSON API, as the engine's `settings/` and `plugins/` have them, for
//! admin tokens: `GET /api/settings` (with the keys the configuration pins) and `PATCH
//! /api/settings` (the keys given; a bad key is a 422 naming it, and nothing is changed); `GET
//! /api/plugins`, the plugins served with their worlds and the capabilities granted, and the
//! plugin files refused with the reason; and `PUT /api/plugins/{name}/grants`, a plugin's grants,
//! applied at once. The firm as any token reads it, its logo and a test email are `firm.rs`.

mod firm;

use axum::Json;
use axum::extract::State;
use docket_engine::docket::{GrantsChange, PluginsServed, SettingsChange};
use docket_engine::model::FirmSettings;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::refusals::{AdminBodyRefusals, AdminRefusals};
use crate::AppState;
use crate::auth::AdminCaller;
use crate::extract::{ApiJson, ApiPath};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, change))
        .routes(routes!(plugins))
        .routes(routes!(grant))
        .merge(firm::routes())
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
    responses((status = 200, description = "done", body = SettingsAnswer), AdminRefusals)
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
    responses((status = 200, description = "done", body = SettingsAnswer), AdminBodyRefusals)
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

#[utoipa::path(
    get,
    path = "/plugins",
    tag = "plugins",
    responses((status = 200, description = "done", body = PluginsServed), AdminRefusals)
)]
async fn plugins(_: AdminCaller, State(state): State<AppState>) -> ApiResult<PluginsServed> {
    Ok(Json(state.call(|d| Ok(d.plugins_served())).await?))
}

/// `PUT /api/plugins/{name}/grants`: the capabilities the firm grants the plugin, replacing
/// those an admin granted before; its next call runs with them. A plugin whose grants the
/// configuration sets (`[plugins.grants]`) is refused with a 422.
#[utoipa::path(
    put,
    path = "/plugins/{name}/grants",
    tag = "plugins",
    params(("name" = String, Path, description = "the plugin's name")),
    request_body = GrantsChange,
    responses((status = 200, description = "done", body = PluginsServed), AdminBodyRefusals)
)]
async fn grant(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(change): ApiJson<GrantsChange>,
) -> ApiResult<PluginsServed> {
    Ok(Json(
        state
            .call(move |d| d.set_plugin_grants(&name, &change))
            .await?,
    ))
}
