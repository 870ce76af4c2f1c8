//! Calendar arithmetic over WIT `day` numbers (days since 1970-01-01) without a date library, so
//! plugins stay small: civil dates, weekdays and `YYYY-MM-DD` parsing.

/// Day of the week, Monday first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// The weekday of `day` (1970-01-01 was a Thursday).
pub fn weekday(day: i32) -> Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    ALL[(day + 3).rem_euclid(7) as usize]
}

/// Whether `day` is a Saturday or a Sunday.
pub fn is_weekend(day: i32) -> bool {
    matches!(weekday(day), Weekday::Saturday | Weekday::Sunday)
}

/// The day number of a civil date, or `None` if the month or day is out of range.
pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<i32> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe as u32 * 365 + yoe as u32 / 4 - yoe as u32 / 100 + doy;
    Some(era * 146_097 + doe as i32 - 719_468)
}

/// The civil date `(year, month, day)` of a day number.
pub fn to_ymd(day: i32) -> (i32, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe as i32 + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

/// Parses `YYYY-MM-DD`.
pub fn parse(text: &str) -> Option<i32> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    from_ymd(year, month, day)
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format(day: i32) -> String {
    let (y, m, d) = to_ymd(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        let cases = [
            ((1970, 1, 1), 0, Weekday::Thursday),
            ((1969, 12, 31), -1, Weekday::Wednesday),
            ((2000, 2, 29), 11_016, Weekday::Tuesday),
            ((2026, 11, 25), 20_782, Weekday::Wednesday),
        ];
        for ((y, m, d), number, wd) in cases {
            assert_eq!(from_ymd(y, m, d), Some(number), "{y}-{m}-{d}");
            assert_eq!(to_ymd(number), (y, m, d));
            assert_eq!(weekday(number), wd);
        }
        assert_eq!(parse("2026-02-29"), None);
        assert_eq!(
            parse("2024-02-29").map(format).as_deref(),
            Some("2024-02-29")
        );
    }
}
