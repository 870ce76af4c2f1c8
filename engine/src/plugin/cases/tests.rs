//! Unit tests of this folder's `mod.rs`.

use super::*;

/// The message `Cases::parse` refuses `text` with.
fn refusal(text: &str) -> String {
    Cases::parse(text).unwrap_err()
}

#[test]
fn case_files_written_wrong_are_refused_with_what_to_write() {
    let case = "name = 'x'\nsent = '2026-03-02'\ndue = ['2026-03-20']\nreminders = []\n";
    assert_eq!(
        refusal(&format!("[case]\n{case}")),
        "line 1: `[case]` is a single table; write each case under `[[case]]`, with two brackets"
    );
    assert_eq!(
        refusal(&format!("[[case]]\n{case}holidays = ['05/03/2026']\n")),
        "line 6: holidays: 05/03/2026 is not a date: write it as YYYY-MM-DD"
    );
    assert_eq!(
        refusal(&format!("[[case]]\n{case}days = -3\n")),
        "line 6: days = -3 is not a number of days to follow; give a whole number from 1 to 3660, or leave `days` out to follow the whole calendar"
    );
    assert_eq!(
        refusal(&format!("[[case]]\n{case}params = {{ times = [1, 2] }}\n")),
        "line 6: parameter `times` is an array; write it as text, a number or a boolean, e.g. times = \"1,2\""
    );
    assert_eq!(
        refusal("[[case]]\nname = 'x'\ndue = ['2026-02-30']\n"),
        "line 3: due: 2026-02-30 is not a date: February 2026 has 28 days"
    );
    assert_eq!(
        refusal("[calendar]\nholidays = ['2026-13-01']\n[[case]]\nname = 'x'\n"),
        "line 2: holidays: 2026-13-01 is not a date: there is no month 13; months go from 01 to 12"
    );
    // A TOML date is a date too.
    let cases = Cases::parse(
        "[[case]]\nname = 'x'\nstart = 2026-04-06\ndue = [2026-04-20]\nsend = 'manual'\n",
    )
    .unwrap();
    assert_eq!(cases.cases[0].start, NaiveDate::from_ymd_opt(2026, 4, 6));
    assert_eq!(
        cases.cases[0].foreign_fields(World::ReminderPolicy),
        ["start", "send"]
    );
    assert!(cases.cases[0].foreign_fields(World::SendingRule).is_empty());
}
