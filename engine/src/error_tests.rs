//! Unit tests of `error.rs`.

use super::*;

#[test]
fn invalid_input_says_only_its_message_and_keeps_its_field_apart() {
    let e = Error::invalid_field("start_date", "give a start date");
    assert_eq!(e.to_string(), "give a start date");
    assert_eq!(e.field(), Some("start_date"));
    assert!(e.is_invalid() && e.is_refusal());
    let e = Error::invalid("a template needs a name");
    assert_eq!(e.to_string(), "a template needs a name");
    assert_eq!(e.field(), None);
}

#[test]
fn a_field_is_named_once_and_only_on_invalid_input() {
    let named = Error::invalid("`x` is not an email address").on_field("email");
    assert_eq!(named.field(), Some("email"));
    // The field the rule named itself stays.
    let kept = Error::invalid_field("name", "too long").on_field("email");
    assert_eq!(kept.field(), Some("name"));
    // Other errors have no field to name.
    let missing = Error::not_found("contact", "ada").on_field("email");
    assert!(matches!(missing, Error::NotFound { .. }));
    assert_eq!(missing.field(), None);
    assert!(missing.is_refusal() && !missing.is_invalid());
}

#[test]
fn failures_are_not_refusals() {
    for e in [
        Error::Storage("disk full".into()),
        Error::Locked("/data".into()),
        Error::Backup("truncated".into()),
    ] {
        assert!(!e.is_refusal(), "{e}");
    }
    for e in [
        Error::Conflict("taken".into()),
        Error::TooLarge("big".into()),
        Error::Forbidden("no".into()),
        Error::Gone("lost".into()),
    ] {
        assert!(e.is_refusal(), "{e}");
    }
}
