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
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn an_instant_is_kept_at_the_keys_precision() {
        let fine = at("2027-01-31T09:00:00.123456789Z");
        let kept = KeyInstant::new(fine);
        assert_eq!(kept.get(), at("2027-01-31T09:00:00.123Z"));
        // The key and the record agree: what the key says is what the record holds.
        let from_key = KeyInstant::parse_key(kept.key().as_bytes()).unwrap();
        assert_eq!(from_key, kept);
        assert_eq!(KeyInstant::new(fine), KeyInstant::new(kept.get()));
        // Never later than asked.
        assert!(kept.get() <= fine);
    }

    #[test]
    fn a_stored_instant_with_finer_parts_is_read_at_the_keys_precision() {
        let json = "\"2027-01-31T09:00:00.000400123Z\"";
        let read: KeyInstant = serde_json::from_str(json).unwrap();
        assert_eq!(read.get(), at("2027-01-31T09:00:00Z"));
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            "\"2027-01-31T09:00:00Z\""
        );
    }

    #[test]
    fn key_text_is_checked() {
        for bad in ["", "12", "0000000000000000000a", "000000000000000000001"] {
            assert!(KeyInstant::parse_key(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
