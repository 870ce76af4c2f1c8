//! `POST /admin/work/ID/groups/G/tasks/T/attach`: a document staff attach to a task (a form, an
//! engagement letter), which the client downloads from the checklist. A multipart form read by
//! `StaffUpload`, the one way admin pages take files: same origin and the session's form token
//! are checked before a byte of the file is stored, and the file is streamed into the file store
//! and refused as soon as it passes the cap.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::UploadDetails;
use docket_engine::model::{Actor, WorkId};

use super::item::{PageErrors, show_work};
use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffSession, StaffUpload};
use crate::admin::{Layout, Message, error_page};

pub(in crate::admin) async fn attach(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, task)): Path<(String, String, String)>,
    upload: StaffUpload,
) -> Response {
    let layout = || Layout::signed_in(&state, &session, "work");
    let (Ok(work), Ok(g), Ok(t)) = (
        id.parse::<WorkId>(),
        group.parse::<usize>(),
        task.parse::<usize>(),
    ) else {
        return Message::new("No such work item", "No work item has this address.")
            .back("/admin", "Back to the overview")
            .render(StatusCode::NOT_FOUND, layout());
    };
    let field = format!("attach-{g}-{t}");
    let refuse = |message: &str| {
        let errors = PageErrors {
            field: Some((field.clone(), message.to_string())),
            ..PageErrors::default()
        };
        show_work(
            &state,
            &session,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            errors,
            None,
        )
    };
    let Some((name, content_type, stored)) = upload.file else {
        return refuse("Choose a file to attach; an empty file is not a document.").await;
    };
    // Browsers escape quotes and line breaks in a file's name; the name is kept as the user sees it.
    let name = name
        .replace("%22", "\"")
        .replace("%0D", "\r")
        .replace("%0A", "\n");
    let details = UploadDetails {
        name,
        content_type: content_type.to_string(),
        task: Some((g, t)),
    };
    let actor = Actor::Staff(session.member.staff.id);
    match state
        .run(move |d| d.attach_file(work, details, stored, actor))
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/work/{work}?notice=attached")).into_response(),
        // Whatever staff can act on is said by the file's field (a work item that is not there
        // the work's page says itself).
        Err(Engine(e)) if e.is_refusal() => refuse(&e.to_string()).await,
        Err(e) => error_page(e, layout()),
    }
}
