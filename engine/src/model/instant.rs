//! Instants that an index key holds. Keys keep whole Unix milliseconds, so a record that mirrors
//! a key (a group's next fire, a pending digest) keeps its instant at exactly that precision:
//! the record and its key then never disagree about whether something is due. This is the one
//! place that rule lives; `KeyInstant::new` truncates to the millisecond (so a fire is at most a
//! millisecond early, never late) and reading a stored record truncates too, so records written
//! before the rule agree with the keys written for them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// An instant at index-key precision (whole milliseconds since the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct KeyInstant(DateTime<Utc>);

impl KeyInstant {
    /// `at` truncated to the millisecond.
    pub fn new(at: DateTime<Utc>) -> Self {
        let millis = at.timestamp_millis();
        Self(DateTime::from_timestamp_millis(millis).unwrap_or(at))
    }

    /// The instant itself.
    pub fn get(self) -> DateTime<Utc> {
        self.0
    }

    /// The key text: fixed-width Unix milliseconds, so keys sort by time.
    pub fn key(self) -> String {
        format!("{:020}", self.0.timestamp_millis().max(0))
    }

    /// Reads the key text written by [`KeyInstant::key`].
    pub fn parse_key(text: &[u8]) -> Option<Self> {
        std::str::from_utf8(text)
            .ok()
            .filter(|t| t.len() == 20 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis)
            .map(Self)
    }
}

impl From<DateTime<Utc>> for KeyInstant {
    fn from(at: DateTime<Utc>) -> Self {
        Self::new(at)
    }
}

impl From<KeyInstant> for DateTime<Utc> {
    fn from(at: KeyInstant) -> Self {
        at.0
    }
}

impl std::fmt::Display for KeyInstant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for KeyInstant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DateTime::<Utc>::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
#[path = "instant_tests.rs"]
mod tests;
