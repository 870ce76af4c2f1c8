//! Unit tests of `time.rs`.

use super::*;

#[test]
fn moments_and_remembered_local_times_agree_with_chrono() {
    for zone in [
        "Europe/London",
        "America/St_Johns",
        "Asia/Kolkata",
        "Pacific/Chatham",
    ] {
        let tz: Tz = zone.parse().unwrap();
        let mut remembered = LocalTimes::new(tz);
        // Every 7 hours and 13 minutes for three years: across each zone's changes.
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        for step in 0..3700 {
            let at = start + chrono::Duration::minutes(step * 433);
            let local = at.with_timezone(&tz);
            let m = moment(tz, at);
            assert_eq!(m.day, day(local.date_naive()), "{zone} {at}");
            assert_eq!(m.minute, minute_of_day(local.time()), "{zone} {at}");
            let back = wit_types::LocalTime {
                day: m.day,
                minute: m.minute,
            };
            let after = at - chrono::Duration::hours(3);
            assert_eq!(
                remembered.instant(back, after),
                local_time(tz, back, after),
                "{zone} {at}"
            );
        }
    }
}

#[test]
fn local_times_across_daylight_saving() {
    let tz: Tz = "Europe/London".parse().unwrap();
    let at = |y, m, d, h, min| {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        crate::due::local_instant(date, NaiveTime::from_hms_opt(h, min, 0).unwrap(), tz)
            .to_rfc3339()
    };
    // Winter (GMT), summer (BST), the spring-forward gap and the autumn overlap.
    assert_eq!(at(2026, 1, 15, 9, 0), "2026-01-15T09:00:00+00:00");
    assert_eq!(at(2026, 7, 15, 9, 0), "2026-07-15T08:00:00+00:00");
    assert_eq!(at(2026, 3, 29, 1, 30), "2026-03-29T01:00:00+00:00");
    assert_eq!(at(2026, 10, 25, 1, 30), "2026-10-25T00:30:00+00:00");
    assert_eq!(day(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    assert_eq!(date(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
}
