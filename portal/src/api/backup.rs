//! `GET /api/backup`: a live backup of the whole store and its files, so an operator can back up
//! without stopping the server (admin tokens only). The engine first copies the records to a local file at disk
//! speed while writers go on, then streams; a slow client holds up nobody.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use tokio::sync::mpsc;

use crate::api::refusals::AdminRefusals;
use crate::auth::AdminCaller;
use crate::{ApiError, AppState};

use crate::stream::CHUNK;

#[utoipa::path(
    get,
    path = "/backup",
    tag = "backup",
    responses(
        (status = 200, description = "the bytes, streamed", content_type = "application/octet-stream", body = Vec<u8>),
        AdminRefusals
    )
)]
pub async fn backup(
    caller: AdminCaller,
    State(state): State<AppState>,
) -> Result<impl IntoResponse, ApiError> {
    tracing::info!(token = %caller.0.0.name, "a live backup was asked for");
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(8);
    let docket = state.docket.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let result = docket
            .backup(&mut out)
            .map_err(std::io::Error::other)
            .and_then(|counts| {
                if !counts.left_out.is_empty() {
                    tracing::warn!(
                        files = %counts.left_out.join(", "),
                        "the live backup marks uploaded files missing or damaged on disk; a restore leaves them out (run `docket check`)"
                    );
                }
                out.flush()
            });
        if let Err(e) = result {
            // The client sees a cut-short body; without a manifest, `docket restore` refuses it.
            tracing::error!("live backup failed: {e}");
            let _ = out.tx.blocking_send(Err(e));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let stamp = state.docket.now().format("%Y%m%dT%H%M%SZ");
    let name = format!("attachment; filename=\"docket-{stamp}.backup\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        Body::from_stream(stream),
    ))
}

/// Writes into the response body from a blocking thread. A client that went away turns into a
/// write error, which stops the export and lets writers go on.
struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}
