//! The templates list (`GET /admin/templates`) and its form importing a TOML template file
//! (`POST /admin/templates/import`), read by the rules of `docket template import`: a file that
//! cannot be read or a template that cannot be made is said by the file field, and nothing is
//! made. Ticking "replace" replaces the template of the file's name, as `--replace` does, asked
//! first: by the dialog with the script, else by a confirm page that posts the file's text to
//! `POST /admin/templates/import/replace`. `GET /admin/templates/ID/export` gives a template as
//! such a file, to edit and import again.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::model::NewTemplate;
use serde::Deserialize;
use serde::Serialize;

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::confirm::{ConfirmPage, ask};
use crate::admin::guard::{StaffForm, StaffSession, StaffUpload};
use crate::admin::sentence;
use crate::admin::{Layout, error_page, local_time, render};

#[derive(Serialize)]
struct ListPage {
    templates: Vec<ListRow>,
    /// Why the imported file made no template.
    import_error: Option<String>,
    /// Whether "replace the template of the same name" is ticked (kept when the form is shown
    /// again).
    replace: bool,
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
    page(&state, &session, StatusCode::OK, None, false).await
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    import_error: Option<String>,
    replace: bool,
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
            replace,
        },
    )
}

/// `POST /admin/templates/import`: a TOML template file (the field `template_file`) made into a
/// new template, whose page opens next; with `replace=yes`, the template of the file's name
/// replaced by it (asked first, unless `confirmed=yes`).
pub(in crate::admin) async fn import(
    State(state): State<AppState>,
    session: StaffSession,
    upload: StaffUpload,
) -> Response {
    let field = |name: &str| upload.fields.get(name).is_some_and(|v| v.trim() == "yes");
    let (replace, confirmed) = (field("replace"), field("confirmed"));
    let refuse = |message: String| {
        page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            replace,
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
    if replace {
        return replace_with(&state, &session, text, confirmed).await;
    }
    match state.run(move |d| d.import_template(&text)).await {
        Ok(t) => Redirect::to(&format!("/admin/templates/{}", t.id)).into_response(),
        // The one conflict a new template meets: another has its name.
        Err(Engine(docket_engine::Error::Conflict(m))) => {
            refuse(sentence(&format!(
                "{m}. To replace that template with this file, tick “Replace the template with the same name” and import again"
            )))
            .await
        }
        Err(Engine(e)) if e.is_invalid() => refuse(sentence(&e.to_string())).await,
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}

#[derive(Deserialize)]
pub(in crate::admin) struct ReplaceForm {
    #[serde(default)]
    template_text: String,
    #[serde(default)]
    confirmed: String,
}

/// `POST /admin/templates/import/replace`: the confirm page's answer, the file's text posted
/// again with `confirmed=yes`.
pub(in crate::admin) async fn import_replace(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(form): StaffForm<ReplaceForm>,
) -> Response {
    let confirmed = form.confirmed.trim() == "yes";
    replace_with(&state, &session, form.template_text, confirmed).await
}

/// The template named as in `text` replaced by it once `confirmed`, else the question; a file
/// naming no template is imported as a new one (nothing is lost).
async fn replace_with(
    state: &AppState,
    session: &StaffSession,
    text: String,
    confirmed: bool,
) -> Response {
    let refuse = |message: String| {
        page(
            state,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            true,
        )
    };
    let new = match NewTemplate::from_toml(&text) {
        Ok(new) => new,
        Err(e) => return refuse(sentence(&e.to_string())).await,
    };
    let name = new.name.clone();
    let existing = match state.run(move |d| d.find_template(&name)).await {
        Ok(t) => Some(t),
        Err(Engine(docket_engine::Error::NotFound { .. })) => None,
        Err(e) => return error_page(e, Layout::signed_in(state, session, "templates")),
    };
    let Some(existing) = existing else {
        return match state.run(move |d| d.create_template(new)).await {
            Ok(t) => Redirect::to(&format!("/admin/templates/{}", t.id)).into_response(),
            Err(Engine(e)) if e.is_invalid() || matches!(e, docket_engine::Error::Conflict(_)) => {
                refuse(sentence(&e.to_string())).await
            }
            Err(e) => error_page(e, Layout::signed_in(state, session, "templates")),
        };
    };
    if !confirmed {
        let page = ConfirmPage {
            heading: format!("Replace the template “{}”?", existing.name),
            question: format!(
                "Its groups, tasks and documents become the file's, and files uploaded to it that the file does not name are dropped. Work made from it from now on follows the file; work already made keeps its own copy. “{}” was last changed {}.",
                existing.name,
                local_time(state, existing.updated_at.unwrap_or(existing.created_at))
            ),
            action: "/admin/templates/import/replace".into(),
            fields: vec![("template_text", text)],
            confirm: format!("Replace “{}”", existing.name),
            back: "/admin/templates".into(),
            back_text: "Go back without replacing it".into(),
        };
        return ask(state, session, "templates", page);
    }
    let id = existing.id.to_string();
    match state.run(move |d| d.update_template(&id, new)).await {
        Ok(t) => {
            Redirect::to(&format!("/admin/templates/{}?notice=replaced", t.id)).into_response()
        }
        Err(Engine(e)) if e.is_invalid() || matches!(e, docket_engine::Error::Conflict(_)) => {
            refuse(sentence(&e.to_string())).await
        }
        Err(e) => error_page(e, Layout::signed_in(state, session, "templates")),
    }
}

/// `GET /admin/templates/ID/export`: the template as a TOML file, the one its import reads back.
pub(in crate::admin) async fn export(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> Response {
    let found = state
        .call(move |d| {
            let template = d.find_template(&id)?;
            let text = NewTemplate::from_template(&template).to_toml()?;
            Ok((template.name, text))
        })
        .await;
    match found {
        Ok((name, text)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/toml; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    crate::attachment(&format!("{name}.toml")),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            text,
        )
            .into_response(),
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "templates")),
    }
}
