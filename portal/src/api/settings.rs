//! The firm's settings in the JSON API, for admin tokens: `GET /api/settings` (with the keys the
//! configuration pins) and `PATCH /api/settings` (the keys given; a bad key is a 422 naming it,
//! and nothing is changed); and `GET /api/plugins`, the plugins served with their worlds and
//! the capabilities granted.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use docket_engine::docket::SettingsChange;
use docket_engine::model::FirmSettings;
use docket_engine::plugin::PluginInfo;
use serde::Serialize;

use super::ApiResult;
use crate::AppState;
use crate::auth::AdminCaller;
use crate::extract::ApiJson;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show).patch(change))
        .route("/plugins", get(plugins))
}

async fn plugins(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<PluginInfo>> {
    Ok(Json(state.call(|d| Ok(d.installed_plugins())).await?))
}

/// The settings, and which of their keys the configuration sets.
#[derive(Serialize)]
struct SettingsAnswer {
    settings: FirmSettings,
    /// Keys (`timezone`, ...) that `[firm]` in the configuration or `DOCKET_FIRM_*` sets: they
    /// are applied at every start, so a `PATCH` may not change them.
    pinned: Vec<String>,
}

async fn show(_: AdminCaller, State(state): State<AppState>) -> ApiResult<SettingsAnswer> {
    let (settings, pinned) = state
        .call(|d| Ok((d.firm_settings()?, d.pinned_settings())))
        .await?;
    Ok(Json(SettingsAnswer { settings, pinned }))
}

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
