//! Unit tests of `dates.rs`.

use super::*;

#[test]
fn a_date_that_does_not_exist_says_why_naming_the_field() {
    assert_eq!(
        parse_date("start_date", "2027-03-05").unwrap(),
        NaiveDate::from_ymd_opt(2027, 3, 5).unwrap()
    );
    let refused = |field: &str, text: &str| {
        let e = parse_date(field, text).unwrap_err();
        assert_eq!(e.field(), Some(field));
        e.to_string()
    };
    assert_eq!(
        refused("start_date", "2027-02-30"),
        "start_date: 2027-02-30 is not a date: February 2027 has 28 days"
    );
    assert_eq!(
        refused("until", "2028-02-30"),
        "until: 2028-02-30 is not a date: February 2028 has 29 days"
    );
    assert_eq!(
        refused("start_date", "30/02/2027"),
        "start_date: 30/02/2027 is not a date: write it as YYYY-MM-DD"
    );
    assert_eq!(
        refused("due_date", "2027-13-01"),
        "due_date: 2027-13-01 is not a date: there is no month 13; months go from 01 to 12"
    );
    assert_eq!(
        refused("until", "2027-04-31"),
        "until: 2027-04-31 is not a date: April 2027 has 30 days"
    );
    assert_eq!(
        refused("until", " "),
        "until: no date was given: write it as YYYY-MM-DD"
    );
}

#[test]
fn serde_fields_refuse_in_the_same_words() {
    #[derive(serde::Deserialize, Debug)]
    struct Body {
        #[serde(deserialize_with = "date")]
        #[allow(dead_code)]
        start_date: NaiveDate,
        #[serde(default, deserialize_with = "some_date")]
        until: Option<NaiveDate>,
    }
    let e = serde_json::from_str::<Body>(r#"{"start_date": "2027-02-30"}"#).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("2027-02-30 is not a date: February 2027 has 28 days"),
        "{e}"
    );
    let ok: Body = serde_json::from_str(r#"{"start_date": "2027-02-28", "until": ""}"#).unwrap();
    assert_eq!(ok.until, None);
    let ok: Body =
        serde_json::from_str(r#"{"start_date": "2027-02-28", "until": "2027-03-01"}"#).unwrap();
    assert_eq!(ok.until, NaiveDate::from_ymd_opt(2027, 3, 1));
}
