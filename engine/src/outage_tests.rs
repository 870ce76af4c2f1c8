//! A loop's trouble logged once when it starts and once when it ends, read from a test
//! subscriber; `logged` is shared with the loops' own tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Outage, lasted};

/// What a test subscriber wrote, line by line.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
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

/// Runs `f` on this thread with a subscriber at info, and gives back what it logged.
pub(crate) fn logged<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let bytes = captured.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let lines = String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::to_string)
        .collect();
    (out, lines)
}

#[test]
fn two_failures_then_a_success_log_one_error_and_one_recovery() {
    let (values, lines) = logged(|| {
        let mut outage = Outage::new(
            "cannot deliver events to hooks",
            "delivering events to hooks",
        );
        let tries: [Result<u32, &str>; 4] = [
            Err("storage: cannot reach PostgreSQL"),
            Err("storage: cannot reach PostgreSQL"),
            Ok(3),
            Ok(4),
        ];
        tries.map(|tried| outage.note(tried))
    });
    assert_eq!(values, [None, None, Some(3), Some(4)]);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].contains("ERROR")
            && lines[0].contains("cannot deliver events to hooks; trying again shortly")
            && lines[0].contains("error=storage: cannot reach PostgreSQL"),
        "{lines:#?}"
    );
    assert!(
        lines[1].contains("INFO")
            && lines[1].contains("delivering events to hooks again after ")
            && lines[1].contains(" s of failures")
            && lines[1].contains("failed_seconds="),
        "{lines:#?}"
    );
}

#[test]
fn a_second_outage_is_logged_again() {
    let ((), lines) = logged(|| {
        let mut outage = Outage::new("cannot read the outbox", "reading the outbox");
        for tried in [
            Err("down"),
            Ok(()),
            Ok(()),
            Err("down again"),
            Err("down again"),
        ] {
            outage.note(tried);
        }
    });
    let errors: Vec<_> = lines.iter().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 2, "{lines:#?}");
    assert!(errors[1].contains("error=down again"), "{lines:#?}");
    assert_eq!(lines.len(), 3, "{lines:#?}");
}

#[test]
fn how_long_it_failed_reads_plainly() {
    for (d, said) in [
        (Duration::from_millis(3_240), "3.2 s"),
        (Duration::from_secs(250), "4 min 10 s"),
        (Duration::from_secs(2 * 3600 + 5 * 60 + 7), "2 h 5 min"),
    ] {
        assert_eq!(lasted(d), said);
    }
}
