//! Unit tests of `extract.rs`.

use super::plain;

#[test]
fn serde_messages_read_as_plain_words() {
    for (text, said) in [
        (
            "missing field `role` at line 1 column 20",
            "the body is missing `role`",
        ),
        (
            "groups[0]: missing field `title` at line 1 column 30",
            "`groups[0]` in the body is missing `title`",
        ),
        (
            "duplicate field `name` at line 1 column 21",
            "the body gives `name` more than once; give it once",
        ),
        (
            "unknown field `nmae`, expected `name` or `role` at line 1 column 7",
            "the body has `nmae`, which is not one of its fields: `name` or `role`",
        ),
        (
            "text: unknown field `text`, expected `body` or `task` at line 1 column 7",
            "the body has `text`, which is not one of its fields: `body` or `task`",
        ),
        (
            "groups[0].colour: unknown field `colour`, expected `name` at line 1 column 7",
            "`groups[0]` in the body has `colour`, which is not one of its fields: `name`",
        ),
        (
            "role: unknown variant `boss`, expected `admin` or `staff` at line 1 column 30",
            "`role` in the body is `boss`, which is not one of `admin` or `staff`",
        ),
        (
            "due: invalid type: integer `3`, expected a string at line 1 column 8",
            "`due` in the body should be a string, not the number 3",
        ),
        (
            "group: invalid type: string \"0\", expected usize at line 1 column 20",
            "`group` in the body should be a whole number, not the text \"0\"",
        ),
        (
            "holidays: invalid type: string \"2026-12-24\", expected a sequence at line 1 column 9",
            "`holidays` in the body should be a list, not the text \"2026-12-24\"",
        ),
        (
            "start: input contains invalid characters at line 1 column 20",
            "`start` in the body is not a date or time: write dates as YYYY-MM-DD (and times as HH:MM)",
        ),
        (
            "start_date: 2027-02-30 is not a date: February 2027 has 28 days at line 1 column 30",
            "start_date: 2027-02-30 is not a date: February 2027 has 28 days",
        ),
    ] {
        assert_eq!(plain("the body", text), said, "{text}");
    }
}
