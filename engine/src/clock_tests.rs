//! Unit tests of `clock.rs`.

use super::*;

#[test]
fn scaled_clock_runs_fast() {
    let start = DateTime::parse_from_rfc3339("2027-01-31T09:00:00Z")
        .unwrap()
        .to_utc();
    let clock = ScaledClock::new(start, 86_400.0);
    std::thread::sleep(std::time::Duration::from_millis(50));
    let moved = clock.now() - start;
    assert!(moved >= Duration::hours(1), "{moved}");
    assert_eq!(
        clock.real(Duration::days(1)),
        std::time::Duration::from_secs(1)
    );
}

#[test]
fn manual_clock_moves_only_when_told() {
    let start = DateTime::parse_from_rfc3339("2027-01-31T09:00:00Z")
        .unwrap()
        .to_utc();
    let clock = ManualClock::new(start);
    assert_eq!(clock.now(), start);
    clock.advance(Duration::days(90));
    assert_eq!(clock.now(), start + Duration::days(90));
    clock.set(start);
    assert_eq!(clock.now(), start);
}
