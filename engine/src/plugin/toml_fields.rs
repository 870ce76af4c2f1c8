//! Fields of a plugin's TOML files (manifests and cases files) read with messages that name
//! the field and say what to write: parameters (text, a number or a boolean), dates
//! (`YYYY-MM-DD`, and a day that exists), a count of days, and a version (semver). Each error
//! is raised while its own value is read, so the file's line is that value's.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// `params`: a table of parameters, each text, a number or a boolean, taken as its text
/// (`every = 2` is `every = "2"`).
pub(crate) fn scalar_params<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    struct Table;
    impl<'de> Visitor<'de> for Table {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table of parameters, e.g. { every = 7 }")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(name) = map.next_key::<String>()? {
                let value = map.next_value_seed(Param(&name))?;
                out.insert(name, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Table)
}

/// One parameter's value, named for its message.
struct Param<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for Param<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl Param<'_> {
    fn refuse<E: de::Error>(&self, what: &str) -> E {
        E::custom(format!(
            "parameter `{}` is {what}; write it as text, a number or a boolean, e.g. {} = \"1,2\"",
            self.0, self.0
        ))
    }
}

impl<'de> Visitor<'de> for Param<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "parameter `{}` as text, a number or a boolean", self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.refuse("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        // A TOML date-time arrives as a map too.
        Err(self.refuse("a table or a date"))
    }
}

/// A date as a plugin's files write it, `YYYY-MM-DD` (quoted, or a TOML date): what is wrong
/// with `text` otherwise, in the words every date refusal uses (`crate::dates`).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    crate::dates::date_or_why(text)
}

/// A TOML value that should be one date, read for `field`.
fn date_of(field: &str, value: toml::Value) -> Result<NaiveDate, String> {
    let text = match value {
        toml::Value::String(s) => s,
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        other => other.to_string(),
    };
    parse_date(&text).map_err(|e| format!("{field}: {e}"))
}

/// A list of dates for `field`.
fn dates<'de, D: Deserializer<'de>>(d: D, field: &str) -> Result<Vec<NaiveDate>, D::Error> {
    let values = Vec::<toml::Value>::deserialize(d)?;
    values
        .into_iter()
        .map(|v| date_of(field, v).map_err(de::Error::custom))
        .collect()
}

pub(crate) fn due_dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    dates(d, "due")
}

pub(crate) fn holiday_dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    dates(d, "holidays")
}

pub(crate) fn some_holiday_dates<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<NaiveDate>>, D::Error> {
    dates(d, "holidays").map(Some)
}

pub(crate) fn start_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let value = toml::Value::deserialize(d)?;
    date_of("start", value).map(Some).map_err(de::Error::custom)
}

/// `days`: how many days after the sending a case follows the calendar, 1 or more.
pub(crate) fn day_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = toml::Value::deserialize(d)?;
    match value {
        toml::Value::Integer(n) if (1..=3660).contains(&n) => Ok(Some(n as u32)),
        other => Err(de::Error::custom(format!(
            "days = {other} is not a number of days to follow; give a whole number from 1 to 3660, or leave `days` out to follow the whole calendar"
        ))),
    }
}

/// Whether `version` is semver: MAJOR.MINOR.PATCH, each a number, with an optional
/// `-pre-release` and `+build`.
pub(crate) fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let rest = &version[core.len()..];
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers.iter().all(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n.len() == 1 || !n.starts_with('0'))
        })
        && rest
            .split(['-', '+', '.'])
            .skip(1)
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
#[path = "toml_fields_tests.rs"]
mod tests;
