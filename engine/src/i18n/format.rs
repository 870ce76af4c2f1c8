//! Dates, sizes and numbers written the local way: month and weekday names, the order of a
//! date's parts and the decimal and thousands marks come from the language's `common.ftl`, so a
//! new language brings its own.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone};
use fluent_bundle::FluentValue;
use fluent_bundle::memoizer::MemoizerKind;
use intl_memoizer::Memoizable;
use unic_langid::LanguageIdentifier;

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

/// "April 2026", "avril 2026", "April 2026".
pub fn month_year(code: &str, date: NaiveDate) -> String {
    format!("{} {}", names(code, "month", date.month()), date.year())
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

/// A whole number of four digits or more in a message, with the language's thousands mark
/// ("10,000", "10 000", "10.000"); anything else as Fluent writes it. Each bundle's formatter.
pub(super) fn number<M: MemoizerKind>(value: &FluentValue, intls: &M) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    let n = number.value;
    if n.fract() != 0.0 || n.abs() < 1000.0 || n.abs() >= 1e15 {
        return None;
    }
    let mark = intls
        .with_try_get_threadsafe::<ThousandsMark, _, _>((), |m| m.0.clone())
        .ok()?;
    Some(grouped(n as i64, &mark))
}

/// `n` with `mark` between each group of three digits.
pub(super) fn grouped(n: i64, mark: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(mark);
        }
        out.push(digit);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A language's thousands mark (its `thousands-mark` message), kept by its bundle.
struct ThousandsMark(String);

impl Memoizable for ThousandsMark {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Self, ()> {
        // The message holds no number, so writing it does not come back here.
        let code = super::resolve(Some(&lang.to_string()));
        let mark = translate(code, "thousands-mark", &[]).map_err(|_| ())?;
        Ok(ThousandsMark(mark))
    }
}
