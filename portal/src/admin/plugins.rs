//! The plugins the server runs, for admins: each with its world, version, where it came from,
//! and the capabilities it asks for and is granted (`[plugins.grants]` in the configuration,
//! the one place grants live).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::plugin::{Origin, PluginInfo};
use serde::Serialize;

use super::guard::AdminSession;
use super::{Layout, error_page, render};
use crate::AppState;

#[derive(Serialize)]
struct PluginsPage {
    plugins: Vec<Line>,
}

#[derive(Serialize)]
struct Line {
    name: String,
    description: String,
    world: &'static str,
    version: String,
    origin: String,
    declared: String,
    granted: String,
}

fn list(caps: &[String]) -> String {
    if caps.is_empty() {
        "nothing".into()
    } else {
        caps.join(", ")
    }
}

/// `GET /admin/plugins`.
pub(super) async fn plugins(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "settings");
    let plugins = match state.call(|d| Ok(d.installed_plugins())).await {
        Ok(p) => p,
        Err(e) => return error_page(e, layout),
    };
    let line = |p: &PluginInfo| Line {
        name: p.name.clone(),
        description: p.description.clone(),
        world: p.world.name(),
        version: p.version.clone(),
        origin: match &p.origin {
            Origin::Stock => "built in".into(),
            Origin::Installed(path) => path.display().to_string(),
        },
        declared: list(&p.declared),
        granted: list(&p.granted),
    };
    let page = PluginsPage {
        plugins: plugins.iter().map(line).collect(),
    };
    render(StatusCode::OK, "admin/plugins.html", layout, &page)
}
