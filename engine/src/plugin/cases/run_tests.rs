//! Unit tests of `run.rs`.

use super::*;

#[test]
fn diffs_mark_missing_and_extra_lines() {
    let e: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let a: Vec<String> = ["a", "c", "d"].map(String::from).to_vec();
    assert_eq!(diff(&e, &a), ["  a", "- b", "  c", "+ d"]);
    assert_eq!(
        normalise("2026-03-09  09:00 tasks 1, 2"),
        "2026-03-09 09:00 tasks 1,2"
    );
    assert!(Cases::parse("").unwrap_err().contains("no [[case]]"));
    assert_eq!(
        reminder_line("2026-03-05  09:00 tasks 1, 2"),
        Ok("2026-03-05 09:00 tasks 1,2".into())
    );
    for bad in [
        "2026-03-05 9:00 task 1",
        "2026-03-05 09:00 tasks",
        "2026-03-05 09:00 tasks 0",
    ] {
        assert!(
            reminder_line(bad)
                .unwrap_err()
                .contains("is not a reminder line; write `YYYY-MM-DD HH:MM tasks N,N`"),
            "{bad}"
        );
    }
    assert_eq!(
        reminder_line("2026-02-30 09:00 tasks 1").unwrap_err(),
        "reminders: `2026-02-30 09:00 tasks 1`: 2026-02-30 is not a date: February 2026 has 28 days"
    );
    assert!(
        reminder_line("05/03/2026 09:00 tasks 1")
            .unwrap_err()
            .ends_with("05/03/2026 is not a date: write it as YYYY-MM-DD")
    );
    assert_eq!(send_line("manual"), Ok("manual".into()));
    assert!(send_line("next monday").is_err());
    assert!(
        Cases::parse("[[case]]\nname = 'x'\ncolour = 1\n")
            .unwrap_err()
            .starts_with("line 3")
    );
}
