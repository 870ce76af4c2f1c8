//! Dates as people type them, read in one place: the API's fields and query parameters (through
//! the serde helpers here), the admin's forms, the CLI's flags, the template preview, a repeat's
//! `until`, a pause's `until`, holidays, and a plugin's files. Every surface says what is wrong
//! in the same words, naming the field: "start_date: 2027-02-30 is not a date: February 2027 has
//! 28 days", "start_date: 30/02/2027 is not a date: write it as YYYY-MM-DD".

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, de};

use crate::{Error, Result};

/// The words after "is not a date" in every refusal of a date; a test may look for them.
pub const NOT_A_DATE: &str = " is not a date: ";

/// `text` as a date written `YYYY-MM-DD`, or what is wrong with it without naming a field:
/// "2027-02-30 is not a date: February 2027 has 28 days". For a surface that names the field
/// itself (a CLI flag's parser, whose refusal clap prefixes with the flag).
pub fn date_or_why(text: &str) -> std::result::Result<NaiveDate, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("no date was given: write it as YYYY-MM-DD".to_string());
    }
    let not_a_date = |why: String| format!("{text}{NOT_A_DATE}{why}");
    let parts: Vec<&str> = text.split('-').collect();
    let shaped = parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return Err(not_a_date("write it as YYYY-MM-DD".into()));
    }
    let (year, month, day): (i32, u32, u32) = (
        parts[0].parse().unwrap_or_default(),
        parts[1].parse().unwrap_or_default(),
        parts[2].parse().unwrap_or_default(),
    );
    if !(1..=12).contains(&month) {
        return Err(not_a_date(format!(
            "there is no month {month}; months go from 01 to 12"
        )));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let first = NaiveDate::from_ymd_opt(year, month, 1);
        let days = first
            .and_then(|f| f.checked_add_months(chrono::Months::new(1)))
            .zip(first)
            .map_or(31, |(next, f)| (next - f).num_days());
        not_a_date(format!(
            "{} {year} has {days} days",
            first.map_or(String::new(), |f| f.format("%B").to_string())
        ))
    })
}

/// `text` as a date for `field`, or a refusal naming it: "until: 2027-02-30 is not a date:
/// February 2027 has 28 days".
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate> {
    date_or_why(text).map_err(|why| Error::invalid_field(field, format!("{field}: {why}")))
}

/// A serde field that is a date (`#[serde(deserialize_with = "crate::dates::date")]`): refused
/// in this module's words. serde names the field before them ("start_date: …"), as the API's
/// refusals show.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    date_or_why(&text).map_err(de::Error::custom)
}

/// An optional serde field that is a date (`#[serde(default, deserialize_with =
/// "crate::dates::some_date")]`); `null` or an empty text is none.
pub fn some_date<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => date_or_why(&text).map(Some).map_err(de::Error::custom),
    }
}

#[cfg(test)]
#[path = "dates_tests.rs"]
mod tests;
