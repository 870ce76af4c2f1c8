//! Unit tests of `instant.rs`.

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
