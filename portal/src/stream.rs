//! Bodies streamed to and from blocking readers and writers (the file store, backups), a chunk
//! at a time, so memory stays bounded by a few chunks whatever the size.

use std::io::Read;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use docket_engine::model::StoredFile;
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

use crate::{ApiError, AppState};

/// Bytes read from a blocking reader at a time.
pub const CHUNK: usize = 64 * 1024;
/// Chunks waiting between the blocking side and the client.
const QUEUED: usize = 4;
/// Most of a refused body read and dropped so the client, still sending, gets the answer
/// rather than a broken connection; past it the connection is closed.
const DISCARD_AT_MOST: u64 = 64 * 1024 * 1024;

/// Writes a request body to the file store as it arrives; returns the stored file's hash and
/// size. The upload cap is enforced as bytes arrive (413), so an oversized body is never held.
pub async fn body_to_file(state: &AppState, body: Body) -> Result<StoredFile, ApiError> {
    let docket = state.docket.clone();
    let mut writer = tokio::task::spawn_blocking(move || docket.upload_writer())
        .await
        .map_err(|e| ApiError::internal(format!("upload task failed: {e}")))??;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("the upload was cut short: {e}"),
            )
        })?;
        let written =
            tokio::task::spawn_blocking(move || writer.write_chunk(&chunk).map(|_| writer))
                .await
                .map_err(|e| ApiError::internal(format!("upload task failed: {e}")))?;
        match written {
            Ok(w) => writer = w,
            Err(e) => {
                // The partial file is dropped with the writer; the rest of the body is read
                // and dropped too.
                discard(chunks).await;
                return Err(e.into());
            }
        }
    }
    Ok(tokio::task::spawn_blocking(move || writer.finish())
        .await
        .map_err(|e| ApiError::internal(format!("upload task failed: {e}")))??)
}

/// Reads and drops the rest of a refused request body, up to `DISCARD_AT_MOST`.
pub async fn discard(mut chunks: axum::body::BodyDataStream) {
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = chunks.next().await {
        seen += chunk.len() as u64;
        if seen > DISCARD_AT_MOST {
            return;
        }
    }
}

/// A response body read from `reader` on a blocking thread. A reader that fails mid-way cuts the
/// body short, which the client sees as an error.
pub fn reader_to_body(mut reader: impl Read + Send + 'static) -> Body {
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(QUEUED);
    tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; CHUNK];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    if tx
                        .blocking_send(Ok(Bytes::copy_from_slice(&buf[..n])))
                        .is_err()
                    {
                        return; // the client went away
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::error!("reading a streamed body failed: {e}");
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}
