//! Watching a running server: `GET /metrics` in the Prometheus text format (an admin token),
//! `/readyz` (ready only while the store is open and the background work runs; `/healthz` stays
//! liveness), and a request id on every request — taken from a sane `X-Request-Id`, else made —
//! carried by the request's log span and answered in `X-Request-Id`.
//!
//! The engine records what its loops and plugin calls do with the `metrics` crate; this module
//! installs the one recorder, times every request by route and status, and adds, when scraped,
//! what is cheapest read then (outbox depth, store size).

use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::auth::AdminCaller;

/// A request's id, in its extensions for the log span.
#[derive(Clone)]
pub(crate) struct RequestId(pub String);

/// The recorder every metric goes to, installed once per process.
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let seconds = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let builder = PrometheusBuilder::new()
            .set_buckets(&seconds)
            .expect("buckets are not empty");
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder was installed first (an embedding program's): ours still
            // renders what it is given.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Installs the recorder, so the engine's loops are counted from the start.
pub fn install() {
    recorder();
}

/// An incoming id worth keeping: short, and only characters safe in a log line and a header.
fn sane(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Gives the request an id (the caller's, when sane, else a fresh ULID), times it, and answers
/// the id in `X-Request-Id`.
pub(crate) async fn observe(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map(str::to_string)
        .unwrap_or_else(|| ulid::Ulid::new().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let method = request.method().to_string();
    let started = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::histogram!("docket_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("docket_http_requests_total", &labels).increment(1);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// `GET /metrics`: every metric, in the Prometheus text format. Admin tokens only.
pub(crate) async fn metrics_page(_: AdminCaller, State(state): State<AppState>) -> Response {
    let docket = state.docket.clone();
    let gauges =
        tokio::task::spawn_blocking(move || (docket.outbox_depth(), docket.store().size_on_disk()))
            .await;
    if let Ok((depth, size)) = gauges {
        match depth {
            Ok((queued, in_flight)) => {
                metrics::gauge!("docket_outbox_messages", "state" => "queued").set(queued as f64);
                metrics::gauge!("docket_outbox_messages", "state" => "in_flight")
                    .set(in_flight as f64);
            }
            Err(e) => tracing::warn!(error = %e, "cannot count the outbox for /metrics"),
        }
        match size {
            Ok(bytes) => metrics::gauge!("docket_store_bytes").set(bytes as f64),
            Err(e) => tracing::warn!(error = %e, "cannot read the store's size for /metrics"),
        }
    }
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        recorder().render(),
    )
        .into_response()
}

/// `GET /readyz`: 200 while the store answers and the background work runs, else 503.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let running = state.workers_running.load(Ordering::Acquire);
    let docket = state.docket.clone();
    let store_ok = tokio::task::spawn_blocking(move || docket.firm_settings().is_ok())
        .await
        .unwrap_or(false);
    match (store_ok, running) {
        (true, true) => (StatusCode::OK, "ready").into_response(),
        (false, _) => {
            let what = if state.docket.store().shared() {
                "the PostgreSQL database does not answer"
            } else {
                "the data folder cannot be read"
            };
            (StatusCode::SERVICE_UNAVAILABLE, what).into_response()
        }
        (true, false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the background work is not running",
        )
            .into_response(),
    }
}

#[cfg(test)]
#[path = "observe_tests.rs"]
mod tests;
