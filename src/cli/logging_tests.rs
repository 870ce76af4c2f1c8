//! The default log filter: ours at info, the connection pool's warnings left out.

use std::sync::{Arc, Mutex};

use super::log_filter;

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
fn the_default_log_leaves_out_the_connection_pools_warnings_but_not_its_errors() {
    let (filter, refused) = log_filter(None, None);
    assert_eq!(refused, None);
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(target: "deadpool.postgres", "Connection error: db error");
        tracing::warn!(target: "deadpool.postgres", "Connection could not be recycled: Connection closed");
        tracing::error!(target: "deadpool.postgres", "the pool is broken");
        tracing::info!(target: "docket_engine::workers", "the scheduler ticks again");
        tracing::debug!(target: "docket_engine::workers", "a detail");
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].contains("the pool is broken"), "{lines:#?}");
    assert!(lines[1].contains("the scheduler ticks again"), "{lines:#?}");
}

#[test]
fn a_filter_that_does_not_parse_falls_back_to_the_default() {
    let (filter, refused) = log_filter(Some("docket=[nonsense".into()), None);
    assert!(refused.is_some_and(|r| r.contains("DOCKET_LOG=")));
    assert!(filter.to_string().contains("deadpool=error"), "{filter}");
}
