//! The plugins the server runs, for admins: each with its world, version, contract, where it
//! came from, and the capabilities it asks for and is granted; the plugin files the server
//! refused, with the reason; and a form per hook (and per plugin waiting for a grant) to change
//! what the firm grants it, applied at once. A plugin the configuration's `[plugins.grants]`
//! names shows its grants read-only: the operator changes them there.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{GrantsChange, PluginsServed};
use docket_engine::plugin::{Origin, PluginInfo, RefusedPlugin, World};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{AdminSession, StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, error_page, render, sentence};

#[derive(Serialize)]
struct PluginsPage {
    plugins: Vec<Line>,
    refused: Vec<RefusedLine>,
    notice: Option<String>,
}

#[derive(Serialize)]
struct Line {
    name: String,
    description: String,
    world: &'static str,
    version: String,
    contract: String,
    origin: String,
    declared: String,
    granted: String,
    /// The grants form, for hooks.
    grants: Option<GrantsForm>,
}

#[derive(Serialize)]
struct RefusedLine {
    name: String,
    file: String,
    reason: String,
    serving_earlier: bool,
    /// The grants form, for a plugin refused for want of a grant (or granted something).
    grants: Option<GrantsForm>,
}

/// What the firm grants one plugin: a form, or the configuration's value when it pins it.
#[derive(Serialize)]
struct GrantsForm {
    /// The field's id, unique on the page.
    id: String,
    /// The grants, comma-separated, as typed (after a refused post) or as they are.
    value: String,
    pinned: bool,
    error: Option<String>,
}

/// The grants form's fields.
#[derive(Deserialize)]
pub(in crate::admin) struct GrantsPost {
    #[serde(default)]
    grants: String,
}

#[derive(Deserialize, Default)]
pub(in crate::admin) struct PluginsQuery {
    #[serde(default)]
    granted: String,
}

fn list(caps: &[String]) -> String {
    if caps.is_empty() {
        "nothing".into()
    } else {
        caps.join(", ")
    }
}

/// A refused post to redisplay: the plugin, what was typed and why it was refused.
struct Refusal {
    plugin: String,
    typed: String,
    error: String,
}

fn grants_form(
    name: &str,
    grants: &[String],
    pinned: bool,
    refusal: Option<&Refusal>,
) -> GrantsForm {
    let refused = refusal.filter(|r| r.plugin == name);
    GrantsForm {
        id: format!("grants-{name}"),
        value: refused.map_or_else(|| grants.join(", "), |r| r.typed.clone()),
        pinned,
        error: refused.map(|r| r.error.clone()),
    }
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    notice: Option<String>,
    refusal: Option<Refusal>,
) -> Response {
    let layout = Layout::signed_in(state, session, "settings");
    let served: PluginsServed = match state.call(|d| Ok(d.plugins_served())).await {
        Ok(served) => served,
        Err(e) => return error_page(e, layout),
    };
    let refusal = refusal.as_ref();
    let line = |p: &PluginInfo| Line {
        name: p.name.clone(),
        description: p.description.clone(),
        world: p.world.name(),
        version: p.version.clone(),
        contract: p.contract.to_string(),
        origin: match &p.origin {
            Origin::Stock => "built in".into(),
            Origin::Installed(path) => path.display().to_string(),
            Origin::File(path) => format!("{} (not installed)", path.display()),
        },
        declared: list(&p.declared),
        granted: list(&p.granted),
        grants: (p.world == World::NotificationHook)
            .then(|| grants_form(&p.name, &p.grants, p.grants_pinned, refusal)),
    };
    let refused_line = |r: &RefusedPlugin| RefusedLine {
        name: r.name.clone(),
        file: r.file.clone(),
        reason: sentence(&r.reason),
        serving_earlier: r.serving_earlier,
        grants: (r.needs_grant.is_some() || !r.grants.is_empty())
            .then(|| grants_form(&r.name, &r.grants, r.grants_pinned, refusal)),
    };
    let page = PluginsPage {
        plugins: served.plugins.iter().map(line).collect(),
        refused: served.refused.iter().map(refused_line).collect(),
        notice,
    };
    render(status, "admin/plugins.html", layout, &page)
}

/// `GET /admin/plugins`.
pub(in crate::admin) async fn plugins(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    AdminQuery(query): AdminQuery<PluginsQuery>,
) -> Response {
    let notice = (!query.granted.is_empty()).then(|| {
        format!(
            "The grants of “{}” are changed; its next call runs with them.",
            query.granted
        )
    });
    page(&state, &session, StatusCode::OK, notice, None).await
}

/// `POST /admin/plugins/{name}/grants`: the grants typed, comma-separated, applied at once.
pub(in crate::admin) async fn grant(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    Path(name): Path<String>,
    StaffForm(form): StaffForm<GrantsPost>,
) -> Response {
    let change = GrantsChange {
        grants: form
            .grants
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(String::from)
            .collect(),
    };
    let plugin = name.clone();
    match state
        .run(move |d| d.set_plugin_grants(&plugin, &change))
        .await
    {
        // Only a plugin's name (letters, digits and hyphens) is granted anything.
        Ok(_) => Redirect::to(&format!("/admin/plugins?granted={name}")).into_response(),
        Err(Engine(e)) if e.is_invalid() => {
            let refusal = Refusal {
                plugin: name,
                typed: form.grants,
                error: sentence(&e.to_string()),
            };
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(refusal),
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}
