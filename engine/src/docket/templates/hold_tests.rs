//! Unit tests of `hold.rs`.

use super::*;
use chrono::{DateTime, Utc};

fn held(asked: &str, at: &str) -> HeldReminder {
    HeldReminder {
        asked: asked.parse::<DateTime<Utc>>().unwrap(),
        at: at.parse::<DateTime<Utc>>().unwrap(),
        tasks: vec![0],
    }
}

#[test]
fn a_friday_evening_is_held_over_the_weekend_not_called_one() {
    let tz = chrono_tz::Europe::London;
    let weekdays = SendSchedule::parse("0 9 * * MON-FRI").unwrap();
    let daily = SendSchedule::parse("0 9 * * *").unwrap();
    let holiday: NaiveDate = "2026-03-09".parse().unwrap();
    let phrases = |r: &HeldReminder, s: &SendSchedule, h: &[NaiveDate]| {
        r.held_over(tz, s, h)
            .iter()
            .map(|w| w.phrase())
            .collect::<Vec<_>>()
    };
    // Friday 13 March 2026 at 10:00, sent Monday at 09:00.
    let friday = held("2026-03-13T10:00:00Z", "2026-03-16T09:00:00Z");
    assert_eq!(
        phrases(&friday, &weekdays, &[]),
        ["after Friday's last send time", "the weekend"]
    );
    assert_eq!(
        friday
            .held_over(tz, &weekdays, &[])
            .iter()
            .map(|w| w.token())
            .collect::<Vec<_>>(),
        ["send schedule", "weekend"]
    );
    // Saturday under a schedule that sends every day is no weekend: only the hour held it.
    let saturday = held("2026-03-14T10:00:00Z", "2026-03-15T09:00:00Z");
    assert_eq!(
        phrases(&saturday, &daily, &[]),
        ["after Saturday's last send time"]
    );
    // Saturday 7 March on weekdays only, Monday 9th a holiday: Tuesday.
    let weekend = held("2026-03-07T09:00:00Z", "2026-03-10T09:00:00Z");
    assert_eq!(
        phrases(&weekend, &weekdays, &[holiday]),
        ["the weekend", "a holiday"]
    );
    // Early on a working day: a later send time of that day.
    let early = held("2026-03-10T07:00:00Z", "2026-03-10T09:00:00Z");
    assert_eq!(phrases(&early, &weekdays, &[]), ["not a send time"]);
    // A weekday the schedule skips.
    let thursdays = SendSchedule::parse("0 9 * * THU").unwrap();
    let monday = held("2026-03-16T09:00:00Z", "2026-03-19T09:00:00Z");
    assert_eq!(
        phrases(&monday, &thursdays, &[]),
        [
            "no send on Mondays",
            "no send on Tuesdays",
            "no send on Wednesdays"
        ]
    );
    assert!(
        held("2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z")
            .held_over(tz, &weekdays, &[])
            .is_empty()
    );
}
