//! Unit tests of this folder's `mod.rs`.

use super::*;

#[test]
fn emails_are_checked_and_lower_cased() {
    assert_eq!(
        normalise_email(" Ann@Example.COM ").unwrap(),
        "ann@example.com"
    );
    for bad in [
        "",
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "a nn@example.com",
        "a@b@c.com",
        "ann@.com",
    ] {
        assert!(normalise_email(bad).is_err(), "{bad} accepted");
    }
    // A refusal echoes what was typed, and a display name is pointed out.
    let err = normalise_email("Hal <Hal@Example.com>")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "`Hal <Hal@Example.com>` is not an email address; write the address alone, e.g. Hal@Example.com"
    );
    let err = normalise_email("Ann Smith").unwrap_err().to_string();
    assert_eq!(err, "`Ann Smith` is not an email address");
    // Nothing typed is asked for, not quoted back.
    for empty in ["", "   "] {
        let err = normalise_email(empty).unwrap_err().to_string();
        assert_eq!(err, "enter an email address");
    }
}
