//! Files through the portal: a client's upload, streamed to the file store as it arrives and
//! refused as soon as it passes the cap, its type read from its first bytes; before a byte of it
//! is read, refused when the work item's upload quota is reached (413) or the device uploads too
//! fast (429), in the engine's words; and the documents staff attached, downloaded as
//! attachments.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_engine::docket::ClientSession;

use super::FORM_OVERHEAD;
use super::checklist::{after_write, task_index};
use super::guard::ClientSignIn;
use super::pages::{Firm, Message, invalid_link, say, say_with, trouble};
use crate::AppState;

/// `POST /p/WORK/GROUP/tasks/N/upload`: a multipart form with one file, streamed to the file
/// store as it arrives and refused as soon as it passes the cap.
pub(super) async fn task_upload(
    ClientSignIn { session, firm }: ClientSignIn,
    State(state): State<AppState>,
    Path((_, _, task)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(task) = task_index(&task) else {
        return invalid_link(&firm);
    };
    let cap = state.docket.max_upload();
    // Refused before a byte of the body is read when its declared size says it cannot fit.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap + FORM_OVERHEAD) {
        let refused = too_large(&firm, cap);
        return after_write(&firm, &session, task, "uploaded", Err(refused));
    }
    // The work item's quota and the device's rate, before the file is read.
    let s = session.clone();
    let at_least = declared.unwrap_or(0).saturating_sub(FORM_OVERHEAD);
    if let Err(refused) = state
        .call(move |d| d.client_upload_allowed(&s, at_least))
        .await
    {
        return after_write(&firm, &session, task, "uploaded", Err(refused));
    }
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let Some(boundary) = boundary else {
        return after_write(
            &firm,
            &session,
            task,
            "uploaded",
            Err(crate::ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                say(&firm, "upload-use-form"),
            )),
        );
    };
    let result = receive_upload(&state, &session, task, body, boundary, cap, &firm).await;
    after_write(&firm, &session, task, "uploaded", result)
}

/// A file past the per-file cap, said in the page's language.
fn too_large(firm: &Firm, cap: u64) -> crate::ApiError {
    let size = docket_engine::i18n::size(firm.locale, cap);
    crate::ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        say_with(firm, "upload-too-large", &[("size", &size)]),
    )
}

pub(super) async fn receive_upload(
    state: &AppState,
    session: &ClientSession,
    task: usize,
    body: Body,
    boundary: String,
    cap: u64,
    firm: &Firm,
) -> Result<(), crate::ApiError> {
    let bad = |why: String| crate::ApiError::new(StatusCode::BAD_REQUEST, why);
    let cut_short = |e: multer::Error| {
        bad(say_with(
            firm,
            "upload-cut-short",
            &[("reason", &e.to_string())],
        ))
    };
    let mut form = multer::Multipart::new(body.into_data_stream(), boundary);
    while let Some(mut field) = form.next_field().await.map_err(cut_short)? {
        if field.name() != Some("file") {
            continue;
        }
        // Browsers send `"`, CR and LF in a file name as %22, %0D and %0A; the engine then
        // removes what a name may not hold.
        let name = field
            .file_name()
            .unwrap_or("upload")
            .replace("%22", "\"")
            .replace("%0D", "\r")
            .replace("%0A", "\n");
        let docket = state.docket.clone();
        let mut writer = tokio::task::spawn_blocking(move || docket.upload_writer())
            .await
            .map_err(|e| crate::ApiError::internal(format!("upload task failed: {e}")))??;
        let mut head: Vec<u8> = Vec::new();
        let mut seen: u64 = 0;
        while let Some(chunk) = field.chunk().await.map_err(cut_short)? {
            seen += chunk.len() as u64;
            if seen > cap {
                // Dropping the writer removes the partial file; the rest is never read.
                return Err(too_large(firm, cap));
            }
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            writer =
                tokio::task::spawn_blocking(move || writer.write_chunk(&chunk).map(|()| writer))
                    .await
                    .map_err(|e| crate::ApiError::internal(format!("upload task failed: {e}")))??;
        }
        if seen == 0 {
            return Err(crate::ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                say(firm, "upload-empty"),
            ));
        }
        let stored = tokio::task::spawn_blocking(move || writer.finish())
            .await
            .map_err(|e| crate::ApiError::internal(format!("upload task failed: {e}")))??;
        let content_type = sniff(&head);
        let s = session.clone();
        state
            .call(move |d| d.client_upload(&s, task, &name, content_type, stored))
            .await?;
        return Ok(());
    }
    Err(crate::ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        say(firm, "upload-none"),
    ))
}

/// Bytes of an upload looked at to tell its type.
const SNIFF_BYTES: usize = docket_engine::filetype::SNIFF_BYTES;

/// The type of a file from its first bytes, never from what the client claimed.
pub fn sniff(head: &[u8]) -> &'static str {
    docket_engine::filetype::sniff(head)
}

/// `GET /p/WORK/GROUP/documents/FILE`: a document staff attached, always as a download.
/// Clients' own uploads are never served back through the portal.
pub(super) async fn document(
    ClientSignIn { session, firm }: ClientSignIn,
    State(state): State<AppState>,
    Path((_, _, file)): Path<(String, String, String)>,
) -> Response {
    match state.run(move |d| d.client_document(&session, &file)).await {
        Ok((file, reader)) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, crate::attachment(&file.name)),
                (header::CONTENT_LENGTH, file.content.size.to_string()),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            crate::stream::reader_to_body(reader),
        )
            .into_response(),
        Err(crate::CallError::Engine(e)) if e.is_refusal() => Message {
            status: StatusCode::NOT_FOUND,
            heading: "page-no-document",
            lines: vec![say(&firm, "page-no-document-why")],
            action: None,
            back: None,
        }
        .render(&firm),
        Err(e) => trouble(&firm, &e.into()),
    }
}
