//! `POST /admin/work/ID/groups/G/tasks/T/attach`: a document staff attach to a task (a form, an
//! engagement letter), which the client downloads from the checklist; and
//! `POST /admin/templates/ID/groups/G/tasks/T/attach`, the same on a template's task, carried by
//! the work made from it from then on. A multipart form: the
//! session's form token comes first, then the file, streamed into the file store as it arrives
//! and refused as soon as it passes the cap. Same-origin and the token are checked before a
//! byte of the file is stored.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::UploadDetails;
use docket_engine::model::{Actor, WorkId};
use docket_engine::store::StoredFile;

use super::guard::StaffSession;
use super::work::{PageErrors, show_work};
use super::{Layout, Message, error_page};
use crate::AppState;

/// Bytes of a form around its file.
const FORM_OVERHEAD: u64 = 64 * 1024;
/// Bytes of a file looked at to tell its type.
const SNIFF_BYTES: usize = 512;

pub(super) async fn attach(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, task)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let layout = || Layout::signed_in(&state, &session, "work");
    if !crate::browser::same_origin(&state, &headers) {
        return Message::new(
            "That could not be done",
            "This form did not come from this site, so nothing was changed. Open the page again and try once more.",
        )
        .back("/admin", "Back to the overview")
        .render(StatusCode::FORBIDDEN, layout());
    }
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
    match receive(&state, &session, work, (g, t), &headers, body).await {
        Ok(()) => Redirect::to(&format!("/admin/work/{work}?notice=attached")).into_response(),
        Err(e) if e.status() == StatusCode::FORBIDDEN => {
            Message::new("That could not be done", e.message())
                .back(format!("/admin/work/{work}"), "Back to the work")
                .render(StatusCode::FORBIDDEN, layout())
        }
        Err(e) if e.status().is_client_error() => {
            let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = PageErrors {
                field: Some((field, e.message().to_string())),
                ..PageErrors::default()
            };
            show_work(&state, &session, &id, status, None, errors, None).await
        }
        Err(e) => error_page(e, layout()),
    }
}

async fn receive(
    state: &AppState,
    session: &StaffSession,
    work: WorkId,
    task: (usize, usize),
    headers: &HeaderMap,
    body: Body,
) -> Result<(), crate::ApiError> {
    let (name, content_type, stored) = receive_document(state, session, headers, body).await?;
    let details = UploadDetails {
        name,
        content_type,
        task: Some(task),
    };
    let actor = Actor::Staff(session.member.staff.id);
    state
        .call(move |d| d.attach_file(work, details, stored, actor))
        .await?;
    Ok(())
}

/// The file of a document form — its name as chosen, its type told from its first bytes, and
/// its bytes in the file store — once the session's form token before it matched.
pub(super) async fn receive_document(
    state: &AppState,
    session: &StaffSession,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, String, StoredFile), crate::ApiError> {
    let cap = state.docket.max_upload();
    let too_large = || {
        crate::ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The file is too large: files may be at most {} MB.",
                cap / (1024 * 1024)
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap + FORM_OVERHEAD) {
        return Err(too_large());
    }
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| {
            crate::ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Choose a file with the form.",
            )
        })?;
    let bad = |why: String| crate::ApiError::new(StatusCode::BAD_REQUEST, why);
    let refused = || {
        crate::ApiError::new(
            StatusCode::FORBIDDEN,
            "This form belongs to an earlier sign-in, so nothing was changed. Open the page again and try once more.",
        )
    };
    let mut form = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut token_ok = false;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("The upload was cut short or malformed: {e}")))?
    {
        match field.name() {
            Some("form_token") => {
                let token = field
                    .text()
                    .await
                    .map_err(|e| bad(format!("The upload was cut short: {e}")))?;
                token_ok = session.member.form_token_matches(&token);
                if !token_ok {
                    return Err(refused());
                }
            }
            Some("file") => {
                // The token comes first in the form; a file before it is never stored.
                if !token_ok {
                    return Err(refused());
                }
                let name = field
                    .file_name()
                    .unwrap_or("document")
                    .replace("%22", "\"")
                    .replace("%0D", "\r")
                    .replace("%0A", "\n");
                let docket = state.docket.clone();
                let mut writer = tokio::task::spawn_blocking(move || docket.upload_writer())
                    .await
                    .map_err(|e| crate::ApiError::internal(format!("upload task failed: {e}")))??;
                let mut head: Vec<u8> = Vec::new();
                let mut seen: u64 = 0;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| bad(format!("The upload was cut short: {e}")))?
                {
                    seen += chunk.len() as u64;
                    if seen > cap {
                        return Err(too_large());
                    }
                    if head.len() < SNIFF_BYTES {
                        let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                        head.extend_from_slice(&chunk[..take]);
                    }
                    writer = tokio::task::spawn_blocking(move || {
                        writer.write_chunk(&chunk).map(|()| writer)
                    })
                    .await
                    .map_err(|e| crate::ApiError::internal(format!("upload task failed: {e}")))??;
                }
                if seen == 0 {
                    return Err(crate::ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Choose a file to attach; the one chosen is empty.",
                    ));
                }
                let stored = tokio::task::spawn_blocking(move || writer.finish())
                    .await
                    .map_err(|e| crate::ApiError::internal(format!("upload task failed: {e}")))??;
                let content_type = infer::get(&head)
                    .map(|k| k.mime_type())
                    .unwrap_or("application/octet-stream")
                    .to_string();
                return Ok((name, content_type, stored));
            }
            _ => continue,
        }
    }
    if !token_ok {
        return Err(refused());
    }
    Err(crate::ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Choose a file to attach.",
    ))
}
