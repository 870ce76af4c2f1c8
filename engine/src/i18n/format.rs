//! Dates and sizes written the local way: month and weekday names and the order of a date's
//! parts come from the language's `common.ftl`, so a new language brings its own.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone};

use super::{Arg, translate};

/// "Thursday 30 April 2026", "jeudi 30 avril 2026", "Donnerstag, 30. April 2026".
pub fn long_date(code: &str, date: NaiveDate) -> String {
    let weekday = names(code, "weekday", date.weekday().number_from_monday());
    written(code, "date-long", date, Some(weekday))
}

/// "30 April 2026", "30 avril 2026", "30. April 2026".
pub fn short_date(code: &str, date: NaiveDate) -> String {
    written(code, "date-short", date, None)
}

/// "30 April 2026, 10:15" in the zone `at` is given in.
pub fn date_time<Tz: TimeZone>(code: &str, at: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let date = short_date(code, at.date_naive());
    let time = at.format("%H:%M").to_string();
    translate(
        code,
        "date-time",
        &[
            ("date", Arg::Text(date.clone())),
            ("time", Arg::Text(time.clone())),
        ],
    )
    .unwrap_or_else(|_| format!("{date}, {time}"))
}

/// A size in bytes, KiB or MiB (one decimal, written with the language's decimal mark).
pub fn size(code: &str, bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    let (id, number) = if bytes >= MIB {
        let text = format!("{:.1}", bytes as f64 / MIB as f64);
        let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
        let mark = translate(code, "decimal-mark", &[]).unwrap_or_else(|_| ".".into());
        ("size-mib", text.replace('.', &mark))
    } else if bytes >= KIB {
        ("size-kib", bytes.div_ceil(KIB).to_string())
    } else {
        ("size-bytes", bytes.to_string())
    };
    translate(code, id, &[("number", Arg::Text(number.clone()))])
        .unwrap_or_else(|_| format!("{number} {id}"))
}

fn names(code: &str, kind: &str, number: u32) -> String {
    translate(code, &format!("{kind}-{number}"), &[]).unwrap_or_else(|_| number.to_string())
}

fn written(code: &str, id: &str, date: NaiveDate, weekday: Option<String>) -> String {
    let mut args = vec![
        ("day", Arg::Number(i64::from(date.day()))),
        ("month", Arg::Text(names(code, "month", date.month()))),
        ("year", Arg::Text(date.year().to_string())),
    ];
    if let Some(weekday) = weekday {
        args.push(("weekday", Arg::Text(weekday)));
    }
    translate(code, id, &args).unwrap_or_else(|_| date.to_string())
}
