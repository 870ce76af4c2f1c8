//! A plugin's stderr as the host keeps it: the last few KiB of what the current call wrote, read
//! only when the call fails. A Rust guest cannot return anything after a panic (wasm32-wasip2
//! aborts), so the Rust SDK's panic hook writes the panic there as one line that the host turns
//! into a [`Failure`]; any other crash's last line of output (a Python traceback's last line,
//! for one) goes into the trap's reason. Nothing else of it is kept or shown.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

use super::error::Failure;

/// Most bytes of a call's stderr kept: the end of it, where a panic or a traceback ends.
const KEPT: usize = 8 * 1024;

/// How the Rust SDK starts the line of a panic: `docket-plugin-panic<TAB>LOCATION<TAB>MESSAGE`.
pub(crate) const PANIC_MARKER: &str = "docket-plugin-panic\t";

/// The end of what a call wrote to stderr; cloned into the WASI context, read by the host.
#[derive(Clone, Default)]
pub(crate) struct StderrTail(Arc<Mutex<VecDeque<u8>>>);

impl StderrTail {
    fn push(&self, bytes: &[u8]) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = &bytes[bytes.len().saturating_sub(KEPT)..];
        let over = (kept.len() + bytes.len())
            .saturating_sub(KEPT)
            .min(kept.len());
        kept.drain(..over);
        kept.extend(bytes);
    }

    /// Forgets what earlier calls wrote; done before every call.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn text(&self) -> String {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (a, b) = kept.as_slices();
        let mut bytes = Vec::with_capacity(kept.len());
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(b);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The panic the Rust SDK reported during this call, if it did.
    pub fn panic(&self) -> Option<Failure> {
        panic_of(&self.text())
    }

    /// The last line this call wrote, if any, cut to a readable length.
    pub fn last_line(&self) -> Option<String> {
        let text = self.text();
        let line = text.lines().map(str::trim).rfind(|l| !l.is_empty())?;
        let mut short: String = line.chars().take(300).collect();
        if short.len() < line.len() {
            short.push('…');
        }
        Some(short)
    }
}

/// The last panic line of `text`, as a failure.
fn panic_of(text: &str) -> Option<Failure> {
    let line = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(PANIC_MARKER))?;
    let (location, message) = line.split_once('\t').unwrap_or(("", line));
    Some(Failure {
        kind: "panic".into(),
        message: message.trim().to_string(),
        location: location.trim().to_string(),
    })
}

impl IsTerminal for StderrTail {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for StderrTail {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for StderrTail {
    async fn ready(&mut self) {}
}

impl OutputStream for StderrTail {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always ready: what does not fit is dropped from the front, never refused.
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for StderrTail {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
#[path = "stderr_tests.rs"]
mod tests;
