//! The templates list (`GET /admin/templates`) and its form importing a TOML template file
//! (`POST /admin/templates/import`), read by the rules of `docket template import`: a file that
//! cannot be read or a template that cannot be made is said by the file field, and nothing is
//! made.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffSession, StaffUpload};
use crate::admin::sentence;
use crate::admin::{Layout, error_page, local_time, render};

#[derive(Serialize)]
struct ListPage {
    templates: Vec<ListRow>,
    /// Why the imported file made no template.
    import_error: Option<String>,
}

#[derive(Serialize)]
struct ListRow {
    href: String,
    name: String,
    groups: usize,
    tasks: usize,
    archived: bool,
    changed: String,
}

/// `GET /admin/templates`.
pub(in crate::admin) async fn list(
    State(state): State<AppState>,
    session: StaffSession,
) -> Response {
    page(&state, &session, StatusCode::OK, None).await
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    import_error: Option<String>,
) -> Response {
    let layout = Layout::signed_in(state, session, "templates");
    let templates = match state.call(|d| d.list_templates()).await {
        Ok(t) => t,
        Err(e) => return error_page(e, layout),
    };
    let templates = templates
        .iter()
        .map(|t| ListRow {
            href: format!("/admin/templates/{}", t.id),
            name: t.name.clone(),
            groups: t.groups.len(),
            tasks: t.groups.iter().map(|g| g.tasks.len()).sum(),
            archived: t.archived_at.is_some(),
            changed: local_time(state, t.updated_at.unwrap_or(t.created_at)),
        })
        .collect();
    render(
        status,
        "admin/templates.html",
        layout,
        &ListPage {
            templates,
            import_error,
        },
    )
}

/// `POST /admin/templates/import`: a TOML template file (the field `template_file`) made into a
/// new template, whose page opens next.
pub(in crate::admin) async fn import(
    State(state): State<AppState>,
    session: StaffSession,
    upload: StaffUpload,
) -> Response {
    let refuse = |message: String| {
        page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
        )
    };
    if upload.small.is_empty() {
        return refuse(
            "Choose a template file (.toml) to import; an empty file has no template.".into(),
        )
        .await;
    }
    let Ok(text) = String::from_utf8(upload.small) else {
        return refuse("The file is not a TOML template file: it is not text (UTF-8).".into())
            .await;
    };
    match state.run(move |d| d.import_template(&text)).await {
        Ok(t) => Redirect::to(&format!("/admin/templates/{}", t.id)).into_response(),
        Err(Engine(e)) if e.is_invalid() || matches!(e, docket_engine::Error::Conflict(_)) => {
            refuse(sentence(&e.to_string())).await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}
