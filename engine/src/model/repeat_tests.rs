//! Unit tests of `model/repeat.rs`.

use super::*;

#[test]
fn a_day_may_be_a_numeric_text_and_anything_else_is_refused_in_words() {
    let day = |json: &str| {
        serde_json::from_str::<RepeatRequest>(&format!(r#"{{"every": "month", "day": {json}}}"#))
            .map(|r| r.day)
            .map_err(|e| e.to_string())
    };
    assert_eq!(day("5"), Ok(Some(5)));
    assert_eq!(day(r#""5""#), Ok(Some(5)));
    assert_eq!(day(r#"" 12 ""#), Ok(Some(12)));
    assert_eq!(day("null"), Ok(None));
    for (bad, words) in [
        (r#""five""#, "five is not a whole number from 1 to 31"),
        ("5.5", "5.5 is not a whole number from 1 to 31"),
        ("-3", "-3 is not a whole number from 1 to 31"),
        ("true", "true is not a whole number from 1 to 31"),
    ] {
        let said = day(bad).unwrap_err();
        assert!(said.starts_with(words), "{bad}: {said}");
    }
}
