//! Unit tests of `schedule.rs`.

use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn weekdays_hold_a_saturday_until_monday_and_skip_holidays() {
    let tz: Tz = "Europe/London".parse().unwrap();
    let weekdays = SendSchedule::parse("0 9 * * MON-FRI").unwrap();
    let numeric = SendSchedule::parse("0 9 * * 1-5").unwrap();
    // Saturday 2026-03-07 09:00 London → Monday 9 March 09:00.
    let saturday = utc("2026-03-07T09:00:00Z");
    assert_eq!(
        weekdays.slot(saturday, tz, &[]),
        Some(utc("2026-03-09T09:00:00Z"))
    );
    assert_eq!(
        numeric.slot(saturday, tz, &[]),
        weekdays.slot(saturday, tz, &[])
    );
    // Exactly on a slot stays there.
    let monday = utc("2026-03-09T09:00:00Z");
    assert_eq!(weekdays.slot(monday, tz, &[]), Some(monday));
    // A holiday Monday moves it to Tuesday.
    let holiday = [NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()];
    assert_eq!(
        weekdays.slot(saturday, tz, &holiday),
        Some(utc("2026-03-10T09:00:00Z"))
    );
    // After summer time starts, 09:00 London is 08:00 UTC.
    assert_eq!(
        weekdays.slot(utc("2026-03-28T10:00:00Z"), tz, &[]),
        Some(utc("2026-03-30T08:00:00Z"))
    );
}

#[test]
fn daily_default_and_sunday_spellings() {
    let tz: Tz = "America/New_York".parse().unwrap();
    let daily = SendSchedule::daily_at(NaiveTime::from_hms_opt(9, 30, 0).unwrap());
    assert_eq!(
        daily.slot(utc("2026-01-10T15:00:00Z"), tz, &[]),
        Some(utc("2026-01-11T14:30:00Z"))
    );
    let sunday0 = SendSchedule::parse("0 9 * * 0").unwrap();
    let sunday7 = SendSchedule::parse("0 9 * * 7").unwrap();
    let sun = SendSchedule::parse("0 9 * * SUN").unwrap();
    let from = utc("2026-01-07T00:00:00Z");
    let want = Some(utc("2026-01-11T14:00:00Z"));
    assert_eq!(sunday0.slot(from, tz, &[]), want);
    assert_eq!(sunday7.slot(from, tz, &[]), want);
    assert_eq!(sun.slot(from, tz, &[]), want);
    let weekend = SendSchedule::parse("0 9 * * 6-7").unwrap();
    assert_eq!(
        weekend.slot(from, tz, &[]),
        Some(utc("2026-01-10T14:00:00Z"))
    );
}

#[test]
fn bad_expressions_are_refused_with_the_reason() {
    for bad in [
        "",
        "0 9 * *",
        "61 9 * * *",
        "0 9 * * FUNDAY",
        "0 9 30 2 *",
        "0 9 * * 9",
    ] {
        let err = SendSchedule::parse(bad).unwrap_err();
        assert!(err.contains('`'), "{bad}: {err}");
    }
}

#[test]
fn a_send_time_is_a_slot_of_the_schedule_or_the_reason_is_given() {
    let weekdays = SendSchedule::parse("0 9 * * MON-FRI").unwrap();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
    assert!(weekdays.sends_at(nine));
    assert_eq!(weekdays.send_time_problem(nine), None);
    let problem = weekdays.send_time_problem(ten).unwrap();
    assert!(problem.contains("10:00"), "{problem}");
    assert!(problem.contains("(09:00)"), "{problem}");
    let twice = SendSchedule::parse("30 8,13 * * *").unwrap();
    assert!(twice.sends_at(NaiveTime::from_hms_opt(13, 30, 0).unwrap()));
    assert!(!twice.sends_at(NaiveTime::from_hms_opt(13, 0, 0).unwrap()));
    assert_eq!(twice.times_of_day(), "08:30, 13:30");
    let often = SendSchedule::parse("*/15 9-17 * * *").unwrap();
    assert_eq!(
        often.times_of_day(),
        "09:00, 09:15, 09:30, 09:45 and 32 more"
    );
    assert!(SendSchedule::daily_at(ten).sends_at(ten));
}
