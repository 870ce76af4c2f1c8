//! Unit tests of `toml_fields.rs`.

use super::*;

#[test]
fn dates_say_what_is_wrong() {
    assert_eq!(
        parse_date("2026-03-05"),
        Ok(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap())
    );
    assert_eq!(
        parse_date("05/03/2026").unwrap_err(),
        "05/03/2026 is not a date: write it as YYYY-MM-DD"
    );
    assert_eq!(
        parse_date("2026-02-30").unwrap_err(),
        "2026-02-30 is not a date: February 2026 has 28 days"
    );
    assert!(
        parse_date("2026-13-01")
            .unwrap_err()
            .contains("no month 13")
    );
    assert_eq!(
        parse_date("2028-02-30").unwrap_err(),
        "2028-02-30 is not a date: February 2028 has 29 days"
    );
}

#[test]
fn versions_are_semver() {
    for good in ["0.1.0", "1.2.3", "10.0.0-beta.1", "1.0.0+build5"] {
        assert!(is_semver(good), "{good}");
    }
    for bad in ["one", "1", "1.2", "01.2.3", "1.2.3-", "v1.2.3", ""] {
        assert!(!is_semver(bad), "{bad}");
    }
}
