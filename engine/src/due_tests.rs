//! Unit tests of `due.rs`.

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn t(s: &str) -> NaiveTime {
    crate::config::parse_time_of_day(s).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn offsets_cross_month_ends_and_leap_days() {
    let cases = [
        ("2027-01-31", 1, "2027-02-01"),
        ("2027-01-31", 28, "2027-02-28"),
        ("2027-01-31", 29, "2027-03-01"),
        ("2028-01-31", 29, "2028-02-29"),
        ("2028-02-28", 1, "2028-02-29"),
        ("2027-02-28", 1, "2027-03-01"),
        ("2028-02-29", 365, "2029-02-28"),
        ("2028-02-29", 366, "2029-03-01"),
        ("2028-03-01", -1, "2028-02-29"),
        ("2027-03-01", -1, "2027-02-28"),
        ("2026-12-31", 1, "2027-01-01"),
        ("2027-01-01", -1, "2026-12-31"),
        ("2027-04-30", 31, "2027-05-31"),
        ("2027-05-15", 0, "2027-05-15"),
        ("2027-05-15", -45, "2027-03-31"),
    ];
    for (start, offset, want) in cases {
        assert_eq!(
            due_date(d(start), offset).unwrap(),
            d(want),
            "{start} {offset:+}"
        );
    }
    assert!(due_date(NaiveDate::MAX, 1).is_err());
}

#[test]
fn send_time_is_local_across_dst_changes() {
    let london: Tz = "Europe/London".parse().unwrap();
    let new_york: Tz = "America/New_York".parse().unwrap();
    let sydney: Tz = "Australia/Sydney".parse().unwrap();
    let cases = [
        // London winter (GMT) and summer (BST) on either side of 28 March 2027.
        (d("2027-03-27"), t("09:00"), london, "2027-03-27T09:00:00Z"),
        (d("2027-03-28"), t("09:00"), london, "2027-03-28T08:00:00Z"),
        // 01:30 does not exist on 28 March 2027 in London: the first instant after the gap.
        (d("2027-03-28"), t("01:30"), london, "2027-03-28T01:00:00Z"),
        // 01:30 happens twice on 31 October 2027 in London: the earlier (BST) one.
        (d("2027-10-31"), t("01:30"), london, "2027-10-31T00:30:00Z"),
        (d("2027-10-31"), t("09:00"), london, "2027-10-31T09:00:00Z"),
        // New York: 14 March 2027 springs forward, 7 November 2027 falls back.
        (
            d("2027-03-13"),
            t("09:00"),
            new_york,
            "2027-03-13T14:00:00Z",
        ),
        (
            d("2027-03-14"),
            t("09:00"),
            new_york,
            "2027-03-14T13:00:00Z",
        ),
        (
            d("2027-03-14"),
            t("02:30"),
            new_york,
            "2027-03-14T07:00:00Z",
        ),
        (
            d("2027-11-07"),
            t("01:30"),
            new_york,
            "2027-11-07T05:30:00Z",
        ),
        (
            d("2027-11-07"),
            t("09:00"),
            new_york,
            "2027-11-07T14:00:00Z",
        ),
        // Sydney's clocks go back on 4 April 2027 and forward on 3 October 2027.
        (d("2027-04-03"), t("09:00"), sydney, "2027-04-02T22:00:00Z"),
        (d("2027-04-04"), t("09:00"), sydney, "2027-04-03T23:00:00Z"),
        (d("2027-10-03"), t("02:30"), sydney, "2027-10-02T16:00:00Z"),
        // Samoa skipped 30 December 2011 altogether: the next instant is midnight of the 31st.
        (
            d("2011-12-30"),
            t("09:00"),
            "Pacific/Apia".parse().unwrap(),
            "2011-12-30T10:00:00Z",
        ),
    ];
    for (date, time, zone, want) in cases {
        assert_eq!(
            local_instant(date, time, zone),
            utc(want),
            "{date} {time} {zone}"
        );
    }
}

#[test]
fn due_instant_combines_offset_and_zone() {
    let london: Tz = "Europe/London".parse().unwrap();
    // Starting 1 March 2028 (a leap year) with a task due 27 days later: 28 March, after the
    // clocks went forward on 26 March, so 09:00 local is 08:00 UTC.
    assert_eq!(
        due_instant(d("2028-03-01"), 27, t("09:00"), london).unwrap(),
        utc("2028-03-28T08:00:00Z")
    );
    assert_eq!(
        due_instant(d("2028-03-01"), -1, t("09:00"), london).unwrap(),
        utc("2028-02-29T09:00:00Z")
    );
}
