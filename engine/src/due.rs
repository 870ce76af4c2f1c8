//! Due dates: a template's day offsets made into calendar dates, and calendar dates made into the
//! instant, in the firm's (or contact's) timezone, at which things fall due and reminders go out.

use chrono::{
    DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::{Error, Result};

/// The work's start date moved by `offset_days` calendar days. Month ends and leap days need no
/// care beyond calendar arithmetic: 31 January + 29 days is 1 March, or 29 February in a leap year.
pub fn due_date(start: NaiveDate, offset_days: i32) -> Result<NaiveDate> {
    let days = Days::new(u64::from(offset_days.unsigned_abs()));
    let date = if offset_days >= 0 {
        start.checked_add_days(days)
    } else {
        start.checked_sub_days(days)
    };
    date.ok_or_else(|| {
        Error::invalid(format!(
            "{start} moved by {offset_days} days is out of range"
        ))
    })
}

/// The instant at which local `date` reaches `time` in `zone`.
///
/// Wall-clock times that do not exist (the hour skipped when clocks go forward) resolve to the
/// first instant after the gap, so a 01:30 send on a spring-forward night in London goes at 02:00
/// local (01:00 UTC). Times that occur twice (clocks going back) resolve to the earlier one, so
/// nothing goes out twice.
pub fn local_instant(date: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, time);
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.to_utc(),
        LocalResult::Ambiguous(earlier, _) => earlier.to_utc(),
        LocalResult::None => {
            // Gaps last an hour in most zones and a day at most (Samoa skipped 30 December 2011);
            // walk forward a minute at a time to the gap's end.
            (1..=2 * 24 * 60)
                .find_map(|m| {
                    zone.from_local_datetime(&(local + chrono::Duration::minutes(m)))
                        .earliest()
                })
                .map(|t| t.to_utc())
                // No zone has a gap this long; read the time with the offset in force just before.
                .unwrap_or_else(|| (local - zone.offset_from_utc_datetime(&local).fix()).and_utc())
        }
    }
}

/// The instant a task falls due: its due date at the firm's send time.
pub fn due_instant(
    start: NaiveDate,
    offset_days: i32,
    send_time: NaiveTime,
    zone: Tz,
) -> Result<DateTime<Utc>> {
    Ok(local_instant(
        due_date(start, offset_days)?,
        send_time,
        zone,
    ))
}

#[cfg(test)]
#[path = "due_tests.rs"]
mod tests;
