//! What a request leaves in the log: a load balancer's look at `/readyz` that answers 503 is not
//! logged as a failure of the server, while other requests keep their log lines.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use docket_engine::config::FirmConfig;
use docket_engine::store::MemoryStore;
use docket_engine::{Docket, SystemClock};
use tower::ServiceExt as _;

/// What a test subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[test]
fn a_503_of_readyz_is_an_answer_not_a_server_failure_in_the_log() {
    let docket = Docket::open(
        Arc::new(MemoryStore::new()),
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap();
    // No background work runs here: /readyz answers 503, as while the store does not answer.
    let app = crate::router(crate::AppState::new(docket));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ask = |path: &str, id: &str| {
        let request = Request::get(path)
            .header("x-request-id", id)
            .body(Body::empty())
            .unwrap();
        runtime
            .block_on(app.clone().oneshot(request))
            .unwrap()
            .status()
    };
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let (ready, missing) = tracing::subscriber::with_default(subscriber, || {
        (ask("/readyz", "probe-1"), ask("/no-such-page", "page-1"))
    });
    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(missing, StatusCode::NOT_FOUND);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        !log.lines()
            .any(|l| l.contains("probe-1") && (l.contains("ERROR") || l.contains("failed"))),
        "{log}"
    );
    // Other requests are still in the request log, with their id.
    assert!(
        log.lines()
            .any(|l| l.contains("page-1") && l.contains("finished processing request")),
        "{log}"
    );
}
